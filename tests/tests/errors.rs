//! Awaiting an operation gives the crate's one error type, with the operation, the status, the
//! Zendesk error body, the request id, whether it is retryable, and where a decoding failed.

mod support;

use serde_json::json;
use wiremock::{Mock, ResponseTemplate, matchers::any};
use zendesk_chat::{Client, Error};

async fn answering(template: ResponseTemplate) -> (wiremock::MockServer, Client) {
    let server = wiremock::MockServer::start().await;
    Mock::given(any())
        .respond_with(template)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .token(support::TOKEN)
        .retry_policy(zendesk_chat::RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test]
async fn an_error_status_gives_status_body_operation_and_request_id() {
    let (_server, client) = answering(
        ResponseTemplate::new(404)
            .insert_header("x-zendesk-request-id", "req-8f7e")
            .set_body_json(json!({"error": "Not Found"})),
    )
    .await;
    let error = client.get_chat().chat_id("nope").await.unwrap_err();
    assert_eq!(error.operation_id(), Some("getChat"));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.request_id(), Some("req-8f7e"));
    assert!(!error.is_retryable());
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        api.body.as_ref().unwrap().error.as_deref(),
        Some("Not Found")
    );
    assert_eq!(
        error.to_string(),
        "getChat: 404 Not Found: Not Found (request id req-8f7e)"
    );
}

#[tokio::test]
async fn a_field_of_the_wrong_type_names_its_path() {
    let body = json!({"chats": [{"type": "chat", "id": "1"}, {"type": "chat", "id": "2", "history": [{"type": "chat.msg", "msg": 7}]}]});
    let (_server, client) = answering(ResponseTemplate::new(200).set_body_json(body)).await;
    let error = client.list_chats().await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(decode.path, "chats[1].history[0].msg");
    // serde_json adds where in the body the chat ends.
    assert!(
        decode
            .message
            .starts_with("invalid type: integer `7`, expected a string"),
        "{}",
        decode.message
    );
    assert!(decode.body_excerpt.starts_with("{\"chats\""));
    assert!(
        error.to_string().starts_with(
            "listChats: the response does not decode: at `chats[1].history[0].msg`: invalid type: integer `7`, expected a string"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_success_without_a_body_is_fine_for_deletes() {
    let (_server, client) = answering(ResponseTemplate::new(204)).await;
    client.delete_chat().chat_id("1").await.unwrap();
}

#[tokio::test]
async fn invalid_arguments_are_refused_before_any_request() {
    let (server, client) = answering(ResponseTemplate::new(200)).await;
    let error = client.chats_by_ids(["a,b"]).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn errors_answer_questions_without_matching_on_their_structs() {
    let (emulator, client) = support::emulated::start(
        zendesk_chat_emulator::Emulator::builder()
            .chats(5)
            .rate_limit(1, std::time::Duration::from_secs(60)),
    )
    .await;
    let missing = client.get_chat().chat_id("2012.1.nope").await.unwrap_err();
    assert!(missing.is_not_found() && !missing.is_rate_limited());
    assert_eq!(missing.status_code(), Some(404));
    assert_eq!(missing.error_code(), Some("Not Found"));
    assert_eq!(missing.retry_after(), None);

    let no_retries = zendesk_chat::Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        .retry_policy(zendesk_chat::RetryPolicy::none())
        .build()
        .unwrap();
    let limited = no_retries.get_current_agent().await.unwrap_err();
    assert!(limited.is_rate_limited(), "{limited}");
    assert!(
        limited.retry_after().is_some_and(|wait| wait.as_secs() > 0),
        "{limited:?}"
    );
    assert!(limited.is_retryable());
}

#[tokio::test]
async fn send_raw_gives_the_status_and_headers_with_the_crates_error() {
    let (emulator, client) =
        support::emulated::start(zendesk_chat_emulator::Emulator::builder().seed(6).chats(5)).await;
    let id = emulator.with_store(|store| store.chats.by_start().next().unwrap().0.to_owned());
    let response = client.get_chat().chat_id(&id).send_raw().await.unwrap();
    assert_eq!(response.status(), zendesk_chat::StatusCode::OK);
    assert!(response.headers().contains_key("content-type"));
    assert_eq!(response.into_inner().id(), Some(id.as_str()));
    let error = client
        .get_chat()
        .chat_id("2012.1.nope")
        .send_raw()
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
}
