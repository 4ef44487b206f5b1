//! The account's configuration resources, each a collection of JSON objects by id: departments
//! and skills (also by name), roles, goals, shortcuts (whose id is their name) and triggers (by
//! id or name). The API's caps are enforced as Zendesk words them: a 6th active goal is refused
//! ("Goals limit exceeded"), and past 15,000 shortcuts creating one answers 429.

use serde_json::Value;
use zendesk_chat::limits::{MAX_ACTIVE_GOALS, MAX_SHORTCUTS};
use zendesk_chat::types;

use super::collection::{self, Object, answer, checked, is_enabled, merge, request_fields};
use super::{ErrorAnswer, Outcome, Store};

/// The first id of each resource's objects created by the emulator.
const FIRST_DEPARTMENT_ID: i64 = 360_000_000_000;
const FIRST_SKILL_ID: i64 = 1_300_000;
const FIRST_ROLE_ID: i64 = 360_002_848_000;
const FIRST_GOAL_ID: i64 = 200;
const FIRST_TRIGGER_ID: i64 = 66_052_000;

/// The roles every account has, which can be neither disabled nor deleted.
pub const BUILT_IN_ROLES: [&str; 3] = ["Owner", "Administrator", "Agent"];

/// An integer id from a path, or none (which no object has).
fn int(text: &str) -> Option<i64> {
    text.parse().ok()
}

impl Store {
    // ---- departments ---------------------------------------------------------------------------

    /// `GET /departments`.
    pub fn list_departments(&self) -> Outcome {
        self.departments.list()
    }

    /// `POST /departments`.
    pub fn create_department(&mut self, body: &[u8]) -> Outcome {
        self.departments
            .create::<types::CreateDepartmentRequest, types::Department>(
                body,
                FIRST_DEPARTMENT_ID,
                |department| {
                    department.entry("enabled").or_insert(Value::Bool(true));
                    department
                        .entry("members")
                        .or_insert(Value::Array(Vec::new()));
                    department
                        .entry("settings")
                        .or_insert(serde_json::json!({"chat_enabled": true}));
                },
            )
    }

    /// `GET /departments/{id}`.
    pub fn get_department(&self, id: &str) -> Outcome {
        self.departments.show(int(id))
    }

    /// `PUT /departments/{id}`.
    pub fn update_department(&mut self, id: &str, body: &[u8]) -> Outcome {
        self.departments
            .update::<types::UpdateDepartmentRequest, types::Department>(int(id), body)
    }

    /// `DELETE /departments/{id}`.
    pub fn delete_department(&mut self, id: &str) -> Outcome {
        self.departments.delete(int(id))
    }

    /// `GET /departments/name/{name}`.
    pub fn get_department_by_name(&self, name: &str) -> Outcome {
        self.departments.show(self.departments.find("name", name))
    }

    /// `PUT /departments/name/{name}`.
    pub fn update_department_by_name(&mut self, name: &str, body: &[u8]) -> Outcome {
        let id = self.departments.find("name", name);
        self.departments
            .update::<types::UpdateDepartmentRequest, types::Department>(id, body)
    }

    /// `DELETE /departments/name/{name}`.
    pub fn delete_department_by_name(&mut self, name: &str) -> Outcome {
        self.departments.delete(self.departments.find("name", name))
    }

    // ---- skills --------------------------------------------------------------------------------

    /// `GET /skills`.
    pub fn list_skills(&self) -> Outcome {
        self.skills.list()
    }

    /// `POST /skills`.
    pub fn create_skill(&mut self, body: &[u8]) -> Outcome {
        self.skills
            .create::<types::CreateSkillRequest, types::Skill>(body, FIRST_SKILL_ID, |skill| {
                skill.entry("enabled").or_insert(Value::Bool(true));
                skill.entry("members").or_insert(Value::Array(Vec::new()));
            })
    }

    /// `GET /skills/{id}`.
    pub fn get_skill(&self, id: &str) -> Outcome {
        self.skills.show(int(id))
    }

    /// `PUT /skills/{id}`.
    pub fn update_skill(&mut self, id: &str, body: &[u8]) -> Outcome {
        self.skills
            .update::<types::UpdateSkillRequest, types::Skill>(int(id), body)
    }

    /// `DELETE /skills/{id}`.
    pub fn delete_skill(&mut self, id: &str) -> Outcome {
        self.skills.delete(int(id))
    }

    /// `GET /skills/name/{name}`.
    pub fn get_skill_by_name(&self, name: &str) -> Outcome {
        self.skills.show(self.skills.find("name", name))
    }

    /// `PUT /skills/name/{name}`.
    pub fn update_skill_by_name(&mut self, name: &str, body: &[u8]) -> Outcome {
        let id = self.skills.find("name", name);
        self.skills
            .update::<types::UpdateSkillRequest, types::Skill>(id, body)
    }

