//! Chats shaped like production data decode through every typed path, and a record that no model
//! fits costs only itself.
//!
//! The fixtures are written by hand from `shared/reference/real-payloads.md` (what live accounts
//! send where it differs from the reference pages), not produced by the code under test. They are
//! served by the emulator byte for byte, and read back through the client as a user would: one
//! chat, a batch by ids, search, and the incremental export.

mod support;

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use support::emulated::{assert_responses_match_spec, start};
use zendesk_chat::export::ExportStart;
use zendesk_chat::types::{Chat, HistoryEvent};
use zendesk_chat::{LooseId, Timestamp};
use zendesk_chat_emulator::Emulator;

const SUPPORT_CHAT_ID: &str = "1704.2314815.QHgVx6SOrRuSx";
const OFFLINE_MESSAGE_ID: &str = "1704.2314815.QHgVyOffline1";

/// A support chat with every production shape a chat carries: a visitor message whose `msg_id`
/// is a number, an agent message without one, an array-shaped webpath item, history department
/// ids as strings and null, 13-digit agent ids, agent ids as strings, nulls where the tables
/// promise values, fractional engagement durations and response times.
fn production_support_chat() -> Value {
    json!({
        "type": "chat",
        "id": SUPPORT_CHAT_ID,
        "timestamp": "2017-04-24T04:36:45Z",
        "update_timestamp": "2017-04-24T04:40:10Z",
        "end_timestamp": null,
        "agent_ids": ["7282618889231"],
        "agent_names": ["Dana Agent"],
        "visitor": {"id": "2314815.gCgOWZRtqVKquB", "name": "Visitor 27", "email": "v27@example.com",
                    "phone": null, "notes": null},
        "session": {"browser": "Chrome", "city": null, "country_code": "US", "country_name": "United States",
                    "region": null, "ip": "203.0.113.9", "platform": null, "user_agent": null,
                    "id": "170424.2314815.QHgVwq", "start_date": "2017-04-24T04:36:40Z",
                    "end_date": "2017-04-24T04:40:05Z"},
        "webpath": [
            {"from": "", "to": "https://example.com/", "title": "Home", "timestamp": "2017-04-24T04:35:00Z"},
            [null, 1493008592, "https://example.com/pricing"]
        ],
        "history": [
            {"type": "chat.memberjoin", "index": 0, "name": "Visitor 27", "channel": "#supportchat:2314815",
             "timestamp": "2017-04-24T04:36:44.807000Z", "department_id": "360000000000",
             "prev_department_id": null},
            {"type": "chat.msg", "index": 1, "name": "Visitor 27", "msg": "Hello?", "options": "",
             "timestamp": "2017-04-24T04:36:45.012000Z", "sender_type": "Visitor",
             "msg_id": 1493008604612_i64, "channel": "#supportchat:2314815"},
            {"type": "chat.memberjoin", "index": 2, "name": "Dana Agent", "source": "chat.invite",
             "timestamp": "2017-04-24T04:37:01.000000Z", "department_id": 360000000000_i64},
            {"type": "chat.msg", "index": 3, "name": "Dana Agent", "msg": "Hi! How can I help?",
             "timestamp": "2017-04-24T04:37:10.500000Z", "sender_type": "Agent",
             "agent_id": "7282618889231", "department_id": null},
            {"type": "chat.msg", "index": 4, "name": "Visitor 27", "msg": "Pricing, please",
             "timestamp": "2017-04-24T04:37:30.000000Z", "sender_type": "Visitor", "msg_id": "1493008650000"},
            {"type": "chat.memberleave", "index": 5, "name": "Visitor 27", "reason": "user_leave_chat",
             "timestamp": "2017-04-24T04:40:05.000000Z"},
            {"type": "chat.websdk.menu", "index": 6, "timestamp": "2017-04-24T04:40:06.000000Z", "items": [1, 2]}
        ],
        "engagements": [
            {"id": "1704.2314815.QHgVx6SOrRuSx.1", "chat_id": SUPPORT_CHAT_ID, "agent_id": "7282618889231",
             "agent_full_name": null, "assigned": null, "accepted": null, "duration": 183.52,
             "started_by": "transfer", "response_time": {"avg": null, "first": null, "max": null},
             "count": {"agent": null, "visitor": null, "total": null}, "rating": null, "comment": null,
             "skills_requested": [], "skills_fulfilled": true, "timestamp": "2017-04-24T04:37:01Z"}
        ],
        "count": {"agent": 1, "visitor": 2, "total": 3},
        "response_time": {"avg": 25.5, "first": 25, "max": 25},
        "duration": null,
        "missed": null,
        "triggered": null,
        "triggered_response": null,
        "unread": false,
        "deleted": null,
        "dropped": null,
        "proactive": null,
        "skills_fulfilled": null,
        "abandon_time": null,
        "rating": null,
        "comment": null,
        "tags": [],
        "conversions": [{"id": "c1", "goal_id": null, "goal_name": "Signed up", "timestamp": null,
                         "attribution": {"agent_id": null, "chat_id": null, "chat_timestamp": null,
                                         "department_id": null, "department_name": null}}],
        "department_id": 7282618889231_i64,
        "department_name": null,
        "started_by": "visitor",
        "zendesk_ticket_id": null
    })
}

