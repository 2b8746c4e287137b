//! The YAML of `lxc config show`, written the way Go's yaml.v2 (v2.4.0, the version LXD
//! 5.0.2's client uses) writes it, so that the file compares byte for byte with what
//! `lxc config show` prints after `lxc init`.
//!
//! yaml.v2 is a port of libyaml's emitter: each string is first given a style by the
//! encoder (plain when it would read back as a string, a literal block when it has a line
//! break, double-quoted otherwise), then the emitter checks the characters and falls back
//! to single and double quotes when the style cannot carry them. Both steps are redone
//! here; every value, however hostile, reads back as exactly the string it was
//! (tests/it/lxd_write.rs parses the output back).

use std::cmp::Ordering;

/// The emitter's `best_width`: plain and quoted scalars are folded at a space past it.
const BEST_WIDTH: usize = 80;
/// libyaml's longest simple key (`yaml_emitter_check_simple_key`); a longer key would be
/// written in the `? key` form, which lxconf does not write.
pub const MAX_KEY_LEN: usize = 128;

/// A key yaml.v2 would not write as a simple key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Longer than libyaml's simple-key limit.
    #[error("it is longer than {MAX_KEY_LEN} bytes")]
    TooLong,
    /// A line break in a key.
    #[error("it contains a line break")]
    LineBreak,
}

/// libyaml's `is_printable` as yaml.v2 has it: characters outside the BMP are escaped too.
fn is_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{FEFF}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blankz(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c) || c == '\0',
    }
}

