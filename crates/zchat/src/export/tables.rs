//! The database tables of each exported resource, described once for every database sink
//! (SQLite and PostgreSQL): a key, a few typed columns to query by, and the record's raw JSON,
//! which keeps everything.

use anyhow::{Context, bail};

use zendesk_chat::export::{ExportResource, RawRecord};

/// What a typed column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (the key is text too).
    Text,
    /// A 64-bit integer.
    Integer,
    /// A point in time, sent as text (kept as text in SQLite, `timestamptz` in PostgreSQL).
    Time,
    /// A boolean (0 or 1 in SQLite).
    Bool,
}

/// A resource's table: its name and its typed columns, the key (`id`) first. Every table also has
/// a `raw` column with the record as sent.
#[derive(Debug)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// The typed columns, `id` first.
    pub columns: &'static [(&'static str, Kind)],
}

const TABLES: [(ExportResource, Table); 5] = [
    (
        ExportResource::Chats,
        Table {
            name: "chats",
            columns: &[
                ("id", Kind::Text),
                ("type", Kind::Text),
                ("timestamp", Kind::Time),
                ("update_timestamp", Kind::Time),
                ("deleted", Kind::Bool),
            ],
        },
    ),
    (
        ExportResource::AgentTimeline,
        Table {
            name: "agent_timeline",
            columns: &[
                ("id", Kind::Text),
                ("agent_id", Kind::Integer),
                ("start_time", Kind::Time),
                ("status", Kind::Text),
            ],
        },
    ),
    (
        ExportResource::AgentEvents,
        Table {
            name: "agent_events",
            columns: &[
                ("id", Kind::Text),
                ("agent_id", Kind::Integer),
                ("timestamp", Kind::Time),
                ("field_name", Kind::Text),
            ],
        },
    ),
    (
        ExportResource::Conversions,
        Table {
            name: "conversions",
            columns: &[
                ("id", Kind::Text),
                ("timestamp", Kind::Time),
                ("chat_id", Kind::Text),
            ],
        },
    ),
    (
        ExportResource::DepartmentEvents,
        Table {
            name: "department_events",
            columns: &[
                ("id", Kind::Text),
                ("department_id", Kind::Integer),
                ("timestamp", Kind::Time),
            ],
        },
    ),
];

/// The table of `resource`.
pub fn table(resource: ExportResource) -> &'static Table {
    &TABLES
        .iter()
        .find(|(of, _)| *of == resource)
        .expect("every resource has a table")
        .1
}

/// Every table.
pub fn tables() -> impl Iterator<Item = &'static Table> {
    TABLES.iter().map(|(_, table)| table)
}

/// A typed column's value for one record; `None` where the record's field is absent or does not
/// fit (the raw JSON still has it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A [`Kind::Text`] value.
    Text(Option<String>),
    /// A [`Kind::Integer`] value.
    Integer(Option<i64>),
    /// A [`Kind::Time`] value, as the text it was sent as.
    Time(Option<String>),
    /// A [`Kind::Bool`] value.
    Bool(Option<bool>),
}

/// A field's value when it is a string (`raw` is the field's JSON text, as
/// [`RawRecord::field`] gives it).
fn string(raw: Option<&str>) -> Option<String> {
    serde_json::from_str::<String>(raw?).ok()
}

/// A field's value when it is an integer.
fn integer(raw: Option<&str>) -> Option<i64> {
    raw?.parse::<i64>().ok()
}

/// A field's value as a key: a string as it is, anything else as its JSON text.
fn key_part(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    Some(string(Some(raw)).unwrap_or_else(|| raw.to_owned()))
}

