//! The project's curation rules, checked on the document as written.
//!
//! OpenAPI validity is checked elsewhere (an OpenAPI 3.0 validator in CI, and progenitor itself);
//! these are the rules that make the generated client what its users need:
//!
//! - every operation has an `operationId` in lowerCamelCase, exactly one declared tag, a summary,
//!   and typed error responses (`4XX` and `5XX`);
//! - every object schema that a response can contain keeps unknown fields
//!   (`additionalProperties` present and not `false`);
//! - every `oneOf` union has a discriminator whose mapping names exactly its variants, and each
//!   variant requires the tag property with the one value it is mapped from;
//! - every `x-extensible-enum` is a string schema without `enum`, with distinct, non-empty values.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use crate::{Spec, open_enums, unions};

/// One broken rule, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where in the spec: an operation id or a JSON pointer.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl Finding {
    pub(crate) fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            message: message.into(),
        }
    }
}

/// Renders findings one per line, for error messages.
pub fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  - {}: {}", f.at, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks every rule; an empty list means the spec is fit to generate from.
pub fn check(spec: &Spec) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(check_operations(spec));
    findings.extend(check_unknown_fields_kept(spec));
    findings.extend(unions::check(spec));
    findings.extend(open_enums::check(spec));
    findings
}

fn check_operations(spec: &Spec) -> Vec<Finding> {
    let declared_tags: HashSet<&str> = spec.document["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|tag| tag["name"].as_str())
        .collect();
    let mut seen_ids = HashSet::new();
    let mut findings = Vec::new();
    for (path, method, operation) in spec.operations() {
        let at = format!("{} {path}", method.to_uppercase());
        match operation["operationId"].as_str() {
            None => findings.push(Finding::new(&at, "has no operationId")),
            Some(id) => {
                if !seen_ids.insert(id) {
                    findings.push(Finding::new(&at, format!("operationId {id} is used twice")));
                }
                let lower_camel = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric());
                if !lower_camel {
                    findings.push(Finding::new(
                        &at,
                        format!("operationId {id} is not lowerCamelCase"),
                    ));
                }
            }
        }
        match operation["tags"].as_array().map(Vec::as_slice) {
            Some([tag]) if tag.as_str().is_some_and(|t| declared_tags.contains(t)) => {}
            Some([tag]) => findings.push(Finding::new(
                &at,
                format!("tag {tag} is not declared in `tags`"),
            )),
            _ => findings.push(Finding::new(&at, "must have exactly one tag")),
        }
        if operation["summary"].as_str().is_none_or(str::is_empty) {
            findings.push(Finding::new(&at, "has no summary"));
        }
        for range in ["4XX", "5XX"] {
            if operation["responses"].get(range).is_none() {
                findings.push(Finding::new(
                    &at,
                    format!("does not describe its {range} responses"),
                ));
            }
        }
    }
    findings
}

/// Every object schema reachable from a response must keep the fields it does not describe.
fn check_unknown_fields_kept(spec: &Spec) -> Vec<Finding> {
    let mut walk = Walk {
        spec,
        visited: BTreeSet::new(),
        findings: Vec::new(),
    };
    for (_, _, operation) in spec.operations() {
        let responses = operation["responses"].as_object().into_iter().flatten();
        for (status, response) in responses {
            let response = resolve_response(spec, response);
            if let Some(schema) = response.pointer("/content/application~1json/schema") {
                let at = format!(
                    "{} response {status}",
                    operation["operationId"].as_str().unwrap_or("?")
                );
                walk.schema(schema, &at);
            }
        }
    }
    walk.findings
}

fn resolve_response<'a>(spec: &'a Spec, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| spec.document.pointer(pointer))
            .unwrap_or(response),
        None => response,
    }
}

struct Walk<'a> {
    spec: &'a Spec,
    visited: BTreeSet<String>,
    findings: Vec<Finding>,
}

impl Walk<'_> {
    fn schema(&mut self, schema: &Value, at: &str) {
        if let Some(reference) = schema["$ref"].as_str() {
            let Some(name) = Spec::ref_name(reference) else {
                self.findings
                    .push(Finding::new(at, format!("unsupported $ref {reference}")));
                return;
            };
            if self.visited.insert(name.to_owned()) {
                match self.spec.schema(name) {
                    Some(target) => self.schema(target, &format!("#/components/schemas/{name}")),
                    None => self
                        .findings
                        .push(Finding::new(at, format!("$ref to missing schema {name}"))),
                }
            }
            return;
        }
        let is_object = schema["type"] == "object" || schema.get("properties").is_some();
        if is_object {
            match schema.get("additionalProperties") {
                None => self.findings.push(Finding::new(
                    at,
                    "a response object must keep unknown fields: add `additionalProperties: {}`",
                )),
                Some(Value::Bool(false)) => self.findings.push(Finding::new(
                    at,
                    "a response object must not refuse unknown fields (`additionalProperties: false`)",
                )),
                Some(_) => {}
            }
        }
        for (key, sub) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            self.schema(sub, &format!("{at}/properties/{key}"));
        }
        for key in ["items", "additionalProperties"] {
            if let Some(sub) = schema.get(key).filter(|s| s.is_object()) {
                self.schema(sub, &format!("{at}/{key}"));
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, sub) in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                self.schema(sub, &format!("{at}/{key}/{i}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(operation: &str, schemas: &str) -> Spec {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\ntags: [{{name: things}}]\n\
             paths:\n  /things:\n    get:\n{operation}\ncomponents:\n  schemas:\n{schemas}\n"
        );
        Spec::from_yaml("test", &text).unwrap()
    }

    const GOOD_OPERATION: &str = r##"      operationId: listThings
      tags: [things]
      summary: List things
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "4XX": {description: err}
        "5XX": {description: err}"##;

    #[test]
    fn a_well_curated_spec_has_no_findings() {
        let spec = spec(
            GOOD_OPERATION,
            "    Thing: {type: object, properties: {id: {type: string}}, additionalProperties: {}}",
        );
        assert_eq!(check(&spec), vec![]);
    }

    #[test]
    fn a_response_object_that_drops_unknown_fields_is_found_through_refs() {
        let spec = spec(
            GOOD_OPERATION,
            "    Thing: {type: object, properties: {part: {$ref: '#/components/schemas/Part'}}, additionalProperties: {}}\n    \
             Part: {type: object, properties: {id: {type: string}}}",
        );
        let findings = check(&spec);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].at, "#/components/schemas/Part");
        assert!(findings[0].message.contains("additionalProperties"));
    }

    #[test]
    fn operation_rules_are_each_checked() {
        let operation = r#"      operationId: List_things
      tags: [stuff]
      responses:
        "200": {description: ok}"#;
        let spec = spec(operation, "    Thing: {type: string}");
        let messages: Vec<String> = check(&spec).into_iter().map(|f| f.message).collect();
        assert_eq!(
            messages,
            vec![
                "operationId List_things is not lowerCamelCase",
                "tag \"stuff\" is not declared in `tags`",
                "has no summary",
                "does not describe its 4XX responses",
                "does not describe its 5XX responses",
            ]
        );
    }
}
