//! What happens around every request of every generated operation (progenitor's client hooks):
//! authentication, the client-side rate limit, retries, and a trace span per attempt. A call's
//! own overrides (`customize()`) take precedence over the client's retry policy and timeout.

use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::AUTHORIZATION;
use tracing::Instrument;

use crate::body_buffers;
use crate::call::{record_attempt, record_wait};
use crate::customize::{attempt_timeout_override, retry_policy_override};
use crate::error::describe_transport;
use crate::operations::{ALL, Operation};
use crate::retry::{Decision, Failure};
use crate::{Client, ClientConfig};

impl ClientHooks<ClientConfig> for Client {
    /// Authenticates the request with the configured access token, and sends an operation served
    /// from a host of its own (the real-time metrics) there.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Some(server) = operation(info.operation_id).and_then(|o| o.server) {
            let base = self.inner().real_time_base_url().unwrap_or(server);
            *request.url_mut() = rebased(request.url(), self.baseurl(), base)
                .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?;
        }
        let authorization = self
            .inner()
            .authorization()
            .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?;
        request.headers_mut().insert(AUTHORIZATION, authorization);
        let timeout = attempt_timeout_override().or(self.inner().attempt_timeout());
        if let Some(timeout) = timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }

    /// Sends the request, within the rate limit, and retries it as the [`RetryPolicy`] says.
    ///
    /// The whole body is read here, so that a connection that breaks mid-body is a failed
    /// attempt (and retried like one) rather than an error after the call has returned.
    ///
    /// [`RetryPolicy`]: crate::RetryPolicy
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let config = self.inner();
        let operation = operation(info.operation_id);
        let idempotent = operation.map_or(
            request.method() != reqwest::Method::POST,
            Operation::is_idempotent,
        );
        let started = Instant::now();
        let policy = retry_policy_override();
        let policy = policy.as_ref().unwrap_or(config.retry_policy());
        let mut backoffs = policy.backoffs();
        // A JSON body can always be cloned. A body that cannot (a stream) is sent once, as is.
        let can_retry = request.try_clone().is_some();
        let mut original = Some(request);
        let mut attempt = 1;
        let mut refreshed = false;
        loop {
            if let Some(limiter) = config.rate_limiter() {
                limiter.until_ready().await;
            }
            let this_attempt = match original.as_ref().and_then(reqwest::Request::try_clone) {
                Some(copy) => copy,
                None => original
                    .take()
                    .expect("a request that cannot be cloned is sent only once"),
            };
            let span = tracing::info_span!(
                "zendesk_chat.request",
                operation = operation.map_or(info.operation_id, |o| o.id),
                method = %this_attempt.method(),
                path = operation.map_or("", |o| o.path),
                attempt,
                status = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            );
            let attempt_started = Instant::now();
            let outcome = send_whole(self.client(), this_attempt, config.max_response_bytes())
                .instrument(span.clone())
                .await;
            span.record("elapsed_ms", attempt_started.elapsed().as_millis() as u64);

            let failure = match &outcome {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    record_attempt(
                        attempt,
                        response.status().to_string(),
                        Some((response.status(), response.headers())),
                    );
                    Failure::of_response(response.status(), response.headers())
                }
                Err(error) => {
                    record_attempt(attempt, describe_transport(error).to_owned(), None);
                    Failure::of_transport(error)
                }
            };
            // A refused token, with a source that can renew it: once per call, at once.
            let unauthorized =
                matches!(&outcome, Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED);
            if unauthorized
                && !refreshed
                && can_retry
                && let (Some(source), Some(request)) = (config.token_source(), original.as_mut())
            {
                refreshed = true;
                match renewed_authorization(source.as_ref(), request).await {
                    Ok(authorization) => {
                        request.headers_mut().insert(AUTHORIZATION, authorization);
                        attempt += 1;
                        continue;
                    }
                    Err(error) => {
                        tracing::warn!(parent: &span, %error, "the refused token could not be renewed");
                        return outcome;
                    }
                }
            }
            let Some(failure) = failure else {
                return outcome;
            };
            let backoff = backoffs.next().unwrap_or_default();
            let decision = if can_retry {
                policy.decide(&failure, idempotent, attempt, started.elapsed(), backoff)
            } else {
                Decision::GiveUp("the request body cannot be sent twice")
            };
            match decision {
                Decision::Retry(wait) => {
                    tracing::warn!(parent: &span, ?failure, wait_ms = wait.as_millis() as u64, "retrying");
                    record_wait(wait);
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Decision::GiveUp(reason) => {
                    tracing::debug!(parent: &span, ?failure, reason, "giving up");
                    return outcome;
                }
            }
        }
    }
}

