//! Every example in the spec must be valid against its schema.
//!
//! The examples are the reference pages' own payloads, so this checks the curated schemas against
//! what the API documents: a field typed wrongly, or missing from an object that refuses unknown
//! fields, shows up here before any code is generated.
//!
//! OpenAPI 3.0 schemas are translated to JSON Schema (draft 4, which they extend) first:
//! `nullable` adds `null` to `type`; documentation keywords are dropped; an `x-open-union` accepts,
//! besides its variants, any object whose tag is not one of theirs (as the generated enum does).
//! Formats are not asserted: timestamps keep their text, and the docs carry a `2014-09-31`.

use serde_json::{Map, Value, json};

use crate::{Spec, lint::Finding};

/// Checks every example of the spec; an empty list means they all match.
pub fn check(spec: &Spec) -> Vec<Finding> {
    let schemas: Map<String, Value> = spec
        .schemas()
        .map(|(name, schema)| (name.to_owned(), translate(schema)))
        .collect();
    let schemas = Value::Object(schemas);
    collect(spec)
        .into_iter()
        .flat_map(|example| validate(&schemas, example))
        .collect()
}

/// An example and the schema it must match.
struct Example<'a> {
    at: String,
    schema: &'a Value,
    value: &'a Value,
}

fn collect(spec: &Spec) -> Vec<Example<'_>> {
    let mut examples = Vec::new();
    for (path, _, operation) in spec.operations() {
        let id = operation["operationId"].as_str().unwrap_or("?");
        let path_parameters = spec.document["paths"][path]["parameters"]
            .as_array()
            .into_iter()
            .flatten();
        let parameters = operation["parameters"].as_array().into_iter().flatten();
        for parameter in path_parameters.chain(parameters) {
            let parameter = resolve(spec, parameter);
            if let (Some(schema), Some(value)) = (parameter.get("schema"), parameter.get("example"))
            {
                let name = parameter["name"].as_str().unwrap_or("?");
                examples.push(Example {
                    at: format!("{id} parameter {name}"),
                    schema,
                    value,
                });
            }
        }
        let request = resolve(spec, &operation["requestBody"]);
        media_examples(&mut examples, &format!("{id} request"), request);
        for (status, response) in operation["responses"].as_object().into_iter().flatten() {
            media_examples(
                &mut examples,
                &format!("{id} response {status}"),
                resolve(spec, response),
            );
        }
    }
    for (name, schema) in spec.schemas() {
        if let Some(value) = schema.get("example") {
            examples.push(Example {
                at: format!("#/components/schemas/{name} example"),
                schema,
                value,
            });
        }
    }
    examples
}

/// The examples of the `application/json` content of a request body or response.
fn media_examples<'a>(examples: &mut Vec<Example<'a>>, at: &str, body: &'a Value) {
    let Some(media) = body.pointer("/content/application~1json") else {
        return;
    };
    let Some(schema) = media.get("schema") else {
        return;
    };
    if let Some(value) = media.get("example") {
        examples.push(Example {
            at: format!("{at} example"),
            schema,
            value,
        });
    }
    for (name, example) in media["examples"].as_object().into_iter().flatten() {
        if let Some(value) = example.get("value") {
            examples.push(Example {
                at: format!("{at} example {name}"),
                schema,
                value,
            });
        }
    }
}

fn resolve<'a>(spec: &'a Spec, item: &'a Value) -> &'a Value {
    match item["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.document.pointer(pointer).unwrap_or(item),
        None => item,
    }
}

fn validate(schemas: &Value, example: Example<'_>) -> Vec<Finding> {
    let root = json!({
        "components": {"schemas": schemas},
        "allOf": [translate(example.schema)],
    });
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(false)
        .build(&root)
    {
        Ok(validator) => validator,
        Err(error) => {
            return vec![Finding::new(
                example.at,
                format!("the schema does not compile: {error}"),
            )];
        }
    };
    validator
        .iter_errors(example.value)
        .map(|error| {
            let path = error.instance_path().to_string();
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            Finding::new(
                &example.at,
                format!("at {path}: {}", truncate(&error.to_string())),
            )
        })
        .collect()
}

fn truncate(message: &str) -> String {
    const MAX: usize = 300;
    match message.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}

/// OpenAPI keywords that JSON Schema does not have, or that only document.
const DROPPED: &[&str] = &[
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "example",
    "externalDocs",
    "xml",
    "deprecated",
];

