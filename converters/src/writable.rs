//! What each output format can carry, decided in one place.
//!
//! Every string that reaches a written file passes through one of these functions. A
//! value the format cannot carry is refused ([`Unwritable`]), never written: a newline in
//! an LXC value would start a new line that liblxc reads as a key of its own (an
//! `lxc.hook.pre-start` that runs as root), a space in an fstab field would shift the
//! fields, a control character cannot appear in XML 1.0 at all. Where the format has an
//! escape (fstab's octal escapes, quotes around an LXC value, XML character references) it
//! is used instead, so the value reads back exactly.

use std::borrow::Cow;

/// Why a value cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unwritable {
    /// A character the format has no way to carry (line breaks, NUL, ...).
    #[error("it contains {}", describe(*.0))]
    Char(char),
    /// Empty, where the format reads an empty value as "unset" or a missing field.
    #[error("it is empty")]
    Empty,
    /// Whitespace inside one word of a whitespace-separated list.
    #[error("it contains whitespace inside a word")]
    Whitespace,
    /// A character that would split or merge a list (`,` in a mount option, `=` in a
    /// variable name).
    #[error("it contains the separator `{0}`")]
    Separator(char),
    /// A key outside `lxc.` + letters, digits, `.`, `_`, `-`.
    #[error("the key is not `lxc.` followed by letters, digits, `.`, `_` and `-`")]
    Key,
    /// A first character that changes how the line is read (`#` starts a comment).
    #[error("it starts with `{0}`")]
    Leading(char),
    /// An `lxc.proc` key that would leave /proc/PID (the reason).
    #[error("the /proc key {0}")]
    ProcKey(&'static str),
    /// 4294967295 as a uid or gid: `(uid_t)-1`, which setresuid reads as "unchanged".
    #[error(
        "4294967295 is (uid_t)-1, which setuid reads as \"unchanged\": init would run as root"
    )]
    ReservedId,
    /// An XML fragment kept verbatim that is not one well-formed element of the expected name.
    #[error("the kept XML fragment {0}")]
    Fragment(String),
}

/// A character named so that the message itself stays printable.
pub fn describe(c: char) -> String {
    match c {
        '\n' => "a newline".into(),
        '\r' => "a carriage return".into(),
        '\0' => "a NUL byte".into(),
        c => format!("the control character U+{:04X}", c as u32),
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The value of an LXC config line (`key = VALUE`).
///
/// liblxc splits the file on `\r`, `\n` and NUL, trims blanks around the value and removes
/// one pair of matching quotes. Line breaks and NUL cannot be carried; blanks at either end
/// and a value already wrapped in matching quotes are kept by one more pair of quotes.
pub fn lxc_value(value: &str) -> Result<Cow<'_, str>, Unwritable> {
    if let Some(c) = value.chars().find(|&c| matches!(c, '\n' | '\r' | '\0')) {
        return Err(Unwritable::Char(c));
    }
    if value.is_empty() {
        return Err(Unwritable::Empty);
    }
    let b = value.as_bytes();
    let quoted = b.len() > 1 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0];
    let padded = value.starts_with(is_blank) || value.ends_with(is_blank);
    Ok(if quoted || padded {
        Cow::Owned(format!("\"{value}\""))
    } else {
        Cow::Borrowed(value)
    })
}

/// An LXC key: `lxc.` and then letters, digits, `.`, `_` and `-` (no blank, `=`, `/`,
/// line break or empty part that could make it another key or a path).
pub fn lxc_key(key: &str) -> Result<(), Unwritable> {
    let rest = key.strip_prefix("lxc.").ok_or(Unwritable::Key)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if rest.is_empty() || !rest.chars().all(allowed) || rest.split('.').any(str::is_empty) {
        return Err(Unwritable::Key);
    }
    Ok(())
}

/// One word of a whitespace-separated LXC value (an argument of `lxc.init.cmd`, a group
/// of `lxc.group`): liblxc splits on whitespace, so a word cannot hold any or be empty.
pub fn word(word: &str) -> Result<&str, Unwritable> {
    if word.is_empty() {
        return Err(Unwritable::Empty);
    }
    if let Some(c) = word.chars().find(|&c| matches!(c, '\n' | '\r' | '\0')) {
        return Err(Unwritable::Char(c));
    }
    if word.chars().any(char::is_whitespace) {
        return Err(Unwritable::Whitespace);
    }
    Ok(word)
}

/// The name of an `lxc.environment` variable: `NAME=value` splits at the first `=`.
pub fn env_name(name: &str) -> Result<&str, Unwritable> {
    if name.is_empty() {
        return Err(Unwritable::Empty);
    }
    if name.contains('=') {
        return Err(Unwritable::Separator('='));
    }
    Ok(name)
}

