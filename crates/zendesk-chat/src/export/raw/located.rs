//! Records' top-level fields located by `serde_json`: while a page is split, in the same pass
//! ([`split_with_fields`]), or for one record on its own ([`locate_fields`]).
//!
//! `serde_json` lends a key (rather than copying it) exactly when it has no escapes, and a value
//! read as a [`RawValue`] is always lent. Where the two are lent, their place in the page's text
//! is where they were read: a [`FieldSpan`] is made from them. A record with a key written with
//! an escape has no spans; [`fields_by_parsing`] reads its fields when asked. Keys in spans thus
//! never hold escapes, and a name is compared with them as it is.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{FieldSpan, RecordSpan, Span, Split, span_in};
use crate::export::ExportResource;
use crate::export::page::FrameValue;
use crate::tagged_union::Text;

/// A page split with its records' fields located, in one pass; `None` when `serde_json` refuses
/// the page or a record cannot be placed in it (one that is not an object, an empty object, or
/// one whose first key has an escape: see [`record_span`]). The caller then splits the page
/// without the fields, which takes what this refuses or names the problem.
pub(super) fn split_with_fields(resource: ExportResource, text: &str) -> Option<Split> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    LocatedPage { resource, text }
        .deserialize(&mut deserializer)
        .ok()
}

/// A field as `serde_json` read it: its key (lent when it has no escape) and its value's text.
type Field<'de> = (Cow<'de, str>, &'de str);

/// A page of `resource` in `text`, its records placed as they are read (so that a record's list
/// of fields is not kept past it), its frame read as `PageSeed` reads it.
struct LocatedPage<'de> {
    resource: ExportResource,
    text: &'de str,
}

impl<'de> DeserializeSeed<'de> for LocatedPage<'de> {
    type Value = Split;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Split, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LocatedPage<'de> {
    type Value = Split;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a page of the {} export", self.resource)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Split, A::Error> {
        let mut split = Split::default();
        // The fields of the record being read: one list for the whole page.
        let mut fields = Vec::with_capacity(32);
        while let Some(key) = map.next_key::<String>()? {
            if key == self.resource.items_key() {
                split.records.clear();
                map.next_value_seed(Records {
                    text: self.text,
                    records: &mut split.records,
                    fields: &mut fields,
                })?;
            } else {
                map.next_value_seed(FrameValue {
                    info: &mut split.info,
                    key: &key,
                })?;
            }
        }
        Ok(split)
    }
}

/// The items of a page: an array of records, each placed in `text` as it is read, or `null`.
struct Records<'a, 'de> {
    text: &'de str,
    records: &'a mut Vec<RecordSpan>,
    fields: &'a mut Vec<Field<'de>>,
}

impl<'de> DeserializeSeed<'de> for Records<'_, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records, or null")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element_seed(Record {
            text: self.text,
            fields: &mut *self.fields,
        })? {
            self.records.push(record);
        }
        Ok(())
    }
}

/// One record of a page, placed in `text` with its fields (read into `fields`, reused).
struct Record<'a, 'de> {
    text: &'de str,
    fields: &'a mut Vec<Field<'de>>,
}

