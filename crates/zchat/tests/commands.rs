//! `zchat chats|agents|visitors …` and `zchat demo` as processes against the emulator: each
//! command does what it says, and its output is JSON (or a table with `--table`).

mod common;

use common::{Server, json};
use serde_json::Value;
use zendesk_chat_emulator::Emulator;

fn server() -> Server {
    Server::start(Emulator::builder().seed(31).chats(300))
}

#[test]
fn agents_list_get_and_me() {
    let server = server();
    let listed = json(
        &server
            .zchat()
            .args(["agents", "list", "--page-size", "3"])
            .output()
            .unwrap(),
    );
    let ids: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = server
        .emulator
        .with_store(|s| s.agents.keys().copied().collect());
    assert_eq!(ids, expected, "every agent, across pages of 3");

    let (id, email) = (ids[1], listed[1]["email"].as_str().unwrap().to_owned());
    let by_id = json(
        &server
            .zchat()
            .args(["agents", "get", &id.to_string()])
            .output()
            .unwrap(),
    );
    let by_email = json(
        &server
            .zchat()
            .args(["agents", "get", &email])
            .output()
            .unwrap(),
    );
    assert_eq!(by_id["email"], email.as_str());
    assert_eq!(by_email["id"], id);

    let me = json(&server.zchat().args(["agents", "me"]).output().unwrap());
    assert!(me["id"].is_i64());

    let table = server
        .zchat()
        .args(["agents", "list", "--table"])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("email") && table.contains(&email), "{table}");
}

#[test]
fn agents_create_update_and_delete() {
    let server = server();
    let password = "Correct-Horse-42";
    let created = server
        .zchat()
        .args([
            "agents",
            "create",
            "--email",
            "new.agent@example.com",
            "--password-stdin",
            "--display-name",
            "New A",
            "--first-name",
            "New",
        ])
        .write_stdin(format!("{password}\n"))
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&created.stdout).contains(password),
        "the password is printed"
    );
    let created = json(&created);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        server
            .emulator
            .with_store(|s| s.agents[&id].email.clone())
            .as_deref(),
        Some("new.agent@example.com")
    );

    json(
        &server
            .zchat()
            .args([
                "agents",
                "update",
                &id.to_string(),
                "--display-name",
                "Renamed",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(
        server
            .emulator
            .with_store(|s| s.agents[&id].display_name.clone())
            .as_deref(),
        Some("Renamed")
    );

    server
        .zchat()
        .args(["agents", "delete", &id.to_string()])
        .assert()
        .success();
    assert!(!server.emulator.with_store(|s| s.agents.contains_key(&id)));
    let gone = server
        .zchat()
        .args(["agents", "get", &id.to_string()])
        .output()
        .unwrap();
    assert!(!gone.status.success());
    assert!(common::one_line(&gone.stderr).contains("404"));
}

#[test]
fn an_agent_needs_a_password_on_standard_input() {
    let server = server();
    let outcome = server
        .zchat()
        .args([
            "agents",
            "create",
            "--email",
            "x@example.com",
            "--password-stdin",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(!outcome.status.success());
    assert!(common::one_line(&outcome.stderr).contains("password"));
}

#[test]
fn chats_get_search_and_delete() {
    let server = server();
    let ids: Vec<String> = server.chats().keys().take(3).cloned().collect();
    let got = json(
        &server
            .zchat()
            .args(["chats", "get"])
            .args(&ids)
            .output()
            .unwrap(),
    );
    let got_ids: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(got_ids, ids.iter().map(String::as_str).collect::<Vec<_>>());

    let table = String::from_utf8(
        server
            .zchat()
            .args(["--table", "chats", "get", &ids[0]])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(table.contains(&ids[0]), "{table}");

    let found = json(
        &server
            .zchat()
            .args(["chats", "search", "type:chat", "--limit", "7"])
            .output()
            .unwrap(),
    );
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 7);
    assert!(
        found
            .iter()
            .all(|r| server.chats().contains_key(r["id"].as_str().unwrap()))
    );

    let deleted = json(
        &server
            .zchat()
            .args(["chats", "delete", &ids[0], &ids[1]])
            .output()
            .unwrap(),
    );
    assert_eq!(deleted["number_success"], 2);
    let after = server
        .zchat()
        .args(["chats", "get", &ids[0], &ids[2]])
        .output()
        .unwrap();
    assert!(
        !after.status.success(),
        "a deleted chat is reported missing"
    );
    assert!(common::one_line(&after.stderr).contains(&ids[0]));
    let still: Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(
        still[0]["id"],
        ids[2].as_str(),
        "the chats found are still printed"
    );
}

#[test]
fn visitors_create_get_and_update() {
    let server = server();
    let created = json(
        &server
            .zchat()
            .args([
                "visitors",
                "create",
                "--name",
                "Vera Visitor",
                "--email",
                "vera@example.com",
            ])
            .output()
            .unwrap(),
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let got = json(
        &server
            .zchat()
            .args(["visitors", "get", &id])
            .output()
            .unwrap(),
    );
    assert_eq!(got["name"], "Vera Visitor");
    json(
        &server
            .zchat()
            .args(["visitors", "update", &id, "--notes", "called back"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        server
            .emulator
            .with_store(|s| s.visitors[&id].notes.clone())
            .as_deref(),
        Some("called back")
    );
    let table = String::from_utf8(
        server
            .zchat()
            .args(["--table", "visitors", "get", &id])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(table.contains("Vera Visitor"), "{table}");
}

#[test]
fn the_demo_runs_offline_and_exports_everything() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = common::bare_zchat()
        .args(["demo", "--chats", "400", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        outcome.status.success(),
        "{}",
        String::from_utf8_lossy(&outcome.stderr)
    );
    let printed = String::from_utf8(outcome.stdout).unwrap();
    assert!(printed.contains("400 records"), "{printed}");
    // Each export's summary once, in one line; the resumed export says it found nothing new.
    let summaries = printed
        .lines()
        .chain(String::from_utf8_lossy(&outcome.stderr).lines())
        .filter(|line| line.contains("exported 400 records"))
        .count();
    assert_eq!(summaries, 2, "{printed}");
    assert!(
        printed.contains("nothing new since the last run (400 records in all)"),
        "{printed}"
    );
    let resumed = printed.lines().find(|l| l.contains("nothing new")).unwrap();
    assert!(!resumed.contains("records/s"), "{resumed}");
    assert_eq!(common::jsonl(&dir.path().join("chats.jsonl")).len(), 400);
    let connection = rusqlite::Connection::open(dir.path().join("chats.sqlite")).unwrap();
    let rows: i64 = connection
        .query_row("SELECT count(*) FROM chats", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, 400);
}

#[test]
fn agent_watch_prints_live_messages_as_they_arrive() {
    let server = Server::start(
        zendesk_chat_emulator::Emulator::builder()
            .chats(20)
            .simulated_visitors(Some(std::time::Duration::from_millis(100))),
    );
    let output = server
        .zchat()
        .args(["agent", "watch", "--count", "3", "--online"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in lines {
        assert!(
            line.starts_with("[VisitorChannel:") && line.contains("] Visitor Visitor "),
            "{line}"
        );
    }
    assert!(!String::from_utf8_lossy(&output.stderr).contains(server.emulator.token()));
}