/// A path field of an fstab line (source or target), with glibc's octal escapes for
/// space, tab, newline and backslash (the only ones `getmntent` decodes).
pub fn fstab_path(path: &str) -> Result<String, Unwritable> {
    if path.is_empty() {
        return Err(Unwritable::Empty);
    }
    if path.starts_with('#') {
        // getmntent skips a line whose first field starts with `#`.
        return Err(Unwritable::Leading('#'));
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("\\040"),
            '\t' => out.push_str("\\011"),
            '\n' => out.push_str("\\012"),
            '\\' => out.push_str("\\134"),
            '\r' | '\0' => return Err(Unwritable::Char(c)),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A field of an fstab line written without escapes (the filesystem type, one mount
/// option): glibc's `getmntent` decodes `\040`-style escapes in every field, while
/// liblxc's options and lxconf's reader take the text as it is, so a backslash is refused.
pub fn fstab_word(field: &str) -> Result<&str, Unwritable> {
    if field.contains('\\') {
        return Err(Unwritable::Separator('\\'));
    }
    word(field)
}

/// One mount option (joined with `,` into the options field).
pub fn fstab_option(option: &str) -> Result<&str, Unwritable> {
    if option.contains(',') {
        return Err(Unwritable::Separator(','));
    }
    fstab_word(option)
}

/// A character XML 1.0 has no way to carry, not even as a character reference.
fn xml_forbidden(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// XML text or an attribute value, escaped. `minimal` escapes only what breaks the XML
/// (`&`, `<`, and the attribute's quote), as libvirt prints some values; otherwise `>` and
/// both quotes are escaped too. In attributes, tab, newline and carriage return become
/// character references (a parser would turn them into spaces); in text, carriage return
/// does (a parser would turn it into a newline).
pub fn xml_escape(s: &str, in_attribute: bool, minimal: bool) -> Result<String, Unwritable> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            // `]]>` may not appear in text, even with minimal escaping.
            '>' if !minimal || out.ends_with("]]") => out.push_str("&gt;"),
            '\'' if in_attribute || !minimal => out.push_str("&apos;"),
            '"' if !minimal => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            c if xml_forbidden(c) => return Err(Unwritable::Char(c)),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// An element kept verbatim from a domain XML (or given as such in a model document): it
/// must be exactly one well-formed element named `expected`, so that it cannot close the
/// element it is written in or add siblings (another `<filesystem>`, another `<init>`).
pub fn xml_fragment(raw: &str, expected: &str) -> Result<(), Unwritable> {
    use quick_xml::events::Event;
    let bad = |why: &str| Err(Unwritable::Fragment(why.to_string()));
    if let Some(c) = raw.chars().find(|&c| xml_forbidden(c)) {
        return Err(Unwritable::Char(c));
    }
    let mut reader = quick_xml::Reader::from_str(raw.trim());
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(_) => return bad("is not well-formed XML"),
        };
        let opens = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                if depth == 0 {
                    roots += 1;
                    if roots > 1 || e.name().as_ref() != expected.as_bytes() {
                        return bad(&format!("is not one `<{expected}>` element"));
                    }
                }
                // Every attribute well-formed and unique, every reference defined.
                for a in e.attributes().with_checks(true) {
                    let ok = a.ok().is_some_and(|a| {
                        a.unescape_value().is_ok_and(|v| !v.contains(xml_forbidden))
                    });
                    if !ok {
                        return bad("has a malformed or repeated attribute");
                    }
                }
                depth += usize::from(opens);
            }
            Event::Text(t) if !t.unescape().is_ok_and(|t| !t.contains(xml_forbidden)) => {
                return bad("has an undefined entity or a bad character reference")
            }
            Event::CData(_) if depth == 0 => return bad("has text outside its element"),
            Event::End(_) if depth == 0 => return bad("closes an element it did not open"),
            Event::End(_) => depth -= 1,
            Event::Text(t) if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                return bad("has text outside its element")
            }
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) => {
                return bad("contains a declaration or processing instruction")
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if roots != 1 || depth != 0 {
        return bad(&format!("is not one `<{expected}>` element"));
    }
    Ok(())
}

/// The JSON pointer of the first string in `value` for which `pick` holds (to locate a
/// refused value at the model field it came from).
pub fn pointer_of(value: &serde_json::Value, pick: &dyn Fn(&str) -> bool) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if pick(s) => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| pointer_of(v, pick).map(|p| format!("/{i}{p}"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let k = k.replace('~', "~0").replace('/', "~1");
            pointer_of(v, pick).map(|p| format!("/{k}{p}"))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_nul_are_refused_in_lxc_values() {
        for bad in ["1\nlxc.hook.pre-start = /x", "a\rb", "a\0b"] {
            assert!(lxc_value(bad).is_err(), "{bad:?}");
        }
        assert_eq!(lxc_value(""), Err(Unwritable::Empty));
    }

    #[test]
    fn blanks_at_the_ends_and_quoted_values_are_quoted() {
        assert_eq!(lxc_value("web").unwrap(), "web");
        assert_eq!(lxc_value(" web").unwrap(), "\" web\"");
        assert_eq!(lxc_value("web\t").unwrap(), "\"web\t\"");
        assert_eq!(lxc_value("\"web\"").unwrap(), "\"\"web\"\"");
        assert_eq!(lxc_value("'w'").unwrap(), "\"'w'\"");
        assert_eq!(lxc_value("\"").unwrap(), "\"");
        assert_eq!(lxc_value("a \"b\" c").unwrap(), "a \"b\" c");
    }

    #[test]
    fn keys_are_one_lxc_key() {
        assert!(lxc_key("lxc.sysctl.net.ipv4.ip_forward").is_ok());
        assert!(lxc_key("lxc.cgroup2.memory.max").is_ok());
        for bad in [
            "lxc.proc.../../tmp/x",
            "lxc.a = b\nlxc.hook.pre-start",
            "lxc.",
            "hook",
            "lxc.a b",
            "lxc.a=b",
            "lxc.a..b",
        ] {
            assert_eq!(lxc_key(bad), Err(Unwritable::Key), "{bad:?}");
        }
    }

    #[test]
    fn words_hold_no_whitespace() {
        assert!(word("/bin/sh").is_ok());
        assert_eq!(word("a b"), Err(Unwritable::Whitespace));
        assert_eq!(word("a\nb"), Err(Unwritable::Char('\n')));
        assert_eq!(word(""), Err(Unwritable::Empty));
        assert_eq!(env_name("A=B"), Err(Unwritable::Separator('=')));
    }

    #[test]
    fn fstab_paths_use_octal_escapes() {
        assert_eq!(
            fstab_path("/a b\t\\c\n").unwrap(),
            "/a\\040b\\011\\134c\\012"
        );
        assert_eq!(fstab_path("/a\rb"), Err(Unwritable::Char('\r')));
        assert_eq!(fstab_path("#x"), Err(Unwritable::Leading('#')));
        assert_eq!(fstab_path(""), Err(Unwritable::Empty));
        assert_eq!(fstab_option("ro,exec"), Err(Unwritable::Separator(',')));
        assert_eq!(fstab_option("mode=1 0"), Err(Unwritable::Whitespace));
        assert_eq!(fstab_option("x\\040y"), Err(Unwritable::Separator('\\')));
        assert_eq!(fstab_word("a\\b"), Err(Unwritable::Separator('\\')));
    }

    #[test]
    fn fragments_are_one_well_formed_element_of_the_expected_name() {
        assert!(xml_fragment("<clock offset='utc'><timer name='rtc'/></clock>", "clock").is_ok());
        for bad in [
            "<clock/><filesystem type='mount'/>",
            "<filesystem type='mount'/>",
            "<clock>",
            "</devices><clock/>",
            "<clock a='1' a='2'/>",
            "<clock offset='utc'>&#0;</clock>",
            "<clock offset='utc'>&evil;</clock>",
            "<clock a='&evil;'/>",
            "<clock/><![CDATA[text]]>",
            "<clock/>text",
            "<?pi x?><clock/>",
        ] {
            assert!(xml_fragment(bad, "clock").is_err(), "{bad}");
        }
    }

    #[test]
    fn cdata_end_is_never_written_raw() {
        assert_eq!(xml_escape("x]]>y", false, true).unwrap(), "x]]&gt;y");
        assert_eq!(xml_escape("a>b", false, true).unwrap(), "a>b");
    }

    #[test]
    fn xml_escapes_what_a_parser_would_change() {
        assert_eq!(
            xml_escape("a\nb\t'<&", true, false).unwrap(),
            "a&#10;b&#9;&apos;&lt;&amp;"
        );
        assert_eq!(xml_escape("a\r\nb", false, true).unwrap(), "a&#13;\nb");
        assert_eq!(xml_escape("'\">", false, true).unwrap(), "'\">");
        assert_eq!(
            xml_escape("\u{1b}[2J", false, false),
            Err(Unwritable::Char('\u{1b}'))
        );
    }
}
