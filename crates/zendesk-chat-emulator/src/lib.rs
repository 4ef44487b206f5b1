//! A local Zendesk Chat API: a stateful in-memory HTTP server that behaves like the REST API the
//! reference pages describe, for tests, demos and benchmarks, without an account.
//!
//! It implements every operation of the spec: chats (list, fetch by ids, search with its query
//! language and its 250-page window, show, create offline messages, update with dotted keys,
//! delete, bulk delete with per-id reasons), agents (cursor paging with `since_id`, `max_id` and
//! `limit`, by id, by email, `me`, create, update, delete, delete shortcuts), visitors, the
//! account, departments and skills (also by name), roles, goals (at most five enabled), bans
//! (paged by id over two arrays), shortcuts (named by their ids, 15,000 at most), triggers (by
//! name or id), routing settings, OAuth clients and tokens, the five incremental exports (cursors,
//! `next_page`, `fields` expansion, the five-minute rule) and the real-time metrics. It
//! answers bad input with Zendesk's JSON errors, and can rate-limit and inject faults. Its
//! generated accounts carry the shapes of production payloads (numeric `msg_id`s, array webpath
//! items, nulls, `+00:00Z` session dates; see `fake_account`), so that clients meet them in tests.
//!
//! Beside the REST API, on the same port, it serves the Conversations API ([`conversations`]):
//! `startAgentSession` over HTTP, then GraphQL over the WebSocket it names, validated against the
//! curated schema, with the API's limits, simulated visitors and faults on demand.
//!
//! As a library, in a test:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use zendesk_chat_emulator::Emulator;
//!
//! let emulator = Emulator::builder().seed(42).chats(200).start().await?;
//! let client = zendesk_chat::Client::builder()
//!     .base_url(emulator.base_url())
//!     .token(emulator.token())
//!     .build()?;
//! let me = client.get_current_agent().await?;
//! assert!(me.email.is_some());
//! assert_eq!(emulator.requests().len(), 1);
//! # Ok(()) }
//! ```
//!
//! As a program: `zendesk-chat-emulator --port 8080 --seed 42 --chats 100000`.
//!
//! Responses are built from the generated models of `zendesk-chat`, so the emulator and the spec
//! cannot drift apart. Where the docs leave a behaviour open, the emulator's choice is documented
//! on the operation (see [`Store`]).

// No unsafe code in this crate (the workspace only denies it; see the root Cargo.toml).
#![forbid(unsafe_code)]

pub mod conversations;
mod fake_account;
mod http;
mod store;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

pub use fake_account::AccountSize;
pub use http::{EnforcedRateLimit, Fault, Faults, RequestRecord};
pub use store::Store;
pub use store::chats::search as search_language;

/// The token the emulator accepts unless told otherwise.
pub const DEFAULT_TOKEN: &str = "emulator-token";

/// Configures an [`Emulator`]; start with [`Emulator::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct EmulatorBuilder {
    seed: u64,
    size: AccountSize,
    tokens: Vec<String>,
    rate_limit: Option<EnforcedRateLimit>,
    faults: Faults,
    backdate: Duration,
    record_bodies: bool,
    compression: bool,
    address: SocketAddr,
    agents_read_only: bool,
    visitors: Option<Duration>,
    oauth_token_lifetime: Option<Duration>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            seed: 1,
            size: AccountSize::default(),
            tokens: Vec::new(),
            rate_limit: None,
            faults: Faults::none(),
            backdate: Duration::ZERO,
            record_bodies: false,
            compression: true,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            agents_read_only: false,
            visitors: None,
            oauth_token_lifetime: None,
        }
    }
}

