//! Rust for the Conversations client: the schema's enums and input objects, and per operation its
//! document, typed variables and typed data.
//!
//! Naming: a schema type `AGENT_STATUS` is `AgentStatus`; an operation `SendMessage` is the marker
//! type `operations::SendMessage` with its types in `operations::send_message`, where the data is
//! `Data` and each selection below it is named by its path (`Message`, `MessageNode`,
//! `MessageNodeFrom`). A selection of an interface or a union is an enum with a variant per
//! possible type (`MessageNodeFrom::Agent(MessageNodeFromAgent)`), decoded by `__typename`, and
//! an `Unknown` variant that keeps a type this version does not know.
//!
//! Types: `ID` is the runtime's `Id`, `Int` `i64` (wider than GraphQL's 32 bits, so that nothing
//! the server sends is refused), `Float` `f64`, custom scalars any JSON value; a nullable type is
//! an `Option`.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::collections::IndexMap;
use apollo_compiler::executable::{Field, OperationType, Selection, SelectionSet};
use apollo_compiler::schema::{ExtendedType, Type};
use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::{ConversationsLayout, Documents, GraphqlError, OperationFile};

/// The generated module as a syntax tree.
pub fn emit(
    documents: &Documents,
    layout: &ConversationsLayout,
) -> Result<syn::File, GraphqlError> {
    let paths = Paths::new(layout)?;
    let types = schema_types(documents, &paths);
    let operations: Vec<TokenStream> = documents
        .operations
        .iter()
        .map(|file| operation(documents, file, &paths))
        .collect::<Result<_, _>>()?;
    let markers: Vec<Ident> = documents
        .operations
        .iter()
        .map(|file| format_ident!("{}", file.stem.to_upper_camel_case()))
        .collect();
    let runtime = &paths.runtime;
    let tokens = quote! {
        /// The schema's enums and input objects.
        pub mod types {
            #(#types)*
        }

        /// The operations the client offers, each a GraphQL document of `spec/conversations/`.
        pub mod operations {
            #(#operations)*

            /// Every operation's name and document, in the order of `spec/conversations/`.
            pub const ALL: &[(&str, &str)] = &[
                #((<#markers as #runtime::Operation>::NAME, <#markers as #runtime::Operation>::DOCUMENT),)*
            ];

            /// Decodes `data` as the data of the operation named `name`: `None` for a name that is
            /// not an operation. For the fuzz targets (`--cfg fuzzing`).
            #[cfg(fuzzing)]
            pub fn decode_data(name: &str, data: serde_json::Value) -> Option<Result<(), serde_json::Error>> {
                #(if name == <#markers as #runtime::Operation>::NAME {
                    return Some(
                        serde_json::from_value::<<#markers as #runtime::Operation>::Data>(data).map(drop),
                    );
                })*
                None
            }
        }
    };
    Ok(syn::parse2(tokens)?)
}

/// The paths the generated code names.
struct Paths {
    types: TokenStream,
    runtime: TokenStream,
}

