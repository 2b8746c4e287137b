//! The rules, one file per family.

pub mod host;
pub mod identity;
pub mod idmap;
pub mod input;
pub mod lxc_syntax;
pub mod model_doc;
pub mod mounts;
pub mod network;
pub mod parser;
pub mod process;
pub mod resources;
pub mod seccomp;
