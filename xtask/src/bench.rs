//! `cargo xtask bench`: every benchmark of the README's BENCHMARKS section, in one run, side by
//! side, with a Markdown report at `target/bench/report.md`.
//!
//! 1. Decoding: a page of 1,000 fully expanded chats, typed models against `serde_json::Value` and
//!    raw records, in interleaved rounds (bench binary `decode-rounds`; the criterion bench
//!    `decode` measures the same for profiling).
//! 2. Export throughput: `zchat export chats` of N chats from the emulator binary on 127.0.0.1, to
//!    JSON Lines and to SQLite, against a bare reqwest loop that fetches the same pages (the floor).
//!    Rounds are interleaved and the median kept. Wall and CPU time come from GNU time.
//! 3. Memory: peak RSS of `zchat export chats` for a small and a large account.
//! 4. Build cost: clean builds of a crate that depends on `zendesk-chat`, and of one that depends
//!    on reqwest + serde + tokio only.
//! 5. Conversations: a visitor's message → a bot's reply round trip through the emulator (median,
//!    p99), and the sustained request rate of one session against the API's 100 a second.
//! 6. Export over a network link of a set rate (a network namespace; needs root, `ip` and `tc`):
//!    compressed against plain answers, with the bytes that came over.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::link::{self, Link};

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Chats in the export throughput benchmark.
    #[arg(long, default_value_t = 100_000)]
    pub export_chats: usize,
    /// Rounds of the export throughput benchmark (the median is kept).
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Chats of the small and the large account of the memory benchmark.
    #[arg(long, num_args = 2, default_values_t = [10_000, 1_000_000])]
    pub memory_chats: Vec<usize>,
    /// The rate of the link in the export-over-a-link benchmark, in `tc`'s notation.
    #[arg(long, default_value = "100mbit")]
    pub link_rate: String,
    /// Chats in the export-over-a-link benchmark.
    #[arg(long, default_value_t = 20_000)]
    pub link_chats: usize,
    /// Leave out benchmarks: decode, export, memory, build, conversations, link.
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
}

/// Runs the benchmarks and writes the report.
pub fn run(root: &Path, args: &BenchArgs) -> anyhow::Result<()> {
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out)?;
    let mut report = vec![format!("Machine: {}\n", machine())];
    let wanted = |name: &str| !args.skip.iter().any(|s| s == name);
    if wanted("decode") {
        report.push(decode(root)?);
    }
    if wanted("export") || wanted("memory") || wanted("link") {
        cargo(
            root,
            &[
                "build",
                "--release",
                "-p",
                "zchat",
                "-p",
                "zendesk-chat-emulator",
                "-p",
                "zendesk-chat-bench",
                "--bins",
            ],
        )?;
    }
    if wanted("export") {
        report.push(export(root, &out, args)?);
    }
    if wanted("memory") {
        report.push(memory(root, &out, &args.memory_chats)?);
    }
    if wanted("build") {
        report.push(build_cost(root, &out)?);
    }
    if wanted("conversations") {
        report.push(conversations(root)?);
    }
    if wanted("link") {
        report.push(over_link(root, &out, args)?);
    }
    let text = report.join("\n");
    std::fs::write(out.join("report.md"), &text)?;
    println!("\n{text}\nwritten to target/bench/report.md");
    Ok(())
}

