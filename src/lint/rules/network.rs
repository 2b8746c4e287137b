//! Network rules.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::model::{Gateway, NetKind, Network, VethMode};
use lxconf_model::pointer;
use lxconf_model::{Code, Diagnostic, Severity};
use lxconf_parse::lxc::keys::{net_key, Key};
use std::net::IpAddr;

/// The network rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M010,
        fixable: Fixable::No,
        check: Check::Model(hwaddr_multicast),
    },
    RuleDef {
        code: Code::M011,
        fixable: Fixable::No,
        check: Check::Model(hwaddr_duplicate),
    },
    RuleDef {
        code: Code::M012,
        fixable: Fixable::No,
        check: Check::Model(without_link),
    },
    RuleDef {
        code: Code::M013,
        fixable: Fixable::No,
        check: Check::Model(vlan_without_id),
    },
    RuleDef {
        code: Code::M014,
        fixable: Fixable::No,
        check: Check::Model(gateway_outside_subnet),
    },
    RuleDef {
        code: Code::M015,
        fixable: Fixable::No,
        check: Check::Model(mtu_range),
    },
    RuleDef {
        code: Code::M016,
        fixable: Fixable::No,
        check: Check::Model(index_gap),
    },
    RuleDef {
        code: Code::M028,
        fixable: Fixable::No,
        check: Check::Model(duplicate_name),
    },
];

fn net_field(
    ctx: &ModelCtx<'_>,
    i: usize,
    net: &Network,
    field: &str,
    sub: &str,
) -> Option<lxconf_model::Origin> {
    let index = net.index;
    ctx.field(
        &pointer::item_field(pointer::NETWORKS, i, field),
        |k| matches!(k, Key::Net(n, s) if *n == index && *s == sub),
    )
}

fn diag_at(
    ctx: &ModelCtx<'_>,
    code: Code,
    i: usize,
    net: &Network,
    field: &str,
    sub: &str,
    message: String,
) -> Diagnostic {
    let d = Diagnostic::new(code, message);
    match net_field(ctx, i, net, field, sub) {
        Some(o) => d.at(o),
        None => d,
    }
}

fn hwaddr_multicast(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, net) in ctx.document.container.networks.iter().enumerate() {
        if let Some(mac) = net.hwaddr.as_ref().filter(|m| m.is_multicast()) {
            out.push(
                diag_at(
                    ctx,
                    Code::M010,
                    i,
                    net,
                    "hwaddr",
                    "hwaddr",
                    format!("`{mac}` is a multicast MAC address"),
                )
                .help("the first octet must be even; use e.g. `00:16:3e:xx:xx:xx`"),
            );
        }
    }
}

fn hwaddr_duplicate(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let nets = &ctx.document.container.networks;
    for (j, net) in nets.iter().enumerate() {
        let Some(mac) = net.hwaddr.as_ref().filter(|m| !m.is_pattern()) else {
            continue;
        };
        if let Some(i) = nets[..j]
            .iter()
            .position(|p| p.hwaddr.as_ref() == Some(mac))
        {
            let mut d = diag_at(
                ctx,
                Code::M011,
                j,
                net,
                "hwaddr",
                "hwaddr",
                format!(
                    "MAC address `{mac}` is used by network {} too",
                    nets[i].index
                ),
            );
            if let Some(o) = net_field(ctx, i, &nets[i], "hwaddr", "hwaddr") {
                d = d.also(o, "first use");
            }
            out.push(
                d.help("give each interface its own address, or use `xx` digits for random ones"),
            );
        }
    }
}

fn kind_name(k: NetKind) -> &'static str {
    match k {
        NetKind::None => "none",
        NetKind::Empty => "empty",
        NetKind::Veth => "veth",
        NetKind::Macvlan => "macvlan",
        NetKind::Ipvlan => "ipvlan",
        NetKind::Vlan => "vlan",
        NetKind::Phys => "phys",
    }
}

fn without_link(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, net) in ctx.document.container.networks.iter().enumerate() {
        if net.link.is_some() || net.network.is_some() {
            continue;
        }
        let severity = match net.kind {
            NetKind::Macvlan | NetKind::Ipvlan | NetKind::Vlan | NetKind::Phys => Severity::Error,
            // libvirt's `<interface type='ethernet'>` is a veth left unattached on purpose.
            NetKind::Veth
                if ctx.document.container.libvirt.is_none()
                    && net.script_up.is_none()
                    && net.veth.as_ref().is_none_or(|v| v.mode == VethMode::Bridge) =>
            {
                Severity::Warning
            }
            _ => continue,
        };
        let kind = kind_name(net.kind);
        let help = if net.kind == NetKind::Veth {
            format!(
                "the host side is attached to no bridge; add `{} = lxcbr0` (or your bridge)",
                net_key(net.index, "link", false)
            )
        } else {
            format!(
                "a {kind} interface needs the host interface it is created on: add `{} = eth0`",
                net_key(net.index, "link", false)
            )
        };
        let d = diag_at(
            ctx,
            Code::M012,
            i,
            net,
            "type",
            "type",
            format!("{kind} network {} has no `link`", net.index),
        );
        let d = if d.severity > severity {
            d.severity(severity)
        } else {
            d
        };
        out.push(d.help(help));
    }
}

