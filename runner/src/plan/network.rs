//! Network interfaces: links created on the host and moved in, and their addresses and
//! routes inside the container.

use super::{IfConfig, LinkCreate, PlanError, Planner};
use lxconf_model::pointer::{self, NETWORKS};
use lxconf_model::{
    Code, Gateway, IpvlanIsolation, IpvlanMode, MacAddr, MacvlanMode, Namespace, NetKind, Network,
    VethMode,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The networks of a container, split by the process that sets them up.
pub(super) struct Networks {
    /// Created by the runner on the waiting container process.
    pub links: Vec<LinkCreate>,
    /// Configured inside the container.
    pub interfaces: Vec<IfConfig>,
    /// An `empty` network that is up brings loopback up (libvirt's `<privnet/>` is one), and
    /// so does any interface of a libvirt domain.
    pub loopback_up: bool,
}

impl Planner<'_> {
    pub(super) fn networks(&mut self) -> Result<Networks, PlanError> {
        let c = self.c;
        let own_net = self.owns(Namespace::Net);
        let mut seed = self.opts.seed | 1;
        let mut out = Networks {
            links: Vec::new(),
            interfaces: Vec::new(),
            loopback_up: false,
        };
        for (position, n) in c.networks.iter().enumerate() {
            let mac = n.hwaddr.as_ref().map(|m| mac_bytes(m, &mut seed));
            let name = n.name.clone().unwrap_or_else(|| format!("eth{}", n.index));
            if !matches!(n.kind, NetKind::None) && !own_net {
                return Err(PlanError::NetworkWithoutNamespace {
                    index: n.index,
                    kind: n.kind,
                });
            }
            let link = match n.kind {
                NetKind::None => continue,
                NetKind::Empty => {
                    out.loopback_up |= n.up;
                    continue;
                }
                NetKind::Veth => self.veth(position, n, &name, mac),
                NetKind::Macvlan | NetKind::Ipvlan | NetKind::Vlan => child_link(n, &name, mac)?,
                NetKind::Phys => LinkCreate::Phys {
                    link: host_link(n)?,
                    name: name.clone(),
                    mtu: n.mtu,
                },
            };
            // libvirt_lxc brings loopback up whenever it sets up an <interface> (veth or
            // macvlan); not for passed-through devices (docs/runner.md).
            out.loopback_up |=
                c.libvirt.is_some() && matches!(n.kind, NetKind::Veth | NetKind::Macvlan);
            out.links.push(link);
            self.link_settings_not_applied(position, n);
            let interface = self.interface(position, n, name);
            out.interfaces.push(interface);
        }
        Ok(out)
    }

    /// A veth pair; its host end is named after the run unless the model names it.
    fn veth(
        &mut self,
        position: usize,
        n: &Network,
        name: &str,
        mac: Option<[u8; 6]>,
    ) -> LinkCreate {
        let host = n
            .veth
            .as_ref()
            .and_then(|v| v.pair.clone())
            .unwrap_or_else(|| {
                // IFNAMSIZ - 1.
                let mut s = format!("vx{}n{}", self.opts.instance, n.index);
                s.truncate(15);
                s
            });
        if n.veth
            .as_ref()
            .is_some_and(|v| v.mode == VethMode::Router || !v.routes.is_empty())
        {
            self.not_applied(
                Code::R007,
                pointer::item_field(NETWORKS, position, pointer::network::VETH),
                format!(
                    "network {}: veth router mode and host-side routes are not set up",
                    n.index
                ),
            );
        }
        LinkCreate::Veth {
            host,
            peer: name.to_string(),
            bridge: n.link.clone(),
            hwaddr: mac,
            mtu: n.mtu,
        }
    }

    /// Link settings the runner does not set up: liblxc and libvirt would, so the link
    /// differs from theirs.
    fn link_settings_not_applied(&mut self, position: usize, n: &Network) {
        use pointer::network::{
            IPVLAN_ISOLATION, L2PROXY, NETWORK, VETH_RX_QUEUES, VETH_TX_QUEUES, VETH_VLAN_ID,
            VETH_VLAN_TAGGED,
        };
        let veth = n.veth.as_ref().filter(|_| n.kind == NetKind::Veth);
        let unapplied: [(bool, &str, &str); 7] = [
            (
                veth.is_some_and(|v| v.vlan_id.is_some()),
                VETH_VLAN_ID,
                "the untagged vlan of the bridge port is not set",
            ),
            (
                veth.is_some_and(|v| !v.vlan_tagged.is_empty()),
                VETH_VLAN_TAGGED,
                "the tagged vlans of the bridge port are not set",
            ),
            (
                veth.is_some_and(|v| v.rx_queues.is_some()),
                VETH_RX_QUEUES,
                "the veth receive queue count is not set",
            ),
            (
                veth.is_some_and(|v| v.tx_queues.is_some()),
                VETH_TX_QUEUES,
                "the veth transmit queue count is not set",
            ),
            (
                n.kind == NetKind::Ipvlan
                    && n.ipvlan_isolation
                        .is_some_and(|i| i != IpvlanIsolation::Bridge),
                IPVLAN_ISOLATION,
                "the ipvlan isolation mode is not set (the kernel's default, bridge, is used)",
            ),
            (
                n.l2proxy,
                L2PROXY,
                "the host does not proxy ARP/NDP for the container's addresses (l2proxy)",
            ),
            (
                n.network.is_some(),
                NETWORK,
                "the libvirt network is not joined: the veth is not attached to its bridge",
            ),
        ];
        for (_, field, what) in unapplied.into_iter().filter(|(on, _, _)| *on) {
            self.not_applied(
                Code::R007,
                pointer::item_field(NETWORKS, position, field),
                format!("network {}: {what}", n.index),
            );
        }
    }

    /// Addresses, routes and default gateways of one interface.
    fn interface(&mut self, position: usize, n: &Network, name: String) -> IfConfig {
        let mut addresses = Vec::new();
        for a in &n.ipv4 {
            addresses.push((IpAddr::V4(a.address), a.prefix, a.broadcast.map(IpAddr::V4)));
        }
        for a in &n.ipv6 {
            addresses.push((IpAddr::V6(a.address), a.prefix, None));
        }
        let mut routes: Vec<(IpAddr, u8, Option<IpAddr>)> = n
            .routes
            .iter()
            .map(|r| (r.address, r.prefix, r.gateway))
            .collect();
        for (gateway, any, field) in [
            (
                &n.ipv4_gateway,
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                pointer::network::IPV4_GATEWAY,
            ),
            (
                &n.ipv6_gateway,
                IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                pointer::network::IPV6_GATEWAY,
            ),
        ] {
            match gateway {
                None => {}
                Some(Gateway::Dev) => routes.push((any, 0, None)),
                Some(Gateway::Address(a)) => routes.push((any, 0, Some(*a))),
                Some(Gateway::Auto) => self.not_applied(
                    Code::R007,
                    pointer::item_field(NETWORKS, position, field),
                    format!(
                        "network {}: gateway `auto` is not set (the bridge's address is not looked up)",
                        n.index
                    ),
                ),
            }
        }
        IfConfig {
            name,
            addresses,
            up: n.up,
            routes,
        }
    }
}

