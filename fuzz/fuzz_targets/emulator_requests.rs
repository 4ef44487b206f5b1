//! The emulator's request handling: arbitrary requests (method, path, query, body) against a small
//! generated account never panic it, always get an HTTP answer, and leave its state consistent.

#![no_main]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};

use arbitrary::Arbitrary;
use axum::body::Body;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use zendesk_chat_emulator::generate::{AccountSize, account, owner_id};
use zendesk_chat_emulator::http::{Shared, router};
use zendesk_chat_emulator::{Faults, Store};

#[derive(Arbitrary, Debug)]
struct Request {
    method: u8,
    /// An operation's path to start from, so that most inputs reach a handler.
    route: u8,
    suffix: String,
    query: String,
    body: Vec<u8>,
}

const ROUTES: &[&str] = &[
    "/api/v2/chat/chats",
    "/api/v2/chat/chats/search",
    "/api/v2/chat/chats/",
    "/api/v2/chat/agents",
    "/api/v2/chat/agents/me",
    "/api/v2/chat/agents/email/",
    "/api/v2/chat/agents/",
    "/api/v2/chat/visitors",
    "/api/v2/chat/visitors/",
    "/api/v2/chat/incremental/chats",
    "/api/v2/chat/incremental/agent_timeline",
    "/api/v2/chat/incremental/conversions",
    "/api/v2/chat/incremental/department_events",
];

fn fresh_store() -> Store {
    account(3, &AccountSize::with_chats(30))
}

/// The account's invariants: each agent stored under its own id, each chat reachable by id.
fn check(store: &Store) {
    for (id, agent) in &store.agents {
        assert_eq!(agent.id, Some(*id), "an agent stored under another id");
    }
    let listed: Vec<&str> = store.chats.by_start().map(|(id, _)| id).collect();
    assert_eq!(listed.len(), store.chats.len(), "the chat index and the chats disagree");
    for id in listed {
        assert!(store.chats.get(id).is_some(), "an indexed chat that is not stored: {id}");
    }
}

fuzz_target!(|requests: Vec<Request>| {
    let store = fresh_store();
    let owner = owner_id(&store).unwrap_or_default();
    let shared = Arc::new(Shared {
        store: RwLock::new(store),
        tokens: RwLock::new(HashMap::from([("t".to_owned(), owner)])),
        faults: Mutex::new(Faults::none()),
        scripted: Mutex::new(Default::default()),
        rate_limit: Mutex::new(None),
        log: Mutex::new(Vec::new()),
        record_bodies: AtomicBool::new(false),
        requests: AtomicU64::new(0),
        base_url: "http://127.0.0.1:1".to_owned(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for request in requests.into_iter().take(8) {
        let method = ["GET", "POST", "PUT", "DELETE", "PATCH"][usize::from(request.method) % 5];
        let path = format!("{}{}", ROUTES[usize::from(request.route) % ROUTES.len()], request.suffix);
        let uri = if request.query.is_empty() { path } else { format!("{path}?{}", request.query) };
        let Ok(http_request) = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer t")
            .header("content-type", "application/json")
            .body(Body::from(request.body))
        else {
            continue; // Not a valid HTTP request: it cannot reach the server.
        };
        let response = runtime.block_on(router(shared.clone()).oneshot(http_request)).expect("the router always answers");
        let _ = runtime.block_on(axum::body::to_bytes(response.into_body(), usize::MAX));
        check(&shared.read());
    }
});
