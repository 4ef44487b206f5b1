//! [`OptionalText`]: what the body setters of optional text fields accept.

/// A value for an optional text field of a request body: a `&str`, a `String`, or an `Option` of
/// either (`None` leaves the field out). The generated body setters take it, so that a literal
/// needs no `.to_string()`.
///
/// ```
/// use zendesk_chat::types::UpdateVisitorRequest;
///
/// let change: UpdateVisitorRequest = UpdateVisitorRequest::builder()
///     .notes("Prefers email")
///     .name(None::<String>)
///     .try_into()
///     .unwrap();
/// assert_eq!(change.notes.as_deref(), Some("Prefers email"));
/// assert_eq!(change.name, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OptionalText(Option<String>);

impl OptionalText {
    /// The text, if any.
    pub fn into_option(self) -> Option<String> {
        self.0
    }
}

impl From<&str> for OptionalText {
    fn from(text: &str) -> Self {
        Self(Some(text.to_owned()))
    }
}

impl From<&String> for OptionalText {
    fn from(text: &String) -> Self {
        Self(Some(text.clone()))
    }
}

impl From<String> for OptionalText {
    fn from(text: String) -> Self {
        Self(Some(text))
    }
}

impl From<std::borrow::Cow<'_, str>> for OptionalText {
    fn from(text: std::borrow::Cow<'_, str>) -> Self {
        Self(Some(text.into_owned()))
    }
}

impl From<Option<String>> for OptionalText {
    fn from(text: Option<String>) -> Self {
        Self(text)
    }
}

impl From<Option<&str>> for OptionalText {
    fn from(text: Option<&str>) -> Self {
        Self(text.map(str::to_owned))
    }
}