/// The typed columns' values of a record, in the order of its [`Table`]'s columns, read from the
/// fields the split of its page located (no second parse of the record, as the sinks that call
/// this ask for them: `Sink::reads_fields`); an error for a record
/// that is not an object or has no key.
pub fn cells(resource: ExportResource, record: &RawRecord) -> anyhow::Result<Vec<Cell>> {
    if !record.get().starts_with('{') {
        bail!("a record that is not a JSON object: {}", excerpt(record));
    }
    let field = |name| record.field(name);
    let id = key_part(field("id"));
    let required_id = |what: &str| {
        id.clone()
            .with_context(|| format!("{what} without an id: {}", excerpt(record)))
    };
    Ok(match resource {
        ExportResource::Chats => {
            let deleted = match field("deleted") {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            };
            vec![
                Cell::Text(Some(required_id("a chat")?)),
                Cell::Text(string(field("type"))),
                Cell::Time(string(field("timestamp"))),
                Cell::Time(string(field("update_timestamp"))),
                Cell::Bool(deleted),
            ]
        }
        ExportResource::AgentTimeline => {
            // Timespans have no id: an agent has one span starting at a given instant.
            let id = format!(
                "{}:{}",
                key_part(field("agent_id")).unwrap_or_default(),
                key_part(field("start_time")).unwrap_or_default()
            );
            vec![
                Cell::Text(Some(id)),
                Cell::Integer(integer(field("agent_id"))),
                Cell::Time(string(field("start_time"))),
                Cell::Text(string(field("status"))),
            ]
        }
        ExportResource::AgentEvents => vec![
            Cell::Text(Some(required_id("an agent event")?)),
            Cell::Integer(integer(field("agent_id"))),
            Cell::Time(string(field("timestamp"))),
            Cell::Text(string(field("field_name"))),
        ],
        ExportResource::Conversions => {
            // The last `chat_id` of the attribution counts, as everywhere a key repeats.
            let chat_id = field("attribution")
                .and_then(|raw| RawRecord::from_json(raw).ok())
                .and_then(|attribution| string(attribution.field("chat_id")));
            vec![
                Cell::Text(Some(required_id("a conversion")?)),
                Cell::Time(string(field("timestamp"))),
                Cell::Text(chat_id),
            ]
        }
        ExportResource::DepartmentEvents => vec![
            Cell::Text(Some(required_id("a department event")?)),
            Cell::Integer(integer(field("department_id"))),
            Cell::Time(string(field("timestamp"))),
        ],
    })
}

fn excerpt(record: &RawRecord) -> String {
    record.get().chars().take(120).collect()
}

/// Every column's name, the typed ones then `raw`, joined with `, `.
fn column_list(table: &Table) -> String {
    let mut names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    names.push("raw");
    names.join(", ")
}

/// `column = excluded.column` for every column but the key: a newer version replaces the row.
fn update_list(table: &Table) -> String {
    let mut names: Vec<&str> = table.columns[1..].iter().map(|(name, _)| *name).collect();
    names.push("raw");
    names
        .iter()
        .map(|name| format!("{name} = excluded.{name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQLite's schema: every table, and `export_state` for the cursors.
pub fn sqlite_schema() -> String {
    let mut schema = String::new();
    for table in tables() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(n, (name, kind))| {
                let kind = match kind {
                    Kind::Text | Kind::Time => "TEXT",
                    Kind::Integer | Kind::Bool => "INTEGER",
                };
                let key = if n == 0 { " PRIMARY KEY" } else { "" };
                format!("{name} {kind}{key}")
            })
            .collect();
        schema.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} ({}, raw TEXT NOT NULL);\n",
            table.name,
            columns.join(", ")
        ));
    }
    schema.push_str(
        "CREATE TABLE IF NOT EXISTS export_state (resource TEXT PRIMARY KEY, checkpoint TEXT NOT NULL, updated_at TEXT NOT NULL);\n",
    );
    schema
}

/// SQLite's upsert of one record of `resource`.
pub fn sqlite_upsert(resource: ExportResource) -> String {
    let table = table(resource);
    let placeholders: Vec<String> = (1..=table.columns.len() + 1)
        .map(|n| format!("?{n}"))
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}",
        table.name,
        column_list(table),
        placeholders.join(", "),
        update_list(table)
    )
}

