//! Limits on what lxconf reads, so that a hostile input (a config from a bug report, a
//! repository in CI) cannot make it hang, exhaust memory or overflow its stack.
//!
//! Every limit is far above what a real configuration needs; exceeding one is a coded
//! diagnostic (`I001`–`I006`), never a panic. docs/lxc-parsing.md lists them.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// Largest file lxconf reads (a config, an include, an fstab file, a domain XML, a model
/// document, stdin). Real ones are a few KiB.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Largest total of every file read for one configuration (the file and its includes).
pub const MAX_TOTAL_BYTES: u64 = 32 << 20;
/// Longest line of an LXC config or fstab file.
pub const MAX_LINE_BYTES: usize = 64 << 10;
/// Most `lxc.include` files read for one configuration (counting a file included twice
/// twice: liblxc applies it twice).
pub const MAX_INCLUDES: usize = 1000;
/// Deepest chain of includes (a file including a file including a file ...).
pub const MAX_INCLUDE_DEPTH: usize = 32;
/// Deepest nesting of elements in domain XML, or of lists and maps in a model document.
/// A domain XML is about 6 deep, a model document about 5.
pub const MAX_NESTING: usize = 100;

/// Why a read was refused. Carried inside an [`io::Error`] so the [`crate::fs::FileSystem`]
/// trait keeps its shape; [`limit_error`] gets it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitError {
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// The path is not a regular file (its kind: `FIFO`, `character device` ...).
    NotRegular(&'static str),
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::TooLarge => write!(f, "larger than {} MiB", MAX_FILE_BYTES >> 20),
            LimitError::NotRegular(kind) => write!(f, "not a regular file (a {kind})"),
        }
    }
}

impl std::error::Error for LimitError {}

impl From<LimitError> for io::Error {
    fn from(e: LimitError) -> Self {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// The limit an I/O error stands for, if it is one.
pub fn limit_error(e: &io::Error) -> Option<&LimitError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitError>())
}

/// Read at most [`MAX_FILE_BYTES`] from a reader: one byte more means the input is too
/// large, and nothing beyond it is read (`/dev/zero` as stdin ends here).
pub fn read_bounded(reader: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LimitError::TooLarge.into());
    }
    Ok(bytes)
}

/// Read a file that must be a regular file (an include, an fstab file, a file found in a
/// directory walk). It is opened with `O_NONBLOCK`, so a FIFO cannot block the open, and
/// checked with `fstat` on the open descriptor (no race with a rename), before any read.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        let name = if kind.is_dir() {
            "directory"
        } else if kind.is_fifo() {
            "FIFO"
        } else if kind.is_char_device() {
            "character device"
        } else if kind.is_block_device() {
            "block device"
        } else if kind.is_socket() {
            "socket"
        } else {
            "special file"
        };
        return Err(LimitError::NotRegular(name).into());
    }
    read_bounded(file)
}

/// Read a file named on the command line: any kind of file (`<(cmd)` is a pipe, and
/// `/dev/stdin` a device), but never more than [`MAX_FILE_BYTES`].
pub fn read_any(path: &Path) -> io::Result<Vec<u8>> {
    read_bounded(std::fs::File::open(path)?)
}

/// I003 for a line of an LXC config or fstab file that starts at `start` and is longer
/// than [`MAX_LINE_BYTES`]; the line is skipped.
pub fn line_too_long(source: lxconf_model::SourceId, start: usize) -> lxconf_model::Diagnostic {
    lxconf_model::Diagnostic::new(
        lxconf_model::Code::I003,
        format!("line longer than {} KiB: not read", MAX_LINE_BYTES >> 10),
    )
    .at(lxconf_model::Origin::new(source, start..start))
    .help("no LXC key takes a value this long; check that the file is a config")
}

