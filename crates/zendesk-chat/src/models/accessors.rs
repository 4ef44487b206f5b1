//! Accessors on generated models that every user would otherwise write: a flag as a `bool`, a
//! chat's id whatever its kind.

use crate::types;

impl types::Flag {
    /// The flag as a `bool`: `true` for `true` or any non-zero integer.
    ///
    /// ```
    /// use zendesk_chat::types::Flag;
    ///
    /// assert!(Flag::Integer(1).as_bool());
    /// assert!(!Flag::Boolean(false).as_bool());
    /// ```
    pub fn as_bool(&self) -> bool {
        match self {
            Self::Boolean(value) => *value,
            Self::Integer(value) => *value != 0,
        }
    }
}

impl types::Chat {
    /// The chat's id, whatever its kind (an unknown kind's `id` if it is a string).
    ///
    /// ```
    /// let chat: zendesk_chat::types::Chat =
    ///     serde_json::from_str(r#"{"type": "offline_msg", "id": "1704.2314815.QHgVx6SOrRuSx"}"#).unwrap();
    /// assert_eq!(chat.id(), Some("1704.2314815.QHgVx6SOrRuSx"));
    /// ```
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::SupportChat(chat) => chat.id.as_deref(),
            Self::OfflineMessage(message) => message.id.as_deref(),
            Self::Unknown(object) => object.get("id").and_then(|id| id.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_kind_of_chat_still_gives_its_id() {
        let chat: types::Chat = serde_json::from_str(r#"{"type": "voice", "id": "v1"}"#).unwrap();
        assert_eq!(chat.id(), Some("v1"));
        let chat: types::Chat = serde_json::from_str(r#"{"type": "voice"}"#).unwrap();
        assert_eq!(chat.id(), None);
    }
}
