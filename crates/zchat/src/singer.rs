//! `zchat singer`: a [Singer] tap, a drop-in for the existing Zendesk Chat tap in a pipeline
//! (`zchat singer --config tap.json | target-…`).
//!
//! - `--config FILE`: JSON with the existing tap's keys where they mean the same thing:
//!   `access_token`, `subdomain`, `start_date`; and `base_url` (or `ZCHAT_BASE_URL`) to point it
//!   at any server, the emulator included.
//! - `--discover`: the catalog of every stream, each with the JSON Schema of its records, made
//!   from the client's models.
//! - `--catalog FILE`: the streams selected in it (`"selected": true` in the stream's top-level
//!   metadata); every stream without it.
//! - `--state FILE`: resume from the value of the last STATE message.
//!
//! On standard output: a SCHEMA message per stream, then its RECORD messages, with a STATE
//! message after each page of an export (so that a pipeline killed at any point resumes with at
//! most a page repeated) and after each other stream. The five exports are incremental (their
//! bookmark is the export's cursor); the other resources are full tables.
//!
//! [Singer]: https://github.com/singer-io/getting-started/blob/master/docs/SPEC.md

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use zendesk_chat::export::{ExportCursor, ExportResource, ExportStart};
use zendesk_chat::{Client, types};

use crate::backup::Snapshot;

/// The options of `zchat singer` (its `--config` is zchat's global `--config`, read here as the
/// tap's JSON config).
#[derive(Debug, Clone, clap::Args)]
pub struct SingerArgs {
    /// Print the catalog of every stream and exit.
    #[arg(long)]
    pub discover: bool,
    /// The catalog: sync the streams selected in it.
    #[arg(long, alias = "properties")]
    pub catalog: Option<PathBuf>,
    /// The state to resume from: the value of the last STATE message.
    #[arg(long)]
    pub state: Option<PathBuf>,
}

/// The tap's config, with the existing tap's keys.
#[derive(Deserialize)]
struct TapConfig {
    access_token: String,
    subdomain: Option<String>,
    start_date: Option<String>,
    base_url: Option<String>,
}

/// A stream of the tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    /// An incremental export.
    Export(ExportResource),
    /// A resource read whole.
    Table(Snapshot),
}

impl Stream {
    /// Every stream: the exports first.
    fn all() -> Vec<Stream> {
        ExportResource::ALL
            .into_iter()
            .map(Stream::Export)
            .chain(Snapshot::ALL.into_iter().map(Stream::Table))
            .collect()
    }

    fn name(self) -> &'static str {
        match self {
            Stream::Export(resource) => resource.items_key(),
            Stream::Table(snapshot) => snapshot.table(),
        }
    }

    /// The properties that identify a record.
    fn key_properties(self) -> Vec<&'static str> {
        match self {
            // Timespans have no id: an agent has one span starting at a given instant.
            Stream::Export(ExportResource::AgentTimeline) => vec!["agent_id", "start_time"],
            Stream::Table(Snapshot::Account) => vec!["account_key"],
            _ => vec!["id"],
        }
    }

    /// The JSON Schema of its records, from the client's model.
    fn schema(self) -> Value {
        let schema = match self {
            Stream::Export(ExportResource::Chats) => schemars::schema_for!(types::Chat),
            Stream::Export(ExportResource::AgentTimeline) => {
                schemars::schema_for!(types::AgentTimespan)
            }
            Stream::Export(ExportResource::AgentEvents) => schemars::schema_for!(types::AgentEvent),
            Stream::Export(ExportResource::Conversions) => schemars::schema_for!(types::Conversion),
            Stream::Export(ExportResource::DepartmentEvents) => {
                schemars::schema_for!(types::DepartmentEvent)
            }
            Stream::Table(Snapshot::Account) => schemars::schema_for!(types::Account),
            Stream::Table(Snapshot::Agents) => schemars::schema_for!(types::Agent),
            Stream::Table(Snapshot::Departments) => schemars::schema_for!(types::Department),
            Stream::Table(Snapshot::Skills) => schemars::schema_for!(types::Skill),
            Stream::Table(Snapshot::Roles) => schemars::schema_for!(types::Role),
            Stream::Table(Snapshot::Goals) => schemars::schema_for!(types::Goal),
            Stream::Table(Snapshot::Shortcuts) => schemars::schema_for!(types::Shortcut),
            Stream::Table(Snapshot::Triggers) => schemars::schema_for!(types::Trigger),
            Stream::Table(Snapshot::Bans) => schemars::schema_for!(types::Ban),
            Stream::Table(Snapshot::RoutingSettings) => {
                schemars::schema_for!(types::AgentRoutingSettings)
            }
            Stream::Table(Snapshot::OauthClients) => schemars::schema_for!(types::OauthClient),
            Stream::Table(Snapshot::OauthTokens) => schemars::schema_for!(types::OauthToken),
        };
        let mut schema = serde_json::to_value(schema).expect("a schema serializes");
        to_draft4(&mut schema);
        schema
    }

    /// Its catalog entry.
    fn catalog_entry(self) -> Value {
        let (method, replication_key) = match self {
            Stream::Export(resource) => ("INCREMENTAL", Some(resource.changed_at_field())),
            Stream::Table(_) => ("FULL_TABLE", None),
        };
        let mut metadata = json!({
            "inclusion": "available",
            "selected-by-default": true,
            "forced-replication-method": method,
            "table-key-properties": self.key_properties(),
        });
        if let Some(key) = replication_key {
            metadata["valid-replication-keys"] = json!([key]);
        }
        json!({
            "tap_stream_id": self.name(),
            "stream": self.name(),
            "key_properties": self.key_properties(),
            "schema": self.schema(),
            "metadata": [{"breadcrumb": [], "metadata": metadata}],
        })
    }
}

