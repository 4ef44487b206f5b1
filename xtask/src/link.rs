//! A network link of a chosen rate, for benchmarks of what crosses a network: a network namespace
//! of the benchmark's own joined to this machine by a veth pair, whose namespace side sends at
//! the rate given (`tc`'s token bucket filter). Programs run in the namespace with
//! [`Link::inside`]; the bytes that came over are read from the host side's counter. Needs root,
//! `ip` and `tc`; everything is removed when the link is dropped.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// The namespace's side of the link: where a server in it listens.
pub const SERVER_ADDRESS: &str = "10.231.77.2";
const HOST_ADDRESS: &str = "10.231.77.1/24";

/// A link to a network namespace, removed when dropped.
pub struct Link {
    namespace: String,
    host_side: String,
}

impl Link {
    /// Creates the namespace and the link, sending from the namespace at `rate` (in `tc`'s
    /// notation: `100mbit`, `1gbit`).
    pub fn create(rate: &str) -> anyhow::Result<Self> {
        // A run stopped before it could clean up (Ctrl-C) leaves its namespace and the route to
        // the link's addresses: gone before this one starts.
        remove_stale_links();
        let id = std::process::id();
        let namespace = format!("{NAMESPACE_PREFIX}{id}");
        let (host_side, server_side) = (format!("zb{id}h"), format!("zb{id}s"));
        run(&["ip", "netns", "add", &namespace])?;
        // Made: from here on, dropping `link` removes it, on an error too.
        let link = Self {
            namespace,
            host_side,
        };
        let ns = link.namespace.as_str();
        let steps: [&[&str]; 8] = [
            &[
                "ip",
                "link",
                "add",
                &link.host_side,
                "type",
                "veth",
                "peer",
                "name",
                &server_side,
            ],
            &["ip", "link", "set", &server_side, "netns", ns],
            &["ip", "addr", "add", HOST_ADDRESS, "dev", &link.host_side],
            &["ip", "link", "set", &link.host_side, "up"],
            &[
                "ip",
                "netns",
                "exec",
                ns,
                "ip",
                "addr",
                "add",
                &format!("{SERVER_ADDRESS}/24"),
                "dev",
                &server_side,
            ],
            &[
                "ip",
                "netns",
                "exec",
                ns,
                "ip",
                "link",
                "set",
                &server_side,
                "up",
            ],
            &["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"],
            &[
                "ip",
                "netns",
                "exec",
                ns,
                "tc",
                "qdisc",
                "add",
                "dev",
                &server_side,
                "root",
                "tbf",
                "rate",
                rate,
                "burst",
                "256kb",
                "latency",
                "100ms",
            ],
        ];
        for step in steps {
            run(step)?;
        }
        Ok(link)
    }

    /// `program` run inside the namespace.
    pub fn inside(&self, program: &Path) -> Command {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.namespace])
            .arg(program);
        command
    }

    /// The bytes this machine has received over the link so far.
    pub fn bytes_received(&self) -> anyhow::Result<u64> {
        let counter = format!("/sys/class/net/{}/statistics/rx_bytes", self.host_side);
        let text =
            std::fs::read_to_string(&counter).with_context(|| format!("reading {counter}"))?;
        Ok(text.trim().parse()?)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        // Deleting the namespace deletes its end of the pair, and with it the host's end (the
        // second command is for a pair made before its other end moved into the namespace).
        quietly(&["ip", "netns", "delete", &self.namespace]);
        quietly(&["ip", "link", "delete", &self.host_side]);
    }
}

/// The prefix of the namespaces this module makes.
const NAMESPACE_PREFIX: &str = "zchat-bench-";

/// Removes the namespaces and host ends of links left by runs that could not clean up.
fn remove_stale_links() {
    let Ok(namespaces) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&namespaces.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        if let Some(id) = name.strip_prefix(NAMESPACE_PREFIX) {
            quietly(&["ip", "netns", "delete", name]);
            quietly(&["ip", "link", "delete", &format!("zb{id}h")]);
        }
    }
}

/// Runs `command`, whatever comes of it (cleaning up what may not be there).
fn quietly(command: &[&str]) {
    let _ = Command::new(command[0])
        .args(&command[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn run(command: &[&str]) -> anyhow::Result<()> {
    let output = Command::new(command[0])
        .args(&command[1..])
        .output()
        .with_context(|| format!("running {}", command[0]))?;
    if !output.status.success() {
        bail!(
            "`{}` failed: {}",
            command.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
