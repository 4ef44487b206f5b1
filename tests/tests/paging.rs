//! Agent cursor paging and chat search paging, against local servers that page the way the
//! reference pages describe.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};
use zendesk_chat::{Client, Error};

fn query(request: &Request) -> HashMap<String, String> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A server that answers with `respond` and records each request's query.
async fn server(
    respond: impl Fn(&HashMap<String, String>) -> ResponseTemplate + Send + Sync + 'static,
) -> (MockServer, Arc<Mutex<Vec<HashMap<String, String>>>>) {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    Mock::given(any())
        .respond_with(move |request: &Request| {
            let query = query(request);
            log.lock().unwrap().push(query.clone());
            respond(&query)
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

/// Agents with these ids, paged as the Agents page says: ascending ids from `since_id`
/// (inclusive), at most `limit` (10 when any paging parameter is given), the whole set otherwise.
fn agents_page(ids: &[i64], query: &HashMap<String, String>) -> ResponseTemplate {
    let paged = ["since_id", "max_id", "limit"]
        .iter()
        .any(|p| query.contains_key(*p));
    let since: i64 = query
        .get("since_id")
        .map_or(i64::MIN, |v| v.parse().unwrap());
    let limit: usize = query
        .get("limit")
        .map_or(if paged { 10 } else { usize::MAX }, |v| v.parse().unwrap());
    let page: Vec<_> = ids
        .iter()
        .filter(|id| **id >= since)
        .take(limit)
        .map(|id| json!({"id": id, "display_name": format!("Agent {id}"), "enabled": true}))
        .collect();
    ResponseTemplate::new(200).set_body_json(page)
}

#[tokio::test]
async fn agents_are_paged_forward_by_since_id() {
    let ids: Vec<i64> = (0..23).map(|i| 7_282_618_889_000 + i * 7).collect();
    let served = ids.clone();
    let (server, seen) = server(move |query| agents_page(&served, query)).await;
    let agents: Vec<_> = client(&server)
        .agents()
        .page_size(10)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let got: Vec<i64> = agents.iter().map(|a| a.id.unwrap()).collect();
    assert_eq!(got, ids);
    let seen = seen.lock().unwrap();
    let since_ids: Vec<Option<&str>> = seen
        .iter()
        .map(|q| q.get("since_id").map(String::as_str))
        .collect();
    // The next page starts at the last id + 1: ids 0..9 end at base + 63, ids 10..19 at base + 133.
    assert_eq!(
        since_ids,
        [None, Some("7282618889064"), Some("7282618889134")]
    );
    assert!(seen.iter().all(|q| q["limit"] == "10"));
}

#[tokio::test]
async fn a_last_page_that_is_exactly_full_needs_one_more_request() {
    let ids: Vec<i64> = (1..=20).collect();
    let served = ids.clone();
    let (server, seen) = server(move |query| agents_page(&served, query)).await;
    let agents: Vec<_> = client(&server)
        .agents()
        .page_size(10)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(agents.len(), 20);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn agent_paging_resumes_from_a_saved_since_id() {
    let ids: Vec<i64> = (1..=30).collect();
    let served = ids.clone();
    let (server, _) = server(move |query| agents_page(&served, query)).await;
    let rest: Vec<_> = client(&server)
        .agents()
        .page_size(7)
        .since_id(25)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|a| a.id.unwrap()).collect::<Vec<_>>(),
        (25..=30).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_server_that_repeats_a_page_stops_the_stream_instead_of_looping() {
    let (server, _) = server(|_| agents_page(&(1..=10).collect::<Vec<_>>(), &HashMap::new())).await;
    let results: Vec<_> = client(&server)
        .agents()
        .page_size(10)
        .stream()
        .collect()
        .await;
    // The repeated page is not delivered a second time.
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 10);
    assert!(
        matches!(results.last(), Some(Err(Error::CursorStuck(_)))),
        "{:?}",
        results.last()
    );
}

/// Search results for `total` matching chats, 40 a page, `next_url` carrying the page number.
fn search_page(base: &str, total: u64, query: &HashMap<String, String>) -> ResponseTemplate {
    let page: u64 = query.get("page").map_or(1, |p| p.parse().unwrap());
    if page > 250 {
        return ResponseTemplate::new(400)
            .set_body_json(json!({"error": "Bad Request", "description": "page limit"}));
    }
    let first = (page - 1) * 40;
    let results: Vec<_> = (first..total.min(first + 40))
        .map(|i| json!({"id": format!("chat-{i}"), "type": "chat", "preview": "…", "timestamp": "2014-10-15T16:31:25Z"}))
        .collect();
    let next_url = if first + 40 < total {
        json!(format!(
            "{base}/api/v2/chat/chats/search?q={}&page={}",
            query["q"],
            page + 1
        ))
    } else {
        json!(null)
    };
    ResponseTemplate::new(200).set_body_json(
        json!({"results": results, "count": total, "next_url": next_url, "prev_url": null}),
    )
}

#[tokio::test]
async fn search_follows_next_url_to_the_end() {
    let (server, seen) = server(|query| search_page("https://acme.zendesk.com", 95, query)).await;
    let results: Vec<_> = client(&server)
        .search("chocolate")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(results.len(), 95);
    assert_eq!(results[94].id.as_deref(), Some("chat-94"));
    let pages: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|q| q["page"].clone())
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test]
async fn search_ends_with_a_typed_error_at_the_ten_thousand_result_window() {
    let (server, seen) =
        server(|query| search_page("https://acme.zendesk.com", 12_345, query)).await;
    let results: Vec<_> = client(&server).search("rating:good").collect().await;
    let delivered = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(delivered, 10_000);
    match results.last() {
        Some(Err(Error::SearchWindowExceeded(exceeded))) => {
            assert_eq!(exceeded.total, 12_345);
            assert_eq!(exceeded.delivered, 10_000);
            assert_eq!(exceeded.query, "rating:good");
        }
        other => panic!("expected SearchWindowExceeded, got {other:?}"),
    }
    // Page 251, which the API refuses, is never requested.
    let highest = seen
        .lock()
        .unwrap()
        .iter()
        .map(|q| q["page"].parse::<u32>().unwrap())
        .max();
    assert_eq!(highest, Some(250));
    let message = results.last().unwrap().as_ref().unwrap_err().to_string();
    assert!(
        message.contains("10,000") && message.contains("timestamp:["),
        "{message}"
    );
}

#[tokio::test]
async fn the_docs_string_null_next_url_ends_the_search() {
    let (server, seen) = server(|_| {
        ResponseTemplate::new(200)
            .set_body_json(json!({"results": [{"id": "1"}], "count": 1, "next_url": "null"}))
    })
    .await;
    let results: Vec<_> = client(&server).search("a").try_collect().await.unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(seen.lock().unwrap().len(), 1);
}
