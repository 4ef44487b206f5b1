//! The task that owns a session's WebSocket: it sends the handles' requests, routes answers and
//! subscription events back by id, pings, and heals the session when the socket dies or the
//! server ends it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::error::Error;
use crate::frames::{GraphQLPayload, Incoming, Outgoing};
use crate::limits::SessionStarts;
use crate::operations::UpdateAgentStatus;
use crate::runtime::Operation;
use crate::session::{Shared, start_session};

/// A session's WebSocket.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long opening a WebSocket may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a session reaches the API again.
pub(crate) struct Settings {
    pub(crate) endpoint: String,
    pub(crate) token: SecretString,
    pub(crate) ping_interval: Duration,
    pub(crate) dead_after: Duration,
    pub(crate) starts: SessionStarts,
    pub(crate) max_backoff: Duration,
    pub(crate) http: reqwest::Client,
}

/// What a handle asks of the connection task.
pub(crate) enum Command {
    /// A query or a mutation.
    Request {
        operation: &'static str,
        document: &'static str,
        variables: Value,
        reply: oneshot::Sender<Result<GraphQLPayload, Error>>,
    },
    /// A subscription, under the handle's `key` (the server's id changes across reconnections).
    Subscribe {
        key: u64,
        operation: &'static str,
        document: &'static str,
        variables: Value,
        events: mpsc::UnboundedSender<RawEvent>,
        ack: oneshot::Sender<Result<(), Error>>,
    },
    /// The subscription's stream was dropped.
    Unsubscribe { key: u64 },
    /// Close the socket and end.
    Close { reply: oneshot::Sender<()> },
}

/// What a subscription's stream receives.
#[derive(Debug)]
pub(crate) enum RawEvent {
    /// An event's GraphQL response.
    Data(GraphQLPayload),
    /// The connection was healed; events may have been missed.
    Reconnected { new_session: bool },
    /// The session is over.
    Closed,
}

/// An answer the task waits for, by frame id.
enum Pending {
    Request {
        operation: &'static str,
        reply: oneshot::Sender<Result<GraphQLPayload, Error>>,
    },
    Subscribe {
        key: u64,
    },
    /// A request the task made itself (restoring the agent's status).
    Internal,
}

/// A live subscription.
struct Subscribed {
    operation: &'static str,
    document: &'static str,
    variables: Value,
    events: mpsc::UnboundedSender<RawEvent>,
    server_id: Option<String>,
    ack: Option<oneshot::Sender<Result<(), Error>>>,
    /// Re-established after healing, `Reconnected { new_session }` to send once acknowledged.
    healed: Option<bool>,
}

/// Opens a WebSocket.
pub(crate) async fn connect(url: &str) -> Result<Socket, Error> {
    // Nagle off: a frame is sent at once, not held back for more.
    let connecting = tokio_tungstenite::connect_async_with_config(url, None, true);
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(error)) => Err(Error::Start(format!(
            "the WebSocket could not be opened: {}",
            describe_socket_error(&error)
        ))),
        Err(_) => Err(Error::Start("opening the WebSocket timed out".into())),
    }
}

fn describe_socket_error(error: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error as E;
    match error {
        E::Http(response) => format!("the server answered {}", response.status()),
        E::Io(error) => format!("{}", error.kind()),
        E::ConnectionClosed | E::AlreadyClosed => "the connection closed".into(),
        E::Url(_) => "the URL is not a WebSocket URL".into(),
        E::Tls(_) => "TLS failed".into(),
        _ => "the handshake failed".into(),
    }
}

/// The connection task's state.
pub(crate) struct Connection {
    settings: Settings,
    url: String,
    socket: Socket,
    commands: mpsc::UnboundedReceiver<Command>,
    shared: Arc<Shared>,
    pending: HashMap<String, Pending>,
    subscriptions: BTreeMap<u64, Subscribed>,
    server_ids: HashMap<String, u64>,
    /// The variables of the agent's last status update, restored on a new session.
    agent_status: Option<Value>,
    last_heard: Instant,
    pings: u64,
    /// Server subscriptions to stop: acknowledged after their stream was dropped, or waiting
    /// for a turn of the rate limit.
    to_stop: Vec<String>,
}

