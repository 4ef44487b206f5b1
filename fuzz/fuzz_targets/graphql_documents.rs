//! The GraphQL documents the emulator validates: any text is parsed and validated against the
//! curated schema without panicking; a document accepted is within the depth limit, and running
//! it on a socket answers it with data or errors.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use zendesk_chat_emulator::Emulator;
use zendesk_chat_emulator::conversations::FrameHandler;
use zendesk_chat_emulator::conversations::graphql::{MAX_DEPTH, Request, depth};

static EMULATOR: LazyLock<(Emulator, String)> = LazyLock::new(|| {
    let emulator = Emulator::builder().seed(7).chats(10).token("t").build();
    let (session, _) = emulator.conversations().start_session("t").expect("a session starts");
    (emulator, session)
});

fuzz_target!(|document: &str| {
    let Ok(request) = Request::parse(document) else { return };
    if let Ok(operation) = request.operation() {
        let found = depth(&request.document, operation);
        assert!(found <= MAX_DEPTH, "accepted at depth {found}: {document}");
    }
    let (emulator, session) = &*EMULATOR;
    let mut socket = FrameHandler::new(emulator.conversations(), session);
    let frame = json!({"type": "request", "id": "1", "payload": {"query": document, "variables": {}}});
    let replies = socket.handle(&frame.to_string());
    assert_eq!(replies.len(), 1, "{document}: {replies:?}");
    let payload = &replies[0]["payload"];
    assert!(payload.get("data").is_some() || payload.get("errors").is_some(), "{document}: {payload}");
});
