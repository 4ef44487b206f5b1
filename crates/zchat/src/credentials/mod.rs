//! What `zchat auth login` keeps, and where: `credentials.toml` beside the config file (created
//! readable by the owner only), with the secrets (access and refresh tokens, client secret) in
//! the OS keyring where one answers, or in that file where none does.
//!
//! The file always says where the secrets are (`secrets = "keyring"` or `"file"`), so a command
//! asks the keyring only for a login that was stored there. Files written before the keyring
//! was used hold their secrets and no `secrets` key: they are read as `"file"`.

mod os_keyring;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use zendesk_chat::Client;
use zendesk_chat::oauth::{ChatOAuth, Endpoints, TokenSet};
use zendesk_chat::token_source::RefreshingToken;

use crate::config::Connection;

/// Where a login's secrets are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretStore {
    /// The OS keyring; the file holds the rest.
    Keyring,
    /// `credentials.toml` itself, readable by the owner only.
    #[default]
    File,
}

/// Where `zchat auth login` should keep the secrets (`--store`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreChoice {
    /// The OS keyring when one answers, else the file.
    #[default]
    Auto,
    /// The OS keyring, or fail.
    Keyring,
    /// The file, readable by the owner only.
    File,
}

/// A login: enough to use the token, and to refresh it.
#[derive(Clone)]
pub struct Credentials {
    /// The account's subdomain, when the login was for one.
    pub subdomain: Option<String>,
    /// The server, when the login was for another than Zendesk's (an emulator).
    pub base_url: Option<String>,
    /// The access token.
    pub access_token: String,
    /// The refresh token (the code grant gives one).
    pub refresh_token: Option<String>,
    /// The scopes granted.
    pub scope: Option<String>,
    /// How it was obtained: `authorization_code` or `client_credentials`.
    pub grant: String,
    /// The client, to refresh with.
    pub client_id: String,
    /// The client's secret, to refresh with.
    pub client_secret: Option<String>,
    /// The authorization page used.
    pub auth_url: String,
    /// The token endpoint, to refresh with.
    pub token_url: String,
    /// Where the secrets are kept.
    pub secrets_in: SecretStore,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("subdomain", &self.subdomain)
            .field("base_url", &self.base_url)
            .field("scope", &self.scope)
            .field("grant", &self.grant)
            .field("secrets_in", &self.secrets_in)
            .finish_non_exhaustive()
    }
}

/// `credentials.toml`: the login, with its secrets when they are kept in the file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    subdomain: Option<String>,
    base_url: Option<String>,
    scope: Option<String>,
    grant: String,
    client_id: String,
    auth_url: String,
    token_url: String,
    /// Where the secrets are; absent in files written before the keyring was used.
    #[serde(default)]
    secrets: SecretStore,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
}

/// The secrets of a login, as the keyring entry keeps them.
#[derive(Serialize, Deserialize)]
struct Secrets {
    access_token: String,
    refresh_token: Option<String>,
    client_secret: Option<String>,
}

