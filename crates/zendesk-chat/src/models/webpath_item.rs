//! [`WebpathItem`]: one item of a chat's `webpath`, an object or (in some production chats) an array.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::types::WebpathEntry;

/// One item of a chat's `webpath` (see `WebpathItem` in the spec).
///
/// The reference pages show pages the visitor navigated to, as objects `{from, timestamp, title,
/// to}`. Production chats also carry array-shaped items such as
/// `[null, 1493008592, "https://example.com/pricing"]`; those are kept value for value, whatever
/// their types, so that a chat holding one still decodes and serializes back unchanged.
///
/// ```
/// use zendesk_chat::WebpathItem;
///
/// let items: Vec<WebpathItem> = serde_json::from_str(
///     r#"[{"to": "https://example.com/", "title": "Home"},
///         [null, 1493008592, "https://example.com/pricing"]]"#,
/// ).unwrap();
/// assert_eq!(items[0].page().unwrap().title.as_deref(), Some("Home"));
/// assert!(items[1].page().is_none());
/// assert_eq!(items[1].as_array().unwrap()[1], 1493008592);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum WebpathItem {
    /// A page the visitor navigated to, as documented.
    Page(WebpathEntry),
    /// An array-shaped item, its values as sent (null, integers and strings in known data).
    Array(Vec<serde_json::Value>),
}

impl WebpathItem {
    /// The page, when the item is the documented object.
    pub fn page(&self) -> Option<&WebpathEntry> {
        match self {
            Self::Page(page) => Some(page),
            Self::Array(_) => None,
        }
    }

    /// The values, when the item is array-shaped.
    pub fn as_array(&self) -> Option<&[serde_json::Value]> {
        match self {
            Self::Page(_) => None,
            Self::Array(values) => Some(values),
        }
    }
}

impl From<WebpathEntry> for WebpathItem {
    fn from(page: WebpathEntry) -> Self {
        Self::Page(page)
    }
}

/// Told apart by the JSON type, with no buffering: an object is a page, an array an array.
impl<'de> Deserialize<'de> for WebpathItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;

        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = WebpathItem;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a webpath page object or an array")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                WebpathEntry::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(WebpathItem::Page)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(WebpathItem::Array)
            }
        }

        deserializer.deserialize_any(ItemVisitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for WebpathItem {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WebpathItem".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let page = generator.subschema_for::<WebpathEntry>();
        schemars::json_schema!({"anyOf": [page, {"type": "array"}]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neither_an_object_nor_an_array_is_refused_with_what_was_expected() {
        let error = serde_json::from_str::<WebpathItem>("42").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("a webpath page object or an array"),
            "{error}"
        );
    }

    #[test]
    fn both_shapes_serialize_back_as_sent() {
        for text in [
            r#"{"from":"","to":"https://example.com/","extra":1}"#,
            r#"[null,1493008592,"https://example.com/pricing"]"#,
        ] {
            let item: WebpathItem = serde_json::from_str(text).unwrap();
            let back: serde_json::Value = serde_json::to_value(&item).unwrap();
            assert_eq!(
                back,
                serde_json::from_str::<serde_json::Value>(text).unwrap()
            );
        }
    }
}
