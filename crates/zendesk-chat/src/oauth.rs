//! OAuth for the Chat API: the authorization URL, the code exchange, client credentials and
//! refresh, with the [`oauth2`] crate, against the current endpoints
//! (`https://{subdomain}.zendesk.com/oauth2/chat/…`) by default, the legacy zopim ones on request,
//! or any server (the emulator's).
//!
//! Every token request is a form-encoded `POST` (Zendesk refuses parameters in a query string),
//! with the client's id and secret in the body. A token answer keeps the fields this version does
//! not know ([`TokenSet::extra`]); an error says what to do about it ([`OAuthError::remedy`]).
//! Secrets (the client secret, access and refresh tokens) never appear in `Debug` output, logs or
//! errors.
//!
//! ```no_run
//! use zendesk_chat::oauth::{ChatOAuth, Endpoints};
//!
//! # async fn run() -> Result<(), zendesk_chat::oauth::OAuthError> {
//! let oauth = ChatOAuth::new(Endpoints::current("acme"), "my-client-id", Some("my-secret"))
//!     .redirect_uri("http://127.0.0.1:8911/callback");
//! let (url, state) = oauth.authorization_url(&["read", "write"]);
//! println!("open {url}");
//! // … the browser comes back to the redirect URI with `code` and `state` …
//! # let (code, returned_state) = (String::new(), String::new());
//! state.check(&returned_state)?;
//! let tokens = oauth.exchange_code(&code).await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The largest answer of an OAuth endpoint read (a token answer is a few hundred bytes).
const OAUTH_ANSWER_LIMIT_BYTES: u64 = 1 << 20;

/// Where a Chat account's OAuth endpoints are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The authorization page (`GET`, in the browser).
    pub authorize: String,
    /// The token endpoint (`POST`, form body).
    pub token: String,
    /// The account's subdomain, sent as `subdomain=` to the legacy authorization page.
    pub legacy_subdomain: Option<String>,
}

impl Endpoints {
    /// The current endpoints: `https://{subdomain}.zendesk.com/oauth2/chat/authorizations/new` and
    /// `…/oauth2/chat/token`.
    pub fn current(subdomain: &str) -> Self {
        Self::at(&format!("https://{subdomain}.zendesk.com"))
    }

    /// The legacy zopim endpoints (`https://www.zopim.com/oauth2/…`), which integrated accounts
    /// reach with `subdomain=` on the authorization page. Their tokens are accepted on the current
    /// API host; use them where the current endpoints refuse a client.
    pub fn legacy_zopim(subdomain: &str) -> Self {
        Self {
            authorize: "https://www.zopim.com/oauth2/authorizations/new".into(),
            token: "https://www.zopim.com/oauth2/token".into(),
            legacy_subdomain: Some(subdomain.into()),
        }
    }

    /// The current paths on any server, such as the emulator's base URL.
    pub fn at(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/');
        Self {
            authorize: format!("{base}/oauth2/chat/authorizations/new"),
            token: format!("{base}/oauth2/chat/token"),
            legacy_subdomain: None,
        }
    }
}

/// The fields of a token answer beyond the standard ones, kept as they came.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtraFields {
    /// The fields, by name.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl ExtraTokenFields for ExtraFields {}

type TokenAnswer = StandardTokenResponse<ExtraFields, BasicTokenType>;

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Tokens from the token endpoint. Its `Debug` output shows no token.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token, sent as `Authorization: Bearer …`.
    pub access_token: SecretString,
    /// The token type (`Bearer`).
    pub token_type: String,
    /// The scopes granted, space-separated, when the server said.
    pub scope: Option<String>,
    /// The refresh token (the code grant gives one). Single-use: persist the new one before the
    /// old is forgotten.
    pub refresh_token: Option<SecretString>,
    /// How long the access token lasts, when the server said.
    pub expires_in: Option<Duration>,
    /// Fields of the answer this version does not know.
    pub extra: Map<String, Value>,
}

