//! The account's state and the operations on it, without HTTP: each operation takes the
//! request's parts and returns the JSON to answer with, or the API's error for bad input. Input
//! is checked before anything changes, so a refused request leaves the state as it was.

mod account;
mod agents;
mod bans;
pub mod chats;
pub mod clock;
pub mod collection;
mod configuration;
pub mod ids;
mod incremental;
mod oauth;
mod real_time;
mod routing;
mod visitors;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};
use zendesk_chat::types;

use self::chats::{ChatEntry, Chats};
use self::clock::Clock;
use self::collection::{Collection, Object};

/// An answer the API gives for bad input: a status and Zendesk's error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnswer {
    /// The HTTP status.
    pub status: u16,
    /// Zendesk's short name for it (`"Not Found"`).
    pub error: &'static str,
    /// A longer explanation.
    pub description: Option<String>,
}

impl ErrorAnswer {
    /// 400 Bad Request.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self {
            status: 400,
            error: "Bad Request",
            description: Some(description.into()),
        }
    }

    /// 403 Forbidden.
    pub fn forbidden(description: impl Into<String>) -> Self {
        Self {
            status: 403,
            error: "Forbidden",
            description: Some(description.into()),
        }
    }

    /// 404 Not Found, as Zendesk sends it (no description).
    pub fn not_found() -> Self {
        Self {
            status: 404,
            error: "Not Found",
            description: None,
        }
    }

    /// 422 Unprocessable Entity: well-formed JSON that does not fit.
    pub fn unprocessable(description: impl Into<String>) -> Self {
        Self {
            status: 422,
            error: "Unprocessable Entity",
            description: Some(description.into()),
        }
    }

    /// The error body.
    pub fn body(&self) -> Value {
        match &self.description {
            Some(description) => json!({"error": self.error, "description": description}),
            None => json!({"error": self.error}),
        }
    }
}

/// An answer: a status and a JSON body (or none, for 204).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Option<Bytes>,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
}

impl Answer {
    /// 200 with this JSON.
    pub fn ok(body: impl Into<Bytes>) -> Self {
        Self::with_status(200, body)
    }

    /// `status` with this JSON.
    pub fn with_status(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            body: Some(body.into()),
            headers: Vec::new(),
        }
    }

    /// 204 No Content.
    pub fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    pub(crate) fn json(status: u16, value: &impl serde::Serialize) -> Self {
        Self::with_status(status, serde_json::to_vec(value).expect("models serialize"))
    }
}

/// The result of an operation.
pub type Outcome = Result<Answer, ErrorAnswer>;

/// One exported item (a conversion, an agent timespan, a department event): its time, an id for
/// ordering, and its JSON.
#[derive(Debug, Clone)]
pub struct ExportItem {
    /// The time, in microseconds.
    pub time: i64,
    /// The id (for timespans, which have none, a stand-in that orders them).
    pub id: String,
    /// The item as the API sends it.
    pub json: Bytes,
}

impl ExportItem {
    /// An item of `time` and `id` holding `value`.
    pub fn new(time: i64, id: String, value: &impl serde::Serialize) -> Self {
        Self {
            time,
            id,
            json: Bytes::from(serde_json::to_vec(value).expect("models serialize")),
        }
    }
}

/// An account. Its operations are in a module per tag of the spec: `chats`, `agents`,
/// `visitors`, `incremental` (the exports), `account`, `bans`, `routing`, `oauth`, `real_time`,
/// and `configuration` for the departments, skills, roles, goals, shortcuts and triggers.
#[derive(Debug, Clone)]
pub struct Store {
    /// The account's number (in chat and visitor ids).
    pub account_id: u64,
    /// The account's own record (`GET /account`): its key, status, plan and billing.
    pub account: Object,
    /// Agents by id.
    pub agents: BTreeMap<i64, types::Agent>,
    /// Departments by id.
    pub departments: Collection<i64>,
    /// Skills by id.
    pub skills: Collection<i64>,
    /// Roles by id.
    pub roles: Collection<i64>,
    /// Goals by id.
    pub goals: Collection<i64>,
    /// Shortcuts by name, which is their id.
    pub shortcuts: Collection<String>,
    /// Triggers by id.
    pub triggers: Collection<i64>,
    /// Bans (of visitors and of IP addresses) by id.
    pub bans: Collection<i64>,
    /// The account's routing settings.
    pub routing: Object,
    /// The agents' routing settings, by agent id.
    pub agent_routing: Collection<i64>,
    /// OAuth clients by id.
    pub oauth_clients: Collection<i64>,
    /// OAuth tokens by id.
    pub oauth_tokens: Collection<i64>,
    /// Visitors by id.
    pub visitors: HashMap<String, types::Visitor>,
    /// Chats.
    pub chats: Chats,
    /// Conversions in time order (seconds). The four exports' items are made with the account
    /// and only read after, so a copy of the store shares them.
    pub conversions: Arc<[ExportItem]>,
    /// Agent timespans in time order (microseconds).
    pub timeline: Arc<[ExportItem]>,
    /// Agent events (status changes) in time order (microseconds).
    pub agent_events: Arc<[ExportItem]>,
    /// Department events in time order (microseconds).
    pub department_events: Arc<[ExportItem]>,
    /// The clock changes are stamped with.
    pub clock: Clock,
    /// A Chat account created from Zendesk Support: agents can be read, not written (creating,
    /// updating and deleting agents answer 403).
    pub agents_read_only: bool,
    next_agent_id: i64,
    next_visitor: u64,
}

