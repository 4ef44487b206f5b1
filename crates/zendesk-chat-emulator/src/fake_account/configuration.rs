//! The rest of an account: its record and plan, departments, skills, roles, goals, shortcuts,
//! triggers, bans, routing settings and OAuth clients and tokens, each made to agree with the
//! agents, visitors and chats (an agent's `skills` and `role_id` name existing ones; the chats'
//! conversions name existing goals).

use serde_json::{Value, json};
use zendesk_chat::types;

use super::vocabulary::{GOALS, SKILLS};
use super::{Context, HISTORY_END_MICROS, pick, rng};
use crate::store::Store;
use crate::store::clock::iso_seconds;
use crate::store::collection::{Object, checked};
use crate::store::ids::random_id_part;

/// `value`, a JSON object, as the response model `T` accepts it.
fn object<T: serde::de::DeserializeOwned>(value: Value) -> Object {
    let Value::Object(object) = value else {
        unreachable!("generated records are JSON objects")
    };
    checked::<T>(object).expect("a generated record fits its model")
}

/// The first id of the generated skills; agents' `skills` are drawn from these.
pub(super) const FIRST_SKILL_ID: i64 = 900;

/// Fills in everything of the account but its agents, visitors, chats and exports.
pub(super) fn fill(store: &mut Store, context: &Context<'_>) {
    let mut rng = rng(context.seed, 7, 0);
    let created = iso_seconds(context.start);
    store.account = object::<types::Account>(json!({
        "account_key": random_id_part(&mut rng, 32),
        "status": "active",
        "create_date": created,
        "billing": {
            "first_name": "Ada", "last_name": "Lovelace", "company": "Example Chocolates",
            "email": "billing@example.com", "address1": "1 Cocoa Lane", "city": "London",
            "postal_code": "N1 9GU", "country_code": "GB", "cycle": 1,
        },
        "plan": {
            "name": "enterprise", "price": 70.0, "max_agents": 60, "goals": 5,
            "max_departments": "unlimited", "max_basic_triggers": "unlimited",
            "max_advanced_triggers": "unlimited", "max_concurrent_chats": "unlimited",
            "max_history_search_days": 365, "widget_customization": "full",
            "sla": true, "rest_api": true, "analytics": true, "file_upload": true,
        },
    }));

    for (id, name) in context.departments {
        let members: Vec<i64> = members_where(context, |agent| agent.departments.contains(id));
        let department = object::<types::Department>(json!({
            "id": id, "name": name, "description": format!("The {name} team"),
            "enabled": true, "members": members,
            "settings": {"chat_enabled": true, "solved_ticket_reassignment_strategy": "", "support_group_id": id},
        }));
        store.departments.insert(*id, department);
    }

    for (i, name) in SKILLS.iter().enumerate() {
        let id = FIRST_SKILL_ID + i as i64;
        let skill = object::<types::Skill>(json!({
            "id": id, "name": name, "description": format!("Speaks {name}"), "enabled": true,
            "members": members_where(context, |agent| agent.skills.contains(&id)),
        }));
        store.skills.insert(id, skill);
    }

    for (id, name, description) in [
        (1, "Owner", "The account's owner"),
        (2, "Administrator", "Manages the account"),
        (3, "Agent", "Agent is the most basic role"),
        (4, "Team lead", "Leads a team of agents"),
    ] {
        let members_count = context
            .agents
            .iter()
            .filter(|agent| agent.role_id == Some(id))
            .count();
        let role = object::<types::Role>(json!({
            "id": id, "name": name, "description": description, "enabled": true,
            "members_count": members_count,
            "permissions": {
                "visitors_seen": "account", "proactive_chatting": "listen-join",
                "edit_visitor_information": true, "edit_visitor_notes": true,
                "view_past_chats": if id <= 2 { "account" } else { "department" },
                "edit_chat_tags": id <= 2, "manage_bans": "account",
                "access_analytics": if id <= 2 { "account" } else { "none" },
                "view_monitor": "account", "edit_department_agents": "none",
                "set_agent_chat_limit": "none", "manage_shortcuts": "account",
            },
        }));
        store.roles.insert(id, role);
    }

    for (id, name) in GOALS {
        let goal = object::<types::Goal>(json!({
            "id": id, "name": name, "description": format!("A visitor's {name}"),
            "enabled": true, "attribution_model": "first_touch", "attribution_period": 15,
            "settings": {"conditions": [{"type": "url", "operator": "contains", "value": format!("/{}", name.replace(' ', "-"))}]},
        }));
        store.goals.insert(*id, goal);
    }

    let owner = store.owner_id();
    for (name, message, options, scope) in [
        (
            "goodbye",
            "Thanks for chatting with us. Have we resolved your question(s)?",
            "Yes/No",
            "all",
        ),
        ("hello", "Hi! How can I help you today?", "", "all"),
        (
            "refund",
            "I have started your refund; it takes 3 to 5 days.",
            "",
            "department",
        ),
        ("my sign off", "Have a lovely day!", "", "agent"),
    ] {
        let mut shortcut = json!({
            "id": name, "name": name, "message": message, "options": options,
            "scope": scope, "tags": [name.replace(' ', "_")],
        });
        if scope == "department" {
            shortcut["departments"] = json!([context.departments[0].0]);
        }
        if scope == "agent" {
            shortcut["agents"] = json!([owner]);
        }
        store
            .shortcuts
            .insert(name.to_owned(), object::<types::Shortcut>(shortcut));
    }

    for (id, name, event, condition, actions) in [
        (
            66_052_481,
            "First Reply",
            "chat_requested",
            json!([
                "and",
                ["eq", "@visitor_requesting_chat", true],
                ["eq", "@visitor_served", false],
                ["not", ["firedBefore"]]
            ]),
            json!([
                ["wait", 5],
                [
                    "sendMessageToVisitor",
                    "Customer Service",
                    "Thanks for your message, an agent will be with you shortly."
                ]
            ]),
        ),
        (
            66_052_601,
            "Greet returning visitors",
            "page_enter",
            json!([
                "and",
                ["gt", "@visitor_previous_visits", 0],
                ["not", ["firedBefore"]]
            ]),
            json!([["sendMessageToVisitor", "Customer Service", "Welcome back!"]]),
        ),
    ] {
        let trigger = object::<types::Trigger>(json!({
            "id": id, "name": name, "description": format!("{name}, automatically"), "enabled": true,
            "definition": {"event": event, "condition": condition, "actions": actions, "version": 1, "editor": "advanced"},
        }));
        store.triggers.insert(id, trigger);
    }

    for i in 0..context.visitors.len().min(3) {
        let visitor = pick(&mut rng, context.visitors);
        let id = 124_503_543 + i as i64;
        let ban = object::<types::Ban>(json!({
            "id": id, "type": "visitor", "visitor_id": visitor.id.as_ref().map(ToString::to_string),
            "visitor_name": visitor.name, "reason": "Spam", "created_at": iso_seconds(HISTORY_END_MICROS - (i as i64 + 1) * 86_400_000_000),
        }));
        store.bans.insert(id, ban);
    }
    for (i, address) in ["192.123.123.5", "203.0.113.77"].iter().enumerate() {
        let id = 70_519_881 + i as i64;
        let ban = object::<types::Ban>(json!({
            "id": id, "type": "ip_address", "ip_address": address, "reason": "Spammer",
            "created_at": if i == 0 { Value::Null } else { Value::from(iso_seconds(HISTORY_END_MICROS - 86_400_000_000)) },
        }));
        store.bans.insert(id, ban);
    }

    for (id, name) in [(1, "Reporting"), (2, "Helpdesk sync")] {
        let client = object::<types::OauthClient>(json!({
            "id": id, "name": name, "company": "Example Chocolates", "agent_id": owner,
            "client_identifier": random_id_part(&mut rng, 16),
            "client_secret": random_id_part(&mut rng, 32),
            "client_type": if id == 1 { "confidential" } else { "public" },
            "redirect_uris": "http://localhost/redirect", "scopes": "read write",
            "create_date": created, "update_date": created,
        }));
        let identifier = client["client_identifier"].clone();
        store.oauth_clients.insert(id, client);
        let token = object::<types::OauthToken>(json!({
            "id": 38 + id, "agent_id": owner, "client_identifier": identifier,
            "access_token": random_id_part(&mut rng, 32),
            "refresh_token": random_id_part(&mut rng, 32),
            "token_type": "Bearer", "scopes": "read write",
            "create_date": iso_seconds(HISTORY_END_MICROS - 3_600_000_000),
            "expire_date": iso_seconds(HISTORY_END_MICROS + 7_200_000_000),
        }));
        store.oauth_tokens.insert(38 + id, token);
    }
}

/// The ids of the agents `is_member` says yes to.
fn members_where(context: &Context<'_>, is_member: impl Fn(&types::Agent) -> bool) -> Vec<i64> {
    context
        .agents
        .iter()
        .filter(|agent| is_member(agent))
        .filter_map(|agent| agent.id)
        .collect()
}
