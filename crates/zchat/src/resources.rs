//! `zchat account|departments|skills|roles|goals|shortcuts|triggers|bans|routing|oauth|metrics …`:
//! every other resource of the account, one operation each, the same verbs for each. Bodies are
//! JSON objects (`--json '{"name": "Sales"}'`) read through the client's request models, so a field
//! of the wrong type is refused, naming the field, before anything is sent. Secrets (OAuth client
//! secrets, access and refresh tokens) are printed only with `--show-secrets`.

use anyhow::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use zendesk_chat::{Client, types};

use crate::output::Output;

/// The verbs of a resource kept by id.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CrudCommand {
    /// List every one.
    List,
    /// Show one.
    Get {
        /// Its id (or, where the API has it, its name).
        id: String,
    },
    /// Create one from a JSON object of its fields.
    Create {
        /// The fields, as a JSON object: `--json '{"name": "Sales"}'`.
        #[arg(long)]
        json: String,
    },
    /// Change the fields a JSON object gives.
    Update {
        /// Its id (or, where the API has it, its name).
        id: String,
        /// The fields to change, as a JSON object.
        #[arg(long)]
        json: String,
    },
    /// Delete one.
    Delete {
        /// Its id (or, where the API has it, its name).
        id: String,
    },
}

/// `zchat account …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AccountCommand {
    /// Show the account and its plan.
    Get,
    /// Change the account's billing details: `--json '{"billing": {"company": "…"}}'`.
    Update {
        /// The fields to change, as a JSON object.
        #[arg(long)]
        json: String,
    },
}

/// `zchat bans …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum BansCommand {
    /// List every ban (visitors' and IP addresses', paged by id).
    List,
    /// List the banned IP addresses.
    Ip,
    /// Show a ban.
    Get {
        /// The ban's id.
        id: i64,
    },
    /// Ban a visitor (`{"visitor_id": …}`) or an IP address (`{"ip_address": …}`).
    Create {
        /// The ban, as a JSON object, with a `reason`.
        #[arg(long)]
        json: String,
    },
    /// Lift a ban.
    Delete {
        /// The ban's id.
        id: i64,
    },
}

/// `zchat routing …`: the account's routing settings, or an agent's.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum RoutingCommand {
    /// Show the settings: the account's, an agent's (`--agent ID`), your own (`--me`), or every
    /// agent's (`--agents`).
    Get {
        #[command(flatten)]
        whose: Whose,
        /// Every agent's.
        #[arg(long, conflicts_with_all = ["agent", "me"])]
        agents: bool,
    },
    /// Change the settings a nested JSON object gives: `--json '{"chat_limit": {"limit": 4}}'`.
    Update {
        #[command(flatten)]
        whose: Whose,
        /// The settings to change, as a nested JSON object.
        #[arg(long)]
        json: String,
    },
}

/// Whose routing settings: the account's unless an agent is named.
#[derive(Debug, Clone, clap::Args)]
pub struct Whose {
    /// An agent's, by id.
    #[arg(long, conflicts_with = "me")]
    agent: Option<i64>,
    /// The requesting agent's.
    #[arg(long)]
    me: bool,
}

/// `zchat oauth …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum OauthCommand {
    /// OAuth clients.
    #[command(subcommand)]
    Clients(CrudCommand),
    /// OAuth tokens: list them, or revoke one.
    #[command(subcommand)]
    Tokens(TokensCommand),
}

/// `zchat oauth tokens …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum TokensCommand {
    /// List the tokens.
    List,
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

/// `zchat metrics …`: the real-time metrics.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum MetricsCommand {
    /// Chats: incoming, assigned, active, missed, satisfaction, durations.
    Chats {
        /// One metric only, such as `missed_chats`.
        #[arg(long)]
        metric: Option<String>,
        /// One department's.
        #[arg(long)]
        department: Option<i64>,
        /// The window of the windowed metrics, in minutes (30 or 60).
        #[arg(long)]
        window: Option<i64>,
    },
    /// Agents: online, away, invisible.
    Agents {
        /// One metric only, such as `agents_online`.
        #[arg(long)]
        metric: Option<String>,
        /// One department's.
        #[arg(long)]
        department: Option<i64>,
    },
}

