//! The OAuth endpoints of a Chat account, on the current paths (`/oauth2/chat/authorizations/new`,
//! `/oauth2/chat/token`) and the legacy zopim ones (`/oauth2/authorizations/new`, `/oauth2/token`),
//! with the behaviour clients trip over (see `../shared/reference/oauth.md`):
//!
//! - the authorization page approves at once as the account's owner (a test can make it refuse:
//!   [`OAuthServer::deny_next`]) and redirects to `redirect_uri` with a `code` and the `state`; a
//!   `redirect_uri` that is not exactly one of the client's is refused without redirecting;
//! - codes are single-use and expire ([`OAuthServer::code_lifetime`], 60 s by default);
//! - the token endpoint takes a form body only (parameters in the query string: `invalid_request`;
//!   a `GET`: 405 "Method Not Allowed"); `client_credentials` needs a confidential client
//!   (`invalid_client` for a public one); refresh tokens are single-use;
//! - access tokens authenticate the REST API at once, expire when a lifetime is set
//!   ([`OAuthServer::token_lifetime`]), and are listed and revoked through `/oauth/tokens`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::Shared;
use crate::store::clock::iso_seconds;
use crate::store::ids::random_id_part;

/// What the OAuth endpoints remember: codes, refresh tokens, and when access tokens expire.
#[derive(Debug)]
pub struct OAuthServer {
    codes: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, Grant>,
    expires: HashMap<String, Instant>,
    deny_next: bool,
    /// How long a code can be exchanged.
    pub code_lifetime: Duration,
    /// How long an access token authenticates; `None`: until revoked.
    pub token_lifetime: Option<Duration>,
    rng: fastrand::Rng,
}

/// What a code or a refresh token was given for.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    redirect_uri: Option<String>,
    scope: String,
    agent_id: i64,
    issued: Instant,
}

impl Default for OAuthServer {
    fn default() -> Self {
        Self {
            codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            expires: HashMap::new(),
            deny_next: false,
            code_lifetime: Duration::from_secs(60),
            token_lifetime: None,
            rng: fastrand::Rng::with_seed(0x0a07),
        }
    }
}

impl OAuthServer {
    /// Endpoints whose access tokens last `token_lifetime` (until revoked when `None`).
    pub fn new(token_lifetime: Option<Duration>) -> Self {
        Self {
            token_lifetime,
            ..Self::default()
        }
    }

    /// The next authorization is refused, as when the user clicks "Deny".
    pub fn deny_next(&mut self) {
        self.deny_next = true;
    }

    /// `refresh_token` no longer works (its token was revoked).
    pub fn forget_refresh_token(&mut self, refresh_token: &str) {
        self.refresh_tokens.remove(refresh_token);
    }

    /// Whether `token` was issued here and has expired.
    pub fn expired(&self, token: &str) -> bool {
        self.expires
            .get(token)
            .is_some_and(|expiry| Instant::now() >= *expiry)
    }

    fn secret(&mut self, len: usize) -> String {
        random_id_part(&mut self.rng, len)
    }
}

/// The OAuth routes (outside the API's gate: they authenticate clients, not bearers).
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth2/chat/authorizations/new", get(authorize))
        .route("/oauth2/authorizations/new", get(authorize))
        .route("/oauth2/chat/token", get(token_by_get).post(token))
        .route("/oauth2/token", get(token_by_get).post(token))
        .with_state(shared)
}

fn form(text: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(text).into_owned().collect()
}

/// An OAuth error answer: `{"error": …, "error_description": …}`.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// The client registered under `client_identifier`.
fn client(shared: &Shared, client_identifier: &str) -> Option<crate::store::collection::Object> {
    let store = shared.read();
    let key = store
        .oauth_clients
        .find("client_identifier", client_identifier)?;
    store.oauth_clients.get(&key).cloned()
}

/// `GET …/authorizations/new`: approves at once and redirects with a code (or, for
/// `response_type=token`, with the token in the fragment).
async fn authorize(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let params = form(query.unwrap_or_default().as_bytes());
    let param = |name: &str| params.get(name).cloned().unwrap_or_default();
    let Some(client) = client(&shared, &param("client_id")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client_id",
        );
    };
    let registered = client
        .get("redirect_uris")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let redirect_uri = param("redirect_uri");
    if !registered.split_whitespace().any(|uri| uri == redirect_uri) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri does not match a redirect URL of the client exactly",
        );
    }
    let state = param("state");
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let encode = |pairs: &[(&str, &str)]| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().filter(|(_, value)| !value.is_empty()))
            .finish()
    };
    let mut oauth = shared.oauth();
    if std::mem::take(&mut oauth.deny_next) {
        let query = encode(&[
            ("error", "access_denied"),
            ("error_description", "The resource owner denied the request"),
            ("state", &state),
        ]);
        return redirect(&format!("{redirect_uri}{separator}{query}"));
    }
    let grant = Grant {
        client_id: param("client_id"),
        redirect_uri: Some(redirect_uri.clone()),
        scope: params
            .get("scope")
            .cloned()
            .unwrap_or_else(|| "read".into()),
        agent_id: shared.read().owner_id().unwrap_or_default(),
        issued: Instant::now(),
    };
    if param("response_type") == "token" {
        drop(oauth);
        let issued = issue(&shared, &grant, false);
        let fragment = encode(&[
            (
                "access_token",
                issued["access_token"].as_str().unwrap_or_default(),
            ),
            ("token_type", "Bearer"),
            ("scope", &grant.scope),
            ("state", &state),
        ]);
        return redirect(&format!("{redirect_uri}#{fragment}"));
    }
    let code = oauth.secret(24);
    oauth.codes.insert(code.clone(), grant);
    let query = encode(&[("code", &code), ("state", &state)]);
    redirect(&format!("{redirect_uri}{separator}{query}"))
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `GET` on the token endpoint, which takes only `POST`.
async fn token_by_get() -> Response {
    oauth_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        "the token endpoint takes a POST with a form body",
    )
}

