//! OAuth clients and tokens. A client's secret is answered in full only when it is created;
//! afterwards only its first characters are shown, as the reference page describes.

use serde_json::Value;
use zendesk_chat::types;

use super::clock::iso_seconds;
use super::collection::{Object, answer, answer_array};
use super::ids::random_id_part;
use super::{Outcome, Store};

/// The first id of the OAuth clients the emulator creates.
const FIRST_CLIENT_ID: i64 = 1;

/// How many characters of a secret are shown after its creation.
const SHOWN_SECRET_CHARACTERS: usize = 6;

/// A client as it is answered after its creation: the secret cut short.
fn with_secret_hidden(client: &Object) -> Object {
    let mut shown = client.clone();
    if let Some(Value::String(secret)) = shown.get_mut("client_secret") {
        let start: String = secret.chars().take(SHOWN_SECRET_CHARACTERS).collect();
        *secret = format!("{start}…");
    }
    shown
}

impl Store {
    /// `GET /oauth/clients`.
    pub fn list_oauth_clients(&self) -> Outcome {
        let shown: Vec<Object> = self
            .oauth_clients
            .values()
            .map(with_secret_hidden)
            .collect();
        Ok(answer_array(shown.iter()))
    }

    /// `POST /oauth/clients`: a new identifier and secret, the secret answered in full.
    pub fn create_oauth_client(&mut self, body: &[u8]) -> Outcome {
        let now = iso_seconds(self.clock.change_micros());
        let mut rng = fastrand::Rng::with_seed(
            self.account_id ^ (self.oauth_clients.len() as u64).rotate_left(29),
        );
        let owner = self.owner_id();
        self.oauth_clients
            .create::<types::CreateOauthClientRequest, types::OauthClient>(
                body,
                FIRST_CLIENT_ID,
                |client| {
                    client.insert(
                        "client_identifier".into(),
                        random_id_part(&mut rng, 16).into(),
                    );
                    client.insert("client_secret".into(), random_id_part(&mut rng, 32).into());
                    client.entry("client_type").or_insert(Value::from("public"));
                    client.entry("scopes").or_insert(Value::from("read write"));
                    client.entry("company").or_insert(Value::from(""));
                    if let Some(owner) = owner {
                        client.insert("agent_id".into(), Value::from(owner));
                    }
                    client.insert("create_date".into(), Value::from(now.clone()));
                    client.insert("update_date".into(), Value::from(now));
                },
            )
    }

    /// `GET /oauth/clients/{id}`.
    pub fn get_oauth_client(&self, id: &str) -> Outcome {
        let client = id.parse().ok().and_then(|id| self.oauth_clients.get(&id));
        client
            .map(|client| answer(200, &with_secret_hidden(client)))
            .ok_or_else(super::ErrorAnswer::not_found)
    }

    /// `PUT /oauth/clients/{id}`.
    pub fn update_oauth_client(&mut self, id: &str, body: &[u8]) -> Outcome {
        let id: Option<i64> = id.parse().ok();
        self.oauth_clients
            .update::<types::UpdateOauthClientRequest, types::OauthClient>(id, body)?;
        let now = iso_seconds(self.clock.change_micros());
        let client = id
            .and_then(|id| self.oauth_clients.get_mut(&id))
            .ok_or_else(super::ErrorAnswer::not_found)?;
        client.insert("update_date".into(), Value::from(now));
        Ok(answer(200, &with_secret_hidden(client)))
    }

    /// `DELETE /oauth/clients/{id}`: the client's tokens go with it.
    pub fn delete_oauth_client(&mut self, id: &str) -> Outcome {
        let id: Option<i64> = id.parse().ok();
        let identifier = id
            .and_then(|id| self.oauth_clients.get(&id))
            .and_then(|client| client.get("client_identifier").cloned());
        let deleted = self.oauth_clients.delete(id)?;
        self.oauth_tokens
            .retain(|_, token| token.get("client_identifier") != identifier.as_ref());
        Ok(deleted)
    }

    /// `GET /oauth/tokens`.
    pub fn list_oauth_tokens(&self) -> Outcome {
        self.oauth_tokens.list()
    }

    /// `DELETE /oauth/tokens/{id}`: the token is revoked.
    pub fn revoke_oauth_token(&mut self, id: &str) -> Outcome {
        self.oauth_tokens.delete(id.parse().ok())
    }
}
