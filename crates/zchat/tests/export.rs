//! `zchat export` as a process against the emulator: every record exactly once and byte for byte,
//! through kills, Ctrl-C and injected faults, to JSON Lines, CSV and SQLite.

mod common;

use std::time::Duration;

use common::{Server, assert_holds_every_chat_once, jsonl, saved_records, wait_until};
use zendesk_chat_emulator::{Emulator, Faults};

/// Every request waits a little, so that an export of a few thousand chats takes long enough to be
/// stopped part-way.
fn slow() -> Faults {
    common::every_request_delayed(Duration::from_millis(15))
}

const SINCE: &str = "2000-01-01";

#[test]
fn an_export_holds_every_chat_once_exactly_as_sent() {
    let server = Server::start(Emulator::builder().seed(11).chats(1200));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chats.jsonl");
    server
        .zchat()
        .args([
            "export", "chats", "--since", SINCE, "--limit", "200", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_holds_every_chat_once(&jsonl(&out), &server.chats());
    assert_eq!(
        saved_records(&dir.path().join("chats.jsonl.state.json")),
        1200
    );

    // To standard output, the same bytes.
    let printed = server
        .zchat()
        .args(["export", "chats", "--since", SINCE, "-q"])
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert_eq!(printed.stdout, std::fs::read(&out).unwrap());
}

#[test]
fn an_export_killed_part_way_and_resumed_holds_the_same_records_as_one_run() {
    let server = Server::start(Emulator::builder().seed(12).chats(3000).faults(slow()));
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.jsonl");
    server
        .zchat()
        .args([
            "export", "chats", "--since", SINCE, "--limit", "50", "--out",
        ])
        .arg(&whole)
        .assert()
        .success();

    let resumed = dir.path().join("resumed.jsonl");
    let state = dir.path().join("resumed.jsonl.state.json");
    let args = [
        "export",
        "chats",
        "--since",
        SINCE,
        "--limit",
        "50",
        "--out",
        resumed.to_str().unwrap(),
    ];
    let mut kills = 0;
    for kill_after in [1, 700, 1500, 2400] {
        let mut child = server.zchat_process(&args).spawn().unwrap();
        if wait_until(&mut child, Duration::from_secs(60), || {
            saved_records(&state) >= kill_after
        }) {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(
        kills >= 3,
        "the export was killed part-way only {kills} times"
    );
    server.zchat().args(args).assert().success();

    let mut one_run = jsonl(&whole);
    let mut in_parts = jsonl(&resumed);
    assert_holds_every_chat_once(&in_parts, &server.chats());
    one_run.sort();
    in_parts.sort();
    assert_eq!(one_run, in_parts);
}

#[test]
fn ctrl_c_stops_an_export_with_its_last_page_saved() {
    let server = Server::start(Emulator::builder().seed(13).chats(2000).faults(slow()));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chats.jsonl");
    let state = dir.path().join("chats.jsonl.state.json");
    let args = [
        "export",
        "chats",
        "--since",
        SINCE,
        "--limit",
        "50",
        "--out",
        out.to_str().unwrap(),
    ];
    let mut child = server.zchat_process(&args).spawn().unwrap();
    assert!(wait_until(
        &mut child,
        Duration::from_secs(60),
        || saved_records(&state) >= 500
    ));
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let written = jsonl(&out).len() as u64;
    assert_eq!(
        written,
        saved_records(&state),
        "the file holds whole pages only"
    );
    assert!(written < 2000, "stopped before the end");

    let again = server.zchat().args(args).output().unwrap();
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains(&format!("resuming after {written} records"))
    );
    assert_holds_every_chat_once(&jsonl(&out), &server.chats());
}

#[test]
fn injected_faults_lose_nothing() {
    let server = Server::start(
        Emulator::builder()
            .seed(14)
            .chats(2000)
            .faults(Faults::mixed(0.3, 99)),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chats.jsonl");
    let database = dir.path().join("chats.sqlite");
    for target in [
        ["--out", out.to_str().unwrap()],
        ["--sqlite", database.to_str().unwrap()],
    ] {
        let args = [
            &["export", "chats", "--since", SINCE, "--limit", "100"][..],
            &target[..],
        ]
        .concat();
        common::run_until_it_succeeds(&server, &args);
    }
    let faults = server
        .emulator
        .requests()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(faults > 5, "only {faults} faults were injected");
    assert_holds_every_chat_once(&jsonl(&out), &server.chats());
    assert_eq!(common::sqlite_chats(&database), server.chats());
}

#[test]
fn csv_has_a_row_for_every_chat_with_its_columns() {
    let server = Server::start(Emulator::builder().seed(15).chats(800));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chats.csv");
    server
        .zchat()
        .args([
            "export", "chats", "--since", SINCE, "--format", "csv", "--limit", "300", "--out",
        ])
        .arg(&out)
        .assert()
        .success();

    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    for column in [
        "id",
        "type",
        "timestamp",
        "update_timestamp",
        "visitor_name",
        "agent_names",
        "department_name",
        "rating",
        "tags",
        "message_count",
        "duration",
    ] {
        assert!(
            header.contains(&column.to_owned()),
            "no column {column} in {header:?}"
        );
    }
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let chats = server.chats();
    let mut seen = std::collections::BTreeSet::new();
    for row in reader.records() {
        let row = row.unwrap();
        let id = row[column("id")].to_owned();
        let chat: serde_json::Value = serde_json::from_slice(&chats[&id]).unwrap();
        assert_eq!(row[column("type")], *chat["type"].as_str().unwrap());
        assert_eq!(
            row[column("update_timestamp")],
            *chat["update_timestamp"].as_str().unwrap()
        );
        if chat["type"] == "chat" {
            let messages = chat["history"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["type"] == "chat.msg")
                .count();
            assert_eq!(
                row[column("message_count")],
                messages.to_string(),
                "chat {id}"
            );
        }
        assert!(seen.insert(id), "a chat written twice");
    }
    assert_eq!(seen.len(), chats.len());
}

#[test]
fn sqlite_holds_every_chat_and_an_update_replaces_the_older_version() {
    let server = Server::start(
        Emulator::builder()
            .seed(16)
            .chats(900)
            .backdate_changes(Duration::from_secs(600)),
    );
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("archive.sqlite");
    let export = || {
        server
            .zchat()
            .args([
                "export", "chats", "--since", SINCE, "--limit", "250", "--sqlite",
            ])
            .arg(&database)
            .assert()
            .success()
    };
    export();
    assert_eq!(common::sqlite_chats(&database), server.chats());

    let target = server.chats().keys().nth(10).unwrap().clone();
    server
        .set_comment(&target, "updated after the export")
        .unwrap();
    export();
    let stored = common::sqlite_chats(&database);
    assert_eq!(stored.len(), 900, "the update replaced its row");
    let row: serde_json::Value = serde_json::from_slice(&stored[&target]).unwrap();
    assert_eq!(row["comment"], "updated after the export");
    assert_eq!(stored, server.chats());
}

#[test]
fn a_killed_sqlite_export_resumes_to_the_same_rows() {
    let server = Server::start(Emulator::builder().seed(17).chats(2500).faults(slow()));
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("chats.sqlite");
    let args = [
        "export",
        "chats",
        "--since",
        SINCE,
        "--limit",
        "50",
        "--sqlite",
        database.to_str().unwrap(),
    ];
    let kills = common::kill_after_pauses_then_finish(&server, &args, &[100, 400, 800]);
    assert!(kills >= 2, "killed part-way only {kills} times");
    assert_eq!(common::sqlite_chats(&database), server.chats());
}

#[test]
fn every_resource_exports_to_the_same_database() {
    let server = Server::start(Emulator::builder().seed(18).chats(300));
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("all.sqlite");
    for resource in [
        "chats",
        "agent-timeline",
        "conversions",
        "department-events",
    ] {
        server
            .zchat()
            .args(["export", resource, "--since", SINCE, "-q", "--sqlite"])
            .arg(&database)
            .assert()
            .success();
    }
    let (timeline, conversions, events) = server.emulator.with_store(|s| {
        (
            s.timeline.len() as i64,
            s.conversions.len() as i64,
            s.department_events.len() as i64,
        )
    });
    assert!(timeline > 0 && conversions > 0 && events > 0);
    let connection = rusqlite::Connection::open(&database).unwrap();
    let count = |table: &str| -> i64 {
        connection
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap()
    };
    assert_eq!(count("chats"), 300);
    assert_eq!(count("agent_timeline"), timeline);
    assert_eq!(count("conversions"), conversions);
    assert_eq!(count("department_events"), events);
    assert_eq!(count("export_state"), 4);
}

#[test]
fn until_bounds_an_export_and_a_later_run_does_not_skip_past_it() {
    let server = Server::start(Emulator::builder().seed(19).chats(600));
    let chats = server.chats();
    let mut times: Vec<String> = chats
        .values()
        .map(|json| {
            serde_json::from_slice::<serde_json::Value>(json).unwrap()["update_timestamp"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    times.sort();
    let until = times[300].clone();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("window.jsonl");
    let args = [
        "export",
        "chats",
        "--since",
        SINCE,
        "--until",
        until.as_str(),
        "--limit",
        "100",
        "--out",
        out.to_str().unwrap(),
    ];
    server.zchat().args(args).assert().success();
    let in_window = times.iter().filter(|t| **t <= until).count();
    let lines = jsonl(&out);
    assert_eq!(
        lines.len(),
        in_window,
        "the chats changed up to --until {until}"
    );
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value["update_timestamp"].as_str().unwrap() <= until.as_str());
    }
    // The same window again: complete, nothing added.
    server.zchat().args(args).assert().success();
    assert_eq!(jsonl(&out).len(), in_window);
    // Going further from this file would skip the chats past --until in its last page: refused.
    let further = server
        .zchat()
        .args(["export", "chats", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!further.status.success());
    assert!(common::one_line(&further.stderr).contains("--until"));
}

#[test]
fn follow_picks_up_changes_made_after_catching_up() {
    let server = Server::start(
        Emulator::builder()
            .seed(20)
            .chats(200)
            .backdate_changes(Duration::from_secs(600)),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chats.jsonl");
    let state = dir.path().join("chats.jsonl.state.json");
    let mut child = server
        .zchat_process(&[
            "export",
            "chats",
            "--since",
            SINCE,
            "--follow",
            "--interval",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    assert!(wait_until(
        &mut child,
        Duration::from_secs(60),
        || saved_records(&state) >= 200
    ));
    let target = server.chats().keys().next().unwrap().clone();
    server.set_comment(&target, "seen by --follow").unwrap();
    let picked_up = wait_until(&mut child, Duration::from_secs(30), || {
        saved_records(&state) >= 201
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(picked_up, "--follow stopped instead of polling");
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 201);
    assert_eq!(common::id_of(&lines[200]), target);
    assert!(lines[200].contains("seen by --follow"));
}

#[test]
fn a_record_the_typed_models_do_not_fit_is_archived_as_sent_and_counted_at_the_end() {
    let server = Server::start(Emulator::builder().seed(14).chats(300));
    // One chat as no model fits it: a message count that is text (a record from a future API).
    let (bad_id, bad_json) = server.emulator.with_store(|store| {
        let (id, _) = store.chats.by_start().nth(17).unwrap();
        let id = id.to_owned();
        let json = format!(r#"{{"type":"chat","id":"{id}","count":"many","update_timestamp":"2026-01-01T00:00:00Z"}}"#);
        assert!(store.replace_chat_json(&id, json.as_bytes()));
        (id, json)
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chats.jsonl");
    let run = server
        .zchat()
        .args([
            "export", "chats", "--since", SINCE, "--limit", "100", "-q", "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("1 records would not decode into the typed models"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&bad_id) && stderr.contains("`count`"),
        "{stderr}"
    );
    // The archive is complete: every chat once, the bad one byte for byte as served.
    let lines = jsonl(&out);
    assert_holds_every_chat_once(&lines, &server.chats());
    assert!(lines.contains(&bad_json));
}
