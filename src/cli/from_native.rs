//! `lxconf domxml-from-native lxc-tools FILE...`: LXC config → libvirt domain XML, the same
//! words as virsh, without a daemon, without virsh's bugs, with a loss report.

use super::{load_expecting, print_shown, Shown, EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::{input, output, report};
use clap::{Args, ValueEnum};
use lxconf_convert::from_native::{prepare, FromNativeOptions};
use lxconf_convert::libvirt_xml;
use lxconf_model::names::file_name_problem;
use lxconf_model::{pointer, ByteSize, Code, Diagnostic, Severity};
use std::io::Write;
use std::path::PathBuf;

/// Report format.
#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// XML on stdout, miette reports on stderr.
    #[default]
    Human,
    /// One JSON object per input on stdout, converted or not: {file, ok, name, xml,
    /// written, losses, diagnostics, error}.
    Json,
}

/// Compatibility modes.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Compat {
    /// Byte-identical to libvirt 9.0.0's `virsh domxml-from-native` (its bugs included).
    Libvirt,
}

/// Arguments of `lxconf domxml-from-native`.
#[derive(Debug, Args)]
pub struct FromNativeArgs {
    /// The native format; only `lxc-tools` exists (the word virsh uses).
    #[arg(value_parser = ["lxc-tools"])]
    pub native_format: String,
    /// LXC configs (`-` for stdin).
    #[arg(required = true)]
    pub files: Vec<String>,
    /// Write NAME.xml files into this directory instead of printing.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Domain name when the config has no lxc.uts.name (default: its directory name).
    #[arg(long)]
    pub name: Option<String>,
    /// Domain uuid (default: derived from the name, so it is the same every time).
    #[arg(long)]
    pub uuid: Option<uuid::Uuid>,
    /// libvirt_lxc path (default: the host's, else libvirt's upstream path).
    #[arg(long)]
    pub emulator: Option<String>,
    /// <memory> for a container without a memory limit (default: the host's memory).
    #[arg(long, value_name = "SIZE", value_parser = ByteSize::parse_scaled)]
    pub memory: Option<ByteSize>,
    /// Host memory used to convert relative tmpfs sizes (`size=50%`).
    #[arg(long, value_name = "SIZE", value_parser = ByteSize::parse_scaled)]
    pub host_memory: Option<ByteSize>,
    /// The loss of any setting the config wrote is an error (not the defaults of LXC's shared
    /// configuration, nor what libvirt adds); nothing is written.
    #[arg(long)]
    pub strict: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Directory relative includes and fstab paths are resolved against.
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
    /// Reproduce another converter exactly (the oracle mode).
    #[arg(long, value_enum)]
    pub compat: Option<Compat>,
}

/// `--compat libvirt`: libvirt's reader and mapping on the raw text.
fn run_compat(args: &FromNativeArgs) -> u8 {
    let mut status = EXIT_OK;
    let emulator = args
        .emulator
        .clone()
        .unwrap_or_else(lxconf_convert::from_native::default_emulator);
    for file in &args.files {
        let (_, text) = match input::read_text(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("lxconf: {e}");
                status = EXIT_USAGE;
                continue;
            }
        };
        let uuid = args
            .uuid
            .unwrap_or_else(|| lxconf_convert::from_native::uuid_for_name(file))
            .to_string();
        match lxconf_convert::libvirt_compat::from_native(&text, &uuid, &emulator) {
            Ok(xml) => crate::out!("{xml}"),
            Err(e) => {
                eprintln!("{}", crate::snippet::escape(&e.virsh_message()));
                status = EXIT_INPUT;
            }
        }
    }
    status
}

/// The error for a domain name that cannot be a file name in `--output-dir`, if it cannot.
fn name_refused(name: &str, origin: Option<lxconf_model::Origin>) -> Option<Diagnostic> {
    let why = file_name_problem(name)?;
    let d = Diagnostic::new(
        Code::M035,
        format!(
            "the domain name `{}` cannot be a file name: {why}; not written",
            name.escape_debug()
        ),
    )
    .severity(Severity::Error)
    .help("--output-dir writes NAME.xml; pass --name with a plain name such as `web-01`");
    Some(match origin {
        Some(o) => d.at(o),
        None => d,
    })
}

/// Run.
pub fn run(args: FromNativeArgs) -> u8 {
    if args.compat == Some(Compat::Libvirt) {
        return run_compat(&args);
    }
    let opts = FromNativeOptions {
        name: args.name.clone(),
        uuid: args.uuid,
        memory: args.memory,
        host_memory: args.host_memory,
        emulator: args.emulator.clone(),
    };
    if let Some(d) = args.name.as_deref().and_then(|n| name_refused(n, None)) {
        report::print(&[d], &lxconf_model::SourceMap::new());
        return EXIT_USAGE;
    }
    if let Some(dir) = &args.output_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("lxconf: cannot create `{}`: {e}", dir.display());
            return EXIT_USAGE;
        }
    }
    let mut status = EXIT_OK;
    let mut written = std::collections::BTreeMap::new();
    for file in &args.files {
        let code = convert_one(file, &args, &opts, &mut written);
        if code == EXIT_STDOUT_CLOSED {
            return EXIT_USAGE;
        }
        status = status.max(code);
    }
    status
}

