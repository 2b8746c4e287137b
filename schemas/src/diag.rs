//! Diagnostics: problems found in the user's input.
//!
//! A problem in the input is data, returned next to a partial result; it is never an `Err`.
//! Each diagnostic carries a stable [`Code`] from the table in [`crate::codes`], a primary
//! span, optional secondary spans, a hint and optionally a fix.

use crate::codes::Code;
use crate::source::{Location, Origin, SourceMap};
use serde::Serialize;

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: the input is fine, but the user may want to know.
    Note,
    /// Accepted, but probably not what the user wants (or deprecated).
    Warning,
    /// The input is rejected.
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A span with an optional message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub origin: Origin,
    /// What is there (shown next to the underline).
    pub message: Option<String>,
}

/// A text edit that fixes a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// One line saying what the fix does.
    pub description: String,
    /// The range to replace.
    pub origin: Origin,
    /// The new text.
    pub replacement: String,
    /// True when applying it cannot change what the configuration means.
    pub safe: bool,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity (the code's default unless a rule changed it).
    pub severity: Severity,
    /// Lowercase, no final period.
    pub message: String,
    /// The main span.
    pub primary: Option<Label>,
    /// Related spans.
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// A mechanical fix, when one exists.
    pub fix: Option<Fix>,
    /// JSON pointers of the model fields a conversion loss covers (empty for findings
    /// that are not about one model field). A difference between a model and its
    /// conversion read back is reported when one of these equals or prefixes its pointer.
    pub pointers: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.info().severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            fix: None,
            pointers: Vec::new(),
        }
    }

    /// Set the primary span.
    pub fn at(mut self, origin: Origin) -> Self {
        self.primary = Some(Label {
            origin,
            message: None,
        });
        self
    }

    /// Set the primary span with a label.
    pub fn at_labelled(mut self, origin: Origin, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            origin,
            message: Some(label.into()),
        });
        self
    }

    /// Add a secondary span.
    pub fn also(mut self, origin: Origin, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            origin,
            message: Some(label.into()),
        });
        self
    }

    /// Set the hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach a fix.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Name a model field this finding is about (a JSON pointer into the model).
    pub fn covering(mut self, pointer: impl Into<String>) -> Self {
        let pointer = pointer.into();
        if !self.pointers.contains(&pointer) {
            self.pointers.push(pointer);
        }
        self
    }

    /// True when this finding names `pointer` or a field containing it.
    pub fn covers(&self, pointer: &str) -> bool {
        self.pointers
            .iter()
            .any(|p| crate::pointer::contains(p, pointer))
    }

    /// Override the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A serializable, self-contained form (locations resolved).
    pub fn to_record(&self, sources: &SourceMap) -> DiagnosticRecord {
        DiagnosticRecord {
            code: self.code.as_str(),
            name: self.code.info().name,
            severity: self.severity,
            message: self.message.clone(),
            location: self.primary.as_ref().map(|l| sources.locate(l.origin)),
            related: self
                .secondary
                .iter()
                .map(|l| RelatedRecord {
                    location: sources.locate(l.origin),
                    message: l.message.clone(),
                })
                .collect(),
            help: self.help.clone(),
            fix: self.fix.as_ref().map(|f| FixRecord {
                description: f.description.clone(),
                location: sources.locate(f.origin),
                replacement: f.replacement.clone(),
                safe: f.safe,
            }),
            pointers: self.pointers.clone(),
        }
    }
}

/// A diagnostic with resolved locations, for JSON output and snapshots.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DiagnosticRecord {
    /// Stable code, e.g. `L001`.
    pub code: &'static str,
    /// Rule name, e.g. `unknown-key`.
    pub name: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// Primary location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Related locations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedRecord>,
    /// Hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixRecord>,
    /// JSON pointers of the model fields a conversion loss covers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pointers: Vec<String>,
}

/// A related location.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RelatedRecord {
    /// Where.
    pub location: Location,
    /// What.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A fix with a resolved location.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FixRecord {
    /// What the fix does.
    pub description: String,
    /// Range replaced.
    pub location: Location,
    /// New text.
    pub replacement: String,
    /// Safe to apply automatically.
    pub safe: bool,
}
