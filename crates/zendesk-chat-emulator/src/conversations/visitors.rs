//! Visitor channels: each is a chat of the REST account, so that what happens over the
//! Conversations API (a visitor's message, an agent's reply, tags, a transfer) is in the chat's
//! history as the REST API serves it. Simulated visitors start channels and write in them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{ChatEvent, Conversations, lock};
use crate::store::clock::{iso_micros, iso_seconds};
use crate::store::ids::{chat_id, visitor_id};

/// The visitor channels, by channel id.
#[derive(Debug, Default)]
pub struct Channels {
    by_id: BTreeMap<String, ChannelState>,
    /// Each channel's chat log (messages, joins and leaves as `ChatLog` objects), oldest first.
    logs: BTreeMap<String, Vec<Value>>,
}

#[derive(Debug, Clone)]
struct ChannelState {
    chat_id: String,
    visitor_id: String,
    visitor_name: String,
    open: bool,
}

/// A visitor channel, as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorChannel {
    /// The Conversations API's id of the channel.
    pub channel_id: String,
    /// The REST id of its chat.
    pub chat_id: String,
    /// The visitor's name.
    pub visitor_name: String,
}

/// A channel's id: opaque to clients, as the API's are.
fn channel_id_of(chat_id: &str) -> String {
    format!("VisitorChannel:{chat_id}")
}

fn channel_json(channel_id: &str, state: &ChannelState) -> Value {
    json!({
        "__typename": "VisitorChannel",
        "id": channel_id,
        "raw_id": state.chat_id,
        "visitor": visitor_json(state),
        "agents": {"edges": [], "pageInfo": {"hasNextPage": false, "hasPreviousPage": false}},
        "chat_logs": {"edges": [], "pageInfo": {"hasNextPage": false, "hasPreviousPage": false}},
    })
}

fn visitor_json(state: &ChannelState) -> Value {
    json!({
        "__typename": "Visitor",
        "id": format!("Visitor:{}", state.visitor_id),
        "raw_id": state.visitor_id,
        "display_name": state.visitor_name,
        "email": Value::Null,
        "current_tags": [],
    })
}

/// Every agent of the account as a Relay node, with its cursor.
pub(super) fn agents(conversations: &Conversations) -> Vec<(String, Value)> {
    let ids: Vec<i64> = conversations.rest().read().agents.keys().copied().collect();
    ids.into_iter()
        .map(|id| (format!("agent:{id}"), agent_node(conversations, id)))
        .collect()
}

/// An agent as a node: its status is that of its latest session, or offline.
pub(super) fn agent_node(conversations: &Conversations, agent_id: i64) -> Value {
    let agent = conversations.rest().read().agents.get(&agent_id).cloned();
    let status = conversations
        .sessions()
        .values()
        .filter(|session| session.agent_id == agent_id && !session.ended)
        .map(|session| session.status.clone())
        .last()
        .unwrap_or_else(|| "OFFLINE".into());
    let agent = agent.unwrap_or_default();
    let name = format!(
        "{} {}",
        agent.first_name.unwrap_or_default(),
        agent.last_name.unwrap_or_default()
    );
    json!({
        "__typename": "Agent",
        "id": format!("Agent:{agent_id}"),
        "raw_id": agent_id.to_string(),
        "name": name.trim(),
        "display_name": agent.display_name,
        "status": status,
    })
}

/// Every department as a Relay node: online while an agent session is online.
pub(super) fn departments(conversations: &Conversations) -> Vec<(String, Value)> {
    let online = conversations
        .sessions()
        .values()
        .any(|session| !session.ended && session.status == "ONLINE");
    let departments = conversations.rest().read().department_names();
    departments
        .into_iter()
        .map(|(id, name)| {
            let node = json!({
                "id": format!("Department:{id}"),
                "raw_id": id.to_string(),
                "name": name,
                "status": if online { "ONLINE" } else { "OFFLINE" },
            });
            (format!("department:{id}"), node)
        })
        .collect()
}

