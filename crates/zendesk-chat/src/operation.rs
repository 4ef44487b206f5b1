//! [`Operation`]: what the client knows of one operation of the spec. The generated
//! `operations` module holds one constant per operation and [`operations::ALL`](crate::operations::ALL).

/// One operation of the spec: the generated `operations` module has a constant of this type for
/// each, which traces, errors and the retry policy read.
///
/// ```
/// use zendesk_chat::operations;
///
/// assert_eq!(operations::GET_CHAT.path, "/api/v2/chat/chats/{chat_id}");
/// assert!(operations::GET_CHAT.is_idempotent());
/// assert!(!operations::CREATE_AGENT.is_idempotent());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The spec's `operationId`, such as `getChat`.
    pub id: &'static str,
    /// The name of the `Client` method, such as `get_chat` (progenitor's
    /// `OperationInfo::operation_id`).
    pub rust_name: &'static str,
    /// The HTTP method, such as `GET`.
    pub method: &'static str,
    /// The path template, such as `/api/v2/chat/chats/{chat_id}`.
    pub path: &'static str,
    /// The operation's tag, such as `chats`.
    pub tag: &'static str,
    /// The server the spec says serves it when that is not the account's host: the real-time
    /// metrics' `https://rtm.zopim.com`. The client sends these operations to its
    /// [`real_time_base_url`](crate::ClientBuilder::real_time_base_url).
    pub server: Option<&'static str>,
}

impl Operation {
    /// Whether repeating the request has the same effect as making it once (every method but
    /// `POST`), so that it is safe to retry after a failure whose effect is unknown.
    pub fn is_idempotent(&self) -> bool {
        self.method != "POST"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_method(method: &'static str) -> Operation {
        Operation {
            id: "x",
            rust_name: "x",
            method,
            path: "/x",
            tag: "x",
            server: None,
        }
    }

    #[test]
    fn every_method_but_post_is_idempotent() {
        for method in ["GET", "PUT", "PATCH", "DELETE", "HEAD"] {
            assert!(with_method(method).is_idempotent(), "{method}");
        }
        assert!(!with_method("POST").is_idempotent());
    }

    #[test]
    fn the_table_holds_every_operation_once() {
        let ids: std::collections::HashSet<_> =
            crate::operations::ALL.iter().map(|o| o.id).collect();
        assert_eq!(ids.len(), crate::operations::ALL.len());
        assert!(ids.contains("getChat"));
    }
}
