//! Decoding a page of 1,000 fully expanded chats into the typed models, into `serde_json::Value`
//! and into raw records (split only, and with their fields located), measured in interleaved
//! rounds: each round times the four on the same bytes one after the other (in a rotating order),
//! so that the machine's drifting speed on a shared host weighs on all four alike. Prints, as
//! JSON, each one's median time and the median ratio to `Value` with its spread over the rounds.
//! Run by `cargo xtask bench`.

use std::hint::black_box;
use std::time::Instant;

use zendesk_chat::export::{ExportResource, FieldLocation};
use zendesk_chat::types::IncrementalChatsPage;

/// Rounds, and decodes of each kind per round.
const ROUNDS: usize = 21;
const DECODES_PER_ROUND: usize = 5;

/// A way of decoding the page; gives how many chats it read.
#[derive(Clone, Copy)]
enum Decoder {
    /// Reads the page where it is.
    Borrowing(fn(&[u8]) -> usize),
    /// Takes a copy of the page as its own, as the raw split takes the body it is given; the
    /// copies are made before the clock starts (an export reads each body into a buffer of its
    /// own, reused from page to page).
    Owning(fn(Vec<u8>) -> usize),
}

fn typed(page: &[u8]) -> usize {
    serde_json::from_slice::<IncrementalChatsPage>(black_box(page))
        .expect("the page decodes")
        .chats
        .len()
}

fn value(page: &[u8]) -> usize {
    serde_json::from_slice::<serde_json::Value>(black_box(page)).expect("the page is JSON")["chats"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The page split into raw records as `zchat export` splits it for JSON Lines (`RawRecord`s,
/// fields located on first use).
fn raw(page: Vec<u8>) -> usize {
    raw_records(page, FieldLocation::OnFirstUse)
}

/// The page split as `zchat export` splits it for SQLite: each record's top-level fields located
/// in the same pass.
fn raw_with_fields(page: Vec<u8>) -> usize {
    raw_records(page, FieldLocation::WhileSplitting)
}

fn raw_records(page: Vec<u8>, fields: FieldLocation) -> usize {
    ExportResource::Chats
        .raw_records(black_box(page), fields)
        .expect("the page has chats")
        .len()
}

/// Seconds per decode of `decode`, averaged over a round.
fn time(decode: Decoder, page: &[u8]) -> f64 {
    let started = match decode {
        Decoder::Borrowing(decode) => {
            let started = Instant::now();
            for _ in 0..DECODES_PER_ROUND {
                black_box(decode(page));
            }
            started
        }
        Decoder::Owning(decode) => {
            let copies: Vec<Vec<u8>> = (0..DECODES_PER_ROUND).map(|_| page.to_vec()).collect();
            let started = Instant::now();
            for copy in copies {
                black_box(decode(copy));
            }
            started
        }
    };
    started.elapsed().as_secs_f64() / DECODES_PER_ROUND as f64
}

/// How many chats `decode` reads from `page`.
fn chats_read(decode: Decoder, page: &[u8]) -> usize {
    match decode {
        Decoder::Borrowing(decode) => decode(page),
        Decoder::Owning(decode) => decode(page.to_vec()),
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let page = zendesk_chat_bench::chats_export_page(1000)?;
    let kinds: [(&str, Decoder); 4] = [
        ("typed", Decoder::Borrowing(typed)),
        ("value", Decoder::Borrowing(value)),
        ("raw", Decoder::Owning(raw)),
        ("raw_fields", Decoder::Owning(raw_with_fields)),
    ];
    for (name, decode) in kinds {
        anyhow::ensure!(
            chats_read(decode, &page) == 1000,
            "{name} did not read 1,000 chats"
        );
    }
    let mut times = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        for step in 0..kinds.len() {
            let kind = (round + step) % kinds.len();
            times[kind].push(time(kinds[kind].1, &page));
        }
    }
    let ratios = |kind: usize| -> Vec<f64> {
        times[kind]
            .iter()
            .zip(&times[1])
            .map(|(t, v)| t / v)
            .collect()
    };
    let (mut typed_ratios, mut raw_ratios, mut fields_ratios) = (ratios(0), ratios(2), ratios(3));
    let spread = |ratios: &[f64]| {
        let (low, high) = ratios
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
        [low, high]
    };
    let report = serde_json::json!({
        "rounds": ROUNDS,
        "bytes": page.len(),
        "typed_ms": median(&mut times[0].clone()) * 1e3,
        "value_ms": median(&mut times[1].clone()) * 1e3,
        "raw_ms": median(&mut times[2].clone()) * 1e3,
        "typed_ratio": median(&mut typed_ratios),
        "typed_ratio_spread": spread(&typed_ratios),
        "raw_ratio": median(&mut raw_ratios),
        "raw_ratio_spread": spread(&raw_ratios),
        "raw_fields_ms": median(&mut times[3].clone()) * 1e3,
        "raw_fields_ratio": median(&mut fields_ratios),
        "raw_fields_ratio_spread": spread(&fields_ratios),
    });
    println!("{report}");
    Ok(())
}