impl EmulatorBuilder {
    /// Access tokens issued by the OAuth endpoints stop authenticating after `lifetime` (they
    /// last until revoked by default), so that a client's refresh is tested.
    pub fn oauth_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.oauth_token_lifetime = Some(lifetime);
        self
    }

    /// The seed of the generated account (1 by default): the same seed, the same account.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// An account with this many chats (and proportionate agents, visitors, …).
    pub fn chats(mut self, chats: usize) -> Self {
        self.size = AccountSize::with_chats(chats);
        self
    }

    /// An account of exactly this size.
    pub fn account(mut self, size: AccountSize) -> Self {
        self.size = size;
        self
    }

    /// Accept this access token (several can be added); [`DEFAULT_TOKEN`] if none is. Each
    /// belongs to the account's owner, the first agent.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.tokens.push(token.into());
        self
    }

    /// Answer 429 (with `Retry-After`) past `requests` per `per`.
    pub fn rate_limit(mut self, requests: u32, per: Duration) -> Self {
        self.rate_limit = Some(EnforcedRateLimit { requests, per });
        self
    }

    /// Inject these faults.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Stamp changes this long ago, so that a change can be exported at once (the API refuses a
    /// `start_time` less than five minutes old). Zero by default.
    pub fn backdate_changes(mut self, by: Duration) -> Self {
        self.backdate = by;
        self
    }

    /// Keep every response's body in the request log (see [`Emulator::requests`]).
    pub fn record_bodies(mut self, record: bool) -> Self {
        self.record_bodies = record;
        self
    }

    /// Whether REST answers are compressed with gzip for a client that asks
    /// (`Accept-Encoding: gzip`), as web servers in front of APIs do; on by default. Zendesk's
    /// reference does not say either way; a client must take both. Off, a benchmark on this
    /// machine measures the client rather than the compressor.
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }

    /// Behave as a Chat account created from Zendesk Support: agents can be read, and creating,
    /// updating or deleting one answers 403.
    pub fn agents_read_only(mut self, read_only: bool) -> Self {
        self.agents_read_only = read_only;
        self
    }

    /// Simulated visitors on the Conversations API: every `interval`, a visitor starts a chat or
    /// writes in one (off by default in the library, so that an account stays as generated; the
    /// binary turns them on unless `--no-visitors`). They start with the server
    /// ([`start`](Self::start)).
    pub fn simulated_visitors(mut self, interval: Option<Duration>) -> Self {
        self.visitors = interval;
        self
    }

    /// Listen on this address (`127.0.0.1` and a free port by default).
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// Generates the account and starts serving it on [`address`](Self::address).
    pub async fn start(self) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(self.address).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (visitors, seed) = (self.visitors, self.seed);
        let mut emulator = tokio::task::spawn_blocking(move || self.build_at(base_url))
            .await
            .map_err(std::io::Error::other)?;
        if let Some(interval) = visitors {
            conversations::spawn_visitors(emulator.conversations.clone(), interval, seed);
        }
        emulator.serve(listener);
        Ok(emulator)
    }

    /// Generates the account and builds the emulator without serving it: its
    /// [`router`](Emulator::router) answers requests in-process, with no socket, as fuzzing and
    /// benchmarks of the emulator itself want. Links in its answers (`next_page`, the
    /// Conversations URL) name [`address`](Self::address). Simulated visitors start only when
    /// asked ([`Emulator::start_simulated_visitors`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use tower::ServiceExt;
    /// use zendesk_chat_emulator::Emulator;
    ///
    /// let emulator = Emulator::builder().chats(5).build();
    /// let request = axum::http::Request::get("/api/v2/chat/agents/me")
    ///     .header("authorization", format!("Bearer {}", emulator.token()))
    ///     .body(axum::body::Body::empty())
    ///     .unwrap();
    /// let response = emulator.router().oneshot(request).await.unwrap();
    /// assert_eq!(response.status(), 200);
    /// # }
    /// ```
    pub fn build(self) -> Emulator {
        let base_url = format!("http://{}", self.address);
        self.build_at(base_url)
    }

    /// The one construction path: the account, the shared state and the router.
    fn build_at(self, base_url: String) -> Emulator {
        let mut store = fake_account::account(self.seed, &self.size);
        store.clock.backdate = self.backdate;
        store.agents_read_only = self.agents_read_only;
        let owner = store.owner_id().unwrap_or_default();
        let tokens = if self.tokens.is_empty() {
            vec![DEFAULT_TOKEN.to_owned()]
        } else {
            self.tokens
        };
        let shared = Arc::new(http::Shared {
            store: RwLock::new(store),
            tokens: RwLock::new(
                tokens
                    .iter()
                    .map(|t| (t.clone(), owner))
                    .collect::<HashMap<_, _>>(),
            ),
            faults: Mutex::new(self.faults),
            scripted: Mutex::new(HashMap::new()),
            rate_limit: Mutex::new(self.rate_limit.map(http::gate_window)),
            log: Mutex::new(Vec::new()),
            record_bodies: AtomicBool::new(self.record_bodies),
            requests: AtomicU64::new(0),
            base_url: base_url.clone(),
            oauth: Mutex::new(http::oauth::OAuthServer::new(self.oauth_token_lifetime)),
        });
        let conversations = conversations::Conversations::new(shared.clone());
        let mut rest = http::router(shared.clone());
        if self.compression {
            // Outside the gate: its log keeps bodies as answered, and a body it cuts is cut
            // compressed. The fastest level: an emulator's time is better spent answering.
            rest = rest.layer(
                tower_http::compression::CompressionLayer::new()
                    .quality(tower_http::CompressionLevel::Fastest),
            );
        }
        let router = rest
            .merge(conversations::router(conversations.clone()))
            .merge(http::oauth::router(shared.clone()));
        Emulator {
            base_url,
            token: tokens[0].clone(),
            shared,
            conversations,
            router,
            stop: None,
            task: None,
        }
    }
}