impl TokenSet {
    /// A token set of an access token alone (a token made by hand, or read from storage).
    pub fn from_access_token(access_token: impl Into<String>) -> Self {
        Self {
            access_token: SecretString::from(access_token.into()),
            token_type: "Bearer".into(),
            scope: None,
            refresh_token: None,
            expires_in: None,
            extra: Map::new(),
        }
    }

    fn from_answer(answer: TokenAnswer) -> Self {
        Self {
            access_token: SecretString::from(answer.access_token().secret().clone()),
            token_type: answer.token_type().as_ref().to_owned(),
            scope: answer.scopes().map(|scopes| {
                scopes
                    .iter()
                    .map(|scope| scope.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            refresh_token: answer
                .refresh_token()
                .map(|token| SecretString::from(token.secret().clone())),
            expires_in: answer.expires_in(),
            extra: answer.extra_fields().fields.clone(),
        }
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[REDACTED]")
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("expires_in", &self.expires_in)
            .field("extra", &self.extra)
            .finish()
    }
}

/// The `state` of an authorization: check it against the one the redirect brings back.
#[derive(Clone)]
pub struct AuthorizationState(CsrfToken);

impl AuthorizationState {
    /// `Ok` when the redirect's `state` is this one; otherwise the redirect did not come from
    /// this login (or was tampered with), and its code must not be used.
    pub fn check(&self, returned: &str) -> Result<(), OAuthError> {
        if self.0.secret().as_bytes() == returned.as_bytes() {
            Ok(())
        } else {
            Err(OAuthError::StateMismatch)
        }
    }

    /// The state's text, as sent in the authorization URL.
    pub fn as_str(&self) -> &str {
        self.0.secret()
    }
}

impl fmt::Debug for AuthorizationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationState(…)")
    }
}

/// Why an OAuth request failed, and what to do about it ([`remedy`](Self::remedy)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// `invalid_grant`: the code (or refresh token) was refused.
    #[error("invalid_grant: {description}. {}", self.remedy())]
    InvalidGrant {
        /// What the server said.
        description: String,
    },
    /// `invalid_client`: the client's id or secret was refused, or the grant needs a
    /// confidential client.
    #[error("invalid_client: {description}. {}", self.remedy())]
    InvalidClient {
        /// What the server said.
        description: String,
        /// Whether the request was for client credentials.
        client_credentials: bool,
    },
    /// `access_denied`: the authorization was refused in the browser.
    #[error("access_denied: {description}. {}", self.remedy())]
    AccessDenied {
        /// What the server said.
        description: String,
    },
    /// The redirect's `state` is not the one this login sent.
    #[error("the redirect's state does not match this login's. {}", self.remedy())]
    StateMismatch,
    /// Another error answer of the token endpoint (`Method Not Allowed` included).
    #[error("the token endpoint answered {code}: {description}. {}", self.remedy())]
    Server {
        /// The `error` code.
        code: String,
        /// What the server said.
        description: String,
    },
    /// The request did not get an answer, or the answer is not a token.
    #[error("the token request failed: {0}")]
    Transport(String),
    /// A setting is not usable (a URL that does not parse, a missing client secret).
    #[error("{0}")]
    Config(String),
}

