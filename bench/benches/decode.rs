//! Decoding a page of 1,000 fully expanded chats from the incremental export: into the typed
//! models, into `serde_json::Value`, and into raw records (what `zchat export` does), on the same
//! bytes in one run.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use zendesk_chat::export::{ExportResource, FieldLocation};
use zendesk_chat::types::IncrementalChatsPage;

fn decode(c: &mut Criterion) {
    let page = zendesk_chat_bench::chats_export_page(1000).expect("the emulator serves a page");
    let typed: IncrementalChatsPage = serde_json::from_slice(&page).expect("the page decodes");
    assert_eq!(typed.chats.len(), 1000);

    let mut group = c.benchmark_group("decode_1000_chats");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("typed", |b| {
        b.iter(|| serde_json::from_slice::<IncrementalChatsPage>(black_box(&page)).unwrap())
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&page)).unwrap())
    });
    for (name, fields) in [
        ("raw_records", FieldLocation::OnFirstUse),
        ("raw_records_with_fields", FieldLocation::WhileSplitting),
    ] {
        group.bench_function(name, |b| {
            // As `zchat export` splits a page: the split takes the body (a copy made beforehand).
            b.iter_batched(
                || page.clone(),
                |copy| {
                    ExportResource::Chats
                        .raw_records(copy, fields)
                        .unwrap()
                        .len()
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
