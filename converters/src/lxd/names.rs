//! The LXD config keys and device options the writer sets, named once. Each name is checked
//! against LXD 5.0.2's tables in `lxconf_model::lxd` by the test below, so a typo cannot
//! produce a key LXD refuses ("Unknown configuration key").

/// `security.privileged`.
pub const PRIVILEGED: &str = "security.privileged";
/// `security.nesting`.
pub const NESTING: &str = "security.nesting";
/// `security.devlxd` (LXD) / `security.guestapi` (Incus).
pub const DEVLXD: &str = "security.devlxd";
/// `security.syscalls.deny_default`.
pub const DENY_DEFAULT: &str = "security.syscalls.deny_default";
/// `security.idmap.isolated`.
pub const IDMAP_ISOLATED: &str = "security.idmap.isolated";
/// `security.idmap.base`.
pub const IDMAP_BASE: &str = "security.idmap.base";
/// `security.idmap.size`.
pub const IDMAP_SIZE: &str = "security.idmap.size";
/// `raw.idmap`.
pub const RAW_IDMAP: &str = "raw.idmap";
/// `raw.lxc`.
pub const RAW_LXC: &str = "raw.lxc";
/// `raw.apparmor`.
pub const RAW_APPARMOR: &str = "raw.apparmor";
/// `limits.memory`.
pub const LIMITS_MEMORY: &str = "limits.memory";
/// `limits.processes`.
pub const LIMITS_PROCESSES: &str = "limits.processes";
/// `limits.cpu`.
pub const LIMITS_CPU: &str = "limits.cpu";
/// `boot.autostart`.
pub const AUTOSTART: &str = "boot.autostart";
/// `boot.autostart.delay`.
pub const AUTOSTART_DELAY: &str = "boot.autostart.delay";
/// `boot.autostart.priority`.
pub const AUTOSTART_PRIORITY: &str = "boot.autostart.priority";

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
    use lxconf_model::lxd::{devices, lookup_key};
    use lxconf_model::model::LxdFlavor;

    #[test]
    fn every_name_is_in_lxds_tables() {
        for key in [
            PRIVILEGED,
            NESTING,
            DEVLXD,
            DENY_DEFAULT,
            RAW_IDMAP,
            IDMAP_ISOLATED,
            IDMAP_BASE,
            IDMAP_SIZE,
            RAW_LXC,
            RAW_APPARMOR,
            LIMITS_MEMORY,
            LIMITS_PROCESSES,
            LIMITS_CPU,
            AUTOSTART,
            AUTOSTART_DELAY,
            AUTOSTART_PRIORITY,
        ] {
            assert!(lookup_key(key, LxdFlavor::Lxd).is_some(), "{key}");
        }
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
