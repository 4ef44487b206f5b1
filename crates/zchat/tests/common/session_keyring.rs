//! A real OS keyring of the test's own: a D-Bus session bus and GNOME Keyring's Secret Service
//! on it, unlocked, in a temporary directory, stopped on drop. Nothing of the user's session
//! (their bus, their keyring) is reached.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A session bus with a Secret Service on it.
pub struct SessionKeyring {
    dir: tempfile::TempDir,
    address: String,
    /// The daemons, stopped on drop (the bus last).
    children: Vec<Child>,
}

/// The bus's configuration: a session bus on one socket that starts no service on demand, so
/// that nothing but the keyring started here answers (and nothing appears on a screen).
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>ADDRESS</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

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
        let config = dir.path().join("bus.conf");
        std::fs::write(&config, BUS_CONFIG.replace("ADDRESS", &address))
            .map_err(|e| e.to_string())?;
        let mut started = Self {
            dir,
            address,
            children: Vec::new(),
        };
        // Each daemon joins `started` as soon as it runs, so that a later failure stops it.
        let bus = started
            .command("dbus-daemon")
            .arg("--nofork")
            .arg("--nopidfile")
            .arg(format!("--config-file={}", config.display()))
            .spawn()
            .map_err(|e| format!("dbus-daemon: {e}"))?;
        started.children.push(bus);
        let mut keyring = started
            .command("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets", "--unlock"])
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
        let stdin = keyring.stdin.take();
        started.children.push(keyring);
        // The login keyring's password, then end of input: the keyring is created unlocked.
        {
            use std::io::Write;
            let mut stdin = stdin.expect("piped");
            stdin
                .write_all(b"test-keyring-password")
                .map_err(|e| e.to_string())?;
        }
        started.wait_for_the_secret_service()?;
        Ok(started)
    }

    /// A daemon's command: nothing of the user's environment (their bus, display or keyring),
    /// only this session's.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// Stops the Secret Service, leaving the bus: from now on the keyring does not answer.
    pub fn stop_secret_service(&mut self) {
        if self.children.len() > 1 {
            let mut keyring = self.children.remove(1);
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
    }

    /// Waits until the Secret Service's name is owned on the bus.
    fn wait_for_the_secret_service(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let owned = self
                .command("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .stdout(Stdio::piped())
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
    pub fn lookup(&self, service: &str, username: &str) -> Option<String> {
        let output = self
            .command("secret-tool")
            .args(["lookup", "service", service, "username", username])
            .stdout(Stdio::piped())
            .output()
            .expect("secret-tool runs");
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl Drop for SessionKeyring {
    fn drop(&mut self) {
        while let Some(mut child) = self.children.pop() {
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
