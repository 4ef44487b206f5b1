//! Paging by id, as the agents and the bans page: `limit` items from `since_id` (inclusive) in
//! ascending id order; the next page starts at the greatest id + 1, and a page shorter than
//! `limit` is the last.

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::error::CursorStuck;
use crate::operations::Operation;
use crate::paging::{Page, Paged, paginate};
use crate::{Client, Error};

/// One page of an id-paged list: its items and the greatest id among them.
pub(crate) struct IdPage<T> {
    pub(crate) items: Vec<T>,
    pub(crate) greatest_id: Option<i64>,
}

/// Fetches one page: `(client, since_id, limit)`.
type Fetch<T> = Arc<
    dyn Fn(Client, Option<i64>, u32) -> BoxFuture<'static, Result<IdPage<T>, Error>> + Send + Sync,
>;

/// Pages through a list paged by id, in ascending id order: the agents ([`Client::agents`],
/// [`AgentPager`](crate::AgentPager)) and the bans ([`Client::bans`],
/// [`BanPager`](crate::BanPager)).
///
/// ```no_run
/// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
/// let agents = client.agents().page_size(100).stream().collect_all().await?;
/// let bans = client.bans().since_id(70_000_000).stream().collect_all().await?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct IdPager<T> {
    client: Client,
    operation: &'static Operation,
    max_page_size: u32,
    page_size: u32,
    since_id: Option<i64>,
    fetch: Fetch<T>,
}

impl<T: Send + 'static> IdPager<T> {
    /// A pager of the list `operation` serves, `max_page_size` a page by default and at most.
    pub(crate) fn new<F, Fut>(
        client: Client,
        operation: &'static Operation,
        max_page_size: u32,
        fetch: F,
    ) -> Self
    where
        F: Fn(Client, Option<i64>, u32) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<IdPage<T>, Error>> + Send + 'static,
    {
        Self {
            client,
            operation,
            max_page_size,
            page_size: max_page_size,
            since_id: None,
            fetch: Arc::new(move |client, since_id, limit| {
                Box::pin(fetch(client, since_id, limit))
            }),
        }
    }

    /// Items per request, from 1 to the most the API serves for this list (the default:
    /// [`AGENTS_MAX_PAGE_SIZE`](crate::limits::AGENTS_MAX_PAGE_SIZE),
    /// [`BANS_MAX_PAGE_SIZE`](crate::limits::BANS_MAX_PAGE_SIZE)); a larger value is lowered to
    /// it, since the API refuses what it does not serve.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, self.max_page_size);
        self
    }

    /// Start at this id (inclusive), as a cursor saved from an earlier run.
    pub fn since_id(mut self, since_id: i64) -> Self {
        self.since_id = Some(since_id);
        self
    }

    /// The items, one at a time, one page in memory. The next page starts at the greatest id of
    /// the page + 1; a page shorter than the page size is the last. A cursor that does not move
    /// ends the stream with [`Error::CursorStuck`].
    pub fn stream(self) -> Paged<T> {
        let IdPager {
            client,
            operation,
            page_size,
            since_id,
            fetch,
            ..
        } = self;
        paginate(since_id, move |since_id: Option<i64>| {
            let (client, fetch) = (client.clone(), fetch.clone());
            async move {
                let page = fetch(client, since_id, page_size).await?;
                let next = next_since_id(&page, page_size, since_id, operation)?;
                Ok(Page {
                    results: page.items.into_iter().map(Ok).collect(),
                    next,
                })
            }
        })
    }
}

impl<T> Clone for IdPager<T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            operation: self.operation,
            max_page_size: self.max_page_size,
            page_size: self.page_size,
            since_id: self.since_id,
            fetch: self.fetch.clone(),
        }
    }
}

impl<T> std::fmt::Debug for IdPager<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdPager")
            .field("operation", &self.operation.id)
            .field("page_size", &self.page_size)
            .field("since_id", &self.since_id)
            .finish_non_exhaustive()
    }
}

/// The cursor after `page`: `None` when it is the last, or `Some(since_id)` of the next.
fn next_since_id<T>(
    page: &IdPage<T>,
    page_size: u32,
    since_id: Option<i64>,
    operation: &'static Operation,
) -> Result<Option<Option<i64>>, Error> {
    if page.items.len() < page_size as usize {
        return Ok(None);
    }
    match page.greatest_id.map(|id| id + 1) {
        Some(next) if since_id.is_none_or(|current| next > current) => Ok(Some(Some(next))),
        _ => Err(Error::CursorStuck(CursorStuck {
            operation: operation.id,
            cursor: format!("since_id={since_id:?}"),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::LIST_BANS;

    fn page(items: usize, greatest_id: Option<i64>) -> IdPage<()> {
        IdPage {
            items: vec![(); items],
            greatest_id,
        }
    }

    #[test]
    fn a_short_page_is_the_last() {
        assert_eq!(
            next_since_id(&page(3, Some(9)), 10, None, &LIST_BANS).unwrap(),
            None
        );
    }

    #[test]
    fn a_full_page_continues_after_its_greatest_id() {
        let next = next_since_id(&page(10, Some(41)), 10, Some(30), &LIST_BANS).unwrap();
        assert_eq!(next, Some(Some(42)));
    }

    #[test]
    fn a_full_page_that_does_not_move_the_cursor_is_an_error() {
        let stuck = next_since_id(&page(10, Some(29)), 10, Some(30), &LIST_BANS).unwrap_err();
        assert!(matches!(stuck, Error::CursorStuck(_)), "{stuck:?}");
        let without_ids = next_since_id(&page(10, None), 10, None, &LIST_BANS).unwrap_err();
        assert!(
            matches!(without_ids, Error::CursorStuck(_)),
            "{without_ids:?}"
        );
    }
}
