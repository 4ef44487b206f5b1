//! The Conversations API (GraphQL over a WebSocket), served beside the REST API on the same
//! port: `POST /graphql/request` runs `startAgentSession`, and the WebSocket it names,
//! `/stream/0.1/graphql/{session_id}:{client_id}`, carries every other request.
//!
//! Every request is validated against the curated schema (a field it lacks gets GraphQL
//! `errors`, as a real GraphQL server answers) and executed over the account: its agents,
//! departments and chats. Subscriptions are acknowledged with a `subscription_id` and get `DATA`
//! events. The API's limits are enforced: 100 requests a second a session, 10 subscriptions,
//! `startAgentSession` once a second a token, depth 11. Simulated visitors start chats and send
//! messages now and then, so a bot sees traffic with no setup; `sendMessage` adds the agent's
//! message to the chat's history, visible through the REST API too, and every message, join and
//! leave to its channel's chat log (`channels { … chat_logs }`), where a client reads what it
//! missed while disconnected. Faults on demand for tests: drop the sockets, send `EOS`, refuse
//! the next session. [`FrameHandler`] answers a socket's frames without the socket.

pub mod graphql;
mod resolvers;
mod socket;
mod visitors;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::http::Shared as RestShared;

pub use socket::FrameHandler;
pub use visitors::{VisitorChannel, visitor_leaves, visitor_message as visitors_say};

/// How often simulated visitors act, by default.
pub const DEFAULT_VISITOR_INTERVAL: Duration = Duration::from_secs(1);

/// Something that happened in a chat, for the subscriptions.
#[derive(Debug, Clone)]
pub enum ChatEvent {
    /// A message (the `Message` object, as JSON with `__typename`s).
    Message(Value),
    /// Other chat activity (a `ChatLog` object: `MemberJoinLog`, `MemberLeaveLog`, …).
    Activity(Value),
}

/// A fault to inject into the Conversations API, for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationsFault {
    /// Drop every open socket without a close frame; the sessions stay valid, so a client can
    /// reconnect to the same URL.
    DropSockets,
    /// Send `{"sig":"EOS"}` on every open socket and end the sessions: a client must start anew.
    EndSessions,
}

/// An agent session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The REST id of the agent the token belongs to.
    pub agent_id: i64,
    /// The agent's status, as last set.
    pub status: String,
    /// Whether the session was ended (stopped, or by `EOS`).
    pub ended: bool,
    /// Whether it was ended by the server (a fault), so that its sockets get `EOS`.
    pub ended_by_server: bool,
}

/// The Conversations API's state.
#[derive(Debug)]
pub struct Conversations {
    rest: Arc<RestShared>,
    sessions: Mutex<HashMap<String, Session>>,
    starts: Mutex<HashMap<String, Vec<Instant>>>,
    refuse_next_session: AtomicBool,
    next_id: AtomicU64,
    pub(crate) events: broadcast::Sender<ChatEvent>,
    faults: broadcast::Sender<ConversationsFault>,
    pub(crate) channels: Mutex<visitors::Channels>,
}

impl Conversations {
    /// The Conversations API over the REST emulator's account.
    pub fn new(rest: Arc<RestShared>) -> Arc<Self> {
        Arc::new(Self {
            rest,
            sessions: Mutex::new(HashMap::new()),
            starts: Mutex::new(HashMap::new()),
            refuse_next_session: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
            events: broadcast::channel(1024).0,
            faults: broadcast::channel(16).0,
            channels: Mutex::new(visitors::Channels::default()),
        })
    }

    /// Injects a fault into every open socket.
    pub fn inject(&self, fault: ConversationsFault) {
        if fault == ConversationsFault::EndSessions {
            for session in lock(&self.sessions).values_mut() {
                session.ended = true;
                session.ended_by_server = true;
            }
        }
        let _ = self.faults.send(fault);
    }

    /// Refuses the next `startAgentSession` with GraphQL errors.
    pub fn refuse_next_session(&self) {
        self.refuse_next_session.store(true, Ordering::SeqCst);
    }

    /// The sessions so far, by id.
    pub fn sessions(&self) -> HashMap<String, Session> {
        lock(&self.sessions).clone()
    }

