//! [`Error`]: the one error type of the crate.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::operations::Operation;
pub use crate::record::RecordError;
use crate::types;

/// Why a call failed, with everything known about it: the operation, the HTTP status and the
/// Zendesk error body (or the start of the body when it is not Zendesk's), the request id, whether
/// trying again later could succeed, and every attempt made.
///
/// ```
/// # async fn run(client: zendesk_chat::Client) {
/// match client.get_chat().chat_id("2012.9339545.SJs7biGpcbveH").await {
///     Ok(chat) => println!("{:?}", chat.type_tag()),
///     Err(zendesk_chat::Error::Api(error)) if error.status == 404 => println!("no such chat"),
///     Err(error) if error.is_retryable() => eprintln!("try again later: {error}"),
///     Err(error) => eprintln!("{error}"),
/// }
/// # }
/// ```
///
/// It never carries the access token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (after any retries).
    Api(Box<ApiError>),
    /// A response did not decode into its type.
    Decode(Box<DecodeError>),
    /// No complete response: the connection could not be made, timed out, or broke mid-body
    /// (after any retries).
    Transport(Box<TransportError>),
    /// Refused before any request was made: an argument that the API would refuse.
    InvalidInput(InvalidInput),
    /// A chat search matched more chats than the API serves for one query.
    SearchWindowExceeded(SearchWindowExceeded),
    /// A paginator's cursor did not move forward, so following it again would loop forever.
    CursorStuck(CursorStuck),
    /// One record of a page did not fit its model; the page's other records were delivered. The
    /// streams that yield items one at a time yield this and go on (see [`Error::is_record`]).
    Record(Box<RecordError>),
}

/// An error status from the API.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Zendesk's error body (`{"error": …, "description": …}`), when the body was one.
    pub body: Option<types::ErrorResponse>,
    /// The body as text, cut at [`BODY_EXCERPT_LIMIT`] bytes (a proxy's HTML page, say).
    pub raw_body: String,
    /// The request id the server gave, to quote to Zendesk support.
    pub request_id: Option<String>,
    /// How long the server asked to wait (`Retry-After`), if it did.
    pub retry_after: Option<Duration>,
    /// The operation and its attempts.
    pub call: CallInfo,
}

/// A response that did not decode into its type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: Option<StatusCode>,
    /// Where in the body the value that did not fit is, such as `chats[3].history[2].msg`.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
    /// The body, cut at [`BODY_EXCERPT_LIMIT`] bytes.
    pub body_excerpt: String,
    /// The operation and its attempts.
    pub call: CallInfo,
}

/// No complete response.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// What happened, from the HTTP client.
    pub source: reqwest::Error,
    /// The operation and its attempts.
    pub call: CallInfo,
}

/// An argument the API would refuse, caught before any request.
#[derive(Debug)]
#[non_exhaustive]
pub struct InvalidInput {
    /// The operation it was for, when one was called.
    pub operation: Option<&'static str>,
    /// What is wrong, and how to fix it.
    pub message: String,
}

/// A chat search matched more chats than the API serves for one query: 250 pages of 40.
///
/// The results before it were delivered; [`Paged::collect_partial`](crate::Paged::collect_partial)
/// keeps them beside this error, and [`Client::search_between`](crate::Client::search_between)
/// splits the time range so that no window is exceeded.
#[derive(Debug)]
#[non_exhaustive]
pub struct SearchWindowExceeded {
    /// The query.
    pub query: String,
    /// How many chats the API said match.
    pub total: u64,
    /// How many were delivered before the limit.
    pub delivered: u64,
}

/// A cursor that did not move forward.
#[derive(Debug)]
#[non_exhaustive]
pub struct CursorStuck {
    /// The operation being paged.
    pub operation: &'static str,
    /// The cursor that was handed back again.
    pub cursor: String,
}

/// The operation a call was for, and what each attempt did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallInfo {
    /// The operation, such as `getChat` (`None` when the error arose outside an operation).
    pub operation: Option<&'static Operation>,
    /// Each attempt, in order; empty when the call was made without the retry log (progenitor's
    /// `send()` rather than awaiting the builder).
    pub attempts: Vec<Attempt>,
}