/// The open visitor channels as Relay nodes.
pub(super) fn channels(conversations: &Conversations) -> Vec<(String, Value)> {
    let channels = lock(&conversations.channels);
    channels
        .by_id
        .iter()
        .filter(|(_, state)| state.open)
        .map(|(id, state)| {
            let mut channel = channel_json(id, state);
            // Served whole (the entries' `first`/`after` are not applied): enough for a bot that
            // reads what it missed.
            let edges: Vec<Value> = channels
                .logs
                .get(id)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(n, log)| json!({"cursor": format!("log:{n}"), "node": log}))
                .collect();
            channel["chat_logs"] = json!({
                "edges": edges,
                "pageInfo": {"hasNextPage": false, "hasPreviousPage": false},
            });
            (format!("channel:{id}"), channel)
        })
        .collect()
}

/// Adds `log` (a `ChatLog` object) to its channel's chat log, then publishes it.
fn log_and_publish(conversations: &Conversations, channel_id: &str, log: Value) {
    lock(&conversations.channels)
        .logs
        .entry(channel_id.to_owned())
        .or_default()
        .push(log.clone());
    conversations.publish(match log["__typename"].as_str() {
        Some("Message") => ChatEvent::Message(log),
        _ => ChatEvent::Activity(log),
    });
}

fn channel(conversations: &Conversations, channel_id: &str) -> Result<ChannelState, String> {
    lock(&conversations.channels)
        .by_id
        .get(channel_id)
        .cloned()
        .ok_or_else(|| format!("no channel {channel_id:?}"))
}

/// Whether the channel exists.
pub(super) fn channel_exists(
    conversations: &Conversations,
    channel_id: &str,
) -> Result<(), String> {
    channel(conversations, channel_id).map(|_| ())
}

/// Adds tags to the channel's chat.
pub(super) fn add_tags(
    conversations: &Conversations,
    channel_id: &str,
    tags: &[String],
) -> Result<(), String> {
    let state = channel(conversations, channel_id)?;
    update_chat(conversations, &state.chat_id, |chat| {
        let existing = chat["tags"].as_array().cloned().unwrap_or_default();
        let mut all: Vec<Value> = existing;
        for tag in tags {
            if !all.iter().any(|t| t == tag) {
                all.push(json!(tag));
            }
        }
        chat["tags"] = Value::Array(all);
    })
}

/// Moves the channel's chat to a department.
pub(super) fn transfer(
    conversations: &Conversations,
    channel_id: &str,
    department_id: &str,
) -> Result<(), String> {
    let state = channel(conversations, channel_id)?;
    let raw: i64 = department_id
        .trim_start_matches("Department:")
        .parse()
        .map_err(|_| format!("no department {department_id:?}"))?;
    let known = conversations.rest().read().departments.get(&raw).is_some();
    if !known {
        return Err(format!("no department {department_id:?}"));
    }
    update_chat(conversations, &state.chat_id, |chat| {
        chat["department_id"] = json!(raw);
    })
}

/// An agent's message: in the chat's history, and to every `message` subscription.
pub(super) fn agent_message(
    conversations: &Conversations,
    agent_id: i64,
    channel_id: &str,
    msg: &str,
    msg_id: Option<String>,
) -> Result<(), String> {
    let state = channel(conversations, channel_id)?;
    let agent = agent_node(conversations, agent_id);
    let name = agent["display_name"].as_str().unwrap_or("Agent").to_owned();
    let micros = conversations.rest().read().clock.change_micros();
    update_chat(conversations, &state.chat_id, |chat| {
        let mut event = history_message(&state, micros, &name, msg, "Agent");
        event["agent_id"] = json!(agent_id.to_string());
        push_history(chat, event);
        let names = chat["agent_names"].as_array().cloned().unwrap_or_default();
        if !names.iter().any(|n| n == &json!(name)) {
            chat["agent_names"] = json!([names, vec![json!(name)]].concat());
            let ids = chat["agent_ids"].as_array().cloned().unwrap_or_default();
            chat["agent_ids"] = json!([ids, vec![json!(agent_id.to_string())]].concat());
        }
        bump(chat, "agent");
    })?;
    publish_message(
        conversations,
        channel_id,
        &state,
        micros,
        &name,
        msg,
        msg_id,
        agent,
    );
    Ok(())
}

