//! Records exactly as the server sent them. A page's body becomes one text, and each record a
//! view of it: nothing is copied per record. A record's top-level fields are located either
//! while the page is read ([`FieldLocation::WhileSplitting`]: one pass, for readers that look at
//! fields of every record) or the first time one is asked for ([`FieldLocation::OnFirstUse`]:
//! the page is only split, which is cheaper for readers that want the text alone).
//!
//! `serde_json` reads every page, and names what is wrong with a page it refuses. Split alone,
//! each record is read as a `RawValue`, whose text `serde_json` lends from the page. With the
//! fields, each record is read as a map of keys and `RawValue`s, and where the keys and values
//! were lent is where they are in the page (the [`located`] module). A page whose records cannot
//! all be placed that way (rare: see [`located::split_with_fields`]) is split alone, and its
//! records' fields are then located on first use.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeSeed;
use serde_json::value::RawValue;

use super::ExportResource;
use super::page::{Page, PageInfo, PageSeed};
use crate::Error;
use crate::call::{decode_error, decode_tracked};
use crate::record::raw_value;

mod located;

use located::{fields_by_parsing, locate_fields, split_with_fields};

/// One record of an export exactly as the server sent it: its JSON text, shared with the rest of
/// its page, and where its top-level fields are, once located ([`FieldLocation`]).
///
/// Cloning one is cheap (the page's text is shared); the page's text is freed with its last
/// record.
///
/// ```
/// # async fn run(client: zendesk_chat::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use futures::TryStreamExt;
/// use zendesk_chat::export::ExportStart;
///
/// let mut pages = client.incremental_chats(ExportStart::beginning()).raw_pages();
/// while let Some(page) = pages.try_next().await? {
///     for record in &page.items {
///         let text: &str = record.get(); // the whole record, byte for byte
///         let id: Option<&str> = record.field("id"); // `"2012.9339545.SJs7biGpcbveH"`, quotes and all
///         println!("{} bytes, id {id:?}", text.len());
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RawRecord {
    page: Arc<SplitPage>,
    index: usize,
}

impl RawRecord {
    /// The record's JSON text, exactly as sent.
    pub fn get(&self) -> &str {
        self.page.records[self.index].text.of(&self.page.text)
    }

    /// A record from its JSON text (any JSON value that `serde_json` takes; an object's fields
    /// are located on first use), for records kept elsewhere, such as a line of a JSON Lines
    /// archive. Whitespace around it is dropped.
    ///
    /// ```
    /// let record = zendesk_chat::export::RawRecord::from_json(r#" {"id": "a", "rating": null} "#)?;
    /// assert_eq!(record.get(), r#"{"id": "a", "rating": null}"#);
    /// assert_eq!(record.field("rating"), Some("null"));
    /// assert!(zendesk_chat::export::RawRecord::from_json(r#"{"id": }"#).is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn from_json(text: impl Into<String>) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        let text = text.into();
        if !fits_in_spans(&text) {
            return Err(serde_json::Error::custom("a record of more than 4 GiB"));
        }
        // Read as a page's records are read by default: serde_json delimits it, and its fields
        // are located when first asked for.
        let raw: &RawValue = serde_json::from_str(&text)?;
        let span = span_in(&text, raw.get().as_bytes())
            .ok_or_else(|| serde_json::Error::custom("a record serde_json copied"))?;
        let page = SplitPage {
            records: vec![RecordSpan::unlocated(span)],
            text,
        };
        Ok(Self {
            page: Arc::new(page),
            index: 0,
        })
    }

    /// The JSON text of the value of the record's top-level field `name` (a string keeps its
    /// quotes and escapes), or `None` when the record has no such field or is not an object.
    /// Where a record repeats a key, the last one counts, as in `serde_json::Value`.
    pub fn field(&self, name: &str) -> Option<&str> {
        let Some(spans) = self.spans() else {
            let fields = fields_by_parsing(self.get());
            return fields
                .into_iter()
                .rev()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value);
        };
        // A key in a span has no escapes (`located`'s docs): it is the name it stands for.
        let text = &self.page.text;
        spans
            .iter()
            .rev()
            .find_map(|field| (field.key.of(text) == name).then(|| field.value.of(text)))
    }

    /// The record's top-level fields in the order sent: each key (unescaped) and the JSON text
    /// of its value. None when the record is not an object, or when one of its keys cannot be
    /// read as text (a `\u` escape of half a surrogate pair, which JavaScript can produce).
    pub fn fields(&self) -> Vec<(Cow<'_, str>, &str)> {
        let Some(spans) = self.spans() else {
            return fields_by_parsing(self.get());
        };
        let text = &self.page.text;
        spans
            .iter()
            .map(|field| (Cow::Borrowed(field.key.of(text)), field.value.of(text)))
            .collect()
    }

    /// The record as a `serde_json` raw value (a copy of its text).
    pub fn to_raw_value(&self) -> Box<RawValue> {
        raw_value(self.get())
    }

    /// The record's fields, located now if they were not yet; `None` for a record whose fields
    /// cannot be placed in its text (not an object, or a key written with an escape).
    fn spans(&self) -> Option<&[FieldSpan]> {
        let record = &self.page.records[self.index];
        record
            .fields
            .get_or_init(|| locate_fields(record.text.of(&self.page.text), record.text.start))
            .as_deref()
    }
}

