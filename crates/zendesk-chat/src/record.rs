//! Decoding a page record by record, so that one record that does not fit its model never costs
//! the others.
//!
//! However well the spec is curated, the next surprise in Zendesk's payloads will come. The typed
//! paths over many records (the incremental exports, search, [`Client::chats_by_ids`]) decode a
//! page whole when they can, and otherwise each record on its own: the records that fit are
//! delivered typed, each one that does not becomes a [`RecordError`] that keeps its JSON as sent,
//! its id when one can be read, and where and why it did not fit. An export's cursor moves past
//! it like past any other record. Every such record is also a `warn` event of the `tracing`
//! target `zendesk_chat::record`, with the operation, the id, the path and the count in the page.
//!
//! [`Client::chats_by_ids`]: crate::Client::chats_by_ids

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::call::join_union_paths;
use crate::operations::Operation;

/// A record of a page that did not decode into its model, delivered whole instead of failing
/// the page.
///
/// ```
/// # fn show(failure: &zendesk_chat::error::RecordError) {
/// eprintln!("{failure}"); // exportChats: record 3 (id "2012.9339545.SJs7biGpcbveH") …
/// let as_sent: &str = failure.raw.get(); // write it out, or decode it your own way
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordError {
    /// The operation whose answer held the record, such as `exportChats`.
    pub operation: &'static str,
    /// Where the record is in its page, such as `chats[3]` or `docs["2012.9339545.SJs7biGpcbveH"]`.
    pub location: String,
    /// The record's `id`, when it has one that can be read.
    pub id: Option<String>,
    /// Where in the record the value that did not fit is, such as `history[2].msg_id`.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
    /// The record exactly as the server sent it.
    pub raw: Box<RawValue>,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: record {}", self.operation, self.location)?;
        if let Some(id) = &self.id {
            write!(f, " (id {id:?})")?;
        }
        write!(
            f,
            " does not fit its model: at `{}`: {}",
            self.path, self.message
        )
    }
}

impl std::error::Error for RecordError {}

/// The records of one page, decoded one by one: those that fit, and those that did not.
#[derive(Debug)]
pub(crate) struct Records<T> {
    pub(crate) items: Vec<T>,
    pub(crate) failures: Vec<RecordError>,
}

impl<T> From<Vec<Result<T, Box<RecordError>>>> for Records<T> {
    fn from(outcomes: Vec<Result<T, Box<RecordError>>>) -> Self {
        let mut records = Self {
            items: Vec::with_capacity(outcomes.len()),
            failures: Vec::new(),
        };
        for outcome in outcomes {
            match outcome {
                Ok(item) => records.items.push(item),
                Err(failure) => records.failures.push(*failure),
            }
        }
        records
    }
}

/// Decodes each `(location, raw record)` into `T`, in order; a record that does not fit becomes
/// a [`RecordError`], reported as a `tracing` event.
pub(crate) fn decode_each<'r, T, L>(
    operation: &'static Operation,
    records: impl IntoIterator<Item = (L, &'r str)>,
) -> Vec<Result<T, Box<RecordError>>>
where
    T: DeserializeOwned,
    L: fmt::Display,
{
    let outcomes: Vec<Result<T, Box<RecordError>>> = records
        .into_iter()
        .map(|(location, raw)| decode_located(operation, location, raw))
        .collect();
    let failures = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().err().map(|failure| &**failure));
    report(operation, failures, outcomes.len());
    outcomes
}

/// The records among `records` that do not fit `T`, as [`decode_each`] would report them; each
/// one that fits is dropped as soon as it is decoded, so that checking a page never holds it
/// decoded.
pub(crate) fn failures_of<'r, T, L>(
    operation: &'static Operation,
    records: impl IntoIterator<Item = (L, &'r str)>,
) -> Vec<RecordError>
where
    T: DeserializeOwned,
    L: fmt::Display,
{
    let mut checked = 0;
    let failures: Vec<RecordError> = records
        .into_iter()
        .filter_map(|(location, raw)| {
            checked += 1;
            decode_located::<T, L>(operation, location, raw)
                .err()
                .map(|failure| *failure)
        })
        .collect();
    report(operation, failures.iter(), checked);
    failures
}

