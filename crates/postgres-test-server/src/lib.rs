//! A PostgreSQL server of a test's or a benchmark's own: `initdb` into a temporary directory,
//! started on a free port of 127.0.0.1, stopped when dropped. As root (CI), the server runs as the
//! `postgres` user the distribution's package creates, since PostgreSQL refuses to run as root.
//!
//! ```no_run
//! let server = postgres_test_server::PostgresServer::start().expect("PostgreSQL is installed");
//! println!("{}", server.url); // postgresql://postgres@127.0.0.1:PORT/postgres
//! ```

// No unsafe code in this crate (the workspace only denies it; see the root Cargo.toml).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::Command;

/// A running server; stopped on drop.
pub struct PostgresServer {
    bin: PathBuf,
    data: tempfile::TempDir,
    as_postgres: bool,
    port: u16,
    /// The connection URL of its `postgres` database (trust authentication, no password).
    pub url: String,
}

/// Where the server's programs are: on `PATH`, or in Debian's versioned directory.
fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>());
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|version| version.path().join("bin"));
    // Where `initdb` really is (PATH may hold only links to it), for its sibling programs.
    on_path
        .chain(debian)
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
        .and_then(|dir| std::fs::canonicalize(dir.join("initdb")).ok())
        .and_then(|initdb| initdb.parent().map(PathBuf::from))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

impl PostgresServer {
    /// Starts a server, or says why none can be started here (the test then skips, saying so).
    pub fn start() -> Result<Self, String> {
        let bin = bin_dir().ok_or(
            "no PostgreSQL server programs (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin",
        )?;
        let as_postgres = is_root();
        // As root, in /tmp: TMPDIR may be under /root, which the postgres user cannot enter.
        let data = if as_postgres {
            tempfile::Builder::new().tempdir_in("/tmp")
        } else {
            tempfile::tempdir()
        }
        .map_err(|e| e.to_string())?;
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(data.path())
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(
                    "running as root, and there is no `postgres` user to run the server as".into(),
                );
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let server = Self {
            bin,
            data,
            as_postgres,
            port,
            url: format!("postgresql://postgres@127.0.0.1:{port}/postgres"),
        };
        let cluster = server.data.path().join("cluster");
        server.run(
            "initdb",
            &[
                "-D",
                cluster.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=on",
            server.data.path().display()
        );
        server.run(
            "pg_ctl",
            &[
                "-D",
                cluster.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                server.data.path().join("log").to_str().unwrap(),
                "-w",
                "start",
            ],
        )?;
        Ok(server)
    }

    /// Creates the database `name`, and gives its connection URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        let port = self.port.to_string();
        self.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
        )?;
        Ok(format!("postgresql://postgres@127.0.0.1:{port}/{name}"))
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let output = command
            .args(args)
            .current_dir(self.data.path())
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let cluster = self.data.path().join("cluster");
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                cluster.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

/// Starts a server, or prints why the test is skipped and returns `None`; where PostgreSQL is
/// required (`ZCHAT_TEST_REQUIRE_POSTGRES`, set by `.ci/run` after installing it) the test fails
/// instead.
pub fn server_or_skip(test: &str) -> Option<PostgresServer> {
    match PostgresServer::start() {
        Ok(server) => Some(server),
        Err(why) if std::env::var_os("ZCHAT_TEST_REQUIRE_POSTGRES").is_some() => {
            panic!("{test}: PostgreSQL is required here, and it cannot be started: {why}")
        }
        Err(why) => {
            eprintln!("{test}: skipped, no PostgreSQL server can be started here: {why}");
            None
        }
    }
}
