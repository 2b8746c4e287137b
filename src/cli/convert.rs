//! `lxconf convert`: between LXC configs, model documents (JSON/YAML) and fstab files.

use super::{
    finish_conversion, load_or_report, write_out, Delivery, FromFormat, Shown, EXIT_INPUT,
    EXIT_USAGE,
};
use crate::{input, report};
use clap::{Args, ValueEnum};
use lxconf_convert::lxc::{emit, LxcOptions};
use lxconf_model::{pointer, Code, Diagnostic, Severity, SourceMap};
use std::path::PathBuf;

/// Output format of `convert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToFormat {
    /// An LXC config.
    Lxc,
    /// A model document (JSON).
    Json,
    /// A model document (YAML).
    Yaml,
    /// An fstab file with the container's mounts.
    Fstab,
    /// libvirt domain XML (an LXC input is prepared as `domxml-from-native` does).
    Domxml,
    /// An LXD instance YAML (`lxc config show`), for `lxc init --empty --no-profiles`.
    Lxd,
    /// An Incus instance YAML (`incus config show`).
    Incus,
}

/// Arguments of `lxconf convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The file to convert (`-` for stdin).
    pub file: String,
    /// Input format (detected from the content when omitted).
    #[arg(long, value_enum)]
    pub from: Option<FromFormat>,
    /// Output format.
    #[arg(long, value_enum)]
    pub to: ToFormat,
    /// With `--to lxc`: write LXC 2.x keys.
    #[arg(long)]
    pub legacy: bool,
    /// With `--to lxc`, `lxd` or `incus`: write resource limits as cgroup v1 keys.
    #[arg(long)]
    pub cgroup_v1: bool,
    /// With an LXC input and `--to lxc`: only replace `lxc.mount.fstab` by the file's
    /// entries as `lxc.mount.entry` lines, keeping the rest of the file as it is.
    #[arg(long)]
    pub inline_fstab: bool,
    /// The loss of any setting the input wrote (not of LXC's shared configuration, nor what
    /// the target adds) is an error; nothing is written.
    #[arg(long)]
    pub strict: bool,
    /// Report format: `json` prints one object {file, output, losses} on stdout, each loss
    /// with the JSON pointers of the model fields it covers.
    #[arg(long, value_enum, default_value_t)]
    pub format: super::from_native::ReportFormat,
    /// Write to this file instead of stdout (`-`: stdout). A symlink is written through;
    /// owner, mode and hard links are kept; only regular files are written.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Directory relative includes and fstab paths are resolved against.
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
}

/// Run.
pub fn run(args: ConvertArgs) -> u8 {
    if args.inline_fstab {
        if args.to != ToFormat::Lxc {
            eprintln!("lxconf: --inline-fstab works with --to lxc");
            return EXIT_USAGE;
        }
        let (name, bytes) = match input::read_bytes(&args.file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("lxconf: {e}");
                return EXIT_USAGE;
            }
        };
        let base = args
            .include_base
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        let text = input::decode(bytes.clone());
        let mut sources = SourceMap::new();
        let id = sources.add(name, text.clone());
        let out =
            lxconf_parse::lxc::inline::inline_fstab(&text, id, &lxconf_parse::fs::RealFs, &base);
        report::print(&out.diagnostics, &sources);
        if out.diagnostics.iter().any(|d| d.is_error()) {
            return EXIT_INPUT;
        }
        // Bytes the edit did not touch (invalid UTF-8 in comments) are written as they were.
        let kept = crate::output::keep_bytes(&bytes, &text, &out.text);
        return write_out(args.output.as_deref(), &kept);
    }
    let loaded = match load_or_report(
        &args.file,
        args.from.map(Into::into),
        args.include_base.as_deref(),
        Shown::All,
        "nothing converted",
    ) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let doc = &loaded.document;
    let (text, losses) = match args.to {
        ToFormat::Lxc => {
            let out = emit(
                doc,
                &LxcOptions {
                    legacy: args.legacy,
                    cgroup_v1: args.cgroup_v1,
                },
            );
            (out.text, out.losses)
        }
        ToFormat::Json => match serde_json::to_string_pretty(&doc.container) {
            Ok(t) => (t + "\n", Vec::new()),
            Err(e) => {
                eprintln!("lxconf: {e}");
                return EXIT_USAGE;
            }
        },
        ToFormat::Yaml => match serde_norway::to_string(&doc.container) {
            Ok(t) => (t, Vec::new()),
            Err(e) => {
                eprintln!("lxconf: {e}");
                return EXIT_USAGE;
            }
        },
        ToFormat::Domxml => {
            // A libvirt model is written as it is; any other first gets what libvirt needs.
            let (prepared, mut notes) = if doc.container.libvirt.is_some() {
                (doc.clone(), Vec::new())
            } else {
                match lxconf_convert::from_native::prepare(
                    doc,
                    &lxconf_convert::from_native::FromNativeOptions::default(),
                ) {
                    Ok(p) => p,
                    Err(errors) => {
                        report::print(&errors, &loaded.sources);
                        return EXIT_INPUT;
                    }
                }
            };
            let out = lxconf_convert::libvirt_xml::emit(&prepared);
            notes.extend(out.losses);
            (out.xml, notes)
        }
        ToFormat::Fstab => fstab_text(doc),
        ToFormat::Lxd | ToFormat::Incus => {
            let flavor = if args.to == ToFormat::Incus {
                lxconf_model::model::LxdFlavor::Incus
            } else {
                lxconf_model::model::LxdFlavor::Lxd
            };
            let opts = lxconf_convert::lxd::LxdOptions {
                flavor,
                cgroup_v1: args.cgroup_v1,
                ..Default::default()
            };
            let out = lxconf_convert::lxd::emit(doc, &opts);
            (out.text, out.losses)
        }
    };
    let how = Delivery {
        file: &args.file,
        format: args.format,
        strict: args.strict,
        output: args.output.as_deref(),
    };
    finish_conversion(how, &text, losses, &loaded.sources)
}

