//! Network interfaces.

use super::*;

/// Network interface kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NetKind {
    /// Share the host's network namespace.
    None,
    /// A private namespace with only loopback.
    Empty,
    /// A veth pair.
    Veth,
    /// A macvlan device on a host link.
    Macvlan,
    /// An ipvlan device on a host link.
    Ipvlan,
    /// A vlan device on a host link.
    Vlan,
    /// A host interface moved into the container.
    Phys,
}

/// A gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gateway {
    /// The address of the bridge the interface is attached to.
    Auto,
    /// A device route through the interface.
    Dev,
    /// An address.
    Address(IpAddr),
}

/// An IPv4 address with prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ipv4Cidr {
    /// Address.
    pub address: Ipv4Addr,
    /// Prefix length.
    pub prefix: u8,
    /// Broadcast address when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broadcast: Option<Ipv4Addr>,
    /// Peer address (point-to-point, libvirt `peer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<Ipv4Addr>,
}

impl Ipv4Cidr {
    /// The broadcast address the kernel gets when none is given: the host part all ones
    /// (liblxc and libvirt both compute it so).
    pub fn default_broadcast(&self) -> Ipv4Addr {
        let host_bits = u32::MAX.checked_shr(u32::from(self.prefix)).unwrap_or(0);
        Ipv4Addr::from(u32::from(self.address) | host_bits)
    }

    /// The broadcast address when it is not the default one.
    pub fn explicit_broadcast(&self) -> Option<Ipv4Addr> {
        self.broadcast.filter(|b| *b != self.default_broadcast())
    }
}

/// An IPv6 address with prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ipv6Cidr {
    /// Address.
    pub address: Ipv6Addr,
    /// Prefix length.
    pub prefix: u8,
    /// Peer address (libvirt `peer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<Ipv6Addr>,
}

/// A route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Destination network address.
    pub address: IpAddr,
    /// Destination prefix.
    pub prefix: u8,
    /// Next hop, when not a device route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
    /// Route metric (libvirt `metric`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

/// veth mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VethMode {
    /// Host peer attached to the bridge in `link`.
    Bridge,
    /// Host peer routed (no bridge).
    Router,
}

/// veth settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Veth {
    /// Host-side interface name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pair: Option<String>,
    /// Mode.
    pub mode: VethMode,
    /// Routes added on the host towards the container (router mode).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// Untagged vlan id on the bridge port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan_id: Option<u16>,
    /// Tagged vlan ids on the bridge port.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vlan_tagged: Vec<u16>,
    /// Receive queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rx_queues: Option<u32>,
    /// Transmit queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tx_queues: Option<u32>,
}

impl Default for Veth {
    fn default() -> Self {
        Veth {
            pair: None,
            mode: VethMode::Bridge,
            routes: Vec::new(),
            vlan_id: None,
            vlan_tagged: Vec::new(),
            rx_queues: None,
            tx_queues: None,
        }
    }
}

/// macvlan mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MacvlanMode {
    /// No traffic between macvlans of the same link.
    Private,
    /// Traffic via the external switch.
    Vepa,
    /// Direct traffic between macvlans.
    Bridge,
    /// The link is given to one macvlan.
    Passthru,
}

/// ipvlan mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IpvlanMode {
    /// Layer 3.
    L3,
    /// Layer 3 with netfilter.
    L3s,
    /// Layer 2.
    L2,
}

/// ipvlan isolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IpvlanIsolation {
    /// Bridge.
    Bridge,
    /// Private.
    Private,
    /// VEPA.
    Vepa,
}

/// One network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Index (`lxc.net.N`).
    pub index: u32,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: NetKind,
    /// Host link: bridge (veth), parent interface (macvlan, ipvlan, vlan), or host
    /// interface (phys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// libvirt virtual network name (interface type `network`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// libvirt port group of that network (its bandwidth and vlan settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portgroup: Option<String>,
    /// Name inside the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// MAC address (LXC allows `x` digits that are randomized).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hwaddr: Option<MacAddr>,
    /// MTU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Brought up.
    #[serde(default)]
    pub up: bool,
    /// IPv4 addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4: Vec<Ipv4Cidr>,
    /// IPv4 gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_gateway: Option<Gateway>,
    /// IPv6 addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<Ipv6Cidr>,
    /// IPv6 gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_gateway: Option<Gateway>,
    /// Routes inside the container (libvirt `<route>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// veth settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub veth: Option<Veth>,
    /// macvlan mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macvlan_mode: Option<MacvlanMode>,
    /// ipvlan mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipvlan_mode: Option<IpvlanMode>,
    /// ipvlan isolation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipvlan_isolation: Option<IpvlanIsolation>,
    /// vlan id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan_id: Option<u16>,
    /// Proxy ARP/NDP for the container's addresses on the link.
    #[serde(default, skip_serializing_if = "is_false")]
    pub l2proxy: bool,
    /// Script run on the host when the interface is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_up: Option<String>,
    /// Script run on the host when the interface is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_down: Option<String>,
}

impl Network {
    /// A network of the given kind with nothing else set.
    pub fn new(index: u32, kind: NetKind) -> Self {
        Network {
            index,
            kind,
            link: None,
            network: None,
            portgroup: None,
            name: None,
            hwaddr: None,
            mtu: None,
            up: false,
            ipv4: Vec::new(),
            ipv4_gateway: None,
            ipv6: Vec::new(),
            ipv6_gateway: None,
            routes: Vec::new(),
            veth: (kind == NetKind::Veth).then(Veth::default),
            macvlan_mode: (kind == NetKind::Macvlan).then_some(MacvlanMode::Private),
            ipvlan_mode: (kind == NetKind::Ipvlan).then_some(IpvlanMode::L3),
            ipvlan_isolation: (kind == NetKind::Ipvlan).then_some(IpvlanIsolation::Bridge),
            vlan_id: None,
            l2proxy: false,
            script_up: None,
            script_down: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_broadcast_sets_the_host_bits() {
        let cidr = |a: [u8; 4], prefix, broadcast: Option<[u8; 4]>| Ipv4Cidr {
            address: a.into(),
            prefix,
            broadcast: broadcast.map(Into::into),
            peer: None,
        };
        let c = cidr([10, 0, 3, 5], 24, Some([10, 0, 3, 255]));
        assert_eq!(c.default_broadcast(), Ipv4Addr::new(10, 0, 3, 255));
        assert_eq!(c.explicit_broadcast(), None);
        let odd = cidr([10, 0, 3, 5], 24, Some([10, 0, 3, 127]));
        assert_eq!(odd.explicit_broadcast(), Some(Ipv4Addr::new(10, 0, 3, 127)));
        assert_eq!(
            cidr([1, 2, 3, 4], 32, None).default_broadcast(),
            Ipv4Addr::new(1, 2, 3, 4)
        );
        assert_eq!(
            cidr([1, 2, 3, 4], 0, None).default_broadcast(),
            Ipv4Addr::BROADCAST
        );
    }
}
