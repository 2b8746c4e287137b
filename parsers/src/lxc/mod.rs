//! The LXC config format: syntax (nom), key table, value grammars and lowering.

pub mod entries;
pub mod inline;
pub mod keys;
pub mod lower;
pub mod syntax;
pub mod upgrade;
pub mod values;

pub use lower::{load, LoadOptions, Loaded};
