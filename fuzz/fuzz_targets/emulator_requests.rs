//! The emulator's request handling: arbitrary requests (method, path, query, body, asking for a
//! compressed answer or not) against a small generated account never panic it, always get an HTTP
//! answer whose body reads to its end, and leave its state consistent.

#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use axum::body::Body;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use zendesk_chat_emulator::{AccountSize, Emulator, Store};

#[derive(Arbitrary, Debug)]
struct Request {
    method: u8,
    /// An operation's path to start from, so that most inputs reach a handler.
    route: u8,
    suffix: String,
    query: String,
    body: Vec<u8>,
    /// Whether the request asks for a compressed answer (as the client does by default).
    gzip: bool,
}

/// One emulator for every input, its account put back to the template before each, so that an
/// input costs its requests and not an account's generation. The account is small in every
/// resource, a few days of activity included: putting back a year of agent timeline (thousands
/// of export items) cost 40 ms an input, 25 runs a second.
static EMULATOR: LazyLock<Emulator> = LazyLock::new(|| {
    let size = AccountSize { chats: 30, agents: 3, departments: 2, visitors: 10, days: 3 };
    Emulator::builder().seed(3).account(size).token("t").build()
});
/// One runtime for every input.
static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap());
static TEMPLATE: LazyLock<Store> = LazyLock::new(|| EMULATOR.with_store(|store| store.clone()));

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
    // The template first: taking it inside `with_store` would lock the store twice.
    let template = &*TEMPLATE;
    EMULATOR.with_store(|store| *store = template.clone());
    EMULATOR.clear_requests();
    let router = EMULATOR.router();
    let routes = zendesk_chat::operations::ALL;
    let runtime = &*RUNTIME;
    for request in requests.into_iter().take(8) {
        let method = ["GET", "POST", "PUT", "DELETE", "PATCH"][usize::from(request.method) % 5];
        let template = routes[usize::from(request.route) % routes.len()].path;
        let path = format!("{}{}", template.split('{').next().unwrap_or(template), request.suffix);
        let uri = if request.query.is_empty() { path } else { format!("{path}?{}", request.query) };
        let mut builder = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer t")
            .header("content-type", "application/json");
        if request.gzip {
            builder = builder.header("accept-encoding", "gzip");
        }
        let Ok(http_request) = builder.body(Body::from(request.body))
        else {
            continue; // Not a valid HTTP request: it cannot reach the server.
        };
        let response = runtime.block_on(router.clone().oneshot(http_request)).expect("the router always answers");
        runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .expect("the answer's body reads to its end");
        EMULATOR.with_store(|store| check(store));
    }
});
