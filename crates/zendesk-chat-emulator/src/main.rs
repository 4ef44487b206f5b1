//! `zendesk-chat-emulator`: serves a generated Zendesk Chat account on a local port, for demos
//! and for clients in any language.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use zendesk_chat_emulator::{AccountSize, Emulator, Faults};

/// A local Zendesk Chat API with a generated account.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// The port to listen on (0 for any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The seed of the generated account: the same seed, the same account.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// How many chats the account has.
    #[arg(long, default_value_t = 10_000)]
    chats: usize,
    /// How many agents (default: in proportion to chats).
    #[arg(long)]
    agents: Option<usize>,
    /// How many visitors (default: in proportion to chats).
    #[arg(long)]
    visitors: Option<usize>,
    /// How many days of history.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// An access token to accept (repeatable; default: emulator-token).
    #[arg(long = "token")]
    tokens: Vec<String>,
    /// Answer 429 past this many requests a minute.
    #[arg(long)]
    rate_limit_per_minute: Option<u32>,
    /// The share of requests (0 to 1) that get a fault: 500, 429, a delay, or a body cut short.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Stamp changes this many seconds ago, so that they can be exported at once.
    #[arg(long, default_value_t = 0)]
    backdate_changes_secs: u64,
    /// No simulated visitors on the Conversations API (by default a visitor starts a chat or
    /// writes in one about once a second).
    #[arg(long)]
    no_visitors: bool,
    /// Never compress answers (by default they are compressed with gzip for a client that asks,
    /// which on one machine costs more than it saves).
    #[arg(long)]
    no_compression: bool,
    /// Seconds between two acts of the simulated visitors.
    #[arg(long, default_value_t = 1.0)]
    visitor_interval_secs: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut size = AccountSize::with_chats(args.chats);
    size.agents = args.agents.unwrap_or(size.agents);
    size.visitors = args.visitors.unwrap_or(size.visitors);
    size.days = args.days;
    let mut builder = Emulator::builder()
        .seed(args.seed)
        .account(size)
        .address(SocketAddr::new(args.host, args.port))
        .faults(Faults::mixed(args.fault_rate, args.seed))
        .backdate_changes(Duration::from_secs(args.backdate_changes_secs))
        .compression(!args.no_compression)
        .simulated_visitors(
            (!args.no_visitors)
                .then(|| Duration::from_secs_f64(args.visitor_interval_secs.max(0.01))),
        );
    for token in &args.tokens {
        builder = builder.token(token);
    }
    if let Some(per_minute) = args.rate_limit_per_minute {
        builder = builder.rate_limit(per_minute, Duration::from_secs(60));
    }
    let started = std::time::Instant::now();
    let emulator = builder.start().await?;
    let counts = emulator.with_store(|store| store.summary());
    eprintln!("generated {counts:?} in {:.1?}", started.elapsed());
    println!("Zendesk Chat emulator listening on {}", emulator.base_url());
    println!("  token: {}", emulator.token());
    println!(
        "  try:   curl -H 'Authorization: Bearer {}' {}/api/v2/chat/agents/me",
        emulator.token(),
        emulator.base_url()
    );
    println!(
        "  conversations: POST {}/graphql/request (startAgentSession), then the WebSocket it names",
        emulator.base_url()
    );
    tokio::signal::ctrl_c().await?;
    emulator.shutdown().await;
    Ok(())
}