/// An emulator: its account, its state and its router, served on a socket when made by
/// [`EmulatorBuilder::start`]. Dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    base_url: String,
    token: String,
    shared: Arc<http::Shared>,
    conversations: Arc<conversations::Conversations>,
    router: axum::Router,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// The router of every operation (REST and Conversations), behind the gate (request log,
    /// authentication, rate limit, faults): a `tower::Service` for in-process requests.
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// Serves the router on `listener` until the emulator is dropped or shut down.
    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // No Nagle delay: a WebSocket frame goes out at once (as the REST answers already do).
        let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
            let _ = stream.set_nodelay(true);
        });
        let router = self.router.clone();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        self.stop = Some(stop);
        self.task = Some(task);
    }

    /// The next authorization on the OAuth authorization page is refused (`access_denied`), as
    /// when the user clicks "Deny".
    pub fn deny_next_authorization(&self) {
        self.shared.oauth().deny_next();
    }

    /// An OAuth client registered in the account (as `POST /oauth/clients` makes one), with its
    /// redirect URLs (space-separated) and type (`public` or `confidential`): its client id and
    /// secret.
    pub fn oauth_client(&self, redirect_uris: &str, client_type: &str) -> (String, String) {
        let body = serde_json::json!({
            "name": "zchat",
            "redirect_uris": redirect_uris,
            "client_type": client_type,
            "scopes": "read write",
        });
        let answer = self
            .shared
            .write()
            .create_oauth_client(body.to_string().as_bytes())
            .expect("a client is created");
        let client: zendesk_chat::types::OauthClient =
            serde_json::from_slice(answer.body.as_deref().unwrap_or_default())
                .expect("the answer is an OauthClient");
        let secret = client
            .client_secret
            .map(|secret| secret.expose().to_owned());
        (
            client.client_identifier.unwrap_or_default(),
            secret.unwrap_or_default(),
        )
    }

    /// The Conversations API's state: its sessions, and faults to inject.
    pub fn conversations(&self) -> &conversations::Conversations {
        &self.conversations
    }

    /// A visitor writes `text` in `channel_id`, or starts a new chat with it (`None`); the
    /// channel, as the Conversations API names it, and its REST chat.
    pub fn visitor_says(
        &self,
        channel_id: Option<&str>,
        text: &str,
    ) -> Result<conversations::VisitorChannel, String> {
        let mut rng = fastrand::Rng::new();
        conversations::visitors_say(&self.conversations, channel_id, text, &mut rng)
    }

    /// Scripts the faults of the next requests of one operation (by its spec `operationId`,
    /// such as `getChat`): each takes the next fault in order (`Fault::None` for a normal answer),
    /// then the operation answers as usual. An error for an operation the spec does not have.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use zendesk_chat_emulator::{Emulator, Fault};
    ///
    /// let emulator = Emulator::builder().chats(10).start().await?;
    /// // `getCurrentAgent` answers 429 twice, then succeeds: the client's retries get through.
    /// emulator.script_faults("getCurrentAgent", [Fault::RateLimit, Fault::RateLimit])?;
    /// let client = zendesk_chat::Client::builder()
    ///     .base_url(emulator.base_url())
    ///     .token(emulator.token())
    ///     .build()?;
    /// client.get_current_agent().await?;
    /// assert_eq!(emulator.requests().len(), 3);
    /// # Ok(()) }
    /// ```
    pub fn script_faults(
        &self,
        operation_id: &str,
        faults: impl IntoIterator<Item = Fault>,
    ) -> Result<(), String> {
        let operation = zendesk_chat::operations::ALL
            .iter()
            .find(|operation| operation.id == operation_id)
            .ok_or_else(|| format!("the spec has no operation {operation_id:?}"))?;
        self.shared
            .scripted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry((operation.method.to_owned(), operation.path.to_owned()))
            .or_default()
            .extend(faults);
        Ok(())
    }

    /// Starts simulated visitors now (see [`EmulatorBuilder::simulated_visitors`]); needs a Tokio
    /// runtime.
    pub fn start_simulated_visitors(&self, interval: Duration) {
        conversations::spawn_visitors(self.conversations.clone(), interval, fastrand::u64(..));
    }

    /// Starts configuring an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL to give a client: `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// An access token the emulator accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Reads or changes the account directly: seed data, check what a call did.
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut self.shared.write())
    }

    /// Injects these faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self
            .shared
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = faults;
    }

    /// Sets (or with `None` removes) the rate limit.
    pub fn set_rate_limit(&self, limit: Option<EnforcedRateLimit>) {
        *self
            .shared
            .rate_limit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = limit.map(http::gate_window);
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.shared
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// Whether to keep response bodies in the request log from now on.
    pub fn record_bodies(&self, record: bool) {
        self.shared.record_bodies.store(record, Ordering::Relaxed);
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
