//! `zchat export --postgres` against a PostgreSQL server the test starts itself: every record
//! once with its typed columns, an update replacing its row, and the same kill-and-resume and
//! fault tests as the SQLite sink. Skipped, saying so, where no server can be started (and
//! required where `.ci/run` installed one).

mod common;

use std::time::Duration;

use common::Server;
use common::postgres_db::{as_values, chats, client};
use postgres_test_server::server_or_skip;
use zendesk_chat_emulator::{Emulator, Faults};

const SINCE: &str = "2000-01-01";

/// Every request waits a little, so that an export takes long enough to be killed part-way.
fn slow() -> Faults {
    common::every_request_delayed(Duration::from_millis(15))
}

#[test]
fn postgres_holds_every_chat_with_typed_columns_and_an_update_replaces_the_older_version() {
    let Some(database) = server_or_skip("postgres_holds_every_chat") else {
        return;
    };
    let server = Server::start(
        Emulator::builder()
            .seed(16)
            .chats(900)
            .backdate_changes(Duration::from_secs(600)),
    );
    let export = || {
        server
            .zchat()
            .args([
                "export",
                "chats",
                "--since",
                SINCE,
                "--limit",
                "250",
                "--postgres",
            ])
            .arg(&database.url)
            .assert()
            .success()
    };
    export();
    assert_eq!(chats(&database), as_values(&server.chats()));

    // The typed columns hold what the records say.
    let mut client = client(&database);
    let (id, raw): (String, String) = {
        let row = client
            .query_one("SELECT id, raw::text FROM chats ORDER BY id LIMIT 1", &[])
            .unwrap();
        (row.get(0), row.get(1))
    };
    let record: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let row = client
        .query_one(
            "SELECT type, deleted, to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM chats WHERE id = $1",
            &[&id],
        )
        .unwrap();
    assert_eq!(
        row.get::<_, Option<String>>(0).as_deref(),
        record["type"].as_str()
    );
    assert_eq!(row.get::<_, Option<bool>>(1), record["deleted"].as_bool());
    let sent = record["timestamp"].as_str().unwrap();
    assert!(
        sent.starts_with(&row.get::<_, String>(2)),
        "{sent} vs {:?}",
        row.get::<_, String>(2)
    );
    let saved: i64 = client
        .query_one(
            "SELECT (checkpoint->>'records')::bigint FROM export_state WHERE resource = 'chats'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(saved, 900);

    let target = server.chats().keys().nth(10).unwrap().clone();
    server
        .set_comment(&target, "updated after the export")
        .unwrap();
    export();
    let stored = chats(&database);
    assert_eq!(stored.len(), 900, "the update replaced its row");
    assert_eq!(stored[&target]["comment"], "updated after the export");
    assert_eq!(stored, as_values(&server.chats()));
}

#[test]
fn a_killed_postgres_export_resumes_to_the_same_rows() {
    let Some(database) = server_or_skip("a_killed_postgres_export_resumes") else {
        return;
    };
    let server = Server::start(Emulator::builder().seed(17).chats(2500).faults(slow()));
    let args = [
        "export",
        "chats",
        "--since",
        SINCE,
        "--limit",
        "50",
        "--postgres",
        &database.url,
    ];
    let kills = common::kill_after_pauses_then_finish(&server, &args, &[300, 700, 1100]);
    assert!(kills >= 2, "killed part-way only {kills} times");
    assert_eq!(chats(&database), as_values(&server.chats()));
}

#[test]
fn injected_faults_lose_nothing_in_postgres() {
    let Some(database) = server_or_skip("injected_faults_lose_nothing_in_postgres") else {
        return;
    };
    let server = Server::start(
        Emulator::builder()
            .seed(14)
            .chats(2000)
            .faults(Faults::mixed(0.3, 99)),
    );
    let args = [
        "export",
        "chats",
        "--since",
        SINCE,
        "--limit",
        "50",
        "--postgres",
        &database.url,
    ];
    common::run_until_it_succeeds(&server, &args);
    let faults = server
        .emulator
        .requests()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(faults > 5, "only {faults} faults were injected");
    assert_eq!(chats(&database), as_values(&server.chats()));
}

#[test]
fn every_resource_exports_to_the_same_postgres_database() {
    let Some(database) = server_or_skip("every_resource_exports_to_the_same_postgres_database")
    else {
        return;
    };
    let server = Server::start(Emulator::builder().seed(18).chats(300));
    for resource in [
        "chats",
        "agent-timeline",
        "agent-events",
        "conversions",
        "department-events",
    ] {
        server
            .zchat()
            .args([
                "export",
                resource,
                "--since",
                SINCE,
                "-q",
                "--postgres",
                &database.url,
            ])
            .assert()
            .success();
    }
    let mut client = client(&database);
    for table in [
        "chats",
        "agent_timeline",
        "conversions",
        "department_events",
    ] {
        let rows: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert!(rows > 0, "{table} is empty");
    }
    let states: i64 = client
        .query_one("SELECT count(*) FROM export_state", &[])
        .unwrap()
        .get(0);
    assert_eq!(states, 5, "one cursor per resource");
}

#[test]
fn a_database_that_cannot_be_reached_is_named_without_its_password() {
    let server = Server::start(Emulator::builder().seed(19).chats(10));
    let outcome = server
        .zchat()
        .args([
            "export",
            "chats",
            "--since",
            SINCE,
            "--postgres",
            "postgresql://archive:s3cret-password@127.0.0.1:1/chats",
        ])
        .output()
        .unwrap();
    assert!(!outcome.status.success());
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    assert!(
        stderr.contains("cannot connect to the PostgreSQL database \"chats\" on 127.0.0.1:1"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn a_backup_into_postgres_holds_every_resource_and_a_killed_one_resumes() {
    let Some(database) = server_or_skip("a_backup_into_postgres") else {
        return;
    };
    let slow = common::every_request_delayed(Duration::from_millis(40));
    let server = Server::start(Emulator::builder().seed(44).chats(300).faults(slow));
    let args = ["backup", "-q", "--postgres", &database.url];
    common::kill_a_backup_midway_and_resume(&server, &args, || {
        postgres::Client::connect(&database.url, postgres::NoTls)
            .and_then(|mut c| c.query_one("SELECT count(*) FROM backup_steps", &[]))
            .map_or(0, |row| row.get::<_, i64>(0))
    });
    let mut client = client(&database);
    let count = |client: &mut postgres::Client, table: &str| -> i64 {
        client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0)
    };
    let expected = server.emulator.with_store(|s| {
        [
            ("account", 1),
            ("agents", s.agents.len()),
            ("departments", s.departments.len()),
            ("bans", s.bans.len()),
            ("routing_settings", 1 + s.agents.len()),
            ("oauth_tokens", s.oauth_tokens.len()),
            ("chats", s.chats.len()),
            ("conversions", s.conversions.len()),
        ]
    });
    for (table, rows) in expected {
        assert_eq!(count(&mut client, table), rows as i64, "{table}");
    }
    assert_eq!(chats(&database), as_values(&server.chats()));
    let unfinished = count(&mut client, "backup_runs WHERE finished_at IS NULL");
    assert_eq!(unfinished, 0, "the resumed run finished");
}

#[test]
fn a_database_that_must_use_tls_is_tried_with_tls() {
    let Some(database) = server_or_skip("a_database_that_must_use_tls") else {
        return;
    };
    let server = Server::start(Emulator::builder().seed(20).chats(10));
    // The test's server has no certificate: asked to require TLS, zchat tries it (rather than
    // saying it has none) and says the server refused.
    let outcome = server
        .zchat()
        .args(["export", "chats", "--since", SINCE, "--postgres"])
        .arg(format!("{}?sslmode=require", database.url))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    assert!(!outcome.status.success());
    assert!(
        stderr.contains("cannot connect to the PostgreSQL"),
        "{stderr}"
    );
    assert!(!stderr.contains("no TLS implementation"), "{stderr}");
    // Without the requirement the same server is used in the clear (sslmode=prefer).
    server
        .zchat()
        .args([
            "export",
            "chats",
            "--since",
            SINCE,
            "-q",
            "--postgres",
            &database.url,
        ])
        .assert()
        .success();
}
