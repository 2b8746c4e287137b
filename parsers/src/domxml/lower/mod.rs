//! `<domain>` to the model: one function per element, in the files of this module by
//! concern, gathered into a [`Building`] and finished with libvirt's LXC driver defaults
//! (`finish`).

mod devices;
mod features;
mod finish;
mod os;
mod resources;

use super::tree::Element;
use super::Lower;
use lxconf_model::model::*;
use lxconf_model::{pointer, ByteSize, Code, Diagnostic, Origin};
use std::collections::BTreeSet;

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

/// What the children of `<domain>` set, before libvirt's defaults complete it.
pub(super) struct Building {
    c: Container,
    lv: LibvirtSettings,
    /// `<console>` elements: the first is /dev/console, the others ttys.
    consoles: u32,
    privnet: bool,
    caps: Capabilities,
    /// `<memtune><hard_limit>`, which overrides `<memory>` as the memory limit.
    hard_limit: Option<ByteSize>,
    init_seen: bool,
    /// Where each <initenv> was, by name: the environment is merged with libvirt's own later.
    env_origins: Vec<(String, Origin)>,
    os_type_exe: bool,
}

impl Building {
    fn new() -> Self {
        Building {
            c: Container {
                namespaces: Namespaces {
                    clone: BTreeSet::new(),
                    share: Default::default(),
                },
                ..Container::default()
            },
            lv: LibvirtSettings::default(),
            consoles: 0,
            privnet: false,
            caps: Capabilities::Policy {
                default: CapPolicyDefault::Default,
                states: Default::default(),
            },
            hard_limit: None,
            init_seen: false,
            env_origins: Vec::new(),
            os_type_exe: true,
        }
    }
}

/// Lower the root element into `l.doc`.
pub(super) fn lower_domain(l: &mut Lower<'_>, root: &Element) {
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
    let mut b = Building::new();
    for el in first_only(l, &root.children, ROOT_SINGLES) {
        element(l, el, &mut b);
    }
    finish::derive_uuid(l, root, &mut b);
    finish::privnet_layout(l, root, &b);
    finish::check(l, root, &b);
    finish::complete(l, b);
}

/// One child of `<domain>`.
fn element(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { c, lv, .. } = b;
    match el.name.as_str() {
        "name" => {
            c.name = Some(el.text.clone());
            l.doc.origins.record(pointer::NAME, l.o(&el.range));
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
        "memtune" => resources::memtune(l, el, b),
        "vcpu" => resources::vcpu(l, el, b),
        "cputune" => resources::cputune(l, el, b),
        "blkiotune" => resources::blkiotune(l, el, b),
        "numatune" => resources::numatune(l, el, b),
        "resource" => lv.partition = el.child("partition").map(|p| p.text.trim().to_string()),
        "os" => os::os(l, el, b),
        "idmap" => features::idmap(l, el, b),
        "features" => features::features(l, el, b),
        "clock" => {
            if el.attr("offset") != Some("utc") || !el.children.is_empty() {
                l.keep(el, "clock", "clock settings other than utc");
            }
        }
        "on_poweroff" | "on_reboot" | "on_crash" => {
            lv.lifecycle
                .insert(el.name.clone(), el.text.trim().to_string());
        }
        "devices" => devices::lower_devices(l, el, &mut b.c, &mut b.lv, &mut b.consoles),
        "seclabel" => c
            .security
            .seclabels
            .push(l.text.get(el.span.clone()).unwrap_or("").to_string()),
        "lxc:namespace" => features::lxc_namespace(l, el, b),
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
