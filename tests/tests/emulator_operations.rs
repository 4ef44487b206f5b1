//! Every operation of the client against the emulator, and what the emulator does with bad
//! input. Everything the emulator answers is checked against the spec.

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use serde_json::json;
use support::emulated::{assert_responses_match_spec, start};
use zendesk_chat::types::{self, Chat};
use zendesk_chat::{Error, export::ExportStart};
use zendesk_chat_emulator::Emulator;

fn status(error: &Error) -> u16 {
    error.status().map(|s| s.as_u16()).unwrap_or_default()
}

#[tokio::test]
async fn chats_list_search_show_update_delete() {
    let (emulator, client) = start(
        Emulator::builder()
            .seed(11)
            .chats(300)
            .backdate_changes(Duration::from_secs(600)),
    )
    .await;

    let page = client.list_chats().await.unwrap();
    assert_eq!(page.chats.len(), 100);
    assert!(page.next_url.is_some());
    let ids: Vec<String> = page
        .chats
        .iter()
        .map(|chat| {
            assert!(!matches!(chat, Chat::Unknown(_)), "{chat:?}");
            chat.id().unwrap().to_owned()
        })
        .collect();

    let by_ids = client.list_chats().ids(ids[..3].join(",")).await.unwrap();
    assert_eq!(by_ids.docs.len(), 3);
    let fetched = client.chats_by_ids(&ids).await.unwrap();
    assert_eq!(fetched.len(), 100);

    let support_id = page
        .chats
        .iter()
        .find_map(|chat| match chat {
            Chat::SupportChat(c) if !c.agent_names.is_empty() => Some(c.clone()),
            _ => None,
        })
        .unwrap();
    let agent = support_id.agent_names[0].clone();
    let found: Vec<_> = client
        .search(zendesk_chat::search::SearchQuery::agent_name(&agent).to_string())
        .try_collect()
        .await
        .unwrap();
    assert!(
        found.iter().any(|r| r.id == support_id.id),
        "the chat's agent finds it"
    );

    let id = support_id.id.clone().unwrap();
    let shown = client.get_chat().chat_id(&id).await.unwrap();
    assert!(matches!(&shown, Chat::SupportChat(c) if c.id.as_deref() == Some(id.as_str())));

    let update = types::UpdateChatRequest {
        visitor_name: Some("Joe".into()),
        tags: Some(vec![]),
        comment: Some("resolved".into()),
        ..Default::default()
    };
    let updated = client
        .update_chat()
        .chat_id(&id)
        .body(update)
        .await
        .unwrap();
    let Chat::SupportChat(updated) = updated else {
        panic!("a support chat")
    };
    assert_eq!(updated.visitor.unwrap().name.as_deref(), Some("Joe"));
    assert!(updated.tags.is_empty());
    assert_eq!(updated.comment.as_deref(), Some("resolved"));
    assert_ne!(
        updated.update_timestamp, support_id.update_timestamp,
        "a change bumps update_timestamp"
    );

    client.delete_chat().chat_id(&id).await.unwrap();
    let gone = client.get_chat().chat_id(&id).await.unwrap_err();
    assert_eq!(status(&gone), 404);
    assert_eq!(
        status(&client.delete_chat().chat_id(&id).await.unwrap_err()),
        404
    );

    let result = client
        .delete_chats([ids[1].as_str(), &id, "2012.1.nosuchchat", "not an id!"])
        .await
        .unwrap();
    assert_eq!(result.number_success, Some(1));
    assert_eq!(result.number_fail, Some(3));
    let failed = result.failed.unwrap();
    assert_eq!(failed.already_deleted, std::slice::from_ref(&id));
    assert_eq!(failed.not_found, ["2012.1.nosuchchat"]);
    assert_eq!(failed.invalid_id, ["not an id!"]);

    // The deleted chats show in the export again, marked deleted, with a newer update time.
    let exported: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(exported.len(), 300);
    let last_two: Vec<(String, Option<bool>)> = exported[298..]
        .iter()
        .map(|chat| match chat {
            Chat::SupportChat(c) => (c.id.clone().unwrap(), c.deleted),
            Chat::OfflineMessage(m) => (m.id.clone().unwrap(), m.deleted),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        last_two,
        [(id.clone(), Some(true)), (ids[1].clone(), Some(true))]
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn offline_messages_are_created_as_documented() {
    let (emulator, client) = start(Emulator::builder().seed(12).chats(10)).await;
    let body: types::CreateOfflineMessageRequest =
        serde_json::from_value(support::request_example("createOfflineMessage", "docs")).unwrap();
    let created = client.create_offline_message().body(body).await.unwrap();
    let Chat::OfflineMessage(message) = created else {
        panic!("an offline message")
    };
    assert_eq!(message.message.as_deref(), Some("Hi there!"));
    assert_eq!(message.timestamp.unwrap().as_str(), "2015-10-06T18:26:50Z");
    let id = message.id.unwrap();
    assert!(matches!(
        client.get_chat().chat_id(&id).await.unwrap(),
        Chat::OfflineMessage(_)
    ));
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn agents_all_operations() {
    let (emulator, client) = start(Emulator::builder().seed(13).chats(10)).await;
    let all = client.list_agents().await.unwrap();
    assert!(all.len() >= 8);
    let paged: Vec<_> = client
        .agents()
        .page_size(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paged, all, "paging gives the whole set, in order");

    let me = client.get_current_agent().await.unwrap();
    assert_eq!(me.id, all[0].id, "the token belongs to the owner");
    assert_eq!(me.roles.as_ref().unwrap().owner, Some(true));
    let by_email = client
        .get_agent_by_email()
        .email(me.email.clone().unwrap())
        .await
        .unwrap();
    assert_eq!(by_email.id, me.id);

    let request = types::CreateAgentRequest::try_from(
        types::CreateAgentRequest::builder()
            .email("new@example.com")
            .password("s3cret!")
            .first_name("New".to_owned()),
    )
    .unwrap();
    let created = client.create_agent().body(request.clone()).await.unwrap();
    let new_id = created.id.unwrap();
    assert_eq!(
        status(&client.create_agent().body(request).await.unwrap_err()),
        422,
        "the email is taken"
    );
    let update = types::UpdateAgentRequest {
        last_name: Some("Smith".into()),
        role_id: Some(2),
        ..Default::default()
    };
    let updated = client
        .update_agent()
        .agent_id(new_id)
        .body(update)
        .await
        .unwrap();
    assert_eq!(
        (updated.first_name.as_deref(), updated.last_name.as_deref()),
        (Some("New"), Some("Smith"))
    );
    let me_update = types::UpdateAgentRequest {
        display_name: Some("Boss".into()),
        ..Default::default()
    };
    assert_eq!(
        client
            .update_current_agent()
            .body(me_update)
            .await
            .unwrap()
            .display_name
            .as_deref(),
        Some("Boss")
    );
    client
        .delete_agent_shortcuts()
        .agent_id(new_id)
        .await
        .unwrap();
    client.delete_agent().agent_id(new_id).await.unwrap();
    assert_eq!(
        status(&client.get_agent().agent_id(new_id).await.unwrap_err()),
        404
    );
    assert_eq!(
        status(
            &client
                .delete_agent_shortcuts()
                .agent_id(new_id)
                .await
                .unwrap_err()
        ),
        404
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn agents_page_backward_and_announce_next_and_previous_pages() {
    let (emulator, client) = start(Emulator::builder().seed(14).chats(10)).await;
    let all = client.list_agents().await.unwrap();
    let ids: Vec<i64> = all.iter().map(|a| a.id.unwrap()).collect();
    let page = client
        .list_agents()
        .since_id(ids[2])
        .limit(3)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|a| a.id.unwrap()).collect::<Vec<_>>(),
        ids[2..5]
    );
    assert_eq!(
        page.headers()["x-next-page"],
        format!("/api/v2/chat/agents?since_id={}&limit=3", ids[4] + 1)
    );
    assert_eq!(
        page.headers()["x-prev-page"],
        format!("/api/v2/chat/agents?max_id={}&limit=3", ids[2] - 1)
    );
    let back = client.list_agents().max_id(ids[5]).limit(2).await.unwrap();
    assert_eq!(
        back.iter().map(|a| a.id.unwrap()).collect::<Vec<_>>(),
        ids[4..6]
    );
    let default_size = client.list_agents().since_id(0).await.unwrap();
    assert_eq!(
        default_size.len(),
        10.min(ids.len()),
        "any paging parameter: 10 by default"
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn visitors_create_show_update() {
    let (emulator, client) = start(Emulator::builder().seed(15).chats(10)).await;
    let body: types::CreateVisitorRequest =
        serde_json::from_value(support::request_example("createVisitor", "docs")).unwrap();
    let created = client.create_visitor().body(body).await.unwrap();
    let id = created.id.clone().unwrap().to_string();
    assert_eq!(
        created.notes.as_deref(),
        Some("This visitor is really cool.")
    );
    let shown = client.get_visitor().visitor_id(&id).await.unwrap();
    assert_eq!(shown, created);
    let update = types::UpdateVisitorRequest {
        name: Some("John".into()),
        ..Default::default()
    };
    assert_eq!(
        client
            .update_visitor()
            .visitor_id(&id)
            .body(update)
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("John")
    );
    assert_eq!(
        status(
            &client
                .get_visitor()
                .visitor_id("1.nobody")
                .await
                .unwrap_err()
        ),
        404
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn bad_input_gets_zendesk_errors_and_changes_nothing() {
    let (emulator, _client) = start(Emulator::builder().seed(16).chats(60)).await;
    let before = emulator.with_store(|s| (s.chats.len(), s.agents.len(), s.visitors.len()));

    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}/api/v2/chat{path}", emulator.base_url());
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request
            .bearer_auth(zendesk_chat_emulator::DEFAULT_TOKEN)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<serde_json::Value>().await.unwrap(),
        )
    };
    let cases = [
        (http.post(url("/chats")).body("{not json"), 400),
        (
            http.post(url("/chats"))
                .json(&json!({"type": "offline_msg", "message": 5})),
            422,
        ),
        (
            http.post(url("/agents"))
                .json(&json!({"email": "x@example.com"})),
            422,
        ),
        (http.put(url("/agents/abc")).json(&json!({})), 400),
        (http.put(url("/visitors/1.x")).json(&json!([1, 2])), 400),
        (
            http.get(url("/chats")).query(&[(
                "ids",
                (0..51).map(|i| i.to_string()).collect::<Vec<_>>().join(","),
            )]),
            400,
        ),
        (
            http.get(url("/chats/search"))
                .query(&[("q", "rating:good"), ("page", "251")]),
            400,
        ),
        (
            http.get(url("/chats/search"))
                .query(&[("q", "nosuchfield:x")]),
            400,
        ),
        (
            http.get(url("/chats/search")).query(&[("q", "(unclosed")]),
            400,
        ),
        (
            http.get(url("/incremental/chats"))
                .query(&[("start_time", "soon")]),
            400,
        ),
        (
            http.get(url("/incremental/chats"))
                .query(&[("fields", "chats(id")]),
            400,
        ),
        (
            http.get(url("/incremental/chats")).query(&[("limit", "0")]),
            400,
        ),
        (http.get(url("/chats/2012.1.nosuch")), 404),
        (http.get(url("/no/such/path")), 404),
        (http.patch(url("/chats")), 405),
    ];
    for (request, expected) in cases {
        let (got, body) = send(request).await;
        assert_eq!(got, expected, "{body}");
        assert!(body["error"].is_string(), "a Zendesk error body: {body}");
    }
    let unauthorized = reqwest::Client::new()
        .get(url("/agents/me"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let no_token = reqwest::Client::new()
        .get(url("/agents/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(
        emulator.with_store(|s| (s.chats.len(), s.agents.len(), s.visitors.len())),
        before
    );

    // The client's view of one of them.
    let wrong_token = zendesk_chat::Client::builder()
        .base_url(emulator.base_url())
        .token("wrong")
        .build()
        .unwrap();
    let error = wrong_token.get_current_agent().await.unwrap_err();
    assert_eq!(status(&error), 401);
    assert!(error.to_string().contains("Unauthorized"), "{error}");
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn the_reference_pages_examples_are_answers_the_emulator_gives() {
    let (emulator, client) = start(Emulator::builder().seed(17).chats(0)).await;
    let chat: Chat =
        serde_json::from_value(support::response_example("getChat", "200", "docs")).unwrap();
    let offline: Chat = serde_json::from_value(support::response_example(
        "createOfflineMessage",
        "201",
        "docs",
    ))
    .unwrap();
    let agent: types::Agent =
        serde_json::from_value(support::response_example("getAgent", "200", "docs")).unwrap();
    let visitor: types::Visitor =
        serde_json::from_value(support::response_example("getVisitor", "200", "docs")).unwrap();
    emulator.with_store(|store| {
        store.insert_chat(&chat).unwrap();
        store.insert_agent(agent.clone());
        store.insert_visitor(visitor.clone());
    });
    let shown = client.get_chat().chat_id("123").await.unwrap();
    support::assert_same_json(
        &serde_json::to_value(&shown).unwrap(),
        &support::response_example("getChat", "200", "docs"),
    );
    // The pages give their example offline message the same id, "123".
    emulator.with_store(|store| store.insert_chat(&offline).unwrap());
    let shown = client.get_chat().chat_id("123").await.unwrap();
    support::assert_same_json(
        &serde_json::to_value(&shown).unwrap(),
        &support::response_example("createOfflineMessage", "201", "docs"),
    );
    let shown_agent = client.get_agent().agent_id(5).await.unwrap();
    support::assert_same_json(
        &serde_json::to_value(&shown_agent).unwrap(),
        &support::response_example("getAgent", "200", "docs"),
    );
    let shown_visitor = client.get_visitor().visitor_id("1").await.unwrap();
    support::assert_same_json(
        &serde_json::to_value(&shown_visitor).unwrap(),
        &support::response_example("getVisitor", "200", "docs"),
    );
    let by_ids = client.list_chats().ids("123").await.unwrap();
    assert_eq!(by_ids.docs.len(), 1);
    assert_responses_match_spec(&emulator);
}
