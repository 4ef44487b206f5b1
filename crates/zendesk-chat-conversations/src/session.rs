//! [`AgentSession`]: a started agent session, its typed calls and subscriptions.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::connection::{self, Command, Connection, Settings};
use crate::error::{Error, Limit, LimitExceeded};
use crate::frames::GraphQLPayload;
use crate::limits::{MAX_SUBSCRIPTIONS, RequestRate, SessionStarts, WhenLimited};
use crate::operations::{StartAgentSession, start_agent_session};
use crate::runtime::{Operation, OperationKind};
use crate::subscription::Subscription;

/// Where the Conversations API is: `POST {endpoint}/graphql/request` starts a session.
pub const DEFAULT_ENDPOINT: &str = "https://chat-api.zopim.com";

/// A started agent session: typed queries and mutations as `async fn`s, typed subscriptions as
/// streams, all over one WebSocket, requests told apart by id.
///
/// The session heals itself: it pings the server and takes a silent socket for dead; a socket
/// that drops is reconnected to the same URL at once and its subscriptions re-established; a
/// session that cannot be recovered, or that the server ends (`EOS`), is started anew, with
/// backoff and never faster than `startAgentSession`'s limit, and the agent's status and every
/// subscription restored. Subscribers see a [`SubscriptionEvent::Reconnected`], never an error
/// that ends their stream.
///
/// ```no_run
/// use futures::StreamExt;
/// use zendesk_chat_conversations::{AgentSession, SubscriptionEvent, operations, types};
///
/// # async fn run() -> Result<(), zendesk_chat_conversations::Error> {
/// let session = AgentSession::start("my-oauth-token").await?;
/// session.update_agent_status(types::AgentStatus::Online).await?;
/// let mut messages = session.subscribe::<operations::Message>(Default::default()).await?;
/// while let Some(event) = messages.next().await {
///     if let SubscriptionEvent::Data(data) = event {
///         println!("{:?}", data.message.and_then(|m| m.node).and_then(|n| n.content));
///     }
/// }
/// session.stop().await?;
/// # Ok(()) }
/// ```
///
/// [`SubscriptionEvent::Reconnected`]: crate::SubscriptionEvent::Reconnected
#[derive(Clone)]
pub struct AgentSession {
    pub(crate) shared: Arc<Shared>,
    /// To the connection task, which ends when every handle (and subscription) is gone.
    pub(crate) commands: mpsc::UnboundedSender<Command>,
}

/// What the handles of a session share with its connection task.
pub(crate) struct Shared {
    pub(crate) rate: RequestRate,
    pub(crate) next_id: AtomicU64,
    pub(crate) subscriptions: AtomicUsize,
    pub(crate) stopping: AtomicBool,
    pub(crate) request_timeout: Duration,
}

impl fmt::Debug for AgentSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentSession")
            .field(
                "subscriptions",
                &self.shared.subscriptions.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

/// Configures and starts an [`AgentSession`].
#[derive(Clone)]
#[must_use]
pub struct AgentSessionBuilder {
    endpoint: String,
    token: Option<SecretString>,
    ping_interval: Duration,
    dead_after: Duration,
    when_limited: WhenLimited,
    starts: SessionStarts,
    max_backoff: Duration,
    request_timeout: Duration,
}

impl fmt::Debug for AgentSessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentSessionBuilder")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("ping_interval", &self.ping_interval)
            .field("dead_after", &self.dead_after)
            .finish_non_exhaustive()
    }
}

