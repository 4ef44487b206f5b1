//! Chat search: a typed builder for the query language, and a stream over every result.
//!
//! ```
//! use chrono::NaiveDate;
//! use zendesk_chat::search::{ChatType, SearchQuery, TimeRange};
//!
//! let october = NaiveDate::from_ymd_opt(2014, 10, 10).unwrap();
//! let query = SearchQuery::visitor_email("harry@example.com")
//!     .and(SearchQuery::timestamp(TimeRange::any().from(october)))
//!     .and(SearchQuery::chat_type(ChatType::Chat).or(SearchQuery::text("chocolate")));
//! assert_eq!(
//!     query.to_string(),
//!     r#"visitor_email:"harry@example.com" AND timestamp:[2014-10-10 TO *] AND (type:chat OR "chocolate")"#,
//! );
//! ```
//!
//! Values are always quoted, with `\` and `"` escaped, so user input cannot change a query's
//! meaning; the query is URL-encoded once, by the HTTP client.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use futures::StreamExt;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::call::decode;
use crate::error::{CursorStuck, SearchWindowExceeded};
use crate::limits::{IDS_PER_REQUEST, SEARCH_MAX_PAGES, SEARCH_WINDOW};
use crate::operations::SEARCH_CHATS;
use crate::paging::{Page, Paged, paginate, query_value};
use crate::record::decode_each;
use crate::{Client, Error, types};

/// A chat search query: terms combined with AND and OR. Build it from the constructors, combine
/// with [`and`](Self::and) and [`or`](Self::or); `to_string()` gives the query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery(Expr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Term(String),
    All(Vec<Expr>),
    Any(Vec<Expr>),
}

impl SearchQuery {
    /// Chats in which an agent of this name took part (`agent_names`).
    pub fn agent_name(name: &str) -> Self {
        Self::field("agent_names", name)
    }

    /// Chats with a visitor of this name (`visitor_name`).
    pub fn visitor_name(name: &str) -> Self {
        Self::field("visitor_name", name)
    }

    /// Chats with a visitor of this email address (`visitor_email`).
    pub fn visitor_email(email: &str) -> Self {
        Self::field("visitor_email", email)
    }

    /// Chats that started within `range` (`timestamp`).
    pub fn timestamp(range: TimeRange) -> Self {
        Self(Expr::Term(format!("timestamp:{range}")))
    }

    /// Chats that ended within `range` (`end_timestamp`).
    pub fn end_timestamp(range: TimeRange) -> Self {
        Self(Expr::Term(format!("end_timestamp:{range}")))
    }

    /// Chats of this type (`type:chat`, `type:offline_msg`).
    ///
    /// The reference page's field table names the field `chat_type`, but its own example and
    /// production clients write `type:` (see the spec's `searchChats`); this writes `type:`.
    pub fn chat_type(chat_type: ChatType) -> Self {
        match chat_type {
            ChatType::Chat | ChatType::OfflineMsg => Self(Expr::Term(format!("type:{chat_type}"))),
            other => Self::field("type", &other.to_string()),
        }
    }

    /// Chats with this rating (`rating`).
    pub fn rating(rating: &types::Rating) -> Self {
        match rating {
            types::Rating::Good | types::Rating::Bad => {
                Self(Expr::Term(format!("rating:{rating}")))
            }
            types::Rating::Unknown(other) => Self::field("rating", other),
        }
    }

    /// Chats whose text contains this phrase (free text).
    pub fn text(phrase: &str) -> Self {
        Self(Expr::Term(quoted(phrase)))
    }

    /// Both this query and `other`.
    pub fn and(self, other: SearchQuery) -> Self {
        Self(join(self.0, other.0, true))
    }

    /// This query or `other`.
    pub fn or(self, other: SearchQuery) -> Self {
        Self(join(self.0, other.0, false))
    }

    fn field(name: &str, value: &str) -> Self {
        Self(Expr::Term(format!("{name}:{}", quoted(value))))
    }
}

fn join(left: Expr, right: Expr, all: bool) -> Expr {
    let mut parts = Vec::new();
    for part in [left, right] {
        match (part, all) {
            (Expr::All(inner), true) | (Expr::Any(inner), false) => parts.extend(inner),
            (other, _) => parts.push(other),
        }
    }
    if all {
        Expr::All(parts)
    } else {
        Expr::Any(parts)
    }
}

/// `"value"`, with `\` and `"` escaped: inside quotes, nothing else is special.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl fmt::Display for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, &self.0, false)
    }
}

