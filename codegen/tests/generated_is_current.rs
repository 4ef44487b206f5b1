//! The checked-in generated files are what the generator makes from the checked-in spec: the same
//! check as `cargo xtask generate --check`, run with the tests.

use std::path::Path;

use zendesk_chat_codegen::generated_files::{project_files, stale_files};

#[test]
fn checked_in_generated_files_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let files = project_files(root).unwrap();
    assert!(!files.is_empty());
    let stale = stale_files(root, &files);
    assert!(
        stale.is_empty(),
        "stale generated files, run `cargo xtask generate`: {stale:?}"
    );
}