/// Every resource command: `main` flattens them into zchat's commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ResourceCommand {
    /// The account and its plan: get, update (billing).
    #[command(subcommand)]
    Account(AccountCommand),
    /// Departments: list, get (by id or name), create, update, delete.
    #[command(subcommand)]
    Departments(CrudCommand),
    /// Skills: list, get (by id or name), create, update, delete.
    #[command(subcommand)]
    Skills(CrudCommand),
    /// Roles: list, get, create, update, delete.
    #[command(subcommand)]
    Roles(CrudCommand),
    /// Goals: list, get, create, update, delete (at most five enabled).
    #[command(subcommand)]
    Goals(CrudCommand),
    /// Shortcuts: list, get, create, update, delete (a shortcut's id is its name).
    #[command(subcommand)]
    Shortcuts(CrudCommand),
    /// Triggers: list, get (by name or id), create, update, delete.
    #[command(subcommand)]
    Triggers(CrudCommand),
    /// Bans of visitors and IP addresses: list, ip, get, create, delete.
    #[command(subcommand)]
    Bans(BansCommand),
    /// Routing settings, the account's or an agent's: get, update.
    #[command(subcommand)]
    Routing(RoutingCommand),
    /// OAuth clients and tokens.
    #[command(subcommand)]
    Oauth(OauthCommand),
    /// Real-time metrics of chats and agents.
    #[command(subcommand)]
    Metrics(MetricsCommand),
}

/// A JSON body read as the request model `T`; an error names the field that does not fit.
fn body<T: DeserializeOwned>(json: &str) -> anyhow::Result<T> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| anyhow::anyhow!("--json: {}: {}", e.path(), e.inner()))
}

/// An integer id from the command line.
fn int_id(id: &str) -> anyhow::Result<i64> {
    id.parse()
        .with_context(|| format!("{id:?} is not an id (a whole number)"))
}

/// What a resource's name-or-id argument names.
enum Named<'a> {
    Id(i64),
    Name(&'a str),
}

/// A number is an id; anything else a name.
fn id_or_name(text: &str) -> Named<'_> {
    text.parse().map_or(Named::Name(text), Named::Id)
}

/// Runs a resource command.
pub async fn run(
    client: &Client,
    command: ResourceCommand,
    output: &Output,
    show_secrets: bool,
) -> anyhow::Result<()> {
    let printed = match command {
        ResourceCommand::Account(command) => account(client, command).await?,
        ResourceCommand::Departments(command) => departments(client, command).await?,
        ResourceCommand::Skills(command) => skills(client, command).await?,
        ResourceCommand::Roles(command) => roles(client, command).await?,
        ResourceCommand::Goals(command) => goals(client, command).await?,
        ResourceCommand::Shortcuts(command) => shortcuts(client, command).await?,
        ResourceCommand::Triggers(command) => triggers(client, command).await?,
        ResourceCommand::Bans(command) => bans(client, command).await?,
        ResourceCommand::Routing(command) => routing(client, command).await?,
        ResourceCommand::Oauth(command) => oauth(client, command).await?,
        ResourceCommand::Metrics(command) => metrics(client, command).await?,
    };
    match printed {
        Printed::Value(mut value) => {
            if !show_secrets {
                hide_secrets(&mut value);
            }
            output.records(&value)
        }
        Printed::Done(message) => {
            output.done(&message);
            Ok(())
        }
    }
}

/// What a command prints: a value, or a line saying what was done.
enum Printed {
    Value(Value),
    Done(String),
}

fn value(value: impl Serialize) -> anyhow::Result<Printed> {
    Ok(Printed::Value(serde_json::to_value(value)?))
}

fn done(message: impl Into<String>) -> anyhow::Result<Printed> {
    Ok(Printed::Done(message.into()))
}

/// The fields that hold secrets, anywhere in a value.
const SECRET_FIELDS: [&str; 3] = ["client_secret", "access_token", "refresh_token"];

