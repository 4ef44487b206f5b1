//! Where exported records go, each sink committing a page together with the cursor after it, so
//! that a run stopped at any point resumes with nothing skipped and nothing written twice.
//!
//! - A file (JSON Lines or CSV): the page's records are appended and flushed, then the state file
//!   is replaced (write to a temporary file, then rename) with the cursor and the file's length.
//!   On the next run, anything past that length (a page that was being written) is cut off.
//! - SQLite: the page's rows are upserted and the cursor saved in one transaction; an updated
//!   record replaces its older version.
//! - Standard output: written as it comes, with no state (nothing to resume).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use zendesk_chat::export::{ExportCursor, RawRecord};

use super::{columns, tables};
use zendesk_chat::export::ExportResource;

/// Where an export stands after a page: saved with the page, in the same commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The cursor after the last page written.
    pub cursor: ExportCursor,
    /// How many records were written so far, by this run and the runs it resumed.
    pub records: u64,
    /// Set when the export stopped at its `--until`: the last page went past that time, so the
    /// cursor is beyond records that were left out on purpose, and the export is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at_until: Option<DateTime<Utc>>,
}

/// Where an export to a file stands, as saved beside it after each page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedState {
    /// What is exported.
    pub resource: String,
    /// The output's format.
    pub format: String,
    /// How many bytes of the output hold whole pages.
    pub committed_bytes: u64,
    /// The cursor and counts.
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
}

/// A destination of exported records.
pub trait Sink {
    /// Where an earlier run stopped, to resume from.
    fn saved(&self) -> Option<Checkpoint>;
    /// Whether the sink reads top-level fields of every record (its columns), so that pages
    /// should have them located as they are split.
    fn reads_fields(&self) -> bool;
    /// Writes a page's records, then commits them with the checkpoint after the page.
    fn write_page(&mut self, records: &[RawRecord], checkpoint: &Checkpoint) -> anyhow::Result<()>;
}

/// The output format of a file or standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON record per line, exactly as the server sent it.
    Jsonl,
    /// Comma-separated columns of the fields people analyse.
    Csv,
}

/// Records to standard output, or to a file with a state file beside it.
pub struct FileSink {
    resource: ExportResource,
    format: Format,
    output: Destination,
    state_path: Option<PathBuf>,
    saved: Option<SavedState>,
    csv_header_written: bool,
}

enum Destination {
    Stdout(BufWriter<std::io::Stdout>),
    File {
        writer: BufWriter<File>,
        length: u64,
    },
}

impl FileSink {
    /// Standard output: nothing to resume.
    pub fn stdout(resource: ExportResource, format: Format) -> Self {
        Self {
            resource,
            format,
            output: Destination::Stdout(BufWriter::with_capacity(1 << 16, std::io::stdout())),
            state_path: None,
            saved: None,
            csv_header_written: false,
        }
    }

