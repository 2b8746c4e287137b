//! libvirt domain XML (`<domain type='lxc'>`): quick-xml events → a small element tree with
//! byte ranges → the model, with libvirt's LXC driver defaults made explicit (its init
//! environment, hostname rule, namespaces, /proc and /sys layout, default capability
//! policy, <memory> enforced as the memory limit).

use crate::lxc::Loaded;
use lxconf_model::model::*;
use lxconf_model::values::LIBVIRT_CAPS;
use lxconf_model::{
    ByteSize, Cap, Code, CpuSet, Diagnostic, Document, MacAddr, Namespace, Origin, SizeSpec,
    SourceId, SourceMap,
};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::ops::Range;

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
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, _)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&Element> {
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
) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|e| format!("bad attribute value: {e}"))?
            .into_owned();
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
                let el = element(text, &e, start, end).map_err(|m| err(start, m))?;
                let el = open(&mut stack, &mut ns, el)?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = element(text, &e, start, end).map_err(|m| err(start, m))?;
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
            .record(("/unrecognized", i), self.o(&el.range));
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
    lower_domain(&mut l, &root);
    // Elements kept whole or refused with an error: their attributes are not reported.
    let mut skip: std::collections::HashSet<usize> = l.kept_spans.iter().map(|r| r.start).collect();
    skip.extend(
        l.diags
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.primary.as_ref().map(|p| p.origin.start as usize)),
    );
    unknown_attributes(&mut l, &root, &skip, &mut Vec::new());
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

/// Subtrees kept verbatim as a whole: their attributes travel with them.
const VERBATIM_SUBTREES: &[&str] = &[
    "metadata",
    "clock",
    "serial",
    "bandwidth",
    "virtualport",
    "vlan",
    "script",
    "seclabel",
    "driver",
    "cpu",
    "sysinfo",
];

/// The attributes lxconf reads, by element name (libvirt's LXC subset of the schema).
fn known_attributes(element: &str) -> &'static [&'static str] {
    match element {
        "domain" => &["type", "id"],
        "memory" => &["unit", "mode", "nodeset", "placement"],
        "currentMemory" | "hard_limit" | "soft_limit" | "swap_hard_limit" | "min_guarantee" => {
            &["unit"]
        }
        "vcpu" => &["placement", "cpuset"],
        "type" => &["arch"],
        "initenv" => &["name"],
        "uid" | "gid" => &["start", "target", "count"],
        "capabilities" => &["policy"],
        "filesystem" => &["type", "accessmode"],
        "source" => &[
            "dir",
            "dev",
            "file",
            "name",
            "usage",
            "units",
            "bridge",
            "network",
            "portgroup",
            "mode",
        ],
        "target" => &["dir", "dev", "type", "port"],
        "interface" => &["type"],
        "mac" => &["address"],
        "ip" => &["address", "family", "prefix", "peer"],
        "route" => &["family", "address", "prefix", "gateway", "metric"],
        "guest" => &["dev"],
        "link" => &["state"],
        "mtu" => &["size"],
        "console" => &["type"],
        "hostdev" => &["mode", "type", "managed"],
        "vendor" | "product" => &["id"],
        "address" => &["bus", "device"],
        "lxc:sharenet" | "lxc:shareipc" | "lxc:shareuts" => &["type", "value"],
        _ if LIBVIRT_CAPS.contains(&element) => &["state"],
        _ => &[],
    }
}

/// Report attributes the model does not read (X002), keeping each verbatim so that a
/// conversion lists it as a loss instead of dropping it.
fn unknown_attributes<'e>(
    l: &mut Lower<'_>,
    el: &'e Element,
    skip: &std::collections::HashSet<usize>,
    path: &mut Vec<&'e str>,
) {
    // Kept whole (the attributes travel with it) or refused with an error (that says
    // enough).
    if VERBATIM_SUBTREES.contains(&el.name.as_str()) || skip.contains(&el.range.start) {
        return;
    }
    path.push(&el.name);
    let known = known_attributes(&el.name);
    for (name, value, range) in &el.attrs {
        if known.contains(&name.as_str()) || name.starts_with("xmlns") {
            continue;
        }
        let path = path.join("/");
        let i = l.doc.container.unrecognized.len();
        l.doc.container.unrecognized.push(Unrecognized {
            format: "domxml".into(),
            key: format!("{path}/@{name}"),
            value: value.clone(),
            reason: "lxconf does not model this attribute".into(),
            kept_by_reader: KeptByReader(true),
        });
        l.doc.origins.record(("/unrecognized", i), l.o(range));
        let d = Diagnostic::new(
            Code::X002,
            format!("attribute `{name}` of `<{}>` is not modeled: it is ignored", el.name),
        )
        .at(l.o(range))
        .help("lxconf keeps it verbatim and conversions report it as a loss; remove it if it is a mistake");
        l.diags.push(d);
    }
    for child in &el.children {
        unknown_attributes(l, child, skip, path);
    }
    path.pop();
}

/// Children of `<domain>` that libvirt reads once, with XPath `./NAME[1]`: the first wins.
const ROOT_SINGLES: &[&str] = &[
    "name",
    "uuid",
    "title",
    "description",
    "memory",
    "currentMemory",
    "maxMemory",
    "vcpu",
    "os",
    "on_poweroff",
    "on_reboot",
    "on_crash",
];
/// Children of `<os>` that libvirt reads once (`./os/init[1]` ...).
const OS_SINGLES: &[&str] = &["type", "init", "initdir", "inituser", "initgroup"];

/// The children to read: a second `<name>` (any of `singles`) is dropped with X009, as
/// libvirt reads the first and ignores the rest.
fn first_only<'e>(
    l: &mut Lower<'_>,
    children: &'e [Element],
    singles: &[&str],
) -> Vec<&'e Element> {
    let mut seen: Vec<&'e Element> = Vec::new();
    let mut out = Vec::with_capacity(children.len());
    for el in children {
        if !singles.contains(&el.name.as_str()) {
            out.push(el);
            continue;
        }
        match seen.iter().find(|s| s.name == el.name) {
            Some(first) => {
                let d = Diagnostic::new(
                    Code::X009,
                    format!(
                        "a second `<{}>`: libvirt reads the first and ignores this one",
                        el.name
                    ),
                )
                .at(l.o(&el.range))
                .also(l.o(&first.range), "the one libvirt reads")
                .help("remove the duplicate, keeping the value you mean in the first");
                l.diags.push(d);
            }
            None => {
                seen.push(el);
                out.push(el);
            }
        }
    }
    out
}