/// `POST …/token`: a form body with a grant.
async fn token(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = form(&body);
    if !params.contains_key("grant_type") {
        let in_query = form(query.unwrap_or_default().as_bytes());
        let description = if in_query.contains_key("grant_type") {
            "the parameters must be sent as a form body, not in the query string"
        } else {
            "grant_type is missing"
        };
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description);
    }
    let param = |name: &str| params.get(name).cloned().unwrap_or_default();
    let client_id = param("client_id");
    let client = client(&shared, &client_id);
    let authenticated = client.as_ref().is_some_and(|client| {
        client.get("client_secret").and_then(Value::as_str) == Some(param("client_secret").as_str())
    });
    if !authenticated {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed (unknown client_id, or a wrong client_secret)",
        );
    }
    let confidential = client
        .as_ref()
        .and_then(|client| client.get("client_type"))
        .and_then(Value::as_str)
        == Some("confidential");
    let owner = shared.read().owner_id().unwrap_or_default();
    let grant = match param("grant_type").as_str() {
        "authorization_code" => {
            let mut oauth = shared.oauth();
            let lifetime = oauth.code_lifetime;
            let Some(grant) = oauth.codes.remove(&param("code")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code is unknown or was already used",
                );
            };
            if grant.issued.elapsed() > lifetime {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "the code expired");
            }
            if grant.client_id != client_id
                || grant.redirect_uri.as_deref() != Some(param("redirect_uri").as_str())
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the redirect_uri (or client) differs from the authorization's",
                );
            }
            (grant, true)
        }
        "refresh_token" => {
            let Some(grant) = shared
                .oauth()
                .refresh_tokens
                .remove(&param("refresh_token"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the refresh token is unknown or was already used (refresh tokens are single-use)",
                );
            };
            if grant.client_id != client_id {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the refresh token is another client's",
                );
            }
            (grant, true)
        }
        "client_credentials" if !confidential => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client_credentials needs a confidential client; this one is public",
            );
        }
        "client_credentials" => {
            let grant = Grant {
                client_id,
                redirect_uri: None,
                scope: params
                    .get("scope")
                    .cloned()
                    .unwrap_or_else(|| "read write".into()),
                agent_id: owner,
                issued: Instant::now(),
            };
            (grant, false)
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type is authorization_code, refresh_token or client_credentials",
            );
        }
    };
    let (grant, with_refresh) = grant;
    (
        StatusCode::OK,
        axum::Json(issue(&shared, &grant, with_refresh)),
    )
        .into_response()
}

/// Issues an access token (and a refresh token) for `grant`: it authenticates at once, and is
/// listed under `/oauth/tokens`.
fn issue(shared: &Shared, grant: &Grant, with_refresh: bool) -> Value {
    let (access_token, refresh_token, lifetime) = {
        let mut oauth = shared.oauth();
        let access_token = oauth.secret(40);
        let refresh_token = with_refresh.then(|| oauth.secret(40));
        if let Some(refresh) = &refresh_token {
            let mut next = grant.clone();
            next.issued = Instant::now();
            oauth.refresh_tokens.insert(refresh.clone(), next);
        }
        if let Some(lifetime) = oauth.token_lifetime {
            oauth
                .expires
                .insert(access_token.clone(), Instant::now() + lifetime);
        }
        (access_token, refresh_token, oauth.token_lifetime)
    };
    shared
        .tokens
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(access_token.clone(), grant.agent_id);
    {
        let mut store = shared.write();
        let micros = store.clock.change_micros();
        let id = store
            .oauth_tokens
            .iter()
            .map(|(id, _)| *id)
            .max()
            .unwrap_or(0)
            + 1;
        // Through the spec's model of a token, so that the listing answers what the spec says.
        let record = zendesk_chat::types::OauthToken {
            id: Some(id),
            access_token: Some(access_token.as_str().into()),
            refresh_token: refresh_token.as_deref().map(Into::into),
            client_identifier: Some(grant.client_id.clone()),
            agent_id: Some(grant.agent_id),
            scopes: Some(grant.scope.clone()),
            token_type: Some("Bearer".into()),
            create_date: Some(iso_seconds(micros).into()),
            expire_date: lifetime
                .map(|lifetime| iso_seconds(micros + lifetime.as_micros() as i64).into()),
            extra: Default::default(),
        };
        if let Ok(Value::Object(object)) = serde_json::to_value(record) {
            store.oauth_tokens.insert(id, object);
        }
    }
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "scope": grant.scope,
    });
    if let Some(refresh) = refresh_token {
        answer["refresh_token"] = json!(refresh);
    }
    if let Some(lifetime) = lifetime {
        answer["expires_in"] = json!(lifetime.as_secs());
    }
    answer
}
