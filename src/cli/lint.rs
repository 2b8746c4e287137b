//! `lxconf lint`: report every problem of any number of container configs at once.
//!
//! Exit status: 0 when no finding is at error level, 1 when some is, 2 for a usage or I/O
//! error (an unreadable file, a bad `lxconf.toml`, an unknown rule). With `--diff`: 1 when
//! a fix is pending. Findings in LXC's shared configuration are hidden unless
//! `--include-system` and then count for nothing: the user cannot fix them.

use super::{FromFormat, EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::lint::files::{self, FileReport, Input, Options, Skip};
use crate::lint::output;
use crate::lint::settings::Settings;
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum LintFormat {
    /// Source snippets with hints (miette).
    #[default]
    Human,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// A GitLab code-quality report (`artifacts:reports:codequality`).
    Gitlab,
}

/// Arguments of `lxconf lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories (walked recursively, honouring .gitignore; hidden files are
    /// skipped); `-` reads stdin. Default: the current directory.
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: LintFormat,
    /// Report a rule (code or name, or `all`) as an error. Repeatable; comma-separated
    /// lists work too.
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,
    /// Report a rule as a warning.
    #[arg(long, value_name = "RULE")]
    pub warn: Vec<String>,
    /// Do not report a rule.
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Project file (default: `lxconf.toml` in the current directory or an ancestor).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any `lxconf.toml`.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Apply safe fixes in place (atomically), then report what is left.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the safe fixes as a unified diff instead of applying them.
    #[arg(long)]
    pub diff: bool,
    /// Also run the rules that look at this host (hooks executable, rootfs and bind
    /// sources present).
    #[arg(long)]
    pub host: bool,
    /// Input format (detected from the content when omitted).
    #[arg(long, value_enum)]
    pub from: Option<FromFormat>,
    /// Directory that relative `lxc.include` and `lxc.mount.fstab` paths are resolved
    /// against (liblxc uses the current directory).
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
    /// The oldest LXC release the configs must load on (e.g. `2.0`): before 3.0, legacy
    /// keys are warnings instead of errors. Wins over `lxc-version` in `lxconf.toml`.
    #[arg(long, value_name = "VERSION")]
    pub lxc_version: Option<String>,
    /// Also report findings located in LXC's shared configuration
    /// (`/usr/share/lxc/config/`), which the distribution ships.
    #[arg(long)]
    pub include_system: bool,
    /// Print the rules and exit.
    #[arg(long)]
    pub list_rules: bool,
}

enum Outcome {
    Report(FileReport),
    Fixed {
        report: FileReport,
        diff: Option<String>,
        applied: usize,
    },
    Skipped(Skip),
    Failed(FileError),
}

/// Why one file could not be linted or fixed: exit code 2.
#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error(transparent)]
    Read(#[from] crate::input::InputError),
    #[error(transparent)]
    Write(#[from] crate::output::WriteError),
}

fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("lxconf: {message}");
    EXIT_USAGE
}