impl Credentials {
    /// The stored login whose details are in `path`, if there is one.
    pub fn read(path: &Path) -> anyhow::Result<Option<Self>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        // Never echo the file: it may hold tokens.
        let invalid = |message: &str| anyhow::anyhow!("{} is not valid: {message}", path.display());
        let file: CredentialsFile = toml::from_str(&text).map_err(|e| invalid(e.message()))?;
        let secrets = match (file.secrets, file.access_token) {
            (SecretStore::File, Some(access_token)) => Secrets {
                access_token,
                refresh_token: file.refresh_token,
                client_secret: file.client_secret,
            },
            (SecretStore::File, None) => return Err(invalid("it holds no access token")),
            (SecretStore::Keyring, _) => {
                let text = os_keyring::load(path).map_err(|error| {
                    anyhow::anyhow!(
                        "the token of this login is kept in the OS keyring, which cannot give it: \
                         {error}. Unlock the keyring, or zchat auth login again (--store file \
                         keeps it in {})",
                        path.display()
                    )
                })?;
                serde_json::from_str(&text).map_err(|_| {
                    anyhow::anyhow!(
                        "the OS keyring's entry for this login is not zchat's: zchat auth login again"
                    )
                })?
            }
        };
        Ok(Some(Credentials {
            subdomain: file.subdomain,
            base_url: file.base_url,
            access_token: secrets.access_token,
            refresh_token: secrets.refresh_token,
            scope: file.scope,
            grant: file.grant,
            client_id: file.client_id,
            client_secret: secrets.client_secret,
            auth_url: file.auth_url,
            token_url: file.token_url,
            secrets_in: file.secrets,
        }))
    }

    /// Stores the login for the first time, in the keyring or the file as `choice` says (with
    /// `Auto`, the keyring when one answers). Gives why the keyring was not used, when `Auto`
    /// fell back to the file.
    pub fn store_new(
        &mut self,
        path: &Path,
        choice: StoreChoice,
    ) -> anyhow::Result<Option<String>> {
        let earlier_in_keyring = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| toml::from_str::<CredentialsFile>(&text).ok())
            .is_some_and(|earlier| earlier.secrets == SecretStore::Keyring);
        let mut fell_back = None;
        self.secrets_in = match choice {
            StoreChoice::File => SecretStore::File,
            StoreChoice::Keyring => {
                os_keyring::store(path, self.secrets_text())
                    .context("--store keyring: cannot store the token in the OS keyring")?;
                SecretStore::Keyring
            }
            StoreChoice::Auto => match os_keyring::store(path, self.secrets_text()) {
                Ok(()) => SecretStore::Keyring,
                Err(error) => {
                    fell_back = Some(error.to_string());
                    SecretStore::File
                }
            },
        };
        if self.secrets_in == SecretStore::File && earlier_in_keyring {
            // The earlier login's entry would only mislead (and its tokens still work).
            let _ = os_keyring::remove(path);
        }
        self.write_file(path)?;
        Ok(fell_back)
    }

    /// Saves the login where its secrets are kept (after a refresh: the new refresh token is
    /// the only one that works now).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        match self.secrets_in {
            SecretStore::Keyring => os_keyring::store(path, self.secrets_text())
                .context("cannot store the renewed token in the OS keyring"),
            SecretStore::File => self.write_file(path),
        }
    }

    /// Forgets the login: its keyring entry, then its file.
    pub fn forget(&self, path: &Path) -> anyhow::Result<()> {
        if self.secrets_in == SecretStore::Keyring {
            os_keyring::remove(path).context("cannot remove the token from the OS keyring")?;
        }
        std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))
    }

    /// Where the secrets are, in words.
    pub fn describe_store(&self, path: &Path) -> String {
        match self.secrets_in {
            SecretStore::Keyring => format!("the OS keyring (details in {})", path.display()),
            SecretStore::File => format!("{} (readable by you only)", path.display()),
        }
    }

    /// The keyring entry's text: the secrets as JSON.
    fn secrets_text(&self) -> String {
        let secrets = Secrets {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            client_secret: self.client_secret.clone(),
        };
        serde_json::to_string(&secrets).expect("three strings serialize")
    }

    /// Writes `credentials.toml` atomically (a new file renamed over the old), readable by the
    /// owner only, with the secrets when they are kept there.
    fn write_file(&self, path: &Path) -> anyhow::Result<()> {
        let mut file = CredentialsFile {
            subdomain: self.subdomain.clone(),
            base_url: self.base_url.clone(),
            scope: self.scope.clone(),
            grant: self.grant.clone(),
            client_id: self.client_id.clone(),
            auth_url: self.auth_url.clone(),
            token_url: self.token_url.clone(),
            secrets: self.secrets_in,
            access_token: None,
            refresh_token: None,
            client_secret: None,
        };
        if self.secrets_in == SecretStore::File {
            file.access_token = Some(self.access_token.clone());
            file.refresh_token = self.refresh_token.clone();
            file.client_secret = self.client_secret.clone();
        }
        let text = toml::to_string(&file).context("the credentials do not serialize")?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // A new file of its own name (readable by the owner only), renamed over the old: a reader
        // sees the old tokens or the new, never half, and two writers never share it.
        let mut temporary = tempfile::Builder::new()
            .prefix(".credentials")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temporary
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        temporary.write_all(text.as_bytes())?;
        temporary.as_file().sync_all()?;
        temporary
            .persist(path)
            .map_err(|error| error.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    fn oauth(&self) -> ChatOAuth {
        let endpoints = Endpoints {
            authorize: self.auth_url.clone(),
            token: self.token_url.clone(),
            legacy_subdomain: None,
        };
        ChatOAuth::new(endpoints, &self.client_id, self.client_secret.as_deref())
    }

    fn tokens(&self) -> TokenSet {
        let mut tokens = TokenSet::from_access_token(self.access_token.clone());
        tokens.refresh_token = self.refresh_token.clone().map(Into::into);
        tokens.scope = self.scope.clone();
        tokens
    }

    /// A client builder with these credentials: refreshing when there is a refresh token, the
    /// refreshed tokens saved where these are kept before they are used.
    pub fn client_builder(&self, path: &Path) -> zendesk_chat::ClientBuilder {
        let builder = Client::builder();
        if self.refresh_token.is_none() {
            return builder.token(self.access_token.clone());
        }
        let stored = Mutex::new(self.clone());
        let path = path.to_owned();
        let persist = move |tokens: &TokenSet| {
            let mut stored = stored
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            stored.access_token = tokens.access_token.expose_secret().to_owned();
            stored.refresh_token = tokens
                .refresh_token
                .as_ref()
                .map(|token| token.expose_secret().to_owned());
            stored.save(&path).map_err(|error| format!("{error:#}"))
        };
        let source = RefreshingToken::new(self.oauth(), self.tokens(), Box::new(persist));
        builder.token_source(Arc::new(source))
    }
}

/// Where `login` keeps the credentials: `credentials.toml` beside the config file.
pub fn credentials_path(connection: &Connection) -> anyhow::Result<PathBuf> {
    let config = match &connection.config {
        Some(path) => path.clone(),
        None => crate::config::default_config_path()
            .context("no config directory: set XDG_CONFIG_HOME or HOME, or pass --config")?,
    };
    Ok(config.with_file_name("credentials.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_file_written_before_the_keyring_was_used_reads_as_kept_in_the_file() {
        let (_dir, path) = write(
            r#"
subdomain = "acme"
access_token = "old-access"
refresh_token = "old-refresh"
scope = "read write"
grant = "authorization_code"
client_id = "zchat"
client_secret = "old-secret"
auth_url = "https://acme.zendesk.com/oauth2/chat/authorizations/new"
token_url = "https://acme.zendesk.com/oauth2/chat/token"
"#,
        );
        let credentials = Credentials::read(&path).unwrap().unwrap();
        assert_eq!(credentials.secrets_in, SecretStore::File);
        assert_eq!(credentials.access_token, "old-access");
        assert_eq!(credentials.refresh_token.as_deref(), Some("old-refresh"));
        assert_eq!(credentials.client_secret.as_deref(), Some("old-secret"));
    }

    #[test]
    fn a_file_that_keeps_its_secrets_but_holds_no_token_is_refused_without_its_text() {
        let (_dir, path) = write(
            r#"
grant = "client_credentials"
client_id = "zchat"
client_secret = "a-secret-kept-here"
auth_url = ""
token_url = "https://acme.zendesk.com/oauth2/chat/token"
secrets = "file"
"#,
        );
        let message = format!("{:#}", Credentials::read(&path).unwrap_err());
        assert!(message.contains("holds no access token"), "{message}");
        assert!(!message.contains("a-secret-kept-here"), "{message}");
    }

    #[test]
    fn a_login_kept_in_the_file_writes_its_secrets_there_owner_only_and_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zchat/credentials.toml");
        let mut credentials = Credentials {
            subdomain: Some("acme".into()),
            base_url: None,
            access_token: "access".into(),
            refresh_token: Some("refresh".into()),
            scope: Some("read".into()),
            grant: "authorization_code".into(),
            client_id: "zchat".into(),
            client_secret: Some("secret".into()),
            auth_url: "https://a".into(),
            token_url: "https://t".into(),
            secrets_in: SecretStore::Keyring,
        };
        assert_eq!(
            credentials.store_new(&path, StoreChoice::File).unwrap(),
            None
        );
        let read = Credentials::read(&path).unwrap().unwrap();
        assert_eq!(read.secrets_in, SecretStore::File);
        assert_eq!(
            (read.access_token.as_str(), read.refresh_token.as_deref()),
            ("access", Some("refresh"))
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let debug = format!("{read:?}");
        assert!(
            !debug.contains("access") && !debug.contains("secret\""),
            "{debug}"
        );
    }
}