/// The codes of a lost setting: a value the input set that the output does not keep. Other
/// warnings are about what the target system adds or needs (libvirt's `<memory>` for an
/// unlimited container, C201; a size for a tmpfs the config left to the kernel, C202): they
/// describe the platform, not something the user wrote, and `--strict` leaves them warnings.
const LOST_SETTING: [Code; 4] = [Code::C101, Code::C301, Code::C204, Code::C401];

/// Whether a diagnostic is the loss of a setting the user wrote: a lost-setting warning at a
/// line outside LXC's shared configuration (or at no line: it cannot be shown not to be).
pub(super) fn lost_what_was_written(d: &Diagnostic, sources: &SourceMap) -> bool {
    let in_shared_config = d.primary.as_ref().is_some_and(|label| {
        // libvirt replaces LXC's shared configuration with its own (device rules, hooks).
        lxconf_parse::lxc::is_system_config(&sources.get(label.origin.source).name)
    });
    d.severity == Severity::Warning && LOST_SETTING.contains(&d.code) && !in_shared_config
}

/// `--strict`: every loss of a setting the user wrote becomes an error, so that exit 0 means
/// "nothing you wrote was lost". Differences inherent to the target (C302, C102 notes,
/// C201) and losses in LXC's shared configuration stay as they were.
pub(super) fn strict(losses: &mut [Diagnostic], sources: &SourceMap) {
    for d in losses.iter_mut() {
        if lost_what_was_written(d, sources) {
            d.severity = Severity::Error;
        }
    }
}

/// The container's mounts as an fstab file; a mount a line cannot carry is refused (C103).
fn fstab_text(doc: &lxconf_model::Document) -> (String, Vec<lxconf_model::Diagnostic>) {
    let mut text = String::new();
    let mut refusals = Vec::new();
    let with_rootfs = doc.container.rootfs.is_some();
    for (i, m) in doc.container.mounts.iter().enumerate() {
        match lxconf_convert::fstab::line(m, with_rootfs) {
            Ok(line) => {
                text.push_str(&line);
                text.push('\n');
            }
            Err((field, why)) => {
                let mut d = lxconf_model::Diagnostic::new(
                    lxconf_model::Code::C103,
                    format!("mount {i} cannot be written as an fstab line: {why}"),
                )
                .help("fstab has escapes for space, tab, newline and backslash only: fix the value at its source");
                if let Some(o) = doc
                    .origins
                    .find(&pointer::item_field(pointer::MOUNTS, i, &field))
                {
                    d = d.at(o);
                }
                refusals.push(d);
            }
        }
    }
    (text, refusals)
}
