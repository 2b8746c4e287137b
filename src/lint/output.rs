//! Output formats: human (miette reports), JSON, SARIF 2.1.0, GitHub workflow
//! annotations and GitLab code quality.

use super::files::FileReport;
use super::{registry, Fixable};
use lxconf_model::{Code, Diagnostic, Severity, SourceMap};
use serde_json::{json, Value};
use std::collections::HashSet;

pub mod gitlab;
pub mod sarif;

/// A finding to print, with the files it refers to.
pub struct Item<'a> {
    /// The finding.
    pub diagnostic: &'a Diagnostic,
    /// Its files.
    pub sources: &'a SourceMap,
}

/// Every finding of every report once: a file included by several configs is reported
/// once per finding, not once per including config.
pub fn unique(reports: &[FileReport]) -> Vec<Item<'_>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in reports {
        for d in &r.diagnostics {
            let key = d.primary.as_ref().map(|p| {
                (
                    r.sources.get(p.origin.source).name.clone(),
                    p.origin.start,
                    p.origin.end,
                )
            });
            if seen.insert((key, d.code, d.message.clone())) {
                out.push(Item {
                    diagnostic: d,
                    sources: &r.sources,
                });
            }
        }
    }
    out
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
    /// Findings with a safe fix.
    pub fixable: usize,
}

/// Count findings by severity.
pub fn counts(items: &[Item<'_>]) -> Counts {
    let mut c = Counts::default();
    for i in items {
        match i.diagnostic.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Note => c.notes += 1,
        }
        if i.diagnostic.fix.as_ref().is_some_and(|f| f.safe) {
            c.fixable += 1;
        }
    }
    c
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The closing line of the human format.
pub fn summary(c: Counts, files: usize) -> String {
    if c.errors + c.warnings + c.notes == 0 {
        return format!("no problems found in {}", plural(files, "file"));
    }
    let mut s = format!(
        "found {}, {}, {} in {}",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.notes, "note"),
        plural(files, "file")
    );
    if c.fixable > 0 {
        s.push_str(&format!(
            " ({} fixable with `lxconf lint --fix`)",
            c.fixable
        ));
    }
    s
}

/// Human output: one miette report per finding.
pub fn human<'a, 'b: 'a>(
    items: impl IntoIterator<Item = &'a Item<'b>>,
    handler: &miette::GraphicalReportHandler,
) -> String {
    let mut out = String::new();
    for i in items {
        let mut d = i.diagnostic.clone();
        if let Some(f) = &d.fix {
            let how = if f.safe {
                "applied by `--fix`"
            } else {
                "unsafe: not applied by `--fix`"
            };
            let line = format!("fix ({how}): {}", f.description);
            d.help = Some(match d.help.take() {
                Some(h) => format!("{h}\n{line}"),
                None => line,
            });
        }
        let rendered = crate::report::render(&d, i.sources);
        let _ = handler.render_report(&mut out, &rendered);
        out.push('\n');
    }
    out
}

fn end_of(d: &Diagnostic, sources: &SourceMap) -> Option<(usize, usize)> {
    d.primary.as_ref().map(|p| {
        let file = sources.get(p.origin.source);
        let end = (p.origin.end as usize).max(p.origin.start as usize);
        file.line_col(end)
    })
}

/// JSON output: an array of findings.
pub fn json(items: &[Item<'_>]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|i| {
                let mut v =
                    serde_json::to_value(i.diagnostic.to_record(i.sources)).unwrap_or(Value::Null);
                if let (Some((line, column)), Some(loc)) = (
                    end_of(i.diagnostic, i.sources),
                    v.get_mut("location").and_then(Value::as_object_mut),
                ) {
                    loc.insert("end_line".into(), json!(line));
                    loc.insert("end_column".into(), json!(column));
                }
                v
            })
            .collect(),
    )
}

fn sarif_level(s: Severity) -> sarif::Level {
    match s {
        Severity::Error => sarif::Level::Error,
        Severity::Warning => sarif::Level::Warning,
        Severity::Note => sarif::Level::Note,
    }
}

/// The region of `origin` (an empty span keeps its end column at its start column: an
/// insertion point; a span ending at a line start keeps a column of 1).
fn sarif_region(origin: lxconf_model::Origin, sources: &SourceMap) -> sarif::Region {
    let file = sources.get(origin.source);
    let (sl, sc) = file.line_col(origin.start as usize);
    let (el, ec) = file.line_col((origin.end as usize).max(origin.start as usize));
    sarif::Region {
        start_line: sl,
        start_column: sc,
        end_line: el,
        end_column: ec.max(if el == sl { sc } else { 1 }),
    }
}

