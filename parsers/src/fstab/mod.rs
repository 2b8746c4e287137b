//! fstab files and `lxc.mount.entry` values (glibc `getmntent` rules).
//!
//! Fields are separated by blanks or tabs: `source target fstype options [dump [pass]]`.
//! In the source and target only, the octal escapes `\040` (space), `\011` (tab), `\012`
//! (newline) and `\134` (backslash) are decoded. Lines whose first non-blank is `#`, and
//! blank lines, are skipped.

pub mod options;

use lxconf_model::{Code, Diagnostic, Origin, SourceId};
use nom::bytes::complete::{take_till, take_while};
use nom::IResult;
use std::ops::Range;

/// One field with its byte range in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Decoded text.
    pub text: String,
    /// Range of the raw field in the source.
    pub range: Range<usize>,
}

/// One fstab entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FstabEntry {
    /// Device or filesystem name.
    pub source: Field,
    /// Mount point.
    pub target: Field,
    /// Filesystem type.
    pub fstype: Field,
    /// Comma-separated options.
    pub options: Field,
    /// Dump frequency (0 when missing).
    pub dump: u32,
    /// fsck pass (0 when missing).
    pub pass: u32,
    /// Range of the whole line.
    pub line: Range<usize>,
    /// A seventh field and beyond (glibc ignores them).
    pub extra: Option<Range<usize>>,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn blanks(input: &str) -> IResult<&str, &str> {
    take_while(is_blank)(input)
}

fn field(input: &str) -> IResult<&str, &str> {
    take_till(is_blank)(input)
}

/// Decode getmntent's octal escapes (only these four; anything else stays as written).
pub fn decode_escapes(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let decoded = match tail.get(..4) {
            Some("\\040") => Some(' '),
            Some("\\011") => Some('\t'),
            Some("\\012") => Some('\n'),
            Some("\\134") => Some('\\'),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[4..];
            }
            None => {
                out.push('\\');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Why a line is not a valid entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Fewer than four fields; `range` is where the next field was expected.
    TooFewFields {
        /// How many were found.
        found: usize,
        /// Where.
        range: Range<usize>,
    },
    /// dump or pass is not a number.
    BadNumber {
        /// The field.
        range: Range<usize>,
    },
}

impl FstabEntry {
    /// The mount this entry describes, and an F004 error at each option the model cannot
    /// take (located in `source`, where the entry's ranges point).
    pub fn into_mount(self, source: SourceId) -> (lxconf_model::model::Mount, Vec<Diagnostic>) {
        let (mount, errors) = options::mount_from_fields(
            self.source.text,
            self.target.text,
            self.fstype.text,
            &self.options.text,
            self.dump,
            self.pass,
        );
        let start = self.options.range.start;
        let diagnostics = errors
            .into_iter()
            .map(|e| {
                Diagnostic::new(Code::F004, e.message)
                    .at(Origin::new(
                        source,
                        start + e.range.start..start + e.range.end,
                    ))
                    .help(e.help)
            })
            .collect();
        (mount, diagnostics)
    }
}

/// Parse one line (without its newline). `base` is the offset of the line in the file.
/// Returns `Ok(None)` for blank and comment lines.
pub fn parse_line(line: &str, base: usize) -> Result<Option<FstabEntry>, LineError> {
    let offset = |s: &str| base + (s.as_ptr() as usize - line.as_ptr() as usize);
    let (rest, _) = blanks(line).unwrap_or((line, ""));
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(None);
    }
    // Seven slots: six fields plus the first extra one, which is only reported.
    let mut slots: [(&str, usize); 7] = [("", 0); 7];
    let mut count = 0usize;
    let mut input = rest;
    while !input.is_empty() && count < 7 {
        let (after, f) = field(input).unwrap_or(("", input));
        slots[count] = (f, offset(f));
        count += 1;
        let (after, _) = blanks(after).unwrap_or((after, ""));
        input = after;
    }
    let fields = &slots[..count];
    if fields.len() < 4 {
        let end = base + line.trim_end_matches(is_blank).len();
        return Err(LineError::TooFewFields {
            found: fields.len(),
            range: end..end,
        });
    }
    let mk = |i: usize, decode: bool| {
        let (t, at) = fields[i];
        Field {
            text: if decode {
                decode_escapes(t)
            } else {
                t.to_string()
            },
            range: at..at + t.len(),
        }
    };
    let number = |i: usize| -> Result<u32, LineError> {
        match fields.get(i) {
            None => Ok(0),
            Some((t, at)) => t.parse().map_err(|_| LineError::BadNumber {
                range: *at..*at + t.len(),
            }),
        }
    };
    let entry = FstabEntry {
        source: mk(0, true),
        target: mk(1, true),
        fstype: mk(2, false),
        options: mk(3, false),
        dump: number(4)?,
        pass: number(5)?,
        line: base..base + line.len(),
        extra: fields.get(6).map(|(t, at)| *at..at + t.len()),
    };
    Ok(Some(entry))
}

