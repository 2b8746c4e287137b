//! `lxconf domxml-to-native lxc-tools FILE.xml`: libvirt domain XML → LXC config (libvirt
//! itself cannot do this for LXC), with libvirt's implicit defaults written out.

use super::from_native::ReportFormat;
use super::{finish_conversion, load_expecting, print_shown, Delivery, Shown};
use clap::Args;
use lxconf_convert::lxc::{emit, LxcOptions};
use std::path::PathBuf;

/// Arguments of `lxconf domxml-to-native`.
#[derive(Debug, Args)]
pub struct ToNativeArgs {
    /// The native format; only `lxc-tools`.
    #[arg(value_parser = ["lxc-tools"])]
    pub native_format: String,
    /// The domain XML (`-` for stdin).
    pub file: String,
    /// Write LXC 2.x keys.
    #[arg(long)]
    pub legacy: bool,
    /// Write resource limits as cgroup v1 keys.
    #[arg(long)]
    pub cgroup_v1: bool,
    /// The loss of any setting the domain XML wrote is an error; nothing is written.
    #[arg(long)]
    pub strict: bool,
    /// Report format: `json` prints one object {file, ok, output, losses} on stdout, each
    /// loss with the JSON pointers of the model fields it covers; an input not converted
    /// has `ok` false, `output` null and its `diagnostics` or `error`.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Write to this file instead of stdout (`-`: stdout). A symlink is written through;
    /// owner, mode and hard links are kept; only regular files are written.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Run.
pub fn run(args: ToNativeArgs) -> u8 {
    let loaded = match load_expecting(&args.file, lxconf_parse::Format::DomXml, None) {
        Ok(l) => {
            print_shown(&l, Shown::All);
            l
        }
        Err(why) => {
            match args.format {
                ReportFormat::Human => why.print(&args.file, Shown::All, "nothing converted"),
                ReportFormat::Json => println!("{}", why.record(&args.file, "output")),
            }
            return why.exit_code();
        }
    };
    let out = emit(
        &loaded.document,
        &LxcOptions {
            legacy: args.legacy,
            cgroup_v1: args.cgroup_v1,
        },
    );
    let header = format!("# Converted by lxconf from {}\n", args.file);
    let text = header + &out.text;
    let how = Delivery {
        file: &args.file,
        format: args.format,
        strict: args.strict,
        output: args.output.as_deref(),
    };
    finish_conversion(how, &text, out.losses, &loaded.sources)
}
