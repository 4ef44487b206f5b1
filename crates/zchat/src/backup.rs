//! `zchat backup --sqlite FILE` (or `--postgres URL`): the whole account in one database. Every
//! resource that has no export is snapshotted into a table of its own (keyed by id, the record as
//! sent), and the five incremental exports are exported into their tables as `zchat export` does.
//!
//! A backup is a run of steps, one per resource; each step commits in one transaction with the
//! note that it is done, so a backup that is killed resumes with the step it was in: the steps
//! done are not fetched again, and an export resumes from its last page. A backup run after a
//! finished one takes a fresh snapshot and exports what changed since. Secrets (OAuth client
//! secrets, access and refresh tokens) are not stored.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::Value;
use zendesk_chat::Client;
use zendesk_chat::export::ExportResource;

use crate::export::postgres::off_runtime;
use crate::export::{self, ExportArgs, Progress, sink::Format};
use crate::resources::hide_secrets;

/// The options of `zchat backup`.
#[derive(Debug, Clone, clap::Args)]
pub struct BackupArgs {
    /// The SQLite database to write: created if needed, resumed if a backup into it stopped.
    #[arg(
        long,
        required_unless_present = "postgres",
        conflicts_with = "postgres"
    )]
    pub sqlite: Option<PathBuf>,
    /// The PostgreSQL database to write instead (`postgresql://user@host/db`): the same tables,
    /// records as `jsonb`.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Export records changed at or after this time (same forms as `zchat export --since`);
    /// from the beginning of the account by default.
    #[arg(long, value_parser = crate::time::parse)]
    pub since: Option<DateTime<Utc>>,
}

/// The resources snapshotted whole, each into the table of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snapshot {
    /// The account's record (one row, id `account`).
    Account,
    /// Agents.
    Agents,
    /// Departments.
    Departments,
    /// Skills.
    Skills,
    /// Roles.
    Roles,
    /// Goals.
    Goals,
    /// Shortcuts (id: the name).
    Shortcuts,
    /// Triggers.
    Triggers,
    /// Bans of visitors and of IP addresses.
    Bans,
    /// Routing settings: the account's (id `account`) and each agent's.
    RoutingSettings,
    /// OAuth clients, secrets left out.
    OauthClients,
    /// OAuth tokens, tokens left out.
    OauthTokens,
}

impl Snapshot {
    /// Every snapshot, in the order a backup takes them.
    pub const ALL: [Snapshot; 12] = [
        Self::Account,
        Self::Agents,
        Self::Departments,
        Self::Skills,
        Self::Roles,
        Self::Goals,
        Self::Shortcuts,
        Self::Triggers,
        Self::Bans,
        Self::RoutingSettings,
        Self::OauthClients,
        Self::OauthTokens,
    ];

    /// Its table, which is also its step's name.
    pub fn table(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Agents => "agents",
            Self::Departments => "departments",
            Self::Skills => "skills",
            Self::Roles => "roles",
            Self::Goals => "goals",
            Self::Shortcuts => "shortcuts",
            Self::Triggers => "triggers",
            Self::Bans => "bans",
            Self::RoutingSettings => "routing_settings",
            Self::OauthClients => "oauth_clients",
            Self::OauthTokens => "oauth_tokens",
        }
    }

    /// Every record of the resource, by id, as the API sends it.
    pub async fn fetch(self, client: &Client) -> anyhow::Result<Vec<(String, Value)>> {
        Ok(match self {
            Self::Account => vec![("account".into(), json(client.get_account().await?)?)],
            Self::Agents => by_id(client.agents().stream().collect_all().await?)?,
            Self::Departments => by_id(client.list_departments().await?)?,
            Self::Skills => by_id(client.list_skills().await?)?,
            Self::Roles => by_id(client.list_roles().await?)?,
            Self::Goals => by_id(client.list_goals().await?)?,
            Self::Shortcuts => by_id(client.list_shortcuts().await?)?,
            Self::Triggers => by_id(client.list_triggers().await?)?,
            Self::Bans => by_id(client.bans().stream().collect_all().await?)?,
            Self::RoutingSettings => {
                let account = client.get_account_routing_settings().await?.data;
                let agents = client.list_agent_routing_settings().await?.data;
                let mut records = vec![("account".to_owned(), json(account)?)];
                records.extend(by_id(agents)?);
                records
            }
            Self::OauthClients => by_id(client.list_oauth_clients().await?)?,
            Self::OauthTokens => by_id(client.list_oauth_tokens().await?)?,
        })
    }
}