/// One attempt of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// What happened.
    pub outcome: String,
    /// How long was waited before the next attempt, if there was one.
    pub waited: Option<Duration>,
}

/// How much of a response body an error keeps.
pub const BODY_EXCERPT_LIMIT: usize = 2048;

impl Error {
    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(error) => Some(error.status),
            Self::Decode(error) => error.status,
            Self::Transport(error) => error.source.status(),
            _ => None,
        }
    }

    /// The HTTP status code as a number (404, 429, …), if there was a response; no `http`
    /// import needed.
    pub fn status_code(&self) -> Option<u16> {
        self.status().map(|status| status.as_u16())
    }

    /// Whether the API answered 404 Not Found.
    ///
    /// ```
    /// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
    /// match client.get_chat().chat_id("2012.9339545.SJs7biGpcbveH").await {
    ///     Err(error) if error.is_not_found() => println!("no such chat"),
    ///     Err(error) if error.is_rate_limited() => println!("retry in {:?}", error.retry_after()),
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status_code() == Some(404)
    }

    /// Whether the API answered 429 Too Many Requests (after the retries the policy allowed).
    pub fn is_rate_limited(&self) -> bool {
        self.status_code() == Some(429)
    }

    /// How long the server asked to wait (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(error) => error.retry_after,
            _ => None,
        }
    }

    /// Zendesk's short name for the error (`"Not Found"`, `"Unauthorized"`), from its error body.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Self::Api(error) => error.body.as_ref().and_then(|body| body.error.as_deref()),
            _ => None,
        }
    }

    /// Zendesk's explanation of the error, from its error body, when it gave one.
    pub fn error_message(&self) -> Option<&str> {
        match self {
            Self::Api(error) => error
                .body
                .as_ref()
                .and_then(|body| body.description.as_deref()),
            _ => None,
        }
    }

    /// Whether the same call could succeed if tried again later: a rate limit (429), a server
    /// error (500, 502, 503, 504), a timeout, or a connection that failed (not a body past the
    /// client's limit, [`ResponseTooLarge`]). Retries that the client's
    /// [`RetryPolicy`](crate::RetryPolicy) allowed have already been made.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(error) => crate::retry::is_retryable_status(error.status),
            Self::Transport(error) => !ResponseTooLarge::caused(&error.source),
            _ => false,
        }
    }

    /// Whether this is one record that did not fit its model ([`Error::Record`]): the stream
    /// that yielded it goes on with the next record, so the caller may note it and continue.
    ///
    /// ```no_run
    /// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
    /// let mut chats = client.incremental_chats(zendesk_chat::export::ExportStart::beginning()).items();
    /// while let Some(chat) = chats.next().await {
    ///     match chat {
    ///         Ok(chat) => println!("{:?}", chat.type_tag()),
    ///         Err(error) if error.is_record() => eprintln!("kept raw: {error}"),
    ///         Err(error) => return Err(error),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_record(&self) -> bool {
        matches!(self, Self::Record(_))
    }

    /// The operation the call was for, such as `getChat`.
    pub fn operation_id(&self) -> Option<&'static str> {
        match self {
            Self::Api(error) => error.call.operation.map(|o| o.id),
            Self::Decode(error) => error.call.operation.map(|o| o.id),
            Self::Transport(error) => error.call.operation.map(|o| o.id),
            Self::InvalidInput(error) => error.operation,
            Self::CursorStuck(error) => Some(error.operation),
            Self::SearchWindowExceeded(_) => Some(crate::operations::SEARCH_CHATS.id),
            Self::Record(error) => Some(error.operation),
        }
    }

    /// Every attempt made, in order.
    pub fn attempts(&self) -> &[Attempt] {
        match self {
            Self::Api(error) => &error.call.attempts,
            Self::Decode(error) => &error.call.attempts,
            Self::Transport(error) => &error.call.attempts,
            _ => &[],
        }
    }

    /// The request id the server gave, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(error) => error.request_id.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn invalid_input(
        operation: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Self::InvalidInput(InvalidInput {
            operation,
            message: message.into(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.operation_id() {
            write!(f, "{operation}: ")?;
        }
        match self {
            Self::Api(error) => {
                write!(f, "{}", error.status)?;
                match &error.body {
                    Some(body) => {
                        if let Some(name) = &body.error {
                            write!(f, ": {name}")?;
                        }
                        if let Some(description) = &body.description {
                            write!(f, ": {description}")?;
                        }
                    }
                    None if !error.raw_body.is_empty() => {
                        write!(f, ": {}", one_line(&error.raw_body, 200))?
                    }
                    None => {}
                }
                if let Some(request_id) = &error.request_id {
                    write!(f, " (request id {request_id})")?;
                }
            }
            Self::Decode(error) => {
                write!(
                    f,
                    "the response does not decode: at `{}`: {}",
                    error.path, error.message
                )?;
            }
            Self::Transport(error) => {
                write!(f, "{}", describe_transport(&error.source))?;
            }
            Self::InvalidInput(error) => f.write_str(&error.message)?,
            Self::SearchWindowExceeded(error) => write!(
                f,
                "the query matches {} chats but the API serves at most 10,000 (250 pages of 40); \
                 {} were delivered. Narrow it by time, such as `AND timestamp:[2024-01-01 TO 2024-01-31]`, \
                 and search each range: {:?}",
                error.total, error.delivered, error.query
            )?,
            Self::CursorStuck(error) => write!(
                f,
                "the server handed back the same cursor ({}), so paging stopped instead of looping",
                error.cursor
            )?,
            Self::Record(error) => {
                write!(f, "record {}", error.location)?;
                if let Some(id) = &error.id {
                    write!(f, " (id {id:?})")?;
                }
                write!(
                    f,
                    " does not fit its model: at `{}`: {}",
                    error.path, error.message
                )?;
            }
        }
        let attempts = self.attempts();
        if attempts.len() > 1 {
            let outcomes: Vec<&str> = attempts.iter().map(|a| a.outcome.as_str()).collect();
            write!(
                f,
                " [after {} attempts: {}]",
                attempts.len(),
                outcomes.join(", ")
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(error) => Some(&error.source),
            Self::Record(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

/// A transport failure in words, without the URL (which may carry ids).
pub(crate) fn describe_transport(error: &reqwest::Error) -> &'static str {
    if ResponseTooLarge::caused(error) {
        "the response body is larger than the client's limit"
    } else if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the response body"
    } else if error.is_request() {
        "the request could not be sent"
    } else {
        "the connection failed"
    }
}

/// The first `limit` characters of `text` on one line.
fn one_line(text: &str, limit: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &flat[..end]),
        None => flat,
    }
}

/// The first [`BODY_EXCERPT_LIMIT`] bytes of a body, as text.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_EXCERPT_LIMIT)];
    String::from_utf8_lossy(cut).into_owned()
}

/// A response body larger than the client's limit ([`ClientBuilder::max_response_bytes`],
/// 1 GiB unless set): the source of the transport error a call then fails with, found with
/// [`ResponseTooLarge::caused`]. The body is not read past the limit, and the request is not
/// retried. Compressed answers are measured as decompressed, so a small answer that would expand
/// without end stops here.
///
/// [`ClientBuilder::max_response_bytes`]: crate::ClientBuilder::max_response_bytes
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the response body is larger than {limit} bytes, the client's limit")]
pub struct ResponseTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
}

impl ResponseTooLarge {
    /// Whether `error` (or an error it was caused by) is a [`ResponseTooLarge`].
    pub fn caused(error: &(dyn std::error::Error + 'static)) -> bool {
        let mut cause = Some(error);
        while let Some(error) = cause {
            if error.is::<Self>() {
                return true;
            }
            cause = error.source();
        }
        false
    }
}
