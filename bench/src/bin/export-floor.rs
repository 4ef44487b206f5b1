//! The floor of the export benchmark: the least a program can do to export chats. It fetches the
//! same pages as `zchat export chats` (whole chats) with a bare reqwest loop, following `next_page` until a page
//! holds fewer than `limit` chats, and writes each page's bytes to a file as they came (64 KiB at a time).
//!
//! `export-floor --base-url URL --token TOKEN --since EPOCH --out FILE [--gzip]`

use std::io::Write;

use anyhow::Context;
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// The server.
    #[arg(long)]
    base_url: String,
    /// The bearer token.
    #[arg(long)]
    token: String,
    /// The first `start_time`, in Unix seconds.
    #[arg(long)]
    since: u64,
    /// Chats per page.
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    /// Where to write the pages.
    #[arg(long)]
    out: std::path::PathBuf,
    /// Ask for gzip-compressed pages (and decompress them), as `zchat` does by default.
    #[arg(long)]
    gzip: bool,
}

/// The size of each write of a page's bytes.
const WRITE_SIZE: usize = 64 << 10;

/// The page fields the loop needs; the chats are skipped, not decoded.
#[derive(serde::Deserialize)]
struct PageInfo {
    count: usize,
    next_page: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder().gzip(args.gzip).build()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args.out)?);
    // Whole chats, as `zchat` asks for them.
    let whole = "fields=chats(*)";
    let mut url = format!(
        "{}/api/v2/chat/incremental/chats?start_time={}&limit={}&{whole}",
        args.base_url, args.since, args.limit
    );
    let (mut records, mut pages) = (0, 0);
    loop {
        let body = client
            .get(&url)
            .bearer_auth(&args.token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let page: PageInfo = serde_json::from_slice(&body).context("a page")?;
        // In 64 KiB writes, as a buffered writer writes: on the benchmark's machine, one 4 MB
        // `write(2)` took the kernel two to three times as long as the same bytes in 64 KiB
        // writes (its copy into the page cache), and swung from run to run.
        for part in body.chunks(WRITE_SIZE) {
            out.write_all(part)?;
        }
        out.write_all(b"\n")?;
        records += page.count;
        pages += 1;
        match page.next_page {
            Some(next) if page.count >= args.limit => {
                url = if next.contains("fields=") {
                    next
                } else {
                    format!("{next}&{whole}")
                };
            }
            _ => break,
        }
    }
    out.flush()?;
    eprintln!("{records} records in {pages} pages");
    Ok(())
}