/// An offline message as one real capture has it: session dates with an offset *and* a `Z`, a
/// client-written session with extra keys of any type and an IP that is not an address.
fn production_offline_message() -> Value {
    json!({
        "type": "offline_msg",
        "id": OFFLINE_MESSAGE_ID,
        "timestamp": "2017-04-24T12:43:40Z",
        "update_timestamp": "2017-04-24T12:43:41Z",
        "message": "Please call me back",
        "department_id": null,
        "department_name": null,
        "unread": true,
        "started_by": "visitor",
        "visitor": {"id": "2314815.offline", "name": "Pat", "email": "pat@example.com", "phone": "", "notes": ""},
        "session": {"start_date": "2017-04-24T12:43:37+00:00Z", "end_date": "2017-04-24T12:44:02+00:00Z",
                    "ip": "67.32.299.96", "even_integers?": 234, "browser": null},
        "webpath": [[null, null, "https://example.com/contact"]],
        "deleted": false
    })
}

/// An emulator that serves the two fixtures (beside a small generated account).
async fn emulator_with_fixtures() -> (Emulator, zendesk_chat::Client) {
    let (emulator, client) = start(Emulator::builder().seed(5).chats(40)).await;
    emulator.with_store(|store| {
        for fixture in [production_support_chat(), production_offline_message()] {
            store
                .insert_chat_json(fixture.to_string().as_bytes())
                .expect("the fixture is stored");
        }
    });
    (emulator, client)
}

fn support_chat(chat: &Chat) -> &zendesk_chat::types::SupportChat {
    match chat {
        Chat::SupportChat(chat) => chat,
        other => panic!("not a support chat: {other:?}"),
    }
}

