//! The maintainers' entry point, run as `cargo xtask <command>` from anywhere in the repository.
//!
//! - `cargo xtask generate`: regenerate every generated file from the specs in `spec/`.
//! - `cargo xtask generate --check`: change nothing; exit non-zero, naming the stale files, when
//!   what is checked in differs from what the generator makes now.

mod bench;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use zendesk_chat_codegen::project::{project_files, stale_files};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate { check } => generate(&repository_root(), check),
        Command::Bench(args) => bench::run(&repository_root(), &args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
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
