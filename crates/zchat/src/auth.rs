//! `zchat auth login|status|logout`: from a Chat API client to a stored, working token in one
//! command, and back.
//!
//! `login` takes the authorization code way by default: a listener on
//! `http://127.0.0.1:PORT/callback` (the redirect URL to register on the client), the browser
//! opened on the authorization page (or the URL printed), the redirect's `state` checked, the
//! code exchanged at once, the token checked with a cheap call, and the login stored (see
//! [`crate::credentials`]: the secrets in the OS keyring where one answers, else in
//! `credentials.toml` beside the config file, readable by the owner only). `--client-credentials`
//! is for headless use (a confidential client), `--manual` for pasting the redirected URL. The
//! stored refresh token is used when the access token is refused, and the new tokens are saved
//! before the old refresh token is dropped. No token or secret is ever printed.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use secrecy::ExposeSecret;
use zendesk_chat::Client;
use zendesk_chat::oauth::{ChatOAuth, Endpoints, OAuthError};

use crate::config::Connection;
use crate::credentials::{Credentials, FellBack, SecretStore, StoreChoice, credentials_path};
use crate::export::Progress;

/// `zchat auth`.
#[derive(Debug, clap::Subcommand)]
pub enum AuthCommand {
    /// Log in: authorize in the browser (or with --client-credentials), check the token, store it.
    Login(LoginArgs),
    /// Which account and agent the stored token is for, its scopes and where it is kept (never
    /// the token itself).
    Status,
    /// Revoke the stored token and forget it.
    Logout,
}

/// The options of `zchat auth login`. Its `Debug` output hides the client secret.
#[derive(clap::Args)]
pub struct LoginArgs {
    /// The Chat API client's id (asked for when not given). Create the client in the Chat
    /// dashboard: Settings > Account > API & SDKs > Add API client.
    #[arg(long, env = "ZCHAT_CLIENT_ID")]
    pub client_id: Option<String>,
    /// The client's secret (asked for when not given; a flag shows in the process list, so prefer
    /// the environment variable).
    #[arg(long, env = "ZCHAT_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Headless: the client's own token, without a browser (the client must be confidential).
    #[arg(long)]
    pub client_credentials: bool,
    /// Paste the URL the browser was redirected to, instead of receiving it on 127.0.0.1.
    #[arg(long, conflicts_with = "client_credentials")]
    pub manual: bool,
    /// The port of the redirect URL, `http://127.0.0.1:PORT/callback`; register that URL on the
    /// client exactly.
    #[arg(long, default_value_t = 8911)]
    pub port: u16,
    /// The scopes to ask for (`read write chat` for the Conversations API).
    #[arg(long, default_value = "read write")]
    pub scope: String,
    /// Print the authorization URL without opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the browser to come back, in seconds.
    #[arg(long, default_value_t = 300)]
    pub wait: u64,
    /// The legacy zopim endpoints (www.zopim.com/oauth2/…), for clients they accept and the
    /// current ones refuse.
    #[arg(long)]
    pub legacy_zopim: bool,
    /// Another authorization page (with --token-url).
    #[arg(long, requires = "token_url")]
    pub auth_url: Option<String>,
    /// Another token endpoint.
    #[arg(long)]
    pub token_url: Option<String>,
    /// Where to keep the token: the OS keyring when one answers (auto), the keyring or fail, or
    /// credentials.toml (readable by you only).
    #[arg(
        long,
        value_enum,
        env = "ZCHAT_CREDENTIAL_STORE",
        default_value = "auto"
    )]
    pub store: StoreChoice,
}

impl std::fmt::Debug for LoginArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginArgs")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("client_credentials", &self.client_credentials)
            .field("manual", &self.manual)
            .field("port", &self.port)
            .field("scope", &self.scope)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// Runs `zchat auth`.