impl Paths {
    fn new(layout: &ConversationsLayout) -> Result<Self, GraphqlError> {
        let module: syn::Path = syn::parse_str(&layout.module_path)?;
        let runtime: syn::Path = syn::parse_str(&layout.runtime_path)?;
        Ok(Self {
            types: quote!(#module::types),
            runtime: quote!(#runtime),
        })
    }
}

// ---- schema types -------------------------------------------------------------------------------

fn schema_types(documents: &Documents, paths: &Paths) -> Vec<TokenStream> {
    documents
        .schema
        .types
        .values()
        .filter(|ty| !ty.is_built_in())
        .filter_map(|ty| match ty {
            ExtendedType::Enum(definition) => {
                let name = type_ident(&definition.name);
                let graphql_name = definition.name.as_str();
                let doc = doc_lines(definition.description.as_deref(), graphql_name);
                let values: Vec<(&str, Ident, Option<&str>)> = definition
                    .values
                    .values()
                    .map(|value| {
                        (
                            value.value.as_str(),
                            format_ident!("{}", value.value.as_str().to_upper_camel_case()),
                            value.description.as_deref(),
                        )
                    })
                    .collect();
                let variants = values.iter().map(|(text, ident, description)| {
                    let doc = doc_lines(Some(&description.map_or_else(|| format!("`{text}`"), |d| format!("`{text}`: {d}"))), "");
                    quote!(#doc #ident,)
                });
                let as_str = values.iter().map(|(text, ident, _)| quote!(Self::#ident => #text,));
                let from = values.iter().map(|(text, ident, _)| quote!(#text => Self::#ident,));
                Some(quote! {
                    #doc
                    #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
                    #[serde(from = "String", into = "String")]
                    #[non_exhaustive]
                    pub enum #name {
                        #(#variants)*
                        /// A value this version does not know, kept as sent.
                        Unknown(String),
                    }

                    impl #name {
                        /// The value as the API writes it.
                        pub fn as_str(&self) -> &str {
                            match self {
                                #(#as_str)*
                                Self::Unknown(value) => value,
                            }
                        }
                    }

                    impl From<String> for #name {
                        fn from(value: String) -> Self {
                            match value.as_str() {
                                #(#from)*
                                _ => Self::Unknown(value),
                            }
                        }
                    }

                    impl From<#name> for String {
                        fn from(value: #name) -> Self {
                            value.as_str().to_owned()
                        }
                    }

                    impl std::fmt::Display for #name {
                        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                            f.write_str(self.as_str())
                        }
                    }
                })
            }
            ExtendedType::InputObject(definition) => {
                let name = type_ident(&definition.name);
                let doc = doc_lines(definition.description.as_deref(), definition.name.as_str());
                let all_optional = definition.fields.values().all(|f| !f.ty.is_non_null());
                let default = all_optional.then(|| quote!(Default,));
                let fields = definition.fields.values().map(|field| {
                    let ty = rust_type(documents, &field.ty, paths, None);
                    let doc = doc_lines(field.description.as_deref(), field.name.as_str());
                    let ident = field_ident(field.name.as_str());
                    let rename = rename(field.name.as_str(), &ident);
                    let skip = (!field.ty.is_non_null()).then(|| {
                        quote!(#[serde(default, skip_serializing_if = "Option::is_none")])
                    });
                    quote!(#doc #rename #skip pub #ident: #ty,)
                });
                Some(quote! {
                    #doc
                    #[derive(Clone, Debug, #default PartialEq, serde::Serialize, serde::Deserialize)]
                    pub struct #name {
                        #(#fields)*
                    }
                })
            }
            _ => None,
        })
        .collect()
}

// ---- operations ---------------------------------------------------------------------------------

fn operation(
    documents: &Documents,
    file: &OperationFile,
    paths: &Paths,
) -> Result<TokenStream, GraphqlError> {
    let document = &file.document;
    let operation = document
        .operations
        .iter()
        .next()
        .expect("checked: one operation a file");
    let marker = format_ident!("{}", file.stem.to_upper_camel_case());
    let module = format_ident!("{}", file.stem.to_snake_case());
    let name = file.stem.as_str();
    let runtime = &paths.runtime;
    let kind = match operation.operation_type {
        OperationType::Query => quote!(#runtime::OperationKind::Query),
        OperationType::Mutation => quote!(#runtime::OperationKind::Mutation),
        OperationType::Subscription => quote!(#runtime::OperationKind::Subscription),
    };
    let text = document.to_string();
    let mut doc = file.doc.join("\n");
    if doc.is_empty() {
        doc = format!("The `{name}` operation.");
    }
    let doc = doc_lines(
        Some(&format!("{doc}\n\n```graphql\n{}\n```", text.trim_end())),
        "",
    );

    let variables = variables(documents, operation, paths);
    let mut emitter = Selections {
        documents,
        document,
        paths,
        items: Vec::new(),
    };
    let root_type = operation.selection_set.ty.as_str().to_owned();
    let fields = collect_fields(documents, document, &[&operation.selection_set], &root_type);
    emitter.object(
        format_ident!("Data"),
        &format!("The data of [`{marker}`](super::{marker})."),
        "",
        &fields,
    );
    let items = emitter.items;
    let module_doc = doc_lines(
        Some(&format!(
            "The variables and data of [`{marker}`](super::{marker})."
        )),
        "",
    );
    Ok(quote! {
        #doc
        #[derive(Clone, Copy, Debug, Default)]
        pub struct #marker;

        impl #runtime::Operation for #marker {
            type Variables = #module::Variables;
            type Data = #module::Data;
            const NAME: &'static str = #name;
            const KIND: #runtime::OperationKind = #kind;
            const DOCUMENT: &'static str = #text;
        }

        #module_doc
        pub mod #module {
            #variables
            #(#items)*
        }
    })
}

fn variables(
    documents: &Documents,
    operation: &apollo_compiler::executable::Operation,
    paths: &Paths,
) -> TokenStream {
    let all_optional = operation.variables.iter().all(|v| !v.ty.is_non_null());
    let default = all_optional.then(|| quote!(Default,));
    let fields = operation.variables.iter().map(|variable| {
        let ident = field_ident(variable.name.as_str());
        let rename = rename(variable.name.as_str(), &ident);
        let ty = rust_type(documents, &variable.ty, paths, None);
        let skip = (!variable.ty.is_non_null())
            .then(|| quote!(#[serde(skip_serializing_if = "Option::is_none")]));
        let doc = doc_lines(Some(&format!("`${}: {}`", variable.name, variable.ty)), "");
        quote!(#doc #rename #skip pub #ident: #ty,)
    });
    quote! {
        /// The operation's variables.
        #[derive(Clone, Debug, #default PartialEq, serde::Serialize)]
        pub struct Variables {
            #(#fields)*
        }
    }
}

/// A field of a selection, merged over every place it is selected (fragments included).
struct MergedField<'d> {
    field: &'d Field,
    sets: Vec<&'d SelectionSet>,
}

/// The fields selected on `concrete` by `sets`: direct fields, and those of fragments whose type
/// condition applies to it, merged by response key in first-seen order.
fn collect_fields<'d>(
    documents: &Documents,
    document: &'d ExecutableDocument,
    sets: &[&'d SelectionSet],
    concrete: &str,
) -> IndexMap<String, MergedField<'d>> {
    let mut fields: IndexMap<String, MergedField<'d>> = IndexMap::default();
    let applies =
        |condition: &str| condition == concrete || documents.schema.is_subtype(condition, concrete);
    fn walk<'d>(
        document: &'d ExecutableDocument,
        set: &'d SelectionSet,
        applies: &dyn Fn(&str) -> bool,
        fields: &mut IndexMap<String, MergedField<'d>>,
    ) {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    fields
                        .entry(field.response_key().to_string())
                        .or_insert_with(|| MergedField {
                            field,
                            sets: Vec::new(),
                        })
                        .sets
                        .push(&field.selection_set);
                }
                Selection::InlineFragment(fragment) => {
                    let condition = fragment.selection_set.ty.as_str();
                    if fragment.type_condition.is_none() || applies(condition) {
                        walk(document, &fragment.selection_set, applies, fields);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = document.fragments.get(&spread.fragment_name)
                        && applies(fragment.selection_set.ty.as_str())
                    {
                        walk(document, &fragment.selection_set, applies, fields);
                    }
                }
            }
        }
    }
    for set in sets {
        walk(document, set, &applies, &mut fields);
    }
    fields
}

/// Emits the types of an operation's selections.
struct Selections<'a> {
    documents: &'a Documents,
    document: &'a ExecutableDocument,
    paths: &'a Paths,
    items: Vec<TokenStream>,
}

