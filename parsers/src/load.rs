//! One way in: every command and `lxconf lint` load a text through [`load`], whatever its
//! format, so that the same text gives the same model, origins and diagnostics everywhere.

use crate::{detect, domxml, fstab, lxc, lxd, model_doc, Format, LoadOptions, Loaded};
use lxconf_model::model::Container;
use lxconf_model::{pointer, Document, Origin, SourceMap};

/// Load `text` (shown in diagnostics as `name`) in `format`, or in the format [`detect`]
/// finds when there is none. `options` serve the LXC reader, the only one that reads other
/// files (includes and fstab files).
pub fn load(
    format: Option<Format>,
    name: &str,
    text: &str,
    options: &LoadOptions<'_>,
) -> (Format, Loaded) {
    let format = format.unwrap_or_else(|| detect(text));
    let loaded = match format {
        Format::Lxc => lxc::load(name, text, options),
        Format::Fstab => load_fstab(name, text),
        Format::DomXml => domxml::load(name, text),
        Format::ModelJson => model_doc::load_model_json(name, text),
        Format::ModelYaml => model_doc::load_model_yaml(name, text),
        Format::Lxd => lxd::load(name, text, options),
    };
    (format, loaded)
}

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
        let line = e.line.clone();
        let (mount, errors) = e.into_mount(id);
        diagnostics.extend(errors);
        let i = document.container.mounts.len();
        document.container.mounts.push(mount);
        document.origins.record(
            pointer::item(pointer::MOUNTS, i),
            Origin::new(id, line.clone()),
        );
    }
    Loaded {
        document,
        sources,
        diagnostics,
    }
}
