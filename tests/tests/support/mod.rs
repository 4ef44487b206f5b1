//! Helpers shared by the workspace tests: the spec's examples (the reference pages' payloads),
//! JSON comparison, and a local mock server.

#![allow(dead_code)] // Each test file uses some of these.

pub mod emulated;
pub mod raw_server;

use std::path::Path;
use std::sync::LazyLock;

use serde_json::Value;
use zendesk_chat::Client;
use zendesk_chat_codegen::Spec;

/// The access token the tests authenticate with.
pub const TOKEN: &str = "test-token-4f9c";

/// The REST spec, whose examples are the reference pages' own payloads.
pub static SPEC: LazyLock<Spec> = LazyLock::new(|| {
    Spec::from_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/zendesk-chat.yaml"))
        .unwrap()
});

/// The operation with this id: `(path, method, operation)`.
pub fn operation(operation_id: &str) -> (&'static str, &'static str, &'static Value) {
    let paths = SPEC.document["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            if operation["operationId"] == operation_id {
                return (path, method, operation);
            }
        }
    }
    panic!("no operation {operation_id} in the spec");
}

/// The example `name` of the response `status` of an operation.
pub fn response_example(operation_id: &str, status: &str, name: &str) -> Value {
    let (_, _, operation) = operation(operation_id);
    operation["responses"][status]["content"]["application/json"]["examples"][name]["value"].clone()
}

/// The example `name` of the request body of an operation.
pub fn request_example(operation_id: &str, name: &str) -> Value {
    let (_, _, operation) = operation(operation_id);
    operation["requestBody"]["content"]["application/json"]["examples"][name]["value"].clone()
}

/// JSON as the API means it: a key whose value is null or an empty array is the same as an absent
/// key (the generated models leave those out when serializing), and numbers compare by value
/// (`126` and `126.0` are the same JSON number). Nothing else is forgiven.
pub fn normalized(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Number(n) => Value::from(n.as_f64().unwrap()),
        other => other.clone(),
    }
}

/// Asserts that `actual` holds the same JSON as `expected` (see [`normalized`]), naming the first
/// path where they differ.
#[track_caller]
pub fn assert_same_json(actual: &Value, expected: &Value) {
    let (actual, expected) = (normalized(actual), normalized(expected));
    if let Some(path) = first_difference(&actual, &expected, String::new()) {
        panic!(
            "JSON differs at `{path}`\n  actual:   {}\n  expected: {}",
            actual
                .pointer(&path)
                .map_or("(absent)".into(), Value::to_string),
            expected
                .pointer(&path)
                .map_or("(absent)".into(), Value::to_string),
        );
    }
}

fn first_difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<_> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(xv), Some(yv)) => first_difference(xv, yv, format!("{path}/{k}")),
                _ => Some(format!("{path}/{k}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (xv, yv))| first_difference(xv, yv, format!("{path}/{i}"))),
        _ if a == b => None,
        _ => Some(path),
    }
}

/// A mock server on 127.0.0.1 that answers every request with `status` and `body`, and a client
/// pointed at it that makes each request once (retries have tests of their own).
pub async fn serve(status: u16, body: Option<Value>) -> (wiremock::MockServer, Client) {
    let server = wiremock::MockServer::start().await;
    let mut response = wiremock::ResponseTemplate::new(status);
    if let Some(body) = body {
        response = response.set_body_json(body);
    }
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(response)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .token(TOKEN)
        .retry_policy(zendesk_chat::RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

/// The raw pages of the chats export from the beginning until caught up, or the error that
/// stopped it.
pub async fn raw_chat_pages(
    client: &Client,
) -> Result<
    Vec<zendesk_chat::export::ExportPage<zendesk_chat::export::RawRecord>>,
    zendesk_chat::Error,
> {
    use futures::TryStreamExt;
    client
        .incremental_chats(zendesk_chat::export::ExportStart::beginning())
        .raw_pages()
        .try_collect()
        .await
}

/// Each record's text, in the order of the pages.
pub fn texts(
    pages: &[zendesk_chat::export::ExportPage<zendesk_chat::export::RawRecord>],
) -> Vec<&str> {
    pages
        .iter()
        .flat_map(|page| &page.items)
        .map(zendesk_chat::export::RawRecord::get)
        .collect()
}

/// The one request the server received.
pub async fn only_request(server: &wiremock::MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}