fn json(value: impl Serialize) -> anyhow::Result<Value> {
    let mut value = serde_json::to_value(value)?;
    hide_secrets(&mut value);
    Ok(value)
}

/// Records keyed by their `id` (a string as it is, a number as its digits).
fn by_id<T: Serialize>(records: Vec<T>) -> anyhow::Result<Vec<(String, Value)>> {
    records
        .into_iter()
        .map(|record| {
            let value = json(record)?;
            let id = match &value["id"] {
                Value::String(id) => id.clone(),
                Value::Number(id) => id.to_string(),
                _ => anyhow::bail!("a record without an id: {value}"),
            };
            Ok((id, value))
        })
        .collect()
}

/// Where a backup goes: its snapshot tables, and its runs with the steps each has done.
trait BackupDatabase {
    /// Whether this run has done `step`.
    fn done(&mut self, step: &str) -> anyhow::Result<bool>;
    /// Replaces the snapshot's table with `records` and notes the step done, in one transaction.
    fn replace(&mut self, snapshot: Snapshot, records: &[(String, Value)]) -> anyhow::Result<()>;
    /// Notes an export step done (the export committed its own pages).
    fn exported(&mut self, resource: ExportResource, records: u64) -> anyhow::Result<()>;
    /// Notes the run finished.
    fn finish(&mut self) -> anyhow::Result<()>;
}

/// The backup's own tables in SQLite: its runs, and the steps each has done.
const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS backup_runs (
    id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT
);
CREATE TABLE IF NOT EXISTS backup_steps (
    run INTEGER NOT NULL, step TEXT NOT NULL, records INTEGER NOT NULL, done_at TEXT NOT NULL,
    PRIMARY KEY (run, step)
);
";

/// A backup into SQLite, and the run it is in.
struct SqliteBackup {
    connection: rusqlite::Connection,
    run: i64,
}

impl SqliteBackup {
    /// Opens (or creates) the database and resumes its unfinished run, or starts one.
    fn open(path: &Path) -> anyhow::Result<(Self, bool)> {
        let connection = rusqlite::Connection::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        connection.execute_batch(SQLITE_SCHEMA)?;
        for snapshot in Snapshot::ALL {
            connection.execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS {} (id TEXT PRIMARY KEY, raw TEXT NOT NULL);",
                snapshot.table()
            ))?;
        }
        let unfinished: Option<i64> = connection
            .query_row(
                "SELECT id FROM backup_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?;
        let (run, resumed) = match unfinished {
            Some(run) => (run, true),
            None => {
                connection.execute(
                    "INSERT INTO backup_runs (started_at) VALUES (datetime('now'))",
                    [],
                )?;
                (connection.last_insert_rowid(), false)
            }
        };
        Ok((Self { connection, run }, resumed))
    }
}

impl BackupDatabase for SqliteBackup {
    fn done(&mut self, step: &str) -> anyhow::Result<bool> {
        Ok(self.connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM backup_steps WHERE run = ?1 AND step = ?2)",
            rusqlite::params![self.run, step],
            |row| row.get(0),
        )?)
    }

    fn replace(&mut self, snapshot: Snapshot, records: &[(String, Value)]) -> anyhow::Result<()> {
        let transaction = self.connection.transaction()?;
        transaction.execute(&format!("DELETE FROM {}", snapshot.table()), [])?;
        {
            let mut insert = transaction.prepare(&format!(
                "INSERT INTO {} (id, raw) VALUES (?1, ?2)",
                snapshot.table()
            ))?;
            for (id, record) in records {
                insert.execute(rusqlite::params![id, record.to_string()])?;
            }
        }
        note_sqlite_step(
            &transaction,
            self.run,
            snapshot.table(),
            records.len() as u64,
        )?;
        transaction.commit()?;
        Ok(())
    }

    fn exported(&mut self, resource: ExportResource, records: u64) -> anyhow::Result<()> {
        note_sqlite_step(&self.connection, self.run, resource.items_key(), records)
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.connection.execute(
            "UPDATE backup_runs SET finished_at = datetime('now') WHERE id = ?1",
            [self.run],
        )?;
        Ok(())
    }
}

