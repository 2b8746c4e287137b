//! `<interface>` elements (veth and macvlan networks) and the `<ip>` and `<route>`
//! elements they share with passed-through network devices.

use super::writer::W;
use lxconf_model::model::*;
use lxconf_model::pointer::{self, network};

/// The networks that are `<interface>` elements; returns those passed through as
/// `<hostdev>` (phys, vlan), which libvirt writes later among the devices.
pub(super) fn interfaces<'c>(
    w: &mut W<'_>,
    c: &'c Container,
    lv: &LibvirtSettings,
) -> Vec<(usize, &'c Network)> {
    let mut hostdevs = Vec::new();
    let mut if_ord = 0usize;
    for (i, n) in c.networks.iter().enumerate() {
        match n.kind {
            NetKind::None | NetKind::Empty => {}
            NetKind::Phys | NetKind::Vlan => hostdevs.push((i, n)),
            NetKind::Ipvlan => w.loss(
                &pointer::item(pointer::NETWORKS, i).to_string(),
                "an ipvlan interface".into(),
                "libvirt's LXC driver has no ipvlan; use a macvlan (`direct`) interface",
            ),
            NetKind::Veth | NetKind::Macvlan => interface(w, lv, &mut if_ord, i, n),
        }
    }
    kept_interfaces(w, &mut if_ord);
    hostdevs
}

/// One veth or macvlan network; `ordinal` counts the `<interface>` elements written.
fn interface(w: &mut W<'_>, lv: &LibvirtSettings, ordinal: &mut usize, i: usize, n: &Network) {
    let (kind, source) = match interface_source(w, n, &field(i, network::LINK)) {
        Some(found) => found,
        None => return,
    };
    // A host interface name libvirt's schema refuses (a template placeholder such as
    // `<bridge_auto>`) would make the whole domain invalid: the interface is lost instead.
    if let Some((_, name)) = source
        .iter()
        .find(|(a, v)| matches!(*a, "bridge" | "dev") && !libvirt_device_name(v, *a == "bridge"))
    {
        refused_host_interface(w, i, "the interface", name);
        return;
    }
    kept_interfaces(w, ordinal);
    let this = format!("devices/interface[{ordinal}]");
    *ordinal += 1;
    let layout = lv.layout.interfaces.get(&(i as u32));
    w.open("interface", &[("type", kind.into())]);
    match &n.hwaddr {
        Some(mac) if !mac.is_pattern() => w.empty("mac", &[("address", mac.to_string())]),
        Some(mac) => w.note(
            &field(i, network::HWADDR),
            format!("the MAC pattern `{mac}` is left to libvirt, which picks a random address"),
            "LXC fills the `x` digits randomly too",
        ),
        None => {}
    }
    if !source.is_empty() {
        w.empty("source", &source);
    } else {
        // An ethernet interface's host-side addresses and routes, kept from a source.
        w.kept(&format!("{this}/source"));
    }
    // libvirt's order: mac, source, vlan, virtualport, bandwidth, ip, route, script,
    // target, guest, link, mtu.
    for child in ["vlan", "virtualport", "bandwidth"] {
        w.kept(&format!("{this}/{child}"));
    }
    ips_and_routes(w, n, layout, i);
    w.kept(&format!("{this}/script"));
    let pair = n.veth.as_ref().and_then(|v| v.pair.clone());
    for (element, value, at) in [
        ("target", pair, network::VETH_PAIR),
        ("guest", n.name.clone(), network::NAME),
    ] {
        match value as Option<String> {
            Some(v) if libvirt_device_name(&v, false) => w.empty(element, &[("dev", v)]),
            Some(v) => w.loss(
                &field(i, at),
                format!("the interface name `{v}`"),
                INTERFACE_NAME_HELP,
            ),
            None => {}
        }
    }
    let has_ips = !n.ipv4.is_empty() || !n.ipv6.is_empty();
    match layout {
        // A libvirt source: its link element as written.
        Some(l) => {
            if let Some(state) = &l.link_state {
                w.empty("link", &[("state", state.clone())]);
            }
        }
        None if n.up || !has_ips => w.empty(
            "link",
            &[("state", if n.up { "up" } else { "down" }.into())],
        ),
        None => {
            w.empty("link", &[("state", "down".into())]);
            w.loss(
                &field(i, network::UP),
                format!("the down state of network {} (it has addresses)", n.index),
                "libvirt brings up every interface that has an address",
            );
        }
    }
    if let Some(mtu) = n.mtu {
        w.empty("mtu", &[("size", mtu.to_string())]);
    }
    w.kept_children(&this);
    w.close("interface");
    veth_and_scripts_lost(w, i, n);
}

/// `/networks/I/FIELD`.
fn field(i: usize, name: &str) -> String {
    pointer::item_field(pointer::NETWORKS, i, name)
}

/// The up and down scripts of a network: libvirt runs none per interface.
pub(super) fn scripts_lost(w: &mut W<'_>, i: usize, n: &Network) {
    for (set, name) in [
        (&n.script_up, network::SCRIPT_UP),
        (&n.script_down, network::SCRIPT_DOWN),
    ] {
        if let Some(script) = set {
            w.loss(
                &field(i, name),
                format!("the interface script `{script}`"),
                "libvirt has no per-interface scripts; use a libvirt hook",
            );
        }
    }
}

