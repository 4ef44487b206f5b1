//! Routing settings: the account's, and each agent's. Answers are wrapped in `data`; changes
//! are nested JSON, merged field by field, and checked against the ranges the pages give.

use serde_json::{Value, json};
use zendesk_chat::types;

use super::collection::{Object, checked, merge, request_fields};
use super::{Answer, ErrorAnswer, Outcome, Store};

/// The settings' numbers and their ranges, as the reference pages give them.
const RANGES: &[(&str, &str, std::ops::RangeInclusive<i64>)] = &[
    ("chat_limit", "limit", 0..=20),
    ("skill_routing", "max_wait_time", 5..=300),
    ("reassignment", "timeout", 10..=120),
    ("auto_idle", "reassignments_before_idle", 1..=20),
];

/// The account's routing settings of a new account.
pub fn default_account_settings() -> Object {
    let settings = json!({
        "routing_mode": "assigned",
        "chat_limit": {"enabled": false, "limit": 3, "limit_type": "account", "allow_agent_override": false},
        "skill_routing": {"enabled": true, "max_wait_time": 30},
        "reassignment": {"enabled": true, "timeout": 30},
        "auto_idle": {"enabled": false, "reassignments_before_idle": 3, "new_status": "away"},
        "auto_accept": {"enabled": false},
    });
    match settings {
        Value::Object(settings) => settings,
        _ => unreachable!("a JSON object literal"),
    }
}

/// 422 for a number out of its range.
fn check_ranges(settings: &Object) -> Result<(), ErrorAnswer> {
    for (group, field, range) in RANGES {
        let value = settings
            .get(*group)
            .and_then(|group| group.get(*field))
            .and_then(Value::as_i64);
        if let Some(value) = value.filter(|value| !range.contains(value)) {
            return Err(ErrorAnswer::unprocessable(format!(
                "{group}.{field} must be between {} and {} (was {value})",
                range.start(),
                range.end()
            )));
        }
    }
    Ok(())
}

/// `{"data": settings}`.
fn wrapped(settings: impl serde::Serialize) -> Answer {
    Answer::json(200, &json!({ "data": settings }))
}

impl Store {
    /// `GET /routing_settings/account`.
    pub fn get_account_routing_settings(&self) -> Outcome {
        Ok(wrapped(&self.routing))
    }

    /// `PATCH /routing_settings/account`.
    pub fn update_account_routing_settings(&mut self, body: &[u8]) -> Outcome {
        let changes = request_fields::<types::AccountRoutingSettings>(body, Some(&self.routing))?;
        let mut updated = self.routing.clone();
        merge(&mut updated, changes);
        check_ranges(&updated)?;
        self.routing = checked::<types::AccountRoutingSettings>(updated)?;
        Ok(wrapped(&self.routing))
    }

    /// `GET /routing_settings/agents`: every agent's.
    pub fn list_agent_routing_settings(&self) -> Outcome {
        let all: Vec<Object> = self
            .agents
            .keys()
            .filter_map(|id| self.agent_routing_settings(*id))
            .collect();
        Ok(wrapped(all))
    }

    /// `GET /routing_settings/agents/{id}` (and `me`, with the requesting agent's id).
    pub fn get_agent_routing_settings(&self, agent_id: i64) -> Outcome {
        self.agent_routing_settings(agent_id)
            .map(wrapped)
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `PATCH /routing_settings/agents/{id}` (and `me`).
    pub fn update_agent_routing_settings(&mut self, agent_id: i64, body: &[u8]) -> Outcome {
        let stored = self
            .agent_routing_settings(agent_id)
            .ok_or_else(ErrorAnswer::not_found)?;
        let changes = request_fields::<types::AgentRoutingSettings>(body, Some(&stored))?;
        let mut updated = stored;
        merge(&mut updated, changes);
        updated.insert("id".into(), Value::from(agent_id));
        check_ranges(&updated)?;
        let updated = checked::<types::AgentRoutingSettings>(updated)?;
        self.agent_routing.insert(agent_id, updated.clone());
        Ok(wrapped(updated))
    }

    /// An agent's settings: as changed, or the agent's skills and the account's chat limit.
    fn agent_routing_settings(&self, agent_id: i64) -> Option<Object> {
        let agent = self.agents.get(&agent_id)?;
        if let Some(settings) = self.agent_routing.get(&agent_id) {
            return Some(settings.clone());
        }
        let chat_limit = self.routing.get("chat_limit").cloned().unwrap_or(json!({}));
        match json!({"id": agent_id, "skills": agent.skills, "chat_limit": chat_limit}) {
            Value::Object(settings) => Some(settings),
            _ => None,
        }
    }
}