/// Translates an OpenAPI 3.0 schema into JSON Schema draft 4.
fn translate(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if DROPPED.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let value = match key.as_str() {
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, schema)| (name.clone(), translate(schema)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => translate(value),
            "allOf" | "oneOf" | "anyOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(translate)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(ty) = out.get("type").cloned() {
            out.insert("type".into(), json!([ty, "null"]));
        } else if out.contains_key("allOf") {
            // `allOf: [$ref]` + `nullable`: the referenced schema, or null.
            let schema = Value::Object(std::mem::take(&mut out));
            out.insert("anyOf".into(), json!([schema, {"type": "null"}]));
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    if map.get("x-open-union") == Some(&Value::Bool(true))
        && let Some(Value::Array(mut variants)) = out.remove("oneOf")
    {
        let tag = map["discriminator"]["propertyName"].clone();
        let known: Vec<Value> = map["discriminator"]["mapping"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(tag, _)| Value::from(tag.as_str()))
            .collect();
        let mut tag_schema = Map::new();
        if let Some(tag) = tag.as_str() {
            tag_schema.insert(tag.to_owned(), json!({"enum": known}));
        }
        variants.push(json!({
            "type": "object",
            "not": {"required": [tag], "properties": tag_schema},
        }));
        out.insert("anyOf".into(), Value::Array(variants));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_adds_null_to_type_and_enum() {
        let schema =
            json!({"type": "string", "enum": ["a"], "nullable": true, "x-curation": "note"});
        assert_eq!(
            translate(&schema),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn a_nullable_reference_accepts_the_referenced_schema_or_null() {
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true});
        assert_eq!(
            translate(&schema),
            json!({"anyOf": [{"allOf": [{"$ref": "#/components/schemas/A"}]}, {"type": "null"}]})
        );
    }

    #[test]
    fn an_open_union_accepts_objects_with_other_tags() {
        let schema = json!({
            "oneOf": [{"$ref": "#/components/schemas/A"}],
            "discriminator": {"propertyName": "type", "mapping": {"a": "#/components/schemas/A"}},
            "x-open-union": true,
        });
        assert_eq!(
            translate(&schema),
            json!({"anyOf": [
                {"$ref": "#/components/schemas/A"},
                {"type": "object", "not": {"required": ["type"], "properties": {"type": {"enum": ["a"]}}}},
            ]})
        );
    }
}

/// Validates what a server answers against the spec: each response body against the schema the
/// spec gives for its operation and status (with the same OpenAPI-to-JSON-Schema translation as
/// the examples). Compiled schemas are cached per operation and status.
pub struct ResponseValidator<'a> {
    spec: &'a Spec,
    schemas: Value,
    compiled: std::collections::HashMap<(String, String), Option<jsonschema::Validator>>,
}

impl<'a> ResponseValidator<'a> {
    /// A validator for the responses of `spec`'s operations.
    pub fn new(spec: &'a Spec) -> Self {
        let schemas: Map<String, Value> = spec
            .schemas()
            .map(|(name, schema)| (name.to_owned(), translate(schema)))
            .collect();
        Self {
            spec,
            schemas: Value::Object(schemas),
            compiled: Default::default(),
        }
    }

    /// What is wrong with `body` as the `status` response of `method` on the spec path `path`
    /// (a template such as `/api/v2/chat/chats/{chat_id}`); empty when it is right. A status the
    /// operation does not describe, or a body where none is described, is wrong too.
    pub fn check(
        &mut self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Vec<String> {
        let method = method.to_lowercase();
        let Some(operation) = self.spec.document["paths"]
            .get(path)
            .and_then(|item| item.get(&method))
        else {
            return vec![format!("the spec has no operation {method} {path}")];
        };
        let responses = &operation["responses"];
        let code = status.to_string();
        let range = format!("{}XX", status / 100);
        let Some(key) = [code.as_str(), range.as_str(), "default"]
            .into_iter()
            .find(|k| responses.get(*k).is_some())
        else {
            return vec![format!(
                "{method} {path} does not describe a {status} response"
            )];
        };
        let response = resolve(self.spec, &responses[key]);
        let schema = response.pointer("/content/application~1json/schema");
        let cache_key = (format!("{method} {path}"), key.to_owned());
        let schemas = &self.schemas;
        let validator = self.compiled.entry(cache_key).or_insert_with(|| {
            schema.map(|schema| {
                let root =
                    json!({"components": {"schemas": schemas}, "allOf": [translate(schema)]});
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft4)
                    .should_validate_formats(false)
                    .build(&root)
                    .expect("the spec's schemas compile")
            })
        });
        match (validator, body) {
            (None, None) => Vec::new(),
            (None, Some(_)) => vec![format!(
                "{method} {path} {status}: a body where the spec describes none"
            )],
            (Some(_), None) => vec![format!(
                "{method} {path} {status}: no body where the spec describes one"
            )],
            (Some(validator), Some(body)) => validator
                .iter_errors(body)
                .take(5)
                .map(|error| {
                    format!(
                        "{method} {path} {status} at {}: {}",
                        error.instance_path(),
                        truncate(&error.to_string())
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod response_tests {
    use super::*;

    fn spec() -> Spec {
        Spec::from_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/zendesk-chat.yaml"
        ))
        .unwrap()
    }

    #[test]
    fn a_documented_response_passes_and_a_wrong_one_does_not() {
        let spec = spec();
        let mut validator = ResponseValidator::new(&spec);
        let agent = json!({"id": 5, "display_name": "Johnny", "enabled": 1});
        assert_eq!(
            validator.check("GET", "/api/v2/chat/agents/{agent_id}", 200, Some(&agent)),
            Vec::<String>::new()
        );
        let wrong = json!({"id": "five"});
        assert_eq!(
            validator
                .check("GET", "/api/v2/chat/agents/{agent_id}", 200, Some(&wrong))
                .len(),
            1
        );
        let error = json!({"error": "Not Found"});
        assert!(
            validator
                .check("GET", "/api/v2/chat/agents/{agent_id}", 404, Some(&error))
                .is_empty()
        );
        assert!(
            validator
                .check("DELETE", "/api/v2/chat/agents/{agent_id}", 204, None)
                .is_empty()
        );
        assert_eq!(
            validator
                .check(
                    "DELETE",
                    "/api/v2/chat/agents/{agent_id}",
                    204,
                    Some(&error)
                )
                .len(),
            1
        );
        assert_eq!(validator.check("GET", "/nope", 200, None).len(), 1);
        assert_eq!(
            validator
                .check("GET", "/api/v2/chat/agents/me", 302, None)
                .len(),
            1
        );
    }
}
