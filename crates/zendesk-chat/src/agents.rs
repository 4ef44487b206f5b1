//! Every agent, as a stream: `since_id` cursor paging.

use crate::id_paging::{IdPage, IdPager};
use crate::limits::AGENTS_MAX_PAGE_SIZE;
use crate::{Client, operations, types};

/// Pages through the agents in ascending id order; start with [`Client::agents`].
pub type AgentPager = IdPager<types::Agent>;

impl Client {
    /// Every agent, in ascending id order, a page at a time ([`AGENTS_MAX_PAGE_SIZE`] by
    /// default). The API also answers the whole set at once (`list_agents()` without
    /// parameters), but recommends paging.
    ///
    /// ```no_run
    /// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
    /// let agents = client.agents().page_size(100).stream().collect_all().await?;
    /// # Ok(()) }
    /// ```
    pub fn agents(&self) -> AgentPager {
        IdPager::new(
            self.clone(),
            &operations::LIST_AGENTS,
            AGENTS_MAX_PAGE_SIZE,
            |client: Client, since_id: Option<i64>, limit: u32| async move {
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
