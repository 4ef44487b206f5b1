//! The PostgreSQL sink: a table per resource keyed by id, typed columns beside the raw JSON
//! (`jsonb`), and the export's cursor in `export_state`.
//!
//! Each page is bulk-loaded with a binary `COPY` into a temporary staging table (the last version
//! of a key in the page only), upserted from there into the resource's table, and the cursor
//! after the page saved, all in one transaction: after a crash the database holds whole pages and
//! the cursor that follows them, never one without the other.

use std::thread;

use anyhow::Context;
use chrono::{DateTime, Utc};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config};
use zendesk_chat::Timestamp;
use zendesk_chat::export::{ExportResource, RawRecord};

use super::sink::{Checkpoint, Sink};
use super::tables::{self, Cell, Kind};

/// The staging table of a session: the table's columns, with `raw` as text.
const STAGE: &str = "zchat_stage";

/// Records in a PostgreSQL database (see the [module](self) docs).
pub struct PostgresSink {
    /// Always `Some` but while being dropped (off the runtime, as its connection is closed).
    client: Option<Client>,
    resource: ExportResource,
    saved: Option<Checkpoint>,
}

/// Runs blocking database work on a thread of its own: the synchronous client drives its own
/// runtime, which cannot run inside zchat's.
pub fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Connects to `url`, over TLS when the server offers it (`sslmode=prefer`, the default) or the
/// URL requires it (`sslmode=require`); certificates are checked against the platform's roots.
pub fn connect(url: &str) -> anyhow::Result<Client> {
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| {
            use rustls_platform_verifier::BuilderVerifierExt;
            builder.with_platform_verifier()
        })
        .map(|builder| builder.with_no_client_auth())
        .context("cannot set up TLS for PostgreSQL")?;
    Client::connect(url, tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .with_context(|| format!("cannot connect to the PostgreSQL {}", describe(url)))
}

/// The database a connection string names, without its password: `dbname on host:port`.
pub fn describe(url: &str) -> String {
    match url.parse::<Config>() {
        Ok(config) => {
            let host = match config.get_hosts().first() {
                Some(postgres::config::Host::Tcp(host)) => host.clone(),
                #[cfg(unix)]
                Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
                None => "localhost".into(),
            };
            let port = config.get_ports().first().copied().unwrap_or(5432);
            let database = config
                .get_dbname()
                .or(config.get_user())
                .unwrap_or("postgres");
            format!("database {database:?} on {host}:{port}")
        }
        Err(_) => "a database (the connection string does not parse)".into(),
    }
}

impl PostgresSink {
    /// Connects to the database at `url` (a `postgresql://` URL or `key=value` pairs), creating
    /// the tables it lacks.
    pub fn open(url: &str, resource: ExportResource) -> anyhow::Result<Self> {
        off_runtime(|| {
            let mut client = connect(url)?;
            // lz4 compresses the raw JSON several times faster than the default pglz; a server
            // built without it keeps its default.
            let _ = client.batch_execute("SET default_toast_compression = 'lz4'");
            client.batch_execute(&tables::postgres_schema())?;
            client.batch_execute(&stage_schema(resource))?;
            let saved: Option<String> = client
                .query_opt(
                    "SELECT checkpoint::text FROM export_state WHERE resource = $1",
                    &[&resource.items_key()],
                )?
                .map(|row| row.get(0));
            let saved = saved
                .map(|text| serde_json::from_str(&text))
                .transpose()
                .context("the database's export state is damaged")?;
            Ok(Self {
                client: Some(client),
                resource,
                saved,
            })
        })
    }

    fn write_page_here(
        &mut self,
        records: &[RawRecord],
        checkpoint: &Checkpoint,
    ) -> anyhow::Result<()> {
        let table = tables::table(self.resource);
        let client = self
            .client
            .as_mut()
            .expect("a sink's client is there until it is dropped");
        let mut transaction = client.transaction()?;
        let mut types: Vec<Type> = table
            .columns
            .iter()
            .map(|(_, kind)| postgres_type(*kind))
            .collect();
        types.push(Type::TEXT);
        let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let rows = last_version_of_each(self.resource, records)?;
        let copy = transaction.copy_in(&format!(
            "COPY {STAGE} ({}, raw) FROM STDIN (FORMAT binary)",
            names.join(", ")
        ))?;
        let mut writer = BinaryCopyInWriter::new(copy, &types);
        for (cells, record) in rows {
            let mut values: Vec<Box<dyn ToSql + Sync>> = cells.into_iter().map(value).collect();
            values.push(Box::new(without_nul(record.get())));
            let row: Vec<&(dyn ToSql + Sync)> = values.iter().map(AsRef::as_ref).collect();
            writer.write(&row)?;
        }
        writer.finish()?;
        transaction.execute(
            &tables::postgres_upsert_from_stage(self.resource, STAGE),
            &[],
        )?;
        transaction.execute(
            "INSERT INTO export_state (resource, checkpoint, updated_at) VALUES ($1, ($2::text)::jsonb, now())
             ON CONFLICT (resource) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at",
            &[&self.resource.items_key(), &serde_json::to_string(checkpoint)?],
        )?;
        transaction.commit()?;
        Ok(())
    }
}

impl Drop for PostgresSink {
    fn drop(&mut self) {
        // Closing the connection blocks on the client's runtime, too.
        let client = self.client.take();
        off_runtime(move || drop(client));
    }
}

impl Sink for PostgresSink {
    fn saved(&self) -> Option<Checkpoint> {
        self.saved.clone()
    }

    fn reads_fields(&self) -> bool {
        true
    }

