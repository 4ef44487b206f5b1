//! The one-pass split by `jiter`, an iterating JSON parser that gives the byte offset of every
//! value: a page into its records with each record's top-level fields located, or one record
//! into its fields (see the [parent](super) module's docs for when each is used).

use std::sync::OnceLock;

use jiter::{Jiter, Peek};

use super::{FieldSpan, RecordSpan, Span, Split, span_in, unescaped};

/// The top-level fields of one record (at `offset` in its page's text), located by jiter, or
/// `None` if jiter refuses the record.
pub(super) fn locate_fields(record: &str, offset: u32) -> Option<Box<[FieldSpan]>> {
    let mut own = Split::default();
    let mut splitter = Splitter::new(record);
    let peek = splitter.json.peek().ok()?;
    splitter.record(peek, &mut own).ok()?;
    let mut located = own.records.pop()?.fields.into_inner().flatten()?;
    for field in &mut located {
        for span in [&mut field.key, &mut field.value] {
            span.start += offset;
            span.end += offset;
        }
    }
    Some(located)
}

/// `jiter` refused the text (or a frame value did not decode): `serde_json` reads it instead, and
/// names the problem if there is one.
#[derive(Debug)]
pub(super) struct Refused;

impl From<jiter::JiterError> for Refused {
    fn from(_: jiter::JiterError) -> Self {
        Refused
    }
}

/// One pass over a page's text.
pub(super) struct Splitter<'j> {
    text: &'j str,
    json: Jiter<'j>,
}

impl<'j> Splitter<'j> {
    pub(super) fn new(text: &'j str) -> Self {
        Self {
            text,
            json: Jiter::new(text.as_bytes()),
        }
    }

    pub(super) fn split(mut self, items_key: &str) -> Result<Split, Refused> {
        let mut split = Split::default();
        let mut key = self.first_key()?;
        while let Some(span) = key {
            let name = unescaped(span.of(self.text));
            if name == items_key {
                split.records.clear();
                self.records(&mut split)?;
            } else {
                let value = self.value()?.of(self.text);
                let mut deserializer = serde_json::Deserializer::from_str(value);
                split
                    .info
                    .read(&name, &mut deserializer)
                    .map_err(|_| Refused)?;
            }
            key = self.next_key()?;
        }
        Ok(split)
    }

    /// The items: an array of records, or `null` for none.
    fn records(&mut self, split: &mut Split) -> Result<(), Refused> {
        match self.json.peek()? {
            Peek::Null => Ok(self.json.known_null()?),
            Peek::Array => {
                let mut next = self.json.known_array()?;
                while let Some(peek) = next {
                    self.record(peek, split)?;
                    next = self.json.array_step()?;
                }
                Ok(())
            }
            _ => Err(Refused),
        }
    }

    /// The record that comes next (`peek` tells what it is), with its top-level fields if it is
    /// an object.
    fn record(&mut self, peek: Peek, split: &mut Split) -> Result<(), Refused> {
        let start = self.json.current_index();
        split.fields.clear();
        if peek == Peek::Object {
            let mut key = self.first_key()?;
            while let Some(span) = key {
                let value = self.value()?;
                split.fields.push(FieldSpan { key: span, value });
                key = self.next_key()?;
            }
        } else {
            self.json.known_skip(peek)?;
        }
        let fields = Some(split.fields.as_slice().into());
        split.records.push(RecordSpan {
            text: Span::new(start..self.json.current_index()),
            fields: OnceLock::from(fields),
        });
        Ok(())
    }

    /// Opens the object that comes next, and gives its first key (`None` when it is empty).
    fn first_key(&mut self) -> Result<Option<Span>, Refused> {
        let key = self.json.next_object_bytes()?;
        key.map(|key| span_in(self.text, key).ok_or(Refused))
            .transpose()
    }

    /// The object's next key, or `None` at its end.
    fn next_key(&mut self) -> Result<Option<Span>, Refused> {
        let key = self.json.next_key_bytes()?;
        key.map(|key| span_in(self.text, key).ok_or(Refused))
            .transpose()
    }

    /// Skips over the value that comes next, and gives where it is.
    fn value(&mut self) -> Result<Span, Refused> {
        let peek = self.json.peek()?;
        let start = self.json.current_index();
        self.json.known_skip(peek)?;
        Ok(Span::new(start..self.json.current_index()))
    }
}
