//! Building a [`Client`]: where the account is, and the access token to reach it with.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use governor::DefaultDirectRateLimiter;
use reqwest::header::HeaderValue;

use secrecy::ExposeSecret;

use crate::token_source::TokenSource;
use crate::{Client, RateLimit, RetryPolicy};

/// The state that every request of a [`Client`] reads: the access token (sent as
/// `Authorization: Bearer …`), the retry policy and the rate limiter. Clones of a client share
/// one rate limiter. Its `Debug` output never shows the token.
#[derive(Clone)]
pub struct ClientConfig {
    credentials: Credentials,
    retry_policy: RetryPolicy,
    rate_limit: Option<RateLimit>,
    rate_limiter: Option<Arc<DefaultDirectRateLimiter>>,
    attempt_timeout: Option<Duration>,
    real_time_base_url: Option<String>,
    max_response_bytes: u64,
}

/// The largest response body a client reads unless told otherwise
/// ([`ClientBuilder::max_response_bytes`]): 1 GiB, far above an export page of 1,000 chats with long
/// transcripts (tens of megabytes).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1 << 30;

/// Where the access token comes from.
#[derive(Clone)]
enum Credentials {
    /// One token, for the client's life.
    Fixed(HeaderValue),
    /// A token that can change (see [`TokenSource`]).
    Source(Arc<dyn TokenSource>),
}

/// `Authorization: Bearer {token}`, marked sensitive; fails (without the token) on a token that
/// cannot be a header.
pub(crate) fn bearer(token: &str) -> Result<HeaderValue, BuildError> {
    let mut authorization =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| BuildError::InvalidToken)?;
    authorization.set_sensitive(true);
    Ok(authorization)
}

impl ClientConfig {
    /// A configuration that authenticates with the OAuth access `token`, with the default
    /// [`RetryPolicy`] and no rate limit.
    ///
    /// Fails if the token cannot be sent in a header (it contains a control character); the error
    /// does not repeat the token.
    pub fn new(token: &str) -> Result<Self, BuildError> {
        Ok(Self::with_credentials(Credentials::Fixed(bearer(token)?)))
    }

    /// A configuration that authenticates with the tokens of `source`, refreshed on a `401`.
    pub fn from_token_source(source: Arc<dyn TokenSource>) -> Self {
        Self::with_credentials(Credentials::Source(source))
    }

