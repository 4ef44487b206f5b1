//! A typed, self-healing client for the [Zendesk Chat Conversations API]: GraphQL over a
//! WebSocket, with which a program acts as a chat agent (bots, routing, hand-over to humans).
//!
//! - **Typed, from the curated schema.** Every operation is a GraphQL document of
//!   `spec/conversations/`, validated against `spec/conversations.graphql` when it was generated:
//!   [`operations`] holds, per operation, its document, typed variables and typed data. A query
//!   the schema rejects fails in the generator, never at run time.
//! - **One socket, multiplexed.** [`AgentSession::execute`] runs a query or a mutation and
//!   returns its typed data or the API's errors; [`AgentSession::subscribe`] gives a
//!   [`Subscription`], a `Stream` of typed events. Requests are told apart by id.
//! - **Self-healing.** Pings with a dead-socket timeout; an abnormal close is reconnected to the
//!   same URL at once and the subscriptions re-established; a session that cannot be recovered,
//!   or that the server ends (`EOS`), is started anew with backoff, the agent's status and every
//!   subscription restored. Subscribers see [`SubscriptionEvent::Reconnected`], never an error
//!   that ends their stream.
//! - **The API's limits on the client** ([`limits`]): 100 requests a second (queued by default),
//!   `startAgentSession` once a second and 50 times an hour, 10 subscriptions, query depth 11
//!   (checked by the generator). A call that would break one waits or gets [`Error::Limit`].
//! - **Structured messages** through builders that enforce the documented counts and require a
//!   fallback ([`structured`]); tags checked before sending ([`tags`]). The token is never
//!   printed, logged or traced.
//!
//! ```no_run
//! use zendesk_chat_conversations::{AgentSession, SubscriptionEvent, operations, types};
//!
//! # async fn run() -> Result<(), zendesk_chat_conversations::Error> {
//! let session = AgentSession::start("my-oauth-token").await?;
//! session.update_agent_status(types::AgentStatus::Online).await?;
//! let mut messages = session.subscribe::<operations::Message>(Default::default()).await?;
//! while let Some(event) = messages.next().await {
//!     let SubscriptionEvent::Data(data) = event else { continue };
//!     let Some(message) = data.message.and_then(|m| m.node) else { continue };
//!     let channel = message.channel.as_ref().and_then(|channel| channel.id()).cloned();
//!     if let (Some(channel), Some(text)) = (channel, message.content) {
//!         session.send_message(channel, &format!("You said: {text}")).await?;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Testing
//!
//! The emulator (`zendesk-chat-emulator`) speaks the Conversations API beside the REST API:
//! point [`AgentSessionBuilder::endpoint`] at its base URL. `examples/echo_bot.rs` runs against it.
//!
//! [Zendesk Chat Conversations API]: https://developer.zendesk.com/api-reference/live-chat/conversations-api/

// No unsafe code in this crate (the workspace only denies it; see the root Cargo.toml).
#![forbid(unsafe_code)]

mod calls;
mod connection;
pub mod error;
mod frames;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod limits;
pub mod relay;
mod runtime;
mod session;
pub mod structured;
mod subscription;
pub mod tags;

#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
mod generated;

pub use error::{Error, GraphQLError};
pub use generated::{operations, types};
pub use runtime::{Id, Operation, OperationKind, UnknownObject};
pub use session::{AgentSession, AgentSessionBuilder, DEFAULT_ENDPOINT};
pub use subscription::{Subscription, SubscriptionEvent};
