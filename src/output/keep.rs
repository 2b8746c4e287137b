//! Keeping the bytes of an edited file: the editors (`upgrade`, `lint --fix`,
//! `convert --inline-fstab`) work on text, which is the file decoded with invalid UTF-8
//! replaced by U+FFFD. Writing that text back would turn every invalid byte of the file, in
//! comments nobody edited, into U+FFFD. [`keep_bytes`] puts the edit back onto the original
//! bytes instead: lines the edit did not change are copied from the original, and inside a
//! changed line every character the edit kept is copied too, so only the edited bytes change.

use similar::{Algorithm, DiffTag};
use std::ops::Range;
use std::time::{Duration, Instant};

/// How long the diffs may take before settling for a less minimal one (still correct: the
/// output is the edited text, only more of it may lose its invalid bytes).
const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// The bytes to write for `after`, an edit of `before`, which is `original` decoded lossily.
/// Every byte of `original` outside what the edit changed is kept as it was.
pub fn keep_bytes(original: &[u8], before: &str, after: &str) -> Vec<u8> {
    if before == after {
        return original.to_vec();
    }
    // Valid UTF-8 (nothing was replaced), or not the text of these bytes: the edit as it is.
    if original == before.as_bytes() || String::from_utf8_lossy(original) != before {
        return after.as_bytes().to_vec();
    }
    let old_lines = lines(original);
    let new_lines: Vec<&str> = after.split_inclusive('\n').collect();
    let old_keys: Vec<&str> = old_lines.iter().map(|l| &before[l.text.clone()]).collect();
    let deadline = Some(Instant::now() + DIFF_DEADLINE);
    let ops =
        similar::capture_diff_slices_deadline(Algorithm::Myers, &old_keys, &new_lines, deadline);
    let old = Old {
        bytes: original,
        text: before,
        lines: &old_lines,
    };
    let mut out = Vec::with_capacity(original.len() + after.len() / 8);
    // A change is a run of deletions and insertions between two equal runs.
    let (mut old_from, mut new_from) = (0, 0);
    for op in ops {
        let (tag, o, n) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            continue;
        }
        let new = &new_lines[new_from..n.start];
        old.change(old_from..o.start, new, deadline, &mut out);
        out.extend_from_slice(&original[old.bytes_of(o.clone())]);
        (old_from, new_from) = (o.end, n.end);
    }
    let new = &new_lines[new_from..];
    old.change(old_from..old_lines.len(), new, deadline, &mut out);
    out
}

/// A line of the original: its bytes and its decoded text (each with its `\n`).
struct Line {
    bytes: Range<usize>,
    text: Range<usize>,
}

/// The lines of `original` and where each one's text is in its lossy decoding (a line
/// decodes on its own as it does in the whole: `\n` ends any invalid sequence).
fn lines(original: &[u8]) -> Vec<Line> {
    let (mut byte, mut text) = (0, 0);
    let mut out = Vec::new();
    for line in original.split_inclusive(|b| *b == b'\n') {
        let len: usize = line
            .utf8_chunks()
            .map(|c| c.valid().len() + if c.invalid().is_empty() { 0 } else { 3 })
            .sum();
        out.push(Line {
            bytes: byte..byte + line.len(),
            text: text..text + len,
        });
        (byte, text) = (byte + line.len(), text + len);
    }
    out
}

/// The original file: bytes, lossily decoded text, lines.
struct Old<'a> {
    bytes: &'a [u8],
    text: &'a str,
    lines: &'a [Line],
}

impl Old<'_> {
    /// The bytes of a run of lines.
    fn bytes_of(&self, run: Range<usize>) -> Range<usize> {
        match (self.lines.get(run.start), run.end.checked_sub(1)) {
            (Some(a), Some(z)) if run.start < run.end => a.bytes.start..self.lines[z].bytes.end,
            _ => 0..0,
        }
    }

    /// The text of a run of lines.
    fn text_of(&self, run: Range<usize>) -> Range<usize> {
        match (self.lines.get(run.start), run.end.checked_sub(1)) {
            (Some(a), Some(z)) if run.start < run.end => a.text.start..self.lines[z].text.end,
            _ => 0..0,
        }
    }

    /// Write a change: `new` lines replaced the lines `run`. As many lines as before are
    /// edits of their own line each (a renamed key, a fixed value): merged line by line;
    /// else as one block.
    fn change(
        &self,
        run: Range<usize>,
        new: &[&str],
        deadline: Option<Instant>,
        out: &mut Vec<u8>,
    ) {
        if run.len() == new.len() {
            for (i, n) in run.zip(new) {
                self.merge(i..i + 1, n, deadline, out);
            }
        } else {
            self.merge(run, &new.concat(), deadline, out);
        }
    }

    /// Write `new`, which replaced the lines `run`, copying the original bytes of every
    /// character the replacement kept.
    fn merge(&self, run: Range<usize>, new: &str, deadline: Option<Instant>, out: &mut Vec<u8>) {
        let bytes = &self.bytes[self.bytes_of(run.clone())];
        let text = &self.text[self.text_of(run)];
        if bytes == text.as_bytes() {
            // Nothing was replaced in these lines: the new text is all there is to write.
            out.extend_from_slice(new.as_bytes());
            return;
        }
        merge_chars(&units(bytes, text), new, deadline, out);
    }
}