    fn with_credentials(credentials: Credentials) -> Self {
        Self {
            credentials,
            retry_policy: RetryPolicy::default(),
            rate_limit: None,
            rate_limiter: None,
            attempt_timeout: None,
            real_time_base_url: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// With this retry policy.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// With this client-side rate limit.
    pub fn with_rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self.rate_limiter = Some(limit.limiter());
        self
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry_policy
    }

    /// With a timeout for each attempt of a request, overriding the HTTP client's.
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The timeout of each attempt, when one overrides the HTTP client's.
    pub(crate) fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// With this base URL for the real-time metrics instead of the spec's `https://rtm.zopim.com`.
    pub fn with_real_time_base_url(mut self, url: String) -> Self {
        self.real_time_base_url = Some(url);
        self
    }

    /// With this limit on the size of a response body (see [`ResponseTooLarge`]).
    ///
    /// [`ResponseTooLarge`]: crate::ResponseTooLarge
    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The largest response body read.
    pub(crate) fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// The base URL of the real-time metrics, when it is not the spec's.
    pub(crate) fn real_time_base_url(&self) -> Option<&str> {
        self.real_time_base_url.as_deref()
    }

    /// The value of the `Authorization` header (marked sensitive, so `Debug` hides it).
    pub(crate) fn authorization(&self) -> Result<HeaderValue, BuildError> {
        match &self.credentials {
            Credentials::Fixed(header) => Ok(header.clone()),
            Credentials::Source(source) => bearer(source.access_token().expose_secret()),
        }
    }

    /// The token source, when the token can be refreshed.
    pub(crate) fn token_source(&self) -> Option<&Arc<dyn TokenSource>> {
        match &self.credentials {
            Credentials::Fixed(_) => None,
            Credentials::Source(source) => Some(source),
        }
    }

    /// The rate limiter shared by the client and its clones, if there is a limit.
    pub(crate) fn rate_limiter(&self) -> Option<&DefaultDirectRateLimiter> {
        self.rate_limiter.as_deref()
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("token", &"[REDACTED]")
            .field("retry_policy", &self.retry_policy)
            .field("rate_limit", &self.rate_limit)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("real_time_base_url", &self.real_time_base_url)
            .finish()
    }
}

/// Why a [`Client`] could not be built. No variant carries the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Neither `subdomain` nor `base_url` was given.
    #[error("no account: call `subdomain` or `base_url`, or set ZENDESK_SUBDOMAIN")]
    MissingAccount,
    /// No access token was given.
    #[error("no access token: call `token`, or set ZENDESK_CHAT_TOKEN")]
    MissingToken,
    /// The subdomain is not a DNS label (letters, digits and `-`).
    #[error("invalid subdomain {0:?}: use letters, digits and `-` only")]
    InvalidSubdomain(String),
    /// The base URL is not an `http` or `https` URL.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting was combined with [`ClientBuilder::http_client`], whose client it cannot
    /// change: set it on that client instead.
    #[error(
        "`{0}` cannot be applied to the reqwest::Client given with `http_client`: set it on that client"
    )]
    IgnoredWithHttpClient(&'static str),
    /// The token cannot be sent in an HTTP header.
    #[error("the access token contains characters that cannot be sent in an HTTP header")]
    InvalidToken,
    /// The HTTP client could not be built (for example, no TLS backend could be initialised).
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Builds a [`Client`]; start with [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// use zendesk_chat::ClientInfo;
///
/// let client = zendesk_chat::Client::builder()
///     .subdomain("acme")
///     .token("my-oauth-access-token")
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(client.baseurl(), "https://acme.zendesk.com");
/// # Ok::<(), zendesk_chat::BuildError>(())
/// ```
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    account: Option<Account>,
    token: Option<secrecy::SecretString>,
    token_source: Option<Arc<dyn TokenSource>>,
    user_agent: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
    compression: Option<bool>,
    max_response_bytes: Option<u64>,
    retry_policy: RetryPolicy,
    rate_limit: Option<RateLimit>,
    real_time_base_url: Option<String>,
}

enum Account {
    Subdomain(String),
    BaseUrl(String),
}

/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!("zendesk-chat-rs/", env!("CARGO_PKG_VERSION"));

/// The environment variable [`ClientBuilder::from_env`] reads the access token from.
pub const TOKEN_VARIABLE: &str = "ZENDESK_CHAT_TOKEN";
/// The environment variable [`ClientBuilder::from_env`] reads the subdomain from.
pub const SUBDOMAIN_VARIABLE: &str = "ZENDESK_SUBDOMAIN";

impl ClientBuilder {
    /// Takes the access token from `ZENDESK_CHAT_TOKEN` and the subdomain from
    /// `ZENDESK_SUBDOMAIN`, when they are set; what is set explicitly afterwards wins.
    ///
    /// ```no_run
    /// let client = zendesk_chat::Client::builder().from_env().build()?;
    /// # Ok::<(), zendesk_chat::BuildError>(())
    /// ```
    pub fn from_env(mut self) -> Self {
        if let Some(token) = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.is_empty()) {
            self = self.token(token);
        }
        if let Some(subdomain) = std::env::var(SUBDOMAIN_VARIABLE)
            .ok()
            .filter(|s| !s.is_empty())
        {
            self = self.subdomain(subdomain);
        }
        self
    }

    /// When to retry a failed request; [`RetryPolicy::default`] unless set.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// A client-side limit on the request rate, shared by the client's clones. None by default.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The account's Zendesk subdomain: `acme` for `https://acme.zendesk.com`.
    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.account = Some(Account::Subdomain(subdomain.into()));
        self
    }

    /// The base URL of the API host instead of a subdomain, such as a local emulator's
    /// `http://127.0.0.1:8080`. Paths (`/api/v2/chat/…`) are appended to it; the real-time metrics
    /// go there too unless [`real_time_base_url`](Self::real_time_base_url) says otherwise.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.account = Some(Account::BaseUrl(url.into()));
        self
    }

    /// The base URL of the real-time metrics (`/stream/…`), which Zendesk serves from a host of
    /// its own: `https://rtm.zopim.com` for a client of a [`subdomain`](Self::subdomain), the
    /// [`base_url`](Self::base_url) for a client given one (an emulator, a proxy).
    pub fn real_time_base_url(mut self, url: impl Into<String>) -> Self {
        self.real_time_base_url = Some(url.into());
        self
    }

    /// The OAuth access token. It is sent as `Authorization: Bearer …` and never printed.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into().into());
        self
    }

    /// Tokens that can change, instead of one [`token`](Self::token): on a `401` the client asks
    /// the source for a new token once and sends the request again (see
    /// [`RefreshingToken`](crate::token_source::RefreshingToken) for OAuth refresh tokens).
    pub fn token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.token_source = Some(source);
        self
    }

    /// The `User-Agent` header; [`USER_AGENT`] by default.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// How long to wait for a connection to open. 10 seconds by default.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long one request may take, body included. 60 seconds by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Whether to ask for gzip-compressed responses (`Accept-Encoding: gzip`) and decompress them;
    /// on by default with the `gzip` feature (a default feature). An export page is megabytes of
    /// JSON that gzip shrinks several times over, so on a slow link this is most of an export's
    /// time; a server that does not compress answers as it would anyway. Off, only over a link
    /// faster than the CPU decompresses (a local emulator, say), is anything gained.
    ///
    /// ```
    /// let client = zendesk_chat::Client::builder()
    ///     .base_url("http://127.0.0.1:8080")
    ///     .token("emulator-token")
    ///     .compression(false)
    ///     .build()?;
    /// # Ok::<(), zendesk_chat::BuildError>(())
    /// ```
    #[cfg(feature = "gzip")]
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = Some(on);
        self
    }

    /// The largest response body to read, decompressed; [`DEFAULT_MAX_RESPONSE_BYTES`] (1 GiB)
    /// unless set. A larger one fails the call with a transport error caused by
    /// [`ResponseTooLarge`](crate::ResponseTooLarge), at once and without a retry, rather than
    /// fill the memory (a server announcing a terabyte, or a small compressed answer that expands
    /// without end).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Use this HTTP client (its proxy, TLS, compression and pool settings) instead of building
    /// one. Its user agent, timeouts and compression are its own: combined with
    /// [`user_agent`](Self::user_agent), [`timeout`](Self::timeout),
    /// [`connect_timeout`](Self::connect_timeout) or `compression`, `build` fails with
    /// [`BuildError::IgnoredWithHttpClient`] rather than drop the setting silently.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let (base_url, given_base_url) = match self.account.ok_or(BuildError::MissingAccount)? {
            Account::Subdomain(subdomain) => (subdomain_url(&subdomain)?, false),
            Account::BaseUrl(url) => (checked_base_url(url)?, true),
        };
        let config = match (self.token_source, self.token) {
            (Some(source), _) => ClientConfig::from_token_source(source),
            (None, Some(token)) => ClientConfig::new(token.expose_secret())?,
            (None, None) => return Err(BuildError::MissingToken),
        };
        let mut config = config
            .with_retry_policy(self.retry_policy)
            .with_max_response_bytes(
                self.max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            );
        if let Some(limit) = self.rate_limit {
            config = config.with_rate_limit(limit);
        }
        match self.real_time_base_url {
            Some(url) => config = config.with_real_time_base_url(checked_base_url(url)?),
            // A client pointed at another host (an emulator, a proxy) sends everything there.
            None if given_base_url => config = config.with_real_time_base_url(base_url.clone()),
            None => {}
        }
        let http = match self.http_client {
            Some(client) => {
                for (set, name) in [
                    (self.user_agent.is_some(), "user_agent"),
                    (self.timeout.is_some(), "timeout"),
                    (self.connect_timeout.is_some(), "connect_timeout"),
                    (self.compression.is_some(), "compression"),
                ] {
                    if set {
                        return Err(BuildError::IgnoredWithHttpClient(name));
                    }
                }
                client
            }
            None => {
                let builder = reqwest::Client::builder()
                    .user_agent(self.user_agent.as_deref().unwrap_or(USER_AGENT))
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    .timeout(self.timeout.unwrap_or(Duration::from_secs(60)));
                // Decided here whatever another crate turns on in reqwest (its features unify).
                #[cfg(feature = "gzip")]
                let builder = builder.gzip(self.compression.unwrap_or(true));
                #[cfg(not(feature = "gzip"))]
                let builder = builder.no_gzip();
                builder.build()?
            }
        };
        Ok(Client::new_with_client(&base_url, http, config))
    }
}

