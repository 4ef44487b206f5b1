//! Incremental export as streams: every chat, agent timespan, conversion or department event
//! created or updated since a start time, a page at a time, resumable from a saved cursor.
//!
//! ```no_run
//! use zendesk_chat::export::{ExportCursor, ExportStart};
//!
//! # async fn run(client: zendesk_chat::Client, saved: Option<ExportCursor>) -> Result<(), zendesk_chat::Error> {
//! let start = match saved {
//!     Some(cursor) => ExportStart::Cursor(cursor),
//!     None => ExportStart::time("2024-01-01T00:00:00Z".parse().unwrap()),
//! };
//! let mut pages = client.incremental_chats(start).pages();
//! while let Some(page) = pages.next().await {
//!     let page = page?;
//!     for chat in &page.items {
//!         println!("{:?}", chat.type_tag());
//!     }
//!     // Persist `page.next` together with what was done with the page's items: a later run that
//!     // starts from it skips nothing and repeats nothing.
//!     let _cursor_to_save = &page.next;
//!     if page.caught_up {
//!         break; // or keep going with `.follow(interval)`
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # More now, or caught up?
//!
//! Each page carries `count`, `end_time`, `end_id` and `next_page`. `next_page` is there even on
//! the last page (it is the URL to poll later), so following it until it is null never ends. The
//! reference page says "if count is less than limit, more items are available": that sentence is
//! inverted. A page with fewer items than `limit` means the export has **caught up** (poll
//! `next_page` later); a full page means **more now** (request `next_page` at once). This module
//! always sends `limit` (1000 by default), so the rule is exact; every client that works stops
//! this way.
//!
//! # The five-minute rule
//!
//! The API refuses a `start_time` less than five minutes in the past. A start time given here is
//! checked before any request ([`Error::InvalidInput`]). A cursor that the API handed back can be
//! that recent (the last changed item was changed a minute ago): the stream then waits until it is
//! old enough before requesting it, or, when caught up and not following, ends.
//!
//! # Units
//!
//! The agent timeline takes and returns microseconds; the other exports seconds. Department events
//! hand back a fractional `start_time` (`1512172860.657078`) in `next_page`: cursors keep the
//! value's text exactly as sent, so nothing is rounded away.

use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde::de::{DeserializeOwned, DeserializeSeed};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

mod page;
mod raw;
mod resource;

use page::{Page, PageInfo, PageSeed};
pub use raw::{FieldLocation, RawRecord};
pub use resource::{
    AgentEvents, AgentTimeline, Chats, Conversions, DepartmentEvents, ExportKind, ExportResource,
    TimeUnit, UnknownExport, decode_raw_items,
};

use crate::call::decode_seeded;
use crate::error::RecordError;
use crate::fields::Fields;
use crate::limits::{EXPORT_MAX_PAGE_SIZE, EXPORT_MIN_AGE};
use crate::paging::{Paged, query_value};
use crate::record::{Records, decode_each};
use crate::{Client, Error};

/// Where an export stands: the `start_time` and `start_id` of the next request.
///
/// Persist it (it is `Serialize`) after handling a page's items, and start a later export from it
/// with [`ExportStart::Cursor`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCursor {
    /// The `start_time`, exactly as the API wrote it in `next_page` (seconds, or microseconds for
    /// the agent timeline; possibly fractional).
    pub start_time: String,
    /// The `start_id`: the id of the last item already seen at `start_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_id: Option<String>,
}

impl ExportCursor {
    /// The start time as seconds since the Unix epoch, given the export's unit.
    fn seconds(&self, unit: TimeUnit) -> Option<f64> {
        let value: f64 = self
            .start_time
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
        Some(match unit {
            TimeUnit::Seconds => value,
            TimeUnit::Microseconds => value / 1e6,
        })
    }
}

impl fmt::Display for ExportCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "start_time={}", self.start_time)?;
        if let Some(id) = &self.start_id {
            write!(f, "&start_id={id}")?;
        }
        Ok(())
    }
}

/// Where an export starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStart {
    /// Items updated at or after this time (converted to the export's unit).
    Time(DateTime<Utc>),
    /// Resume where an earlier export stopped.
    Cursor(ExportCursor),
}

impl ExportStart {
    /// Items updated at or after `time`.
    pub fn time(time: DateTime<Utc>) -> Self {
        Self::Time(time)
    }

