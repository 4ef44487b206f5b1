//! Every operation against a local server (wiremock on 127.0.0.1): the method, path, query,
//! `Authorization` header and body the client sends are the ones the reference pages show, and
//! the documented response comes back typed. Then every operation turns an error status into a
//! typed error that carries the status and the body.

mod support;

use serde_json::{Value, json};
use support::{TOKEN, assert_same_json, only_request, request_example, response_example, serve};
use zendesk_chat::types::{self, Chat};

/// What the server saw.
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    authorization: String,
    body: Option<Value>,
}

async fn seen(server: &wiremock::MockServer) -> Seen {
    let request = only_request(server).await;
    let mut query: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    query.sort();
    Seen {
        method: request.method.to_string(),
        path: request.url.path().to_owned(),
        query,
        authorization: request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned(),
        body: (!request.body.is_empty()).then(|| serde_json::from_slice(&request.body).unwrap()),
    }
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

#[track_caller]
fn assert_request(
    seen: &Seen,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&Value>,
) {
    assert_eq!(seen.method, method);
    assert_eq!(seen.path, path);
    assert_eq!(seen.query, pairs(query));
    assert_eq!(seen.authorization, format!("Bearer {TOKEN}"));
    match (body, &seen.body) {
        (Some(expected), Some(actual)) => assert_same_json(actual, expected),
        (None, None) => {}
        (expected, actual) => panic!("body: expected {expected:?}, sent {actual:?}"),
    }
}

// ---- chats ------------------------------------------------------------------------------------

#[tokio::test]
async fn list_chats() {
    let example = response_example("listChats", "200", "list");
    let (server, client) = serve(200, Some(example.clone())).await;
    let page = client.list_chats().send().await.unwrap();
    assert_request(&seen(&server).await, "GET", "/api/v2/chat/chats", &[], None);
    assert_eq!(page.status(), 200);
    assert_eq!(page.chats.len(), 2);
    assert_same_json(&serde_json::to_value(page.into_inner()).unwrap(), &example);
}

#[tokio::test]
async fn list_chats_by_ids_answers_a_docs_map() {
    let example = response_example("listChats", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let page = client
        .list_chats()
        .ids("100,110")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/chats",
        &[("ids", "100,110")],
        None,
    );
    assert_eq!(page.docs.len(), 2);
    assert!(page.chats.is_empty());
    // The page abbreviates the chats, with no `type`: they are kept whole.
    assert!(matches!(&page.docs["100"], Chat::Unknown(object) if object["comment"] == "Hi there!"));
}

#[tokio::test]
async fn search_chats_encodes_the_query_once() {
    let example = response_example("searchChats", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let query = "timestamp:[2016-02-02T16:00:00 TO *] AND rating:good";
    let results = client
        .search_chats()
        .q(query)
        .page(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    let seen = seen(&server).await;
    assert_request(
        &seen,
        "GET",
        "/api/v2/chat/chats/search",
        &[("page", "2"), ("q", query)],
        None,
    );
    assert_eq!(
        results.results[0].preview.as_deref(),
        Some("Hi there! How are you?")
    );
    assert_same_json(&serde_json::to_value(results).unwrap(), &example);
}

#[tokio::test]
async fn get_chat() {
    let example = response_example("getChat", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let chat = client
        .get_chat()
        .chat_id("2012.9339545.SJs7biGpcbveH")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/chats/2012.9339545.SJs7biGpcbveH",
        &[],
        None,
    );
    assert!(matches!(&chat, Chat::SupportChat(c) if c.rating == Some(types::Rating::Good)));
    assert_same_json(&serde_json::to_value(chat).unwrap(), &example);
}

#[tokio::test]
async fn chat_ids_are_escaped_in_the_path() {
    let (server, client) = serve(200, Some(response_example("getChat", "200", "docs"))).await;
    client.get_chat().chat_id("a/b?c").send().await.unwrap();
    assert_eq!(seen(&server).await.path, "/api/v2/chat/chats/a%2Fb%3Fc");
}

#[tokio::test]
async fn create_offline_message_sends_the_documented_body() {
    let body = request_example("createOfflineMessage", "docs");
    let example = response_example("createOfflineMessage", "201", "docs");
    let (server, client) = serve(201, Some(example.clone())).await;
    let request: types::CreateOfflineMessageRequest = serde_json::from_value(body.clone()).unwrap();
    let created = client
        .create_offline_message()
        .body(request)
        .send()
        .await
        .unwrap();
    assert_request(
        &seen(&server).await,
        "POST",
        "/api/v2/chat/chats",
        &[],
        Some(&body),
    );
    assert_eq!(created.status(), 201);
    assert!(
        matches!(created.into_inner(), Chat::OfflineMessage(m) if m.message.as_deref() == Some("Hi there!"))
    );
}

#[tokio::test]
async fn update_chat_sends_dotted_keys() {
    let example = response_example("updateChat", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let updated = client
        .update_chat()
        .chat_id("123")
        .body_map(|body| body.visitor_name("Joe".to_owned()))
        .send()
        .await
        .unwrap()
        .into_inner();
    let documented_body = request_example("updateChat", "docs");
    assert_request(
        &seen(&server).await,
        "PUT",
        "/api/v2/chat/chats/123",
        &[],
        Some(&documented_body),
    );
    let Chat::SupportChat(updated) = updated else {
        panic!("a support chat")
    };
    assert_eq!(updated.visitor.unwrap().name.as_deref(), Some("Joe"));
}

#[tokio::test]
async fn delete_chat() {
    let (server, client) = serve(204, None).await;
    let deleted = client.delete_chat().chat_id("123").send().await.unwrap();
    assert_request(
        &seen(&server).await,
        "DELETE",
        "/api/v2/chat/chats/123",
        &[],
        None,
    );
    assert_eq!(deleted.status(), 204);
}

#[tokio::test]
async fn bulk_delete_chats() {
    let example = response_example("bulkDeleteChats", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let result = client
        .bulk_delete_chats()
        .ids("100,110,111")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(
        &seen(&server).await,
        "DELETE",
        "/api/v2/chat/chats",
        &[("ids", "100,110,111")],
        None,
    );
    assert_eq!(
        (result.number_success, result.number_fail),
        (Some(7), Some(3))
    );
    assert_eq!(result.failed.as_ref().unwrap().not_found, ["110"]);
    assert_same_json(&serde_json::to_value(result).unwrap(), &example);
}

// ---- agents -----------------------------------------------------------------------------------

#[tokio::test]
async fn list_agents_pages_with_since_id_and_limit() {
    let example = response_example("listAgents", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let agents = client
        .list_agents()
        .since_id(5)
        .limit(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/agents",
        &[("limit", "2"), ("since_id", "5")],
        None,
    );
    assert_eq!(agents[0].id, Some(5));
    assert_same_json(&serde_json::to_value(agents).unwrap(), &example);
}

#[tokio::test]
async fn list_agents_pages_backward_with_max_id() {
    let (server, client) = serve(200, Some(response_example("listAgents", "200", "docs"))).await;
    client.list_agents().max_id(20).send().await.unwrap();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/agents",
        &[("max_id", "20")],
        None,
    );
}

#[tokio::test]
async fn get_agent() {
    let example = response_example("getAgent", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let agent = client
        .get_agent()
        .agent_id(7_282_618_889_231_i64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/agents/7282618889231",
        &[],
        None,
    );
    assert_eq!(agent.display_name.as_deref(), Some("Johnny"));
    assert_same_json(&serde_json::to_value(agent).unwrap(), &example);
}

#[tokio::test]
async fn get_agent_by_email() {
    let (server, client) = serve(
        200,
        Some(response_example("getAgentByEmail", "200", "docs")),
    )
    .await;
    client
        .get_agent_by_email()
        .email("john@example.com")
        .send()
        .await
        .unwrap();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/agents/email/john@example.com",
        &[],
        None,
    );
}

#[tokio::test]
async fn get_current_agent() {
    let (server, client) = serve(
        200,
        Some(response_example("getCurrentAgent", "200", "docs")),
    )
    .await;
    let me = client
        .get_current_agent()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/agents/me",
        &[],
        None,
    );
    assert_eq!(me.email.as_deref(), Some("[email protected]"));
}

#[tokio::test]
async fn create_agent_sends_the_password_but_never_shows_it() {
    let body = request_example("createAgent", "docs");
    let example = response_example("createAgent", "201", "docs");
    let (server, client) = serve(201, Some(example.clone())).await;
    let request: types::CreateAgentRequest = serde_json::from_value(body.clone()).unwrap();
    assert!(!format!("{request:?}").contains("secretpassword"));
    let agent = client.create_agent().body(request).send().await.unwrap();
    assert_request(
        &seen(&server).await,
        "POST",
        "/api/v2/chat/agents",
        &[],
        Some(&body),
    );
    assert_eq!(agent.status(), 201);
    assert_same_json(&serde_json::to_value(agent.into_inner()).unwrap(), &example);
}

#[tokio::test]
async fn update_agent() {
    let body = request_example("updateAgent", "docs");
    let (server, client) = serve(200, Some(response_example("updateAgent", "200", "docs"))).await;
    let agent = client
        .update_agent()
        .agent_id(5)
        .body_map(|b| {
            b.first_name("John".to_owned())
                .last_name("Smith".to_owned())
                .role_id(2)
        })
        .send()
        .await
        .unwrap();
    assert_request(
        &seen(&server).await,
        "PUT",
        "/api/v2/chat/agents/5",
        &[],
        Some(&body),
    );
    assert_eq!(agent.last_name.as_deref(), Some("Smith"));
}

#[tokio::test]
async fn update_current_agent() {
    let body = request_example("updateCurrentAgent", "docs");
    let (server, client) = serve(
        200,
        Some(response_example("updateCurrentAgent", "200", "docs")),
    )
    .await;
    client
        .update_current_agent()
        .body_map(|b| b.first_name("Jonathan".to_owned()))
        .send()
        .await
        .unwrap();
    assert_request(
        &seen(&server).await,
        "PUT",
        "/api/v2/chat/agents/me",
        &[],
        Some(&body),
    );
}

#[tokio::test]
async fn delete_agent() {
    let (server, client) = serve(204, None).await;
    client.delete_agent().agent_id(5).send().await.unwrap();
    assert_request(
        &seen(&server).await,
        "DELETE",
        "/api/v2/chat/agents/5",
        &[],
        None,
    );
}

#[tokio::test]
async fn delete_agent_shortcuts() {
    let (server, client) = serve(204, None).await;
    client
        .delete_agent_shortcuts()
        .agent_id(5)
        .send()
        .await
        .unwrap();
    assert_request(
        &seen(&server).await,
        "DELETE",
        "/api/v2/chat/agents/5/shortcuts",
        &[],
        None,
    );
}

// ---- visitors ---------------------------------------------------------------------------------

#[tokio::test]
async fn create_visitor() {
    let body = request_example("createVisitor", "docs");
    let example = response_example("createVisitor", "201", "docs");
    let (server, client) = serve(201, Some(example.clone())).await;
    let request: types::CreateVisitorRequest = serde_json::from_value(body.clone()).unwrap();
    let visitor = client.create_visitor().body(request).send().await.unwrap();
    assert_request(
        &seen(&server).await,
        "POST",
        "/api/v2/chat/visitors",
        &[],
        Some(&body),
    );
    assert_same_json(
        &serde_json::to_value(visitor.into_inner()).unwrap(),
        &example,
    );
}

#[tokio::test]
async fn get_visitor() {
    let (server, client) = serve(200, Some(response_example("getVisitor", "200", "docs"))).await;
    let visitor = client
        .get_visitor()
        .visitor_id("2314815.gCgOWZRtqVKquB")
        .send()
        .await
        .unwrap();
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/visitors/2314815.gCgOWZRtqVKquB",
        &[],
        None,
    );
    assert_eq!(visitor.external_id.as_deref(), Some("john_extid"));
}

#[tokio::test]
async fn update_visitor() {
    let (server, client) = serve(200, Some(response_example("updateVisitor", "200", "docs"))).await;
    let visitor = client
        .update_visitor()
        .visitor_id("1")
        .body_map(|b| b.name("John".to_owned()))
        .send()
        .await
        .unwrap();
    assert_request(
        &seen(&server).await,
        "PUT",
        "/api/v2/chat/visitors/1",
        &[],
        Some(&json!({"name": "John"})),
    );
    assert_eq!(visitor.name.as_deref(), Some("John"));
}

// ---- incremental export -----------------------------------------------------------------------

#[tokio::test]
async fn export_chats() {
    let example = response_example("exportChats", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let page = client
        .export_chats()
        .start_time(1_608_613_496_i64)
        .start_id("2012.9339545.SJsAIFAY09HB1")
        .limit(1000)
        .fields("chats(*)")
        .send()
        .await
        .unwrap()
        .into_inner();
    let query = [
        ("fields", "chats(*)"),
        ("limit", "1000"),
        ("start_id", "2012.9339545.SJsAIFAY09HB1"),
        ("start_time", "1608613496"),
    ];
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/incremental/chats",
        &query,
        None,
    );
    assert_eq!(page.count, Some(2));
    assert_same_json(&serde_json::to_value(page).unwrap(), &example);
}

#[tokio::test]
async fn export_agent_timeline_takes_microseconds() {
    let example = response_example("exportAgentTimeline", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let page = client
        .export_agent_timeline()
        .start_time(1_546_326_000_000_000_i64)
        .send()
        .await
        .unwrap();
    let query = [("start_time", "1546326000000000")];
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/incremental/agent_timeline",
        &query,
        None,
    );
    assert_eq!(page.agent_timeline.len(), 4);
    assert_same_json(&serde_json::to_value(page.into_inner()).unwrap(), &example);
}

#[tokio::test]
async fn export_conversions() {
    let example = response_example("exportConversions", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let page = client
        .export_conversions()
        .start_time(1_525_690_658_i64)
        .send()
        .await
        .unwrap();
    let query = [("start_time", "1525690658")];
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/incremental/conversions",
        &query,
        None,
    );
    assert_same_json(&serde_json::to_value(page.into_inner()).unwrap(), &example);
}

#[tokio::test]
async fn export_department_events_resumes_from_a_fractional_start_time() {
    let example = response_example("exportDepartmentEvents", "200", "docs");
    let (server, client) = serve(200, Some(example.clone())).await;
    let page = client
        .export_department_events()
        .start_time(1_512_172_860.657_078_f64)
        .start_id("R3J4l7Q.department:456.ccf4LG")
        .send()
        .await
        .unwrap();
    let query = [
        ("start_id", "R3J4l7Q.department:456.ccf4LG"),
        ("start_time", "1512172860.657078"),
    ];
    assert_request(
        &seen(&server).await,
        "GET",
        "/api/v2/chat/incremental/department_events",
        &query,
        None,
    );
    assert_same_json(&serde_json::to_value(page.into_inner()).unwrap(), &example);
}

// ---- errors -----------------------------------------------------------------------------------

/// Calls every operation once, with valid arguments, and returns each outcome without its value.
async fn call_every_operation(
    client: &zendesk_chat::Client,
) -> Vec<(&'static str, Result<(), zendesk_chat::SendError>)> {
    let offline: types::CreateOfflineMessageRequest =
        serde_json::from_value(request_example("createOfflineMessage", "docs")).unwrap();
    let agent: types::CreateAgentRequest =
        serde_json::from_value(request_example("createAgent", "docs")).unwrap();
    vec![
        ("listChats", client.list_chats().send().await.map(drop)),
        (
            "searchChats",
            client.search_chats().q("chocolate").send().await.map(drop),
        ),
        (
            "getChat",
            client.get_chat().chat_id("1").send().await.map(drop),
        ),
        (
            "createOfflineMessage",
            client
                .create_offline_message()
                .body(offline)
                .send()
                .await
                .map(drop),
        ),
        (
            "updateChat",
            client
                .update_chat()
                .chat_id("1")
                .body(types::UpdateChatRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteChat",
            client.delete_chat().chat_id("1").send().await.map(drop),
        ),
        (
            "bulkDeleteChats",
            client.bulk_delete_chats().ids("1,2").send().await.map(drop),
        ),
        ("listAgents", client.list_agents().send().await.map(drop)),
        (
            "getAgent",
            client.get_agent().agent_id(1).send().await.map(drop),
        ),
        (
            "getAgentByEmail",
            client
                .get_agent_by_email()
                .email("a@b.c")
                .send()
                .await
                .map(drop),
        ),
        (
            "getCurrentAgent",
            client.get_current_agent().send().await.map(drop),
        ),
        (
            "createAgent",
            client.create_agent().body(agent).send().await.map(drop),
        ),
        (
            "updateAgent",
            client
                .update_agent()
                .agent_id(1)
                .body(types::UpdateAgentRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "updateCurrentAgent",
            client
                .update_current_agent()
                .body(types::UpdateAgentRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteAgent",
            client.delete_agent().agent_id(1).send().await.map(drop),
        ),
        (
            "deleteAgentShortcuts",
            client
                .delete_agent_shortcuts()
                .agent_id(1)
                .send()
                .await
                .map(drop),
        ),
        (
            "createVisitor",
            client
                .create_visitor()
                .body(types::CreateVisitorRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "getVisitor",
            client.get_visitor().visitor_id("1").send().await.map(drop),
        ),
        (
            "updateVisitor",
            client
                .update_visitor()
                .visitor_id("1")
                .body(types::UpdateVisitorRequest::default())
                .send()
                .await
                .map(drop),
        ),
        ("exportChats", client.export_chats().send().await.map(drop)),
        (
            "exportAgentTimeline",
            client.export_agent_timeline().send().await.map(drop),
        ),
        (
            "exportConversions",
            client.export_conversions().send().await.map(drop),
        ),
        (
            "exportDepartmentEvents",
            client.export_department_events().send().await.map(drop),
        ),
        (
            "exportAgentEvents",
            client.export_agent_events().send().await.map(drop),
        ),
        ("getAccount", client.get_account().send().await.map(drop)),
        (
            "updateAccount",
            client
                .update_account()
                .body(types::UpdateAccountRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "listDepartments",
            client.list_departments().send().await.map(drop),
        ),
        (
            "createDepartment",
            client
                .create_department()
                .body(types::CreateDepartmentRequest::builder().name("x"))
                .send()
                .await
                .map(drop),
        ),
        (
            "getDepartment",
            client
                .get_department()
                .department_id(7_282_630_247_567_i64)
                .send()
                .await
                .map(drop),
        ),
        (
            "updateDepartment",
            client
                .update_department()
                .department_id(7_282_630_247_567_i64)
                .body(types::UpdateDepartmentRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteDepartment",
            client
                .delete_department()
                .department_id(7_282_630_247_567_i64)
                .send()
                .await
                .map(drop),
        ),
        (
            "getDepartmentByName",
            client
                .get_department_by_name()
                .department_name("a name")
                .send()
                .await
                .map(drop),
        ),
        (
            "updateDepartmentByName",
            client
                .update_department_by_name()
                .department_name("a name")
                .body(types::UpdateDepartmentRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteDepartmentByName",
            client
                .delete_department_by_name()
                .department_name("a name")
                .send()
                .await
                .map(drop),
        ),
        ("listSkills", client.list_skills().send().await.map(drop)),
        (
            "createSkill",
            client
                .create_skill()
                .body(types::CreateSkillRequest::builder().name("x"))
                .send()
                .await
                .map(drop),
        ),
        (
            "getSkill",
            client.get_skill().skill_id(1300601).send().await.map(drop),
        ),
        (
            "updateSkill",
            client
                .update_skill()
                .skill_id(1300601)
                .body(types::UpdateSkillRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteSkill",
            client
                .delete_skill()
                .skill_id(1300601)
                .send()
                .await
                .map(drop),
        ),
        (
            "getSkillByName",
            client
                .get_skill_by_name()
                .skill_name("a name")
                .send()
                .await
                .map(drop),
        ),
        (
            "updateSkillByName",
            client
                .update_skill_by_name()
                .skill_name("a name")
                .body(types::UpdateSkillRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteSkillByName",
            client
                .delete_skill_by_name()
                .skill_name("a name")
                .send()
                .await
                .map(drop),
        ),
        ("listRoles", client.list_roles().send().await.map(drop)),
        (
            "createRole",
            client
                .create_role()
                .body(types::CreateRoleRequest::builder().name("x"))
                .send()
                .await
                .map(drop),
        ),
        (
            "getRole",
            client.get_role().role_id(1).send().await.map(drop),
        ),
        (
            "updateRole",
            client
                .update_role()
                .role_id(1)
                .body(types::UpdateRoleRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteRole",
            client.delete_role().role_id(1).send().await.map(drop),
        ),
        ("listGoals", client.list_goals().send().await.map(drop)),
        (
            "createGoal",
            client
                .create_goal()
                .body(types::CreateGoalRequest::builder().name("x"))
                .send()
                .await
                .map(drop),
        ),
        (
            "getGoal",
            client.get_goal().goal_id(1).send().await.map(drop),
        ),
        (
            "updateGoal",
            client
                .update_goal()
                .goal_id(1)
                .body(types::UpdateGoalRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteGoal",
            client.delete_goal().goal_id(1).send().await.map(drop),
        ),
        (
            "listShortcuts",
            client.list_shortcuts().send().await.map(drop),
        ),
        (
            "createShortcut",
            client
                .create_shortcut()
                .body(
                    types::CreateShortcutRequest::builder()
                        .name("x")
                        .message("y"),
                )
                .send()
                .await
                .map(drop),
        ),
        (
            "getShortcut",
            client
                .get_shortcut()
                .shortcut_id("sign up")
                .send()
                .await
                .map(drop),
        ),
        (
            "updateShortcut",
            client
                .update_shortcut()
                .shortcut_id("sign up")
                .body(types::UpdateShortcutRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteShortcut",
            client
                .delete_shortcut()
                .shortcut_id("sign up")
                .send()
                .await
                .map(drop),
        ),
        (
            "listTriggers",
            client.list_triggers().send().await.map(drop),
        ),
        (
            "createTrigger",
            client
                .create_trigger()
                .body(types::CreateTriggerRequest::builder().name("x"))
                .send()
                .await
                .map(drop),
        ),
        (
            "getTrigger",
            client
                .get_trigger()
                .trigger_name_or_id("First Reply")
                .send()
                .await
                .map(drop),
        ),
        (
            "updateTrigger",
            client
                .update_trigger()
                .trigger_name_or_id("First Reply")
                .body(types::UpdateTriggerRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteTrigger",
            client
                .delete_trigger()
                .trigger_name_or_id("First Reply")
                .send()
                .await
                .map(drop),
        ),
        ("listBans", client.list_bans().send().await.map(drop)),
        (
            "createBan",
            client
                .create_ban()
                .body(types::CreateBanRequest::default())
                .send()
                .await
                .map(drop),
        ),
        ("listIpBans", client.list_ip_bans().send().await.map(drop)),
        ("getBan", client.get_ban().ban_id(1).send().await.map(drop)),
        (
            "deleteBan",
            client.delete_ban().ban_id(1).send().await.map(drop),
        ),
        (
            "getAccountRoutingSettings",
            client.get_account_routing_settings().send().await.map(drop),
        ),
        (
            "updateAccountRoutingSettings",
            client
                .update_account_routing_settings()
                .body(types::AccountRoutingSettings::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "listAgentRoutingSettings",
            client.list_agent_routing_settings().send().await.map(drop),
        ),
        (
            "getCurrentAgentRoutingSettings",
            client
                .get_current_agent_routing_settings()
                .send()
                .await
                .map(drop),
        ),
        (
            "updateCurrentAgentRoutingSettings",
            client
                .update_current_agent_routing_settings()
                .body(types::AgentRoutingSettings::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "getAgentRoutingSettings",
            client
                .get_agent_routing_settings()
                .agent_id(1)
                .send()
                .await
                .map(drop),
        ),
        (
            "updateAgentRoutingSettings",
            client
                .update_agent_routing_settings()
                .agent_id(1)
                .body(types::AgentRoutingSettings::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "listOauthClients",
            client.list_oauth_clients().send().await.map(drop),
        ),
        (
            "createOauthClient",
            client
                .create_oauth_client()
                .body(
                    types::CreateOauthClientRequest::builder()
                        .name("x")
                        .redirect_uris("http://localhost/"),
                )
                .send()
                .await
                .map(drop),
        ),
        (
            "getOauthClient",
            client
                .get_oauth_client()
                .oauth_client_id(1)
                .send()
                .await
                .map(drop),
        ),
        (
            "updateOauthClient",
            client
                .update_oauth_client()
                .oauth_client_id(1)
                .body(types::UpdateOauthClientRequest::default())
                .send()
                .await
                .map(drop),
        ),
        (
            "deleteOauthClient",
            client
                .delete_oauth_client()
                .oauth_client_id(1)
                .send()
                .await
                .map(drop),
        ),
        (
            "listOauthTokens",
            client.list_oauth_tokens().send().await.map(drop),
        ),
        (
            "revokeOauthToken",
            client
                .revoke_oauth_token()
                .oauth_token_id(1)
                .send()
                .await
                .map(drop),
        ),
        (
            "getChatMetrics",
            client.get_chat_metrics().send().await.map(drop),
        ),
        (
            "getChatMetric",
            client
                .get_chat_metric()
                .metric_key("missed_chats")
                .send()
                .await
                .map(drop),
        ),
        (
            "getAgentMetrics",
            client.get_agent_metrics().send().await.map(drop),
        ),
        (
            "getAgentMetric",
            client
                .get_agent_metric()
                .metric_key("agents_online")
                .send()
                .await
                .map(drop),
        ),
    ]
}

#[tokio::test]
async fn every_operation_is_called_by_the_error_test() {
    let in_spec: std::collections::BTreeSet<String> = support::SPEC
        .operations()
        .map(|(_, _, op)| op["operationId"].as_str().unwrap().to_owned())
        .collect();
    let (_server, client) = serve(404, Some(json!({"error": "Not Found"}))).await;
    let called: std::collections::BTreeSet<String> = call_every_operation(&client)
        .await
        .into_iter()
        .map(|(id, _)| id.to_owned())
        .collect();
    assert_eq!(called, in_spec);
}

#[tokio::test]
async fn every_operation_turns_an_error_status_into_a_typed_error_with_status_and_body() {
    let cases = [
        (
            400,
            json!({"error": "Bad Request", "description": "Invalid ids"}),
        ),
        (
            401,
            json!({"error": "Unauthorized", "description": "Authentication required"}),
        ),
        (404, json!({"error": "Not Found"})),
        (
            422,
            json!({"error": "Unprocessable Entity", "description": "email is taken", "field": "email"}),
        ),
        (429, json!({"error": "Too Many Requests"})),
        (500, json!({"error": "Internal Server Error"})),
        (
            503,
            json!({"error": "Service Unavailable", "description": "maintenance"}),
        ),
    ];
    for (status, body) in cases {
        let (_server, client) = serve(status, Some(body.clone())).await;
        for (operation, result) in call_every_operation(&client).await {
            match result {
                Err(zendesk_chat::SendError::ErrorResponse(response)) => {
                    assert_eq!(response.status(), status, "{operation}");
                    assert_eq!(
                        response.error.as_deref(),
                        body["error"].as_str(),
                        "{operation}"
                    );
                    assert_eq!(
                        response.description.as_deref(),
                        body["description"].as_str(),
                        "{operation}"
                    );
                    // Fields the error body has beyond `error` and `description` are kept too.
                    if let Some(field) = body.get("field") {
                        assert_eq!(&response.extra["field"], field, "{operation}");
                    }
                }
                other => panic!("{operation} with {status}: expected a typed error, got {other:?}"),
            }
        }
    }
}
