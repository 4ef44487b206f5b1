//! `zchat export`: every record of a resource since a time, exactly as the server sent it, to
//! JSON Lines, CSV or SQLite, resumable.

mod columns;
mod in_flight;
pub mod postgres;
mod progress;
pub mod sink;
mod tables;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::BoxStream;
use zendesk_chat::Client;
use zendesk_chat::error::RecordError;
use zendesk_chat::export::{ExportPage, ExportResource, ExportStart, FieldLocation, RawRecord};

use in_flight::{Budget, Held, PAGES_IN_FLIGHT_BYTES};
use postgres::PostgresSink;
pub use progress::Progress;
use sink::{Checkpoint, FileSink, Format, Sink, SqliteSink};

/// The RESOURCE argument: an export by its name, `-` between words (`agent-timeline`).
fn resource_parser() -> impl clap::builder::TypedValueParser<Value = ExportResource> {
    use clap::builder::TypedValueParser;
    let names = ExportResource::ALL.map(|resource| resource.items_key().replace('_', "-"));
    clap::builder::PossibleValuesParser::new(names).map(|name| {
        name.parse::<ExportResource>()
            .expect("the parser accepts only the names of ExportResource::ALL")
    })
}

/// The options of `zchat export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_parser = resource_parser())]
    pub resource: ExportResource,
    /// Records changed at or after this time: a date (2024-01-31), a date and time
    /// (2024-01-31T12:00:00Z) or Unix seconds. Needed unless resuming from saved state.
    #[arg(long, value_parser = crate::time::parse)]
    pub since: Option<DateTime<Utc>>,
    /// Stop at records changed after this time (same forms as --since).
    #[arg(long, value_parser = crate::time::parse)]
    pub until: Option<DateTime<Utc>>,
    /// The output format, for standard output or --out.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Write to this file (resumable: the state is kept beside it) instead of standard output.
    #[arg(long, conflicts_with_all = ["sqlite", "postgres"])]
    pub out: Option<PathBuf>,
    /// Write to this SQLite database (a table per resource, upserted; resumable).
    #[arg(long, conflicts_with = "postgres")]
    pub sqlite: Option<PathBuf>,
    /// Write to this PostgreSQL database, such as `postgresql://user@host/db` (a table per
    /// resource with typed columns and the raw JSON as `jsonb`, upserted; resumable). The
    /// password can come from `PGPASSWORD`-style URLs or `password=` pairs; it is never printed.
    #[arg(long)]
    pub postgres: Option<String>,
    /// The state file of --out (default: the output's name with `.state.json`).
    #[arg(long, requires = "out")]
    pub state: Option<PathBuf>,
    /// Keep polling for new changes once caught up, every --interval.
    #[arg(long)]
    pub follow: bool,
    /// How often to poll with --follow, in seconds.
    #[arg(long, default_value_t = 60)]
    pub interval: u64,
    /// Records per request, 1 to 1000.
    #[arg(long, default_value_t = 1000)]
    pub limit: u32,
    /// Do not check records against the typed models (the check counts, at the end, records a
    /// typed reader would get as errors; it costs CPU, not requests).
    #[arg(long)]
    pub no_typed_check: bool,
}

/// How an export went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records written by this run.
    pub records: u64,
    /// Records written by this run and the runs it resumed.
    pub total: u64,
    /// Pages received.
    pub pages: u64,
    /// Whether it resumed an earlier run.
    pub resumed: bool,
    /// Records written by this run that the client's typed models do not fit (the archive keeps
    /// them as sent; a typed reader would get them as `RecordError`s).
    pub untyped: u64,
    /// The first of those, described.
    pub first_untyped: Option<String>,
}

impl Summary {
    /// The closing line, one of: `exported 1200 records in 2 pages`, `exported 3 records in 1 page
    /// (1203 in all, with earlier runs)`, `nothing new since the last run (1203 records in all)`.
    pub fn describe(&self) -> String {
        if self.resumed && self.records == 0 {
            return format!(
                "nothing new since the last run ({} in all)",
                progress::plural(self.total, "record")
            );
        }
        let mut line = format!(
            "exported {} in {}",
            progress::plural(self.records, "record"),
            progress::plural(self.pages, "page")
        );
        if self.resumed {
            line.push_str(&format!(" ({} in all, with earlier runs)", self.total));
        }
        line
    }

    fn count_untyped(&mut self, failures: Vec<RecordError>) {
        self.untyped += failures.len() as u64;
        if self.first_untyped.is_none() {
            self.first_untyped = failures.first().map(ToString::to_string);
        }
    }