    /// Resume from a saved cursor if there is one, else start at `since`: the usual first line
    /// of an export job.
    ///
    /// ```
    /// use zendesk_chat::export::{ExportCursor, ExportStart};
    ///
    /// let saved: Option<ExportCursor> = None; // read from wherever you keep it
    /// let day = zendesk_chat::chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    /// let start = ExportStart::resume_or(saved, day);
    /// assert!(matches!(start, ExportStart::Time(_)));
    /// ```
    pub fn resume_or(saved: Option<ExportCursor>, since: impl Into<ExportStart>) -> Self {
        saved.map_or_else(|| since.into(), Self::Cursor)
    }

    /// Everything: the start of the epoch.
    pub fn beginning() -> Self {
        Self::Time(DateTime::UNIX_EPOCH)
    }
}

/// Reads back what [`Display`](fmt::Display) writes: `start_time=…`, then `&start_id=…` if any.
///
/// ```
/// use zendesk_chat::export::ExportCursor;
///
/// let cursor: ExportCursor = "start_time=1512172860.657078&start_id=R3J4l7Q.department:456".parse().unwrap();
/// assert_eq!(cursor.start_time, "1512172860.657078");
/// assert_eq!(cursor.to_string().parse::<ExportCursor>().unwrap(), cursor);
/// ```
impl std::str::FromStr for ExportCursor {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let (mut start_time, mut start_id) = (None, None);
        for part in text.split('&') {
            match part.split_once('=') {
                Some(("start_time", value)) if !value.is_empty() => {
                    start_time = Some(value.to_owned())
                }
                Some(("start_id", value)) if !value.is_empty() => start_id = Some(value.to_owned()),
                _ => {
                    return Err(Error::invalid_input(
                        None,
                        format!("{text:?} is not a cursor (start_time=…&start_id=…)"),
                    ));
                }
            }
        }
        let start_time = start_time.ok_or_else(|| {
            Error::invalid_input(None, format!("the cursor {text:?} has no start_time"))
        })?;
        Ok(Self {
            start_time,
            start_id,
        })
    }
}

/// The first instant of the day, in UTC.
impl From<chrono::NaiveDate> for ExportStart {
    fn from(day: chrono::NaiveDate) -> Self {
        Self::Time(day.and_time(chrono::NaiveTime::MIN).and_utc())
    }
}

impl From<ExportCursor> for ExportStart {
    fn from(cursor: ExportCursor) -> Self {
        Self::Cursor(cursor)
    }
}

impl From<DateTime<Utc>> for ExportStart {
    fn from(time: DateTime<Utc>) -> Self {
        Self::Time(time)
    }
}

/// One page of an export.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExportPage<T> {
    /// The page's items, in update order.
    pub items: Vec<T>,
    /// The page's records that did not fit their model, each kept whole with where and why (see
    /// [`RecordError`]); always empty for [`Export::raw_pages`]. [`next`](Self::next) is past
    /// them too: save it, and they are not fetched again.
    pub failures: Vec<RecordError>,
    /// The cursor after this page: save it once the items are handled.
    pub next: ExportCursor,
    /// Whether the export has caught up (fewer items than the limit): more items will only
    /// appear as the account changes.
    pub caught_up: bool,
    /// `next_page` as the API sent it.
    pub next_page: Option<String>,
}

impl Client {
    /// The chats updated since `start`, whole (`fields=chats(*)`) unless [`Export::fields`] says
    /// otherwise.
    pub fn incremental_chats(&self, start: impl Into<ExportStart>) -> Export<Chats> {
        Export::typed(self.clone(), start.into())
    }

    /// The agents' timespans since `start` (the API counts this export in microseconds; give
    /// the start as a time or a cursor, and this converts).
    pub fn incremental_agent_timeline(
        &self,
        start: impl Into<ExportStart>,
    ) -> Export<AgentTimeline> {
        Export::typed(self.clone(), start.into())
    }

    /// The changes of the agents' status and engagements since `start` (microseconds, like the
    /// timeline; "limited availability" on Zendesk's side).
    pub fn incremental_agent_events(&self, start: impl Into<ExportStart>) -> Export<AgentEvents> {
        Export::typed(self.clone(), start.into())
    }

    /// The conversions since `start`, whole (`fields=conversions(*)`) by default.
    pub fn incremental_conversions(&self, start: impl Into<ExportStart>) -> Export<Conversions> {
        Export::typed(self.clone(), start.into())
    }

