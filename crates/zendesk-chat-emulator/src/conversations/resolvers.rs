//! The roots of the emulated Conversations API's operations: what each query, mutation and
//! subscription field does over the account.

use std::cell::Cell;

use apollo_compiler::executable::OperationType;
use apollo_compiler::resolvers::{Execution, FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};
use serde_json::{Value, json};

use super::graphql::{JsonObject, Request, SCHEMA, error};
use super::{ChatEvent, Conversations, visitors};

/// Runs `startAgentSession` (the one operation served over HTTP) with `start`.
pub(super) fn execute_start(
    request: &Request,
    variables: &Value,
    start: impl Fn(&str) -> Result<Value, String>,
) -> Value {
    let root = StartRoot { start: &start };
    run(request, variables, OperationType::Mutation, &root)
}

/// Runs a query or a mutation of session `session_id`.
pub(super) fn execute(
    conversations: &Conversations,
    session_id: &str,
    subscriptions: &[String],
    request: &Request,
    variables: &Value,
) -> Value {
    let Ok(operation) = request.operation() else {
        return json!({"errors": [error("one operation a request")]});
    };
    match operation.operation_type {
        OperationType::Query => run(
            request,
            variables,
            OperationType::Query,
            &QueryRoot {
                conversations,
                subscriptions,
            },
        ),
        OperationType::Mutation => run(
            request,
            variables,
            OperationType::Mutation,
            &MutationRoot {
                conversations,
                session_id,
            },
        ),
        OperationType::Subscription => json!({"errors": [error("a subscription is not run once")]}),
    }
}

/// The data of subscription `request` for `event`, or `None` when the event is not for it
/// (another root field, or filtered out).
pub(super) fn execute_event(
    request: &Request,
    variables: &Value,
    event: &ChatEvent,
) -> Option<Value> {
    let root = SubscriptionRoot {
        event,
        skipped: Cell::new(false),
    };
    let response = run(request, variables, OperationType::Subscription, &root);
    (!root.skipped.get()).then_some(response)
}

fn run(request: &Request, variables: &Value, kind: OperationType, root: &dyn ObjectValue) -> Value {
    let variables = match JsonValue::from(variables.clone()) {
        JsonValue::Object(map) => map,
        _ => JsonMap::new(),
    };
    let Ok(operation) = request.operation() else {
        return json!({"errors": [error("one operation a request")]});
    };
    if operation.operation_type != kind {
        return json!({"errors": [error(format!("a {} is not served here", operation.operation_type))]});
    }
    match Execution::new(&SCHEMA, &request.document)
        .operation(operation)
        .raw_variable_values(&variables)
        .execute_sync(root)
    {
        Ok(response) => serde_json::to_value(&response)
            .unwrap_or_else(|e| json!({"errors": [error(e.to_string())]})),
        Err(refused) => json!({"errors": [error(refused.message().to_string())]}),
    }
}

fn field_error(message: impl Into<String>) -> FieldError {
    FieldError {
        message: message.into(),
    }
}

fn object<'a>(type_name: &str, value: Value) -> ResolvedValue<'a> {
    ResolvedValue::object(JsonObject::new(type_name, value))
}

fn argument<'a>(info: &'a ResolveInfo<'a>, name: &str) -> Option<&'a JsonValue> {
    info.arguments().get(name).filter(|value| !value.is_null())
}

fn text_argument(info: &ResolveInfo<'_>, name: &str) -> Result<String, FieldError> {
    argument(info, name)
        .and_then(|value| match value {
            JsonValue::String(text) => Some(text.as_str().to_owned()),
            JsonValue::Number(number) => Some(number.to_string()),
            _ => None,
        })
        .ok_or_else(|| field_error(format!("argument `{name}` is required")))
}

fn list_length(info: &ResolveInfo<'_>, name: &str) -> usize {
    argument(info, name)
        .and_then(JsonValue::as_array)
        .map_or(0, Vec::len)
}

/// The root of `startAgentSession` over HTTP.
struct StartRoot<'a> {
    start: &'a dyn Fn(&str) -> Result<Value, String>,
}

impl ObjectValue for StartRoot<'_> {
    fn type_name(&self) -> &str {
        "Mutation"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "startAgentSession" => {
                let token = text_argument(info, "access_token")?;
                let payload = (self.start)(&token).map_err(field_error)?;
                Ok(object("StartAgentSessionPayload", payload))
            }
            other => Err(field_error(format!(
                "{other} goes over the WebSocket; only startAgentSession is served over HTTP"
            ))),
        }
    }
}

