//! The device options and NIC types the writer sets, named once (config keys are named in
//! `lxconf_model::lxd::names`). Each name is checked against LXD 5.0.2's device tables by
//! the test below, so a typo cannot produce an option LXD refuses.

/// Device options.
pub mod opt {
    /// Every device's type.
    pub const TYPE: &str = "type";
    /// `nic` devices' type.
    pub const NICTYPE: &str = "nictype";
    /// disk.
    pub const PATH: &str = "path";
    /// disk.
    pub const SOURCE: &str = "source";
    /// disk.
    pub const POOL: &str = "pool";
    /// disk.
    pub const READONLY: &str = "readonly";
    /// disk.
    pub const RECURSIVE: &str = "recursive";
    /// disk.
    pub const REQUIRED: &str = "required";
    /// disk.
    pub const PROPAGATION: &str = "propagation";
    /// nic.
    pub const NAME: &str = "name";
    /// nic.
    pub const PARENT: &str = "parent";
    /// nic.
    pub const HWADDR: &str = "hwaddr";
    /// nic.
    pub const MTU: &str = "mtu";
    /// nic.
    pub const HOST_NAME: &str = "host_name";
    /// nic.
    pub const VLAN: &str = "vlan";
    /// nic (ipvlan).
    pub const MODE: &str = "mode";
}

/// NIC types.
pub mod nictype {
    /// A veth pair on a host bridge.
    pub const BRIDGED: &str = "bridged";
    /// A veth pair without a bridge.
    pub const P2P: &str = "p2p";
    /// macvlan.
    pub const MACVLAN: &str = "macvlan";
    /// ipvlan.
    pub const IPVLAN: &str = "ipvlan";
    /// A host interface moved in (or a VLAN on it).
    pub const PHYSICAL: &str = "physical";
}

#[cfg(test)]
mod tests {
    use super::*;
    use lxconf_model::lxd::devices;

    #[test]
    fn every_name_is_in_lxds_tables() {
        for o in [
            opt::PATH,
            opt::SOURCE,
            opt::POOL,
            opt::READONLY,
            opt::RECURSIVE,
            opt::REQUIRED,
            opt::PROPAGATION,
        ] {
            assert_eq!(devices::accepts(devices::DISK, None, o), Some(true), "{o}");
        }
        for (t, o) in [
            (nictype::BRIDGED, opt::PARENT),
            (nictype::BRIDGED, opt::HOST_NAME),
            (nictype::BRIDGED, opt::VLAN),
            (nictype::P2P, opt::HOST_NAME),
            (nictype::MACVLAN, opt::PARENT),
            (nictype::IPVLAN, opt::MODE),
            (nictype::PHYSICAL, opt::VLAN),
            (nictype::PHYSICAL, opt::HWADDR),
            (nictype::PHYSICAL, opt::MTU),
            (nictype::PHYSICAL, opt::NAME),
            (nictype::BRIDGED, opt::NICTYPE),
        ] {
            assert_eq!(
                devices::accepts(devices::NIC, Some(t), o),
                Some(true),
                "{t} {o}"
            );
        }
    }
}
