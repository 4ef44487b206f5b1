//! Where the account is and how to reach it: flags, then the environment (`ZENDESK_SUBDOMAIN`,
//! `ZENDESK_CHAT_TOKEN`), then a config file, in that order of precedence.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;
use zendesk_chat::Client;

/// The connection settings given on the command line (flags, or the environment through clap).
#[derive(Clone, Default, clap::Args)]
pub struct Connection {
    /// The account's Zendesk subdomain (`acme` for acme.zendesk.com).
    #[arg(long, global = true, env = "ZENDESK_SUBDOMAIN", hide_env_values = true)]
    pub subdomain: Option<String>,
    /// The OAuth access token. Prefer the ZENDESK_CHAT_TOKEN environment variable or the config
    /// file: a flag shows in the process list.
    #[arg(
        long,
        global = true,
        env = "ZENDESK_CHAT_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Any server instead of the account's (an emulator, a proxy): `http://127.0.0.1:8080`.
    #[arg(long, global = true, env = "ZCHAT_BASE_URL")]
    pub base_url: Option<String>,
    /// The config file (default: $XDG_CONFIG_HOME/zchat/config.toml or ~/.config/zchat/config.toml).
    #[arg(long, global = true, env = "ZCHAT_CONFIG")]
    pub config: Option<PathBuf>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("subdomain", &self.subdomain)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("config", &self.config)
            .finish()
    }
}

/// The config file: the same three settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    subdomain: Option<String>,
    token: Option<String>,
    base_url: Option<String>,
}

impl Connection {
    /// A client for the account, or a one-line reason why there is none.
    pub fn client(&self) -> anyhow::Result<Client> {
        let file = self.config_file()?;
        // A token given (flag, environment, config file) wins; else what `zchat auth login` stored.
        let (builder, stored) = match self.token_from(&file) {
            Ok(token) => (Client::builder().token(token), None),
            Err(no_token) => {
                let path = crate::credentials::credentials_path(self)?;
                match crate::credentials::Credentials::read(&path)? {
                    Some(credentials) => (credentials.client_builder(&path), Some(credentials)),
                    None => return Err(no_token),
                }
            }
        };
        let mut builder = builder.user_agent(concat!("zchat/", env!("CARGO_PKG_VERSION")));
        let named = (
            self.base_url.clone().or(file.base_url),
            self.subdomain.clone().or(file.subdomain),
        );
        let account = match stored {
            // The stored token goes only to the account it was given for.
            Some(stored) => {
                let same = match &named {
                    (None, None) => true,
                    (Some(base_url), _) => stored.base_url.as_ref() == Some(base_url),
                    (None, Some(subdomain)) => {
                        stored.base_url.is_none() && stored.subdomain.as_ref() == Some(subdomain)
                    }
                };
                if !same {
                    bail!(
                        "the stored login (zchat auth login) is for {}, and another account is \
                         named (--base-url, --subdomain, the environment or the config file): log \
                         in to that one, or give its token",
                        stored
                            .base_url
                            .or(stored.subdomain.map(|s| format!("{s}.zendesk.com")))
                            .unwrap_or_default()
                    );
                }
                (stored.base_url, stored.subdomain)
            }
            None => named,
        };
        builder = match account {
            (Some(base_url), _) => builder.base_url(base_url),
            (None, Some(subdomain)) => builder.subdomain(subdomain),
            (None, None) => bail!(
                "no account: set ZENDESK_SUBDOMAIN, pass --subdomain or --base-url, or put `subdomain = \"…\"` in the config file"
            ),
        };
        Ok(builder.build()?)
    }

    /// The access token and the Conversations API's address (`--base-url` when given, such as
    /// an emulator's; else Zendesk's), for `zchat agent`.
    pub fn conversations(&self) -> anyhow::Result<(String, String)> {
        let file = self.config_file()?;
        let token = self.token_from(&file)?;
        let endpoint = self
            .base_url
            .clone()
            .or(file.base_url)
            .unwrap_or_else(|| zendesk_chat_conversations::DEFAULT_ENDPOINT.to_owned());
        Ok((token, endpoint))
    }

    fn token_from(&self, file: &ConfigFile) -> anyhow::Result<String> {
        let token = self
            .token
            .clone()
            .or(file.token.clone())
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            bail!(
                "no access token: run `zchat auth login`, set ZENDESK_CHAT_TOKEN, pass --token, or put `token = \"…\"` in the config file"
            );
        };
        Ok(token)
    }

    fn config_file(&self) -> anyhow::Result<ConfigFile> {
        let (path, explicit) = match &self.config {
            Some(path) => (path.clone(), true),
            None => match default_config_path() {
                Some(path) => (path, false),
                None => return Ok(ConfigFile::default()),
            },
        };
        if !explicit && !path.exists() {
            return Ok(ConfigFile::default());
        }
        read_config(&path)
    }
}

fn read_config(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    // The file may hold the token: name the problem, never echo the file.
    toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "the config file {} is not valid: {}",
            path.display(),
            e.message()
        )
    })
}

/// `$XDG_CONFIG_HOME/zchat/config.toml`, or `~/.config/zchat/config.toml`.
pub(crate) fn default_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("zchat").join("config.toml"))
}