/// The query root of a session.
struct QueryRoot<'a> {
    conversations: &'a Conversations,
    subscriptions: &'a [String],
}

impl ObjectValue for QueryRoot<'_> {
    fn type_name(&self) -> &str {
        "Query"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let page = |nodes: Vec<(String, Value)>| relay_page(nodes, info);
        match info.field_name() {
            "agents" => {
                let agents = visitors::agents(self.conversations);
                Ok(object("AgentConnection", page(agents)?))
            }
            "departments" => {
                let departments = visitors::departments(self.conversations);
                Ok(object("DepartmentConnection", page(departments)?))
            }
            "channels" => {
                let channels = visitors::channels(self.conversations);
                Ok(object("ChannelConnection", page(channels)?))
            }
            "graphQLSubscriptions" => {
                Ok(ResolvedValue::list(self.subscriptions.iter().map(|id| {
                    object("GraphQLSubscription", json!({"id": id}))
                })))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// A Relay page of `nodes` (each with its cursor) by the field's `first` and `after`.
fn relay_page(nodes: Vec<(String, Value)>, info: &ResolveInfo<'_>) -> Result<Value, FieldError> {
    let first = argument(info, "first")
        .and_then(JsonValue::as_i64)
        .unwrap_or(50);
    if first < 0 {
        return Err(field_error("`first` must not be negative"));
    }
    let start = match argument(info, "after").and_then(JsonValue::as_str) {
        Some(after) => nodes
            .iter()
            .position(|(cursor, _)| cursor == after)
            .map(|at| at + 1)
            .ok_or_else(|| field_error(format!("unknown cursor {after:?}")))?,
        None => 0,
    };
    let slice: Vec<&(String, Value)> = nodes.iter().skip(start).take(first as usize).collect();
    let edges: Vec<Value> = slice
        .iter()
        .map(|(cursor, node)| json!({"cursor": cursor, "node": node}))
        .collect();
    Ok(json!({
        "edges": edges,
        "pageInfo": {
            "hasNextPage": start + slice.len() < nodes.len(),
            "hasPreviousPage": start > 0,
            "startCursor": slice.first().map(|(cursor, _)| cursor),
            "endCursor": slice.last().map(|(cursor, _)| cursor),
        },
    }))
}

/// The mutation root of a session.
struct MutationRoot<'a> {
    conversations: &'a Conversations,
    session_id: &'a str,
}

impl ObjectValue for MutationRoot<'_> {
    fn type_name(&self) -> &str {
        "Mutation"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let conversations = self.conversations;
        let success = |type_name: &str| Ok(object(type_name, json!({"success": true})));
        match info.field_name() {
            "startAgentSession" => Err(field_error(
                "startAgentSession goes over HTTP (POST /graphql/request), not the WebSocket",
            )),
            "stopAgentSession" => {
                conversations.update_session(self.session_id, |session| session.ended = true);
                success("StopAgentSessionPayload")
            }
            "updateAgentStatus" => {
                let status = text_argument(info, "status")?;
                conversations.update_session(self.session_id, |session| session.status = status);
                let session = conversations
                    .session(self.session_id)
                    .ok_or_else(|| field_error("no such session"))?;
                let agent = visitors::agent_node(conversations, session.agent_id);
                Ok(object("UpdateAgentStatusPayload", json!({"node": agent})))
            }
            "sendMessage" => {
                let channel = text_argument(info, "channel_id")?;
                let msg = text_argument(info, "msg")?;
                let msg_id = text_argument(info, "msg_id").ok();
                self.agent_says(&channel, &msg, msg_id)?;
                success("SendMessagePayload")
            }
            "addTags" => {
                let channel = text_argument(info, "channel_id")?;
                let tags: Vec<String> = argument(info, "tags")
                    .and_then(JsonValue::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|tag| tag.as_str().map(str::to_owned))
                    .collect();
                if let Some(bad) = tags.iter().find(|tag| {
                    tag.is_empty()
                        || !tag
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                }) {
                    return Err(field_error(format!(
                        "tag {bad:?}: only alphanumeric characters, hyphens and underscores are allowed"
                    )));
                }
                visitors::add_tags(conversations, &channel, &tags).map_err(field_error)?;
                success("AddTagsPayload")
            }
            "inviteAgent" | "leaveChannel" | "listenVisitorChannel" | "setTypingIndicator" => {
                let channel = text_argument(info, "channel_id")?;
                visitors::channel_exists(conversations, &channel).map_err(field_error)?;
                let payload = match info.field_name() {
                    "inviteAgent" => "InviteAgentPayload",
                    "leaveChannel" => "LeaveChannelPayload",
                    "listenVisitorChannel" => "ListenVisitorChannelPayload",
                    _ => "SuccessPayload",
                };
                success(payload)
            }
            "transferToDepartment" => {
                let channel = text_argument(info, "channel_id")?;
                let department = text_argument(info, "department_id")?;
                visitors::transfer(conversations, &channel, &department).map_err(field_error)?;
                success("SuccessPayload")
            }
            "sendQuickReplies"
            | "sendButtonTemplate"
            | "sendPanelTemplate"
            | "sendPanelTemplateCarousel"
            | "sendListTemplate" => {
                structured_counts(info)?;
                let channel = text_argument(info, "channel_id")?;
                let text = text_argument(info, "msg").or_else(|_| {
                    argument(info, "fallback")
                        .and_then(|fallback| fallback.get("msg"))
                        .and_then(JsonValue::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| field_error("a fallback is needed"))
                })?;
                self.agent_says(&channel, &text, None)?;
                success("SuccessPayload")
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

impl MutationRoot<'_> {
    fn agent_says(
        &self,
        channel: &str,
        msg: &str,
        msg_id: Option<String>,
    ) -> Result<(), FieldError> {
        let session = self
            .conversations
            .session(self.session_id)
            .ok_or_else(|| field_error("no such session"))?;
        visitors::agent_message(self.conversations, session.agent_id, channel, msg, msg_id)
            .map_err(field_error)
    }
}

/// The documented counts of structured messages, enforced as the API does.
fn structured_counts(info: &ResolveInfo<'_>) -> Result<(), FieldError> {
    let check = |what: &str, got: usize, low: usize, high: usize| {
        if (low..=high).contains(&got) {
            Ok(())
        } else {
            Err(field_error(format!(
                "{what}: {got} given, {low} to {high} allowed"
            )))
        }
    };
    match info.field_name() {
        "sendQuickReplies" => check("quick_replies", list_length(info, "quick_replies"), 1, 11),
        "sendButtonTemplate" => check("buttons", list_length(info, "buttons"), 1, 3),
        "sendPanelTemplate" => check("buttons", list_length(info, "buttons"), 0, 3),
        "sendPanelTemplateCarousel" => check("items", list_length(info, "items"), 2, 10),
        "sendListTemplate" => {
            check("items", list_length(info, "items"), 2, 4)?;
            check("buttons", list_length(info, "buttons"), 0, 1)
        }
        _ => Ok(()),
    }
}

/// The root of a subscription's run for one event.
struct SubscriptionRoot<'e> {
    event: &'e ChatEvent,
    skipped: Cell<bool>,
}

impl ObjectValue for SubscriptionRoot<'_> {
    fn type_name(&self) -> &str {
        "Subscription"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        match (info.field_name(), self.event) {
            ("message", ChatEvent::Message(message)) => Ok(object(
                "MessageSubscriptionPayload",
                json!({"node": message}),
            )),
            ("chatActivity", ChatEvent::Activity(log)) => {
                let kind = match log["__typename"].as_str() {
                    Some("MemberJoinLog") => "MEMBER_JOIN",
                    Some("MemberLeaveLog") => "MEMBER_LEAVE",
                    _ => "OTHER",
                };
                let wanted = argument(info, "filter")
                    .and_then(|filter| filter.get("chat_activity_types"))
                    .and_then(JsonValue::as_array);
                if let Some(wanted) = wanted
                    && !wanted.iter().any(|k| k.as_str() == Some(kind))
                {
                    self.skipped.set(true);
                    return Ok(ResolvedValue::null());
                }
                Ok(object(
                    "ChatActivitySubscriptionPayload",
                    json!({"node": log}),
                ))
            }
            _ => {
                self.skipped.set(true);
                Ok(ResolvedValue::null())
            }
        }
    }
}
