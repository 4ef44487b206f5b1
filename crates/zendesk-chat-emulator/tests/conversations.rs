//! The emulator's Conversations API as a raw client sees it: `startAgentSession` over HTTP, the
//! WebSocket frames, the schema's validation, and the limits enforced server-side.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use zendesk_chat_emulator::Emulator;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const START: &str = "mutation($access_token: String!) { startAgentSession(access_token: $access_token) { websocket_url session_id client_id } }";

async fn start(emulator: &Emulator, token: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/graphql/request", emulator.base_url()))
        .json(&json!({"query": START, "variables": {"access_token": token}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn connect(emulator: &Emulator) -> Socket {
    let started = start(emulator, emulator.token()).await;
    let url = started["data"]["startAgentSession"]["websocket_url"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"))
        .to_owned();
    assert!(
        url.starts_with("ws://127.0.0.1:") && url.contains("/stream/0.1/graphql/"),
        "{url}"
    );
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.unwrap();
}

async fn receive(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
            .await
            .expect("a frame in time")
            .expect("the socket is open")
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

async fn request(socket: &mut Socket, id: u32, query: &str) -> Value {
    send(
        socket,
        json!({"type": "request", "id": id.to_string(), "payload": {"query": query}}),
    )
    .await;
    let answer = receive(socket).await;
    assert_eq!(answer["id"], id.to_string(), "{answer}");
    answer["payload"].clone()
}

#[tokio::test]
async fn a_bad_token_and_a_second_start_within_a_second_get_graphql_errors() {
    let emulator = Emulator::builder().chats(10).start().await.unwrap();
    let refused = start(&emulator, "nope").await;
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("invalid access token"),
        "{refused}"
    );
    let first = start(&emulator, emulator.token()).await;
    assert!(
        first["data"]["startAgentSession"]["session_id"].is_string(),
        "{first}"
    );
    let second = start(&emulator, emulator.token()).await;
    assert!(
        second["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1 request per second"),
        "{second}"
    );
}

#[tokio::test]
async fn pings_are_echoed_and_requests_are_validated_against_the_schema() {
    let emulator = Emulator::builder().chats(10).start().await.unwrap();
    let mut socket = connect(&emulator).await;
    send(&mut socket, json!({"sig": "PING", "payload": 42})).await;
    assert_eq!(
        receive(&mut socket).await,
        json!({"sig": "PONG", "payload": 42})
    );

    let unknown = request(
        &mut socket,
        1,
        "query { agents { edges { node { shoe_size } } } }",
    )
    .await;
    let messages: Vec<&str> = unknown["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        messages.contains(&"type `Agent` does not have a field `shoe_size`"),
        "{unknown}"
    );

    let twelve = "subscription { message { node { channel { __typename chat_logs { edges { node { \
        __typename id channel { __typename chat_logs { edges { node { __typename id \
        channel { __typename id } } } } } } } } } } } }";
    let deep = request(&mut socket, 2, twelve).await;
    assert!(
        deep["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("maximum depth of 11"),
        "{deep}"
    );

    let agents = request(&mut socket, 3, "query { agents(first: 2) { edges { node { id name } } pageInfo { hasNextPage endCursor } } }").await;
    assert_eq!(
        agents["data"]["agents"]["edges"].as_array().unwrap().len(),
        2,
        "{agents}"
    );
    assert_eq!(agents["data"]["agents"]["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn the_eleventh_subscription_and_the_hundred_and_first_request_in_a_second_are_refused() {
    let emulator = Emulator::builder().chats(10).start().await.unwrap();
    let mut socket = connect(&emulator).await;
    for id in 1..=10 {
        let ack = request(&mut socket, id, "subscription { message { node { id } } }").await;
        assert!(ack["data"]["subscription_id"].is_string(), "{ack}");
    }
    let eleventh = request(&mut socket, 11, "subscription { message { node { id } } }").await;
    assert!(
        eleventh["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("(10)"),
        "{eleventh}"
    );

    // 89 more requests fill the second's 100; the next is refused.
    for id in 12..=100 {
        send(&mut socket, json!({"type": "request", "id": id.to_string(), "payload": {"query": "query { departments { edges { node { id } } } }"}})).await;
    }
    send(&mut socket, json!({"type": "request", "id": "101", "payload": {"query": "query { departments { edges { node { id } } } }"}})).await;
    let mut refused = None;
    for _ in 12..=101 {
        let answer = receive(&mut socket).await;
        if answer["payload"]["errors"].is_array() {
            refused = Some(answer);
        }
    }
    let refused = refused.expect("a refusal");
    assert_eq!(refused["id"], "101", "{refused}");
    assert!(
        refused["payload"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("100 requests per second")
    );
}

#[tokio::test]
async fn a_visitor_message_is_published_to_a_subscription_and_a_stop_ends_it() {
    let emulator = Emulator::builder().chats(10).start().await.unwrap();
    let mut socket = connect(&emulator).await;
    let ack = request(
        &mut socket,
        1,
        "subscription { message { node { content from { __typename display_name } } } }",
    )
    .await;
    let subscription_id = ack["data"]["subscription_id"].clone();
    emulator.visitor_says(None, "Hello?").unwrap();
    let event = receive(&mut socket).await;
    assert_eq!(event["sig"], "DATA");
    assert_eq!(event["subscription_id"], subscription_id);
    assert_eq!(
        event["payload"]["data"]["message"]["node"]["content"],
        "Hello?"
    );
    assert_eq!(
        event["payload"]["data"]["message"]["node"]["from"]["__typename"],
        "Visitor"
    );

    send(&mut socket, json!({"type": "stop_subscription", "id": "2", "payload": {"subscription_id": subscription_id}})).await;
    assert_eq!(receive(&mut socket).await["id"], "2");
    emulator.visitor_says(None, "Anyone?").unwrap();
    let stopped = request(
        &mut socket,
        3,
        "mutation { stopAgentSession { __typename } }",
    )
    .await;
    assert!(
        stopped["data"].is_object(),
        "no event came between: {stopped}"
    );
}
