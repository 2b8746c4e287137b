//! libvirt domain XML (`<domain type='lxc'>`): quick-xml events → a small element tree with
//! byte ranges → the model, with libvirt's LXC driver defaults made explicit (its init
//! environment, hostname rule, namespaces, /proc and /sys layout, default capability
//! policy, <memory> enforced as the memory limit).

mod attributes;
mod lower;
mod tree;

pub use tree::{parse_tree, AttributeError, Element, LXC_NS};

use crate::lxc::Loaded;
use lxconf_model::model::*;
use lxconf_model::{pointer, ByteSize, Code, Diagnostic, Document, Origin, SourceId, SourceMap};
use std::ops::Range;

/// Where `ip netns` names live; `<lxc:sharenet type='netns' value='N'>` joins `NETNS_DIR/N`.
pub const NETNS_DIR: &str = "/run/netns";

/// libvirt's init PATH.
pub const LIBVIRT_PATH: &str = "/bin:/sbin";
/// libvirt's devpts has no pty limit of its own: the kernel's default maximum.
pub const LIBVIRT_PTYS: u32 = 4096;

struct Lower<'a> {
    text: &'a str,
    source: SourceId,
    diags: Vec<Diagnostic>,
    doc: Document,
    /// Elements kept verbatim as a whole (their attributes are kept with them).
    kept_spans: Vec<Range<usize>>,
}

impl Lower<'_> {
    fn o(&self, r: &Range<usize>) -> Origin {
        Origin::new(self.source, r.clone())
    }
    fn error(&mut self, code: Code, r: &Range<usize>, msg: String, help: &str) {
        let d = Diagnostic::new(code, msg)
            .at(self.o(r))
            .help(help.to_string());
        self.diags.push(d);
    }
    fn keep(&mut self, el: &Element, path: &str, why: &str) {
        self.kept_spans.push(el.span.clone());
        let raw = self.text.get(el.span.clone()).unwrap_or("").to_string();
        let i = self.doc.container.unrecognized.len();
        self.doc.container.unrecognized.push(Unrecognized {
            format: "domxml".into(),
            key: path.to_string(),
            value: raw,
            reason: why.to_string(),
            kept_by_reader: KeptByReader(true),
        });
        self.doc
            .origins
            .record(pointer::item(pointer::UNRECOGNIZED, i), self.o(&el.range));
        let d = Diagnostic::new(
            Code::X002,
            format!("`<{}>` is kept verbatim: {why}", el.name),
        )
        .at(self.o(&el.range))
        .help("lxconf does not model it: domain XML output writes it back unchanged, an LXC config cannot hold it (reported as a loss)");
        self.diags.push(d);
    }
    fn size(&mut self, el: &Element, unit_attr: &str, default_unit: &str) -> Option<ByteSize> {
        let unit = el.attr(unit_attr).unwrap_or(default_unit);
        let n: u64 = match el.text.trim().parse() {
            Ok(n) => n,
            Err(_) => {
                self.error(
                    Code::X003,
                    &el.range,
                    format!("`{}` is not a number", el.text.trim()),
                    "write a whole number",
                );
                return None;
            }
        };
        match lxconf_model::values::unit_factor(unit) {
            Some(f) => Some(ByteSize(n.saturating_mul(f))),
            None => {
                self.error(
                    Code::X003,
                    &el.range,
                    format!("`{unit}` is not a unit"),
                    "use b, KiB, MiB, GiB (or k, M, G, KB, MB, GB)",
                );
                None
            }
        }
    }
}

/// Load a domain XML document.
pub fn load(name: &str, text: &str) -> Loaded {
    let mut sources = SourceMap::new();
    let source = sources.add(name, text);
    let refused = declared_encoding(text, source);
    let root = match refused.map_or_else(|| parse_tree(text, source), Err) {
        Ok(r) => r,
        Err(d) => {
            return Loaded {
                document: Document::default(),
                sources,
                diagnostics: vec![*d],
            }
        }
    };
    let mut l = Lower {
        text,
        source,
        diags: Vec::new(),
        doc: Document::default(),
        kept_spans: Vec::new(),
    };
    lower::lower_domain(&mut l, &root);
    // Elements kept whole or refused with an error: their attributes are not reported.
    let mut skip: std::collections::HashSet<usize> = l.kept_spans.iter().map(|r| r.start).collect();
    skip.extend(
        l.diags
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.primary.as_ref().map(|p| p.origin.start as usize)),
    );
    attributes::unknown_attributes(&mut l, &root, &skip, &mut Vec::new());
    if let Some(at) = text.find(char::REPLACEMENT_CHARACTER) {
        l.diags.push(
            Diagnostic::new(Code::X008, "bytes that are not UTF-8 (shown as U+FFFD)")
                .at(Origin::new(source, at..at + 3))
                .help("libvirt reads domain XML as UTF-8 and refuses other bytes; re-encode the file (iconv -t UTF-8)"),
        );
    }
    Loaded {
        document: l.doc,
        sources,
        diagnostics: l.diags,
    }
}

/// X010 for an XML declaration naming an encoding other than UTF-8 or UTF-16 (the reader
/// has already decoded UTF-16; reading Latin-1 bytes as UTF-8 would change the values).
fn declared_encoding(text: &str, source: SourceId) -> Option<Box<Diagnostic>> {
    let decl = text.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let value = decl[at + "encoding".len()..]
        .trim_start_matches([' ', '=', '"', '\''])
        .split(['"', '\''])
        .next()?;
    let known = ["utf-8", "utf8", "utf-16", "utf16", "utf-32", "utf32"];
    if known.iter().any(|k| value.eq_ignore_ascii_case(k)) {
        return None;
    }
    let start = "<?xml".len() + at;
    Some(Box::new(
        Diagnostic::new(
            Code::X010,
            format!("encoding `{value}` is not read: lxconf reads UTF-8, UTF-16 and UTF-32"),
        )
        .at(Origin::new(source, start..start + "encoding".len()))
        .help("re-encode the file as UTF-8 (iconv -f ENCODING -t UTF-8) and drop the encoding declaration"),
    ))
}

#[cfg(test)]
mod tests;
