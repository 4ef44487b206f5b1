//! Responses that do not fit give typed errors, never a panic: a field of the wrong type, a body
//! cut short, a connection closed mid-body, something that is not JSON. (Retries are off here;
//! `retries.rs` tests them.)

mod support;

use support::raw_server::{chunked_response, large_export_page, response, serve_raw};
use zendesk_chat::{Client, SendError as Error};

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .token(support::TOKEN)
        .retry_policy(zendesk_chat::RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_an_invalid_payload_error() {
    let body = r#"{"chats": [{"type": "chat", "id": "1", "duration": "long"}], "count": 1}"#;
    let base_url = serve_raw(vec![response(200, body.len(), body)]).await;
    match client(&base_url).list_chats().send().await {
        Err(Error::InvalidResponsePayload(bytes, error)) => {
            assert_eq!(bytes, body.as_bytes());
            assert!(error.to_string().contains("duration"), "{error}");
        }
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_value_where_a_union_is_expected_is_an_error_not_a_panic() {
    let body = r#"{"chats": [5], "count": 1}"#;
    let base_url = serve_raw(vec![response(200, body.len(), body)]).await;
    let result = client(&base_url).list_chats().send().await;
    assert!(
        matches!(result, Err(Error::InvalidResponsePayload(..))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_truncated_json_body_is_an_invalid_payload_error() {
    let body = r#"{"chats": [{"type": "chat", "id": "1""#;
    let base_url = serve_raw(vec![response(200, body.len(), body)]).await;
    let result = client(&base_url).list_chats().send().await;
    assert!(
        matches!(result, Err(Error::InvalidResponsePayload(..))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_body_error() {
    let body = r#"{"chats": [{"type": "chat", "id": "1"#;
    let base_url = serve_raw(vec![response(200, 10_000, body)]).await;
    // The transport reads the whole body (so that a cut is retried like any failed attempt): the
    // cut is a communication error caused by the body.
    let result = client(&base_url).list_chats().send().await;
    assert!(
        matches!(&result, Err(Error::CommunicationError(e)) if e.is_decode() || e.is_body()),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_at_all_is_an_invalid_payload_error() {
    let body = "<html>hello</html>";
    let base_url = serve_raw(vec![response(200, body.len(), body)]).await;
    let result = client(&base_url).get_current_agent().send().await;
    assert!(
        matches!(result, Err(Error::InvalidResponsePayload(..))),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_empty_body_where_json_is_expected_is_an_invalid_payload_error() {
    let base_url = serve_raw(vec![response(200, 0, "")]).await;
    let result = client(&base_url).get_visitor().visitor_id("1").send().await;
    assert!(
        matches!(result, Err(Error::InvalidResponsePayload(..))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_status_the_spec_does_not_describe_is_an_unexpected_response() {
    let base_url = serve_raw(vec![response(302, 0, "")]).await;
    match client(&base_url).list_agents().send().await {
        Err(Error::UnexpectedResponse(response)) => assert_eq!(response.status(), 302),
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn nobody_listening_is_a_communication_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let result: Result<_, Error> = client(&base_url).list_agents().send().await;
    assert!(
        matches!(result, Err(Error::CommunicationError(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_chunked_body_cut_short_is_a_body_error() {
    let (body, _) = large_export_page(900);
    let base_url = serve_raw(vec![chunked_response(&body[..body.len() / 2], 8192, false)]).await;
    let result = support::raw_chat_pages(&client(&base_url)).await;
    assert!(
        matches!(&result, Err(zendesk_chat::Error::Transport(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_absurd_content_length_is_a_body_error_not_an_allocation_of_it() {
    // A terabyte announced, a few bytes sent: the buffer is not sized on the server's word.
    let body = r#"{"chats": [], "count": 0}"#;
    let base_url = serve_raw(vec![response(200, 1 << 40, body)]).await;
    let result = client(&base_url).list_chats().send().await;
    assert!(
        matches!(&result, Err(Error::CommunicationError(e))
            if (e.is_body() || e.is_decode()) && zendesk_chat::ResponseTooLarge::caused(e)),
        "{result:?}"
    );
}
