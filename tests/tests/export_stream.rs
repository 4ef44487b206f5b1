//! Incremental export streams against a local server that pages like the API: across pages, the
//! caught-up rule, resuming from a saved cursor with no gap and no duplicate, the five-minute rule,
//! units, polling, and records exactly as sent.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use support::export_server::{ExportServer, Item, chats};
use wiremock::MockServer;
use zendesk_chat::export::{ExportCursor, ExportStart};
use zendesk_chat::{Client, Error, Fields, types};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token(support::TOKEN)
        .build()
        .unwrap()
}

fn ids(chats: &[types::Chat]) -> Vec<String> {
    chats
        .iter()
        .map(|chat| match chat {
            types::Chat::SupportChat(chat) => chat.id.clone().unwrap(),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn an_export_crosses_pages_and_stops_when_caught_up() {
    let (server, state) = ExportServer::start(chats(2500), "chats", 1).await;
    let pages: Vec<_> = client(&server)
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
    assert_eq!(
        all,
        chats(2500).into_iter().map(|c| c.id).collect::<Vec<_>>()
    );
    // Whole chats are asked for by default, with an explicit limit.
    let queries = state.queries();
    assert_eq!(queries.len(), 3);
    assert!(
        queries
            .iter()
            .all(|q| q["fields"] == "chats(*)" && q["limit"] == "1000")
    );
    assert_eq!(queries[1]["start_id"], "2012.9339545.chat000999");
}

#[tokio::test]
async fn a_full_last_page_needs_one_more_request_and_next_page_is_not_followed_forever() {
    let (server, state) = ExportServer::start(chats(2000), "chats", 1).await;
    let items: Vec<_> = client(&server)
        .incremental_chats(ExportStart::beginning())
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 2000);
    // 1000 (more now), 1000 (more now), 0 (caught up) — and then the stream ends, although every
    // page, the last included, carries a next_page.
    assert_eq!(state.queries().len(), 3);
}

#[tokio::test]
async fn an_export_resumes_from_a_saved_cursor_with_no_gap_and_no_duplicate() {
    let (server, _) = ExportServer::start(chats(2345), "chats", 1).await;
    let client = client(&server);

    let mut first_run = Box::pin(
        client
            .incremental_chats(ExportStart::beginning())
            .limit(700)
            .pages(),
    );
    let first_page = first_run.try_next().await.unwrap().unwrap();
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
    assert_eq!(
        after.first().map(String::as_str),
        Some("2012.9339545.chat000700")
    );
}

#[tokio::test]
async fn an_export_interrupted_by_an_error_resumes_where_it_stopped() {
    let (server, state) = ExportServer::start(chats(1500), "chats", 1).await;
    let client = client(&server);
    let mut pages = std::pin::pin!(client.incremental_chats(ExportStart::beginning()).pages());
    let first = pages.try_next().await.unwrap().unwrap();
    // The next request fails in a way that is not retried: the stream yields the error and ends.
    *state.fail_next.lock().unwrap() = Some(400);
    let failure = pages.try_next().await.unwrap_err();
    assert_eq!(failure.status().map(|s| s.as_u16()), Some(400));
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
    let (server, state) = ExportServer::start(chats(10), "chats", 1).await;
    let a_minute_ago = Utc::now() - chrono::Duration::seconds(60);
    let results: Vec<_> = client(&server)
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
    assert!(state.queries().is_empty());
}

#[tokio::test]
async fn the_agent_timeline_counts_in_microseconds() {
    let timespans: Vec<Item> = (0..3)
        .map(|i| {
            let time = 1_525_000_000_000_000 + i * 1_000_000;
            let json = json!({"agent_id": 1730415, "start_time": "2018-04-29T10:26:40.957650Z", "duration": 65.705271, "status": "away", "engagement_count": 0}).to_string();
            Item { time, id: String::new(), json }
        })
        .collect();
    let (server, state) = ExportServer::start(timespans, "agent_timeline", 1_000_000).await;
    let start: DateTime<Utc> = "2018-04-29T00:00:00Z".parse().unwrap();
    let items: Vec<_> = client(&server)
        .incremental_agent_timeline(start)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].status, Some(types::AgentStatus::Away));
    let first = &state.queries()[0];
    assert_eq!(first["start_time"], "1524960000000000");
    assert!(
        !first.contains_key("fields"),
        "the agent timeline has no resource expansion"
    );
}

