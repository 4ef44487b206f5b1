//! A record read as raw JSON (`RawRecord::from_json`: serde_json delimits it and locates its
//! fields on first use, as for an export page's records by default) agrees with serde_json on any
//! text: it is taken exactly when serde_json takes the text as one JSON value, its text is that
//! value's, and each of its top-level fields is the object's, the last of a repeated key, as
//! serde_json reads it. And a page holding the text as its records splits the same whenever the
//! fields are located (while splitting, in serde_json's one pass, or on first use, after the split
//! alone): the same records, the same fields, or an error both ways.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use zendesk_chat::export::{ExportResource, FieldLocation, RawRecord};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    same_split_whenever_fields_are_located(text);
    let ours = RawRecord::from_json(text);
    let theirs = serde_json::from_str::<&RawValue>(text);
    let record = match (ours, theirs) {
        (Ok(record), Ok(raw)) => {
            assert_eq!(record.get(), raw.get(), "the record's text is the value's");
            record
        }
        (Err(error), Ok(_)) => panic!("serde_json takes {text:?}, the record does not: {error}"),
        (Ok(_), Err(error)) => panic!("the record takes {text:?}, serde_json does not: {error}"),
        (Err(_), Err(_)) => return,
    };
    let Ok(object) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(record.get()) else {
        // Not an object, or a key serde_json cannot read as a `String` (half a surrogate pair).
        return;
    };
    let fields = record.fields();
    let mut keys: Vec<&str> = fields.iter().map(|(key, _)| key.as_ref()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys, object.keys().map(String::as_str).collect::<Vec<_>>());
    for (key, value) in &object {
        assert_eq!(record.field(key), Some(value.get()), "field {key:?}");
    }
});

/// A page with `text` (twice) where its records go, split both ways.
fn same_split_whenever_fields_are_located(text: &str) {
    let page = format!(r#"{{"chats": [{text}, {text}], "count": 2}}"#);
    let [eager, lazy] = [FieldLocation::WhileSplitting, FieldLocation::OnFirstUse]
        .map(|fields| ExportResource::Chats.raw_records(page.as_str(), fields));
    match (eager, lazy) {
        (Ok(eager), Ok(lazy)) => {
            assert_eq!(eager, lazy, "the same records' texts");
            for (eager, lazy) in eager.iter().zip(&lazy) {
                assert_eq!(eager.fields(), lazy.fields(), "{:?}", eager.get());
            }
        }
        (Err(_), Err(_)) => {}
        (eager, lazy) => panic!("{page:?} split while locating fields: {eager:?}; alone: {lazy:?}"),
    }
}