/// One character of the decoded text and the original bytes it stands for (itself, or the
/// invalid sequence a U+FFFD replaced).
struct Unit<'a> {
    text: &'a str,
    bytes: &'a [u8],
}

/// The units of `original`; `before` is its lossy decoding, whose characters they borrow.
fn units<'a>(original: &'a [u8], before: &'a str) -> Vec<Unit<'a>> {
    let mut out = Vec::with_capacity(before.len());
    let mut at = 0;
    for chunk in original.utf8_chunks() {
        for (i, c) in chunk.valid().char_indices() {
            let len = c.len_utf8();
            out.push(Unit {
                text: &before[at..at + len],
                bytes: &chunk.valid().as_bytes()[i..i + len],
            });
            at += len;
        }
        if !chunk.invalid().is_empty() {
            let len = char::REPLACEMENT_CHARACTER.len_utf8();
            out.push(Unit {
                text: &before[at..at + len],
                bytes: chunk.invalid(),
            });
            at += len;
        }
    }
    out
}

/// Write `new`, which replaced the units `old`, copying the original bytes of every
/// character the replacement kept.
fn merge_chars(old: &[Unit<'_>], new: &str, deadline: Option<Instant>, out: &mut Vec<u8>) {
    let old_chars: Vec<&str> = old.iter().map(|u| u.text).collect();
    let new_chars: Vec<&str> = new
        .char_indices()
        .map(|(i, c)| &new[i..i + c.len_utf8()])
        .collect();
    let ops =
        similar::capture_diff_slices_deadline(Algorithm::Myers, &old_chars, &new_chars, deadline);
    for op in ops {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => old[o].iter().for_each(|u| out.extend_from_slice(u.bytes)),
            DiffTag::Delete => {}
            DiffTag::Insert | DiffTag::Replace => {
                new_chars[n]
                    .iter()
                    .for_each(|c| out.extend_from_slice(c.as_bytes()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(original: &[u8], f: impl Fn(&str) -> String) -> Vec<u8> {
        let before = String::from_utf8_lossy(original).into_owned();
        keep_bytes(original, &before, &f(&before))
    }

    #[test]
    fn untouched_lines_keep_invalid_bytes() {
        let original = b"# caf\xe9 \xff\xfe\nlxc.utsname = a\n# \xc3\n";
        let out = edit(original, |t| t.replace("lxc.utsname", "lxc.uts.name"));
        assert_eq!(out, b"# caf\xe9 \xff\xfe\nlxc.uts.name = a\n# \xc3\n");
    }

    #[test]
    fn an_edited_line_keeps_the_invalid_bytes_the_edit_did_not_touch() {
        let original = b"lxc.utsname = a # \xe9t\xe9\r\nlxc.tty = 1";
        let out = edit(original, |t| t.replace("lxc.utsname", "lxc.uts.name"));
        assert_eq!(out, b"lxc.uts.name = a # \xe9t\xe9\r\nlxc.tty = 1");
    }

    #[test]
    fn removed_and_inserted_lines() {
        let original = b"a\xff\nlxc.aa_allow_incomplete = 1\nb\xfe\nc\xfd";
        let out = edit(original, |t| {
            t.replace("lxc.aa_allow_incomplete = 1\n", "")
                .replace("b", "b\nnew")
                + "\n"
        });
        assert_eq!(out, b"a\xff\nb\nnew\xfe\nc\xfd\n");
    }

    #[test]
    fn valid_text_is_written_as_edited() {
        assert_eq!(edit(b"x\n", |_| "y\n".into()), b"y\n");
        assert_eq!(keep_bytes(b"\xff", "not its text", "z"), b"z");
    }
}
