//! Compressed responses. The client asks for gzip unless told not to, and reads a compressed body
//! as it reads a plain one; the emulator compresses for a client that asks (so every test against
//! it with a default client runs compressed, faults included); a compressed stream cut short, or
//! a body that says gzip and is not, is an error of the body, never a panic; and an answer past the
//! client's size limit, announced or expanding, fails at once, unread and not retried.

mod support;

use std::io::{Read, Write};

use support::raw_server::{
    chunked_response, gzip_response, large_export_page, response, serve_raw,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use zendesk_chat::{Client, ClientBuilder, RetryPolicy, SendError};
use zendesk_chat_emulator::Emulator;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .unwrap();
    plain
}

/// A client of `base_url` that makes each request once, to set up further.
fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .token(support::TOKEN)
        .retry_policy(RetryPolicy::none())
}

/// A mock server that answers every request with `response`.
async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// The documented list of chats, as JSON text.
fn documented_chats() -> String {
    support::response_example("listChats", "200", "list").to_string()
}

#[tokio::test]
async fn by_default_the_client_asks_for_gzip_and_reads_a_compressed_answer() {
    let body = documented_chats();
    let server = answering(
        ResponseTemplate::new(200)
            .insert_header("content-encoding", "gzip")
            .set_body_raw(gzip(body.as_bytes()), "application/json"),
    )
    .await;
    let chats = builder(&server.uri())
        .build()
        .unwrap()
        .list_chats()
        .send()
        .await
        .unwrap()
        .into_inner();
    let expected: zendesk_chat::types::ListChatsResponse = serde_json::from_str(&body).unwrap();
    assert_eq!(chats.chats.len(), expected.chats.len());
    assert!(!chats.chats.is_empty(), "the documented list has chats");
    let request = support::only_request(&server).await;
    let asked = request.headers.get("accept-encoding").unwrap();
    assert!(asked.to_str().unwrap().contains("gzip"), "{asked:?}");
}

#[tokio::test]
async fn a_client_told_not_to_compress_asks_for_nothing_and_reads_plain_answers() {
    let body = documented_chats();
    let server =
        answering(ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json"))
            .await;
    builder(&server.uri())
        .compression(false)
        .build()
        .unwrap()
        .list_chats()
        .send()
        .await
        .unwrap();
    let request = support::only_request(&server).await;
    assert_eq!(request.headers.get("accept-encoding"), None);
}

#[tokio::test]
async fn the_emulator_compresses_an_export_page_for_a_client_that_asks_and_the_pages_read_the_same()
{
    let emulator = Emulator::builder()
        .seed(31)
        .chats(300)
        .start()
        .await
        .unwrap();
    let url = format!(
        "{}/api/v2/chat/incremental/chats?start_time=0&fields=chats(*)",
        emulator.base_url()
    );
    // A bare HTTP client that leaves the body as sent.
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |accept: Option<&'static str>| {
        let mut request = http.get(&url).bearer_auth(emulator.token());
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        request.send()
    };
    let compressed = get(Some("gzip")).await.unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let compressed = compressed.bytes().await.unwrap();
    let plain = get(None).await.unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    let plain = plain.bytes().await.unwrap();
    assert_eq!(gunzip(&compressed), plain);
    assert!(
        compressed.len() * 3 < plain.len(),
        "{} bytes compressed, {} plain",
        compressed.len(),
        plain.len()
    );

    let texts = |compression: bool| {
        let client = Client::builder()
            .base_url(emulator.base_url())
            .token(emulator.token())
            .compression(compression)
            .build()
            .unwrap();
        async move {
            let pages = support::raw_chat_pages(&client).await.unwrap();
            let texts: Vec<String> = support::texts(&pages)
                .into_iter()
                .map(str::to_owned)
                .collect();
            texts
        }
    };
    let asked = || {
        emulator
            .requests()
            .iter()
            .map(|request| request.accept_encoding.clone())
            .collect::<Vec<_>>()
    };
    let before = asked().len();
    let with = texts(true).await;
    let compressed_requests = asked().split_off(before);
    assert!(!compressed_requests.is_empty());
    for accept in compressed_requests {
        assert!(
            accept.is_some_and(|accept| accept.contains("gzip")),
            "the client asked for gzip"
        );
    }
    let before = asked().len();
    let without = texts(false).await;
    assert!(asked().split_off(before).iter().all(Option::is_none));
    assert_eq!(with.len(), 300);
    assert_eq!(with, without);
}

