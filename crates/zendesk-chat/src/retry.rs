//! [`RetryPolicy`]: when a failed request is tried again, and how long to wait first.

use std::time::{Duration, SystemTime};

use backon::BackoffBuilder;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When a failed request is tried again.
///
/// - **429 Too Many Requests**: after the `Retry-After` the server gives (seconds or an HTTP
///   date), or with backoff when it gives none. Safe for every method: the request was refused.
/// - **500, 502, 503, 504, a timeout, a connection reset or a body cut short**: with exponential
///   backoff and jitter, for idempotent methods (GET, PUT, DELETE) only; a POST (which creates) is
///   retried only with [`retry_non_idempotent`](Self::retry_non_idempotent), since the server may
///   have acted on it.
/// - **A connection that could not be opened**: like a 5xx, but for every method, since nothing
///   was sent.
///
/// Retries are bounded by a number of attempts and by a total time budget; a wait that would end
/// past the budget is not started. The error that ends a call lists every attempt.
///
/// ```
/// use std::time::Duration;
/// use zendesk_chat::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .budget(Duration::from_secs(120))
///     .initial_backoff(Duration::from_millis(500));
/// let client = zendesk_chat::Client::builder()
///     .subdomain("acme")
///     .token("…")
///     .retry_policy(policy)
///     .build()?;
/// # Ok::<(), zendesk_chat::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    budget: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts within 60 seconds; backoff from 250 ms, doubling, up to 8 s, with jitter.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            budget: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is made once.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// The most attempts per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The most time a call may take, attempts and waits included, before it gives up.
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The first backoff; each next one doubles, with up to 100% jitter added.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff (before jitter).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Whether to retry POST requests (creates) after a server error or a broken connection,
    /// which may create twice. Off by default.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// The backoff delays of one call, in order.
    pub(crate) fn backoffs(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        backon::ExponentialBuilder::new()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }

    /// What to do after attempt number `attempt` of a call that has run for `elapsed`.
    pub(crate) fn decide(
        &self,
        failure: &Failure,
        idempotent: bool,
        attempt: u32,
        elapsed: Duration,
        backoff: Duration,
    ) -> Decision {
        let allowed = match failure {
            Failure::RateLimited { .. } | Failure::Unreachable => true,
            Failure::ServerError { .. } | Failure::Interrupted => {
                idempotent || self.retry_non_idempotent
            }
        };
        if !allowed {
            return Decision::GiveUp("not retried: the method is not idempotent");
        }
        if attempt >= self.max_attempts {
            return Decision::GiveUp("no attempts left");
        }
        let wait = match failure {
            Failure::RateLimited {
                retry_after: Some(wait),
            }
            | Failure::ServerError {
                retry_after: Some(wait),
            } => *wait,
            _ => backoff,
        };
        if elapsed + wait > self.budget {
            return Decision::GiveUp("the next wait would end past the time budget");
        }
        Decision::Retry(wait)
    }
}

/// A failed attempt, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 429.
    RateLimited { retry_after: Option<Duration> },
    /// 500, 502, 503, 504 (408 too).
    ServerError { retry_after: Option<Duration> },
    /// The connection could not be opened: nothing was sent.
    Unreachable,
    /// A timeout, a reset, a body cut short: the server may have acted.
    Interrupted,
}

impl Failure {
    /// The failure of a response, or `None` if it is a final answer (a success or a client error).
    pub(crate) fn of_response(status: StatusCode, headers: &HeaderMap) -> Option<Self> {
        if status == StatusCode::TOO_MANY_REQUESTS {
            Some(Self::RateLimited {
                retry_after: retry_after(headers, SystemTime::now()),
            })
        } else if is_retryable_status(status) {
            Some(Self::ServerError {
                retry_after: retry_after(headers, SystemTime::now()),
            })
        } else {
            None
        }
    }

    /// The failure of a transport error, or `None` if it is final: a body past the client's limit
    /// would be as large again.
    pub(crate) fn of_transport(error: &reqwest::Error) -> Option<Self> {
        if crate::ResponseTooLarge::caused(error) {
            None
        } else if error.is_connect() {
            Some(Self::Unreachable)
        } else {
            Some(Self::Interrupted)
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Return this attempt's outcome, for this reason.
    GiveUp(&'static str),
}

/// The statuses worth retrying.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date (a date in the past is no
/// wait). `None` without the header or with a value that is neither.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, retry_after.parse().unwrap());
        headers
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&headers("7"), now),
            Some(Duration::from_secs(7))
        );
        let in_ninety = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            retry_after(&headers(&in_ninety), now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(retry_after(&headers(&past), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn a_rate_limit_waits_as_told_even_for_a_post() {
        let policy = RetryPolicy::default();
        let failure = Failure::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        let decision = policy.decide(&failure, false, 1, Duration::ZERO, Duration::from_millis(1));
        assert_eq!(decision, Decision::Retry(Duration::from_secs(3)));
    }

    #[test]
    fn a_server_error_on_a_post_is_not_retried_unless_asked() {
        let failure = Failure::ServerError { retry_after: None };
        let backoff = Duration::from_millis(250);
        assert!(matches!(
            RetryPolicy::default().decide(&failure, false, 1, Duration::ZERO, backoff),
            Decision::GiveUp(_)
        ));
        assert_eq!(
            RetryPolicy::default().decide(&failure, true, 1, Duration::ZERO, backoff),
            Decision::Retry(backoff)
        );
        let opted_in = RetryPolicy::default().retry_non_idempotent(true);
        assert_eq!(
            opted_in.decide(&failure, false, 1, Duration::ZERO, backoff),
            Decision::Retry(backoff)
        );
    }

    #[test]
    fn an_unreachable_server_is_retried_for_every_method() {
        let decision = RetryPolicy::default().decide(
            &Failure::Unreachable,
            false,
            1,
            Duration::ZERO,
            Duration::ZERO,
        );
        assert_eq!(decision, Decision::Retry(Duration::ZERO));
    }

    #[test]
    fn attempts_and_budget_bound_the_retries() {
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .budget(Duration::from_secs(10));
        let failure = Failure::Interrupted;
        let second = Duration::from_secs(1);
        assert_eq!(
            policy.decide(&failure, true, 2, Duration::ZERO, second),
            Decision::Retry(second)
        );
        assert!(matches!(
            policy.decide(&failure, true, 3, Duration::ZERO, second),
            Decision::GiveUp(_)
        ));
        let long_wait = Failure::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
        };
        assert!(matches!(
            policy.decide(&long_wait, true, 1, Duration::ZERO, second),
            Decision::GiveUp(_)
        ));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(400));
        let delays: Vec<Duration> = policy.backoffs().take(6).collect();
        // Each delay is the base (100, 200, 400, 400, …) plus up to 100% jitter.
        let bases = [100, 200, 400, 400, 400, 400];
        for (delay, base) in delays.iter().zip(bases) {
            assert!(
                *delay >= Duration::from_millis(base) && *delay <= Duration::from_millis(2 * base),
                "{delays:?}"
            );
        }
    }

    #[test]
    fn only_transient_statuses_are_retryable() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
        for status in [200, 400, 401, 403, 404, 422, 501] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
    }
}
