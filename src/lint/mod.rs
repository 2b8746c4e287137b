//! `lxconf lint`: the rule engine.
//!
//! A rule is a [`RuleDef`]: a code from the table in `lxconf_model::codes`, its
//! documentation (bad example, why it matters, fix) and a check. Codes the parsers emit
//! (L001–L020, F001–F004) are rules too: their check is the parser itself, and their level is
//! configurable like any other. The registry ([`registry::RULES`]) is the single list that
//! the engine runs, `--deny/--warn/--allow` resolve against, and `docs/rules/` is generated
//! from.
//!
//! Checks see one of three things:
//! - the raw lines of an LXC file ([`LxcFile`]) — for what the model cannot show, such as a
//!   scalar key set twice;
//! - the model and where each value came from ([`ModelCtx`]) — the same checks run on a
//!   config, a domain XML file or a model document;
//! - the host filesystem (`--host`) — hooks, rootfs and bind sources.

pub mod docs;
pub mod examples;
pub mod explain;
pub mod files;
pub mod fix;
pub mod output;
pub mod registry;
pub mod rules;
pub mod settings;
pub mod suppress;

use lxconf_model::{Code, Diagnostic, Document, Origin, Severity, SourceId, SourceMap};
use lxconf_parse::lxc::entries::RawEntry;
use lxconf_parse::lxc::keys::Key;

/// The level a rule runs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a note.
    Note,
    /// Reported as a warning.
    Warning,
    /// Reported as an error (exit status 1).
    Error,
}

impl Level {
    /// Parse `allow`, `note`, `warn`/`warning`, `deny`/`error`.
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "allow" | "off" | "ignore" => Level::Allow,
            "note" | "info" => Level::Note,
            "warn" | "warning" => Level::Warning,
            "deny" | "error" => Level::Error,
            _ => return None,
        })
    }

    /// The severity findings get, or `None` when the rule is off.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Note => Some(Severity::Note),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }

    /// The level of a severity.
    pub fn of(severity: Severity) -> Level {
        match severity {
            Severity::Note => Level::Note,
            Severity::Warning => Level::Warning,
            Severity::Error => Level::Error,
        }
    }

    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// Whether a rule offers a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixable {
    /// No fix.
    No,
    /// A fix `--fix` applies.
    Safe,
    /// A suggested fix that may change the meaning; shown, never applied automatically.
    Unsafe,
    /// Safe in some cases, unsafe in others.
    Sometimes,
}

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// Emitted by a parser while loading.
    Parser,
    /// The raw lines of one LXC file.
    Lxc(fn(&LxcFile<'_>, &mut Vec<Diagnostic>)),
    /// The model.
    Model(fn(&ModelCtx<'_>, &mut Vec<Diagnostic>)),
    /// The model plus the host's filesystem; only with `--host`.
    Host(fn(&ModelCtx<'_>, &mut Vec<Diagnostic>)),
}

/// One rule: its code and its documentation.
pub struct RuleDef {
    /// Stable code (name, default level and summary live in the code table).
    pub code: Code,
    /// Whether a fix is offered.
    pub fixable: Fixable,
    /// The check.
    pub check: Check,
}

/// One LXC file's raw lines.
pub struct LxcFile<'a> {
    /// The file.
    pub id: SourceId,
    /// Its text.
    pub text: &'a str,
    /// Its `key = value` lines.
    pub entries: Vec<RawEntry<'a>>,
}

impl LxcFile<'_> {
    /// An origin in this file.
    pub fn origin(&self, range: std::ops::Range<usize>) -> Origin {
        Origin::new(self.id, range)
    }

    /// The line's range including its terminator (for fixes that delete a line).
    pub fn line_with_newline(&self, line: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let bytes = self.text.as_bytes();
        let mut end = line.end;
        if bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        line.start..end
    }
}

/// What model rules see.
pub struct ModelCtx<'a> {
    /// The model and where each value came from.
    pub document: &'a Document,
    /// The files.
    pub sources: &'a SourceMap,
    /// The format the model was read from.
    pub format: lxconf_parse::Format,
    /// The raw lines of the LXC files the model was read from (empty for other formats).
    pub lxc: &'a [LxcFile<'a>],
}

impl ModelCtx<'_> {
    /// The origin of the value at a JSON pointer, or of its closest recorded ancestor.
    pub fn at(&self, pointer: &str) -> Option<Origin> {
        self.document.origins.find(pointer)
    }

    /// A diagnostic placed at a pointer when its origin is known.
    pub fn diag(&self, code: Code, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(code, message);
        match self.at(pointer) {
            Some(o) => d.at(o),
            None => d,
        }
    }

    /// Where a value came from, as precisely as known: the exact pointer, else the last LXC
    /// line whose key matches `key`, else the closest recorded ancestor of the pointer.
    pub fn field(&self, pointer: &str, key: impl Fn(&Key<'_>) -> bool) -> Option<Origin> {
        if let Some(o) = self.document.origins.get(pointer) {
            return Some(o);
        }
        let raw = self
            .lxc
            .iter()
            .flat_map(|f| f.entries.iter().map(move |e| (f, e)))
            .filter(|(_, e)| key(&e.class))
            .last()
            .map(|(f, e)| f.origin(e.line.clone()));
        raw.or_else(|| self.at(pointer))
    }

    /// True when the model came from an LXC config.
    pub fn is_lxc(&self) -> bool {
        self.format == lxconf_parse::Format::Lxc
    }
}

/// Run every rule the registry has on a loaded file. Parser diagnostics come in
/// `parsed`; the result is sorted by location.
pub fn check(
    format: lxconf_parse::Format,
    document: &Document,
    sources: &SourceMap,
    parsed: &[Diagnostic],
    host: bool,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = parsed.to_vec();
    let lxc_files: Vec<LxcFile<'_>> = if format == lxconf_parse::Format::Lxc {
        sources
            .files()
            .filter(|(_, f)| lxconf_parse::detect(&f.text) == lxconf_parse::Format::Lxc)
            .map(|(id, f)| LxcFile {
                id,
                text: &f.text,
                entries: lxconf_parse::lxc::entries::entries(&f.text),
            })
            .collect()
    } else {
        Vec::new()
    };
    let ctx = ModelCtx {
        document,
        sources,
        format,
        lxc: &lxc_files,
    };
    for rule in registry::RULES.iter() {
        match rule.check {
            Check::Parser => {}
            Check::Lxc(f) => {
                for file in &lxc_files {
                    f(file, &mut out);
                }
            }
            Check::Model(f) => f(&ctx, &mut out),
            Check::Host(f) if host => f(&ctx, &mut out),
            Check::Host(_) => {}
        }
    }
    out.sort_by_key(|d| {
        d.primary
            .as_ref()
            .map(|l| (l.origin.source, l.origin.start, l.origin.end))
    });
    out
}
