//! The LXC config format: syntax (nom), value grammars and lowering. The key table is the
//! model crate's [`lxconf_model::lxc_key`], re-exported here as `keys`.

pub mod entries;
pub mod inline;
pub mod lower;
pub mod syntax;
pub mod upgrade;
pub mod values;

pub use lower::{load, LoadOptions, Loaded};
pub use lxconf_model::lxc_key as keys;