impl OAuthError {
    /// What to do about it, in a sentence.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::InvalidGrant { .. } => {
                "Exchange the code at once (codes expire within a minute and work once), with the \
                 redirect URL exactly as registered on the client (http vs https, port, trailing \
                 slash); a refresh token works once, so use the newest one saved; log in again"
            }
            Self::InvalidClient {
                client_credentials: true,
                ..
            } => {
                "Client credentials need a confidential client: set it with `zchat oauth clients \
                 update ID --json '{\"client_type\": \"confidential\"}'` (saving the client in the \
                 Chat dashboard makes it public again), and check the client secret"
            }
            Self::InvalidClient { .. } => {
                "Check the client id and secret; the client must be a Chat API client, made in the \
                 Chat dashboard (Settings > Account > API & SDKs), not in Support's Admin Center"
            }
            Self::AccessDenied { .. } => {
                "The authorization was refused: click Allow, signed in to the account whose \
                 subdomain you gave, as an administrator"
            }
            Self::StateMismatch => {
                "Start the login again, and finish it in the browser window it opens"
            }
            Self::Server { code, .. } if code == "Method Not Allowed" => {
                "The token endpoint takes a POST with a form body: check the token URL"
            }
            Self::Server { .. } => {
                "Check the endpoints (current or legacy) and the client's settings"
            }
            Self::Transport(_) => "Check the network and the endpoints' URLs",
            Self::Config(_) => "Fix the setting named",
        }
    }

    /// The error for a redirect that carried `error` (and `error_description`) instead of a code.
    pub fn from_redirect(error: &str, description: Option<&str>) -> Self {
        let description = description.unwrap_or(error).to_owned();
        match error {
            "access_denied" => Self::AccessDenied { description },
            "invalid_client" => Self::InvalidClient {
                description,
                client_credentials: false,
            },
            "invalid_grant" => Self::InvalidGrant { description },
            _ => Self::Server {
                code: error.to_owned(),
                description,
            },
        }
    }
}

/// A Chat API OAuth client: its id and secret, its endpoints and redirect URL.
#[derive(Clone)]
pub struct ChatOAuth {
    client: OAuthClient,
    endpoints: Endpoints,
    has_secret: bool,
    http: reqwest::Client,
}

impl fmt::Debug for ChatOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatOAuth")
            .field("client_id", self.client.client_id())
            .field("endpoints", &self.endpoints)
            .field("client_secret", &self.has_secret.then_some("[REDACTED]"))
            .finish()
    }
}

