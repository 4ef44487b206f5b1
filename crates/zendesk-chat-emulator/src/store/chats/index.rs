//! The account's chats: each kept as the JSON the API would send (built from the generated
//! models of `zendesk-chat`), with the few facts search and export need beside it.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use bytes::Bytes;
use zendesk_chat::types;

use crate::store::clock::parse_iso;

/// The kind of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    /// A support chat.
    Chat,
    /// An offline message.
    OfflineMsg,
    /// Seeded with a type the spec does not know.
    Other,
}

impl ChatKind {
    /// As the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::OfflineMsg => "offline_msg",
            Self::Other => "other",
        }
    }
}

/// What search, listing and export need to know of a chat without reading its JSON.
#[derive(Debug, Clone)]
pub struct ChatMeta {
    /// Its kind.
    pub kind: ChatKind,
    /// When it started.
    pub timestamp_micros: i64,
    /// When it ended.
    pub end_timestamp_micros: Option<i64>,
    /// When it last changed, whole seconds (the export counts chats in seconds).
    pub update_micros: i64,
    /// The visitor's name.
    pub visitor_name: String,
    /// The visitor's email.
    pub visitor_email: String,
    /// The agents' names.
    pub agent_names: Vec<String>,
    /// The rating, if any.
    pub rating: Option<String>,
    /// The start of the chat's text, for search results.
    pub preview: String,
    /// Whether it was deleted (it still appears in the export, marked so).
    pub deleted: bool,
}

/// A chat: its JSON and its meta.
#[derive(Debug, Clone)]
pub struct ChatEntry {
    /// The chat as the API sends it.
    pub json: Bytes,
    /// Its facts.
    pub meta: ChatMeta,
}

impl ChatEntry {
    /// The entry of a chat, or why the chat cannot be stored (no id).
    pub fn new(chat: &types::Chat) -> Result<(String, Self), String> {
        let json = Bytes::from(serde_json::to_vec(chat).map_err(|e| e.to_string())?);
        Self::with_json(chat, json)
    }

    /// The entry of a chat whose JSON is written otherwise than its model would write it (with
    /// the shapes of production payloads), its facts read from the model.
    pub fn with_json(chat: &types::Chat, json: Bytes) -> Result<(String, Self), String> {
        let id = chat.id().ok_or("a chat needs an id")?.to_owned();
        Ok((
            id,
            Self {
                json,
                meta: meta_of(chat),
            },
        ))
    }

    /// The chat, decoded.
    pub fn chat(&self) -> types::Chat {
        serde_json::from_slice(&self.json).expect("stored chats are valid")
    }
}

fn meta_of(chat: &types::Chat) -> ChatMeta {
    let time = |t: &Option<zendesk_chat::Timestamp>| t.as_ref().and_then(|t| parse_iso(t.as_str()));
    match chat {
        types::Chat::SupportChat(chat) => {
            let visitor = chat.visitor.clone().unwrap_or_default();
            let preview = chat
                .history
                .iter()
                .find_map(|event| match event {
                    types::HistoryEvent::Message(message) => message.msg.clone(),
                    _ => None,
                })
                .unwrap_or_default();
            let timestamp = time(&chat.timestamp).unwrap_or(0);
            ChatMeta {
                kind: ChatKind::Chat,
                timestamp_micros: timestamp,
                end_timestamp_micros: time(&chat.end_timestamp),
                update_micros: whole_seconds(time(&chat.update_timestamp).unwrap_or(timestamp)),
                visitor_name: visitor.name.unwrap_or_default(),
                visitor_email: visitor.email.unwrap_or_default(),
                agent_names: chat.agent_names.clone(),
                rating: chat.rating.as_ref().map(|r| r.to_string()),
                preview: preview.chars().take(100).collect(),
                deleted: chat.deleted.unwrap_or(false),
            }
        }
        types::Chat::OfflineMessage(message) => {
            let visitor = message.visitor.clone().unwrap_or_default();
            let timestamp = time(&message.timestamp).unwrap_or(0);
            ChatMeta {
                kind: ChatKind::OfflineMsg,
                timestamp_micros: timestamp,
                end_timestamp_micros: None,
                update_micros: whole_seconds(time(&message.update_timestamp).unwrap_or(timestamp)),
                visitor_name: visitor.name.unwrap_or_default(),
                visitor_email: visitor.email.unwrap_or_default(),
                agent_names: Vec::new(),
                rating: None,
                preview: message
                    .message
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect(),
                deleted: message.deleted.unwrap_or(false),
            }
        }
        other => {
            let object = match serde_json::to_value(other) {
                Ok(serde_json::Value::Object(object)) => object,
                _ => serde_json::Map::new(),
            };
            let text = |key: &str| object.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let timestamp = text("timestamp").and_then(|t| parse_iso(&t)).unwrap_or(0);
            ChatMeta {
                kind: ChatKind::Other,
                timestamp_micros: timestamp,
                end_timestamp_micros: text("end_timestamp").and_then(|t| parse_iso(&t)),
                update_micros: whole_seconds(
                    text("update_timestamp")
                        .and_then(|t| parse_iso(&t))
                        .unwrap_or(timestamp),
                ),
                visitor_name: String::new(),
                visitor_email: String::new(),
                agent_names: Vec::new(),
                rating: text("rating"),
                preview: String::new(),
                deleted: object
                    .get("deleted")
                    .and_then(|d| d.as_bool())
                    .unwrap_or(false),
            }
        }
    }
}

