//! What human output may show of an input: control characters escaped (a config must not
//! retitle or clear the terminal that reads its diagnostics), and source snippets cut to a
//! few short lines around each label (a 16 MiB one-line XML file is not re-printed per
//! finding, and miette is never asked for a column past 65,535).

use lxconf_model::SourceFile;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::fmt::Write as _;
use std::ops::Range;

/// Bytes kept on each side of a label on a long line.
const SIDE: usize = 80;
/// Widest piece of one line that is shown.
const WIDTH: usize = 400;
/// Lines of a multi-line label that are shown.
const SPAN_LINES: usize = 6;

/// Push `c`, escaped when it is a control character (C0 but tab and newline, DEL, C1) or a
/// bidirectional override that can reorder what the reader sees.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\t' | '\n' => out.push(c),
        c if (c as u32) < 0x20 || c == '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Text for a terminal: every control character but tab and newline escaped (`\x1b`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text.chars().for_each(|c| push_escaped(&mut out, c));
    out
}

/// A few lines of one file, with their real line numbers.
#[derive(Debug)]
struct Chunk {
    /// Offset of `text` in the excerpt's offset space.
    start: usize,
    text: String,
    first_line: usize,
    /// Per line: characters of the file's line cut off on the left, minus the `…` shown.
    shifts: Vec<usize>,
}

/// The parts of a file that labels need, as miette source code. Offsets of the excerpt
/// are not the file's: [`excerpt`] maps the labels.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    chunks: Vec<Chunk>,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let chunk = self
            .chunks
            .iter()
            .rev()
            .find(|c| c.start <= span.offset())
            .filter(|c| span.offset() + span.len() <= c.start + c.text.len())
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((span.offset() - chunk.start).into(), span.len());
        let inner = chunk.text.as_str().read_span(&local, before, after)?;
        let shifted = SourceSpan::new(
            (inner.span().offset() + chunk.start).into(),
            inner.span().len(),
        );
        let shift = chunk.shifts.get(inner.line()).copied().unwrap_or(0);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            shifted,
            inner.line() + chunk.first_line,
            inner.column() + shift,
            inner.line_count(),
        )))
    }
}

/// Where a label's ends land in the excerpt: a start moves forward and an end backward
/// to the nearest shown character.
struct Ends {
    start: usize,
    end: usize,
    out_start: Option<usize>,
    out_end: usize,
}

/// The excerpt of `file` that shows `spans` (byte ranges of the file) with one line of
/// context, and each span's range in it.
pub fn excerpt(file: &SourceFile, spans: &[Range<usize>]) -> (Excerpt, Vec<Range<usize>>) {
    let text = &*file.text;
    let last = file.line_count() - 1;
    let lines_of = |r: &Range<usize>| {
        let l0 = file.line_of(r.start);
        let l1 = file
            .line_of(r.end.max(r.start + 1) - 1)
            .min(l0 + SPAN_LINES - 1);
        (l0.saturating_sub(1), (l1 + 1).min(last))
    };
    // Line ranges, merged when they touch, each with the spans it shows.
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| spans[i].start);
    let mut groups: Vec<((usize, usize), Vec<usize>)> = Vec::new();
    for i in order {
        let (a, b) = lines_of(&spans[i]);
        match groups.last_mut() {
            Some(((_, end), members)) if a <= *end + 1 => {
                *end = (*end).max(b);
                members.push(i);
            }
            _ => groups.push(((a, b), vec![i])),
        }
    }
    let mut ends: Vec<Ends> = spans
        .iter()
        .map(|r| Ends {
            start: r.start,
            end: r.end.max(r.start),
            out_start: None,
            out_end: 0,
        })
        .collect();
    let mut chunks = Vec::new();
    let mut offset = 0;
    for ((a, b), members) in groups {
        let mut out = String::new();
        let mut shifts = Vec::new();
        for line in a..=b {
            let range = file.line_range(line);
            let window = window(text, &range, members.iter().map(|&i| &spans[i]));
            if window.start > range.start {
                out.push('…');
                // miette counts the columns of the excerpt in bytes, `…` included.
                let cut = text[range.start..window.start].chars().count();
                shifts.push(cut.saturating_sub('…'.len_utf8()));
            } else {
                shifts.push(0);
            }
            for (i, c) in text[window.clone()].char_indices() {
                let q = window.start + i;
                for &m in &members {
                    let e = &mut ends[m];
                    if e.out_start.is_none() && e.start <= q {
                        e.out_start = Some(offset + out.len());
                    }
                }
                push_escaped(&mut out, c);
                for &m in &members {
                    if ends[m].end >= q + c.len_utf8() {
                        ends[m].out_end = offset + out.len();
                    }
                }
            }
            // A start at the end of the line (an empty value) or in the cut-off part.
            for &m in &members {
                let e = &mut ends[m];
                if e.out_start.is_none() && e.start <= range.end {
                    e.out_start = Some(offset + out.len());
                }
            }
            if window.end < range.end {
                out.push('…');
            }
            if line < b {
                out.push('\n');
            }
        }
        for &m in &members {
            let e = &mut ends[m];
            let start = e.out_start.unwrap_or(offset + out.len());
            e.out_start = Some(start);
            e.out_end = e.out_end.max(start);
        }
        let len = out.len();
        chunks.push(Chunk {
            start: offset,
            text: out,
            first_line: a,
            shifts,
        });
        // A gap, so that no span can cross from one chunk into the next.
        offset += len + 1;
    }
    let mapped = ends
        .iter()
        .map(|e| e.out_start.unwrap_or(0)..e.out_end)
        .collect();
    (
        Excerpt {
            name: escape(&file.name),
            chunks,
        },
        mapped,
    )
}