impl Connection {
    pub(crate) fn new(
        settings: Settings,
        url: String,
        socket: Socket,
        commands: mpsc::UnboundedReceiver<Command>,
        shared: Arc<Shared>,
    ) -> Self {
        Self {
            settings,
            url,
            socket,
            commands,
            shared,
            pending: HashMap::new(),
            subscriptions: BTreeMap::new(),
            server_ids: HashMap::new(),
            agent_status: None,
            last_heard: Instant::now(),
            pings: 0,
            to_stop: Vec::new(),
        }
    }

    /// Runs until the session is closed, or every handle is gone.
    pub(crate) async fn run(mut self) {
        let mut ping = tokio::time::interval(self.settings.ping_interval);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = self.commands.recv() => match command {
                    None => return self.close(None).await,
                    Some(Command::Close { reply }) => {
                        self.close(Some("stopped".into())).await;
                        let _ = reply.send(());
                        return;
                    }
                    Some(command) => {
                        if !self.handle(command).await && !self.heal(false).await {
                            return;
                        }
                    }
                },
                frame = self.socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        self.last_heard = Instant::now();
                        match Incoming::parse(text.as_str()) {
                            Ok(Incoming::EndOfSession { reason }) => {
                                tracing::warn!(reason = reason.as_deref(), "the server ended the agent session");
                                if !self.heal(true).await {
                                    return;
                                }
                            }
                            Ok(frame) => {
                                self.dispatch(frame);
                                self.send_stops().await;
                            }
                            Err(_) => tracing::warn!("a frame that is not JSON was ignored"),
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                        if self.shared.stopping.load(Ordering::SeqCst) {
                            return self.close(Some("stopped".into())).await;
                        }
                        tracing::warn!("the agent session's socket closed; reconnecting");
                        if !self.heal(false).await {
                            return;
                        }
                    }
                    Some(Ok(_)) => self.last_heard = Instant::now(),
                },
                _ = ping.tick() => {
                    if self.last_heard.elapsed() > self.settings.dead_after {
                        tracing::warn!("the agent session's socket is silent; reconnecting");
                        if !self.heal(false).await {
                            return;
                        }
                    } else {
                        self.pings += 1;
                        let frame = Outgoing::ping(self.pings).to_text();
                        if !self.send_text(frame).await && !self.heal(false).await {
                            return;
                        }
                        self.send_stops().await;
                    }
                },
            }
        }
    }

    /// Carries out a command; `false` when the socket failed.
    async fn handle(&mut self, command: Command) -> bool {
        match command {
            Command::Request {
                operation,
                document,
                variables,
                reply,
            } => {
                if operation == UpdateAgentStatus::NAME {
                    self.agent_status = Some(variables.clone());
                }
                let id = self.next_id();
                let frame = Outgoing::request(id, document, &variables).to_text();
                self.pending
                    .insert(id.to_string(), Pending::Request { operation, reply });
                self.send_text(frame).await
            }
            Command::Subscribe {
                key,
                operation,
                document,
                variables,
                events,
                ack,
            } => {
                let id = self.next_id();
                let frame = Outgoing::request(id, document, &variables).to_text();
                self.subscriptions.insert(
                    key,
                    Subscribed {
                        operation,
                        document,
                        variables,
                        events,
                        server_id: None,
                        ack: Some(ack),
                        healed: None,
                    },
                );
                self.pending
                    .insert(id.to_string(), Pending::Subscribe { key });
                self.send_text(frame).await
            }
            Command::Unsubscribe { key } => {
                let Some(subscription) = self.subscriptions.remove(&key) else {
                    return true;
                };
                // Not acknowledged yet: the stop goes out when the acknowledgement comes.
                let Some(server_id) = subscription.server_id else {
                    return true;
                };
                self.server_ids.remove(&server_id);
                self.to_stop.push(server_id);
                self.send_stops().await;
                true
            }
            Command::Close { .. } => unreachable!("handled by run"),
        }
    }

    /// Routes an answer or an event to whoever waits for it.
    fn dispatch(&mut self, frame: Incoming) {
        match frame {
            Incoming::Answer { id, payload } => match self.pending.remove(&id) {
                Some(Pending::Request { reply, .. }) => {
                    let _ = reply.send(Ok(payload));
                }
                Some(Pending::Subscribe { key }) => self.acknowledged(key, payload),
                Some(Pending::Internal) => {
                    if !payload.errors.is_empty() {
                        tracing::warn!(errors = ?payload.errors, "a request of the session's own was refused");
                    }
                }
                None => tracing::debug!(id, "an answer nobody waits for"),
            },
            Incoming::Data {
                subscription_id,
                payload,
            } => {
                let subscription = self
                    .server_ids
                    .get(&subscription_id)
                    .and_then(|key| self.subscriptions.get(key));
                match subscription {
                    Some(subscription) => {
                        let _ = subscription.events.send(RawEvent::Data(payload));
                    }
                    None => tracing::debug!(subscription_id, "an event of no subscription"),
                }
            }
            Incoming::Pong | Incoming::Other | Incoming::EndOfSession { .. } => {}
        }
    }

    /// The answer to a subscription request: its server id, or its refusal.
    fn acknowledged(&mut self, key: u64, payload: GraphQLPayload) {
        let server_id = payload
            .data
            .as_ref()
            .and_then(|data| data.get("subscription_id"))
            .and_then(|id| match id {
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            });
        let Some(subscription) = self.subscriptions.get_mut(&key) else {
            // Its stream was dropped before the server acknowledged it: stop it there too.
            self.to_stop.extend(server_id);
            return;
        };
        match (server_id, payload.errors.is_empty()) {
            (Some(server_id), true) => {
                self.server_ids.insert(server_id.clone(), key);
                subscription.server_id = Some(server_id);
                if let Some(ack) = subscription.ack.take() {
                    let _ = ack.send(Ok(()));
                }
                if let Some(new_session) = subscription.healed.take() {
                    let _ = subscription
                        .events
                        .send(RawEvent::Reconnected { new_session });
                }
            }
            (_, _) => {
                let error = Error::GraphQL {
                    operation: subscription.operation,
                    errors: if payload.errors.is_empty() {
                        vec![crate::GraphQLError::new(
                            "the subscription was answered without a subscription_id",
                        )]
                    } else {
                        payload.errors
                    },
                };
                match subscription.ack.take() {
                    Some(ack) => {
                        let _ = ack.send(Err(error));
                        self.subscriptions.remove(&key);
                    }
                    None => {
                        // Refused after a heal: the subscriber gets the errors, then its stream
                        // ends (rather than waiting for events that will not come).
                        tracing::warn!(%error, "a subscription could not be re-established");
                        let _ = subscription.events.send(RawEvent::Data(GraphQLPayload {
                            data: None,
                            errors: match error {
                                Error::GraphQL { errors, .. } => errors,
                                _ => Vec::new(),
                            },
                        }));
                        let _ = subscription.events.send(RawEvent::Closed);
                        self.subscriptions.remove(&key);
                    }
                }
            }
        }
    }

    /// Heals the session: the same URL again at once (unless `new_session`), else a new session
    /// with backoff, its status restored; then every subscription again, and a `Reconnected`
    /// event to each.
    /// `false` when the session is over (being stopped): the task then ends.
    async fn heal(&mut self, mut new_session: bool) -> bool {
        if self.shared.stopping.load(Ordering::SeqCst) {
            self.close(Some("stopped".into())).await;
            return false;
        }
        for (_, pending) in self.pending.drain() {
            if let Pending::Request { operation, reply } = pending {
                let _ = reply.send(Err(Error::ConnectionLost { operation }));
            }
        }
        self.server_ids.clear();
        for subscription in self.subscriptions.values_mut() {
            subscription.server_id = None;
        }
        if !new_session {
            new_session = !self.reconnect_same_url().await;
        }
        if new_session && !self.start_new_session().await {
            self.close(Some("stopped while reconnecting".into())).await;
            return false;
        }
        self.last_heard = Instant::now();
        if new_session && let Some(status) = self.agent_status.clone() {
            self.shared.rate.wait_turn().await;
            let id = self.next_id();
            let frame = Outgoing::request(id, UpdateAgentStatus::DOCUMENT, &status).to_text();
            self.pending.insert(id.to_string(), Pending::Internal);
            self.send_text(frame).await;
        }
        // Each subscription again; its `Reconnected` goes out once the server has acknowledged
        // it, so that no event after the event is missed.
        let keys: Vec<u64> = self.subscriptions.keys().copied().collect();
        for key in keys {
            self.shared.rate.wait_turn().await;
            let id = self.next_id();
            let subscription = self.subscriptions.get_mut(&key).expect("listed above");
            // A subscription not yet acknowledged at all gets no `Reconnected`: it never ran.
            if subscription.ack.is_none() {
                subscription.healed = Some(new_session || subscription.healed.unwrap_or(false));
            }
            let frame =
                Outgoing::request(id, subscription.document, &subscription.variables).to_text();
            self.pending
                .insert(id.to_string(), Pending::Subscribe { key });
            self.send_text(frame).await;
        }
        tracing::info!(new_session, "the agent session is healed");
        true
    }

    /// Sends the queued stops, each in a turn of the rate limit; those without a turn now wait
    /// for the next ping.
    async fn send_stops(&mut self) {
        while let Some(server_id) = self.to_stop.pop() {
            if !self.shared.rate.try_turn() {
                self.to_stop.push(server_id);
                return;
            }
            let id = self.next_id();
            let frame = Outgoing::stop(id, &server_id).to_text();
            self.pending.insert(id.to_string(), Pending::Internal);
            if !self.send_text(frame).await {
                return;
            }
        }
    }

    /// Reconnects to the session's URL, at once and then twice more shortly after.
    async fn reconnect_same_url(&mut self) -> bool {
        for delay in [0, 100, 400] {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            if let Ok(socket) = connect(&self.url).await {
                self.socket = socket;
                return true;
            }
        }
        false
    }

    /// Starts a new session and connects to it, with backoff and within the start budget, until
    /// it works or the session is being stopped.
    async fn start_new_session(&mut self) -> bool {
        let mut backoff = Duration::from_millis(250);
        loop {
            if self.shared.stopping.load(Ordering::SeqCst) {
                return false;
            }
            match start_session(&self.settings).await {
                Ok(url) => match connect(&url).await {
                    Ok(socket) => {
                        self.url = url;
                        self.socket = socket;
                        return true;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "a new session's socket could not be opened")
                    }
                },
                Err(error) => {
                    if let Some(wait) = SessionStarts::wait_hint(&error) {
                        tracing::warn!(wait_s = wait.as_secs_f64(), "waiting for the start budget");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    tracing::warn!(%error, "a new session could not be started");
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(self.settings.max_backoff);
        }
    }

    /// Ends the session: the socket closed, every subscription's stream ended, every waiting
    /// call answered.
    async fn close(&mut self, reason: Option<String>) {
        let _ = self.socket.close(None).await;
        for (_, pending) in self.pending.drain() {
            if let Pending::Request { reply, .. } = pending {
                let _ = reply.send(Err(Error::Closed(reason.clone())));
            }
        }
        for (_, subscription) in std::mem::take(&mut self.subscriptions) {
            if let Some(ack) = subscription.ack {
                let _ = ack.send(Err(Error::Closed(reason.clone())));
            }
            let _ = subscription.events.send(RawEvent::Closed);
        }
    }

    /// Sends a text frame; `false` when the socket failed.
    async fn send_text(&mut self, frame: String) -> bool {
        self.socket.send(Message::text(frame)).await.is_ok()
    }

    fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }
}
