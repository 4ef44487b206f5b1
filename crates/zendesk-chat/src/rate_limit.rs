//! [`RateLimit`]: a client-side limit on the request rate.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota};

/// A client-side limit on how many requests a client (and its clones) sends, so that a long
/// export stays under the account's limit instead of bouncing off 429s. Zendesk publishes 200
/// requests a minute for the Chat API.
///
/// ```
/// use zendesk_chat::RateLimit;
///
/// let client = zendesk_chat::Client::builder()
///     .subdomain("acme")
///     .token("…")
///     .rate_limit(RateLimit::per_minute(200))
///     .build()?;
/// # Ok::<(), zendesk_chat::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    quota: Quota,
}

impl RateLimit {
    /// At most `requests` a second (at least 1), after a first burst of up to `requests`: a
    /// server that counts in fixed one-second windows may see up to twice as many in one window,
    /// so leave it that headroom.
    pub fn per_second(requests: u32) -> Self {
        Self {
            quota: Quota::per_second(nonzero(requests)),
        }
    }

    /// At most `requests` a minute (at least 1), spread evenly: a burst of a full minute's
    /// requests is not allowed.
    pub fn per_minute(requests: u32) -> Self {
        Self {
            quota: Quota::per_minute(nonzero(requests)).allow_burst(NonZeroU32::MIN),
        }
    }

    pub(crate) fn limiter(self) -> Arc<DefaultDirectRateLimiter> {
        Arc::new(governor::RateLimiter::direct(self.quota))
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}