/// Rewrites a JSON Schema of draft 2020-12 (what schemars writes) into draft 4, which Singer
/// targets and singer-tools validate with: `definitions` for `$defs`, `{}` for the schema `true`
/// and `{"not": {}}` for `false`, `enum` for `const`, no `$schema`.
fn to_draft4(schema: &mut Value) {
    /// The keywords whose value is a schema, or an array or a map of schemas.
    const ONE: [&str; 3] = ["items", "additionalProperties", "not"];
    const MANY: [&str; 3] = ["anyOf", "allOf", "oneOf"];
    const MAP: [&str; 3] = ["properties", "definitions", "patternProperties"];
    fn boolean(schema: &mut Value) {
        if let Value::Bool(accepts) = schema {
            *schema = if *accepts {
                json!({})
            } else {
                json!({"not": {}})
            };
        }
    }
    let Value::Object(object) = schema else {
        return;
    };
    object.remove("$schema");
    if let Some(definitions) = object.remove("$defs") {
        object.insert("definitions".into(), definitions);
    }
    if let Some(value) = object.remove("const") {
        object.insert("enum".into(), json!([value]));
    }
    if let Some(Value::String(reference)) = object.get_mut("$ref") {
        *reference = reference.replace("#/$defs/", "#/definitions/");
    }
    for (key, value) in object.iter_mut() {
        if ONE.contains(&key.as_str()) {
            boolean(value);
            to_draft4(value);
        } else if MANY.contains(&key.as_str()) {
            for item in value.as_array_mut().into_iter().flatten() {
                boolean(item);
                to_draft4(item);
            }
        } else if MAP.contains(&key.as_str()) {
            for item in value
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                boolean(item);
                to_draft4(item);
            }
        }
    }
}

/// The streams a catalog selects: those whose top-level metadata (or the stream itself, in the
/// older form) says `"selected": true`.
fn selected(catalog: &Value) -> anyhow::Result<Vec<Stream>> {
    let entries = catalog["streams"]
        .as_array()
        .context("the catalog has no `streams` array")?;
    let all = Stream::all();
    let mut streams = Vec::new();
    for entry in entries {
        let name = entry["tap_stream_id"]
            .as_str()
            .or(entry["stream"].as_str())
            .context("a catalog stream without a tap_stream_id")?;
        let top_level = entry["metadata"].as_array().and_then(|metadata| {
            metadata
                .iter()
                .find(|m| m["breadcrumb"].as_array().is_some_and(Vec::is_empty))
        });
        let is_selected = top_level
            .and_then(|m| m["metadata"]["selected"].as_bool())
            .or(entry["selected"].as_bool())
            .unwrap_or(false);
        if is_selected {
            let stream = all.iter().find(|s| s.name() == name).with_context(|| {
                format!("the catalog selects {name:?}, which this tap does not have")
            })?;
            streams.push(*stream);
        }
    }
    Ok(streams)
}

/// Writes Singer messages, one JSON object a line, to standard output.
struct Messages {
    out: std::io::BufWriter<std::io::Stdout>,
    state: Map<String, Value>,
}

impl Messages {
    fn write(&mut self, message: &Value) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, message)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    fn schema(&mut self, stream: Stream) -> anyhow::Result<()> {
        let mut message = json!({
            "type": "SCHEMA",
            "stream": stream.name(),
            "schema": stream.schema(),
            "key_properties": stream.key_properties(),
        });
        if let Stream::Export(resource) = stream {
            message["bookmark_properties"] = json!([resource.changed_at_field()]);
        }
        self.write(&message)
    }

    fn record(&mut self, stream: Stream, record: Value, extracted: &str) -> anyhow::Result<()> {
        self.write(&json!({
            "type": "RECORD",
            "stream": stream.name(),
            "record": record,
            "time_extracted": extracted,
        }))
    }

    /// A STATE message with `bookmark` as the stream's, flushed so that a target sees it now.
    fn state(&mut self, stream: Stream, bookmark: Value) -> anyhow::Result<()> {
        self.state.insert(stream.name().to_owned(), bookmark);
        let value = json!({ "bookmarks": self.state });
        self.write(&json!({"type": "STATE", "value": value}))?;
        self.out.flush()?;
        Ok(())
    }
}

fn read_json(path: &Path, what: &str) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("the {what} {} is not JSON", path.display()))
}