impl Selections<'_> {
    /// A struct for an object selection with `fields`; nested selections get types named
    /// `{prefix}{Field}`.
    fn object(
        &mut self,
        name: Ident,
        doc: &str,
        prefix: &str,
        fields: &IndexMap<String, MergedField<'_>>,
    ) {
        let members: Vec<TokenStream> = fields
            .iter()
            .map(|(key, merged)| {
                let ident = field_ident(key);
                let rename = rename(key, &ident);
                let definition = &merged.field.definition;
                let nested = format!(
                    "{prefix}{}",
                    key.trim_start_matches('_').to_upper_camel_case()
                );
                let named = self.selection_type(merged, &nested);
                let ty = rust_type(self.documents, &definition.ty, self.paths, named);
                let default = (!definition.ty.is_non_null()).then(|| quote!(#[serde(default)]));
                let doc = doc_lines(definition.description.as_deref(), key);
                quote!(#doc #rename #default pub #ident: #ty,)
            })
            .collect();
        let doc = doc_lines(Some(doc), "");
        self.items.push(quote! {
            #doc
            #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
            pub struct #name {
                #(#members)*
            }
        });
    }

    /// The type of a field's sub-selection (emitting it), or `None` for a leaf.
    fn selection_type(&mut self, merged: &MergedField<'_>, name: &str) -> Option<TokenStream> {
        let inner = merged
            .field
            .definition
            .ty
            .inner_named_type()
            .as_str()
            .to_owned();
        let sets: Vec<&SelectionSet> = merged.sets.clone();
        let ident = format_ident!("{name}");
        match self.documents.schema.types.get(inner.as_str())? {
            ExtendedType::Object(_) => {
                let fields = collect_fields(self.documents, self.document, &sets, &inner);
                let doc = format!("`{inner}` as selected at `{name}`.");
                self.object(ident.clone(), &doc, name, &fields);
                Some(quote!(#ident))
            }
            ExtendedType::Interface(_) | ExtendedType::Union(_) => {
                self.abstract_enum(&ident, &inner, &sets);
                Some(quote!(#ident))
            }
            _ => None,
        }
    }

    /// An enum over the possible types of an interface or union selection, decoded by
    /// `__typename`.
    fn abstract_enum(&mut self, name: &Ident, abstract_type: &str, sets: &[&SelectionSet]) {
        let possible = possible_types(self.documents, abstract_type);
        let runtime = self.paths.runtime.clone();
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        let mut typenames = Vec::new();
        for concrete in &possible {
            let variant = format_ident!("{}", concrete.to_upper_camel_case());
            let struct_name = format!("{name}{variant}");
            let struct_ident = format_ident!("{struct_name}");
            let fields = collect_fields(self.documents, self.document, sets, concrete);
            let doc = format!("`{concrete}` as selected at `{name}`.");
            self.object(struct_ident.clone(), &doc, &struct_name, &fields);
            let variant_doc = doc_lines(Some(&format!("A `{concrete}`.")), "");
            variants.push(quote!(#variant_doc #variant(#struct_ident),));
            arms.push(quote!(#concrete => Self::#variant(#runtime::from_object(object)?),));
            typenames.push(quote!(Self::#variant(_) => #concrete,));
        }
        let accessors = self.common_leaf_accessors(sets, &possible);
        let doc = doc_lines(
            Some(&format!(
                "`{abstract_type}` as selected at `{name}`: one variant per possible type, told apart by `__typename`."
            )),
            "",
        );
        self.items.push(quote! {
            #doc
            #[derive(Clone, Debug, PartialEq, serde::Serialize)]
            #[serde(untagged)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                /// A type this version does not know, kept whole.
                Unknown(#runtime::UnknownObject),
            }

            impl #name {
                /// The object's `__typename`.
                pub fn typename(&self) -> &str {
                    match self {
                        #(#typenames)*
                        Self::Unknown(object) => &object.typename,
                    }
                }

                #(#accessors)*
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    #runtime::by_typename(deserializer, |typename, object| {
                        Ok(match typename.as_str() {
                            #(#arms)*
                            _ => Self::Unknown(#runtime::UnknownObject { typename, fields: object }),
                        })
                    })
                }
            }
        });
    }
}

impl Selections<'_> {
    /// For each leaf field selected on the interface itself (so in every variant, with one
    /// type), an accessor; `None` for an unknown type.
    fn common_leaf_accessors(
        &self,
        sets: &[&SelectionSet],
        possible: &[String],
    ) -> Vec<TokenStream> {
        let mut accessors = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for set in sets {
            for selection in &set.selections {
                let Selection::Field(field) = selection else {
                    continue;
                };
                let key = field.response_key().to_string();
                let ty = &field.definition.ty;
                let leaf = !ty.is_list()
                    && !matches!(
                        self.documents
                            .schema
                            .types
                            .get(ty.inner_named_type().as_str()),
                        Some(
                            ExtendedType::Object(_)
                                | ExtendedType::Interface(_)
                                | ExtendedType::Union(_)
                        )
                    );
                if !leaf || key == "__typename" || !seen.insert(key.clone()) {
                    continue;
                }
                let ident = field_ident(&key);
                let inner = named_type(
                    self.documents,
                    ty.inner_named_type().as_str(),
                    self.paths,
                    None,
                );
                let get = if ty.is_non_null() {
                    quote!(Some(&variant.#ident))
                } else {
                    quote!(variant.#ident.as_ref())
                };
                let arms = possible.iter().map(|concrete| {
                    let variant = format_ident!("{}", concrete.to_upper_camel_case());
                    quote!(Self::#variant(variant) => #get,)
                });
                let doc = doc_lines(
                    Some(&format!(
                        "`{key}`, whatever the type (`None` for a type this version does not know)."
                    )),
                    "",
                );
                accessors.push(quote! {
                    #doc
                    pub fn #ident(&self) -> Option<&#inner> {
                        match self {
                            #(#arms)*
                            Self::Unknown(_) => None,
                        }
                    }
                });
            }
        }
        accessors
    }
}

/// The object types an interface or union can be, in schema order.
fn possible_types(documents: &Documents, abstract_type: &str) -> Vec<String> {
    documents
        .schema
        .types
        .values()
        .filter_map(|ty| match ty {
            ExtendedType::Object(object)
                if documents
                    .schema
                    .is_subtype(abstract_type, object.name.as_str()) =>
            {
                Some(object.name.to_string())
            }
            _ => None,
        })
        .collect()
}

// ---- names and types ----------------------------------------------------------------------------

/// The Rust type of a GraphQL type: `named` for a composite selection, else the scalar's or the
/// enum's or input object's type; `Option` where nullable, `Vec` for lists.
fn rust_type(
    documents: &Documents,
    ty: &Type,
    paths: &Paths,
    named: Option<TokenStream>,
) -> TokenStream {
    match ty {
        Type::Named(name) => {
            let inner = named_type(documents, name.as_str(), paths, named);
            quote!(Option<#inner>)
        }
        Type::NonNullNamed(name) => named_type(documents, name.as_str(), paths, named),
        Type::List(item) => {
            let item = rust_type(documents, item, paths, named);
            quote!(Option<Vec<#item>>)
        }
        Type::NonNullList(item) => {
            let item = rust_type(documents, item, paths, named);
            quote!(Vec<#item>)
        }
    }
}

fn named_type(
    documents: &Documents,
    name: &str,
    paths: &Paths,
    named: Option<TokenStream>,
) -> TokenStream {
    if let Some(named) = named {
        return named;
    }
    let (types, runtime) = (&paths.types, &paths.runtime);
    match name {
        "ID" => quote!(#runtime::Id),
        "String" => quote!(String),
        "Int" => quote!(i64),
        "Float" => quote!(f64),
        "Boolean" => quote!(bool),
        _ => match documents.schema.types.get(name) {
            Some(ExtendedType::Enum(_) | ExtendedType::InputObject(_)) => {
                let ident = type_ident(name);
                quote!(#types::#ident)
            }
            // A custom scalar: its representation is not documented; any JSON value.
            _ => quote!(serde_json::Value),
        },
    }
}

/// `AGENT_STATUS` → `AgentStatus`; `QuickReplyInput` stays.
fn type_ident(name: &str) -> Ident {
    format_ident!("{}", name.to_upper_camel_case())
}

/// The Rust name of a GraphQL field or variable: snake case, raw when a keyword.
fn field_ident(name: &str) -> Ident {
    let snake = name.trim_start_matches('_').to_snake_case();
    let snake = if name == "__typename" {
        "typename".to_owned()
    } else {
        snake
    };
    if syn::parse_str::<Ident>(&snake).is_ok() {
        Ident::new(&snake, Span::call_site())
    } else {
        Ident::new_raw(&snake, Span::call_site())
    }
}

/// `#[serde(rename = "…")]` when the Rust name differs from the GraphQL one.
fn rename(graphql: &str, ident: &Ident) -> Option<TokenStream> {
    let rust = ident.to_string();
    (rust.trim_start_matches("r#") != graphql).then(|| quote!(#[serde(rename = #graphql)]))
}

/// Doc attributes from a description, or naming the GraphQL item when there is none.
fn doc_lines(description: Option<&str>, name: &str) -> TokenStream {
    let text = description.map_or_else(|| format!("`{name}`."), str::to_owned);
    let lines = text.lines().map(|line| format!(" {line}"));
    quote!(#(#[doc = #lines])*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(type_ident("AGENT_STATUS").to_string(), "AgentStatus");
        assert_eq!(type_ident("QuickReplyInput").to_string(), "QuickReplyInput");
        assert_eq!(field_ident("pageInfo").to_string(), "page_info");
        assert_eq!(field_ident("__typename").to_string(), "typename");
        assert_eq!(field_ident("type").to_string(), "r#type");
        assert!(rename("type", &field_ident("type")).is_none());
        assert!(rename("pageInfo", &field_ident("pageInfo")).is_some());
    }
}
