//! [`ExportResource`]: what differs between the incremental exports, described once. The client's
//! streams, the emulator's pages and zchat's archives all read it; adding an export is adding a
//! variant here (and its operation to the spec).

use std::fmt;

use serde::de::DeserializeOwned;

use super::RawRecord;
use crate::Error;
use crate::error::RecordError;
use crate::operations::{self, Operation};
use crate::record::{Records, decode_each, failures_of};
use crate::types;

/// One of the API's incremental exports.
///
/// ```
/// use zendesk_chat::export::{ExportResource, TimeUnit};
///
/// let timeline = ExportResource::AgentTimeline;
/// assert_eq!(timeline.items_key(), "agent_timeline");
/// assert_eq!(timeline.operation().path, "/api/v2/chat/incremental/agent_timeline");
/// assert_eq!(timeline.unit(), TimeUnit::Microseconds);
/// assert_eq!("department_events".parse(), Ok(ExportResource::DepartmentEvents));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExportResource {
    /// Chats: support chats and offline messages, whole (items: [`types::Chat`]).
    Chats,
    /// The agents' status timespans (items: [`types::AgentTimespan`]).
    AgentTimeline,
    /// Changes of the agents' status and engagements (items: [`types::AgentEvent`]).
    AgentEvents,
    /// Goal conversions (items: [`types::Conversion`]).
    Conversions,
    /// Changes of the departments' queues (items: [`types::DepartmentEvent`]).
    DepartmentEvents,
}

/// The unit of an export's `start_time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Unix epoch seconds.
    Seconds,
    /// Unix epoch microseconds (the agent timeline and agent events).
    Microseconds,
}

impl ExportResource {
    /// Every export, in the spec's order.
    pub const ALL: [ExportResource; 5] = [
        Self::Chats,
        Self::AgentTimeline,
        Self::AgentEvents,
        Self::Conversions,
        Self::DepartmentEvents,
    ];

    /// The generated operation that serves its pages.
    pub fn operation(self) -> &'static Operation {
        match self {
            Self::Chats => &operations::EXPORT_CHATS,
            Self::AgentTimeline => &operations::EXPORT_AGENT_TIMELINE,
            Self::AgentEvents => &operations::EXPORT_AGENT_EVENTS,
            Self::Conversions => &operations::EXPORT_CONVERSIONS,
            Self::DepartmentEvents => &operations::EXPORT_DEPARTMENT_EVENTS,
        }
    }

    /// The key of the items in a page (`chats`, `agent_timeline`, …), which is also the export's
    /// name (in the path, in zchat's state files and tables).
    pub fn items_key(self) -> &'static str {
        match self {
            Self::Chats => "chats",
            Self::AgentTimeline => "agent_timeline",
            Self::AgentEvents => "agent_events",
            Self::Conversions => "conversions",
            Self::DepartmentEvents => "department_events",
        }
    }

    /// The resource name of its `fields` parameter, for the exports with resource expansion
    /// (without `fields`, they return ids only).
    pub fn expandable(self) -> Option<&'static str> {
        match self {
            Self::Chats => Some("chats"),
            Self::Conversions => Some("conversions"),
            Self::AgentTimeline | Self::AgentEvents | Self::DepartmentEvents => None,
        }
    }

    /// The unit of `start_time` and `end_time`.
    pub fn unit(self) -> TimeUnit {
        match self {
            Self::AgentTimeline | Self::AgentEvents => TimeUnit::Microseconds,
            Self::Chats | Self::Conversions | Self::DepartmentEvents => TimeUnit::Seconds,
        }
    }

    /// Whether its cursor has a `start_id` beside `start_time` (the agent timeline's has none).
    pub fn cursor_has_id(self) -> bool {
        self != Self::AgentTimeline
    }

    /// The item field that says when a record last changed (what the export is ordered by).
    pub fn changed_at_field(self) -> &'static str {
        match self {
            Self::Chats => "update_timestamp",
            Self::AgentTimeline => "start_time",
            Self::AgentEvents | Self::Conversions | Self::DepartmentEvents => "timestamp",
        }
    }

    /// The records of a page of this export that is already at hand (a body saved earlier, or
    /// fetched some other way), exactly as [`Export::raw_pages`](super::Export::raw_pages) gives
    /// them: views of the body, their top-level fields located when `fields` says.
    ///
    /// ```
    /// use zendesk_chat::export::{ExportResource, FieldLocation};
    ///
    /// let body = r#"{"chats": [{"id": "a", "type": "chat"}], "count": 1}"#;
    /// let records = ExportResource::Chats.raw_records(body, FieldLocation::OnFirstUse)?;
    /// assert_eq!(records[0].field("type"), Some(r#""chat""#));
    /// # Ok::<(), zendesk_chat::Error>(())
    /// ```
    pub fn raw_records(
        self,
        body: impl Into<Vec<u8>>,
        fields: super::FieldLocation,
    ) -> Result<Vec<RawRecord>, Error> {
        Ok(super::raw::split_page(self, bytes::Bytes::from(body.into()), fields)?.0)
    }

    /// The records among `records` (items of this export as JSON text, such as
    /// [`Export::raw_pages`](super::Export::raw_pages) gives) that do not fit the typed model: what
    /// a typed reader would get as [`RecordError`]s.
    pub fn typed_failures(self, records: &[RawRecord]) -> Vec<RecordError> {
        match self {
            Self::Chats => failures_in::<super::Chats>(records),
            Self::AgentTimeline => failures_in::<super::AgentTimeline>(records),
            Self::AgentEvents => failures_in::<super::AgentEvents>(records),
            Self::Conversions => failures_in::<super::Conversions>(records),
            Self::DepartmentEvents => failures_in::<super::DepartmentEvents>(records),
        }
    }
}