    /// The warning about records that would not decode typed, if there were any.
    pub fn untyped_warning(&self) -> Option<String> {
        (self.untyped > 0).then(|| {
            format!(
                "{} records would not decode into the typed models; they are in the archive as \
                 sent. The first: {}",
                self.untyped,
                self.first_untyped.as_deref().unwrap_or("?"),
            )
        })
    }
}

/// Runs an export, reporting to `progress`.
pub async fn run(
    client: &Client,
    args: &ExportArgs,
    progress: &Progress,
) -> anyhow::Result<Summary> {
    let mut sink: Box<dyn Sink + Send> = match (&args.postgres, &args.sqlite, &args.out) {
        (Some(url), _, _) => Box::new(PostgresSink::open(url, args.resource)?),
        (None, Some(path), _) => Box::new(SqliteSink::open(path, args.resource)?),
        (None, None, Some(path)) => {
            let state = args.state.clone().unwrap_or_else(|| state_path_for(path));
            Box::new(FileSink::file(args.resource, args.format, path, state)?)
        }
        (None, None, None) => Box::new(FileSink::stdout(args.resource, args.format)),
    };
    let mut summary = Summary::default();
    let start = match sink.saved() {
        Some(Checkpoint { ended_at_until: Some(ended), records, .. }) => {
            if args.until == Some(ended) && !args.follow {
                progress.note(&format!("this export is already complete up to --until {ended} ({records} records)"));
                return Ok(Summary { total: records, resumed: true, ..Summary::default() });
            }
            bail!(
                "this export stopped at --until {ended} and left out the later records of its last page; \
                 export to another --out or --sqlite database to go further"
            );
        }
        Some(Checkpoint { cursor, records, .. }) => {
            progress.note(&format!("resuming after {records} records, from {cursor}"));
            summary.resumed = true;
            summary.total = records;
            ExportStart::Cursor(cursor)
        }
        None => ExportStart::Time(
            args.since
                .context("--since is needed (a date such as 2024-01-31, or Unix seconds) unless resuming a saved export")?,
        ),
    };
    let budget = Budget::new(PAGES_IN_FLIGHT_BYTES);
    let fields = field_location(sink.reads_fields(), args.until.is_some());
    let mut pages = prefetched(pages(client, args, start, fields), budget);
    let mut checks = std::collections::VecDeque::new();
    let started = Instant::now();
    while let Some(page) = pages.recv().await {
        let page = page?;
        let (next, caught_up) = (page.next.clone(), page.caught_up);
        let mut past_until = false;
        let records = page.map(|page| {
            let (records, past) = until_filter(args, page.items);
            past_until = past;
            records
        });
        // Shared by the writing and the typed check; its bytes go back to the budget with the
        // last of the two.
        let records = Arc::new(records);
        // Checked against the typed models on another thread while the page is written, at
        // most a page behind (so that at most one more page is held for it).
        if !args.no_typed_check {
            checks.push_back(tokio::task::spawn_blocking({
                let (resource, records) = (args.resource, records.clone());
                move || resource.typed_failures(records.as_slice())
            }));
            while checks.len() > MAX_CHECKS_BEHIND {
                let check = checks.pop_front().expect("not empty");
                summary.count_untyped(check.await.context("the typed check of a page failed")?);
            }
        }
        summary.pages += 1;
        summary.records += records.len() as u64;
        summary.total += records.len() as u64;
        let checkpoint = Checkpoint {
            cursor: next,
            records: summary.total,
            ended_at_until: args.until.filter(|_| past_until),
        };
        sink.write_page(&records, &checkpoint)?;
        progress.page(
            summary.total,
            summary.records,
            summary.pages,
            started.elapsed(),
            caught_up,
        );
        if past_until {
            break;
        }
    }
    for check in checks {
        summary.count_untyped(check.await.context("the typed check of a page failed")?);
    }
    Ok(summary)
}

/// How many pages the typed check may lag behind the writing.
const MAX_CHECKS_BEHIND: usize = 1;

fn pages(
    client: &Client,
    args: &ExportArgs,
    start: ExportStart,
    fields: FieldLocation,
) -> BoxStream<'static, Result<ExportPage<RawRecord>, zendesk_chat::Error>> {
    let mut export = client
        .raw_export(args.resource, start)
        .limit(args.limit)
        .locate_fields(fields);
    if args.follow {
        export = export.follow(Duration::from_secs(args.interval.max(1)));
    }
    export.raw_pages().boxed()
}

/// When the records' fields are located: as the pages are split when the sink or `--until`
/// reads fields of every record, otherwise only if asked (JSON Lines reads none).
fn field_location(sink_reads_fields: bool, until: bool) -> FieldLocation {
    if sink_reads_fields || until {
        FieldLocation::WhileSplitting
    } else {
        FieldLocation::OnFirstUse
    }
}