    /// The department events since `start`.
    pub fn incremental_department_events(
        &self,
        start: impl Into<ExportStart>,
    ) -> Export<DepartmentEvents> {
        Export::typed(self.clone(), start.into())
    }

    /// The export `resource`, chosen at run time, with its records as sent
    /// ([`Export::raw_pages`]); [`ExportResource::typed_failures`] checks them against the typed
    /// model when wanted.
    ///
    /// ```no_run
    /// use zendesk_chat::export::{ExportResource, ExportStart};
    ///
    /// # async fn run(client: zendesk_chat::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let resource: ExportResource = "agent-timeline".parse()?;
    /// let mut pages = client.raw_export(resource, ExportStart::beginning()).raw_pages();
    /// while let Some(page) = pages.next().await {
    ///     for record in page?.items {
    ///         println!("{}", record.get());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn raw_export(
        &self,
        resource: ExportResource,
        start: impl Into<ExportStart>,
    ) -> Export<Raw> {
        Export::new(self.clone(), resource, start.into())
    }
}

/// The item type of an export chosen at run time ([`Client::raw_export`]): its records are only
/// reachable as sent, through [`Export::raw_pages`].
#[derive(Debug)]
pub enum Raw {}

/// An incremental export, ready to run: set its options, then take [`pages`](Self::pages),
/// [`items`](Self::items) or [`raw_pages`](Self::raw_pages).
///
/// The streams hold one page in memory at a time, yield as pages arrive, and stop cleanly when
/// dropped (an in-flight request is cancelled). After an error they end.
#[derive(Debug, Clone)]
#[must_use]
pub struct Export<K> {
    client: Client,
    resource: ExportResource,
    start: ExportStart,
    limit: u32,
    fields: Option<Fields>,
    follow: Option<Duration>,
    field_location: FieldLocation,
    kind: PhantomData<fn() -> K>,
}

impl<K: ExportKind> Export<K> {
    fn typed(client: Client, start: ExportStart) -> Self {
        Self::new(client, K::RESOURCE, start)
    }

    /// The pages, each with its items decoded into the generated model and the cursor after it.
    ///
    /// A record that does not fit its model does not fail the page: it is in the page's
    /// [`failures`](ExportPage::failures), kept whole, and the cursor moves past it.
    pub fn pages(self) -> Paged<ExportPage<K::Item>> {
        let resource = self.resource;
        self.run(move |body| decode_typed_page::<K::Item>(resource, &body))
    }

    /// The items, one at a time (one page in memory). Without a cursor to save, use it for
    /// exports that need no resuming.
    ///
    /// A record that does not fit its model is yielded, after its page's other items, as an
    /// [`Error::Record`], and the stream goes on; any other error ends it.
    pub fn items(self) -> Paged<K::Item> {
        Paged::new(
            self.pages()
                .map_ok(|page| {
                    let failures = page
                        .failures
                        .into_iter()
                        .map(|failure| Err(Error::Record(Box::new(failure))));
                    futures::stream::iter(page.items.into_iter().map(Ok).chain(failures))
                })
                .try_flatten(),
        )
    }
}

