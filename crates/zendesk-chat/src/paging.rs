//! [`Paged`]: the one shape of every paging entry point (agents, search, the exports), and the
//! one primitive they are built on.
//!
//! A `Paged<T>` is a `Stream<Item = Result<T, Error>>` that is `Unpin + Send + 'static`: keep it
//! in a struct, move it to a task, poll it without `pin!`. Its inherent [`next`](Paged::next) and
//! [`collect_all`](Paged::collect_all) need no `futures` import:
//!
//! ```no_run
//! # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
//! let mut agents = client.agents().stream();
//! while let Some(agent) = agents.next().await {
//!     println!("{:?}", agent?.display_name);
//! }
//! let everyone = client.agents().stream().collect_all().await?;
//! # Ok(()) }
//! ```
//!
//! After an error that ends paging (a failed request, a stuck cursor) the stream ends. A record
//! that does not fit its model ([`Error::Record`]) is an item of its own and paging goes on.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};

use crate::Error;
use crate::record::RecordError;

/// Results of paged requests, one at a time. See the [module](self) docs.
#[must_use = "a Paged does nothing until polled"]
pub struct Paged<T> {
    inner: BoxStream<'static, Result<T, Error>>,
}

impl<T> Paged<T> {
    /// Wraps a stream.
    pub(crate) fn new(stream: impl Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
        Self {
            inner: stream.boxed(),
        }
    }

    /// The next result; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        self.inner.next().await
    }

    /// Every result, or the first error (a record that does not fit its model included).
    pub async fn collect_all(self) -> Result<Vec<T>, Error> {
        self.inner.try_collect().await
    }

    /// Everything delivered, even when paging ends in an error: the results, the records that
    /// did not fit their model, and the error that ended paging, if one did.
    ///
    /// Where [`collect_all`](Self::collect_all) gives only the error, this keeps what came before
    /// it: a search that reaches the API's 10,000-result window keeps its 10,000 results beside
    /// [`Error::SearchWindowExceeded`].
    ///
    /// ```no_run
    /// # async fn run(client: zendesk_chat::Client) {
    /// let collected = client.search("rating:good").collect_partial().await;
    /// println!("{} results, {} bad records", collected.items.len(), collected.failures.len());
    /// if let Some(error) = collected.error {
    ///     eprintln!("stopped early: {error}");
    /// }
    /// # }
    /// ```
    pub async fn collect_partial(mut self) -> Collected<T> {
        let mut collected = Collected {
            items: Vec::new(),
            failures: Vec::new(),
            error: None,
        };
        while let Some(result) = self.inner.next().await {
            match result {
                Ok(item) => collected.items.push(item),
                Err(Error::Record(failure)) => collected.failures.push(*failure),
                Err(error) => {
                    // A paging error is the stream's last item; stop here all the same.
                    collected.error = Some(error);
                    break;
                }
            }
        }
        collected
    }
}

/// What [`Paged::collect_partial`] gathered.
#[derive(Debug)]
#[non_exhaustive]
pub struct Collected<T> {
    /// Every result delivered, in order.
    pub items: Vec<T>,
    /// Every record that did not fit its model, kept whole.
    pub failures: Vec<RecordError>,
    /// The error that ended paging early, if one did.
    pub error: Option<Error>,
}

impl<T> Stream for Paged<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> std::fmt::Debug for Paged<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paged").finish_non_exhaustive()
    }
}

/// One page: its results (a record that does not fit is an `Err` among them) and the cursor of
/// the next page, `None` on the last.
pub(crate) struct Page<T, C> {
    pub(crate) results: Vec<Result<T, Error>>,
    pub(crate) next: Option<C>,
}