    /// Publishes an event to every subscription.
    pub fn publish(&self, event: ChatEvent) {
        let _ = self.events.send(event);
    }

    pub(crate) fn rest(&self) -> &RestShared {
        &self.rest
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn session(&self, id: &str) -> Option<Session> {
        lock(&self.sessions).get(id).cloned()
    }

    pub(crate) fn update_session(&self, id: &str, change: impl FnOnce(&mut Session)) {
        if let Some(session) = lock(&self.sessions).get_mut(id) {
            change(session);
        }
    }

    /// Starts a session for `token` as `startAgentSession` does (its limits included): its
    /// session id and client id, or the reason it was refused.
    pub fn start_session(&self, token: &str) -> Result<(String, String), String> {
        if self.refuse_next_session.swap(false, Ordering::SeqCst) {
            return Err(
                "startAgentSession: the session could not be started (injected fault)".into(),
            );
        }
        let agent_id = self
            .rest
            .tokens
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)
            .copied()
            .ok_or("startAgentSession: invalid access token")?;
        {
            let mut starts = lock(&self.starts);
            let history = starts.entry(token.to_owned()).or_default();
            let now = Instant::now();
            history.retain(|at| now.duration_since(*at) < Duration::from_secs(3600));
            if history
                .last()
                .is_some_and(|last| now.duration_since(*last) < Duration::from_secs(1))
            {
                return Err(
                    "startAgentSession: rate limit exceeded: at most 1 request per second".into(),
                );
            }
            if history.len() >= 50 {
                return Err(
                    "startAgentSession: rate limit exceeded: at most 50 requests per hour".into(),
                );
            }
            history.push(now);
        }
        let session_id = format!("session{}", self.next_id());
        let client_id = format!("client{}", self.next_id());
        lock(&self.sessions).insert(
            session_id.clone(),
            Session {
                agent_id,
                status: "OFFLINE".into(),
                ended: false,
                ended_by_server: false,
            },
        );
        Ok((session_id, client_id))
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The Conversations API's routes.
pub fn router(conversations: Arc<Conversations>) -> Router {
    Router::new()
        .route("/graphql/request", post(http_request))
        .route("/stream/0.1/graphql/{session_client}", get(websocket))
        .with_state(conversations)
}

/// Starts simulated visitors: every `interval`, a visitor starts a chat or writes in one.
pub fn spawn_visitors(conversations: Arc<Conversations>, interval: Duration, seed: u64) {
    tokio::spawn(visitors::run(conversations, interval, seed));
}

/// `POST /graphql/request`: `startAgentSession` only (everything else goes over the WebSocket).
async fn http_request(
    State(conversations): State<Arc<Conversations>>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return graphql_errors(vec![graphql::error(
            "the body is not a GraphQL request (JSON)",
        )]);
    };
    let query = request["query"].as_str().unwrap_or_default();
    let variables = request.get("variables").cloned().unwrap_or(Value::Null);
    let parsed = match graphql::Request::parse(query) {
        Ok(parsed) => parsed,
        Err(errors) => return graphql_errors(errors),
    };
    let base_url = conversations.rest.base_url.clone();
    let response = resolvers::execute_start(&parsed, &variables, |token| {
        conversations
            .start_session(token)
            .map(|(session_id, client_id)| {
                let websocket_url = format!(
                    "{}/stream/0.1/graphql/{session_id}:{client_id}",
                    base_url.replacen("http", "ws", 1)
                );
                json!({
                    "websocket_url": websocket_url,
                    "session_id": session_id,
                    "client_id": client_id,
                })
            })
    });
    Json(response).into_response()
}

fn graphql_errors(errors: Vec<Value>) -> Response {
    Json(json!({"errors": errors})).into_response()
}

/// `GET /stream/0.1/graphql/{session_id}:{client_id}`: the session's WebSocket.
async fn websocket(
    State(conversations): State<Arc<Conversations>>,
    Path(session_client): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let session_id = session_client
        .split_once(':')
        .map_or(session_client.as_str(), |(session, _)| session)
        .to_owned();
    match conversations.session(&session_id) {
        Some(session) if !session.ended => upgrade
            .on_upgrade(move |socket| socket::serve(socket, conversations, session_id))
            .into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "Not Found", "description": "no such agent session"})),
        )
            .into_response(),
    }
}
