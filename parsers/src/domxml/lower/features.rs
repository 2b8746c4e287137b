//! `<idmap>`, `<features>` and `<lxc:namespace>`: user namespace maps, capabilities and
//! private networking, and the namespaces shared with other domains or processes.

use super::Building;
use crate::domxml::tree::Element;
use crate::domxml::{Lower, NETNS_DIR};
use lxconf_model::model::*;
use lxconf_model::values::LIBVIRT_CAPS;
use lxconf_model::{pointer, Cap, Code, Namespace};

/// `<idmap>`: every `<uid>`/`<gid>` needs start, target and count.
pub(super) fn idmap(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { c, .. } = b;
    l.doc.origins.record(pointer::IDMAP, l.o(&el.range));
    for m in &el.children {
        let kind = if m.name == "uid" {
            IdKind::Uid
        } else {
            IdKind::Gid
        };
        let n = |a: &str| m.attr(a).and_then(|v| v.parse::<u32>().ok());
        match (n("start"), n("target"), n("count")) {
            (Some(s), Some(t), Some(cnt)) => {
                l.doc
                    .origins
                    .record(pointer::item(pointer::IDMAP, c.idmap.len()), l.o(&m.range));
                c.idmap.push(IdMap {
                    kind,
                    container_start: s,
                    host_start: t,
                    count: cnt,
                });
            }
            _ => l.error(
                Code::X003,
                &m.range,
                "an idmap entry needs start, target and count".into(),
                "write <uid start='0' target='100000' count='65536'/>",
            ),
        }
    }
}

/// `<features>`: `<privnet>` and the `<capabilities>` policy; other features are kept.
pub(super) fn features(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { privnet, caps, .. } = b;
    for f in &el.children {
        match f.name.as_str() {
            "privnet" => *privnet = true,
            "capabilities" => {
                let default = match f.attr("policy").unwrap_or("default") {
                    "allow" => CapPolicyDefault::Allow,
                    "deny" => CapPolicyDefault::Deny,
                    "default" => CapPolicyDefault::Default,
                    other => {
                        l.error(
                            Code::X003,
                            &f.range,
                            format!("capability policy `{other}` is not default, allow or deny"),
                            "use policy='default', 'allow' or 'deny'",
                        );
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
                *caps = Capabilities::Policy { default, states };
                l.doc.origins.record(pointer::CAPABILITIES, l.o(&f.range));
            }
            _ => l.keep(
                f,
                &format!("features/{}", f.name),
                "not used by the LXC driver",
            ),
        }
    }
}

/// `<lxc:namespace>`: net, ipc and uts shared by domain name, pid or `ip netns` name.
pub(super) fn lxc_namespace(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { c, .. } = b;
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
        l.doc.origins.record(
            pointer::entry(pointer::NAMESPACES_SHARE, ns.name()),
            l.o(&s.range),
        );
        c.namespaces.share.insert(ns, value);
    }
}