fn lower_domain(l: &mut Lower<'_>, root: &Element) {
    if root.name != "domain" {
        l.error(
            Code::X003,
            &root.range,
            format!("the root element is `<{}>`, not `<domain>`", root.name),
            "a libvirt domain XML starts with <domain type='lxc'>",
        );
        return;
    }
    if root.attr("type") != Some("lxc") {
        l.error(
            Code::X004,
            &root.range,
            format!(
                "domain type `{}` is not `lxc`",
                root.attr("type").unwrap_or("")
            ),
            "lxconf reads LXC domains: <domain type='lxc'>",
        );
    }
    let mut c = Container {
        namespaces: Namespaces {
            clone: BTreeSet::new(),
            share: Default::default(),
        },
        ..Container::default()
    };
    let mut lv = LibvirtSettings::default();
    let mut consoles = 0u32;
    let mut privnet = false;
    let mut caps = Capabilities::Policy {
        default: CapPolicyDefault::Default,
        states: Default::default(),
    };
    let mut hard_limit = None;
    let mut init_seen = false;
    // Where each <initenv> was, by name: the environment is merged with libvirt's own below.
    let mut env_origins: Vec<(String, Origin)> = Vec::new();
    let mut os_type_exe = true;
    for el in first_only(l, &root.children, ROOT_SINGLES) {
        match el.name.as_str() {
            "name" => {
                c.name = Some(el.text.clone());
                l.doc.origins.record("/name", l.o(&el.range));
            }
            "uuid" => match el.text.trim().parse() {
                Ok(u) => c.uuid = Some(u),
                Err(_) => l.error(
                    Code::X003,
                    &el.range,
                    format!("`{}` is not a uuid", el.text.trim()),
                    "write a uuid such as 6c78636f-6e66-4d00-8000-000000000001",
                ),
            },
            "title" => {
                if el.text.contains('\n') {
                    l.error(
                        Code::X003,
                        &el.range,
                        "a <title> cannot contain a newline".into(),
                        "keep the title on one line; use <description> for more",
                    );
                }
                c.title = Some(el.text.clone());
            }
            "description" => c.description = Some(el.text.clone()),
            "metadata" => lv.metadata = Some(l.text.get(el.span.clone()).unwrap_or("").to_string()),
            "memory" => lv.memory = l.size(el, "unit", "KiB"),
            "currentMemory" => lv.current_memory = l.size(el, "unit", "KiB"),
            "memtune" => {
                for m in &el.children {
                    let v = l.size(m, "unit", "KiB");
                    match m.name.as_str() {
                        "hard_limit" => {
                            hard_limit = v;
                            lv.layout.hard_limit = true;
                        }
                        "soft_limit" => c.resources.memory_soft_limit = v,
                        "swap_hard_limit" => c.resources.memory_swap_limit = v,
                        "min_guarantee" => c.resources.memory_min = v,
                        _ => l.keep(m, &format!("memtune/{}", m.name), "unknown memtune element"),
                    }
                    l.doc
                        .origins
                        .record(format!("/resources/{}", m.name), l.o(&m.range));
                }
            }
            "vcpu" => {
                lv.vcpus = el.text.trim().parse().ok();
                if let Some(set) = el.attr("cpuset") {
                    match set.parse::<CpuSet>().map_err(|e| e.to_string()) {
                        Ok(s) => c.resources.cpuset_cpus = Some(s),
                        Err(e) => {
                            l.error(Code::X003, &el.range, e, "write a CPU list such as 0-3,7")
                        }
                    }
                }
                lv.placement_auto = el.attr("placement") == Some("auto");
            }
            "cputune" => {
                for t in &el.children {
                    let v = t.text.trim();
                    match t.name.as_str() {
                        "shares" => c.resources.cpu_shares = v.parse().ok(),
                        "period" => {
                            c.resources.cpu_period_us = v.parse().ok();
                            if !c
                                .resources
                                .cpu_period_us
                                .is_some_and(|p| (1000..=1_000_000).contains(&p))
                            {
                                l.error(
                                    Code::X003,
                                    &t.range,
                                    format!("cputune period `{v}` is outside 1000..1000000"),
                                    "libvirt accepts periods from 1000 to 1000000 microseconds",
                                );
                            }
                        }
                        "quota" => {
                            c.resources.cpu_quota_us = v.parse().ok();
                            if !c.resources.cpu_quota_us.is_some_and(|q| {
                                q == -1 || (1000..=17_592_186_044_415).contains(&q)
                            }) {
                                l.error(
                                    Code::X003,
                                    &t.range,
                                    format!(
                                        "cputune quota `{v}` is outside -1 or 1000..17592186044415"
                                    ),
                                    "use -1 for no limit, or at least 1000 microseconds",
                                );
                            }
                        }
                        "emulator_period" => lv.emulator_period_us = v.parse().ok(),
                        "emulator_quota" => lv.emulator_quota_us = v.parse().ok(),
                        _ => l.keep(
                            t,
                            &format!("cputune/{}", t.name),
                            "not applied by the LXC driver's model in lxconf",
                        ),
                    }
                }
            }
            "blkiotune" => {
                for t in &el.children {
                    match t.name.as_str() {
                        "weight" => c.resources.blkio_weight = t.text.trim().parse().ok(),
                        "device" => {
                            let path = t
                                .child("path")
                                .map(|p| p.text.trim().to_string())
                                .unwrap_or_default();
                            let device = path
                                .strip_prefix("/dev/block/")
                                .map(String::from)
                                .unwrap_or(path);
                            let num = |n: &str| {
                                t.child(n).and_then(|x| x.text.trim().parse::<u64>().ok())
                            };
                            c.resources.blkio_devices.push(BlkioDevice {
                                device,
                                weight: num("weight").map(|w| w as u32),
                                read_bps: num("read_bytes_sec"),
                                write_bps: num("write_bytes_sec"),
                                read_iops: num("read_iops_sec"),
                                write_iops: num("write_iops_sec"),
                            });
                        }
                        _ => l.keep(
                            t,
                            &format!("blkiotune/{}", t.name),
                            "unknown blkiotune element",
                        ),
                    }
                }
            }
            "numatune" => match (el.child("memory"), el.children.len()) {
                (Some(m), 1) => {
                    match m
                        .attr("nodeset")
                        .map(|s| s.parse::<CpuSet>().map_err(|e| e.to_string()))
                    {
                        Some(Ok(s)) => c.resources.cpuset_mems = Some(s),
                        Some(Err(e)) => {
                            l.error(Code::X003, &m.range, e, "write a node list such as 0-1")
                        }
                        // Without a nodeset, numad places memory (placement='auto').
                        None if m.attr("placement") == Some("auto") || lv.placement_auto => {}
                        None => l.error(
                            Code::X003,
                            &m.range,
                            "<numatune><memory> needs a nodeset or placement='auto'".into(),
                            "add nodeset='0' (or placement='auto')",
                        ),
                    }
                    match m.attr("mode").unwrap_or("strict") {
                        "strict" => {}
                        mode @ ("interleave" | "preferred" | "restrictive") => {
                            lv.numa_mode = Some(mode.to_string())
                        }
                        other => l.error(
                            Code::X003,
                            &m.range,
                            format!("numa memory mode `{other}` is not strict, interleave, preferred or restrictive"),
                            "use mode='strict'",
                        ),
                    }
                }
                _ => l.keep(el, "numatune", "per-node numatune settings"),
            },
            "resource" => lv.partition = el.child("partition").map(|p| p.text.trim().to_string()),
            "os" => {
                for o in first_only(l, &el.children, OS_SINGLES) {
                    match o.name.as_str() {
                        "type" => {
                            os_type_exe = o.text.trim() == "exe";
                            if !os_type_exe {
                                l.error(
                                    Code::X004,
                                    &o.range,
                                    format!("os type `{}` is not `exe`", o.text.trim()),
                                    "LXC guests use <type>exe</type>",
                                );
                            }
                            if let Some(a) = o.attr("arch") {
                                c.arch = Some(match a {
                                    "i686" | "i386" | "i486" | "i586" => "i686".into(),
                                    other => other.to_string(),
                                });
                            }
                        }
                        "init" => {
                            init_seen = true;
                            c.init.command = vec![o.text.trim().to_string()];
                            l.doc.origins.record("/init/command", l.o(&o.range));
                        }
                        "initarg" => {
                            let i = c.init.command.len();
                            l.doc.origins.record(("/init/command", i), l.o(&o.range));
                            c.init.command.push(o.text.clone());
                        }
                        "initenv" => {
                            let n = o.attr("name").unwrap_or("").to_string();
                            env_origins.push((n.clone(), l.o(&o.range)));
                            lv.layout.initenv_order.push(n.clone());
                            if o.text.is_empty() {
                                l.error(Code::X003, &o.range, format!("<initenv name='{n}'> has no value"), "libvirt refuses an empty initenv; remove it or give it a value");
                            }
                            c.init.env.push(EnvVar {
                                name: n,
                                value: Some(o.text.clone()),
                            });
                        }
                        "initdir" => {
                            l.doc.origins.record("/init/cwd", l.o(&o.range));
                            c.init.cwd = Some(o.text.trim().to_string());
                        }
                        "inituser" => {
                            match o.text.trim().strip_prefix('+').map(str::parse::<u32>) {
                                Some(Ok(lxconf_model::values::RESERVED_ID)) => l.error(Code::M041, &o.range, "4294967295 is (uid_t)-1, which setuid reads as \"unchanged\": init would stay root".into(), "use the id init should run as (at most 4294967294)"),
                                Some(Ok(uid)) => c.init.uid = uid,
                                _ => c.init.user_name = Some(o.text.trim().to_string()),
                            }
                        }
                        "initgroup" => match o.text.trim().strip_prefix('+').map(str::parse::<u32>)
                        {
                            Some(Ok(lxconf_model::values::RESERVED_ID)) => l.error(Code::M041, &o.range, "4294967295 is (gid_t)-1, which setgid reads as \"unchanged\": init would keep gid 0".into(), "use the id init should run as (at most 4294967294)"),
                            Some(Ok(gid)) => c.init.gid = gid,
                            _ => c.init.group_name = Some(o.text.trim().to_string()),
                        },
                        _ => l.keep(o, &format!("os/{}", o.name), "not used by the LXC driver"),
                    }
                }
            }
            "idmap" => {
                for m in &el.children {
                    let kind = if m.name == "uid" {
                        IdKind::Uid
                    } else {
                        IdKind::Gid
                    };
                    let n = |a: &str| m.attr(a).and_then(|v| v.parse::<u32>().ok());
                    match (n("start"), n("target"), n("count")) {
                        (Some(s), Some(t), Some(cnt)) => c.idmap.push(IdMap {
                            kind,
                            container_start: s,
                            host_start: t,
                            count: cnt,
                        }),
                        _ => l.error(
                            Code::X003,
                            &m.range,
                            "an idmap entry needs start, target and count".into(),
                            "write <uid start='0' target='100000' count='65536'/>",
                        ),
                    }
                }
            }
            "features" => {
                for f in &el.children {
                    match f.name.as_str() {
                        "privnet" => privnet = true,
                        "capabilities" => {
                            let default = match f.attr("policy").unwrap_or("default") {
                                "allow" => CapPolicyDefault::Allow,
                                "deny" => CapPolicyDefault::Deny,
                                "default" => CapPolicyDefault::Default,
                                other => {
                                    l.error(Code::X003, &f.range, format!("capability policy `{other}` is not default, allow or deny"), "use policy='default', 'allow' or 'deny'");
                                    CapPolicyDefault::Default
                                }
                            };
                            let mut states = std::collections::BTreeMap::new();
                            for s in &f.children {
                                match Cap::from_name(&s.name).filter(|_| LIBVIRT_CAPS.contains(&s.name.as_str())) {
                                    Some(cap) => {
                                        states.insert(cap, s.attr("state") != Some("off"));
                                    }
                                    None => l.error(Code::X003, &s.range, format!("`{}` is not one of libvirt's capability names", s.name), "libvirt 9.0 knows 37 capabilities, in lower case (sys_admin, net_admin, ...)"),
                                }
                            }
                            caps = Capabilities::Policy { default, states };
                            l.doc.origins.record("/capabilities", l.o(&f.range));
                        }
                        _ => l.keep(
                            f,
                            &format!("features/{}", f.name),
                            "not used by the LXC driver",
                        ),
                    }
                }
            }
            "clock" => {
                if el.attr("offset") != Some("utc") || !el.children.is_empty() {
                    l.keep(el, "clock", "clock settings other than utc");
                }
            }
            "on_poweroff" | "on_reboot" | "on_crash" => {
                lv.lifecycle
                    .insert(el.name.clone(), el.text.trim().to_string());
            }
            "devices" => lower_devices(l, el, &mut c, &mut lv, &mut consoles),
            "seclabel" => c
                .security
                .seclabels
                .push(l.text.get(el.span.clone()).unwrap_or("").to_string()),
            "lxc:namespace" => {
                for s in &el.children {
                    let ns = match s.name.as_str() {
                        "lxc:sharenet" => Namespace::Net,
                        "lxc:shareipc" => Namespace::Ipc,
                        "lxc:shareuts" => Namespace::Uts,
                        _ => {
                            l.error(
                                Code::X004,
                                &s.range,
                                format!("unsupported namespace feature `{}`", s.name),
                                "libvirt shares net, ipc and uts only",
                            );
                            continue;
                        }
                    };
                    match s.attr("type") {
                        Some("name") | Some("pid") => {}
                        Some("netns") if ns == Namespace::Net => {}
                        other => {
                            l.error(
                                Code::X003,
                                &s.range,
                                format!("`{}` is not a namespace source here", other.unwrap_or("")),
                                "use type='name' or 'pid' (and 'netns' for sharenet only)",
                            );
                            continue;
                        }
                    }
                    let value = s.attr("value").unwrap_or("");
                    // An `ip netns` name is a file under /run/netns: keep the path, which
                    // cannot be mistaken for a container name.
                    let value = if s.attr("type") == Some("netns") {
                        format!("{NETNS_DIR}/{value}")
                    } else {
                        value.to_string()
                    };
                    l.doc
                        .origins
                        .record(format!("/namespaces/share/{}", ns.name()), l.o(&s.range));
                    c.namespaces.share.insert(ns, value);
                }
            }
            "maxMemory" | "disk" | "graphics" | "input" | "sound" | "video" => {
                l.error(
                    Code::X004,
                    &el.range,
                    format!(
                        "`<{}>` is not supported by libvirt's LXC driver (here)",
                        el.name
                    ),
                    "remove it",
                );
            }
            _ => l.keep(el, &el.name, "lxconf does not model this element"),
        }
    }
    if lv.memory.is_none() {
        l.error(Code::X003, &root.range, "the domain has no <memory>".into(), "add <memory unit='KiB'>65536</memory>: libvirt needs it and enforces it as the memory limit");
    }
    for kind in [IdKind::Uid, IdKind::Gid] {
        let maps: Vec<&IdMap> = c.idmap.iter().filter(|m| m.kind == kind).collect();
        if !c.idmap.is_empty() && maps.is_empty() {
            l.error(
                Code::X003,
                &root.range,
                "uid and gid must both be mapped".into(),
                "add the missing <uid> or <gid> entries to <idmap>",
            );
        }
        if !maps.is_empty() && !maps.iter().any(|m| m.container_start == 0) {
            l.error(
                Code::X003,
                &root.range,
                "the idmap must map the container's root (start='0')".into(),
                "add a range with start='0'",
            );
        }
    }
    if let Some(a) = &c.arch {
        let host = std::env::consts::ARCH;
        let runnable =
            a == host || (host == "x86_64" && a == "i686") || (host == "aarch64" && a == "armv7l");
        if !runnable {
            l.error(
                Code::X003,
                &root.range,
                format!("arch `{a}` cannot run on this {host} host"),
                "libvirt only starts guests of the host's architecture (or its 32-bit companion)",
            );
        }
    }
    if !init_seen && os_type_exe {
        l.error(
            Code::X005,
            &root.range,
            "an exe guest needs an <init>".into(),
            "add <init>/sbin/init</init> inside <os>",
        );
    }
    // libvirt enforces <memory> as the memory limit; <hard_limit> overrides it.
    c.resources.memory_limit = hard_limit.or(lv.memory);
    c.capabilities = caps;
    // Consoles: console 0 is /dev/console, the others are /dev/tty1.. .
    c.console.enabled = consoles > 0;
    c.dev.ttys = consoles.saturating_sub(1);
    c.dev.ptys = LIBVIRT_PTYS;
    c.dev.tmpfs_size = ByteSize(65536);
    c.auto_mounts = AutoMounts {
        proc: Some(ProcMode::Libvirt),
        sys: Some(SysMode::Libvirt),
        cgroup: Some(CgroupAuto {
            flavor: CgroupFlavor::Full,
            mode: Some(CgroupMode::Rw),
            force: true,
        }),
        shmounts: None,
    };
    if c.init.cwd.is_none() {
        c.init.cwd = Some("/".into());
    }
    // Hostname: the domain name filtered to [A-Za-z0-9-], one leading '-' removed.
    let name = c.name.clone().unwrap_or_default();
    let filtered: String = name
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || *ch == '-')
        .collect();
    c.hostname = Some(filtered.strip_prefix('-').unwrap_or(&filtered).to_string());
    // The init environment, in libvirt's order; <initenv> replaces a built-in in place.
    let uuid = c.uuid.map(|u| u.to_string()).unwrap_or_default();
    let mut env: Vec<EnvVar> = [
        ("PATH", LIBVIRT_PATH.to_string()),
        ("TERM", "linux".into()),
        ("container", "lxc-libvirt".into()),
        ("HOME", "/".into()),
        ("container_uuid", uuid.clone()),
    ]
    .into_iter()
    .map(|(n, v)| EnvVar {
        name: n.into(),
        value: Some(v),
    })
    .collect();
    if consoles >= 2 {
        let ttys: Vec<String> = (1..consoles).map(|i| format!("pts/{i}")).collect();
        env.push(EnvVar {
            name: "container_ttys".into(),
            value: Some(ttys.join(" ")),
        });
    }
    env.push(EnvVar {
        name: "LIBVIRT_LXC_UUID".into(),
        value: Some(uuid),
    });
    env.push(EnvVar {
        name: "LIBVIRT_LXC_NAME".into(),
        value: Some(name),
    });
    // By name, through an index: 40,000 <initenv> took 26 s with a scan per variable.
    let mut at: std::collections::HashMap<String, usize> = env
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.clone(), i))
        .collect();
    for e in std::mem::take(&mut c.init.env) {
        match at.get(&e.name) {
            Some(&i) => env[i].value = e.value,
            None => {
                at.insert(e.name.clone(), env.len());
                env.push(e);
            }
        }
    }
    c.init.env = env;
    for (name, origin) in env_origins {
        if let Some(&i) = at.get(&name) {
            l.doc.origins.record(("/init/env", i), origin);
        }
    }
    // Namespaces libvirt creates.
    let mut clone: BTreeSet<Namespace> = [
        Namespace::Mnt,
        Namespace::Pid,
        Namespace::Uts,
        Namespace::Ipc,
    ]
    .into_iter()
    .collect();
    let has_net = privnet || c.networks.iter().any(|n| n.kind != NetKind::None);
    if has_net {
        clone.insert(Namespace::Net);
    } else if !c.namespaces.share.contains_key(&Namespace::Net) {
        // No interface and no privnet: the host's network namespace is shared.
        let i = c.networks.len() as u32;
        c.networks.push(Network::new(i, NetKind::None));
    }
    if privnet && c.networks.is_empty() {
        let mut n = Network::new(0, NetKind::Empty);
        n.name = Some("lo".into());
        n.up = true;
        c.networks.push(n);
    }
    if c.idmap.iter().any(|m| m.kind == IdKind::Uid)
        && c.idmap.iter().any(|m| m.kind == IdKind::Gid)
    {
        clone.insert(Namespace::User);
    }
    for ns in c.namespaces.share.keys() {
        clone.remove(ns);
    }
    c.namespaces.clone = clone;
    c.libvirt = Some(lv);
    // `keep` recorded the verbatim elements on the document while `c` was being built.
    c.unrecognized = std::mem::take(&mut l.doc.container.unrecognized);
    l.doc.container = c;
}

