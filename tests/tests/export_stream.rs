//! Incremental export streams against the emulator, which pages as the API does: across pages,
//! the caught-up rule, resuming from a saved cursor with no gap and no duplicate, the five-minute
//! rule, units, polling, and records exactly as sent. (One misbehaving server, whose cursor does
//! not move, is a mock: the emulator never does that.)

mod support;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use support::emulated::{client_for, export_order, start};
use support::raw_server::{chunked_response, large_export_page, serve_raw};
use wiremock::MockServer;
use zendesk_chat::export::{ExportCursor, ExportResource, ExportStart};
use zendesk_chat::{Client, Error, Fields, RetryPolicy, types};
use zendesk_chat_emulator::{Emulator, Fault};

fn mock_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token(support::TOKEN)
        .build()
        .unwrap()
}

fn ids(chats: &[types::Chat]) -> Vec<String> {
    chats
        .iter()
        .map(|chat| chat.id().expect("every chat has an id").to_owned())
        .collect()
}

/// The query of every request the emulator received for `resource`, in order.
fn export_queries(emulator: &Emulator, resource: ExportResource) -> Vec<HashMap<String, String>> {
    emulator
        .requests()
        .iter()
        .filter(|request| request.route.as_deref() == Some(resource.operation().path))
        .map(|request| {
            let url = format!("http://e/?{}", request.query.as_deref().unwrap_or_default());
            reqwest::Url::parse(&url)
                .unwrap()
                .query_pairs()
                .into_owned()
                .collect()
        })
        .collect()
}

/// A support chat updated `second` seconds after 2024-01-01T00:00:00Z.
fn chat_json(id: &str, second: u32) -> String {
    let updated = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, second).unwrap();
    json!({"type": "chat", "id": id, "update_timestamp": updated.to_rfc3339(), "tags": []})
        .to_string()
}

async fn empty_account() -> (Emulator, Client) {
    start(Emulator::builder().chats(0)).await
}

#[tokio::test]
async fn an_export_crosses_pages_and_stops_when_caught_up() {
    let (emulator, client) = start(Emulator::builder().seed(41).chats(2500)).await;
    let pages: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    let caught_up: Vec<bool> = pages.iter().map(|p| p.caught_up).collect();
    assert_eq!(caught_up, [false, false, true]);
    let all: Vec<String> = pages.iter().flat_map(|p| ids(&p.items)).collect();
    let order = export_order(&emulator);
    assert_eq!(all, order);
    // Whole chats are asked for by default, with an explicit limit.
    let queries = export_queries(&emulator, ExportResource::Chats);
    assert_eq!(queries.len(), 3);
    assert!(
        queries
            .iter()
            .all(|q| q["fields"] == "chats(*)" && q["limit"] == "1000")
    );
    assert_eq!(queries[1]["start_id"], order[999]);
}

#[tokio::test]
async fn a_full_last_page_needs_one_more_request_and_next_page_is_not_followed_forever() {
    let (emulator, client) = start(Emulator::builder().seed(42).chats(2000)).await;
    let items: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 2000);
    // 1000 (more now), 1000 (more now), 0 (caught up) — and then the stream ends, although every
    // page, the last included, carries a next_page.
    assert_eq!(export_queries(&emulator, ExportResource::Chats).len(), 3);
}

#[tokio::test]
async fn an_export_resumes_from_a_saved_cursor_with_no_gap_and_no_duplicate() {
    let (emulator, client) = start(Emulator::builder().seed(43).chats(2345)).await;

    let mut first_run = client
        .incremental_chats(ExportStart::beginning())
        .limit(700)
        .pages();
    let first_page = first_run.next().await.unwrap().unwrap();
    let saved = serde_json::to_string(&first_page.next).unwrap();
    drop(first_run); // the process stops here

    let cursor: ExportCursor = serde_json::from_str(&saved).unwrap();
    let rest: Vec<_> = client
        .incremental_chats(cursor)
        .limit(700)
        .items()
        .try_collect()
        .await
        .unwrap();

    let before = ids(&first_page.items);
    let after = ids(&rest);
    assert_eq!(before.len() + after.len(), 2345);
    let union: BTreeSet<&String> = before.iter().chain(&after).collect();
    assert_eq!(union.len(), 2345, "an item was delivered twice");
    assert_eq!(after.first(), export_order(&emulator).get(700));
}

