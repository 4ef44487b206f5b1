//! The account's chats: offline messages, and support chats with plausible histories (joins,
//! messages, tags, ratings, comments, files, conversions, leaves).

use zendesk_chat::{LooseId, types};

use super::vocabulary::{
    AGENT_LINES, BROWSERS, COMMENTS, GOALS, OFFLINE_MESSAGES, PAGES, PLACES, SEARCHES, TAGS,
    VISITOR_LINES,
};
use super::{Context, pick, rng, ts, ts_micros};
use crate::store::clock::iso_seconds;
use crate::store::ids::{chat_id, random_id_part};

/// Chat `i` of the account: an offline message or a support chat, with its session and path.
pub(super) fn chat(context: &Context<'_>, i: usize) -> types::Chat {
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
