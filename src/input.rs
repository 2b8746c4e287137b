//! Reading an input file (or stdin) and loading it in whatever format it is.

use lxconf_parse::fs::RealFs;
use lxconf_parse::{Format, LoadOptions, Loaded};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A failure of the tool itself (not of the input): exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A format lxconf cannot read yet.
    #[error("reading {0} is not supported yet")]
    Unsupported(&'static str),
}

/// Read a path, or stdin for `-`: its name and text (invalid UTF-8 replaced by U+FFFD).
pub fn read_text(path: &str) -> Result<(String, String), InputError> {
    let (name, bytes) = read_bytes(path)?;
    Ok((name, decode(bytes)))
}

/// Read a path, or stdin for `-`: its name and bytes. The commands that edit a file keep
/// these, so that bytes the edit did not touch are written back as they were.
pub fn read_bytes(path: &str) -> Result<(String, Vec<u8>), InputError> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|source| InputError::Read {
                path: "<stdin>".into(),
                source,
            })?;
        return Ok(("<stdin>".into(), bytes));
    }
    let bytes = std::fs::read(path).map_err(|source| InputError::Read {
        path: path.into(),
        source,
    })?;
    Ok((path.to_string(), bytes))
}

/// The text of a file's bytes, invalid UTF-8 replaced by U+FFFD.
pub fn decode(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Load a file in the given (or detected) format.
pub fn load(
    path: &str,
    format: Option<Format>,
    base_dir: Option<&Path>,
) -> Result<(Format, Loaded), InputError> {
    let (name, text) = read_text(path)?;
    let format = format.unwrap_or_else(|| lxconf_parse::detect(&text));
    let base_dir: PathBuf = match base_dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
    };
    let loaded = match format {
        Format::Lxc => lxconf_parse::lxc::load(
            &name,
            &text,
            &LoadOptions {
                fs: &RealFs,
                base_dir,
            },
        ),
        Format::Fstab => lxconf_parse::load_fstab(&name, &text),
        Format::DomXml => lxconf_parse::domxml::load(&name, &text),
        Format::ModelJson => lxconf_parse::load_model_json(&name, &text),
        Format::ModelYaml => lxconf_parse::load_model_yaml(&name, &text),
    };
    Ok((format, loaded))
}
