//! lxconf-model: the one typed description of a Linux container that lxconf reads from LXC
//! configs, fstab files and libvirt domain XML, converts, lints and runs.
//!
//! - [`Container`] is the normalized model (serde + JSON Schema).
//! - [`Origins`] maps every value back to file, line, column and byte range.
//! - [`Diagnostic`] and [`Code`] describe problems found in the input.
#![deny(missing_docs)]

pub mod codes;
pub mod diag;
pub mod diff;
pub mod equiv;
pub mod lxc_key;
pub mod lxd;
pub mod model;
pub mod names;
pub mod origins;
pub mod pointer;
pub mod source;
pub mod values;

pub use codes::{Code, CodeInfo};
pub use diag::{Diagnostic, DiagnosticRecord, Fix, Label, Severity};
pub use model::*;
pub use origins::{Origins, Pointer};
pub use source::{Location, Origin, SourceFile, SourceId, SourceMap};
pub use values::{ByteSize, Cap, CpuSet, Limit, MacAddr, Namespace, Signal, SizeSpec};

/// A model together with where its values came from.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The model.
    pub container: Container,
    /// JSON pointer → origin.
    pub origins: Origins,
}

/// The JSON Schema of [`Container`], as pretty-printed JSON (what `lxconf schema` prints and
/// what `schemas/lxconf.schema.json` holds).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Container);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    /// The committed schema must match the model; `LXCONF_UPDATE=1` rewrites it.
    #[test]
    fn committed_schema_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lxconf.schema.json");
        let current = super::json_schema();
        if std::env::var_os("LXCONF_UPDATE").is_some() {
            std::fs::write(path, &current).expect("write schema");
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == current,
            "schemas/lxconf.schema.json is stale: run `LXCONF_UPDATE=1 cargo test -p lxconf-model`"
        );
    }

    #[test]
    fn default_model_round_trips_through_json() {
        let model = super::Container::default();
        let json = serde_json::to_string(&model).expect("serialize");
        let back: super::Container = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(model, back);
    }
}