/// Replaces every secret in `value` with a mark.
pub fn hide_secrets(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, field) in object.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && field.is_string() {
                    *field = Value::from("[hidden: --show-secrets prints it]");
                } else {
                    hide_secrets(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(hide_secrets),
        _ => {}
    }
}

async fn account(client: &Client, command: AccountCommand) -> anyhow::Result<Printed> {
    match command {
        AccountCommand::Get => value(client.get_account().await?),
        AccountCommand::Update { json } => {
            let changes: types::UpdateAccountRequest = body(&json)?;
            value(client.update_account().body(changes).await?)
        }
    }
}

async fn departments(client: &Client, command: CrudCommand) -> anyhow::Result<Printed> {
    match command {
        CrudCommand::List => value(client.list_departments().await?),
        CrudCommand::Get { id } => match id_or_name(&id) {
            Named::Id(id) => value(client.get_department().department_id(id).await?),
            Named::Name(name) => value(
                client
                    .get_department_by_name()
                    .department_name(name)
                    .await?,
            ),
        },
        CrudCommand::Create { json } => {
            let new: types::CreateDepartmentRequest = body(&json)?;
            value(client.create_department().body(new).await?)
        }
        CrudCommand::Update { id, json } => {
            let changes: types::UpdateDepartmentRequest = body(&json)?;
            match id_or_name(&id) {
                Named::Id(id) => value(
                    client
                        .update_department()
                        .department_id(id)
                        .body(changes)
                        .await?,
                ),
                Named::Name(name) => value(
                    client
                        .update_department_by_name()
                        .department_name(name)
                        .body(changes)
                        .await?,
                ),
            }
        }
        CrudCommand::Delete { id } => {
            match id_or_name(&id) {
                Named::Id(id) => client.delete_department().department_id(id).await?,
                Named::Name(name) => {
                    client
                        .delete_department_by_name()
                        .department_name(name)
                        .await?
                }
            }
            done(format!("deleted department {id}"))
        }
    }
}

async fn skills(client: &Client, command: CrudCommand) -> anyhow::Result<Printed> {
    match command {
        CrudCommand::List => value(client.list_skills().await?),
        CrudCommand::Get { id } => match id_or_name(&id) {
            Named::Id(id) => value(client.get_skill().skill_id(id).await?),
            Named::Name(name) => value(client.get_skill_by_name().skill_name(name).await?),
        },
        CrudCommand::Create { json } => {
            let new: types::CreateSkillRequest = body(&json)?;
            value(client.create_skill().body(new).await?)
        }
        CrudCommand::Update { id, json } => {
            let changes: types::UpdateSkillRequest = body(&json)?;
            match id_or_name(&id) {
                Named::Id(id) => value(client.update_skill().skill_id(id).body(changes).await?),
                Named::Name(name) => value(
                    client
                        .update_skill_by_name()
                        .skill_name(name)
                        .body(changes)
                        .await?,
                ),
            }
        }
        CrudCommand::Delete { id } => {
            match id_or_name(&id) {
                Named::Id(id) => client.delete_skill().skill_id(id).await?,
                Named::Name(name) => client.delete_skill_by_name().skill_name(name).await?,
            }
            done(format!("deleted skill {id}"))
        }
    }
}

async fn roles(client: &Client, command: CrudCommand) -> anyhow::Result<Printed> {
    match command {
        CrudCommand::List => value(client.list_roles().await?),
        CrudCommand::Get { id } => value(client.get_role().role_id(int_id(&id)?).await?),
        CrudCommand::Create { json } => {
            let new: types::CreateRoleRequest = body(&json)?;
            value(client.create_role().body(new).await?)
        }
        CrudCommand::Update { id, json } => {
            let changes: types::UpdateRoleRequest = body(&json)?;
            value(
                client
                    .update_role()
                    .role_id(int_id(&id)?)
                    .body(changes)
                    .await?,
            )
        }
        CrudCommand::Delete { id } => {
            client.delete_role().role_id(int_id(&id)?).await?;
            done(format!("deleted role {id}"))
        }
    }
}