fn write_expr(f: &mut fmt::Formatter<'_>, expr: &Expr, nested: bool) -> fmt::Result {
    let (parts, operator) = match expr {
        Expr::Term(term) => return f.write_str(term),
        Expr::All(parts) => (parts, " AND "),
        Expr::Any(parts) => (parts, " OR "),
    };
    if nested {
        f.write_str("(")?;
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            f.write_str(operator)?;
        }
        write_expr(f, part, true)?;
    }
    if nested {
        f.write_str(")")?;
    }
    Ok(())
}

impl From<SearchQuery> for String {
    fn from(query: SearchQuery) -> Self {
        query.to_string()
    }
}

/// The kind of a chat, for [`SearchQuery::chat_type`] (and a search result's `type`).
pub use crate::types::ChatType;

/// A time range for [`SearchQuery::timestamp`] and [`SearchQuery::end_timestamp`]; an open end is
/// `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeRange {
    from: Option<String>,
    to: Option<String>,
}

/// One end of a [`TimeRange`]: a date (`2014-10-10`) or a date and time in UTC
/// (`2016-02-02T16:00:00`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeBound(String);

impl From<NaiveDate> for TimeBound {
    fn from(date: NaiveDate) -> Self {
        Self(date.format("%Y-%m-%d").to_string())
    }
}

impl From<DateTime<Utc>> for TimeBound {
    fn from(time: DateTime<Utc>) -> Self {
        Self(time.format("%Y-%m-%dT%H:%M:%S").to_string())
    }
}

impl TimeRange {
    /// Open at both ends; narrow it with [`from`](Self::from) and [`to`](Self::to).
    pub fn any() -> Self {
        Self {
            from: None,
            to: None,
        }
    }

    /// From this date or time on (inclusive).
    pub fn from(mut self, bound: impl Into<TimeBound>) -> Self {
        self.from = Some(bound.into().0);
        self
    }

    /// Up to this date or time (inclusive).
    pub fn to(mut self, bound: impl Into<TimeBound>) -> Self {
        self.to = Some(bound.into().0);
        self
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = |bound: &Option<String>| bound.clone().unwrap_or_else(|| "*".into());
        write!(f, "[{} TO {}]", end(&self.from), end(&self.to))
    }
}

impl Client {
    /// Every chat that matches `query` (a [`SearchQuery`] or query text), in the API's order,
    /// 40 a page, following `next_url`.
    ///
    /// The API serves at most 250 pages (10,000 results) for one query and refuses page 251: the
    /// stream delivers those, then ends with [`Error::SearchWindowExceeded`] rather than silently
    /// stopping, so that the caller narrows the query (by `timestamp` range) and searches again.
    ///
    /// A result that does not fit its model is yielded as an [`Error::Record`] (kept whole), and
    /// the stream goes on; any other error ends it.
    pub fn search(&self, query: impl Into<String>) -> Paged<types::SearchResult> {
        let client = self.clone();
        let query: String = query.into();
        let first = SearchCursor {
            page: 1,
            delivered: 0,
        };
        paginate(first, move |cursor: SearchCursor| {
            let (client, query) = (client.clone(), query.clone());
            async move { fetch_search_page(&client, &query, cursor).await }
        })
    }
}

impl Client {
    /// Every chat that matches `query` and started between `from` and `to` (inclusive), however
    /// many: past the API's 10,000-result window, the time range is split in halves, and each
    /// half again, until every window fits; windows are searched in time order and every match
    /// is delivered once. (Production ETL clients page chats by time this way, by hand.)
    ///
    /// ```no_run
    /// use chrono::{TimeZone, Utc};
    /// use zendesk_chat::search::SearchQuery;
    ///
    /// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
    /// let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let good = SearchQuery::rating(&zendesk_chat::types::Rating::Good);
    /// let mut chats = client.search_between(good, from, Utc::now()).full_chats(&client);
    /// while let Some(chat) = chats.next().await {
    ///     println!("{:?}", chat?.id());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn search_between(
        &self,
        query: SearchQuery,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Paged<types::SearchResult> {
        let client = self.clone();
        let first = SplitCursor {
            pending: vec![(from, to)],
            current: None,
        };
        paginate(first, move |cursor: SplitCursor| {
            let (client, query) = (client.clone(), query.clone());
            async move { fetch_split_page(&client, &query, cursor).await }
        })
    }
}

/// Where a split search stands: the time windows still to search (the earliest last), and the
/// window being paged with its cursor.
#[derive(Debug, Clone)]
struct SplitCursor {
    pending: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    current: Option<(DateTime<Utc>, DateTime<Utc>, SearchCursor)>,
}

