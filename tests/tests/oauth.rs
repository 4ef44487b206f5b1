//! OAuth against the emulator's authorization and token endpoints: each grant, the errors users
//! hit (with their remedies), single-use codes and refresh tokens, and a client whose expired
//! token is refreshed on a 401 without the caller noticing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::ExposeSecret;
use zendesk_chat::Client;
use zendesk_chat::oauth::{ChatOAuth, Endpoints, OAuthError, TokenSet};
use zendesk_chat::token_source::RefreshingToken;
use zendesk_chat_emulator::Emulator;

const REDIRECT: &str = "http://127.0.0.1:8911/callback";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// What the browser does: opens the authorization URL, and reads where it is sent back to.
async fn browser_visits(url: &reqwest::Url) -> reqwest::Url {
    let response = no_redirects().get(url.clone()).send().await.unwrap();
    assert_eq!(response.status(), 302, "the authorization page redirects");
    let location = response.headers()["location"].to_str().unwrap();
    reqwest::Url::parse(location).unwrap()
}

fn param(url: &reqwest::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

async fn client_with(emulator: &Emulator, token: &str) -> Client {
    Client::builder()
        .base_url(emulator.base_url())
        .token(token)
        .build()
        .unwrap()
}

async fn logged_in(oauth: &ChatOAuth) -> TokenSet {
    let (url, state) = oauth.authorization_url(&["read", "write"]);
    let back = browser_visits(&url).await;
    assert!(back.as_str().starts_with(REDIRECT));
    state.check(&param(&back, "state").unwrap()).unwrap();
    oauth
        .exchange_code(&param(&back, "code").unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_code_grant_gives_tokens_that_reach_the_api_and_a_code_works_once() {
    let emulator = Emulator::builder().seed(61).chats(5).start().await.unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "public");
    let oauth = ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret))
        .redirect_uri(REDIRECT);
    let (url, state) = oauth.authorization_url(&["read", "write"]);
    assert_eq!(param(&url, "client_id").as_deref(), Some(id.as_str()));
    assert_eq!(param(&url, "scope").as_deref(), Some("read write"));
    assert_eq!(param(&url, "redirect_uri").as_deref(), Some(REDIRECT));
    let back = browser_visits(&url).await;
    assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()));
    let code = param(&back, "code").unwrap();
    let tokens = oauth.exchange_code(&code).await.unwrap();
    assert!(
        tokens.refresh_token.is_some(),
        "the code grant gives a refresh token"
    );
    assert_eq!(tokens.scope.as_deref(), Some("read write"));

    let client = client_with(&emulator, tokens.access_token.expose_secret()).await;
    client.get_current_agent().await.unwrap();

    let again = oauth.exchange_code(&code).await.unwrap_err();
    assert!(
        matches!(again, OAuthError::InvalidGrant { .. }),
        "{again:?}"
    );
    assert!(
        again.to_string().contains("Exchange the code at once"),
        "{again}"
    );
}

#[tokio::test]
async fn a_state_that_is_not_this_logins_and_a_denied_authorization_are_refused() {
    let emulator = Emulator::builder().seed(62).chats(5).start().await.unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "public");
    let oauth = ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret))
        .redirect_uri(REDIRECT);
    let (_, state) = oauth.authorization_url(&["read"]);
    assert_eq!(state.check("forged"), Err(OAuthError::StateMismatch));

    emulator.deny_next_authorization();
    let (url, _) = oauth.authorization_url(&["read"]);
    let back = browser_visits(&url).await;
    let denied = OAuthError::from_redirect(
        &param(&back, "error").unwrap(),
        param(&back, "error_description").as_deref(),
    );
    assert!(
        matches!(denied, OAuthError::AccessDenied { .. }),
        "{denied:?}"
    );
    assert!(denied.to_string().contains("click Allow"), "{denied}");
}

#[tokio::test]
async fn a_redirect_url_that_does_not_match_exactly_is_refused_without_a_redirect() {
    let emulator = Emulator::builder().seed(63).chats(5).start().await.unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "public");
    let https = REDIRECT.replacen("http", "https", 1);
    let oauth =
        ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret)).redirect_uri(&https);
    let (url, _) = oauth.authorization_url(&["read"]);
    let response = no_redirects().get(url).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn client_credentials_need_a_confidential_client_and_say_how_to_make_one() {
    let emulator = Emulator::builder().seed(64).chats(5).start().await.unwrap();
    let (public_id, public_secret) = emulator.oauth_client(REDIRECT, "public");
    let public = ChatOAuth::new(
        Endpoints::at(emulator.base_url()),
        &public_id,
        Some(&public_secret),
    );
    let refused = public.client_credentials(&["read"]).await.unwrap_err();
    assert!(
        matches!(
            refused,
            OAuthError::InvalidClient {
                client_credentials: true,
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("confidential"), "{refused}");

    let (id, secret) = emulator.oauth_client(REDIRECT, "confidential");
    let confidential = ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret));
    let tokens = confidential.client_credentials(&["read"]).await.unwrap();
    assert!(tokens.refresh_token.is_none());
    let client = client_with(&emulator, tokens.access_token.expose_secret()).await;
    client.get_current_agent().await.unwrap();

    let wrong = ChatOAuth::new(
        Endpoints::at(emulator.base_url()),
        &id,
        Some("not-the-secret"),
    );
    assert!(matches!(
        wrong.client_credentials(&["read"]).await.unwrap_err(),
        OAuthError::InvalidClient { .. }
    ));
}