#[tokio::test]
async fn an_export_interrupted_by_an_error_resumes_where_it_stopped() {
    let emulator = Emulator::builder()
        .seed(44)
        .chats(1500)
        .start()
        .await
        .unwrap();
    let client = client_for(&emulator, RetryPolicy::none());
    let mut pages = client.incremental_chats(ExportStart::beginning()).pages();
    let first = pages.next().await.unwrap().unwrap();
    // The next request fails and is not retried: the stream yields the error and ends.
    emulator
        .script_faults("exportChats", [Fault::ServerError])
        .unwrap();
    let failure = pages.next().await.unwrap().unwrap_err();
    assert_eq!(failure.status_code(), Some(500));
    assert!(pages.next().await.is_none(), "a stream ends after an error");
    // A new export from the last saved cursor delivers the rest, nothing twice.
    let rest: Vec<_> = client
        .incremental_chats(first.next.clone())
        .items()
        .try_collect()
        .await
        .unwrap();
    let all: BTreeSet<String> = ids(&first.items).into_iter().chain(ids(&rest)).collect();
    assert_eq!((first.items.len() + rest.len(), all.len()), (1500, 1500));
}

#[tokio::test]
async fn a_start_time_within_five_minutes_is_refused_before_any_request() {
    let (emulator, client) = start(Emulator::builder().seed(45).chats(10)).await;
    let a_minute_ago = Utc::now() - chrono::Duration::seconds(60);
    let results: Vec<_> = client
        .incremental_chats(a_minute_ago)
        .pages()
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    match &results[0] {
        Err(Error::InvalidInput(input)) => {
            assert!(input.message.contains("five minutes"), "{}", input.message)
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert!(export_queries(&emulator, ExportResource::Chats).is_empty());
}

#[tokio::test]
async fn the_agent_timeline_counts_in_microseconds() {
    let (emulator, client) = start(Emulator::builder().seed(46).chats(40)).await;
    let start: DateTime<Utc> = "2018-04-29T00:00:00Z".parse().unwrap();
    let items: Vec<_> = client
        .incremental_agent_timeline(start)
        .items()
        .try_collect()
        .await
        .unwrap();
    let expected = emulator.with_store(|store| store.timeline.len());
    assert!(expected > 0);
    assert_eq!(items.len(), expected);
    assert!(items.iter().all(|timespan| timespan.status.is_some()));
    let first = &export_queries(&emulator, ExportResource::AgentTimeline)[0];
    assert_eq!(first["start_time"], "1524960000000000");
    assert!(
        !first.contains_key("fields"),
        "the agent timeline has no resource expansion"
    );
}

#[tokio::test]
async fn a_fractional_start_time_from_next_page_is_sent_back_exactly() {
    let (emulator, client) = start(Emulator::builder().seed(47).chats(60)).await;
    let pages: Vec<_> = client
        .incremental_department_events(ExportStart::beginning())
        .limit(2)
        .pages()
        .take(2)
        .try_collect()
        .await
        .unwrap();
    // Department events hand back fractional seconds in next_page (`1512172860.657078`).
    let cursor = &pages[0].next;
    assert!(cursor.start_time.contains('.'), "{cursor:?}");
    assert!(cursor.start_id.is_some());
    let queries = export_queries(&emulator, ExportResource::DepartmentEvents);
    assert_eq!(queries[1]["start_time"], cursor.start_time);
    assert_eq!(Some(&queries[1]["start_id"]), cursor.start_id.as_ref());
}

#[tokio::test]
async fn following_keeps_polling_after_catching_up() {
    let (emulator, client) = empty_account().await;
    emulator.with_store(|store| {
        for (i, id) in ["chat-a", "chat-b", "chat-c"].into_iter().enumerate() {
            store
                .insert_chat_json(chat_json(id, i as u32).as_bytes())
                .unwrap();
        }
    });
    let mut items = client
        .incremental_chats(ExportStart::beginning())
        .follow(Duration::from_millis(50))
        .items();
    for _ in 0..3 {
        items.next().await.unwrap().unwrap();
    }
    // Two chats change later: the export, caught up, picks them up on a later poll.
    emulator.with_store(|store| {
        store
            .insert_chat_json(chat_json("chat-d", 3).as_bytes())
            .unwrap();
        store
            .insert_chat_json(chat_json("chat-e", 4).as_bytes())
            .unwrap();
    });
    let fourth = items.next().await.unwrap().unwrap();
    let fifth = items.next().await.unwrap().unwrap();
    assert_eq!(ids(&[fourth, fifth]), ["chat-d", "chat-e"]);
    assert!(export_queries(&emulator, ExportResource::Chats).len() >= 2);
}

#[tokio::test]
async fn raw_pages_give_each_record_exactly_as_sent() {
    let odd = [
        r#"{"type":"chat","id":"a","update_timestamp":"2024-01-01T00:00:00Z","response_time":{"avg":126,"first":null},"tags":[],"comment":null,"x-new":{"k":[1,2.50]}}"#,
        r#"{ "type" : "offline_msg" , "id" : "b", "update_timestamp" : "2024-01-01T00:00:01Z", "unread": 0 }"#,
        r#"{"id":"c","type":"chat","update_timestamp":"2024-01-01T00:00:02Z"}"#,
    ];
    let (emulator, client) = empty_account().await;
    emulator.with_store(|store| {
        for json in odd {
            store.insert_chat_json(json.as_bytes()).unwrap();
        }
    });
    let pages = support::raw_chat_pages(&client).await.unwrap();
    assert_eq!(support::texts(&pages), odd);
}

#[tokio::test]
async fn a_large_export_page_sent_in_chunks_without_a_length_is_read_whole() {
    let (body, records) = large_export_page(900);
    assert!(body.len() > 1 << 20, "large enough for a pooled buffer");
    let base_url = serve_raw(vec![chunked_response(&body, 8192, true)]).await;
    let client = Client::builder()
        .base_url(&base_url)
        .token(support::TOKEN)
        .build()
        .unwrap();
    let pages = support::raw_chat_pages(&client).await.unwrap();
    assert_eq!(support::texts(&pages), records);
    assert_eq!(pages[0].items[899].field("id"), Some(r#""c899""#));
}

#[tokio::test]
async fn resource_expansion_can_be_narrowed() {
    let (emulator, client) = start(Emulator::builder().seed(48).chats(5)).await;
    let fields = Fields::only("chats", ["id", "response_time.max"]).unwrap();
    let pages: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .fields(fields)
        .raw_pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        export_queries(&emulator, ExportResource::Chats)[0]["fields"],
        "chats(id,response_time.max)"
    );
    for record in pages.iter().flat_map(|page| &page.items) {
        let record: serde_json::Value = serde_json::from_str(record.get()).unwrap();
        let keys: BTreeSet<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.is_subset(&BTreeSet::from(["id", "response_time"])),
            "{record}"
        );
    }
}

#[tokio::test]
async fn a_cursor_that_does_not_move_ends_the_stream_with_an_error() {
    let server = MockServer::start().await;
    let page = json!({"chats": [{"id": "x"}, {"id": "y"}], "count": 2, "end_id": "y", "end_time": 1600000000,
                      "next_page": "https://a.zendesk.com/api/v2/chat/incremental/chats?start_time=1600000000&start_id=y"});
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    let results: Vec<_> = mock_client(&server)
        .incremental_chats(ExportStart::beginning())
        .limit(2)
        .pages()
        .collect()
        .await;
    // The first page moves the cursor from 0; the second hands back the same cursor again.
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(Error::CursorStuck(_))),
        "{:?}",
        results[1]
    );
}
