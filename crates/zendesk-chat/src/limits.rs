//! The API's limits, each named once: the client keeps to them, the emulator enforces them, and
//! zchat reads them from here.

use std::time::Duration;

/// The most items an incremental export page holds, and the client's default page size.
pub const EXPORT_MAX_PAGE_SIZE: u32 = 1000;

/// How long before now an export's `start_time` must be, or the API refuses the request.
pub const EXPORT_MIN_AGE: Duration = Duration::from_secs(5 * 60);

/// The most chat ids one request takes (`GET /chats?ids=` and `DELETE /chats?ids=`).
pub const IDS_PER_REQUEST: usize = 50;

/// The most agents the pager asks for in one request: real accounts answer `limit=500` with 400,
/// and 100 is the largest page known to be served (see `listAgents` in the spec).
pub const AGENTS_MAX_PAGE_SIZE: u32 = 100;

/// Results per chat search page.
pub const SEARCH_PAGE_SIZE: u32 = 40;

/// The most pages the API serves for one search query (of [`SEARCH_PAGE_SIZE`] results): page
/// 251 is refused, so one query reaches at most [`SEARCH_WINDOW`] results.
pub const SEARCH_MAX_PAGES: u32 = 250;

/// The most results one search query reaches.
pub const SEARCH_WINDOW: u64 = SEARCH_MAX_PAGES as u64 * SEARCH_PAGE_SIZE as u64;

/// The most bans one page holds ("Returns up to 1000 results per page"), and the pager's default.
pub const BANS_MAX_PAGE_SIZE: u32 = 1000;

/// The most shortcuts an account has: past it, creating one answers 429.
pub const MAX_SHORTCUTS: usize = 15_000;

/// The most goals an account has enabled at once: a 6th is refused ("Goals limit exceeded").
pub const MAX_ACTIVE_GOALS: usize = 5;