/// Run.
pub fn run(args: LintArgs) -> u8 {
    if args.list_rules {
        crate::out!("{}", crate::lint::docs::index());
        return EXIT_OK;
    }
    let settings = if args.isolated {
        Ok(Settings::default())
    } else if let Some(path) = &args.config {
        Settings::from_file(path)
    } else {
        Settings::discover(&std::env::current_dir().unwrap_or_default())
    };
    let settings = match settings.and_then(|s| {
        s.with_cli(&args.allow, &args.warn, &args.deny)?
            .with_lxc_version(args.lxc_version.as_deref())
    }) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let inputs = match files::inputs(&paths, &settings) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let options = Options {
        host: args.host,
        base_dir: args.include_base.clone(),
        format: args.from.map(Into::into),
        include_system: args.include_system,
    };
    // stdin is read up front, on this thread.
    let stdin_text = if inputs.contains(&Input::Stdin) {
        match files::read(&Input::Stdin) {
            Ok(t) => Some(t),
            Err(e) => return usage_error(e),
        }
    } else {
        None
    };
    let progress = (!crate::report::quiet()
        && std::io::stderr().is_terminal()
        && inputs.len() > 20)
        .then(|| {
            let bar = indicatif::ProgressBar::new(inputs.len() as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar
        });
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::with_capacity(inputs.len()));
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let outcome = lint_one(input, stdin_text.as_deref(), &args, &options, &settings);
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
                if let Ok(mut r) = results.lock() {
                    r.push((i, outcome));
                }
            });
        }
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);

    let mut failed = false;
    let mut reports = Vec::new();
    let mut diffs = String::new();
    let mut applied = 0usize;
    let mut fixed_files = 0usize;
    for (_, outcome) in results {
        match outcome {
            Outcome::Report(r) => reports.push(r),
            Outcome::Fixed {
                report,
                diff,
                applied: n,
            } => {
                if n > 0 {
                    applied += n;
                    fixed_files += 1;
                }
                if let Some(d) = diff {
                    diffs.push_str(&d);
                }
                reports.push(report);
            }
            Outcome::Skipped(Skip::NotConfig) => {}
            Outcome::Failed(e) => {
                eprintln!("lxconf: {e}");
                failed = true;
            }
        }
    }
    if args.diff {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(diffs.as_bytes());
        return if failed {
            EXIT_USAGE
        } else if diffs.is_empty() {
            EXIT_OK
        } else {
            EXIT_INPUT
        };
    }
    let (text, counts) = render(args.format, &reports);
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).is_err() {
        return EXIT_USAGE;
    }
    if args.fix && applied > 0 {
        crate::report::info(format_args!(
            "lxconf: applied {applied} fix(es) in {fixed_files} file(s)"
        ));
    }
    if failed {
        EXIT_USAGE
    } else if counts.errors > 0 {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

/// The report of every file in a format, and the counts of what it shows.
fn render(format: LintFormat, reports: &[FileReport]) -> (String, output::Counts) {
    let items = output::unique(reports);
    let counts = output::counts(&items);
    let text = match format {
        LintFormat::Human => human_text(&items, counts, reports),
        LintFormat::Json => {
            serde_json::to_string_pretty(&output::json(&items)).unwrap_or_default() + "\n"
        }
        LintFormat::Sarif => {
            serde_json::to_string_pretty(&output::sarif(&items)).unwrap_or_default() + "\n"
        }
        LintFormat::Github => output::github(&items),
        LintFormat::Gitlab => {
            serde_json::to_string_pretty(&output::gitlab::issues(&items)).unwrap_or_default() + "\n"
        }
    };
    (text, counts)
}

/// Human output: the findings, a summary line and how many findings in system include
/// files were hidden; with `--quiet`, the errors alone.
fn human_text(
    items: &[output::Item<'_>],
    counts: output::Counts,
    reports: &[FileReport],
) -> String {
    let quiet = crate::report::quiet();
    let shown = items.iter().filter(|i| !quiet || i.diagnostic.is_error());
    let mut text = output::human(
        shown,
        &crate::report::handler(crate::report::Stream::Stdout),
    );
    if quiet {
        return text;
    }
    text.push_str(&output::summary(counts, reports.len()));
    text.push('\n');
    let hidden = files::hidden_count(reports);
    if hidden > 0 {
        text.push_str(&format!(
            "{hidden} finding{} in system include files hidden; --include-system shows them\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    text
}

fn lint_one(
    input: &Input,
    stdin: Option<&str>,
    args: &LintArgs,
    options: &Options,
    settings: &Settings,
) -> Outcome {
    let (bytes, text) = match (input, stdin) {
        (Input::Stdin, Some(t)) => (Vec::new(), t.to_string()),
        _ => match files::read_bytes(input) {
            // Only --fix needs the bytes as read, to write back the ones it did not touch.
            Ok(b) if args.fix => (b.clone(), crate::input::decode(b)),
            Ok(b) => (Vec::new(), crate::input::decode(b)),
            Err(e) => return Outcome::Failed(e.into()),
        },
    };
    let name = input.name();
    let format = match (options.format, input) {
        (Some(f), _) => f,
        (None, Input::Found(p)) => match files::lintable(p, &text) {
            Some(f) => f,
            None => return Outcome::Skipped(Skip::NotConfig),
        },
        (None, Input::Explicit(p)) => {
            files::lintable(p, &text).unwrap_or_else(|| lxconf_parse::detect(&text))
        }
        (None, Input::Stdin) => lxconf_parse::detect(&text),
    };
    if !(args.fix || args.diff) {
        return match files::lint_text(&name, &text, format, options, settings) {
            Ok(r) => Outcome::Report(r),
            Err(s) => Outcome::Skipped(s),
        };
    }
    let fixed = match files::fix_text(&name, &text, format, options, settings) {
        Ok(f) => f,
        Err(s) => return Outcome::Skipped(s),
    };
    let mut diff = None;
    if fixed.applied > 0 {
        if args.diff {
            diff = Some(crate::lint::fix::diff(&name, &text, &fixed.text));
        } else if let Input::Explicit(p) | Input::Found(p) = input {
            // Bytes no fix touched (invalid UTF-8 in comments) are written as they were.
            let kept = crate::output::keep_bytes(&bytes, &text, &fixed.text);
            if let Err(e) = crate::output::write(p, &kept, false) {
                return Outcome::Failed(e.into());
            }
        }
    }
    Outcome::Fixed {
        report: fixed.report,
        diff,
        applied: fixed.applied,
    }
}