impl<'de> DeserializeSeed<'de> for Record<'_, 'de> {
    type Value = RecordSpan;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<RecordSpan, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Record<'_, 'de> {
    type Value = RecordSpan;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RecordSpan, A::Error> {
        self.fields.clear();
        read_fields(map, self.fields)?;
        let text = record_span(self.text, self.fields)
            .ok_or_else(|| A::Error::custom("a record that cannot be placed in its page"))?;
        Ok(RecordSpan {
            text,
            fields: spans(self.text, self.fields).into(),
        })
    }
}

/// The top-level fields of one record, at `offset` in its page's text; `None` when the record
/// is not an object or one of its keys has an escape.
pub(super) fn locate_fields(record: &str, offset: u32) -> Option<Box<[FieldSpan]>> {
    let Fields(fields) = serde_json::from_str(record).ok()?;
    let mut located = spans(record, &fields)?;
    for field in &mut located {
        for span in [&mut field.key, &mut field.value] {
            span.start += offset;
            span.end += offset;
        }
    }
    Some(located)
}

/// The top-level fields of `text` (JSON that `serde_json` takes), each key unescaped; none when
/// it is not an object.
pub(super) fn fields_by_parsing(text: &str) -> Vec<(Cow<'_, str>, &str)> {
    serde_json::from_str(text)
        .map(|Fields(fields)| fields)
        .unwrap_or_default()
}

/// An object's fields in the order written: each key (lent by the text when it has no escape)
/// and its value's text (always lent).
struct Fields<'de>(Vec<Field<'de>>);

impl<'de> serde::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        // Chats have about thirty top-level fields: one allocation for most records.
        let mut fields = Vec::with_capacity(32);
        read_fields(map, &mut fields)?;
        Ok(Fields(fields))
    }
}

/// Reads an object's fields into `fields`, in the order written.
fn read_fields<'de, A: MapAccess<'de>>(
    mut map: A,
    fields: &mut Vec<Field<'de>>,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key_seed(Text)? {
        let value: &'de RawValue = map.next_value()?;
        fields.push((key, value.get()));
    }
    Ok(())
}

