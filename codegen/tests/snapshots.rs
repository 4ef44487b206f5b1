//! Snapshot tests of the generator: one small fixture spec per curation rule (in `fixtures/`),
//! each pinning the models it generates, plus the whole generated client of the real spec.
//!
//! Review changes with `cargo insta review`; in CI (`CI` set) snapshots are never written.

use std::path::Path;

use zendesk_chat_codegen::{ClientLayout, Spec, generate_rest_client};

/// The layout of the real client, minus the settings a fixture has nothing for (a setting that
/// matches nothing in the spec is refused as stale) or that change only builders.
fn layout_for(spec: &Spec) -> ClientLayout {
    let mut layout = ClientLayout::zendesk_chat();
    let text = spec.document.to_string();
    layout
        .string_formats
        .retain(|(format, _)| text.contains(&format!("\"format\":\"{format}\"")));
    layout
        .replacements
        .retain(|(schema, _)| spec.schema(schema).is_some());
    // The fixtures' snapshots show models, not their builders' setters.
    layout.optional_text_type = None;
    layout
}

fn fixture(name: &str) -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut spec = Spec::from_path(&path).unwrap();
    spec.source_name = format!("fixtures/{name}");
    spec
}

/// The models of a generated file: the `types` module without typify's struct builders and
/// conversion errors, which every fixture shares.
fn models(source: &str) -> String {
    let file = syn::parse_file(source).unwrap();
    let types = file
        .items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => Some(module.content.unwrap().1),
            _ => None,
        })
        .unwrap();
    let items = types
        .into_iter()
        .filter(
            |item| !matches!(item, syn::Item::Mod(m) if m.ident == "builder" || m.ident == "error"),
        )
        .filter(|item| !is_builder_constructor(item))
        .collect();
    prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: vec![],
        items,
    })
}

fn is_builder_constructor(item: &syn::Item) -> bool {
    matches!(item, syn::Item::Impl(block)
        if block.trait_.is_none()
            && block.items.iter().all(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder")))
}

fn generated_models(name: &str) -> String {
    let spec = fixture(name);
    models(&generate_rest_client(&spec, &layout_for(&spec)).unwrap())
}

#[test]
fn an_open_union_decodes_by_tag_and_keeps_unknown_tags() {
    insta::assert_snapshot!(generated_models("tagged_union.yaml"));
}

#[test]
fn a_closed_union_refuses_unknown_tags() {
    insta::assert_snapshot!(generated_models("closed_union.yaml"));
}

#[test]
fn an_extensible_enum_keeps_unknown_values() {
    insta::assert_snapshot!(generated_models("open_enum.yaml"));
}

#[test]
fn a_bool_or_integer_field_keeps_its_json_type() {
    insta::assert_snapshot!(generated_models("bool_or_integer.yaml"));
}

#[test]
fn an_epoch_time_keeps_integers_exact() {
    insta::assert_snapshot!(generated_models("epoch_time.yaml"));
}

#[test]
fn response_objects_keep_unknown_fields() {
    insta::assert_snapshot!(generated_models("unknown_fields.yaml"));
}

#[test]
fn string_formats_map_to_the_clients_types() {
    insta::assert_snapshot!(generated_models("string_formats.yaml"));
}

#[test]
fn curation_rules_are_reported_with_where() {
    let spec = fixture("badly_curated.yaml");
    let error = generate_rest_client(&spec, &layout_for(&spec)).unwrap_err();
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn examples_that_do_not_match_their_schema_are_reported() {
    let spec = fixture("bad_example.yaml");
    let error = generate_rest_client(&spec, &layout_for(&spec)).unwrap_err();
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn a_setting_that_matches_nothing_is_refused() {
    let spec = fixture("unknown_fields.yaml");
    let error = generate_rest_client(&spec, &ClientLayout::zendesk_chat()).unwrap_err();
    assert!(
        matches!(error, zendesk_chat_codegen::Error::StaleSetting(_)),
        "{error}"
    );
}

#[test]
fn the_whole_generated_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let files = zendesk_chat_codegen::generated_files::project_files(root).unwrap();
    let client = files
        .iter()
        .find(|f| f.path.ends_with("zendesk-chat/src/generated.rs"))
        .unwrap();
    insta::assert_snapshot!(client.contents);
}

#[test]
fn the_whole_generated_conversations_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let files = zendesk_chat_codegen::generated_files::project_files(root).unwrap();
    let client = files
        .iter()
        .find(|f| {
            f.path
                .ends_with("zendesk-chat-conversations/src/generated.rs")
        })
        .unwrap();
    insta::assert_snapshot!(client.contents);
}

/// A schema with an interface, an open enum and an input object, for the GraphQL generator.
const GRAPHQL_SCHEMA: &str = r#"
    type Query { me: User, find(filter: Filter!): [User!]! }
    "Someone." interface User { id: ID! }
    type Agent implements User { id: ID!, name: String, status: STATUS }
    type Visitor implements User { id: ID!, email: String }
    "An agent's status." enum STATUS { ONLINE AWAY }
    input Filter { status: STATUS, name: String! }
"#;

#[test]
fn an_interface_selection_is_an_enum_told_apart_by_typename() {
    use zendesk_chat_codegen::graphql::{
        ConversationsLayout, Documents, generate_conversations_client,
    };
    let documents = Documents::from_sources(
        "schema.graphql",
        GRAPHQL_SCHEMA,
        vec![(
            "Find".into(),
            "ops/Find.graphql".into(),
            "# Users by status.\nquery Find($filter: Filter!) { find(filter: $filter) { __typename id ... on Agent { name status } } }".into(),
        )],
    )
    .unwrap();
    let generated = generate_conversations_client(
        &documents,
        &ConversationsLayout::zendesk_chat_conversations(),
    )
    .unwrap();
    insta::assert_snapshot!(generated);
}