fn whole_seconds(micros: i64) -> i64 {
    micros.div_euclid(1_000_000) * 1_000_000
}

/// The chats, by id, with indices by update time (the export's order) and by start time. A copy
/// shares them with the original until either stores a chat (copy on write), as the collections
/// of the other resources do.
#[derive(Debug, Clone, Default)]
pub struct Chats {
    indexed: Arc<Indexed>,
}

/// The chats and their indices.
#[derive(Debug, Clone, Default)]
struct Indexed {
    by_id: HashMap<String, ChatEntry>,
    by_update: BTreeSet<(i64, String)>,
    by_start: BTreeSet<(i64, String)>,
}

impl Chats {
    /// Stores a chat (replacing one with the same id), keeping the indices right.
    pub fn insert(&mut self, id: String, entry: ChatEntry) {
        let indexed = Arc::make_mut(&mut self.indexed);
        if let Some(old) = indexed.by_id.get(&id) {
            indexed
                .by_update
                .remove(&(old.meta.update_micros, id.clone()));
            indexed
                .by_start
                .remove(&(old.meta.timestamp_micros, id.clone()));
        }
        indexed
            .by_update
            .insert((entry.meta.update_micros, id.clone()));
        indexed
            .by_start
            .insert((entry.meta.timestamp_micros, id.clone()));
        indexed.by_id.insert(id, entry);
    }

    /// The chat with this id (deleted ones included).
    pub fn get(&self, id: &str) -> Option<&ChatEntry> {
        self.indexed.by_id.get(id)
    }

    /// How many chats there are (deleted ones included).
    pub fn len(&self) -> usize {
        self.indexed.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.indexed.by_id.is_empty()
    }

    /// The chats in start order, deleted ones left out.
    pub fn by_start(&self) -> impl Iterator<Item = (&str, &ChatEntry)> {
        self.indexed.by_start.iter().filter_map(|(_, id)| {
            let entry = &self.indexed.by_id[id];
            (!entry.meta.deleted).then_some((id.as_str(), entry))
        })
    }

    /// The chats updated after (`time`, `id`) in update order: later, or at the same time with a
    /// greater id.
    pub fn updated_after(
        &self,
        time_micros: i64,
        id: &str,
    ) -> impl Iterator<Item = (&str, &ChatEntry)> {
        self.indexed
            .by_update
            .range((
                Bound::Excluded((time_micros, id.to_owned())),
                Bound::Unbounded,
            ))
            .map(|(_, id)| (id.as_str(), &self.indexed.by_id[id]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, timestamp: &str) -> (String, ChatEntry) {
        let chat: types::Chat = serde_json::from_value(serde_json::json!({
            "id": id, "type": "chat", "timestamp": timestamp, "update_timestamp": timestamp
        }))
        .unwrap();
        ChatEntry::new(&chat).unwrap()
    }

    #[test]
    fn a_copy_and_its_original_store_chats_apart() {
        let mut original = Chats::default();
        let (id, first) = entry("c1", "2024-01-01T00:00:00Z");
        original.insert(id, first);
        let mut copy = original.clone();
        let (id, second) = entry("c2", "2024-01-02T00:00:00Z");
        copy.insert(id, second);
        let (id, moved) = entry("c1", "2024-01-03T00:00:00Z");
        original.insert(id, moved);
        assert_eq!(original.len(), 1);
        assert_eq!(copy.len(), 2);
        let starts = |chats: &Chats| {
            chats
                .by_start()
                .map(|(id, _)| id.to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(starts(&copy), ["c1", "c2"]);
        assert!(
            copy.get("c1").unwrap().meta.update_micros
                < original.get("c1").unwrap().meta.update_micros,
            "the copy keeps c1 as it was"
        );
        assert_eq!(copy.updated_after(0, "").count(), 2);
        assert_eq!(starts(&original), ["c1"]);
    }
}
