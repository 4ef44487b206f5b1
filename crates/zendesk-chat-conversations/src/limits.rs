//! The API's limits, kept on the client so that a call that would break one waits or gets a
//! typed error instead of a rejection from the server: 100 requests a second,
//! `startAgentSession` once a second and 50 times an hour, 10 concurrent subscriptions. (The
//! fourth, a query depth of 11, is kept by the generator: every operation the crate sends was
//! checked when it was generated.)
//!
//! The rates are kept as sliding windows ("at most N in any window of this length"), which is
//! what the API's wording promises and what a server counting in fixed windows accepts too. (A
//! token bucket such as `governor`'s lets up to twice the rate through across a window's edge, so
//! it is not used here.)

use std::collections::VecDeque;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Limit, LimitExceeded};

/// Requests a second the API takes (queries, mutations but `startAgentSession`, subscriptions,
/// stops).
pub const REQUESTS_PER_SECOND: usize = 100;
/// `startAgentSession` calls a second.
pub const SESSION_STARTS_PER_SECOND: usize = 1;
/// `startAgentSession` calls an hour.
pub const SESSION_STARTS_PER_HOUR: usize = 50;
/// Concurrent subscriptions a session may hold.
pub const MAX_SUBSCRIPTIONS: usize = 10;

/// What a call does when the request rate is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WhenLimited {
    /// Wait for its turn (the default): calls are queued, never failed, by the rate limit.
    #[default]
    Queue,
    /// Fail at once with [`Error::Limit`].
    Refuse,
}

/// At most `limit` events in any window of `window`: the times of the last `limit` events.
#[derive(Debug)]
struct SlidingWindow {
    limit: usize,
    window: Duration,
    times: VecDeque<Instant>,
}

impl SlidingWindow {
    fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            times: VecDeque::with_capacity(limit),
        }
    }

    /// Takes a turn now, or says how long until one is free.
    fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        while self
            .times
            .front()
            .is_some_and(|oldest| now.duration_since(*oldest) >= self.window)
        {
            self.times.pop_front();
        }
        if self.times.len() < self.limit {
            self.times.push_back(now);
            return Ok(());
        }
        let oldest = *self.times.front().expect("full");
        Err(self.window - now.duration_since(oldest))
    }
}

/// The request rate of one session.
#[derive(Debug)]
pub(crate) struct RequestRate {
    window: Mutex<SlidingWindow>,
    when_limited: WhenLimited,
}

impl RequestRate {
    pub(crate) fn new(when_limited: WhenLimited) -> Self {
        Self {
            window: Mutex::new(SlidingWindow::new(
                REQUESTS_PER_SECOND,
                Duration::from_secs(1),
            )),
            when_limited,
        }
    }

    /// Takes one request's turn: waits for it, or refuses, as configured.
    pub(crate) async fn take(&self) -> Result<(), Error> {
        loop {
            let turn = lock(&self.window).try_take(Instant::now());
            match (turn, self.when_limited) {
                (Ok(()), _) => return Ok(()),
                (Err(wait), WhenLimited::Queue) => tokio::time::sleep(wait).await,
                (Err(wait), WhenLimited::Refuse) => {
                    return Err(Error::Limit(LimitExceeded {
                        limit: Limit::Requests,
                        retry_after: Some(wait),
                    }));
                }
            }
        }
    }
}

