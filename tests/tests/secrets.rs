//! The access token and passwords never show in `Debug` output or error messages.

mod support;

use support::raw_server::{response, serve_raw};
use zendesk_chat::{Client, ClientConfig, types};

const TOKEN: &str = "tok-9f8e7d6c5b4a-very-secret";

#[test]
fn the_client_and_its_config_do_not_print_the_token() {
    let client = Client::builder()
        .subdomain("acme")
        .token(TOKEN)
        .build()
        .unwrap();
    let printed = format!(
        "{client:?} {client:#?} {:?}",
        ClientConfig::new(TOKEN).unwrap()
    );
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(!printed.contains("9f8e7d"), "{printed}");
    assert!(printed.contains("REDACTED"), "{printed}");
}

#[tokio::test]
async fn errors_do_not_print_the_token() {
    let body = r#"{"error": "Unauthorized", "description": "Authentication required"}"#;
    let base_url = serve_raw(vec![
        response(401, body.len(), body),
        response(200, 10_000, "{"),
    ])
    .await;
    let client = Client::builder()
        .base_url(&base_url)
        .token(TOKEN)
        .retry_policy(zendesk_chat::RetryPolicy::none())
        .build()
        .unwrap();
    let unauthorized = client.get_current_agent().send().await.unwrap_err();
    let cut = client.get_current_agent().send().await.unwrap_err();
    for error in [unauthorized, cut] {
        let printed = format!("{error} {error:?} {error:#}");
        assert!(!printed.contains(TOKEN), "{printed}");
    }
}

#[test]
fn a_new_agents_password_does_not_print() {
    let request = types::CreateAgentRequest::builder()
        .email("ann@example.com")
        .password("correct horse battery staple");
    let request = types::CreateAgentRequest::try_from(request).unwrap();
    let printed = format!("{request:?}");
    assert!(!printed.contains("correct horse"), "{printed}");
    assert_eq!(
        serde_json::to_value(&request).unwrap()["password"],
        "correct horse battery staple"
    );
}
