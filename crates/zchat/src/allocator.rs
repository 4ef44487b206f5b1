//! Tuning of the C library's allocator, set once at start.
//!
//! An export reads pages of megabytes (a page of 1,000 chats is about 4 MB of JSON), each held
//! from its fetch until its records are written and checked, on other threads than the one that
//! fetched it. glibc's malloc maps a block of 128 KiB or more on its own and returns it when it is
//! freed, but by default it then raises that threshold to the size of the largest block freed
//! (up to 32 MiB): from the second page on, pages come from the threads' heaps, which keep what
//! is freed in them, and a long export's peak memory grows with the account. With the threshold
//! fixed, what a page allocates goes back when the page is done, and memory stays flat. (The page
//! bodies themselves are reused, not freed: `zendesk-chat`'s `body_buffers`. The figures:
//! BENCHMARKS.md, "Memory" and "Export throughput".)

/// The size from which glibc maps each allocation on its own and returns it when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAPPED_FROM_BYTES: libc::c_int = 256 * 1024;

/// Fixes glibc's mmap threshold (see the [module](self) docs). Elsewhere, nothing to do.
pub fn return_large_blocks_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter, which glibc allows at any time and from
    // any thread; it returns 0 when it refuses, which leaves glibc's default and is harmless.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_FROM_BYTES);
    }
}
