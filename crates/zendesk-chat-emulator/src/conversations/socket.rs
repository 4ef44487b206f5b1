//! One agent session's WebSocket: frames in, answers and events out, the session's limits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::graphql::{Request, error};
use super::resolvers::{execute, execute_event};
use super::{ChatEvent, Conversations, ConversationsFault};

/// Requests a second a session may make.
const REQUESTS_PER_SECOND: u32 = 100;
/// Concurrent subscriptions a session may hold.
const MAX_SUBSCRIPTIONS: usize = 10;

/// A live subscription of the socket.
struct Active {
    id: String,
    request: Request,
    variables: Value,
}

/// The request count of the current one-second window.
struct Window {
    started: Instant,
    count: u32,
}

impl Window {
    /// Counts a request; `false` past the limit.
    fn admit(&mut self) -> bool {
        if self.started.elapsed() >= Duration::from_secs(1) {
            self.started = Instant::now();
            self.count = 0;
        }
        self.count += 1;
        self.count <= REQUESTS_PER_SECOND
    }
}

/// Serves a session's socket until it closes, the session ends, or a fault drops it.
pub(super) async fn serve(
    socket: WebSocket,
    conversations: Arc<Conversations>,
    session_id: String,
) {
    let (mut sender, mut receiver) = socket.split();
    let mut events = conversations.events.subscribe();
    let mut faults = conversations.faults.subscribe();
    let mut frames = FrameHandler::new(&conversations, &session_id);
    loop {
        tokio::select! {
            frame = receiver.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => continue,
                };
                for reply in frames.handle(text.as_str()) {
                    if sender.send(Message::Text(reply.to_string().into())).await.is_err() {
                        return;
                    }
                }
                match conversations.session(&session_id) {
                    Some(session) if session.ended_by_server => {
                        let frame = json!({"sig": "EOS", "reason": "session ended"});
                        let _ = sender.send(Message::Text(frame.to_string().into())).await;
                        return;
                    }
                    Some(session) if !session.ended => {}
                    _ => {
                        let _ = sender.send(Message::Close(None)).await;
                        return;
                    }
                }
            }
            event = events.recv() => match event {
                Ok(event) => {
                    for frame in frames.events(&event) {
                        if sender.send(Message::Text(frame.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            },
            fault = faults.recv() => match fault {
                // Both halves dropped: the TCP connection ends without a close frame.
                Ok(ConversationsFault::DropSockets) => return,
                Ok(ConversationsFault::EndSessions) => {
                    let frame = json!({"sig": "EOS", "reason": "session ended"});
                    let _ = sender.send(Message::Text(frame.to_string().into())).await;
                    return;
                }
                Err(_) => {}
            },
        }
    }
}

/// What one session's socket answers to the frames a client sends, without the socket: the
/// requests it runs, the subscriptions it holds, its rate limit. The emulator's sockets use it;
/// tests and fuzz targets can drive it directly.
///
/// ```
/// use zendesk_chat_emulator::Emulator;
/// use zendesk_chat_emulator::conversations::FrameHandler;
///
/// let emulator = Emulator::builder().chats(5).build();
/// let (session, _client) = emulator.conversations().start_session(emulator.token()).unwrap();
/// let mut frames = FrameHandler::new(emulator.conversations(), &session);
/// let replies = frames.handle(r#"{"sig":"PING","payload":3}"#);
/// assert_eq!(replies[0]["sig"], "PONG");
/// ```
pub struct FrameHandler<'a> {
    conversations: &'a Conversations,
    session_id: &'a str,
    subscriptions: Vec<Active>,
    window: Window,
}

impl<'a> FrameHandler<'a> {
    /// The handler of a new socket of session `session_id`.
    pub fn new(conversations: &'a Conversations, session_id: &'a str) -> Self {
        Self {
            conversations,
            session_id,
            subscriptions: Vec::new(),
            window: Window {
                started: Instant::now(),
                count: 0,
            },
        }
    }

    /// The replies to one text frame: none for a frame that is not a request, a stop or a ping.
    pub fn handle(&mut self, text: &str) -> Vec<Value> {
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            return Vec::new();
        };
        if frame["sig"] == "PING" {
            return vec![json!({"sig": "PONG", "payload": frame["payload"]})];
        }
        let id = frame["id"].clone();
        let answer = |payload: Value| json!({"id": id, "payload": payload});
        let refuse = |message: String| answer(json!({"errors": [error(message)]}));
        match frame["type"].as_str() {
            Some("request") => {
                if !self.window.admit() {
                    return vec![refuse(
                        "rate limit exceeded: at most 100 requests per second".into(),
                    )];
                }
                let query = frame["payload"]["query"].as_str().unwrap_or_default();
                let variables = frame["payload"]["variables"].clone();
                let request = match Request::parse(query) {
                    Ok(request) => request,
                    Err(errors) => return vec![answer(json!({"errors": errors}))],
                };
                let is_subscription = request
                    .operation()
                    .is_ok_and(|operation| operation.is_subscription());
                if is_subscription {
                    if self.subscriptions.len() >= MAX_SUBSCRIPTIONS {
                        return vec![refuse(format!(
                            "the maximum number of concurrent subscriptions ({MAX_SUBSCRIPTIONS}) is reached"
                        ))];
                    }
                    let subscription_id = format!("subscription{}", self.conversations.next_id());
                    self.subscriptions.push(Active {
                        id: subscription_id.clone(),
                        request,
                        variables,
                    });
                    return vec![answer(
                        json!({"data": {"subscription_id": subscription_id}}),
                    )];
                }
                let ids: Vec<String> = self.subscriptions.iter().map(|s| s.id.clone()).collect();
                vec![answer(execute(
                    self.conversations,
                    self.session_id,
                    &ids,
                    &request,
                    &variables,
                ))]
            }
            Some("stop_subscription") => {
                if !self.window.admit() {
                    return vec![refuse(
                        "rate limit exceeded: at most 100 requests per second".into(),
                    )];
                }
                let stopped = frame["payload"]["subscription_id"].clone();
                self.subscriptions.retain(|s| json!(s.id) != stopped);
                vec![answer(json!({"data": {"success": true}}))]
            }
            _ => Vec::new(),
        }
    }

    /// The `DATA` frames an event of the account gives this socket's subscriptions.
    pub fn events(&self, event: &ChatEvent) -> Vec<Value> {
        self.subscriptions
            .iter()
            .filter_map(|subscription| {
                execute_event(&subscription.request, &subscription.variables, event).map(|data| {
                    json!({"sig": "DATA", "subscription_id": subscription.id, "payload": data})
                })
            })
            .collect()
    }
}