#[tokio::test]
async fn a_fractional_start_time_from_next_page_is_sent_back_exactly() {
    let server = MockServer::start().await;
    let full_page = json!({
        "count": 2,
        "department_events": [
            {"department_id": 123, "field_name": "queue_sizes", "id": "R3J4l7Q.department:123.JNny6n", "timestamp": "2017-12-02T00:00:00.312082Z", "value": {"assigned": 2, "incoming": 2}},
            {"department_id": 456, "field_name": "queue_sizes", "id": "R3J4l7Q.department:456.ccf4LG", "timestamp": "2017-12-02T00:01:00.657078Z", "value": {"assigned": 2, "incoming": 3}}
        ],
        "end_id": "R3J4l7Q.department:456.ccf4LG",
        "end_time": 1536041904,
        "next_page": "https://{subdomain}.zendesk.com/api/v2/chat/incremental/department_events?start_time=1512172860.657078&start_id=R3J4l7Q.department:456.ccf4LG"
    });
    let last_page =
        json!({"count": 0, "department_events": [], "next_page": full_page["next_page"]});
    wiremock::Mock::given(wiremock::matchers::query_param(
        "start_time",
        "1512172860.657078",
    ))
    .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(last_page))
    .with_priority(1)
    .mount(&server)
    .await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(full_page))
        .with_priority(2)
        .mount(&server)
        .await;
    let pages: Vec<_> = client(&server)
        .incremental_department_events(ExportStart::beginning())
        .limit(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].next.start_time, "1512172860.657078");
    assert_eq!(
        pages[0].next.start_id.as_deref(),
        Some("R3J4l7Q.department:456.ccf4LG")
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[1]
            .url
            .query_pairs()
            .find(|(k, _)| k == "start_time")
            .unwrap()
            .1,
        "1512172860.657078"
    );
}

#[tokio::test]
async fn following_keeps_polling_after_catching_up() {
    let (server, state) = ExportServer::start(chats(3), "chats", 1).await;
    let mut items = std::pin::pin!(
        client(&server)
            .incremental_chats(ExportStart::beginning())
            .follow(Duration::from_millis(50))
            .items()
    );
    for _ in 0..3 {
        items.try_next().await.unwrap().unwrap();
    }
    // Two chats change later: the export, caught up, picks them up on a later poll.
    let later: Vec<Item> = chats(5).into_iter().skip(3).collect();
    state.add(later);
    let fourth = items.try_next().await.unwrap().unwrap();
    let fifth = items.try_next().await.unwrap().unwrap();
    assert_eq!(
        ids(&[fourth, fifth]),
        ["2012.9339545.chat000003", "2012.9339545.chat000004"]
    );
    assert!(state.queries().len() >= 2);
}

#[tokio::test]
async fn raw_pages_give_each_record_exactly_as_sent() {
    let odd = [
        r#"{"type":"chat","id":"a","response_time":{"avg":126,"first":null},"tags":[],"comment":null,"x-new":{"k":[1,2.50]}}"#,
        r#"{ "type" : "offline_msg" , "id" : "b", "unread": 0 }"#,
        r#"{"id":"c"}"#,
    ];
    let items: Vec<Item> = odd
        .iter()
        .enumerate()
        .map(|(i, json)| Item {
            time: 1_600_000_000 + i as i64,
            id: format!("{i}"),
            json: json.to_string(),
        })
        .collect();
    let (server, _) = ExportServer::start(items, "chats", 1).await;
    let pages: Vec<_> = client(&server)
        .incremental_chats(ExportStart::beginning())
        .raw_pages()
        .try_collect()
        .await
        .unwrap();
    let records: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|r| r.get()))
        .collect();
    assert_eq!(records, odd);
}

#[tokio::test]
async fn resource_expansion_can_be_narrowed() {
    let (server, state) = ExportServer::start(chats(2), "chats", 1).await;
    let fields = Fields::only("chats", ["id", "response_time.max"]).unwrap();
    let _: Vec<_> = client(&server)
        .incremental_chats(ExportStart::beginning())
        .fields(fields)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(state.queries()[0]["fields"], "chats(id,response_time.max)");
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
    let results: Vec<_> = client(&server)
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