/// A record's values for SQLite's upsert: the typed columns, then the raw JSON (borrowed).
pub fn sqlite_row(
    resource: ExportResource,
    record: &RawRecord,
) -> anyhow::Result<Vec<rusqlite::types::ToSqlOutput<'_>>> {
    use rusqlite::types::{ToSqlOutput, Value as Sql, ValueRef};
    let mut row: Vec<ToSqlOutput<'_>> = cells(resource, record)?
        .into_iter()
        .map(|cell| {
            ToSqlOutput::Owned(match cell {
                Cell::Text(text) | Cell::Time(text) => text.map_or(Sql::Null, Sql::Text),
                Cell::Integer(number) => number.map_or(Sql::Null, Sql::Integer),
                Cell::Bool(flag) => flag.map_or(Sql::Null, |flag| Sql::Integer(i64::from(flag))),
            })
        })
        .collect();
    row.push(ToSqlOutput::Borrowed(ValueRef::Text(
        record.get().as_bytes(),
    )));
    Ok(row)
}

/// PostgreSQL's schema: every table (`raw` as `jsonb`), and `export_state` for the cursors.
pub fn postgres_schema() -> String {
    let mut schema = String::new();
    for table in tables() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(n, (name, kind))| {
                let kind = postgres_type(*kind);
                let key = if n == 0 { " PRIMARY KEY" } else { "" };
                format!("{name} {kind}{key}")
            })
            .collect();
        schema.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} ({}, raw jsonb NOT NULL);\n",
            table.name,
            columns.join(", ")
        ));
    }
    schema.push_str(
        "CREATE TABLE IF NOT EXISTS export_state (resource text PRIMARY KEY, checkpoint jsonb NOT NULL, updated_at timestamptz NOT NULL);\n",
    );
    schema
}

/// A column's type in PostgreSQL.
pub fn postgres_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "text",
        Kind::Integer => "bigint",
        Kind::Time => "timestamptz",
        Kind::Bool => "boolean",
    }
}

