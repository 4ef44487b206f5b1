//! Workspace-level tests live in `tests/tests/`; this crate has no library code. Its doctests are
//! the README's examples, so that every one of them compiles.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
