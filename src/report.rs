//! Rendering diagnostics as miette reports (source snippet, labels, hint, location).

use crate::snippet::{escape, excerpt, Excerpt};
use lxconf_model::{Diagnostic, Severity, SourceMap};
use miette::{LabeledSpan, SourceSpan};
use std::fmt;

/// One diagnostic ready for miette.
#[derive(Debug)]
pub struct Rendered {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

/// Prepare a diagnostic for miette. The snippet shows the primary span's file, cut to the
/// lines around its labels (see [`crate::snippet`]); related spans in other files are named
/// in the message. A file that is not a container config (an included `/etc/shadow`) is
/// located but never shown. Every text is escaped for the terminal.
pub fn render(d: &Diagnostic, sources: &SourceMap) -> Rendered {
    let mut message = d.message.clone();
    let mut labels = Vec::new();
    let mut source = None;
    if let Some(primary) = &d.primary {
        let file = sources.get(primary.origin.source);
        let loc = sources.locate(primary.origin);
        let mut spans = vec![(
            primary.origin,
            primary
                .message
                .clone()
                .unwrap_or_else(|| d.code.info().name.to_string()),
        )];
        for s in &d.secondary {
            if s.origin.source == primary.origin.source && !file.is_private() {
                spans.push((s.origin, s.message.clone().unwrap_or_default()));
            } else {
                let at = sources.locate(s.origin);
                message.push_str(&format!(
                    "\n  related: {at}{}",
                    s.message
                        .as_ref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ));
            }
        }
        if !file.is_private() {
            let len = file.text.len();
            let ranges: Vec<_> = spans
                .iter()
                .map(|(o, _)| (o.start as usize).min(len)..(o.end as usize).min(len))
                .collect();
            let (ex, mapped) = excerpt(file, &ranges);
            for (i, ((_, text), r)) in spans.into_iter().zip(mapped).enumerate() {
                let span = SourceSpan::new(r.start.into(), r.len());
                let text = (!text.is_empty()).then(|| escape(&text));
                labels.push(if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                });
            }
            source = Some(ex);
        }
        message = format!("{loc}: {message}");
    }
    Rendered {
        message: escape(&message),
        code: d.code.as_str().to_string(),
        severity: d.severity,
        help: d.help.as_deref().map(escape),
        source,
        labels,
    }
}

/// Print diagnostics to stderr with miette's graphical handler.
pub fn print(diags: &[Diagnostic], sources: &SourceMap) {
    use std::fmt::Write as _;
    use std::io::Write as _;
    // Rendered into one string and written at once: stderr is unbuffered, and miette
    // writes a report in many small pieces (one syscall each).
    // One handler for all reports: building one probes the terminal (colour, unicode,
    // width) with a dozen syscalls, which `Report`'s Debug would repeat per report.
    struct Shown<'a>(&'a miette::MietteHandler, &'a Rendered);
    impl std::fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            miette::ReportHandler::debug(self.0, self.1, f)
        }
    }
    if diags.is_empty() {
        return;
    }
    let handler = miette::MietteHandlerOpts::new().build();
    let mut text = String::new();
    for d in diags {
        let rendered = render(d, sources);
        let _ = writeln!(text, "{}", Shown(&handler, &rendered));
    }
    if !text.is_empty() {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Render diagnostics to plain text (unicode, no colour), as printed for a terminal
/// without colour support. Used for snapshots.
pub fn render_plain(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut out = String::new();
    for d in diags {
        let rendered = render(d, sources);
        let _ = handler.render_report(&mut out, &rendered);
        out.push('\n');
    }
    out
}
