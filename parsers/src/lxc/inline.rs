//! Inline an `lxc.mount.fstab` file into the config as `lxc.mount.entry` lines, keeping the
//! rest of the text byte for byte.
//!
//! LXC mounts the fstab file's entries before every `lxc.mount.entry` line, wherever the
//! `lxc.mount.fstab` line is, so the entries are inserted before the first
//! `lxc.mount.entry` line (or where `lxc.mount.fstab` was, if that comes first).

use super::keys::ExactKey as K;
use super::syntax::{self, LineKind};
use crate::fs::FileSystem;
use crate::fstab;
use lxconf_model::{Code, Diagnostic, Origin, SourceId};
use std::path::Path;

/// The result of inlining.
#[derive(Debug, Clone)]
pub struct Inlined {
    /// The new config text.
    pub text: String,
    /// Problems (missing or unreadable fstab file, bad fstab lines).
    pub diagnostics: Vec<Diagnostic>,
    /// Number of mount entries inlined.
    pub entries: usize,
}

/// Inline the fstab file named by `lxc.mount.fstab` (relative paths against `base_dir`).
pub fn inline_fstab(text: &str, source: SourceId, fs: &dyn FileSystem, base_dir: &Path) -> Inlined {
    let lines = syntax::parse(text);
    let mut diagnostics = Vec::new();
    let is_key = |l: &syntax::Line, k: &str| matches!(&l.kind, LineKind::Entry(e) if &text[e.key.clone()] == k);
    let fstab_lines: Vec<&syntax::Line> = lines
        .iter()
        .filter(|l| {
            let names = [Some(K::MountFstab.name()), K::MountFstab.legacy_name()];
            names.into_iter().flatten().any(|k| is_key(l, k))
        })
        .collect();
    let Some(last) = fstab_lines.last() else {
        return Inlined {
            text: text.to_string(),
            diagnostics,
            entries: 0,
        };
    };
    let LineKind::Entry(e) = &last.kind else {
        unreachable!("filtered on entries")
    };
    let value = &text[e.value.clone()];
    let path = if Path::new(value).is_absolute() {
        Path::new(value).to_path_buf()
    } else {
        base_dir.join(value)
    };
    let fstab_text = match fs.read_to_string(&path) {
        Ok(t) => t,
        Err(err) => {
            let code = match crate::limits::limit_error(&err) {
                Some(crate::limits::LimitError::TooLarge) => Code::I001,
                Some(crate::limits::LimitError::NotRegular(_)) => Code::I002,
                None => Code::L018,
            };
            diagnostics.push(
                Diagnostic::new(
                    code,
                    format!("fstab file `{}` cannot be read: {err}", path.display()),
                )
                .at(Origin::new(source, e.raw_value.clone()))
                .help(
                    "relative paths are resolved against the current directory (or --include-base)",
                ),
            );
            return Inlined {
                text: text.to_string(),
                diagnostics,
                entries: 0,
            };
        }
    };
    let (block, entries) = entry_block(&fstab_text, &path, source, &mut diagnostics);
    // Remove every lxc.mount.fstab line; insert the block before the first mount entry.
    let first_entry = lines
        .iter()
        .find(|l| is_key(l, K::MountEntry.name()))
        .map(|l| l.range.start);
    let insert_at = first_entry.map_or(last.range.start, |f| f.min(last.range.start));
    let mut out = String::with_capacity(text.len() + block.len());
    let mut at = 0;
    let mut inserted = false;
    let mut removals: Vec<std::ops::Range<usize>> = fstab_lines
        .iter()
        .map(|l| {
            let mut end = l.range.end;
            if text.as_bytes().get(end) == Some(&b'\r') {
                end += 1;
            }
            if text.as_bytes().get(end) == Some(&b'\n') {
                end += 1;
            }
            l.range.start..end
        })
        .collect();
    removals.sort_by_key(|r| r.start);
    for r in removals {
        if !inserted && insert_at <= r.start {
            out.push_str(&text[at..insert_at]);
            out.push_str(&block);
            at = insert_at;
            inserted = true;
        }
        out.push_str(&text[at..r.start]);
        at = r.end;
    }
    if !inserted {
        out.push_str(&text[at..insert_at.max(at)]);
        out.push_str(&block);
        at = insert_at.max(at);
    }
    out.push_str(&text[at..]);
    Inlined {
        text: out,
        diagnostics,
        entries,
    }
}

/// The `lxc.mount.entry` lines for an fstab file's entries, and how many there are; lines
/// that cannot be carried or parsed are reported, located in the fstab file.
fn entry_block(
    fstab_text: &str,
    path: &Path,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> (String, usize) {
    let mut block = format!("# inlined from {}\n", path.display());
    let mut entries = 0;
    let mut base = 0;
    for raw in fstab_text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        match fstab::parse_line(line, base) {
            Ok(Some(entry)) => {
                let fields = &line[entry.source.range.start - base..entry.options.range.end - base];
                if let Some(c) = fields.chars().find(|&c| matches!(c, '\r' | '\0')) {
                    // getmntent keeps it inside the field; an LXC line would end there.
                    let n = fstab_text[..base].matches('\n').count() + 1;
                    let what = if c == '\r' {
                        "a carriage return"
                    } else {
                        "a NUL byte"
                    };
                    diagnostics.push(
                        Diagnostic::new(
                            Code::C103,
                            format!(
                                "{}:{n}: the entry contains {what}, which an {} line cannot carry",
                                path.display(),
                                K::MountEntry
                            ),
                        )
                        .help(format!(
                            "remove it from the fstab file, or keep {}",
                            K::MountFstab
                        )),
                    );
                    base += raw.len();
                    continue;
                }
                let fields: Vec<&str> = fields
                    .split([' ', '\t'])
                    .filter(|f| !f.is_empty())
                    .collect();
                block.push_str(&format!(
                    "{} = {} {} {}\n",
                    K::MountEntry,
                    fields.join(" "),
                    entry.dump,
                    entry.pass
                ));
                entries += 1;
            }
            Ok(None) => {}
            Err(err) => {
                // Located in the fstab file: give the line number in the message.
                let n = fstab_text[..base].matches('\n').count() + 1;
                let d = fstab::line_error(err, source);
                diagnostics.push(Diagnostic {
                    primary: None,
                    message: format!("{}:{n}: {}", path.display(), d.message),
                    ..d
                });
            }
        }
        base += raw.len();
    }
    (block, entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemoryFs;

    #[test]
    fn entries_go_before_the_first_mount_entry() {
        let fs = MemoryFs::new().with(
            "/c/f",
            "# c\n/a\\040b\tmnt/a none bind 0 0\nproc proc proc defaults\n",
        );
        let text = "lxc.uts.name = x\nlxc.mount.entry = /x x none bind 0 0\nlxc.mount.fstab = f\nlxc.tty.max = 1\n";
        let out = inline_fstab(text, SourceId(0), &fs, Path::new("/c"));
        assert_eq!(out.entries, 2);
        assert_eq!(
            out.text,
            "lxc.uts.name = x\n# inlined from /c/f\nlxc.mount.entry = /a\\040b mnt/a none bind 0 0\nlxc.mount.entry = proc proc proc defaults 0 0\nlxc.mount.entry = /x x none bind 0 0\nlxc.tty.max = 1\n"
        );
    }

    #[test]
    fn without_fstab_nothing_changes() {
        let fs = MemoryFs::new();
        let out = inline_fstab("lxc.uts.name = x\n", SourceId(0), &fs, Path::new("/"));
        assert_eq!(out.text, "lxc.uts.name = x\n");
    }
}