fn note_sqlite_step(
    connection: &rusqlite::Connection,
    run: i64,
    step: &str,
    records: u64,
) -> anyhow::Result<()> {
    connection.execute(
        "INSERT INTO backup_steps (run, step, records, done_at) VALUES (?1, ?2, ?3, datetime('now'))",
        rusqlite::params![run, step, i64::try_from(records).unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

/// The backup's own tables in PostgreSQL.
const POSTGRES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS backup_runs (
    id bigserial PRIMARY KEY, started_at timestamptz NOT NULL, finished_at timestamptz
);
CREATE TABLE IF NOT EXISTS backup_steps (
    run bigint NOT NULL, step text NOT NULL, records bigint NOT NULL, done_at timestamptz NOT NULL,
    PRIMARY KEY (run, step)
);
";

/// A backup into PostgreSQL, and the run it is in. Every call runs off zchat's runtime (see
/// [`off_runtime`]).
struct PostgresBackup {
    /// Always `Some` but while being dropped.
    client: Option<postgres::Client>,
    run: i64,
}

impl PostgresBackup {
    /// Connects, creates the tables it lacks, and resumes the unfinished run or starts one.
    fn open(url: &str) -> anyhow::Result<(Self, bool)> {
        off_runtime(|| {
            let mut client = export::postgres::connect(url)?;
            client.batch_execute(POSTGRES_SCHEMA)?;
            for snapshot in Snapshot::ALL {
                client.batch_execute(&format!(
                    "CREATE TABLE IF NOT EXISTS {} (id text PRIMARY KEY, raw jsonb NOT NULL);",
                    snapshot.table()
                ))?;
            }
            let unfinished = client.query_opt(
                "SELECT id FROM backup_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1",
                &[],
            )?;
            let (run, resumed) = match unfinished {
                Some(row) => (row.get(0), true),
                None => {
                    let row = client.query_one(
                        "INSERT INTO backup_runs (started_at) VALUES (now()) RETURNING id",
                        &[],
                    )?;
                    (row.get(0), false)
                }
            };
            Ok((
                Self {
                    client: Some(client),
                    run,
                },
                resumed,
            ))
        })
    }

    /// Runs `work` with the client, off zchat's runtime.
    fn with_client<T: Send>(
        &mut self,
        work: impl FnOnce(&mut postgres::Client, i64) -> anyhow::Result<T> + Send,
    ) -> anyhow::Result<T> {
        let run = self.run;
        let client = self
            .client
            .as_mut()
            .expect("the client is there until dropped");
        off_runtime(move || work(client, run))
    }
}

impl Drop for PostgresBackup {
    fn drop(&mut self) {
        let client = self.client.take();
        off_runtime(move || drop(client));
    }
}

impl BackupDatabase for PostgresBackup {
    fn done(&mut self, step: &str) -> anyhow::Result<bool> {
        self.with_client(|client, run| {
            let row = client.query_one(
                "SELECT EXISTS (SELECT 1 FROM backup_steps WHERE run = $1 AND step = $2)",
                &[&run, &step],
            )?;
            Ok(row.get(0))
        })
    }

    fn replace(&mut self, snapshot: Snapshot, records: &[(String, Value)]) -> anyhow::Result<()> {
        self.with_client(|client, run| {
            let mut transaction = client.transaction()?;
            transaction.execute(&format!("DELETE FROM {}", snapshot.table()), &[])?;
            let insert = transaction.prepare(&format!(
                "INSERT INTO {} (id, raw) VALUES ($1, ($2::text)::jsonb)",
                snapshot.table()
            ))?;
            for (id, record) in records {
                transaction.execute(&insert, &[id, &record.to_string()])?;
            }
            note_postgres_step(
                &mut transaction,
                run,
                snapshot.table(),
                records.len() as u64,
            )?;
            transaction.commit()?;
            Ok(())
        })
    }

    fn exported(&mut self, resource: ExportResource, records: u64) -> anyhow::Result<()> {
        self.with_client(|client, run| {
            note_postgres_step(client, run, resource.items_key(), records)
        })
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.with_client(|client, run| {
            client.execute(
                "UPDATE backup_runs SET finished_at = now() WHERE id = $1",
                &[&run],
            )?;
            Ok(())
        })
    }
}

fn note_postgres_step(
    client: &mut impl postgres::GenericClient,
    run: i64,
    step: &str,
    records: u64,
) -> anyhow::Result<()> {
    client.execute(
        "INSERT INTO backup_steps (run, step, records, done_at) VALUES ($1, $2, $3, now())",
        &[&run, &step, &i64::try_from(records).unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

/// Runs a backup.
pub async fn run(client: &Client, args: &BackupArgs, progress: &Progress) -> anyhow::Result<()> {
    let ((mut database, resumed), destination): ((Box<dyn BackupDatabase + Send>, bool), String) =
        match (&args.postgres, &args.sqlite) {
            (Some(url), _) => {
                let (database, resumed) = PostgresBackup::open(url)?;
                (
                    (Box::new(database), resumed),
                    export::postgres::describe(url),
                )
            }
            (None, Some(path)) => {
                let (database, resumed) = SqliteBackup::open(path)?;
                ((Box::new(database), resumed), path.display().to_string())
            }
            (None, None) => anyhow::bail!("--sqlite FILE or --postgres URL is needed"),
        };
    if resumed {
        progress.note("resuming the backup that stopped: the steps it finished are kept");
    }
    for snapshot in Snapshot::ALL {
        if database.done(snapshot.table())? {
            continue;
        }
        let records = snapshot.fetch(client).await?;
        database.replace(snapshot, &records)?;
        progress.note(&format!("{}: {} records", snapshot.table(), records.len()));
    }
    for resource in ExportResource::ALL {
        if database.done(resource.items_key())? {
            continue;
        }
        let export = ExportArgs {
            resource,
            since: Some(args.since.unwrap_or(DateTime::UNIX_EPOCH)),
            until: None,
            format: Format::Jsonl,
            out: None,
            sqlite: args.sqlite.clone(),
            postgres: args.postgres.clone(),
            state: None,
            follow: false,
            interval: 60,
            limit: zendesk_chat::limits::EXPORT_MAX_PAGE_SIZE,
            no_typed_check: true,
        };
        let summary = export::run(client, &export, progress).await?;
        database.exported(resource, summary.records)?;
        progress.note(&format!("{}: {}", resource.items_key(), summary.describe()));
    }
    database.finish()?;
    progress.finish(&format!("backed up the account into {destination}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_keyed_by_their_ids_and_lose_their_secrets() {
        let records = by_id(vec![
            serde_json::json!({"id": 7, "access_token": "t0ken"}),
            serde_json::json!({"id": "goodbye"}),
        ])
        .unwrap();
        assert_eq!(records[0].0, "7");
        assert_eq!(records[1].0, "goodbye");
        assert!(!records[0].1.to_string().contains("t0ken"));
        assert!(by_id(vec![serde_json::json!({"name": "no id"})]).is_err());
    }

    #[test]
    fn a_run_that_stopped_is_resumed_and_a_finished_one_is_not() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("backup.sqlite");
        let (first, resumed) = SqliteBackup::open(&path).unwrap();
        assert!(!resumed);
        note_sqlite_step(&first.connection, first.run, "goals", 3).unwrap();
        drop(first);
        let (mut second, resumed) = SqliteBackup::open(&path).unwrap();
        assert!(resumed);
        assert!(second.done("goals").unwrap());
        second.finish().unwrap();
        drop(second);
        let (mut third, resumed) = SqliteBackup::open(&path).unwrap();
        assert!(!resumed);
        assert!(!third.done("goals").unwrap());
    }
}