async fn goals(client: &Client, command: CrudCommand) -> anyhow::Result<Printed> {
    match command {
        CrudCommand::List => value(client.list_goals().await?),
        CrudCommand::Get { id } => value(client.get_goal().goal_id(int_id(&id)?).await?),
        CrudCommand::Create { json } => {
            let new: types::CreateGoalRequest = body(&json)?;
            value(client.create_goal().body(new).await?)
        }
        CrudCommand::Update { id, json } => {
            let changes: types::UpdateGoalRequest = body(&json)?;
            value(
                client
                    .update_goal()
                    .goal_id(int_id(&id)?)
                    .body(changes)
                    .await?,
            )
        }
        CrudCommand::Delete { id } => {
            client.delete_goal().goal_id(int_id(&id)?).await?;
            done(format!("deleted goal {id}"))
        }
    }
}

async fn shortcuts(client: &Client, command: CrudCommand) -> anyhow::Result<Printed> {
    match command {
        CrudCommand::List => value(client.list_shortcuts().await?),
        CrudCommand::Get { id } => value(client.get_shortcut().shortcut_id(id).await?),
        CrudCommand::Create { json } => {
            let new: types::CreateShortcutRequest = body(&json)?;
            value(client.create_shortcut().body(new).await?)
        }
        CrudCommand::Update { id, json } => {
            let changes: types::UpdateShortcutRequest = body(&json)?;
            value(
                client
                    .update_shortcut()
                    .shortcut_id(id)
                    .body(changes)
                    .await?,
            )
        }
        CrudCommand::Delete { id } => {
            client.delete_shortcut().shortcut_id(&id).await?;
            done(format!("deleted shortcut {id:?}"))
        }
    }
}

async fn triggers(client: &Client, command: CrudCommand) -> anyhow::Result<Printed> {
    match command {
        CrudCommand::List => value(client.list_triggers().await?),
        CrudCommand::Get { id } => value(client.get_trigger().trigger_name_or_id(id).await?),
        CrudCommand::Create { json } => {
            let new: types::CreateTriggerRequest = body(&json)?;
            value(client.create_trigger().body(new).await?)
        }
        CrudCommand::Update { id, json } => {
            let changes: types::UpdateTriggerRequest = body(&json)?;
            value(
                client
                    .update_trigger()
                    .trigger_name_or_id(id)
                    .body(changes)
                    .await?,
            )
        }
        CrudCommand::Delete { id } => {
            client.delete_trigger().trigger_name_or_id(&id).await?;
            done(format!("deleted trigger {id:?}"))
        }
    }
}

async fn bans(client: &Client, command: BansCommand) -> anyhow::Result<Printed> {
    match command {
        BansCommand::List => value(client.bans().stream().collect_all().await?),
        BansCommand::Ip => value(client.list_ip_bans().await?),
        BansCommand::Get { id } => value(client.get_ban().ban_id(id).await?),
        BansCommand::Create { json } => {
            let new: types::CreateBanRequest = body(&json)?;
            value(client.create_ban().body(new).await?)
        }
        BansCommand::Delete { id } => {
            client.delete_ban().ban_id(id).await?;
            done(format!("lifted ban {id}"))
        }
    }
}

async fn routing(client: &Client, command: RoutingCommand) -> anyhow::Result<Printed> {
    match command {
        RoutingCommand::Get { agents: true, .. } => {
            value(client.list_agent_routing_settings().await?.data)
        }
        RoutingCommand::Get { whose, .. } => match (whose.agent, whose.me) {
            (Some(agent), _) => value(
                client
                    .get_agent_routing_settings()
                    .agent_id(agent)
                    .await?
                    .data,
            ),
            (None, true) => value(client.get_current_agent_routing_settings().await?.data),
            (None, false) => value(client.get_account_routing_settings().await?.data),
        },
        RoutingCommand::Update { whose, json } => match (whose.agent, whose.me) {
            (Some(agent), _) => {
                let changes: types::AgentRoutingSettings = body(&json)?;
                value(
                    client
                        .update_agent_routing_settings()
                        .agent_id(agent)
                        .body(changes)
                        .await?
                        .data,
                )
            }
            (None, true) => {
                let changes: types::AgentRoutingSettings = body(&json)?;
                value(
                    client
                        .update_current_agent_routing_settings()
                        .body(changes)
                        .await?
                        .data,
                )
            }
            (None, false) => {
                let changes: types::AccountRoutingSettings = body(&json)?;
                value(
                    client
                        .update_account_routing_settings()
                        .body(changes)
                        .await?
                        .data,
                )
            }
        },
    }
}

