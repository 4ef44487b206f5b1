//! The `zendesk-chat-emulator` program serves a generated account that any HTTP client can use.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_program_serves_an_account_on_the_port_it_prints() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zendesk-chat-emulator"))
        .args([
            "--port",
            "0",
            "--chats",
            "50",
            "--seed",
            "3",
            "--token",
            "t0ken",
            "--no-visitors",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let base_url = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("Zendesk Chat emulator listening on ")
                .map(str::to_owned)
        })
        .expect("the program prints where it listens");
    let http = reqwest::Client::new();
    let url = format!("{base_url}/api/v2/chat/chats");
    let chats: serde_json::Value = http
        .get(&url)
        .bearer_auth("t0ken")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(chats["chats"].as_array().unwrap().len(), 50);
    let refused = http
        .get(&url)
        .bearer_auth("emulator-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "only the given token is accepted");
    child.kill().unwrap();
    child.wait().unwrap();
}
