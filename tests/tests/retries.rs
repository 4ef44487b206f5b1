//! Retries and rate limits, against local servers: 429 with and without `Retry-After`, a 500
//! then success, a connection dropped mid-body, a POST that is not retried, a budget that runs
//! out, and the attempts the final error lists.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;
use support::raw_server::{response, serve_raw};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};
use zendesk_chat::{Client, Error, RateLimit, RetryPolicy};

/// A server that answers the n-th request (from 0) with `script(n)`; returns it and a counter of
/// requests.
async fn scripted(
    script: impl Fn(usize) -> ResponseTemplate + Send + Sync + 'static,
) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    Mock::given(any())
        .respond_with(move |_: &wiremock::Request| script(counter.fetch_add(1, Ordering::SeqCst)))
        .mount(&server)
        .await;
    (server, count)
}

fn client(base_url: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base_url)
        .token(support::TOKEN)
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// Backoff short enough for tests.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(50))
}

fn agent() -> serde_json::Value {
    json!({"id": 5, "display_name": "Johnny"})
}

#[tokio::test]
async fn a_429_waits_as_retry_after_says_in_seconds() {
    let (server, requests) = scripted(|n| match n {
        0 => ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(json!({"error": "Too Many Requests"})),
        _ => ResponseTemplate::new(200).set_body_json(agent()),
    })
    .await;
    let started = Instant::now();
    let me = client(&server.uri(), quick())
        .get_current_agent()
        .await
        .unwrap();
    assert_eq!(me.id, Some(5));
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(990),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_429_waits_until_an_http_date() {
    let (server, requests) = scripted(|n| match n {
        0 => {
            let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
            ResponseTemplate::new(429).insert_header("retry-after", date.as_str())
        }
        _ => ResponseTemplate::new(200).set_body_json(agent()),
    })
    .await;
    let started = Instant::now();
    client(&server.uri(), quick())
        .get_current_agent()
        .await
        .unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    // HTTP dates have whole seconds: the wait is between one and two seconds.
    assert!(
        started.elapsed() >= Duration::from_millis(990),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_retries() {
    let (server, requests) = scripted(|n| match n {
        0 | 1 => ResponseTemplate::new(429),
        _ => ResponseTemplate::new(200).set_body_json(agent()),
    })
    .await;
    client(&server.uri(), quick())
        .get_current_agent()
        .await
        .unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_500_then_success_succeeds() {
    let (server, requests) = scripted(|n| match n {
        0 => ResponseTemplate::new(500).set_body_json(json!({"error": "Internal Server Error"})),
        _ => ResponseTemplate::new(200).set_body_json(json!([agent()])),
    })
    .await;
    let agents = client(&server.uri(), quick()).list_agents().await.unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_connection_dropped_mid_body_is_retried() {
    let body = agent().to_string();
    let base_url = serve_raw(vec![
        response(200, 500, &body[..10]),
        response(200, body.len(), &body),
    ])
    .await;
    let me = client(&base_url, quick())
        .get_current_agent()
        .await
        .unwrap();
    assert_eq!(me.display_name.as_deref(), Some("Johnny"));
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_server_error() {
    let (server, requests) = scripted(|_| {
        ResponseTemplate::new(503).set_body_json(json!({"error": "Service Unavailable"}))
    })
    .await;
    let visitor = zendesk_chat::types::CreateVisitorRequest::default();
    let error = client(&server.uri(), quick())
        .create_visitor()
        .body(visitor)
        .await
        .unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.is_retryable());
    assert_eq!(error.attempts().len(), 1);
}

#[tokio::test]
async fn a_post_is_retried_when_the_caller_opts_in() {
    let (server, requests) = scripted(|n| match n {
        0 => ResponseTemplate::new(503),
        _ => ResponseTemplate::new(201).set_body_json(json!({"id": "v1", "name": "Ann"})),
    })
    .await;
    let visitor = zendesk_chat::types::CreateVisitorRequest::default();
    client(&server.uri(), quick().retry_non_idempotent(true))
        .create_visitor()
        .body(visitor)
        .await
        .unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_post_is_retried_after_a_429_since_it_was_refused() {
    let (server, requests) = scripted(|n| match n {
        0 => ResponseTemplate::new(429).insert_header("retry-after", "0"),
        _ => ResponseTemplate::new(201).set_body_json(json!({"id": "v1"})),
    })
    .await;
    let visitor = zendesk_chat::types::CreateVisitorRequest::default();
    client(&server.uri(), quick())
        .create_visitor()
        .body(visitor)
        .await
        .unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_wait_past_the_budget_is_not_started() {
    let (server, requests) =
        scripted(|_| ResponseTemplate::new(429).insert_header("retry-after", "30")).await;
    let started = Instant::now();
    let error = client(&server.uri(), quick().budget(Duration::from_secs(5)))
        .get_current_agent()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it waited {:?}",
        started.elapsed()
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    match &error {
        Error::Api(api) => {
            assert_eq!(api.status, 429);
            assert_eq!(api.retry_after, Some(Duration::from_secs(30)));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn attempts_run_out_and_the_error_lists_each() {
    let (server, requests) = scripted(|n| match n {
        1 => ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
        _ => ResponseTemplate::new(503)
            .set_body_json(json!({"error": "Service Unavailable", "description": "maintenance"})),
    })
    .await;
    let error = client(&server.uri(), quick().max_attempts(3))
        .get_chat()
        .chat_id("1")
        .await
        .unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 3);
    let outcomes: Vec<&str> = error
        .attempts()
        .iter()
        .map(|a| a.outcome.as_str())
        .collect();
    assert_eq!(
        outcomes,
        [
            "503 Service Unavailable",
            "502 Bad Gateway",
            "503 Service Unavailable"
        ]
    );
    assert!(error.attempts()[0].waited.is_some() && error.attempts()[2].waited.is_none());
    let message = error.to_string();
    assert!(
        message.starts_with("getChat: 503 Service Unavailable: Service Unavailable: maintenance"),
        "{message}"
    );
    assert!(
        message.contains(
            "after 3 attempts: 503 Service Unavailable, 502 Bad Gateway, 503 Service Unavailable"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn an_error_body_that_is_not_json_keeps_its_status() {
    let (server, _) = scripted(|_| {
        ResponseTemplate::new(502)
            .set_body_raw("<html><body>Bad gateway</body></html>", "text/html")
    })
    .await;
    let error = client(&server.uri(), RetryPolicy::none())
        .list_agents()
        .await
        .unwrap_err();
    match &error {
        Error::Api(api) => {
            assert_eq!(api.status, 502);
            assert!(api.body.is_none());
            assert!(api.raw_body.contains("Bad gateway"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("502 Bad Gateway: <html><body>Bad gateway</body></html>"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error_after_the_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let error = client(&base_url, quick().max_attempts(2))
        .list_agents()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(error.attempts().len(), 2);
    assert!(error.to_string().contains("could not connect"), "{error}");
}

#[tokio::test]
async fn the_rate_limit_spaces_requests_out() {
    let (server, requests) = scripted(|_| ResponseTemplate::new(200).set_body_json(agent())).await;
    let client = Client::builder()
        .base_url(server.uri())
        .token(support::TOKEN)
        .rate_limit(RateLimit::per_second(10))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..21 {
        client.get_current_agent().await.unwrap();
    }
    // A burst of 10, then one every 100 ms: the 21st is sent no sooner than 1.1 s in.
    assert!(
        started.elapsed() >= Duration::from_millis(1050),
        "took only {:?}",
        started.elapsed()
    );
    assert_eq!(requests.load(Ordering::SeqCst), 21);
}

#[tokio::test]
async fn clones_of_a_client_share_its_rate_limit() {
    let (server, _) = scripted(|_| ResponseTemplate::new(200).set_body_json(agent())).await;
    let client = Client::builder()
        .base_url(server.uri())
        .token(support::TOKEN)
        .rate_limit(RateLimit::per_second(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..7 {
                    client.get_current_agent().await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(1050),
        "took only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn scripted_faults_of_one_operation_are_survived_in_order() {
    let (emulator, client) =
        support::emulated::start(zendesk_chat_emulator::Emulator::builder().seed(4).chats(5)).await;
    let id = emulator.with_store(|store| store.chats.by_start().next().unwrap().0.to_owned());
    emulator
        .script_faults(
            "getChat",
            [
                zendesk_chat_emulator::Fault::ServerError,
                zendesk_chat_emulator::Fault::CutBody,
            ],
        )
        .unwrap();
    let chat = client.get_chat().chat_id(&id).await.unwrap();
    assert_eq!(chat.id(), Some(id.as_str()));
    let statuses: Vec<(u16, Option<String>)> = emulator
        .requests()
        .iter()
        .map(|r| (r.status, r.fault.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            (500, Some("ServerError".into())),
            (200, Some("CutBody".into())),
            (200, None)
        ]
    );
    assert!(emulator.script_faults("noSuchOperation", []).is_err());
}

#[tokio::test]
async fn a_call_can_override_the_retry_policy_and_the_timeout() {
    let (emulator, client) = support::emulated::start(
        zendesk_chat_emulator::Emulator::builder()
            .seed(5)
            .chats(5)
            .faults(zendesk_chat_emulator::Faults {
                delay: std::time::Duration::from_secs(3),
                ..zendesk_chat_emulator::Faults::none()
            }),
    )
    .await;
    use zendesk_chat_emulator::Fault;
    emulator
        .script_faults("getCurrentAgent", [Fault::ServerError])
        .unwrap();
    let once = client.with_retry_policy(zendesk_chat::RetryPolicy::none());
    let error = once.get_current_agent().await.unwrap_err();
    assert_eq!(error.status_code(), Some(500));
    assert_eq!(error.attempts().len(), 1);

    emulator
        .script_faults("getCurrentAgent", [Fault::ServerError])
        .unwrap();
    client.get_current_agent().await.unwrap(); // the client's own policy retries

    emulator
        .script_faults("getCurrentAgent", [Fault::Delay])
        .unwrap();
    let impatient = once.with_timeout(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let error = impatient.get_current_agent().await.unwrap_err();
    assert!(
        matches!(error, zendesk_chat::Error::Transport(_)),
        "{error}"
    );
    assert!(error.to_string().contains("timed out"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
