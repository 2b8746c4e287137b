//! `lxconf upgrade`: rewrite legacy LXC 1.x/2.x keys to modern ones, keeping everything
//! else of the file as it is. Several files and directories are taken as `lint` takes them
//! (the same walk: `.gitignore` honoured, hidden files skipped, `lxconf.toml` excludes);
//! in a directory only LXC configs are upgraded. The upgraded text of one file can go to
//! stdout; several go `--in-place` or as a `--diff`, never concatenated on stdout.

use super::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::lint::files::{self, Input};
use crate::lint::settings::Settings;
use crate::{input, output, report};
use clap::Args;
use lxconf_model::SourceMap;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `lxconf upgrade`.
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// LXC configs or directories (walked recursively like `lint`'s: only LXC configs are
    /// upgraded; `*.bak` files are skipped); `-` for stdin. Several inputs, or a directory,
    /// need --in-place or --diff.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Rewrite each file itself (through a symlink, keeping owner, mode and hard links; the
    /// original is kept as FILE.bak beside it).
    #[arg(long, short = 'i', conflicts_with = "diff")]
    pub in_place: bool,
    /// Print what would change as a unified diff and write nothing (exit 1 when something
    /// would be upgraded).
    #[arg(long)]
    pub diff: bool,
    /// Also upgrade the files it includes (needs --in-place or --diff).
    #[arg(long, short = 'r')]
    pub recursive: bool,
    /// Directory relative includes are resolved against (default: the current directory,
    /// as liblxc does).
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
}

/// Where upgraded text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One file's text on stdout.
    Stdout,
    /// Each file rewritten, with a `.bak`.
    InPlace,
    /// A unified diff per changed file on stdout.
    Diff,
}

fn usage(message: impl std::fmt::Display) -> u8 {
    eprintln!("lxconf: {message}");
    EXIT_USAGE
}

/// Run.
pub fn run(args: UpgradeArgs) -> u8 {
    let mode = match (args.in_place, args.diff) {
        (true, _) => Mode::InPlace,
        (false, true) => Mode::Diff,
        (false, false) => Mode::Stdout,
    };
    if args.recursive && mode == Mode::Stdout {
        return usage("--recursive needs --in-place or --diff");
    }
    if mode == Mode::InPlace && args.paths.iter().any(|p| p == "-") {
        return usage("--in-place needs a file, not stdin");
    }
    let settings = match Settings::discover(&std::env::current_dir().unwrap_or_default()) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let inputs = match files::inputs(&args.paths, &settings) {
        Ok(i) => i,
        Err(e) => return usage(e),
    };
    let single =
        matches!(inputs.as_slice(), [Input::Explicit(_) | Input::Stdin]) && args.paths.len() == 1;
    if mode == Mode::Stdout && !single {
        return usage(
            "several files (or a directory) would be printed one after the other: pass --in-place to rewrite them, or --diff to see what would change",
        );
    }
    let base = args
        .include_base
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let mut queue: Vec<Input> = inputs.into_iter().rev().collect();
    let mut seen = BTreeSet::new();
    let mut status = EXIT_OK;
    let mut pending = false;
    while let Some(next) = queue.pop() {
        let file = match &next {
            Input::Stdin => "-".to_string(),
            Input::Explicit(p) | Input::Found(p) => p.display().to_string(),
        };
        let key = std::fs::canonicalize(&file).unwrap_or_else(|_| PathBuf::from(&file));
        if !seen.insert(key) {
            continue;
        }
        let includes = match upgrade_one(&next, &file, mode) {
            Ok(Upgraded {
                includes,
                errors,
                changed,
            }) => {
                if errors {
                    status = status.max(EXIT_INPUT);
                }
                pending |= changed;
                includes
            }
            // The other files are still upgraded; the status says one failed.
            Err(Stop::Failed) => {
                status = EXIT_USAGE;
                continue;
            }
            Err(Stop::StdoutClosed) => return EXIT_USAGE,
        };
        if args.recursive {
            // Included files are upgraded whatever their name: the config names them.
            for inc in included_files(&includes, &base).into_iter().rev() {
                queue.push(Input::Explicit(inc));
            }
        }
    }
    if mode == Mode::Diff && pending {
        status = status.max(EXIT_INPUT);
    }
    status
}