/// One record decoded, or the [`RecordError`] that says where it is and why it does not fit.
fn decode_located<T: DeserializeOwned, L: fmt::Display>(
    operation: &'static Operation,
    location: L,
    raw: &str,
) -> Result<T, Box<RecordError>> {
    decode_one::<T>(raw).map_err(|(path, message)| {
        Box::new(RecordError {
            operation: operation.id,
            location: location.to_string(),
            id: read_id(raw),
            path,
            message,
            raw: raw_value(raw),
        })
    })
}

/// Decodes one record; only a record that does not fit is read again, to locate the problem.
fn decode_one<T: DeserializeOwned>(raw: &str) -> Result<T, (String, String)> {
    if let Ok(item) = serde_json::from_str(raw) {
        return Ok(item);
    }
    let mut deserializer = serde_json::Deserializer::from_str(raw);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|located| {
        join_union_paths(located.path().to_string(), located.into_inner().to_string())
    })
}

/// The record's `id`, if it is an object whose `id` is a string or a number.
fn read_id(raw: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithId<'a> {
        #[serde(borrow)]
        id: Option<&'a RawValue>,
    }
    let id = serde_json::from_str::<WithId<'_>>(raw).ok()?.id?;
    match serde_json::from_str::<serde_json::Value>(id.get()).ok()? {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `text` (JSON known to be valid) as a raw value; text that `serde_json` would not take, which
/// a parsed record never is, is kept as a JSON string rather than lost.
pub(crate) fn raw_value(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_owned()).unwrap_or_else(|_| {
        RawValue::from_string(serde_json::Value::from(text).to_string())
            .expect("a JSON string is valid JSON")
    })
}

/// Reports each of a page's `failures` (of `total` records) as a `tracing` event, and their count.
fn report<'a>(
    operation: &'static Operation,
    failures: impl Iterator<Item = &'a RecordError>,
    total: usize,
) {
    let mut failed = 0;
    for failure in failures {
        failed += 1;
        tracing::warn!(
            target: "zendesk_chat::record",
            operation = operation.id,
            location = %failure.location,
            id = failure.id.as_deref(),
            path = %failure.path,
            reason = %failure.message,
            "a record does not fit its model; delivered raw as a RecordError"
        );
    }
    if failed > 0 {
        tracing::warn!(
            target: "zendesk_chat::record",
            operation = operation.id,
            failed_records = failed,
            decoded_records = total - failed,
            "records of a page did not fit their model"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn a_record_that_does_not_fit_is_kept_whole_with_its_id_path_and_reason() {
        let records = [
            raw(r#"{"type":"chat","id":"a","duration":12}"#),
            raw(r#"{"type":"chat","id":"b","duration":"twelve"}"#),
            raw(r#"{"type":"offline_msg","id":"c"}"#),
        ];
        let decoded: Records<types::Chat> = Records::from(decode_each(
            &crate::operations::EXPORT_CHATS,
            records
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("chats[{i}]"), r.get())),
        ));
        assert_eq!(decoded.items.len(), 2);
        let [failure] = decoded.failures.as_slice() else {
            panic!("{:?}", decoded.failures)
        };
        assert_eq!(failure.location, "chats[1]");
        assert_eq!(failure.id.as_deref(), Some("b"));
        assert_eq!(failure.path, "duration");
        assert!(
            failure.message.contains("invalid type"),
            "{}",
            failure.message
        );
        assert_eq!(failure.raw.get(), records[1].get());
        let shown = failure.to_string();
        assert!(
            shown.starts_with(
                r#"exportChats: record chats[1] (id "b") does not fit its model: at `duration`"#
            ),
            "{shown}"
        );
    }

    #[test]
    fn an_id_is_read_from_a_string_or_a_number_and_nothing_else() {
        assert_eq!(read_id(r#"{"id":"x.1"}"#).as_deref(), Some("x.1"));
        assert_eq!(
            read_id(r#"{"id":7282618889231}"#).as_deref(),
            Some("7282618889231")
        );
        assert_eq!(read_id(r#"{"id":[1]}"#), None);
        assert_eq!(read_id(r#"[1,2]"#), None);
        assert_eq!(read_id(r#"{"other":1}"#), None);
    }
}
