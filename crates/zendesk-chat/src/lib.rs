//! A Rust client for the [Zendesk Chat REST API], every resource of it, typed:
//!
//! - chats (offline messages and support chats: list, by ids, search, show, create, update,
//!   delete, bulk delete), agents (paged by id with [`Client::agents`]), visitors;
//! - the account and its plan, departments and skills (also by name), roles, goals, shortcuts
//!   (whose id is their name), triggers (by name or id), bans (paged by id over visitor and IP
//!   bans with [`Client::bans`]), routing settings (the account's and each agent's), OAuth
//!   clients and tokens (secrets kept out of `Debug`);
//! - the incremental exports of chats, the agent timeline, agent events, conversions and
//!   department events ([`export`]);
//! - the real-time metrics of chats and agents, which Zendesk serves from a host of its own
//!   ([`ClientBuilder::real_time_base_url`]).
//!
//! [`operations::ALL`] lists every operation, with its method, path and tag.
//!
//! The operations and models are generated from the hand-curated OpenAPI spec of this repository
//! (`spec/zendesk-chat.yaml`) by [progenitor]; this crate adds the configuration around them.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = zendesk_chat_doc_server::start().await;
//! # let base_url = server.base_url.as_str();
//! use zendesk_chat::{Client, types::Chat};
//!
//! let client = Client::builder()
//!     .base_url(base_url) // or `.subdomain("acme")` for https://acme.zendesk.com
//!     .token("my-oauth-access-token")
//!     .build()?;
//!
//! let chat = client.get_chat().chat_id("2012.9339545.SJs7biGpcbveH").await?;
//! match chat {
//!     Chat::SupportChat(chat) => println!("{} messages", chat.count.unwrap().total.unwrap()),
//!     Chat::OfflineMessage(message) => println!("offline: {:?}", message.message),
//!     Chat::Unknown(object) => println!("a chat of another type: {object:?}"),
//!     _ => println!("a kind of chat added after this version"), // unions are non-exhaustive
//! }
//! # Ok(())
//! # }
//! # mod zendesk_chat_doc_server { pub struct Server { pub base_url: String }
//! #   pub async fn start() -> Server {
//! #     use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! #     let base_url = format!("http://{}", listener.local_addr().unwrap());
//! #     tokio::spawn(async move {
//! #       let (mut socket, _) = listener.accept().await.unwrap();
//! #       let mut request = vec![0; 4096];
//! #       let n = socket.read(&mut request).await.unwrap();
//! #       let request = String::from_utf8_lossy(&request[..n]);
//! #       assert!(request.starts_with("GET /api/v2/chat/chats/2012.9339545.SJs7biGpcbveH "));
//! #       assert!(request.to_ascii_lowercase().contains("authorization: bearer my-oauth-access-token"));
//! #       let body = r#"{"type":"chat","id":"2012.9339545.SJs7biGpcbveH","count":{"agent":1,"total":2,"visitor":1}}"#;
//! #       let response = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
//! #       socket.write_all(response.as_bytes()).await.unwrap();
//! #     });
//! #     Server { base_url }
//! #   }
//! # }
//! ```
//!
//! Every operation is a method of [`Client`] that returns a builder: set its parameters, then
//! `.await` it for the typed value or an [`Error`] (or call `.send_raw()` for the raw
//! [`ResponseValue`], with status and headers, and the same error). `.customize()` overrides the
//! client's retry policy or timeout for one call ([`Customize`]). Body setters of optional text
//! take a `&str` ([`OptionalText`]). Models live in [`types`]; the ones the API sends
//! keep the fields this version does not know (in their `extra` map), unions keep objects of a
//! type this version does not know (`Unknown`), and open enums keep values it does not know.
//!
//! # Configuration
//!
//! ```no_run
//! use std::time::Duration;
//! use zendesk_chat::{Client, RateLimit, RetryPolicy};
//!
//! // From ZENDESK_SUBDOMAIN and ZENDESK_CHAT_TOKEN:
//! let client = Client::from_env()?;
//!
//! // Or explicitly, with every knob:
//! let client = Client::builder()
//!     .subdomain("acme")                          // or .base_url("http://127.0.0.1:8080")
//!     .token("my-oauth-access-token")             // never printed, logged or traced
//!     .user_agent("my-service/1.0")
//!     .connect_timeout(Duration::from_secs(5))
//!     .timeout(Duration::from_secs(30))
//!     .retry_policy(RetryPolicy::default().max_attempts(5).budget(Duration::from_secs(90)))
//!     .rate_limit(RateLimit::per_minute(200))     // Zendesk's published Chat API limit
//!     .build()?;
//!
//! // Or with an HTTP client of your own (proxies, TLS roots, connection pool):
//! let http = reqwest::Client::builder().pool_max_idle_per_host(4).build()?;
//! let client = Client::builder().subdomain("acme").token("…").http_client(http).build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Retries and rate limits
//!
//! Every operation goes through the same transport: a 429 waits as `Retry-After` says (seconds or
//! an HTTP date) or backs off; a 5xx, a timeout or a broken connection is retried with exponential
//! backoff and jitter for idempotent methods (GET, PUT, DELETE), never for a POST unless
//! [`RetryPolicy::retry_non_idempotent`] says so; attempts and total time are bounded. See
//! [`RetryPolicy`] and [`RateLimit`].
//!
//! # Errors
//!
//! ```no_run
//! use zendesk_chat::Error;
//!
//! # async fn run(client: zendesk_chat::Client) {
//! match client.get_agent().agent_id(7_282_618_889_231_i64).await {
//!     Ok(agent) => println!("{:?}", agent.display_name),
//!     Err(Error::Api(error)) if error.status == 404 => println!("no such agent"),
//!     Err(Error::Decode(error)) => eprintln!("unexpected field at {}: {}", error.path, error.message),
//!     Err(error) => eprintln!("{error} (retryable: {}, attempts: {})", error.is_retryable(), error.attempts().len()),
//! }
//! # }
//! ```
//!
//! # Paging: agents and search
//!
//! Every paging entry point returns a [`Paged`]: a stream that is `Unpin + Send + 'static`, with
//! `next()` and `collect_all()` of its own (no `futures` import, no `pin!`).
//!
//! ```no_run
//! use zendesk_chat::search::{SearchQuery, TimeRange};
//!
//! # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
//! // Agents, `since_id` cursor paging, 100 a request:
//! let agents = client.agents().page_size(100).stream().collect_all().await?;
//!
//! // Chat search, following `next_url`; a query that matches more than the 10,000 results the
//! // API serves ends with `Error::SearchWindowExceeded` instead of stopping silently.
//! let query = SearchQuery::rating(&zendesk_chat::types::Rating::Good)
//!     .and(SearchQuery::timestamp(TimeRange::any().from(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())));
//! let mut results = client.search(query);
//! while let Some(result) = results.next().await {
//!     let result = result?;
//!     println!("{:?}: {:?}", result.id, result.preview);
//! }
//! # Ok(()) }
//! ```
//!
//! # Incremental export
//!
//! ```no_run
//! use std::time::Duration;
//! use zendesk_chat::export::{ExportCursor, ExportStart};
//!
//! # async fn run(client: zendesk_chat::Client, saved: Option<ExportCursor>) -> Result<(), zendesk_chat::Error> {
//! let start = saved.map_or_else(ExportStart::beginning, ExportStart::Cursor);
//! let mut pages = client.incremental_chats(start).follow(Duration::from_secs(60)).pages();
//! while let Some(page) = pages.next().await {
//!     let page = page?;
//!     // … store page.items, then save page.next with them: resuming from it skips nothing and
//!     // repeats nothing.
//!     let cursor_to_save = serde_json::to_string(&page.next).unwrap();
//! }
//! # Ok(()) }
//! ```
//!
//! See [`export`] for the rules it follows (the caught-up rule, the five-minute rule, units).
//!
//! # Real payloads, and a record that fits no model
//!
//! The models follow what live accounts send, not only what the reference pages say (see the
//! spec's `x-curation` notes): `msg_id` as a string or a number, array-shaped `webpath` items
//! ([`WebpathItem`]), department ids as integers or strings ([`LooseId`]), nulls where the tables
//! promise values, session dates such as `2017-04-24T12:43:37+00:00Z` kept as sent and parsed by
//! [`Timestamp::to_datetime`].
//!
//! The next surprise will still come. The paths over many records degrade per record, never per
//! page: a record of an export page, a search page or a batch of [`Client::chats_by_ids`] that
//! does not fit its model is delivered as an [`error::RecordError`] (its JSON as sent, its id,
//! the path and the reason; a `tracing` warning too), the others typed, and an export's cursor
//! moves past it:
//!
//! ```no_run
//! use zendesk_chat::export::ExportStart;
//!
//! # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
//! let mut pages = client.incremental_chats(ExportStart::beginning()).pages();
//! while let Some(page) = pages.next().await {
//!     let page = page?;
//!     for failure in &page.failures {
//!         eprintln!("{failure}"); // keep failure.raw: it is the record exactly as sent
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Batches and resource expansion
//!
//! ```no_run
//! use zendesk_chat::Fields;
//! use zendesk_chat::export::ExportStart;
//!
//! # async fn run(client: zendesk_chat::Client, ids: Vec<String>) -> Result<(), zendesk_chat::Error> {
//! let found = client.chats_by_ids(&ids).await?;          // 50 ids a request, docs merged
//! let deleted = client.delete_chats(&ids).await?;        // 50 a request, results merged
//! println!("{} deleted, {:?} failed", deleted.number_success.unwrap_or(0), deleted.failed);
//!
//! let slim = client
//!     .incremental_chats(ExportStart::beginning())
//!     .fields(Fields::only("chats", ["id", "rating", "response_time.max"])?);
//! # Ok(()) }
//! ```
//!
//! # The first six programs
//!
//! Each is a few lines (every block compiles).
//!
//! Stream every chat from a saved cursor, saving the next one with each page:
//!
//! ```no_run
//! use zendesk_chat::prelude::*;
//!
//! # async fn run(client: Client, saved: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
//! let saved: Option<ExportCursor> = saved.map(|text| text.parse()).transpose()?;
//! let since = zendesk_chat::chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
//! let mut pages = client.incremental_chats(ExportStart::resume_or(saved, since)).pages();
//! while let Some(page) = pages.next().await {
//!     let page = page?;
//!     println!("{} chats, {} kept raw", page.items.len(), page.failures.len());
//!     let _save_me = page.next.to_string();
//! }
//! # Ok(()) }
//! ```
//!
//! Search and collect, past the 10,000-result window, as whole chats:
//!
//! ```no_run
//! use zendesk_chat::prelude::*;
//! use zendesk_chat::chrono::{TimeZone, Utc};
//!
//! # async fn run(client: Client) -> Result<(), Error> {
//! let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
//! let query = SearchQuery::chat_type(ChatType::Chat).and(SearchQuery::text("refund"));
//! let chats = client.search_between(query, from, Utc::now()).full_chats(&client).collect_all().await?;
//! # Ok(()) }
//! ```
//!
//! List the agents:
//!
//! ```no_run
//! # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
//! for agent in client.agents().stream().collect_all().await? {
//!     println!("{:?} {:?}", agent.id, agent.display_name);
//! }
//! # Ok(()) }
//! ```
//!
//! Update a visitor:
//!
//! ```no_run
//! # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
//! client
//!     .update_visitor()
//!     .visitor_id("2314815.gCgOWZRtqVKquB")
//!     .body_map(|visitor| visitor.notes("Prefers email"))
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Tell a 404 from a 429:
//!
//! ```no_run
//! # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
//! match client.get_chat().chat_id("2012.9339545.SJs7biGpcbveH").await {
//!     Ok(chat) => println!("{:?}", chat.id()),
//!     Err(error) if error.is_not_found() => println!("gone"),
//!     Err(error) if error.is_rate_limited() => println!("wait {:?}", error.retry_after()),
//!     Err(error) => return Err(error),
//! }
//! # Ok(()) }
//! ```
//!
//! Test your own code offline: see "Testing" below.
//!
//! # Testing
//!
//! The emulator, `zendesk-chat-emulator`, is this crate's test double: add it as a
//! dev-dependency, start it in a test (an in-memory account on 127.0.0.1, no network), point the
//! client at it, script the faults you want to survive, and assert on the requests it received.
//!
//! ```ignore
//! use zendesk_chat_emulator::{Emulator, Fault};
//!
//! #[tokio::test]
//! async fn my_sync_survives_rate_limits_and_cut_bodies() {
//!     let emulator = Emulator::builder().seed(7).chats(200).start().await.unwrap();
//!     emulator.script_faults("getChat", [Fault::RateLimit, Fault::CutBody]).unwrap();
//!     let client = zendesk_chat::Client::builder()
//!         .base_url(emulator.base_url())
//!         .token(emulator.token())
//!         .build()
//!         .unwrap();
//!     my_code::sync(&client).await.unwrap();
//!     assert!(emulator.requests().iter().any(|r| r.status == 429));
//! }
//! ```
//!
//! Random faults (`Faults::mixed(share, seed)`), a rate limit, and the account itself
//! (`with_store`) can be set too; see the emulator's docs.
//!
//! # Observability
//!
//! Each attempt of each request is a `tracing` span `zendesk_chat.request` with the operation id,
//! method, path template (never the ids in the path), status, attempt and elapsed time; a retry
//! is a `warn` event with the wait. No span or event carries the token.
//!
//! # Features
//!
//! - `rustls` (default): TLS through rustls, with no OpenSSL to build against.
//! - `native-tls`: the platform's TLS library instead (disable default features).
//! - `gzip` (default): ask for gzip-compressed answers and decompress them
//!   ([`ClientBuilder::compression`] turns it off for one client). An export page is megabytes of
//!   JSON that gzip shrinks about five times: over a 100 Mbit/s link an export takes a fifth of
//!   the time (BENCHMARKS.md).
//! - `schemars`: `schemars::JsonSchema` for every model.
//!
//! [Zendesk Chat REST API]: https://developer.zendesk.com/api-reference/live-chat/chat-api/
//! [progenitor]: https://github.com/oxidecomputer/progenitor

