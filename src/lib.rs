//! The `lxconf` command-line tool, as a library so integration tests can drive it.
//!
//! Subcommands live in [`cli`], one module each; [`input`] reads and loads files in any
//! format; [`report`] renders diagnostics with miette.

pub mod cli;
pub mod engine;
pub mod input;
pub mod lint;
pub mod output;
pub mod probe;
pub mod report;
pub mod snippet;