/// One page of a split search: a window's page, or (when a window holds more than the API
/// serves) no results and the window's halves queued in its place.
async fn fetch_split_page(
    client: &Client,
    query: &SearchQuery,
    mut cursor: SplitCursor,
) -> Result<Page<types::SearchResult, SplitCursor>, Error> {
    let (from, to, page) = match cursor.current.take() {
        Some(current) => current,
        None => match cursor.pending.pop() {
            Some((from, to)) => (
                from,
                to,
                SearchCursor {
                    page: 1,
                    delivered: 0,
                },
            ),
            None => {
                return Ok(Page {
                    results: Vec::new(),
                    next: None,
                });
            }
        },
    };
    let windowed = query
        .clone()
        .and(SearchQuery::timestamp(TimeRange::any().from(from).to(to)));
    let text = windowed.to_string();
    let (window, total) = fetch_counted_page(client, &text, page).await?;
    if page.page == 1 {
        let seconds = (to - from).num_seconds();
        // Too many for one window: its first page is set aside and its halves searched instead.
        if total > SEARCH_WINDOW && seconds >= 1 {
            let middle = from + chrono::Duration::seconds(seconds / 2);
            // Bounds are whole seconds and inclusive: the halves do not overlap.
            cursor
                .pending
                .push((middle + chrono::Duration::seconds(1), to));
            cursor.pending.push((from, middle));
            return Ok(Page {
                results: Vec::new(),
                next: Some(cursor),
            });
        }
    }
    cursor.current = window.next.map(|next| (from, to, next));
    let done = cursor.current.is_none() && cursor.pending.is_empty();
    Ok(Page {
        results: window.results,
        next: (!done).then_some(cursor),
    })
}

impl Paged<types::SearchResult> {
    /// The whole chats of these hits, fetched 50 ids a request, in the hits' order. A chat that
    /// does not fit its model is an [`Error::Record`] among them; a failed request ends the
    /// stream after its error.
    pub fn full_chats(self, client: &Client) -> Paged<types::Chat> {
        let client = client.clone();
        let chats = self
            .chunks(IDS_PER_REQUEST)
            .then(move |hits| {
                let client = client.clone();
                async move { chats_of(&client, hits).await }
            })
            .flat_map(futures::stream::iter)
            .scan(false, |ended, item: Result<types::Chat, Error>| {
                if *ended {
                    return futures::future::ready(None);
                }
                *ended = item.as_ref().is_err_and(|error| !error.is_record());
                futures::future::ready(Some(item))
            });
        Paged::new(chats)
    }
}

/// The chats of a batch of hits (errors among the hits passed on first).
async fn chats_of(
    client: &Client,
    hits: Vec<Result<types::SearchResult, Error>>,
) -> Vec<Result<types::Chat, Error>> {
    let mut out = Vec::with_capacity(hits.len());
    let mut ids = Vec::with_capacity(hits.len());
    for hit in hits {
        match hit {
            Ok(hit) => ids.extend(hit.id),
            Err(error) => out.push(Err(error)),
        }
    }
    if ids.is_empty() {
        return out;
    }
    match client.chats_by_ids(&ids).await {
        Ok(mut found) => {
            out.extend(ids.iter().filter_map(|id| found.chats.remove(id)).map(Ok));
            out.extend(
                found
                    .failures
                    .into_iter()
                    .map(|failure| Err(Error::Record(Box::new(failure)))),
            );
        }
        Err(error) => out.push(Err(error)),
    }
    out
}

/// Where a search stands: the page to request, and how many results came before it.
#[derive(Debug, Clone, Copy)]
struct SearchCursor {
    page: u32,
    delivered: u64,
}

/// One page of results, and the cursor of the next page (none after the last, or past the
/// API's window, which is an error).
async fn fetch_search_page(
    client: &Client,
    query: &str,
    cursor: SearchCursor,
) -> Result<Page<types::SearchResult, SearchCursor>, Error> {
    fetch_counted_page(client, query, cursor)
        .await
        .map(|(page, _)| page)
}

