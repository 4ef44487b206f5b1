//! A deterministic generator of realistic accounts: agents, departments, visitors, support chats
//! with plausible histories (joins, messages, tags, ratings, comments, files, conversions,
//! leaves), offline messages, agent timeline spans and department events.
//!
//! Everything is a function of the seed (and, for a chat, of its index), so an account is the
//! same on every run and chats can be made in parallel. The account's period ends on a fixed day
//! in the past, so that every generated item can be exported at once (the API refuses a
//! `start_time` less than five minutes old).

mod production_shapes;

use std::collections::HashMap;

use zendesk_chat::types;
use zendesk_chat::{LooseId, Timestamp};

use crate::store::clock::{chat_id, iso_micros, iso_seconds, random_id_part, visitor_id};
use crate::store::{ExportItem, Store, chats::ChatEntry};

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
    store.departments = departments.clone();

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
    let mut conversions = Vec::new();
    for (id, entry, chat_conversions) in chats_in_parallel(&context) {
        store.chats.insert(id, entry);
        conversions.extend(chat_conversions);
    }
    store.conversions = conversion_items(conversions);
    store.timeline = timeline(seed, &agents, start);
    store.department_events = department_events(seed, &departments, start);
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

fn agent(seed: u64, i: usize, start: i64, departments: &[(i64, String)]) -> types::Agent {
    let mut rng = rng(seed, 1, i as u64);
    let first = pick(&mut rng, FIRST_NAMES).to_string();
    let last = pick(&mut rng, LAST_NAMES).to_string();
    let mine: Vec<i64> = departments
        .iter()
        .filter(|_| rng.bool())
        .map(|(id, _)| *id)
        .collect();
    let departments = if mine.is_empty() {
        vec![departments[0].0]
    } else {
        mine
    };
    types::Agent {
        id: Some(7_282_618_000_000 + i as i64 * 104_729),
        first_name: Some(first.clone()),
        last_name: Some(last.clone()),
        display_name: Some(format!("{first} {}", &last[..1])),
        email: Some(format!(
            "{}.{}.{i}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        )),
        enabled: Some(types::Flag::Boolean(rng.u8(..10) > 0)),
        role_id: Some(if i == 0 { 1 } else { 2 + rng.i64(0..3) }),
        roles: Some(types::AgentRoles {
            owner: Some(i == 0),
            administrator: Some(i < 2),
            extra: Default::default(),
        }),
        enabled_departments: departments.clone(),
        departments,
        skills: (0..rng.usize(..3)).map(|_| 900 + rng.i64(0..20)).collect(),
        create_date: ts(start - rng.i64(0..(400 * DAY_MICROS))),
        last_login: if rng.u8(..8) == 0 {
            None
        } else {
            ts(HISTORY_END_MICROS - rng.i64(0..(30 * DAY_MICROS)))
        },
        extra: Default::default(),
    }
}

fn visitor(seed: u64, i: usize, account_id: u64, start: i64) -> types::Visitor {
    let mut rng = rng(seed, 2, i as u64);
    let named = rng.u8(..10) < 6;
    let first = pick(&mut rng, FIRST_NAMES);
    let last = pick(&mut rng, LAST_NAMES);
    types::Visitor {
        id: Some(LooseId::String(visitor_id(&mut rng, account_id))),
        name: Some(if named {
            format!("{first} {last}")
        } else {
            format!("Visitor {}", 10_000_000 + rng.u32(..89_999_999))
        }),
        email: Some(if named {
            format!(
                "{}.{}@example.org",
                first.to_lowercase(),
                last.to_lowercase()
            )
        } else {
            String::new()
        }),
        phone: Some(if rng.u8(..4) == 0 {
            format!("+1 555 {:04}", rng.u16(..10_000))
        } else {
            String::new()
        }),
        notes: Some(String::new()),
        external_id: if named && rng.bool() {
            Some(format!("ext-{}", random_id_part(&mut rng, 8)))
        } else {
            None
        },
        banned: Some(rng.u16(..200) == 0),
        created: ts(start + rng.i64(0..(HISTORY_END_MICROS - start))),
        extra: Default::default(),
    }
}

fn chat(context: &Context<'_>, i: usize) -> types::Chat {
    let mut rng = rng(context.seed, 3, i as u64);
    let slot = context.span / context.count.max(1) as i64;
    let begin = context.start + slot * i as i64 + rng.i64(0..slot.max(1));
    let visitor = pick(&mut rng, context.visitors);
    let chat_visitor = types::ChatVisitor {
        id: visitor.id.as_ref().map(ToString::to_string),
        name: visitor.name.clone(),
        email: visitor.email.clone(),
        phone: visitor.phone.clone(),
        notes: visitor.notes.clone(),
        extra: Default::default(),
    };
    let (department_id, department_name) = pick(&mut rng, context.departments).clone();
    let id = chat_id(&mut rng, context.account_id, begin);
    let session = session(&mut rng, begin);
    let webpath = webpath(&mut rng, begin);
    if rng.u8(..100) < 12 {
        return offline_message(
            &mut rng,
            id,
            begin,
            chat_visitor,
            session,
            webpath,
            (department_id, department_name),
        );
    }
    support_chat(
        &mut rng,
        context,
        SupportChatParts {
            id,
            begin,
            visitor: chat_visitor,
            session,
            webpath,
            department: (department_id, department_name),
        },
    )
}

fn session(rng: &mut fastrand::Rng, begin: i64) -> types::Session {
    let (city, region, country_code, country_name) = *pick(rng, PLACES);
    let (browser, platform, user_agent) = *pick(rng, BROWSERS);
    types::Session {
        id: Some(format!(
            "{}.{}.{}",
            iso_seconds(begin)[2..10].replace('-', ""),
            rng.u32(..9_999_999),
            random_id_part(rng, 17)
        )),
        browser: Some(browser.into()),
        platform: Some(platform.into()),
        user_agent: Some(user_agent.into()),
        city: Some(city.into()),
        region: Some(region.into()),
        country_code: Some(country_code.into()),
        country_name: Some(country_name.into()),
        ip: Some(format!(
            "{}.{}.{}.{}",
            rng.u8(1..224),
            rng.u8(..),
            rng.u8(..),
            rng.u8(1..255)
        )),
        start_date: ts(begin - rng.i64(0..600_000_000)),
        end_date: ts(begin + rng.i64(600_000_000..3_600_000_000)),
        extra: Default::default(),
    }
}

fn webpath(rng: &mut fastrand::Rng, begin: i64) -> Vec<zendesk_chat::WebpathItem> {
    let mut from = String::new();
    (0..rng.usize(1..4))
        .map(|step| {
            let (path, title) = *pick(rng, PAGES);
            let to = format!("https://shop.example.com{path}");
            zendesk_chat::WebpathItem::Page(types::WebpathEntry {
                from: Some(std::mem::replace(&mut from, to.clone())),
                to: Some(to),
                title: Some(title.into()),
                timestamp: ts(begin - (3 - step as i64) * 60_000_000),
                extra: Default::default(),
            })
        })
        .collect()
}

fn offline_message(
    rng: &mut fastrand::Rng,
    id: String,
    begin: i64,
    visitor: types::ChatVisitor,
    session: types::Session,
    webpath: Vec<zendesk_chat::WebpathItem>,
    (department_id, department_name): (i64, String),
) -> types::Chat {
    types::Chat::OfflineMessage(types::OfflineMessage {
        type_: types::OfflineMessageType::OfflineMsg,
        id: Some(id),
        department_id: Some(department_id),
        department_name: Some(department_name),
        visitor: Some(visitor),
        session: Some(session),
        timestamp: ts(begin),
        unread: Some(types::Flag::Boolean(rng.u8(..3) == 0)),
        message: Some(pick(rng, OFFLINE_MESSAGES).to_string()),
        started_by: Some(types::StartedBy::Visitor),
        webpath,
        zendesk_ticket_id: (rng.u8(..3) == 0).then(|| 10_000 + rng.i64(0..900_000)),
        update_timestamp: ts(begin + rng.i64(1_000_000..600_000_000)),
        deleted: Some(false),
        extra: Default::default(),
    })
}

struct SupportChatParts {
    id: String,
    begin: i64,
    visitor: types::ChatVisitor,
    session: types::Session,
    webpath: Vec<zendesk_chat::WebpathItem>,
    department: (i64, String),
}

/// A support chat: the visitor joins, an agent joins (unless it is missed), they talk, tags,
/// a rating, a comment, a file or a conversion may follow, and both leave.
fn support_chat(
    rng: &mut fastrand::Rng,
    context: &Context<'_>,
    parts: SupportChatParts,
) -> types::Chat {
    let SupportChatParts {
        id,
        begin,
        visitor,
        session,
        webpath,
        department,
    } = parts;
    let visitor_name = visitor.name.clone().unwrap_or_default();
    let channel = format!(
        "#supportchat:{}",
        visitor.id.clone().unwrap_or_default().replace('.', "-")
    );
    let missed = rng.u8(..100) < 5;
    let proactive = !missed && rng.u8(..100) < 10;
    let agent = pick(rng, context.agents).clone();
    let agent_name = agent.display_name.clone().unwrap_or_default();
    let agent_id = agent.id.unwrap_or_default().to_string();

    let mut history = Vec::new();
    let mut now = begin;
    let mut index = 0;
    let mut next_index = || {
        index += 1;
        Some(index - 1)
    };
    history.push(types::HistoryEvent::MemberJoin(types::MemberJoinEvent {
        type_: types::MemberJoinEventType::ChatMemberjoin,
        timestamp: ts_micros(now),
        name: Some(visitor_name.clone()),
        nick: Some(format!(
            "visitor:{}",
            channel.trim_start_matches("#supportchat:")
        )),
        channel: Some(channel.clone()),
        index: next_index(),
        source: proactive.then(|| "chat.invite".to_owned()),
        department_id: Some(LooseId::Integer(department.0)),
        prev_department_id: None,
        department_name: Some(department.1.clone()),
        extra: Default::default(),
    }));
    let (mut agent_messages, mut visitor_messages) = (0_i64, 0_i64);
    let mut response_times = Vec::new();
    let mut last_visitor_message = None;
    if !missed {
        now += rng.i64(2_000_000..90_000_000);
        history.push(types::HistoryEvent::MemberJoin(types::MemberJoinEvent {
            type_: types::MemberJoinEventType::ChatMemberjoin,
            timestamp: ts_micros(now),
            name: Some(agent_name.clone()),
            nick: Some(format!("agent:{agent_id}")),
            channel: Some(channel.clone()),
            index: next_index(),
            source: None,
            department_id: None,
            prev_department_id: None,
            department_name: None,
            extra: Default::default(),
        }));
    }
    let turns = if missed { 1 } else { rng.usize(2..14) };
    for turn in 0..turns {
        let from_visitor = turn % 2 == 0 || missed;
        now += rng.i64(3_000_000..120_000_000);
        let text = if from_visitor {
            pick(rng, VISITOR_LINES)
        } else {
            pick(rng, AGENT_LINES)
        };
        if from_visitor {
            visitor_messages += 1;
            last_visitor_message = Some(now);
        } else {
            agent_messages += 1;
            if let Some(asked) = last_visitor_message.take() {
                response_times.push((now - asked) / 1_000_000);
            }
        }
        history.push(types::HistoryEvent::Message(types::MessageEvent {
            type_: types::MessageEventType::ChatMsg,
            timestamp: ts_micros(now),
            name: Some(if from_visitor {
                visitor_name.clone()
            } else {
                agent_name.clone()
            }),
            nick: None,
            channel: Some(channel.clone()),
            index: next_index(),
            msg: Some(text.to_string()),
            msg_id: from_visitor.then(|| LooseId::String((now / 1000).to_string())),
            options: Some(String::new()),
            sender_type: Some(if from_visitor {
                types::SenderType::Visitor
            } else {
                types::SenderType::Agent
            }),
            agent_id: (!from_visitor).then(|| LooseId::String(agent_id.clone())),
            department_id: None,
            prev_department_id: None,
            extra: Default::default(),
        }));
    }
    let mut tags: Vec<String> = Vec::new();
    if !missed && rng.u8(..100) < 35 {
        now += rng.i64(1_000_000..20_000_000);
        let mut new_tags = tags.clone();
        new_tags.push(pick(rng, TAGS).to_string());
        if rng.bool() {
            new_tags.push(pick(rng, TAGS).to_string());
            new_tags.dedup();
        }
        history.push(types::HistoryEvent::Tag(types::TagEvent {
            type_: types::TagEventType::ChatTag,
            timestamp: ts_micros(now),
            name: Some(agent_name.clone()),
            channel: Some(channel.clone()),
            index: next_index(),
            tags: std::mem::take(&mut tags),
            new_tags: new_tags.clone(),
            extra: Default::default(),
        }));
        tags = new_tags;
    }
    if !missed && rng.u8(..100) < 4 {
        now += rng.i64(1_000_000..30_000_000);
        let name = format!("{}.png", random_id_part(rng, 8).to_lowercase());
        history.push(types::HistoryEvent::File(types::FileEvent {
            type_: types::FileEventType::ChatFile,
            timestamp: ts_micros(now),
            name: Some(visitor_name.clone()),
            channel: Some(channel.clone()),
            index: next_index(),
            sender_type: Some(types::SenderType::Visitor),
            attachment: Some(types::Attachment {
                url: Some(format!("https://v2.zopim.com/attachments/{name}")),
                name: Some(name),
                mime_type: Some("image/png".into()),
                size: Some(rng.i64(10_000..2_000_000)),
                extra: Default::default(),
            }),
            extra: Default::default(),
        }));
    }
    let mut conversions = Vec::new();
    if !missed && rng.u8(..100) < 6 {
        now += rng.i64(10_000_000..300_000_000);
        let (goal_id, goal_name) = *pick(rng, GOALS);
        let conversion = types::Conversion {
            id: Some(format!(
                "{}.v.{goal_id}.{}",
                id.split('.').take(2).collect::<Vec<_>>().join("."),
                random_id_part(rng, 22)
            )),
            goal_id: Some(goal_id),
            goal_name: Some(goal_name.into()),
            timestamp: ts(now),
            attribution: Some(types::ConversionAttribution {
                agent_id: agent.id,
                agent_name: Some(agent_name.clone()),
                chat_id: Some(id.clone()),
                chat_timestamp: ts(begin),
                department_id: Some(department.0),
                department_name: Some(department.1.clone()),
                extra: Default::default(),
            }),
            extra: Default::default(),
        };
        history.push(types::HistoryEvent::Conversion(types::ConversionEvent {
            type_: types::ConversionEventType::ChatConversion,
            timestamp: ts_micros(now),
            name: Some(visitor_name.clone()),
            channel: Some(channel.clone()),
            index: next_index(),
            conversion: Some(conversion.clone()),
            extra: Default::default(),
        }));
        conversions.push(conversion);
    }
    let rating = if !missed && rng.u8(..100) < 30 {
        now += rng.i64(1_000_000..10_000_000);
        history.push(types::HistoryEvent::RatingRequest(
            types::RatingRequestEvent {
                type_: types::RatingRequestEventType::ChatRequestRating,
                timestamp: ts_micros(now),
                name: Some(agent_name.clone()),
                channel: Some(channel.clone()),
                index: next_index(),
                extra: Default::default(),
            },
        ));
        let rating = if rng.u8(..100) < 82 {
            types::Rating::Good
        } else {
            types::Rating::Bad
        };
        now += rng.i64(1_000_000..60_000_000);
        history.push(types::HistoryEvent::Rating(types::RatingEvent {
            type_: types::RatingEventType::ChatRating,
            timestamp: ts_micros(now),
            name: Some(visitor_name.clone()),
            channel: Some(channel.clone()),
            index: next_index(),
            rating: None,
            new_rating: Some(rating.clone()),
            extra: Default::default(),
        }));
        Some(rating)
    } else {
        None
    };
    let comment = if rating.is_some() && rng.u8(..100) < 40 {
        now += rng.i64(1_000_000..60_000_000);
        let comment = pick(rng, COMMENTS).to_string();
        history.push(types::HistoryEvent::Comment(types::CommentEvent {
            type_: types::CommentEventType::ChatComment,
            timestamp: ts_micros(now),
            name: Some(visitor_name.clone()),
            channel: Some(channel.clone()),
            index: next_index(),
            comment: None,
            new_comment: Some(comment.clone()),
            extra: Default::default(),
        }));
        Some(comment)
    } else {
        None
    };
    for name in if missed {
        vec![visitor_name.clone()]
    } else {
        vec![agent_name.clone(), visitor_name.clone()]
    } {
        now += rng.i64(500_000..5_000_000);
        history.push(types::HistoryEvent::MemberLeave(types::MemberLeaveEvent {
            type_: types::MemberLeaveEventType::ChatMemberleave,
            timestamp: ts_micros(now),
            name: Some(name),
            nick: None,
            channel: Some(channel.clone()),
            index: next_index(),
            reason: Some("user_leave_chat".into()),
            department_id: None,
            prev_department_id: None,
            extra: Default::default(),
        }));
    }
    let end = now;
    let count = types::MessageCount {
        agent: Some(agent_messages),
        visitor: Some(visitor_messages),
        total: Some(agent_messages + visitor_messages),
        extra: Default::default(),
    };
    let response_time = if response_times.is_empty() {
        types::ResponseTime {
            avg: None,
            first: None,
            max: None,
            extra: Default::default(),
        }
    } else {
        types::ResponseTime {
            avg: Some(response_times.iter().sum::<i64>() as f64 / response_times.len() as f64),
            first: response_times.first().copied(),
            max: response_times.iter().max().copied(),
            extra: Default::default(),
        }
    };
    let engagements = if missed {
        Vec::new()
    } else {
        vec![types::Engagement {
            id: Some(format!("{id}.1")),
            chat_id: Some(id.clone()),
            started_by: Some(if proactive {
                types::StartedBy::Agent
            } else {
                types::StartedBy::Visitor
            }),
            agent_id: Some(LooseId::String(agent_id.clone())),
            agent_full_name: Some(format!(
                "{} {}",
                agent.first_name.clone().unwrap_or_default(),
                agent.last_name.clone().unwrap_or_default()
            )),
            agent_name: Some(agent_name.clone()),
            department_id: Some(department.0),
            assigned: Some(rng.bool()),
            accepted: Some(true),
            rating: rating.clone(),
            comment: comment.clone(),
            skills_requested: Vec::new(),
            skills_fulfilled: Some(false),
            timestamp: ts(begin),
            duration: Some((end - begin) as f64 / 1e6),
            response_time: Some(response_time.clone()),
            count: Some(count.clone()),
            extra: Default::default(),
        }]
    };
    let (search_engine, search_terms) = if rng.u8(..5) == 0 {
        ("google", pick(rng, SEARCHES).to_string())
    } else {
        ("", String::new())
    };
    types::Chat::SupportChat(types::SupportChat {
        type_: types::SupportChatType::Chat,
        id: Some(id),
        agent_ids: if missed { Vec::new() } else { vec![agent_id] },
        agent_names: if missed { Vec::new() } else { vec![agent_name] },
        comment,
        conversions,
        count: Some(count),
        department_id: Some(department.0),
        department_name: Some(department.1),
        duration: Some((end - begin) / 1_000_000),
        end_timestamp: ts(end),
        history,
        missed: Some(missed),
        rating,
        response_time: Some(response_time),
        session: Some(session),
        started_by: Some(if proactive {
            types::StartedBy::Agent
        } else {
            types::StartedBy::Visitor
        }),
        tags,
        timestamp: ts(begin),
        triggered: Some(false),
        triggered_response: None,
        unread: Some(types::Flag::Boolean(false)),
        visitor: Some(visitor),
        webpath,
        zendesk_ticket_id: (rng.u8(..4) == 0).then(|| 10_000 + rng.i64(0..900_000)),
        referrer_search_engine: Some(search_engine.into()),
        referrer_search_terms: Some(search_terms),
        update_timestamp: ts(end + rng.i64(1_000_000..900_000_000)),
        deleted: Some(false),
        engagements,
        abandon_time: missed.then(|| rng.f64() * 120.0),
        dropped: Some(missed && rng.bool()),
        proactive: Some(proactive),
        skills_requested: Vec::new(),
        skills_fulfilled: Some(false),
        extra: Default::default(),
    })
}

/// The conversions of the account's chats, in time order.
fn conversion_items(conversions: Vec<types::Conversion>) -> Vec<ExportItem> {
    let mut items: Vec<ExportItem> = conversions
        .into_iter()
        .map(|conversion| {
            let time = conversion
                .timestamp
                .as_ref()
                .and_then(|t| crate::store::clock::parse_iso(t.as_str()))
                .unwrap_or(0);
            ExportItem::new(time, conversion.id.clone().unwrap_or_default(), &conversion)
        })
        .collect();
    items.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    items
}

/// Each agent's statuses over the period, one span after another.
fn timeline(seed: u64, agents: &[types::Agent], start: i64) -> Vec<ExportItem> {
    let mut items = Vec::new();
    for (i, agent) in agents.iter().enumerate() {
        let mut rng = rng(seed, 4, i as u64);
        let mut at = start + rng.i64(0..DAY_MICROS);
        while at < HISTORY_END_MICROS {
            let duration = rng.i64(60_000_000..4 * 3_600_000_000) + rng.i64(0..1_000_000);
            let status = match rng.u8(..10) {
                0..=5 => types::AgentStatus::Online,
                6..=8 => types::AgentStatus::Away,
                _ => types::AgentStatus::Invisible,
            };
            let span = types::AgentTimespan {
                agent_id: agent.id,
                start_time: ts_micros(at),
                duration: Some(duration as f64 / 1e6),
                status: Some(status),
                engagement_count: Some(rng.i64(0..4)),
                extra: Default::default(),
            };
            items.push(ExportItem::new(at, format!("{at}.{i}"), &span));
            // Off for the night now and then.
            let pause = if rng.u8(..6) == 0 {
                rng.i64(8 * 3_600_000_000..16 * 3_600_000_000)
            } else {
                0
            };
            at += duration + pause;
        }
    }
    items.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    items
}

/// Each department's queue sizes, as they change.
fn department_events(seed: u64, departments: &[(i64, String)], start: i64) -> Vec<ExportItem> {
    let mut items = Vec::new();
    for (i, (department_id, _)) in departments.iter().enumerate() {
        let mut rng = rng(seed, 5, i as u64);
        let mut at = start + rng.i64(0..3_600_000_000);
        // A department's first event has no previous value: `previous_value` is absent.
        let mut previous: Option<serde_json::Value> = None;
        while at < HISTORY_END_MICROS {
            let value = serde_json::json!({
                "assigned": rng.i64(0..6),
                "incoming": rng.i64(0..9),
            });
            let id = format!(
                "R3J4l7Q.department:{department_id}.{}",
                random_id_part(&mut rng, 6)
            );
            let event = types::DepartmentEvent {
                id: Some(id.clone()),
                department_id: Some(*department_id),
                timestamp: ts_micros(at),
                field_name: Some("queue_sizes".into()),
                value: Some(value.clone()),
                previous_value: previous.replace(value),
                extra: Default::default(),
            };
            items.push(ExportItem::new(at, id, &event));
            at += rng.i64(5 * 60_000_000..6 * 3_600_000_000) + rng.i64(0..1_000_000);
        }
    }
    items.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    items
}

/// The ids of the generated agents, for the emulator's `me`: the first agent is the owner.
pub fn owner_id(store: &Store) -> Option<i64> {
    store.agents.keys().next().copied()
}

/// Counts of what an account holds, for logs.
pub fn summary(store: &Store) -> HashMap<&'static str, usize> {
    HashMap::from([
        ("chats", store.chats.len()),
        ("agents", store.agents.len()),
        ("visitors", store.visitors.len()),
        ("conversions", store.conversions.len()),
        ("agent timespans", store.timeline.len()),
        ("department events", store.department_events.len()),
    ])
}

const DEPARTMENTS: &[&str] = &[
    "Billing Department",
    "Sales",
    "Technical Support",
    "Returns",
    "Partnerships",
    "VIP",
];
const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Claude",
    "Katherine",
    "John",
    "Sophie",
    "Leslie",
    "Mary",
    "Niklaus",
    "Yukihiro",
    "Guido",
    "Joan",
    "Donald",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Shannon",
    "Johnson",
    "McCarthy",
    "Wilson",
    "Lamport",
    "Keller",
    "Wirth",
];
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Orlando", "Florida", "US", "United States"),
    ("Sydney", "New South Wales", "AU", "Australia"),
    ("Berlin", "Berlin", "DE", "Germany"),
    ("Lyon", "Auvergne-Rhone-Alpes", "FR", "France"),
    ("Osaka", "Osaka", "JP", "Japan"),
    ("Toronto", "Ontario", "CA", "Canada"),
    ("Sao Paulo", "Sao Paulo", "BR", "Brazil"),
    ("Nairobi", "Nairobi", "KE", "Kenya"),
];
const BROWSERS: &[(&str, &str, &str)] = &[
    (
        "Chrome",
        "Mac OS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    ),
    (
        "Safari",
        "iOS",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ),
    (
        "Firefox",
        "Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    ),
    (
        "Edge",
        "Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    ),
    (
        "Chrome",
        "Android",
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    ),
];
const PAGES: &[(&str, &str)] = &[
    ("/", "Shop - Home"),
    ("/products/chocolate-bar", "Dark chocolate bar - Shop"),
    ("/cart", "Your cart - Shop"),
    ("/checkout", "Checkout - Shop"),
    ("/help/returns", "Returns and refunds - Help"),
    ("/account/orders", "Your orders - Shop"),
];
const VISITOR_LINES: &[&str] = &[
    "hello",
    "Hi, is anyone there?",
    "My order hasn't arrived yet",
    "Can I change my delivery address?",
    "The chat window is open by default for the customers. Can we have it minimized?",
    "Do you ship to Canada?",
    "I was charged twice for the same order",
    "Is the dark chocolate bar gluten free?",
    "thanks!",
    "How do I return an item?",
    "The discount code doesn't work",
    "Can you send me an invoice?",
    "ok great",
    "That fixed it, thank you",
];
const AGENT_LINES: &[&str] = &[
    "Hi! How can I help you today?",
    "Let me check that for you.",
    "Could you give me your order number?",
    "I've refunded the duplicate charge; it will show in 3-5 business days.",
    "Yes, we ship to Canada.",
    "I've updated your address.",
    "You're welcome! Anything else I can help with?",
    "Thanks for waiting.",
    "I'll send the invoice to your email now.",
    "The code expired yesterday, but I've applied the discount manually.",
];
const OFFLINE_MESSAGES: &[&str] = &[
    "Hi there!",
    "Please call me back about my order.",
    "Your site is down?",
    "I'd like a refund for order 4471.",
    "Do you have gift cards?",
    "Where is my parcel? It's been two weeks.",
];
const TAGS: &[&str] = &[
    "refund",
    "shipping",
    "vip",
    "bug",
    "invoice",
    "goodbye_survey",
    "one",
    "returns",
];
const GOALS: &[(i64, &str)] = &[
    (1863, "add to cart"),
    (1865, "place order"),
    (1870, "newsletter signup"),
];
const COMMENTS: &[&str] = &[
    "Great customer experience!",
    "Quick and helpful",
    "Took too long",
    "Very friendly agent",
    "Problem not solved",
];
const SEARCHES: &[&str] = &[
    "dark chocolate",
    "chocolate gift box",
    "refund policy",
    "shop support",
];

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
