//! Batch helpers split any number of chat ids into requests of at most 50 and merge the answers.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};
use zendesk_chat::Client;

/// A server for `GET /chats?ids=` and `DELETE /chats?ids=`; records each request's ids.
async fn server() -> (MockServer, Arc<Mutex<Vec<(String, Vec<String>)>>>) {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    Mock::given(any())
        .respond_with(move |request: &Request| {
            let query: HashMap<_, _> = request.url.query_pairs().collect();
            let ids: Vec<String> = query["ids"].split(',').map(str::to_owned).collect();
            log.lock().unwrap().push((request.method.to_string(), ids.clone()));
            if ids.len() > 50 {
                return ResponseTemplate::new(400).set_body_json(json!({"error": "Bad Request"}));
            }
            // Ids ending in 7 are unknown; the rest exist.
            let known: Vec<&String> = ids.iter().filter(|id| !id.ends_with('7')).collect();
            let body = if request.method == "GET" {
                let docs: serde_json::Map<String, Value> =
                    known.iter().map(|id| (id.to_string(), json!({"type": "chat", "id": id}))).collect();
                json!({"count": docs.len(), "docs": docs})
            } else {
                let not_found: Vec<&String> = ids.iter().filter(|id| id.ends_with('7')).collect();
                json!({"number_success": known.len(), "number_fail": not_found.len(), "failed": {"not_found": not_found}})
            };
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    (server, seen)
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token(support::TOKEN)
        .build()
        .unwrap()
}

fn chat_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("2012.9339545.c{i:04}")).collect()
}

#[tokio::test]
async fn chats_by_ids_sends_fifty_a_request_and_merges_the_docs() {
    let (server, seen) = server().await;
    let ids = chat_ids(123);
    let chats = client(&server).chats_by_ids(&ids).await.unwrap();
    let sizes: Vec<usize> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, ids)| ids.len())
        .collect();
    assert_eq!(sizes, [50, 50, 23]);
    let expected: Vec<&String> = ids.iter().filter(|id| !id.ends_with('7')).collect();
    assert_eq!(chats.chats.keys().collect::<Vec<_>>(), expected);
    assert!(chats.failures.is_empty());
}

#[tokio::test]
async fn delete_chats_merges_counts_and_failures() {
    let (server, seen) = server().await;
    let ids = chat_ids(101);
    let result = client(&server).delete_chats(&ids).await.unwrap();
    let requests = seen.lock().unwrap().clone();
    assert!(requests.iter().all(|(method, _)| method == "DELETE"));
    assert_eq!(
        requests
            .iter()
            .map(|(_, ids)| ids.len())
            .collect::<Vec<_>>(),
        [50, 50, 1]
    );
    let unknown: Vec<String> = ids.iter().filter(|id| id.ends_with('7')).cloned().collect();
    assert_eq!(result.number_fail, Some(unknown.len() as i64));
    assert_eq!(result.number_success, Some((101 - unknown.len()) as i64));
    assert_eq!(result.failed.unwrap().not_found, unknown);
}

#[tokio::test]
async fn no_ids_means_no_request() {
    let (server, seen) = server().await;
    assert!(
        client(&server)
            .chats_by_ids(Vec::<String>::new())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(seen.lock().unwrap().is_empty());
}
