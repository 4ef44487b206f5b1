//! The frame of an export page (`count`, `end_id`, `end_time`, `next_page`) and its items under the
//! export's key, decoded in one pass for any export: the key comes from [`ExportResource`].

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use super::ExportResource;
use crate::types;

/// The properties every export page has.
#[derive(Debug, Default)]
pub(super) struct PageInfo {
    pub count: Option<u64>,
    pub end_id: Option<String>,
    pub end_time: Option<types::EpochTime>,
    pub next_page: Option<String>,
}

impl PageInfo {
    /// Reads the value of the page's top-level `key` from `value`: into its field if it is one of
    /// the frame's, skipped otherwise.
    pub fn read<'de, D: serde::Deserializer<'de>>(
        &mut self,
        key: &str,
        value: D,
    ) -> Result<(), D::Error> {
        match key {
            "count" => self.count = Deserialize::deserialize(value)?,
            "end_id" => self.end_id = Deserialize::deserialize(value)?,
            "end_time" => self.end_time = Deserialize::deserialize(value)?,
            "next_page" => self.next_page = Deserialize::deserialize(value)?,
            _ => {
                IgnoredAny::deserialize(value)?;
            }
        }
        Ok(())
    }
}

/// One value of the page's frame, read by [`PageInfo::read`].
pub(super) struct FrameValue<'a> {
    pub info: &'a mut PageInfo,
    pub key: &'a str,
}

impl<'de> DeserializeSeed<'de> for FrameValue<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.info.read(self.key, deserializer)
    }
}

/// A page: its items (`T` is a model, or `&RawValue` to keep them as sent) and its frame.
#[derive(Debug)]
pub(super) struct Page<T> {
    pub items: Vec<T>,
    pub info: PageInfo,
}

/// Decodes a [`Page`] of `resource`, whose items are under its key; other keys are skipped.
pub(super) struct PageSeed<T> {
    pub resource: ExportResource,
    pub items: PhantomData<fn() -> T>,
}

impl<T> PageSeed<T> {
    pub fn new(resource: ExportResource) -> Self {
        Self {
            resource,
            items: PhantomData,
        }
    }
}

impl<T> Clone for PageSeed<T> {
    fn clone(&self) -> Self {
        Self::new(self.resource)
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for PageSeed<T> {
    type Value = Page<T>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Page<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for PageSeed<T> {
    type Value = Page<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a page of the {} export", self.resource)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let items_key = self.resource.items_key();
        let mut items = None;
        let mut info = PageInfo::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == items_key {
                items = map.next_value::<Option<Vec<T>>>()?;
            } else {
                map.next_value_seed(FrameValue {
                    info: &mut info,
                    key: &key,
                })?;
            }
        }
        Ok(Page {
            items: items.unwrap_or_default(),
            info,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use super::*;

    fn page<'a, T: Deserialize<'a>>(
        resource: ExportResource,
        body: &'a str,
    ) -> serde_json::Result<Page<T>> {
        let mut deserializer = serde_json::Deserializer::from_str(body);
        PageSeed::new(resource).deserialize(&mut deserializer)
    }

    #[test]
    fn the_items_are_read_under_the_exports_key_and_other_keys_skipped() {
        let body = r#"{"chats": [{"id": "x"}], "agent_timeline": [1], "count": 1,
            "end_id": "x", "end_time": 1608613496, "next_page": "https://e/x?start_time=1", "new": {}}"#;
        let raw: Page<&RawValue> = page(ExportResource::Chats, body).unwrap();
        assert_eq!(raw.items.len(), 1);
        assert_eq!(raw.items[0].get(), r#"{"id": "x"}"#);
        assert_eq!(raw.info.count, Some(1));
        assert_eq!(raw.info.end_id.as_deref(), Some("x"));
        assert!(raw.info.next_page.is_some());
        let timeline: Page<u8> = page(ExportResource::AgentTimeline, body).unwrap();
        assert_eq!(timeline.items, [1]);
    }

    #[test]
    fn a_page_without_items_or_with_null_items_has_none() {
        let empty: Page<u8> = page(ExportResource::Conversions, r#"{"count": 0}"#).unwrap();
        assert!(empty.items.is_empty());
        let null: Page<u8> = page(ExportResource::Conversions, r#"{"conversions": null}"#).unwrap();
        assert!(null.items.is_empty());
    }

    #[test]
    fn a_frame_of_the_wrong_type_is_an_error() {
        assert!(page::<u8>(ExportResource::Chats, r#"{"count": "many"}"#).is_err());
        assert!(page::<u8>(ExportResource::Chats, "[]").is_err());
    }
}
