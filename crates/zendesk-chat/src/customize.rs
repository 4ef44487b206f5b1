//! Per-call overrides of the client's retry policy and timeout (the AWS SDK's `customize()`).
//!
//! Every operation's builder has a generated `customize()` that wraps it in a [`Customize`]; the
//! overrides travel with the call as a task-local value that the transport hooks read, so that the
//! client itself is not copied or changed.

use std::future::IntoFuture;
use std::time::Duration;

use tokio::task::futures::TaskLocalFuture;

use crate::RetryPolicy;

/// What one call overrides of the client's configuration (see [`Customize`]).
#[derive(Debug, Clone, Default)]
pub struct CallOverrides {
    retry_policy: Option<RetryPolicy>,
    attempt_timeout: Option<Duration>,
}

tokio::task_local! {
    static CALL_OVERRIDES: CallOverrides;
}

/// The retry policy the current call overrides the client's with, if any.
pub(crate) fn retry_policy_override() -> Option<RetryPolicy> {
    CALL_OVERRIDES
        .try_with(|overrides| overrides.retry_policy.clone())
        .ok()
        .flatten()
}

/// The attempt timeout the current call overrides the client's with, if any.
pub(crate) fn attempt_timeout_override() -> Option<Duration> {
    CALL_OVERRIDES
        .try_with(|overrides| overrides.attempt_timeout)
        .ok()
        .flatten()
}

/// An operation's builder with overrides for this one call: await it as you would the builder.
///
/// ```no_run
/// use std::time::Duration;
/// use zendesk_chat::RetryPolicy;
///
/// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
/// // Deleting is idempotent, but this caller would rather know at once.
/// client
///     .delete_chat()
///     .chat_id("2012.9339545.SJs7biGpcbveH")
///     .customize()
///     .retry_policy(RetryPolicy::none())
///     .timeout(Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a customized call does nothing until it is awaited"]
pub struct Customize<B> {
    builder: B,
    overrides: CallOverrides,
}

impl<B> Customize<B> {
    /// Wraps `builder`, with nothing overridden yet. Generated `customize()` methods call this.
    pub fn new(builder: B) -> Self {
        Self {
            builder,
            overrides: CallOverrides::default(),
        }
    }

    /// This call retries as `policy` says instead of the client's policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.overrides.retry_policy = Some(policy);
        self
    }

    /// Each attempt of this call times out after `timeout` instead of the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.overrides.attempt_timeout = Some(timeout);
        self
    }
}

impl<B: IntoFuture> IntoFuture for Customize<B> {
    type Output = B::Output;
    type IntoFuture = TaskLocalFuture<CallOverrides, B::IntoFuture>;

    fn into_future(self) -> Self::IntoFuture {
        CALL_OVERRIDES.scope(self.overrides, self.builder.into_future())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overrides_are_seen_inside_the_call_and_nowhere_else() {
        assert_eq!(attempt_timeout_override(), None);
        let call = async { (retry_policy_override(), attempt_timeout_override()) };
        let (policy, timeout) = Customize::new(call)
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(3))
            .await;
        assert_eq!(policy, Some(RetryPolicy::none()));
        assert_eq!(timeout, Some(Duration::from_secs(3)));
        assert_eq!(retry_policy_override(), None);
    }

    #[tokio::test]
    async fn a_call_without_overrides_keeps_the_clients_settings() {
        let call = async { (retry_policy_override(), attempt_timeout_override()) };
        assert_eq!(Customize::new(call).await, (None, None));
    }
}