impl ChatOAuth {
    /// A client of `endpoints` with its id and, for a confidential client, its secret.
    ///
    /// # Panics
    /// Never for endpoints made by [`Endpoints`]' constructors; an endpoint that is not a URL is
    /// taken as given and fails its requests.
    pub fn new(endpoints: Endpoints, client_id: &str, client_secret: Option<&str>) -> Self {
        let auth_url = AuthUrl::new(endpoints.authorize.clone())
            .unwrap_or_else(|_| AuthUrl::new("http://invalid.invalid/".into()).expect("a URL"));
        let token_url = TokenUrl::new(endpoints.token.clone())
            .unwrap_or_else(|_| TokenUrl::new("http://invalid.invalid/".into()).expect("a URL"));
        let mut client: OAuthClient = oauth2::Client::new(ClientId::new(client_id.to_owned()))
            .set_auth_uri(auth_url)
            .set_token_uri(token_url)
            // Zendesk reads the client's id and secret from the form body.
            .set_auth_type(AuthType::RequestBody);
        if let Some(secret) = client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.to_owned()));
        }
        let http = reqwest::Client::builder()
            // A token answer is never followed elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Self {
            client,
            endpoints,
            has_secret: client_secret.is_some(),
            http,
        }
    }

    /// The redirect URL registered on the client (it must match exactly).
    pub fn redirect_uri(mut self, uri: &str) -> Self {
        if let Ok(url) = RedirectUrl::new(uri.to_owned()) {
            self.client = self.client.set_redirect_uri(url);
        }
        self
    }

    /// The endpoints it uses.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The URL to open in the browser for `scopes` (such as `["read", "write"]`), and the random
    /// `state` that the redirect must bring back.
    pub fn authorization_url(&self, scopes: &[&str]) -> (reqwest::Url, AuthorizationState) {
        let mut request = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|scope| Scope::new((*scope).to_owned())));
        if let Some(subdomain) = &self.endpoints.legacy_subdomain {
            request = request.add_extra_param("subdomain", subdomain.clone());
        }
        let (url, state) = request.url();
        let url = reqwest::Url::parse(url.as_str()).expect("oauth2 makes URLs");
        (url, AuthorizationState(state))
    }

    /// Exchanges the code of the redirect for tokens (do it at once: codes expire quickly).
    pub async fn exchange_code(&self, code: &str) -> Result<TokenSet, OAuthError> {
        let request = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()));
        let answer = request.request_async(&self.sender()).await;
        tokens(answer, false)
    }

    /// Tokens for the client itself (a confidential client only).
    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<TokenSet, OAuthError> {
        if !self.has_secret {
            return Err(OAuthError::Config(
                "client credentials need the client's secret".into(),
            ));
        }
        let request = self
            .client
            .exchange_client_credentials()
            .add_scopes(scopes.iter().map(|scope| Scope::new((*scope).to_owned())));
        let answer = request.request_async(&self.sender()).await;
        tokens(answer, true)
    }

    /// New tokens for a refresh token. Refresh tokens are single-use: persist the answer's
    /// refresh token before forgetting this one.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, OAuthError> {
        let refresh_token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let request = self.client.exchange_refresh_token(&refresh_token);
        let answer = request.request_async(&self.sender()).await;
        tokens(answer, false)
    }

    /// The HTTP client oauth2 sends with: this crate's reqwest.
    fn sender(
        &self,
    ) -> impl Fn(
        oauth2::HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send>,
    > + use<> {
        let http = self.http.clone();
        move |request: oauth2::HttpRequest| {
            let http = http.clone();
            Box::pin(async move {
                let request = reqwest::Request::try_from(request)?;
                let response = http.execute(request).await?;
                let mut answer = http::Response::builder()
                    .status(response.status())
                    .version(response.version());
                if let Some(headers) = answer.headers_mut() {
                    *headers = response.headers().clone();
                }
                let status = response.status();
                let mut body = crate::transport::read_body(response, OAUTH_ANSWER_LIMIT_BYTES)
                    .await?
                    .to_vec();
                // A 405 that is not an OAuth error answer (the URL is not a token endpoint): given
                // one, so that it is reported as "Method Not Allowed" with its remedy rather than
                // as an answer that does not parse.
                if status == reqwest::StatusCode::METHOD_NOT_ALLOWED
                    && serde_json::from_slice::<BasicErrorResponse>(&body).is_err()
                {
                    body = serde_json::to_vec(&serde_json::json!({
                        "error": "Method Not Allowed",
                        "error_description": "this URL does not take a POST",
                    }))
                    .expect("JSON");
                    if let Some(headers) = answer.headers_mut() {
                        headers.insert(
                            http::header::CONTENT_TYPE,
                            http::HeaderValue::from_static("application/json"),
                        );
                    }
                }
                Ok(answer
                    .body(body)
                    .expect("a status and headers make a response"))
            })
        }
    }
}

/// The tokens of an answer, or its error with the remedy.
fn tokens(
    answer: Result<TokenAnswer, RequestTokenError<reqwest::Error, BasicErrorResponse>>,
    client_credentials: bool,
) -> Result<TokenSet, OAuthError> {
    match answer {
        Ok(answer) => Ok(TokenSet::from_answer(answer)),
        Err(RequestTokenError::ServerResponse(error)) => {
            let description = error
                .error_description()
                .cloned()
                .unwrap_or_else(|| error.error().to_string());
            Err(match error.error() {
                BasicErrorResponseType::InvalidGrant => OAuthError::InvalidGrant { description },
                BasicErrorResponseType::InvalidClient => OAuthError::InvalidClient {
                    description,
                    client_credentials,
                },
                BasicErrorResponseType::Extension(code) if code == "access_denied" => {
                    OAuthError::AccessDenied { description }
                }
                other => OAuthError::Server {
                    code: other.to_string(),
                    description,
                },
            })
        }
        Err(RequestTokenError::Request(error)) => Err(OAuthError::Transport(
            crate::error::describe_transport(&error).to_owned(),
        )),
        // Only the path: the message of a value that does not fit could quote a token.
        Err(RequestTokenError::Parse(error, _body)) => Err(OAuthError::Transport(format!(
            "the answer is not a token (at `{}`)",
            error.path()
        ))),
        Err(RequestTokenError::Other(text)) => Err(OAuthError::Transport(text)),
    }
}
