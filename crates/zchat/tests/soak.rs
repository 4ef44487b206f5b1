//! The fault soak (ignored by default; `cargo xtask soak` runs it in release): an export of
//! 100,000 chats through the emulator with 10% of requests failing (500s, 429s, connections cut
//! mid-body, slow answers), killed and resumed at random points, with chats changed while it runs.
//! It passes only if the output holds every chat exactly once, each at its latest version.
//!
//! `SOAK_CHATS` and `SOAK_SEED` change the size and the random points.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use common::{Server, jsonl, saved_records};
use zendesk_chat_emulator::{Emulator, Faults};

#[test]
#[ignore = "a long soak: run with `cargo xtask soak`"]
fn an_export_through_faults_and_kills_holds_every_chat_once_at_its_latest_version() {
    let chats: usize = std::env::var("SOAK_CHATS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("soak: {chats} chats, seed {seed} (SOAK_SEED={seed} to repeat)");
    let mut random = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let server = Server::start(
        Emulator::builder()
            .seed(seed)
            .chats(chats)
            .faults(Faults::mixed(0.10, seed))
            .backdate_changes(Duration::from_secs(600)),
    );
    eprintln!("soak: emulator ready in {:.1?}", started.elapsed());

    let dir = tempfile::tempdir().unwrap();
    let (out, database) = (
        dir.path().join("chats.jsonl"),
        dir.path().join("chats.sqlite"),
    );
    let state = dir.path().join("chats.jsonl.state.json");
    let jsonl_args = [
        "export",
        "chats",
        "--since",
        "2000-01-01",
        "--limit",
        "500",
        "--out",
        out.to_str().unwrap(),
    ];
    let sqlite_args = [
        "export",
        "chats",
        "--since",
        "2000-01-01",
        "--limit",
        "500",
        "--sqlite",
        database.to_str().unwrap(),
    ];

    let ids: Vec<String> = server.chats().keys().cloned().collect();
    let (mut kills, mut failures, mut updates) = (0, 0, 0);
    for round in 0..12 {
        for args in [&jsonl_args, &sqlite_args] {
            let mut child = server.zchat_process(args).spawn().unwrap();
            let pause = Duration::from_millis(random.u64(20..1500));
            let stopped = common::wait_until(&mut child, pause + Duration::from_secs(600), {
                let begun = Instant::now();
                move || begun.elapsed() >= pause
            });
            if stopped {
                child.kill().unwrap();
                kills += 1;
            }
            if !child.wait().unwrap().success() && !stopped {
                failures += 1; // Gave up after its retries: the next run resumes.
            }
        }
        // Chats change while the export goes on; their new versions must end up in the output.
        if round % 3 == 1 {
            for _ in 0..20 {
                let id = &ids[random.usize(..ids.len())];
                if server
                    .set_comment(id, &format!("soak round {round}"))
                    .is_ok()
                {
                    updates += 1;
                }
            }
        }
        eprintln!(
            "soak: round {round}, {} records saved",
            saved_records(&state)
        );
    }
    for args in [&jsonl_args, &sqlite_args] {
        let mut runs = 0;
        while !server.zchat().args(args).output().unwrap().status.success() {
            runs += 1;
            assert!(runs < 30, "the export still fails after {runs} runs");
        }
    }
    let latest = server.chats();
    let faults = server
        .emulator
        .requests()
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    eprintln!(
        "soak: {kills} kills, {failures} runs gave up, {updates} chats changed, {faults} faults in {} requests, {:.1?}",
        server.emulator.requests().len(),
        started.elapsed()
    );
    assert!(kills >= 10, "only {kills} runs were killed part-way");
    assert!(updates > 0);

    // JSON Lines: each version of a chat once, and the last line of each chat its latest version.
    let lines = jsonl(&out);
    let mut versions = HashSet::new();
    let mut last: BTreeMap<String, &str> = BTreeMap::new();
    for line in &lines {
        assert!(
            versions.insert(line.as_str()),
            "a record written twice: {}",
            &line[..80.min(line.len())]
        );
        last.insert(common::id_of(line), line);
    }
    assert_eq!(last.len(), latest.len(), "every chat is in the JSON Lines");
    for (id, line) in &last {
        assert_eq!(
            line.as_bytes(),
            latest[id].as_slice(),
            "chat {id} is not at its latest version"
        );
    }
    // SQLite: one row per chat, at its latest version.
    let rows = common::sqlite_chats(&database);
    assert_eq!(rows, latest);
}