fn vlan_without_id(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, net) in ctx.document.container.networks.iter().enumerate() {
        if net.kind == NetKind::Vlan && net.vlan_id.is_none() {
            out.push(
                diag_at(
                    ctx,
                    Code::M013,
                    i,
                    net,
                    "type",
                    "type",
                    format!("vlan network {} has no `vlan.id`", net.index),
                )
                .help(format!(
                    "add `{} = ID` (1..4094)",
                    net_key(net.index, "vlan.id", false)
                )),
            );
        }
    }
}

fn in_subnet(addr: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let p = u32::from(prefix.min(32));
            let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let p = u32::from(prefix.min(128));
            let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn gateway_outside_subnet(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, net) in ctx.document.container.networks.iter().enumerate() {
        if let Some(Gateway::Address(gw)) = net.ipv4_gateway {
            if !net.ipv4.is_empty()
                && !net
                    .ipv4
                    .iter()
                    .any(|a| in_subnet(gw, IpAddr::V4(a.address), a.prefix))
            {
                let nets: Vec<String> = net
                    .ipv4
                    .iter()
                    .map(|a| format!("{}/{}", a.address, a.prefix))
                    .collect();
                out.push(
                    diag_at(ctx, Code::M014, i, net, "ipv4_gateway", "ipv4.gateway", format!("IPv4 gateway `{gw}` is outside the interface's subnet ({})", nets.join(", ")))
                        .help("the kernel cannot route through it; use a gateway inside the subnet or fix the prefix"),
                );
            }
        }
        if let Some(Gateway::Address(IpAddr::V6(gw))) = net.ipv6_gateway {
            let link_local = (gw.segments()[0] & 0xffc0) == 0xfe80;
            if !link_local
                && !net.ipv6.is_empty()
                && !net
                    .ipv6
                    .iter()
                    .any(|a| in_subnet(IpAddr::V6(gw), IpAddr::V6(a.address), a.prefix))
            {
                out.push(
                    diag_at(ctx, Code::M014, i, net, "ipv6_gateway", "ipv6.gateway", format!("IPv6 gateway `{gw}` is outside the interface's subnets"))
                        .help("use a gateway inside the subnet, a link-local (fe80::) address, or fix the prefix"),
                );
            }
        }
    }
}

fn mtu_range(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, net) in ctx.document.container.networks.iter().enumerate() {
        let Some(mtu) = net.mtu else { continue };
        let (min, why) = if net.ipv6.is_empty() {
            (68, "IPv4 needs at least 68")
        } else {
            (1280, "IPv6 needs at least 1280")
        };
        if mtu < min || mtu > 65535 {
            let reason = if mtu > 65535 {
                "the kernel's maximum is 65535"
            } else {
                why
            };
            out.push(
                diag_at(
                    ctx,
                    Code::M015,
                    i,
                    net,
                    "mtu",
                    "mtu",
                    format!(
                        "MTU {mtu} of network {} is out of range: {reason}",
                        net.index
                    ),
                )
                .help("use the MTU of the link, usually 1500"),
            );
        }
    }
}

fn index_gap(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.is_lxc() {
        return;
    }
    let mut expected = 0u32;
    for (i, net) in ctx.document.container.networks.iter().enumerate() {
        if net.index != expected {
            let missing = if net.index == expected + 1 {
                format!("{expected}")
            } else {
                format!("{expected}..{}", net.index - 1)
            };
            out.push(
                diag_at(ctx, Code::M016, i, net, "type", "type", format!("network {} follows a gap: no network {missing}", net.index))
                    .help("number interfaces without gaps; a gap usually means a deleted or renumbered interface"),
            );
        }
        expected = net.index + 1;
    }
}

fn duplicate_name(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let nets = &ctx.document.container.networks;
    for (j, net) in nets.iter().enumerate() {
        let Some(name) = &net.name else { continue };
        if let Some(i) = nets[..j].iter().position(|p| p.name.as_ref() == Some(name)) {
            let mut d = diag_at(
                ctx,
                Code::M028,
                j,
                net,
                "name",
                "name",
                format!(
                    "interface name `{name}` is used by network {} too",
                    nets[i].index
                ),
            );
            if let Some(o) = net_field(ctx, i, &nets[i], "name", "name") {
                d = d.also(o, "first use");
            }
            out.push(d.help("give each interface its own name"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::in_subnet;

    #[test]
    fn subnets() {
        let ip = |s: &str| s.parse().expect("ip");
        assert!(in_subnet(ip("10.0.3.1"), ip("10.0.3.5"), 24));
        assert!(!in_subnet(ip("10.0.4.1"), ip("10.0.3.5"), 24));
        assert!(in_subnet(ip("10.9.9.9"), ip("10.0.3.5"), 0));
        assert!(in_subnet(ip("fd00::1"), ip("fd00::5"), 64));
    }
}
