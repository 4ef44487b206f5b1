//! A Rust client for the [Zendesk Chat REST API]: chats (offline messages and support chats),
//! agents, visitors, and the incremental export of chats, agent timeline, conversions and
//! department events.
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
//! let chat = client.get_chat().chat_id("2012.9339545.SJs7biGpcbveH").send().await?.into_inner();
//! match chat {
//!     Chat::SupportChat(chat) => println!("{} messages", chat.count.unwrap().total.unwrap()),
//!     Chat::OfflineMessage(message) => println!("offline: {:?}", message.message),
//!     Chat::Unknown(object) => println!("a chat of another type: {object:?}"),
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
//! `send()` it. Models live in [`types`]; the ones the API sends keep the fields this version does
//! not know (in their `extra` map), unions keep objects of a type this version does not know (in
//! their `Unknown` variant), and open enums keep values it does not know.
//!
//! [Zendesk Chat REST API]: https://developer.zendesk.com/api-reference/live-chat/chat-api/
//! [progenitor]: https://github.com/oxidecomputer/progenitor

mod agents;
mod batch;
pub mod call;
mod config;
pub mod error;
pub mod export;
mod fields;
mod models;
mod rate_limit;
mod retry;
pub mod search;
mod transport;

#[rustfmt::skip]
#[allow(missing_docs)]
mod generated;

pub use agents::AgentPager;
pub use batch::MAX_IDS_PER_REQUEST;
pub use config::{
    BuildError, ClientBuilder, ClientConfig, SUBDOMAIN_VARIABLE, TOKEN_VARIABLE, USER_AGENT,
};
pub use error::Error;
pub use fields::Fields;
pub use generated::{
    ByteStream, Client, ClientInfo, ResponseValue, builder, operations, prelude, types,
};
pub use models::{LooseId, Password, Timestamp};
pub use rate_limit::RateLimit;
pub use retry::RetryPolicy;

/// progenitor's error, returned by an operation's `send()` (which gives the raw response); awaiting
/// the operation's builder gives the crate's [`Error`] instead.
pub type SendError = progenitor_client::Error<types::ErrorResponse>;
