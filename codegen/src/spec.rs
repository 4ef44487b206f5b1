//! Loading the spec: YAML text, then the JSON document as written, then the OpenAPI model that
//! progenitor reads.

use serde_json::Value;

use crate::{Error, Result};

/// Extensions that carry meaning for the Rust generator and so reach progenitor; every other
/// `x-` key is documentation (or handled before progenitor runs) and is removed from its copy.
/// The HTTP methods an OpenAPI path item can hold operations for.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

const EXTENSIONS_FOR_PROGENITOR: &[&str] = &["x-rust-type"];

/// A loaded spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Where the spec came from (a path), for messages and file headers.
    pub source_name: String,
    /// The document as written, with every extension and example.
    pub document: Value,
    /// The document as progenitor reads it: documentation-only extensions removed.
    pub openapi: openapiv3::OpenAPI,
}

impl Spec {
    /// Reads and parses the spec at `path`.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml(&path.display().to_string(), &text)
    }

    /// Parses a spec from YAML (or JSON) text; `source_name` names it in messages.
    pub fn from_yaml(source_name: &str, text: &str) -> Result<Self> {
        let document: Value = serde_yaml_ng::from_str(text).map_err(|error| Error::Yaml {
            source_name: source_name.to_owned(),
            error,
        })?;
        let mut for_progenitor = document.clone();
        strip_extensions(&mut for_progenitor);
        unwrap_parameter_descriptions(&mut for_progenitor);
        let openapi = to_openapi(for_progenitor, source_name)?;
        Ok(Self {
            source_name: source_name.to_owned(),
            document,
            openapi,
        })
    }

    /// The component schemas, by name, in the order the spec lists them.
    pub fn schemas(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|schemas| schemas.iter().map(|(name, schema)| (name.as_str(), schema)))
    }

    /// The component schema called `name`.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.document
            .pointer(&format!("/components/schemas/{name}"))
    }

    /// Each operation: `(path, method, operation)`, in the spec's order.
    pub fn operations(&self) -> impl Iterator<Item = (&str, &str, &Value)> {
        self.document
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|paths| paths.iter())
            .flat_map(|(path, item)| {
                METHODS
                    .iter()
                    .filter_map(move |method| Some((path.as_str(), *method, item.get(*method)?)))
            })
    }

    /// The URL of the server an operation is served from when it is not the document's: the first
    /// of the operation's `servers`, or of its path's (the real-time metrics are on a host of
    /// their own).
    pub fn operation_server<'a>(&'a self, path: &str, operation: &'a Value) -> Option<&'a str> {
        let first_url = |item: &'a Value| item["servers"][0]["url"].as_str();
        first_url(operation).or_else(|| first_url(&self.document["paths"][path]))
    }

    /// Follows a `$ref` to a component schema and returns its name.
    pub fn ref_name(reference: &str) -> Option<&str> {
        reference.strip_prefix("#/components/schemas/")
    }
}

/// Decodes the document into progenitor's model.
fn to_openapi(document: Value, source_name: &str) -> Result<openapiv3::OpenAPI> {
    let version = document
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(Error::OpenApi {
            source_name: source_name.to_owned(),
            error: format!("`openapi` is {version:?}; progenitor reads 3.0.x only"),
        });
    }
    serde_json::from_value(document).map_err(|error| Error::OpenApi {
        source_name: source_name.to_owned(),
        error: error.to_string(),
    })
}

/// progenitor lists an operation's parameters in its doc comment as Markdown bullets, one per
/// parameter: a description wrapped over several lines would break out of its bullet. The spec
/// wraps long lines for its readers; progenitor gets each description on one line.
fn unwrap_parameter_descriptions(document: &mut Value) {
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for (key, value) in item.iter_mut() {
                let parameters = if key == "parameters" {
                    Some(value)
                } else {
                    value.get_mut("parameters")
                };
                for parameter in parameters
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    unwrap_description(parameter);
                }
            }
        }
    }
    if let Some(shared) = document
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        shared.values_mut().for_each(unwrap_description);
    }
}

fn unwrap_description(parameter: &mut Value) {
    if let Some(Value::String(description)) = parameter.get_mut("description") {
        *description = description.split_whitespace().collect::<Vec<_>>().join(" ");
    }
}

/// Removes documentation-only `x-` keys everywhere in `value`.
fn strip_extensions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| {
                !key.starts_with("x-") || EXTENSIONS_FOR_PROGENITOR.contains(&key.as_str())
            });
            map.values_mut().for_each(strip_extensions);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_extensions),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1", x-curation: a note}
paths: {}
components:
  schemas:
    A:
      type: object
      x-curation: a note
      x-rust-type: {crate: c, version: "1", path: "c::A"}
"#;

    #[test]
    fn documentation_extensions_are_removed_for_progenitor_only() {
        let spec = Spec::from_yaml("minimal", MINIMAL).unwrap();
        assert_eq!(spec.document["info"]["x-curation"], "a note");
        assert_eq!(spec.schema("A").unwrap()["x-curation"], "a note");
        let a = spec.openapi.components.as_ref().unwrap().schemas["A"]
            .as_item()
            .unwrap();
        assert!(!a.schema_data.extensions.contains_key("x-curation"));
        assert!(a.schema_data.extensions.contains_key("x-rust-type"));
    }

    #[test]
    fn parameter_descriptions_reach_progenitor_on_one_line() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  parameters:\n    \
                    P: {name: p, in: query, schema: {type: string}, description: \"one\\n  two\"}\n";
        let spec = Spec::from_yaml("t", text).unwrap();
        assert_eq!(
            spec.document["components"]["parameters"]["P"]["description"],
            "one\n  two"
        );
        let components = spec.openapi.components.unwrap();
        let openapiv3::ReferenceOr::Item(parameter) = &components.parameters["P"] else {
            panic!()
        };
        assert_eq!(
            parameter.parameter_data_ref().description.as_deref(),
            Some("one two")
        );
    }

    #[test]
    fn openapi_3_1_is_refused_with_a_reason() {
        let error = Spec::from_yaml("v31", &MINIMAL.replace("3.0.3", "3.1.0")).unwrap_err();
        assert!(error.to_string().contains("3.0.x only"), "{error}");
    }

    #[test]
    fn a_wrong_shape_names_the_path() {
        let error =
            Spec::from_yaml("bad", "openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n").unwrap_err();
        assert!(error.to_string().contains("version"), "{error}");
    }
}
