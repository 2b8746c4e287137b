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
}

impl Shown {
    fn shows(self, d: &Diagnostic) -> bool {
        match self {
            Shown::All => true,
            Shown::Warnings => d.severity >= Severity::Warning,
            Shown::Errors => d.is_error(),
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
    print_shown(&loaded, shown);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let file = input::display_name(file);
        eprintln!("lxconf: {file} has {errors} error(s); {consequence}");
        return Err(EXIT_INPUT);
    }
    Ok((format, text, loaded))
}

/// Print the diagnostics of a loaded file that `shown` lets through.
pub fn print_shown(loaded: &Loaded, shown: Shown) {
    let printed: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| shown.shows(d))
        .cloned()
        .collect();
    report::print(&printed, &loaded.sources);
}

/// Why one input of a conversion was not converted.
#[derive(Debug)]
pub enum NotLoaded {
    /// It cannot be read: exit code 2.
    Unreadable(input::InputError),
    /// It is in another format than the command reads (domain XML given to
    /// `domxml-from-native`...): exit code 2; the message names the command that reads it.
    WrongFormat(String),
    /// It has errors: exit code 1; the loaded file, with its diagnostics.
    Invalid(Box<Loaded>),
}

impl NotLoaded {
    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            NotLoaded::Unreadable(_) | NotLoaded::WrongFormat(_) => EXIT_USAGE,
            NotLoaded::Invalid(_) => EXIT_INPUT,
        }
    }

    /// The `--format json` record of the input `file`: `ok` false, `output_key` (the
    /// output's field: `output`, or `xml` for `domxml-from-native`) null, no losses, its
    /// `diagnostics` (an input with errors) or the `error` that stopped it (unreadable, in
    /// another format).
    pub fn record(&self, file: &str, output_key: &str) -> serde_json::Value {
        match self {
            NotLoaded::Unreadable(e) => {
                failure_record(file, output_key, None, Some(&e.to_string()))
            }
            NotLoaded::WrongFormat(why) => failure_record(file, output_key, None, Some(why)),
            NotLoaded::Invalid(loaded) => failure_record(
                file,
                output_key,
                Some((&loaded.diagnostics, &loaded.sources)),
                None,
            ),
        }
    }

    /// Say why on stderr: the diagnostics `shown` lets through, then one line that ends
    /// with `consequence` ("not converted").
    pub fn print(&self, file: &str, shown: Shown, consequence: &str) {
        match self {
            NotLoaded::Unreadable(e) => eprintln!("lxconf: {e}"),
            NotLoaded::WrongFormat(why) => eprintln!("lxconf: {why}"),
            NotLoaded::Invalid(loaded) => {
                print_shown(loaded, shown);
                let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
                let file = crate::snippet::escape(input::display_name(file));
                eprintln!("lxconf: {file} has {errors} error(s); {consequence}");
            }
        }
    }
}

/// The `--format json` record of an input that was not converted: `ok` false,
/// `output_key` null, no losses, the `diagnostics` that say why or the `error` that
/// stopped it.
pub fn failure_record(
    file: &str,
    output_key: &str,
    diagnostics: Option<(&[Diagnostic], &lxconf_model::SourceMap)>,
    error: Option<&str>,
) -> serde_json::Value {
    let diagnostics: Vec<_> = diagnostics
        .map(|(ds, sources)| ds.iter().map(|d| d.to_record(sources)).collect())
        .unwrap_or_default();
    let file = input::display_name(file);
    let mut record = serde_json::json!({"file": file, "ok": false});
    record[output_key] = serde_json::Value::Null;
    record["losses"] = serde_json::json!([]);
    record["diagnostics"] = serde_json::json!(diagnostics);
    record["error"] = serde_json::json!(error);
    record
}

/// What a file of `detected` format is called, and the command that converts it, given to
/// the command that reads `wanted` (an LXC config or domain XML): the other direction for
/// the other of the two, else `convert` to what the command would have written.
fn what_and_how(detected: Format, wanted: Format, file: &str) -> (&'static str, String) {
    let (produced, reversed) = if wanted == Format::Lxc {
        ("domxml", "lxc")
    } else {
        ("lxc", "domxml")
    };
    let convert = |to: &str| format!("`lxconf convert --to {to} {file}`");
    match detected {
        Format::DomXml => (
            "libvirt domain XML",
            format!(
                "`lxconf domxml-to-native lxc-tools {file}` (or {})",
                convert(reversed)
            ),
        ),
        Format::Lxc => (
            "an LXC config",
            format!(
                "`lxconf domxml-from-native lxc-tools {file}` (or {})",
                convert(reversed)
            ),
        ),
        Format::Lxd => ("LXD/Incus YAML", convert(produced)),
        Format::ModelJson | Format::ModelYaml => ("an lxconf model document", convert(produced)),
        Format::Fstab => ("an fstab file", convert(produced)),
    }
}

/// The error for a text that is not in the format a one-direction command reads (an LXC
/// config for `domxml-from-native`, domain XML for `domxml-to-native`), if it is not: what
/// it is and which command converts it. Detection is the one every command uses
/// ([`lxconf_parse::detect`]); without this, domain XML given to `domxml-from-native`
/// gives a warning per line and "no lxc.uts.name", an LXC config given to
/// `domxml-to-native` "no root element".
pub fn wrong_format(file: &str, text: &str, wanted: Format) -> Option<String> {
    // An empty file is no format: the parser says what is missing.
    let blank = text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    let detected = lxconf_parse::detect(text);
    if detected == wanted || blank {
        return None;
    }
    let shown = crate::snippet::escape(if file == "-" { "<stdin>" } else { file });
    let (what, how) = what_and_how(detected, wanted, &crate::snippet::escape(file));
    let wanted_what = if wanted == Format::Lxc {
        "an LXC config"
    } else {
        "libvirt domain XML"
    };
    Some(format!(
        "{shown} is {what}, not {wanted_what}; to convert it, use {how}; not converted"
    ))
}

/// Read and load one input of a command that reads one format only (`domxml-from-native`,
/// `domxml-to-native`): a file in another format is refused with [`wrong_format`] before it
/// is parsed. Nothing is printed: the command reports in its own format.
pub fn load_expecting(
    file: &str,
    wanted: Format,
    include_base: Option<&Path>,
) -> Result<Loaded, NotLoaded> {
    load_input(file, Some(wanted), true, include_base)
}

/// Read and load one input of `convert` (in `format`, or detected). Nothing is printed.
pub fn load_any(
    file: &str,
    format: Option<Format>,
    include_base: Option<&Path>,
) -> Result<Loaded, NotLoaded> {
    load_input(file, format, false, include_base)
}

fn load_input(
    file: &str,
    format: Option<Format>,
    only_this_format: bool,
    include_base: Option<&Path>,
) -> Result<Loaded, NotLoaded> {
    let (name, text) = input::read_text(file).map_err(NotLoaded::Unreadable)?;
    if let (true, Some(wanted)) = (only_this_format, format) {
        if let Some(why) = wrong_format(file, &text, wanted) {
            return Err(NotLoaded::WrongFormat(why));
        }
    }
    let loaded = input::load_text(&name, &text, format, include_base).1;
    if loaded.diagnostics.iter().any(|d| d.is_error()) {
        return Err(NotLoaded::Invalid(Box::new(loaded)));
    }
    Ok(loaded)
}
