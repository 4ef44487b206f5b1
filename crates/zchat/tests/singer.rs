//! `zchat singer` against real Singer components from PyPI: singer-tools' `singer-check-tap`
//! accepts its output, and `target-jsonl` loads it end to end; a run resumed from the target's
//! last STATE message brings only what changed since.
//!
//! The tools come from `ZCHAT_SINGER_BIN` (a directory holding `singer-check-tap` and
//! `target-jsonl`; `.ci/run` installs them with pip into `target/singer-venv`), or from `PATH`.
//! Where neither has them, the test says so and does nothing.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Server;
use serde_json::{Value, json};
use zendesk_chat_emulator::Emulator;

/// A Singer tool, or `None` when it is not installed.
fn tool(name: &str) -> Option<PathBuf> {
    let from_env = std::env::var_os("ZCHAT_SINGER_BIN").map(|dir| PathBuf::from(dir).join(name));
    let from_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    from_env.filter(|path| path.is_file()).or(from_path)
}

/// Runs `program` with `input` on standard input; its standard output, or a panic with its error.
fn pipe(program: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{} failed: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The tap's output, with `extra` arguments.
fn tap(server: &Server, config: &Path, extra: &[&str]) -> Vec<u8> {
    let output = server
        .zchat()
        .env_remove("ZCHAT_BASE_URL")
        .arg("singer")
        .arg("--config")
        .arg(config)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "zchat singer failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The records of `stream` in the tap's output.
fn records(output: &[u8], stream: &str) -> Vec<Value> {
    output
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice::<Value>(line).unwrap())
        .filter(|m| m["type"] == "RECORD" && m["stream"] == stream)
        .map(|m| m["record"].clone())
        .collect()
}

#[test]
fn real_singer_components_accept_the_tap_and_a_resumed_run_brings_only_changes() {
    let (Some(check_tap), Some(target_jsonl)) = (tool("singer-check-tap"), tool("target-jsonl"))
    else {
        eprintln!(
            "skipped: singer-check-tap and target-jsonl are not installed (pip install \
             singer-tools target-jsonl, or set ZCHAT_SINGER_BIN; .ci/run does)"
        );
        return;
    };
    let server = Server::start(
        Emulator::builder()
            .seed(51)
            .chats(120)
            .backdate_changes(Duration::from_secs(600)),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tap.json");
    std::fs::write(
        &config,
        json!({
            "access_token": server.emulator.token(),
            "subdomain": "example",
            "start_date": "2000-01-01",
            "base_url": server.emulator.base_url(),
        })
        .to_string(),
    )
    .unwrap();

    // Discover, then select four streams the way a user edits the catalog.
    let discovered = server
        .zchat()
        .args(["singer", "--discover"])
        .output()
        .unwrap();
    let mut catalog: Value = serde_json::from_slice(&discovered.stdout).unwrap();
    let wanted = ["chats", "agent_events", "departments", "bans"];
    for stream in catalog["streams"].as_array_mut().unwrap() {
        let selected = wanted.contains(&stream["tap_stream_id"].as_str().unwrap());
        stream["metadata"][0]["metadata"]["selected"] = json!(selected);
    }
    let catalog_path = dir.path().join("catalog.json");
    std::fs::write(&catalog_path, catalog.to_string()).unwrap();
    let catalog_arg = catalog_path.to_str().unwrap();

    let output = tap(&server, &config, &["--catalog", catalog_arg]);
    let checked = pipe(&check_tap, &[], &output);
    assert!(checked.contains("The output is valid"), "{checked}");
    assert!(
        records(&output, "agents").is_empty(),
        "an unselected stream"
    );

    let loaded = dir.path().join("loaded");
    std::fs::create_dir(&loaded).unwrap();
    let target_config = dir.path().join("target.json");
    std::fs::write(
        &target_config,
        json!({"destination_path": loaded, "do_timestamp_file": false}).to_string(),
    )
    .unwrap();
    let states = pipe(
        &target_jsonl,
        &["--config", target_config.to_str().unwrap()],
        &output,
    );
    let lines = |name: &str| {
        std::fs::read_to_string(loaded.join(format!("{name}.jsonl")))
            .unwrap()
            .lines()
            .count()
    };
    assert_eq!(lines("chats"), server.chats().len());
    assert_eq!(
        lines("departments"),
        server.emulator.with_store(|s| s.departments.len())
    );
    assert_eq!(
        lines("agent_events"),
        server.emulator.with_store(|s| s.agent_events.len())
    );

    // Resume from the target's last state: only the chat that changed comes again.
    let state = dir.path().join("state.json");
    std::fs::write(&state, states.lines().last().unwrap()).unwrap();
    let changed = server.chats().keys().next().unwrap().clone();
    server
        .set_comment(&changed, "changed after the first run")
        .unwrap();
    let resumed = tap(
        &server,
        &config,
        &["--catalog", catalog_arg, "--state", state.to_str().unwrap()],
    );
    let chats = records(&resumed, "chats");
    assert_eq!(chats.len(), 1, "only the changed chat");
    assert_eq!(chats[0]["id"], changed.as_str());
    assert!(records(&resumed, "agent_events").is_empty());
    let checked = pipe(&check_tap, &[], &resumed);
    assert!(checked.contains("The output is valid"), "{checked}");
}

#[test]
fn the_catalog_describes_every_stream_with_a_schema_and_keys() {
    let server = Server::start(Emulator::builder().chats(5));
    let output = server
        .zchat()
        .args(["singer", "--discover"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let catalog: Value = serde_json::from_slice(&output.stdout).unwrap();
    let streams = catalog["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 17, "five exports and twelve tables");
    for stream in streams {
        let name = stream["tap_stream_id"].as_str().unwrap();
        assert!(stream["schema"].is_object(), "{name}");
        assert!(
            !stream["key_properties"].as_array().unwrap().is_empty(),
            "{name}"
        );
        assert!(
            !stream["schema"].to_string().contains("$defs"),
            "{name}: draft 4 schemas for Singer targets"
        );
    }
    let chats = streams
        .iter()
        .find(|s| s["tap_stream_id"] == "chats")
        .unwrap();
    assert_eq!(
        chats["metadata"][0]["metadata"]["valid-replication-keys"],
        json!(["update_timestamp"])
    );
}