/// What a veth or macvlan network has beyond its `<interface>` element: each a loss at
/// its own field.
fn veth_and_scripts_lost(w: &mut W<'_>, i: usize, n: &Network) {
    let v = n.veth.clone().unwrap_or_default();
    let on_host = "configure it on the host";
    if v.mode == VethMode::Router {
        w.loss(
            &field(i, network::VETH_MODE),
            "veth router mode".into(),
            on_host,
        );
        // In router mode the link is the interface proxying for the container, not a bridge:
        // it goes with the mode.
        if n.link.is_some() {
            w.also_covers(&field(i, network::LINK));
        }
    }
    if !v.routes.is_empty() {
        w.loss(
            &field(i, network::VETH_ROUTES),
            "host routes towards the container".into(),
            on_host,
        );
    }
    if v.vlan_id.is_some() {
        w.loss(
            &field(i, network::VETH_VLAN_ID),
            "the bridge port's vlan id".into(),
            on_host,
        );
    }
    if !v.vlan_tagged.is_empty() {
        w.loss(
            &field(i, network::VETH_VLAN_TAGGED),
            "the bridge port's tagged vlans".into(),
            on_host,
        );
    }
    for (set, name, dir) in [
        (v.rx_queues, network::VETH_RX_QUEUES, "rx"),
        (v.tx_queues, network::VETH_TX_QUEUES, "tx"),
    ] {
        if let Some(count) = set {
            w.loss(
                &field(i, name),
                format!("{count} veth {dir} queues"),
                "libvirt creates veth pairs with the kernel's default queues",
            );
        }
    }
    scripts_lost(w, i, n);
    if n.l2proxy {
        w.loss(
            &field(i, network::L2PROXY),
            "l2proxy".into(),
            "configure proxy ARP/NDP on the host",
        );
    }
}

/// The interface type and its `<source>` attributes; `None` (with a loss) for a macvlan
/// without a link.
fn interface_source(
    w: &mut W<'_>,
    n: &Network,
    pointer: &str,
) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    let found = match (n.kind, &n.network, &n.link) {
        (NetKind::Veth, Some(net), _) => {
            let mut source = vec![("network", net.clone())];
            if let Some(pg) = &n.portgroup {
                source.push(("portgroup", pg.clone()));
            }
            ("network", source)
        }
        (NetKind::Veth, None, Some(br))
            if n.veth.as_ref().is_none_or(|v| v.mode == VethMode::Bridge) =>
        {
            ("bridge", vec![("bridge", br.clone())])
        }
        (NetKind::Veth, _, _) => ("ethernet", vec![]),
        (_, _, Some(dev)) => {
            let mode = match n.macvlan_mode.unwrap_or(MacvlanMode::Private) {
                MacvlanMode::Private => "private",
                MacvlanMode::Vepa => "vepa",
                MacvlanMode::Bridge => "bridge",
                MacvlanMode::Passthru => "passthrough",
            };
            ("direct", vec![("dev", dev.clone()), ("mode", mode.into())])
        }
        _ => {
            w.loss(
                pointer,
                "a macvlan interface without a link".into(),
                "name the host interface with `link`",
            );
            return None;
        }
    };
    Some(found)
}

const INTERFACE_NAME_HELP: &str =
    "libvirt accepts letters, digits and `_ . - \\ : /` in interface names";

/// A network whose host interface (`link`) is no name libvirt's schema accepts: the whole
/// interface is lost, reported at its link.
pub(super) fn refused_host_interface(w: &mut W<'_>, i: usize, what: &str, link: &str) {
    w.loss(
        &field(i, network::LINK),
        format!("{what} on `{link}` (not an interface name libvirt accepts)"),
        INTERFACE_NAME_HELP,
    );
    w.also_covers(&pointer::item(pointer::NETWORKS, i).to_string());
}

/// Whether libvirt's schema accepts `name` as an interface name (`deviceName`:
/// `[a-zA-Z0-9_.\-\\:/]+`; a bridge name may also hold spaces).
pub(super) fn libvirt_device_name(name: &str, bridge: bool) -> bool {
    (!name.is_empty() || bridge)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-\\:/".contains(c) || (bridge && c == ' '))
}

