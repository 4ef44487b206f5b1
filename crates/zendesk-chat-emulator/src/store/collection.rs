//! The resources kept as JSON objects by key: departments, skills, roles, goals, shortcuts,
//! triggers, bans, OAuth clients and tokens. A request body is read through its generated request
//! model (so a body of the wrong shape is refused as Zendesk would), and every object stored is
//! checked against the generated response model (so the emulator cannot answer what the spec does
//! not allow).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{Answer, ErrorAnswer, Outcome, parse_body};

/// A JSON object.
pub type Object = Map<String, Value>;

/// Objects by key, in key order. A copy shares the objects with the original until either is
/// changed (copy on write), so that copying a store (a fuzzing input's fresh account, a test's
/// snapshot) costs only the collections that change after it.
#[derive(Debug, Clone)]
pub struct Collection<K> {
    items: Arc<BTreeMap<K, Object>>,
}

impl<K> Default for Collection<K> {
    fn default() -> Self {
        Self {
            items: Arc::new(BTreeMap::new()),
        }
    }
}

impl<K: Ord + Clone> Collection<K> {
    /// The objects, to change: copied first when a copy of the collection still shares them.
    fn items_mut(&mut self) -> &mut BTreeMap<K, Object> {
        Arc::make_mut(&mut self.items)
    }

    /// How many objects it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The objects, in key order.
    pub fn values(&self) -> impl Iterator<Item = &Object> {
        self.items.values()
    }

    /// The keys and objects, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &Object)> {
        self.items.iter()
    }

    /// The object under `key`.
    pub fn get(&self, key: &K) -> Option<&Object> {
        self.items.get(key)
    }

    /// The object under `key`, to change in place.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut Object> {
        self.items_mut().get_mut(key)
    }

    /// The key of the first object whose `field` is the string `value` (lookups by name).
    pub fn find(&self, field: &str, value: &str) -> Option<K> {
        self.items
            .iter()
            .find(|(_, object)| object.get(field).and_then(Value::as_str) == Some(value))
            .map(|(key, _)| key.clone())
    }

    /// Stores `object` under `key`, replacing what was there.
    pub fn insert(&mut self, key: K, object: Object) {
        self.items_mut().insert(key, object);
    }

    /// Removes and returns the object under `key`.
    pub fn remove(&mut self, key: &K) -> Option<Object> {
        self.items_mut().remove(key)
    }

    /// Keeps only the objects `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &Object) -> bool) {
        self.items_mut().retain(|key, object| keep(key, object));
    }

    /// The greatest key.
    pub fn last_key(&self) -> Option<&K> {
        self.items.keys().next_back()
    }

    /// `GET` of the whole collection: a bare JSON array.
    pub fn list(&self) -> Outcome {
        Ok(answer_array(self.values()))
    }

    /// `GET` of one object, or 404.
    pub fn show(&self, key: Option<K>) -> Outcome {
        key.and_then(|key| self.items.get(&key))
            .map(|object| answer(200, object))
            .ok_or_else(ErrorAnswer::not_found)
    }

    /// `PUT`/`PATCH` of one object: the fields of the update request `U` merged in (nested
    /// objects field by field), the result checked as the response model `T`. 404 for no object.
    pub fn update<U, T>(&mut self, key: Option<K>, body: &[u8]) -> Outcome
    where
        U: DeserializeOwned + Serialize,
        T: DeserializeOwned,
    {
        let key = key.ok_or_else(ErrorAnswer::not_found)?;
        let stored = self.items.get(&key).ok_or_else(ErrorAnswer::not_found)?;
        let changes = request_fields::<U>(body, Some(stored))?;
        let mut updated = stored.clone();
        merge(&mut updated, changes);
        let updated = checked::<T>(updated)?;
        let answer = answer(200, &updated);
        self.items_mut().insert(key, updated);
        Ok(answer)
    }

    /// `DELETE` of one object: 204, or 404.
    pub fn delete(&mut self, key: Option<K>) -> Outcome {
        key.and_then(|key| self.items_mut().remove(&key))
            .map(|_| Answer::no_content())
            .ok_or_else(ErrorAnswer::not_found)
    }
}

impl Collection<i64> {
    /// `POST` of an object: the fields of the create request `C`, with `id` the next id (from
    /// `first_id`) and whatever `complete` adds, checked as the response model `T`. 201.
    pub fn create<C, T>(
        &mut self,
        body: &[u8],
        first_id: i64,
        complete: impl FnOnce(&mut Object),
    ) -> Outcome
    where
        C: DeserializeOwned + Serialize,
        T: DeserializeOwned,
    {
        let mut object = request_fields::<C>(body, None)?;
        let id = self.last_key().map_or(first_id, |last| last + 1);
        object.insert("id".into(), Value::from(id));
        complete(&mut object);
        let object = checked::<T>(object)?;
        let answer = answer(201, &object);
        self.items_mut().insert(id, object);
        Ok(answer)
    }
}

