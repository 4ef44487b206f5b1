//! The Conversations API through the emulator, as `cargo xtask bench` reports it:
//!
//! 1. the round trip of a visitor's message to a bot and the bot's reply back (median, p99);
//! 2. sustained requests a second from one session against the API's limit of 100.
//!
//! Prints one Markdown section. Everything runs in this process, on 127.0.0.1.

use std::time::{Duration, Instant};

use clap::Parser;
use zendesk_chat_conversations::limits::{REQUESTS_PER_SECOND, SessionStarts};
use zendesk_chat_conversations::operations::{Departments, Message, message};
use zendesk_chat_conversations::{AgentSession, SubscriptionEvent};
use zendesk_chat_emulator::Emulator;

/// Options.
#[derive(Parser)]
struct Args {
    /// Round trips to time.
    #[arg(long, default_value_t = 300)]
    round_trips: usize,
    /// Requests for the sustained rate.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let emulator = Emulator::builder().chats(50).start().await?;
    let starts = SessionStarts::new();
    let session = |starts: SessionStarts| {
        AgentSession::builder()
            .endpoint(emulator.base_url())
            .token(emulator.token())
            .session_starts(starts)
            .start()
    };

    // The bot: answers each visitor message with "re: …".
    let bot = session(starts.clone()).await?;
    let mut incoming = bot.subscribe::<Message>(message::Variables {}).await?;
    let bot_task = {
        let bot = bot.clone();
        tokio::spawn(async move {
            while let Some(event) = incoming.next().await {
                let SubscriptionEvent::Data(data) = event else {
                    continue;
                };
                let Some(node) = data.message.and_then(|m| m.node) else {
                    continue;
                };
                if node.from.as_ref().map(|f| f.typename()) != Some("Visitor") {
                    continue;
                }
                let Some(channel) = node.channel.as_ref().and_then(|c| c.id()).cloned() else {
                    continue;
                };
                let text = node.content.unwrap_or_default();
                let _ = bot.send_message(channel, &format!("re: {text}")).await;
            }
        })
    };
    // The visitor's side: a session watching for the bot's replies.
    let watcher = session(starts.clone()).await?;
    let mut replies = watcher.subscribe::<Message>(message::Variables {}).await?;

    let channel = emulator
        .visitor_says(None, "warm-up")
        .map_err(anyhow::Error::msg)?;
    wait_for(&mut replies, "re: warm-up").await?;
    let mut times = Vec::with_capacity(args.round_trips);
    for i in 0..args.round_trips {
        // Paced under the API's 100 requests a second, so that the figure is the latency, not
        // the client's queue for the limit.
        tokio::time::sleep(Duration::from_millis(15)).await;
        let text = format!("ping {i}");
        let sent = Instant::now();
        emulator
            .visitor_says(Some(&channel.channel_id), &text)
            .map_err(anyhow::Error::msg)?;
        wait_for(&mut replies, &format!("re: {text}")).await?;
        times.push(sent.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];

    // Sustained rate: 8 callers share one session (queued at the client; the server refuses
    // none, or a caller fails).
    let worker_count = 8;
    let per_worker = args.requests / worker_count;
    let started = Instant::now();
    let workers: Vec<_> = (0..worker_count)
        .map(|_| {
            let bot = bot.clone();
            tokio::spawn(async move {
                for _ in 0..per_worker {
                    bot.execute::<Departments>(Default::default()).await?;
                }
                Ok::<_, zendesk_chat_conversations::Error>(())
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    let elapsed = started.elapsed();
    let done = per_worker * worker_count;
    let rate = done as f64 / elapsed.as_secs_f64();

    bot_task.abort();

    println!(
        "### Conversations API through the emulator on 127.0.0.1\n\n\
         `cargo xtask bench --skip decode,export,memory,build` (bench binary `conversations`)\n\n\
         | measure | figure |\n|---|---|\n\
         | visitor message → bot reply → visitor, median of {} | {:.2} ms |\n\
         | the same, p99 | {:.2} ms |\n\
         | sustained requests a second, one session, 8 callers, {} requests, none refused by the server (the first 100 go at once) | {:.1} ({:.2}× the API's limit of {}) |\n",
        times.len(),
        ms(median),
        ms(p99),
        done,
        rate,
        rate / REQUESTS_PER_SECOND as f64,
        REQUESTS_PER_SECOND,
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Waits for an agent's message with this text.
async fn wait_for(
    replies: &mut zendesk_chat_conversations::Subscription<Message>,
    text: &str,
) -> anyhow::Result<()> {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), replies.next())
            .await?
            .ok_or_else(|| anyhow::anyhow!("the subscription ended"))?;
        if let SubscriptionEvent::Data(data) = event
            && let Some(node) = data.message.and_then(|m| m.node)
            && node.content.as_deref() == Some(text)
        {
            return Ok(());
        }
    }
}
