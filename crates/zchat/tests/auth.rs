//! `zchat auth` against the emulator's OAuth endpoints, the browser step driven by the test: a
//! login with each grant, then exports with the stored token (refreshed mid-export when it
//! expires), status and logout, and each error shown with its remedy. No output holds a secret.

mod common;

use std::future::IntoFuture;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::session_keyring::{SessionKeyring, keyring_or_skip};
use common::{Server, ZCHAT};
use zendesk_chat_emulator::Emulator;

const SINCE: &str = "2000-01-01";

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An account of `chats` whose access tokens expire `lifetime` after they are issued, every
/// request delayed by `delay`: an export outlives its token.
fn expiring_tokens(seed: u64, chats: usize, lifetime: Duration, delay: Duration) -> Server {
    Server::start(
        Emulator::builder()
            .seed(seed)
            .chats(chats)
            .oauth_token_lifetime(lifetime)
            .faults(common::every_request_delayed(delay)),
    )
}

/// `zchat` against the emulator, with its config (and credentials) in `home` and no token given.
fn zchat(server: &Server, home: &Path) -> Command {
    let mut command = Command::new(ZCHAT);
    for name in [
        "ZENDESK_SUBDOMAIN",
        "ZENDESK_CHAT_TOKEN",
        "ZCHAT_CONFIG",
        "ZCHAT_CLIENT_SECRET",
    ] {
        command.env_remove(name);
    }
    // The file, and no session bus, unless a test asks for its own keyring: a developer's own
    // keyring is never touched.
    command
        .env("XDG_CONFIG_HOME", home)
        .env("ZCHAT_BASE_URL", server.emulator.base_url())
        .env("ZCHAT_CREDENTIAL_STORE", "file")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", home.join("no-bus").display()),
        )
        .env("XDG_RUNTIME_DIR", home);
    command
}

/// `zchat` as above, on the test's own keyring session, choosing where to keep the token itself.
fn zchat_with_keyring(server: &Server, home: &Path, keyring: &SessionKeyring) -> Command {
    let mut command = zchat(server, home);
    command.env("ZCHAT_CREDENTIAL_STORE", "auto");
    keyring.apply(&mut command);
    command
}

/// Starts `zchat auth login` for the client, and reads the authorization URL it prints.
fn start_login(server: &Server, home: &Path, id: &str, secret: &str, port: u16) -> Login {
    start_login_with(zchat(server, home), id, secret, port)
}

/// The same, with `command` as the `zchat` to run.
fn start_login_with(mut command: Command, id: &str, secret: &str, port: u16) -> Login {
    let mut child = command
        .args([
            "auth",
            "login",
            "--no-browser",
            "--client-id",
            id,
            "--port",
            &port.to_string(),
        ])
        .env("ZCHAT_CLIENT_SECRET", secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let url = loop {
        let line = lines.next().expect("zchat prints the URL").unwrap();
        seen.push(line.clone());
        if line.starts_with("http") {
            break line;
        }
    };
    // The rest of standard error, read on a thread so that zchat never blocks on it.
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    Login {
        child,
        url,
        seen,
        rest,
    }
}

/// A running `zchat auth login`.
struct Login {
    child: Child,
    url: String,
    seen: Vec<String>,
    rest: std::thread::JoinHandle<Vec<String>>,
}

impl Login {
    /// Waits for it: whether it succeeded, and all it printed.
    fn finish(self) -> (bool, String) {
        let output = self.child.wait_with_output().unwrap();
        let mut lines = self.seen;
        lines.extend(self.rest.join().unwrap());
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            lines.join("\n")
        );
        (output.status.success(), text)
    }
}

/// What the browser does: the authorization page, then wherever it redirects (zchat's listener).
fn browser(server: &Server, url: &str) -> u16 {
    server.block_on(async {
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = browser.get(url).send().await.unwrap();
        assert_eq!(page.status(), 302, "the authorization page redirects");
        let back = page.headers()["location"].to_str().unwrap().to_owned();
        browser.get(back).send().await.unwrap().status().as_u16()
    })
}