/// Where each field is in `text`; `None` when a key was copied (it had an escape) or a part is
/// not in `text` (it was not lent).
fn spans(text: &str, fields: &[Field<'_>]) -> Option<Box<[FieldSpan]>> {
    fields
        .iter()
        .map(|(key, value)| {
            let Cow::Borrowed(key) = key else {
                return None;
            };
            Some(FieldSpan {
                key: span_in(text, key.as_bytes())?,
                value: span_in(text, value.as_bytes())?,
            })
        })
        .collect()
}

/// The record whose fields are `fields`, in `text`: from the `{` before its first key's opening
/// quote to the `}` after its last value, with only whitespace between (which `serde_json`
/// checked). `None` when it cannot be placed: no fields, or a first key that was copied.
fn record_span(text: &str, fields: &[Field<'_>]) -> Option<Span> {
    let (Cow::Borrowed(first_key), _) = fields.first()? else {
        return None;
    };
    let (_, last_value) = fields.last()?;
    let bytes = text.as_bytes();
    let key = span_in(text, first_key.as_bytes())?;
    let before_quote = (key.start as usize).checked_sub(1)?;
    let open = bytes[..before_quote]
        .iter()
        .rposition(|byte| !is_whitespace(*byte))?;
    let value = span_in(text, last_value.as_bytes())?;
    let close = value.end as usize
        + bytes[value.end as usize..]
            .iter()
            .position(|byte| !is_whitespace(*byte))?;
    (bytes[open] == b'{' && bytes[close] == b'}').then(|| Span::new(open..close + 1))
}

/// JSON's whitespace.
fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record's text and its fields' keys and values (`None` where it has no spans).
    type Placed<'a> = (&'a str, Option<Vec<(&'a str, &'a str)>>);

    /// The records of `page` as [`split_with_fields`] placed them.
    fn placed(page: &str) -> Option<Vec<Placed<'_>>> {
        let split = split_with_fields(ExportResource::Chats, page)?;
        let records = split.records.iter().map(|record| {
            let fields = record.fields.get().expect("located while splitting");
            let fields = fields.as_deref().map(|fields| {
                fields
                    .iter()
                    .map(|field| (field.key.of(page), field.value.of(page)))
                    .collect()
            });
            (record.text.of(page), fields)
        });
        Some(records.collect())
    }

    #[test]
    fn records_are_placed_from_the_brace_before_their_first_key_to_the_one_after_their_last_value()
    {
        let page = "{\"chats\": [\n\t{ \"id\" :\"a\" , \"n\":[1, {\"}\": \"{\"}] }\r\n,{\"id\":{}}],\"count\": 2}";
        assert_eq!(
            placed(page).unwrap(),
            [
                (
                    "{ \"id\" :\"a\" , \"n\":[1, {\"}\": \"{\"}] }",
                    Some(vec![("id", "\"a\""), ("n", "[1, {\"}\": \"{\"}]")])
                ),
                ("{\"id\":{}}", Some(vec![("id", "{}")])),
            ]
        );
    }

    #[test]
    fn the_frame_is_read_and_the_last_items_key_counts_as_a_page_reads_them() {
        let page = r#"{"chats": [{"id": "a"}], "new": {"chats": [{"id": "x"}]}, "count": 1,
            "end_id": "b", "end_time": 1608613496, "next_page": "https://e/x?start_time=1",
            "chats": [{"id": "b"}]}"#;
        let split = split_with_fields(ExportResource::Chats, page).expect("the page is placed");
        let texts: Vec<&str> = split.records.iter().map(|r| r.text.of(page)).collect();
        assert_eq!(
            texts,
            [r#"{"id": "b"}"#],
            "the last items key, nothing nested"
        );
        assert_eq!(split.info.count, Some(1));
        assert_eq!(split.info.end_id.as_deref(), Some("b"));
        assert!(split.info.end_time.is_some());
        assert_eq!(
            split.info.next_page.as_deref(),
            Some("https://e/x?start_time=1")
        );
        for empty in [
            r#"{"chats": [{"id": "a"}], "chats": null}"#,
            r#"{"chats": null}"#,
            "{}",
        ] {
            let split = split_with_fields(ExportResource::Chats, empty).expect("placed");
            assert!(split.records.is_empty(), "{empty}");
        }
        for refused in [
            r#"{"chats": {"id": "a"}}"#,
            r#"{"chats": "a"}"#,
            r#"{"count": "many"}"#,
        ] {
            assert!(
                split_with_fields(ExportResource::Chats, refused).is_none(),
                "{refused}"
            );
        }
    }

    #[test]
    fn a_record_with_a_key_written_with_an_escape_after_the_first_has_no_spans() {
        let page = r#"{"chats": [{"id": "a", "t\"q": 1}, {"id": "b"}]}"#;
        assert_eq!(
            placed(page).unwrap(),
            [
                (r#"{"id": "a", "t\"q": 1}"#, None),
                (r#"{"id": "b"}"#, Some(vec![("id", r#""b""#)])),
            ]
        );
        let (key, value) = &fields_by_parsing(r#"{"id": "a", "t\"q": 1}"#)[1];
        assert_eq!((key.as_ref(), *value), ("t\"q", "1"), "read when asked");
    }

    #[test]
    fn a_page_with_a_record_that_cannot_be_placed_is_left_to_the_split_alone() {
        for record in [r#"{"\u0069d": "a"}"#, "{}", "{ }", "7", "[1]", "null"] {
            let page = format!(r#"{{"chats": [{{"id": "a"}}, {record}]}}"#);
            assert!(placed(&page).is_none(), "{record}");
        }
        assert!(placed(r#"{"chats": [{"id": tru}]}"#).is_none(), "malformed");
    }

    #[test]
    fn one_record_is_located_at_its_offset_in_its_page() {
        let fields = locate_fields(r#"{"id": "a"}"#, 100).unwrap();
        assert_eq!(
            (fields[0].key, fields[0].value),
            (
                Span {
                    start: 102,
                    end: 104
                },
                Span {
                    start: 107,
                    end: 110
                }
            )
        );
        assert!(
            locate_fields(r#"{"\u0069d": "a"}"#, 0).is_none(),
            "an escaped key"
        );
        assert!(locate_fields("[1]", 0).is_none(), "not an object");
        assert_eq!(
            locate_fields("{}", 0).map(|fields| fields.len()),
            Some(0),
            "no fields"
        );
    }
}
