//! `lxconf convert`: between LXC configs, model documents (JSON/YAML) and fstab files.

use super::from_native::ReportFormat;
use super::{
    failure_record, finish_conversion, load_any, print_shown, write_out, Delivery, FromFormat,
    Shown, EXIT_INPUT, EXIT_OK, EXIT_USAGE,
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
    /// The files to convert (`-` for stdin). Several need `--output-dir`, or `--format json`
    /// (each output in its record).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
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
    /// Report format: `json` prints one object per input {file, ok, output, losses} on
    /// stdout, each loss with the JSON pointers of the model fields it covers; an input not
    /// converted has `ok` false, `output` null and its `diagnostics` or `error`.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Write to this file instead of stdout (`-`: stdout). A symlink is written through;
    /// owner, mode and hard links are kept; only regular files are written.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Write each output into this directory, named as its input with the target's
    /// extension (`web.conf` → `web.xml` with `--to domxml`; `.conf`, `.json`, `.yaml`,
    /// `.fstab`, `.xml`).
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
    /// Directory relative includes and fstab paths are resolved against.
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
}

fn usage(message: &str) -> u8 {
    eprintln!("lxconf: {message}");
    EXIT_USAGE
}

/// Run.
pub fn run(args: ConvertArgs) -> u8 {
    let several = args.files.len() > 1;
    if several && (args.output.is_some() || args.inline_fstab) {
        return usage("-o and --inline-fstab take one file; for several, use --output-dir");
    }
    if several && args.output_dir.is_none() && args.format == ReportFormat::Human {
        return usage("several files would be printed one after the other: pass --output-dir DIR, or --format json (one record per file)");
    }
    if args.inline_fstab {
        return inline_fstab(&args, &args.files[0]);
    }
    if let Some(dir) = &args.output_dir {
        if args.files.iter().any(|f| f == "-") {
            return usage("--output-dir names each output after its input: give files, not stdin");
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage(&format!("cannot create `{}`: {e}", dir.display()));
        }
    }
    let mut status = EXIT_OK;
    let mut taken = std::collections::BTreeMap::new();
    for file in &args.files {
        let output = match &args.output_dir {
            Some(dir) => match output_in(dir, file, args.to, &mut taken) {
                Ok(path) => Some(path),
                Err(why) => {
                    match args.format {
                        ReportFormat::Human => eprintln!("lxconf: {why}"),
                        ReportFormat::Json => {
                            println!("{}", failure_record(file, "output", None, Some(&why)));
                        }
                    }
                    status = status.max(EXIT_INPUT);
                    continue;
                }
            },
            None => args.output.clone(),
        };
        status = status.max(convert_file(&args, file, output.as_deref()));
    }
    status
}

/// The file `--output-dir` writes the output of `file` to: its name with the extension of
/// `to`. `taken`: the outputs of the batch so far, with their inputs; a second input with
/// the same name, or an output that would replace its own input, is refused.
fn output_in(
    dir: &std::path::Path,
    file: &str,
    to: ToFormat,
    taken: &mut std::collections::BTreeMap<PathBuf, String>,
) -> Result<PathBuf, String> {
    let ext = match to {
        ToFormat::Lxc => "conf",
        ToFormat::Json => "json",
        ToFormat::Yaml | ToFormat::Lxd | ToFormat::Incus => "yaml",
        ToFormat::Fstab => "fstab",
        ToFormat::Domxml => "xml",
    };
    let shown = crate::snippet::escape(file);
    let stem = std::path::Path::new(file)
        .file_stem()
        .ok_or_else(|| format!("{shown}: no file name to name its output after; not converted"))?;
    let path = dir.join(stem).with_extension(ext);
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a == b || std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
    };
    if path.exists() && same(&path, std::path::Path::new(file)) {
        return Err(format!(
            "{shown}: the output would replace the input ({}); not converted (use another --output-dir)",
            path.display()
        ));
    }
    if let Some(first) = taken.get(&path) {
        return Err(format!(
            "{shown}: {} is the output of {} already; not converted",
            path.display(),
            crate::snippet::escape(first)
        ));
    }
    taken.insert(path.clone(), file.to_string());
    Ok(path)
}

/// `--inline-fstab`: only `lxc.mount.fstab` replaced by the file's entries, the rest kept.
fn inline_fstab(args: &ConvertArgs, file: &str) -> u8 {
    if args.to != ToFormat::Lxc {
        eprintln!("lxconf: --inline-fstab works with --to lxc");
        return EXIT_USAGE;
    }
    let (name, bytes) = match input::read_bytes(file) {
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
    let out = lxconf_parse::lxc::inline::inline_fstab(&text, id, &lxconf_parse::fs::RealFs, &base);
    report::print(&out.diagnostics, &sources);
    if out.diagnostics.iter().any(|d| d.is_error()) {
        return EXIT_INPUT;
    }
    // Bytes the edit did not touch (invalid UTF-8 in comments) are written as they were.
    let kept = crate::output::keep_bytes(&bytes, &text, &out.text);
    write_out(args.output.as_deref(), &kept)
}

/// Convert one file, report it and write its output to `output` (stdout when `None`).
fn convert_file(args: &ConvertArgs, file: &str, output: Option<&std::path::Path>) -> u8 {
    let loaded = match load_any(
        file,
        args.from.map(Into::into),
        args.include_base.as_deref(),
    ) {
        Ok(l) => {
            print_shown(&l, Shown::All);
            l
        }
        Err(why) => {
            match args.format {
                ReportFormat::Human => why.print(file, Shown::All, "nothing converted"),
                ReportFormat::Json => println!("{}", why.record(file, "output")),
            }
            return why.exit_code();
        }
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
                        match args.format {
                            ReportFormat::Human => report::print(&errors, &loaded.sources),
                            ReportFormat::Json => println!(
                                "{}",
                                failure_record(
                                    file,
                                    "output",
                                    Some((&errors, &loaded.sources)),
                                    None
                                )
                            ),
                        }
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
        file,
        format: args.format,
        strict: args.strict,
        output,
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