// No unsafe code in this crate (the workspace only denies it; see the root Cargo.toml).
#![forbid(unsafe_code)]

mod agents;
mod bans;
mod batch;
mod body_buffers;
mod call;
mod config;
mod customize;
pub mod error;
pub mod export;
mod fields;
mod id_paging;
pub mod limits;
mod models;
pub mod oauth;
mod operation;
pub mod paging;
mod rate_limit;
mod record;
mod retry;
pub mod search;
mod tagged_union;
pub mod token_source;
mod transport;

#[rustfmt::skip]
#[allow(missing_docs)]
mod generated;

pub use agents::AgentPager;
pub use bans::BanPager;
pub use batch::ChatsById;
pub use config::{
    BuildError, ClientBuilder, ClientConfig, DEFAULT_MAX_RESPONSE_BYTES, SUBDOMAIN_VARIABLE,
    TOKEN_VARIABLE, USER_AGENT,
};
pub use customize::{CallOverrides, Customize};
pub use error::{Error, ResponseTooLarge};
pub use fields::Fields;
pub use generated::{ByteStream, Client, ClientInfo, ResponseValue, builder, operations, types};
pub use id_paging::IdPager;
pub use models::{LooseId, OptionalText, Password, Timestamp, WebpathItem};
pub use paging::{Collected, Paged};