fn lower_devices(
    l: &mut Lower<'_>,
    devices: &Element,
    c: &mut Container,
    lv: &mut LibvirtSettings,
    consoles: &mut u32,
) {
    let (mut fs_ord, mut if_ord) = (0usize, 0usize);
    for d in &devices.children {
        match d.name.as_str() {
            "emulator" => lv.emulator = Some(d.text.trim().to_string()),
            "filesystem" => {
                filesystem(l, d, c, fs_ord);
                fs_ord += 1;
            }
            "interface" => {
                interface(l, d, c, lv, if_ord);
                if_ord += 1;
            }
            "console" => {
                if d.attr("type").unwrap_or("pty") != "pty" {
                    l.error(
                        Code::X004,
                        &d.range,
                        "only pty consoles are supported".into(),
                        "use <console type='pty'>",
                    );
                }
                *consoles += 1;
            }
            "hostdev" => hostdev(l, d, c, lv),
            "disk" | "graphics" | "input" | "sound" | "video" | "controller" => {
                l.error(
                    Code::X004,
                    &d.range,
                    format!(
                        "`<{}>` is not a device the LXC driver (or lxconf) supports",
                        d.name
                    ),
                    "remove it, or use a <filesystem> or <hostdev>",
                );
            }
            _ => l.keep(
                d,
                &format!("devices/{}", d.name),
                "lxconf does not model this device",
            ),
        }
    }
}