impl Default for AgentSessionBuilder {
    fn default() -> Self {
        Self {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            token: None,
            ping_interval: Duration::from_secs(10),
            dead_after: Duration::from_secs(30),
            when_limited: WhenLimited::Queue,
            starts: SessionStarts::shared(),
            max_backoff: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl AgentSessionBuilder {
    /// The API's address (`https://chat-api.zopim.com` by default; the emulator's base URL in
    /// tests). `startAgentSession` is posted to `{endpoint}/graphql/request`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    /// The OAuth access token (scopes `read`, `write` and `chat`). It is never printed, logged or
    /// traced.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }

    /// How often to ping the server (10 s by default).
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.ping_interval = interval.max(Duration::from_millis(10));
        self
    }

    /// How long a socket may stay silent, pings unanswered, before it is taken for dead and
    /// healed (30 s by default).
    pub fn dead_after(mut self, silence: Duration) -> Self {
        self.dead_after = silence.max(Duration::from_millis(20));
        self
    }

    /// What a call does when the 100 requests a second are used up: wait for its turn (the
    /// default) or fail with [`Error::Limit`].
    pub fn when_limited(mut self, when_limited: WhenLimited) -> Self {
        self.when_limited = when_limited;
        self
    }

    /// The `startAgentSession` budget to draw from (the process-wide one by default).
    pub fn session_starts(mut self, starts: SessionStarts) -> Self {
        self.starts = starts;
        self
    }

    /// The longest wait between two attempts to start a new session while healing (60 s by
    /// default).
    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// How long a query or a mutation may wait for its answer (30 s by default), queueing for
    /// the rate limit aside; then [`Error::Timeout`].
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Starts the session: `startAgentSession` over HTTP, then the WebSocket it names.
    pub async fn start(self) -> Result<AgentSession, Error> {
        let token = self
            .token
            .clone()
            .ok_or_else(|| Error::InvalidInput("an access token is needed".into()))?;
        let settings = Settings {
            endpoint: self.endpoint,
            token,
            ping_interval: self.ping_interval,
            // Silence shorter than two pings would take every quiet socket for dead.
            dead_after: self.dead_after.max(self.ping_interval * 2),
            starts: self.starts,
            max_backoff: self.max_backoff,
            // No start may hang the process-wide start budget it holds.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .map_err(|_| Error::Start("the HTTP client could not be built".into()))?,
        };
        let websocket_url = start_session(&settings).await?;
        let socket = connection::connect(&websocket_url).await?;
        let (commands, receiver) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            rate: RequestRate::new(self.when_limited),
            next_id: AtomicU64::new(1),
            subscriptions: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            request_timeout: self.request_timeout,
        });
        let connection = Connection::new(settings, websocket_url, socket, receiver, shared.clone());
        tokio::spawn(connection.run());
        Ok(AgentSession { shared, commands })
    }
}

/// `startAgentSession` over HTTP (no auth header: the token is the argument), drawing from the
/// start budget; the WebSocket URL it answers.
pub(crate) async fn start_session(settings: &Settings) -> Result<String, Error> {
    // Held until the answer is read: the next start waits a second from then.
    let _turn = settings.starts.begin().await?;
    let variables = start_agent_session::Variables {
        access_token: settings.token.expose_secret().to_owned(),
    };
    let body = serde_json::json!({
        "query": StartAgentSession::DOCUMENT,
        "variables": variables,
    });
    let url = format!("{}/graphql/request", settings.endpoint);
    let response = settings
        .http
        .post(&url)
        .json(&body)
        .send()
        .await
        .map_err(|error| Error::Start(describe_http(&error)))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| Error::Start(describe_http(&error)))?;
    let payload: GraphQLPayload = serde_json::from_slice(&bytes).map_err(|_| {
        Error::Start(format!(
            "{status}: the answer is not a GraphQL response ({} bytes)",
            bytes.len()
        ))
    })?;
    let data: start_agent_session::Data = decode::<StartAgentSession>(payload)?;
    data.start_agent_session
        .websocket_url
        .ok_or_else(|| Error::Start("the answer names no websocket_url".into()))
}

/// An HTTP failure in words, without the URL.
fn describe_http(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}

/// The data of an answer, or its errors.
pub(crate) fn decode<O: Operation>(payload: GraphQLPayload) -> Result<O::Data, Error> {
    if !payload.errors.is_empty() {
        return Err(Error::GraphQL {
            operation: O::NAME,
            errors: payload.errors,
        });
    }
    decode_data::<O::Data>(O::NAME, payload.data.unwrap_or(Value::Null))
}

/// Decodes data into its generated type, naming the path of what does not fit.
pub(crate) fn decode_data<T: DeserializeOwned>(
    operation: &'static str,
    data: Value,
) -> Result<T, Error> {
    serde_json::from_value(data).map_err(|error| Error::Decode {
        operation,
        message: error.to_string(),
    })
}

impl AgentSession {
    /// Starts a session with `token` on the real API (see [`builder`](Self::builder) for the
    /// endpoint and the rest).
    pub async fn start(token: impl Into<String>) -> Result<Self, Error> {
        Self::builder().token(token).start().await
    }

    /// Configures a session.
    pub fn builder() -> AgentSessionBuilder {
        AgentSessionBuilder::default()
    }

