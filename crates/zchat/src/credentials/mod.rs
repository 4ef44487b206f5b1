//! What `zchat auth login` keeps, and where: `credentials.toml` beside the config file (created
//! readable by the owner only), with the secrets (access and refresh tokens, client secret) in
//! the OS keyring where one answers, or in that file where none does.
//!
//! The file names the keyring entry that holds a login's secrets (`keyring_entry`), so a command
//! asks the keyring only for a login that was stored there, and each login has an entry of its
//! own: a new login writes its entry, then the file, then forgets the earlier login's entry.

mod file;
mod os_keyring;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use zendesk_chat::Client;
use zendesk_chat::oauth::{ChatOAuth, Endpoints, TokenSet};
use zendesk_chat::token_source::RefreshingToken;

use crate::config::Connection;
use file::CredentialsFile;
use os_keyring::KeyringError;

/// Where a login's secrets are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SecretStore {
    /// `credentials.toml` itself, readable by the owner only.
    #[default]
    File,
    /// The OS keyring, in the entry of this name; the file holds the rest.
    Keyring(String),
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

/// Why a login that asked for the keyring (`--store auto`) was kept in the file instead.
#[derive(Debug)]
pub struct FellBack(pub String);

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
    /// Where the secrets are kept: decided by [`Credentials::store_new`], read back by
    /// [`Credentials::read`].
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
        let Some(file) = CredentialsFile::read(path)? else {
            return Ok(None);
        };
        let (secrets, secrets_in) = match &file.keyring_entry {
            None => {
                let access_token = file.access_token.clone().ok_or_else(|| {
                    anyhow::anyhow!("{} is not valid: it holds no access token", path.display())
                })?;
                let secrets = Secrets {
                    access_token,
                    refresh_token: file.refresh_token.clone(),
                    client_secret: file.client_secret.clone(),
                };
                (secrets, SecretStore::File)
            }
            Some(entry) => {
                let text = os_keyring::load(entry).map_err(|error| match error {
                    KeyringError::NoEntry => anyhow::anyhow!(
                        "the OS keyring no longer holds this login's token: zchat auth login again"
                    ),
                    error => anyhow::anyhow!(
                        "the token of this login is kept in the OS keyring, which cannot give it: \
                         {error}. Unlock the keyring, or zchat auth login again (--store file \
                         keeps it in {})",
                        path.display()
                    ),
                })?;
                // Never the parse error: it would quote the entry.
                let secrets = serde_json::from_str(&text).map_err(|_| {
                    anyhow::anyhow!(
                        "the OS keyring's entry for this login is not zchat's: zchat auth login again"
                    )
                })?;
                (secrets, SecretStore::Keyring(entry.clone()))
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
            secrets_in,
        }))
    }

    /// Stores a new login, in the keyring or the file as `choice` says (with `Auto`, the keyring
    /// when one answers, else the file and why). Its keyring entry is written first, then the
    /// file, then the earlier login's entry is forgotten: a failure at any step leaves the
    /// earlier login whole.
    pub fn store_new(
        &mut self,
        path: &Path,
        choice: StoreChoice,
    ) -> anyhow::Result<Option<FellBack>> {
        let earlier_entry = CredentialsFile::read(path)
            .ok()
            .flatten()
            .and_then(|earlier| earlier.keyring_entry);
        let mut fell_back = None;
        self.secrets_in = match choice {
            StoreChoice::File => SecretStore::File,
            StoreChoice::Keyring | StoreChoice::Auto => {
                let entry = new_entry_name(path);
                match os_keyring::store(&entry, self.secrets_text()) {
                    Ok(()) => SecretStore::Keyring(entry),
                    Err(error) if choice == StoreChoice::Auto => {
                        fell_back = Some(FellBack(error.to_string()));
                        SecretStore::File
                    }
                    Err(error) => {
                        return Err(anyhow::Error::new(error)
                            .context("--store keyring: cannot store the token in the OS keyring"));
                    }
                }
            }
        };
        if let Err(error) = self.to_file().write(path) {
            if let SecretStore::Keyring(entry) = &self.secrets_in {
                let _ = os_keyring::remove(entry);
            }
            return Err(error);
        }
        if let Some(earlier) = earlier_entry {
            // The earlier login's tokens still work until revoked; its entry only misleads.
            let _ = os_keyring::remove(&earlier);
        }
        Ok(fell_back)
    }

    /// Saves renewed tokens where the login keeps them, before they are used (the old refresh
    /// token no longer works). When the keyring cannot take them, they go to the file (owner
    /// only) rather than be lost, with a warning.
    pub fn save(&mut self, path: &Path) -> anyhow::Result<()> {
        if let SecretStore::Keyring(entry) = &self.secrets_in {
            match os_keyring::store(entry, self.secrets_text()) {
                Ok(()) => return Ok(()),
                Err(error) => {
                    eprintln!(
                        "zchat: the OS keyring cannot take the renewed token ({error}); it is kept \
                         in {} instead, readable by you only",
                        path.display()
                    );
                    self.secrets_in = SecretStore::File;
                }
            }
        }
        self.to_file().write(path)
    }

    /// Forgets the login: its file, then its keyring entry (both are tried; each failure is
    /// reported).
    pub fn forget(&self, path: &Path) -> anyhow::Result<()> {
        let entry = match &self.secrets_in {
            SecretStore::Keyring(entry) => Some(entry.as_str()),
            SecretStore::File => None,
        };
        forget_login(path, entry)
    }

    /// Forgets the login in `path` without reading its secrets (when the keyring cannot give
    /// them): its file, and the keyring entry it names.
    pub fn forget_unread(path: &Path) -> anyhow::Result<()> {
        let entry = CredentialsFile::read(path)?.and_then(|file| file.keyring_entry);
        forget_login(path, entry.as_deref())
    }

    /// Where the secrets are, in words.
    pub fn describe_store(&self, path: &Path) -> String {
        match self.secrets_in {
            SecretStore::Keyring(_) => format!("the OS keyring (details in {})", path.display()),
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

    /// The file's contents: the secrets too when they are kept there.
    fn to_file(&self) -> CredentialsFile {
        let mut file = CredentialsFile {
            subdomain: self.subdomain.clone(),
            base_url: self.base_url.clone(),
            scope: self.scope.clone(),
            grant: self.grant.clone(),
            client_id: self.client_id.clone(),
            auth_url: self.auth_url.clone(),
            token_url: self.token_url.clone(),
            ..CredentialsFile::default()
        };
        match &self.secrets_in {
            SecretStore::Keyring(entry) => file.keyring_entry = Some(entry.clone()),
            SecretStore::File => {
                file.access_token = Some(self.access_token.clone());
                file.refresh_token = self.refresh_token.clone();
                file.client_secret = self.client_secret.clone();
            }
        }
        file
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

/// Removes the file at `path`, then the keyring `entry`: both are tried, and each failure named.
fn forget_login(path: &Path, entry: Option<&str>) -> anyhow::Result<()> {
    let file = match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Some(format!("cannot remove {}: {error}", path.display()))
        }
        _ => None,
    };
    let keyring = entry.and_then(|entry| {
        os_keyring::remove(entry)
            .err()
            .map(|error| format!("cannot remove the token from the OS keyring: {error}"))
    });
    match (file, keyring) {
        (None, None) => Ok(()),
        (Some(one), None) | (None, Some(one)) => Err(anyhow::anyhow!(one)),
        (Some(file), Some(keyring)) => Err(anyhow::anyhow!("{file}; and {keyring}")),
    }
}

/// A keyring entry's name for a new login kept beside `path`: the file's path and the time, so
/// that each login has its own.
fn new_entry_name(path: &Path) -> String {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("{} {now}", path.display())
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
    fn a_file_that_names_no_keyring_entry_and_holds_no_token_is_refused_without_its_text() {
        let (_dir, path) = write(
            r#"
grant = "client_credentials"
client_id = "zchat"
client_secret = "a-secret-kept-here"
auth_url = ""
token_url = "https://acme.zendesk.com/oauth2/chat/token"
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
            access_token: "access-7f3a".into(),
            refresh_token: Some("refresh-91bc".into()),
            scope: Some("read".into()),
            grant: "authorization_code".into(),
            client_id: "zchat".into(),
            client_secret: Some("client-secret-44de".into()),
            auth_url: "https://a".into(),
            token_url: "https://t".into(),
            secrets_in: SecretStore::File,
        };
        assert!(
            credentials
                .store_new(&path, StoreChoice::File)
                .unwrap()
                .is_none()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("keyring") && !text.contains("secrets"),
            "{text}"
        );
        let read = Credentials::read(&path).unwrap().unwrap();
        assert_eq!(read.secrets_in, SecretStore::File);
        assert_eq!(
            (
                read.access_token.as_str(),
                read.refresh_token.as_deref(),
                read.client_secret.as_deref()
            ),
            (
                "access-7f3a",
                Some("refresh-91bc"),
                Some("client-secret-44de")
            )
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let debug = format!("{read:?}");
        for secret in ["access-7f3a", "refresh-91bc", "client-secret-44de"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn forgetting_a_login_removes_its_file_and_a_missing_file_is_no_error() {
        let (_dir, path) = write(
            r#"
grant = "client_credentials"
client_id = "zchat"
auth_url = ""
token_url = "https://t"
access_token = "a"
"#,
        );
        Credentials::forget_unread(&path).unwrap();
        assert!(!path.exists());
        Credentials::forget_unread(&path).unwrap();
    }
}