impl AsRef<str> for RawRecord {
    fn as_ref(&self) -> &str {
        self.get()
    }
}

impl fmt::Display for RawRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawRecord")
            .field(&format_args!("{}", self.get()))
            .finish()
    }
}

impl PartialEq for RawRecord {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawRecord {}

/// When the top-level fields of a raw page's records are located, for [`RawRecord::field`] and
/// [`RawRecord::fields`]. Either way a record's text is a view of its page, never a copy, and
/// the answers are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldLocation {
    /// While the page is split, in the same pass: for readers that look at the fields of every
    /// record (columns of a table, say). Splitting takes about a third as long again as splitting
    /// alone.
    WhileSplitting,
    /// The first time one of a record's fields is asked for, by reading that record again: for
    /// readers that want the text alone, or the fields of a few records.
    OnFirstUse,
}

/// A stretch of a page's text, by byte offsets (a page is at most 4 GiB; larger ones are refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

/// Whether `text` is short enough for [`Span`]s (4 GiB); longer texts are refused.
fn fits_in_spans(text: &str) -> bool {
    u32::try_from(text.len()).is_ok()
}

impl Span {
    /// The span of `range`; the text was checked by [`fits_in_spans`].
    fn new(range: Range<usize>) -> Self {
        Self {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    fn of(self, text: &str) -> &str {
        &text[self.start as usize..self.end as usize]
    }
}

/// A top-level field of a record: its key (between the quotes, without escapes) and its value's
/// text.
#[derive(Debug, Clone, Copy)]
struct FieldSpan {
    key: Span,
    value: Span,
}

/// A record: its text, and its top-level fields once located (`None` inside when they cannot be
/// placed: see [`RawRecord::spans`]).
#[derive(Debug)]
struct RecordSpan {
    text: Span,
    fields: OnceLock<Option<Box<[FieldSpan]>>>,
}

impl RecordSpan {
    /// A record whose fields are located on first use.
    fn unlocated(text: Span) -> Self {
        Self {
            text,
            fields: OnceLock::new(),
        }
    }
}

/// A page's text and where its records are: what all the records of a page share.
#[derive(Debug)]
struct SplitPage {
    text: String,
    records: Vec<RecordSpan>,
}

impl Drop for SplitPage {
    /// The page's buffer goes back for the next page's body (`body_buffers`).
    fn drop(&mut self) {
        crate::body_buffers::POOL.hand_back(std::mem::take(&mut self.text).into_bytes());
    }
}

/// Splits an export page's body into its records (under `resource`'s key; other keys are
/// skipped) and its frame, locating the records' fields as `fields` says. A body that is not a
/// JSON object with an array (or `null`) of records there is an error naming where it went wrong.
pub(super) fn split_page(
    resource: ExportResource,
    body: bytes::Bytes,
    fields: FieldLocation,
) -> Result<(Vec<RawRecord>, PageInfo), Error> {
    let operation = resource.operation();
    let text = match String::from_utf8(Vec::from(body)) {
        Ok(text) => text,
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let message = format!("the body is not UTF-8 text (at byte {at})");
            return Err(decode_error(
                operation,
                error.as_bytes(),
                String::new(),
                message,
            ));
        }
    };
    if !fits_in_spans(&text) {
        let message = format!("a page of {} bytes is more than 4 GiB", text.len());
        return Err(decode_error(
            operation,
            text.as_bytes(),
            String::new(),
            message,
        ));
    }
    let split = match fields {
        FieldLocation::WhileSplitting => split_with_fields(resource, &text)
            .map_or_else(|| split_by_serde_json(resource, &text), Ok),
        FieldLocation::OnFirstUse => split_by_serde_json(resource, &text),
    };
    let split = match split {
        Ok(split) => split,
        Err(error) => {
            crate::body_buffers::POOL.hand_back(text.into_bytes());
            return Err(error);
        }
    };
    let page = Arc::new(SplitPage {
        text,
        records: split.records,
    });
    let records = (0..page.records.len())
        .map(|index| RawRecord {
            page: page.clone(),
            index,
        })
        .collect();
    Ok((records, split.info))
}

/// A page split by `serde_json` (see the module docs): the records are delimited, their fields
/// located on first use; an error as the client always reported one.
fn split_by_serde_json(resource: ExportResource, text: &str) -> Result<Split, Error> {
    // From the text: serde_json need not check its strings are UTF-8 again. A page that does not
    // split is decoded again, tracked, for an error that says where.
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let page: Page<&RawValue> = match PageSeed::new(resource).deserialize(&mut deserializer) {
        Ok(page) => page,
        Err(_) => decode_tracked(
            resource.operation(),
            text.as_bytes(),
            PageSeed::new(resource),
        )?,
    };
    let mut split = Split {
        info: page.info,
        ..Split::default()
    };
    for record in page.items {
        let Some(span) = span_in(text, record.get().as_bytes()) else {
            return Err(decode_error(
                resource.operation(),
                text.as_bytes(),
                ".".into(),
                "serde_json handed back a copy of a record".into(),
            ));
        };
        split.records.push(RecordSpan::unlocated(span));
    }
    Ok(split)
}

/// What a split found.
#[derive(Default)]
struct Split {
    records: Vec<RecordSpan>,
    info: PageInfo,
}

/// Where `part`, a slice of `text`'s bytes that the parser handed back, is in `text`.
/// `None` if it is not (a parser that handed back a copy): the caller then reads the text another
/// way rather than trust a wrong place.
fn span_in(text: &str, part: &[u8]) -> Option<Span> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= text.len()).then(|| Span::new(start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [FieldLocation; 2] = [FieldLocation::WhileSplitting, FieldLocation::OnFirstUse];

    fn split_with(body: &str, fields: FieldLocation) -> Result<(Vec<RawRecord>, PageInfo), Error> {
        split_page(
            ExportResource::Chats,
            bytes::Bytes::from(body.to_owned()),
            fields,
        )
    }

    fn split(body: &str) -> Result<(Vec<RawRecord>, PageInfo), Error> {
        split_with(body, FieldLocation::WhileSplitting)
    }

    #[test]
    fn each_record_is_its_text_as_sent_and_the_frame_is_read() {
        let body = r#"{"chats": [ {"id": "a", "x": [1, {"y": "}"}]} ,{ "id" : "b\"" } , 7, "s", null],
            "count": 5, "end_id": "b", "end_time": 1608613496, "next_page": "https://e/x?start_time=1", "new": {"chats": []}}"#;
        for fields in BOTH {
            let (records, info) = split_with(body, fields).unwrap();
            let texts: Vec<&str> = records.iter().map(RawRecord::get).collect();
            assert_eq!(
                texts,
                [
                    r#"{"id": "a", "x": [1, {"y": "}"}]}"#,
                    r#"{ "id" : "b\"" }"#,
                    "7",
                    r#""s""#,
                    "null"
                ],
                "{fields:?}"
            );
            assert_eq!(info.count, Some(5));
            assert_eq!(info.end_id.as_deref(), Some("b"));
            assert!(info.end_time.is_some());
            assert_eq!(info.next_page.as_deref(), Some("https://e/x?start_time=1"));
        }
    }

    /// How a record's fields stand: not located yet, located with spans, or located without
    /// (read by parsing when asked).
    fn location(record: &RawRecord) -> &'static str {
        match record.page.records[record.index].fields.get() {
            None => "not yet",
            Some(Some(_)) => "spans",
            Some(None) => "parsed when asked",
        }
    }

    #[test]
    fn top_level_fields_are_located_while_splitting_or_on_first_use() {
        // Every record can be placed in its page: while splitting, the fields are located in the
        // split's one pass.
        let body = r#"{"chats": [{"id": "a", "history": [{"id": "inner"}], "type": "chat", "n": -1.5e3, "type": "offline_msg"},
            {"x": 0, "\u0069d": "escaped key", "t\"q": 1, "a\\b": 2}]}"#;
        for fields in BOTH {
            let (records, _) = split_with(body, fields).unwrap();
            let expected = match fields {
                FieldLocation::WhileSplitting => ["spans", "parsed when asked"],
                FieldLocation::OnFirstUse => ["not yet", "not yet"],
            };
            assert_eq!(records.iter().map(location).collect::<Vec<_>>(), expected);
            assert_eq!(records[0].field("id"), Some(r#""a""#));
            assert_eq!(records[0].field("n"), Some("-1.5e3"));
            assert_eq!(
                records[0].field("type"),
                Some(r#""offline_msg""#),
                "the last of a repeated key, as serde_json::Value reads it"
            );
            assert_eq!(records[0].field("inner"), None);
            assert_eq!(records[0].fields().len(), 5);
            assert_eq!(records[1].field("id"), Some(r#""escaped key""#));
            assert_eq!(records[1].field("t\"q"), Some("1"));
            assert_eq!(records[1].field("a\\b"), Some("2"));
            let keys: Vec<String> = records[1]
                .fields()
                .into_iter()
                .map(|(k, _)| k.into_owned())
                .collect();
            assert_eq!(keys, ["x", "id", "t\"q", "a\\b"]);
        }
    }

    #[test]
    fn a_page_with_records_that_cannot_be_placed_is_split_alone_and_answers_the_same() {
        // Not objects, an empty object, a first key written with an escape: the page is split
        // alone, and the fields are located on first use.
        let body = r#"{"chats": [{"id": "a"}, [1, 2], {}, {"\u0069d": "b", "n": 1}]}"#;
        for fields in BOTH {
            let (records, _) = split_with(body, fields).unwrap();
            assert!(
                records.iter().all(|r| location(r) == "not yet"),
                "{fields:?}"
            );
            assert_eq!(records[0].field("id"), Some(r#""a""#));
            assert_eq!(records[1].field("id"), None, "not an object");
            assert_eq!(records[2].fields().len(), 0);
            assert_eq!(records[3].field("id"), Some(r#""b""#));
            assert_eq!(records[3].field("n"), Some("1"));
        }
    }

    #[test]
    fn half_a_surrogate_pair_escaped_in_a_value_is_kept_as_serde_json_always_kept_it() {
        // serde_json skips over `\ud800` in a value, and the page reads as it always did.
        let body = r#"{"chats": [{"id": "a", "msg": "cut \ud83d"}, {"type": "chat", "id": "b", "type": "offline_msg"}], "count": 2}"#;
        for fields in BOTH {
            let (records, info) = split_with(body, fields).unwrap();
            assert_eq!(info.count, Some(2));
            assert_eq!(records[0].get(), r#"{"id": "a", "msg": "cut \ud83d"}"#);
            assert_eq!(records[0].field("id"), Some(r#""a""#));
            assert_eq!(records[0].field("msg"), Some(r#""cut \ud83d""#));
            assert_eq!(
                records[1].field("type"),
                Some(r#""offline_msg""#),
                "the last one"
            );
            assert_eq!(records[1].fields().len(), 3);
        }
        let record = RawRecord::from_json(r#"{"msg": "\udc00"}"#).unwrap();
        assert_eq!(record.field("msg"), Some(r#""\udc00""#));
        assert_eq!(RawRecord::from_json("[1]").unwrap().field("msg"), None);
    }

    #[test]
    fn fields_are_located_while_splitting_only_when_asked_and_otherwise_on_first_use() {
        let body = r#"{"chats": [{"id": "a"}, {"id": "b"}]}"#;
        let located = |records: &[RawRecord]| -> Vec<bool> {
            records
                .iter()
                .map(|r| r.page.records[r.index].fields.get().is_some())
                .collect()
        };
        let (eager, _) = split_with(body, FieldLocation::WhileSplitting).unwrap();
        assert_eq!(located(&eager), [true, true]);
        let (lazy, _) = split_with(body, FieldLocation::OnFirstUse).unwrap();
        assert_eq!(located(&lazy), [false, false]);
        assert_eq!(lazy[1].field("id"), Some(r#""b""#));
        assert_eq!(located(&lazy), [false, true], "the record asked, alone");
    }

    #[test]
    fn a_name_spelled_as_an_escape_is_not_the_key_it_escapes() {
        // `"a\\b"` is the key `a\b`, `"a\b"` the key `a` and a backspace, `"\u0069d"` the key
        // `id`: a name is compared with what a key stands for, never with how it is written.
        let text = r#"{"a\\b": 1, "a\b": 2, "\u0069d": 3}"#;
        for fields in BOTH {
            let body = format!(r#"{{"chats": [{text}]}}"#);
            let (records, _) = split_with(&body, fields).unwrap();
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            for name in [r"a\\b", r"a\b", r"\u0069d", "id"] {
                assert_eq!(
                    records[0].field(name).map(|raw| raw.to_owned()),
                    value.get(name).map(|v| v.to_string()),
                    "{name:?}, {fields:?}"
                );
            }
        }
    }

    #[test]
    fn records_outlive_their_page_and_compare_by_text() {
        let (mut records, _) = split(r#"{"chats": [{"id": "a"}, {"id": "b"}]}"#).unwrap();
        let second = records.pop().unwrap();
        drop(records);
        assert_eq!(second.get(), r#"{"id": "b"}"#);
        assert_eq!(second.to_raw_value().get(), second.get());
        assert_eq!(format!("{second:?}"), r#"RawRecord({"id": "b"})"#);
        assert_eq!(second.to_string(), second.get());
        let (again, _) = split(r#"{"chats": [{"id": "b"}]}"#).unwrap();
        assert_eq!(again[0], second);
    }

    #[test]
    fn a_page_without_items_or_with_null_items_has_none() {
        assert!(split(r#"{"count": 0}"#).unwrap().0.is_empty());
        assert!(
            split(r#"{"chats": null, "count": 0}"#)
                .unwrap()
                .0
                .is_empty()
        );
        assert!(split(r#"{}"#).unwrap().0.is_empty());
    }

    /// The error splitting `body` gives, the same whenever its fields are located.
    fn failure(body: &[u8]) -> (String, String) {
        let [first, second] = BOTH.map(|fields| {
            match split_page(
                ExportResource::Chats,
                bytes::Bytes::from(body.to_vec()),
                fields,
            ) {
                Err(Error::Decode(error)) => (error.path, error.message),
                other => panic!("expected a decode error, got {other:?}"),
            }
        });
        assert_eq!(first, second);
        first
    }

    #[test]
    fn a_malformed_body_is_a_decode_error_that_says_where() {
        let (path, message) = failure(br#"{"chats": [{"id": "a"}, {"id": tru}]}"#);
        assert_eq!(path, "chats[1]");
        assert!(message.contains("line 1 column"), "{message}");
        let (path, _) = failure(br#"{"chats": [{"id": "a"}, {"id": "b""#);
        assert_eq!(path, "chats[1]", "a body cut in the middle of a record");
        let (path, _) = failure(br#"{"chats": {"id": "a"}}"#);
        assert_eq!(path, "chats");
        let (path, message) = failure(br#"{"count": "many"}"#);
        assert_eq!(path, "count");
        assert!(message.contains("invalid type"), "{message}");
        let (path, _) = failure(b"[1, 2]");
        assert_eq!(path, ".", "the whole body");
        let (_, message) = failure(b"{\"chats\": [\"\xff\"]}");
        assert!(message.contains("not UTF-8"), "{message}");
        let (path, _) = failure(b"");
        assert_eq!(path, ".");
    }

    #[test]
    fn invalid_escapes_and_numbers_inside_a_record_are_errors_not_records() {
        for body in [
            r#"{"chats": [{"id": "\q"}]}"#,
            r#"{"chats": [{"id": 01}]}"#,
            r#"{"chats": [{"id": 1,}]}"#,
            r#"{"chats": [{"id" 1}]}"#,
            r#"{"chats": [1,]}"#,
        ] {
            let (path, _) = failure(body.as_bytes());
            assert!(path.starts_with("chats"), "{body}: {path}");
        }
    }
}