/// [`fetch_search_page`], with the number of chats the API says match.
async fn fetch_counted_page(
    client: &Client,
    query: &str,
    cursor: SearchCursor,
) -> Result<(Page<types::SearchResult, SearchCursor>, u64), Error> {
    let page_number = cursor.page.to_string();
    let parameters = [("q", query), ("page", page_number.as_str())];
    let body = client.get_bytes(&SEARCH_CHATS, &parameters).await?;
    let response: RawSearchPage = decode(&SEARCH_CHATS, &body)?;
    let total = response.count.map_or(0, |count| count.max(0) as u64);
    let got_results = !response.results.is_empty();
    let results: Vec<Result<types::SearchResult, Error>> = decode_each(
        &SEARCH_CHATS,
        response
            .results
            .iter()
            .enumerate()
            .map(|(index, raw)| (format!("results[{index}]"), raw.get())),
    )
    .into_iter()
    .map(|result| result.map_err(Error::Record))
    .collect();
    let delivered = cursor.delivered + results.len() as u64;
    let next = match next_page_number(response.next_url.as_deref(), cursor.page) {
        None => None,
        // Defensive: a page with no results that points further would loop.
        Some(_) if !got_results => None,
        Some(next) if next <= cursor.page => {
            return Err(Error::CursorStuck(CursorStuck {
                operation: SEARCH_CHATS.id,
                cursor: format!("page={next}"),
            }));
        }
        Some(next) => Some(SearchCursor {
            page: next,
            delivered,
        }),
    };
    let mut results = results;
    if let Some(next) = next
        && next.page > SEARCH_MAX_PAGES
    {
        // The page's results, then the error: the API refuses page 251.
        results.push(Err(Error::SearchWindowExceeded(SearchWindowExceeded {
            query: query.to_owned(),
            total,
            delivered,
        })));
        return Ok((
            Page {
                results,
                next: None,
            },
            total,
        ));
    }
    Ok((Page { results, next }, total))
}

/// A page of search results, each result as JSON text.
#[derive(Deserialize)]
struct RawSearchPage<'a> {
    #[serde(borrow, default)]
    results: Vec<&'a RawValue>,
    count: Option<i64>,
    next_url: Option<String>,
}

/// The page `next_url` points to: its `page` parameter, or the one after `current`. `None` when
/// there is no next page (null, empty, or the string `"null"` that one example of the docs sends).
fn next_page_number(next_url: Option<&str>, current: u32) -> Option<u32> {
    let next_url = next_url.filter(|url| !url.is_empty() && *url != "null")?;
    let page = query_value(next_url, "page").and_then(|page| page.parse().ok());
    Some(page.unwrap_or(current + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_queries_can_be_built() {
        let tom_and_harry = SearchQuery::agent_name("Tom").and(SearchQuery::visitor_name("Harry"));
        assert_eq!(
            tom_and_harry.to_string(),
            r#"agent_names:"Tom" AND visitor_name:"Harry""#
        );
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let between = SearchQuery::visitor_email("harry@example.com").and(SearchQuery::timestamp(
            TimeRange::any()
                .from(date(2014, 10, 10))
                .to(date(2014, 12, 12)),
        ));
        assert_eq!(
            between.to_string(),
            r#"visitor_email:"harry@example.com" AND timestamp:[2014-10-10 TO 2014-12-12]"#
        );
        let since: DateTime<Utc> = "2016-02-02T16:00:00Z".parse().unwrap();
        let good = SearchQuery::timestamp(TimeRange::any().from(since))
            .and(SearchQuery::rating(&types::Rating::Good));
        assert_eq!(
            good.to_string(),
            "timestamp:[2016-02-02T16:00:00 TO *] AND rating:good"
        );
        let ended = SearchQuery::end_timestamp(TimeRange::any().to(date(2014, 10, 25)));
        assert_eq!(ended.to_string(), "end_timestamp:[* TO 2014-10-25]");
    }

    #[test]
    fn quotes_and_backslashes_in_values_are_escaped() {
        let sneaky = SearchQuery::visitor_name(r#"x" OR rating:bad OR "\"#);
        assert_eq!(
            sneaky.to_string(),
            r#"visitor_name:"x\" OR rating:bad OR \"\\""#
        );
    }

    #[test]
    fn mixed_operators_are_grouped() {
        let a = || SearchQuery::text("a");
        let query = a().or(a()).and(a().or(a())).and(a());
        assert_eq!(
            query.to_string(),
            r#"("a" OR "a") AND ("a" OR "a") AND "a""#
        );
        let query = a().and(a()).or(a());
        assert_eq!(query.to_string(), r#"("a" AND "a") OR "a""#);
    }

    #[test]
    fn next_url_gives_the_next_page() {
        let next = "https://x.zendesk.com/api/v2/chat/chats/search?q=chocolate&page=3";
        assert_eq!(next_page_number(Some(next), 2), Some(3));
        assert_eq!(next_page_number(Some("https://x/search?q=a"), 2), Some(3));
        assert_eq!(next_page_number(Some("null"), 2), None);
        assert_eq!(next_page_number(Some(""), 2), None);
        assert_eq!(next_page_number(None, 2), None);
    }
}
