//! The chat operations: list (and fetch by ids), search, show, create an offline message,
//! update, delete, and bulk delete. Every change bumps the chat's `update_timestamp`, so that it
//! shows in the incremental export again.
//!
//! The chats themselves are kept in an index ([`Chats`]); [`search`] reads the search language.

mod index;
pub mod search;

pub use index::{ChatEntry, ChatMeta, Chats};

use std::collections::HashMap;

use serde_json::{Value, json};
use zendesk_chat::types;

use zendesk_chat::limits::{self, IDS_PER_REQUEST};

use super::clock::iso_seconds;
use super::ids::random_id_part;
use super::{Answer, ErrorAnswer, Outcome, Store, parse_body};

/// Chats per page of `GET /chats` (the docs give no number; the emulator's choice).
pub const LIST_PAGE_SIZE: usize = 100;
/// Results per search page.
const SEARCH_PAGE_SIZE: usize = limits::SEARCH_PAGE_SIZE as usize;
/// The last search page the API serves.
const SEARCH_MAX_PAGES: usize = limits::SEARCH_MAX_PAGES as usize;

impl Store {
    /// `GET /chats`: a page of chats (`page`, from 1), or with `ids` the `docs` map.
    pub fn list_chats(&self, query: &HashMap<String, String>, base_url: &str) -> Outcome {
        if let Some(ids) = query.get("ids") {
            return self.chats_by_ids(ids);
        }
        let page = page_number(query)?;
        let mut chats = Vec::new();
        let mut total = 0;
        for (_, entry) in self.chats.by_start() {
            if total >= (page - 1) * LIST_PAGE_SIZE && chats.len() < LIST_PAGE_SIZE {
                chats.push(entry.json.as_ref());
            }
            total += 1;
        }
        let link = |page: usize| json!(format!("{base_url}/api/v2/chat/chats?page={page}"));
        let (next, prev) = neighbour_links(page, page * LIST_PAGE_SIZE < total, link);
        Ok(Answer::ok(format!(
            r#"{{"chats": [{}], "count": {}, "next_url": {next}, "prev_url": {prev}}}"#,
            join_json(&chats),
            chats.len(),
        )))
    }

    fn chats_by_ids(&self, ids: &str) -> Outcome {
        let ids = split_ids(ids)?;
        let docs: Vec<String> = ids
            .iter()
            .filter_map(|id| {
                self.chats
                    .get(id)
                    .filter(|e| !e.meta.deleted)
                    .map(|e| (id, e))
            })
            .map(|(id, entry)| {
                format!(
                    "{}: {}",
                    Value::from(id.as_str()),
                    String::from_utf8_lossy(&entry.json)
                )
            })
            .collect();
        Ok(Answer::ok(format!(
            r#"{{"count": {}, "docs": {{{}}}}}"#,
            docs.len(),
            docs.join(", ")
        )))
    }

    /// `GET /chats/search`: 40 results a page; page 251 and beyond answer 400.
    pub fn search_chats(&self, query: &HashMap<String, String>, base_url: &str) -> Outcome {
        let q = query
            .get("q")
            .filter(|q| !q.trim().is_empty())
            .ok_or_else(|| ErrorAnswer::bad_request("q is required"))?;
        let page = page_number(query)?;
        if page > SEARCH_MAX_PAGES {
            return Err(ErrorAnswer::bad_request(format!(
                "page {page} is past the last page ({SEARCH_MAX_PAGES}); narrow the query by timestamp range"
            )));
        }
        let parsed = search::parse(q)
            .map_err(|e| ErrorAnswer::bad_request(format!("invalid query: {e}")))?;
        let first = (page - 1) * SEARCH_PAGE_SIZE;
        let mut results = Vec::new();
        let mut total = 0;
        for (id, entry) in self.chats.by_start() {
            if parsed.matches(&entry.meta, &entry.json) {
                if total >= first && results.len() < SEARCH_PAGE_SIZE {
                    results.push(json!({
                        "id": id,
                        "type": entry.meta.kind.as_str(),
                        "preview": entry.meta.preview,
                        "timestamp": iso_seconds(entry.meta.timestamp_micros),
                        "url": format!("{base_url}/api/v2/chat/chats/{id}"),
                    }));
                }
                total += 1;
            }
        }
        let link = |page: usize| {
            let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
            json!(format!(
                "{base_url}/api/v2/chat/chats/search?q={q}&page={page}"
            ))
        };
        let (next, prev) = neighbour_links(page, first + SEARCH_PAGE_SIZE < total, link);
        Ok(Answer::json(
            200,
            &json!({"results": results, "count": total, "next_url": next, "prev_url": prev}),
        ))
    }

