//! `<devices>`: filesystems (mounts and the rootfs), interfaces with their addresses and
//! routes, consoles and passed-through host devices.

use crate::domxml::tree::Element;
use crate::domxml::Lower;
use lxconf_model::model::*;
use lxconf_model::{pointer, ByteSize, Code, MacAddr, SizeSpec};
use std::net::IpAddr;

pub(super) fn lower_devices(
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
    if let Some(mode) = d.attr("accessmode").filter(|m| *m != "passthrough") {
        // libvirt accepts `mapped` and `squash` at define time; the model's mounts are
        // passthrough mounts, so the element is kept whole rather than read as one.
        l.keep(
            d,
            &format!("devices/filesystem[{ordinal}]"),
            &format!("the LXC driver mounts filesystems as passthrough only, not with accessmode `{mode}`"),
        );
        return;
    }
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
    let pointer = pointer::item(pointer::MOUNTS, c.mounts.len());
    let mut mount = Mount {
        readonly,
        ..Mount::new(String::new(), target.clone(), "none")
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
                l.doc.origins.record(pointer::ROOTFS, l.o(&d.range));
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
            // The container's own `/` stays `/`: an empty source is no path at all.
            let dir = src("dir");
            let inside = dir.trim_start_matches('/');
            mount.source = if inside.is_empty() && !dir.is_empty() {
                "/".into()
            } else {
                inside.to_string()
            };
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
            // An ethernet interface's `<source>` holds the host side's addresses and
            // routes, which the model has no fields for: kept whole.
            "source" if ty == "ethernet" && !child.children.is_empty() => l.keep(
                child,
                &format!("devices/interface[{ordinal}]/source"),
                "lxconf does not model the host-side addresses and routes of an ethernet interface",
            ),
            "source" => {}
            "ip" => ip(l, child, &mut n, &mut layout),
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
    ip_order_if_mixed(&mut layout, &n);
    // libvirt brings an interface up when it has addresses, even with link state down.
    if !n.ipv4.is_empty() || !n.ipv6.is_empty() {
        n.up = true;
    }
    // Recorded even when empty: it marks the interface as written by libvirt, whose
    // default link state is not printed.
    lv.layout.interfaces.insert(index, layout);
    l.doc.origins.record(
        pointer::item(pointer::NETWORKS, index as usize),
        l.o(&d.range),
    );
    c.networks.push(n);
}

/// Keep the `<ip>` source order only where the model's (IPv4, then IPv6) differs from it.
fn ip_order_if_mixed(layout: &mut InterfaceLayout, n: &Network) {
    let model_order: Vec<String> = n
        .ipv4
        .iter()
        .map(|a| a.address.to_string())
        .chain(n.ipv6.iter().map(|a| a.address.to_string()))
        .collect();
    if layout.ip_order == model_order {
        layout.ip_order.clear();
    }
}

/// libvirt's prefix for an `<ip>` without one (`virSocketAddrGetIPPrefix`): the IPv4
/// address class's (A 8, B 16, C 24), 64 for IPv6, 0 for `0.0.0.0` and `::` (a default
/// route). Class D/E addresses have none: libvirt
/// fails to start the domain, and the model keeps 32 (a host address).
fn implicit_prefix(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(a) if a.is_unspecified() => 0,
        IpAddr::V4(a) => match a.octets()[0] {
            o if o & 0x80 == 0 => 8,
            o if o & 0xC0 == 0x80 => 16,
            o if o & 0xE0 == 0xC0 => 24,
            _ => 32,
        },
        IpAddr::V6(a) if a.is_unspecified() => 0,
        IpAddr::V6(_) => 64,
    }
}

fn ip(l: &mut Lower<'_>, el: &Element, n: &mut Network, layout: &mut InterfaceLayout) {
    let address = el.attr("address").unwrap_or("");
    // libvirt does not print prefix='0': it means no prefix.
    let prefix: Option<u8> = el
        .attr("prefix")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p != 0);
    let parsed = address.parse::<IpAddr>();
    if let (Ok(a), None) = (&parsed, prefix) {
        layout.implicit_prefixes.push(a.to_string());
    }
    if let Ok(a) = &parsed {
        layout.ip_order.push(a.to_string());
    }
    let prefix = |a: IpAddr| prefix.unwrap_or_else(|| implicit_prefix(a));
    match parsed {
        Ok(IpAddr::V4(a)) => n.ipv4.push(Ipv4Cidr {
            address: a,
            prefix: prefix(IpAddr::V4(a)),
            broadcast: None,
            peer: el.attr("peer").and_then(|p| p.parse().ok()),
        }),
        Ok(IpAddr::V6(a)) => n.ipv6.push(Ipv6Cidr {
            address: a,
            prefix: prefix(IpAddr::V6(a)),
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
    // libvirt takes a prefix, or a netmask, or the address class's prefix (as for <ip>).
    let netmask: Option<u8> = el
        .attr("netmask")
        .and_then(|m| m.parse::<IpAddr>().ok())
        .map(|m| match m {
            IpAddr::V4(m) => u32::from(m).count_ones() as u8,
            IpAddr::V6(m) => u128::from(m).count_ones() as u8,
        });
    let written: Option<u8> = el.attr("prefix").and_then(|p| p.parse().ok());
    // Neither: prefix 0 (libvirt then accepts only 0.0.0.0 or ::, a default route).
    let prefix = written.or(netmask);
    let default = address.is_some_and(|a| a.is_unspecified()) && prefix.unwrap_or(0) == 0;
    let metric: Option<u32> = el.attr("metric").and_then(|m| m.parse().ok());
    // A second default route of a family is an ordinary route of the model.
    let default = default
        && metric.is_none()
        && match gateway {
            Some(IpAddr::V4(_)) => n.ipv4_gateway.is_none(),
            _ => n.ipv6_gateway.is_none(),
        };
    let key = match (default, gateway) {
        (true, Some(g @ IpAddr::V4(_))) => {
            n.ipv4_gateway = Some(Gateway::Address(g));
            "ipv4_gateway".to_string()
        }
        (true, Some(g @ IpAddr::V6(_))) => {
            n.ipv6_gateway = Some(Gateway::Address(g));
            "ipv6_gateway".to_string()
        }
        _ => {
            let Some(a) = address else {
                return;
            };
            n.routes.push(Route {
                address: a,
                prefix: prefix.unwrap_or(0),
                gateway,
                metric,
            });
            (n.routes.len() - 1).to_string()
        }
    };
    let gateway_route = key.ends_with("_gateway");
    for (spelled, what) in [
        (el.attr("family").is_none(), "no-family"),
        (netmask.is_some() && written.is_none(), "netmask"),
        (
            !gateway_route && written.is_none() && netmask.is_none(),
            "no-prefix",
        ),
        (gateway_route && written.is_some(), "prefix"),
    ] {
        if spelled {
            layout.route_spelling.push(format!("{key}/{what}"));
        }
    }
    layout.routes.push(key);
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
                    "ip" => ip(l, child, &mut n, &mut layout),
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
            ip_order_if_mixed(&mut layout, &n);
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
