//! `zchat chats …`, `zchat agents …`, `zchat visitors …`: everyday tasks, one operation each.

use std::io::BufRead;

use anyhow::{Context, bail};
use futures::{StreamExt, TryStreamExt};
use zendesk_chat::{Client, ClientInfo, types};

use crate::output::Output;

/// `zchat chats …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ChatsCommand {
    /// Show chats by id (any number; fetched 50 at a time).
    Get {
        /// Chat ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Search chats: `agent_names:Tom AND timestamp:[2024-01-01 TO *] AND chocolate`.
    Search {
        /// The query, in the API's search language (fields agent_names, visitor_name,
        /// visitor_email, timestamp, end_timestamp, chat_type, rating; free text; AND, OR).
        query: String,
        /// Show at most this many results.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Delete chats by id (any number; deleted 50 at a time).
    Delete {
        /// Chat ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// `zchat agents …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AgentsCommand {
    /// List every agent (paged with since_id).
    List {
        /// Agents per request.
        #[arg(long, default_value_t = 100)]
        page_size: u32,
    },
    /// Show an agent by id, or by email address.
    Get {
        /// An agent id, or an email address.
        agent: String,
    },
    /// Show the agent the access token belongs to.
    Me,
    /// Create an agent; the password is read from standard input.
    Create {
        /// The agent's email address.
        #[arg(long)]
        email: String,
        /// Read the new agent's password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        fields: AgentFields,
    },
    /// Change an agent.
    Update {
        /// The agent's id.
        id: i64,
        /// A new email address.
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        fields: AgentFields,
    },
    /// Delete an agent.
    Delete {
        /// The agent's id.
        id: i64,
    },
}

/// The fields of an agent that create and update set.
#[derive(Debug, Clone, clap::Args)]
pub struct AgentFields {
    /// First name.
    #[arg(long)]
    first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    last_name: Option<String>,
    /// Display name.
    #[arg(long)]
    display_name: Option<String>,
    /// Role id.
    #[arg(long)]
    role_id: Option<i64>,
    /// Enable or disable the agent.
    #[arg(long)]
    enabled: Option<bool>,
}

/// `zchat visitors …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum VisitorsCommand {
    /// Show a visitor.
    Get {
        /// The visitor's id.
        id: String,
    },
    /// Create a visitor.
    Create {
        #[command(flatten)]
        fields: VisitorFields,
    },
    /// Change a visitor.
    Update {
        /// The visitor's id.
        id: String,
        #[command(flatten)]
        fields: VisitorFields,
    },
}

/// The fields of a visitor that create and update set.
#[derive(Debug, Clone, clap::Args)]
pub struct VisitorFields {
    /// Name.
    #[arg(long)]
    name: Option<String>,
    /// Email address.
    #[arg(long)]
    email: Option<String>,
    /// Phone number.
    #[arg(long)]
    phone: Option<String>,
    /// Notes.
    #[arg(long)]
    notes: Option<String>,
    /// Ban or unban the visitor.
    #[arg(long)]
    banned: Option<bool>,
}

/// Runs a chats command.
pub async fn chats(client: &Client, command: ChatsCommand, output: &Output) -> anyhow::Result<()> {
    match command {
        ChatsCommand::Get { ids } => {
            let found = client.chats_by_ids(&ids).await?;
            let missing: Vec<&String> = ids.iter().filter(|id| found.get(id).is_none()).collect();
            let chats: Vec<types::Chat> =
                ids.iter().filter_map(|id| found.get(id).cloned()).collect();
            if !chats.is_empty() {
                output.chats(&chats)?;
            }
            if !missing.is_empty() {
                bail!(
                    "no chat with id {}",
                    missing
                        .iter()
                        .map(|id| id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        ChatsCommand::Search { query, limit } => {
            let results: Vec<types::SearchResult> = client
                .search(query)
                .take(limit.unwrap_or(usize::MAX))
                .try_collect()
                .await?;
            output.search_results(&results)?;
        }
        ChatsCommand::Delete { ids } => {
            let result = client.delete_chats(&ids).await?;
            output.bulk_delete(&result)?;
        }
    }
    Ok(())
}

/// Runs an agents command.
pub async fn agents(
    client: &Client,
    command: AgentsCommand,
    output: &Output,
) -> anyhow::Result<()> {
    let agent = match command {
        AgentsCommand::List { page_size } => {
            let agents: Vec<types::Agent> = client
                .agents()
                .page_size(page_size)
                .stream()
                .try_collect()
                .await?;
            return output.agents(&agents);
        }
        AgentsCommand::Get { agent } => {
            let found = match agent.parse::<i64>() {
                Ok(id) => client.get_agent().agent_id(id).await,
                Err(_) if agent.contains('@') => {
                    client.get_agent_by_email().email(agent.as_str()).await
                }
                Err(_) => bail!("{agent:?} is neither an agent id nor an email address"),
            };
            found?
        }
        AgentsCommand::Me => client.get_current_agent().await?,
        AgentsCommand::Create {
            email,
            password_stdin: _,
            fields,
        } => {
            let password = read_password()?;
            let request = types::CreateAgentRequest {
                email,
                password: password.into(),
                first_name: fields.first_name,
                last_name: fields.last_name,
                display_name: fields.display_name,
                role_id: fields.role_id,
                enabled: fields.enabled.map(types::Flag::Boolean),
            };
            client.create_agent().body(request).await?
        }
        AgentsCommand::Update { id, email, fields } => {
            let request = types::UpdateAgentRequest {
                email,
                first_name: fields.first_name,
                last_name: fields.last_name,
                display_name: fields.display_name,
                role_id: fields.role_id,
                enabled: fields.enabled.map(types::Flag::Boolean),
            };
            client.update_agent().agent_id(id).body(request).await?
        }
        AgentsCommand::Delete { id } => {
            client.delete_agent().agent_id(id).await?;
            output.done(&format!("deleted agent {id}"));
            return Ok(());
        }
    };
    output.agent(&agent)
}

/// Runs a visitors command.
pub async fn visitors(
    client: &Client,
    command: VisitorsCommand,
    output: &Output,
) -> anyhow::Result<()> {
    let visitor = match command {
        VisitorsCommand::Get { id } => client.get_visitor().visitor_id(id).await,
        VisitorsCommand::Create { fields } => {
            let request = types::CreateVisitorRequest {
                name: fields.name,
                email: fields.email,
                phone: fields.phone,
                notes: fields.notes,
                banned: fields.banned,
            };
            client.create_visitor().body(request).await
        }
        VisitorsCommand::Update { id, fields } => {
            let request = types::UpdateVisitorRequest {
                name: fields.name,
                email: fields.email,
                phone: fields.phone,
                notes: fields.notes,
                banned: fields.banned,
            };
            client.update_visitor().visitor_id(id).body(request).await
        }
    };
    output.visitor(&visitor?)
}

/// The password, from the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("the password on standard input is empty");
    }
    Ok(password)
}

/// An error of a REST command, with a client error in words that say what to do.
pub fn explain(error: anyhow::Error, client: &Client) -> anyhow::Error {
    let error = match error.downcast::<zendesk_chat::Error>() {
        Ok(client_error) => client_error,
        Err(other) => return other,
    };
    match &error {
        zendesk_chat::Error::Transport(transport)
            if zendesk_chat::ResponseTooLarge::caused(&transport.source) =>
        {
            anyhow::anyhow!(
                "{} answered more than zchat reads: {error}",
                client.baseurl()
            )
        }
        zendesk_chat::Error::Transport(_) => {
            anyhow::anyhow!("cannot reach {}: {error}", client.baseurl())
        }
        zendesk_chat::Error::Api(api) if api.status == 401 => {
            anyhow::anyhow!(
                "{error}; the access token was refused: check ZENDESK_CHAT_TOKEN (scopes read and write)"
            )
        }
        _ => anyhow::Error::new(error),
    }
}
