//! `<devices>`: the emulator, filesystems, interfaces, consoles and host devices, in
//! libvirt's order.

use super::writer::W;
use super::{filesystems, interfaces};
use lxconf_model::model::*;
use lxconf_model::pointer::{self, network};

/// `<devices>`.
pub(super) fn devices(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings) {
    w.open("devices", &[]);
    let emulator = lv
        .emulator
        .clone()
        .unwrap_or_else(|| "/usr/lib/libvirt/libvirt_lxc".into());
    w.text("emulator", &[], &emulator);
    filesystems::filesystems(w, c);
    let hostdevs = interfaces::interfaces(w, c, lv);
    w.kept("devices/serial");
    // consoles: /dev/console and one per tty
    if c.console.enabled {
        for port in 0..=c.dev.ttys {
            w.open("console", &[("type", "pty".into())]);
            w.empty(
                "target",
                &[("type", "lxc".into()), ("port", port.to_string())],
            );
            w.close("console");
        }
    }
    host_devices(w, c, lv, &hostdevs);
    w.kept_children("devices");
    w.close("devices");
}

/// Host devices in a libvirt source's order, else network devices first.
fn host_devices(
    w: &mut W<'_>,
    c: &Container,
    lv: &LibvirtSettings,
    hostdevs: &[(usize, &Network)],
) {
    let mut order: Vec<String> = lv.layout.hostdevs.clone();
    for item in hostdevs
        .iter()
        .map(|(i, _)| format!("networks/{i}"))
        .chain((0..c.host_devices.len()).map(|i| format!("host_devices/{i}")))
    {
        if !order.contains(&item) {
            order.push(item);
        }
    }
    for item in order {
        let (list, index) = item.split_once('/').unwrap_or(("", ""));
        let Ok(i) = index.parse::<usize>() else {
            continue;
        };
        match list {
            "networks" => {
                if let Some((_, n)) = hostdevs.iter().find(|(j, _)| *j == i) {
                    net_hostdev(w, lv, i, n);
                }
            }
            "host_devices" => {
                if let Some(d) = c.host_devices.get(i) {
                    host_device(w, i, d);
                }
            }
            _ => {}
        }
    }
}

/// A network interface passed through (`<hostdev mode='capabilities' type='net'>`).
fn net_hostdev(w: &mut W<'_>, lv: &LibvirtSettings, i: usize, n: &Network) {
    let field = |name: &str| pointer::item_field(pointer::NETWORKS, i, name);
    let Some(link) = n.link.as_ref().filter(|l| !l.ends_with('+')) else {
        // The whole interface is dropped.
        w.loss(
            &pointer::item(pointer::NETWORKS, i).to_string(),
            "a phys/vlan interface without a link, or with a `+` prefix pattern".into(),
            "name one host interface with `link`",
        );
        return;
    };
    let dev = match (n.kind, n.vlan_id) {
        (NetKind::Vlan, Some(id)) => {
            w.note(
                &field(network::VLAN_ID),
                format!("the vlan device `{link}.{id}` must exist on the host"),
                "libvirt moves an existing device into the container; LXC creates it",
            );
            // Read back, it is that existing device passed through: another interface.
            w.also_covers(&pointer::item(pointer::NETWORKS, i).to_string());
            format!("{link}.{id}")
        }
        (NetKind::Vlan, None) => {
            // Passing `link` itself would give the container the parent interface.
            w.loss(
                &pointer::item(pointer::NETWORKS, i).to_string(),
                format!("a vlan interface on `{link}` without a vlan id"),
                "set the vlan id; libvirt passes an existing `LINK.ID` device through",
            );
            return;
        }
        _ => link.clone(),
    };
    if !interfaces::libvirt_device_name(&dev, false) {
        interfaces::refused_host_interface(w, i, "passing through the interface", &dev);
        return;
    }
    w.open(
        "hostdev",
        &[("mode", "capabilities".into()), ("type", "net".into())],
    );
    w.open("source", &[]);
    w.text("interface", &[], &dev);
    w.kept_children("devices/hostdev/source");
    w.close("source");
    let layout = lv.layout.interfaces.get(&(i as u32));
    interfaces::ips_and_routes(w, n, layout, i);
    w.close("hostdev");
    // libvirt brings a passed-through interface up exactly when it has an address.
    let has_address = !n.ipv4.is_empty() || !n.ipv6.is_empty();
    if n.up != has_address {
        let what = if n.up { "bringing up" } else { "keeping down" };
        w.loss(
            &field(network::UP),
            format!("{what} the passed-through interface `{dev}`"),
            "libvirt brings a passed-through interface up exactly when it has an address",
        );
    }
    interfaces::scripts_lost(w, i, n);
    for (set, name, what) in [
        (n.name.is_some(), network::NAME, "name"),
        (n.hwaddr.is_some(), network::HWADDR, "MAC address"),
        (n.mtu.is_some(), network::MTU, "MTU"),
    ] {
        if set {
            w.loss(
                &field(name),
                format!("the {what} of a passed-through interface"),
                "libvirt keeps the host interface's own settings",
            );
        }
    }
}

/// A block, character or USB device passed through.
fn host_device(w: &mut W<'_>, i: usize, d: &HostDevice) {
    let pointer = pointer::item(pointer::HOST_DEVICES, i).to_string();
    match d.kind {
        HostDeviceKind::Storage | HostDeviceKind::Misc => {
            let (ty, el) = if d.kind == HostDeviceKind::Storage {
                ("storage", "block")
            } else {
                ("misc", "char")
            };
            w.open(
                "hostdev",
                &[("mode", "capabilities".into()), ("type", ty.into())],
            );
            w.open("source", &[]);
            w.text(el, &[], &d.source);
            w.close("source");
            w.close("hostdev");
        }
        HostDeviceKind::Usb => {
            w.open(
                "hostdev",
                &[
                    ("mode", "subsystem".into()),
                    ("type", "usb".into()),
                    ("managed", "no".into()),
                ],
            );
            w.open("source", &[]);
            match (d.source.split_once(':'), d.source.split_once('/')) {
                (Some((bus, dev)), _) => {
                    w.empty("address", &[("bus", bus.into()), ("device", dev.into())])
                }
                (None, Some((vendor, product))) => {
                    w.empty("vendor", &[("id", vendor.into())]);
                    w.empty("product", &[("id", product.into())]);
                }
                _ => w.loss(
                    &format!("{pointer}/source"),
                    format!("the USB device `{}`", d.source),
                    "name it by bus:device or vendor/product",
                ),
            }
            w.close("source");
            w.close("hostdev");
        }
    }
}