/// A page of records, holding its bytes of the budget of pages in flight.
type HeldPage = Held<ExportPage<RawRecord>>;

/// The pages, fetched by a task of their own one page ahead: the next page is on its way while
/// this one is written. (The next request needs only the cursor, known once a page is read.)
/// Each page holds its bytes of `budget` until its records are dropped, and the next request
/// waits while the budget is spent.
fn prefetched(
    mut pages: BoxStream<'static, Result<ExportPage<RawRecord>, zendesk_chat::Error>>,
    budget: Budget,
) -> tokio::sync::mpsc::Receiver<Result<HeldPage, zendesk_chat::Error>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => {
                    let bytes = page.items.iter().map(|record| record.get().len()).sum();
                    Ok(budget.hold(page, bytes).await)
                }
                Err(error) => Err(error),
            };
            if sender.send(page).await.is_err() {
                break;
            }
        }
    });
    receiver
}

/// The records changed no later than `--until`, and whether the page went past it (the export
/// is in update order, so the rest is later still).
fn until_filter(args: &ExportArgs, records: Vec<RawRecord>) -> (Vec<RawRecord>, bool) {
    let Some(until) = args.until else {
        return (records, false);
    };
    let field = args.resource.changed_at_field();
    let mut kept = Vec::with_capacity(records.len());
    for record in records {
        let time = record
            .field(field)
            .and_then(|raw| serde_json::from_str::<String>(raw).ok())
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok());
        if time.is_some_and(|t| t > until) {
            return (kept, true);
        }
        kept.push(record);
    }
    (kept, false)
}

/// `chats.jsonl` → `chats.jsonl.state.json`.
pub fn state_path_for(output: &std::path::Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(".state.json");
    output.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// `zchat export`'s options as the command line gives them.
    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        args: ExportArgs,
    }

    fn args(line: &[&str]) -> ExportArgs {
        Command::parse_from(std::iter::once("export").chain(line.iter().copied())).args
    }

    fn page(texts: &[&str]) -> Vec<RawRecord> {
        texts
            .iter()
            .map(|text| RawRecord::from_json(*text).unwrap())
            .collect()
    }

    fn ids(records: &[RawRecord]) -> Vec<&str> {
        records
            .iter()
            .map(|record| record.field("id").unwrap())
            .collect()
    }

    #[test]
    fn until_keeps_the_records_changed_by_then_and_stops_at_the_first_later_one() {
        let args = args(&["chats", "--until", "2024-01-01T00:00:00Z"]);
        let records = page(&[
            r#"{"id": "a", "update_timestamp": "2023-12-31T23:59:59Z"}"#,
            // An escaped key, and a time at the limit: kept.
            r#"{"id": "b", "update_t\u0069mestamp": "2024-01-01T00:00:00Z"}"#,
            // A time that is not a string, and no time at all: kept (the archive has them whole).
            r#"{"id": "c", "update_timestamp": 1704067300}"#,
            r#"{"id": "d"}"#,
            // A repeated key counts the last time: later than --until, so the page stops here.
            r#"{"id": "e", "update_timestamp": "2023-01-01T00:00:00Z", "update_timestamp": "2024-06-01T00:00:00Z"}"#,
            r#"{"id": "f", "update_timestamp": "2023-01-01T00:00:00Z"}"#,
        ]);
        let (kept, past_until) = until_filter(&args, records);
        assert_eq!(ids(&kept), [r#""a""#, r#""b""#, r#""c""#, r#""d""#]);
        assert!(past_until);
    }

    #[test]
    fn fields_are_located_as_pages_are_split_only_for_sinks_or_until_that_read_them() {
        use FieldLocation::{OnFirstUse, WhileSplitting};
        assert_eq!(field_location(false, false), OnFirstUse);
        assert_eq!(field_location(true, false), WhileSplitting);
        assert_eq!(field_location(false, true), WhileSplitting);
        let directory = tempfile::tempdir().unwrap();
        let sqlite = SqliteSink::open(&directory.path().join("x.sqlite"), ExportResource::Chats);
        assert!(sqlite.unwrap().reads_fields());
        let stdout = FileSink::stdout(ExportResource::Chats, Format::Jsonl);
        assert!(!stdout.reads_fields());
    }

    #[test]
    fn without_until_every_record_is_kept_and_the_export_goes_on() {
        let records = page(&[
            r#"{"id": "a", "update_timestamp": "2099-01-01T00:00:00Z"}"#,
            r#"{"id": "b"}"#,
        ]);
        let (kept, past_until) = until_filter(&args(&["chats"]), records);
        assert_eq!(ids(&kept), [r#""a""#, r#""b""#]);
        assert!(!past_until);
    }
}
