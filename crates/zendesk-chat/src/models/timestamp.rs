//! [`Timestamp`]: a date and time as the API wrote it.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A date and time as the API wrote it (ISO 8601, such as `2014-10-09T05:28:35Z` or, in chat
/// histories and the agent timeline, `2020-12-22T04:54:18.807000Z`).
///
/// The text is kept exactly as sent, so that a model serializes back to what the server sent:
/// precision varies from field to field, and the documentation even carries a date that does not
/// exist (`2014-09-31`). Parse it when you need to compute with it:
///
/// ```
/// use zendesk_chat::Timestamp;
///
/// let sent = Timestamp::from("2020-12-22T04:54:18.807000Z");
/// assert_eq!(sent.as_str(), "2020-12-22T04:54:18.807000Z");
/// assert_eq!(sent.to_datetime().unwrap().timestamp(), 1_608_612_858);
/// assert!(Timestamp::from("2014-09-31T08:25:09Z").to_datetime().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// The text as the API sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date and time, in UTC; an error if the text is not a valid RFC 3339 date and time.
    pub fn to_datetime(&self) -> Result<DateTime<Utc>, chrono::ParseError> {
        DateTime::parse_from_rfc3339(&self.0).map(|t| t.with_timezone(&Utc))
    }
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