impl fmt::Display for ExportResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.items_key())
    }
}

/// The name is not one of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownExport(pub String);

impl fmt::Display for UnknownExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = ExportResource::ALL.iter().map(|r| r.items_key()).collect();
        write!(
            f,
            "no export is called {:?} (there are {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownExport {}

impl std::str::FromStr for ExportResource {
    type Err = UnknownExport;

    /// An export by its name, with `_` or `-` between words (`agent_timeline`, `agent-timeline`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let name_with_underscores = name.replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|resource| resource.items_key() == name_with_underscores)
            .ok_or_else(|| UnknownExport(name.to_owned()))
    }
}

/// An export with a typed item: the markers [`Chats`](super::Chats),
/// [`AgentTimeline`](super::AgentTimeline), [`AgentEvents`](super::AgentEvents),
/// [`Conversions`](super::Conversions) and
/// [`DepartmentEvents`](super::DepartmentEvents).
pub trait ExportKind: Send + Sync + 'static {
    /// The typed item (`types::Chat`, …).
    type Item: DeserializeOwned + Send + 'static;
    /// The export it types.
    const RESOURCE: ExportResource;
}

/// The chats export (items: [`types::Chat`]; whole chats by default, `fields=chats(*)`).
#[derive(Debug)]
pub enum Chats {}
/// The agent timeline export (items: [`types::AgentTimespan`]; microseconds).
#[derive(Debug)]
pub enum AgentTimeline {}
/// The agent events export (items: [`types::AgentEvent`]; microseconds).
#[derive(Debug)]
pub enum AgentEvents {}
/// The conversions export (items: [`types::Conversion`]; `fields=conversions(*)` by default).
#[derive(Debug)]
pub enum Conversions {}
/// The department events export (items: [`types::DepartmentEvent`]).
#[derive(Debug)]
pub enum DepartmentEvents {}

impl ExportKind for Chats {
    type Item = types::Chat;
    const RESOURCE: ExportResource = ExportResource::Chats;
}

impl ExportKind for AgentTimeline {
    type Item = types::AgentTimespan;
    const RESOURCE: ExportResource = ExportResource::AgentTimeline;
}

impl ExportKind for AgentEvents {
    type Item = types::AgentEvent;
    const RESOURCE: ExportResource = ExportResource::AgentEvents;
}

impl ExportKind for Conversions {
    type Item = types::Conversion;
    const RESOURCE: ExportResource = ExportResource::Conversions;
}

impl ExportKind for DepartmentEvents {
    type Item = types::DepartmentEvent;
    const RESOURCE: ExportResource = ExportResource::DepartmentEvents;
}

/// Decodes records of export `K` kept as JSON text (from
/// [`Export::raw_pages`](super::Export::raw_pages)) into the generated model: the items that fit,
/// and a [`RecordError`] for each that does not.
pub fn decode_raw_items<K: ExportKind>(records: &[RawRecord]) -> (Vec<K::Item>, Vec<RecordError>) {
    let decoded = Records::from(decode_each(
        K::RESOURCE.operation(),
        located(K::RESOURCE, records),
    ));
    (decoded.items, decoded.failures)
}

/// The records of export `K` that do not fit its model; those that fit are decoded one at a time
/// and dropped.
fn failures_in<K: ExportKind>(records: &[RawRecord]) -> Vec<RecordError> {
    failures_of::<K::Item, _>(K::RESOURCE.operation(), located(K::RESOURCE, records))
}

/// Each record with its place in its page (`chats[3]`).
fn located(
    resource: ExportResource,
    records: &[RawRecord],
) -> impl Iterator<Item = (String, &str)> {
    let key = resource.items_key();
    records
        .iter()
        .enumerate()
        .map(move |(index, record)| (format!("{key}[{index}]"), record.get()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_is_an_operation_of_the_spec_under_its_name() {
        for resource in ExportResource::ALL {
            let operation = resource.operation();
            assert_eq!(
                operation.path,
                format!("/api/v2/chat/incremental/{}", resource.items_key())
            );
            assert_eq!(operation.method, "GET");
            assert_eq!(resource.to_string().parse(), Ok(resource));
        }
        assert!(
            "agents"
                .parse::<ExportResource>()
                .unwrap_err()
                .to_string()
                .contains("chats, agent_timeline")
        );
    }

    #[test]
    fn typed_failures_name_each_record_that_does_not_fit() {
        let records: Vec<RawRecord> = [
            r#"{"type": "chat", "id": "a"}"#,
            r#"{"type": "chat", "id": "b", "rating": 7}"#,
        ]
        .into_iter()
        .map(|text| RawRecord::from_json(text).unwrap())
        .collect();
        let failures = ExportResource::Chats.typed_failures(&records);
        assert_eq!(failures.len(), 1);
        assert!(
            failures[0].to_string().contains("chats[1]"),
            "{}",
            failures[0]
        );
        assert!(ExportResource::Conversions.typed_failures(&[]).is_empty());
    }
}
