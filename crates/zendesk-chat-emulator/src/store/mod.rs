//! The account's state and the operations on it, without HTTP: each operation takes the
//! request's parts and returns the JSON to answer with, or the API's error for bad input. Input
//! is checked before anything changes, so a refused request leaves the state as it was.

mod chat_ops;
pub mod chats;
pub mod clock;
pub mod expansion;
mod export;
pub mod search;

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use serde_json::{Value, json};
use zendesk_chat::types;

pub use export::ExportRequest;

use self::chats::Chats;
use self::clock::{Clock, iso_seconds};

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

    fn json(status: u16, value: &impl serde::Serialize) -> Self {
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

/// An account.
#[derive(Debug)]
pub struct Store {
    /// The account's number (in chat and visitor ids).
    pub account_id: u64,
    /// Departments: id and name.
    pub departments: Vec<(i64, String)>,
    /// Agents by id.
    pub agents: BTreeMap<i64, types::Agent>,
    /// How many shortcuts each agent has.
    pub shortcuts: HashMap<i64, usize>,
    /// Visitors by id.
    pub visitors: HashMap<String, types::Visitor>,
    /// Chats.
    pub chats: Chats,
    /// Conversions in time order (seconds).
    pub conversions: Vec<ExportItem>,
    /// Agent timespans in time order (microseconds).
    pub timeline: Vec<ExportItem>,
    /// Department events in time order (microseconds).
    pub department_events: Vec<ExportItem>,
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
            departments: Vec::new(),
            agents: BTreeMap::new(),
            shortcuts: HashMap::new(),
            visitors: HashMap::new(),
            chats: Chats::default(),
            conversions: Vec::new(),
            timeline: Vec::new(),
            department_events: Vec::new(),
            clock: Clock::default(),
            agents_read_only: false,
            next_agent_id: 7_282_619_000_000,
            next_visitor: 0,
        }
    }

    /// 403 on an account whose agents are read-only (created from Zendesk Support).
    fn check_agents_writable(&self) -> Result<(), ErrorAnswer> {
        if self.agents_read_only {
            return Err(ErrorAnswer::forbidden(
                "this Chat account was created from Zendesk Support: agents are managed there",
            ));
        }
        Ok(())
    }

    /// Adds (or replaces) an agent; it needs an id.
    pub fn insert_agent(&mut self, agent: types::Agent) {
        if let Some(id) = agent.id {
            self.shortcuts.entry(id).or_insert(3);
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
        let (id, entry) = chats::ChatEntry::new(chat)?;
        self.chats.insert(id, entry);
        Ok(())
    }

    /// Adds (or replaces) a chat written as JSON, served byte for byte as given (a payload
    /// copied from production, say); its facts for search and export are read through the
    /// client's model. Returns its id.
    pub fn insert_chat_json(&mut self, json: &[u8]) -> Result<String, String> {
        let chat: types::Chat = serde_json::from_slice(json).map_err(|e| e.to_string())?;
        let (id, entry) = chats::ChatEntry::with_json(&chat, Bytes::copy_from_slice(json))?;
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
        let replaced = chats::ChatEntry {
            json: Bytes::copy_from_slice(json),
            meta: entry.meta,
        };
        self.chats.insert(id.to_owned(), replaced);
        true
    }

    // ---- agents ------------------------------------------------------------------------------

    /// `GET /agents`: the whole set without paging parameters; with any, a page of `limit` (10 by
    /// default) from `since_id` forward or up to `max_id` backward, with the next and previous
    /// page paths in `X-Next-Page` and `X-Prev-Page`.
    pub fn list_agents(&self, query: &HashMap<String, String>) -> Outcome {
        let number = |name: &str| -> Result<Option<i64>, ErrorAnswer> {
            query
                .get(name)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| ErrorAnswer::bad_request(format!("{name} must be an integer")))
                })
                .transpose()
        };
        let (since_id, max_id, limit) = (number("since_id")?, number("max_id")?, number("limit")?);
        if limit.is_some_and(|l| l < 1) {
            return Err(ErrorAnswer::bad_request("limit must be at least 1"));
        }
        // Real accounts answer `limit=500` with 400; 100 is the largest page known to be served.
        if limit.is_some_and(|l| l > i64::from(zendesk_chat::limits::AGENTS_MAX_PAGE_SIZE)) {
            return Err(ErrorAnswer::bad_request("limit must be at most 100"));
        }
        let paged = since_id.is_some() || max_id.is_some() || limit.is_some();
        let limit = limit.unwrap_or(if paged { 10 } else { i64::MAX }) as usize;
        let page: Vec<&types::Agent> = match (since_id, max_id) {
            (_, Some(max)) => {
                let mut page: Vec<_> = self
                    .agents
                    .range(since_id.unwrap_or(i64::MIN)..=max)
                    .rev()
                    .take(limit)
                    .map(|(_, a)| a)
                    .collect();
                page.reverse();
                page
            }
            (since, None) => self
                .agents
                .range(since.unwrap_or(i64::MIN)..)
                .take(limit)
                .map(|(_, a)| a)
                .collect(),
        };
        let mut answer = Answer::json(200, &page);
        if paged {
            if let Some(last) = page
                .last()
                .and_then(|a| a.id)
                .filter(|id| self.agents.range(id + 1..).next().is_some())
            {
                answer.headers.push((
                    "x-next-page",
                    format!("/api/v2/chat/agents?since_id={}&limit={limit}", last + 1),
                ));
            }
            if let Some(first) = page
                .first()
                .and_then(|a| a.id)
                .filter(|id| self.agents.range(..id).next().is_some())
            {
                answer.headers.push((
                    "x-prev-page",
                    format!("/api/v2/chat/agents?max_id={}&limit={limit}", first - 1),
                ));
            }
        }
        Ok(answer)
    }

    /// `GET /agents/{id}`.
    pub fn get_agent(&self, id: i64) -> Outcome {
        self.agents
            .get(&id)
            .map(|a| Answer::json(200, a))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `GET /agents/email/{email}`.
    pub fn get_agent_by_email(&self, email: &str) -> Outcome {
        self.agents
            .values()
            .find(|a| {
                a.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .map(|a| Answer::json(200, a))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `POST /agents`: `email` and `password` are required, and the email must be free.
    pub fn create_agent(&mut self, body: &[u8]) -> Outcome {
        self.check_agents_writable()?;
        let request: types::CreateAgentRequest = parse_body(body)?;
        if request.password.expose().is_empty() || request.email.is_empty() {
            return Err(ErrorAnswer::unprocessable(
                "email and password are required",
            ));
        }
        if self
            .agents
            .values()
            .any(|a| a.email.as_deref() == Some(request.email.as_str()))
        {
            return Err(ErrorAnswer::unprocessable("email is already taken"));
        }
        let id = self.next_agent_id;
        let agent = types::Agent {
            id: Some(id),
            email: Some(request.email),
            display_name: request.display_name,
            first_name: request.first_name,
            last_name: request.last_name,
            enabled: Some(request.enabled.unwrap_or(types::Flag::Integer(1))),
            role_id: request.role_id,
            roles: Some(types::AgentRoles {
                owner: Some(false),
                administrator: Some(false),
                extra: Default::default(),
            }),
            departments: Vec::new(),
            enabled_departments: Vec::new(),
            skills: Vec::new(),
            create_date: Some(iso_seconds(self.clock.change_micros()).into()),
            last_login: None,
            extra: Default::default(),
        };
        self.insert_agent(agent.clone());
        Ok(Answer::json(201, &agent))
    }

    /// `PUT /agents/{id}`.
    pub fn update_agent(&mut self, id: i64, body: &[u8]) -> Outcome {
        self.check_agents_writable()?;
        let request: types::UpdateAgentRequest = parse_body(body)?;
        if let Some(email) = &request.email
            && self
                .agents
                .values()
                .any(|a| a.id != Some(id) && a.email.as_ref() == Some(email))
        {
            return Err(ErrorAnswer::unprocessable("email is already taken"));
        }
        let agent = self
            .agents
            .get_mut(&id)
            .ok_or_else(ErrorAnswer::not_found)?;
        let types::UpdateAgentRequest {
            email,
            display_name,
            first_name,
            last_name,
            enabled,
            role_id,
        } = request;
        agent.email = email.or(agent.email.take());
        agent.display_name = display_name.or(agent.display_name.take());
        agent.first_name = first_name.or(agent.first_name.take());
        agent.last_name = last_name.or(agent.last_name.take());
        agent.enabled = enabled.or(agent.enabled.take());
        agent.role_id = role_id.or(agent.role_id);
        Ok(Answer::json(200, agent))
    }

    /// `DELETE /agents/{id}`.
    pub fn delete_agent(&mut self, id: i64) -> Outcome {
        self.check_agents_writable()?;
        self.agents.remove(&id).ok_or_else(ErrorAnswer::not_found)?;
        self.shortcuts.remove(&id);
        Ok(Answer::no_content())
    }

    /// `DELETE /agents/{id}/shortcuts`.
    pub fn delete_agent_shortcuts(&mut self, id: i64) -> Outcome {
        self.check_agents_writable()?;
        if !self.agents.contains_key(&id) {
            return Err(ErrorAnswer::not_found());
        }
        self.shortcuts.insert(id, 0);
        Ok(Answer::no_content())
    }

    // ---- visitors ----------------------------------------------------------------------------

    /// `POST /visitors`.
    pub fn create_visitor(&mut self, body: &[u8]) -> Outcome {
        let request: types::CreateVisitorRequest = parse_body(body)?;
        self.next_visitor += 1;
        let mut rng = fastrand::Rng::with_seed(self.account_id ^ self.next_visitor.rotate_left(17));
        let id = clock::visitor_id(&mut rng, self.account_id);
        let visitor = types::Visitor {
            id: Some(zendesk_chat::LooseId::String(id)),
            name: request.name,
            email: request.email,
            phone: request.phone,
            notes: request.notes,
            banned: Some(request.banned.unwrap_or(false)),
            external_id: None,
            created: Some(iso_seconds(self.clock.change_micros()).into()),
            extra: Default::default(),
        };
        self.insert_visitor(visitor.clone());
        Ok(Answer::json(201, &visitor))
    }

    /// `GET /visitors/{id}`.
    pub fn get_visitor(&self, id: &str) -> Outcome {
        self.visitors
            .get(id)
            .map(|v| Answer::json(200, v))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `PUT /visitors/{id}`.
    pub fn update_visitor(&mut self, id: &str, body: &[u8]) -> Outcome {
        let request: types::UpdateVisitorRequest = parse_body(body)?;
        let visitor = self
            .visitors
            .get_mut(id)
            .ok_or_else(ErrorAnswer::not_found)?;
        let types::UpdateVisitorRequest {
            name,
            email,
            phone,
            notes,
            banned,
        } = request;
        visitor.name = name.or(visitor.name.take());
        visitor.email = email.or(visitor.email.take());
        visitor.phone = phone.or(visitor.phone.take());
        visitor.notes = notes.or(visitor.notes.take());
        visitor.banned = banned.or(visitor.banned);
        Ok(Answer::json(200, visitor))
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
