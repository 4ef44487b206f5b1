//! Paging and exports across thousands of records against the emulator; faults and rate limits on
//! the way lose nothing and repeat nothing.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use support::emulated::{assert_responses_match_spec, client_for, export_order, retries, start};
use zendesk_chat::export::{ExportCursor, ExportStart};
use zendesk_chat::types::Chat;
use zendesk_chat_emulator::{Emulator, Faults};

fn chat_id(chat: &Chat) -> String {
    chat.id().unwrap().to_owned()
}

fn all_ids(emulator: &Emulator) -> BTreeSet<String> {
    export_order(emulator).into_iter().collect()
}

#[tokio::test]
async fn every_export_visits_each_item_once_across_pages() {
    let (emulator, client) = start(Emulator::builder().seed(21).chats(3500)).await;
    let chats: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = chats.iter().map(chat_id).collect();
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        3500,
        "no chat twice"
    );
    assert_eq!(
        ids.iter().cloned().collect::<BTreeSet<_>>(),
        all_ids(&emulator)
    );
    assert!(
        chats.iter().all(|c| !matches!(c, Chat::Unknown(_))),
        "whole chats by default"
    );

    let timespans: Vec<_> = client
        .incremental_agent_timeline(ExportStart::beginning())
        .items()
        .try_collect()
        .await
        .unwrap();
    let conversions: Vec<_> = client
        .incremental_conversions(ExportStart::beginning())
        .items()
        .try_collect()
        .await
        .unwrap();
    let events: Vec<_> = client
        .incremental_department_events(ExportStart::beginning())
        .items()
        .try_collect()
        .await
        .unwrap();
    let (expected_timespans, expected_conversions, expected_events) = emulator.with_store(|s| {
        (
            s.timeline.len(),
            s.conversions.len(),
            s.department_events.len(),
        )
    });
    assert_eq!(
        (timespans.len(), conversions.len(), events.len()),
        (expected_timespans, expected_conversions, expected_events)
    );
    assert!(
        expected_timespans > 1000 && expected_events > 1000,
        "several pages of each"
    );
    let event_ids: BTreeSet<_> = events.iter().map(|e| e.id.clone().unwrap()).collect();
    assert_eq!(event_ids.len(), events.len());
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn an_export_through_faults_loses_nothing_and_repeats_nothing() {
    let (emulator, client) = start(Emulator::builder().seed(22).chats(2500)).await;
    emulator.set_faults(Faults::mixed(0.3, 7));
    let mut ids = Vec::new();
    let mut pages = std::pin::pin!(
        client
            .incremental_chats(ExportStart::beginning())
            .limit(250)
            .pages()
    );
    while let Some(page) = pages.try_next().await.unwrap() {
        ids.extend(page.items.iter().map(chat_id));
    }
    let faults = emulator
        .requests()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(faults >= 3, "the run met faults ({faults})");
    assert_eq!(ids.len(), 2500);
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), all_ids(&emulator));
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn an_export_stopped_at_random_points_resumes_with_nothing_lost_or_repeated() {
    let (emulator, client) = start(Emulator::builder().seed(23).chats(2000)).await;
    emulator.set_faults(Faults::mixed(0.2, 9));
    let mut cursor: Option<ExportCursor> = None;
    let mut ids = Vec::new();
    let mut runs = 0;
    let mut stops = fastrand::Rng::with_seed(5);
    loop {
        runs += 1;
        let start = cursor
            .clone()
            .map_or_else(ExportStart::beginning, ExportStart::Cursor);
        // Each run takes a few pages, then "crashes" (the stream is dropped); a run may also end
        // with an error that the retries could not absorb.
        let mut pages = Box::pin(client.incremental_chats(start).limit(150).pages());
        let mut caught_up = false;
        for _ in 0..stops.usize(1..5) {
            match pages.next().await {
                Some(Ok(page)) => {
                    ids.extend(page.items.iter().map(chat_id));
                    cursor = Some(page.next.clone());
                    if page.caught_up {
                        caught_up = true;
                        break;
                    }
                }
                Some(Err(_)) | None => break,
            }
        }
        drop(pages);
        if caught_up {
            break;
        }
        assert!(runs < 200, "no progress");
    }
    assert!(runs > 3, "the export was stopped and resumed ({runs} runs)");
    assert_eq!(ids.len(), 2000, "nothing repeated");
    assert_eq!(
        ids.into_iter().collect::<BTreeSet<_>>(),
        all_ids(&emulator),
        "nothing lost"
    );
}

#[tokio::test]
async fn changes_show_in_the_export_again_at_their_latest_version() {
    let (emulator, client) = start(
        Emulator::builder()
            .seed(24)
            .chats(300)
            .backdate_changes(Duration::from_secs(600)),
    )
    .await;
    let first: Vec<_> = client
        .incremental_chats(ExportStart::beginning())
        .pages()
        .try_collect()
        .await
        .unwrap();
    let cursor = first.last().unwrap().next.clone();
    let target = chat_id(&first[0].items[5]);
    let update = zendesk_chat::types::UpdateChatRequest {
        comment: Some("changed later".into()),
        ..Default::default()
    };
    client
        .update_chat()
        .chat_id(&target)
        .body(update)
        .await
        .unwrap();
    let later: Vec<_> = client
        .incremental_chats(cursor)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert!(
        matches!(&later[0], Chat::SupportChat(c) if c.comment.as_deref() == Some("changed later"))
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn the_rate_limit_is_honoured() {
    let emulator = Emulator::builder()
        .seed(25)
        .chats(10)
        .rate_limit(5, Duration::from_secs(1))
        .record_bodies(true)
        .start()
        .await
        .unwrap();
    let client = client_for(&emulator, retries().budget(Duration::from_secs(30)));
    let started = Instant::now();
    for _ in 0..12 {
        client.get_current_agent().await.unwrap();
    }
    let refused = emulator
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert!(refused >= 1, "the limit was met");
    // 12 requests at 5 a second need at least two more windows after the first.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_responses_match_spec(&emulator);
}

#[tokio::test]
async fn a_client_side_rate_limit_avoids_the_429s() {
    let emulator = Emulator::builder()
        .seed(26)
        .chats(10)
        .rate_limit(20, Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = zendesk_chat::Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        // A burst of 9, then 9 a second: at most 18 in any one-second window of the server.
        .rate_limit(zendesk_chat::RateLimit::per_second(9))
        .build()
        .unwrap();
    for _ in 0..40 {
        client.get_current_agent().await.unwrap();
    }
    assert_eq!(
        emulator
            .requests()
            .iter()
            .filter(|r| r.status == 429)
            .count(),
        0
    );
}

#[tokio::test]
async fn search_serves_ten_thousand_results_then_says_why_it_stops() {
    let (emulator, client) = start(Emulator::builder().seed(27).chats(12_000)).await;
    let results: Vec<_> = client.search("chat_type:chat").collect().await;
    let delivered: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.id.clone().unwrap())
        .collect();
    assert_eq!(delivered.len(), 10_000);
    assert_eq!(
        delivered.iter().collect::<BTreeSet<_>>().len(),
        10_000,
        "no result twice"
    );
    match results.last() {
        Some(Err(zendesk_chat::Error::SearchWindowExceeded(exceeded))) => {
            assert!(exceeded.total > 10_000)
        }
        other => panic!("expected SearchWindowExceeded, got {other:?}"),
    }
    assert!(
        emulator.requests().iter().all(|r| r.status == 200),
        "page 251 was never requested"
    );
    assert_responses_match_spec(&emulator);
}
