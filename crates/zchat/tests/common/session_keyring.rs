//! A real OS keyring of the test's own: a D-Bus session bus and GNOME Keyring's Secret Service
//! on it, unlocked, in a temporary directory, stopped on drop. Nothing of the user's session
//! (their bus, their keyring) is reached.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A session bus with a Secret Service on it.
pub struct SessionKeyring {
    dir: tempfile::TempDir,
    address: String,
    bus: Child,
    keyring: Child,
}

impl SessionKeyring {
    /// Starts one, or says why it cannot be started here.
    pub fn start() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let runtime_dir = dir.path().join("run");
        std::fs::create_dir_all(&runtime_dir).map_err(|e| e.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| e.to_string())?;
        }
        let address = format!("unix:path={}", dir.path().join("bus").display());
        let bus = Command::new("dbus-daemon")
            .args([
                "--session",
                "--nofork",
                "--nopidfile",
                "--address",
                &address,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon: {e}"))?;
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets", "--unlock"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", dir.path())
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
        // The login keyring's password, then end of input: the keyring is created unlocked.
        {
            use std::io::Write;
            let mut stdin = keyring.stdin.take().expect("piped");
            stdin
                .write_all(b"test-keyring-password")
                .map_err(|e| e.to_string())?;
        }
        let started = Self {
            dir,
            address,
            bus,
            keyring,
        };
        started.wait_for_the_secret_service()?;
        Ok(started)
    }

    /// Waits until the Secret Service's name is owned on the bus.
    fn wait_for_the_secret_service(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
                .output()
                .map_err(|e| format!("dbus-send: {e}"))?;
            if String::from_utf8_lossy(&owned.stdout).contains("boolean true") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("the Secret Service did not appear on the bus within 15 s".into())
    }

    /// Points `command` at this keyring's session (and nothing of the user's).
    pub fn apply(&self, command: &mut Command) {
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"));
    }

    /// What the keyring holds under the attributes `service` and `username` (as any Secret
    /// Service client finds it: `secret-tool lookup`), if anything.
    pub fn lookup(&self, service: &str, username: &Path) -> Option<String> {
        let mut command = Command::new("secret-tool");
        command.args(["lookup", "service", service, "username"]);
        command.arg(username);
        self.apply(&mut command);
        let output = command.output().expect("secret-tool runs");
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl Drop for SessionKeyring {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts a keyring, or prints why the test is skipped and returns `None`; where a keyring is
/// required (`ZCHAT_TEST_REQUIRE_KEYRING`, set by `.ci/run` after installing one) the test fails
/// instead.
pub fn keyring_or_skip(test: &str) -> Option<SessionKeyring> {
    match SessionKeyring::start() {
        Ok(keyring) => Some(keyring),
        Err(why) if std::env::var_os("ZCHAT_TEST_REQUIRE_KEYRING").is_some() => {
            panic!("{test}: an OS keyring is required here, and none can be started: {why}")
        }
        Err(why) => {
            eprintln!("{test}: skipped, no OS keyring can be started here: {why}");
            None
        }
    }
}