    /// `DELETE /skills/name/{name}`.
    pub fn delete_skill_by_name(&mut self, name: &str) -> Outcome {
        self.skills.delete(self.skills.find("name", name))
    }

    // ---- roles ---------------------------------------------------------------------------------

    /// `GET /roles`.
    pub fn list_roles(&self) -> Outcome {
        self.roles.list()
    }

    /// `POST /roles`.
    pub fn create_role(&mut self, body: &[u8]) -> Outcome {
        self.roles
            .create::<types::CreateRoleRequest, types::Role>(body, FIRST_ROLE_ID, |role| {
                role.entry("enabled").or_insert(Value::Bool(true));
                role.insert("members_count".into(), Value::from(0));
                role.entry("permissions")
                    .or_insert(Value::Object(Object::new()));
            })
    }

    /// `GET /roles/{id}`.
    pub fn get_role(&self, id: &str) -> Outcome {
        self.roles.show(int(id))
    }

    /// `PUT /roles/{id}`: a built-in role cannot be disabled.
    pub fn update_role(&mut self, id: &str, body: &[u8]) -> Outcome {
        let role = int(id).and_then(|id| self.roles.get(&id));
        if let Some(role) = role.filter(|role| is_built_in(role)) {
            let changes = request_fields::<types::UpdateRoleRequest>(body, Some(role))?;
            let mut updated = role.clone();
            merge(&mut updated, changes);
            if !is_enabled(&updated) {
                return Err(ErrorAnswer::bad_request(
                    "a built-in role cannot be disabled",
                ));
            }
        }
        self.roles
            .update::<types::UpdateRoleRequest, types::Role>(int(id), body)
    }

    /// `DELETE /roles/{id}`: a built-in role cannot be deleted.
    pub fn delete_role(&mut self, id: &str) -> Outcome {
        if int(id)
            .and_then(|id| self.roles.get(&id))
            .is_some_and(is_built_in)
        {
            return Err(ErrorAnswer::bad_request(
                "a built-in role cannot be deleted",
            ));
        }
        self.roles.delete(int(id))
    }

    // ---- goals ---------------------------------------------------------------------------------

    /// `GET /goals`.
    pub fn list_goals(&self) -> Outcome {
        self.goals.list()
    }

    /// `POST /goals`: refused when it would be a 6th enabled goal.
    pub fn create_goal(&mut self, body: &[u8]) -> Outcome {
        let fields = request_fields::<types::CreateGoalRequest>(body, None)?;
        let enabled = !fields.contains_key("enabled") || is_enabled(&fields);
        if enabled {
            self.check_goal_limit(None)?;
        }
        self.goals
            .create::<types::CreateGoalRequest, types::Goal>(body, FIRST_GOAL_ID, |goal| {
                goal.entry("enabled").or_insert(Value::Bool(true));
                goal.entry("attribution_model")
                    .or_insert(Value::from("first_touch"));
                goal.entry("attribution_period").or_insert(Value::from(30));
                goal.entry("settings")
                    .or_insert(serde_json::json!({"conditions": []}));
            })
    }

    /// `GET /goals/{id}`.
    pub fn get_goal(&self, id: &str) -> Outcome {
        self.goals.show(int(id))
    }

    /// `PUT /goals/{id}`: enabling a goal is refused when 5 are enabled.
    pub fn update_goal(&mut self, id: &str, body: &[u8]) -> Outcome {
        if let Some(goal) = int(id).and_then(|id| self.goals.get(&id)) {
            let changes = request_fields::<types::UpdateGoalRequest>(body, Some(goal))?;
            if !is_enabled(goal) && changes.contains_key("enabled") && is_enabled(&changes) {
                self.check_goal_limit(int(id))?;
            }
        }
        self.goals
            .update::<types::UpdateGoalRequest, types::Goal>(int(id), body)
    }

    /// `DELETE /goals/{id}`.
    pub fn delete_goal(&mut self, id: &str) -> Outcome {
        self.goals.delete(int(id))
    }

    /// 400 "Goals limit exceeded" when the account has its most enabled goals (besides `except`).
    fn check_goal_limit(&self, except: Option<i64>) -> Result<(), ErrorAnswer> {
        let enabled = self
            .goals
            .iter()
            .filter(|(id, goal)| Some(**id) != except && is_enabled(goal))
            .count();
        if enabled >= MAX_ACTIVE_GOALS {
            return Err(ErrorAnswer::bad_request("Goals limit exceeded"));
        }
        Ok(())
    }

    // ---- shortcuts -----------------------------------------------------------------------------

    /// `GET /shortcuts`.
    pub fn list_shortcuts(&self) -> Outcome {
        self.shortcuts.list()
    }

