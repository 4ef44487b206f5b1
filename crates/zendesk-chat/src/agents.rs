//! Every agent, as a stream: `since_id` cursor paging.

use crate::id_paging::{IdPage, id_paged};
use crate::limits::AGENTS_MAX_PAGE_SIZE;
use crate::paging::Paged;
use crate::{Client, operations, types};

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
        id_paged(
            client,
            &operations::LIST_AGENTS,
            page_size,
            since_id,
            |client, since_id, limit| async move {
                let mut request = client.list_agents().limit(u64::from(limit));
                if let Some(since_id) = since_id {
                    request = request.since_id(since_id);
                }
                let agents = request.await?;
                let greatest_id = agents.iter().filter_map(|agent| agent.id).max();
                Ok(IdPage {
                    items: agents,
                    greatest_id,
                })
            },
        )
    }
}
