//! The decoding of a tagged union, which every generated union's `Deserialize` calls: read the
//! tag without decoding anything else, then decode the one variant it names.
//!
//! typify would make an untagged enum that tries each variant in turn; see `codegen/src/unions.rs`
//! for what the generated enums look like.

use serde::de::{DeserializeOwned, DeserializeSeed, Error, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// The tag of a tagged union's object: the string value of `property`, or `None` when it has none
/// (or a value that is not a string). Every other value is skipped without being decoded. An
/// error when the JSON is not an object.
pub(crate) fn read_tag<E: Error>(
    object: &RawValue,
    property: &'static str,
) -> Result<Option<String>, E> {
    let mut deserializer = serde_json::Deserializer::from_str(object.get());
    serde::Deserializer::deserialize_map(&mut deserializer, TagOf(property))
        .map_err(|error| E::custom(message_without_position(&error)))
}

/// The variant `T` decoded from the union's object; an error names the path of the field that does
/// not fit, inside the variant.
///
/// The path is tracked only when there is an error to name: the object is decoded again for it.
/// Tracking it on every decode cost more than the decoding itself.
pub(crate) fn decode_variant<T: DeserializeOwned, E: Error>(object: &RawValue) -> Result<T, E> {
    if let Ok(variant) = serde_json::from_str(object.get()) {
        return Ok(variant);
    }
    let mut deserializer = serde_json::Deserializer::from_str(object.get());
    serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|error| {
        E::custom(format_args!(
            "{}: {}",
            error.path(),
            message_without_position(error.inner())
        ))
    })
}

/// An error's message without its line and column, which count from the start of the union's
/// object and would mislead; the caller's error places it in the whole document.
fn message_without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(position.as_str()) {
        Some(message) => message.to_owned(),
        None => message,
    }
}

/// Visits an object for the value of one key.
struct TagOf(&'static str);

impl<'de> Visitor<'de> for TagOf {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut tag = None;
        while let Some(is_tag) = map.next_key_seed(IsKey(self.0))? {
            if is_tag && tag.is_none() {
                tag = Some(map.next_value::<serde_json::Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(tag.and_then(|tag| match tag {
            serde_json::Value::String(tag) => Some(tag),
            _ => None,
        }))
    }
}

/// A key, compared with the tag's name without being copied.
struct IsKey(&'static str);

impl<'de> DeserializeSeed<'de> for IsKey {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IsKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    fn tag(json: &str) -> Result<Option<String>, serde_json::Error> {
        read_tag(&raw(json), "type")
    }

    #[test]
    fn the_tag_is_the_string_value_of_its_property() {
        let tag = tag(r#"{"msg": {"deep": [1, 2]}, "type": "chat.msg"}"#).unwrap();
        assert_eq!(tag.as_deref(), Some("chat.msg"));
    }

    #[test]
    fn an_object_without_the_property_or_with_a_value_that_is_not_text_has_no_tag() {
        assert_eq!(tag(r#"{"msg": "hi"}"#).unwrap(), None);
        assert_eq!(tag(r#"{"type": 7}"#).unwrap(), None);
    }

    #[test]
    fn a_repeated_tag_counts_once_the_first_time() {
        let tag = tag(r#"{"type": "chat.msg", "type": "chat.rating"}"#).unwrap();
        assert_eq!(tag.as_deref(), Some("chat.msg"));
    }

    #[test]
    fn json_that_is_not_an_object_is_an_error() {
        let error = tag("[1, 2]").unwrap_err();
        assert!(error.to_string().contains("expected an object"), "{error}");
    }

    #[derive(Debug, serde::Deserialize)]
    struct Message {
        msg: String,
        #[allow(dead_code)]
        options: Vec<String>,
    }

    #[test]
    fn a_variant_that_does_not_fit_names_the_field_without_a_misleading_position() {
        let error = decode_variant::<Message, serde_json::Error>(&raw(
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
    fn a_variant_that_fits_is_decoded() {
        let message: Message =
            decode_variant::<_, serde_json::Error>(&raw(r#"{"msg": "hi", "options": []}"#))
                .unwrap();
        assert_eq!(message.msg, "hi");
    }
}