    /// `GET /chats/{id}`.
    pub fn get_chat(&self, id: &str) -> Outcome {
        self.chats
            .get(id)
            .filter(|entry| !entry.meta.deleted)
            .map(|entry| Answer::ok(entry.json.clone()))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `POST /chats`: creates an offline message (the only kind the API creates).
    pub fn create_offline_message(&mut self, body: &[u8]) -> Outcome {
        let request: types::CreateOfflineMessageRequest = parse_body(body)?;
        let created = chrono::DateTime::from_timestamp(request.timestamp, 0)
            .ok_or_else(|| ErrorAnswer::unprocessable("timestamp is out of range"))?
            .timestamp_micros();
        let mut rng =
            fastrand::Rng::with_seed(self.account_id ^ self.chats.len() as u64 ^ created as u64);
        let id = format!(
            "{}.{}.{}",
            chrono::DateTime::from_timestamp_micros(created)
                .unwrap_or_default()
                .format("%y%m"),
            self.account_id,
            random_id_part(&mut rng, 13)
        );
        let department = request
            .department_id
            .and_then(|d| self.department_names().into_iter().find(|(id, _)| *id == d));
        if request.department_id.is_some() && department.is_none() {
            return Err(ErrorAnswer::unprocessable(
                "department_id: no such department",
            ));
        }
        let chat = types::Chat::OfflineMessage(types::OfflineMessage {
            type_: types::OfflineMessageType::OfflineMsg,
            id: Some(id),
            department_id: department.as_ref().map(|(id, _)| *id),
            department_name: department.map(|(_, name)| name),
            visitor: Some(request.visitor),
            session: Some(request.session),
            timestamp: Some(iso_seconds(created).into()),
            unread: Some(types::Flag::Boolean(true)),
            message: Some(request.message),
            started_by: Some(types::StartedBy::Visitor),
            webpath: Vec::new(),
            zendesk_ticket_id: None,
            update_timestamp: Some(iso_seconds(self.clock.change_micros()).into()),
            deleted: Some(false),
            extra: Default::default(),
        });
        let (id, entry) = ChatEntry::new(&chat).map_err(ErrorAnswer::unprocessable)?;
        let answer = Answer::with_status(201, entry.json.clone());
        self.chats.insert(id, entry);
        Ok(answer)
    }

    /// `PUT /chats/{id}`: sets `comment`, `rating`, `tags`, `unread`, and the visitor's fields
    /// through dotted keys (`"visitor.name"`); other keys are accepted and ignored.
    pub fn update_chat(&mut self, id: &str, body: &[u8]) -> Outcome {
        let request: types::UpdateChatRequest = parse_body(body)?;
        let entry = self
            .chats
            .get(id)
            .filter(|e| !e.meta.deleted)
            .ok_or_else(ErrorAnswer::not_found)?;
        let mut chat = entry.chat();
        let stamp = Some(iso_seconds(self.clock.change_micros()).into());
        match &mut chat {
            types::Chat::SupportChat(chat) => {
                chat.comment = request.comment.clone().or(chat.comment.take());
                chat.rating = request.rating.clone().or(chat.rating.take());
                if let Some(tags) = &request.tags {
                    chat.tags = tags.clone();
                }
                if let Some(unread) = request.unread {
                    chat.unread = Some(types::Flag::Boolean(unread));
                }
                apply_visitor(chat.visitor.get_or_insert_with(Default::default), &request);
                chat.update_timestamp = stamp;
            }
            types::Chat::OfflineMessage(message) => {
                if let Some(unread) = request.unread {
                    message.unread = Some(types::Flag::Boolean(unread));
                }
                apply_visitor(
                    message.visitor.get_or_insert_with(Default::default),
                    &request,
                );
                message.update_timestamp = stamp;
            }
            _ => {
                return Err(ErrorAnswer::unprocessable("this chat cannot be updated"));
            }
        }
        let (id, entry) = ChatEntry::new(&chat).map_err(ErrorAnswer::unprocessable)?;
        let answer = Answer::ok(entry.json.clone());
        self.chats.insert(id, entry);
        Ok(answer)
    }

    /// `DELETE /chats/{id}`.
    pub fn delete_chat(&mut self, id: &str) -> Outcome {
        match self.mark_deleted(id) {
            Deletion::Deleted => Ok(Answer::no_content()),
            Deletion::AlreadyDeleted | Deletion::NotFound => Err(ErrorAnswer::not_found()),
        }
    }

    /// `DELETE /chats?ids=`: each id deleted, or why not.
    pub fn bulk_delete_chats(&mut self, query: &HashMap<String, String>) -> Outcome {
        let ids = split_ids(
            query
                .get("ids")
                .ok_or_else(|| ErrorAnswer::bad_request("ids is required"))?,
        )?;
        let (mut deleted, mut already, mut invalid, mut missing) =
            (0, Vec::new(), Vec::new(), Vec::new());
        for id in ids {
            if !is_chat_id(&id) {
                invalid.push(id);
                continue;
            }
            match self.mark_deleted(&id) {
                Deletion::Deleted => deleted += 1,
                Deletion::AlreadyDeleted => already.push(id),
                Deletion::NotFound => missing.push(id),
            }
        }
        let failed = already.len() + invalid.len() + missing.len();
        Ok(Answer::json(
            200,
            &json!({
                "failed": {"already_deleted": already, "invalid_id": invalid, "not_found": missing},
                "number_fail": failed,
                "number_success": deleted,
            }),
        ))
    }

    fn mark_deleted(&mut self, id: &str) -> Deletion {
        let Some(entry) = self.chats.get(id) else {
            return Deletion::NotFound;
        };
        if entry.meta.deleted {
            return Deletion::AlreadyDeleted;
        }
        let mut chat = entry.chat();
        let stamp = Some(iso_seconds(self.clock.change_micros()).into());
        match &mut chat {
            types::Chat::SupportChat(chat) => {
                chat.deleted = Some(true);
                chat.update_timestamp = stamp;
            }
            types::Chat::OfflineMessage(message) => {
                message.deleted = Some(true);
                message.update_timestamp = stamp;
            }
            types::Chat::Unknown(object) => {
                object.insert("deleted".into(), Value::Bool(true));
                object.insert("update_timestamp".into(), json!(stamp));
            }
            // A kind of chat a later client version adds: stored as it is.
            _ => {}
        }
        match ChatEntry::new(&chat) {
            Ok((id, entry)) => {
                self.chats.insert(id, entry);
                Deletion::Deleted
            }
            Err(_) => Deletion::NotFound,
        }
    }
}

enum Deletion {
    Deleted,
    AlreadyDeleted,
    NotFound,
}

fn apply_visitor(visitor: &mut types::ChatVisitor, request: &types::UpdateChatRequest) {
    if let Some(name) = &request.visitor_name {
        visitor.name = Some(name.clone());
    }
    if let Some(email) = &request.visitor_email {
        visitor.email = Some(email.clone());
    }
    if let Some(phone) = &request.visitor_phone {
        visitor.phone = Some(phone.clone());
    }
    if let Some(notes) = &request.visitor_notes {
        visitor.notes = Some(notes.clone());
    }
}

/// A chat id has the API's shape: dot-separated parts of letters and digits.
/// The `next_url` and `prev_url` of page `page` (from 1): links made by `link`, or null where
/// there is no such page.
fn neighbour_links(page: usize, has_next: bool, link: impl Fn(usize) -> Value) -> (Value, Value) {
    let next = if has_next {
        link(page + 1)
    } else {
        Value::Null
    };
    let prev = if page > 1 {
        link(page - 1)
    } else {
        Value::Null
    };
    (next, prev)
}

fn is_chat_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The ids of an `ids` parameter: at most 50, none empty.
fn split_ids(ids: &str) -> Result<Vec<String>, ErrorAnswer> {
    let ids: Vec<String> = ids
        .split(',')
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ErrorAnswer::bad_request("ids is empty"));
    }
    if ids.len() > IDS_PER_REQUEST {
        return Err(ErrorAnswer::bad_request(format!(
            "at most {IDS_PER_REQUEST} ids at a time, not {}",
            ids.len()
        )));
    }
    Ok(ids)
}

fn page_number(query: &HashMap<String, String>) -> Result<usize, ErrorAnswer> {
    match query.get("page") {
        None => Ok(1),
        Some(page) => page
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| ErrorAnswer::bad_request("page must be a positive integer")),
    }
}

/// JSON documents joined with commas, for an array.
pub(in crate::store) fn join_json(parts: &[&[u8]]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 2).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&String::from_utf8_lossy(part));
    }
    out
}
