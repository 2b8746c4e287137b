//! Inline suppression: a comment `# lxconf: allow CODE[, CODE...]` (or
//! `<!-- lxconf: allow CODE -->` in XML) silences those rules on its own line and on the
//! next line. Codes may be given by code or name; `all` silences every rule.
//!
//! LXC configs have no trailing comments (`key = value # c` makes `# c` part of the value),
//! so in LXC files put the comment on the line before.

use lxconf_model::{Code, Diagnostic, SourceMap};
use std::collections::HashMap;

const MARKER: &str = "lxconf: allow";

/// Per file, line (1-based) → suppressed codes (`None` = all).
#[derive(Debug, Default)]
pub struct Suppressions {
    lines: HashMap<(u32, usize), Vec<Option<Code>>>,
}

impl Suppressions {
    /// Scan every file of a source map.
    pub fn scan(sources: &SourceMap) -> Suppressions {
        let mut s = Suppressions::default();
        for (id, file) in sources.files() {
            if !file.text.contains(MARKER) {
                continue;
            }
            for (n, line) in file.text.lines().enumerate() {
                let Some(at) = line.find(MARKER) else {
                    continue;
                };
                let before = &line[..at];
                if !(before.contains('#') || before.contains("<!--") || before.contains("//")) {
                    continue;
                }
                let rest = line[at + MARKER.len()..].trim_end_matches("-->");
                let codes: Vec<Option<Code>> = rest
                    .split([',', ' ', '\t'])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .filter_map(|c| {
                        if c == "all" {
                            Some(None)
                        } else {
                            Code::parse(c).map(Some)
                        }
                    })
                    .collect();
                for line_no in [n + 1, n + 2] {
                    s.lines
                        .entry((id.0, line_no))
                        .or_default()
                        .extend(codes.iter().copied());
                }
            }
        }
        s
    }

    /// True when the diagnostic is suppressed by a comment.
    pub fn covers(&self, d: &Diagnostic, sources: &SourceMap) -> bool {
        if self.lines.is_empty() {
            return false;
        }
        let Some(p) = &d.primary else {
            return false;
        };
        let (line, _) = sources
            .get(p.origin.source)
            .line_col(p.origin.start as usize);
        self.lines
            .get(&(p.origin.source.0, line))
            .is_some_and(|codes| codes.iter().any(|c| c.is_none_or(|c| c == d.code)))
    }
}
