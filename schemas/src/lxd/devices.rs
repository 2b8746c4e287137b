//! Device types and the options each accepts (LXD 5.0.2 `lxd/device/*.go`:
//! `validateConfig` of each type; docs/lxd-facts.md §3). Every device also accepts `type`
//! and `user.*`; NICs also `nictype`, GPUs `gputype`.

/// `disk`.
pub const DISK: &str = "disk";
/// `nic`.
pub const NIC: &str = "nic";
/// `unix-char`.
pub const UNIX_CHAR: &str = "unix-char";
/// `unix-block`.
pub const UNIX_BLOCK: &str = "unix-block";
/// `none`: masks a profile's device of the same name.
pub const NONE: &str = "none";

/// Every device type LXD 5.0 knows (`device_load.go: newByType`).
pub const TYPES: &[&str] = &[
    DISK,
    "gpu",
    "infiniband",
    NIC,
    NONE,
    "pci",
    "proxy",
    "tpm",
    UNIX_BLOCK,
    UNIX_CHAR,
    "unix-hotplug",
    "usb",
];

/// Options of a `disk` device.
pub const DISK_OPTIONS: &[&str] = &[
    "boot.priority",
    "ceph.cluster_name",
    "ceph.user_name",
    "limits.max",
    "limits.read",
    "limits.write",
    "optional",
    "path",
    "pool",
    "propagation",
    "raw.mount.options",
    "readonly",
    "recursive",
    "required",
    "shift",
    "size",
    "size.state",
    "source",
];

/// Options of `unix-char` and `unix-block` devices.
pub const UNIX_OPTIONS: &[&str] = &[
    "gid", "major", "minor", "mode", "path", "required", "source", "uid",
];

/// NIC types a container may use, with the options each accepts.
pub const NIC_TYPES: &[(&str, &[&str])] = &[
    (
        "bridged",
        &[
            "boot.priority",
            "host_name",
            "hwaddr",
            "ipv4.address",
            "ipv4.routes",
            "ipv4.routes.external",
            "ipv6.address",
            "ipv6.routes",
            "ipv6.routes.external",
            "limits.egress",
            "limits.ingress",
            "limits.max",
            "maas.subnet.ipv4",
            "maas.subnet.ipv6",
            "mtu",
            "name",
            "network",
            "parent",
            "security.ipv4_filtering",
            "security.ipv6_filtering",
            "security.mac_filtering",
            "security.port_isolation",
            "vlan",
            "vlan.tagged",
        ],
    ),
    (
        "ipvlan",
        &[
            "gvrp",
            "hwaddr",
            "ipv4.address",
            "ipv4.gateway",
            "ipv4.host_table",
            "ipv6.address",
            "ipv6.gateway",
            "ipv6.host_table",
            "mode",
            "mtu",
            "name",
            "parent",
            "vlan",
        ],
    ),
    (
        "macvlan",
        &[
            "boot.priority",
            "gvrp",
            "hwaddr",
            "maas.subnet.ipv4",
            "maas.subnet.ipv6",
            "mtu",
            "name",
            "network",
            "parent",
            "vlan",
        ],
    ),
    (
        "p2p",
        &[
            "boot.priority",
            "host_name",
            "hwaddr",
            "ipv4.routes",
            "ipv6.routes",
            "limits.egress",
            "limits.ingress",
            "limits.max",
            "mtu",
            "name",
        ],
    ),
    (
        "physical",
        &[
            "boot.priority",
            "gvrp",
            "hwaddr",
            "maas.subnet.ipv4",
            "maas.subnet.ipv6",
            "mtu",
            "name",
            "parent",
            "vlan",
        ],
    ),
    (
        "routed",
        &[
            "gvrp",
            "host_name",
            "hwaddr",
            "ipv4.address",
            "ipv4.gateway",
            "ipv4.host_address",
            "ipv4.host_table",
            "ipv4.neighbor_probe",
            "ipv4.routes",
            "ipv6.address",
            "ipv6.gateway",
            "ipv6.host_address",
            "ipv6.host_table",
            "ipv6.neighbor_probe",
            "ipv6.routes",
            "limits.egress",
            "limits.ingress",
            "limits.max",
            "mtu",
            "name",
            "parent",
            "vlan",
        ],
    ),
    (
        "sriov",
        &[
            "boot.priority",
            "hwaddr",
            "maas.subnet.ipv4",
            "maas.subnet.ipv6",
            "mtu",
            "name",
            "network",
            "parent",
            "security.mac_filtering",
            "vlan",
        ],
    ),
];

/// The options of a NIC type, or `None` for a type LXD does not know.
pub fn nic_options(nictype: &str) -> Option<&'static [&'static str]> {
    NIC_TYPES
        .iter()
        .find(|(t, _)| *t == nictype)
        .map(|(_, o)| *o)
}

/// Whether `option` is valid on a device of `kind` (and `nictype` for NICs); `None` when
/// lxconf has no option table for that type (the device is kept as written).
pub fn accepts(kind: &str, nictype: Option<&str>, option: &str) -> Option<bool> {
    if option == "type" || option.starts_with("user.") {
        return Some(true);
    }
    let table: &[&str] = match kind {
        DISK => DISK_OPTIONS,
        UNIX_CHAR | UNIX_BLOCK => UNIX_OPTIONS,
        NONE => &[],
        NIC => {
            if option == "nictype" {
                return Some(true);
            }
            nic_options(nictype?)?
        }
        _ => return None,
    };
    Some(table.contains(&option))
}

/// Whether a device name is one LXD accepts (`validate.IsDeviceName`): 1-63 characters of
/// `[/.\-:_a-zA-Z0-9]`, not starting with `.`.
pub fn is_device_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/.-:_".contains(&b))
}

/// Whether an instance name is one LXD accepts (`validate.IsHostname`): 1-63 characters of
/// `[a-zA-Z0-9-]`, not starting with a digit or `-`, not ending with `-`.
pub fn is_instance_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && !bytes[0].is_ascii_digit()
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_names() {
        assert_eq!(accepts(DISK, None, "readonly"), Some(true));
        assert_eq!(accepts(DISK, None, "bind"), Some(false));
        assert_eq!(accepts(NIC, Some("bridged"), "ipv4.address"), Some(true));
        assert_eq!(accepts(NIC, Some("macvlan"), "ipv4.address"), Some(false));
        assert_eq!(accepts(NIC, None, "parent"), None);
        assert_eq!(accepts("proxy", None, "listen"), None);
        assert_eq!(accepts(NONE, None, "type"), Some(true));
        assert!(is_device_name("eth0") && is_device_name("root") && !is_device_name(".x"));
        assert!(is_instance_name("web-1") && !is_instance_name("1web") && !is_instance_name("a_b"));
        assert!(!is_instance_name("") && !is_instance_name("web-"));
        for (_, options) in NIC_TYPES {
            assert!(options.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
