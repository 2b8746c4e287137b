//! lxconf-parse: parsers for LXC configs and fstab files (nom), each producing a syntax tree
//! with spans that is then lowered into the lxconf model.

pub mod detect;
pub mod domxml;
pub mod fs;
pub mod fstab;
pub mod limits;
pub mod lxc;
pub mod verbatim;

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

/// Load a model document written as JSON (`lxconf show`).
pub fn load_model_json(name: &str, text: &str) -> Loaded {
    if let Some(at) = limits::json_too_deep(text) {
        return too_deep(name, text, at);
    }
    load_model(name, text, "`lxconf show` prints valid documents", |t| {
        serde_json::from_str::<Container>(t)
            .map_err(|e| (e.to_string(), Some((e.line(), e.column()))))
    })
}

/// Load a model document written as YAML (`lxconf convert --to yaml`).
pub fn load_model_yaml(name: &str, text: &str) -> Loaded {
    if let Some(at) = limits::yaml_too_deep(text) {
        return too_deep(name, text, at);
    }
    load_model(
        name,
        text,
        "`lxconf convert --to yaml` prints valid documents",
        |t| {
            serde_norway::from_str::<Container>(t).map_err(|e| {
                let at = e.location().map(|l| (l.line(), l.column()));
                (e.to_string(), at)
            })
        },
    )
}

/// A model document nested deeper than [`limits::MAX_NESTING`] (deserializers recurse,
/// and libyaml is quadratic in nesting): refused before parsing, with I006 at `at`.
pub fn too_deep(name: &str, text: &str, at: usize) -> Loaded {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let d = lxconf_model::Diagnostic::new(
        lxconf_model::Code::I006,
        format!(
            "nested more than {} levels deep: lxconf does not read further",
            limits::MAX_NESTING
        ),
    )
    .at(Origin::new(id, at..at + 1))
    .help("a model document is about 5 levels deep; this one is not a model document");
    Loaded {
        document: Document::default(),
        sources,
        diagnostics: vec![d],
    }
}

/// A model document: the deserializer's error (with its 1-based line and column) becomes
/// a located M001.
fn load_model(
    name: &str,
    text: &str,
    printed_by: &str,
    read: impl FnOnce(&str) -> Result<Container, (String, Option<(usize, usize)>)>,
) -> Loaded {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let mut diagnostics = Vec::new();
    let container = match read(text) {
        Ok(mut c) => {
            verbatim::mark_trusted(&mut c);
            c
        }
        Err((message, at)) => {
            let offset = at.map_or(0, |(line, column)| line_col_to_offset(text, line, column));
            diagnostics.push(
                lxconf_model::Diagnostic::new(lxconf_model::Code::M001, message)
                    .at(Origin::new(id, offset..offset))
                    .help(format!("compare with `lxconf schema`; {printed_by}")),
            );
            Container::default()
        }
    };
    Loaded {
        document: Document {
            container,
            ..Document::default()
        },
        sources,
        diagnostics,
    }
}

fn line_col_to_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}
