//! Every ban, as a stream: `since_id` paging over a page of two arrays.

use crate::id_paging::{IdPage, IdPager};
use crate::limits::BANS_MAX_PAGE_SIZE;
use crate::{Client, operations, types};

/// Pages through the bans (visitor bans and IP address bans) in ascending id order; start with
/// [`Client::bans`]. The same pager as [`AgentPager`](crate::AgentPager).
pub type BanPager = IdPager<types::Ban>;

impl Client {
    /// Every ban, visitor bans and IP address bans alike, a page at a time
    /// ([`BANS_MAX_PAGE_SIZE`] by default). A page holds both arrays: its visitor bans come first,
    /// then its IP address bans; the next page starts at the greatest id of the two + 1 (as the
    /// Singer tap and Airbyte page them), and a page with fewer bans than the page size is the
    /// last.
    ///
    /// ```no_run
    /// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
    /// use zendesk_chat::types::BanType;
    ///
    /// let bans = client.bans().stream().collect_all().await?;
    /// let by_ip = bans.iter().filter(|ban| ban.type_ == Some(BanType::IpAddress)).count();
    /// # Ok(()) }
    /// ```
    pub fn bans(&self) -> BanPager {
        IdPager::new(
            self.clone(),
            &operations::LIST_BANS,
            BANS_MAX_PAGE_SIZE,
            |client: Client, since_id: Option<i64>, limit: u32| async move {
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
