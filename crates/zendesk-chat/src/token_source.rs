//! Where a [`Client`](crate::Client) gets its access token when the token can change: a
//! [`TokenSource`]. On a `401` the client asks its source for a new token once, and sends the
//! request again with it.
//!
//! [`RefreshingToken`] is the source for OAuth tokens with a refresh token: it refreshes through
//! [`ChatOAuth::refresh`] and hands the new tokens to a `persist` callback *before* it forgets the
//! old ones, since Zendesk's refresh tokens are single-use. Requests that fail together refresh
//! once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

use crate::oauth::{ChatOAuth, OAuthError, TokenSet};

/// A future of a [`TokenSource`].
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SecretString, OAuthError>> + Send + 'a>>;

/// The access token a client sends, and a new one when the server refuses it.
pub trait TokenSource: Send + Sync + 'static {
    /// The access token to send now.
    fn access_token(&self) -> SecretString;

    /// The server refused `rejected` (a `401`): a new token, or why there is none. Called at
    /// most once per request; when another request already replaced `rejected`, the current
    /// token is the answer.
    fn refresh<'a>(&'a self, rejected: &'a SecretString) -> TokenFuture<'a>;
}

/// Saves tokens where they are kept (a config file, a keyring) before they are used.
pub type Persist = Box<dyn Fn(&TokenSet) -> Result<(), String> + Send + Sync>;

/// OAuth tokens that refresh themselves with their refresh token (see the [module](self) docs).
pub struct RefreshingToken {
    oauth: ChatOAuth,
    current: Mutex<TokenSet>,
    refreshing: tokio::sync::Mutex<()>,
    persist: Persist,
}

impl fmt::Debug for RefreshingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingToken")
            .field("oauth", &self.oauth)
            .finish_non_exhaustive()
    }
}

impl RefreshingToken {
    /// Tokens of `oauth`'s client, starting with `tokens`; every refreshed set goes through
    /// `persist` (which should replace what is stored atomically) as soon as it arrives; a refresh
    /// whose tokens cannot be persisted fails with the reason, though the new tokens are used.
    pub fn new(oauth: ChatOAuth, tokens: TokenSet, persist: Persist) -> Self {
        Self {
            oauth,
            current: Mutex::new(tokens),
            refreshing: tokio::sync::Mutex::new(()),
            persist,
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, TokenSet> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl TokenSource for RefreshingToken {
    fn access_token(&self) -> SecretString {
        self.current().access_token.clone()
    }

    fn refresh<'a>(&'a self, rejected: &'a SecretString) -> TokenFuture<'a> {
        Box::pin(async move {
            let _one_at_a_time = self.refreshing.lock().await;
            let (current, refresh_token) = {
                let current = self.current();
                (current.access_token.clone(), current.refresh_token.clone())
            };
            if current.expose_secret() != rejected.expose_secret() {
                // Another request refreshed it meanwhile.
                return Ok(current);
            }
            let refresh_token = refresh_token.ok_or_else(|| {
                OAuthError::Config(
                    "the access token was refused and there is no refresh token: log in again"
                        .into(),
                )
            })?;
            let mut fresh = self.oauth.refresh(&refresh_token).await?;
            if fresh.refresh_token.is_none() {
                // A server that does not rotate refresh tokens: the old one still works.
                fresh.refresh_token = Some(refresh_token);
            }
            let saved = (self.persist)(&fresh);
            let token = fresh.access_token.clone();
            // Kept in memory either way: the old refresh token is spent.
            *self.current() = fresh;
            saved.map_err(|why| {
                OAuthError::Config(format!(
                    "the refreshed tokens could not be saved ({why}); this process goes on with them, but the next will need to log in again"
                ))
            })?;
            Ok(token)
        })
    }
}