impl<K: 'static> Export<K> {
    fn new(client: Client, resource: ExportResource, start: ExportStart) -> Self {
        Self {
            client,
            resource,
            start,
            limit: EXPORT_MAX_PAGE_SIZE,
            fields: resource.expandable().map(Fields::all),
            follow: None,
            field_location: FieldLocation::OnFirstUse,
            kind: PhantomData,
        }
    }

    /// Items per page, from 1 to 1000 (the default, and the most the API gives).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit.clamp(1, EXPORT_MAX_PAGE_SIZE);
        self
    }

    /// Which properties of the items to return (resource expansion), for the chats and
    /// conversions exports. Whole items by default; without expansion the API returns ids only.
    pub fn fields(mut self, fields: Fields) -> Self {
        self.fields = Some(fields);
        self
    }

    /// Keep following the export once caught up, requesting the next page every `interval`,
    /// forever (until the stream is dropped).
    pub fn follow(mut self, interval: Duration) -> Self {
        self.follow = Some(interval);
        self
    }

    /// When [`raw_pages`](Self::raw_pages) locates the top-level fields of each record: on first
    /// use by default (the page is only split, the cheapest for readers that want the text), or
    /// while splitting the page, in one pass, for readers that call [`RawRecord::field`] on
    /// every record.
    ///
    /// ```
    /// # fn run(client: zendesk_chat::Client) {
    /// use zendesk_chat::export::{ExportResource, ExportStart, FieldLocation};
    ///
    /// let rows = client
    ///     .raw_export(ExportResource::Chats, ExportStart::beginning())
    ///     .locate_fields(FieldLocation::WhileSplitting)
    ///     .raw_pages();
    /// # }
    /// ```
    pub fn locate_fields(mut self, when: FieldLocation) -> Self {
        self.field_location = when;
        self
    }

    /// The pages, each item exactly as the server sent it (JSON text), for writing records out
    /// without dropping, renaming or re-typing any field. A page's body is kept whole: its
    /// records are views of it ([`RawRecord`]), whose fields are located as
    /// [`locate_fields`](Self::locate_fields) says.
    pub fn raw_pages(self) -> Paged<ExportPage<RawRecord>> {
        let (resource, fields) = (self.resource, self.field_location);
        self.run(move |body| {
            let (items, info) = raw::split_page(resource, body, fields)?;
            Ok(Decoded {
                records: Records {
                    items,
                    failures: Vec::new(),
                },
                info,
            })
        })
    }

    fn run<T, D>(self, decode_page: D) -> Paged<ExportPage<T>>
    where
        T: Send + 'static,
        D: Fn(bytes::Bytes) -> Result<Decoded<T>, Error> + Send + Sync + 'static,
    {
        let state = State::<K, T, D> {
            export: self,
            cursor: None,
            decode_page,
            finished: false,
            pending_wait: None,
            items: PhantomData,
        };
        // `try_unfold` ends the stream after an error by itself.
        Paged::new(futures::stream::try_unfold(state, |mut state| async move {
            if state.finished {
                return Ok(None);
            }
            let page = state.next_page().await?;
            Ok(Some((page, state)))
        }))
    }
}

/// The running state of an export stream.
struct State<K, T, D> {
    export: Export<K>,
    /// The cursor of the next request; `None` before the first.
    cursor: Option<ExportCursor>,
    decode_page: D,
    finished: bool,
    /// A wait to make before the next request (polling, or a cursor too recent to request).
    pending_wait: Option<Duration>,
    items: PhantomData<fn() -> T>,
}

impl<K, T, D> State<K, T, D>
where
    D: Fn(bytes::Bytes) -> Result<Decoded<T>, Error>,
{
    async fn next_page(&mut self) -> Result<ExportPage<T>, Error> {
        if self.cursor.is_none() {
            let resource = self.export.resource;
            let cursor = start_cursor(resource, &self.export.start)?;
            check_age(resource, &cursor, SystemTime::now())?;
            self.cursor = Some(cursor);
        }
        loop {
            let cursor = self.cursor.clone().expect("set above");
            if let Some(wait) = self.pending_wait.take() {
                tokio::time::sleep(wait).await;
            }
            // A cursor the API handed back may be too recent to request yet: wait until it is not.
            if let Some(wait) = wait_for_age(self.export.resource, &cursor, SystemTime::now()) {
                tokio::time::sleep(wait).await;
            }
            let body = self.fetch(&cursor).await?;
            let page = (self.decode_page)(body)?;
            let received = page.records.items.len() + page.records.failures.len();
            let count = page.info.count.unwrap_or(received as u64);
            let caught_up = count < u64::from(self.export.limit);
            let next = next_cursor(&page.info, &cursor);
            if !caught_up && next == cursor {
                return Err(Error::CursorStuck(crate::error::CursorStuck {
                    operation: self.export.resource.operation().id,
                    cursor: cursor.to_string(),
                }));
            }
            self.cursor = Some(next.clone());
            if caught_up {
                match self.export.follow {
                    None => self.finished = true,
                    Some(interval) => {
                        self.pending_wait = Some(interval);
                        if received == 0 {
                            // Nothing new yet: poll again without yielding an empty page.
                            continue;
                        }
                    }
                }
            }
            return Ok(ExportPage {
                items: page.records.items,
                failures: page.records.failures,
                next,
                caught_up,
                next_page: page.info.next_page,
            });
        }
    }

    async fn fetch(&self, cursor: &ExportCursor) -> Result<bytes::Bytes, Error> {
        let limit = self.export.limit.to_string();
        let mut query = vec![
            ("start_time", cursor.start_time.as_str()),
            ("limit", limit.as_str()),
        ];
        if let Some(id) = &cursor.start_id {
            query.push(("start_id", id));
        }
        if let Some(fields) = &self.export.fields {
            query.push(("fields", fields.as_str()));
        }
        self.export
            .client
            .get_bytes(self.export.resource.operation(), &query)
            .await
    }
}