/// `zchat auth login --client-credentials` with a new client of `client_type`: its secret, and
/// what the login printed.
fn headless_login(
    server: &Server,
    home: &Path,
    client_type: &str,
) -> (String, std::process::Output) {
    let (id, secret) = server
        .emulator
        .oauth_client("http://127.0.0.1:1/callback", client_type);
    let login = zchat(server, home)
        .args(["auth", "login", "--client-credentials", "--client-id", &id])
        .env("ZCHAT_CLIENT_SECRET", &secret)
        .output()
        .unwrap();
    (secret, login)
}

fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !secret.is_empty() && !text.contains(secret),
            "a secret in: {text}"
        );
    }
}

fn stored(home: &Path) -> toml::Table {
    let text = std::fs::read_to_string(home.join("zchat/credentials.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

#[test]
fn a_browser_login_stores_a_token_that_exports_then_status_and_logout() {
    let server = Server::start(Emulator::builder().seed(71).chats(120));
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let (id, secret) = server
        .emulator
        .oauth_client(&format!("http://127.0.0.1:{port}/callback"), "public");
    let login = start_login(&server, home.path(), &id, &secret, port);
    let url = login.url.clone();
    assert!(
        url.contains(&format!("client_id={id}")) && url.contains("state="),
        "{url}"
    );
    assert_eq!(
        browser(&server, &url),
        200,
        "zchat's listener answers the browser"
    );
    let (ok, text) = login.finish();
    assert!(ok, "{text}");
    assert!(text.contains("logged in as"), "{text}");

    let path = home.path().join("zchat/credentials.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the credentials are the owner's only");
    }
    let credentials = stored(home.path());
    let access = credentials["access_token"].as_str().unwrap().to_owned();
    let refresh = credentials["refresh_token"].as_str().unwrap().to_owned();
    assert_no_secret(&text, &[&secret, &access, &refresh]);

    let out = home.path().join("chats.jsonl");
    let export = zchat(&server, home.path())
        .args(["export", "chats", "--since", SINCE, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert_eq!(common::jsonl(&out).len(), 120);

    let status = zchat(&server, home.path())
        .args(["auth", "status"])
        .output()
        .unwrap();
    let status_text = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(status.status.success());
    assert!(
        status_text.contains("scopes: read write") && status_text.contains("refreshes itself: yes"),
        "{status_text}"
    );
    assert!(
        status_text.contains(&path.display().to_string()),
        "{status_text}"
    );
    assert_no_secret(&status_text, &[&secret, &access, &refresh]);

    let logout = zchat(&server, home.path())
        .args(["auth", "logout"])
        .output()
        .unwrap();
    let logout_text = String::from_utf8_lossy(&logout.stderr).into_owned();
    assert!(logout.status.success(), "{logout_text}");
    assert!(
        logout_text.contains("the token is revoked"),
        "{logout_text}"
    );
    assert!(!path.exists());
    let client = zendesk_chat::Client::builder()
        .base_url(server.emulator.base_url())
        .token(&access)
        .build()
        .unwrap();
    let refused = server
        .block_on(client.get_current_agent().into_future())
        .unwrap_err();
    assert_eq!(
        refused.status_code(),
        Some(401),
        "the revoked token no longer works"
    );
    let after = zchat(&server, home.path())
        .args(["export", "chats", "--since", SINCE, "--out"])
        .arg(home.path().join("again.jsonl"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&after.stderr).contains("zchat auth login"));
}

#[test]
fn client_credentials_log_in_headless_and_a_public_client_is_told_what_to_change() {
    let server = Server::start(Emulator::builder().seed(72).chats(40));
    let home = tempfile::tempdir().unwrap();
    let (public_secret, refused) = headless_login(&server, home.path(), "public");
    let text = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(!refused.status.success());
    assert!(
        text.contains("invalid_client") && text.contains("confidential"),
        "{text}"
    );
    assert_no_secret(&text, &[&public_secret]);

    let (secret, login) = headless_login(&server, home.path(), "confidential");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&login.stdout),
        String::from_utf8_lossy(&login.stderr)
    );
    assert!(login.status.success(), "{text}");
    let credentials = stored(home.path());
    assert_eq!(credentials["grant"].as_str(), Some("client_credentials"));
    assert!(credentials.get("refresh_token").is_none());
    assert_no_secret(
        &text,
        &[&secret, credentials["access_token"].as_str().unwrap()],
    );
    let out = home.path().join("chats.jsonl");
    let export = zchat(&server, home.path())
        .args(["export", "chats", "--since", SINCE, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(export.status.success());
    assert_eq!(common::jsonl(&out).len(), 40);
}

#[test]
fn an_access_token_that_expires_mid_export_is_refreshed_without_losing_a_page() {
    let server = expiring_tokens(
        73,
        1500,
        Duration::from_millis(700),
        Duration::from_millis(30),
    );
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let (id, secret) = server
        .emulator
        .oauth_client(&format!("http://127.0.0.1:{port}/callback"), "public");
    let login = start_login(&server, home.path(), &id, &secret, port);
    browser(&server, &login.url.clone());
    let (ok, text) = login.finish();
    assert!(ok, "{text}");
    let first_refresh = stored(home.path())["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // 30 pages of 50, 30 ms each at least: the token expires part-way, more than once.
    let out = home.path().join("chats.jsonl");
    let export = zchat(&server, home.path())
        .args([
            "export", "chats", "--since", SINCE, "--limit", "50", "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&export.stderr).into_owned();
    assert!(export.status.success(), "{text}");
    common::assert_holds_every_chat_once(&common::jsonl(&out), &server.chats());
    let credentials = stored(home.path());
    let refresh = credentials["refresh_token"].as_str().unwrap();
    assert_ne!(refresh, first_refresh, "the new refresh token is stored");
    let refreshes = server
        .emulator
        .requests()
        .iter()
        .filter(|r| r.status == 401)
        .count();
    assert!(refreshes >= 1, "the token never expired during the export");
    assert_no_secret(&text, &[&secret, refresh, &first_refresh]);
}

#[test]
fn a_denied_authorization_and_a_forged_redirect_are_explained() {
    let server = Server::start(Emulator::builder().seed(74).chats(10));
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let (id, secret) = server
        .emulator
        .oauth_client(&format!("http://127.0.0.1:{port}/callback"), "public");
    server.emulator.deny_next_authorization();
    let login = start_login(&server, home.path(), &id, &secret, port);
    browser(&server, &login.url.clone());
    let (ok, text) = login.finish();
    assert!(!ok);
    assert!(
        text.contains("access_denied") && text.contains("click Allow"),
        "{text}"
    );

    let port = free_port();
    let (id, secret) = server
        .emulator
        .oauth_client(&format!("http://127.0.0.1:{port}/callback"), "public");
    let login = start_login(&server, home.path(), &id, &secret, port);
    let forged = format!("http://127.0.0.1:{port}/callback?code=stolen&state=forged");
    server.block_on(async { reqwest::get(&forged).await.unwrap() });
    let (ok, text) = login.finish();
    assert!(!ok);
    assert!(text.contains("state does not match"), "{text}");
    assert!(!home.path().join("zchat/credentials.toml").exists());
}

#[test]
fn a_manual_login_takes_the_pasted_redirect_url() {
    let server = Server::start(Emulator::builder().seed(75).chats(10));
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let (id, secret) = server
        .emulator
        .oauth_client(&format!("http://127.0.0.1:{port}/callback"), "public");
    let mut child = zchat(&server, home.path())
        .args([
            "auth",
            "login",
            "--manual",
            "--client-id",
            &id,
            "--port",
            &port.to_string(),
        ])
        .env("ZCHAT_CLIENT_SECRET", &secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("zchat prints the URL").unwrap();
        if line.starts_with("http") {
            break line;
        }
    };
    // The browser lands on a page nothing serves (no listener with --manual); the user copies
    // its address.
    let landed = server.block_on(async {
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = browser.get(&url).send().await.unwrap();
        page.headers()["location"].to_str().unwrap().to_owned()
    });
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{landed}").unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "{rest:?}");
    assert_eq!(
        stored(home.path())["grant"].as_str(),
        Some("authorization_code")
    );
}

#[test]
fn a_token_the_chat_api_refuses_is_explained_as_not_a_chat_token() {
    let server = Server::start(Emulator::builder().seed(76).chats(10));
    let home = tempfile::tempdir().unwrap();
    let (secret, login) = headless_login(&server, home.path(), "confidential");
    assert!(login.status.success());
    // The token stops working (as a Support token never worked on the Chat API).
    let mut credentials = stored(home.path());
    credentials.insert("access_token".into(), "a-support-admin-center-token".into());
    std::fs::write(
        home.path().join("zchat/credentials.toml"),
        toml::to_string(&credentials).unwrap(),
    )
    .unwrap();
    let status = zchat(&server, home.path())
        .args(["auth", "status"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&status.stderr).into_owned();
    assert!(!status.status.success());
    assert!(
        text.contains("Support's Admin Center") && text.contains("Chat dashboard"),
        "{text}"
    );
    assert_no_secret(&text, &["a-support-admin-center-token", &secret]);
}

#[test]
fn a_browser_that_never_comes_back_is_explained_by_the_redirect_url() {
    let server = Server::start(Emulator::builder().seed(77).chats(10));
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    // Registered with https: the authorization page refuses http://127.0.0.1:PORT/callback and
    // never redirects, so zchat waits in vain.
    let (id, secret) = server
        .emulator
        .oauth_client(&format!("https://127.0.0.1:{port}/callback"), "public");
    let mut login = zchat(&server, home.path());
    login
        .args([
            "auth",
            "login",
            "--no-browser",
            "--wait",
            "1",
            "--client-id",
            &id,
        ])
        .args(["--port", &port.to_string()])
        .env("ZCHAT_CLIENT_SECRET", &secret);
    let output = login.output().unwrap();
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success());
    assert!(
        text.contains("register http://127.0.0.1:") && text.contains("exactly"),
        "{text}"
    );
    assert_no_secret(&text, &[&secret]);
}

#[test]
fn a_stored_token_is_never_sent_to_another_account() {
    let server = Server::start(Emulator::builder().seed(78).chats(10));
    let home = tempfile::tempdir().unwrap();
    let (_, login) = headless_login(&server, home.path(), "confidential");
    assert!(login.status.success());
    // Another server named: the stored token must not go there.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let other = format!("http://{}", elsewhere.local_addr().unwrap());
    let export = zchat(&server, home.path())
        .env("ZCHAT_BASE_URL", &other)
        .args(["export", "chats", "--since", SINCE, "--out"])
        .arg(home.path().join("x.jsonl"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&export.stderr).into_owned();
    assert!(!export.status.success());
    assert!(
        text.contains("the stored login (zchat auth login) is for"),
        "{text}"
    );
    elsewhere.set_nonblocking(true).unwrap();
    assert!(
        elsewhere.accept().is_err(),
        "nothing connected to the other server"
    );
}

/// The name of the keyring entry `credentials.toml` points to.
fn keyring_entry(home: &Path) -> String {
    stored(home)["keyring_entry"]
        .as_str()
        .expect("the file names a keyring entry")
        .to_owned()
}

/// A browser login for a new public client, on the test's own keyring.
fn keyring_login(server: &Server, home: &Path, keyring: &SessionKeyring) -> (String, String) {
    let port = free_port();
    let (id, secret) = server
        .emulator
        .oauth_client(&format!("http://127.0.0.1:{port}/callback"), "public");
    let login = start_login_with(
        zchat_with_keyring(server, home, keyring),
        &id,
        &secret,
        port,
    );
    browser(server, &login.url.clone());
    let (ok, text) = login.finish();
    assert!(ok, "{text}");
    (secret, text)
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn where_an_os_keyring_answers_the_tokens_live_in_it_are_refreshed_there_and_forgotten_on_logout() {
    let Some(keyring) = keyring_or_skip("keyring login") else {
        return;
    };
    let server = expiring_tokens(
        77,
        1500,
        Duration::from_millis(700),
        Duration::from_millis(30),
    );
    let home = tempfile::tempdir().unwrap();
    let (secret, text) = keyring_login(&server, home.path(), &keyring);
    assert!(text.contains("kept in the OS keyring"), "{text}");

    // The file names the keyring entry and holds no secret; the keyring holds them, as any
    // Secret Service client sees it.
    let path = home.path().join("zchat/credentials.toml");
    let credentials = stored(home.path());
    for name in ["access_token", "refresh_token", "client_secret"] {
        assert!(credentials.get(name).is_none(), "{name} is in the file");
    }
    let name = keyring_entry(home.path());
    let entry = |keyring: &SessionKeyring| -> serde_json::Value {
        let text = keyring
            .lookup("zchat", &name)
            .expect("an entry in the keyring");
        serde_json::from_str(&text).unwrap()
    };
    let first = entry(&keyring);
    let access = first["access_token"].as_str().unwrap().to_owned();
    let first_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(first["client_secret"].as_str(), Some(secret.as_str()));
    let file_text = std::fs::read_to_string(&path).unwrap();
    assert_no_secret(&file_text, &[&secret, &access, &first_refresh]);
    assert_no_secret(&text, &[&secret, &access, &first_refresh]);

    // The token expires mid-export: renewed, with the new refresh token saved in the keyring.
    let out = home.path().join("chats.jsonl");
    let export = zchat_with_keyring(&server, home.path(), &keyring)
        .args([
            "export", "chats", "--since", SINCE, "--limit", "50", "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let export_text = String::from_utf8_lossy(&export.stderr).into_owned();
    assert!(export.status.success(), "{export_text}");
    common::assert_holds_every_chat_once(&common::jsonl(&out), &server.chats());
    let renewed = entry(&keyring);
    let refresh = renewed["refresh_token"].as_str().unwrap().to_owned();
    let renewed_access = renewed["access_token"].as_str().unwrap().to_owned();
    assert_ne!(
        refresh, first_refresh,
        "the new refresh token is in the keyring"
    );
    let file_text = std::fs::read_to_string(&path).unwrap();
    assert_no_secret(&file_text, &[&secret, &renewed_access, &refresh]);
    assert!(
        server.emulator.requests().iter().any(|r| r.status == 401),
        "the token never expired during the export"
    );
    assert_no_secret(
        &export_text,
        &[&secret, &refresh, &first_refresh, &renewed_access],
    );

    let status = zchat_with_keyring(&server, home.path(), &keyring)
        .args(["auth", "status"])
        .output()
        .unwrap();
    let status_text = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(status.status.success(), "{status_text}");
    assert!(
        status_text.contains("stored in: the OS keyring"),
        "{status_text}"
    );

    // A session whose keyring does not answer is told where the token is, and what to do.
    let elsewhere = zchat(&server, home.path())
        .args(["export", "chats", "--since", SINCE, "--out"])
        .arg(home.path().join("again.jsonl"))
        .output()
        .unwrap();
    let elsewhere_text = String::from_utf8_lossy(&elsewhere.stderr).into_owned();
    assert!(!elsewhere.status.success());
    assert!(
        elsewhere_text.contains("kept in the OS keyring")
            && elsewhere_text.contains("no OS keyring answered"),
        "{elsewhere_text}"
    );

    let logout = zchat_with_keyring(&server, home.path(), &keyring)
        .args(["auth", "logout"])
        .output()
        .unwrap();
    let logout_text = String::from_utf8_lossy(&logout.stderr).into_owned();
    assert!(logout.status.success(), "{logout_text}");
    assert!(
        logout_text.contains("revoked and removed from the OS keyring"),
        "{logout_text}"
    );
    assert_eq!(keyring.lookup("zchat", &name), None, "the entry is gone");
    assert!(!path.exists());
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn where_no_keyring_answers_login_keeps_the_token_in_an_owner_only_file_and_says_why() {
    let server = Server::start(Emulator::builder().seed(78).chats(10));
    let home = tempfile::tempdir().unwrap();
    let no_bus = format!("unix:path={}", home.path().join("no-bus").display());
    let (id, secret) = server
        .emulator
        .oauth_client("http://127.0.0.1:1/callback", "confidential");
    let login = |store: &str| {
        zchat(&server, home.path())
            .env("ZCHAT_CREDENTIAL_STORE", store)
            .env("DBUS_SESSION_BUS_ADDRESS", &no_bus)
            .env("XDG_RUNTIME_DIR", home.path())
            .env("ZCHAT_CLIENT_SECRET", &secret)
            .args(["auth", "login", "--client-credentials", "--client-id", &id])
            .output()
            .unwrap()
    };

    let auto = login("auto");
    let text = String::from_utf8_lossy(&auto.stderr).into_owned();
    assert!(auto.status.success(), "{text}");
    assert!(
        text.contains("no OS keyring answered") && text.contains("kept in the file instead"),
        "{text}"
    );
    let path = home.path().join("zchat/credentials.toml");
    let credentials = stored(home.path());
    assert!(credentials.get("keyring_entry").is_none());
    let access = credentials["access_token"].as_str().unwrap().to_owned();
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the credentials are the owner's only");
    }
    assert_no_secret(&text, &[&secret, &access]);

    // Asked for the keyring and there is none: an error, and the login before it is kept.
    let before = std::fs::read_to_string(&path).unwrap();
    let keyring_only = login("keyring");
    let text = String::from_utf8_lossy(&keyring_only.stderr).into_owned();
    assert!(!keyring_only.status.success());
    assert!(
        text.contains("--store keyring: cannot store the token in the OS keyring"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    assert_no_secret(&text, &[&secret]);
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn a_renewed_token_the_keyring_can_no_longer_take_is_kept_in_the_file_not_lost() {
    let Some(mut keyring) = keyring_or_skip("keyring gone mid-export") else {
        return;
    };
    // A token that expires 3 s after the login, pages that take 400 ms each: the export reads
    // the login from the keyring, the keyring goes away, then the token must be renewed.
    let server = expiring_tokens(79, 300, Duration::from_secs(3), Duration::from_millis(400));
    let home = tempfile::tempdir().unwrap();
    let (secret, _) = keyring_login(&server, home.path(), &keyring);
    let name = keyring_entry(home.path());
    let before = server.emulator.requests().len();
    let out = home.path().join("chats.jsonl");
    let mut export = zchat_with_keyring(&server, home.path(), &keyring)
        .args([
            "export", "chats", "--since", SINCE, "--limit", "25", "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its first request is made after it has read the login.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while server.emulator.requests().len() == before {
        assert!(
            std::time::Instant::now() < deadline,
            "the export never asked"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    keyring.stop_secret_service();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut export.stderr.take().unwrap(), &mut text).unwrap();
    assert!(export.wait().unwrap().success(), "{text}");
    common::assert_holds_every_chat_once(&common::jsonl(&out), &server.chats());
    assert!(
        text.contains("cannot take the renewed token"),
        "the token was never renewed after the keyring went: {text}"
    );

    // The renewed tokens are in the file now (owner only), and the next command uses them.
    let credentials = stored(home.path());
    assert!(credentials.get("keyring_entry").is_none());
    let refresh = credentials["refresh_token"].as_str().unwrap().to_owned();
    let status = zchat(&server, home.path())
        .args(["auth", "status"])
        .output()
        .unwrap();
    let status_text = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(status.status.success(), "{status_text}");
    assert!(
        status_text.contains("readable by you only"),
        "{status_text}"
    );
    assert_no_secret(&text, &[&secret, &refresh]);
    assert_eq!(
        keyring.lookup("zchat", &name),
        None,
        "the keyring no longer answers"
    );
}
