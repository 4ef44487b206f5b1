//! Running one operation to its typed value or the crate's [`Error`].
//!
//! Awaiting an operation's builder (`client.get_chat().chat_id(id).await`) runs its generated
//! `send()` through [`run`], which opens a log for the call. The transport hook records each
//! attempt in it (status, headers, what failed, how long it waited); `run` then turns progenitor's
//! outcome into an [`Error`] that names the operation and every attempt. The log also keeps the
//! last response's status: progenitor loses it when an error body is not JSON (a proxy's HTML
//! page), and the error should still say "502 Bad Gateway".

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Attempt, CallInfo, DecodeError, TransportError, excerpt};
use crate::operations::Operation;
use crate::{Error, types};

/// What the transport saw during one call.
#[derive(Debug, Default)]
pub(crate) struct CallLog {
    attempts: Vec<Attempt>,
    last_status: Option<StatusCode>,
    last_headers: Option<HeaderMap>,
}

tokio::task_local! {
    static CALL_LOG: RefCell<CallLog>;
}

/// Records the outcome of an attempt in the current call's log, if the call has one.
pub(crate) fn record_attempt(
    number: u32,
    outcome: String,
    response: Option<(StatusCode, &HeaderMap)>,
) {
    let _ = CALL_LOG.try_with(|log| {
        let mut log = log.borrow_mut();
        log.attempts.push(Attempt {
            number,
            outcome,
            waited: None,
        });
        log.last_status = response.map(|(status, _)| status);
        log.last_headers = response.map(|(_, headers)| headers.clone());
    });
}

/// Records that the last attempt was followed by a wait of `waited`.
pub(crate) fn record_wait(waited: Duration) {
    let _ = CALL_LOG.try_with(|log| {
        if let Some(last) = log.borrow_mut().attempts.last_mut() {
            last.waited = Some(waited);
        }
    });
}

/// Runs an operation's `send()` future and returns its value, or the crate's error for it.
pub async fn run<T, F>(operation: &'static Operation, send: F) -> Result<T, Error>
where
    T: DeserializeOwned,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<types::ErrorResponse>>>,
{
    run_raw(operation, send)
        .await
        .map(ResponseValue::into_inner)
}

/// Runs an operation's `send()` future and returns the raw response (status, headers, value), or
/// the crate's error for it.
pub async fn run_raw<T, F>(
    operation: &'static Operation,
    send: F,
) -> Result<ResponseValue<T>, Error>
where
    T: DeserializeOwned,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<types::ErrorResponse>>>,
{
    let (outcome, log) = CALL_LOG
        .scope(RefCell::new(CallLog::default()), async {
            let outcome = send.await;
            (outcome, CALL_LOG.with(|log| log.take()))
        })
        .await;
    match outcome {
        Ok(response) => Ok(response),
        Err(error) => Err(convert::<T>(operation, error, log).await),
    }
}

/// progenitor's error, with what the log adds, as the crate's error.
async fn convert<T: DeserializeOwned>(
    operation: &'static Operation,
    error: progenitor_client::Error<types::ErrorResponse>,
    log: CallLog,
) -> Error {
    let call = CallInfo {
        operation: Some(operation),
        attempts: log.attempts,
    };
    use progenitor_client::Error as Progenitor;
    match error {
        Progenitor::ErrorResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.into_inner();
            api_error(status, &headers, Some(body), String::new(), call)
        }
        Progenitor::InvalidResponsePayload(bytes, decode_error) => match log.last_status {
            // An error status whose body is not Zendesk's JSON: still an API error with a status.
            Some(status) if status.is_client_error() || status.is_server_error() => {
                let headers = log.last_headers.unwrap_or_default();
                let body = serde_json::from_slice(&bytes).ok();
                api_error(status, &headers, body, excerpt(&bytes), call)
            }
            status => {
                let (path, message) = locate::<T>(&bytes, &decode_error);
                Error::Decode(Box::new(DecodeError {
                    status,
                    path,
                    message,
                    body_excerpt: excerpt(&bytes),
                    call,
                }))
            }
        },
        Progenitor::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let text = response
                .bytes()
                .await
                .map(|b| excerpt(&b))
                .unwrap_or_default();
            api_error(status, &headers, None, text, call)
        }
        Progenitor::CommunicationError(source)
        | Progenitor::ResponseBodyError(source)
        | Progenitor::InvalidUpgrade(source) => {
            Error::Transport(Box::new(TransportError { source, call }))
        }
        Progenitor::InvalidRequest(message) | Progenitor::Custom(message) => {
            Error::invalid_input(Some(operation.id), message)
        }
    }
}

fn api_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: Option<types::ErrorResponse>,
    raw_body: String,
    call: CallInfo,
) -> Error {
    let raw_body = match (&body, raw_body.is_empty()) {
        (Some(body), true) => serde_json::to_string(body).unwrap_or_default(),
        _ => raw_body,
    };
    Error::Api(Box::new(ApiError {
        status,
        body,
        raw_body,
        request_id: request_id(headers),
        retry_after: crate::retry::retry_after(headers, std::time::SystemTime::now()),
        call,
    }))
}

/// The request id headers Zendesk sets.
const REQUEST_ID_HEADERS: &[&str] = &["x-zendesk-request-id", "x-request-id"];

fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok().map(str::to_owned))
}

/// The path of the value that does not fit, found by decoding again with path tracking (only on
/// this failure path, so that decoding stays fast).
fn locate<T: DeserializeOwned>(bytes: &[u8], error: &serde_json::Error) -> (String, String) {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(located) => {
            join_union_paths(located.path().to_string(), located.into_inner().to_string())
        }
        Ok(_) => (".".into(), error.to_string()),
    }
}

