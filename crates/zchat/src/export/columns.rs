//! The columns of each resource: flattened fields for CSV, keys and a few queryable fields for
//! SQLite (beside the raw JSON, which keeps everything).

use anyhow::Context;
use serde_json::Value;
use serde_json::value::RawValue;

use zendesk_chat::export::ExportResource;

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

const AGENT_EVENT_COLUMNS: &[Column] = &[
    Column::Field("id", "/id"),
    Column::Field("agent_id", "/agent_id"),
    Column::Field("timestamp", "/timestamp"),
    Column::Field("field_name", "/field_name"),
    Column::Field("value", "/value"),
    Column::Field("previous_value", "/previous_value"),
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

fn columns(resource: ExportResource) -> &'static [Column] {
    match resource {
        ExportResource::Chats => CHAT_COLUMNS,
        ExportResource::AgentTimeline => TIMELINE_COLUMNS,
        ExportResource::AgentEvents => AGENT_EVENT_COLUMNS,
        ExportResource::Conversions => CONVERSION_COLUMNS,
        ExportResource::DepartmentEvents => DEPARTMENT_EVENT_COLUMNS,
    }
}

/// The CSV header.
pub fn header(resource: ExportResource) -> Vec<&'static str> {
    columns(resource)
        .iter()
        .map(|column| match column {
            Column::Field(name, _) | Column::Joined(name, _, _) => *name,
            Column::MessageCount => "message_count",
        })
        .collect()
}

/// A record's CSV row.
pub fn row(resource: ExportResource, record: &RawValue) -> anyhow::Result<Vec<String>> {
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
CREATE TABLE IF NOT EXISTS agent_events (
    id TEXT PRIMARY KEY, agent_id INTEGER, timestamp TEXT, field_name TEXT, raw TEXT NOT NULL
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
pub fn sqlite_upsert(resource: ExportResource) -> &'static str {
    match resource {
        ExportResource::Chats => {
            "INSERT INTO chats (id, type, timestamp, update_timestamp, deleted, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET type = excluded.type, timestamp = excluded.timestamp,
             update_timestamp = excluded.update_timestamp, deleted = excluded.deleted, raw = excluded.raw"
        }
        ExportResource::AgentTimeline => {
            "INSERT INTO agent_timeline (id, agent_id, start_time, status, raw) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET status = excluded.status, raw = excluded.raw"
        }
        ExportResource::AgentEvents => {
            "INSERT INTO agent_events (id, agent_id, timestamp, field_name, raw) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET agent_id = excluded.agent_id, timestamp = excluded.timestamp,
             field_name = excluded.field_name, raw = excluded.raw"
        }
        ExportResource::Conversions => {
            "INSERT INTO conversions (id, timestamp, chat_id, raw) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(id) DO UPDATE SET timestamp = excluded.timestamp, chat_id = excluded.chat_id, raw = excluded.raw"
        }
        ExportResource::DepartmentEvents => {
            "INSERT INTO department_events (id, department_id, timestamp, raw) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(id) DO UPDATE SET department_id = excluded.department_id, timestamp = excluded.timestamp, raw = excluded.raw"
        }
    }
}

/// The fields of a record that the SQLite columns hold (of any resource), each kept as the JSON
/// text it was sent as, so that reading them skips the rest of the record without decoding it.
#[derive(serde::Deserialize)]
struct ColumnFields<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    update_timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    deleted: Option<&'a RawValue>,
    #[serde(borrow)]
    agent_id: Option<&'a RawValue>,
    #[serde(borrow)]
    start_time: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
    #[serde(borrow)]
    department_id: Option<&'a RawValue>,
    #[serde(borrow)]
    attribution: Option<&'a RawValue>,
    #[serde(borrow)]
    field_name: Option<&'a RawValue>,
}

/// A field's value when it is a string.
fn sql_text(field: Option<&RawValue>) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    match field.map(|raw| serde_json::from_str::<Value>(raw.get())) {
        Some(Ok(Value::String(text))) => Sql::Text(text),
        _ => Sql::Null,
    }
}

/// A field's value when it is an integer.
fn sql_integer(field: Option<&RawValue>) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    field
        .and_then(|raw| raw.get().parse::<i64>().ok())
        .map_or(Sql::Null, Sql::Integer)
}

/// A field's value as a key: a string as it is, anything else as its JSON text.
fn key_part(field: Option<&RawValue>) -> Option<String> {
    let raw = field?;
    Some(match serde_json::from_str::<Value>(raw.get()) {
        Ok(Value::String(text)) => text,
        _ => raw.get().to_owned(),
    })
}