/// The paging primitive: pages fetched with `fetch(cursor)` from `first`, their results one at a
/// time. An error from `fetch` is yielded and ends the stream (`try_unfold` does that); a
/// record's error among a page's results does not.
pub(crate) fn paginate<T, C, F, Fut>(first: C, fetch: F) -> Paged<T>
where
    T: Send + 'static,
    C: Send + 'static,
    F: FnMut(C) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T, C>, Error>> + Send + 'static,
{
    let pages =
        futures::stream::try_unfold((Some(first), fetch), |(cursor, mut fetch)| async move {
            let Some(cursor) = cursor else {
                return Ok(None);
            };
            let page = fetch(cursor).await?;
            Ok(Some((page.results, (page.next, fetch))))
        });
    Paged::new(pages.map_ok(futures::stream::iter).try_flatten())
}

/// The value of `name` in a URL's query (`next_url`, `next_page`), if present and not empty.
pub(crate) fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_error() -> Error {
        Error::invalid_input(None, "a bad record")
    }

    #[tokio::test]
    async fn pages_are_followed_to_the_end_and_a_records_error_does_not_end_them() {
        let paged = paginate(0_u32, |page| async move {
            Ok(Page {
                results: match page {
                    0 => vec![Ok(1), Err(record_error()), Ok(2)],
                    _ => vec![Ok(3)],
                },
                next: (page == 0).then_some(1),
            })
        });
        let results: Vec<_> = paged.collect::<Vec<_>>().await;
        let oks: Vec<u32> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        assert_eq!(oks, [1, 2, 3]);
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
    }

    #[tokio::test]
    async fn a_failed_page_ends_the_stream_after_its_error() {
        let mut paged = paginate(0_u32, |page| async move {
            match page {
                0 => Ok(Page {
                    results: vec![Ok(1)],
                    next: Some(1),
                }),
                _ => Err(record_error()),
            }
        });
        assert_eq!(paged.next().await.unwrap().unwrap(), 1);
        assert!(paged.next().await.unwrap().is_err());
        assert!(paged.next().await.is_none());
    }

    #[tokio::test]
    async fn collecting_partially_keeps_results_and_bad_records_before_the_ending_error() {
        let bad_record = Error::Record(Box::new(RecordError {
            operation: "exportChats",
            location: "chats[1]".into(),
            id: Some("7".into()),
            path: "history".into(),
            message: "not an array".into(),
            raw: serde_json::value::RawValue::from_string(r#"{"id":"7"}"#.into()).unwrap(),
        }));
        let mut bad_record = Some(bad_record);
        let paged = paginate(0_u32, move |page| {
            let bad_record = bad_record.take();
            async move {
                match page {
                    0 => Ok(Page {
                        results: vec![Ok(1), Err(bad_record.unwrap()), Ok(2)],
                        next: Some(1),
                    }),
                    _ => Err(Error::invalid_input(None, "page 2 failed")),
                }
            }
        });
        let collected = paged.collect_partial().await;
        assert_eq!(collected.items, [1, 2]);
        assert_eq!(collected.failures.len(), 1);
        assert_eq!(collected.failures[0].id.as_deref(), Some("7"));
        assert!(
            collected
                .error
                .is_some_and(|error| error.to_string().contains("page 2 failed"))
        );
    }

    #[tokio::test]
    async fn collecting_partially_a_stream_that_ends_well_has_no_error() {
        let paged = paginate(0_u32, |_| async {
            Ok(Page {
                results: vec![Ok(1)],
                next: None,
            })
        });
        let collected = paged.collect_partial().await;
        assert_eq!(collected.items, [1]);
        assert!(collected.failures.is_empty() && collected.error.is_none());
    }

    #[test]
    fn a_paged_stream_is_unpin_send_and_static() {
        fn assert_traits<T: Unpin + Send + 'static>() {}
        assert_traits::<Paged<crate::types::Agent>>();
    }

    #[test]
    fn query_values_are_read_from_a_url() {
        let url = "https://x/api?start_time=15.5&start_id=&page=3";
        assert_eq!(query_value(url, "start_time").as_deref(), Some("15.5"));
        assert_eq!(query_value(url, "start_id"), None);
        assert_eq!(query_value(url, "page").as_deref(), Some("3"));
        assert_eq!(query_value("no-query", "page"), None);
    }
}
