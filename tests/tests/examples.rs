//! Every example payload of the reference pages (attached to the spec) decodes into its generated
//! type, and serializing it back gives the same JSON: no field the server sent is lost, renamed or
//! re-typed, and fields the spec does not describe are kept.

mod support;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use support::{SPEC, assert_same_json};
use zendesk_chat::types;

/// Decodes `value` as `T` (naming the path of a field that does not fit) and encodes it back.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_path_to_error::deserialize(value)
        .map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

type RoundTrip = fn(&Value) -> Result<Value, String>;

/// The generated type of each operation's success response.
fn response_type(operation_id: &str) -> RoundTrip {
    match operation_id {
        "listChats" => round_trip::<types::ListChatsResponse>,
        "searchChats" => round_trip::<types::SearchChatsResponse>,
        "getChat" | "updateChat" | "createOfflineMessage" => round_trip::<types::Chat>,
        "bulkDeleteChats" => round_trip::<types::BulkDeleteResult>,
        "listAgents" => round_trip::<Vec<types::Agent>>,
        "getAgent" | "getAgentByEmail" | "getCurrentAgent" | "createAgent" | "updateAgent"
        | "updateCurrentAgent" => round_trip::<types::Agent>,
        "createVisitor" | "getVisitor" | "updateVisitor" => round_trip::<types::Visitor>,
        "exportChats" => round_trip::<types::IncrementalChatsPage>,
        "exportAgentTimeline" => round_trip::<types::IncrementalAgentTimelinePage>,
        "exportConversions" => round_trip::<types::IncrementalConversionsPage>,
        "exportDepartmentEvents" => round_trip::<types::IncrementalDepartmentEventsPage>,
        "exportAgentEvents" => round_trip::<types::IncrementalAgentEventsPage>,
        "getAccount" | "updateAccount" => round_trip::<types::Account>,
        "listDepartments" => round_trip::<Vec<types::Department>>,
        "createDepartment"
        | "getDepartment"
        | "updateDepartment"
        | "getDepartmentByName"
        | "updateDepartmentByName" => round_trip::<types::Department>,
        "listSkills" => round_trip::<Vec<types::Skill>>,
        "createSkill" | "getSkill" | "updateSkill" | "getSkillByName" | "updateSkillByName" => {
            round_trip::<types::Skill>
        }
        "listRoles" => round_trip::<Vec<types::Role>>,
        "createRole" | "getRole" | "updateRole" => round_trip::<types::Role>,
        "listGoals" => round_trip::<Vec<types::Goal>>,
        "createGoal" | "getGoal" | "updateGoal" => round_trip::<types::Goal>,
        "listShortcuts" => round_trip::<Vec<types::Shortcut>>,
        "createShortcut" | "getShortcut" | "updateShortcut" => round_trip::<types::Shortcut>,
        "listTriggers" => round_trip::<Vec<types::Trigger>>,
        "createTrigger" | "getTrigger" | "updateTrigger" => round_trip::<types::Trigger>,
        "listBans" => round_trip::<types::BanList>,
        "listIpBans" => round_trip::<Vec<types::Ban>>,
        "createBan" | "getBan" => round_trip::<types::Ban>,
        "getAccountRoutingSettings" | "updateAccountRoutingSettings" => {
            round_trip::<types::AccountRoutingSettingsResponse>
        }
        "listAgentRoutingSettings" => round_trip::<types::AgentRoutingSettingsList>,
        "getCurrentAgentRoutingSettings"
        | "updateCurrentAgentRoutingSettings"
        | "getAgentRoutingSettings"
        | "updateAgentRoutingSettings" => round_trip::<types::AgentRoutingSettingsResponse>,
        "listOauthClients" => round_trip::<Vec<types::OauthClient>>,
        "createOauthClient" | "getOauthClient" | "updateOauthClient" => {
            round_trip::<types::OauthClient>
        }
        "listOauthTokens" => round_trip::<Vec<types::OauthToken>>,
        "getChatMetrics" | "getChatMetric" => round_trip::<types::ChatMetricsAnswer>,
        "getAgentMetrics" | "getAgentMetric" => round_trip::<types::AgentMetricsAnswer>,
        other => panic!("no response type listed for {other}: add it to this table"),
    }
}

