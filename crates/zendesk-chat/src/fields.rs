//! [`Fields`]: resource expansion, the `fields` parameter of the incremental exports.

use std::fmt;

use crate::Error;

/// Which properties of the exported items the API returns (resource expansion). Without it the
/// chats and conversions exports return ids only.
///
/// ```
/// use zendesk_chat::Fields;
///
/// assert_eq!(Fields::all("chats").as_str(), "chats(*)");
/// assert_eq!(Fields::only("chats", ["id", "comment", "rating"]).unwrap().as_str(), "chats(id,comment,rating)");
/// assert_eq!(Fields::only("chats", ["response_time.max"]).unwrap().as_str(), "chats(response_time.max)");
/// assert!(Fields::only("chats", ["id),(evil"]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fields(String);

impl Fields {
    /// Every property of `resource` (`chats(*)`).
    pub fn all(resource: &str) -> Self {
        Self(format!("{resource}(*)"))
    }

    /// Only these properties of `resource`; a nested one is named with dots (`response_time.max`).
    /// Names are letters, digits, `_` and `.`; anything else is refused, so that a name cannot
    /// change the expression.
    pub fn only<I, S>(resource: &str, fields: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let fields: Vec<String> = fields.into_iter().map(|f| f.as_ref().to_owned()).collect();
        let valid = |name: &str| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        };
        if fields.is_empty() || !valid(resource) || !fields.iter().all(|f| valid(f)) {
            return Err(Error::invalid_input(
                None,
                format!(
                    "resource expansion takes names of letters, digits, `_` and `.`: {resource}({})",
                    fields.join(",")
                ),
            ));
        }
        Ok(Self(format!("{resource}({})", fields.join(","))))
    }

    /// The expression, as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
