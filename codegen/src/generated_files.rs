//! The files of this repository that are generated, and whether the checked-in ones are current.

use std::path::{Path, PathBuf};

use crate::graphql::{ConversationsLayout, Documents, generate_conversations_client};
use crate::{ClientLayout, Result, Spec, generate_rest_client};

/// A generated file: where it goes (relative to the repository root) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The path relative to the repository root.
    pub path: PathBuf,
    /// The file's contents.
    pub contents: String,
}

/// The REST spec, relative to the repository root.
pub const REST_SPEC: &str = "spec/zendesk-chat.yaml";

/// The Conversations API's GraphQL schema, relative to the repository root.
pub const CONVERSATIONS_SCHEMA: &str = "spec/conversations.graphql";

/// The operations the Conversations client offers, one GraphQL document a file.
pub const CONVERSATIONS_OPERATIONS: &str = "spec/conversations";

/// The emulator's copy of the GraphQL schema (inside its package, so that it is published with
/// it); `cargo xtask generate` keeps it equal to [`CONVERSATIONS_SCHEMA`].
pub const EMULATOR_SCHEMA_COPY: &str =
    "crates/zendesk-chat-emulator/src/conversations/schema.graphql";

/// Generates every generated file of the repository rooted at `root`.
pub fn project_files(root: &Path) -> Result<Vec<GeneratedFile>> {
    let mut spec = Spec::from_path(root.join(REST_SPEC))?;
    // Name the spec by its repository path in headers, wherever the repository is checked out.
    spec.source_name = REST_SPEC.to_owned();
    let documents = Documents::load(root, CONVERSATIONS_SCHEMA, CONVERSATIONS_OPERATIONS)
        .map_err(crate::Error::Graphql)?;
    let conversations = generate_conversations_client(
        &documents,
        &ConversationsLayout::zendesk_chat_conversations(),
    )
    .map_err(crate::Error::Graphql)?;
    Ok(vec![
        GeneratedFile {
            path: PathBuf::from("crates/zendesk-chat/src/generated.rs"),
            contents: generate_rest_client(&spec, &ClientLayout::zendesk_chat())?,
        },
        GeneratedFile {
            path: PathBuf::from("crates/zendesk-chat-conversations/src/generated.rs"),
            contents: conversations,
        },
        GeneratedFile {
            path: PathBuf::from(EMULATOR_SCHEMA_COPY),
            contents: documents.schema_text.clone(),
        },
    ])
}

/// The files under `root` that differ from what the generator makes now (or are missing).
/// Line endings are normalised first, so a Windows checkout is not "stale".
pub fn stale_files(root: &Path, files: &[GeneratedFile]) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|file| {
            let on_disk = std::fs::read_to_string(root.join(&file.path)).ok();
            on_disk.map(|text| text.replace("\r\n", "\n")) != Some(file.contents.clone())
        })
        .map(|file| file.path.clone())
        .collect()
}