/// What most programs use, in one import: `use zendesk_chat::prelude::*;`.
///
/// ```no_run
/// use zendesk_chat::prelude::*;
///
/// # async fn run() -> Result<(), Error> {
/// let client = Client::builder().subdomain("acme").token("…").build().unwrap();
/// let mut chats = client.incremental_chats(ExportStart::beginning()).items();
/// while let Some(chat) = chats.next().await {
///     if let Chat::SupportChat(chat) = chat? {
///         println!("{:?}", chat.id);
///     }
/// }
/// # Ok(()) }
/// ```
pub mod prelude {
    // progenitor's own prelude (the `Client`), kept whole.
    pub use crate::generated::prelude::*;

    pub use crate::export::{ExportCursor, ExportPage, ExportStart};
    pub use crate::search::{ChatType, SearchQuery, TimeRange};
    pub use crate::types::{Agent, Chat, Visitor};
    pub use crate::{Error, Paged, RateLimit, RetryPolicy, Timestamp};
}

/// The date and time crate of the public signatures (`ExportStart`, `Timestamp::to_datetime`).
pub use chrono;
/// The stream traits [`Paged`] implements, for combinators beyond its inherent `next` and
/// `collect_all` (`StreamExt::take`, `TryStreamExt::try_filter`, …), without a `futures` dependency.
pub use futures::{Stream, StreamExt, TryStreamExt};
pub use rate_limit::RateLimit;
/// An HTTP status, as [`Error::status`] gives it (no `http` dependency needed).
pub use reqwest::StatusCode;
pub use retry::RetryPolicy;

/// progenitor's error, returned by an operation's `send()` (which gives the raw response); awaiting
/// the operation's builder gives the crate's [`Error`] instead.
pub type SendError = progenitor_client::Error<types::ErrorResponse>;
