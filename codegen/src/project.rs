//! The files of this repository that are generated, and whether the checked-in ones are current.

use std::path::{Path, PathBuf};

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

/// Generates every generated file of the repository rooted at `root`.
pub fn project_files(root: &Path) -> Result<Vec<GeneratedFile>> {
    let mut spec = Spec::from_path(root.join(REST_SPEC))?;
    // Name the spec by its repository path in headers, wherever the repository is checked out.
    spec.source_name = REST_SPEC.to_owned();
    Ok(vec![GeneratedFile {
        path: PathBuf::from("crates/zendesk-chat/src/generated.rs"),
        contents: generate_rest_client(&spec, &ClientLayout::zendesk_chat())?,
    }])
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