/// The values of the upsert of a record.
pub fn sqlite_row(
    resource: ExportResource,
    record: &RawValue,
) -> anyhow::Result<Vec<rusqlite::types::Value>> {
    use rusqlite::types::Value as Sql;
    let fields: ColumnFields = serde_json::from_str(record.get())
        .with_context(|| format!("a record that is not a JSON object: {}", excerpt(record)))?;
    let raw = Sql::Text(record.get().to_owned());
    let id = key_part(fields.id);
    Ok(match resource {
        ExportResource::Chats => {
            let Some(id) = id else {
                anyhow::bail!("a chat without an id: {}", excerpt(record))
            };
            let deleted = match fields.deleted.map(RawValue::get) {
                Some("true") => Sql::Integer(1),
                Some("false") => Sql::Integer(0),
                _ => Sql::Null,
            };
            vec![
                Sql::Text(id),
                sql_text(fields.kind),
                sql_text(fields.timestamp),
                sql_text(fields.update_timestamp),
                deleted,
                raw,
            ]
        }
        ExportResource::AgentTimeline => {
            // Timespans have no id: an agent has one span starting at a given instant.
            let id = format!(
                "{}:{}",
                key_part(fields.agent_id).unwrap_or_default(),
                key_part(fields.start_time).unwrap_or_default()
            );
            vec![
                Sql::Text(id),
                sql_integer(fields.agent_id),
                sql_text(fields.start_time),
                sql_text(fields.status),
                raw,
            ]
        }
        ExportResource::AgentEvents => {
            let Some(id) = id else {
                anyhow::bail!("an agent event without an id: {}", excerpt(record))
            };
            vec![
                Sql::Text(id),
                sql_integer(fields.agent_id),
                sql_text(fields.timestamp),
                sql_text(fields.field_name),
                raw,
            ]
        }
        ExportResource::Conversions => {
            let Some(id) = id else {
                anyhow::bail!("a conversion without an id: {}", excerpt(record))
            };
            let chat_id = fields
                .attribution
                .and_then(|attribution| serde_json::from_str::<Value>(attribution.get()).ok())
                .and_then(|attribution| {
                    attribution
                        .get("chat_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .map_or(Sql::Null, Sql::Text);
            vec![Sql::Text(id), sql_text(fields.timestamp), chat_id, raw]
        }
        ExportResource::DepartmentEvents => {
            let Some(id) = id else {
                anyhow::bail!("a department event without an id: {}", excerpt(record))
            };
            vec![
                Sql::Text(id),
                sql_integer(fields.department_id),
                sql_text(fields.timestamp),
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
        let row = row(ExportResource::Chats, &chat).unwrap();
        let by_name: std::collections::HashMap<_, _> =
            header(ExportResource::Chats).into_iter().zip(row).collect();
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
                ExportResource::AgentTimeline,
                r#"{"agent_id": 1, "start_time": "2018-04-29T10:26:40.957650Z", "status": "away"}"#,
            ),
            (
                ExportResource::Conversions,
                r#"{"id": "v1", "attribution": {"chat_id": null}}"#,
            ),
            (
                ExportResource::DepartmentEvents,
                r#"{"id": "e1", "value": {"assigned": 2, "incoming": 3}}"#,
            ),
        ] {
            assert_eq!(
                row(resource, &raw(json)).unwrap().len(),
                header(resource).len()
            );
            assert!(sqlite_row(resource, &raw(json)).is_ok());
        }
        assert!(sqlite_row(ExportResource::Chats, &raw(r#"{"type": "chat"}"#)).is_err());
    }

    #[test]
    fn sqlite_columns_take_what_fits_and_leave_the_rest_null() {
        use rusqlite::types::Value as Sql;
        let row = sqlite_row(
            ExportResource::Chats,
            &raw(r#"{"id": "c\u0031", "type": "chat", "timestamp": 5, "update_timestamp": "2024-01-01T00:00:00Z", "deleted": true, "history": [{"type": "x"}]}"#),
        )
        .unwrap();
        assert_eq!(row[0], Sql::Text("c1".into()));
        assert_eq!(row[1], Sql::Text("chat".into()));
        assert_eq!(
            row[2],
            Sql::Null,
            "a number where a time string is expected"
        );
        assert_eq!(row[3], Sql::Text("2024-01-01T00:00:00Z".into()));
        assert_eq!(row[4], Sql::Integer(1));
        let span = sqlite_row(
            ExportResource::AgentTimeline,
            &raw(r#"{"agent_id": 42, "start_time": "2018-04-29T10:26:40Z", "status": "online"}"#),
        )
        .unwrap();
        assert_eq!(span[0], Sql::Text("42:2018-04-29T10:26:40Z".into()));
        assert_eq!(span[1], Sql::Integer(42));
        let conversion = sqlite_row(
            ExportResource::Conversions,
            &raw(r#"{"id": "v1", "attribution": {"chat_id": "c9"}}"#),
        )
        .unwrap();
        assert_eq!(conversion[2], Sql::Text("c9".into()));
        assert!(sqlite_row(ExportResource::Chats, &raw("[1, 2]")).is_err());
    }
}