#[tokio::test]
async fn a_refresh_token_works_once() {
    let emulator = Emulator::builder().seed(65).chats(5).start().await.unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "public");
    let oauth = ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret))
        .redirect_uri(REDIRECT);
    let tokens = logged_in(&oauth).await;
    let first = tokens.refresh_token.clone().unwrap();
    let fresh = oauth.refresh(&first).await.unwrap();
    assert_ne!(
        fresh.refresh_token.as_ref().unwrap().expose_secret(),
        first.expose_secret(),
        "a new refresh token"
    );
    let spent = oauth.refresh(&first).await.unwrap_err();
    assert!(
        matches!(spent, OAuthError::InvalidGrant { .. }),
        "{spent:?}"
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_on_a_401_once_and_the_new_tokens_are_persisted_first() {
    let emulator = Emulator::builder()
        .seed(66)
        .chats(5)
        .oauth_token_lifetime(Duration::from_millis(600))
        .start()
        .await
        .unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "public");
    let oauth = ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret))
        .redirect_uri(REDIRECT);
    let tokens = logged_in(&oauth).await;
    let first_refresh = tokens.refresh_token.clone().unwrap();
    let saved: Arc<Mutex<Vec<TokenSet>>> = Arc::default();
    let source = RefreshingToken::new(
        oauth.clone(),
        tokens,
        Box::new({
            let saved = saved.clone();
            move |tokens: &TokenSet| {
                saved.lock().unwrap().push(tokens.clone());
                Ok(())
            }
        }),
    );
    let client = Client::builder()
        .base_url(emulator.base_url())
        .token_source(Arc::new(source))
        .build()
        .unwrap();
    client.get_current_agent().await.unwrap();
    assert!(
        saved.lock().unwrap().is_empty(),
        "no refresh while the token is good"
    );

    tokio::time::sleep(Duration::from_millis(800)).await;
    // Several calls at once meet the expired token: one refresh serves them all.
    let calls = (0..4).map(|_| client.get_current_agent().into_future());
    for outcome in futures::future::join_all(calls).await {
        outcome.unwrap();
    }
    let saved = saved.lock().unwrap();
    assert_eq!(saved.len(), 1, "one refresh");
    assert_ne!(
        saved[0].refresh_token.as_ref().unwrap().expose_secret(),
        first_refresh.expose_secret()
    );
}

#[tokio::test]
async fn no_secret_is_in_debug_output_or_errors() {
    let emulator = Emulator::builder().seed(67).chats(5).start().await.unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "public");
    let oauth = ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret))
        .redirect_uri(REDIRECT);
    let tokens = logged_in(&oauth).await;
    let refused = oauth.exchange_code("used-or-unknown").await.unwrap_err();
    let shown = format!("{oauth:?} {tokens:?} {refused} {refused:?}");
    for secret in [
        secret.as_str(),
        tokens.access_token.expose_secret(),
        tokens.refresh_token.as_ref().unwrap().expose_secret(),
    ] {
        assert!(!shown.contains(secret), "a secret in {shown}");
    }
}

#[tokio::test]
async fn the_token_endpoint_refuses_a_get_and_parameters_in_the_query_string() {
    let emulator = Emulator::builder().seed(68).chats(5).start().await.unwrap();
    let token_url = Endpoints::at(emulator.base_url()).token;
    let got = reqwest::get(&token_url).await.unwrap();
    assert_eq!(got.status(), 405);
    assert_eq!(
        got.json::<serde_json::Value>().await.unwrap()["error"],
        "Method Not Allowed"
    );
    let in_query = reqwest::Client::new()
        .post(format!(
            "{token_url}?grant_type=client_credentials&client_id=x"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(in_query.status(), 400);
    let answer: serde_json::Value = in_query.json().await.unwrap();
    assert!(
        answer["error_description"]
            .as_str()
            .unwrap()
            .contains("form body")
    );
}

#[tokio::test]
async fn a_token_url_that_takes_no_post_is_method_not_allowed_with_its_remedy() {
    let emulator = Emulator::builder().seed(69).chats(5).start().await.unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "confidential");
    // The authorization page where the token endpoint should be: a GET-only URL.
    let endpoints = Endpoints::at(emulator.base_url());
    let wrong = Endpoints {
        token: endpoints.authorize.clone(),
        ..endpoints
    };
    let refused = ChatOAuth::new(wrong, &id, Some(&secret))
        .client_credentials(&["read"])
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, OAuthError::Server { code, .. } if code == "Method Not Allowed"),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("check the token URL"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_revoked_token_and_its_refresh_token_both_stop_working() {
    let emulator = Emulator::builder().seed(70).chats(5).start().await.unwrap();
    let (id, secret) = emulator.oauth_client(REDIRECT, "public");
    let oauth = ChatOAuth::new(Endpoints::at(emulator.base_url()), &id, Some(&secret))
        .redirect_uri(REDIRECT);
    let tokens = logged_in(&oauth).await;
    let client = client_with(&emulator, tokens.access_token.expose_secret()).await;
    let listed = client.list_oauth_tokens().await.unwrap();
    let ours = listed
        .iter()
        .find(|t| {
            t.access_token.as_ref().map(|t| t.expose()) == Some(tokens.access_token.expose_secret())
        })
        .and_then(|t| t.id)
        .unwrap();
    client
        .revoke_oauth_token()
        .oauth_token_id(ours)
        .await
        .unwrap();
    assert_eq!(
        client.get_current_agent().await.unwrap_err().status_code(),
        Some(401)
    );
    let refused = oauth
        .refresh(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, OAuthError::InvalidGrant { .. }),
        "{refused:?}"
    );
}