    fn write_page(&mut self, records: &[RawRecord], checkpoint: &Checkpoint) -> anyhow::Result<()> {
        off_runtime(|| self.write_page_here(records, checkpoint))
            .context("cannot write the page to PostgreSQL (nothing of it was committed)")
    }
}

/// The page's records with their cells, only the last version of a key kept (an upsert may not
/// touch a row twice), in page order.
fn last_version_of_each(
    resource: ExportResource,
    records: &[RawRecord],
) -> anyhow::Result<Vec<(Vec<Cell>, &RawRecord)>> {
    let mut rows = Vec::with_capacity(records.len());
    let mut position: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for record in records {
        let cells = tables::cells(resource, record)?;
        let key = match cells.first() {
            Some(Cell::Text(Some(key))) => key.clone(),
            _ => anyhow::bail!("a record without a key"),
        };
        match position.get(&key) {
            Some(&at) => rows[at] = (cells, record),
            None => {
                position.insert(key, rows.len());
                rows.push((cells, record));
            }
        }
    }
    Ok(rows)
}

/// The session's staging table for `resource`: emptied at every commit.
fn stage_schema(resource: ExportResource) -> String {
    let columns: Vec<String> = tables::table(resource)
        .columns
        .iter()
        .map(|(name, kind)| format!("{name} {}", tables::postgres_type(*kind)))
        .collect();
    format!(
        "CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} ({}, raw text NOT NULL) ON COMMIT DELETE ROWS",
        columns.join(", ")
    )
}

/// `text` with the NUL character (`\u0000` in JSON, or a raw NUL) replaced by U+FFFD, which
/// PostgreSQL's `text` and `jsonb` refuse: a record carrying one (a visitor can type it) would
/// otherwise fail its page on every run and stop the export there. The file and SQLite sinks keep
/// it as sent.
fn without_nul(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("u0000") && !text.contains('\0') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut backslashes = 0;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // `\u0000` is an escape only after an odd run of backslashes (`\\u0000` is a backslash
        // and the text "u0000").
        if c == '\\' {
            backslashes += 1;
        } else {
            if backslashes % 2 == 1 && rest.starts_with("u0000") {
                out.push_str("ufffd");
                rest = &rest[5..];
                backslashes = 0;
                continue;
            }
            backslashes = 0;
        }
        out.push(if c == '\0' { '\u{fffd}' } else { c });
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// A column's type for the binary `COPY`.
fn postgres_type(kind: Kind) -> Type {
    match kind {
        Kind::Text => Type::TEXT,
        Kind::Integer => Type::INT8,
        Kind::Time => Type::TIMESTAMPTZ,
        Kind::Bool => Type::BOOL,
    }
}

/// A cell as a `COPY` value; a time that does not parse is `NULL` (the raw JSON keeps it).
fn value(cell: Cell) -> Box<dyn ToSql + Sync> {
    match cell {
        // Decoded text: only a NUL character itself is refused.
        Cell::Text(text) => Box::new(text.map(|text| text.replace('\0', "\u{fffd}"))),
        Cell::Integer(number) => Box::new(number),
        Cell::Bool(flag) => Box::new(flag),
        Cell::Time(text) => {
            let time: Option<DateTime<Utc>> =
                text.and_then(|text| Timestamp::from(text).to_datetime().ok());
            Box::new(time)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_string_is_described_without_its_password() {
        for url in [
            "postgresql://archive:s3cret@db.example.com:5433/chats",
            "host=db.example.com port=5433 user=archive password=s3cret dbname=chats",
        ] {
            let described = describe(url);
            assert_eq!(described, "database \"chats\" on db.example.com:5433");
            assert!(!described.contains("s3cret"));
        }
        assert!(!describe("postgresql://a:s3cret@[bad").contains("s3cret"));
    }

    #[test]
    fn a_page_keeps_the_last_version_of_a_key_in_the_place_of_the_first() {
        let page: Vec<RawRecord> = [
            r#"{"id": "a", "comment": "old"}"#,
            r#"{"id": "b"}"#,
            r#"{"id": "a", "comment": "new"}"#,
        ]
        .into_iter()
        .map(|json| RawRecord::from_json(json).unwrap())
        .collect();
        let rows = last_version_of_each(ExportResource::Chats, &page).unwrap();
        let kept: Vec<&str> = rows.iter().map(|(_, record)| record.get()).collect();
        assert_eq!(kept, [r#"{"id": "a", "comment": "new"}"#, r#"{"id": "b"}"#]);
    }

    #[test]
    fn nul_characters_are_replaced_where_postgresql_refuses_them() {
        assert_eq!(
            without_nul(r#"{"msg": "a\u0000b"}"#),
            r#"{"msg": "a\ufffdb"}"#
        );
        assert_eq!(without_nul("a\0b"), "a\u{fffd}b");
        assert!(matches!(
            without_nul("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
        // An escaped backslash before "u0000" is text, kept.
        assert_eq!(
            without_nul(r#"{"path": "C:\\u0000"}"#),
            r#"{"path": "C:\\u0000"}"#
        );
    }

    #[test]
    fn times_that_do_not_parse_are_null_and_the_others_are_instants() {
        let mut buffer = postgres::types::private::BytesMut::new();
        let good = value(Cell::Time(Some("2024-01-31T10:00:00+00:00Z".into())));
        let bad = value(Cell::Time(Some("last tuesday".into())));
        assert!(matches!(
            good.to_sql_checked(&Type::TIMESTAMPTZ, &mut buffer)
                .unwrap(),
            postgres::types::IsNull::No
        ));
        assert!(matches!(
            bad.to_sql_checked(&Type::TIMESTAMPTZ, &mut buffer).unwrap(),
            postgres::types::IsNull::Yes
        ));
    }
}