fn sarif_location(
    origin: lxconf_model::Origin,
    sources: &SourceMap,
    id: Option<usize>,
    message: Option<&str>,
) -> sarif::Location {
    sarif::Location {
        physical_location: sarif::PhysicalLocation {
            artifact_location: sarif::ArtifactLocation {
                uri: sarif::uri(&sources.get(origin.source).name),
            },
            region: sarif_region(origin, sources),
        },
        id,
        message: message.map(|m| sarif::Message {
            text: m.to_string(),
        }),
    }
}

fn sarif_rule(rule: &&super::RuleDef) -> sarif::ReportingDescriptor {
    let info = rule.code.info();
    let text = crate::lint::explain::of(rule.code);
    let plain = |s: Option<&String>| sarif::MultiformatMessage {
        text: s.cloned().unwrap_or_default(),
        markdown: None,
    };
    sarif::ReportingDescriptor {
        id: info.code,
        name: info.name,
        short_description: sarif::MultiformatMessage {
            text: info.summary.to_string(),
            markdown: None,
        },
        full_description: plain(text.map(|t| &t.why)),
        help: sarif::MultiformatMessage {
            markdown: Some(crate::lint::docs::page(rule.code)),
            ..plain(text.map(|t| &t.fix))
        },
        help_uri: format!("https://example.invalid/lxconf/docs/rules/{}.md", info.code),
        // The level without settings: legacy keys are errors by default in lint (LXC 3.0
        // and later refuse them) though warnings in the code table.
        default_configuration: sarif::ReportingConfiguration {
            level: sarif_level(
                crate::lint::settings::default_level(rule.code, Default::default())
                    .severity()
                    .unwrap_or(info.severity),
            ),
        },
        properties: sarif::RuleProperties {
            fixable: !matches!(rule.fixable, Fixable::No),
        },
    }
}

fn sarif_result(item: &Item<'_>, codes: &[Code]) -> sarif::ResultObject {
    let d = item.diagnostic;
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    let fixes = d.fix.iter().map(|f| sarif::Fix {
        description: sarif::Message {
            text: f.description.clone(),
        },
        artifact_changes: vec![sarif::ArtifactChange {
            artifact_location: sarif::ArtifactLocation {
                uri: sarif::uri(&item.sources.get(f.origin.source).name),
            },
            replacements: vec![sarif::Replacement {
                deleted_region: sarif_region(f.origin, item.sources),
                inserted_content: sarif::ArtifactContent {
                    text: f.replacement.clone(),
                },
            }],
        }],
    });
    sarif::ResultObject {
        rule_id: d.code.as_str(),
        level: sarif_level(d.severity),
        message: sarif::Message { text: message },
        rule_index: codes.iter().position(|c| *c == d.code),
        locations: d
            .primary
            .iter()
            .map(|p| sarif_location(p.origin, item.sources, None, None))
            .collect(),
        related_locations: d
            .secondary
            .iter()
            .enumerate()
            .map(|(n, l)| sarif_location(l.origin, item.sources, Some(n), l.message.as_deref()))
            .collect(),
        fixes: fixes.collect(),
    }
}

/// SARIF 2.1.0 output: one run, every registry rule in `tool.driver.rules`.
pub fn sarif(items: &[Item<'_>]) -> sarif::Log {
    let codes: Vec<Code> = registry::RULES.iter().map(|r| r.code).collect();
    sarif::Log {
        schema: sarif::SCHEMA_URI,
        version: "2.1.0",
        runs: vec![sarif::Run {
            tool: sarif::Tool {
                driver: sarif::ToolComponent {
                    name: "lxconf",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://example.invalid/lxconf",
                    rules: registry::RULES.iter().map(sarif_rule).collect(),
                },
            },
            results: items.iter().map(|i| sarif_result(i, &codes)).collect(),
            column_kind: sarif::ColumnKind::UnicodeCodePoints,
        }],
    }
}

/// Workflow-command data: `%`, CR and LF encoded as GitHub wants, every other control
/// character escaped (`\x1b`) so that a config cannot write to the log reader's terminal.
fn escape_data(s: &str) -> String {
    crate::snippet::escape(
        &s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub workflow commands (`::error file=...,line=...::message`).
pub fn github(items: &[Item<'_>]) -> String {
    let mut out = String::new();
    for i in items {
        let d = i.diagnostic;
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(p) = &d.primary {
            let file = i.sources.get(p.origin.source);
            let (l, c) = file.line_col(p.origin.start as usize);
            let (el, ec) = file.line_col((p.origin.end as usize).max(p.origin.start as usize));
            props.push(format!("file={}", escape_property(&file.name)));
            props.push(format!("line={l}"));
            props.push(format!("col={c}"));
            props.push(format!("endLine={el}"));
            if el == l {
                props.push(format!("endColumn={ec}"));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code, d.code.info().name))
        ));
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str(&format!("\nhelp: {h}"));
        }
        out.push_str(&format!(
            "::{kind} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}
