//! `zchat`: archive and work with a Zendesk Chat account from the command line.
//!
//! - `zchat export chats --since 2024-01-01 --out chats.jsonl`: every record, exactly as the server
//!   sent it, resumable (also CSV, or SQLite with `--sqlite`); `--follow` keeps polling.
//! - `zchat chats get|search|delete`, `zchat agents list|get|me|create|update|delete`,
//!   `zchat visitors get|create|update`: JSON, or a table with `--table`.
//! - `zchat account|departments|skills|roles|goals|shortcuts|triggers|bans|routing|oauth|metrics`:
//!   every other resource, with the same verbs (`list`, `get`, `create --json`, `update --json`,
//!   `delete`); secrets only with `--show-secrets`.
//! - `zchat backup --sqlite FILE`: the whole account (every resource and the five exports) in one
//!   database, resumable.
//! - `zchat singer --config tap.json`: a Singer tap (`--discover`, `--catalog`, `--state`).
//! - `zchat agent watch`: live messages over the Conversations API, as an agent sees them.
//! - `zchat demo`: all of it against an emulator started in this process, with no account.
//!
//! The account comes from flags, then `ZENDESK_SUBDOMAIN` and `ZENDESK_CHAT_TOKEN`, then the
//! config file. Errors are one line, with a non-zero exit code; the token is never printed.

mod agent;
mod allocator;
mod auth;
mod backup;
mod commands;
mod config;
mod credentials;
mod demo;
mod export;
mod output;
mod resources;
mod singer;
mod time;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use commands::{AgentsCommand, ChatsCommand, VisitorsCommand};
use export::{ExportArgs, Progress};
use output::Output;
use resources::ResourceCommand;

#[derive(Parser)]
#[command(
    name = "zchat",
    version,
    about = "Archive and work with a Zendesk Chat account",
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    connection: config::Connection,
    /// Print tables instead of JSON.
    #[arg(long, global = true)]
    table: bool,
    /// No progress on standard error.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Print OAuth client secrets and tokens (hidden by default).
    #[arg(long, global = true)]
    show_secrets: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Log in with OAuth and store the token (`login`), show it (`status`), or revoke it
    /// (`logout`).
    #[command(subcommand)]
    Auth(auth::AuthCommand),
    /// Export every record of a resource since a time, resumably.
    Export(ExportArgs),
    /// Back up the whole account (every resource and the five exports) into one SQLite
    /// database, resumably.
    Backup(backup::BackupArgs),
    /// Run as a Singer tap: `--discover`, or SCHEMA, RECORD and STATE messages on standard
    /// output; `--config` is the tap's JSON config (access_token, subdomain, start_date, base_url).
    Singer(singer::SingerArgs),
    /// Chats: get, search, delete.
    #[command(subcommand)]
    Chats(ChatsCommand),
    /// Agents: list, get, me, create, update, delete.
    #[command(subcommand)]
    Agents(AgentsCommand),
    /// Visitors: get, create, update.
    #[command(subcommand)]
    Visitors(VisitorsCommand),
    #[command(flatten)]
    Resource(ResourceCommand),
    /// Act as a chat agent over the Conversations API: watch live messages.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// Start an emulator with a generated account and export it: no account or network needed.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    allocator::return_large_blocks_when_freed();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A bad value (a date, a number): its first line says it all; clap adds usage and tips.
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::ValueValidation | ErrorKind::InvalidValue
            ) =>
        {
            let text = error.to_string();
            eprintln!(
                "{}",
                text.lines()
                    .find(|line| !line.trim().is_empty())
                    .unwrap_or("error: invalid arguments")
            );
            return ExitCode::from(2);
        }
        // Help, version, and errors where the usage helps: as clap prints them.
        Err(error) => error.exit(),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        tokio::select! {
            outcome = run(cli) => match outcome {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            },
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted: the last whole page is saved; run the same command again to resume");
                ExitCode::from(130)
            }
        }
    })
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let output = Output { table: cli.table };
    let progress = Progress::new(cli.quiet);
    let rest_client = || cli.connection.client();
    // Every REST command's client errors are explained here, in one place.
    let (client, outcome) = match cli.command {
        Command::Demo(args) => return demo::run(args, &progress).await,
        Command::Auth(command) => return auth::run(&cli.connection, command, &progress).await,
        Command::Singer(args) => {
            let connection = &cli.connection;
            return singer::run(
                &args,
                connection.config.as_deref(),
                connection.base_url.clone(),
            )
            .await;
        }
        Command::Agent(command) => return agent::run(&cli.connection, command).await,
        Command::Export(args) => {
            let client = rest_client()?;
            let outcome = export::run(&client, &args, &progress).await.map(|summary| {
                progress.finish(&summary.describe());
                if let Some(warning) = summary.untyped_warning() {
                    progress.warn(&warning);
                }
            });
            (client, outcome)
        }
        Command::Backup(args) => {
            let client = rest_client()?;
            let outcome = backup::run(&client, &args, &progress).await;
            (client, outcome)
        }
        Command::Chats(command) => {
            let client = rest_client()?;
            let outcome = commands::chats(&client, command, &output).await;
            (client, outcome)
        }
        Command::Agents(command) => {
            let client = rest_client()?;
            let outcome = commands::agents(&client, command, &output).await;
            (client, outcome)
        }
        Command::Visitors(command) => {
            let client = rest_client()?;
            let outcome = commands::visitors(&client, command, &output).await;
            (client, outcome)
        }
        Command::Resource(command) => {
            let client = rest_client()?;
            let outcome = resources::run(&client, command, &output, cli.show_secrets).await;
            (client, outcome)
        }
    };
    outcome.map_err(|error| commands::explain(error, &client))
}
