//! `<idmap>` and `<features>`: user namespace maps, private networking and the capability
//! policy.

use super::writer::W;
use lxconf_model::model::*;
use lxconf_model::pointer;
use lxconf_model::values::LIBVIRT_CAPS;
use lxconf_model::Namespace;

/// `<idmap>`: uid maps, then gid maps.
pub(super) fn idmap(w: &mut W<'_>, c: &Container) {
    if !c.idmap.is_empty() {
        w.open("idmap", &[]);
        for kind in [IdKind::Uid, IdKind::Gid] {
            for m in c.idmap.iter().filter(|m| m.kind == kind) {
                let name = if kind == IdKind::Uid { "uid" } else { "gid" };
                w.empty(
                    name,
                    &[
                        ("start", m.container_start.to_string()),
                        ("target", m.host_start.to_string()),
                        ("count", m.count.to_string()),
                    ],
                );
            }
        }
        w.close("idmap");
    }
}

/// Whether a network is written as an `<interface>` or a net `<hostdev>` (an ipvlan, a
/// pass-through without one host interface and a vlan without an id are losses).
fn becomes_device(n: &Network) -> bool {
    let one_link = n.link.as_ref().is_some_and(|l| !l.ends_with('+'));
    match n.kind {
        NetKind::Veth | NetKind::Macvlan => true,
        NetKind::Phys => one_link,
        NetKind::Vlan => one_link && n.vlan_id.is_some(),
        NetKind::None | NetKind::Empty | NetKind::Ipvlan => false,
    }
}

/// `<features>`: `<privnet>` when the container has a network of its own and no interface,
/// `<capabilities>` unless libvirt's default policy.
pub(super) fn features(w: &mut W<'_>, c: &Container) {
    // Without <privnet/>, a container whose networks are all lost would share the host's.
    let interfaces = c.networks.iter().filter(|n| becomes_device(n)).count();
    let shares_host_net = c.networks.iter().any(|n| n.kind == NetKind::None)
        && !c.namespaces.clone.contains(&Namespace::Net);
    let privnet =
        interfaces == 0 && !shares_host_net && !c.namespaces.share.contains_key(&Namespace::Net);
    let default_policy = matches!(&c.capabilities, Capabilities::Policy { default: CapPolicyDefault::Default, states } if states.is_empty());
    let features = privnet || !default_policy || !w.kept_keys("features").is_empty();
    if features {
        w.open("features", &[]);
    }
    if privnet {
        w.empty("privnet", &[]);
    } else {
        // A `<privnet/>` libvirt printed next to interfaces, kept from a source.
        w.kept("features/privnet");
    }
    let (policy, states) = capability_states(&c.capabilities);
    let unknown: Vec<&str> = c
        .capabilities
        .dropped()
        .iter()
        .map(|c| c.name())
        .filter(|n| !LIBVIRT_CAPS.contains(n))
        .collect();
    // Under policy deny libvirt clears the whole bounding set (capng_clear), so capabilities
    // it has no name for are dropped too; only a drop list cannot reach them.
    let denies_all = matches!(
        c.capabilities,
        Capabilities::Keep { .. }
            | Capabilities::Policy {
                default: CapPolicyDefault::Deny,
                ..
            }
    );
    if !unknown.is_empty() && !denies_all {
        w.loss(
            pointer::CAPABILITIES,
            format!("dropping {}", unknown.join(", ")),
            "libvirt 9.0 does not know these capabilities",
        );
    }
    // Under policy deny, a capability libvirt cannot name cannot be turned back on.
    if let Capabilities::Keep { caps } = &c.capabilities {
        let unnamed: Vec<&str> = caps
            .iter()
            .map(|c| c.name())
            .filter(|n| !LIBVIRT_CAPS.contains(n))
            .collect();
        if !unnamed.is_empty() {
            w.loss(
                pointer::CAPABILITIES,
                format!("keeping {}", unnamed.join(", ")),
                "libvirt 9.0 does not know these capabilities, so its deny policy drops them",
            );
        }
    }
    if default_policy {
        // libvirt's default policy needs no element.
    } else if states.is_empty() {
        w.empty("capabilities", &[("policy", policy.into())]);
    } else {
        w.open("capabilities", &[("policy", policy.into())]);
        for (n, s) in states {
            w.empty(n, &[("state", s.into())]);
        }
        w.close("capabilities");
    }
    if features {
        w.kept_children("features");
        w.close("features");
    }
}

/// libvirt's policy name and the `<NAME state='on|off'/>` children for the model's capabilities.
fn capability_states(caps: &Capabilities) -> (&'static str, Vec<(&'static str, &'static str)>) {
    match caps {
        Capabilities::Policy { default, states } => {
            let p = match default {
                CapPolicyDefault::Default => "default",
                CapPolicyDefault::Allow => "allow",
                CapPolicyDefault::Deny => "deny",
            };
            (
                p,
                LIBVIRT_CAPS
                    .iter()
                    .filter_map(|n| {
                        states
                            .iter()
                            .find(|(c, _)| c.name() == *n)
                            .map(|(_, on)| (*n, if *on { "on" } else { "off" }))
                    })
                    .collect(),
            )
        }
        Capabilities::Drop { caps } => (
            "allow",
            LIBVIRT_CAPS
                .iter()
                .filter(|n| caps.iter().any(|c| c.name() == **n))
                .map(|n| (*n, "off"))
                .collect(),
        ),
        Capabilities::Keep { caps } => (
            "deny",
            LIBVIRT_CAPS
                .iter()
                .filter(|n| caps.iter().any(|c| c.name() == **n))
                .map(|n| (*n, "on"))
                .collect(),
        ),
    }
}
