//! GraphQL for the emulated Conversations API: the schema (the emulator's copy of
//! `spec/conversations.graphql`, kept equal by `cargo xtask generate`), request validation with
//! the API's depth limit, and JSON-backed resolvers.

use std::sync::LazyLock;

use apollo_compiler::executable::{Operation, Selection, SelectionSet};
use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::schema::Type;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

/// The schema, as curated in `spec/conversations.graphql`.
pub const SCHEMA_TEXT: &str = include_str!("schema.graphql");

/// The deepest query the API accepts.
pub const MAX_DEPTH: usize = 11;

/// The schema, parsed and validated once.
pub static SCHEMA: LazyLock<Valid<Schema>> = LazyLock::new(|| {
    Schema::parse_and_validate(SCHEMA_TEXT, "conversations.graphql")
        .expect("the curated schema is valid (codegen validates it)")
});

/// A GraphQL error as the API sends it: `{"message": …}`.
pub fn error(message: impl Into<String>) -> serde_json::Value {
    serde_json::json!({"message": message.into()})
}

/// A request validated against the schema, with its one operation.
pub struct Request {
    /// The document.
    pub document: Valid<ExecutableDocument>,
}

impl Request {
    /// Parses and validates `query` (errors as the API would send them), refusing more than one
    /// operation and a depth past the API's limit.
    pub fn parse(query: &str) -> Result<Self, Vec<serde_json::Value>> {
        let document = ExecutableDocument::parse_and_validate(&SCHEMA, query, "request.graphql")
            .map_err(|invalid| {
                invalid
                    .errors
                    .iter()
                    .map(|diagnostic| error(diagnostic.error.to_string()))
                    .collect::<Vec<_>>()
            })?;
        let request = Self { document };
        let operation = request.operation()?;
        let levels = depth(&request.document, operation);
        if levels > MAX_DEPTH {
            return Err(vec![error(format!(
                "query depth {levels} exceeds the maximum depth of {MAX_DEPTH}"
            ))]);
        }
        Ok(request)
    }

    /// The document's one operation.
    pub fn operation(&self) -> Result<&Operation, Vec<serde_json::Value>> {
        self.document
            .operations
            .get(None)
            .map(|operation| &**operation)
            .map_err(|e| vec![error(e.message().to_string())])
    }
}

/// The depth of an operation: a root field is at depth 1, each field inside a field one deeper,
/// fragments add nothing. (The generator checks the client's documents with the same rule.)
pub fn depth(document: &ExecutableDocument, operation: &Operation) -> usize {
    fn walk(document: &ExecutableDocument, set: &SelectionSet, above: usize) -> usize {
        set.selections
            .iter()
            .map(|selection| match selection {
                Selection::Field(field) => walk(document, &field.selection_set, above + 1),
                Selection::InlineFragment(fragment) => {
                    walk(document, &fragment.selection_set, above)
                }
                Selection::FragmentSpread(spread) => document
                    .fragments
                    .get(&spread.fragment_name)
                    .map_or(above, |fragment| {
                        walk(document, &fragment.selection_set, above)
                    }),
            })
            .max()
            .unwrap_or(above)
    }
    walk(document, &operation.selection_set, 0)
}

/// An object whose fields are JSON: a field's value is read by name and resolved by its type in
/// the schema (an interface's or union's concrete type is the value's `__typename`).
pub struct JsonObject {
    type_name: String,
    data: JsonMap,
}

impl JsonObject {
    /// The object of GraphQL type `type_name` with these fields.
    pub fn new(type_name: impl Into<String>, data: serde_json::Value) -> Self {
        let data = match JsonValue::from(data) {
            JsonValue::Object(map) => map,
            _ => JsonMap::new(),
        };
        Self {
            type_name: type_name.into(),
            data,
        }
    }
}

impl ObjectValue for JsonObject {
    fn type_name(&self) -> &str {
        &self.type_name
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        Ok(field_of(&self.data, info))
    }
}

/// A borrowed JSON object, for the values inside a [`JsonObject`].
struct JsonRef<'a> {
    type_name: &'a str,
    data: &'a JsonMap,
}

impl ObjectValue for JsonRef<'_> {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn resolve_field<'b>(
        &'b self,
        info: &'b ResolveInfo<'b>,
    ) -> Result<ResolvedValue<'b>, FieldError> {
        Ok(field_of(self.data, info))
    }
}

/// The field `info` asks for, read from `data` by name (null when absent).
fn field_of<'a>(data: &'a JsonMap, info: &'a ResolveInfo<'a>) -> ResolvedValue<'a> {
    let value = data.get(info.field_name()).unwrap_or(&JsonValue::Null);
    resolve(&info.field_definition().ty, value)
}

/// A JSON value as a value of GraphQL type `ty`.
fn resolve<'a>(ty: &'a Type, value: &'a JsonValue) -> ResolvedValue<'a> {
    match (ty, value) {
        (_, JsonValue::Null) => ResolvedValue::null(),
        (Type::List(item) | Type::NonNullList(item), JsonValue::Array(values)) => {
            ResolvedValue::list(values.iter().map(move |value| resolve(item, value)))
        }
        (Type::Named(name) | Type::NonNullNamed(name), JsonValue::Object(map))
            if SCHEMA.get_scalar(name).is_none() =>
        {
            let type_name = if SCHEMA.get_object(name).is_some() {
                name.as_str()
            } else {
                map.get("__typename")
                    .and_then(JsonValue::as_str)
                    .unwrap_or(name.as_str())
            };
            ResolvedValue::object(JsonRef {
                type_name,
                data: map,
            })
        }
        _ => ResolvedValue::leaf(value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_the_schema_lacks_is_a_graphql_error() {
        let errors = Request::parse("query { agents { edges { node { shoe_size } } } }")
            .err()
            .unwrap();
        assert!(
            errors.iter().any(|e| e["message"]
                .as_str()
                .is_some_and(|m| m.contains("does not have a field `shoe_size`"))),
            "{errors:?}"
        );
    }

    #[test]
    fn depth_twelve_is_refused_and_eleven_is_not() {
        // message 1, node 2, channel 3, chat_logs 4, edges 5, node 6, channel 7, then:
        let eleven = "subscription { message { node { channel { __typename chat_logs { edges { node { \
            __typename id channel { __typename agents { edges { node { id } } } } } } } } } } }";
        let twelve = "subscription { message { node { channel { __typename chat_logs { edges { node { \
            __typename id channel { __typename chat_logs { edges { node { __typename id \
            channel { __typename id } } } } } } } } } } } }";
        for (query, expected) in [(eleven, 11), (twelve, 12)] {
            let document =
                ExecutableDocument::parse_and_validate(&SCHEMA, query, "q.graphql").unwrap();
            let operation = document.operations.get(None).unwrap();
            assert_eq!(depth(&document, operation), expected);
        }
        assert!(Request::parse(eleven).is_ok());
        let errors = Request::parse(twelve).err().unwrap();
        assert!(
            errors[0]["message"]
                .as_str()
                .unwrap()
                .contains("exceeds the maximum depth of 11")
        );
    }
}
