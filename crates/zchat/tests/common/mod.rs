//! What the CLI tests share: an emulator on 127.0.0.1 in a runtime of its own, and `zchat` run as
//! a process against it, with nothing from the user's environment or config leaking in.

#![allow(dead_code)]

pub mod postgres_db;
pub mod session_keyring;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use zendesk_chat_emulator::{Emulator, EmulatorBuilder, Faults};

/// The `zchat` binary that cargo built for these tests.
pub const ZCHAT: &str = env!("CARGO_BIN_EXE_zchat");

/// An emulator serving on 127.0.0.1 from a runtime of its own, so that the tests can block on
/// `zchat` processes.
pub struct Server {
    pub emulator: Emulator,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    /// Starts the emulator `builder` describes.
    pub fn start(builder: EmulatorBuilder) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(builder.start())
            .expect("the emulator starts");
        Self { emulator, runtime }
    }

    /// `zchat` pointed at the emulator, with its token in the environment.
    pub fn zchat(&self) -> assert_cmd::Command {
        let mut command = bare_zchat();
        command
            .env("ZCHAT_BASE_URL", self.emulator.base_url())
            .env("ZENDESK_CHAT_TOKEN", self.emulator.token());
        command
    }

    /// The same, as a `std::process::Command`, to spawn and kill.
    pub fn zchat_process(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(ZCHAT);
        isolate(&mut command);
        command
            .env("ZCHAT_BASE_URL", self.emulator.base_url())
            .env("ZENDESK_CHAT_TOKEN", self.emulator.token())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// A client of the emulator, for changes the CLI does not make.
    pub fn client(&self) -> zendesk_chat::Client {
        zendesk_chat::Client::builder()
            .base_url(self.emulator.base_url())
            .token(self.emulator.token())
            .build()
            .unwrap()
    }

    /// Runs a future on the emulator's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Sets a chat's comment through the API, as a change made while an export runs.
    pub fn set_comment(&self, chat_id: &str, comment: &str) -> Result<(), zendesk_chat::Error> {
        let update = zendesk_chat::types::UpdateChatRequest {
            comment: Some(comment.to_owned()),
            ..Default::default()
        };
        self.block_on(async {
            self.client()
                .update_chat()
                .chat_id(chat_id)
                .body(update)
                .await
        })?;
        Ok(())
    }

    /// Every chat the emulator holds: id → its JSON, exactly as the API sends it.
    pub fn chats(&self) -> BTreeMap<String, Vec<u8>> {
        self.emulator.with_store(|store| {
            store
                .chats
                .by_start()
                .map(|(id, entry)| (id.to_owned(), entry.json.to_vec()))
                .collect()
        })
    }
}

/// `zchat` with no account settings from the environment or the user's config file.
pub fn bare_zchat() -> assert_cmd::Command {
    let mut process = std::process::Command::new(ZCHAT);
    isolate(&mut process);
    let mut command = assert_cmd::Command::from_std(process);
    command.timeout(Duration::from_secs(120));
    command
}

/// Removes the account settings of the environment and points the config file nowhere.
fn isolate(command: &mut std::process::Command) {
    for name in [
        "ZENDESK_SUBDOMAIN",
        "ZENDESK_CHAT_TOKEN",
        "ZCHAT_BASE_URL",
        "ZCHAT_CONFIG",
    ] {
        command.env_remove(name);
    }
    command.env("XDG_CONFIG_HOME", "/nonexistent/zchat-tests");
}

/// Every chat in a database's `chats` table: id → its raw JSON.
pub fn sqlite_chats(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut statement = connection.prepare("SELECT id, raw FROM chats").unwrap();
    statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?.into_bytes(),
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The lines of a JSON Lines file, each a record.
pub fn jsonl(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The `id` of a JSON record.
pub fn id_of(line: &str) -> String {
    let value: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {line}"))
        .to_owned()
}

/// Asserts that the export file holds every chat of `expected` exactly once, byte for byte as the
/// server sent it.
pub fn assert_holds_every_chat_once(lines: &[String], expected: &BTreeMap<String, Vec<u8>>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in lines {
        let id = id_of(line);
        *seen.entry(id.clone()).or_default() += 1;
        let sent = expected
            .get(&id)
            .unwrap_or_else(|| panic!("a record the server does not hold: {id}"));
        assert_eq!(
            line.as_bytes(),
            sent.as_slice(),
            "chat {id} differs from what the server sent"
        );
    }
    let twice: Vec<_> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    assert!(twice.is_empty(), "written more than once: {twice:?}");
    let missing: Vec<_> = expected
        .keys()
        .filter(|id| !seen.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} chats missing, such as {:?}",
        missing.len(),
        missing.first()
    );
}

/// The `records` an export's state file says are written, or 0 before it exists.
pub fn saved_records(state: &Path) -> u64 {
    std::fs::read_to_string(state)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|state| state["records"].as_u64())
        .unwrap_or(0)
}

/// Waits until `ready` or the child exits; true when `ready` came first.
pub fn wait_until(child: &mut Child, timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if ready() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("neither ready nor finished after {timeout:?}");
}

/// Standard error as text, asserted to be one line.
pub fn one_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).into_owned();
    assert_eq!(text.trim_end().lines().count(), 1, "not one line: {text:?}");
    text
}

/// A command's standard output as JSON, asserting that it succeeded.
pub fn json(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Every request waits `delay`, so that a run takes long enough to be stopped part-way.
pub fn every_request_delayed(delay: Duration) -> Faults {
    Faults {
        seed: 1,
        delays: 1.0,
        delay,
        ..Faults::none()
    }
}

/// Starts `zchat ARGS` once per pause and kills it after that pause if it is still running (as
/// a user's Ctrl-C or a crash would), then runs it to the end; gives how many runs were killed
/// part-way.
pub fn kill_after_pauses_then_finish(server: &Server, args: &[&str], pauses_ms: &[u64]) -> usize {
    let mut kills = 0;
    for pause in pauses_ms {
        let mut child = server.zchat_process(args).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(*pause));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    server.zchat().args(args).assert().success();
    kills
}

/// Runs `zchat ARGS` until it succeeds, as a user would after a run gave up on its retries (it
/// resumes); at most 20 runs.
pub fn run_until_it_succeeds(server: &Server, args: &[&str]) {
    let mut runs = 0;
    loop {
        runs += 1;
        let outcome = server.zchat().args(args).output().unwrap();
        if outcome.status.success() {
            return;
        }
        one_line(&outcome.stderr);
        assert!(runs < 20, "still failing after {runs} runs");
    }
}

/// Kills `zchat ARGS` (a backup) once `steps_done` says three steps are done, checks that the
/// account was fetched once, then runs it again to the end without faults: the finished steps
/// are not fetched again.
pub fn kill_a_backup_midway_and_resume(
    server: &Server,
    args: &[&str],
    steps_done: impl Fn() -> i64,
) {
    let mut child = server.zchat_process(args).spawn().unwrap();
    let stopped_midway = wait_until(&mut child, Duration::from_secs(30), || steps_done() >= 3);
    assert!(
        stopped_midway,
        "the backup finished before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let account_fetches = || {
        server
            .emulator
            .requests()
            .iter()
            .filter(|r| r.route.as_deref() == Some("/api/v2/chat/account"))
            .count()
    };
    assert_eq!(account_fetches(), 1);
    server.emulator.set_faults(Faults::none());
    server.zchat().args(args).assert().success();
    assert_eq!(
        account_fetches(),
        1,
        "the finished step was not fetched again"
    );
}
