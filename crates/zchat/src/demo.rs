//! `zchat demo`: the whole thing, with no account and no network. A Zendesk Chat emulator starts
//! in this process with a generated account, and exports of its chats run against it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use zendesk_chat::Client;
use zendesk_chat_emulator::Emulator;

use crate::export::sink::Format;
use crate::export::{self, ExportArgs, Progress};
use zendesk_chat::export::ExportResource;

/// The options of `zchat demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// How many chats the generated account has.
    #[arg(long, default_value_t = 5000)]
    pub chats: usize,
    /// Where to write the exports (default: a new folder in the system's temporary folder).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the emulator running afterwards (until Ctrl-C), to try other commands against it.
    #[arg(long)]
    pub keep_running: bool,
}

/// Runs the demo.
pub async fn run(demo: DemoArgs, progress: &Progress) -> anyhow::Result<()> {
    let started = Instant::now();
    let emulator = Emulator::builder()
        .seed(42)
        .chats(demo.chats)
        .start()
        .await
        .context("cannot start the emulator")?;
    println!(
        "1. A local Zendesk Chat emulator serves a generated account of {} chats at {} (ready in {:.1?}).",
        demo.chats,
        emulator.base_url(),
        started.elapsed()
    );
    let client = Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        .build()?;

    let dir = demo
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("zchat-demo-{}", std::process::id())));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let out = dir.join("chats.jsonl");
    let database = dir.join("chats.sqlite");
    for stale in [out.clone(), export::state_path_for(&out), database.clone()] {
        let _ = std::fs::remove_file(stale);
    }

    println!(
        "2. Exporting every chat since 2025-01-01 to {}:",
        out.display()
    );
    let to_file = export_args(Some(out.clone()), None)?;
    let exported = timed_export(&client, &to_file, progress).await?;
    println!(
        "   every record exactly as the server sent it, with the cursor saved after each page."
    );

    println!("3. The same export into SQLite, {}:", database.display());
    timed_export(
        &client,
        &export_args(None, Some(database.clone()))?,
        progress,
    )
    .await?;
    let (chats, offline) = count_chats(&database)?;
    println!(
        "   {chats} support chats and {offline} offline messages in the `chats` table, keyed by id."
    );

    println!(
        "4. Running the file export again resumes after its {} records:",
        exported
    );
    let again = export::run(&client, &to_file, progress).await?;
    println!("   {}.", again.describe());

    let first: String = std::fs::read_to_string(&out)?
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(150)
        .collect();
    println!("5. The first record: {first}…");
    println!(
        "Done in {:.1?}. The files are in {}.",
        started.elapsed(),
        dir.display()
    );

    if demo.keep_running {
        // Visitors now start chats and write, for the Conversations API.
        emulator.start_simulated_visitors(std::time::Duration::from_secs(1));
        println!(
            "\nThe emulator keeps running until Ctrl-C, with simulated visitors chatting. Try:\n  zchat --base-url {url} --token {token} agents list --table\n  zchat --base-url {url} --token {token} chats search 'rating:good' --limit 5 --table\n  zchat --base-url {url} --token {token} agent watch",
            url = emulator.base_url(),
            token = emulator.token(),
        );
        tokio::signal::ctrl_c().await?;
    }
    Ok(())
}

fn export_args(out: Option<PathBuf>, sqlite: Option<PathBuf>) -> anyhow::Result<ExportArgs> {
    Ok(ExportArgs {
        resource: ExportResource::Chats,
        since: Some(crate::time::parse("2025-01-01").map_err(anyhow::Error::msg)?),
        until: None,
        format: Format::Jsonl,
        out,
        sqlite,
        postgres: None,
        state: None,
        follow: false,
        interval: 60,
        limit: 1000,
        no_typed_check: false,
    })
}

/// Runs an export and prints its figures; returns how many records it wrote.
async fn timed_export(
    client: &Client,
    args: &ExportArgs,
    progress: &Progress,
) -> anyhow::Result<u64> {
    let started = Instant::now();
    let summary = export::run(client, args, progress).await?;
    let elapsed = started.elapsed();
    println!(
        "   {}, {:.0} records/s.",
        summary.describe(),
        summary.records as f64 / elapsed.as_secs_f64().max(1e-3)
    );
    Ok(summary.records)
}

fn count_chats(database: &Path) -> anyhow::Result<(i64, i64)> {
    let connection = rusqlite::Connection::open(database)?;
    Ok(connection.query_row(
        "SELECT count(*) FILTER (WHERE type = 'chat'), count(*) FILTER (WHERE type = 'offline_msg') FROM chats",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}