/// A client from the tap's config; `base_url` from the config or `ZCHAT_BASE_URL`.
fn client(config: &TapConfig, base_url: Option<String>) -> anyhow::Result<Client> {
    let builder = Client::builder()
        .token(&config.access_token)
        .user_agent(concat!("zchat-singer/", env!("CARGO_PKG_VERSION")));
    let builder = match (config.base_url.clone().or(base_url), &config.subdomain) {
        (Some(url), _) => builder.base_url(url),
        (None, Some(subdomain)) => builder.subdomain(subdomain),
        (None, None) => anyhow::bail!("the config needs `subdomain` (or `base_url`)"),
    };
    Ok(builder.build()?)
}

/// Runs the tap. `config` is the tap's JSON config; `base_url` is `--base-url`/`ZCHAT_BASE_URL`.
pub async fn run(
    args: &SingerArgs,
    config: Option<&Path>,
    base_url: Option<String>,
) -> anyhow::Result<()> {
    if args.discover {
        let catalog = json!({"streams": Stream::all().into_iter().map(Stream::catalog_entry).collect::<Vec<_>>()});
        println!("{}", serde_json::to_string_pretty(&catalog)?);
        return Ok(());
    }
    let config_path = config
        .context("the tap needs --config FILE (JSON: access_token, subdomain, start_date)")?;
    let config: TapConfig = serde_json::from_value(read_json(config_path, "config")?)
        .context("the config needs `access_token` (a string), and `subdomain` or `base_url`")?;
    let client = client(&config, base_url)?;
    let start_date = match &config.start_date {
        Some(date) => crate::time::parse(date).map_err(anyhow::Error::msg)?,
        None => DateTime::<Utc>::UNIX_EPOCH,
    };
    let streams = match &args.catalog {
        Some(path) => selected(&read_json(path, "catalog")?)?,
        None => Stream::all(),
    };
    let state = match &args.state {
        Some(path) => read_json(path, "state")?,
        None => json!({}),
    };
    let mut messages = Messages {
        out: std::io::BufWriter::new(std::io::stdout()),
        state: state["bookmarks"].as_object().cloned().unwrap_or_default(),
    };
    for stream in streams {
        messages.schema(stream)?;
        let extracted = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match stream {
            Stream::Export(resource) => {
                let bookmark = messages.state.get(stream.name()).cloned();
                let start = match bookmark.map(serde_json::from_value::<ExportCursor>) {
                    Some(Ok(cursor)) => ExportStart::Cursor(cursor),
                    Some(Err(error)) => anyhow::bail!(
                        "the state's bookmark of {} is not a cursor: {error}",
                        stream.name()
                    ),
                    None => ExportStart::Time(start_date),
                };
                let mut pages = client.raw_export(resource, start).raw_pages();
                while let Some(page) = pages.next().await {
                    let page = page?;
                    for record in page.items {
                        let record: Value = serde_json::from_str(record.get())?;
                        messages.record(stream, record, &extracted)?;
                    }
                    messages.state(stream, serde_json::to_value(&page.next)?)?;
                }
            }
            Stream::Table(snapshot) => {
                for (_, record) in snapshot.fetch(&client).await? {
                    messages.record(stream, record, &extracted)?;
                }
                messages.state(stream, json!({"synced_at": extracted}))?;
            }
        }
    }
    messages.out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_selects_by_top_level_metadata_or_the_older_stream_flag() {
        let catalog = json!({"streams": [
            {"tap_stream_id": "chats", "metadata": [{"breadcrumb": [], "metadata": {"selected": true}}]},
            {"tap_stream_id": "agent_timeline", "metadata": [{"breadcrumb": [], "metadata": {"selected": false}}]},
            {"stream": "departments", "selected": true},
            {"tap_stream_id": "goals"},
        ]});
        assert_eq!(
            selected(&catalog).unwrap(),
            [
                Stream::Export(ExportResource::Chats),
                Stream::Table(Snapshot::Departments)
            ]
        );
    }

    #[test]
    fn a_catalog_naming_an_unknown_stream_is_refused() {
        let catalog = json!({"streams": [{"stream": "tickets", "selected": true}]});
        assert!(
            selected(&catalog)
                .unwrap_err()
                .to_string()
                .contains("tickets")
        );
    }

    #[test]
    fn a_draft_2020_schema_is_rewritten_for_draft_4() {
        let mut schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "properties": {"actions": {"type": "array", "items": true}, "kind": {"const": "chat"}},
            "additionalProperties": true,
            "anyOf": [{"$ref": "#/$defs/A"}, false],
            "$defs": {"A": {"type": "string"}},
        });
        to_draft4(&mut schema);
        assert_eq!(
            schema,
            json!({
                "properties": {"actions": {"type": "array", "items": {}}, "kind": {"enum": ["chat"]}},
                "additionalProperties": {},
                "anyOf": [{"$ref": "#/definitions/A"}, {"not": {}}],
                "definitions": {"A": {"type": "string"}},
            })
        );
    }

    #[test]
    fn every_stream_has_a_schema_and_a_key() {
        for stream in Stream::all() {
            let entry = stream.catalog_entry();
            assert!(entry["schema"].is_object(), "{}", stream.name());
            assert!(!stream.key_properties().is_empty());
        }
    }
}
