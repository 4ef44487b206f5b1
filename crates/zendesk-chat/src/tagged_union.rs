//! The decoding of a tagged union, which every generated union's `Deserialize` calls: split the
//! object into its keys and the JSON text of their values in one pass, find the tag among the
//! keys, then decode the one variant it names from those pieces.
//!
//! The text is borrowed from the input where the input allows it (text and bytes, which is how
//! the client decodes every response) and copied where it does not (a reader, a `Value`). Each
//! value is decoded once, by the variant; a nested union (an event in a chat's history) splits its
//! own object from its piece of text. (Why this way, and what it costs: BENCHMARKS.md.)
//!
//! typify would make an untagged enum that tries each variant in turn; see `codegen/src/unions.rs`
//! for what the generated enums look like.

use serde::de::{
    DeserializeOwned, DeserializeSeed, Error, IgnoredAny, MapAccess, Visitor,
    value::BorrowedStrDeserializer,
};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt;

/// The name serde_json's deserializers know a raw value by: asked for a newtype of this name, they
/// hand over the value's JSON text instead of decoding it (borrowed when they can). It is what
/// `serde_json::value::RawValue` itself is deserialized with, and not part of serde_json's
/// documented API: should a later serde_json name it otherwise, it would answer as for any
/// newtype, and [`RawText`] then reads the value through the public `Box<RawValue>` (a copy, but
/// the same text). The test `a_raw_value_is_borrowed_from_text_and_copied_from_a_reader` shows
/// which of the two this serde_json does.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// A key and the JSON text of its value.
type Entry<'de> = (Cow<'de, str>, Cow<'de, str>);

/// A union's object: each key, and the JSON text of its value, in the order of the input. Up to
/// 12 entries (a history event has 6 to 10) are kept without allocating.
pub(crate) struct Object<'de> {
    entries: SmallVec<[Entry<'de>; 12]>,
}

impl<'de> serde::Deserialize<'de> for Object<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor)
    }
}

impl Object<'_> {
    /// The tag: the string value of `property`, or `None` when it has none (or a value that is
    /// not a string). A repeated key counts the first time. An error when the value is a string
    /// that cannot be read (a lone surrogate escape).
    pub(crate) fn tag<E: Error>(&self, property: &str) -> Result<Option<Cow<'_, str>>, E> {
        let Some((_, text)) = self.entries.iter().find(|(key, _)| key == property) else {
            return Ok(None);
        };
        // Most tags have no escapes and are borrowed; the others are unescaped into a copy.
        if let Ok(tag) = serde_json::from_str::<&str>(text) {
            return Ok(Some(Cow::Borrowed(tag)));
        }
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::String(tag)) => Ok(Some(Cow::Owned(tag))),
            Ok(_) => Ok(None),
            Err(error) => Err(E::custom(format_args!(
                "{property}: {}",
                message_without_position(&error)
            ))),
        }
    }
}

/// The variant `T` decoded from the union's object; an error names the path of the field that does
/// not fit, inside the variant.
///
/// The path is tracked only when there is an error to name: the object is decoded again for it.
/// Tracking it on every decode cost more than the decoding itself.
pub(crate) fn decode_variant<T: DeserializeOwned, E: Error>(object: &Object<'_>) -> Result<T, E> {
    if let Ok(variant) = T::deserialize(Entries::new(object)) {
        return Ok(variant);
    }
    serde_path_to_error::deserialize::<_, T>(Entries::new(object)).map_err(|error| {
        E::custom(format_args!(
            "{}: {}",
            error.path(),
            message_without_position(error.inner())
        ))
    })
}

/// An error's message without its line and column, which count from the start of a piece of the
/// union's object and would mislead; the caller's error places it in the whole document.
fn message_without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(position.as_str()) {
        Some(message) => message.to_owned(),
        None => message,
    }
}

/// Reads an object into an [`Object`].
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = SmallVec::new();
        while let Some(key) = map.next_key_seed(Text)? {
            let value = map.next_value_seed(RawText)?;
            entries.push((key, value));
        }
        Ok(Object { entries })
    }
}

/// A string, borrowed from the input when the input allows it.
pub(crate) struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }

    fn visit_string<E: Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text))
    }
}

/// The JSON text of a value, as serde_json hands it over for a raw value.
struct RawText;

impl<'de> DeserializeSeed<'de> for RawText {
    type Value = Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, self)
    }
}

impl<'de> Visitor<'de> for RawText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    /// serde_json's answer: a map of one entry, its private key and the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if map.next_key::<IgnoredAny>()?.is_none() {
            return Err(A::Error::invalid_type(serde::de::Unexpected::Map, &self));
        }
        map.next_value_seed(Text)
    }

    /// The answer of a deserializer that does not know the name: the value through serde_json's
    /// public raw value, which knows its own name.
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        let raw =
            <Box<serde_json::value::RawValue> as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Cow::Owned(raw.get().to_owned()))
    }
}

/// An [`Object`] as a map to decode a variant from: its keys as they are, each value decoded from
/// its text.
struct Entries<'a> {
    entries: std::slice::Iter<'a, Entry<'a>>,
    value: Option<&'a str>,
}

impl<'a> Entries<'a> {
    fn new(object: &'a Object<'_>) -> Self {
        // The object's own lifetime is at least `'a`; the entries are only read through `'a`.
        let entries: &'a [Entry<'a>] = &object.entries;
        Self {
            entries: entries.iter(),
            value: None,
        }
    }
}

impl<'a> MapAccess<'a> for Entries<'a> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let text = self
            .value
            .take()
            .ok_or_else(|| serde_json::Error::custom("a value asked for before its key"))?;
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let value = seed.deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

