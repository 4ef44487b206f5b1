//! What every request passes through before its operation: the request log, bearer-token auth,
//! the rate limit, and injected faults (500s, 429s, delays, a connection closed mid-body), drawn
//! reproducibly from a seed.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;

/// Faults to inject: each is the share of requests (from 0 to 1) that gets it. Which requests
/// get one is drawn from `seed` and the request's number, so a run is reproducible.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// The seed of the draws.
    pub seed: u64,
    /// Answered 500 Internal Server Error.
    pub server_errors: f64,
    /// Answered 429 Too Many Requests, with `Retry-After: 1`.
    pub rate_limits: f64,
    /// Answered after [`delay`](Self::delay).
    pub delays: f64,
    /// How long a delayed request waits.
    pub delay: Duration,
    /// Answered with a connection closed halfway through the body.
    pub cut_bodies: f64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// `share` of the requests get a fault, spread evenly over the four kinds (delays of 200 ms).
    pub fn mixed(share: f64, seed: u64) -> Self {
        let each = share.clamp(0.0, 1.0) / 4.0;
        Self {
            seed,
            server_errors: each,
            rate_limits: each,
            delays: each,
            delay: Duration::from_millis(200),
            cut_bodies: each,
        }
    }

    fn draw(&self, request: u64) -> Fault {
        let roll = unit_interval(self.seed, request);
        let mut threshold = 0.0;
        for (share, fault) in [
            (self.server_errors, Fault::ServerError),
            (self.rate_limits, Fault::RateLimit),
            (self.delays, Fault::Delay),
            (self.cut_bodies, Fault::CutBody),
        ] {
            threshold += share;
            if roll < threshold {
                return fault;
            }
        }
        Fault::None
    }
}

/// A fault drawn for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None.
    None,
    /// A 500.
    ServerError,
    /// A 429.
    RateLimit,
    /// A delay.
    Delay,
    /// The body cut halfway.
    CutBody,
}

/// A number in [0, 1) from the seed and the request's number (SplitMix64).
fn unit_interval(seed: u64, request: u64) -> f64 {
    let mut x = seed ^ request.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1_u64 << 53) as f64
}

/// At most `requests` per `per`; more get 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnforcedRateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window.
    pub per: Duration,
}

/// A rate limit and its current window.
#[derive(Debug)]
pub struct RateWindow {
    limit: EnforcedRateLimit,
    started: Instant,
    count: u32,
}

impl RateWindow {
    /// A fresh window for `limit`.
    pub fn new(limit: EnforcedRateLimit) -> Self {
        Self {
            limit,
            started: Instant::now(),
            count: 0,
        }
    }

    /// Counts a request; how long to wait if it is over the limit.
    fn admit(&mut self) -> Option<Duration> {
        let now = Instant::now();
        if now.duration_since(self.started) >= self.limit.per {
            self.started = now;
            self.count = 0;
        }
        self.count += 1;
        (self.count > self.limit.requests).then(|| {
            self.limit
                .per
                .saturating_sub(now.duration_since(self.started))
        })
    }
}

/// One request, as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Its number, from 0.
    pub number: u64,
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The route it matched, such as `/api/v2/chat/chats/{chat_id}`.
    pub route: Option<String>,
    /// The query string.
    pub query: Option<String>,
    /// The request's `Accept-Encoding` (the compressions the client takes), if it sent one.
    pub accept_encoding: Option<String>,
    /// The status answered.
    pub status: u16,
    /// The fault injected, if any.
    pub fault: Option<String>,
    /// The response body, when bodies are recorded.
    pub body: Option<Bytes>,
}

/// The bearer token of a request.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn error(status: StatusCode, name: &str, description: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": name, "description": description}).to_string(),
    )
        .into_response()
}

/// The middleware.
pub async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let number = shared.requests.fetch_add(1, Ordering::SeqCst);
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let accept_encoding = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());

    let token = bearer_token(request.headers()).map(str::to_owned);
    let authorized = token.is_some_and(|t| {
        shared
            .tokens
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains_key(&t)
            && !shared.oauth().expired(&t)
    });
    let limited = || {
        let mut window = shared
            .rate_limit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        window.as_mut().and_then(RateWindow::admit)
    };
    let scripted = route.as_ref().and_then(|route| {
        shared
            .scripted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_mut(&(method.clone(), route.clone()))
            .and_then(std::collections::VecDeque::pop_front)
    });
    let fault = scripted.unwrap_or_else(|| {
        shared
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .draw(number)
    });
    let (mut response, fault) = if !authorized {
        (
            error(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Authentication required: send `Authorization: Bearer <token>`",
            ),
            Fault::None,
        )
    } else if let Some(wait) = limited() {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
            "Rate limit exceeded",
        );
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        (response, Fault::None)
    } else {
        let response = match fault {
            Fault::ServerError => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                "injected fault",
            ),
            Fault::RateLimit => {
                let mut response = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too Many Requests",
                    "injected fault",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(1));
                response
            }
            Fault::Delay => {
                let delay = shared
                    .faults
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .delay;
                tokio::time::sleep(delay).await;
                next.run(request).await
            }
            Fault::CutBody | Fault::None => next.run(request).await,
        };
        (response, fault)
    };

    let record_body = shared.record_bodies.load(Ordering::Relaxed);
    let mut body = None;
    if record_body || fault == Fault::CutBody {
        let (mut parts, whole) = response.into_parts();
        let bytes = axum::body::to_bytes(whole, usize::MAX)
            .await
            .unwrap_or_default();
        if fault == Fault::CutBody && bytes.len() > 1 {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            let half = bytes.slice(..bytes.len() / 2);
            let chunks = [
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "injected fault",
                )),
            ];
            response =
                Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)));
        } else {
            response = Response::from_parts(parts, Body::from(bytes.clone()));
        }
        body = record_body.then_some(bytes);
    }
    shared
        .log
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(RequestRecord {
            number,
            method,
            path,
            route,
            query,
            accept_encoding,
            status: response.status().as_u16(),
            fault: (fault != Fault::None).then(|| format!("{fault:?}")),
            body,
        });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_draws_are_reproducible_and_near_their_share() {
        let faults = Faults::mixed(0.2, 42);
        let draws: Vec<Fault> = (0..10_000).map(|n| faults.draw(n)).collect();
        assert_eq!(
            draws,
            (0..10_000).map(|n| faults.draw(n)).collect::<Vec<_>>()
        );
        let faulty = draws.iter().filter(|f| **f != Fault::None).count();
        assert!((1800..2200).contains(&faulty), "{faulty}");
        assert_eq!(Faults::none().draw(3), Fault::None);
    }

    #[test]
    fn a_window_admits_its_requests_then_says_how_long_to_wait() {
        let mut window = RateWindow::new(EnforcedRateLimit {
            requests: 2,
            per: Duration::from_secs(60),
        });
        assert_eq!(window.admit(), None);
        assert_eq!(window.admit(), None);
        let wait = window.admit().unwrap();
        assert!(wait > Duration::from_secs(58), "{wait:?}");
    }
}
