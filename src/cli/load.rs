//! "Load or report": how every command that reads one configuration starts.

use super::{EXIT_INPUT, EXIT_USAGE};
use crate::{input, report};
use lxconf_model::{Diagnostic, Severity};
use lxconf_parse::{Format, Loaded};
use std::path::Path;

/// Which of a loaded file's diagnostics a command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Every diagnostic.
    All,
    /// Errors and warnings; notes are left out.
    Warnings,
    /// Errors only (commands whose output is not about the input; `--quiet` is applied
    /// when printing, to every command).
    Errors,
    /// None: the command reports them in its own output format.
    Nothing,
}

impl Shown {
    fn shows(self, d: &Diagnostic) -> bool {
        match self {
            Shown::All => true,
            Shown::Warnings => d.severity >= Severity::Warning,
            Shown::Errors => d.is_error(),
            Shown::Nothing => false,
        }
    }
}

/// Read and load `file` (in `format`, or detected), print the diagnostics `shown` lets
/// through, and give the loaded file; or, when it cannot be read (exit code 2) or has
/// errors (1), say so and that `consequence` ("nothing converted"), and give the exit code.
pub fn load_or_report(
    file: &str,
    format: Option<Format>,
    include_base: Option<&Path>,
    shown: Shown,
    consequence: &str,
) -> Result<Loaded, u8> {
    load_text_or_report(file, format, include_base, shown, consequence).map(|(_, _, loaded)| loaded)
}

/// [`load_or_report`], also giving the format and the text read.
pub fn load_text_or_report(
    file: &str,
    format: Option<Format>,
    include_base: Option<&Path>,
    shown: Shown,
    consequence: &str,
) -> Result<(Format, String, Loaded), u8> {
    let (format, text, loaded) = match input::load_with_text(file, format, include_base) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("lxconf: {e}");
            return Err(EXIT_USAGE);
        }
    };
    let printed: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| shown.shows(d))
        .cloned()
        .collect();
    report::print(&printed, &loaded.sources);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let file = input::display_name(file);
        eprintln!("lxconf: {file} has {errors} error(s); {consequence}");
        return Err(EXIT_INPUT);
    }
    Ok((format, text, loaded))
}
