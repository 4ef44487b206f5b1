//! The HTTP server: a route per operation of the spec, behind the gate (request log, auth, rate
//! limit, faults).

mod gate;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use zendesk_chat::operations::{self, Operation};

pub use gate::{EnforcedRateLimit, Fault, Faults, RequestRecord};

/// A fresh window of a rate limit.
pub fn gate_window(limit: EnforcedRateLimit) -> gate::RateWindow {
    gate::RateWindow::new(limit)
}

use zendesk_chat::export::ExportResource;

use crate::store::{Answer, ErrorAnswer, Outcome, Store};

/// What every request handler shares.
#[derive(Debug)]
pub struct Shared {
    /// The account.
    pub store: RwLock<Store>,
    /// The access tokens that authenticate, and the agent each belongs to (for `me`).
    pub tokens: RwLock<HashMap<String, i64>>,
    /// The faults to inject.
    pub faults: Mutex<Faults>,
    /// Faults scripted for the next requests of an operation, by method and path template: each
    /// request of it takes the next, in order, before the random faults are drawn.
    pub scripted: Mutex<HashMap<(String, String), std::collections::VecDeque<Fault>>>,
    /// The rate limit, if any, and its current window.
    pub rate_limit: Mutex<Option<gate::RateWindow>>,
    /// What happened, request by request.
    pub log: Mutex<Vec<RequestRecord>>,
    /// Whether to keep each response's body in the log.
    pub record_bodies: AtomicBool,
    /// Requests so far (numbers the faults' draws).
    pub requests: AtomicU64,
    /// The server's base URL, for `next_page` and `next_url`.
    pub base_url: String,
}