fn decode(root: &Path) -> anyhow::Result<String> {
    cargo(
        root,
        &[
            "build",
            "--release",
            "-p",
            "zendesk-chat-bench",
            "--bin",
            "decode-rounds",
        ],
    )?;
    let output = Command::new(release(root, "decode-rounds"))
        .stderr(Stdio::inherit())
        .output()
        .context("running decode-rounds")?;
    if !output.status.success() {
        bail!("decode-rounds failed");
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let number = |key: &str| report[key].as_f64().unwrap_or(f64::NAN);
    let spread = |key: &str| {
        format!(
            "{:.2}–{:.2}",
            report[key][0].as_f64().unwrap_or(f64::NAN),
            report[key][1].as_f64().unwrap_or(f64::NAN)
        )
    };
    Ok(format!(
        "### Decoding a page of 1,000 fully expanded chats\n\n\
         `cargo xtask bench --skip export,memory,build,conversations` (bench binary `decode-rounds`: \
         {} interleaved rounds; medians, and the spread of the ratio over the rounds)\n\n\
         | decoded into | time | vs `Value` | spread |\n|---|---|---|---|\n\
         | typed models (`IncrementalChatsPage`) | {:.1} ms | {:.2}× | {} |\n\
         | `serde_json::Value` | {:.1} ms | 1.00× | |\n\
         | raw records, split only (`RawRecord`s, as `zchat export` reads them for JSON Lines; from a copy of the page made beforehand) | {:.1} ms | {:.2}× | {} |\n\
         | raw records with their fields located (as for SQLite) | {:.1} ms | {:.2}× | {} |\n",
        report["rounds"],
        number("typed_ms"),
        number("typed_ratio"),
        spread("typed_ratio_spread"),
        number("value_ms"),
        number("raw_ms"),
        number("raw_ratio"),
        spread("raw_ratio_spread"),
        number("raw_fields_ms"),
        number("raw_fields_ratio"),
        spread("raw_fields_ratio_spread"),
    ))
}

/// The emulator binary, serving a generated account until dropped.
struct EmulatorProcess {
    child: Child,
    base_url: String,
}

impl EmulatorProcess {
    /// The emulator binary on 127.0.0.1, serving `chats`. It does not compress: on one machine
    /// compressing costs the emulator more than it saves, and the figures are the client's.
    fn start(root: &Path, chats: usize) -> anyhow::Result<Self> {
        let mut command = Command::new(release(root, "zendesk-chat-emulator"));
        command.arg("--no-compression");
        Self::serve(command, chats)
    }

    /// `command` (the emulator binary, with options of its own) serving `chats` on a free port.
    fn serve(mut command: Command, chats: usize) -> anyhow::Result<Self> {
        let mut child = command
            .args([
                "--port",
                "0",
                "--seed",
                "7",
                "--chats",
                &chats.to_string(),
                "--no-visitors",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the emulator")?;
        let stdout = child.stdout.take().context("the emulator's output")?;
        let mut lines = BufReader::new(stdout).lines();
        let base_url = loop {
            let line = lines
                .next()
                .context("the emulator stopped before listening")??;
            if let Some(url) = line.strip_prefix("Zendesk Chat emulator listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep reading its output in the background, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, base_url })
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wall seconds, CPU seconds (user + system) and peak RSS (KiB) of a command, from GNU time.
#[derive(Debug, Clone, Copy)]
struct Usage {
    wall: f64,
    cpu: f64,
    max_rss_kib: u64,
}

/// Runs `command` under GNU time, once the disk is quiet: what earlier programs wrote is flushed
/// first (`sync`), so that a program that `fsync`s (zchat, after every page) does not wait for the
/// writeback of the one before it, which a program that never `fsync`s (the floor) would not.
fn measure(command: &mut Command, out: &Path) -> anyhow::Result<Usage> {
    // Best effort: without `sync` the figures are only noisier.
    let _ = Command::new("sync").status();
    let times = out.join("time.txt");
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%e %U %S %M", "-o"])
        .arg(&times)
        .arg(&program)
        .args(&args)
        .envs(
            command
                .get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("running /usr/bin/time (GNU time)")?;
    if !status.success() {
        bail!("{} failed: {status}", program.to_string_lossy());
    }
    let text = std::fs::read_to_string(&times)?;
    let fields: Vec<f64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [wall, user, system, rss] = fields[..] else {
        bail!("unexpected GNU time output: {text}")
    };
    Ok(Usage {
        wall,
        cpu: user + system,
        max_rss_kib: rss as u64,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// 2000-01-01 in Unix seconds: before every chat of a generated account.
const SINCE_EVERY_CHAT: &str = "946684800";

/// `zchat export chats` of every chat of `emulator` to `flag target`.
fn zchat_export(root: &Path, emulator: &EmulatorProcess, flag: &str, target: &Path) -> Command {
    let mut command = Command::new(release(root, "zchat"));
    command
        .args([
            "--base-url",
            &emulator.base_url,
            "--quiet",
            "export",
            "chats",
            "--since",
            SINCE_EVERY_CHAT,
            flag,
        ])
        .arg(target)
        .env("ZENDESK_CHAT_TOKEN", "emulator-token");
    command
}

/// The floor's export of every chat of `emulator` to `target`.
fn floor_export(root: &Path, emulator: &EmulatorProcess, target: &Path) -> Command {
    let mut command = Command::new(release(root, "export-floor"));
    command
        .args([
            "--base-url",
            &emulator.base_url,
            "--token",
            "emulator-token",
            "--since",
            SINCE_EVERY_CHAT,
            "--out",
        ])
        .arg(target);
    command
}

fn export(root: &Path, out: &Path, args: &BenchArgs) -> anyhow::Result<String> {
    let emulator = EmulatorProcess::start(root, args.export_chats)?;
    let (jsonl, sqlite, floor) = (
        out.join("export.jsonl"),
        out.join("export.sqlite"),
        out.join("floor.txt"),
    );
    let zchat = |target: &Path, flag: &str, extra: &[&str]| {
        let mut command = zchat_export(root, &emulator, flag, target);
        command.args(extra);
        command
    };
    let unchecked = out.join("export-unchecked.jsonl");
    let unchecked_sqlite = out.join("export-unchecked.sqlite");
    // PostgreSQL: a server of the benchmark's own, a new database each round.
    let postgres = postgres_test_server::PostgresServer::start()
        .map_err(|why| eprintln!("the PostgreSQL line is left out: {why}"))
        .ok();
    let mut runs: [Vec<Usage>; 6] = Default::default();
    for round in 0..args.rounds.max(1) {
        for path in [&jsonl, &sqlite, &floor, &unchecked, &unchecked_sqlite] {
            let _ = std::fs::remove_file(path);
            let mut state = path.as_os_str().to_owned();
            state.push(".state.json");
            let _ = std::fs::remove_file(state);
        }
        runs[0].push(measure(&mut floor_export(root, &emulator, &floor), out)?);
        runs[1].push(measure(&mut zchat(&jsonl, "--out", &[]), out)?);
        runs[2].push(measure(&mut zchat(&sqlite, "--sqlite", &[]), out)?);
        runs[3].push(measure(
            &mut zchat(&unchecked, "--out", &["--no-typed-check"]),
            out,
        )?);
        runs[4].push(measure(
            &mut zchat(&unchecked_sqlite, "--sqlite", &["--no-typed-check"]),
            out,
        )?);
        if let Some(server) = &postgres {
            let url = server
                .create_database(&format!("export{round}"))
                .map_err(anyhow::Error::msg)?;
            let mut command = zchat(Path::new(&url), "--postgres", &["--no-typed-check"]);
            runs[5].push(measure(&mut command, out)?);
        }
    }
    let lines = std::fs::read_to_string(&jsonl)?.lines().count();
    if lines != args.export_chats {
        bail!(
            "the JSON Lines export holds {lines} records, not {}",
            args.export_chats
        );
    }
    let floor_wall = median(runs[0].iter().map(|u| u.wall).collect());
    let per_100k = 100_000.0 / args.export_chats as f64;
    let mut table = format!(
        "### Export throughput: {} chats from the emulator binary on 127.0.0.1\n\n\
         `cargo xtask bench --skip decode,memory,build` (median of {} interleaved rounds; GNU time)\n\n\
         | program | records/s | wall vs floor | CPU s per 100,000 records | peak RSS |\n|---|---|---|---|---|\n",
        args.export_chats, args.rounds
    );
    for (name, usages) in [
        "floor: reqwest loop writing the page bytes",
        "`zchat export chats --out x.jsonl`",
        "`zchat export chats --sqlite x.sqlite`",
        "`zchat export chats --out x.jsonl --no-typed-check`",
        "`zchat export chats --sqlite x.sqlite --no-typed-check`",
        "`zchat export chats --postgres URL --no-typed-check`",
    ]
    .iter()
    .zip(&runs)
    .filter(|(_, usages)| !usages.is_empty())
    {
        let wall = median(usages.iter().map(|u| u.wall).collect());
        let cpu = median(usages.iter().map(|u| u.cpu).collect());
        let rss = median(usages.iter().map(|u| u.max_rss_kib as f64).collect());
        table.push_str(&format!(
            "| {name} | {:.0} | {:.2}× | {:.2} | {:.0} MiB |\n",
            args.export_chats as f64 / wall.max(1e-3),
            wall / floor_wall.max(1e-3),
            cpu * per_100k,
            rss / 1024.0
        ));
    }
    Ok(table)
}

/// An export over a link of `args.link_rate`: the floor and zchat against an emulator that
/// answers plain, and zchat against one that compresses (as a client asks by default), in
/// interleaved rounds, with the bytes each run received.
fn over_link(root: &Path, out: &Path, args: &BenchArgs) -> anyhow::Result<String> {
    let title = format!(
        "### Export over a {} link: {} chats from the emulator in a network namespace\n\n",
        args.link_rate, args.link_chats
    );
    let link = match Link::create(&args.link_rate) {
        Ok(link) => link,
        Err(why) => {
            eprintln!("the link benchmark is left out: {why:#}");
            return Ok(format!(
                "{title}Left out: {why:#} (it needs root, `ip` and `tc`).\n"
            ));
        }
    };
    let emulator = |compression: bool| {
        let mut command = link.inside(&release(root, "zendesk-chat-emulator"));
        command.args(["--host", link::SERVER_ADDRESS]);
        if !compression {
            command.arg("--no-compression");
        }
        EmulatorProcess::serve(command, args.link_chats)
    };
    let (plain, compressing) = (emulator(false)?, emulator(true)?);
    let (jsonl, sqlite, floor) = (
        out.join("link.jsonl"),
        out.join("link.sqlite"),
        out.join("link-floor.txt"),
    );
    let with = |mut command: Command, arg: &str| {
        command.arg(arg);
        command
    };
    // Each program: its name in the report, whether its server compresses, and its command.
    let mut programs: [(&str, &str, Command); 6] = [
        (
            "floor: reqwest loop writing the page bytes",
            "no",
            floor_export(root, &plain, &floor),
        ),
        (
            "floor, asking for gzip (`--gzip`)",
            "gzip",
            with(floor_export(root, &compressing, &floor), "--gzip"),
        ),
        (
            "`zchat export chats --out x.jsonl --no-typed-check`",
            "no",
            with(
                zchat_export(root, &plain, "--out", &jsonl),
                "--no-typed-check",
            ),
        ),
        (
            "`zchat export chats --out x.jsonl --no-typed-check`",
            "gzip",
            with(
                zchat_export(root, &compressing, "--out", &jsonl),
                "--no-typed-check",
            ),
        ),
        (
            "`zchat export chats --out x.jsonl`",
            "gzip",
            zchat_export(root, &compressing, "--out", &jsonl),
        ),
        (
            "`zchat export chats --sqlite x.sqlite`",
            "gzip",
            zchat_export(root, &compressing, "--sqlite", &sqlite),
        ),
    ];
    let mut runs: [Vec<(f64, u64)>; 6] = Default::default();
    for _ in 0..args.rounds.max(1) {
        for ((_, _, command), runs) in programs.iter_mut().zip(&mut runs) {
            // Every program starts afresh (zchat would resume a saved export).
            for path in [&jsonl, &sqlite, &floor] {
                let _ = std::fs::remove_file(path);
                let _ = std::fs::remove_file(format!("{}.state.json", path.display()));
            }
            let before = link.bytes_received()?;
            let usage = measure(command, out)?;
            runs.push((usage.wall, link.bytes_received()? - before));
        }
    }
    let floor_wall = median(runs[0].iter().map(|run| run.0).collect());
    let mut table = format!(
        "{title}`cargo xtask bench --skip decode,export,memory,build,conversations` (median of {} \
         interleaved rounds; GNU time; bytes as counted by the host's end of the link)\n\n\
         | program | server compresses | wall | vs floor | MB received |\n|---|---|---|---|---|\n",
        args.rounds
    );
    for ((name, compresses, _), runs) in programs.iter().zip(&runs) {
        let wall = median(runs.iter().map(|run| run.0).collect());
        let bytes = median(runs.iter().map(|run| run.1 as f64).collect());
        table.push_str(&format!(
            "| {name} | {compresses} | {wall:.2} s | {:.2}× | {:.1} |\n",
            wall / floor_wall.max(1e-3),
            bytes / 1e6
        ));
    }
    Ok(table)
}

/// The Conversations API's round trip and sustained rate, from the `conversations` bench binary.
fn conversations(root: &Path) -> anyhow::Result<String> {
    cargo(
        root,
        &[
            "build",
            "--release",
            "-p",
            "zendesk-chat-bench",
            "--bin",
            "conversations",
        ],
    )?;
    let output = Command::new(release(root, "conversations"))
        .output()
        .context("running the conversations benchmark")?;
    if !output.status.success() {
        bail!(
            "the conversations benchmark failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?)
}

fn memory(root: &Path, out: &Path, sizes: &[usize]) -> anyhow::Result<String> {
    let mut table = String::from(
        "### Memory: peak RSS of `zchat export chats` by account size\n\n\
         `cargo xtask bench --skip decode,export,build,conversations` (GNU time's maximum resident \
         set size; each account exported to JSON Lines and to SQLite)\n\n\
         | chats | JSON Lines | vs the smallest | SQLite | vs the smallest |\n|---|---|---|---|---|\n",
    );
    let mut smallest: Option<(f64, f64)> = None;
    for &chats in sizes {
        let started = Instant::now();
        let emulator = EmulatorProcess::start(root, chats)?;
        eprintln!(
            "emulator with {chats} chats ready in {:.1?}",
            started.elapsed()
        );
        let peak = |flag: &str, name: &str| -> anyhow::Result<f64> {
            let path = out.join(name);
            let _ = std::fs::remove_file(&path);
            let _ = std::fs::remove_file(out.join(format!("{name}.state.json")));
            let mut command = zchat_export(root, &emulator, flag, &path);
            let usage = measure(&mut command, out)?;
            let _ = std::fs::remove_file(&path);
            Ok(usage.max_rss_kib as f64 / 1024.0)
        };
        let jsonl = peak("--out", "memory.jsonl")?;
        let sqlite = peak("--sqlite", "memory.sqlite")?;
        drop(emulator);
        let (base_jsonl, base_sqlite) = *smallest.get_or_insert((jsonl, sqlite));
        table.push_str(&format!(
            "| {chats} | {jsonl:.0} MiB | {:.2}× | {sqlite:.0} MiB | {:.2}× |\n",
            jsonl / base_jsonl,
            sqlite / base_sqlite
        ));
    }
    Ok(table)
}

fn build_cost(root: &Path, out: &Path) -> anyhow::Result<String> {
    let sdk = root.join("crates/zendesk-chat");
    let crates = [
        ("baseline", "reqwest = \"0.13\"\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\ntokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }\n".to_owned()),
        (
            "with-sdk",
            format!("zendesk-chat = {{ path = {:?} }}\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }}\n", sdk.display().to_string()),
        ),
    ];
    let mut times = Vec::new();
    for (name, dependencies) in &crates {
        let dir = out.join("build").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"downstream-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n[dependencies]\n{dependencies}"
            ),
        )?;
        std::fs::write(dir.join("src/main.rs"), "fn main() {}\n")?;
        let started = Instant::now();
        let status = Command::new(env!("CARGO"))
            .arg("build")
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("building the {name} crate failed");
        }
        times.push(started.elapsed());
    }
    let [baseline, with_sdk] = times[..] else {
        unreachable!("two crates")
    };
    Ok(format!(
        "### Build cost for a downstream crate (clean debug build)\n\n\
         `cargo xtask bench --skip decode,export,memory`\n\n\
         | crate depends on | clean build | vs baseline |\n|---|---|---|\n\
         | reqwest + serde + serde_json + tokio (baseline) | {:.0} s | 1.00× |\n\
         | `zendesk-chat` (default features) + tokio | {:.0} s | {:.2}× |\n",
        baseline.as_secs_f64(),
        with_sdk.as_secs_f64(),
        with_sdk.as_secs_f64() / baseline.as_secs_f64()
    ))
}

fn cargo(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(root)
        .status()?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}

fn release(root: &Path, binary: &str) -> PathBuf {
    root.join("target/release").join(binary)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or_else(
            || "unknown memory".into(),
            |kib| format!("{} GiB", kib / 1024 / 1024),
        );
    format!("{cpu}, {cores} cores, {memory}")
}