fn subdomain_url(subdomain: &str) -> Result<String, BuildError> {
    let is_label = !subdomain.is_empty()
        && subdomain.len() <= 63
        && subdomain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !subdomain.starts_with('-')
        && !subdomain.ends_with('-');
    if !is_label {
        return Err(BuildError::InvalidSubdomain(subdomain.to_owned()));
    }
    Ok(format!(
        "https://{}.zendesk.com",
        subdomain.to_ascii_lowercase()
    ))
}

fn checked_base_url(url: String) -> Result<String, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidBaseUrl {
        url: url.clone(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(&url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    // Paths are appended to the base URL as text: drop a trailing slash so none is doubled.
    Ok(url.trim_end_matches('/').to_owned())
}

impl Client {
    /// Starts building a client. See [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the account in `ZENDESK_SUBDOMAIN`, with the token in `ZENDESK_CHAT_TOKEN`.
    pub fn from_env() -> Result<Client, BuildError> {
        Self::builder().from_env().build()
    }

    /// This client (the same connection pool, token and rate limiter) with another retry policy,
    /// for the calls made through it: a call that must not be retried, or one worth retrying
    /// harder.
    ///
    /// ```no_run
    /// # async fn run(client: zendesk_chat::Client) -> Result<(), zendesk_chat::Error> {
    /// use zendesk_chat::RetryPolicy;
    ///
    /// let once = client.with_retry_policy(RetryPolicy::none());
    /// once.delete_chat().chat_id("2012.9339545.SJs7biGpcbveH").await?;
    /// # Ok(()) }
    /// ```
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        use progenitor_client::ClientInfo;
        Client::new_with_client(
            self.baseurl(),
            self.client().clone(),
            self.inner().clone().with_retry_policy(policy),
        )
    }

    /// This client with a timeout for each attempt of the calls made through it, overriding the
    /// one it was built with.
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        use progenitor_client::ClientInfo;
        Client::new_with_client(
            self.baseurl(),
            self.client().clone(),
            self.inner().clone().with_attempt_timeout(timeout),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_the_given_http_client_would_drop_is_a_build_error() {
        let builder = || {
            Client::builder()
                .subdomain("acme")
                .token("t")
                .http_client(reqwest::Client::new())
        };
        assert!(builder().build().is_ok());
        let error = builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_err();
        assert!(
            matches!(error, BuildError::IgnoredWithHttpClient("timeout")),
            "{error}"
        );
        assert!(matches!(
            builder().user_agent("me/1").build(),
            Err(BuildError::IgnoredWithHttpClient("user_agent"))
        ));
        assert!(matches!(
            builder().compression(false).build(),
            Err(BuildError::IgnoredWithHttpClient("compression"))
        ));
    }

    #[test]
    fn a_subdomain_becomes_the_zendesk_host() {
        assert_eq!(
            subdomain_url("Acme-2").unwrap(),
            "https://acme-2.zendesk.com"
        );
    }

    #[test]
    fn a_subdomain_cannot_smuggle_another_host() {
        for bad in ["", "evil.com/x", "a.b", "-a", "a b", "evil.com#"] {
            assert!(
                matches!(subdomain_url(bad), Err(BuildError::InvalidSubdomain(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            checked_base_url("http://127.0.0.1:8080/".into()).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(checked_base_url("ftp://x".into()).is_err());
        assert!(checked_base_url("not a url".into()).is_err());
        assert!(checked_base_url("http://x/?q=1".into()).is_err());
    }

    #[test]
    fn building_without_an_account_or_a_token_says_which_is_missing() {
        assert!(matches!(
            Client::builder().token("t").build(),
            Err(BuildError::MissingAccount)
        ));
        assert!(matches!(
            Client::builder().subdomain("a").build(),
            Err(BuildError::MissingToken)
        ));
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_without_echoing_it() {
        let error = Client::builder()
            .subdomain("a")
            .token("secret\nvalue")
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::InvalidToken));
        assert!(!error.to_string().contains("secret"));
    }
}