impl Shared {
    /// Reads the account.
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Changes the account.
    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

type AppState = Arc<Shared>;

/// The router of every operation: a route per path template of the client's operation table
/// (axum's `{param}` syntax is the spec's), each method to the operation's handler.
pub fn router(shared: AppState) -> Router {
    let mut paths: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for operation in operations::ALL {
        let route = handler(operation);
        match paths.iter_mut().find(|(path, _)| *path == operation.path) {
            Some((_, routes)) => *routes = std::mem::take(routes).merge(route),
            None => paths.push((operation.path, route)),
        }
    }
    let api = paths
        .into_iter()
        .fold(Router::new(), |router, (path, routes)| {
            router.route(path, routes)
        })
        .fallback(|| async { respond(Err(ErrorAnswer::not_found())) })
        .method_not_allowed_fallback(|| async {
            respond(Err(ErrorAnswer {
                status: 405,
                error: "Method Not Allowed",
                description: None,
            }))
        });
    api.layer(axum::middleware::from_fn_with_state(
        shared.clone(),
        gate::gate,
    ))
    .with_state(shared)
}

/// The handler of one operation, on the operation's method. An operation of the spec that the
/// emulator does not implement answers 501 (`tests/routes.rs` proves there is none).
fn handler(operation: &'static Operation) -> MethodRouter<AppState> {
    use zendesk_chat::operations as op;
    let method = Method::from_bytes(operation.method.as_bytes())
        .ok()
        .and_then(|method| MethodFilter::try_from(method).ok())
        .unwrap_or(MethodFilter::GET);
    if let Some(resource) = ExportResource::ALL
        .into_iter()
        .find(|resource| resource.operation() == operation)
    {
        return on(
            method,
            move |State(s): State<AppState>, RawQuery(q): RawQuery| async move {
                export(&s, resource, q)
            },
        );
    }
    match *operation {
        op::LIST_CHATS => on(method, list_chats),
        op::CREATE_OFFLINE_MESSAGE => on(method, create_chat),
        op::BULK_DELETE_CHATS => on(method, bulk_delete_chats),
        op::SEARCH_CHATS => on(method, search_chats),
        op::GET_CHAT => on(method, get_chat),
        op::UPDATE_CHAT => on(method, update_chat),
        op::DELETE_CHAT => on(method, delete_chat),
        op::LIST_AGENTS => on(method, list_agents),
        op::CREATE_AGENT => on(method, create_agent),
        op::GET_AGENT_BY_EMAIL => on(method, get_agent_by_email),
        op::GET_CURRENT_AGENT => on(method, get_me),
        op::UPDATE_CURRENT_AGENT => on(method, update_me),
        op::GET_AGENT => on(method, get_agent),
        op::UPDATE_AGENT => on(method, update_agent),
        op::DELETE_AGENT => on(method, delete_agent),
        op::DELETE_AGENT_SHORTCUTS => on(method, delete_shortcuts),
        op::CREATE_VISITOR => on(method, create_visitor),
        op::GET_VISITOR => on(method, get_visitor),
        op::UPDATE_VISITOR => on(method, update_visitor),
        _ => on(method, move || async move { not_implemented(operation) }),
    }
}

/// The answer of an operation of the spec that the emulator does not implement.
fn not_implemented(operation: &Operation) -> Response {
    let body = serde_json::json!({
        "error": "Not Implemented",
        "description": format!("the emulator does not implement {}", operation.id),
    });
    (StatusCode::NOT_IMPLEMENTED, axum::Json(body)).into_response()
}

/// An operation's outcome as an HTTP response.
fn respond(outcome: Outcome) -> Response {
    let answer = outcome.unwrap_or_else(|error| {
        Answer::with_status(
            error.status,
            serde_json::to_vec(&error.body()).unwrap_or_default(),
        )
    });
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    for (name, value) in answer.headers {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    match answer.body {
        Some(body) => {
            headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            (status, headers, body).into_response()
        }
        None => (status, headers).into_response(),
    }
}

fn query(raw: Option<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn agent_id(text: &str) -> Result<i64, ErrorAnswer> {
    text.parse()
        .map_err(|_| ErrorAnswer::bad_request("agent_id must be an integer"))
}

/// The agent the request's token belongs to.
fn me(shared: &Shared, headers: &HeaderMap) -> Result<i64, ErrorAnswer> {
    let token = gate::bearer_token(headers).unwrap_or_default();
    shared
        .tokens
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(token)
        .copied()
        .ok_or_else(ErrorAnswer::not_found)
}

async fn list_chats(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    respond(s.read().list_chats(&query(q), &s.base_url))
}

async fn search_chats(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    respond(s.read().search_chats(&query(q), &s.base_url))
}

async fn create_chat(State(s): State<AppState>, body: Bytes) -> Response {
    respond(s.write().create_offline_message(&body))
}

async fn bulk_delete_chats(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    respond(s.write().bulk_delete_chats(&query(q)))
}

async fn get_chat(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    respond(s.read().get_chat(&id))
}

async fn update_chat(State(s): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    respond(s.write().update_chat(&id, &body))
}

async fn delete_chat(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    respond(s.write().delete_chat(&id))
}

async fn list_agents(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    respond(s.read().list_agents(&query(q)))
}

async fn create_agent(State(s): State<AppState>, body: Bytes) -> Response {
    respond(s.write().create_agent(&body))
}

async fn get_me(State(s): State<AppState>, headers: HeaderMap) -> Response {
    respond(me(&s, &headers).and_then(|id| s.read().get_agent(id)))
}

async fn update_me(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    respond(me(&s, &headers).and_then(|id| s.write().update_agent(id, &body)))
}

async fn get_agent_by_email(State(s): State<AppState>, Path(email): Path<String>) -> Response {
    respond(s.read().get_agent_by_email(&email))
}

async fn get_agent(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    respond(agent_id(&id).and_then(|id| s.read().get_agent(id)))
}

async fn update_agent(State(s): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    respond(agent_id(&id).and_then(|id| s.write().update_agent(id, &body)))
}

async fn delete_agent(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    respond(agent_id(&id).and_then(|id| s.write().delete_agent(id)))
}

async fn delete_shortcuts(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    respond(agent_id(&id).and_then(|id| s.write().delete_agent_shortcuts(id)))
}

async fn create_visitor(State(s): State<AppState>, body: Bytes) -> Response {
    respond(s.write().create_visitor(&body))
}

async fn get_visitor(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    respond(s.read().get_visitor(&id))
}

async fn update_visitor(
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(s.write().update_visitor(&id, &body))
}

fn export(s: &Shared, resource: ExportResource, q: Option<String>) -> Response {
    let now = crate::store::clock::micros(std::time::SystemTime::now());
    respond(s.read().export(resource, &query(q), &s.base_url, now))
}