/// Bytes as text. Invalid UTF-8 is kept as U+FFFD, never an error (liblxc reads bytes;
/// the domain XML reader reports it as X008). Markup (text whose first non-blank character
/// is `<`) with a UTF-8, UTF-16 or UTF-32 byte order mark, or in UTF-16 without one (`<`
/// then a NUL), is decoded, as libxml2 does; anything else keeps its bytes.
pub fn decode(bytes: Vec<u8>) -> String {
    let markup = |t: &str| t.trim_start().starts_with('<');
    let units = |width: usize, be: bool, body: &[u8]| -> Vec<u32> {
        body.chunks(width)
            .map(|c| {
                let mut b = [0u8; 4];
                b[..c.len()].copy_from_slice(c);
                match (width, be) {
                    (2, true) => u32::from(u16::from_be_bytes([b[0], b[1]])),
                    (2, false) => u32::from(u16::from_le_bytes([b[0], b[1]])),
                    (_, true) => u32::from_be_bytes(b),
                    (_, false) => u32::from_le_bytes(b),
                }
            })
            .collect()
    };
    let utf16 = |be: bool, body: &[u8]| {
        let u = units(2, be, body).into_iter().map(|u| u as u16);
        char::decode_utf16(u)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
    };
    let utf32 = |be: bool, body: &[u8]| {
        units(4, be, body)
            .into_iter()
            .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
    };
    let decoded = match bytes.as_slice() {
        [0xff, 0xfe, 0, 0, rest @ ..] => Some(utf32(false, rest)),
        [0, 0, 0xfe, 0xff, rest @ ..] => Some(utf32(true, rest)),
        [0xef, 0xbb, 0xbf, rest @ ..] => Some(lossy(rest.to_vec())),
        [0xff, 0xfe, rest @ ..] => Some(utf16(false, rest)),
        [0xfe, 0xff, rest @ ..] => Some(utf16(true, rest)),
        [b'<', 0, _, 0, ..] => Some(utf16(false, &bytes)),
        [0, b'<', 0, _, ..] => Some(utf16(true, &bytes)),
        _ => None,
    };
    match decoded {
        Some(text) if markup(&text) => text,
        _ => lossy(bytes),
    }
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The byte offset where a JSON document nests deeper than [`MAX_NESTING`], if it does.
/// Strings are skipped, so brackets inside them do not count.
pub fn json_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The byte offset where a YAML document nests deeper than [`MAX_NESTING`], if it does:
/// block nesting (indentation levels, `- ` items on one line) plus flow nesting (`[`,
/// `{`). An over-estimate on odd documents is fine: real model documents are ~5 deep.
/// libyaml's scanner is quadratic in flow nesting, so this runs before it.
pub fn yaml_too_deep(text: &str) -> Option<usize> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if flow == 0 && !body.trim().is_empty() && !body.starts_with('#') {
            while indents.last().is_some_and(|&i| i > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
            // `- - - x` opens a sequence per dash on one line.
            let dashes = body
                .as_bytes()
                .chunks(2)
                .take_while(|c| *c == b"- " || *c == b"-\n")
                .count();
            if indents.len() + dashes > MAX_NESTING {
                return Some(start + indent);
            }
        }
        if let Some(at) = flow_depth(body, &mut flow, indents.len()) {
            return Some(start + indent + at);
        }
    }
    None
}

/// Track `[`/`{` nesting through one line (quoted scalars and comments skipped); the
/// offset in `body` where `base + flow` passes the limit.
fn flow_depth(body: &str, flow: &mut usize, base: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in body.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'#') if i == 0 || body.as_bytes()[i - 1] == b' ' => break,
            (None, b'[' | b'{') => {
                *flow += 1;
                if base + *flow > MAX_NESTING {
                    return Some(i);
                }
            }
            (None, b']' | b'}') => *flow = flow.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_reads_stop_one_byte_past_the_limit() {
        let zeros = std::io::repeat(0);
        let e = read_bounded(zeros).expect_err("endless input");
        assert_eq!(limit_error(&e), Some(&LimitError::TooLarge));
        assert_eq!(
            read_bounded(&b"lxc.uts.name = a\n"[..])
                .expect("small")
                .len(),
            17
        );
    }

    #[test]
    fn only_regular_files_are_read_as_includes() {
        let e = read_regular(Path::new("/dev/zero")).expect_err("a device");
        assert_eq!(
            limit_error(&e),
            Some(&LimitError::NotRegular("character device"))
        );
        let e = read_regular(Path::new("/")).expect_err("a directory");
        assert_eq!(limit_error(&e), Some(&LimitError::NotRegular("directory")));
    }

    #[test]
    fn markup_with_a_bom_or_in_utf16_is_decoded() {
        let xml = "<domain type='lxc'/>";
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(xml.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(le), xml);
        let be: Vec<u8> = xml.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(be), xml);
        assert_eq!(
            decode([&[0xef, 0xbb, 0xbf][..], xml.as_bytes()].concat()),
            xml
        );
        // Not markup: an LXC config keeps its bytes, as liblxc reads them.
        let conf = [&[0xef, 0xbb, 0xbf][..], b"lxc.uts.name = a\n"].concat();
        assert_eq!(decode(conf.clone()).as_bytes(), &conf[..]);
        assert_eq!(decode(b"a\xffb".to_vec()), "a\u{fffd}b");
    }

    #[test]
    fn deep_json_is_found_and_strings_do_not_count() {
        let deep = "[".repeat(MAX_NESTING + 1);
        assert_eq!(json_too_deep(&deep), Some(MAX_NESTING));
        let quoted = format!("{{\"a\": \"{deep}\"}}");
        assert_eq!(json_too_deep(&quoted), None);
        assert_eq!(json_too_deep(&"[".repeat(MAX_NESTING)), None);
    }

    #[test]
    fn deep_yaml_is_found_in_flow_and_block_style() {
        assert!(yaml_too_deep(&format!("name: {}", "[".repeat(MAX_NESTING))).is_some());
        let block: String = (0..=MAX_NESTING)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        assert!(yaml_too_deep(&block).is_some());
        assert!(yaml_too_deep(&format!("a: {}x\n", "- ".repeat(MAX_NESTING + 1))).is_none());
        assert!(yaml_too_deep(&format!("{}x\n", "- ".repeat(MAX_NESTING + 1))).is_some());
        assert_eq!(
            yaml_too_deep("name: web\nmounts:\n  - {source: '[[[', target: /x}\n"),
            None
        );
    }
}