/// A new `Authorization` header from `source`, for the token `request` was refused with.
async fn renewed_authorization(
    source: &dyn crate::token_source::TokenSource,
    request: &reqwest::Request,
) -> Result<reqwest::header::HeaderValue, String> {
    let sent = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let rejected = secrecy::SecretString::from(sent.to_owned());
    let token = source.refresh(&rejected).await.map_err(|e| e.to_string())?;
    crate::config::bearer(secrecy::ExposeSecret::expose_secret(&token)).map_err(|e| e.to_string())
}

/// `url`, which starts with the client's base URL, on `base` instead.
fn rebased(url: &reqwest::Url, from: &str, base: &str) -> Result<reqwest::Url, url::ParseError> {
    let rest = url.as_str().strip_prefix(from).unwrap_or(url.path());
    reqwest::Url::parse(&format!("{}{rest}", base.trim_end_matches('/')))
}

/// The operation progenitor names by its Rust name (`get_chat`).
fn operation(rust_name: &str) -> Option<&'static Operation> {
    ALL.iter()
        .find(|operation| operation.rust_name == rust_name)
}

/// Sends a request and reads the whole response body, of at most `limit` bytes (decompressed).
async fn send_whole(
    client: &reqwest::Client,
    request: reqwest::Request,
    limit: u64,
) -> reqwest::Result<reqwest::Response> {
    let response = client.execute(request).await?;
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = read_body(response, limit).await?;
    let mut whole = http::Response::new(body);
    *whole.status_mut() = status;
    *whole.version_mut() = version;
    *whole.headers_mut() = headers;
    Ok(reqwest::Response::from(whole))
}

/// The whole body of `response`, of at most `limit` bytes (decompressed: a compressed body has
/// no known length and is counted as it is read); past it, an error caused by
/// [`ResponseTooLarge`](crate::ResponseTooLarge), before reading on.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
) -> reqwest::Result<bytes::Bytes> {
    let url = response.url().clone();
    match response.content_length() {
        Some(length) if length > limit => Err(too_large(limit).await.with_url(url)),
        Some(length) if length < body_buffers::POOLED_FROM_BYTES as u64 => response.bytes().await,
        // Large (an export page), or of unknown length (compressed, or chunked): read so that a
        // large body goes into a buffer a raw page hands back when it is done (`body_buffers`).
        announced => {
            let mut body = body_buffers::Body::new(&body_buffers::POOL, announced);
            while let Some(chunk) = response.chunk().await? {
                if (body.len() + chunk.len()) as u64 > limit {
                    return Err(too_large(limit).await.with_url(url));
                }
                body.push(&chunk);
            }
            Ok(body.finish())
        }
    }
}

/// The transport error of a body past `limit`, caused by [`ResponseTooLarge`]. The hook can only
/// fail with a `reqwest::Error`, which has no public constructor: reading a body whose one chunk
/// is that error makes one, with it as the source.
async fn too_large(limit: u64) -> reqwest::Error {
    let failing =
        futures::stream::once(
            async move { Err::<bytes::Bytes, _>(crate::ResponseTooLarge { limit }) },
        );
    let response = http::Response::new(reqwest::Body::wrap_stream(failing));
    match reqwest::Response::from(response).bytes().await {
        Err(error) => error,
        Ok(_) => unreachable!("a body whose only chunk is an error does not read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_operation_is_found_by_its_rust_name() {
        assert_eq!(operation("get_chat").unwrap().id, "getChat");
        assert_eq!(
            operation("delete_agent_shortcuts").unwrap().path,
            "/api/v2/chat/agents/{agent_id}/shortcuts"
        );
        assert!(operation("nope").is_none());
    }

    #[test]
    fn a_url_is_moved_onto_another_base_with_its_path_and_query() {
        let url = reqwest::Url::parse("https://acme.zendesk.com/stream/chats?window=30").unwrap();
        let moved = rebased(&url, "https://acme.zendesk.com", "https://rtm.zopim.com/").unwrap();
        assert_eq!(
            moved.as_str(),
            "https://rtm.zopim.com/stream/chats?window=30"
        );
        let local = rebased(&url, "https://acme.zendesk.com", "http://127.0.0.1:9/").unwrap();
        assert_eq!(local.as_str(), "http://127.0.0.1:9/stream/chats?window=30");
    }

    #[test]
    fn only_the_real_time_operations_have_a_server_of_their_own() {
        let elsewhere: Vec<_> = ALL
            .iter()
            .filter(|o| o.server.is_some())
            .map(|o| o.path)
            .collect();
        assert!(
            elsewhere.iter().all(|path| path.starts_with("/stream/")),
            "{elsewhere:?}"
        );
        assert_eq!(elsewhere.len(), 4);
    }
}
