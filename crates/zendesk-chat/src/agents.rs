//! Every agent, as a stream: `since_id` cursor paging.

use crate::error::CursorStuck;
use crate::limits::AGENTS_MAX_PAGE_SIZE;
use crate::paging::{Page, Paged, paginate};
use crate::{Client, Error, types};

/// Pages through the agents in ascending id order; start with [`Client::agents`].
///
/// ```no_run
/// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
/// let agents = client.agents().page_size(100).stream().collect_all().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct AgentPager {
    client: Client,
    page_size: u32,
    since_id: Option<i64>,
}

impl Client {
    /// Every agent, in ascending id order, a page at a time. The API also answers the whole set
    /// at once (`list_agents()` without parameters), but recommends paging.
    pub fn agents(&self) -> AgentPager {
        AgentPager {
            client: self.clone(),
            page_size: AGENTS_MAX_PAGE_SIZE,
            since_id: None,
        }
    }
}

impl AgentPager {
    /// Agents per request, from 1 to [`AGENTS_MAX_PAGE_SIZE`] (the default): a larger value is
    /// lowered to it, since the API refuses what it does not serve.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, AGENTS_MAX_PAGE_SIZE);
        self
    }

    /// Start at this id (inclusive), as a cursor saved from an earlier run.
    pub fn since_id(mut self, since_id: i64) -> Self {
        self.since_id = Some(since_id);
        self
    }

    /// The agents, one at a time, one page in memory. The next page starts at the last id + 1;
    /// a page shorter than the page size is the last.
    pub fn stream(self) -> Paged<types::Agent> {
        let AgentPager {
            client,
            page_size,
            since_id,
        } = self;
        paginate(since_id, move |since_id: Option<i64>| {
            let client = client.clone();
            async move {
                let mut request = client.list_agents().limit(u64::from(page_size));
                if let Some(since_id) = since_id {
                    request = request.since_id(since_id);
                }
                let agents = request.await?;
                let next = if agents.len() < page_size as usize {
                    None
                } else {
                    match agents.last().and_then(|agent| agent.id).map(|id| id + 1) {
                        Some(next) if since_id.is_none_or(|current| next > current) => {
                            Some(Some(next))
                        }
                        _ => {
                            return Err(Error::CursorStuck(CursorStuck {
                                operation: crate::operations::LIST_AGENTS.id,
                                cursor: format!("since_id={since_id:?}"),
                            }));
                        }
                    }
                };
                Ok(Page {
                    results: agents.into_iter().map(Ok).collect(),
                    next,
                })
            }
        })
    }
}
