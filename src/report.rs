//! Rendering diagnostics as miette reports (source snippet, labels, hint, location), in
//! the style the command line asked for (`--quiet`, `--color`) and at the width of the
//! terminal they are written to.

use crate::snippet::{escape, excerpt, Excerpt};
use lxconf_model::{Diagnostic, Severity, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use std::fmt;
use std::io::IsTerminal;
use std::sync::OnceLock;

/// When diagnostics are coloured (`--color`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When the stream is a terminal and neither `NO_COLOR` nor `TERM=dumb` says otherwise.
    #[default]
    Auto,
    /// Always, even into a pipe or file.
    Always,
    /// Never.
    Never,
}

/// How every command shows what it has to say, set once from the global flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// `--quiet`: errors only; no warnings, notes, summaries or progress.
    pub quiet: bool,
    /// `--color`.
    pub color: ColorChoice,
}

static STYLE: OnceLock<Style> = OnceLock::new();

/// Set the style for the rest of the process (the first call wins).
pub fn set_style(style: Style) {
    let _ = STYLE.set(style);
}

/// The style the command line asked for (the default before [`set_style`]).
pub fn style() -> Style {
    STYLE.get().copied().unwrap_or_default()
}

/// `--quiet` was given: say nothing but errors.
pub fn quiet() -> bool {
    style().quiet
}

/// Print an informational line (a summary, what was written) to stderr, unless `--quiet`.
pub fn info(message: fmt::Arguments<'_>) {
    if !quiet() {
        eprintln!("{message}");
    }
}

/// Where a report is written: its colour and width follow that stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output (`lint`, whose findings are its output).
    Stdout,
    /// Standard error (every other command).
    Stderr,
}

impl Stream {
    fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }

    /// The stream's width when it is a terminal.
    fn terminal_width(self) -> Option<usize> {
        let size = match self {
            Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
            Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
        };
        size.map(|(w, _)| usize::from(w.0)).filter(|w| *w > 0)
    }

    fn supports_color(self) -> bool {
        let stream = match self {
            Stream::Stdout => supports_color::Stream::Stdout,
            Stream::Stderr => supports_color::Stream::Stderr,
        };
        // Honours NO_COLOR, FORCE_COLOR, CLICOLOR and TERM=dumb, and asks whether the
        // stream is a terminal.
        supports_color::on_cached(stream).is_some()
    }
}

/// Whether reports to `stream` are coloured under `choice`.
pub fn colored(choice: ColorChoice, stream: Stream) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stream.supports_color(),
    }
}

/// The width reports are written at: a terminal's; without a terminal, lines are not wrapped
/// (a log or a pipe keeps each message and path on one line).
const UNWRAPPED_WIDTH: usize = 100;

/// What a stream looks like to reports: asked of the terminal once per process (a batch
/// prints reports for every file).
#[derive(Debug, Clone, Copy)]
struct Look {
    colored: bool,
    /// The terminal's width; none when the stream is not a terminal.
    width: Option<usize>,
}

impl Look {
    fn of(stream: Stream) -> Look {
        static STDOUT: OnceLock<Look> = OnceLock::new();
        static STDERR: OnceLock<Look> = OnceLock::new();
        let cell = match stream {
            Stream::Stdout => &STDOUT,
            Stream::Stderr => &STDERR,
        };
        *cell.get_or_init(|| Look {
            colored: colored(style().color, stream),
            width: stream
                .is_terminal()
                .then(|| stream.terminal_width())
                .flatten(),
        })
    }
}

/// A report handler for `stream` in the command line's style.
pub fn handler(stream: Stream) -> GraphicalReportHandler {
    let Look { colored, width } = Look::of(stream);
    let theme = if colored {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(width.unwrap_or(UNWRAPPED_WIDTH))
        .with_wrap_lines(width.is_some())
        .with_break_words(false)
}

/// One diagnostic ready for miette.
#[derive(Debug)]
pub struct Rendered {
    message: String,
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
    // The code is part of the message (`file:1:1: L001 ...`, as linters print it), not
    // miette's header line of its own.
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        None
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
        message = format!("{loc}: {} {message}", d.code.as_str());
    } else {
        message = format!("{} {message}", d.code.as_str());
    }
    Rendered {
        message: escape(&message),
        severity: d.severity,
        help: d.help.as_deref().map(escape),
        source,
        labels,
    }
}

/// Print diagnostics to stderr in the command line's style: only errors with `--quiet`.
pub fn print(diags: &[Diagnostic], sources: &SourceMap) {
    use std::io::Write as _;
    let quiet = quiet();
    let shown: Vec<&Diagnostic> = diags.iter().filter(|d| !quiet || d.is_error()).collect();
    if shown.is_empty() {
        return;
    }
    let text = render_all(&handler(Stream::Stderr), shown, sources);
    // Written at once: stderr is unbuffered, and miette writes a report in many small
    // pieces (one syscall each).
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Render diagnostics with `handler`, one report after the other.
pub fn render_all<'a>(
    handler: &GraphicalReportHandler,
    diags: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = handler.render_report(&mut out, &render(d, sources));
        out.push('\n');
    }
    out
}

/// Render diagnostics to plain text (unicode, no colour, lines not wrapped), as printed
/// into a pipe or a log. Used for snapshots.
pub fn render_plain(diags: &[Diagnostic], sources: &SourceMap) -> String {
    render_all(&plain_handler(), diags, sources)
}

/// The handler of a stream that is not a terminal, without colour: what logs and snapshots
/// see.
pub fn plain_handler() -> GraphicalReportHandler {
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(UNWRAPPED_WIDTH)
        .with_wrap_lines(false)
}
