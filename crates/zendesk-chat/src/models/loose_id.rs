//! [`LooseId`]: an id sent as a string in some payloads and as a number in others.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An id that the API sends as a JSON string in some payloads and as a number in others (see
/// `LooseId` in the spec): `engagements[].agent_id` is `"383486450414"` where the agent's own `id`
/// is `383486450414`.
///
/// The JSON type the server sent is kept, so a model serializes back unchanged; compare and
/// convert without caring which it was:
///
/// ```
/// use zendesk_chat::LooseId;
///
/// let from_engagement: LooseId = serde_json::from_str(r#""383486450414""#).unwrap();
/// assert_eq!(from_engagement, 383_486_450_414_i64);
/// assert_eq!(from_engagement.as_i64(), Some(383_486_450_414));
/// assert_eq!(from_engagement.to_string(), "383486450414");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LooseId {
    /// Sent as a JSON string.
    String(String),
    /// Sent as a JSON number.
    Integer(i64),
}

impl LooseId {
    /// The id as a number, if it is one (or a string of digits).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::String(text) => text.parse().ok(),
            Self::Integer(number) => Some(*number),
        }
    }
}

impl fmt::Display for LooseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(text) => f.write_str(text),
            Self::Integer(number) => write!(f, "{number}"),
        }
    }
}

impl PartialEq<i64> for LooseId {
    fn eq(&self, other: &i64) -> bool {
        self.as_i64() == Some(*other)
    }
}

impl PartialEq<str> for LooseId {
    fn eq(&self, other: &str) -> bool {
        match self {
            Self::String(text) => text == other,
            Self::Integer(number) => number.to_string() == other,
        }
    }
}

impl PartialEq<&str> for LooseId {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl From<i64> for LooseId {
    fn from(number: i64) -> Self {
        Self::Integer(number)
    }
}

impl From<String> for LooseId {
    fn from(text: String) -> Self {
        Self::String(text)
    }
}

impl From<&str> for LooseId {
    fn from(text: &str) -> Self {
        Self::String(text.to_owned())
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for LooseId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LooseId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"anyOf": [{"type": "string"}, {"type": "integer", "format": "int64"}]})
    }
}