    /// The file at `path`, with its state in `state_path`: a fresh file, or one an earlier run
    /// of the same export left, cut back to its last whole page.
    pub fn file(
        resource: ExportResource,
        format: Format,
        path: &Path,
        state_path: PathBuf,
    ) -> anyhow::Result<Self> {
        let saved = read_state(&state_path)?;
        if let Some(saved) = &saved
            && (saved.resource != resource.items_key() || saved.format != format_name(format))
        {
            bail!(
                "{} holds the state of a {} export to {}, not {} to {}: use another --out or --state",
                state_path.display(),
                saved.resource,
                saved.format,
                resource.items_key(),
                format_name(format)
            );
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let length = match &saved {
            Some(saved) => {
                let on_disk = file.metadata()?.len();
                if on_disk < saved.committed_bytes {
                    bail!(
                        "{} is shorter ({on_disk} bytes) than its state says ({} bytes): it was changed; start again with another --out",
                        path.display(),
                        saved.committed_bytes
                    );
                }
                // Cut off a page that a stopped run was writing when it stopped.
                file.set_len(saved.committed_bytes)?;
                saved.committed_bytes
            }
            None => {
                file.set_len(0)?;
                0
            }
        };
        file.seek(SeekFrom::Start(length))?;
        Ok(Self {
            resource,
            format,
            csv_header_written: length > 0,
            saved,
            output: Destination::File {
                writer: BufWriter::with_capacity(1 << 20, file),
                length,
            },
            state_path: Some(state_path),
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.output {
            Destination::Stdout(stdout) => stdout.write_all(bytes),
            Destination::File { writer, length } => {
                *length += bytes.len() as u64;
                writer.write_all(bytes)
            }
        }
    }
}

impl Sink for FileSink {
    fn saved(&self) -> Option<Checkpoint> {
        self.saved.as_ref().map(|s| s.checkpoint.clone())
    }

    /// JSON Lines writes the text alone; CSV reads each record whole (`columns::row`).
    fn reads_fields(&self) -> bool {
        false
    }

    fn write_page(&mut self, records: &[RawRecord], checkpoint: &Checkpoint) -> anyhow::Result<()> {
        match self.format {
            Format::Jsonl => {
                // Straight from the page's text into the output's buffer: no copy of the page.
                for record in records {
                    self.write_all(record.get().as_bytes())?;
                    self.write_all(b"\n")?;
                }
            }
            Format::Csv => {
                let mut text = Vec::new();
                let mut writer = csv::Writer::from_writer(&mut text);
                if !self.csv_header_written {
                    writer.write_record(columns::header(self.resource))?;
                    self.csv_header_written = true;
                }
                for record in records {
                    writer.write_record(columns::row(self.resource, record)?)?;
                }
                writer.flush()?;
                drop(writer);
                self.write_all(&text)?;
            }
        }
        match &mut self.output {
            Destination::Stdout(stdout) => stdout.flush()?,
            Destination::File { writer, length } => {
                writer.flush()?;
                writer.get_ref().sync_data()?;
                let state = SavedState {
                    resource: self.resource.items_key().to_owned(),
                    format: format_name(self.format).to_owned(),
                    committed_bytes: *length,
                    checkpoint: checkpoint.clone(),
                };
                if let Some(path) = &self.state_path {
                    write_state(path, &state)?;
                }
            }
        }
        Ok(())
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
    }
}

fn read_state(path: &Path) -> anyhow::Result<Option<SavedState>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).with_context(|| {
            format!(
                "the state file {} is damaged; remove it to start over",
                path.display()
            )
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Replaces the state file at once: written beside it, then renamed over it.
fn write_state(path: &Path, state: &SavedState) -> anyhow::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut file = File::create(&temporary)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    file.write_all(&serde_json::to_vec_pretty(state)?)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Records in a SQLite database: a table per resource keyed by id, the raw JSON in a column, and
/// the export's cursor in the `export_state` table.
pub struct SqliteSink {
    connection: rusqlite::Connection,
    resource: ExportResource,
    saved: Option<Checkpoint>,
}

impl SqliteSink {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path, resource: ExportResource) -> anyhow::Result<Self> {
        let connection = rusqlite::Connection::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        // Chats are kilobytes of JSON each: large pages keep a record on few pages. This only
        // takes effect when the database is created.
        connection.pragma_update(None, "page_size", 65536)?;
        connection.pragma_update(None, "journal_mode", "TRUNCATE")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.execute_batch(&tables::sqlite_schema())?;
        let saved: Option<String> = connection
            .query_row(
                "SELECT checkpoint FROM export_state WHERE resource = ?1",
                [resource.items_key()],
                |row| row.get(0),
            )
            .optional()?;
        let saved = saved
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .context("the database's export state is damaged")?;
        Ok(Self {
            connection,
            resource,
            saved,
        })
    }
}

impl Sink for SqliteSink {
    fn saved(&self) -> Option<Checkpoint> {
        self.saved.clone()
    }

    fn reads_fields(&self) -> bool {
        true
    }

    fn write_page(&mut self, records: &[RawRecord], checkpoint: &Checkpoint) -> anyhow::Result<()> {
        let transaction = self.connection.transaction()?;
        {
            let mut upsert = transaction.prepare_cached(&tables::sqlite_upsert(self.resource))?;
            for record in records {
                let row = tables::sqlite_row(self.resource, record)?;
                upsert.execute(rusqlite::params_from_iter(row))?;
            }
        }
        transaction.execute(
            "INSERT INTO export_state (resource, checkpoint, updated_at) VALUES (?1, ?2, datetime('now'))
             ON CONFLICT(resource) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at",
            rusqlite::params![self.resource.items_key(), serde_json::to_string(checkpoint)?],
        )?;
        transaction.commit()?;
        Ok(())
    }
}
