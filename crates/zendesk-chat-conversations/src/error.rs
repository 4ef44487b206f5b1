//! [`Error`]: the one error type of the crate.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why a call of an [`AgentSession`](crate::AgentSession) failed. It never carries the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with GraphQL errors (a bad token for `startAgentSession`, a mutation it
    /// refused, a limit it enforces).
    #[error("{operation}: the API answered with errors: {}", render(.errors))]
    GraphQL {
        /// The operation, such as `SendMessage`.
        operation: &'static str,
        /// The errors, as sent.
        errors: Vec<GraphQLError>,
    },
    /// The answer's data did not decode into the operation's generated type.
    #[error("{operation}: the data does not decode: {message}")]
    Decode {
        /// The operation.
        operation: &'static str,
        /// What did not fit, with its path.
        message: String,
    },
    /// Refused before the wire: a limit of the API that this call would break.
    #[error("{0}")]
    Limit(LimitExceeded),
    /// Refused before the wire: an argument the API would refuse.
    #[error("{0}")]
    InvalidInput(String),
    /// The HTTP request that starts a session failed (no answer, or an error status).
    #[error("startAgentSession: {0}")]
    Start(String),
    /// The session's connection was lost while the call was in flight; the session heals itself,
    /// and the call may be made again.
    #[error("{operation}: the connection was lost before the answer came; try again")]
    ConnectionLost {
        /// The operation.
        operation: &'static str,
    },
    /// No answer came in time (see [`AgentSessionBuilder::request_timeout`]); the request may
    /// or may not have been carried out.
    ///
    /// [`AgentSessionBuilder::request_timeout`]: crate::AgentSessionBuilder::request_timeout
    #[error("{operation}: no answer within {} s", .waited.as_secs_f64())]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// How long was waited.
        waited: Duration,
    },
    /// The session was stopped (by [`AgentSession::stop`](crate::AgentSession::stop), or for good
    /// after it could not be restored).
    #[error("the agent session is closed{}", .0.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Closed(Option<String>),
}

impl Error {
    /// Whether the same call could succeed if made again: a lost connection, or a limit that
    /// frees itself with time.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::ConnectionLost { .. } | Self::Timeout { .. } => true,
            Self::Limit(limit) => limit.retry_after.is_some(),
            _ => false,
        }
    }
}

/// A limit of the API that a call would have broken, refused before the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitExceeded {
    /// Which limit.
    pub limit: Limit,
    /// When it would let the call through, if time alone frees it.
    pub retry_after: Option<Duration>,
}

/// The Conversations API's limits (its documentation's "Rate limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// 100 requests a second (queries, mutations but `startAgentSession`, subscriptions, stops).
    Requests,
    /// `startAgentSession`: once a second and 50 times an hour.
    SessionStarts,
    /// At most 10 concurrent subscriptions a session.
    Subscriptions,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.limit {
            Limit::Requests => "the API takes at most 100 requests a second",
            Limit::SessionStarts => {
                "the API starts a session at most once a second and 50 times an hour"
            }
            Limit::Subscriptions => "a session has at most 10 concurrent subscriptions",
        };
        write!(f, "refused before sending: {what}")?;
        if let Some(wait) = self.retry_after {
            write!(f, " (free again in {:.1} s)", wait.as_secs_f64())?;
        }
        Ok(())
    }
}

/// A GraphQL error, as the API sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GraphQLError {
    /// What went wrong.
    pub message: String,
    /// Where in the data, when the error is a field's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<serde_json::Value>,
    /// Anything else the server said.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl GraphQLError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            path: Vec::new(),
            extensions: serde_json::Map::new(),
        }
    }
}

fn render(errors: &[GraphQLError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
