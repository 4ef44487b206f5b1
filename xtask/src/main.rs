//! The maintainers' entry point, run as `cargo xtask <command>` from anywhere in the repository.
//!
//! - `cargo xtask generate`: regenerate every generated file from the specs in `spec/`.
//! - `cargo xtask generate --check`: change nothing; exit non-zero, naming the stale files, when
//!   what is checked in differs from what the generator makes now.
//! - `cargo xtask bench`: every benchmark, side by side, with a report in `target/bench/report.md`.
//! - `cargo xtask fuzz [--seconds N] [TARGET...]`: a short run of each cargo-fuzz target.
//! - `cargo xtask soak`: both soaks, in release: `zchat export` through faults and kills (100,000
//!   chats), and a Conversations bot through dropped sockets, ended and refused sessions.

mod bench;
mod link;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use zendesk_chat_codegen::generated_files::{project_files, stale_files};

#[derive(Parser)]
#[command(about = "Maintenance tasks for zendesk-chat-rs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the generated files from the specs.
    Generate {
        /// Change nothing; fail if a checked-in generated file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Run every benchmark and write target/bench/report.md.
    Bench(bench::BenchArgs),
    /// Run each cargo-fuzz target for a while (needs the nightly toolchain and cargo-fuzz).
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only these targets (default: all).
        targets: Vec<String>,
    },
    /// Both soaks (release build): an export of 100,000 chats through faults, kills and resumes;
    /// a Conversations bot through dropped sockets, ended and refused sessions.
    Soak,
}

/// The cargo-fuzz targets in `fuzz/`.
const FUZZ_TARGETS: &[&str] = &[
    "decode_responses",
    "search_query",
    "emulator_requests",
    "server_frames",
    "client_frames",
    "graphql_documents",
    "raw_records",
];

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate { check } => generate(&repository_root(), check),
        Command::Bench(args) => bench::run(&repository_root(), &args).map(|()| ExitCode::SUCCESS),
        Command::Fuzz { seconds, targets } => fuzz(&repository_root(), seconds, &targets),
        Command::Soak => soak(&repository_root()),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn fuzz(root: &Path, seconds: u64, targets: &[String]) -> anyhow::Result<ExitCode> {
    let targets: Vec<&str> = if targets.is_empty() {
        FUZZ_TARGETS.to_vec()
    } else {
        targets.iter().map(String::as_str).collect()
    };
    let cargo_fuzz = std::process::Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .current_dir(root.join("fuzz"))
        .output();
    if !cargo_fuzz.is_ok_and(|output| output.status.success()) {
        bail!("`cargo +nightly fuzz` is not available: install it with `cargo install cargo-fuzz`");
    }
    for target in targets {
        println!("== fuzzing {target} for {seconds} s");
        // The corpus it grows, then seeds it only reads: the client's own GraphQL documents.
        let mut corpora = vec![format!("corpus/{target}")];
        if target == "graphql_documents" {
            corpora.push("../spec/conversations".into());
        }
        std::fs::create_dir_all(root.join("fuzz").join(&corpora[0]))?;
        let status = std::process::Command::new("cargo")
            .args(["+nightly", "fuzz", "run", target])
            .args(&corpora)
            .args(["--", &format!("-max_total_time={seconds}")])
            .current_dir(root.join("fuzz"))
            .status()
            .context("running cargo +nightly fuzz (cargo install cargo-fuzz)")?;
        if !status.success() {
            let artifacts = root.join("fuzz/artifacts").join(target);
            let found =
                std::fs::read_dir(&artifacts).is_ok_and(|mut entries| entries.next().is_some());
            if found {
                eprintln!("{target} found a failure: its input is in fuzz/artifacts/{target}/");
            } else {
                eprintln!("fuzzing {target} failed before it found anything (see above)");
            }
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs each soak (an ignored test, in release), and fails if either fails.
fn soak(root: &Path) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for (package, test) in [("zchat", "soak"), ("zendesk-chat-conversations", "soak")] {
        println!("== soak: {package} --test {test}");
        let args = [
            "test",
            "--release",
            "-p",
            package,
            "--test",
            test,
            "--",
            "--ignored",
            "--nocapture",
        ];
        let status = std::process::Command::new(env!("CARGO"))
            .args(args)
            .current_dir(root)
            .status()?;
        failed |= !status.success();
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The repository root: the parent of this crate's directory.
fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

fn generate(root: &Path, check: bool) -> anyhow::Result<ExitCode> {
    let files = project_files(root)?;
    let stale = stale_files(root, &files);
    if check {
        if stale.is_empty() {
            println!("generated files are current ({} checked)", files.len());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("stale generated files (run `cargo xtask generate`):");
        for path in &stale {
            eprintln!("  {}", path.display());
        }
        return Ok(ExitCode::FAILURE);
    }
    for file in files.iter().filter(|f| stale.contains(&f.path)) {
        let path = root.join(&file.path);
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", file.path.display());
    }
    if stale.is_empty() {
        println!("generated files were already current");
    }
    Ok(ExitCode::SUCCESS)
}
