//! What the commands print: JSON by default (for scripts), a table with `--table` (for people).

use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use serde::Serialize;
use serde_json::Value;
use zendesk_chat::types;

/// The columns of a table of records, those that identify a record, in this order.
const RECORD_COLUMNS: [&str; 8] = [
    "id",
    "name",
    "type",
    "enabled",
    "scope",
    "visitor_id",
    "ip_address",
    "description",
];

/// A JSON value in a table cell: text as it is, null as nothing, anything else as compact JSON.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// How to print.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// A table instead of JSON.
    pub table: bool,
}

impl Output {
    fn json(&self, value: &impl Serialize) -> anyhow::Result<()> {
        println!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }

    fn table(&self, header: &[&str], rows: Vec<Vec<String>>) {
        let mut table = Table::new();
        table
            .load_style(UTF8_BORDERS_ONLY)
            .set_header(header.to_vec())
            .add_rows(rows);
        println!("{table}");
    }

    /// Records of any resource: JSON, or with `--table` a row per object with the fields that
    /// identify it (id, name, type, enabled, …); a single object is a table of its fields.
    pub fn records(&self, value: &Value) -> anyhow::Result<()> {
        if !self.table {
            return self.json(value);
        }
        match value {
            Value::Array(items) => {
                let header: Vec<&str> = RECORD_COLUMNS
                    .iter()
                    .copied()
                    .filter(|column| items.iter().any(|item| item.get(column).is_some()))
                    .collect();
                let rows = items
                    .iter()
                    .map(|item| header.iter().map(|column| cell(item.get(column))).collect())
                    .collect();
                self.table(&header, rows);
            }
            Value::Object(object) => {
                let rows = object
                    .iter()
                    .map(|(field, value)| vec![field.clone(), cell(Some(value))])
                    .collect();
                self.table(&["field", "value"], rows);
            }
            other => return self.json(other),
        }
        Ok(())
    }

    /// Chats.
    pub fn chats(&self, chats: &[types::Chat]) -> anyhow::Result<()> {
        if !self.table {
            return self.json(&chats);
        }
        let rows = chats
            .iter()
            .map(|chat| match chat {
                types::Chat::SupportChat(c) => vec![
                    text(&c.id),
                    "chat".into(),
                    time(&c.timestamp),
                    c.visitor
                        .as_ref()
                        .map(|v| text(&v.name))
                        .unwrap_or_default(),
                    c.agent_names.join(", "),
                    c.rating
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    c.count
                        .as_ref()
                        .and_then(|n| n.total)
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ],
                types::Chat::OfflineMessage(m) => vec![
                    text(&m.id),
                    "offline_msg".into(),
                    time(&m.timestamp),
                    m.visitor
                        .as_ref()
                        .map(|v| text(&v.name))
                        .unwrap_or_default(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                // An unknown kind of chat, or one a later client version adds.
                other => vec![
                    other.id().unwrap_or_default().to_owned(),
                    chat.type_tag().unwrap_or("?").into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            })
            .collect();
        self.table(
            &[
                "id", "type", "started", "visitor", "agents", "rating", "messages",
            ],
            rows,
        );
        Ok(())
    }

    /// Search results.
    pub fn search_results(&self, results: &[types::SearchResult]) -> anyhow::Result<()> {
        if !self.table {
            return self.json(&results);
        }
        let rows = results
            .iter()
            .map(|r| {
                vec![
                    text(&r.id),
                    r.type_
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    time(&r.timestamp),
                    text(&r.preview),
                ]
            })
            .collect();
        self.table(&["id", "type", "started", "preview"], rows);
        Ok(())
    }

    /// The outcome of a bulk delete.
    pub fn bulk_delete(&self, result: &types::BulkDeleteResult) -> anyhow::Result<()> {
        if !self.table {
            return self.json(result);
        }
        let failed = result.failed.clone().unwrap_or_default();
        let mut rows = vec![vec![
            "deleted".into(),
            result.number_success.unwrap_or(0).to_string(),
        ]];
        for (reason, ids) in [
            ("already deleted", &failed.already_deleted),
            ("invalid id", &failed.invalid_id),
            ("not found", &failed.not_found),
        ] {
            if !ids.is_empty() {
                rows.push(vec![reason.into(), ids.join(", ")]);
            }
        }
        self.table(&["", ""], rows);
        Ok(())
    }

    /// One agent: a JSON object, or a table of one row.
    pub fn agent(&self, agent: &types::Agent) -> anyhow::Result<()> {
        if !self.table {
            return self.json(agent);
        }
        self.agents(std::slice::from_ref(agent))
    }

    /// Agents: a JSON array, or a table.
    pub fn agents(&self, agents: &[types::Agent]) -> anyhow::Result<()> {
        if !self.table {
            return self.json(&agents);
        }
        let rows = agents
            .iter()
            .map(|a| {
                vec![
                    a.id.map(|id| id.to_string()).unwrap_or_default(),
                    text(&a.display_name),
                    text(&a.email),
                    a.enabled
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    a.role_id.map(|r| r.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        self.table(&["id", "name", "email", "enabled", "role"], rows);
        Ok(())
    }

    /// A visitor: a JSON object, or a table of one row.
    pub fn visitor(&self, visitor: &types::Visitor) -> anyhow::Result<()> {
        if !self.table {
            return self.json(visitor);
        }
        let v = visitor;
        let row = vec![
            v.id.as_ref().map(ToString::to_string).unwrap_or_default(),
            text(&v.name),
            text(&v.email),
            text(&v.phone),
            v.banned.map(|b| b.to_string()).unwrap_or_default(),
        ];
        self.table(&["id", "name", "email", "phone", "banned"], vec![row]);
        Ok(())
    }

    /// A one-line outcome of a command with nothing else to show.
    pub fn done(&self, message: &str) {
        if self.table {
            println!("{message}");
        } else {
            println!("{}", serde_json::json!({"ok": true, "message": message}));
        }
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn time(value: &Option<zendesk_chat::Timestamp>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}