/// A `chat.msg` event of a chat's history, as the REST API serves it.
fn history_message(
    state: &ChannelState,
    micros: i64,
    name: &str,
    msg: &str,
    sender: &str,
) -> Value {
    json!({
        "type": "chat.msg",
        "timestamp": iso_micros(micros),
        "name": name,
        "msg": msg,
        "options": "",
        "sender_type": sender,
        "channel": format!("#supportchat:{}", state.visitor_id),
    })
}

/// Publishes a `Message` (as the Conversations API's subscriptions see it) from `from`.
#[allow(clippy::too_many_arguments)]
fn publish_message(
    conversations: &Conversations,
    channel_id: &str,
    state: &ChannelState,
    micros: i64,
    name: &str,
    text: &str,
    msg_id: Option<String>,
    from: Value,
) {
    let message = json!({
        "__typename": "Message",
        "id": format!("Message:{}", conversations.next_id()),
        "msg_id": msg_id,
        "content": text,
        "sender_name": name,
        "timestamp": micros / 1000,
        "channel": channel_json(channel_id, state),
        "from": from,
    });
    log_and_publish(conversations, channel_id, message);
}

/// A visitor's message in `channel_id`, or in a new channel (a new chat) when `None`; the
/// channel it went to.
pub fn visitor_message(
    conversations: &Conversations,
    channel_id: Option<&str>,
    text: &str,
    rng: &mut fastrand::Rng,
) -> Result<VisitorChannel, String> {
    let (channel_id, state) = match channel_id {
        Some(id) => (id.to_owned(), channel(conversations, id)?),
        None => open_channel(conversations, rng)?,
    };
    let micros = conversations.rest().read().clock.change_micros();
    let msg_id = (micros / 1000).to_string();
    update_chat(conversations, &state.chat_id, |chat| {
        let mut event = history_message(&state, micros, &state.visitor_name, text, "Visitor");
        event["msg_id"] = json!(msg_id);
        push_history(chat, event);
        bump(chat, "visitor");
    })?;
    let from = visitor_json(&state);
    publish_message(
        conversations,
        &channel_id,
        &state,
        micros,
        &state.visitor_name,
        text,
        Some(msg_id),
        from,
    );
    Ok(VisitorChannel {
        channel_id,
        chat_id: state.chat_id,
        visitor_name: state.visitor_name,
    })
}

/// A visitor leaves: the channel closes.
pub fn visitor_leaves(conversations: &Conversations, channel_id: &str) -> Result<(), String> {
    let state = channel(conversations, channel_id)?;
    if let Some(state) = lock(&conversations.channels).by_id.get_mut(channel_id) {
        state.open = false;
    }
    let micros = conversations.rest().read().clock.change_micros();
    update_chat(conversations, &state.chat_id, |chat| {
        push_history(
            chat,
            json!({
                "type": "chat.memberleave",
                "timestamp": iso_micros(micros),
                "name": state.visitor_name,
                "reason": "user_leave_chat",
                "channel": format!("#supportchat:{}", state.visitor_id),
            }),
        );
        chat["end_timestamp"] = json!(iso_seconds(micros));
    })?;
    let leave = json!({
        "__typename": "MemberLeaveLog",
        "id": format!("MemberLeaveLog:{}", conversations.next_id()),
        "channel": channel_json(channel_id, &state),
        "user_name": state.visitor_name,
        "user": visitor_json(&state),
    });
    log_and_publish(conversations, channel_id, leave);
    Ok(())
}