/// The generated type of each operation's request body.
fn request_type(operation_id: &str) -> RoundTrip {
    match operation_id {
        "createOfflineMessage" => round_trip::<types::CreateOfflineMessageRequest>,
        "updateChat" => round_trip::<types::UpdateChatRequest>,
        "createAgent" => round_trip::<types::CreateAgentRequest>,
        "updateAgent" | "updateCurrentAgent" => round_trip::<types::UpdateAgentRequest>,
        "createVisitor" => round_trip::<types::CreateVisitorRequest>,
        "updateAccount" => round_trip::<types::UpdateAccountRequest>,
        "createDepartment" => round_trip::<types::CreateDepartmentRequest>,
        "updateDepartment" | "updateDepartmentByName" => {
            round_trip::<types::UpdateDepartmentRequest>
        }
        "createSkill" => round_trip::<types::CreateSkillRequest>,
        "updateSkill" | "updateSkillByName" => round_trip::<types::UpdateSkillRequest>,
        "createRole" => round_trip::<types::CreateRoleRequest>,
        "updateRole" => round_trip::<types::UpdateRoleRequest>,
        "createGoal" => round_trip::<types::CreateGoalRequest>,
        "updateGoal" => round_trip::<types::UpdateGoalRequest>,
        "createShortcut" => round_trip::<types::CreateShortcutRequest>,
        "updateShortcut" => round_trip::<types::UpdateShortcutRequest>,
        "createTrigger" => round_trip::<types::CreateTriggerRequest>,
        "updateTrigger" => round_trip::<types::UpdateTriggerRequest>,
        "createBan" => round_trip::<types::CreateBanRequest>,
        "updateAccountRoutingSettings" => round_trip::<types::AccountRoutingSettings>,
        "updateCurrentAgentRoutingSettings" | "updateAgentRoutingSettings" => {
            round_trip::<types::AgentRoutingSettings>
        }
        "createOauthClient" => round_trip::<types::CreateOauthClientRequest>,
        "updateOauthClient" => round_trip::<types::UpdateOauthClientRequest>,
        other => panic!("no request type listed for {other}: add it to this table"),
    }
}

/// The generated type of each component schema that carries an example.
fn schema_type(schema: &str) -> RoundTrip {
    match schema {
        "OfflineMessage" => round_trip::<types::OfflineMessage>,
        "SupportChat" => round_trip::<types::SupportChat>,
        "MemberJoinEvent" => round_trip::<types::MemberJoinEvent>,
        "Agent" => round_trip::<types::Agent>,
        "Visitor" => round_trip::<types::Visitor>,
        other => panic!("no type listed for schema {other}: add it to this table"),
    }
}

/// Every example of the spec, with where it is and how to round-trip it.
fn every_example() -> Vec<(String, RoundTrip, Value)> {
    let mut examples = Vec::new();
    for (path, item) in SPEC.document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            let request = &operation["requestBody"]["content"]["application/json"]["examples"];
            for (name, example) in request.as_object().into_iter().flatten() {
                let at = format!("{id} ({method} {path}) request example {name}");
                examples.push((at, request_type(id), example["value"].clone()));
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                let response_examples = &response["content"]["application/json"]["examples"];
                for (name, example) in response_examples.as_object().into_iter().flatten() {
                    let at = format!("{id} ({method} {path}) response {status} example {name}");
                    examples.push((at, response_type(id), example["value"].clone()));
                }
            }
        }
    }
    for (name, schema) in SPEC.schemas() {
        if let Some(example) = schema.get("example") {
            examples.push((
                format!("schema {name} example"),
                schema_type(name),
                example.clone(),
            ));
        }
    }
    examples
}

