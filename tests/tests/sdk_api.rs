//! The SDK as the README shows it, point by point, against the emulator: one paging shape, search
//! past the window to whole chats, one call path, errors to ask, the emulator as a test double,
//! conversions, models, and per-call overrides.

mod support;

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use support::emulated::start;
use zendesk_chat::prelude::*;
use zendesk_chat::{BuildError, StatusCode};
use zendesk_chat_emulator::{Emulator, Fault, Faults};

/// The route of `GET /chats/{chat_id}`, as the emulator records it.
const GET_CHAT_ROUTE: &str = "/api/v2/chat/chats/{chat_id}";

fn first_chat_id(emulator: &Emulator) -> String {
    emulator.with_store(|store| store.chats.by_start().next().unwrap().0.to_owned())
}

fn requests_to(emulator: &Emulator, route: &str) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|request| request.route.as_deref() == Some(route))
        .count()
}

/// A stream that can be stored in a struct and moved into a task.
fn assert_owned_stream<S>(stream: S) -> S
where
    S: zendesk_chat::Stream + Unpin + Send + 'static,
{
    stream
}

#[tokio::test]
async fn every_paging_entry_point_is_an_owned_stream_that_collects_without_imports() {
    let (emulator, client) = start(Emulator::builder().seed(31).chats(60)).await;
    let expected_agents = emulator.with_store(|store| store.agents.len());

    // Spawned onto another task: no borrow of the client, no `pin!`.
    let agents = assert_owned_stream(client.agents().page_size(5).stream());
    let agents: Vec<Agent> = tokio::spawn(agents.collect_all()).await.unwrap().unwrap();
    assert_eq!(agents.len(), expected_agents);

    let mut pages = assert_owned_stream(
        client
            .incremental_chats(ExportStart::beginning())
            .limit(25)
            .pages(),
    );
    let mut exported = 0;
    while let Some(page) = pages.next().await {
        exported += page.unwrap().items.len();
    }
    assert_eq!(exported, 60);
}

#[tokio::test]
async fn a_search_between_two_times_delivers_whole_chats_once_each() {
    let (emulator, client) = start(Emulator::builder().seed(32).chats(130)).await;
    let every_chat =
        || SearchQuery::chat_type(ChatType::Chat).or(SearchQuery::chat_type(ChatType::OfflineMsg));
    let from = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let chats = client
        .search_between(every_chat(), from, Utc::now())
        .full_chats(&client)
        .collect_all()
        .await
        .unwrap();
    let mut ids: Vec<&str> = chats.iter().filter_map(|chat| chat.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 130);
    assert!(
        chats.iter().all(|chat| !matches!(chat, Chat::Unknown(_))),
        "whole, typed chats"
    );
    assert!(
        requests_to(&emulator, "/api/v2/chat/chats") >= 3,
        "50 ids a request"
    );
}

#[tokio::test]
async fn awaiting_gives_the_value_and_send_raw_gives_status_and_headers_with_the_same_error() {
    let (emulator, client) = start(Emulator::builder().seed(33).chats(5)).await;
    let id = first_chat_id(&emulator);

    let chat = client.get_chat().chat_id(&id).await.unwrap();
    assert_eq!(chat.id(), Some(id.as_str()));

    let raw = client.get_chat().chat_id(&id).send_raw().await.unwrap();
    assert_eq!(raw.status(), StatusCode::OK);
    assert!(raw.headers().contains_key("content-type"));
    assert_eq!(raw.into_inner().id(), Some(id.as_str()));

    let missing: Error = client
        .get_chat()
        .chat_id("no-such-chat")
        .send_raw()
        .await
        .unwrap_err();
    assert!(missing.is_not_found());
}

#[tokio::test]
async fn errors_say_not_found_rate_limited_and_the_apis_code_and_message() {
    let (emulator, client) = start(Emulator::builder().seed(34).chats(5)).await;

    let missing = client.get_chat().chat_id("no-such-chat").await.unwrap_err();
    assert!(missing.is_not_found());
    assert!(!missing.is_rate_limited());
    assert_eq!(missing.status(), Some(StatusCode::NOT_FOUND));
    // Zendesk's 404 body is `{"error": "Not Found"}` (shared/reference/real-payloads.md).
    assert_eq!(missing.error_code(), Some("Not Found"));

    emulator
        .script_faults("getChat", [Fault::RateLimit])
        .unwrap();
    let limited = client
        .get_chat()
        .chat_id(first_chat_id(&emulator))
        .customize()
        .retry_policy(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(limited.is_rate_limited());
    assert_eq!(limited.status_code(), Some(429));
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn the_emulator_scripts_faults_per_operation_and_records_what_it_received() {
    let emulator = Emulator::builder().chats(50).start().await.unwrap();
    let client = Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        .retry_policy(support::emulated::retries())
        .build()
        .unwrap();

    emulator
        .script_faults("getChat", [Fault::RateLimit, Fault::RateLimit])
        .unwrap();
    let id = first_chat_id(&emulator);
    client.get_chat().chat_id(&id).await.unwrap();
    assert_eq!(requests_to(&emulator, GET_CHAT_ROUTE), 3);

    // The script is spent: the next call is answered at once, and other operations never saw it.
    client.get_chat().chat_id(&id).await.unwrap();
    assert_eq!(requests_to(&emulator, GET_CHAT_ROUTE), 4);
    let statuses: Vec<u16> = emulator
        .requests()
        .iter()
        .filter(|r| r.route.as_deref() == Some(GET_CHAT_ROUTE))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 429, 200, 200]);
    assert!(
        emulator
            .script_faults("noSuchOperation", [Fault::CutBody])
            .is_err()
    );
}