impl Store {
    /// An empty account.
    pub fn new(account_id: u64) -> Self {
        Self {
            account_id,
            account: Object::new(),
            agents: BTreeMap::new(),
            departments: Collection::default(),
            skills: Collection::default(),
            roles: Collection::default(),
            goals: Collection::default(),
            shortcuts: Collection::default(),
            triggers: Collection::default(),
            bans: Collection::default(),
            routing: routing::default_account_settings(),
            agent_routing: Collection::default(),
            oauth_clients: Collection::default(),
            oauth_tokens: Collection::default(),
            visitors: HashMap::new(),
            chats: Chats::default(),
            conversions: Arc::from([]),
            timeline: Arc::from([]),
            agent_events: Arc::from([]),
            department_events: Arc::from([]),
            clock: Clock::default(),
            agents_read_only: false,
            next_agent_id: 7_282_619_000_000,
            next_visitor: 0,
        }
    }

    /// The account's owner, whose agent the emulator's tokens belong to: its first agent.
    pub fn owner_id(&self) -> Option<i64> {
        self.agents.keys().next().copied()
    }

    /// Counts of what the account holds, for logs.
    pub fn summary(&self) -> HashMap<&'static str, usize> {
        HashMap::from([
            ("chats", self.chats.len()),
            ("agents", self.agents.len()),
            ("visitors", self.visitors.len()),
            ("departments", self.departments.len()),
            ("skills", self.skills.len()),
            ("roles", self.roles.len()),
            ("goals", self.goals.len()),
            ("shortcuts", self.shortcuts.len()),
            ("triggers", self.triggers.len()),
            ("bans", self.bans.len()),
            ("OAuth clients", self.oauth_clients.len()),
            ("OAuth tokens", self.oauth_tokens.len()),
            ("conversions", self.conversions.len()),
            ("agent timespans", self.timeline.len()),
            ("agent events", self.agent_events.len()),
            ("department events", self.department_events.len()),
        ])
    }

    /// The departments' ids and names.
    pub fn department_names(&self) -> Vec<(i64, String)> {
        self.departments
            .iter()
            .map(|(id, department)| {
                let name = collection::text(department, "name").unwrap_or_default();
                (*id, name.to_owned())
            })
            .collect()
    }

    /// Adds (or replaces) an agent; it needs an id.
    pub fn insert_agent(&mut self, agent: types::Agent) {
        if let Some(id) = agent.id {
            self.next_agent_id = self.next_agent_id.max(id + 1);
            self.agents.insert(id, agent);
        }
    }

    /// Adds (or replaces) a visitor; it needs an id.
    pub fn insert_visitor(&mut self, visitor: types::Visitor) {
        if let Some(id) = &visitor.id {
            self.visitors.insert(id.to_string(), visitor);
        }
    }

    /// Adds (or replaces) a chat, as given.
    pub fn insert_chat(&mut self, chat: &types::Chat) -> Result<(), String> {
        let (id, entry) = ChatEntry::new(chat)?;
        self.chats.insert(id, entry);
        Ok(())
    }

    /// Adds (or replaces) a chat written as JSON, served byte for byte as given (a payload
    /// copied from production, say); its facts for search and export are read through the
    /// client's model. Returns its id.
    pub fn insert_chat_json(&mut self, json: &[u8]) -> Result<String, String> {
        let chat: types::Chat = serde_json::from_slice(json).map_err(|e| e.to_string())?;
        let (id, entry) = ChatEntry::with_json(&chat, Bytes::copy_from_slice(json))?;
        self.chats.insert(id.clone(), entry);
        Ok(id)
    }

    /// A fault on demand: serves `json` in place of the chat `id`'s JSON, keeping where the chat
    /// stands in search and export. For tests of a record that does not fit the client's model
    /// (`"count": "many"`, say). Returns whether the chat exists.
    pub fn replace_chat_json(&mut self, id: &str, json: &[u8]) -> bool {
        let Some(entry) = self.chats.get(id).cloned() else {
            return false;
        };
        let replaced = ChatEntry {
            json: Bytes::copy_from_slice(json),
            meta: entry.meta,
        };
        self.chats.insert(id.to_owned(), replaced);
        true
    }
}

/// A request body decoded into a generated request model: malformed JSON is a 400, JSON of the
/// wrong shape a 422 that names the field.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ErrorAnswer> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ErrorAnswer::bad_request(format!("invalid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ErrorAnswer::bad_request("the body must be a JSON object"));
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| ErrorAnswer::unprocessable(format!("{}: {}", e.path(), e.inner())))
}
