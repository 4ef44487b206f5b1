//! Search past the API's 10,000-result window (split by time), and from hits to whole chats.

mod support;

use chrono::{TimeZone, Utc};
use support::emulated::start;
use zendesk_chat::Error;
use zendesk_chat::search::{ChatType, SearchQuery};
use zendesk_chat_emulator::Emulator;

fn every_chat() -> SearchQuery {
    SearchQuery::chat_type(ChatType::Chat).or(SearchQuery::chat_type(ChatType::OfflineMsg))
}

#[tokio::test]
async fn a_search_past_the_window_is_split_by_time_and_delivers_every_match_once() {
    let (_emulator, client) = start(Emulator::builder().seed(9).chats(10_300)).await;

    // The plain search stops at the window, saying so, and keeps what it delivered.
    let plain = client
        .search(every_chat().to_string())
        .collect_partial()
        .await;
    let Some(Error::SearchWindowExceeded(exceeded)) = &plain.error else {
        panic!("the plain search did not stop at the window")
    };
    assert_eq!((exceeded.total, exceeded.delivered), (10_300, 10_000));
    assert_eq!(
        plain.items.len(),
        10_000,
        "what came before the window is kept"
    );
    assert!(plain.failures.is_empty());

    let from = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 10, 2, 0, 0, 0).unwrap();
    let hits = client
        .search_between(every_chat(), from, to)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(hits.len(), 10_300);
    let mut ids: Vec<_> = hits.iter().filter_map(|hit| hit.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10_300, "every match exactly once");
}

#[tokio::test]
async fn hits_become_whole_chats_fifty_ids_a_request_in_their_order() {
    let (emulator, client) = start(Emulator::builder().seed(10).chats(120)).await;
    let hits = client
        .search(every_chat().to_string())
        .collect_all()
        .await
        .unwrap();
    let chats = client
        .search(every_chat().to_string())
        .full_chats(&client)
        .collect_all()
        .await
        .unwrap();
    let hit_ids: Vec<_> = hits.iter().filter_map(|hit| hit.id.as_deref()).collect();
    let chat_ids: Vec<_> = chats.iter().filter_map(|chat| chat.id()).collect();
    assert_eq!(chat_ids, hit_ids);
    let batches = emulator
        .requests()
        .iter()
        .filter(|r| {
            r.path == "/api/v2/chat/chats" && r.query.as_deref().is_some_and(|q| q.contains("ids="))
        })
        .count();
    assert_eq!(batches, 3, "120 ids, 50 a request");
}