fn filesystem(l: &mut Lower<'_>, d: &Element, c: &mut Container, ordinal: usize) {
    let ty = d.attr("type").unwrap_or("mount");
    if !matches!(ty, "template" | "volume") {
        for child in &d.children {
            if !matches!(child.name.as_str(), "source" | "target" | "readonly") {
                l.keep(
                    child,
                    &format!("devices/filesystem[{ordinal}]/{}", child.name),
                    "lxconf does not model this filesystem setting",
                );
            }
        }
    }
    let source = d.child("source");
    let target = d
        .child("target")
        .and_then(|t| t.attr("dir"))
        .unwrap_or("")
        .to_string();
    let readonly = d.child("readonly").is_some();
    if !target.starts_with('/') {
        l.error(
            Code::X003,
            &d.range,
            format!("filesystem target `{target}` is not an absolute path"),
            "write the target as an absolute path inside the container",
        );
        return;
    }
    let src = |a: &str| source.and_then(|s| s.attr(a)).unwrap_or("").to_string();
    let pointer = format!("/mounts/{}", c.mounts.len());
    let mut mount = Mount {
        source: String::new(),
        target: target.clone(),
        fstype: "none".into(),
        options: vec![],
        readonly,
        bind: BindKind::Bind,
        size: None,
        optional: false,
        create: None,
        relative: false,
        dump: 0,
        pass: 0,
    };
    match ty {
        "mount" | "block" | "file" => {
            let (path, backend) = match ty {
                "mount" => (src("dir"), "dir"),
                "block" => (src("dev"), "block"),
                _ => (src("file"), "loop"),
            };
            if target == "/" {
                c.rootfs = Some(Rootfs {
                    path,
                    backend: Some(backend.into()),
                    options: vec![],
                    readonly,
                    mount: None,
                    managed: true,
                });
                l.doc.origins.record("/rootfs", l.o(&d.range));
                return;
            }
            mount.source = path;
            if ty != "mount" {
                mount.bind = BindKind::None;
                mount.fstype = "auto".into();
                if ty == "file" {
                    mount.options.push("loop".into());
                }
            }
        }
        "bind" => {
            // A path inside the container: LXC's `relative` source.
            mount.source = src("dir").trim_start_matches('/').to_string();
            mount.relative = true;
        }
        "ram" => {
            let units = source.and_then(|s| s.attr("units")).unwrap_or("KiB");
            let Some(usage) = source
                .and_then(|s| s.attr("usage"))
                .and_then(|u| u.parse::<u64>().ok())
            else {
                l.error(
                    Code::X003,
                    &d.range,
                    "a ram filesystem needs <source usage='...'>".into(),
                    "give the tmpfs size, e.g. <source usage='65536' units='KiB'/>",
                );
                return;
            };
            let bytes = lxconf_model::values::unit_factor(units)
                .map(|f| usage.saturating_mul(f))
                .unwrap_or(0);
            mount.source = "tmpfs".into();
            mount.fstype = "tmpfs".into();
            mount.bind = BindKind::None;
            mount.options = vec!["nosuid".into(), "nodev".into()];
            mount.size = Some(SizeSpec::Bytes(ByteSize(bytes)));
        }
        "template" | "volume" => {
            l.keep(
                d,
                &format!("devices/filesystem[{ordinal}]"),
                "template and volume filesystems cannot be mounted by the LXC driver",
            );
            return;
        }
        other => {
            l.error(
                Code::X006,
                &d.range,
                format!("unknown filesystem type `{other}`"),
                "use mount, bind, block, file or ram",
            );
            return;
        }
    }
    l.doc.origins.record(pointer, l.o(&d.range));
    c.mounts.push(mount);
}

