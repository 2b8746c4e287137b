//! JSON pointers into the model's JSON form, written once.
//!
//! Diagnostics, origins and loss reports name a model value by its pointer. A pointer typed
//! by hand with a typo silently attaches a finding to the parent value (origin lookups fall
//! back to the closest ancestor), so every pointer comes from here, and a test resolves each
//! against the model's JSON Schema.
//!
//! List pointers (`MOUNTS`) take an index with [`item`]; fields of list elements are
//! relative names (`mount::TARGET`) joined with [`item_field`].

use crate::origins::Pointer;
use serde_json::Value;

/// Declares pointer constants and the list [`ALL`] the schema test walks.
macro_rules! pointers {
    ($($(#[$doc:meta])* $name:ident = $path:literal,)*) => {
        $($(#[$doc])* #[doc = concat!("`", $path, "`")] pub const $name: &str = $path;)*
        /// Every top-level pointer constant of this module.
        pub const ALL: &[&str] = &[$($path),*];
    };
}

/// Declares the relative field names of one list's elements.
macro_rules! element_fields {
    ($module:ident of $list:ident { $($name:ident = $field:literal,)* }) => {
        #[doc = concat!("Fields of the elements of [`", stringify!($list), "`](super::", stringify!($list), ").")]
        pub mod $module {
            $(#[doc = concat!("`", $field, "`")] pub const $name: &str = $field;)*
            /// Every field of this module, with the list it belongs to.
            pub const ALL: &[(&str, &str)] = &[$((super::$list, $field)),*];
        }
    };
}

pointers! {
    NAME = "/name",
    TITLE = "/title",
    DESCRIPTION = "/description",
    UUID = "/uuid",
    HOSTNAME = "/hostname",
    ARCH = "/arch",
    NO_NEW_PRIVS = "/no_new_privs",
    UNRECOGNIZED = "/unrecognized",
    LIBVIRT = "/libvirt",
    LXD = "/lxd",
    LXD_PROFILES = "/lxd/profiles",
    LXD_STATEFUL = "/lxd/stateful",
    LXD_CONFIG = "/lxd/config",
    LXD_DEVICES = "/lxd/devices",
    ROOTFS = "/rootfs",
    ROOTFS_PATH = "/rootfs/path",
    ROOTFS_BACKEND = "/rootfs/backend",
    ROOTFS_MOUNT = "/rootfs/mount",
    ROOTFS_OPTIONS = "/rootfs/options",
    ROOTFS_MANAGED = "/rootfs/managed",
    MOUNTS = "/mounts",
    AUTO_MOUNTS = "/auto_mounts",
    AUTO_MOUNTS_PROC = "/auto_mounts/proc",
    AUTO_MOUNTS_SYS = "/auto_mounts/sys",
    AUTO_MOUNTS_CGROUP = "/auto_mounts/cgroup",
    AUTO_MOUNTS_SHMOUNTS = "/auto_mounts/shmounts",
    AUTOSTART = "/autostart",
    AUTOSTART_ENABLED = "/autostart/enabled",
    AUTOSTART_DELAY = "/autostart/delay_s",
    AUTOSTART_ORDER = "/autostart/order",
    AUTOSTART_GROUPS = "/autostart/groups",
    CAPABILITIES = "/capabilities",
    CONSOLE = "/console",
    CONSOLE_PATH = "/console/path",
    CONSOLE_LOGFILE = "/console/logfile",
    CONSOLE_LOG_SIZE = "/console/log_size",
    CONSOLE_BUFFER_SIZE = "/console/buffer_size",
    CONSOLE_ROTATE = "/console/rotate",
    DEV = "/dev",
    DEV_TTY_DIR = "/dev/tty_dir",
    DEV_AUTODEV = "/dev/autodev",
    DEV_PTYS = "/dev/ptys",
    DEV_TTYS = "/dev/ttys",
    DEVICE_RULES = "/device_rules",
    HOST_DEVICES = "/host_devices",
    HOOKS = "/hooks",
    HOOK_LIST = "/hooks/hooks",
    HOOK_VERSION = "/hooks/version",
    IDMAP = "/idmap",
    INIT = "/init",
    INIT_COMMAND = "/init/command",
    INIT_EXECUTE_COMMAND = "/init/execute_command",
    INIT_CWD = "/init/cwd",
    INIT_ENV = "/init/env",
    INIT_UID = "/init/uid",
    INIT_GID = "/init/gid",
    INIT_GROUPS = "/init/groups",
    INIT_USER_NAME = "/init/user_name",
    INIT_GROUP_NAME = "/init/group_name",
    LOGGING = "/logging",
    LOGGING_FILE = "/logging/file",
    LOGGING_LEVEL = "/logging/level",
    LOGGING_SYSLOG = "/logging/syslog",
    LXC = "/lxc",
    LXC_CGROUP_DIRS = "/lxc/cgroup_dirs",
    LXC_EPHEMERAL = "/lxc/ephemeral",
    LXC_KEYRING_SESSION_DISABLED = "/lxc/keyring_session_disabled",
    LXC_SCHED_CORE = "/lxc/sched_core",
    NAMESPACES = "/namespaces",
    NAMESPACES_CLONE = "/namespaces/clone",
    NAMESPACES_SHARE = "/namespaces/share",
    NETWORKS = "/networks",
    PRLIMITS = "/prlimits",
    PROC = "/proc",
    RESOURCES = "/resources",
    RESOURCES_CGROUP = "/resources/cgroup",
    RESOURCES_BLKIO_DEVICES = "/resources/blkio_devices",
    RESOURCES_MEMORY_LIMIT = "/resources/memory_limit",
    RESOURCES_MEMORY_SOFT_LIMIT = "/resources/memory_soft_limit",
    RESOURCES_MEMORY_MIN = "/resources/memory_min",
    RESOURCES_MEMORY_SWAP_LIMIT = "/resources/memory_swap_limit",
    RESOURCES_SWAP_LIMIT = "/resources/swap_limit",
    RESOURCES_CPU_SHARES = "/resources/cpu_shares",
    RESOURCES_CPU_WEIGHT = "/resources/cpu_weight",
    RESOURCES_CPU_QUOTA = "/resources/cpu_quota_us",
    RESOURCES_CPU_PERIOD = "/resources/cpu_period_us",
    RESOURCES_CPUSET_CPUS = "/resources/cpuset_cpus",
    RESOURCES_CPUSET_MEMS = "/resources/cpuset_mems",
    RESOURCES_BLKIO_WEIGHT = "/resources/blkio_weight",
    RESOURCES_PIDS_MAX = "/resources/pids_max",
    SECURITY = "/security",
    SECURITY_APPARMOR_PROFILE = "/security/apparmor_profile",
    SECURITY_APPARMOR_RAW = "/security/apparmor_raw",
    SECURITY_APPARMOR_ALLOW_INCOMPLETE = "/security/apparmor_allow_incomplete",
    SECURITY_APPARMOR_ALLOW_NESTING = "/security/apparmor_allow_nesting",
    SECURITY_SECCOMP_PROFILE = "/security/seccomp_profile",
    SECURITY_SECCOMP_POLICY = "/security/seccomp_policy",
    SECURITY_SECCOMP_POLICY_RULES = "/security/seccomp_policy/rules",
    SECURITY_SECCOMP_ALLOW_NESTING = "/security/seccomp_allow_nesting",
    SECURITY_SECCOMP_NOTIFY_PROXY = "/security/seccomp_notify_proxy",
    SECURITY_SECCOMP_NOTIFY_COOKIE = "/security/seccomp_notify_cookie",
    SECURITY_SELINUX_CONTEXT = "/security/selinux_context",
    SECURITY_SELINUX_CONTEXT_KEYRING = "/security/selinux_context_keyring",
    SECURITY_SECLABELS = "/security/seclabels",
    SIGNALS = "/signals",
    SIGNALS_HALT = "/signals/halt",
    SIGNALS_REBOOT = "/signals/reboot",
    SIGNALS_STOP = "/signals/stop",
    SIGNALS_MONITOR_PDEATH = "/signals/monitor_pdeath",
    SYSCTLS = "/sysctls",
    TIME_OFFSETS = "/time_offsets",
    TIME_OFFSETS_BOOT = "/time_offsets/boot_ns",
    TIME_OFFSETS_MONOTONIC = "/time_offsets/monotonic_ns",
}

element_fields!(mount of MOUNTS {
    SOURCE = "source",
    TARGET = "target",
    FSTYPE = "fstype",
    OPTIONS = "options",
    SIZE = "size",
    BIND = "bind",
    OPTIONAL = "optional",
});

element_fields!(network of NETWORKS {
    TYPE = "type",
    LINK = "link",
    NAME = "name",
    HWADDR = "hwaddr",
    MTU = "mtu",
    IPV4 = "ipv4",
    IPV6 = "ipv6",
    IPV4_GATEWAY = "ipv4_gateway",
    IPV6_GATEWAY = "ipv6_gateway",
    VETH = "veth",
    SCRIPT_UP = "script_up",
    SCRIPT_DOWN = "script_down",
    NETWORK = "network",
    L2PROXY = "l2proxy",
    IPVLAN_ISOLATION = "ipvlan_isolation",
    UP = "up",
    VLAN_ID = "vlan_id",
    VETH_PAIR = "veth/pair",
    VETH_MODE = "veth/mode",
    VETH_ROUTES = "veth/routes",
    VETH_VLAN_ID = "veth/vlan_id",
    VETH_VLAN_TAGGED = "veth/vlan_tagged",
    VETH_RX_QUEUES = "veth/rx_queues",
    VETH_TX_QUEUES = "veth/tx_queues",
});

/// Element `index` of the list at `list` (`/mounts` and 3 make `/mounts/3`), without
/// formatting on the hot path.
pub fn item(list: &'static str, index: usize) -> Pointer {
    Pointer::Indexed(list, index as u32)
}

/// Field `field` of element `index` of `list`: `/mounts/3/target`.
pub fn item_field(list: &str, index: usize, field: &str) -> String {
    format!("{list}/{index}/{field}")
}

/// Entry `key` of the map at `map` (`/lxc/cgroup_dirs` and `relative`), escaped as RFC 6901
/// requires.
pub fn entry(map: &str, key: &str) -> String {
    format!("{map}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Whether the field at `outer` contains the one at `inner`: equal, or a prefix ending at a
/// segment boundary (`/networks/0` contains `/networks/0/ipv4/1`, not `/networks/01`).
/// The root pointer `""` contains everything.
pub fn contains(outer: &str, inner: &str) -> bool {
    inner == outer || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
}

/// Whether `pointer` names a value the model can hold, checked against the model's JSON
/// Schema (list elements, map entries and optional values included).
pub fn names_model_value(pointer: &str) -> bool {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let root =
        SCHEMA.get_or_init(|| serde_json::from_str(&crate::json_schema()).unwrap_or(Value::Null));
    resolve(root, pointer).is_some()
}

/// The schema node a pointer names, following `$ref`, `anyOf`/`allOf`, list items and
/// map values; `None` when the pointer names nothing.
fn resolve<'s>(root: &'s Value, pointer: &str) -> Option<&'s Value> {
    let mut node = root;
    for segment in pointer.split('/').skip(1) {
        node = step(root, node, segment)?;
    }
    Some(node)
}

fn deref<'s>(root: &'s Value, node: &'s Value) -> &'s Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/definitions/")
            .and_then(|name| root["definitions"].get(name))
            .map_or(node, |n| deref(root, n)),
        None => node,
    }
}

fn step<'s>(root: &'s Value, node: &'s Value, segment: &str) -> Option<&'s Value> {
    let node = deref(root, node);
    let alternatives = ["anyOf", "allOf", "oneOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten();
    for alt in alternatives {
        if let Some(found) = step(root, alt, segment) {
            return Some(found);
        }
    }
    if let Some(p) = node.get("properties").and_then(|p| p.get(segment)) {
        return Some(p);
    }
    if segment.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(items) = node.get("items") {
            return Some(items);
        }
    }
    node.get("additionalProperties").filter(|a| a.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pointer_names_a_model_value() {
        let lists = [mount::ALL, network::ALL];
        let fields = lists
            .iter()
            .flat_map(|l| l.iter())
            .map(|(list, field)| item_field(list, 0, field));
        let all = ALL.iter().map(|p| p.to_string()).chain(fields);
        let missing: Vec<String> = all.filter(|p| !names_model_value(p)).collect();
        assert!(
            missing.is_empty(),
            "pointers the model does not have: {missing:?}"
        );
    }

    #[test]
    fn a_typo_is_caught() {
        assert!(!names_model_value("/resources/swap_limt"));
        assert!(names_model_value("/mounts/0/target"));
        assert!(names_model_value("/lxc/cgroup_dirs/relative"));
        assert!(!names_model_value("/mounts/x/target"));
    }

    #[test]
    fn containment_stops_at_segment_boundaries() {
        assert!(contains("/networks/0", "/networks/0"));
        assert!(contains("/networks/0", "/networks/0/ipv4/1/broadcast"));
        assert!(!contains("/networks/0", "/networks/01"));
        assert!(!contains("/networks/0/ipv4", "/networks/0"));
        assert!(contains("", "/hostname"));
    }
}