    /// Runs a query or a mutation and returns its typed data, or the API's errors.
    ///
    /// ```no_run
    /// use zendesk_chat_conversations::operations::{SendMessage, send_message};
    ///
    /// # async fn run(session: zendesk_chat_conversations::AgentSession, channel: zendesk_chat_conversations::Id) -> Result<(), zendesk_chat_conversations::Error> {
    /// let sent = session
    ///     .execute::<SendMessage>(send_message::Variables {
    ///         channel_id: channel,
    ///         msg: "Hello!".into(),
    ///         msg_id: None,
    ///         backoff: None,
    ///         options: None,
    ///     })
    ///     .await?;
    /// assert_eq!(sent.send_message.success, Some(true));
    /// # Ok(()) }
    /// ```
    pub async fn execute<O: Operation>(&self, variables: O::Variables) -> Result<O::Data, Error> {
        if O::KIND == OperationKind::Subscription {
            return Err(Error::InvalidInput(format!(
                "{} is a subscription: use subscribe",
                O::NAME
            )));
        }
        let variables = serde_json::to_value(&variables)
            .map_err(|error| Error::InvalidInput(error.to_string()))?;
        let payload = self.request(O::NAME, O::DOCUMENT, variables).await?;
        decode::<O>(payload)
    }

    /// Subscribes: the events arrive as a stream of [`SubscriptionEvent`]s, across reconnections,
    /// until the stream is dropped (which stops the subscription). At most 10 at once.
    ///
    /// [`SubscriptionEvent`]: crate::SubscriptionEvent
    pub async fn subscribe<O: Operation>(
        &self,
        variables: O::Variables,
    ) -> Result<Subscription<O>, Error> {
        if O::KIND != OperationKind::Subscription {
            return Err(Error::InvalidInput(format!(
                "{} is not a subscription: use execute",
                O::NAME
            )));
        }
        let held = self.shared.subscriptions.fetch_add(1, Ordering::SeqCst);
        if held >= MAX_SUBSCRIPTIONS {
            self.shared.subscriptions.fetch_sub(1, Ordering::SeqCst);
            return Err(Error::Limit(LimitExceeded {
                limit: Limit::Subscriptions,
                retry_after: None,
            }));
        }
        // From here the count is the subscription's: its drop gives it back.
        let variables = match serde_json::to_value(&variables) {
            Ok(variables) => variables,
            Err(error) => {
                self.shared.subscriptions.fetch_sub(1, Ordering::SeqCst);
                return Err(Error::InvalidInput(error.to_string()));
            }
        };
        let key = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let (events, receiver) = mpsc::unbounded_channel();
        let subscription =
            Subscription::new(key, receiver, self.shared.clone(), self.commands.clone());
        self.shared.rate.take().await?;
        let (ack, acked) = oneshot::channel();
        self.send(Command::Subscribe {
            key,
            operation: O::NAME,
            document: O::DOCUMENT,
            variables,
            events,
            ack,
        })?;
        let waited = self.shared.request_timeout;
        match tokio::time::timeout(waited, acked).await {
            Ok(Ok(Ok(()))) => Ok(subscription),
            Ok(Ok(Err(error))) => Err(error),
            Ok(Err(_)) => Err(Error::Closed(None)),
            Err(_) => Err(Error::Timeout {
                operation: O::NAME,
                waited,
            }),
        }
    }

    /// Stops the session in order: `stopAgentSession`, then the socket is closed and every
    /// subscription's stream ends.
    pub async fn stop(&self) -> Result<(), Error> {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let stopped = self
            .execute::<crate::operations::StopAgentSession>(Default::default())
            .await
            .map(|_| ());
        let (reply, done) = oneshot::channel();
        let _ = self.commands.send(Command::Close { reply });
        let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
        stopped
    }

    /// Sends a request frame and waits for its answer.
    async fn request(
        &self,
        operation: &'static str,
        document: &'static str,
        variables: Value,
    ) -> Result<GraphQLPayload, Error> {
        self.shared.rate.take().await?;
        let (reply, answered) = oneshot::channel();
        self.send(Command::Request {
            operation,
            document,
            variables,
            reply,
        })?;
        let waited = self.shared.request_timeout;
        match tokio::time::timeout(waited, answered).await {
            Ok(answer) => answer.unwrap_or(Err(Error::Closed(None))),
            Err(_) => Err(Error::Timeout { operation, waited }),
        }
    }

    fn send(&self, command: Command) -> Result<(), Error> {
        self.commands.send(command).map_err(|_| Error::Closed(None))
    }
}
