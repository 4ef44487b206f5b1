//! The frames of the Conversations API's WebSocket, as JSON text.
//!
//! - a request: `{"type":"request","id":"7","payload":{"query":…,"variables":…}}`;
//! - its answer: `{"id":"7","payload":{"data":…}}` or `{"id":"7","payload":{"errors":[…]}}`; a
//!   subscription's answer carries `payload.data.subscription_id`;
//! - a subscription's events: `{"sig":"DATA","subscription_id":…,"payload":{"data":…}}`;
//! - stopping one: `{"type":"stop_subscription","payload":{"subscription_id":…},"id":"8"}`;
//! - keep-alive: `{"sig":"PING","payload":x}`, echoed as `{"sig":"PONG","payload":x}`;
//! - the end of the session: `{"sig":"EOS","reason":"concurrent session limit reached"}`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::GraphQLError;

/// A frame the client sends.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum Outgoing<'a> {
    /// A query, a mutation or a subscription.
    Request {
        #[serde(rename = "type")]
        kind: &'static str,
        id: String,
        payload: RequestPayload<'a>,
    },
    /// The end of a subscription.
    StopSubscription {
        #[serde(rename = "type")]
        kind: &'static str,
        id: String,
        payload: StopPayload<'a>,
    },
    /// A keep-alive.
    Ping { sig: &'static str, payload: u64 },
}

/// The GraphQL request of a request frame.
#[derive(Debug, Serialize)]
pub(crate) struct RequestPayload<'a> {
    pub(crate) query: &'a str,
    pub(crate) variables: &'a Value,
}

/// The subscription a stop frame ends.
#[derive(Debug, Serialize)]
pub(crate) struct StopPayload<'a> {
    pub(crate) subscription_id: &'a str,
}

impl<'a> Outgoing<'a> {
    pub(crate) fn request(id: u64, query: &'a str, variables: &'a Value) -> Self {
        Self::Request {
            kind: "request",
            id: id.to_string(),
            payload: RequestPayload { query, variables },
        }
    }

    pub(crate) fn stop(id: u64, subscription_id: &'a str) -> Self {
        Self::StopSubscription {
            kind: "stop_subscription",
            id: id.to_string(),
            payload: StopPayload { subscription_id },
        }
    }

    pub(crate) fn ping(payload: u64) -> Self {
        Self::Ping {
            sig: "PING",
            payload,
        }
    }

    pub(crate) fn to_text(&self) -> String {
        serde_json::to_string(self).expect("frames serialize")
    }
}

/// A frame the server sends.
#[derive(Debug, PartialEq)]
pub(crate) enum Incoming {
    /// The answer to request `id`.
    Answer { id: String, payload: GraphQLPayload },
    /// An event of a subscription.
    Data {
        subscription_id: String,
        payload: GraphQLPayload,
    },
    /// The echo of a keep-alive.
    Pong,
    /// The session is over.
    EndOfSession { reason: Option<String> },
    /// A frame this version does not know.
    Other,
}

/// A GraphQL response: data, errors, or both.
#[derive(Debug, Default, PartialEq, Deserialize)]
pub(crate) struct GraphQLPayload {
    #[serde(default)]
    pub(crate) data: Option<Value>,
    #[serde(default)]
    pub(crate) errors: Vec<GraphQLError>,
}

/// The frame as read, before it is told apart.
#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    sig: Option<Value>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    subscription_id: Option<Value>,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default)]
    reason: Option<Value>,
}

impl Incoming {
    /// Reads a text frame; `Err` for text that is not a JSON object.
    pub(crate) fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let raw: Raw = serde_json::from_str(text)?;
        let text_of = |value: Option<Value>| match value {
            Some(Value::String(text)) => Some(text),
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        // A payload that is not a GraphQL response still answers its request, with an error,
        // so that the caller is not left waiting.
        let payload = |value: Option<Value>| -> Result<GraphQLPayload, serde_json::Error> {
            Ok(match value {
                Some(value) => {
                    serde_json::from_value(value).unwrap_or_else(|error| GraphQLPayload {
                        data: None,
                        errors: vec![GraphQLError::new(format!(
                            "the answer's payload is not a GraphQL response: {error}"
                        ))],
                    })
                }
                None => GraphQLPayload::default(),
            })
        };
        let reason = raw.reason.map(|reason| match reason {
            Value::String(text) => text,
            other => other.to_string(),
        });
        Ok(match raw.sig.as_ref().and_then(Value::as_str) {
            Some("PONG") => Self::Pong,
            Some("EOS") => Self::EndOfSession { reason },
            Some("DATA") => match text_of(raw.subscription_id) {
                Some(subscription_id) => Self::Data {
                    subscription_id,
                    payload: payload(raw.payload)?,
                },
                None => Self::Other,
            },
            Some(_) => Self::Other,
            None => match text_of(raw.id) {
                Some(id) => Self::Answer {
                    id,
                    payload: payload(raw.payload)?,
                },
                None => Self::Other,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_stops_and_pings_are_written_as_the_api_reads_them() {
        let variables = json!({"status": "ONLINE"});
        let request = Outgoing::request(7, "mutation X { x }", &variables).to_text();
        assert_eq!(
            serde_json::from_str::<Value>(&request).unwrap(),
            json!({"type": "request", "id": "7", "payload": {"query": "mutation X { x }", "variables": {"status": "ONLINE"}}})
        );
        let stop = Outgoing::stop(8, "sub-1").to_text();
        assert_eq!(
            serde_json::from_str::<Value>(&stop).unwrap(),
            json!({"type": "stop_subscription", "id": "8", "payload": {"subscription_id": "sub-1"}})
        );
        assert_eq!(Outgoing::ping(3).to_text(), r#"{"sig":"PING","payload":3}"#);
    }

    #[test]
    fn every_frame_of_the_protocol_is_told_apart() {
        assert_eq!(
            Incoming::parse(r#"{"id":"7","payload":{"data":{"x":1}}}"#).unwrap(),
            Incoming::Answer {
                id: "7".into(),
                payload: GraphQLPayload {
                    data: Some(json!({"x": 1})),
                    errors: vec![]
                }
            }
        );
        let Incoming::Answer { payload, .. } =
            Incoming::parse(r#"{"id":7,"payload":{"errors":[{"message":"no"}]}}"#).unwrap()
        else {
            panic!()
        };
        assert_eq!(payload.errors[0].message, "no");
        assert!(matches!(
            Incoming::parse(r#"{"sig":"DATA","subscription_id":"s","payload":{"data":{}}}"#).unwrap(),
            Incoming::Data { subscription_id, .. } if subscription_id == "s"
        ));
        assert_eq!(
            Incoming::parse(r#"{"sig":"PONG","payload":1}"#).unwrap(),
            Incoming::Pong
        );
        assert_eq!(
            Incoming::parse(r#"{"sig":"EOS","reason":"concurrent session limit reached"}"#)
                .unwrap(),
            Incoming::EndOfSession {
                reason: Some("concurrent session limit reached".into())
            }
        );
        assert_eq!(
            Incoming::parse(r#"{"sig":"HELLO"}"#).unwrap(),
            Incoming::Other
        );
        assert!(Incoming::parse("not json").is_err());
        let Incoming::Answer { payload, .. } =
            Incoming::parse(r#"{"id":"9","payload":"oops"}"#).unwrap()
        else {
            panic!()
        };
        assert!(payload.errors[0].message.contains("not a GraphQL response"));
    }
}