fn interface(
    l: &mut Lower<'_>,
    d: &Element,
    c: &mut Container,
    lv: &mut LibvirtSettings,
    ordinal: usize,
) {
    let ty = d.attr("type").unwrap_or("");
    let index = c.networks.len() as u32;
    let source = d.child("source");
    let mut n = match ty {
        "bridge" | "network" | "ethernet" => {
            let mut n = Network::new(index, NetKind::Veth);
            match ty {
                "bridge" => n.link = source.and_then(|s| s.attr("bridge")).map(String::from),
                "network" => {
                    n.network = source.and_then(|s| s.attr("network")).map(String::from);
                    n.portgroup = source.and_then(|s| s.attr("portgroup")).map(String::from);
                }
                _ => {}
            }
            n
        }
        "direct" => {
            let mut n = Network::new(index, NetKind::Macvlan);
            n.link = source.and_then(|s| s.attr("dev")).map(String::from);
            n.macvlan_mode = Some(
                match source.and_then(|s| s.attr("mode")).unwrap_or("vepa") {
                    "private" => MacvlanMode::Private,
                    "bridge" => MacvlanMode::Bridge,
                    "passthrough" => MacvlanMode::Passthru,
                    _ => MacvlanMode::Vepa,
                },
            );
            n
        }
        other => {
            l.keep(
                d,
                &format!("devices/interface[{ordinal}]"),
                &format!("interface type `{other}` is not supported by the LXC driver"),
            );
            return;
        }
    };
    let mut layout = InterfaceLayout::default();
    for child in &d.children {
        match child.name.as_str() {
            "mac" => match child.attr("address").unwrap_or("").parse::<MacAddr>() {
                Ok(m) if !m.is_pattern() && !m.is_multicast() => n.hwaddr = Some(m),
                _ => l.error(
                    Code::X007,
                    &child.range,
                    format!(
                        "`{}` is not a unicast MAC address",
                        child.attr("address").unwrap_or("")
                    ),
                    "write six hex octets with an even first octet, e.g. 52:54:00:12:34:56",
                ),
            },
            "source" => {}
            "ip" => ip(l, child, &mut n),
            "route" => route(child, &mut n, &mut layout),
            "guest" => n.name = child.attr("dev").map(String::from),
            "target" => {
                if let Some(v) = n.veth.as_mut() {
                    v.pair = child.attr("dev").map(String::from);
                }
            }
            "link" => {
                n.up = child.attr("state") == Some("up");
                layout.link_state = child.attr("state").map(String::from);
            }
            "mtu" => n.mtu = child.attr("size").and_then(|s| s.parse().ok()),
            _ => l.keep(
                child,
                &format!("devices/interface[{ordinal}]/{}", child.name),
                "lxconf does not model this interface setting",
            ),
        }
    }
    // libvirt brings an interface up when it has addresses, even with link state down.
    if !n.ipv4.is_empty() || !n.ipv6.is_empty() {
        n.up = true;
    }
    // Recorded even when empty: it marks the interface as written by libvirt, whose
    // default link state is not printed.
    lv.layout.interfaces.insert(index, layout);
    l.doc
        .origins
        .record(("/networks", index as usize), l.o(&d.range));
    c.networks.push(n);
}

