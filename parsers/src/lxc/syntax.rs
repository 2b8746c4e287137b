//! The line grammar of `lxc.container.conf(5)`, as liblxc's `parse_line` reads it.
//!
//! - The text is split on `\r`, `\n` and NUL; a NUL ends the file.
//! - Leading blanks are skipped; a line whose first non-blank is `#` is a comment (there are
//!   no inline comments: `a = b # c` has the value `b # c`).
//! - A line that does not start with `lxc.` is ignored by liblxc.
//! - The key is everything before the first `=`, minus trailing blanks; the value is the
//!   rest, minus leading and trailing blanks. One pair of matching quotes around the whole
//!   value is removed.

use nom::bytes::complete::{tag, take_till, take_while};
use nom::character::complete::char;
use nom::IResult;
use std::ops::Range;

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or only blanks.
    Blank,
    /// `# ...`
    Comment,
    /// `lxc.key = value`
    Entry(Entry),
    /// A line that does not start with `lxc.` (liblxc ignores it).
    Foreign,
    /// An `lxc.` line without `=`.
    MissingEquals,
}

/// A key = value line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: Range<usize>,
    /// The value after trimming, quotes included.
    pub raw_value: Range<usize>,
    /// The value with one pair of surrounding quotes removed.
    pub value: Range<usize>,
    /// The `=`.
    pub equals: usize,
}

/// One line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The whole line, without its terminator.
    pub range: Range<usize>,
    /// Offset of the first non-blank character.
    pub content_start: usize,
    /// What it is.
    pub kind: LineKind,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn blanks(input: &str) -> IResult<&str, &str> {
    take_while(is_blank)(input)
}

/// `lxc.` key `=` value, on a line whose leading blanks are already skipped.
fn entry(input: &str) -> IResult<&str, (&str, &str)> {
    let (rest, _) = nom::combinator::peek(tag("lxc."))(input)?;
    let (rest, key) = take_till(|c| c == '=')(rest)?;
    let (rest, _) = char('=')(rest)?;
    Ok(("", (key, rest)))
}

/// Classify one line (no terminator). `base` is its offset in the file.
pub fn parse_line(line: &str, base: usize) -> Line {
    let at = |s: &str| base + (s.as_ptr() as usize - line.as_ptr() as usize);
    let (content, _) = blanks(line).unwrap_or((line, ""));
    let content_start = at(content);
    let range = base..base + line.len();
    let kind = if content.is_empty() || content.chars().all(char::is_whitespace) {
        LineKind::Blank
    } else if content.starts_with('#') {
        LineKind::Comment
    } else if !content.starts_with("lxc.") {
        LineKind::Foreign
    } else {
        match entry(content) {
            Ok((_, (key, after))) => {
                let key = key.trim_end_matches(is_blank);
                let value = after
                    .trim_start_matches(is_blank)
                    .trim_end_matches(is_blank);
                let value_start = at(value);
                let raw_value = value_start..value_start + value.len();
                let bytes = value.as_bytes();
                let unquoted = if bytes.len() > 1
                    && (bytes[0] == b'"' || bytes[0] == b'\'')
                    && bytes[bytes.len() - 1] == bytes[0]
                {
                    raw_value.start + 1..raw_value.end - 1
                } else {
                    raw_value.clone()
                };
                LineKind::Entry(Entry {
                    key: content_start..content_start + key.len(),
                    raw_value,
                    value: unquoted,
                    equals: at(after) - 1,
                })
            }
            Err(_) => LineKind::MissingEquals,
        }
    };
    Line {
        range,
        content_start,
        kind,
    }
}

/// Split a file into lines and classify each. Offsets are bytes into `text`.
pub fn parse(text: &str) -> Vec<Line> {
    lines(text).collect()
}

/// The lines of a file, classified one at a time (no intermediate vector).
pub fn lines(text: &str) -> Lines<'_> {
    // A NUL ends the file, as in liblxc (it reads the file as a C string).
    let text = match memchr::memchr(0, text.as_bytes()) {
        Some(i) => &text[..i],
        None => text,
    };
    Lines {
        rest: text,
        base: 0,
    }
}

/// Iterator over classified lines; see [`lines`].
pub struct Lines<'t> {
    rest: &'t str,
    base: usize,
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        while !self.rest.is_empty() {
            // memchr finds the terminator with SIMD; the line grammar itself is nom's.
            let end =
                memchr::memchr2(b'\n', b'\r', self.rest.as_bytes()).unwrap_or(self.rest.len());
            let (line, after) = self.rest.split_at(end);
            let base = self.base;
            // Skip exactly one terminator; runs of terminators give empty lines, which
            // liblxc never sees and which we skip as well.
            let consumed = line.len() + usize::from(!after.is_empty());
            self.base += consumed;
            self.rest = &self.rest[consumed..];
            if !line.is_empty() {
                return Some(parse_line(line, base));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_of(text: &str) -> (String, String, String) {
        let lines = parse(text);
        match &lines[0].kind {
            LineKind::Entry(e) => (
                text[e.key.clone()].to_string(),
                text[e.raw_value.clone()].to_string(),
                text[e.value.clone()].to_string(),
            ),
            other => panic!("not an entry: {other:?}"),
        }
    }

    #[test]
    fn key_and_value_are_trimmed() {
        let (k, _, v) = entry_of("  lxc.uts.name \t=\t web01  \n");
        assert_eq!((k.as_str(), v.as_str()), ("lxc.uts.name", "web01"));
    }

    #[test]
    fn no_inline_comments() {
        let (_, _, v) = entry_of("lxc.uts.name = a # c");
        assert_eq!(v, "a # c");
    }

    #[test]
    fn one_pair_of_matching_quotes_is_removed() {
        assert_eq!(entry_of("lxc.environment = \"A=b c\"").2, "A=b c");
        assert_eq!(entry_of("lxc.environment = 'x'").2, "x");
        assert_eq!(entry_of("lxc.environment = \"x'").2, "\"x'");
        assert_eq!(entry_of("lxc.environment = \"").2, "\"");
        assert_eq!(entry_of("lxc.environment = \"\"x\"\"").2, "\"x\"");
    }

    #[test]
    fn value_may_contain_equals() {
        assert_eq!(entry_of("lxc.environment=A=b=c").2, "A=b=c");
    }

    #[test]
    fn classifies_every_kind_of_line() {
        let text = "# c\n\n   \nfoo = bar\nLXC.uts.name = x\nlxc.uts.name\r\nlxc.a = b";
        let kinds: Vec<_> = parse(text).into_iter().map(|l| l.kind).collect();
        assert!(matches!(kinds[0], LineKind::Comment));
        assert!(matches!(kinds[1], LineKind::Blank));
        assert!(matches!(kinds[2], LineKind::Foreign));
        assert!(matches!(kinds[3], LineKind::Foreign));
        assert!(matches!(kinds[4], LineKind::MissingEquals));
        assert!(matches!(kinds[5], LineKind::Entry(_)));
        assert_eq!(kinds.len(), 6);
    }

    #[test]
    fn nul_ends_the_file() {
        assert_eq!(parse("lxc.a = b\0lxc.c = d").len(), 1);
    }

    #[test]
    fn empty_value() {
        assert_eq!(entry_of("lxc.cap.drop =").2, "");
        assert_eq!(entry_of("lxc.cap.drop =   ").2, "");
    }
}
