//! Relay connections as streams of nodes: the agents and the departments of the account, a page
//! at a time, following `pageInfo.endCursor` while `hasNextPage`.

use futures::Stream;

use crate::error::Error;
use crate::operations::{Agents, Departments, agents, departments};
use crate::session::AgentSession;

/// Nodes a page, by default.
pub const DEFAULT_PAGE_SIZE: i64 = 50;

/// One page of a connection: its nodes, and the cursor of the next page if there is one.
struct Page<T> {
    nodes: Vec<T>,
    next: Option<String>,
}

impl<T> Page<T> {
    /// The page of a connection's `edges` (each edge's node read by `node`), followed by
    /// `end_cursor` while `has_next_page`.
    fn of<E>(
        edges: Option<Vec<Option<E>>>,
        node: impl Fn(E) -> Option<T>,
        has_next_page: bool,
        end_cursor: Option<String>,
    ) -> Self {
        Self {
            nodes: edges
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .filter_map(node)
                .collect(),
            next: end_cursor.filter(|_| has_next_page),
        }
    }

    /// No nodes, and no page after (a null connection).
    fn last() -> Self {
        Self {
            nodes: Vec::new(),
            next: None,
        }
    }
}

/// Every node of a connection, fetching a page with `fetch(after)` each time the last is used up.
/// A cursor that does not move ends the stream with an error instead of looping.
fn nodes<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, Error>> + Send + Unpin + 'static
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    struct State<T, F> {
        fetch: F,
        buffered: std::vec::IntoIter<T>,
        after: Option<String>,
        done: bool,
    }
    let state = State {
        fetch,
        buffered: Vec::new().into_iter(),
        after: None,
        done: false,
    };
    Box::pin(futures::stream::try_unfold(state, |mut state| async move {
        loop {
            if let Some(node) = state.buffered.next() {
                return Ok(Some((node, state)));
            }
            if state.done {
                return Ok(None);
            }
            let page = (state.fetch)(state.after.clone()).await?;
            match page.next {
                Some(next) if Some(&next) == state.after.as_ref() => {
                    return Err(Error::InvalidInput(format!(
                        "the server handed back the same cursor ({next}); paging stopped instead of looping"
                    )));
                }
                Some(next) => state.after = Some(next),
                None => state.done = true,
            }
            state.buffered = page.nodes.into_iter();
        }
    }))
}

impl AgentSession {
    /// Every agent of the account, a page of `page_size` at a time.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    ///
    /// # async fn run(session: zendesk_chat_conversations::AgentSession) -> Result<(), zendesk_chat_conversations::Error> {
    /// let agents: Vec<_> = session.agents(50).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn agents(
        &self,
        page_size: i64,
    ) -> impl Stream<Item = Result<agents::AgentsEdgesNode, Error>> + Send + Unpin + 'static {
        let session = self.clone();
        nodes(move |after| {
            let session = session.clone();
            async move {
                let data = session
                    .execute::<Agents>(agents::Variables {
                        first: Some(page_size.max(1)),
                        after,
                    })
                    .await?;
                Ok(data.agents.map_or_else(Page::last, |connection| {
                    let info = connection.page_info;
                    Page::of(
                        connection.edges,
                        |edge| edge.node,
                        info.has_next_page,
                        info.end_cursor,
                    )
                }))
            }
        })
    }

    /// Every department of the account, a page of `page_size` at a time.
    pub fn departments(
        &self,
        page_size: i64,
    ) -> impl Stream<Item = Result<departments::DepartmentsEdgesNode, Error>> + Send + Unpin + 'static
    {
        let session = self.clone();
        nodes(move |after| {
            let session = session.clone();
            async move {
                let data = session
                    .execute::<Departments>(departments::Variables {
                        first: Some(page_size.max(1)),
                        after,
                    })
                    .await?;
                Ok(data.departments.map_or_else(Page::last, |connection| {
                    let info = connection.page_info;
                    Page::of(
                        connection.edges,
                        |edge| edge.node,
                        info.has_next_page,
                        info.end_cursor,
                    )
                }))
            }
        })
    }
}