/// The part of one line to show: all of a short line; on a long one, the labels on it
/// with [`SIDE`] bytes around them, at most [`WIDTH`] bytes, on character boundaries.
fn window<'s>(
    text: &str,
    line: &Range<usize>,
    spans: impl Iterator<Item = &'s Range<usize>>,
) -> Range<usize> {
    if line.len() <= WIDTH {
        return line.clone();
    }
    let on_line: Vec<&Range<usize>> = spans
        .filter(|r| r.start <= line.end && r.end.max(r.start) >= line.start)
        .collect();
    let lo = on_line.iter().map(|r| r.start).min().unwrap_or(line.start);
    let hi = on_line.iter().map(|r| r.end).max().unwrap_or(lo).max(lo);
    let start = lo.saturating_sub(SIDE).max(line.start);
    let end = (hi + SIDE).min(line.end).min(start + WIDTH);
    floor(text, start)..floor(text, end.max(start))
}

fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use lxconf_model::SourceMap;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape("a\x1b]0;pwned\x07b\tc\u{202e}d"),
            "a\\x1b]0;pwned\\x07b\tc\\u{202e}d"
        );
    }

    #[test]
    fn a_label_on_a_huge_line_gets_a_window() {
        let text = format!("lxc.tty.max ={}abc\nnext\n", " ".repeat(70_000));
        let mut sources = SourceMap::new();
        let id = sources.add("c.conf", text.as_str());
        let start = text.find("abc").expect("abc");
        let abc = start..start + 3;
        let (ex, mapped) = excerpt(sources.get(id), std::slice::from_ref(&abc));
        let chunk = &ex.chunks[0];
        assert!(chunk.text.len() < 2 * SIDE + 20, "{}", chunk.text.len());
        assert_eq!(&chunk.text[mapped[0].clone()], "abc");
        assert!(chunk.text.starts_with('…'));
    }

    #[test]
    fn distant_labels_get_separate_chunks_with_their_line_numbers() {
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let mut sources = SourceMap::new();
        let id = sources.add("f", text.as_str());
        let at = |i: usize| {
            let s = text.find(&format!("line {i}\n")).expect("line");
            s..s + 4
        };
        let (ex, mapped) = excerpt(sources.get(id), &[at(90), at(3)]);
        assert_eq!(ex.chunks.len(), 2);
        assert_eq!(ex.chunks[0].first_line, 2);
        assert_eq!(ex.chunks[1].first_line, 89);
        let chunk1 = &ex.chunks[1];
        let local = mapped[0].start - chunk1.start..mapped[0].end - chunk1.start;
        assert_eq!(&chunk1.text[local], "line");
    }
}