impl RequestRate {
    /// Waits for a turn, whatever the configuration (the session's own requests when it heals).
    pub(crate) async fn wait_turn(&self) {
        loop {
            let turn = lock(&self.window).try_take(Instant::now());
            match turn {
                Ok(()) => return,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Takes a turn if one is free now.
    pub(crate) fn try_turn(&self) -> bool {
        lock(&self.window).try_take(Instant::now()).is_ok()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The `startAgentSession` budget: once a second and 50 times an hour. Shared by every session
/// of the process by default (the API counts per account), or given to a session builder.
///
/// Starts are made one at a time, and the next waits a second from the moment the last one was
/// *answered*: the server counts a request when it arrives, somewhere between the client sending
/// it and reading the answer, so spacing by the answer is never too close.
#[derive(Debug, Clone)]
pub struct SessionStarts {
    inner: Arc<StartsInner>,
}

#[derive(Debug)]
struct StartsInner {
    /// Held for a whole start; when the last one was answered.
    turn: tokio::sync::Mutex<Option<Instant>>,
    hour: Mutex<SlidingWindow>,
}

/// The right to make one start; when dropped, the start is over and the next one may follow a
/// second later.
pub(crate) struct StartTurn<'a> {
    last: tokio::sync::MutexGuard<'a, Option<Instant>>,
}

impl Drop for StartTurn<'_> {
    fn drop(&mut self) {
        *self.last = Some(Instant::now());
    }
}

static PROCESS_STARTS: LazyLock<SessionStarts> = LazyLock::new(SessionStarts::new);

impl SessionStarts {
    /// A budget of its own, at the API's rates.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(StartsInner {
                turn: tokio::sync::Mutex::new(None),
                hour: Mutex::new(SlidingWindow::new(
                    SESSION_STARTS_PER_HOUR,
                    Duration::from_secs(3600),
                )),
            }),
        }
    }

    /// The process-wide budget every session uses unless given another.
    pub fn shared() -> Self {
        PROCESS_STARTS.clone()
    }

    /// Waits for the turn to start a session (a second after the last start was answered);
    /// refuses, with how long until the next one is allowed, when the hour's 50 are used up.
    pub(crate) async fn begin(&self) -> Result<StartTurn<'_>, Error> {
        let last = self.inner.turn.lock().await;
        if let Err(wait) = lock(&self.inner.hour).try_take(Instant::now()) {
            return Err(Error::Limit(LimitExceeded {
                limit: Limit::SessionStarts,
                retry_after: Some(wait),
            }));
        }
        if let Some(answered) = *last {
            let spacing = Duration::from_secs(1) / SESSION_STARTS_PER_SECOND as u32;
            tokio::time::sleep_until(answered + spacing).await;
        }
        Ok(StartTurn { last })
    }

    /// How long until a start is allowed, if one is not now (for the self-healing loop).
    pub(crate) fn wait_hint(error: &Error) -> Option<Duration> {
        match error {
            Error::Limit(LimitExceeded {
                limit: Limit::SessionStarts,
                retry_after,
            }) => *retry_after,
            _ => None,
        }
    }
}

impl Default for SessionStarts {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sliding_window_never_lets_more_than_its_limit_through_any_window() {
        let start = Instant::now();
        let mut window = SlidingWindow::new(3, Duration::from_secs(1));
        for ms in [0, 10, 20] {
            assert!(window.try_take(start + Duration::from_millis(ms)).is_ok());
        }
        let wait = window
            .try_take(start + Duration::from_millis(500))
            .unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(window.try_take(start + Duration::from_millis(1000)).is_ok());
        assert!(
            window
                .try_take(start + Duration::from_millis(1005))
                .is_err()
        );
    }

    #[tokio::test]
    async fn the_hundred_and_first_request_in_a_second_is_refused_when_asked_to() {
        let rate = RequestRate::new(WhenLimited::Refuse);
        for _ in 0..REQUESTS_PER_SECOND {
            rate.take().await.unwrap();
        }
        let error = rate.take().await.unwrap_err();
        assert!(
            matches!(
                &error,
                Error::Limit(LimitExceeded { limit: Limit::Requests, retry_after: Some(wait) })
                    if *wait <= Duration::from_secs(1)
            ),
            "{error:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn starts_are_a_second_apart_from_the_last_answer() {
        let starts = SessionStarts::new();
        let first = starts.begin().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await; // the answer takes a while
        drop(first);
        let answered = Instant::now();
        drop(starts.begin().await.unwrap());
        assert!(answered.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_fifty_first_start_in_an_hour_is_refused_with_the_wait() {
        let starts = SessionStarts::new();
        for _ in 0..SESSION_STARTS_PER_HOUR {
            drop(starts.begin().await.unwrap());
        }
        let error = starts.begin().await.err().unwrap();
        let wait = SessionStarts::wait_hint(&error).unwrap();
        assert!(wait > Duration::from_secs(60), "{wait:?}");
        assert!(error.to_string().contains("50 times an hour"), "{error}");
    }
}