/// `convert_one`'s code for a closed stdout: stop the batch.
const EXIT_STDOUT_CLOSED: u8 = u8::MAX;

/// Convert one input of the batch, report it (human: on stderr, the XML on stdout or in
/// `--output-dir`; json: one record, whatever happened) and give its exit code. `written`:
/// the domain names given a file in `--output-dir` so far, with the input that took each.
fn convert_one(
    file: &str,
    args: &FromNativeArgs,
    opts: &FromNativeOptions,
    written: &mut std::collections::BTreeMap<String, String>,
) -> u8 {
    let human = args.format == ReportFormat::Human;
    let loaded = match load_expecting(
        file,
        lxconf_parse::Format::Lxc,
        args.include_base.as_deref(),
    ) {
        Ok(l) => l,
        Err(why) => {
            if human {
                why.print(file, Shown::Warnings, "not converted");
            } else {
                println!("{}", why.record(file, "xml"));
            }
            return why.exit_code();
        }
    };
    if human {
        print_shown(&loaded, Shown::Warnings);
    }
    let mut record = Record {
        file,
        ok: false,
        name: None,
        xml: None,
        written: None,
        losses: Vec::new(),
        diagnostics: Vec::new(),
        error: None,
        sources: &loaded.sources,
    };
    let code = convert_loaded(&loaded, args, opts, written, &mut record);
    if human {
        report::print(&record.losses, &loaded.sources);
        report::print(&record.diagnostics, &loaded.sources);
        if let Some(e) = &record.error {
            eprintln!("lxconf: {e}");
        }
        if let (Some(xml), None) = (&record.xml, &args.output_dir) {
            if std::io::stdout().lock().write_all(xml.as_bytes()).is_err() {
                return EXIT_STDOUT_CLOSED;
            }
        }
    } else {
        println!("{}", record.to_json());
    }
    code
}

/// What became of one input: its `--format json` record.
struct Record<'a> {
    file: &'a str,
    ok: bool,
    name: Option<String>,
    xml: Option<String>,
    /// The file written in `--output-dir`.
    written: Option<PathBuf>,
    losses: Vec<Diagnostic>,
    /// Why it was not converted, when a diagnostic says it.
    diagnostics: Vec<Diagnostic>,
    /// Why it was not converted or written, when no diagnostic says it.
    error: Option<String>,
    sources: &'a lxconf_model::SourceMap,
}

impl Record<'_> {
    fn to_json(&self) -> serde_json::Value {
        let records = |ds: &[Diagnostic]| -> Vec<_> {
            ds.iter().map(|d| d.to_record(self.sources)).collect()
        };
        serde_json::json!({
            "file": crate::input::display_name(self.file),
            "ok": self.ok,
            "name": self.name,
            "xml": self.xml,
            "written": self.written,
            "losses": records(&self.losses),
            "diagnostics": records(&self.diagnostics),
            "error": self.error,
        })
    }
}

/// Convert a loaded input into `record`; its exit code.
fn convert_loaded(
    loaded: &lxconf_parse::Loaded,
    args: &FromNativeArgs,
    opts: &FromNativeOptions,
    written: &mut std::collections::BTreeMap<String, String>,
    record: &mut Record<'_>,
) -> u8 {
    let file = record.file;
    let (doc, mut losses) = match prepare(&loaded.document, opts) {
        Ok(p) => p,
        Err(errors) => {
            record.diagnostics = errors;
            return EXIT_INPUT;
        }
    };
    let out = libvirt_xml::emit(&doc);
    losses.extend(out.losses);
    if args.strict {
        super::convert::strict(&mut losses, &loaded.sources);
    }
    let errors = losses.iter().filter(|d| d.is_error()).count();
    record.losses = losses;
    let name = doc.container.name.clone().unwrap_or_default();
    record.name = Some(name.clone());
    if errors > 0 {
        record.error = Some(format!(
            "{}: {errors} setting(s) cannot be converted (--strict); not converted",
            crate::snippet::escape(file)
        ));
        return EXIT_INPUT;
    }
    let Some(dir) = &args.output_dir else {
        record.ok = true;
        record.xml = Some(out.xml);
        return EXIT_OK;
    };
    let origin = [pointer::NAME, pointer::HOSTNAME]
        .iter()
        .find_map(|p| loaded.document.origins.find(p));
    if let Some(d) = name_refused(&name, origin) {
        record.diagnostics.push(d);
        return EXIT_INPUT;
    }
    if let Some(first) = written.get(&name) {
        record.error = Some(format!(
            "{}: the domain name `{}` is already used by {}; not written (pass --name)",
            crate::snippet::escape(file),
            crate::snippet::escape(&name),
            crate::snippet::escape(first)
        ));
        return EXIT_INPUT;
    }
    let path = dir.join(format!("{name}.xml"));
    if let Err(e) = output::write(&path, out.xml.as_bytes(), false) {
        record.error = Some(e.to_string());
        return EXIT_USAGE;
    }
    written.insert(name, file.to_string());
    record.ok = true;
    record.xml = Some(out.xml);
    record.written = Some(path);
    EXIT_OK
}
