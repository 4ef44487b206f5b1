//! [`Timestamp`]: a date and time as the API wrote it.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// A date and time as the API wrote it (ISO 8601, such as `2014-10-09T05:28:35Z` or, in chat
/// histories and the agent timeline, `2020-12-22T04:54:18.807000Z`).
///
/// The text is kept exactly as sent, so that a model serializes back to what the server sent:
/// precision varies from field to field, a real offline message's session carries
/// `2017-04-24T12:43:37+00:00Z` (an offset *and* a `Z`), and the documentation even carries a date
/// that does not exist (`2014-09-31`). Parse it when you need to compute with it:
///
/// ```
/// use zendesk_chat::Timestamp;
///
/// let sent = Timestamp::from("2020-12-22T04:54:18.807000Z");
/// assert_eq!(sent.as_str(), "2020-12-22T04:54:18.807000Z");
/// assert_eq!(sent.to_datetime().unwrap().timestamp(), 1_608_612_858);
/// let session = Timestamp::from("2017-04-24T12:43:37+00:00Z");
/// assert_eq!(session.to_datetime().unwrap().timestamp(), 1_493_037_817);
/// assert!(Timestamp::from("2014-09-31T08:25:09Z").to_datetime().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

/// Ordered by the instant it denotes (`…T12:00:00+02:00` before `…T11:00:00Z`), then by text;
/// text that is not a time sorts first.
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.to_datetime().ok(), &self.0).cmp(&(other.to_datetime().ok(), &other.0))
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Timestamp {
    /// The text as the API sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date and time, in UTC. Every shape Zendesk writes parses:
    ///
    /// - RFC 3339, to the second or with a fraction (`2014-10-09T05:28:35Z`,
    ///   `2020-12-22T04:54:18.807000Z`, `2014-10-09T07:28:35+02:00`);
    /// - an offset followed by a stray `Z` (`2017-04-24T12:43:37+00:00Z`);
    /// - no offset at all, read as UTC (`2020-01-01T00:00:00.697862`, as search bounds are written),
    ///   with `T` or a space between date and time.
    ///
    /// The error is for text that is not a time, such as a day that does not exist.
    pub fn to_datetime(&self) -> Result<DateTime<Utc>, chrono::ParseError> {
        parse(self.0.trim())
    }
}

/// The shapes of [`Timestamp::to_datetime`], tried in turn; the RFC 3339 error is the one given.
fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    let rfc3339 = DateTime::parse_from_rfc3339(text);
    if let Ok(time) = rfc3339 {
        return Ok(time.to_utc());
    }
    if let Some(time) = text
        .strip_suffix(['Z', 'z'])
        .filter(|offset_then_z| ends_with_offset(offset_then_z))
        .and_then(|offset_then_z| DateTime::parse_from_rfc3339(offset_then_z).ok())
    {
        return Ok(time.to_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(naive.and_utc());
        }
    }
    rfc3339.map(|time| time.to_utc())
}

/// Whether `text` ends with a numeric offset such as `+00:00`.
fn ends_with_offset(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 6
        && matches!(bytes[bytes.len() - 6], b'+' | b'-')
        && bytes[bytes.len() - 3] == b':'
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Timestamp {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<String> for Timestamp {
    fn from(text: String) -> Self {
        Self(text)
    }
}

/// Formats as the API does: seconds precision and a `Z`.
impl From<DateTime<Utc>> for Timestamp {
    fn from(time: DateTime<Utc>) -> Self {
        Self(time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(text: &str) -> i64 {
        Timestamp::from(text)
            .to_datetime()
            .unwrap_or_else(|error| panic!("{text}: {error}"))
            .timestamp()
    }

    #[test]
    fn every_shape_zendesk_writes_parses_to_the_same_instant() {
        // 2017-04-24T12:43:37Z, written each way the API and its clients write it.
        for text in [
            "2017-04-24T12:43:37Z",
            "2017-04-24T12:43:37.000000Z",
            "2017-04-24T12:43:37+00:00",
            "2017-04-24T12:43:37+00:00Z",
            "2017-04-24T14:43:37+02:00Z",
            "2017-04-24T12:43:37",
            "2017-04-24 12:43:37",
            " 2017-04-24T12:43:37Z ",
        ] {
            assert_eq!(seconds(text), 1_493_037_817, "{text}");
        }
        let micros = Timestamp::from("2020-01-01T00:00:00.697862")
            .to_datetime()
            .unwrap();
        assert_eq!(micros.timestamp_subsec_micros(), 697_862);
    }

    #[test]
    fn timestamps_are_ordered_by_instant_not_by_text() {
        let earlier = Timestamp::from("2017-04-24T12:00:00+02:00");
        let later = Timestamp::from("2017-04-24T11:00:00Z");
        assert!(earlier < later, "by text it would be the other way");
        let mut sorted = vec![later.clone(), Timestamp::from("garbage"), earlier.clone()];
        sorted.sort();
        assert_eq!(sorted, [Timestamp::from("garbage"), earlier, later]);
    }

    #[test]
    fn text_that_is_not_a_time_is_an_error() {
        for text in [
            "",
            "yesterday",
            "2014-09-31T08:25:09Z",
            "2014-10-10",
            "2017-04-24T12:43:37ZZ",
            "2017-04-24T25:43:37Z",
        ] {
            assert!(Timestamp::from(text).to_datetime().is_err(), "{text:?}");
        }
    }
}
