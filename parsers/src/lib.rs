//! lxconf-parse: readers for LXC configs and fstab files (nom), libvirt domain XML and model
//! documents (JSON/YAML), each producing a model with the origin of every value. [`load`]
//! is the one entry point for any of them.

pub mod detect;
pub mod domxml;
pub mod fs;
pub mod fstab;
pub mod limits;
mod load;
pub mod lxc;
pub mod lxd;
pub mod model_doc;
pub mod seccomp;
pub mod verbatim;

pub use detect::{detect, Format};
pub use load::{load, load_fstab};
pub use lxc::{LoadOptions, Loaded};
pub use model_doc::{load_model_json, load_model_yaml, too_deep};
