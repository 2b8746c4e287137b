//! `lxconf show`: print the normalized model of a configuration.

use super::{load_or_report, FromFormat, Shown, EXIT_OK, EXIT_USAGE};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum OutputFormat {
    /// JSON (the model document format).
    #[default]
    Json,
    /// YAML.
    Yaml,
}

/// Arguments of `lxconf show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The file to read (`-` for stdin).
    pub file: String,
    /// Input format (detected from the content when omitted).
    #[arg(long, value_enum)]
    pub from: Option<FromFormat>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Also print where each value came from (file:line:column).
    #[arg(long)]
    pub origins: bool,
    /// Directory that relative `lxc.include` and `lxc.mount.fstab` paths are resolved
    /// against (liblxc uses the current directory).
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
}

/// Why the model cannot be printed (a bug: every model serializes).
#[derive(Debug, thiserror::Error)]
enum SerializeError {
    #[error(transparent)]
    Json(serde_json::Error),
    #[error(transparent)]
    Yaml(serde_norway::Error),
}

/// Run.
pub fn run(args: ShowArgs) -> u8 {
    // `--quiet` (global) leaves the errors alone: `report::print` filters.
    let loaded = match load_or_report(
        &args.file,
        args.from.map(Into::into),
        args.include_base.as_deref(),
        Shown::All,
        "no model printed",
    ) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let model = &loaded.document.container;
    let value = if args.origins {
        serde_json::json!({
            "model": model,
            "origins": loaded.document.origins.resolve(&loaded.sources),
        })
    } else {
        match serde_json::to_value(model) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("lxconf: cannot serialize the model: {e}");
                return EXIT_USAGE;
            }
        }
    };
    let text = match args.format {
        OutputFormat::Json => serde_json::to_string_pretty(&value)
            .map(|s| s + "\n")
            .map_err(SerializeError::Json),
        OutputFormat::Yaml => serde_norway::to_string(&value).map_err(SerializeError::Yaml),
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lxconf: cannot serialize the model: {e}");
            return EXIT_USAGE;
        }
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).is_err() {
        return EXIT_USAGE;
    }
    EXIT_OK
}