#[tokio::test]
async fn a_chat_shaped_like_production_data_decodes_with_every_value_kept() {
    let (emulator, client) = emulator_with_fixtures().await;
    let chat = client.get_chat().chat_id(SUPPORT_CHAT_ID).await.unwrap();
    let chat = support_chat(&chat);

    let messages: Vec<_> = chat
        .history
        .iter()
        .filter_map(|event| match event {
            HistoryEvent::Message(message) => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(
        messages[0].msg_id,
        Some(LooseId::Integer(1_493_008_604_612))
    );
    assert_eq!(messages[1].msg_id, None, "agent messages carry no msg_id");
    assert_eq!(
        messages[2].msg_id,
        Some(LooseId::String("1493008650000".into()))
    );
    let HistoryEvent::MemberJoin(join) = &chat.history[0] else {
        panic!("{:?}", chat.history[0])
    };
    assert_eq!(join.department_id, Some(LooseId::from("360000000000")));
    assert_eq!(join.department_id.as_ref().unwrap(), &360_000_000_000_i64);
    assert!(matches!(chat.history[6], HistoryEvent::Unknown(_)));

    let array_item = chat.webpath[1].as_array().expect("the array item is kept");
    assert_eq!(
        array_item,
        [
            json!(null),
            json!(1_493_008_592),
            json!("https://example.com/pricing")
        ]
    );
    assert_eq!(
        chat.webpath[0].page().unwrap().to.as_deref(),
        Some("https://example.com/")
    );
    assert_eq!(chat.department_id, Some(7_282_618_889_231));
    assert_eq!(chat.engagements[0].duration, Some(183.52));
    assert_eq!(chat.engagements[0].assigned, None);
    assert_eq!(chat.session.as_ref().unwrap().city, None);
    assert_eq!(chat.response_time.as_ref().unwrap().avg, Some(25.5));

    let offline = client.get_chat().chat_id(OFFLINE_MESSAGE_ID).await.unwrap();
    let Chat::OfflineMessage(offline) = offline else {
        panic!("{offline:?}")
    };
    let session = offline.session.unwrap();
    let start = session.start_date.unwrap();
    assert_eq!(
        start.as_str(),
        "2017-04-24T12:43:37+00:00Z",
        "the text is kept"
    );
    assert_eq!(start.to_datetime().unwrap().timestamp(), 1_493_037_817);
    assert_eq!(session.ip.as_deref(), Some("67.32.299.96"));
    assert_eq!(session.extra["even_integers?"], json!(234));
    assert_eq!(offline.webpath[0].as_array().unwrap().len(), 3);

    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn production_shaped_chats_come_through_batch_search_and_export_typed() {
    let (emulator, client) = emulator_with_fixtures().await;
    let found = client
        .chats_by_ids([SUPPORT_CHAT_ID, OFFLINE_MESSAGE_ID])
        .await
        .unwrap();
    assert!(found.failures.is_empty(), "{:?}", found.failures);
    assert_eq!(found.len(), 2);

    // Bounds as production clients send them: naive date-times with fractional seconds.
    let hits: Vec<_> = client
        .search("timestamp:[2017-04-24T00:00:00 TO 2017-04-24T23:59:59.697862]")
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = hits.iter().filter_map(|hit| hit.id.as_deref()).collect();
    assert!(
        ids.contains(&SUPPORT_CHAT_ID) && ids.contains(&OFFLINE_MESSAGE_ID),
        "{ids:?}"
    );

    let pages: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .limit(7)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let failures: usize = pages.iter().map(|page| page.failures.len()).sum();
    assert_eq!(failures, 0);
    let exported: usize = pages.iter().map(|page| page.items.len()).sum();
    assert_eq!(exported, 42);
    assert_responses_match_spec(&emulator);
}

/// A chat that no model fits: its message count is text.
fn unfit_chat(id: &str) -> String {
    format!(
        r#"{{"type":"chat","id":"{id}","count":"many","update_timestamp":"2026-01-01T00:00:00Z"}}"#
    )
}

#[tokio::test]
async fn one_record_that_fits_no_model_costs_only_itself_and_the_export_resumes_past_it() {
    let (emulator, client) = start(Emulator::builder().seed(6).chats(30)).await;
    // The eighth chat in export order (update time, then id) no longer fits.
    let bad_id = emulator.with_store(|store| {
        let (_, id) = store
            .chats
            .updated_after(i64::MIN, "")
            .map(|(id, entry)| (entry.meta.update_micros, id.to_owned()))
            .nth(7)
            .unwrap();
        assert!(store.replace_chat_json(&id, unfit_chat(&id).as_bytes()));
        id
    });

    let mut pages = std::pin::pin!(
        client
            .incremental_chats(ExportStart::beginning())
            .limit(10)
            .pages()
    );
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(
        first.items.len(),
        9,
        "the page's other records are delivered"
    );
    let [failure] = first.failures.as_slice() else {
        panic!("{:?}", first.failures)
    };
    assert_eq!(failure.id.as_deref(), Some(bad_id.as_str()));
    assert_eq!(failure.location, "chats[7]");
    assert_eq!(failure.path, "count");
    assert!(
        failure.message.contains("invalid type"),
        "{}",
        failure.message
    );
    assert_eq!(failure.raw.get(), unfit_chat(&bad_id));
    let rest: Vec<_> = pages.try_collect().await.unwrap();
    let after: usize = rest.iter().map(|page| page.items.len()).sum();
    assert_eq!(after, 20, "the export goes on past the page");

    // Resumed from the cursor after that page, the bad record is not met again.
    let resumed: Vec<Chat> = client
        .incremental_chats(first.next.clone())
        .limit(10)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(resumed.len(), 20);

    // One at a time, the failure is an `Error::Record` that does not end the stream.
    let outcomes: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .limit(10)
        .items()
        .collect()
        .await;
    assert_eq!(outcomes.len(), 30);
    let errors: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].is_record());
    assert!(errors[0].to_string().contains(&bad_id), "{}", errors[0]);

    // The batch by ids: the others typed, this one as a failure.
    let ids: Vec<String> = emulator.with_store(|store| {
        store
            .chats
            .by_start()
            .map(|(id, _)| id.to_owned())
            .collect()
    });
    let found = client.chats_by_ids(&ids).await.unwrap();
    assert_eq!(found.len(), 29);
    assert_eq!(found.failures.len(), 1);
    assert_eq!(found.failures[0].location, format!("docs[{bad_id:?}]"));
    assert!(found.get(&bad_id).is_none());
}

#[tokio::test]
async fn a_generated_account_carries_the_production_shapes_and_all_of_it_decodes() {
    let (emulator, client) = start(Emulator::builder().seed(21).chats(1500)).await;
    let chats: Vec<Value> = emulator.with_store(|store| {
        store
            .chats
            .by_start()
            .map(|(_, entry)| serde_json::from_slice(&entry.json).unwrap())
            .collect()
    });
    let history = |chat: &Value| chat["history"].as_array().cloned().unwrap_or_default();
    let share = |holds: &dyn Fn(&Value) -> bool| chats.iter().filter(|c| holds(c)).count();
    let numeric_msg_ids = share(&|c| history(c).iter().any(|e| e["msg_id"].is_i64()));
    let array_webpath = share(&|c| {
        c["webpath"]
            .as_array()
            .is_some_and(|w| w.iter().any(Value::is_array))
    });
    let string_departments = share(&|c| history(c).iter().any(|e| e["department_id"].is_string()));
    let offset_then_z = share(&|c| {
        c["session"]["start_date"]
            .as_str()
            .is_some_and(|d| d.ends_with("+00:00Z"))
    });
    let free_form = share(&|c| c["session"].get("even_integers?").is_some());
    let nulls = share(&|c| c["dropped"].is_null() && c.get("dropped").is_some());
    for (shape, count) in [
        ("numeric msg_id", numeric_msg_ids),
        ("array webpath item", array_webpath),
        ("string history department_id", string_departments),
        ("+00:00Z session date", offset_then_z),
        ("free-form session", free_form),
        ("widened nulls", nulls),
    ] {
        assert!(count >= 5, "only {count} chats with a {shape}");
    }
    assert!(
        Timestamp::from("2017-04-24T12:43:37+00:00Z")
            .to_datetime()
            .is_ok()
    );

    let mut exported = 0;
    let mut pages = std::pin::pin!(client.incremental_chats(ExportStart::beginning()).pages());
    while let Some(page) = pages.try_next().await.unwrap() {
        assert!(page.failures.is_empty(), "{:?}", page.failures.first());
        exported += page.items.len();
    }
    assert_eq!(exported, 1500);
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn the_agent_pager_never_asks_for_more_than_the_api_serves() {
    let (emulator, client) = start(Emulator::builder().seed(2).chats(100)).await;
    let agents: Vec<_> = client
        .agents()
        .page_size(500)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!agents.is_empty());
    let limits: Vec<String> = emulator
        .requests()
        .iter()
        .filter(|r| r.path.contains("/agents"))
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    assert!(limits.iter().all(|q| q.contains("limit=100")), "{limits:?}");
    // Asked raw, the emulator refuses what Zendesk refuses.
    let error = client.list_agents().limit(500).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn agent_writes_on_an_account_created_from_support_answer_403() {
    let (_emulator, client) = start(Emulator::builder().agents_read_only(true)).await;
    let agents: Vec<_> = client.agents().stream().try_collect().await.unwrap();
    let id = agents[0].id.unwrap();
    let error = client.delete_agent().agent_id(id).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
}