#[test]
fn every_example_decodes_and_serializes_back_unchanged() {
    let examples = every_example();
    // The pages carry 30 payloads (a few appear under two operations); a spec that lost some of
    // its examples would make this test prove less.
    assert!(
        examples.len() >= 34,
        "only {} examples found",
        examples.len()
    );
    let mut failures = Vec::new();
    for (at, round_trip, example) in &examples {
        match round_trip(example) {
            Ok(back) => {
                if let Err(panic) = std::panic::catch_unwind(|| assert_same_json(&back, example)) {
                    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                    failures.push(format!("{at}: {message}"));
                }
            }
            Err(error) => failures.push(format!("{at}: does not decode: {error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples fail:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

#[test]
fn the_chat_examples_decode_into_the_variant_their_type_names() {
    let chat: types::Chat =
        serde_json::from_value(support::response_example("getChat", "200", "docs")).unwrap();
    let types::Chat::SupportChat(chat) = chat else {
        panic!("a support chat")
    };
    assert_eq!(chat.id.as_deref(), Some("123"));
    let kinds: Vec<_> = chat
        .history
        .iter()
        .map(|event| event.type_tag().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "chat.memberjoin",
            "chat.msg",
            "chat.conversion",
            "chat.memberleave"
        ]
    );
    assert!(
        matches!(&chat.history[1], types::HistoryEvent::Message(m) if m.msg.as_deref() == Some("hello"))
    );
    assert!(
        matches!(&chat.history[2], types::HistoryEvent::Conversion(c)
        if c.conversion.as_ref().unwrap().goal_name.as_deref() == Some("test 1"))
    );

    let created: types::Chat = serde_json::from_value(support::response_example(
        "createOfflineMessage",
        "201",
        "docs",
    ))
    .unwrap();
    assert!(
        matches!(created, types::Chat::OfflineMessage(m) if m.message.as_deref() == Some("Hi there!"))
    );
}

#[test]
fn the_curated_type_decisions_hold_on_the_documented_payloads() {
    // `unread` is `false` in one List Chats example and `0` in the other; both are kept as sent.
    let list: types::ListChatsResponse =
        serde_json::from_value(support::response_example("listChats", "200", "list")).unwrap();
    let unread: Vec<_> = list
        .chats
        .iter()
        .map(|chat| match chat {
            types::Chat::SupportChat(chat) => chat.unread.clone().unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        unread,
        [types::Flag::Boolean(false), types::Flag::Integer(0)]
    );
    // `next_url` is the string "null" on that page.
    assert_eq!(list.next_url.as_deref(), Some("null"));

    // Engagements and history carry agent ids as strings; the agent's own id is a number.
    let page: types::IncrementalChatsPage =
        serde_json::from_value(support::response_example("exportChats", "200", "docs")).unwrap();
    let types::Chat::SupportChat(chat) = &page.chats[0] else {
        panic!("a support chat")
    };
    let engagement_agent = chat.engagements[0].agent_id.clone().unwrap();
    assert_eq!(
        engagement_agent,
        zendesk_chat::LooseId::String("383486450414".into())
    );
    assert_eq!(engagement_agent, 383_486_450_414_i64);
    assert_eq!(page.end_time, Some(types::EpochTime::Int64(1_608_613_496)));

    // The agent timeline's end_time is in microseconds and stays an exact integer.
    let timeline: types::IncrementalAgentTimelinePage = serde_json::from_value(
        support::response_example("exportAgentTimeline", "200", "docs"),
    )
    .unwrap();
    assert_eq!(
        timeline.end_time,
        Some(types::EpochTime::Int64(1_525_010_407_403_712))
    );
    assert_eq!(
        timeline.agent_timeline[0].status,
        Some(types::AgentStatus::Away)
    );

    // The Visitors resource's example id is the number 1; visitor ids are otherwise strings.
    let visitor: types::Visitor =
        serde_json::from_value(support::response_example("getVisitor", "200", "docs")).unwrap();
    assert_eq!(visitor.id, Some(zendesk_chat::LooseId::Integer(1)));
}

#[test]
fn fields_the_spec_does_not_describe_are_kept_at_every_level() {
    let mut chat = support::response_example("getChat", "200", "docs");
    chat["brand_new_field"] = json!({"nested": [1, 2]});
    chat["visitor"]["loyalty_tier"] = json!("gold");
    chat["history"][1]["reaction"] = json!("👍");
    chat["session"]["asn"] = json!(64512);
    chat["conversions"][0]["attribution"]["campaign"] = json!("spring");

    let typed: types::Chat = serde_json::from_value(chat.clone()).unwrap();
    let types::Chat::SupportChat(support_chat) = &typed else {
        panic!("a support chat")
    };
    assert_eq!(
        support_chat.extra["brand_new_field"],
        json!({"nested": [1, 2]})
    );
    assert_eq!(
        support_chat.visitor.as_ref().unwrap().extra["loyalty_tier"],
        "gold"
    );
    assert_same_json(&serde_json::to_value(&typed).unwrap(), &chat);
}

#[test]
fn history_events_of_an_unknown_type_are_kept_whole() {
    let mut chat = support::response_example("getChat", "200", "docs");
    let new_event = json!({"type": "chat.reaction.new", "emoji": "🎉", "index": 9, "timestamp": "2014-10-09T05:40:00Z"});
    let untyped_event = json!({"name": "Visitor 123", "note": "no type at all"});
    chat["history"]
        .as_array_mut()
        .unwrap()
        .extend([new_event.clone(), untyped_event.clone()]);

    let typed: types::Chat = serde_json::from_value(chat.clone()).unwrap();
    let types::Chat::SupportChat(support_chat) = &typed else {
        panic!("a support chat")
    };
    match &support_chat.history[4] {
        types::HistoryEvent::Unknown(object) => {
            assert_eq!(Value::Object(object.clone()), new_event);
            assert_eq!(
                support_chat.history[4].type_tag(),
                Some("chat.reaction.new")
            );
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert!(
        matches!(&support_chat.history[5], types::HistoryEvent::Unknown(o) if Value::Object(o.clone()) == untyped_event)
    );
    assert_same_json(&serde_json::to_value(&typed).unwrap(), &chat);
}

#[test]
fn open_enums_keep_values_they_do_not_know() {
    let timespan: types::AgentTimespan =
        serde_json::from_value(json!({"agent_id": 1, "status": "on_break", "duration": 1.5}))
            .unwrap();
    assert_eq!(
        timespan.status,
        Some(types::AgentStatus::Unknown("on_break".into()))
    );
    assert_eq!(
        serde_json::to_value(&timespan).unwrap()["status"],
        "on_break"
    );
    assert_eq!(
        "online".parse::<types::AgentStatus>(),
        Ok(types::AgentStatus::Online)
    );
}

#[test]
fn a_known_event_with_a_wrong_field_is_an_error_that_names_the_field() {
    let mut chat = support::response_example("getChat", "200", "docs");
    chat["history"][1]["msg"] = json!(42);
    let error = serde_path_to_error::deserialize::<_, types::Chat>(&chat).unwrap_err();
    let message = format!("{}: {}", error.path(), error.inner());
    assert!(message.contains("history[1]"), "{message}");
    assert!(
        message.contains("msg: invalid type: integer `42`, expected a string"),
        "{message}"
    );
}

#[test]
fn the_comparison_notices_a_lost_retyped_or_nulled_field() {
    let example = support::response_example("getChat", "200", "docs");
    let differs =
        |changed: Value| std::panic::catch_unwind(|| assert_same_json(&changed, &example)).is_err();

    let mut lost = example.clone();
    lost.as_object_mut().unwrap().remove("comment");
    assert!(differs(lost));
    let mut retyped = example.clone();
    retyped["duration"] = json!("913");
    assert!(differs(retyped));
    let mut nulled = example.clone();
    nulled["visitor"]["name"] = Value::Null;
    assert!(differs(nulled));
    let mut renamed = example.clone();
    let history = renamed["history"][1].as_object_mut().unwrap();
    let msg = history.remove("msg").unwrap();
    history.insert("message".into(), msg);
    assert!(differs(renamed));
    assert!(!differs(example.clone()));
}
