//! `lxconf run`: run any configuration lxconf reads as a container, from its normalized
//! model; and `lxconf check-host`: what this host supports.

use super::{load_or_report, FromFormat, Shown, EXIT_INPUT, EXIT_OK};
use crate::report;
use clap::{Args, ValueEnum};
use lxconf_model::Diagnostic;
use lxconf_run::{InitMode, RunOptions};
use std::path::PathBuf;

/// PID 1 behaviour.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum InitArg {
    /// Like lxc-execute: a small init runs the command as PID 2, forwards signals, reaps.
    #[default]
    Supervised,
    /// Like lxc-start and libvirt: the command is PID 1.
    Direct,
}

/// Arguments of `lxconf run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration (LXC config, domain XML, model JSON; `-` for stdin).
    pub file: String,
    /// Command to run instead of the configuration's init.
    #[arg(last = true)]
    pub command: Vec<String>,
    /// Input format (detected when omitted).
    #[arg(long, value_enum)]
    pub from: Option<FromFormat>,
    /// PID 1 behaviour.
    #[arg(long, value_enum, default_value_t)]
    pub init: InitArg,
    /// Print the plan (every step, in order) as JSON instead of running.
    #[arg(long)]
    pub plan: bool,
    /// Run the probe instead of the init and print what the container sees, as JSON.
    #[arg(long)]
    pub probe: bool,
    /// Directory relative includes are resolved against.
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
    /// Refuse to run (exit 1, nothing started) when the runner would not apply a setting
    /// of the configuration (seccomp, AppArmor, SELinux, hooks...: warnings R001-R009).
    #[arg(long)]
    pub strict: bool,
    /// Do not run the configuration's `lxc.hook.*` hooks (each is reported as R004, so
    /// `--strict` refuses). Hooks are host programs run as root, like in liblxc.
    #[arg(long)]
    pub no_hooks: bool,
    /// Write the cgroup limits the container got to this file (used by `lxconf equiv`).
    #[arg(long, value_name = "FILE", hide = true)]
    pub report_limits: Option<PathBuf>,
}

/// Run a container; the exit status is the command's (125 when it could not start).
pub fn run(args: RunArgs) -> u8 {
    if args.probe {
        return match crate::probe::run(&args.file, args.include_base.as_deref()) {
            Ok(obs) => {
                crate::outln!("{}", serde_json::to_string_pretty(&obs).unwrap_or_default());
                EXIT_OK
            }
            Err(e) => {
                eprintln!("lxconf: {e}");
                125
            }
        };
    }
    let loaded = match load_or_report(
        &args.file,
        args.from.map(Into::into),
        args.include_base.as_deref(),
        Shown::Errors,
        "nothing started",
    ) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut options = RunOptions::detect();
    options.command = (!args.command.is_empty()).then(|| args.command.clone());
    options.init = match args.init {
        InitArg::Supervised => InitMode::Supervised,
        InitArg::Direct => InitMode::Direct,
    };
    options.report_limits = args.report_limits.clone();
    options.run_hooks = !args.no_hooks;
    // Hooks get it as LXC_CONFIG_FILE, as given, like liblxc's `-f` path.
    options.config_file = (args.file != "-").then(|| args.file.clone());
    let plan = match lxconf_run::plan(&loaded.document.container, &options) {
        Ok(p) => p,
        Err(e) => {
            let d = Diagnostic::new(e.code(), format!("cannot plan the container: {e}"));
            report::print(&[d], &loaded.sources);
            return EXIT_INPUT;
        }
    };
    let warnings: Vec<Diagnostic> = plan
        .not_applied
        .iter()
        .map(|f| {
            // At the line that asked for the setting, when the input recorded one.
            let d = Diagnostic::new(f.code, f.message.clone());
            match loaded.document.origins.find(&f.pointer) {
                Some(origin) => d.at(origin),
                None => d,
            }
        })
        .collect();
    report::print(&warnings, &loaded.sources);
    if args.strict && !warnings.is_empty() {
        eprintln!(
            "lxconf: {} setting(s) would not be applied (--strict); nothing started",
            warnings.len()
        );
        return EXIT_INPUT;
    }
    if args.plan {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&plan).unwrap_or_default()
        );
        return EXIT_OK;
    }
    match lxconf_run::exec::execute(&plan, &lxconf_run::sys::linux::LinuxSys) {
        Ok(status) => status.clamp(0, 255) as u8,
        Err(e) => match e.code() {
            // The configuration asked for something this host refuses: an input error.
            Some(code) => {
                let d = Diagnostic::new(code, format!("the container could not start: {e}"));
                report::print(&[d], &loaded.sources);
                EXIT_INPUT
            }
            None => {
                eprintln!("lxconf: the container could not start: {e}");
                125
            }
        },
    }
}

/// Print what this host supports.
pub fn check_host() -> u8 {
    crate::outln!(
        "{}",
        serde_json::to_string_pretty(&lxconf_run::check_host()).unwrap_or_default()
    );
    EXIT_OK
}