fn ip(l: &mut Lower<'_>, el: &Element, n: &mut Network) {
    let address = el.attr("address").unwrap_or("");
    let prefix: Option<u8> = el.attr("prefix").and_then(|p| p.parse().ok());
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => n.ipv4.push(Ipv4Cidr {
            address: a,
            prefix: prefix.unwrap_or(24),
            broadcast: None,
            peer: el.attr("peer").and_then(|p| p.parse().ok()),
        }),
        Ok(IpAddr::V6(a)) => n.ipv6.push(Ipv6Cidr {
            address: a,
            prefix: prefix.unwrap_or(64),
            peer: el.attr("peer").and_then(|p| p.parse().ok()),
        }),
        Err(_) => l.error(
            Code::X003,
            &el.range,
            format!("`{address}` is not an IP address"),
            "write an IPv4 or IPv6 address",
        ),
    }
}

fn route(el: &Element, n: &mut Network, layout: &mut InterfaceLayout) {
    let address: Option<IpAddr> = el.attr("address").and_then(|a| a.parse().ok());
    let gateway: Option<IpAddr> = el.attr("gateway").and_then(|a| a.parse().ok());
    let prefix: Option<u8> = el.attr("prefix").and_then(|p| p.parse().ok());
    let default = address.is_some_and(|a| a.is_unspecified()) && prefix.unwrap_or(0) == 0;
    let metric: Option<u32> = el.attr("metric").and_then(|m| m.parse().ok());
    match (default && metric.is_none(), gateway) {
        (true, Some(g @ IpAddr::V4(_))) => {
            n.ipv4_gateway = Some(Gateway::Address(g));
            layout.routes.push("ipv4_gateway".into());
        }
        (true, Some(g @ IpAddr::V6(_))) => {
            n.ipv6_gateway = Some(Gateway::Address(g));
            layout.routes.push("ipv6_gateway".into());
        }
        _ => {
            if let Some(a) = address {
                layout.routes.push(n.routes.len().to_string());
                n.routes.push(Route {
                    address: a,
                    prefix: prefix.unwrap_or(if a.is_ipv4() { 32 } else { 128 }),
                    gateway,
                    metric,
                });
            }
        }
    }
}

