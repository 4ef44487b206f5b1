//! The generator of the `zendesk-chat` client: the hand-curated OpenAPI spec in, formatted Rust out.
//!
//! The pipeline, one module a step:
//!
//! 1. [`spec`]: load the YAML spec, keep the document as written, and give progenitor a copy
//!    without the documentation-only extensions.
//! 2. [`validate`]: check that it is a valid OpenAPI 3.0 document, by the OpenAPI Initiative's
//!    JSON Schema; then [`lint`]: check the project's curation rules (operation ids and tags, error responses,
//!    unknown fields kept, well-formed unions and open enums).
//! 3. [`examples`]: check that every example in the spec is valid against its schema.
//! 4. [`client`]: run progenitor (builder interface, hooks required) with the replacements below,
//!    then add the items that typify cannot make, and format ([`format`]).
//! 5. [`generated_files`]: the generated files of this repository, and whether the checked-in ones are current.
//!
//! What typify would get wrong, and what this crate makes instead:
//!
//! - [`unions`]: a `oneOf` with a `discriminator` becomes, in typify, an untagged enum that tries
//!   each variant in turn (slow, with useless errors) and fails on a tag it does not know. Here it
//!   becomes an enum that reads the tag first, decodes that one variant (naming the path of a field
//!   that does not fit), and, with `x-open-union: true`, keeps an unknown tag whole as `Unknown`.
//! - [`open_enums`]: a string schema with `x-extensible-enum` becomes an enum with an
//!   `Unknown(String)` variant, so a value the server adds later is kept instead of rejected.
//! - `format: date-time` and `format: password` map to hand-written types of the client crate
//!   (see [`client::ClientLayout`]): the first keeps the timestamp text exactly as sent (the docs carry
//!   a `2014-09-31` that chrono rejects), the second keeps passwords out of `Debug` output.
//!
//! - [`operations`]: a table of every operation (for traces and the retry policy), and an
//!   `IntoFuture` for every operation's builder that gives the typed value or the crate's error.
//! - [`patches`]: fixes to typify's output where it is wrong (an object that keeps unknown fields
//!   gets no `Default`, and a builder that fails unless its `extra` map is set by hand).
//!
//! Every override fails loudly when it no longer matches anything in the spec, so none can rot.
//!
//! The Conversations API (GraphQL over a WebSocket) has its own generator, [`graphql`]: the
//! curated schema and the operation documents in, validated by apollo-compiler, typed variables
//! and data out.

pub mod client;
pub mod examples;
pub mod format;
pub mod generated_files;
pub mod graphql;
pub mod lint;
pub mod open_enums;
pub mod operations;
pub mod patches;
pub mod spec;
pub mod unions;
pub mod validate;

pub use client::{ClientLayout, generate_rest_client};
pub use spec::Spec;

/// Everything that can stop generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The spec is not valid YAML.
    #[error("{source_name} is not valid YAML: {error}")]
    Yaml {
        /// The spec's name.
        source_name: String,
        /// The parser's message.
        error: serde_yaml_ng::Error,
    },
    /// The spec is YAML but not an OpenAPI 3.0 document.
    #[error("{source_name} is not an OpenAPI 3.0 document: {error}")]
    OpenApi {
        /// The spec's name.
        source_name: String,
        /// The decoder's message, with the path of the offending value.
        error: String,
    },
    /// The spec is not a valid OpenAPI 3.0 document; each finding names where.
    #[error("the spec is not a valid OpenAPI 3.0 document:\n{}", lint::render(.0))]
    Invalid(Vec<lint::Finding>),
    /// The spec breaks curation rules; each finding names where.
    #[error("the spec breaks {} curation rule(s):\n{}", .0.len(), lint::render(.0))]
    Lint(Vec<lint::Finding>),
    /// Examples in the spec do not match their schemas.
    #[error("{} example(s) do not match their schema:\n{}", .0.len(), lint::render(.0))]
    Examples(Vec<lint::Finding>),
    /// progenitor refused the spec.
    #[error("progenitor: {0}")]
    Progenitor(#[from] progenitor_impl::Error),
    /// The generated tokens are not valid Rust (a generator bug).
    #[error("generated code does not parse: {0}")]
    Syntax(#[from] syn::Error),
    /// A setting names something the spec does not have.
    #[error("stale generator setting: {0}")]
    StaleSetting(String),
    /// The GraphQL schema or an operation of the Conversations API is refused.
    #[error(transparent)]
    Graphql(#[from] graphql::GraphqlError),
}

/// The result of a generation step.
pub type Result<T, E = Error> = std::result::Result<T, E>;
