//! An echo bot: it answers every visitor's message, and hands the chat over to an online
//! department when the visitor asks for a human.
//!
//! One command, against an emulator the example starts itself (its simulated visitors chat):
//!
//! ```sh
//! cargo run -p zendesk-chat-conversations --example echo_bot
//! ```
//!
//! Against a running emulator or a real account, name the endpoint and the token (an OAuth token
//! with the `read`, `write` and `chat` scopes):
//!
//! ```sh
//! CONVERSATIONS_ENDPOINT=http://127.0.0.1:8080 ZENDESK_CHAT_TOKEN=emulator-token \
//!     cargo run -p zendesk-chat-conversations --example echo_bot
//! ```
//!
//! `ECHO_BOT_MESSAGES` is how many visitor messages to answer before stopping (10 against the
//! example's own emulator, no limit otherwise).

use std::time::Duration;

use futures::TryStreamExt;
use zendesk_chat_conversations::operations::{Message, message};
use zendesk_chat_conversations::{AgentSession, Id, SubscriptionEvent, types};
use zendesk_chat_emulator::Emulator;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    // The example's own emulator, unless an endpoint is given.
    let (endpoint, token, emulator) = match std::env::var("CONVERSATIONS_ENDPOINT") {
        Ok(endpoint) => (endpoint, std::env::var("ZENDESK_CHAT_TOKEN")?, None),
        Err(_) => {
            let emulator = Emulator::builder()
                .chats(50)
                .simulated_visitors(Some(Duration::from_millis(500)))
                .start()
                .await?;
            (
                emulator.base_url().to_owned(),
                emulator.token().to_owned(),
                Some(emulator),
            )
        }
    };
    let limit: Option<usize> = match std::env::var("ECHO_BOT_MESSAGES") {
        Ok(text) => Some(text.parse()?),
        Err(_) => emulator.as_ref().map(|_| 10),
    };

    let session = AgentSession::builder()
        .endpoint(endpoint)
        .token(token)
        .start()
        .await?;
    session
        .update_agent_status(types::AgentStatus::Online)
        .await?;
    let mut messages = session.subscribe::<Message>(message::Variables {}).await?;
    println!("echo bot online; answering visitors");

    let mut answered = 0;
    while let Some(event) = messages.next().await {
        let data = match event {
            SubscriptionEvent::Data(data) => data,
            SubscriptionEvent::Reconnected { .. } => {
                println!("(reconnected: messages may have been missed)");
                continue;
            }
            SubscriptionEvent::Error(error) => {
                eprintln!("an event did not decode: {error}");
                continue;
            }
            _ => continue,
        };
        let Some(node) = data.message.and_then(|m| m.node) else {
            continue;
        };
        // Answer visitors only (the bot's own messages come back too).
        if node.from.as_ref().map(|from| from.typename()) != Some("Visitor") {
            continue;
        }
        let Some(channel) = node.channel.as_ref().and_then(|c| c.id()).cloned() else {
            continue;
        };
        let text = node.content.unwrap_or_default();
        println!("visitor: {text}");
        if text.to_lowercase().contains("human") {
            hand_over(&session, channel).await?;
        } else {
            session
                .send_message(channel, &format!("You said: {text}"))
                .await?;
        }
        answered += 1;
        if limit.is_some_and(|limit| answered >= limit) {
            break;
        }
    }
    drop(messages);
    session.stop().await?;
    println!("answered {answered} messages; stopped");
    Ok(())
}

/// Transfers the channel to the first online department, saying so; or says none is online.
async fn hand_over(session: &AgentSession, channel: Id) -> anyhow::Result<()> {
    let departments: Vec<_> = session.departments(50).try_collect().await?;
    let online = departments
        .into_iter()
        .find(|department| department.status == Some(types::DepartmentStatus::Online));
    match online {
        Some(department) => {
            let name = department.name.unwrap_or_default();
            session
                .send_message(channel.clone(), &format!("Handing you over to {name}."))
                .await?;
            session
                .transfer_to_department(channel, department.id, true)
                .await?;
            println!("handed over to {name}");
        }
        None => {
            session
                .send_message(
                    channel,
                    "No one is available right now; please leave a message.",
                )
                .await?;
        }
    }
    Ok(())
}