/// The fields a request body sets, read through the request model `R`: a malformed body is a 400,
/// a field of the wrong type a 422 that names it, a missing required field a 422. Fields that `R`
/// does not have are ignored, and so are nulls. For an update, `stored` is the object it changes.
pub fn request_fields<R: DeserializeOwned + Serialize>(
    body: &[u8],
    stored: Option<&Object>,
) -> Result<Object, ErrorAnswer> {
    let request: R = parse_body(body)?;
    let Value::Object(mut fields) = serde_json::to_value(&request).expect("models serialize")
    else {
        return Err(ErrorAnswer::bad_request("the body must be a JSON object"));
    };
    // The generated models leave empty lists and maps out when they serialize: an update that
    // empties a field the object has (`"members": []`) is taken from the body.
    if let (Some(stored), Ok(Value::Object(sent))) = (stored, serde_json::from_slice(body)) {
        for (key, value) in sent {
            let empty = matches!(&value, Value::Array(a) if a.is_empty())
                || matches!(&value, Value::Object(o) if o.is_empty());
            if empty && stored.contains_key(&key) {
                fields.entry(key).or_insert(value);
            }
        }
    }
    Ok(fields)
}

/// `object` as the response model `T` accepts it: the emulator never stores what the spec does
/// not allow. A refusal is a 422 that names the field.
pub fn checked<T: DeserializeOwned>(object: Object) -> Result<Object, ErrorAnswer> {
    let value = Value::Object(object);
    serde_path_to_error::deserialize::<_, T>(&value)
        .map_err(|e| ErrorAnswer::unprocessable(format!("{}: {}", e.path(), e.inner())))?;
    match value {
        Value::Object(object) => Ok(object),
        _ => unreachable!("an object stays an object"),
    }
}

/// Merges `changes` into `object`: an object field is merged field by field (a nested partial
/// update), anything else replaced.
pub fn merge(object: &mut Object, changes: Object) {
    for (key, change) in changes {
        match (object.get_mut(&key), change) {
            (Some(Value::Object(inner)), Value::Object(inner_changes)) => {
                merge(inner, inner_changes);
            }
            (_, change) => {
                object.insert(key, change);
            }
        }
    }
}

/// A JSON answer of one object.
pub fn answer(status: u16, object: &Object) -> Answer {
    Answer::json(status, object)
}

/// A JSON answer of a bare array of objects.
pub fn answer_array<'a>(objects: impl Iterator<Item = &'a Object>) -> Answer {
    Answer::json(200, &objects.collect::<Vec<_>>())
}

/// A string field of an object.
pub fn text<'a>(object: &'a Object, field: &str) -> Option<&'a str> {
    object.get(field).and_then(Value::as_str)
}

/// Whether an object's `enabled` is on: `true` or 1, as the API sends either (`Flag`).
pub fn is_enabled(object: &Object) -> bool {
    matches!(object.get("enabled"), Some(Value::Bool(true)))
        || object.get("enabled").and_then(Value::as_i64) == Some(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zendesk_chat::types;

    fn named(name: &str) -> Object {
        serde_json::from_value(serde_json::json!({ "name": name })).unwrap()
    }

    #[test]
    fn a_copy_and_its_original_change_apart() {
        let mut original = Collection::default();
        original.insert(1, named("Sales"));
        original.insert(2, named("Support"));
        let mut copy = original.clone();
        copy.insert(3, named("Billing"));
        copy.get_mut(&1)
            .unwrap()
            .insert("name".into(), "Renamed".into());
        original.remove(&2);
        assert_eq!(original.len(), 1);
        assert_eq!(original.get(&1).unwrap()["name"], "Sales");
        assert_eq!(copy.len(), 3);
        assert_eq!(copy.get(&1).unwrap()["name"], "Renamed");
        assert_eq!(copy.get(&2).unwrap()["name"], "Support");
    }

    #[test]
    fn a_nested_change_is_merged_and_a_list_replaced() {
        let mut object: Object = serde_json::from_str(
            r#"{"name": "Sales", "members": [1, 2], "settings": {"chat_enabled": true, "support_group_id": 7}}"#,
        )
        .unwrap();
        let changes: Object =
            serde_json::from_str(r#"{"members": [3], "settings": {"chat_enabled": false}}"#)
                .unwrap();
        merge(&mut object, changes);
        assert_eq!(
            Value::Object(object),
            serde_json::json!({"name": "Sales", "members": [3], "settings": {"chat_enabled": false, "support_group_id": 7}})
        );
    }

    #[test]
    fn a_request_sets_its_fields_an_empty_list_included_and_nothing_else() {
        let stored: Object = serde_json::from_str(r#"{"id": 1, "members": [4]}"#).unwrap();
        let fields = request_fields::<types::UpdateDepartmentRequest>(
            br#"{"members": [], "description": "Billing", "id": 99, "color": "red", "tags": []}"#,
            Some(&stored),
        )
        .unwrap();
        assert_eq!(
            Value::Object(fields),
            serde_json::json!({"members": [], "description": "Billing"})
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_refused_with_its_name() {
        let refused =
            request_fields::<types::UpdateDepartmentRequest>(br#"{"members": "all"}"#, None)
                .unwrap_err();
        assert_eq!(refused.status, 422);
        assert!(refused.description.unwrap().starts_with("members"));
    }

    #[test]
    fn what_the_response_model_refuses_is_never_stored() {
        let object: Object = serde_json::from_str(r#"{"id": "not a number"}"#).unwrap();
        assert_eq!(
            checked::<types::Department>(object).unwrap_err().status,
            422
        );
    }

    #[test]
    fn enabled_is_true_or_one() {
        for (json, enabled) in [
            (r#"{"enabled": true}"#, true),
            (r#"{"enabled": 1}"#, true),
            (r#"{"enabled": 0}"#, false),
            ("{}", false),
        ] {
            let object: Object = serde_json::from_str(json).unwrap();
            assert_eq!(is_enabled(&object), enabled, "{json}");
        }
    }
}
