//! The emulator serves every operation of the spec: each one's method and path template reach a
//! route of that template (not the fallback, not "method not allowed"), and a handler of its own
//! (not "not implemented").

use zendesk_chat::operations::ALL;
use zendesk_chat_emulator::Emulator;

/// The path template with every `{parameter}` filled in with a plausible value.
fn concrete_path(template: &str) -> String {
    let mut path = String::new();
    for segment in template.split('/') {
        if !path.is_empty() || !segment.is_empty() {
            path.push('/');
        }
        path.push_str(match segment {
            "{agent_id}" => "1",
            "{email}" => "someone@example.com",
            parameter if parameter.starts_with('{') => "some-id",
            literal => literal,
        });
    }
    path
}

#[tokio::test]
async fn every_operation_of_the_spec_is_routed() {
    let emulator = Emulator::builder().chats(3).start().await.unwrap();
    let http = reqwest::Client::new();
    for operation in ALL {
        let url = format!("{}{}", emulator.base_url(), concrete_path(operation.path));
        let method = reqwest::Method::from_bytes(operation.method.as_bytes()).unwrap();
        let response = http
            .request(method, &url)
            .bearer_auth(emulator.token())
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        for unrouted in [
            reqwest::StatusCode::METHOD_NOT_ALLOWED,
            reqwest::StatusCode::NOT_IMPLEMENTED,
        ] {
            assert_ne!(
                response.status(),
                unrouted,
                "{} {}",
                operation.method,
                operation.path
            );
        }
        let last = emulator.requests().pop().unwrap();
        assert_eq!(
            last.route.as_deref(),
            Some(operation.path),
            "{} {} reached no route of its own",
            operation.method,
            operation.path
        );
    }
    // A path of no operation reaches no route: the check above can fail.
    http.get(format!(
        "{}/api/v2/chat/no_such_resource",
        emulator.base_url()
    ))
    .bearer_auth(emulator.token())
    .send()
    .await
    .unwrap();
    assert_eq!(emulator.requests().pop().unwrap().route, None);
}

#[test]
fn parameters_are_filled_in_and_literals_kept() {
    assert_eq!(
        concrete_path("/api/v2/chat/agents/{agent_id}/shortcuts"),
        "/api/v2/chat/agents/1/shortcuts"
    );
    assert_eq!(concrete_path("/api/v2/chat/chats"), "/api/v2/chat/chats");
}