/// PostgreSQL's upsert of a page from the staging table `stage` (the table's columns, `raw` as
/// text, one row per key).
pub fn postgres_upsert_from_stage(resource: ExportResource, stage: &str) -> String {
    let table = table(resource);
    format!(
        "INSERT INTO {name} ({columns}) \
         SELECT {typed}, raw::jsonb FROM {stage} \
         ON CONFLICT (id) DO UPDATE SET {updates}",
        name = table.name,
        columns = column_list(table),
        typed = table
            .columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", "),
        updates = update_list(table),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> RawRecord {
        RawRecord::from_json(json).unwrap()
    }

    #[test]
    fn every_resource_has_as_many_cells_as_typed_columns() {
        for (resource, json) in [
            (ExportResource::Chats, r#"{"id": "c1"}"#),
            (
                ExportResource::AgentTimeline,
                r#"{"agent_id": 1, "start_time": "2018-04-29T10:26:40.957650Z", "status": "away"}"#,
            ),
            (ExportResource::AgentEvents, r#"{"id": "a1"}"#),
            (
                ExportResource::Conversions,
                r#"{"id": "v1", "attribution": {"chat_id": null}}"#,
            ),
            (ExportResource::DepartmentEvents, r#"{"id": "e1"}"#),
        ] {
            let cells = cells(resource, &raw(json)).unwrap();
            assert_eq!(cells.len(), table(resource).columns.len(), "{resource:?}");
            for (cell, (_, kind)) in cells.iter().zip(table(resource).columns) {
                let fits = matches!(
                    (cell, kind),
                    (Cell::Text(_), Kind::Text)
                        | (Cell::Integer(_), Kind::Integer)
                        | (Cell::Time(_), Kind::Time)
                        | (Cell::Bool(_), Kind::Bool)
                );
                assert!(fits, "{resource:?}: {cell:?} in a {kind:?} column");
            }
        }
    }

    #[test]
    fn records_without_a_key_or_not_objects_are_refused() {
        assert!(cells(ExportResource::Chats, &raw(r#"{"type": "chat"}"#)).is_err());
        assert!(cells(ExportResource::Conversions, &raw("[1, 2]")).is_err());
    }

    #[test]
    fn both_schemas_have_every_table_with_its_key_and_raw_json() {
        let (sqlite, postgres) = (sqlite_schema(), postgres_schema());
        for table in tables() {
            let sqlite_line = sqlite
                .lines()
                .find(|l| l.contains(&format!(" {} (", table.name)));
            let postgres_line = postgres
                .lines()
                .find(|l| l.contains(&format!(" {} (", table.name)));
            assert!(
                sqlite_line.unwrap().contains("id TEXT PRIMARY KEY")
                    && sqlite_line.unwrap().contains("raw TEXT NOT NULL")
            );
            assert!(
                postgres_line.unwrap().contains("id text PRIMARY KEY")
                    && postgres_line.unwrap().contains("raw jsonb NOT NULL")
            );
        }
        assert!(sqlite.contains("export_state") && postgres.contains("export_state"));
    }

    #[test]
    fn the_sqlite_upsert_replaces_every_column_but_the_key() {
        assert_eq!(
            sqlite_upsert(ExportResource::Conversions),
            "INSERT INTO conversions (id, timestamp, chat_id, raw) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(id) DO UPDATE SET timestamp = excluded.timestamp, chat_id = excluded.chat_id, raw = excluded.raw"
        );
    }

    #[test]
    fn sqlite_columns_take_what_fits_and_leave_the_rest_null() {
        use rusqlite::types::{ToSqlOutput, Value as Sql};
        fn values(row: Vec<ToSqlOutput<'_>>) -> Vec<Sql> {
            row.into_iter()
                .map(|value| match value {
                    ToSqlOutput::Owned(value) => value,
                    ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(text)) => {
                        Sql::Text(String::from_utf8(text.to_vec()).unwrap())
                    }
                    other => panic!("{other:?}"),
                })
                .collect()
        }
        let chat = r#"{"id": "c\u0031", "type": "chat", "timestamp": 5, "update_timestamp": "2024-01-01T00:00:00Z", "deleted": true, "history": [{"type": "x", "id": "inner"}]}"#;
        let row = values(sqlite_row(ExportResource::Chats, &raw(chat)).unwrap());
        assert_eq!(row[0], Sql::Text("c1".into()));
        assert_eq!(row[1], Sql::Text("chat".into()));
        assert_eq!(
            row[2],
            Sql::Null,
            "a number where a time string is expected"
        );
        assert_eq!(row[3], Sql::Text("2024-01-01T00:00:00Z".into()));
        assert_eq!(row[4], Sql::Integer(1));
        assert_eq!(row[5], Sql::Text(chat.into()), "the record as sent");
        let span = values(
            sqlite_row(
                ExportResource::AgentTimeline,
                &raw(
                    r#"{"agent_id": 42, "start_time": "2018-04-29T10:26:40Z", "status": "online"}"#,
                ),
            )
            .unwrap(),
        );
        assert_eq!(span[0], Sql::Text("42:2018-04-29T10:26:40Z".into()));
        assert_eq!(span[1], Sql::Integer(42));
        let conversion = values(
            sqlite_row(
                ExportResource::Conversions,
                &raw(r#"{"id": "v1", "attribution": {"chat_id": "c9"}}"#),
            )
            .unwrap(),
        );
        assert_eq!(conversion[2], Sql::Text("c9".into()));
        let repeated = r#"{"id": "v2", "attribution": {"chat_id": "old", "chat_id": "c10"}}"#;
        let conversion = values(sqlite_row(ExportResource::Conversions, &raw(repeated)).unwrap());
        assert_eq!(
            conversion[2],
            Sql::Text("c10".into()),
            "the last of a repeated key"
        );
        assert!(sqlite_row(ExportResource::Chats, &raw("[1, 2]")).is_err());
    }
}
