//! Output formats: human (miette reports), JSON, SARIF 2.1.0 and GitHub workflow
//! annotations.

use super::files::FileReport;
use super::{registry, Fixable};
use lxconf_model::{Code, Diagnostic, Severity, SourceMap};
use serde_json::{json, Value};
use std::collections::HashSet;

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

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The URI of a file for SARIF: relative paths stay relative (resolved against the
/// repository root by code scanning), `\` becomes `/`.
fn uri(name: &str) -> String {
    let name = name.strip_prefix("./").unwrap_or(name).replace('\\', "/");
    name.replace(' ', "%20")
}

fn sarif_location(d_origin: lxconf_model::Origin, sources: &SourceMap) -> Value {
    let file = sources.get(d_origin.source);
    let (sl, sc) = file.line_col(d_origin.start as usize);
    let (el, ec) = file.line_col((d_origin.end as usize).max(d_origin.start as usize));
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&file.name)},
            "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec.max(if el == sl { sc } else { 1 })}
        }
    })
}

/// SARIF 2.1.0 output: one run, every registry rule in `tool.driver.rules`.
pub fn sarif(items: &[Item<'_>]) -> Value {
    let codes: Vec<Code> = registry::RULES.iter().map(|r| r.code).collect();
    let rules: Vec<Value> = registry::RULES
        .iter()
        .map(|r| {
            let info = r.code.info();
            let text = crate::lint::explain::of(r.code);
            json!({
                "id": info.code,
                "name": info.name,
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": text.map_or("", |t| t.why.as_str())},
                "help": {"text": text.map_or("", |t| t.fix.as_str()), "markdown": crate::lint::docs::page(r.code)},
                "helpUri": format!("https://example.invalid/lxconf/docs/rules/{}.md", info.code),
                "defaultConfiguration": {"level": sarif_level(info.severity)},
                "properties": {"fixable": !matches!(r.fixable, Fixable::No)}
            })
        })
        .collect();
    let results: Vec<Value> = items
        .iter()
        .map(|i| {
            let d = i.diagnostic;
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str(&format!("\nhelp: {h}"));
            }
            let mut r = json!({
                "ruleId": d.code.as_str(),
                "level": sarif_level(d.severity),
                "message": {"text": message},
            });
            if let Some(index) = codes.iter().position(|c| *c == d.code) {
                r["ruleIndex"] = json!(index);
            }
            if let Some(p) = &d.primary {
                r["locations"] = json!([sarif_location(p.origin, i.sources)]);
            }
            if !d.secondary.is_empty() {
                r["relatedLocations"] = Value::Array(
                    d.secondary
                        .iter()
                        .enumerate()
                        .map(|(n, l)| {
                            let mut loc = sarif_location(l.origin, i.sources);
                            loc["id"] = json!(n);
                            if let Some(m) = &l.message {
                                loc["message"] = json!({"text": m});
                            }
                            loc
                        })
                        .collect(),
                );
            }
            if let Some(f) = &d.fix {
                let file = i.sources.get(f.origin.source);
                let (sl, sc) = file.line_col(f.origin.start as usize);
                let (el, ec) = file.line_col(f.origin.end as usize);
                r["fixes"] = json!([{
                    "description": {"text": f.description},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": uri(&file.name)},
                        "replacements": [{
                            "deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                            "insertedContent": {"text": f.replacement}
                        }]
                    }]
                }]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lxconf",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/lxconf",
                "rules": rules
            }},
            "results": results,
            "columnKind": "unicodeCodePoints"
        }]
    })
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
