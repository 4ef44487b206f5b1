//! `zchat account|departments|skills|roles|goals|shortcuts|triggers|bans|routing|oauth|metrics`
//! and `zchat backup` as processes against the emulator: every resource is reached with the same
//! verbs, secrets stay hidden unless asked for, and a backup holds the whole account and resumes
//! after a kill.

mod common;

use std::time::Duration;

use common::{Server, json};
use serde_json::Value;
use zendesk_chat_emulator::Emulator;

fn run(server: &Server, args: &[&str]) -> Value {
    json(&server.zchat().args(args).output().unwrap())
}

#[test]
fn every_resource_is_listed_with_the_same_verb() {
    let server = Server::start(Emulator::builder().seed(41).chats(40));
    for (resource, stored) in [
        (
            "departments",
            server.emulator.with_store(|s| s.departments.len()),
        ),
        ("skills", server.emulator.with_store(|s| s.skills.len())),
        ("roles", server.emulator.with_store(|s| s.roles.len())),
        ("goals", server.emulator.with_store(|s| s.goals.len())),
        (
            "shortcuts",
            server.emulator.with_store(|s| s.shortcuts.len()),
        ),
        ("triggers", server.emulator.with_store(|s| s.triggers.len())),
        ("bans", server.emulator.with_store(|s| s.bans.len())),
    ] {
        let listed = run(&server, &[resource, "list"]);
        assert_eq!(listed.as_array().unwrap().len(), stored, "{resource}");
    }
    let account = run(&server, &["account", "get"]);
    assert_eq!(account["plan"]["max_departments"], "unlimited");
    let metrics = run(&server, &["metrics", "agents"]);
    assert_eq!(metrics["content"]["topic"], "agents");
    let routing = run(&server, &["routing", "get", "--me"]);
    assert!(routing["id"].is_i64());
}

#[test]
fn a_department_is_created_changed_by_name_and_deleted() {
    let server = Server::start(Emulator::builder().seed(42).chats(20));
    let created = run(
        &server,
        &[
            "departments",
            "create",
            "--json",
            r#"{"name": "Gift Boxes", "enabled": 1}"#,
        ],
    );
    let id = created["id"].as_i64().unwrap().to_string();
    let changed = run(
        &server,
        &[
            "departments",
            "update",
            "Gift Boxes",
            "--json",
            r#"{"description": "Hampers too"}"#,
        ],
    );
    assert_eq!(changed["description"], "Hampers too");
    assert_eq!(
        run(&server, &["departments", "get", &id])["name"],
        "Gift Boxes"
    );
    server
        .zchat()
        .args(["departments", "delete", &id])
        .assert()
        .success();
    let missing = server
        .zchat()
        .args(["departments", "get", &id])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("404"),
        "{missing:?}"
    );
}

#[test]
fn a_body_that_does_not_fit_is_refused_before_anything_is_sent() {
    let server = Server::start(Emulator::builder().chats(5));
    let output = server
        .zchat()
        .args([
            "goals",
            "create",
            "--json",
            r#"{"name": "x", "attribution_period": "soon"}"#,
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--json: attribution_period"), "{stderr}");
    assert!(server.emulator.requests().is_empty(), "nothing was sent");
}

#[test]
fn secrets_are_printed_only_when_asked_for() {
    let server = Server::start(Emulator::builder().chats(5));
    let token = server
        .emulator
        .with_store(|s| s.oauth_tokens.values().next().unwrap()["access_token"].clone());
    let token = token.as_str().unwrap();
    let hidden = server
        .zchat()
        .args(["oauth", "tokens", "list"])
        .output()
        .unwrap();
    assert!(hidden.status.success());
    assert!(!String::from_utf8_lossy(&hidden.stdout).contains(token));
    let shown = server
        .zchat()
        .args(["oauth", "tokens", "list", "--show-secrets"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains(token));
}

/// Every table of the backup and its row count.
fn row_counts(database: &std::path::Path) -> Vec<(String, i64)> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|table| {
            let count = connection
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                    row.get(0)
                })
                .unwrap();
            (table, count)
        })
        .collect()
}

#[test]
fn a_backup_holds_every_resource_and_export_of_the_account() {
    let server = Server::start(Emulator::builder().seed(43).chats(150));
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("backup.sqlite");
    server
        .zchat()
        .args(["backup", "-q", "--sqlite"])
        .arg(&database)
        .assert()
        .success();
    let counts: std::collections::BTreeMap<String, i64> =
        row_counts(&database).into_iter().collect();
    let expected = server.emulator.with_store(|s| {
        [
            ("account", 1),
            ("agents", s.agents.len()),
            ("departments", s.departments.len()),
            ("skills", s.skills.len()),
            ("roles", s.roles.len()),
            ("goals", s.goals.len()),
            ("shortcuts", s.shortcuts.len()),
            ("triggers", s.triggers.len()),
            ("bans", s.bans.len()),
            ("routing_settings", 1 + s.agents.len()),
            ("oauth_clients", s.oauth_clients.len()),
            ("oauth_tokens", s.oauth_tokens.len()),
            ("chats", s.chats.len()),
            ("agent_timeline", s.timeline.len()),
            ("agent_events", s.agent_events.len()),
            ("conversions", s.conversions.len()),
            ("department_events", s.department_events.len()),
        ]
    });
    for (table, rows) in expected {
        assert!(rows > 0, "the generated account has no {table}");
        assert_eq!(counts.get(table).copied(), Some(rows as i64), "{table}");
    }
    let connection = rusqlite::Connection::open(&database).unwrap();
    let raw: String = connection
        .query_row("SELECT group_concat(raw) FROM oauth_tokens", [], |row| {
            row.get(0)
        })
        .unwrap();
    let secret = server.emulator.with_store(|s| {
        s.oauth_tokens.values().next().unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    });
    assert!(!raw.contains(&secret), "no token is stored");
}

#[test]
fn a_killed_backup_resumes_without_fetching_its_finished_steps_again() {
    let slow = common::every_request_delayed(Duration::from_millis(40));
    let server = Server::start(Emulator::builder().seed(44).chats(600).faults(slow));
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("backup.sqlite");
    let path = database.to_str().unwrap();
    let args = ["backup", "-q", "--sqlite", path];
    common::kill_a_backup_midway_and_resume(&server, &args, || {
        rusqlite::Connection::open(&database)
            .and_then(|c| {
                c.query_row("SELECT count(*) FROM backup_steps", [], |row| {
                    row.get::<_, i64>(0)
                })
            })
            .unwrap_or(0)
    });
    let counts: std::collections::BTreeMap<String, i64> =
        row_counts(&database).into_iter().collect();
    assert_eq!(
        counts["chats"],
        server.emulator.with_store(|s| s.chats.len()) as i64
    );
    let runs: i64 = rusqlite::Connection::open(&database)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM backup_runs WHERE finished_at IS NOT NULL",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(runs, 1, "one run, resumed and finished");
}
