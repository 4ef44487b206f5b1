//! `zchat agent`: act as a chat agent over the Conversations API. `zchat agent watch` prints the
//! live messages of the account's chats.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use zendesk_chat_conversations::operations::{Message, message};
use zendesk_chat_conversations::{AgentSession, SubscriptionEvent, types};

use crate::config::Connection;

/// `zchat agent` commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AgentCommand {
    /// Print live messages (visitors' and agents') as they arrive, one line each, until Ctrl-C.
    Watch {
        /// Stop after this many messages.
        #[arg(long)]
        count: Option<usize>,
        /// Also go online (status ONLINE), so that chats are routed to this session's agent.
        #[arg(long)]
        online: bool,
    },
}

/// Runs an agent command.
pub async fn run(connection: &Connection, command: AgentCommand) -> anyhow::Result<()> {
    let AgentCommand::Watch { count, online } = command;
    let (token, endpoint) = connection.conversations()?;
    let session = AgentSession::builder()
        .endpoint(endpoint)
        .token(token)
        .start()
        .await
        .context("cannot start an agent session")?;
    if online {
        session
            .update_agent_status(types::AgentStatus::Online)
            .await
            .context("cannot go online")?;
    }
    let mut messages = session
        .subscribe::<Message>(message::Variables {})
        .await
        .context("cannot subscribe to messages")?;
    eprintln!("watching live messages (Ctrl-C to stop)");
    let mut seen = 0;
    while let Some(event) = messages.next().await {
        match event {
            SubscriptionEvent::Data(data) => {
                let Some(node) = data.message.and_then(|m| m.node) else {
                    continue;
                };
                let channel = node
                    .channel
                    .as_ref()
                    .and_then(|c| c.id())
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let who = node
                    .from
                    .as_ref()
                    .map_or("?", |from| from.typename())
                    .to_owned();
                let line = format!(
                    "[{channel}] {who} {}: {}",
                    node.sender_name.as_deref().unwrap_or("?"),
                    node.content.as_deref().unwrap_or("")
                );
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{line}")?;
                stdout.flush()?;
                seen += 1;
                if count.is_some_and(|count| seen >= count) {
                    break;
                }
            }
            SubscriptionEvent::Reconnected { new_session } => eprintln!(
                "(reconnected{}; messages may have been missed)",
                if new_session {
                    " with a new session"
                } else {
                    ""
                }
            ),
            SubscriptionEvent::Error(error) => eprintln!("warning: {error}"),
            _ => {}
        }
    }
    drop(messages);
    tokio::time::timeout(Duration::from_secs(5), session.stop())
        .await
        .ok();
    Ok(())
}