/// `<ip>` and `<route>` elements of an interface or a passed-through network device.
pub(super) fn ips_and_routes(
    w: &mut W<'_>,
    n: &Network,
    layout: Option<&InterfaceLayout>,
    i: usize,
) {
    broadcasts_lost(w, n, i);
    let v4 = n.ipv4.iter().map(|a| {
        let peer = a.peer.map(|p| p.to_string());
        (a.address.to_string(), "ipv4", a.prefix, peer)
    });
    let v6 = n.ipv6.iter().map(|a| {
        let peer = a.peer.map(|p| p.to_string());
        (a.address.to_string(), "ipv6", a.prefix, peer)
    });
    let mut ips: Vec<_> = v4.chain(v6).collect();
    // A libvirt source's order, where it mixed the families.
    if let Some(order) = layout.map(|l| &l.ip_order).filter(|o| !o.is_empty()) {
        ips.sort_by_key(|(address, ..)| order.iter().position(|o| o == address));
    }
    for (address, fam, prefix, peer) in ips {
        // An `<ip>` a libvirt source wrote without prefix: the model holds the prefix
        // libvirt derives for it.
        let implicit = layout.is_some_and(|l| l.implicit_prefixes.contains(&address));
        let mut attrs = vec![("address", address), ("family", fam.to_string())];
        if !implicit {
            attrs.push(("prefix", prefix.to_string()));
        }
        if let Some(p) = peer {
            attrs.push(("peer", p));
        }
        w.empty("ip", &attrs);
    }
    // Route order: as a libvirt source wrote it, else default routes first.
    let mut order: Vec<String> = layout.map(|l| l.routes.clone()).unwrap_or_default();
    for item in ["ipv4_gateway".to_string(), "ipv6_gateway".to_string()]
        .into_iter()
        .chain((0..n.routes.len()).map(|i| i.to_string()))
    {
        if !order.contains(&item) {
            order.push(item);
        }
    }
    let spelled = |key: &str, what: &str| {
        layout.is_some_and(|l| {
            l.route_spelling
                .iter()
                .any(|s| *s == format!("{key}/{what}"))
        })
    };
    for item in order {
        let (fam, address, prefix, gateway, metric) = match item.as_str() {
            "ipv4_gateway" | "ipv6_gateway" => {
                let (fam, any, gw) = if item == "ipv4_gateway" {
                    ("ipv4", "0.0.0.0", &n.ipv4_gateway)
                } else {
                    ("ipv6", "::", &n.ipv6_gateway)
                };
                match gw {
                    Some(Gateway::Address(a)) => (fam, any.to_string(), 0, Some(*a), None),
                    Some(_) => {
                        w.loss(
                            &field(i, &format!("{fam}_gateway")),
                            format!("an `auto`/`dev` {fam} gateway"),
                            "libvirt needs a gateway address",
                        );
                        continue;
                    }
                    None => continue,
                }
            }
            index => {
                let Some(r) = index.parse::<usize>().ok().and_then(|i| n.routes.get(i)) else {
                    continue;
                };
                let fam = if r.address.is_ipv4() { "ipv4" } else { "ipv6" };
                (fam, r.address.to_string(), r.prefix, r.gateway, r.metric)
            }
        };
        // libvirt's attribute order: family, address, netmask, prefix, gateway, metric.
        let mut attrs = Vec::new();
        if !spelled(&item, "no-family") {
            attrs.push(("family", fam.to_string()));
        }
        attrs.push(("address", address));
        let default_route = item.ends_with("_gateway");
        if spelled(&item, "netmask") {
            attrs.push(("netmask", netmask(fam, prefix)));
        } else if (default_route && spelled(&item, "prefix"))
            || (!default_route && !spelled(&item, "no-prefix"))
        {
            attrs.push(("prefix", prefix.to_string()));
        }
        if let Some(g) = gateway {
            attrs.push(("gateway", g.to_string()));
        }
        if let Some(m) = metric {
            attrs.push(("metric", m.to_string()));
        }
        w.empty("route", &attrs);
    }
}

/// The netmask of a prefix length (`24` → `255.255.255.0`).
fn netmask(fam: &str, prefix: u8) -> String {
    if fam == "ipv4" {
        let mask = u32::MAX
            .checked_shl(32 - u32::from(prefix.min(32)))
            .unwrap_or(0);
        std::net::Ipv4Addr::from(mask).to_string()
    } else {
        let mask = u128::MAX
            .checked_shl(128 - u32::from(prefix.min(128)))
            .unwrap_or(0);
        std::net::Ipv6Addr::from(mask).to_string()
    }
}

/// IPv4 broadcast addresses other than the one the kernel derives from the prefix (which
/// libvirt sets): `<ip>` has no broadcast attribute.
fn broadcasts_lost(w: &mut W<'_>, n: &Network, i: usize) {
    for (j, a) in n.ipv4.iter().enumerate() {
        let Some(broadcast) = a.broadcast else {
            continue;
        };
        let host_bits = 32u32.saturating_sub(u32::from(a.prefix));
        let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
        let derived = std::net::Ipv4Addr::from(u32::from(a.address) | !mask);
        if broadcast != derived {
            w.loss(
                &format!("{}/{j}/broadcast", field(i, network::IPV4)),
                format!(
                    "the broadcast address {broadcast} of {}/{}",
                    a.address, a.prefix
                ),
                "libvirt sets the broadcast address derived from the prefix",
            );
        }
    }
}

/// Whole `<interface>` elements kept verbatim (types the LXC driver lacks) at this position.
fn kept_interfaces(w: &mut W<'_>, ordinal: &mut usize) {
    while w.kept(&format!("devices/interface[{ordinal}]")) {
        *ordinal += 1;
    }
}
