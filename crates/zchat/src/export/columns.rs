//! The columns of each resource: flattened fields for CSV, keys and a few queryable fields for
//! SQLite (beside the raw JSON, which keeps everything).

use serde_json::Value;
use serde_json::value::RawValue;

use super::Resource;

/// CSV columns: a name and a path into the record (`/` separated), or a computed value.
enum Column {
    Field(&'static str, &'static str),
    /// Items of a list, joined with `;` (`/` path to the list, then the field of each item if any).
    Joined(&'static str, &'static str, Option<&'static str>),
    /// The number of `chat.msg` events in the history.
    MessageCount,
}

const CHAT_COLUMNS: &[Column] = &[
    Column::Field("id", "/id"),
    Column::Field("type", "/type"),
    Column::Field("timestamp", "/timestamp"),
    Column::Field("end_timestamp", "/end_timestamp"),
    Column::Field("update_timestamp", "/update_timestamp"),
    Column::Field("deleted", "/deleted"),
    Column::Field("visitor_id", "/visitor/id"),
    Column::Field("visitor_name", "/visitor/name"),
    Column::Field("visitor_email", "/visitor/email"),
    Column::Joined("agent_ids", "/agent_ids", None),
    Column::Joined("agent_names", "/agent_names", None),
    Column::Field("department_id", "/department_id"),
    Column::Field("department_name", "/department_name"),
    Column::Field("rating", "/rating"),
    Column::Field("comment", "/comment"),
    Column::Joined("tags", "/tags", None),
    Column::Field("count_visitor", "/count/visitor"),
    Column::Field("count_agent", "/count/agent"),
    Column::Field("count_total", "/count/total"),
    Column::MessageCount,
    Column::Field("duration", "/duration"),
    Column::Field("missed", "/missed"),
    Column::Field("started_by", "/started_by"),
    Column::Field("response_time_first", "/response_time/first"),
    Column::Field("response_time_avg", "/response_time/avg"),
    Column::Field("zendesk_ticket_id", "/zendesk_ticket_id"),
    Column::Field("message", "/message"),
];

const TIMELINE_COLUMNS: &[Column] = &[
    Column::Field("agent_id", "/agent_id"),
    Column::Field("start_time", "/start_time"),
    Column::Field("duration", "/duration"),
    Column::Field("status", "/status"),
    Column::Field("engagement_count", "/engagement_count"),
];

const CONVERSION_COLUMNS: &[Column] = &[
    Column::Field("id", "/id"),
    Column::Field("timestamp", "/timestamp"),
    Column::Field("goal_id", "/goal_id"),
    Column::Field("goal_name", "/goal_name"),
    Column::Field("agent_id", "/attribution/agent_id"),
    Column::Field("chat_id", "/attribution/chat_id"),
    Column::Field("chat_timestamp", "/attribution/chat_timestamp"),
    Column::Field("department_id", "/attribution/department_id"),
];

const DEPARTMENT_EVENT_COLUMNS: &[Column] = &[
    Column::Field("id", "/id"),
    Column::Field("department_id", "/department_id"),
    Column::Field("timestamp", "/timestamp"),
    Column::Field("field_name", "/field_name"),
    Column::Field("assigned", "/value/assigned"),
    Column::Field("incoming", "/value/incoming"),
    Column::Field("previous_assigned", "/previous_value/assigned"),
    Column::Field("previous_incoming", "/previous_value/incoming"),
];

fn columns(resource: Resource) -> &'static [Column] {
    match resource {
        Resource::Chats => CHAT_COLUMNS,
        Resource::AgentTimeline => TIMELINE_COLUMNS,
        Resource::Conversions => CONVERSION_COLUMNS,
        Resource::DepartmentEvents => DEPARTMENT_EVENT_COLUMNS,
    }
}

/// The CSV header.
pub fn header(resource: Resource) -> Vec<&'static str> {
    columns(resource)
        .iter()
        .map(|column| match column {
            Column::Field(name, _) | Column::Joined(name, _, _) => *name,
            Column::MessageCount => "message_count",
        })
        .collect()
}

/// A record's CSV row.
pub fn row(resource: Resource, record: &RawValue) -> anyhow::Result<Vec<String>> {
    let value: Value = serde_json::from_str(record.get())?;
    Ok(columns(resource)
        .iter()
        .map(|column| match column {
            Column::Field(_, path) => text(value.pointer(path)),
            Column::Joined(_, path, field) => value
                .pointer(path)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .map(|item| text(field.map_or(Some(item), |f| item.get(f))))
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            Column::MessageCount => value["history"]
                .as_array()
                .map(|events| {
                    events
                        .iter()
                        .filter(|e| e["type"] == "chat.msg")
                        .count()
                        .to_string()
                })
                .unwrap_or_default(),
        })
        .collect())
}

fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The tables: one per resource, keyed by id, with the raw record; and the export state.
pub const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS chats (
    id TEXT PRIMARY KEY, type TEXT, timestamp TEXT, update_timestamp TEXT, deleted INTEGER, raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agent_timeline (
    id TEXT PRIMARY KEY, agent_id INTEGER, start_time TEXT, status TEXT, raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversions (
    id TEXT PRIMARY KEY, timestamp TEXT, chat_id TEXT, raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS department_events (
    id TEXT PRIMARY KEY, department_id INTEGER, timestamp TEXT, raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS export_state (
    resource TEXT PRIMARY KEY, checkpoint TEXT NOT NULL, updated_at TEXT NOT NULL
);
";

/// The upsert of one record: a newer version replaces the row.
pub fn sqlite_upsert(resource: Resource) -> &'static str {
    match resource {
        Resource::Chats => {
            "INSERT INTO chats (id, type, timestamp, update_timestamp, deleted, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET type = excluded.type, timestamp = excluded.timestamp,
             update_timestamp = excluded.update_timestamp, deleted = excluded.deleted, raw = excluded.raw"
        }
        Resource::AgentTimeline => {
            "INSERT INTO agent_timeline (id, agent_id, start_time, status, raw) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET status = excluded.status, raw = excluded.raw"
        }
        Resource::Conversions => {
            "INSERT INTO conversions (id, timestamp, chat_id, raw) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(id) DO UPDATE SET timestamp = excluded.timestamp, chat_id = excluded.chat_id, raw = excluded.raw"
        }
        Resource::DepartmentEvents => {
            "INSERT INTO department_events (id, department_id, timestamp, raw) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(id) DO UPDATE SET department_id = excluded.department_id, timestamp = excluded.timestamp, raw = excluded.raw"
        }
    }
}

/// The values of the upsert of a record.
pub fn sqlite_row(
    resource: Resource,
    record: &RawValue,
) -> anyhow::Result<Vec<rusqlite::types::Value>> {
    use rusqlite::types::Value as Sql;
    let value: Value = serde_json::from_str(record.get())?;
    let text = |path: &str| {
        value
            .pointer(path)
            .and_then(Value::as_str)
            .map_or(Sql::Null, |s| Sql::Text(s.to_owned()))
    };
    let integer = |path: &str| {
        value
            .pointer(path)
            .and_then(Value::as_i64)
            .map_or(Sql::Null, Sql::Integer)
    };
    let raw = Sql::Text(record.get().to_owned());
    let id = value.get("id").map(|id| match id {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    });
    Ok(match resource {
        Resource::Chats => {
            let Some(id) = id else {
                anyhow::bail!("a chat without an id: {}", excerpt(record))
            };
            let deleted = value
                .get("deleted")
                .and_then(Value::as_bool)
                .map_or(Sql::Null, |d| Sql::Integer(d.into()));
            vec![
                Sql::Text(id),
                text("/type"),
                text("/timestamp"),
                text("/update_timestamp"),
                deleted,
                raw,
            ]
        }
        Resource::AgentTimeline => {
            // Timespans have no id: an agent has one span starting at a given instant.
            let part = |key: &str| match value.get(key) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let id = format!("{}:{}", part("agent_id"), part("start_time"));
            vec![
                Sql::Text(id),
                integer("/agent_id"),
                text("/start_time"),
                text("/status"),
                raw,
            ]
        }
        Resource::Conversions => {
            let Some(id) = id else {
                anyhow::bail!("a conversion without an id: {}", excerpt(record))
            };
            vec![
                Sql::Text(id),
                text("/timestamp"),
                text("/attribution/chat_id"),
                raw,
            ]
        }
        Resource::DepartmentEvents => {
            let Some(id) = id else {
                anyhow::bail!("a department event without an id: {}", excerpt(record))
            };
            vec![
                Sql::Text(id),
                integer("/department_id"),
                text("/timestamp"),
                raw,
            ]
        }
    })
}

fn excerpt(record: &RawValue) -> String {
    record.get().chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    #[test]
    fn a_chat_flattens_into_its_columns() {
        let chat = raw(
            r#"{"id": "c1", "type": "chat", "visitor": {"name": "Ann, \"A\""}, "agent_names": ["Tom", "Sue"], "tags": [],
                "history": [{"type": "chat.msg"}, {"type": "chat.memberjoin"}, {"type": "chat.msg"}], "rating": null, "count": {"total": 2}}"#,
        );
        let row = row(Resource::Chats, &chat).unwrap();
        let by_name: std::collections::HashMap<_, _> =
            header(Resource::Chats).into_iter().zip(row).collect();
        assert_eq!(by_name["id"], "c1");
        assert_eq!(by_name["visitor_name"], "Ann, \"A\"");
        assert_eq!(by_name["agent_names"], "Tom;Sue");
        assert_eq!(by_name["tags"], "");
        assert_eq!(by_name["message_count"], "2");
        assert_eq!(by_name["rating"], "");
        assert_eq!(by_name["count_total"], "2");
    }

    #[test]
    fn every_resource_has_as_many_values_as_columns() {
        for (resource, json) in [
            (
                Resource::AgentTimeline,
                r#"{"agent_id": 1, "start_time": "2018-04-29T10:26:40.957650Z", "status": "away"}"#,
            ),
            (
                Resource::Conversions,
                r#"{"id": "v1", "attribution": {"chat_id": null}}"#,
            ),
            (
                Resource::DepartmentEvents,
                r#"{"id": "e1", "value": {"assigned": 2, "incoming": 3}}"#,
            ),
        ] {
            assert_eq!(
                row(resource, &raw(json)).unwrap().len(),
                header(resource).len()
            );
            assert!(sqlite_row(resource, &raw(json)).is_ok());
        }
        assert!(sqlite_row(Resource::Chats, &raw(r#"{"type": "chat"}"#)).is_err());
    }
}