/// A page as the export stream uses it.
struct Decoded<T> {
    records: Records<T>,
    info: PageInfo,
}

/// Decodes a page's items into the generated model: the whole page at once when every record
/// fits, else record by record, so that one record that does not fit costs only itself.
fn decode_typed_page<T: DeserializeOwned>(
    resource: ExportResource,
    body: &[u8],
) -> Result<Decoded<T>, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    if let Ok(page) = PageSeed::<T>::new(resource).deserialize(&mut deserializer) {
        return Ok(Decoded {
            records: Records {
                items: page.items,
                failures: Vec::new(),
            },
            info: page.info,
        });
    }
    // A page whose frame does not decode (no JSON, a `count` of the wrong type) is an error.
    let page: Page<&RawValue> = decode_seeded(resource.operation(), body, PageSeed::new(resource))?;
    let key = resource.items_key();
    let records = Records::from(decode_each(
        resource.operation(),
        page.items
            .iter()
            .enumerate()
            .map(|(index, record)| (format!("{key}[{index}]"), record.get())),
    ));
    Ok(Decoded {
        records,
        info: page.info,
    })
}

/// The cursor of the first request.
fn start_cursor(resource: ExportResource, start: &ExportStart) -> Result<ExportCursor, Error> {
    match start {
        ExportStart::Cursor(cursor) => {
            if cursor.seconds(resource.unit()).is_none() {
                return Err(Error::invalid_input(
                    Some(resource.operation().id),
                    format!(
                        "the cursor's start_time {:?} is not a non-negative number",
                        cursor.start_time
                    ),
                ));
            }
            Ok(cursor.clone())
        }
        ExportStart::Time(time) => {
            let start_time = match resource.unit() {
                TimeUnit::Seconds => time.timestamp().max(0).to_string(),
                TimeUnit::Microseconds => time.timestamp_micros().max(0).to_string(),
            };
            Ok(ExportCursor {
                start_time,
                start_id: None,
            })
        }
    }
}

/// Refuses a start time less than five minutes before `now`.
fn check_age(
    resource: ExportResource,
    cursor: &ExportCursor,
    now: SystemTime,
) -> Result<(), Error> {
    match wait_for_age(resource, cursor, now) {
        None => Ok(()),
        Some(_) => Err(Error::invalid_input(
            Some(resource.operation().id),
            format!(
                "start_time {} is less than five minutes in the past; the API refuses it. \
                 Start at least five minutes before now{}",
                cursor.start_time,
                if resource.unit() == TimeUnit::Microseconds {
                    " (this export counts in microseconds)"
                } else {
                    ""
                },
            ),
        )),
    }
}

/// How long to wait until the cursor's start time is five minutes old, if it is not yet.
fn wait_for_age(
    resource: ExportResource,
    cursor: &ExportCursor,
    now: SystemTime,
) -> Option<Duration> {
    let start = cursor.seconds(resource.unit())?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    let eligible_at = start + EXPORT_MIN_AGE.as_secs_f64() + 1.0;
    (eligible_at > now).then(|| Duration::from_secs_f64(eligible_at - now))
}

