//! The emulator's Conversations socket, any frame from a client: requests with arbitrary
//! documents and variables, the client's own operations with arbitrary variables, stops, pings and
//! arbitrary text. Nothing panics, and every request or stop with an id gets exactly one answer
//! carrying that id.

#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use zendesk_chat_conversations::operations;
use zendesk_chat_emulator::Emulator;
use zendesk_chat_emulator::conversations::FrameHandler;

#[derive(Arbitrary, Debug)]
enum Frame {
    /// Any text at all.
    Text(String),
    /// A request with any document and any JSON text as variables.
    Request { query: String, variables: String },
    /// One of the client's own documents, with any JSON text as variables.
    Known { operation: u8, variables: String },
    /// A stop of a subscription, by any id or by the n-th one acknowledged.
    Stop { subscription: String, acknowledged: u8 },
    /// A keep-alive.
    Ping(u32),
}


/// One emulator and one session for every input; each input gets a new socket.
static EMULATOR: LazyLock<(Emulator, String)> = LazyLock::new(|| {
    let emulator = Emulator::builder().seed(5).chats(10).token("t").build();
    let (session, _) = emulator.conversations().start_session("t").expect("a session starts");
    (emulator, session)
});

fn variables(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!({}))
}

fuzz_target!(|frames: Vec<Frame>| {
    let (emulator, session) = &*EMULATOR;
    let mut socket = FrameHandler::new(emulator.conversations(), session);
    let mut acknowledged: Vec<Value> = Vec::new();
    for (n, frame) in frames.into_iter().take(16).enumerate() {
        let id = format!("f{n}");
        let (text, answered) = match frame {
            Frame::Text(text) => (text, false),
            Frame::Request { query, variables: vars } => (
                json!({"type": "request", "id": id, "payload": {"query": query, "variables": variables(&vars)}}).to_string(),
                true,
            ),
            Frame::Known { operation, variables: vars } => {
                let (_, query) = operations::ALL[usize::from(operation) % operations::ALL.len()];
                (
                    json!({"type": "request", "id": id, "payload": {"query": query, "variables": variables(&vars)}}).to_string(),
                    true,
                )
            }
            Frame::Stop { subscription, acknowledged: nth } => {
                let subscription_id = acknowledged
                    .get(usize::from(nth))
                    .cloned()
                    .unwrap_or(Value::String(subscription));
                (
                    json!({"type": "stop_subscription", "id": id, "payload": {"subscription_id": subscription_id}}).to_string(),
                    true,
                )
            }
            Frame::Ping(payload) => (json!({"sig": "PING", "payload": payload}).to_string(), false),
        };
        let replies = socket.handle(&text);
        if answered {
            let answers: Vec<&Value> = replies.iter().filter(|reply| reply["id"] == json!(id)).collect();
            assert_eq!(answers.len(), 1, "{text}: {replies:?}");
            let payload = &answers[0]["payload"];
            assert!(payload.get("data").is_some() || payload.get("errors").is_some(), "{text}: {payload}");
            if let Some(subscription_id) = payload["data"].get("subscription_id") {
                acknowledged.push(subscription_id.clone());
            }
        }
    }
});
