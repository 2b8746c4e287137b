//! Reading an input file (or stdin) and loading it in whatever format it is.

use lxconf_model::Code;
use lxconf_parse::fs::RealFs;
use lxconf_parse::limits::{self, limit_error, LimitError};
use lxconf_parse::{Format, LoadOptions, Loaded};
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
    /// The input passes a limit (`lxconf_parse::limits`): not read.
    #[error("error[{code}]: `{path}` is {what}: not read (see docs/lxc-parsing.md, Limits)")]
    Limit {
        /// Path.
        path: String,
        /// I001 (too large) or I002 (not a regular file).
        code: Code,
        /// What is wrong with it.
        what: String,
    },
}

impl InputError {
    /// The error for `path`, coded when a limit refused it.
    pub fn new(path: &str, source: std::io::Error) -> Self {
        match limit_error(&source) {
            Some(limit) => InputError::Limit {
                path: crate::snippet::escape(path),
                code: match limit {
                    LimitError::TooLarge => Code::I001,
                    LimitError::NotRegular(_) => Code::I002,
                },
                what: limit.to_string(),
            },
            None => InputError::Read {
                path: crate::snippet::escape(path),
                source,
            },
        }
    }
}

/// Read a path, or stdin for `-`, at most `limits::MAX_FILE_BYTES` of either (stdin may
/// be `/dev/zero`): its name and text. Invalid UTF-8 is kept as U+FFFD, as liblxc keeps the
/// bytes.
pub fn read_text(path: &str) -> Result<(String, String), InputError> {
    let (name, bytes) = read_bytes(path)?;
    Ok((name, decode(bytes)))
}

/// How stdin is named in messages, diagnostics and JSON records.
pub const STDIN_NAME: &str = "<stdin>";

/// How an input the user gave as `path` is named in messages and records: [`STDIN_NAME`]
/// for `-`.
pub fn display_name(path: &str) -> &str {
    if path == "-" {
        STDIN_NAME
    } else {
        path
    }
}

/// Read a path, or stdin for `-`: its name and bytes. The commands that edit a file keep
/// these, so that bytes the edit did not touch are written back as they were.
pub fn read_bytes(path: &str) -> Result<(String, Vec<u8>), InputError> {
    if path == "-" {
        let bytes = limits::read_bounded(std::io::stdin().lock())
            .map_err(|e| InputError::new(STDIN_NAME, e))?;
        return Ok((STDIN_NAME.into(), bytes));
    }
    let bytes = limits::read_any(Path::new(path)).map_err(|e| InputError::new(path, e))?;
    Ok((path.to_string(), bytes))
}

/// The text of a file's bytes, invalid UTF-8 replaced by U+FFFD.
pub fn decode(bytes: Vec<u8>) -> String {
    limits::decode(bytes)
}

/// Read a file (or stdin for `-`) and load it in the given (or detected) format, relative
/// includes resolved against `base_dir` (default: the current directory, as liblxc does).
pub fn load(
    path: &str,
    format: Option<Format>,
    base_dir: Option<&Path>,
) -> Result<(Format, Loaded), InputError> {
    load_with_text(path, format, base_dir).map(|(format, _, loaded)| (format, loaded))
}

/// [`load`], also giving the text read (stdin can be read only once).
pub fn load_with_text(
    path: &str,
    format: Option<Format>,
    base_dir: Option<&Path>,
) -> Result<(Format, String, Loaded), InputError> {
    let (name, text) = read_text(path)?;
    let (format, loaded) = load_text(&name, &text, format, base_dir);
    Ok((format, text, loaded))
}

/// Load a text already read (named `name`), as [`load`] does.
pub fn load_text(
    name: &str,
    text: &str,
    format: Option<Format>,
    base_dir: Option<&Path>,
) -> (Format, Loaded) {
    let options = LoadOptions {
        fs: &RealFs,
        base_dir: base_dir_or_cwd(base_dir),
        lxd_profiles: lxd_profiles(),
    };
    lxconf_parse::load(format, name, text, &options)
}

/// The LXD profiles given on the command line (`--profile`), set once before a command
/// runs, for every LXD instance the command loads.
static LXD_PROFILES: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();

/// Set the `--profile` files (the first call wins).
pub fn set_lxd_profiles(profiles: Vec<PathBuf>) {
    let _ = LXD_PROFILES.set(profiles);
}

/// The `--profile` files.
pub fn lxd_profiles() -> Vec<PathBuf> {
    LXD_PROFILES.get().cloned().unwrap_or_default()
}

/// The directory relative includes are resolved against: `base_dir`, else the current
/// directory (liblxc's), else `/`.
pub fn base_dir_or_cwd(base_dir: Option<&Path>) -> PathBuf {
    match base_dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
    }
}
