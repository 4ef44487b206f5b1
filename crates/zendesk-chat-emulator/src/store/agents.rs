//! The agents operations: list (whole, or paged by `since_id`/`max_id`), show by id, by email and
//! `me`, create, update, delete, and delete an agent's shortcuts. On an account created from
//! Zendesk Support, agents are read-only.

use std::collections::HashMap;

use zendesk_chat::types;

use super::clock::iso_seconds;
use super::{Answer, ErrorAnswer, Outcome, Store, collection, parse_body};

impl Store {
    /// 403 on an account whose agents are read-only (created from Zendesk Support).
    fn check_agents_writable(&self) -> Result<(), ErrorAnswer> {
        if self.agents_read_only {
            return Err(ErrorAnswer::forbidden(
                "this Chat account was created from Zendesk Support: agents are managed there",
            ));
        }
        Ok(())
    }

    /// `GET /agents`: the whole set without paging parameters; with any, a page of `limit` (10 by
    /// default) from `since_id` forward or up to `max_id` backward, with the next and previous
    /// page paths in `X-Next-Page` and `X-Prev-Page`.
    pub fn list_agents(&self, query: &HashMap<String, String>) -> Outcome {
        let number = |name: &str| -> Result<Option<i64>, ErrorAnswer> {
            query
                .get(name)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| ErrorAnswer::bad_request(format!("{name} must be an integer")))
                })
                .transpose()
        };
        let (since_id, max_id, limit) = (number("since_id")?, number("max_id")?, number("limit")?);
        if limit.is_some_and(|l| l < 1) {
            return Err(ErrorAnswer::bad_request("limit must be at least 1"));
        }
        // Real accounts answer `limit=500` with 400; 100 is the largest page known to be served.
        if limit.is_some_and(|l| l > i64::from(zendesk_chat::limits::AGENTS_MAX_PAGE_SIZE)) {
            return Err(ErrorAnswer::bad_request("limit must be at most 100"));
        }
        let paged = since_id.is_some() || max_id.is_some() || limit.is_some();
        let limit = limit.unwrap_or(if paged { 10 } else { i64::MAX }) as usize;
        let page: Vec<&types::Agent> = match (since_id, max_id) {
            (_, Some(max)) => {
                let mut page: Vec<_> = self
                    .agents
                    .range(since_id.unwrap_or(i64::MIN)..=max)
                    .rev()
                    .take(limit)
                    .map(|(_, a)| a)
                    .collect();
                page.reverse();
                page
            }
            (since, None) => self
                .agents
                .range(since.unwrap_or(i64::MIN)..)
                .take(limit)
                .map(|(_, a)| a)
                .collect(),
        };
        let mut answer = Answer::json(200, &page);
        if paged {
            if let Some(last) = page
                .last()
                .and_then(|a| a.id)
                .filter(|id| self.agents.range(id + 1..).next().is_some())
            {
                answer.headers.push((
                    "x-next-page",
                    format!("/api/v2/chat/agents?since_id={}&limit={limit}", last + 1),
                ));
            }
            if let Some(first) = page
                .first()
                .and_then(|a| a.id)
                .filter(|id| self.agents.range(..id).next().is_some())
            {
                answer.headers.push((
                    "x-prev-page",
                    format!("/api/v2/chat/agents?max_id={}&limit={limit}", first - 1),
                ));
            }
        }
        Ok(answer)
    }

    /// `GET /agents/{id}`.
    pub fn get_agent(&self, id: i64) -> Outcome {
        self.agents
            .get(&id)
            .map(|a| Answer::json(200, a))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `GET /agents/email/{email}`.
    pub fn get_agent_by_email(&self, email: &str) -> Outcome {
        self.agents
            .values()
            .find(|a| {
                a.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .map(|a| Answer::json(200, a))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `POST /agents`: `email` and `password` are required, and the email must be free.
    pub fn create_agent(&mut self, body: &[u8]) -> Outcome {
        self.check_agents_writable()?;
        let request: types::CreateAgentRequest = parse_body(body)?;
        if request.password.expose().is_empty() || request.email.is_empty() {
            return Err(ErrorAnswer::unprocessable(
                "email and password are required",
            ));
        }
        if self
            .agents
            .values()
            .any(|a| a.email.as_deref() == Some(request.email.as_str()))
        {
            return Err(ErrorAnswer::unprocessable("email is already taken"));
        }
        let id = self.next_agent_id;
        let agent = types::Agent {
            id: Some(id),
            email: Some(request.email),
            display_name: request.display_name,
            first_name: request.first_name,
            last_name: request.last_name,
            enabled: Some(request.enabled.unwrap_or(types::Flag::Integer(1))),
            role_id: request.role_id,
            roles: Some(types::AgentRoles {
                owner: Some(false),
                administrator: Some(false),
                extra: Default::default(),
            }),
            departments: Vec::new(),
            enabled_departments: Vec::new(),
            skills: Vec::new(),
            create_date: Some(iso_seconds(self.clock.change_micros()).into()),
            last_login: None,
            extra: Default::default(),
        };
        self.insert_agent(agent.clone());
        Ok(Answer::json(201, &agent))
    }

    /// `PUT /agents/{id}`.
    pub fn update_agent(&mut self, id: i64, body: &[u8]) -> Outcome {
        self.check_agents_writable()?;
        let request: types::UpdateAgentRequest = parse_body(body)?;
        if let Some(email) = &request.email
            && self
                .agents
                .values()
                .any(|a| a.id != Some(id) && a.email.as_ref() == Some(email))
        {
            return Err(ErrorAnswer::unprocessable("email is already taken"));
        }
        let agent = self
            .agents
            .get_mut(&id)
            .ok_or_else(ErrorAnswer::not_found)?;
        let types::UpdateAgentRequest {
            email,
            display_name,
            first_name,
            last_name,
            enabled,
            role_id,
        } = request;
        agent.email = email.or(agent.email.take());
        agent.display_name = display_name.or(agent.display_name.take());
        agent.first_name = first_name.or(agent.first_name.take());
        agent.last_name = last_name.or(agent.last_name.take());
        agent.enabled = enabled.or(agent.enabled.take());
        agent.role_id = role_id.or(agent.role_id);
        Ok(Answer::json(200, agent))
    }

    /// `DELETE /agents/{id}`.
    pub fn delete_agent(&mut self, id: i64) -> Outcome {
        self.check_agents_writable()?;
        self.agents.remove(&id).ok_or_else(ErrorAnswer::not_found)?;
        Ok(Answer::no_content())
    }

    /// `DELETE /agents/{id}/shortcuts`: the shortcuts only this agent can use (scope "agent").
    pub fn delete_agent_shortcuts(&mut self, id: i64) -> Outcome {
        self.check_agents_writable()?;
        if !self.agents.contains_key(&id) {
            return Err(ErrorAnswer::not_found());
        }
        self.shortcuts.retain(|_, shortcut| {
            let scope_is_agent = collection::text(shortcut, "scope") == Some("agent");
            let first_agent = shortcut
                .get("agents")
                .and_then(|agents| agents.get(0))
                .and_then(serde_json::Value::as_i64);
            !(scope_is_agent && first_agent == Some(id))
        });
        Ok(Answer::no_content())
    }
}
