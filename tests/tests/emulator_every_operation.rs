//! Every operation of the spec on the wire against the emulator, as the spec describes it: path
//! parameters naming records of the generated account, required query parameters and request
//! bodies taken from the spec's own examples (the reference pages' and the real records'). Each
//! answers with success, and every answer fits the spec.

mod support;

use std::collections::HashMap;

use serde_json::Value;
use support::SPEC;
use support::emulated::{assert_responses_match_spec, start};
use zendesk_chat_emulator::Emulator;

/// A value for each path parameter, from the generated account. The ones an operation deletes
/// are chosen so that no later operation needs them (deletes run last, in the spec's order).
fn path_values(emulator: &Emulator) -> HashMap<&'static str, String> {
    emulator.with_store(|store| {
        let owner = store.owner_id().unwrap();
        let other_agent = *store.agents.keys().find(|id| **id != owner).unwrap();
        let text = |object: &serde_json::Map<String, Value>, field: &str| {
            object[field].as_str().unwrap().to_owned()
        };
        let departments: Vec<_> = store.departments.iter().collect();
        let skills: Vec<_> = store.skills.iter().collect();
        let client_of_token =
            store.oauth_tokens.values().last().unwrap()["client_identifier"].clone();
        let other_client = store
            .oauth_clients
            .iter()
            .find(|(_, client)| client["client_identifier"] != client_of_token)
            .map(|(id, _)| *id)
            .unwrap();
        HashMap::from([
            (
                "chat_id",
                store.chats.by_start().next().unwrap().0.to_owned(),
            ),
            ("agent_id", other_agent.to_string()),
            (
                "email",
                text(
                    &serde_json::to_value(&store.agents[&owner])
                        .unwrap()
                        .as_object()
                        .unwrap()
                        .clone(),
                    "email",
                ),
            ),
            ("visitor_id", store.visitors.keys().next().unwrap().clone()),
            ("department_id", departments[0].0.to_string()),
            ("department_name", text(departments[1].1, "name")),
            ("skill_id", skills[0].0.to_string()),
            ("skill_name", text(skills[1].1, "name")),
            ("role_id", store.roles.last_key().unwrap().to_string()),
            ("goal_id", store.goals.last_key().unwrap().to_string()),
            ("shortcut_id", "hello".to_owned()),
            ("trigger_name_or_id", "First Reply".to_owned()),
            ("ban_id", store.bans.last_key().unwrap().to_string()),
            ("oauth_client_id", other_client.to_string()),
            (
                "oauth_token_id",
                store.oauth_tokens.last_key().unwrap().to_string(),
            ),
        ])
    })
}

/// `template` with its parameters filled in and percent-encoded.
fn concrete(template: &str, values: &HashMap<&'static str, String>) -> String {
    template
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some("metric_key") if template.starts_with("/stream/chats") => {
                    "missed_chats".to_owned()
                }
                Some("metric_key") => "agents_online".to_owned(),
                Some(name) => url::form_urlencoded::byte_serialize(values[name].as_bytes())
                    .collect::<String>()
                    .replace('+', "%20"),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The operation's required query parameters, with the spec's example values.
fn required_query(operation: &Value) -> String {
    let pairs: Vec<String> = operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .map(|p| {
            let value = p["example"]
                .as_str()
                .expect("a required parameter has an example");
            format!(
                "{}={}",
                p["name"].as_str().unwrap(),
                url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
            )
        })
        .collect();
    pairs.join("&")
}

#[tokio::test]
async fn every_operation_succeeds_with_the_specs_examples_and_fits_the_spec() {
    let (emulator, _) = start(Emulator::builder().seed(61).chats(60)).await;
    // The docs' create example is the generated account's `goodbye` shortcut: make room for it.
    emulator.with_store(|store| store.shortcuts.remove(&"goodbye".to_owned()));
    let values = path_values(&emulator);
    let mut operations: Vec<(&str, &str, &Value)> = SPEC.operations().collect();
    // Deletes last, so that every other operation finds its records; and a record's parts (an
    // agent's shortcuts) before the record.
    operations.sort_by_key(|(path, method, _)| {
        let delete = *method == "delete";
        (
            delete,
            std::cmp::Reverse(if delete { path.len() } else { 0 }),
        )
    });
    let http = reqwest::Client::new();
    let mut failures = Vec::new();
    for (path, method, operation) in &operations {
        let id = operation["operationId"].as_str().unwrap();
        let mut url = format!("{}{}", emulator.base_url(), concrete(path, &values));
        let query = required_query(operation);
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        let mut request = http
            .request(method.to_uppercase().parse().unwrap(), &url)
            .bearer_auth(emulator.token());
        let body = &operation["requestBody"]["content"]["application/json"];
        if !body.is_null() {
            // The first example, or an empty object where the spec gives none.
            let example = body["examples"]
                .as_object()
                .and_then(|examples| examples.values().next())
                .map_or(serde_json::json!({}), |example| example["value"].clone());
            request = request.json(&example);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            failures.push(format!(
                "{id} ({} {url}): {status} {text}",
                method.to_uppercase()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} operations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(operations.len(), zendesk_chat::operations::ALL.len());
    assert_responses_match_spec(&emulator);
}
