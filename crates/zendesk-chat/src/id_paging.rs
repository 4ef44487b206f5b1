//! Paging by id, as the agents and the bans page: `limit` items from `since_id` (inclusive) in
//! ascending id order; the next page starts at the greatest id + 1, and a page shorter than
//! `limit` is the last.

use crate::error::CursorStuck;
use crate::operations::Operation;
use crate::paging::{Page, Paged, paginate};
use crate::{Client, Error};

/// One page of an id-paged list: its items and the greatest id among them.
pub(crate) struct IdPage<T> {
    pub(crate) items: Vec<T>,
    pub(crate) greatest_id: Option<i64>,
}

/// Every item of an id-paged list, fetching `fetch(client, since_id, limit)` a page at a time.
/// A cursor that does not move ends the stream with [`Error::CursorStuck`].
pub(crate) fn id_paged<T, F, Fut>(
    client: Client,
    operation: &'static Operation,
    page_size: u32,
    since_id: Option<i64>,
    fetch: F,
) -> Paged<T>
where
    T: Send + 'static,
    F: Fn(Client, Option<i64>, u32) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<IdPage<T>, Error>> + Send + 'static,
{
    let fetch = std::sync::Arc::new(fetch);
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
