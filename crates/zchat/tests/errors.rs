//! Errors are one clear line and a non-zero exit code, and the token never shows.

mod common;

use std::io::Write;

use common::{Server, bare_zchat, one_line};
use zendesk_chat_emulator::Emulator;

const SECRET: &str = "tok-very-secret-41c9";

#[test]
fn a_missing_token_is_one_line() {
    let outcome = bare_zchat()
        .args(["--subdomain", "acme", "agents", "me"])
        .output()
        .unwrap();
    assert_eq!(outcome.status.code(), Some(1));
    assert!(one_line(&outcome.stderr).contains("no access token"));
}

#[test]
fn a_refused_token_is_one_line_without_the_token() {
    let server = Server::start(Emulator::builder().seed(41).chats(5));
    let outcome = server
        .zchat()
        .env("ZENDESK_CHAT_TOKEN", SECRET)
        .args(["agents", "me"])
        .output()
        .unwrap();
    assert_eq!(outcome.status.code(), Some(1));
    let line = one_line(&outcome.stderr);
    assert!(
        line.contains("401") && line.contains("ZENDESK_CHAT_TOKEN"),
        "{line}"
    );
    assert!(!line.contains(SECRET));
    let export = server
        .zchat()
        .env("ZENDESK_CHAT_TOKEN", SECRET)
        .args(["export", "chats", "--since", "2020-01-01", "-q"])
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(1));
    let line = one_line(&export.stderr);
    assert!(
        line.contains("401") && line.contains("ZENDESK_CHAT_TOKEN"),
        "{line}"
    );
}

#[test]
fn a_server_that_cannot_be_reached_is_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base_url = format!("http://127.0.0.1:{port}");
    let outcome = bare_zchat()
        .env("ZENDESK_CHAT_TOKEN", SECRET)
        .args(["--base-url", &base_url, "agents", "list"])
        .output()
        .unwrap();
    assert_eq!(outcome.status.code(), Some(1));
    let line = one_line(&outcome.stderr);
    assert!(
        line.contains("cannot reach") && line.contains(&base_url),
        "{line}"
    );
    assert!(!line.contains(SECRET));
}

#[test]
fn a_bad_date_is_one_line() {
    for bad in ["yesterday", "2024-13-01", "12:00"] {
        let outcome = bare_zchat()
            .env("ZENDESK_CHAT_TOKEN", SECRET)
            .args(["export", "chats", "--since", bad])
            .output()
            .unwrap();
        assert_eq!(outcome.status.code(), Some(2), "--since {bad}");
        assert!(
            one_line(&outcome.stderr).contains("not a time"),
            "--since {bad}"
        );
    }
}

#[test]
fn the_token_is_not_shown_by_help() {
    let outcome = bare_zchat()
        .env("ZENDESK_CHAT_TOKEN", SECRET)
        .args(["export", "--help"])
        .output()
        .unwrap();
    assert!(outcome.status.success());
    assert!(!String::from_utf8_lossy(&outcome.stdout).contains(SECRET));
}

#[test]
fn flags_beat_the_environment_which_beats_the_config_file() {
    let server = Server::start(Emulator::builder().seed(42).chats(5));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let write_config = |token: &str| {
        let mut file = std::fs::File::create(&config).unwrap();
        writeln!(
            file,
            "base_url = \"{}\"\ntoken = \"{token}\"",
            server.emulator.base_url()
        )
        .unwrap();
    };
    let me = |command: &mut assert_cmd::Command| {
        command
            .args(["agents", "me"])
            .output()
            .unwrap()
            .status
            .code()
    };

    write_config(server.emulator.token());
    assert_eq!(
        me(bare_zchat().arg("--config").arg(&config)),
        Some(0),
        "the config file alone"
    );
    assert_eq!(
        me(bare_zchat().env("ZCHAT_CONFIG", &config)),
        Some(0),
        "the config file from ZCHAT_CONFIG"
    );
    assert_eq!(
        me(bare_zchat()
            .arg("--config")
            .arg(&config)
            .env("ZENDESK_CHAT_TOKEN", SECRET)),
        Some(1),
        "the environment beats the file"
    );
    write_config(SECRET);
    assert_eq!(me(bare_zchat().arg("--config").arg(&config)), Some(1));
    assert_eq!(
        me(bare_zchat()
            .arg("--config")
            .arg(&config)
            .env("ZENDESK_CHAT_TOKEN", server.emulator.token())),
        Some(0),
        "the environment beats the file"
    );
    assert_eq!(
        me(bare_zchat()
            .arg("--config")
            .arg(&config)
            .env("ZENDESK_CHAT_TOKEN", SECRET)
            .args(["--token", server.emulator.token()])),
        Some(0),
        "the flag beats the environment"
    );
}

#[test]
fn a_bad_config_file_is_named_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("token = \"{SECRET}\"\nsubdomian = \"acme\"\n"),
    )
    .unwrap();
    let outcome = bare_zchat()
        .arg("--config")
        .arg(&config)
        .args(["agents", "me"])
        .output()
        .unwrap();
    assert_eq!(outcome.status.code(), Some(1));
    let line = one_line(&outcome.stderr);
    assert!(line.contains("config.toml"), "{line}");
    assert!(!line.contains(SECRET), "{line}");
}
