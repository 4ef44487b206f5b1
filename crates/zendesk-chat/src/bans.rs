//! Every ban, as a stream: `since_id` paging over a page of two arrays.

use crate::id_paging::{IdPage, id_paged};
use crate::limits::BANS_MAX_PAGE_SIZE;
use crate::paging::Paged;
use crate::{Client, operations, types};

/// Pages through the bans (visitor bans and IP address bans) in ascending id order; start with
/// [`Client::bans`]. The same shape as [`AgentPager`](crate::AgentPager).
///
/// ```no_run
/// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
/// use zendesk_chat::types::BanType;
///
/// let bans = client.bans().stream().collect_all().await?;
/// let by_ip = bans.iter().filter(|ban| ban.type_ == Some(BanType::IpAddress)).count();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct BanPager {
    client: Client,
    page_size: u32,
    since_id: Option<i64>,
}

impl Client {
    /// Every ban, visitor bans and IP address bans alike, a page at a time.
    pub fn bans(&self) -> BanPager {
        BanPager {
            client: self.clone(),
            page_size: BANS_MAX_PAGE_SIZE,
            since_id: None,
        }
    }
}

impl BanPager {
    /// Bans per request, from 1 to [`BANS_MAX_PAGE_SIZE`] (the default).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, BANS_MAX_PAGE_SIZE);
        self
    }

    /// Start at this id (inclusive), as a cursor saved from an earlier run.
    pub fn since_id(mut self, since_id: i64) -> Self {
        self.since_id = Some(since_id);
        self
    }

    /// The bans, one at a time: each page's visitor bans, then its IP address bans. A page holds
    /// both arrays; the next starts at the greatest id of the two + 1 (as the Singer tap and
    /// Airbyte page them), and a page with fewer bans than the page size is the last.
    pub fn stream(self) -> Paged<types::Ban> {
        let BanPager {
            client,
            page_size,
            since_id,
        } = self;
        id_paged(
            client,
            &operations::LIST_BANS,
            page_size,
            since_id,
            |client, since_id, limit| async move {
                let mut request = client.list_bans().limit(u64::from(limit));
                if let Some(since_id) = since_id {
                    request = request.since_id(since_id);
                }
                let page = request.await?;
                let items: Vec<types::Ban> =
                    page.visitor.into_iter().chain(page.ip_address).collect();
                let greatest_id = items.iter().filter_map(|ban| ban.id).max();
                Ok(IdPage { items, greatest_id })
            },
        )
    }
}
