//! The generated client's hooks: what happens around every request of every operation.

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::AUTHORIZATION;

use crate::{Client, ClientConfig};

impl ClientHooks<ClientConfig> for Client {
    /// Authenticates the request with the configured access token.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let authorization = progenitor_client::ClientInfo::inner(self)
            .authorization()
            .clone();
        request.headers_mut().insert(AUTHORIZATION, authorization);
        Ok(())
    }
}
