//! The HTTP server: a route per operation of the spec, behind the gate (request log, auth, rate
//! limit, faults).

mod gate;
pub mod oauth;

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
    /// The OAuth endpoints' codes, refresh tokens and token expiries.
    pub oauth: Mutex<oauth::OAuthServer>,
}

impl Shared {
    /// Reads the account.
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The OAuth endpoints' state.
    pub fn oauth(&self) -> std::sync::MutexGuard<'_, oauth::OAuthServer> {
        self.oauth
            .lock()
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
        op::GET_ACCOUNT => reading(method, Store::get_account),
        op::UPDATE_ACCOUNT => writing_body(method, Store::update_account),
        op::LIST_DEPARTMENTS => reading(method, Store::list_departments),
        op::CREATE_DEPARTMENT => writing_body(method, Store::create_department),
        op::GET_DEPARTMENT => reading_path(method, Store::get_department),
        op::UPDATE_DEPARTMENT => writing_path_body(method, Store::update_department),
        op::DELETE_DEPARTMENT => writing_path(method, Store::delete_department),
        op::GET_DEPARTMENT_BY_NAME => reading_path(method, Store::get_department_by_name),
        op::UPDATE_DEPARTMENT_BY_NAME => {
            writing_path_body(method, Store::update_department_by_name)
        }
        op::DELETE_DEPARTMENT_BY_NAME => writing_path(method, Store::delete_department_by_name),
        op::LIST_SKILLS => reading(method, Store::list_skills),
        op::CREATE_SKILL => writing_body(method, Store::create_skill),
        op::GET_SKILL => reading_path(method, Store::get_skill),
        op::UPDATE_SKILL => writing_path_body(method, Store::update_skill),
        op::DELETE_SKILL => writing_path(method, Store::delete_skill),
        op::GET_SKILL_BY_NAME => reading_path(method, Store::get_skill_by_name),
        op::UPDATE_SKILL_BY_NAME => writing_path_body(method, Store::update_skill_by_name),
        op::DELETE_SKILL_BY_NAME => writing_path(method, Store::delete_skill_by_name),
        op::LIST_ROLES => reading(method, Store::list_roles),
        op::CREATE_ROLE => writing_body(method, Store::create_role),
        op::GET_ROLE => reading_path(method, Store::get_role),
        op::UPDATE_ROLE => writing_path_body(method, Store::update_role),
        op::DELETE_ROLE => writing_path(method, Store::delete_role),
        op::LIST_GOALS => reading(method, Store::list_goals),
        op::CREATE_GOAL => writing_body(method, Store::create_goal),
        op::GET_GOAL => reading_path(method, Store::get_goal),
        op::UPDATE_GOAL => writing_path_body(method, Store::update_goal),
        op::DELETE_GOAL => writing_path(method, Store::delete_goal),
        op::LIST_SHORTCUTS => reading(method, Store::list_shortcuts),
        op::CREATE_SHORTCUT => writing_body(method, Store::create_shortcut),
        op::GET_SHORTCUT => reading_path(method, Store::get_shortcut),
        op::UPDATE_SHORTCUT => writing_path_body(method, Store::update_shortcut),
        op::DELETE_SHORTCUT => writing_path(method, Store::delete_shortcut),
        op::LIST_TRIGGERS => reading(method, Store::list_triggers),
        op::CREATE_TRIGGER => writing_body(method, Store::create_trigger),
        op::GET_TRIGGER => reading_path(method, Store::get_trigger),
        op::UPDATE_TRIGGER => writing_path_body(method, Store::update_trigger),
        op::DELETE_TRIGGER => writing_path(method, Store::delete_trigger),
        op::LIST_BANS => reading_query(method, Store::list_bans),
        op::CREATE_BAN => writing_body(method, Store::create_ban),
        op::LIST_IP_BANS => reading(method, Store::list_ip_bans),
        op::GET_BAN => reading_path(method, Store::get_ban),
        op::DELETE_BAN => writing_path(method, Store::delete_ban),
        op::GET_ACCOUNT_ROUTING_SETTINGS => reading(method, Store::get_account_routing_settings),
        op::UPDATE_ACCOUNT_ROUTING_SETTINGS => {
            writing_body(method, Store::update_account_routing_settings)
        }
        op::LIST_AGENT_ROUTING_SETTINGS => reading(method, Store::list_agent_routing_settings),
        op::GET_CURRENT_AGENT_ROUTING_SETTINGS => on(method, get_my_routing),
        op::UPDATE_CURRENT_AGENT_ROUTING_SETTINGS => on(method, update_my_routing),
        op::GET_AGENT_ROUTING_SETTINGS => reading_path(method, |store, id| {
            store.get_agent_routing_settings(routing_agent_id(id)?)
        }),
        op::UPDATE_AGENT_ROUTING_SETTINGS => writing_path_body(method, |store, id, body| {
            store.update_agent_routing_settings(routing_agent_id(id)?, body)
        }),
        op::LIST_OAUTH_CLIENTS => reading(method, Store::list_oauth_clients),
        op::CREATE_OAUTH_CLIENT => writing_body(method, Store::create_oauth_client),
        op::GET_OAUTH_CLIENT => reading_path(method, Store::get_oauth_client),
        op::UPDATE_OAUTH_CLIENT => writing_path_body(method, Store::update_oauth_client),
        op::DELETE_OAUTH_CLIENT => writing_path(method, Store::delete_oauth_client),
        op::LIST_OAUTH_TOKENS => reading(method, Store::list_oauth_tokens),
        op::REVOKE_OAUTH_TOKEN => on(method, revoke_oauth_token),
        op::GET_CHAT_METRICS => reading_query(method, Store::get_chat_metrics),
        op::GET_CHAT_METRIC => reading_path_query(method, Store::get_chat_metric),
        op::GET_AGENT_METRICS => reading_query(method, Store::get_agent_metrics),
        op::GET_AGENT_METRIC => reading_path_query(method, Store::get_agent_metric),
        _ => on(method, move || async move { not_implemented(operation) }),
    }
}