fn hostdev(l: &mut Lower<'_>, d: &Element, c: &mut Container, lv: &mut LibvirtSettings) {
    let mode = d.attr("mode").unwrap_or("subsystem");
    let ty = d.attr("type").unwrap_or("");
    let source = d.child("source");
    match (mode, ty) {
        ("capabilities", "net") => {
            let index = c.networks.len() as u32;
            lv.layout.hostdevs.push(format!("networks/{index}"));
            let mut n = Network::new(index, NetKind::Phys);
            n.link = source
                .and_then(|s| s.child("interface"))
                .map(|i| i.text.trim().to_string());
            let mut layout = InterfaceLayout::default();
            if let Some(src) = source {
                for child in src.children.iter().filter(|c| c.name != "interface") {
                    l.keep(
                        child,
                        &format!("devices/hostdev/source/{}", child.name),
                        "lxconf does not model this hostdev setting",
                    );
                }
            }
            for child in &d.children {
                match child.name.as_str() {
                    "ip" => ip(l, child, &mut n),
                    "route" => route(child, &mut n, &mut layout),
                    "source" => {}
                    other => l.keep(
                        child,
                        &format!("devices/hostdev/{other}"),
                        "lxconf does not model this hostdev setting",
                    ),
                }
            }
            n.up = !n.ipv4.is_empty() || !n.ipv6.is_empty();
            // Recorded even when empty: it marks the interface as written by libvirt, whose
            // default link state is not printed.
            lv.layout.interfaces.insert(index, layout);
            c.networks.push(n);
        }
        ("capabilities", "storage") | ("capabilities", "misc") => {
            let el = if ty == "storage" { "block" } else { "char" };
            let path = source
                .and_then(|s| s.child(el))
                .map(|b| b.text.trim().to_string())
                .unwrap_or_default();
            lv.layout
                .hostdevs
                .push(format!("host_devices/{}", c.host_devices.len()));
            c.host_devices.push(HostDevice {
                kind: if ty == "storage" {
                    HostDeviceKind::Storage
                } else {
                    HostDeviceKind::Misc
                },
                source: path,
            });
        }
        ("subsystem", "usb") => {
            // `bus:device`, or `vendor/product` ids.
            let id = match source.and_then(|s| s.child("address")) {
                Some(a) => format!(
                    "{}:{}",
                    a.attr("bus").unwrap_or(""),
                    a.attr("device").unwrap_or("")
                ),
                None => {
                    let v = source
                        .and_then(|s| s.child("vendor"))
                        .and_then(|v| v.attr("id"))
                        .unwrap_or("");
                    let p = source
                        .and_then(|s| s.child("product"))
                        .and_then(|p| p.attr("id"))
                        .unwrap_or("");
                    format!("{v}/{p}")
                }
            };
            lv.layout
                .hostdevs
                .push(format!("host_devices/{}", c.host_devices.len()));
            c.host_devices.push(HostDevice {
                kind: HostDeviceKind::Usb,
                source: id,
            });
        }
        _ => l.keep(
            d,
            "devices/hostdev",
            "hostdev kind not supported by the LXC driver",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "<domain type='lxc'>\n  <name>web</name>\n  <uuid>6c78636f-6e66-4d00-8000-000000000001</uuid>\n  <memory unit='KiB'>65536</memory>\n  <os>\n    <type arch='x86_64'>exe</type>\n    <init>/bin/sh</init>\n    <initarg>-c</initarg>\n    <initenv name='PATH'>/usr/bin</initenv>\n  </os>\n  <devices>\n    <console type='pty'/>\n    <console type='pty'/>\n  </devices>\n</domain>\n";

    #[test]
    fn libvirt_defaults_are_explicit() {
        let l = load("d.xml", MINIMAL);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let c = &l.document.container;
        assert_eq!(c.init.command, ["/bin/sh", "-c"]);
        assert_eq!(
            c.init.env[0].value.as_deref(),
            Some("/usr/bin"),
            "initenv replaces PATH in place"
        );
        assert!(c
            .init
            .env
            .iter()
            .any(|e| e.name == "container" && e.value.as_deref() == Some("lxc-libvirt")));
        assert!(c
            .init
            .env
            .iter()
            .any(|e| e.name == "container_ttys" && e.value.as_deref() == Some("pts/1")));
        assert_eq!(c.resources.memory_limit, Some(ByteSize(64 << 20)));
        assert_eq!(c.capabilities.dropped().len(), 6);
        assert_eq!(c.dev.ttys, 1);
        assert!(!c.namespaces.clone.contains(&Namespace::Net));
        assert_eq!(c.hostname.as_deref(), Some("web"));
    }

    #[test]
    fn unmodeled_elements_are_kept_with_a_locator_key() {
        let xml = MINIMAL.replacen(
            "    <console type='pty'/>\n",
            "    <serial type='pty'/>\n    <console type='pty'/>\n",
            1,
        );
        let l = load("d.xml", &xml);
        let kept = &l.document.container.unrecognized;
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(kept[0].key, "devices/serial");
        assert_eq!(kept[0].value, "<serial type='pty'/>");
        assert!(l.diagnostics.iter().any(|d| d.code == Code::X002));
    }

    #[test]
    fn a_shared_netns_is_its_path_and_numa_modes_are_kept() {
        let xml = MINIMAL
            .replace(
                "<domain type='lxc'>",
                "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>",
            )
            .replace(
                "</devices>\n",
                "</devices>\n  <lxc:namespace>\n    <lxc:sharenet type='netns' value='blue'/>\n  </lxc:namespace>\n",
            )
            .replace(
                "  <os>",
                "  <numatune>\n    <memory mode='interleave' nodeset='0-1'/>\n  </numatune>\n  <os>",
            );
        let l = load("d.xml", &xml);
        assert!(!l.has_errors(), "{:?}", l.diagnostics);
        let c = &l.document.container;
        assert_eq!(
            c.namespaces.share.get(&Namespace::Net).map(String::as_str),
            Some("/run/netns/blue")
        );
        let lv = c.libvirt.as_ref().unwrap();
        assert_eq!(lv.numa_mode.as_deref(), Some("interleave"));
        assert_eq!(
            c.resources
                .cpuset_mems
                .as_ref()
                .map(|s| s.to_string())
                .as_deref(),
            Some("0-1")
        );
    }

    #[test]
    fn unknown_attributes_are_reported_and_kept() {
        let xml = MINIMAL.replace(
            "<console type='pty'/>",
            "<console type='pty' tty='/dev/pts/3'/>",
        );
        let l = load("d.xml", &xml);
        assert!(!l.has_errors());
        let kept = &l.document.container.unrecognized;
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert_eq!(kept[0].key, "domain/devices/console/@tty");
        assert_eq!(kept[0].value, "/dev/pts/3");
        let d = l
            .diagnostics
            .iter()
            .find(|d| d.code == Code::X002)
            .expect("X002");
        let at = d.primary.as_ref().expect("located").origin;
        assert_eq!(&xml[at.start as usize..at.end as usize], "/dev/pts/3");
    }

    #[test]
    fn syntax_errors_are_located() {
        let l = load("d.xml", "<domain type='lxc'>\n  <name>x</nam>\n</domain>\n");
        assert_eq!(l.diagnostics[0].code, Code::X001);
        assert!(l.diagnostics[0].primary.is_some());
    }

    #[test]
    fn exe_without_init_and_a_disk_are_errors() {
        let l = load("d.xml", "<domain type='lxc'><name>x</name><os><type>exe</type></os><devices><disk type='file'/></devices></domain>");
        let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
        assert!(
            codes.contains(&Code::X004) && codes.contains(&Code::X005),
            "{codes:?}"
        );
    }

    #[test]
    fn the_lxc_namespace_is_matched_by_uri_not_by_prefix() {
        let share =
            "</devices>\n  <x:namespace><x:sharenet type='netns' value='blue'/></x:namespace>\n";
        let xml = MINIMAL.replace("</devices>\n", share).replace(
            "<domain type='lxc'>",
            "<domain type='lxc' xmlns:x='http://libvirt.org/schemas/domain/lxc/1.0'>",
        );
        let l = load("d.xml", &xml);
        assert!(l
            .document
            .container
            .namespaces
            .share
            .contains_key(&Namespace::Net));
        // `lxc:` bound to another URI is not libvirt's namespace: kept, not applied.
        let other = share.replace("x:", "lxc:");
        let xml = MINIMAL.replace("</devices>\n", &other).replace(
            "<domain type='lxc'>",
            "<domain type='lxc' xmlns:lxc='http://example.com/not-lxc'>",
        );
        let l = load("d.xml", &xml);
        assert!(l.document.container.namespaces.share.is_empty());
        assert!(l.diagnostics.iter().any(|d| d.code == Code::X002));
    }

    #[test]
    fn nesting_past_the_limit_is_refused_without_recursion() {
        let deep = format!("<domain type='lxc'>{}", "<a>".repeat(200_000));
        let l = load("d.xml", &deep);
        assert_eq!(l.diagnostics.len(), 1);
        assert_eq!(l.diagnostics[0].code, Code::I006);
    }

    #[test]
    fn a_duplicate_name_memory_or_init_keeps_the_first_as_libvirt_does() {
        let xml = MINIMAL
            .replace("<name>web</name>", "<name>web</name><name>evil</name>")
            .replace(
                "<init>/bin/sh</init>",
                "<init>/bin/sh</init><init>/evil</init>",
            )
            .replace(
                "<memory unit='KiB'>65536</memory>",
                "<memory unit='KiB'>65536</memory><memory>1</memory>",
            );
        let l = load("d.xml", &xml);
        let c = &l.document.container;
        assert_eq!(c.name.as_deref(), Some("web"));
        assert_eq!(c.init.command[0], "/bin/sh");
        let dups = l
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::X009)
            .count();
        assert_eq!(dups, 3, "{:?}", l.diagnostics);
    }

    #[test]
    fn invalid_utf8_and_foreign_encodings_are_errors() {
        let xml = MINIMAL.replace("web", "w\u{fffd}b");
        let l = load("d.xml", &xml);
        assert!(l
            .diagnostics
            .iter()
            .any(|d| d.code == Code::X008 && d.is_error()));
        let latin1 = format!("<?xml version='1.0' encoding='ISO-8859-1'?>\n{MINIMAL}");
        let l = load("d.xml", &latin1);
        assert_eq!(l.diagnostics[0].code, Code::X010);
        let utf16 = format!("<?xml version='1.0' encoding='UTF-16'?>\n{MINIMAL}");
        assert!(load("d.xml", &utf16).diagnostics.is_empty());
    }

    #[test]
    fn attribute_values_are_located_on_a_line_with_thousands_of_attributes() {
        let attrs: String = (0..6000).map(|i| format!(" a{i}='v{i}'")).collect();
        let xml = MINIMAL.replace(
            "<console type='pty'/>\n    <console",
            &format!("<console type='pty'{attrs}/>\n    <console"),
        );
        let l = load("d.xml", &xml);
        let d = l
            .diagnostics
            .iter()
            .find(|d| d.message.contains("`a5999`"))
            .expect("a5999");
        let r = d.primary.as_ref().expect("located").origin.range();
        assert_eq!(&xml[r], "v5999");
    }
}