    /// `POST /shortcuts`: 429 past the account's 15,000 shortcuts; a name must be new and free of
    /// `/`, `\` and `$`.
    pub fn create_shortcut(&mut self, body: &[u8]) -> Outcome {
        let mut shortcut = request_fields::<types::CreateShortcutRequest>(body, None)?;
        if self.shortcuts.len() >= MAX_SHORTCUTS {
            return Err(ErrorAnswer {
                status: 429,
                error: "Too Many Requests",
                description: Some("Exceeded the number of shortcuts allowed".into()),
            });
        }
        let name = collection::text(&shortcut, "name")
            .unwrap_or_default()
            .to_owned();
        self.check_shortcut_name(&name, None)?;
        shortcut.insert("id".into(), Value::from(name.clone()));
        shortcut.entry("options").or_insert(Value::from(""));
        shortcut.entry("scope").or_insert(Value::from("all"));
        shortcut.entry("tags").or_insert(Value::Array(Vec::new()));
        let shortcut = checked::<types::Shortcut>(shortcut)?;
        let created = answer(201, &shortcut);
        self.shortcuts.insert(name, shortcut);
        Ok(created)
    }

    /// `GET /shortcuts/{id}` (the id is the name).
    pub fn get_shortcut(&self, name: &str) -> Outcome {
        self.shortcuts.show(Some(name.to_owned()))
    }

    /// `PUT /shortcuts/{id}`: a new name is the shortcut's new id.
    pub fn update_shortcut(&mut self, name: &str, body: &[u8]) -> Outcome {
        let stored = self
            .shortcuts
            .get(&name.to_owned())
            .ok_or_else(ErrorAnswer::not_found)?;
        let changes = request_fields::<types::UpdateShortcutRequest>(body, Some(stored))?;
        let mut updated = stored.clone();
        merge(&mut updated, changes);
        let new_name = collection::text(&updated, "name")
            .unwrap_or_default()
            .to_owned();
        if new_name != name {
            self.check_shortcut_name(&new_name, Some(name))?;
        }
        updated.insert("id".into(), Value::from(new_name.clone()));
        let updated = checked::<types::Shortcut>(updated)?;
        let answered = answer(200, &updated);
        self.shortcuts.remove(&name.to_owned());
        self.shortcuts.insert(new_name, updated);
        Ok(answered)
    }

    /// `DELETE /shortcuts/{id}`.
    pub fn delete_shortcut(&mut self, name: &str) -> Outcome {
        self.shortcuts.delete(Some(name.to_owned()))
    }

    /// A shortcut name must be non-empty, free of `/`, `\` and `$`, and not another's.
    fn check_shortcut_name(&self, name: &str, current: Option<&str>) -> Result<(), ErrorAnswer> {
        if name.is_empty() || name.contains(['/', '\\', '$']) {
            return Err(ErrorAnswer::bad_request(
                "a shortcut name cannot be empty or contain /, \\ or $",
            ));
        }
        if Some(name) != current && self.shortcuts.get(&name.to_owned()).is_some() {
            return Err(ErrorAnswer::bad_request(format!(
                "a shortcut named {name:?} already exists"
            )));
        }
        Ok(())
    }

    // ---- triggers ------------------------------------------------------------------------------

    /// `GET /triggers`.
    pub fn list_triggers(&self) -> Outcome {
        self.triggers.list()
    }

    /// `POST /triggers`.
    pub fn create_trigger(&mut self, body: &[u8]) -> Outcome {
        self.triggers
            .create::<types::CreateTriggerRequest, types::Trigger>(
                body,
                FIRST_TRIGGER_ID,
                |trigger| {
                    trigger.entry("enabled").or_insert(Value::Bool(true));
                    trigger.entry("description").or_insert(Value::from(""));
                },
            )
    }

    /// `GET /triggers/{name or id}`.
    pub fn get_trigger(&self, name_or_id: &str) -> Outcome {
        self.triggers.show(self.trigger_id(name_or_id))
    }

    /// `PUT /triggers/{name or id}`: the definition is not editable (the update model has none).
    pub fn update_trigger(&mut self, name_or_id: &str, body: &[u8]) -> Outcome {
        let id = self.trigger_id(name_or_id);
        self.triggers
            .update::<types::UpdateTriggerRequest, types::Trigger>(id, body)
    }

    /// `DELETE /triggers/{name or id}`.
    pub fn delete_trigger(&mut self, name_or_id: &str) -> Outcome {
        self.triggers.delete(self.trigger_id(name_or_id))
    }

    /// The trigger a path names: by id when it is one's, else by name.
    fn trigger_id(&self, name_or_id: &str) -> Option<i64> {
        int(name_or_id)
            .filter(|id| self.triggers.get(id).is_some())
            .or_else(|| self.triggers.find("name", name_or_id))
    }
}

/// Whether a role is one of the account's built-in roles.
fn is_built_in(role: &Object) -> bool {
    collection::text(role, "name").is_some_and(|name| BUILT_IN_ROLES.contains(&name))
}