/// The cursor after a page: from `next_page` (treated as opaque: its `start_time` and
/// `start_id` are taken as written), else from `end_time` and `end_id`, else unchanged.
fn next_cursor(info: &PageInfo, current: &ExportCursor) -> ExportCursor {
    if let Some(next_page) = &info.next_page
        && let Some(start_time) = query_value(next_page, "start_time")
    {
        return ExportCursor {
            start_time,
            start_id: query_value(next_page, "start_id"),
        };
    }
    match &info.end_time {
        Some(end_time) => ExportCursor {
            start_time: end_time.to_string(),
            start_id: info.end_id.clone(),
        },
        None => current.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types;

    fn cursor(start_time: &str, start_id: Option<&str>) -> ExportCursor {
        ExportCursor {
            start_time: start_time.into(),
            start_id: start_id.map(Into::into),
        }
    }

    fn info(next_page: Option<&str>) -> PageInfo {
        PageInfo {
            next_page: next_page.map(Into::into),
            ..PageInfo::default()
        }
    }

    #[test]
    fn the_next_cursor_is_read_from_next_page_as_written() {
        let docs = "https://{subdomain}.zendesk.com/api/v2/chat/incremental/chats?fields=chats%28%2A%29&start_time=1608613496&start_id=2012.9339545.SJsAIFAY09HB1";
        assert_eq!(
            next_cursor(&info(Some(docs)), &cursor("0", None)),
            cursor("1608613496", Some("2012.9339545.SJsAIFAY09HB1"))
        );
        let departments = "https://x.zendesk.com/api/v2/chat/incremental/department_events?start_time=1512172860.657078&start_id=R3J4l7Q.department:456.ccf4LG";
        assert_eq!(
            next_cursor(&info(Some(departments)), &cursor("0", None)),
            cursor("1512172860.657078", Some("R3J4l7Q.department:456.ccf4LG"))
        );
        let timeline = "https://x.zendesk.com/api/v2/chat/incremental/agent_timeline?limit=7&start_time=1525010407403712";
        assert_eq!(
            next_cursor(&info(Some(timeline)), &cursor("0", None)),
            cursor("1525010407403712", None)
        );
    }

    #[test]
    fn without_next_page_the_end_of_the_page_is_the_cursor() {
        let page = PageInfo {
            end_time: Some(types::EpochTime::Int64(1_524_710_057)),
            end_id: Some("1804.2.QqHwCNX18mZ7Y".into()),
            ..PageInfo::default()
        };
        assert_eq!(
            next_cursor(&page, &cursor("0", None)),
            cursor("1524710057", Some("1804.2.QqHwCNX18mZ7Y"))
        );
        assert_eq!(
            next_cursor(&PageInfo::default(), &cursor("5", Some("a"))),
            cursor("5", Some("a"))
        );
    }

    #[test]
    fn start_times_are_converted_to_the_exports_unit() {
        let time: DateTime<Utc> = "2019-01-01T07:00:00Z".parse().unwrap();
        assert_eq!(
            start_cursor(ExportResource::Chats, &ExportStart::Time(time)).unwrap(),
            cursor("1546326000", None)
        );
        assert_eq!(
            start_cursor(ExportResource::AgentTimeline, &ExportStart::Time(time)).unwrap(),
            cursor("1546326000000000", None)
        );
    }

    #[test]
    fn a_start_time_within_five_minutes_is_refused_before_any_request() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let four_minutes_ago = cursor("1699999760", None);
        let error = check_age(ExportResource::Chats, &four_minutes_ago, now).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("less than five minutes in the past"),
            "{error}"
        );
        assert!(check_age(ExportResource::Chats, &cursor("1699999600", None), now).is_ok());
        // The same instant in microseconds, for the agent timeline.
        assert!(
            check_age(
                ExportResource::AgentTimeline,
                &cursor("1699999760000000", None),
                now
            )
            .is_err()
        );
        assert!(
            check_age(
                ExportResource::AgentTimeline,
                &cursor("1699999600000000", None),
                now
            )
            .is_ok()
        );
    }

    #[test]
    fn a_recent_cursor_is_waited_for_until_it_is_old_enough() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        // Requestable five minutes (plus a second of margin) after 1699999990.5: 291.5 s from now.
        let wait = wait_for_age(ExportResource::Chats, &cursor("1699999990.5", None), now).unwrap();
        assert!((wait.as_secs_f64() - 291.5).abs() < 1e-6, "{wait:?}");
        assert_eq!(
            wait_for_age(ExportResource::Chats, &cursor("1699999000", None), now),
            None
        );
    }

    #[test]
    fn a_day_starts_an_export_at_its_first_instant_and_a_cursor_reads_back() {
        let day = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
        assert_eq!(
            start_cursor(ExportResource::Chats, &ExportStart::from(day)).unwrap(),
            cursor("1546300800", None)
        );
        let saved = cursor("1525010407403712", None);
        assert_eq!(saved.to_string().parse::<ExportCursor>().unwrap(), saved);
        assert!("start_id=x".parse::<ExportCursor>().is_err());
        assert!("yesterday".parse::<ExportCursor>().is_err());
    }

    #[test]
    fn a_cursor_that_is_not_a_number_is_refused() {
        let error = start_cursor(
            ExportResource::Chats,
            &ExportStart::Cursor(cursor("yesterday", None)),
        )
        .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error}");
    }
}
