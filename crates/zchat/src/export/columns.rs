//! The CSV columns of each resource: its fields flattened (the database tables are in
//! [`tables`](super::tables)).

use serde_json::Value;

use zendesk_chat::export::{ExportResource, RawRecord};

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
pub fn row(resource: ExportResource, record: &RawRecord) -> anyhow::Result<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> RawRecord {
        RawRecord::from_json(json).unwrap()
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
        }
    }
}
