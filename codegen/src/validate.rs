//! The spec must be a valid OpenAPI 3.0 document, by the OpenAPI Initiative's own JSON Schema.

use std::sync::LazyLock;

use serde_json::Value;

use crate::{Spec, lint::Finding};

/// The OpenAPI Initiative's JSON Schema of OpenAPI 3.0.x documents (see `schemas/README.md`).
const OPENAPI_3_0_SCHEMA: &str = include_str!("../schemas/openapi-3.0.schema.json");

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value =
        serde_json::from_str(OPENAPI_3_0_SCHEMA).expect("the vendored schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the vendored schema compiles")
});

/// Validates the document as written; an empty list means it is a valid OpenAPI 3.0 document.
pub fn check(spec: &Spec) -> Vec<Finding> {
    VALIDATOR
        .iter_errors(&spec.document)
        .map(|error| {
            let at = error.instance_path().to_string();
            let message = error.to_string();
            let message = match message.char_indices().nth(300) {
                Some((end, _)) => format!("{}…", &message[..end]),
                None => message,
            };
            Finding::new(if at.is_empty() { "/".into() } else { at }, message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_without_paths_is_refused() {
        let spec = Spec::from_yaml(
            "t",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
        )
        .unwrap();
        assert_eq!(check(&spec), vec![]);
        let mut broken = spec.clone();
        broken.document.as_object_mut().unwrap().remove("paths");
        assert_eq!(check(&broken).len(), 1);
    }

    #[test]
    fn an_unknown_field_in_an_operation_is_refused() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      \
                    operationId: a\n      responses: {'200': {description: ok}}\n      bogus: 1\n";
        let spec = Spec::from_yaml("t", text).unwrap();
        assert!(!check(&spec).is_empty());
    }
}
