//! XML text to a small element tree with byte ranges (quick-xml events, namespace
//! resolution for libvirt's `lxc:` extensions, a nesting limit).

use lxconf_model::{Code, Diagnostic, Origin, SourceId};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::ops::Range;

/// A start tag whose attributes quick-xml cannot read.
#[derive(Debug, thiserror::Error)]
pub enum AttributeError {
    /// Malformed attribute syntax (a missing quote, a duplicate name ...).
    #[error("bad attribute: {0}")]
    Syntax(#[from] AttrError),
    /// An attribute value with an unknown or malformed entity reference.
    #[error("bad attribute value: {0}")]
    Value(#[from] quick_xml::Error),
}

/// An element with its attributes, children and text, and where it is.
#[derive(Debug, Clone)]
pub struct Element {
    /// Qualified name (`lxc:sharenet`).
    pub name: String,
    /// Attributes, with the range of each value.
    pub attrs: Vec<(String, String, Range<usize>)>,
    /// Child elements.
    pub children: Vec<Element>,
    /// Concatenated text content (unescaped).
    pub text: String,
    /// Range of the start tag.
    pub range: Range<usize>,
    /// Range of the whole element (start tag to end tag).
    pub span: Range<usize>,
}

impl Element {
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, _)| v.as_str())
    }
    pub(super) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// The namespace of libvirt's LXC extensions. Elements in it are named `lxc:NAME` in the
/// tree whatever prefix the document binds to it; elements of any other namespace are
/// named `{URI}NAME` (an unbound prefix: `{}NAME`), so a foreign `lxc:` prefix never
/// passes for libvirt's.
pub const LXC_NS: &str = "http://libvirt.org/schemas/domain/lxc/1.0";

/// In-scope `xmlns:PREFIX` bindings, innermost last, each with the depth that declared it.
#[derive(Default)]
struct XmlNs(Vec<(String, String, usize)>);

impl XmlNs {
    /// Declare the bindings of a start tag at `depth`.
    fn enter(&mut self, attrs: &[(String, String, Range<usize>)], depth: usize) {
        for (k, v, _) in attrs {
            if let Some(prefix) = k.strip_prefix("xmlns:") {
                self.0.push((prefix.to_string(), v.clone(), depth));
            }
        }
    }
    /// Drop the bindings of the element closed at `depth`.
    fn leave(&mut self, depth: usize) {
        while self.0.last().is_some_and(|(_, _, d)| *d >= depth) {
            self.0.pop();
        }
    }
    /// The tree name of a qualified name.
    fn resolve(&self, qname: String) -> String {
        let Some((prefix, local)) = qname.split_once(':') else {
            return qname;
        };
        let uri = self
            .0
            .iter()
            .rev()
            .find(|(p, _, _)| p == prefix)
            .map_or("", |(_, u, _)| u.as_str());
        if uri == LXC_NS {
            format!("lxc:{local}")
        } else {
            format!("{{{uri}}}{local}")
        }
    }
}

/// An element from a start tag at `start..end` of `text`; attribute values are located
/// by their position in `text` (quick-xml borrows them from it), without searching.
fn element(
    text: &str,
    e: &quick_xml::events::BytesStart<'_>,
    start: usize,
    end: usize,
) -> Result<Element, AttributeError> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value()?.into_owned();
        let at = (a.value.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        let range = if (start..end).contains(&at) {
            at..(at + a.value.len()).min(end)
        } else {
            start..end
        };
        attrs.push((key, value, range));
    }
    Ok(Element {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        range: start..end,
        span: start..end,
    })
}

/// Parse XML text into an element tree; a syntax error (X001) or nesting deeper than
/// `limits::MAX_NESTING` (I006: the tree is walked recursively) comes back as a diagnostic.
pub fn parse_tree(text: &str, source: SourceId) -> Result<Element, Box<Diagnostic>> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut ns = XmlNs::default();
    let mut root: Option<Element> = None;
    let err = |pos: usize, msg: String| {
        let at = pos.min(text.len());
        Box::new(
            Diagnostic::new(Code::X001, msg)
                .at(Origin::new(source, at..at))
                .help("fix the XML syntax (xmllint --noout FILE shows the same problem)"),
        )
    };
    let open = |stack: &mut Vec<Element>, ns: &mut XmlNs, mut el: Element| {
        if stack.len() >= crate::limits::MAX_NESTING {
            return Err(Box::new(
                Diagnostic::new(
                    Code::I006,
                    format!(
                        "elements nested more than {} deep: lxconf does not read further",
                        crate::limits::MAX_NESTING
                    ),
                )
                .at(Origin::new(source, el.range.clone()))
                .help("a domain XML is about 6 levels deep; this is not a domain XML"),
            ));
        }
        ns.enter(&el.attrs, stack.len());
        el.name = ns.resolve(std::mem::take(&mut el.name));
        Ok(el)
    };
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            err(
                reader.error_position() as usize,
                format!("XML syntax error: {e}"),
            )
        })?;
        let end = reader.buffer_position() as usize;
        match event {
            Event::Start(e) => {
                let el = element(text, &e, start, end).map_err(|m| err(start, m.to_string()))?;
                let el = open(&mut stack, &mut ns, el)?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = element(text, &e, start, end).map_err(|m| err(start, m.to_string()))?;
                let el = open(&mut stack, &mut ns, el)?;
                ns.leave(stack.len());
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(err(start, "unexpected closing tag".into()));
                };
                ns.leave(stack.len());
                el.span = el.range.start..end;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    let s = t
                        .unescape()
                        .map_err(|e| err(start, format!("bad text: {e}")))?;
                    el.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(
            open.range.start,
            format!("`<{}>` is never closed", open.name),
        ));
    }
    root.ok_or_else(|| err(0, "no root element".into()))
}
