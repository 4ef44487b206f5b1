//! The generator of the Conversations client: the curated GraphQL schema and the operations the
//! crate offers in, formatted Rust out.
//!
//! The pipeline, in the shape of the REST passes (`find / check / emit`):
//!
//! 1. [`Documents::load`] (find): parse and validate `spec/conversations.graphql` and every
//!    operation under `spec/conversations/` with apollo-compiler, to the GraphQL specification. An
//!    operation the schema rejects (a field it lacks, a wrong argument) fails here, at generation,
//!    never at run time.
//! 2. [`check`]: the project's rules for operations: one named operation per file, named after
//!    the file; `__typename` selected wherever the type is an interface or a union (the client
//!    decodes by it); a depth of at most [`MAX_DEPTH`], the limit the API enforces.
//! 3. [`emit`]: the schema's enums (open: an unknown value is kept) and input objects, and per
//!    operation its document, typed variables and typed data, and an `Operation` impl.
//!
//! The runtime code the generated code calls (decoding by `__typename`, the `Operation` trait,
//! `Id`) is hand-written in the client crate; the generated code only names it.

pub mod check;
pub mod depth;
pub mod emit;

use std::path::Path;

use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

pub use depth::{MAX_DEPTH, depth};

/// Everything that can stop the GraphQL generator.
#[derive(Debug, thiserror::Error)]
pub enum GraphqlError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The schema is not valid GraphQL.
    #[error("{path} is not a valid GraphQL schema:\n{report}")]
    Schema {
        /// The schema file.
        path: String,
        /// apollo-compiler's diagnostics.
        report: String,
    },
    /// An operation is not valid against the schema.
    #[error("{path} is not valid against the schema:\n{report}")]
    Operation {
        /// The operation file.
        path: String,
        /// apollo-compiler's diagnostics.
        report: String,
    },
    /// Operations break the project's rules; one line a finding.
    #[error("{} operation rule(s) broken:\n{}", .0.len(), .0.iter().map(|f| format!("  - {f}")).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<String>),
    /// The generated tokens are not valid Rust (a generator bug).
    #[error("generated code does not parse: {0}")]
    Syntax(#[from] syn::Error),
}

/// The schema and the operations, parsed and validated.
#[derive(Debug)]
pub struct Documents {
    /// The schema's repository path, for headers and messages.
    pub schema_name: String,
    /// The schema's text.
    pub schema_text: String,
    /// The schema.
    pub schema: Valid<Schema>,
    /// The operations, in file-name order.
    pub operations: Vec<OperationFile>,
}

/// One operation file.
#[derive(Debug)]
pub struct OperationFile {
    /// The file's name without `.graphql`: the operation's name.
    pub stem: String,
    /// The file's repository path.
    pub path: String,
    /// The `#` comment lines at the top of the file, without the `#`: the operation's doc.
    pub doc: Vec<String>,
    /// The document.
    pub document: Valid<ExecutableDocument>,
}

impl Documents {
    /// Reads and validates the schema at `root/schema_path` and every `*.graphql` file in
    /// `root/operations_dir`.
    pub fn load(
        root: &Path,
        schema_path: &str,
        operations_dir: &str,
    ) -> Result<Self, GraphqlError> {
        let read = |path: &str| {
            std::fs::read_to_string(root.join(path)).map_err(|source| GraphqlError::Read {
                path: path.to_owned(),
                source,
            })
        };
        let schema_text = read(schema_path)?;
        let mut files: Vec<(String, String)> = std::fs::read_dir(root.join(operations_dir))
            .map_err(|source| GraphqlError::Read {
                path: operations_dir.to_owned(),
                source,
            })?
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stem = name.strip_suffix(".graphql")?.to_owned();
                Some((stem, format!("{operations_dir}/{name}")))
            })
            .collect();
        files.sort();
        let mut sources = Vec::new();
        for (stem, path) in files {
            let text = read(&path)?;
            sources.push((stem, path, text));
        }
        Self::from_sources(schema_path, &schema_text, sources)
    }

    /// Validates a schema and operations given as text: `(stem, path, text)` each.
    pub fn from_sources(
        schema_name: &str,
        schema_text: &str,
        operations: Vec<(String, String, String)>,
    ) -> Result<Self, GraphqlError> {
        let schema = Schema::parse_and_validate(schema_text, schema_name).map_err(|e| {
            GraphqlError::Schema {
                path: schema_name.to_owned(),
                report: e.errors.to_string(),
            }
        })?;
        let mut files = Vec::new();
        for (stem, path, text) in operations {
            let document = ExecutableDocument::parse_and_validate(&schema, text.as_str(), &path)
                .map_err(|e| GraphqlError::Operation {
                    path: path.clone(),
                    report: e.errors.to_string(),
                })?;
            let doc = text
                .lines()
                .map_while(|line| line.strip_prefix('#'))
                .map(|line| line.strip_prefix(' ').unwrap_or(line).to_owned())
                .collect();
            files.push(OperationFile {
                stem,
                path,
                doc,
                document,
            });
        }
        Ok(Self {
            schema_name: schema_name.to_owned(),
            schema_text: schema_text.to_owned(),
            schema,
            operations: files,
        })
    }
}

/// Where the generated module lives in the client crate and where its runtime is.
#[derive(Debug, Clone)]
pub struct ConversationsLayout {
    /// The path of the generated module, such as `crate::generated`.
    pub module_path: String,
    /// The path of the hand-written runtime the generated code calls, such as `crate::runtime`.
    pub runtime_path: String,
}

impl ConversationsLayout {
    /// The layout of `crates/zendesk-chat-conversations`.
    pub fn zendesk_chat_conversations() -> Self {
        Self {
            module_path: "crate::generated".into(),
            runtime_path: "crate::runtime".into(),
        }
    }
}

/// Validates, checks and generates the Conversations client's module.
pub fn generate_conversations_client(
    documents: &Documents,
    layout: &ConversationsLayout,
) -> Result<String, GraphqlError> {
    let findings = check::check(documents);
    if !findings.is_empty() {
        return Err(GraphqlError::Rules(findings));
    }
    let file = emit::emit(documents, layout)?;
    Ok(crate::format::generated_file(&file, &documents.schema_name)
        .map_err(|error| match error {
            crate::Error::Syntax(error) => GraphqlError::Syntax(error),
            other => GraphqlError::Syntax(syn::Error::new(
                proc_macro2::Span::call_site(),
                other.to_string(),
            )),
        })?
        .replace(
            &format!("from {}.", documents.schema_name),
            &format!(
                "from {} and the operations beside it.",
                documents.schema_name
            ),
        ))
}