#[tokio::test]
async fn an_export_resumes_from_its_cursor_saved_as_text_in_one_call() {
    let (_emulator, client) = start(Emulator::builder().seed(35).chats(80)).await;
    let since = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();

    let mut pages = client
        .incremental_chats(ExportStart::resume_or(None, since))
        .limit(30)
        .pages();
    let first = pages.next().await.unwrap().unwrap();
    let saved_text = first.next.to_string();
    drop(pages);

    let saved: ExportCursor = saved_text.parse().unwrap();
    assert_eq!(saved, first.next, "a cursor round-trips through its text");
    let rest = client
        .incremental_chats(ExportStart::resume_or(Some(saved), since))
        .limit(30)
        .items()
        .collect_all()
        .await
        .unwrap();

    let mut ids: Vec<&str> = first
        .items
        .iter()
        .chain(&rest)
        .filter_map(|chat| chat.id())
        .collect();
    assert_eq!(ids.len(), 80, "nothing skipped");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 80, "nothing twice");
}

#[tokio::test]
async fn body_setters_take_str_and_models_answer_plain_questions() {
    let (emulator, client) = start(Emulator::builder().seed(36).chats(20)).await;
    let visitor_id = emulator.with_store(|store| store.visitors.keys().next().unwrap().clone());

    client
        .update_visitor()
        .visitor_id(&visitor_id)
        .body_map(|visitor| visitor.notes("Prefers email"))
        .await
        .unwrap();
    let visitor = client.get_visitor().visitor_id(&visitor_id).await.unwrap();
    assert_eq!(visitor.notes.as_deref(), Some("Prefers email"));

    let agents = client.agents().stream().collect_all().await.unwrap();
    let from_flags = agents
        .iter()
        .filter(|agent| agent.enabled.as_ref().is_some_and(|flag| flag.as_bool()))
        .count();
    let from_json = agents
        .iter()
        .filter(|agent| {
            let json = serde_json::to_value(agent).unwrap();
            json["enabled"] == serde_json::json!(true) || json["enabled"] == serde_json::json!(1)
        })
        .count();
    assert_eq!(from_flags, from_json);

    // Ordered by instant, not by text: 10:00+02:00 is before 09:00Z.
    let earlier = Timestamp::from("2024-03-01T10:00:00+02:00");
    let later = Timestamp::from("2024-03-01T09:00:00Z");
    assert!(earlier < later);
}

#[tokio::test]
async fn one_call_overrides_the_retry_policy_and_the_timeout_and_the_next_does_not() {
    let (emulator, client) = start(Emulator::builder().seed(37).chats(5)).await;
    let id = first_chat_id(&emulator);

    emulator
        .script_faults("getChat", [Fault::ServerError, Fault::ServerError])
        .unwrap();
    let once = client
        .get_chat()
        .chat_id(&id)
        .customize()
        .retry_policy(RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(once.attempts().len(), 1);
    assert_eq!(once.status_code(), Some(500));
    // The client's own policy retries past the second 500.
    client.get_chat().chat_id(&id).await.unwrap();

    emulator.set_faults(Faults {
        delays: 1.0,
        delay: Duration::from_millis(400),
        ..Faults::none()
    });
    let impatient = client
        .get_chat()
        .chat_id(&id)
        .customize()
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(matches!(impatient, Error::Transport(_)), "{impatient}");
    client.get_chat().chat_id(&id).await.unwrap();
}

#[test]
fn settings_an_http_client_of_ones_own_would_drop_are_refused_by_name() {
    let refused = Client::builder()
        .subdomain("acme")
        .token("t")
        .timeout(Duration::from_secs(5))
        .http_client(reqwest::Client::new())
        .build()
        .unwrap_err();
    assert!(
        matches!(refused, BuildError::IgnoredWithHttpClient("timeout")),
        "{refused}"
    );
}
