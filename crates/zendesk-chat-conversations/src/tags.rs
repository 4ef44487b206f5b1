//! The tag rule of `addTags`: alphanumerics, `-` and `_` only (the API refuses tags with other
//! characters since 24 August 2018).

use crate::error::Error;

/// Checks tags before they are sent: each non-empty, of ASCII letters and digits, `-` and `_`.
///
/// ```
/// use zendesk_chat_conversations::tags::check_tags;
///
/// assert!(check_tags(&["vip", "order-42", "needs_callback"]).is_ok());
/// assert!(check_tags(&["two words"]).is_err());
/// ```
pub fn check_tags<S: AsRef<str>>(tags: &[S]) -> Result<(), Error> {
    if tags.is_empty() {
        return Err(Error::InvalidInput("addTags needs at least one tag".into()));
    }
    for tag in tags {
        let tag = tag.as_ref();
        let valid = !tag.is_empty()
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(Error::InvalidInput(format!(
                "tag {tag:?} is refused by the API: only letters, digits, `-` and `_`"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_with_other_characters_are_refused() {
        for bad in ["", "a b", "a,b", "é", "#vip", "a/b"] {
            assert!(check_tags(&[bad]).is_err(), "{bad:?}");
        }
        assert!(check_tags::<&str>(&[]).is_err());
        assert!(check_tags(&["A-z_09"]).is_ok());
    }
}