/// Parse a whole fstab file, reporting every bad line.
pub fn parse_file(text: &str, source: SourceId) -> (Vec<FstabEntry>, Vec<Diagnostic>) {
    let mut entries = Vec::new();
    let mut diags = Vec::new();
    let mut base = 0usize;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.len() > crate::limits::MAX_LINE_BYTES {
            diags.push(crate::limits::line_too_long(source, base));
            base += raw.len();
            continue;
        }
        match parse_line(line, base) {
            Ok(Some(entry)) => {
                if let Some(extra) = entry.extra.clone() {
                    diags.push(
                        Diagnostic::new(Code::F003, "more than six fields; the rest is ignored")
                            .at(Origin::new(source, extra))
                            .help("an fstab line is `source target fstype options dump pass`; escape spaces in paths as \\040"),
                    );
                }
                entries.push(entry);
            }
            Ok(None) => {}
            Err(e) => diags.push(line_error(e, source)),
        }
        base += raw.len();
    }
    (entries, diags)
}

/// Turn a line error into a diagnostic.
pub fn line_error(e: LineError, source: SourceId) -> Diagnostic {
    match e {
        LineError::TooFewFields { found, range } => Diagnostic::new(
            Code::F001,
            format!("mount entry has {found} field(s), expected at least 4"),
        )
        .at_labelled(Origin::new(source, range), "more fields expected here")
        .help("write `source target fstype options [dump pass]`, e.g. `/srv/data srv/data none bind,create=dir 0 0`"),
        LineError::BadNumber { range } => Diagnostic::new(
            Code::F002,
            "dump and pass must be numbers",
        )
        .at(Origin::new(source, range))
        .help("the fifth and sixth fields are numbers (usually `0 0`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_fields_with_escapes() {
        let e = parse_line("/srv/my\\040dir\tmnt/x  none bind,ro 0 2", 10)
            .unwrap()
            .unwrap();
        assert_eq!(e.source.text, "/srv/my dir");
        assert_eq!(e.source.range, 10..24);
        assert_eq!(e.target.text, "mnt/x");
        assert_eq!(e.options.text, "bind,ro");
        assert_eq!((e.dump, e.pass), (0, 2));
        assert_eq!(e.extra, None);
    }

    #[test]
    fn dump_and_pass_default_to_zero() {
        let e = parse_line("proc proc proc defaults", 0).unwrap().unwrap();
        assert_eq!((e.dump, e.pass), (0, 0));
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        assert_eq!(parse_line("   # x y z w", 0), Ok(None));
        assert_eq!(parse_line("\t ", 0), Ok(None));
    }

    #[test]
    fn too_few_fields_point_after_the_last_field() {
        assert_eq!(
            parse_line("a b c ", 0),
            Err(LineError::TooFewFields {
                found: 3,
                range: 5..5
            })
        );
    }

    #[test]
    fn escapes_round_trip() {
        // The writer's side is `lxconf_convert::writable::fstab_path`.
        assert_eq!(decode_escapes("/a\\040b\\011c\\134d"), "/a b\tc\\d");
        assert_eq!(decode_escapes("\\041x"), "\\041x");
    }

    #[test]
    fn a_file_reports_every_bad_line() {
        let (entries, diags) = parse_file("a b c d\nbad\n# c\nx y z w 1 q\n", SourceId(0));
        assert_eq!(entries.len(), 1);
        assert_eq!(diags.len(), 2);
    }
}