#[tokio::test]
async fn a_compressed_stream_cut_short_is_a_body_error() {
    let (page, _) = large_export_page(900);
    let compressed = gzip(page.as_bytes());
    // Whole as HTTP (its length is what was sent): only the gzip stream is cut.
    let half = &compressed[..compressed.len() / 2];
    let base_url = serve_raw(vec![gzip_response(half.len(), half)]).await;
    let result = support::raw_chat_pages(&builder(&base_url).build().unwrap()).await;
    assert!(
        matches!(&result, Err(zendesk_chat::Error::Transport(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_body_that_says_gzip_and_is_not_is_a_body_error() {
    let body = documented_chats();
    let base_url = serve_raw(vec![gzip_response(body.len(), body.as_bytes())]).await;
    let result = builder(&base_url)
        .build()
        .unwrap()
        .list_chats()
        .send()
        .await;
    assert!(
        matches!(&result, Err(SendError::CommunicationError(e)) if e.is_decode() || e.is_body()),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_answer_that_expands_past_the_limit_fails_at_once_and_is_not_retried() {
    // 8 MiB of zeros, about 8 KB compressed: read whole, it would be eight times the limit.
    let bomb = gzip(&vec![b'0'; 8 << 20]);
    assert!(bomb.len() < 64 << 10, "{} bytes compressed", bomb.len());
    let server = answering(
        ResponseTemplate::new(200)
            .insert_header("content-encoding", "gzip")
            .set_body_raw(bomb, "application/json"),
    )
    .await;
    // Retries on: the refusal must not be retried.
    let client = builder(&server.uri())
        .retry_policy(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)))
        .max_response_bytes(1 << 20)
        .build()
        .unwrap();
    match client.list_chats().send().await {
        Err(SendError::CommunicationError(error)) => {
            assert!(zendesk_chat::ResponseTooLarge::caused(&error), "{error:?}");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    support::only_request(&server).await;
}

#[tokio::test]
async fn an_answer_announced_past_the_limit_is_refused_before_it_is_read() {
    let body = documented_chats();
    let base_url = serve_raw(vec![response(200, 5 << 20, &body)]).await;
    // Retries on: a retry would meet a closed listener, not the limit.
    let client = builder(&base_url)
        .retry_policy(RetryPolicy::default())
        .max_response_bytes(1 << 20)
        .build()
        .unwrap();
    match client.list_chats().send().await {
        Err(SendError::CommunicationError(error)) => {
            assert!(zendesk_chat::ResponseTooLarge::caused(&error), "{error:?}");
            assert!(error.to_string().len() < 200, "no body in the message");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_read_and_one_byte_more_sent_in_chunks_is_not() {
    let (page, _) = large_export_page(50);
    let client = |base_url: String, limit: usize| {
        builder(&base_url)
            .retry_policy(RetryPolicy::default())
            .max_response_bytes(limit as u64)
            .build()
            .unwrap()
    };
    let base_url = serve_raw(vec![chunked_response(&page, 4096, true)]).await;
    let pages = support::raw_chat_pages(&client(base_url, page.len()))
        .await
        .unwrap();
    assert_eq!(support::texts(&pages).len(), 50);

    let base_url = serve_raw(vec![chunked_response(&page, 4096, true)]).await;
    let error = support::raw_chat_pages(&client(base_url, page.len() - 1))
        .await
        .expect_err("one byte past the limit");
    let zendesk_chat::Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert!(zendesk_chat::ResponseTooLarge::caused(&transport.source));
    assert!(!error.is_retryable(), "as large again if tried again");
}
