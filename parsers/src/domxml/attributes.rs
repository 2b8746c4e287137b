//! The attribute whitelist: which attributes lxconf reads per element, and the X002
//! report (with a verbatim copy) for every other attribute.

use super::tree::Element;
use super::Lower;
use lxconf_model::model::*;
use lxconf_model::values::LIBVIRT_CAPS;
use lxconf_model::{pointer, Code, Diagnostic};
use std::collections::HashSet;

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
        "vcpu" => &["placement", "cpuset", "current"],
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
        "route" => &[
            "family", "address", "netmask", "prefix", "gateway", "metric",
        ],
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
pub(super) fn unknown_attributes<'e>(
    l: &mut Lower<'_>,
    el: &'e Element,
    skip: &HashSet<usize>,
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
        l.doc
            .origins
            .record(pointer::item(pointer::UNRECOGNIZED, i), l.o(range));
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