/// What libyaml's `yaml_emitter_analyze_scalar` finds in a string.
#[derive(Debug, Default, Clone, Copy)]
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let (mut line_breaks, mut special) = (false, false);
    let chars: Vec<char> = value.chars().collect();
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = is_blankz(chars.get(i + 1).copied());
        let first = i == 0;
        let last = i + 1 == chars.len();
        if first {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                block_indicators = true;
            }
            if (c == '?' || c == ':' || c == '-') && followed_by_whitespace {
                block_indicators = true;
            }
        } else {
            if c == ':' && followed_by_whitespace {
                block_indicators = true;
            }
            if c == '#' && preceded_by_whitespace {
                block_indicators = true;
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            leading_break |= first;
            trailing_break |= last;
            space_break |= previous_space;
            previous_break = true;
            previous_space = false;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(Some(c));
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a = Analysis {
            multiline: a.multiline,
            ..Analysis::default()
        };
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Whether yaml.v2's resolver reads the plain text as something other than a string
/// (`resolve.go`): null, a YAML 1.1 bool, an int in any base, a float, a timestamp or a
/// base-60 float. Such strings are double-quoted. (The merge key `<<` is written plain:
/// measured with `lxc config show`.)
pub fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
        "on", "On", "ON", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off",
        "OFF", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let Some(first) = s.chars().next() else {
        return true;
    };
    if first == '.' {
        return is_go_float(s);
    }
    if !(first.is_ascii_digit() || first == '+' || first == '-') {
        return false;
    }
    if first.is_ascii_digit() && looks_like_timestamp(s) {
        return true;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    is_go_int(&plain) || is_yaml_float(&plain) || is_base60_float(s)
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint` succeeding, and yaml.v2's `0b` forms
/// (ranges aside: an overlong number is still not a string to yaml.v2's float branch).
fn is_go_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits_in = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    let lower = body.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        return digits_in(h, 16);
    }
    if let Some(o) = lower.strip_prefix("0o") {
        return digits_in(o, 8);
    }
    if let Some(b) = lower.strip_prefix("0b") {
        return digits_in(b, 2);
    }
    if body.len() > 1 && body.starts_with('0') {
        return digits_in(body, 8);
    }
    digits_in(body, 10)
}

/// yaml.v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// Go's `strconv.ParseFloat` on a string starting with `.` (yaml.v2's `.` hint).
fn is_go_float(s: &str) -> bool {
    is_yaml_float(s)
}

/// yaml.v2's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = match b.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (b, None),
    };
    if frac.is_some_and(|f| !f.bytes().all(|c| c.is_ascii_digit() || c == b'_')) {
        return false;
    }
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or("");
    let head_ok = head.bytes().next().is_some_and(|c| c.is_ascii_digit())
        && head.bytes().all(|c| c.is_ascii_digit() || c == b'_');
    let rest: Vec<&str> = parts.collect();
    let sexagesimal = |p: &str| match p.as_bytes() {
        [d] => d.is_ascii_digit(),
        [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
        _ => false,
    };
    head_ok && !rest.is_empty() && rest.iter().all(|p| sexagesimal(p))
}

/// yaml.v2's `parseTimestamp`: four digits and `-` start every allowed layout; a date
/// `Y-M-D` (one or two digits each) alone or followed by a time. Quoting a little more
/// than yaml.v2 would only changes the layout, never the value.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let mut fields = rest.splitn(3, '-');
    let month = fields.next().unwrap_or("");
    let day_and_more = fields.next().unwrap_or("");
    let two_digits = |t: &str| (1..=2).contains(&t.len()) && t.bytes().all(|c| c.is_ascii_digit());
    if !two_digits(month) || fields.next().is_some() {
        return false;
    }
    let day_len = day_and_more.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&day_len)
        && (day_len == day_and_more.len()
            || matches!(day_and_more.as_bytes()[day_len], b'T' | b't' | b' '))
}

/// yaml.v2's key order (`sorter.go: keyList.Less`): runs of digits compare as numbers,
/// a non-letter sorts before a letter.
pub fn key_order(a: &str, b: &str) -> Ordering {
    if key_less(a, b) {
        Ordering::Less
    } else if key_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// The style yaml.v2 ends up with for a string (`encode.go: stringv`, then
/// `yaml_emitter_select_scalar_style`).
fn style(value: &str, simple_key: bool, last: bool) -> Style {
    let a = analyze(value);
    let wanted = if value.contains('\n') {
        Style::Literal
    } else if !resolves_to_non_string(value) && !is_base60_float(value) {
        Style::Plain
    } else {
        Style::Double
    };
    match wanted {
        Style::Plain => {
            let plain_ok = a.block_plain_allowed && !(value.is_empty() && simple_key);
            if plain_ok {
                Style::Plain
            } else if a.single_quoted_allowed {
                Style::Single
            } else {
                Style::Double
            }
        }
        Style::Literal
            if a.block_allowed && !simple_key && literal_chomp(value, last).is_some() =>
        {
            Style::Literal
        }
        _ => Style::Double,
    }
}

/// The block header's indentation and chomping indicators. `|+` (several trailing line
/// breaks) makes yaml.v2 mark the document open-ended: the last value of the document is
/// then written double-quoted instead (`None`), which reads back the same.
fn literal_chomp(value: &str, last: bool) -> Option<String> {
    let mut header = String::new();
    if value.starts_with(' ') || value.starts_with(is_break) {
        header.push('2');
    }
    let mut rev = value.chars().rev();
    match (rev.next(), rev.next()) {
        (Some(end), _) if !is_break(end) => header.push('-'),
        (Some(_), Some(prev)) if !is_break(prev) => {}
        _ if last => return None,
        _ => header.push('+'),
    }
    Some(header)
}

/// A writer that tracks the column, as libyaml's emitter does for folding.
#[derive(Debug, Default)]
pub struct Out {
    text: String,
    column: usize,
}

impl Out {
    /// An empty document.
    pub fn new() -> Out {
        Out::default()
    }

    pub fn finish(self) -> String {
        self.text
    }

    fn put(&mut self, s: &str) {
        self.text.push_str(s);
        self.column += s.chars().count();
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.column = 0;
    }

    /// libyaml's `write_indent` inside a scalar: a line break, then `indent` spaces.
    fn indent(&mut self, indent: usize) {
        self.newline();
        self.put(&" ".repeat(indent));
    }

    /// `key: value` at `indent`, then a line break. `key` must have passed [`check_key`].
    pub fn pair(&mut self, indent: usize, key: &str, value: &str) {
        self.key(indent, key);
        self.put(" ");
        self.scalar(value, indent + 2, false, false);
        self.end_line();
    }

    /// The document's last `key: value` (a `|+` block would leave the document open).
    pub fn last_pair(&mut self, indent: usize, key: &str, value: &str) {
        self.key(indent, key);
        self.put(" ");
        self.scalar(value, indent + 2, false, true);
        self.end_line();
    }

    /// `key:` at `indent` opening a nested block, then a line break.
    pub fn open(&mut self, indent: usize, key: &str) {
        self.key(indent, key);
        self.newline();
    }

    /// `key: TEXT` where TEXT is literal YAML (`{}`, `[]`, `false`).
    pub fn raw(&mut self, indent: usize, key: &str, text: &str) {
        self.key(indent, key);
        self.put(" ");
        self.put(text);
        self.newline();
    }

    /// `- item` of a sequence not indented under its key (yaml.v2's layout).
    pub fn item(&mut self, indent: usize, value: &str) {
        self.put(&" ".repeat(indent));
        self.put("- ");
        self.scalar(value, indent + 2, false, false);
        self.end_line();
    }

    fn key(&mut self, indent: usize, key: &str) {
        self.put(&" ".repeat(indent));
        self.scalar(key, indent, true, false);
        self.put(":");
    }

    fn scalar(&mut self, value: &str, indent: usize, simple_key: bool, last: bool) {
        match style(value, simple_key, last) {
            Style::Plain => self.plain(value, indent, !simple_key),
            Style::Single => self.single(value, indent, !simple_key),
            Style::Double => self.double(value, indent, !simple_key),
            Style::Literal => self.literal(value, indent, last),
        }
    }

    fn plain(&mut self, value: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.indent(indent);
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                self.put(c.encode_utf8(&mut [0; 4]));
                spaces = false;
            }
        }
    }

    fn single(&mut self, value: &str, indent: usize, allow_breaks: bool) {
        self.put("'");
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let inner = i != 0 && i + 1 != chars.len();
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner && !next_space {
                    self.indent(indent);
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else if is_break(c) {
                // Only U+2028 and U+2029 get here (the other breaks are escaped in double
                // quotes): copied as they are, the next line indented; read back unfolded.
                self.text.push(c);
                self.column = 0;
                breaks = true;
            } else {
                if breaks {
                    self.put(&" ".repeat(indent));
                }
                if c == '\'' {
                    self.put("'");
                }
                self.put(c.encode_utf8(&mut [0; 4]));
                spaces = false;
                breaks = false;
            }
        }
        if breaks {
            self.put(&" ".repeat(indent));
        }
        self.put("'");
    }

    fn double(&mut self, value: &str, indent: usize, allow_breaks: bool) {
        self.put("\"");
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        // yaml.v2's `is_bom` looks at the start of the string, not at the character: after
        // a leading U+FEFF every character is escaped (measured with `lxc config show`).
        let escape_all = value.starts_with('\u{FEFF}');
        for (i, &c) in chars.iter().enumerate() {
            if escape_all || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                let escape = match c {
                    '\0' => "\\0".to_string(),
                    '\u{7}' => "\\a".into(),
                    '\u{8}' => "\\b".into(),
                    '\t' => "\\t".into(),
                    '\n' => "\\n".into(),
                    '\u{B}' => "\\v".into(),
                    '\u{C}' => "\\f".into(),
                    '\r' => "\\r".into(),
                    '\u{1B}' => "\\e".into(),
                    '"' => "\\\"".into(),
                    '\\' => "\\\\".into(),
                    '\u{85}' => "\\N".into(),
                    '\u{A0}' => "\\_".into(),
                    '\u{2028}' => "\\L".into(),
                    '\u{2029}' => "\\P".into(),
                    c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.put(&escape);
                spaces = false;
            } else if c == ' ' {
                let inner = i != 0 && i + 1 != chars.len();
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner {
                    self.indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                self.put(c.encode_utf8(&mut [0; 4]));
                spaces = false;
            }
        }
        self.put("\"");
    }

    fn literal(&mut self, value: &str, indent: usize, last: bool) {
        self.put("|");
        self.put(&literal_chomp(value, last).unwrap_or_default());
        self.newline();
        let mut at_line_start = true;
        for c in value.chars() {
            if c == '\n' {
                self.newline();
                at_line_start = true;
            } else if is_break(c) {
                // libyaml copies U+2028 and U+2029 as they are: a line break all the same.
                self.text.push(c);
                self.column = 0;
                at_line_start = true;
            } else {
                if at_line_start {
                    self.put(&" ".repeat(indent));
                    at_line_start = false;
                }
                self.put(c.encode_utf8(&mut [0; 4]));
            }
        }
    }

    /// The line break after a value, unless a literal block already ended with one.
    fn end_line(&mut self) {
        if self.column != 0 {
            self.newline();
        }
    }
}

/// Whether a mapping key can be written as a simple key (`key: value`).
pub fn check_key(key: &str) -> Result<(), KeyError> {
    if key.len() > MAX_KEY_LEN {
        return Err(KeyError::TooLong);
    }
    if key.contains(is_break) {
        return Err(KeyError::LineBreak);
    }
    Ok(())
}

/// One scalar as yaml.v2 writes it in a block mapping value at `indent` (tests and docs).
pub fn scalar_text(value: &str, indent: usize) -> String {
    let mut out = Out::new();
    out.scalar(value, indent, false, false);
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_read_as_other_types_are_quoted() {
        for s in [
            "true",
            "false",
            "yes",
            "On",
            "1",
            "1024",
            "",
            "null",
            "~",
            "0x1F",
            "1e3",
            "1.5",
            ".5",
            "-1",
            "1_000",
            "0b101",
            "1:20",
            "2024-01-02",
            ".inf",
        ] {
            assert_eq!(style(s, false, false), Style::Double, "{s:?}");
        }
        for s in [
            "abc",
            "3-3",
            "0-1",
            "512MiB",
            "eth0",
            "/",
            "dir",
            "1.2.3.4",
            "x86_64",
            "1a",
            "unlimited",
            "<<",
        ] {
            assert_eq!(style(s, false, false), Style::Plain, "{s:?}");
        }
    }

    #[test]
    fn indicators_fall_back_to_quotes() {
        assert_eq!(scalar_text("- a", 4), "'- a'");
        assert_eq!(scalar_text("-", 4), "'-'");
        assert_eq!(scalar_text("a: b", 4), "'a: b'");
        assert_eq!(scalar_text("a #b", 4), "'a #b'");
        assert_eq!(scalar_text("a#b", 4), "a#b");
        assert_eq!(scalar_text(" a", 4), "' a'");
        assert_eq!(scalar_text("it's", 4), "it's");
        assert_eq!(scalar_text("'x", 4), "'''x'");
        assert_eq!(scalar_text("a\tb", 4), "\"a\\tb\"");
        assert_eq!(scalar_text("é", 4), "é");
        assert_eq!(scalar_text("\u{1F600}", 4), "\"\\U0001F600\"");
        assert_eq!(scalar_text("a\u{85}", 4), "\"a\\N\"");
    }

    #[test]
    fn multi_line_values_are_literal_blocks() {
        assert_eq!(scalar_text("a\nb\n", 4), "|\n    a\n    b\n");
        assert_eq!(scalar_text("a\nb", 4), "|-\n    a\n    b");
        assert_eq!(scalar_text(" a\nb\n", 4), "|2\n     a\n    b\n");
        assert_eq!(scalar_text("a\n\nb\n", 4), "|\n    a\n\n    b\n");
        assert_eq!(scalar_text("a \nb\n", 4), "\"a \\nb\\n\"");
        assert_eq!(scalar_text("a\n\n", 4), "|+\n    a\n\n");
        assert_eq!(scalar_text("a\u{2028}b", 4), "'a\u{2028}    b'");
        assert_eq!(scalar_text("\u{feff}x y", 4), "\"\\uFEFF\\x78\\x20\\x79\"");
    }

    #[test]
    fn keys_sort_with_numbers_compared_as_numbers() {
        let mut keys = vec!["eth10", "eth2", "eth1", "a.b", "a0", "a_b", "root", "Z"];
        keys.sort_by(|a, b| key_order(a, b));
        assert_eq!(
            keys,
            vec!["Z", "a.b", "a_b", "a0", "eth1", "eth2", "eth10", "root"]
        );
    }

    #[test]
    fn long_plain_values_fold_at_a_space_past_column_80() {
        let long = "word ".repeat(30);
        let long = long.trim_end();
        let mut out = Out::new();
        out.pair(2, "user.k", long);
        let text = out.finish();
        assert!(text.lines().count() > 1, "{text}");
        assert!(
            text.lines().nth(1).unwrap().starts_with("    word"),
            "{text}"
        );
    }
}
