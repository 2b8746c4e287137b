//! GitLab's code-quality report (`artifacts:reports:codequality`): a JSON array of issues,
//! each with a fingerprint that stays the same from one pipeline to the next so that a
//! merge request shows only the findings it added or removed.

use super::Item;
use lxconf_model::Severity;
use serde::Serialize;
use std::collections::HashMap;

/// One code-quality issue.
#[derive(Debug, Serialize)]
pub struct Issue {
    /// The message, with the help appended.
    pub description: String,
    /// The code (`M003`).
    pub check_name: &'static str,
    /// Stable identity: see [`issues`].
    pub fingerprint: String,
    /// GitLab's scale.
    pub severity: IssueSeverity,
    /// Where.
    pub location: IssueLocation,
}

/// GitLab's severities; lxconf uses three of its five.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueSeverity {
    /// A note.
    Info,
    /// A warning.
    Minor,
    /// An error.
    Major,
}

/// The file and line of an issue.
#[derive(Debug, Serialize)]
pub struct IssueLocation {
    /// The file, as named in the walk (relative to the directory lint ran in).
    pub path: String,
    /// Its first line.
    pub lines: Lines,
}

/// `lines.begin`.
#[derive(Debug, Serialize)]
pub struct Lines {
    /// 1-based.
    pub begin: usize,
}

/// The issues of `items`. A fingerprint is a name-based UUID (v5, SHA-1) of the code, the
/// file, the message and how many identical findings came before in that file: not the
/// line, so that adding a line above a finding does not make it a new one.
pub fn issues(items: &[Item<'_>]) -> Vec<Issue> {
    let mut occurrences: HashMap<(String, &str, String), usize> = HashMap::new();
    items
        .iter()
        .map(|i| {
            let d = i.diagnostic;
            let (path, line) = match &d.primary {
                Some(p) => {
                    let file = i.sources.get(p.origin.source);
                    (file.name.clone(), file.line_col(p.origin.start as usize).0)
                }
                None => (String::new(), 1),
            };
            let path = path.strip_prefix("./").unwrap_or(&path).to_string();
            let mut description = d.message.clone();
            if let Some(h) = &d.help {
                description.push_str(&format!("\nhelp: {h}"));
            }
            let code = d.code.as_str();
            let n = occurrences
                .entry((path.clone(), code, d.message.clone()))
                .or_default();
            let identity = format!("{code}\0{path}\0{}\0{n}", d.message);
            *n += 1;
            Issue {
                description,
                check_name: code,
                fingerprint: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, identity.as_bytes())
                    .simple()
                    .to_string(),
                severity: match d.severity {
                    Severity::Error => IssueSeverity::Major,
                    Severity::Warning => IssueSeverity::Minor,
                    Severity::Note => IssueSeverity::Info,
                },
                location: IssueLocation {
                    path,
                    lines: Lines { begin: line },
                },
            }
        })
        .collect()
}
