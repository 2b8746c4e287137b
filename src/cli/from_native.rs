//! `lxconf domxml-from-native lxc-tools FILE...`: LXC config → libvirt domain XML, the same
//! words as virsh, without a daemon, without virsh's bugs, with a loss report.

use super::{load_or_report, Shown, EXIT_INPUT, EXIT_OK, EXIT_USAGE};
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
    /// One JSON object per file on stdout: {file, name, xml, losses}.
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
    let mut stdout = std::io::stdout().lock();
    for file in &args.files {
        let shown = match args.format {
            ReportFormat::Human => Shown::Warnings,
            ReportFormat::Json => Shown::Nothing,
        };
        let loaded = match load_or_report(
            file,
            Some(lxconf_parse::Format::Lxc),
            args.include_base.as_deref(),
            shown,
            "not converted",
        ) {
            Ok(l) => l,
            Err(code) => {
                status = status.max(code);
                continue;
            }
        };
        let (doc, mut losses) = match prepare(&loaded.document, &opts) {
            Ok(p) => p,
            Err(errors) => {
                report::print(&errors, &loaded.sources);
                status = status.max(EXIT_INPUT);
                continue;
            }
        };
        let out = libvirt_xml::emit(&doc);
        losses.extend(out.losses);
        if args.strict {
            super::convert::strict(&mut losses, &loaded.sources);
        }
        let failed = losses.iter().any(|d| d.is_error());
        let name = doc.container.name.clone().unwrap_or_default();
        match args.format {
            ReportFormat::Human => report::print(&losses, &loaded.sources),
            ReportFormat::Json => {
                let records: Vec<_> = losses
                    .iter()
                    .map(|d| d.to_record(&loaded.sources))
                    .collect();
                let line = serde_json::json!({"file": file, "name": name, "xml": if failed { None } else { Some(&out.xml) }, "losses": records});
                let _ = writeln!(stdout, "{line}");
            }
        }
        if failed {
            eprintln!(
                "lxconf: {file}: {} setting(s) cannot be converted (--strict)",
                losses.iter().filter(|d| d.is_error()).count()
            );
            status = status.max(EXIT_INPUT);
            continue;
        }
        match &args.output_dir {
            Some(dir) => {
                let origin = [pointer::NAME, pointer::HOSTNAME]
                    .iter()
                    .find_map(|p| loaded.document.origins.find(p));
                if let Some(d) = name_refused(&name, origin) {
                    report::print(&[d], &loaded.sources);
                    status = status.max(EXIT_INPUT);
                    continue;
                }
                if let Some(first) = written.insert(name.clone(), file.clone()) {
                    let name = crate::snippet::escape(&name);
                    eprintln!("lxconf: {file}: the domain name `{name}` is already used by {first}; not written (pass --name)");
                    status = status.max(EXIT_INPUT);
                    continue;
                }
                let path = dir.join(format!("{name}.xml"));
                if let Err(e) = output::write(&path, out.xml.as_bytes(), false) {
                    eprintln!("lxconf: {e}");
                    status = EXIT_USAGE;
                }
            }
            None if args.format == ReportFormat::Human
                && stdout.write_all(out.xml.as_bytes()).is_err() =>
            {
                return EXIT_USAGE;
            }
            None => {}
        }
    }
    status
}