async fn oauth(client: &Client, command: OauthCommand) -> anyhow::Result<Printed> {
    match command {
        OauthCommand::Clients(command) => oauth_clients(client, command).await,
        OauthCommand::Tokens(TokensCommand::List) => value(client.list_oauth_tokens().await?),
        OauthCommand::Tokens(TokensCommand::Revoke { id }) => {
            client.revoke_oauth_token().oauth_token_id(id).await?;
            done(format!("revoked token {id}"))
        }
    }
}

async fn oauth_clients(client: &Client, command: CrudCommand) -> anyhow::Result<Printed> {
    match command {
        CrudCommand::List => value(client.list_oauth_clients().await?),
        CrudCommand::Get { id } => value(
            client
                .get_oauth_client()
                .oauth_client_id(int_id(&id)?)
                .await?,
        ),
        CrudCommand::Create { json } => {
            let new: types::CreateOauthClientRequest = body(&json)?;
            value(client.create_oauth_client().body(new).await?)
        }
        CrudCommand::Update { id, json } => {
            let changes: types::UpdateOauthClientRequest = body(&json)?;
            value(
                client
                    .update_oauth_client()
                    .oauth_client_id(int_id(&id)?)
                    .body(changes)
                    .await?,
            )
        }
        CrudCommand::Delete { id } => {
            client
                .delete_oauth_client()
                .oauth_client_id(int_id(&id)?)
                .await?;
            done(format!("deleted OAuth client {id}"))
        }
    }
}

async fn metrics(client: &Client, command: MetricsCommand) -> anyhow::Result<Printed> {
    match command {
        MetricsCommand::Chats {
            metric: Some(metric),
            department,
            window,
        } => {
            let mut request = client.get_chat_metric().metric_key(metric);
            if let Some(department) = department {
                request = request.department_id(department);
            }
            if let Some(window) = window {
                request = request.window(window);
            }
            value(request.await?)
        }
        MetricsCommand::Chats {
            metric: None,
            department,
            window,
        } => {
            let mut request = client.get_chat_metrics();
            if let Some(department) = department {
                request = request.department_id(department);
            }
            if let Some(window) = window {
                request = request.window(window);
            }
            value(request.await?)
        }
        MetricsCommand::Agents {
            metric: Some(metric),
            department,
        } => {
            let mut request = client.get_agent_metric().metric_key(metric);
            if let Some(department) = department {
                request = request.department_id(department);
            }
            value(request.await?)
        }
        MetricsCommand::Agents {
            metric: None,
            department,
        } => {
            let mut request = client.get_agent_metrics();
            if let Some(department) = department {
                request = request.department_id(department);
            }
            value(request.await?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_hidden_wherever_they_are() {
        let mut value = serde_json::json!([
            {"id": 1, "client_secret": "s3cret", "name": "x"},
            {"nested": {"access_token": "t0ken", "refresh_token": "r3fresh"}}
        ]);
        hide_secrets(&mut value);
        let text = value.to_string();
        for secret in ["s3cret", "t0ken", "r3fresh"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert_eq!(value[0]["name"], "x");
    }

    #[test]
    fn a_body_that_does_not_fit_names_the_field() {
        let error = body::<types::CreateDepartmentRequest>(r#"{"name": "x", "members": "all"}"#)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("--json: members:"), "{error}");
    }

    #[test]
    fn a_number_is_an_id_and_anything_else_a_name() {
        assert!(matches!(
            id_or_name("7282630247567"),
            Named::Id(7_282_630_247_567)
        ));
        assert!(matches!(
            id_or_name("Billing Department"),
            Named::Name("Billing Department")
        ));
    }
}
