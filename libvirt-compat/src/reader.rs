//! libvirt's reader of lxc-tools config text ("virconf" in LXC mode), re-implemented.
//!
//! It differs from liblxc on purpose of fidelity: keys are `[A-Za-z][A-Za-z0-9_.]*` (so a
//! `-` is a syntax error), a value that starts with a quote is a quoted string (with
//! `"""triple"""` quoting spanning lines), an unquoted value runs to the end of the line with
//! its trailing blanks kept and `#` included, and errors carry libvirt's texts and line
//! numbers (the text is parsed from memory, so libvirt calls the file `memory conf`).

use super::CompatError;

/// One `key = value` statement, in file order (comments are not kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The key as written.
    pub key: &'a str,
    /// The value, unquoted, with trailing blanks of unquoted values kept.
    pub value: &'a str,
}

/// The statements of a config, with libvirt's lookup rules.
#[derive(Debug, Clone, Default)]
pub struct Conf<'a> {
    /// All statements in file order.
    pub entries: Vec<Entry<'a>>,
}

impl<'a> Conf<'a> {
    /// The value of the first statement with this key (libvirt's scalar lookup).
    pub fn first(&self, key: &str) -> Option<&'a str> {
        self.entries.iter().find(|e| e.key == key).map(|e| e.value)
    }

    /// Whether any statement has this key.
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }
}

struct Cursor<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    line: usize,
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_eol(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

impl<'a> Cursor<'a> {
    /// The current byte, NUL past the end (the C string's terminator).
    fn cur(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn skip_blanks(&mut self) {
        while !self.at_end() && is_blank(self.cur()) {
            self.pos += 1;
        }
    }

    fn skip_blanks_and_eol(&mut self) {
        while !self.at_end() && (is_blank(self.cur()) || is_eol(self.cur())) {
            if self.cur() == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    fn skip_to_eol(&mut self) {
        while !self.at_end() && !is_eol(self.cur()) {
            self.pos += 1;
        }
    }

    fn err(&self, msg: &'static str) -> CompatError {
        CompatError::syntax(self.line, msg)
    }

    fn starts_with_triple(&self) -> bool {
        self.b[self.pos.min(self.b.len())..].starts_with(b"\"\"\"")
    }

    /// Slice of the text; positions are always on ASCII delimiters, so on char boundaries.
    fn slice(&self, from: usize, to: usize) -> &'a str {
        &self.text[from..to]
    }

    fn value(&mut self) -> Result<(&'a str, bool), CompatError> {
        self.skip_blanks();
        if self.at_end() {
            return Err(self.err("expecting a value"));
        }
        let c = self.cur();
        if c == b'\'' || (c == b'"' && !(self.pos + 6 < self.b.len() && self.starts_with_triple()))
        {
            self.pos += 1;
            let start = self.pos;
            while !self.at_end() && self.cur() != c && !is_eol(self.cur()) {
                self.pos += 1;
            }
            if self.cur() != c {
                return Err(self.err("unterminated string"));
            }
            let v = self.slice(start, self.pos);
            self.pos += 1;
            Ok((v, true))
        } else if c == b'"' {
            self.pos += 3;
            let start = self.pos;
            while self.pos + 2 < self.b.len() && !self.starts_with_triple() {
                if self.cur() == b'\n' {
                    self.line += 1;
                }
                self.pos += 1;
            }
            if !self.starts_with_triple() {
                return Err(self.err("unterminated string"));
            }
            let v = self.slice(start, self.pos);
            self.pos += 3;
            Ok((v, true))
        } else {
            let start = self.pos;
            self.skip_to_eol();
            // libvirt means to trim trailing blanks here, but its loop starts on the
            // end-of-line character, so nothing is ever trimmed.
            Ok((self.slice(start, self.pos), false))
        }
    }

    fn statement(&mut self) -> Result<Option<Entry<'a>>, CompatError> {
        self.skip_blanks_and_eol();
        if self.cur() == b'#' {
            self.skip_to_eol();
            return Ok(None);
        }
        if !self.cur().is_ascii_alphabetic() {
            return Err(self.err("expecting a name"));
        }
        let start = self.pos;
        while !self.at_end()
            && (self.cur().is_ascii_alphanumeric() || self.cur() == b'_' || self.cur() == b'.')
        {
            self.pos += 1;
        }
        let key = self.slice(start, self.pos);
        self.skip_blanks();
        if self.cur() != b'=' {
            return Err(self.err("expecting an assignment"));
        }
        self.pos += 1;
        let (value, _quoted) = self.value()?;
        self.skip_blanks();
        if !self.at_end() && self.cur() == b'#' {
            self.skip_to_eol();
        }
        Ok(Some(Entry { key, value }))
    }

    fn separator(&mut self) -> Result<(), CompatError> {
        self.skip_blanks();
        if self.at_end() {
            return Ok(());
        }
        if is_eol(self.cur()) {
            self.skip_blanks_and_eol();
        } else if self.cur() == b';' {
            self.pos += 1;
            self.skip_blanks_and_eol();
        } else {
            return Err(self.err("expecting a separator"));
        }
        Ok(())
    }
}

/// Read config text the way libvirt's LXC-mode config reader does.
///
/// The text ends at its first NUL byte, as the C string libvirt receives does.
pub fn read(text: &str) -> Result<Conf<'_>, CompatError> {
    let text = match text.find('\0') {
        Some(i) => &text[..i],
        None => text,
    };
    let mut cur = Cursor {
        text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut conf = Conf::default();
    while !cur.at_end() {
        if let Some(entry) = cur.statement()? {
            conf.entries.push(entry);
        }
        cur.separator()?;
    }
    Ok(conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Vec<(String, String)> {
        read(text)
            .expect("reads")
            .entries
            .iter()
            .map(|e| (e.key.to_string(), e.value.to_string()))
            .collect()
    }

    fn err(text: &str) -> String {
        read(text).expect_err("fails").virsh_message()
    }

    #[test]
    fn values_keep_trailing_blanks_and_hashes() {
        assert_eq!(
            kv("a.b = c # x  \n"),
            vec![("a.b".into(), "c # x  ".into())]
        );
        assert_eq!(
            kv("a=b;c\r\nd = \"q\" ; # c\n"),
            vec![("a".into(), "b;c".into()), ("d".into(), "q".into())]
        );
        assert_eq!(
            kv("a = \"\"\"x\ny\"\"\"\n"),
            vec![("a".into(), "x\ny".into())]
        );
        assert_eq!(kv("a =\n"), vec![("a".into(), "".into())]);
    }

    #[test]
    fn syntax_errors_have_libvirt_texts_and_lines() {
        let p = "error: configuration file syntax error: memory conf:";
        assert_eq!(
            err("a = 1\nlxc.hook.pre-start = x\n"),
            format!("{p}2: expecting an assignment")
        );
        assert_eq!(err("1a = 1\n"), format!("{p}1: expecting a name"));
        assert_eq!(err("\n"), format!("{p}2: expecting a name"));
        assert_eq!(err("a = 1\nb ="), format!("{p}2: expecting a value"));
        assert_eq!(err("a = 'x' y\n"), format!("{p}1: expecting a separator"));
        assert_eq!(err("a = \"x\n"), format!("{p}1: unterminated string"));
        assert_eq!(
            err("a = \"\"\"x\ny\n\n"),
            format!("{p}2: unterminated string")
        );
    }
}