// The shapes of the handlers that only read the request's path parameter, query or body and call
// the store: each gives a route of `method` to a store operation.

/// `read(store)`.
fn reading(method: MethodFilter, read: fn(&Store) -> Outcome) -> MethodRouter<AppState> {
    on(method, move |State(s): State<AppState>| async move {
        respond(read(&s.read()))
    })
}

/// `read(store, path parameter)`.
fn reading_path(method: MethodFilter, read: fn(&Store, &str) -> Outcome) -> MethodRouter<AppState> {
    on(
        method,
        move |State(s): State<AppState>, Path(p): Path<String>| async move {
            respond(read(&s.read(), &p))
        },
    )
}

/// `read(store, query)`.
fn reading_query(
    method: MethodFilter,
    read: fn(&Store, &HashMap<String, String>) -> Outcome,
) -> MethodRouter<AppState> {
    on(
        method,
        move |State(s): State<AppState>, RawQuery(q): RawQuery| async move {
            respond(read(&s.read(), &query(q)))
        },
    )
}

/// `read(store, path parameter, query)`.
fn reading_path_query(
    method: MethodFilter,
    read: fn(&Store, &str, &HashMap<String, String>) -> Outcome,
) -> MethodRouter<AppState> {
    on(
        method,
        move |State(s): State<AppState>, Path(p): Path<String>, RawQuery(q): RawQuery| async move {
            respond(read(&s.read(), &p, &query(q)))
        },
    )
}

/// `write(store, body)`.
fn writing_body(
    method: MethodFilter,
    write: fn(&mut Store, &[u8]) -> Outcome,
) -> MethodRouter<AppState> {
    on(
        method,
        move |State(s): State<AppState>, body: Bytes| async move {
            respond(write(&mut s.write(), &body))
        },
    )
}

/// `write(store, path parameter)`.
fn writing_path(
    method: MethodFilter,
    write: fn(&mut Store, &str) -> Outcome,
) -> MethodRouter<AppState> {
    on(
        method,
        move |State(s): State<AppState>, Path(p): Path<String>| async move {
            respond(write(&mut s.write(), &p))
        },
    )
}

/// `write(store, path parameter, body)`.
fn writing_path_body(
    method: MethodFilter,
    write: fn(&mut Store, &str, &[u8]) -> Outcome,
) -> MethodRouter<AppState> {
    on(
        method,
        move |State(s): State<AppState>, Path(p): Path<String>, body: Bytes| async move {
            respond(write(&mut s.write(), &p, &body))
        },
    )
}

/// `DELETE /oauth/tokens/{id}`: the token no longer authenticates.
async fn revoke_oauth_token(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    let revoked = {
        let mut store = s.write();
        let token = id
            .parse()
            .ok()
            .and_then(|key| store.oauth_tokens.get(&key))
            .map(|record| {
                let text = |field: &str| {
                    record
                        .get(field)
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                };
                (text("access_token"), text("refresh_token"))
            });
        store.revoke_oauth_token(&id).map(|answer| (answer, token))
    };
    // Revoked: neither the access token nor its refresh token works any more.
    if let Ok((_, Some((access, refresh)))) = &revoked {
        if let Some(access) = access {
            s.tokens
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(access);
        }
        if let Some(refresh) = refresh {
            s.oauth().forget_refresh_token(refresh);
        }
    }
    respond(revoked.map(|(answer, _)| answer))
}

/// An agent id in a routing settings path; a text that is not one names no agent (404).
fn routing_agent_id(text: &str) -> Result<i64, ErrorAnswer> {
    text.parse().map_err(|_| ErrorAnswer::not_found())
}

async fn get_my_routing(State(s): State<AppState>, headers: HeaderMap) -> Response {
    respond(me(&s, &headers).and_then(|id| s.read().get_agent_routing_settings(id)))
}

async fn update_my_routing(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    respond(me(&s, &headers).and_then(|id| s.write().update_agent_routing_settings(id, &body)))
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
