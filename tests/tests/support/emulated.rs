//! The client against the emulator, and the check that everything the emulator answered fits the
//! spec.

use std::time::Duration;

use zendesk_chat::{Client, RetryPolicy};
use zendesk_chat_codegen::examples::ResponseValidator;
use zendesk_chat_emulator::{Emulator, EmulatorBuilder};

/// Starts `builder` (recording response bodies) and a client for it whose retries back off in
/// milliseconds.
pub async fn start(builder: EmulatorBuilder) -> (Emulator, Client) {
    let emulator = builder.record_bodies(true).start().await.unwrap();
    let client = client_for(&emulator, retries());
    (emulator, client)
}

/// Retries for tests: the default policy, with short backoffs.
pub fn retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(8)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(40))
}

/// The chats' ids in the order the export delivers them (update time, then id).
pub fn export_order(emulator: &Emulator) -> Vec<String> {
    emulator.with_store(|store| {
        store
            .chats
            .updated_after(i64::MIN, "")
            .map(|(id, _)| id.to_owned())
            .collect()
    })
}

/// A client for `emulator`.
pub fn client_for(emulator: &Emulator, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// Every response the emulator gave so far is one the spec allows for its operation and status
/// (responses of requests that matched no route, and injected faults, aside).
#[track_caller]
pub fn assert_responses_match_spec(emulator: &Emulator) {
    let mut validator = ResponseValidator::new(&super::SPEC);
    let mut problems = Vec::new();
    let requests = emulator.requests();
    for request in &requests {
        if request.fault.is_some() {
            continue;
        }
        let body: Option<serde_json::Value> = request
            .body
            .as_ref()
            .filter(|b| !b.is_empty())
            .map(|b| serde_json::from_slice(b).unwrap());
        let operation = request.route.as_ref().filter(|route| {
            super::SPEC.document["paths"][route.as_str()]
                .get(request.method.to_lowercase())
                .is_some()
        });
        match operation {
            Some(route) => problems.extend(validator.check(
                &request.method,
                route,
                request.status,
                body.as_ref(),
            )),
            // A path or a method the spec does not have: Zendesk's error shape, 404 or 405.
            None if matches!(request.status, 404 | 405)
                && body.as_ref().is_some_and(|b| b["error"].is_string()) => {}
            None => problems.push(format!(
                "{} {}: {} outside the spec without an error body",
                request.method, request.path, request.status
            )),
        }
    }
    assert!(
        requests.iter().any(|r| r.body.is_some()),
        "no response bodies were recorded"
    );
    assert!(
        problems.is_empty(),
        "{} responses do not fit the spec:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
