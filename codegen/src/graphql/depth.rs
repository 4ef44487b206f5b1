//! The depth of a GraphQL operation, as the Conversations API limits it.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Operation, Selection, SelectionSet};

/// The deepest operation the API accepts ("GraphQL queries have a maximum depth of 11").
pub const MAX_DEPTH: usize = 11;

/// The depth of `operation`: a root field is at depth 1, each field selected inside a field one
/// deeper; fragments (named or inline) add nothing, as if their fields were written in place.
/// `__typename` counts like any field. This is the common rule (async-graphql's `limit_depth`).
pub fn depth(document: &ExecutableDocument, operation: &Operation) -> usize {
    selection_depth(document, &operation.selection_set, 0)
}

fn selection_depth(document: &ExecutableDocument, set: &SelectionSet, above: usize) -> usize {
    set.selections
        .iter()
        .map(|selection| match selection {
            Selection::Field(field) => selection_depth(document, &field.selection_set, above + 1),
            Selection::InlineFragment(fragment) => {
                selection_depth(document, &fragment.selection_set, above)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.fragment_name)
                .map_or(above, |fragment| {
                    selection_depth(document, &fragment.selection_set, above)
                }),
        })
        .max()
        .unwrap_or(above)
}

#[cfg(test)]
mod tests {
    use apollo_compiler::{ExecutableDocument, Schema};

    use super::*;

    const SCHEMA: &str = "type Query { a: A } type A { a: A, x: Int }";

    fn depth_of(query: &str) -> usize {
        let schema = Schema::parse_and_validate(SCHEMA, "s.graphql").unwrap();
        let document = ExecutableDocument::parse_and_validate(&schema, query, "q.graphql").unwrap();
        let operation = document.operations.get(None).unwrap();
        depth(&document, operation)
    }

    #[test]
    fn each_nested_field_adds_one_and_fragments_add_nothing() {
        assert_eq!(depth_of("{ a { x } }"), 2);
        assert_eq!(depth_of("{ a { a { a { x } } } }"), 4);
        assert_eq!(depth_of("{ a { ... on A { a { x } } } }"), 3);
        assert_eq!(depth_of("{ a { ...F } } fragment F on A { a { x } }"), 3);
        assert_eq!(depth_of("{ __typename }"), 1);
    }

    #[test]
    fn eleven_is_the_limit_and_twelve_is_past_it() {
        let nested = |levels: usize| {
            let mut query = "x".to_owned();
            for _ in 1..levels {
                query = format!("a {{ {query} }}");
            }
            format!("{{ {query} }}")
        };
        assert_eq!(depth_of(&nested(MAX_DEPTH)), 11);
        assert_eq!(depth_of(&nested(MAX_DEPTH + 1)), 12);
    }
}