pub async fn run(
    connection: &Connection,
    command: AuthCommand,
    progress: &Progress,
) -> anyhow::Result<()> {
    let path = credentials_path(connection)?;
    match command {
        AuthCommand::Login(args) => login(connection, &args, &path, progress).await,
        AuthCommand::Status => status(&path).await,
        AuthCommand::Logout => logout(&path).await,
    }
}

/// Asks for `what` on the terminal (without echo for a secret), or reads a line of input.
fn ask(what: &str, secret: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let answer = if secret && stdin.is_terminal() {
        rpassword::prompt_password(format!("{what}: "))?
    } else {
        eprint!("{what}: ");
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        line
    };
    let answer = answer.trim().to_owned();
    if answer.is_empty() {
        bail!("no {what} given");
    }
    Ok(answer)
}

async fn login(
    connection: &Connection,
    args: &LoginArgs,
    path: &Path,
    progress: &Progress,
) -> anyhow::Result<()> {
    let base_url = connection.base_url.clone();
    let subdomain = match (&connection.subdomain, &base_url) {
        (Some(subdomain), _) => Some(subdomain.clone()),
        (None, Some(_)) => None,
        (None, None) => Some(ask("Zendesk subdomain (acme for acme.zendesk.com)", false)?),
    };
    let redirect_uri = format!("http://127.0.0.1:{}/callback", args.port);
    if args.client_id.is_none() {
        eprintln!(
            "Create a Chat API client in the Chat dashboard (Settings > Account > API & SDKs > Add \
             API client; not in Support's Admin Center) with the redirect URL {redirect_uri}, exactly."
        );
    }
    let client_id = match &args.client_id {
        Some(id) => id.clone(),
        None => ask("Client ID", false)?,
    };
    let client_secret = match &args.client_secret {
        Some(secret) => secret.clone(),
        None => ask("Client secret", true)?,
    };
    let endpoints = match (&args.auth_url, &args.token_url, &base_url, &subdomain) {
        (Some(authorize), Some(token), _, _) => Endpoints {
            authorize: authorize.clone(),
            token: token.clone(),
            legacy_subdomain: None,
        },
        (None, Some(_), _, _) if !args.client_credentials => {
            bail!(
                "--token-url needs --auth-url for a login in the browser (or --client-credentials)"
            )
        }
        (_, Some(token), _, _) => Endpoints {
            authorize: String::new(),
            token: token.clone(),
            legacy_subdomain: None,
        },
        (_, _, Some(base_url), _) => Endpoints::at(base_url),
        (_, _, None, Some(subdomain)) if args.legacy_zopim => Endpoints::legacy_zopim(subdomain),
        (_, _, None, Some(subdomain)) => Endpoints::current(subdomain),
        (_, _, None, None) => unreachable!("a subdomain was asked for"),
    };
    let oauth = ChatOAuth::new(endpoints.clone(), &client_id, Some(&client_secret))
        .redirect_uri(&redirect_uri);
    let scopes: Vec<&str> = args.scope.split_whitespace().collect();
    let (tokens, grant) = if args.client_credentials {
        (
            oauth.client_credentials(&scopes).await?,
            "client_credentials",
        )
    } else {
        let (url, state) = oauth.authorization_url(&scopes);
        let redirected = if args.manual {
            eprintln!(
                "Open this URL in a browser, allow access, then paste the URL it sends you to:\n{url}"
            );
            reqwest::Url::parse(&ask("Redirected URL", false)?)
                .context("that is not a URL: paste the whole address from the browser")?
        } else {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
                .await
                .with_context(|| format!("cannot listen on 127.0.0.1:{} (--port)", args.port))?;
            eprintln!("Open this URL in a browser to allow access:\n{url}");
            if !args.no_browser {
                open_browser(url.as_str());
            }
            let wait = std::time::Duration::from_secs(args.wait);
            match tokio::time::timeout(wait, receive_redirect(listener)).await {
                Ok(redirected) => redirected?,
                Err(_) => bail!(
                    "the browser did not come back to {redirect_uri} within {} s. If the page showed \
                     an error about the redirect URL, register {redirect_uri} on the client exactly \
                     (http, 127.0.0.1, the port, /callback) or pass the registered port with --port; \
                     if this machine has no browser, use --manual",
                    args.wait
                ),
            }
        };
        let param = |name: &str| {
            redirected
                .query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        // The state first: a redirect that is not this login's says nothing, error or code.
        state.check(&param("state").unwrap_or_default())?;
        if let Some(error) = param("error") {
            return Err(
                OAuthError::from_redirect(&error, param("error_description").as_deref()).into(),
            );
        }
        let code = param("code").context("the redirect carries no code")?;
        (oauth.exchange_code(&code).await?, "authorization_code")
    };
    let mut credentials = Credentials {
        subdomain,
        base_url,
        access_token: tokens.access_token.expose_secret().to_owned(),
        refresh_token: tokens
            .refresh_token
            .as_ref()
            .map(|token| token.expose_secret().to_owned()),
        scope: tokens.scope.clone().or(Some(args.scope.clone())),
        grant: grant.into(),
        client_id,
        client_secret: Some(client_secret),
        auth_url: endpoints.authorize,
        token_url: endpoints.token,
        secrets_in: SecretStore::File,
    };
    // Stored first, so that a refresh during the check saves its tokens over these; a token that
    // fails the check is not kept.
    let fell_back = credentials.store_new(path, args.store)?;
    let client = account(credentials.client_builder(path), &credentials)?.build()?;
    let agent = match whoami(&client, &credentials).await {
        Ok(agent) => agent,
        Err(error) => {
            let _ = credentials.forget(path);
            return Err(error);
        }
    };
    if let Some(FellBack(why)) = fell_back {
        eprintln!("{why}: the token is kept in the file instead");
    }
    progress.finish(&format!(
        "logged in as {agent} ({}); the token is kept in {}",
        credentials.scope.as_deref().unwrap_or("no scope given"),
        credentials.describe_store(path)
    ));
    Ok(())
}

/// The builder pointed at the credentials' account.
fn account(
    builder: zendesk_chat::ClientBuilder,
    credentials: &Credentials,
) -> anyhow::Result<zendesk_chat::ClientBuilder> {
    Ok(match (&credentials.base_url, &credentials.subdomain) {
        (Some(base_url), _) => builder.base_url(base_url.clone()),
        (None, Some(subdomain)) => builder.subdomain(subdomain.clone()),
        (None, None) => bail!("the stored credentials name no account: zchat auth login again"),
    })
}

/// The agent the token belongs to, as `Name <email>`: the cheap call that proves the token works.
async fn whoami(client: &Client, credentials: &Credentials) -> anyhow::Result<String> {
    match client.get_current_agent().await {
        Ok(agent) => Ok(format!(
            "{} <{}>",
            agent.display_name.as_deref().unwrap_or("an agent"),
            agent.email.as_deref().unwrap_or("?")
        )),
        Err(error) if error.status_code() == Some(401) && credentials.refresh_token.is_some() => {
            bail!(
                "the Chat API refused the token, and renewing it with the refresh token failed \
                 (it may have been revoked, or used by another process): zchat auth login again"
            )
        }
        Err(error) if error.status_code() == Some(401) => bail!(
            "the Chat API refused the token: tokens from Support's Admin Center are not Chat \
             tokens; create the client in the Chat dashboard and log in again"
        ),
        Err(error) => Err(error).context("the token could not be checked"),
    }
}

/// Waits for the browser's redirect to `/callback` on `listener`, answers it, and gives its URL.
async fn receive_redirect(listener: tokio::net::TcpListener) -> anyhow::Result<reqwest::Url> {
    use axum::extract::{OriginalUri, State};
    let (sender, received) = tokio::sync::oneshot::channel::<String>();
    let sender = Arc::new(Mutex::new(Some(sender)));
    let app = axum::Router::new()
        .route(
            "/callback",
            axum::routing::get(
                |State(sender): State<Arc<Mutex<Option<tokio::sync::oneshot::Sender<String>>>>>,
                 OriginalUri(uri): OriginalUri| async move {
                    if let Some(sender) = sender.lock().ok().and_then(|mut s| s.take()) {
                        let _ = sender.send(uri.to_string());
                    }
                    "zchat has the answer: you can close this window."
                },
            ),
        )
        .with_state(sender);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let path = received
        .await
        .context("the listener stopped before the browser came back")?;
    let _ = stop.send(());
    let _ = server.await;
    reqwest::Url::parse(&format!("http://127.0.0.1{path}")).context("the redirect is not a URL")
}

/// Opens `url` in the user's browser, if a way to is found; the URL is printed anyway.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

async fn status(path: &Path) -> anyhow::Result<()> {
    let Some(credentials) = Credentials::read(path)? else {
        bail!(
            "not logged in: no credentials in {} (zchat auth login)",
            path.display()
        );
    };
    let client = account(credentials.client_builder(path), &credentials)?.build()?;
    let agent = whoami(&client, &credentials).await?;
    let account = credentials
        .base_url
        .clone()
        .or(credentials
            .subdomain
            .as_ref()
            .map(|s| format!("{s}.zendesk.com")))
        .unwrap_or_default();
    println!("account: {account}");
    println!("agent: {agent}");
    println!("scopes: {}", credentials.scope.as_deref().unwrap_or("?"));
    println!("grant: {}", credentials.grant);
    println!(
        "refreshes itself: {}",
        if credentials.refresh_token.is_some() {
            "yes"
        } else {
            "no"
        }
    );
    println!("stored in: {}", credentials.describe_store(path));
    Ok(())
}

async fn logout(path: &Path) -> anyhow::Result<()> {
    let credentials = match Credentials::read(path) {
        Ok(Some(credentials)) => credentials,
        Ok(None) => bail!("not logged in: no credentials in {}", path.display()),
        // The keyring cannot give the token (locked, gone): forget the login all the same.
        Err(why) => {
            Credentials::forget_unread(path)?;
            eprintln!(
                "logged out: {} removed, but the token could not be read to revoke it ({why:#}); \
                 revoke it in the Chat dashboard",
                path.display()
            );
            return Ok(());
        }
    };
    // The refreshing client: an expired token is renewed first, so that it can be revoked.
    let client = account(credentials.client_builder(path), &credentials)?.build()?;
    let revoked = async {
        let tokens = client.list_oauth_tokens().await?;
        // The token now stored: listing may have renewed the one read above.
        let current = Credentials::read(path)
            .ok()
            .flatten()
            .map_or(credentials.access_token.clone(), |stored| {
                stored.access_token
            });
        let ours = tokens.iter().find(|token| {
            token.access_token.as_ref().map(|t| t.expose()) == Some(current.as_str())
        });
        match ours.and_then(|token| token.id) {
            Some(id) => {
                client.revoke_oauth_token().oauth_token_id(id).await?;
                Ok::<bool, zendesk_chat::Error>(true)
            }
            None => Ok(false),
        }
    }
    .await;
    let place = credentials.describe_store(path);
    let forgotten = credentials.forget(path);
    let removed = match &forgotten {
        Ok(()) => format!("removed from {place}"),
        Err(why) => format!("not wholly removed from {place} ({why:#})"),
    };
    match revoked {
        Ok(true) => eprintln!("logged out: the token is revoked and {removed}"),
        Ok(false) => eprintln!(
            "logged out: {removed} (the token was not among the account's, so nothing was revoked)"
        ),
        Err(error) => eprintln!(
            "logged out: {removed}, but the token could not be revoked ({error}); revoke it in \
             the Chat dashboard"
        ),
    }
    forgotten
}