/// A tagged union decodes its variant from the object it read (see
/// `tagged_union::decode_variant`), and reports the path inside the variant at the start of its message:
/// `history[0]: msg: invalid type…`. This moves those segments onto the path:
/// (`chats[1]`, `history[0]: msg: invalid type…`) → (`chats[1].history[0].msg`, `invalid type…`).
pub(crate) fn join_union_paths(mut path: String, mut message: String) -> (String, String) {
    let is_segment = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '?')
            })
    };
    while let Some((segment, rest)) = message.split_once(": ") {
        if !is_segment(segment) {
            break;
        }
        if segment != "." {
            if path == "." || path.is_empty() {
                path = segment.to_owned();
            } else {
                path = format!("{path}.{segment}");
            }
        }
        message = rest.to_owned();
    }
    (path, message)
}

impl crate::Client {
    /// Sends a GET for `operation` (whose path has no parameters) with `query`, through the same
    /// hooks as the generated operations (authentication, rate limit, retries, traces), and
    /// returns the body of a success response. An error status is an [`Error::Api`].
    ///
    /// The incremental exports use it to keep each page's bytes: a record can then be written
    /// exactly as the server sent it, or decoded into the generated models.
    pub(crate) async fn get_bytes(
        &self,
        operation: &'static Operation,
        query: &[(&str, &str)],
    ) -> Result<bytes::Bytes, Error> {
        use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

        let send = async {
            let url = format!("{}{}", self.baseurl(), operation.path);
            let mut request = self
                .client()
                .get(url)
                .query(query)
                .header(reqwest::header::ACCEPT, "application/json")
                .build()?;
            let info = OperationInfo {
                operation_id: operation.rust_name,
            };
            ClientHooks::pre::<()>(self, &mut request, &info)
                .await
                .map_err(|_| {
                    progenitor_client::Error::<()>::Custom("the request hook failed".into())
                })?;
            let response = ClientHooks::exec(self, request, &info).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(progenitor_client::Error::<()>::ResponseBodyError)?;
            Ok::<_, progenitor_client::Error<()>>((status, headers, body))
        };
        let (outcome, log) = CALL_LOG
            .scope(RefCell::new(CallLog::default()), async {
                let outcome = send.await;
                (outcome, CALL_LOG.with(|log| log.take()))
            })
            .await;
        let call = CallInfo {
            operation: Some(operation),
            attempts: log.attempts,
        };
        match outcome {
            Ok((status, _, body)) if status.is_success() => Ok(body),
            Ok((status, headers, body)) => {
                let parsed = serde_json::from_slice(&body).ok();
                Err(api_error(status, &headers, parsed, excerpt(&body), call))
            }
            Err(
                progenitor_client::Error::CommunicationError(source)
                | progenitor_client::Error::ResponseBodyError(source),
            ) => Err(Error::Transport(Box::new(TransportError { source, call }))),
            Err(other) => Err(Error::invalid_input(Some(operation.id), other.to_string())),
        }
    }
}

/// Decodes a body into `T`; an error names the path of the value that does not fit.
pub(crate) fn decode<'a, T: serde::Deserialize<'a>>(
    operation: &'static Operation,
    body: &'a [u8],
) -> Result<T, Error> {
    decode_seeded(operation, body, std::marker::PhantomData::<T>)
}

/// Decodes a body with `seed` (a decoder that needs to know something first, such as which key
/// holds an export's items); an error names the path of the value that does not fit.
pub(crate) fn decode_seeded<'a, S: serde::de::DeserializeSeed<'a> + Clone>(
    operation: &'static Operation,
    body: &'a [u8],
    seed: S,
) -> Result<S::Value, Error> {
    // Without tracking the path first: tracking costs on every value, and most bodies decode.
    // A body that does not is decoded again, tracked, to say where.
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    if let Ok(value) = seed.clone().deserialize(&mut deserializer) {
        return Ok(value);
    }
    decode_tracked(operation, body, seed)
}

/// Decodes a body with `seed`, tracking the path of every value: for a body that did not decode
/// untracked, an error that names the path of the value that does not fit.
pub(crate) fn decode_tracked<'a, S: serde::de::DeserializeSeed<'a>>(
    operation: &'static Operation,
    body: &'a [u8],
    seed: S,
) -> Result<S::Value, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(&mut deserializer, &mut track);
    seed.deserialize(tracked).map_err(|error| {
        let (path, message) = join_union_paths(track.path().to_string(), error.to_string());
        decode_error(operation, body, path, message)
    })
}

/// The error for a successful response of `operation` whose `body` did not decode: `message`
/// says why, at `path` in the body.
pub(crate) fn decode_error(
    operation: &'static Operation,
    body: &[u8],
    path: String,
    message: String,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: Some(StatusCode::OK),
        path,
        message,
        body_excerpt: excerpt(body),
        call: CallInfo {
            operation: Some(operation),
            attempts: Vec::new(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::join_union_paths;

    #[test]
    fn union_paths_join_the_outer_path() {
        let joined = join_union_paths(
            "chats[1]".into(),
            "history[0]: msg: invalid type: integer `7`".into(),
        );
        assert_eq!(
            joined,
            (
                "chats[1].history[0].msg".into(),
                "invalid type: integer `7`".into()
            )
        );
        let plain = join_union_paths(
            "count".into(),
            "invalid type: string \"x\", expected u64".into(),
        );
        assert_eq!(
            plain,
            (
                "count".into(),
                "invalid type: string \"x\", expected u64".into()
            )
        );
        let top = join_union_paths(".".into(), "msg: missing field `type`".into());
        assert_eq!(top, ("msg".into(), "missing field `type`".into()));
    }
}
