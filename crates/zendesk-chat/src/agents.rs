//! Every agent, as a stream: `since_id` cursor paging.

use std::collections::VecDeque;

use futures::Stream;

use crate::error::CursorStuck;
use crate::{Client, Error, types};

/// Pages through the agents in ascending id order; start with [`Client::agents`].
///
/// ```no_run
/// use futures::TryStreamExt;
///
/// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
/// let agents: Vec<_> = client.agents().page_size(100).stream().try_collect().await?;
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
            page_size: MAX_AGENTS_PAGE_SIZE,
            since_id: None,
        }
    }
}

/// The most agents the pager asks for in one request: real accounts answer `limit=500` with 400,
/// and 100 is the largest page known to be served (see `listAgents` in the spec).
pub const MAX_AGENTS_PAGE_SIZE: u32 = 100;

impl AgentPager {
    /// Agents per request, from 1 to [`MAX_AGENTS_PAGE_SIZE`] (the default): a larger value is
    /// lowered to it, since the API refuses what it does not serve.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, MAX_AGENTS_PAGE_SIZE);
        self
    }

    /// Start at this id (inclusive), as a cursor saved from an earlier run.
    pub fn since_id(mut self, since_id: i64) -> Self {
        self.since_id = Some(since_id);
        self
    }

    /// The agents, one at a time, one page in memory. The next page starts at the last id + 1;
    /// a page shorter than the page size is the last.
    pub fn stream(self) -> impl Stream<Item = Result<types::Agent, Error>> + Send + 'static {
        let state = State {
            pager: self,
            buffered: VecDeque::new(),
            done: false,
        };
        futures::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(agent) = state.buffered.pop_front() {
                    return Some((Ok(agent), state));
                }
                if state.done {
                    return None;
                }
                if let Err(error) = state.fetch().await {
                    state.done = true;
                    return Some((Err(error), state));
                }
            }
        })
    }
}

struct State {
    pager: AgentPager,
    buffered: VecDeque<types::Agent>,
    done: bool,
}

impl State {
    async fn fetch(&mut self) -> Result<(), Error> {
        let pager = &mut self.pager;
        let mut request = pager.client.list_agents().limit(u64::from(pager.page_size));
        if let Some(since_id) = pager.since_id {
            request = request.since_id(since_id);
        }
        let agents = request.await?;
        self.done = agents.len() < pager.page_size as usize;
        if !self.done {
            let next = agents.last().and_then(|agent| agent.id).map(|id| id + 1);
            match next {
                Some(next) if pager.since_id.is_none_or(|current| next > current) => {
                    pager.since_id = Some(next)
                }
                _ => {
                    return Err(Error::CursorStuck(CursorStuck {
                        operation: crate::operations::LIST_AGENTS.id,
                        cursor: format!("since_id={:?}", pager.since_id),
                    }));
                }
            }
        }
        self.buffered.extend(agents);
        Ok(())
    }
}