impl<'de> serde::Deserializer<'de> for Entries<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(self)
    }

    /// An object is never `null`: a variant that is an `Option` is `Some`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    /// A variant that is a newtype decodes its inner type from the object, as serde_json does.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: &str) -> Object<'_> {
        serde_json::from_str(json).unwrap()
    }

    fn tag(json: &str) -> Option<String> {
        object(json)
            .tag::<serde_json::Error>("type")
            .unwrap()
            .map(Cow::into_owned)
    }

    #[test]
    fn the_tag_is_the_string_value_of_its_property() {
        let tag = tag(r#"{"msg": {"deep": [1, 2]}, "type": "chat.msg"}"#);
        assert_eq!(tag.as_deref(), Some("chat.msg"));
    }

    #[test]
    fn a_tag_with_escapes_is_unescaped() {
        assert_eq!(
            tag(r#"{"type": "chat\u002emsg"}"#).as_deref(),
            Some("chat.msg")
        );
    }

    #[test]
    fn an_object_without_the_property_or_with_a_value_that_is_not_text_has_no_tag() {
        assert_eq!(tag(r#"{"msg": "hi"}"#), None);
        assert_eq!(tag(r#"{"type": 7}"#), None);
    }

    #[test]
    fn a_repeated_tag_counts_once_the_first_time() {
        let tag = tag(r#"{"type": "chat.msg", "type": "chat.rating"}"#);
        assert_eq!(tag.as_deref(), Some("chat.msg"));
    }

    #[test]
    fn json_that_is_not_an_object_is_an_error() {
        let error = serde_json::from_str::<Object>("[1, 2]").err().unwrap();
        assert!(error.to_string().contains("expected an object"), "{error}");
    }

    #[test]
    fn a_raw_value_is_borrowed_from_text_and_copied_from_a_reader() {
        let json = r#"{"msg": {"deep": [1, 2]}, "type": "chat.msg"}"#;
        let borrowed: Object = serde_json::from_str(json).unwrap();
        assert!(matches!(
            borrowed.entries[0].1,
            Cow::Borrowed(r#"{"deep": [1, 2]}"#)
        ));
        let mut reader = serde_json::Deserializer::from_reader(json.as_bytes());
        let copied = <Object as serde::Deserialize>::deserialize(&mut reader).unwrap();
        assert!(matches!(&copied.entries[0].1, Cow::Owned(text) if text == r#"{"deep": [1, 2]}"#));
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let from_value = <Object as serde::Deserialize>::deserialize(value).unwrap();
        assert_eq!(from_value.entries[1].1, r#""chat.msg""#);
    }

    #[derive(Debug, serde::Deserialize)]
    struct Message {
        msg: String,
        #[allow(dead_code)]
        options: Vec<String>,
        #[serde(flatten)]
        extra: serde_json::Map<String, serde_json::Value>,
    }

    #[test]
    fn a_variant_that_does_not_fit_names_the_field_without_a_misleading_position() {
        let error = decode_variant::<Message, serde_json::Error>(&object(
            r#"{"msg": "hi", "options": ["a", 7]}"#,
        ))
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("options[1]: invalid type: integer `7`"),
            "{error}"
        );
        assert!(!error.contains("line 1 column"), "{error}");
    }

    #[test]
    fn a_variant_that_fits_is_decoded_with_the_fields_it_does_not_know_kept() {
        let message: Message = decode_variant::<_, serde_json::Error>(&object(
            r#"{"msg": "hi\n", "options": [], "new": {"x": [1.5, null]}}"#,
        ))
        .unwrap();
        assert_eq!(message.msg, "hi\n");
        assert_eq!(message.extra["new"], serde_json::json!({"x": [1.5, null]}));
    }

    #[test]
    fn a_repeated_field_is_refused_as_it_is_without_a_union() {
        let error = decode_variant::<Message, serde_json::Error>(&object(
            r#"{"msg": "a", "msg": "b", "options": []}"#,
        ))
        .unwrap_err()
        .to_string();
        assert!(error.contains("duplicate field `msg`"), "{error}");
    }

    #[test]
    fn a_piece_of_text_is_decoded_as_exactly_one_value() {
        // Pieces come from serde_json's own split; one that held more would still be refused.
        let mut entries = SmallVec::new();
        entries.push((Cow::Borrowed("msg"), Cow::Borrowed(r#""a" "b""#)));
        entries.push((Cow::Borrowed("options"), Cow::Borrowed("[]")));
        let error = decode_variant::<Message, serde_json::Error>(&Object { entries })
            .unwrap_err()
            .to_string();
        assert!(error.contains("trailing characters"), "{error}");
    }

    #[test]
    fn a_tag_that_is_not_readable_text_is_an_error_not_a_missing_tag() {
        let error = object(r#"{"type": "\ud800"}"#)
            .tag::<serde_json::Error>("type")
            .unwrap_err()
            .to_string();
        // A lone surrogate: serde_json cannot unescape it.
        assert!(
            error.starts_with("type: ") && error.contains("escape"),
            "{error}"
        );
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Wrapped(serde_json::Map<String, serde_json::Value>);

    #[test]
    fn a_variant_that_is_a_newtype_or_an_option_decodes_from_the_object() {
        let wrapped: Wrapped =
            decode_variant::<_, serde_json::Error>(&object(r#"{"a": 1}"#)).unwrap();
        assert_eq!(wrapped.0["a"], 1);
        let optional: Option<Wrapped> =
            decode_variant::<_, serde_json::Error>(&object(r#"{"a": 1}"#)).unwrap();
        assert_eq!(optional, Some(wrapped));
    }
}
