//! A local server for one incremental export that pages the way the API does: items ordered by
//! update time then id, after (`start_time`, `start_id`), at most `limit` (1000) a page, with
//! `count`, `end_time`, `end_id` and a `next_page` that is there even on the last page; 400 for a
//! `start_time` less than five minutes in the past.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};

/// One exported item: its update time (in the export's unit), its id, and its JSON text.
#[derive(Clone, Debug)]
pub struct Item {
    pub time: i64,
    pub id: String,
    pub json: String,
}

/// The server's items (shared, so that a test can add some while an export runs) and the query
/// of each request it received.
#[derive(Clone, Default)]
pub struct ExportServer {
    pub items: Arc<Mutex<Vec<Item>>>,
    pub requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
    /// A status to answer the next request with, once, instead of a page.
    pub fail_next: Arc<Mutex<Option<u16>>>,
}

/// `count` chats, updated one a second from 2020-12-22T04:00:00Z.
pub fn chats(count: usize) -> Vec<Item> {
    (0..count)
        .map(|i| {
            let id = format!("2012.9339545.chat{i:06}");
            let time = 1_608_609_600 + i as i64;
            let json = json!({"type": "chat", "id": id, "update_timestamp": "2020-12-22T04:00:00Z", "tags": []}).to_string();
            Item { time, id, json }
        })
        .collect()
}

impl ExportServer {
    /// Serves `items` as the `items_key` export (`chats`, …) whose times are in units of
    /// `per_second` (1 for seconds, 1_000_000 for microseconds).
    pub async fn start(
        items: Vec<Item>,
        items_key: &'static str,
        per_second: i64,
    ) -> (MockServer, Self) {
        let server = MockServer::start().await;
        let state = ExportServer::default();
        state.add(items);
        let shared = state.clone();
        let base = server.uri();
        Mock::given(any())
            .respond_with(move |request: &Request| {
                shared.respond(request, &base, items_key, per_second)
            })
            .mount(&server)
            .await;
        (server, state)
    }

    /// Adds items (as an update to the account would).
    pub fn add(&self, items: Vec<Item>) {
        let mut all = self.items.lock().unwrap();
        all.extend(items);
        all.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    }

    fn respond(
        &self,
        request: &Request,
        base: &str,
        items_key: &str,
        per_second: i64,
    ) -> ResponseTemplate {
        let query: HashMap<String, String> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        self.requests.lock().unwrap().push(query.clone());
        if let Some(status) = self.fail_next.lock().unwrap().take() {
            return ResponseTemplate::new(status).set_body_json(json!({"error": "Injected"}));
        }
        let start_time: f64 = query.get("start_time").map_or(0.0, |t| t.parse().unwrap());
        let start_id = query.get("start_id").cloned().unwrap_or_default();
        let limit: usize = query
            .get("limit")
            .map_or(1000, |l| l.parse().unwrap())
            .min(1000);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        if start_time / per_second as f64 > now - 300.0 {
            return ResponseTemplate::new(400).set_body_json(
                json!({"error": "Bad Request", "description": "start_time is too recent"}),
            );
        }
        let items = self.items.lock().unwrap();
        let page: Vec<&Item> = items
            .iter()
            .filter(|item| {
                (item.time as f64) > start_time
                    || ((item.time as f64) == start_time && item.id > start_id)
            })
            .take(limit)
            .collect();
        let (end_time, end_id) = match page.last() {
            Some(last) => (json!(last.time), last.id.clone()),
            None => (json!(start_time as i64), start_id.clone()),
        };
        let next_page = format!(
            "{base}{}?start_time={}&start_id={end_id}",
            request.url.path(),
            end_time
        );
        let items_text: Vec<&str> = page.iter().map(|item| item.json.as_str()).collect();
        let body = format!(
            r#"{{"{items_key}": [{}], "count": {}, "end_id": {}, "end_time": {end_time}, "next_page": {}}}"#,
            items_text.join(", "),
            page.len(),
            Value::from(end_id),
            Value::from(next_page),
        );
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }

    /// The queries received so far.
    pub fn queries(&self) -> Vec<HashMap<String, String>> {
        self.requests.lock().unwrap().clone()
    }
}
