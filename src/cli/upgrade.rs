//! `lxconf upgrade`: rewrite legacy LXC 1.x/2.x keys to modern ones, keeping everything
//! else of the file as it is.

use super::{EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::{input, output, report};
use clap::Args;
use lxconf_model::SourceMap;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `lxconf upgrade`.
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// The LXC config to upgrade (`-` for stdin).
    pub file: String,
    /// Rewrite the file itself (through a symlink, keeping owner, mode and hard links; the
    /// original is kept as FILE.bak beside it).
    #[arg(long, short = 'i')]
    pub in_place: bool,
    /// Also upgrade the files it includes (needs --in-place).
    #[arg(long, short = 'r', requires = "in_place")]
    pub recursive: bool,
    /// Directory relative includes are resolved against (default: the current directory,
    /// as liblxc does).
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<PathBuf>,
}

/// Run.
pub fn run(args: UpgradeArgs) -> u8 {
    if args.in_place && args.file == "-" {
        eprintln!("lxconf: --in-place needs a file, not stdin");
        return EXIT_USAGE;
    }
    let base = args
        .include_base
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let mut queue = vec![args.file.clone()];
    let mut seen = BTreeSet::new();
    let mut status = EXIT_OK;
    while let Some(file) = queue.pop() {
        let key = std::fs::canonicalize(&file).unwrap_or_else(|_| PathBuf::from(&file));
        if !seen.insert(key) {
            continue;
        }
        let (name, bytes) = match input::read_bytes(&file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("lxconf: {e}");
                return EXIT_USAGE;
            }
        };
        let text = input::decode(bytes.clone());
        let mut sources = SourceMap::new();
        let id = sources.add(name.clone(), text.clone());
        let up = lxconf_parse::lxc::upgrade::upgrade(&text, id);
        report::print(&up.diagnostics, &sources);
        if up.diagnostics.iter().any(|d| d.is_error()) {
            status = EXIT_INPUT;
        }
        // Bytes the upgrade did not touch (invalid UTF-8 in comments) stay as they were.
        let out = crate::output::keep_bytes(&bytes, &text, &up.text);
        if args.in_place {
            if up.changes > 0 {
                match output::write(Path::new(&file), &out, true) {
                    // No backup only when the file vanished since it was read.
                    Ok(w) => eprintln!(
                        "lxconf: {file}: {} line(s) upgraded{}",
                        up.changes,
                        w.backup
                            .map(|b| format!(" (original kept as {})", b.display()))
                            .unwrap_or_default()
                    ),
                    Err(e) => {
                        eprintln!("lxconf: {e}");
                        return EXIT_USAGE;
                    }
                }
            } else {
                eprintln!("lxconf: {file}: nothing to upgrade");
            }
        } else if std::io::stdout().lock().write_all(&out).is_err() {
            return EXIT_USAGE;
        }
        if args.recursive {
            for inc in up.includes {
                let p = if Path::new(&inc).is_absolute() {
                    PathBuf::from(&inc)
                } else {
                    base.join(&inc)
                };
                if p.is_dir() {
                    let mut entries: Vec<PathBuf> = std::fs::read_dir(&p)
                        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                        .unwrap_or_default();
                    entries.retain(|e| e.is_file() && e.extension().is_some_and(|x| x == "conf"));
                    entries.sort();
                    queue.extend(entries.into_iter().map(|e| e.display().to_string()));
                } else if p.is_file() {
                    queue.push(p.display().to_string());
                } else {
                    eprintln!("lxconf: included `{}` not found; not upgraded", p.display());
                }
            }
        }
    }
    status
}