/// A new visitor and their chat; the visitor's join is published.
fn open_channel(
    conversations: &Conversations,
    rng: &mut fastrand::Rng,
) -> Result<(String, ChannelState), String> {
    let (account, micros, department) = {
        let store = conversations.rest().read();
        (
            store.account_id,
            store.clock.change_micros(),
            store.departments.iter().next().map(|(id, _)| *id),
        )
    };
    let chat_id = chat_id(rng, account, micros);
    let visitor = visitor_id(rng, account);
    let visitor_name = format!("Visitor {}", rng.u32(1000..99999));
    let chat = json!({
        "type": "chat",
        "id": chat_id,
        "timestamp": iso_seconds(micros),
        "update_timestamp": iso_seconds(micros),
        "visitor": {"id": visitor, "name": visitor_name, "email": "", "phone": "", "notes": ""},
        "session": {"browser": "Firefox", "platform": "Linux", "country_code": "NZ", "country_name": "New Zealand"},
        "history": [{
            "type": "chat.memberjoin",
            "index": 0,
            "timestamp": iso_micros(micros),
            "name": visitor_name,
            "nick": format!("visitor:{visitor}"),
            "channel": format!("#supportchat:{visitor}"),
            "department_id": department,
        }],
        "agent_ids": [],
        "agent_names": [],
        "tags": [],
        "count": {"visitor": 0, "agent": 0, "total": 0},
        "department_id": department,
        "started_by": "visitor",
        "missed": false,
        "unread": true,
        "webpath": [],
        "deleted": false,
    });
    conversations
        .rest()
        .write()
        .insert_chat_json(chat.to_string().as_bytes())?;
    let state = ChannelState {
        chat_id: chat_id.clone(),
        visitor_id: visitor,
        visitor_name,
        open: true,
    };
    let channel_id = channel_id_of(&chat_id);
    lock(&conversations.channels)
        .by_id
        .insert(channel_id.clone(), state.clone());
    let join = json!({
        "__typename": "MemberJoinLog",
        "id": format!("MemberJoinLog:{}", conversations.next_id()),
        "channel": channel_json(&channel_id, &state),
        "user_name": state.visitor_name,
        "user": visitor_json(&state),
    });
    log_and_publish(conversations, &channel_id, join);
    Ok((channel_id, state))
}

/// Changes a chat's JSON in the REST store (its facts re-read).
fn update_chat(
    conversations: &Conversations,
    chat_id: &str,
    change: impl FnOnce(&mut Value),
) -> Result<(), String> {
    let mut store = conversations.rest().write();
    let entry = store
        .chats
        .get(chat_id)
        .ok_or_else(|| format!("no chat {chat_id}"))?;
    let mut chat: Value = serde_json::from_slice(&entry.json).map_err(|e| e.to_string())?;
    change(&mut chat);
    let micros = store.clock.change_micros();
    chat["update_timestamp"] = json!(iso_seconds(micros));
    store
        .insert_chat_json(chat.to_string().as_bytes())
        .map(|_| ())
}

fn push_history(chat: &mut Value, mut event: Value) {
    let history = chat["history"].as_array().map_or(0, Vec::len);
    event["index"] = json!(history);
    match chat["history"].as_array_mut() {
        Some(events) => events.push(event),
        None => chat["history"] = json!([event]),
    }
}

fn bump(chat: &mut Value, who: &str) {
    for key in [who, "total"] {
        let count = chat["count"][key].as_i64().unwrap_or(0);
        chat["count"][key] = json!(count + 1);
    }
}

/// What simulated visitors say.
const LINES: &[&str] = &[
    "Hi, is anyone there?",
    "Where is my order?",
    "Do you ship to New Zealand?",
    "Can I talk to a human, please?",
    "What does the premium plan include?",
    "Thanks, that helps!",
];

/// Simulated visitors: every `interval`, a new visitor starts a chat, or one writes or leaves.
pub(super) async fn run(conversations: Arc<Conversations>, interval: Duration, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let open: Vec<String> = lock(&conversations.channels)
            .by_id
            .iter()
            .filter(|(_, state)| state.open)
            .map(|(id, _)| id.clone())
            .collect();
        let line = LINES[rng.usize(..LINES.len())];
        let outcome = if open.len() < 2 || (open.len() < 5 && rng.u8(..100) < 30) {
            visitor_message(&conversations, None, line, &mut rng).map(|_| ())
        } else {
            let channel = &open[rng.usize(..open.len())];
            if rng.u8(..100) < 15 {
                visitor_leaves(&conversations, channel)
            } else {
                visitor_message(&conversations, Some(channel), line, &mut rng).map(|_| ())
            }
        };
        if let Err(error) = outcome {
            tracing::warn!(%error, "a simulated visitor could not act");
        }
    }
}