/// What upgrading one file did.
struct Upgraded {
    /// The `lxc.include` values of the file.
    includes: Vec<String>,
    /// The upgrade reported an error.
    errors: bool,
    /// Some line was (or would be) upgraded.
    changed: bool,
}

/// Why a file was not upgraded (exit code 2).
enum Stop {
    /// It could not be read or written (said on stderr): go on with the others.
    Failed,
    /// Nobody reads the output any more: stop.
    StdoutClosed,
}

/// Upgrade one file.
fn upgrade_one(next: &Input, file: &str, mode: Mode) -> Result<Upgraded, Stop> {
    let read = match next {
        Input::Found(_) => files::read_bytes(next).map(|b| (file.to_string(), b)),
        _ => input::read_bytes(file),
    };
    let (name, bytes) = read.map_err(|e| {
        usage(e);
        Stop::Failed
    })?;
    let text = input::decode(bytes.clone());
    if let Input::Found(p) = next {
        // In a directory, only LXC configs: not a README, not a `.bak`.
        if files::lintable(p, &text) != Some(lxconf_parse::Format::Lxc) {
            return Ok(Upgraded {
                includes: Vec::new(),
                errors: false,
                changed: false,
            });
        }
    }
    let mut sources = SourceMap::new();
    let id = sources.add(name.clone(), text.clone());
    let up = lxconf_parse::lxc::upgrade::upgrade(&text, id);
    report::print(&up.diagnostics, &sources);
    let errors = up.diagnostics.iter().any(|d| d.is_error());
    // Bytes the upgrade did not touch (invalid UTF-8 in comments) stay as they were.
    let out = crate::output::keep_bytes(&bytes, &text, &up.text);
    let shown = crate::snippet::escape(file);
    match mode {
        Mode::InPlace if up.changes > 0 => match output::write(Path::new(file), &out, true) {
            // No backup only when the file vanished since it was read.
            Ok(w) => crate::report::info(format_args!(
                "lxconf: {shown}: {} line(s) upgraded{}",
                up.changes,
                w.backup
                    .map(|b| format!(" (original kept as {})", b.display()))
                    .unwrap_or_default()
            )),
            Err(e) => {
                usage(e);
                return Err(Stop::Failed);
            }
        },
        Mode::InPlace => crate::report::info(format_args!("lxconf: {shown}: nothing to upgrade")),
        Mode::Diff if up.changes > 0 => {
            let diff = crate::lint::fix::diff(&name, &text, &up.text);
            if std::io::stdout().lock().write_all(diff.as_bytes()).is_err() {
                return Err(Stop::StdoutClosed);
            }
        }
        Mode::Diff => {}
        Mode::Stdout => {
            if std::io::stdout().lock().write_all(&out).is_err() {
                return Err(Stop::StdoutClosed);
            }
        }
    }
    Ok(Upgraded {
        includes: up.includes,
        errors,
        changed: up.changes > 0,
    })
}

/// The files `lxc.include` values name: a file, or the `*.conf` files of a directory (as
/// liblxc includes them), relative paths resolved against `base`.
fn included_files(includes: &[String], base: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for inc in includes {
        let p = if Path::new(inc).is_absolute() {
            PathBuf::from(inc)
        } else {
            base.join(inc)
        };
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.retain(|e| e.is_file() && e.extension().is_some_and(|x| x == "conf"));
            entries.sort();
            out.extend(entries);
        } else if p.is_file() {
            out.push(p);
        } else {
            eprintln!(
                "lxconf: included `{}` not found; not upgraded",
                crate::snippet::escape(&p.display().to_string())
            );
        }
    }
    out
}