/// A macvlan, ipvlan or vlan device on a host link, with its mode number or vlan id.
fn child_link(n: &Network, name: &str, mac: Option<[u8; 6]>) -> Result<LinkCreate, PlanError> {
    let (kind, param) = match n.kind {
        NetKind::Macvlan => (
            "macvlan",
            // `MACVLAN_MODE_*` of linux/if_link.h.
            match n.macvlan_mode.unwrap_or(MacvlanMode::Private) {
                MacvlanMode::Private => 1,
                MacvlanMode::Vepa => 2,
                MacvlanMode::Bridge => 4,
                MacvlanMode::Passthru => 8,
            },
        ),
        NetKind::Ipvlan => (
            "ipvlan",
            match n.ipvlan_mode.unwrap_or(IpvlanMode::L3) {
                IpvlanMode::L2 => 0,
                IpvlanMode::L3 => 1,
                IpvlanMode::L3s => 2,
            },
        ),
        _ => ("vlan", u32::from(n.vlan_id.unwrap_or(0))),
    };
    Ok(LinkCreate::Child {
        kind: kind.into(),
        link: host_link(n)?,
        name: name.to_string(),
        param,
        hwaddr: mac,
        mtu: n.mtu,
    })
}

/// The host interface a macvlan, ipvlan, vlan or phys network needs.
fn host_link(n: &Network) -> Result<String, PlanError> {
    n.link.clone().ok_or(PlanError::NetworkWithoutLink {
        index: n.index,
        kind: n.kind,
    })
}

/// The bytes of a MAC address; each `x` digit is a random nibble from `seed`.
fn mac_bytes(mac: &MacAddr, seed: &mut u64) -> [u8; 6] {
    let mut out = [0u8; 6];
    for (i, part) in mac.as_str().split(':').enumerate().take(6) {
        let mut byte = 0u8;
        for ch in part.chars() {
            let nibble = match ch.to_digit(16) {
                Some(d) => d as u8,
                None => {
                    // `x`: a random nibble (xorshift on the seed).
                    *seed ^= *seed << 13;
                    *seed ^= *seed >> 7;
                    *seed ^= *seed << 17;
                    (*seed & 0xf) as u8
                }
            };
            byte = (byte << 4) | nibble;
        }
        out[i] = byte;
    }
    // A randomized address must stay unicast and locally administered like LXC's.
    if mac.is_pattern() {
        out[0] &= 0xfe;
    }
    out
}
