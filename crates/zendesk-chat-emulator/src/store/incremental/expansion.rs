//! Resource expansion: the `fields` parameter of the incremental exports.
//!
//! Without it, items carry their id only; `chats(*)` gives everything; `chats(id,comment)` the
//! listed properties; `chats(response_time.max)` a nested one.

use serde_json::{Map, Value};

/// What to keep of each item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    /// The id only (no `fields`).
    IdOnly,
    /// Everything (`resource(*)`).
    All,
    /// These dotted paths.
    Only(Vec<Vec<String>>),
}

impl Expansion {
    /// Parses `fields` for `resource`; `None` (or another resource's fields) keeps the id only.
    /// An expression that does not parse is an error message.
    pub fn parse(fields: Option<&str>, resource: &str) -> Result<Self, String> {
        let Some(fields) = fields.filter(|f| !f.is_empty()) else {
            return Ok(Self::IdOnly);
        };
        let inner = fields
            .strip_prefix(resource)
            .and_then(|rest| rest.strip_prefix('('))
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or_else(|| format!("fields must be {resource}(…), not {fields:?}"))?;
        if inner == "*" {
            return Ok(Self::All);
        }
        let paths: Vec<Vec<String>> = inner
            .split(',')
            .map(|p| p.trim().split('.').map(str::to_owned).collect())
            .collect();
        let valid = paths.iter().flatten().all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !valid {
            return Err(format!("invalid fields {fields:?}"));
        }
        Ok(Self::Only(paths))
    }

    /// The part of `item` to return.
    pub fn project(&self, item: &Value) -> Value {
        match self {
            Self::All => item.clone(),
            Self::IdOnly => {
                let mut out = Map::new();
                if let Some(id) = item.get("id") {
                    out.insert("id".into(), id.clone());
                }
                Value::Object(out)
            }
            Self::Only(paths) => {
                let mut out = Value::Object(Map::new());
                for path in paths {
                    copy_path(item, &mut out, path);
                }
                out
            }
        }
    }
}

fn copy_path(from: &Value, to: &mut Value, path: &[String]) {
    let (Some(first), Value::Object(target)) = (path.first(), to) else {
        return;
    };
    let Some(value) = from.get(first) else { return };
    if path.len() == 1 {
        target.insert(first.clone(), value.clone());
    } else {
        let child = target
            .entry(first.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        copy_path(value, child, &path[1..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_forms_project_as_described() {
        let chat = json!({"id": "c1", "comment": "ok", "rating": "good", "response_time": {"avg": 1.5, "max": 3}});
        assert_eq!(
            Expansion::parse(None, "chats").unwrap().project(&chat),
            json!({"id": "c1"})
        );
        assert_eq!(
            Expansion::parse(Some("chats(*)"), "chats")
                .unwrap()
                .project(&chat),
            chat
        );
        let listed = Expansion::parse(Some("chats(id,comment,rating)"), "chats").unwrap();
        assert_eq!(
            listed.project(&chat),
            json!({"id": "c1", "comment": "ok", "rating": "good"})
        );
        let nested = Expansion::parse(Some("chats(response_time.max)"), "chats").unwrap();
        assert_eq!(nested.project(&chat), json!({"response_time": {"max": 3}}));
    }

    #[test]
    fn malformed_fields_are_refused() {
        assert!(Expansion::parse(Some("chats(id"), "chats").is_err());
        assert!(Expansion::parse(Some("agents(*)"), "chats").is_err());
        assert!(Expansion::parse(Some("chats(a b)"), "chats").is_err());
    }
}
