//! lxconf-parse: parsers for LXC configs and fstab files (nom), each producing a syntax tree
//! with spans that is then lowered into the lxconf model.

pub mod detect;
pub mod fs;
pub mod fstab;
pub mod lxc;

pub use detect::{detect, Format};
pub use lxc::{LoadOptions, Loaded};

use lxconf_model::model::Container;
use lxconf_model::{Document, Origin, SourceMap};

/// Load an fstab file as a model holding only its mounts.
pub fn load_fstab(name: &str, text: &str) -> Loaded {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let (entries, mut diagnostics) = fstab::parse_file(text, id);
    let mut document = Document {
        container: Container::default(),
        ..Document::default()
    };
    for e in entries {
        let (mount, errors) = fstab::options::mount_from_fields(
            e.source.text,
            e.target.text,
            e.fstype.text,
            &e.options.text,
            e.dump,
            e.pass,
        );
        for err in errors {
            let start = e.options.range.start;
            diagnostics.push(
                lxconf_model::Diagnostic::new(lxconf_model::Code::F004, err.message)
                    .at(Origin::new(
                        id,
                        start + err.range.start..start + err.range.end,
                    ))
                    .help(err.help),
            );
        }
        let i = document.container.mounts.len();
        document.container.mounts.push(mount);
        document
            .origins
            .record(format!("/mounts/{i}"), Origin::new(id, e.line.clone()));
    }
    Loaded {
        document,
        sources,
        diagnostics,
    }
}
