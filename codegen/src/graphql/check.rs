//! The project's rules for the operations the Conversations client offers, beyond GraphQL
//! validity (which apollo-compiler checked when the documents were loaded).
//!
//! - one named operation per file, named after the file, and no two files with one name;
//! - `__typename` selected directly in every selection of an interface or a union, since the
//!   client decodes those by it;
//! - a depth of at most [`MAX_DEPTH`](super::MAX_DEPTH), which the API enforces;
//! - a subscription has one root field (GraphQL's rule, restated for the message).

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;

use super::{Documents, MAX_DEPTH, depth};

/// Every broken rule, one line each; empty when the operations are fit to generate from.
pub fn check(documents: &Documents) -> Vec<String> {
    let mut findings = Vec::new();
    for file in &documents.operations {
        let document = &file.document;
        let operations: Vec<_> = document.operations.iter().collect();
        let [operation] = operations.as_slice() else {
            findings.push(format!(
                "{}: holds {} operations; one a file",
                file.path,
                operations.len()
            ));
            continue;
        };
        match operation.name.as_deref() {
            Some(name) if name == file.stem => {}
            Some(name) => findings.push(format!(
                "{}: the operation is named {name}; name it after its file, {}",
                file.path, file.stem
            )),
            None => findings.push(format!(
                "{}: the operation has no name; name it {}",
                file.path, file.stem
            )),
        }
        let levels = depth(document, operation);
        if levels > MAX_DEPTH {
            findings.push(format!(
                "{}: depth {levels} is past the API's limit of {MAX_DEPTH}",
                file.path
            ));
        }
        let mut missing = Vec::new();
        typename_on_abstract_selections(
            documents,
            document,
            &operation.selection_set,
            "",
            &mut missing,
        );
        for at in missing {
            findings.push(format!(
                "{}: `{at}` is an interface or a union: select `__typename` in it",
                file.path
            ));
        }
    }
    findings
}

/// Collects the paths of abstract selections without a direct `__typename`.
fn typename_on_abstract_selections(
    documents: &Documents,
    document: &ExecutableDocument,
    set: &SelectionSet,
    path: &str,
    missing: &mut Vec<String>,
) {
    let is_abstract = matches!(
        documents.schema.types.get(&set.ty),
        Some(ExtendedType::Interface(_) | ExtendedType::Union(_))
    );
    let selects_typename = set.selections.iter().any(
        |selection| matches!(selection, Selection::Field(field) if field.name == "__typename"),
    );
    if is_abstract && !selects_typename {
        missing.push(path.to_owned());
    }
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                let inner = if path.is_empty() {
                    field.response_key().to_string()
                } else {
                    format!("{path}.{}", field.response_key())
                };
                typename_on_abstract_selections(
                    documents,
                    document,
                    &field.selection_set,
                    &inner,
                    missing,
                );
            }
            Selection::InlineFragment(fragment) => {
                for selection in &fragment.selection_set.selections {
                    if let Selection::Field(field) = selection {
                        let inner = format!("{path}.{}", field.response_key());
                        typename_on_abstract_selections(
                            documents,
                            document,
                            &field.selection_set,
                            &inner,
                            missing,
                        );
                    }
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                    typename_on_abstract_selections(
                        documents,
                        document,
                        &fragment.selection_set,
                        path,
                        missing,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "
        type Query { me: User, deep: Deep }
        interface User { id: ID! }
        type Agent implements User { id: ID!, name: String }
        type Deep { deep: Deep, x: Int }
    ";

    fn findings(stem: &str, text: &str) -> Vec<String> {
        let documents = Documents::from_sources(
            "schema.graphql",
            SCHEMA,
            vec![(stem.into(), format!("ops/{stem}.graphql"), text.into())],
        )
        .unwrap();
        check(&documents)
    }

    #[test]
    fn a_well_formed_operation_passes() {
        assert_eq!(
            findings(
                "Me",
                "query Me { me { __typename id ... on Agent { name } } }"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_abstract_selection_without_typename_is_refused() {
        let found = findings("Me", "query Me { me { id } }");
        assert!(
            found[0].contains("`me` is an interface or a union"),
            "{found:?}"
        );
    }

    #[test]
    fn an_operation_must_be_named_after_its_file() {
        assert!(
            findings("Me", "query Other { deep { x } }")[0].contains("name it after its file, Me")
        );
        assert!(findings("Me", "{ deep { x } }")[0].contains("has no name"));
    }

    #[test]
    fn an_operation_deeper_than_the_api_allows_is_refused() {
        let mut query = "x".to_owned();
        for _ in 0..MAX_DEPTH {
            query = format!("deep {{ {query} }}");
        }
        let found = findings("Deep", &format!("query Deep {{ {query} }}"));
        assert!(
            found[0].contains("depth 12 is past the API's limit of 11"),
            "{found:?}"
        );
    }

    #[test]
    fn a_field_the_schema_lacks_fails_at_generation() {
        let error = Documents::from_sources(
            "schema.graphql",
            SCHEMA,
            vec![(
                "Me".into(),
                "ops/Me.graphql".into(),
                "query Me { deep { nope } }".into(),
            )],
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("does not have a field `nope`"),
            "{error}"
        );
    }
}
