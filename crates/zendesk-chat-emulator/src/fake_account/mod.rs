//! A deterministic generator of realistic accounts: agents, departments, visitors, support chats
//! with plausible histories (joins, messages, tags, ratings, comments, files, conversions,
//! leaves), offline messages, agent timeline spans and department events.
//!
//! Everything is a function of the seed (and, for a chat, of its index), so an account is the
//! same on every run and chats can be made in parallel. The account's period ends on a fixed day
//! in the past, so that every generated item can be exported at once (the API refuses a
//! `start_time` less than five minutes old).

mod activity;
mod agents;
mod chats;
mod configuration;
mod production_shapes;
mod visitors;
mod vocabulary;

use zendesk_chat::Timestamp;
use zendesk_chat::types;

use crate::store::clock::{iso_micros, iso_seconds};
use crate::store::{Store, chats::ChatEntry};

use self::activity::{conversion_items, department_events, timeline_and_events};
use self::agents::agent;
use self::chats::chat;
use self::visitors::visitor;
use self::vocabulary::DEPARTMENTS;

/// How big an account to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSize {
    /// Chats (support chats and offline messages).
    pub chats: usize,
    /// Agents.
    pub agents: usize,
    /// Departments.
    pub departments: usize,
    /// Visitors (the chats' visitors are drawn from them).
    pub visitors: usize,
    /// Days the account's history spans.
    pub days: u32,
}

impl Default for AccountSize {
    fn default() -> Self {
        Self::with_chats(1000)
    }
}

impl AccountSize {
    /// An account with `chats` chats and proportionate numbers of everything else.
    pub fn with_chats(chats: usize) -> Self {
        Self {
            chats,
            agents: (chats / 2000).clamp(8, 60),
            departments: 4,
            visitors: (chats / 3).clamp(10, 50_000),
            days: 365,
        }
    }
}

/// The day every generated account's history ends: 2026-10-01T00:00:00Z.
pub const HISTORY_END_MICROS: i64 = 1_790_812_800_000_000;

const DAY_MICROS: i64 = 86_400_000_000;

/// Makes the account of `seed`, of `size`.
pub fn account(seed: u64, size: &AccountSize) -> Store {
    let mut rng = rng(seed, 0, 0);
    let account_id = 1_000_000 + rng.u64(..9_000_000);
    let start = HISTORY_END_MICROS - i64::from(size.days.max(1)) * DAY_MICROS;
    let mut store = Store::new(account_id);

    let departments: Vec<(i64, String)> = (0..size.departments.max(1))
        .map(|i| {
            (
                360_000_000_000 + i as i64 * 7919,
                DEPARTMENTS[i % DEPARTMENTS.len()].to_owned(),
            )
        })
        .collect();

    let agents: Vec<types::Agent> = (0..size.agents.max(1))
        .map(|i| agent(seed, i, start, &departments))
        .collect();
    for agent in &agents {
        store.insert_agent(agent.clone());
    }
    let visitors: Vec<types::Visitor> = (0..size.visitors.max(1))
        .map(|i| visitor(seed, i, account_id, start))
        .collect();
    for visitor in &visitors {
        store.insert_visitor(visitor.clone());
    }

    let context = Context {
        seed,
        account_id,
        start,
        span: HISTORY_END_MICROS - start,
        count: size.chats,
        agents: &agents,
        visitors: &visitors,
        departments: &departments,
    };
    configuration::fill(&mut store, &context);
    let mut conversions = Vec::new();
    for (id, entry, chat_conversions) in chats_in_parallel(&context) {
        store.chats.insert(id, entry);
        conversions.extend(chat_conversions);
    }
    store.conversions = conversion_items(conversions).into();
    let (timeline, agent_events) = timeline_and_events(seed, account_id, &agents, start);
    (store.timeline, store.agent_events) = (timeline.into(), agent_events.into());
    store.department_events = department_events(seed, &departments, start).into();
    store
}

/// Everything a chat is made from.
struct Context<'a> {
    seed: u64,
    account_id: u64,
    start: i64,
    span: i64,
    count: usize,
    agents: &'a [types::Agent],
    visitors: &'a [types::Visitor],
    departments: &'a [(i64, String)],
}

/// The chats, each with its entry and its conversions.
fn chats_in_parallel(context: &Context<'_>) -> Vec<(String, ChatEntry, Vec<types::Conversion>)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let per_thread = context.count.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..context.count)
            .step_by(per_thread)
            .map(|first| {
                let last = (first + per_thread).min(context.count);
                scope.spawn(move || {
                    (first..last)
                        .map(|i| {
                            let chat = chat(context, i);
                            let mut json = serde_json::to_value(&chat).expect("a chat serializes");
                            let mut shapes = rng(context.seed, 6, i as u64);
                            production_shapes::apply(&mut shapes, &mut json);
                            let json = serde_json::to_vec(&json).expect("a chat serializes");
                            let (id, entry) = ChatEntry::with_json(&chat, json.into())
                                .expect("a generated chat has an id");
                            let conversions = match chat {
                                types::Chat::SupportChat(chat) => chat.conversions,
                                _ => Vec::new(),
                            };
                            (id, entry, conversions)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a chat generator thread panicked"))
            .collect()
    })
}

/// The random source for item `index` of a `kind`: independent of every other item's.
fn rng(seed: u64, kind: u64, index: u64) -> fastrand::Rng {
    // SplitMix64 over the three, so that nearby seeds and indices give unrelated streams.
    let mut x =
        seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    fastrand::Rng::with_seed(x ^ (x >> 31))
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn ts(micros: i64) -> Option<Timestamp> {
    Some(Timestamp::from(iso_seconds(micros)))
}

fn ts_micros(micros: i64) -> Option<Timestamp> {
    Some(Timestamp::from(iso_micros(micros)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_the_same_for_the_same_seed() {
        let size = AccountSize::with_chats(50);
        let (a, b) = (account(7, &size), account(7, &size));
        let ids = |store: &Store| {
            store
                .chats
                .by_start()
                .map(|(id, e)| (id.to_owned(), e.json.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&account(8, &size)));
        assert_eq!(a.chats.len(), 50);
    }

    #[test]
    fn generated_chats_round_trip_through_the_client_models() {
        let store = account(3, &AccountSize::with_chats(200));
        let mut kinds = std::collections::BTreeSet::new();
        for (_, entry) in store.chats.by_start() {
            let chat: types::Chat = serde_json::from_slice(&entry.json).unwrap();
            if let types::Chat::SupportChat(chat) = &chat {
                kinds.extend(
                    chat.history
                        .iter()
                        .map(|e| e.type_tag().unwrap().to_owned()),
                );
            }
            assert!(!matches!(chat, types::Chat::Unknown(_)));
        }
        for kind in [
            "chat.memberjoin",
            "chat.msg",
            "chat.memberleave",
            "chat.tag",
            "chat.rating",
            "chat.request.rating",
        ] {
            assert!(kinds.contains(kind), "no {kind} in {kinds:?}");
        }
    }

    #[test]
    fn every_item_is_older_than_the_export_window() {
        let store = account(1, &AccountSize::with_chats(100));
        let limit = crate::store::clock::micros(std::time::SystemTime::now()) - 300_000_000;
        assert!(
            store
                .chats
                .updated_after(i64::MIN, "")
                .all(|(_, e)| e.meta.update_micros < limit)
        );
        assert!(store.timeline.iter().all(|i| i.time < limit));
    }
}
