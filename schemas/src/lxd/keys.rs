//! Instance config keys (LXD 5.0.2 `shared/instance.go`: the tables and
//! `ConfigKeyChecker`), with the grammar each value must have.

use crate::model::LxdFlavor;

/// The grammar of a config value (LXD's `shared/validate` validators). Every grammar but
/// [`Grammar::Any`] also accepts an empty value, which LXD stores as "unset".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    /// Anything.
    Any,
    /// `true false yes no 1 0 on off`, case-insensitive (`IsBool`).
    Bool,
    /// A base-10 signed 64-bit integer (`IsInt64`).
    Int64,
    /// A base-10 unsigned 32-bit integer (`IsUint32`).
    Uint32,
    /// An integer from 0 to 10 (`IsPriority`).
    Priority,
    /// Digits and a case-sensitive unit: none, `B`, `kB`..`EB`, `KiB`..`EiB` (`IsSize`).
    Size,
    /// `N` (a count of CPUs) or a CPU list/range (`IsValidCPUSet`).
    CpuSet,
    /// `N%` or `Nms/Mms` (the `ms` optional).
    CpuAllowance,
    /// `N%` (not 0) or a non-zero [`Grammar::Size`].
    MemoryLimit,
    /// One of the listed words.
    OneOf(&'static [&'static str]),
    /// A UUID.
    Uuid,
}

/// Whether a key applies to containers, virtual machines or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScope {
    /// Containers and VMs (`InstanceConfigKeysAny`).
    Any,
    /// Containers only.
    Container,
    /// Virtual machines only: "Unknown configuration key" in a container's local config.
    Vm,
    /// Runtime state LXD writes (`volatile.*`): read, never compared, never written.
    Volatile,
    /// Free-form keys of a prefix (`user.*`, `environment.*`, `image.*`, `limits.kernel.*`,
    /// `linux.sysctl.*`).
    Prefix,
}

/// What the tables say about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    /// Grammar of the value.
    pub grammar: Grammar,
    /// Where the key applies.
    pub scope: KeyScope,
}

use Grammar as G;
use KeyScope as S;

/// LXD 5.0.2's exact keys, sorted.
pub const KEYS: &[(&str, Grammar, KeyScope)] = &[
    ("agent.nic_config", G::Bool, S::Vm),
    ("boot.autostart", G::Bool, S::Any),
    ("boot.autostart.delay", G::Int64, S::Any),
    ("boot.autostart.priority", G::Int64, S::Any),
    ("boot.host_shutdown_timeout", G::Int64, S::Any),
    ("boot.stop.priority", G::Int64, S::Any),
    ("cloud-init.network-config", G::Any, S::Any),
    ("cloud-init.user-data", G::Any, S::Any),
    ("cloud-init.vendor-data", G::Any, S::Any),
    (
        "cluster.evacuate",
        G::OneOf(&["auto", "migrate", "live-migrate", "stop"]),
        S::Any,
    ),
    ("limits.cpu", G::CpuSet, S::Any),
    ("limits.cpu.allowance", G::CpuAllowance, S::Container),
    ("limits.cpu.priority", G::Priority, S::Container),
    ("limits.disk.priority", G::Priority, S::Any),
    ("limits.hugepages.1GB", G::Size, S::Container),
    ("limits.hugepages.1MB", G::Size, S::Container),
    ("limits.hugepages.2MB", G::Size, S::Container),
    ("limits.hugepages.64KB", G::Size, S::Container),
    ("limits.memory", G::MemoryLimit, S::Any),
    (
        "limits.memory.enforce",
        G::OneOf(&["soft", "hard"]),
        S::Container,
    ),
    ("limits.memory.hugepages", G::Bool, S::Vm),
    ("limits.memory.swap", G::Bool, S::Container),
    ("limits.memory.swap.priority", G::Priority, S::Container),
    ("limits.network.priority", G::Priority, S::Any),
    ("limits.processes", G::Int64, S::Container),
    ("linux.kernel_modules", G::Any, S::Container),
    ("migration.incremental.memory", G::Bool, S::Container),
    ("migration.incremental.memory.goal", G::Uint32, S::Container),
    (
        "migration.incremental.memory.iterations",
        G::Uint32,
        S::Container,
    ),
    ("migration.stateful", G::Bool, S::Vm),
    ("nvidia.driver.capabilities", G::Any, S::Container),
    ("nvidia.require.cuda", G::Any, S::Container),
    ("nvidia.require.driver", G::Any, S::Container),
    ("nvidia.runtime", G::Bool, S::Container),
    ("raw.apparmor", G::Any, S::Any),
    ("raw.idmap", G::Any, S::Any),
    ("raw.lxc", G::Any, S::Container),
    ("raw.qemu", G::Any, S::Vm),
    ("raw.qemu.conf", G::Any, S::Vm),
    ("raw.seccomp", G::Any, S::Container),
    ("security.agent.metrics", G::Bool, S::Vm),
    ("security.devlxd", G::Bool, S::Any),
    ("security.devlxd.images", G::Bool, S::Container),
    ("security.idmap.base", G::Uint32, S::Container),
    ("security.idmap.isolated", G::Bool, S::Container),
    ("security.idmap.size", G::Uint32, S::Container),
    ("security.nesting", G::Bool, S::Container),
    ("security.privileged", G::Bool, S::Container),
    ("security.protection.delete", G::Bool, S::Any),
    ("security.protection.shift", G::Bool, S::Container),
    ("security.secureboot", G::Bool, S::Vm),
    ("security.syscalls.allow", G::Any, S::Container),
    ("security.syscalls.blacklist", G::Any, S::Container),
    ("security.syscalls.blacklist_compat", G::Bool, S::Container),
    ("security.syscalls.blacklist_default", G::Bool, S::Container),
    ("security.syscalls.deny", G::Any, S::Container),
    ("security.syscalls.deny_compat", G::Bool, S::Container),
    ("security.syscalls.deny_default", G::Bool, S::Container),
    ("security.syscalls.intercept.bpf", G::Bool, S::Container),
    (
        "security.syscalls.intercept.bpf.devices",
        G::Bool,
        S::Container,
    ),
    ("security.syscalls.intercept.mknod", G::Bool, S::Container),
    ("security.syscalls.intercept.mount", G::Bool, S::Container),
    (
        "security.syscalls.intercept.mount.allowed",
        G::Any,
        S::Container,
    ),
    (
        "security.syscalls.intercept.mount.fuse",
        G::Any,
        S::Container,
    ),
    (
        "security.syscalls.intercept.mount.shift",
        G::Bool,
        S::Container,
    ),
    (
        "security.syscalls.intercept.sched_setscheduler",
        G::Bool,
        S::Container,
    ),
    (
        "security.syscalls.intercept.setxattr",
        G::Bool,
        S::Container,
    ),
    ("security.syscalls.whitelist", G::Any, S::Container),
    ("snapshots.expiry", G::Any, S::Any),
    ("snapshots.pattern", G::Any, S::Any),
    ("snapshots.schedule", G::Any, S::Any),
    ("snapshots.schedule.stopped", G::Bool, S::Any),
    ("volatile.apply_nvram", G::Bool, S::Vm),
    ("volatile.apply_quota", G::Any, S::Volatile),
    ("volatile.apply_template", G::Any, S::Volatile),
    ("volatile.base_image", G::Any, S::Volatile),
    ("volatile.cloud-init.instance-id", G::Uuid, S::Volatile),
    ("volatile.evacuate.origin", G::Any, S::Volatile),
    ("volatile.idmap.base", G::Any, S::Volatile),
    ("volatile.idmap.current", G::Any, S::Volatile),
    ("volatile.idmap.next", G::Any, S::Volatile),
    ("volatile.last_state.idmap", G::Any, S::Volatile),
    ("volatile.last_state.power", G::Any, S::Volatile),
    ("volatile.uuid", G::Uuid, S::Volatile),
    ("volatile.vsock_id", G::Int64, S::Volatile),
];

/// Incus's names for keys LXD 5.0 spells differently: (Incus, LXD).
pub const INCUS_RENAMES: &[(&str, &str)] = &[
    ("security.guestapi", "security.devlxd"),
    ("security.guestapi.images", "security.devlxd.images"),
];

/// Keys Incus (0.1 to 7.x) has and LXD 5.0 refuses: read from an Incus file, never written
/// for LXD (docs/lxd-facts.md §6.2).
pub const INCUS_ONLY: &[(&str, Grammar, KeyScope)] = &[
    ("boot.autorestart", G::Bool, S::Any),
    ("boot.host_shutdown_action", G::Any, S::Any),
    ("limits.cpu.nodes", G::Any, S::Any),
    ("limits.memory.oom_priority", G::Any, S::Container),
    ("security.syscalls.intercept.sysinfo", G::Bool, S::Container),
    ("snapshots.expiry.manual", G::Any, S::Any),
    ("volatile.cluster.group", G::Any, S::Volatile),
    ("volatile.cpu.nodes", G::Any, S::Volatile),
    ("volatile.last_state.ready", G::Any, S::Volatile),
    ("volatile.uuid.generation", G::Any, S::Volatile),
];

/// Prefixes whose keys take any value (`ConfigKeyChecker`); the part after the prefix
/// must not be empty.
pub const FREE_PREFIXES: &[&str] = &[
    ENVIRONMENT_PREFIX,
    USER_PREFIX,
    IMAGE_PREFIX,
    LIMITS_KERNEL_PREFIX,
    LINUX_SYSCTL_PREFIX,
];

/// `environment.NAME`: a variable of init's environment.
pub const ENVIRONMENT_PREFIX: &str = "environment.";
/// `user.*`: stored only.
pub const USER_PREFIX: &str = "user.";
/// `image.*`: the image's properties, copied at creation.
pub const IMAGE_PREFIX: &str = "image.";
/// `limits.kernel.NAME`: a process limit.
pub const LIMITS_KERNEL_PREFIX: &str = "limits.kernel.";
/// `linux.sysctl.NAME`: a sysctl (containers only).
pub const LINUX_SYSCTL_PREFIX: &str = "linux.sysctl.";
/// `volatile.*`: runtime state.
pub const VOLATILE_PREFIX: &str = "volatile.";

/// Suffixes a `volatile.<device>.*` key may have without a table entry.
pub const VOLATILE_DEVICE_SUFFIXES: &[&str] = &[
    ".hwaddr",
    ".name",
    ".host_name",
    ".mtu",
    ".created",
    ".id",
    ".vlan",
    ".spoofcheck",
    ".last_state.vf.parent",
    ".apply_quota",
    ".ceph_rbd",
    ".driver",
    ".uuid",
];

/// What `key` is, for a file written for `flavor`; `None` is LXD's "Unknown configuration
/// key". Incus's renamed keys are found under their Incus names in Incus files only.
pub fn lookup_key(key: &str, flavor: LxdFlavor) -> Option<KeyInfo> {
    let exact = |table: &[(&str, Grammar, KeyScope)]| {
        table
            .iter()
            .find(|(name, ..)| *name == key)
            .map(|&(_, grammar, scope)| KeyInfo { grammar, scope })
    };
    if let Some(info) = exact(KEYS) {
        return Some(info);
    }
    if flavor == LxdFlavor::Incus {
        if let Some((_, lxd)) = INCUS_RENAMES.iter().find(|(incus, _)| *incus == key) {
            return lookup_key(lxd, LxdFlavor::Lxd);
        }
        if let Some(info) = exact(INCUS_ONLY) {
            return Some(info);
        }
    }
    if key.starts_with(VOLATILE_PREFIX) {
        return VOLATILE_DEVICE_SUFFIXES
            .iter()
            .any(|s| key.ends_with(s))
            .then_some(KeyInfo {
                grammar: G::Any,
                scope: S::Volatile,
            });
    }
    FREE_PREFIXES
        .iter()
        .any(|p| key.len() > p.len() && key.starts_with(p))
        .then_some(KeyInfo {
            grammar: G::Any,
            scope: S::Prefix,
        })
}

/// The LXD 5.0 name of a key an Incus file spells its own way (`security.guestapi` →
/// `security.devlxd`); other keys are returned unchanged.
pub fn lxd_name(key: &str) -> &str {
    INCUS_RENAMES
        .iter()
        .find(|(incus, _)| *incus == key)
        .map_or(key, |(_, lxd)| lxd)
}

/// The names of the keys the reader and writer handle one by one (every name is also in
/// [`KEYS`]; a test checks it).
pub mod names {
    /// `boot.autostart`.
    pub const BOOT_AUTOSTART: &str = "boot.autostart";
    /// `boot.autostart.delay`.
    pub const BOOT_AUTOSTART_DELAY: &str = "boot.autostart.delay";
    /// `boot.autostart.priority`.
    pub const BOOT_AUTOSTART_PRIORITY: &str = "boot.autostart.priority";
    /// `limits.cpu`.
    pub const LIMITS_CPU: &str = "limits.cpu";
    /// `limits.cpu.allowance`.
    pub const LIMITS_CPU_ALLOWANCE: &str = "limits.cpu.allowance";
    /// `limits.cpu.priority`.
    pub const LIMITS_CPU_PRIORITY: &str = "limits.cpu.priority";
    /// `limits.disk.priority`.
    pub const LIMITS_DISK_PRIORITY: &str = "limits.disk.priority";
    /// `limits.hugepages.` (then `64KB`, `1MB`, `2MB`, `1GB`).
    pub const LIMITS_HUGEPAGES_PREFIX: &str = "limits.hugepages.";
    /// `limits.memory`.
    pub const LIMITS_MEMORY: &str = "limits.memory";
    /// `limits.memory.enforce`.
    pub const LIMITS_MEMORY_ENFORCE: &str = "limits.memory.enforce";
    /// `limits.memory.swap`.
    pub const LIMITS_MEMORY_SWAP: &str = "limits.memory.swap";
    /// `limits.memory.swap.priority`.
    pub const LIMITS_MEMORY_SWAP_PRIORITY: &str = "limits.memory.swap.priority";
    /// `limits.processes`.
    pub const LIMITS_PROCESSES: &str = "limits.processes";
    /// `raw.apparmor`.
    pub const RAW_APPARMOR: &str = "raw.apparmor";
    /// `raw.idmap`.
    pub const RAW_IDMAP: &str = "raw.idmap";
    /// `raw.lxc`.
    pub const RAW_LXC: &str = "raw.lxc";
    /// `raw.seccomp`.
    pub const RAW_SECCOMP: &str = "raw.seccomp";
    /// `security.devlxd` (Incus: `security.guestapi`).
    pub const SECURITY_DEVLXD: &str = "security.devlxd";
    /// `security.idmap.base`.
    pub const SECURITY_IDMAP_BASE: &str = "security.idmap.base";
    /// `security.idmap.isolated`.
    pub const SECURITY_IDMAP_ISOLATED: &str = "security.idmap.isolated";
    /// `security.idmap.size`.
    pub const SECURITY_IDMAP_SIZE: &str = "security.idmap.size";
    /// `security.nesting`.
    pub const SECURITY_NESTING: &str = "security.nesting";
    /// `security.privileged`.
    pub const SECURITY_PRIVILEGED: &str = "security.privileged";
    /// `security.syscalls.allow`.
    pub const SYSCALLS_ALLOW: &str = "security.syscalls.allow";
    /// `security.syscalls.whitelist` (old name of `allow`).
    pub const SYSCALLS_WHITELIST: &str = "security.syscalls.whitelist";
    /// `security.syscalls.deny`.
    pub const SYSCALLS_DENY: &str = "security.syscalls.deny";
    /// `security.syscalls.blacklist` (old name of `deny`).
    pub const SYSCALLS_BLACKLIST: &str = "security.syscalls.blacklist";
    /// `security.syscalls.deny_default`.
    pub const SYSCALLS_DENY_DEFAULT: &str = "security.syscalls.deny_default";
    /// `security.syscalls.blacklist_default`.
    pub const SYSCALLS_BLACKLIST_DEFAULT: &str = "security.syscalls.blacklist_default";
    /// `security.syscalls.deny_compat`.
    pub const SYSCALLS_DENY_COMPAT: &str = "security.syscalls.deny_compat";
    /// `security.syscalls.blacklist_compat`.
    pub const SYSCALLS_BLACKLIST_COMPAT: &str = "security.syscalls.blacklist_compat";
    /// `volatile.idmap.next`.
    pub const VOLATILE_IDMAP_NEXT: &str = "volatile.idmap.next";

    /// Every name above.
    pub const ALL: &[&str] = &[
        BOOT_AUTOSTART,
        BOOT_AUTOSTART_DELAY,
        BOOT_AUTOSTART_PRIORITY,
        LIMITS_CPU,
        LIMITS_CPU_ALLOWANCE,
        LIMITS_CPU_PRIORITY,
        LIMITS_DISK_PRIORITY,
        LIMITS_MEMORY,
        LIMITS_MEMORY_ENFORCE,
        LIMITS_MEMORY_SWAP,
        LIMITS_MEMORY_SWAP_PRIORITY,
        LIMITS_PROCESSES,
        RAW_APPARMOR,
        RAW_IDMAP,
        RAW_LXC,
        RAW_SECCOMP,
        SECURITY_DEVLXD,
        SECURITY_IDMAP_BASE,
        SECURITY_IDMAP_ISOLATED,
        SECURITY_IDMAP_SIZE,
        SECURITY_NESTING,
        SECURITY_PRIVILEGED,
        SYSCALLS_ALLOW,
        SYSCALLS_WHITELIST,
        SYSCALLS_DENY,
        SYSCALLS_BLACKLIST,
        SYSCALLS_DENY_DEFAULT,
        SYSCALLS_BLACKLIST_DEFAULT,
        SYSCALLS_DENY_COMPAT,
        SYSCALLS_BLACKLIST_COMPAT,
        VOLATILE_IDMAP_NEXT,
    ];

    /// The alias pairs `ValidConfig` refuses together: (name, old name).
    pub const SYSCALL_ALIASES: &[(&str, &str)] = &[
        (SYSCALLS_ALLOW, SYSCALLS_WHITELIST),
        (SYSCALLS_DENY, SYSCALLS_BLACKLIST),
        (SYSCALLS_DENY_DEFAULT, SYSCALLS_BLACKLIST_DEFAULT),
        (SYSCALLS_DENY_COMPAT, SYSCALLS_BLACKLIST_COMPAT),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_without_duplicates() {
        for table in [KEYS, INCUS_ONLY] {
            for pair in table.windows(2) {
                assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
            }
        }
    }

    #[test]
    fn lookup_follows_the_checker() {
        let lxd = LxdFlavor::Lxd;
        assert_eq!(
            lookup_key("limits.memory", lxd).map(|i| i.grammar),
            Some(G::MemoryLimit)
        );
        assert_eq!(
            lookup_key("user.anything", lxd).map(|i| i.scope),
            Some(S::Prefix)
        );
        assert_eq!(lookup_key("user.", lxd), None);
        assert_eq!(lookup_key("limits.kernel.", lxd), None);
        assert_eq!(
            lookup_key("volatile.eth0.hwaddr", lxd).map(|i| i.scope),
            Some(S::Volatile)
        );
        assert_eq!(lookup_key("volatile.eth0.bogus", lxd), None);
        assert_eq!(lookup_key("security.guestapi", lxd), None);
        assert!(lookup_key("security.guestapi", LxdFlavor::Incus).is_some());
        assert_eq!(lookup_key("raw.qemu", lxd).map(|i| i.scope), Some(S::Vm));
        assert_eq!(lookup_key("bogus.key", lxd), None);
        assert_eq!(lxd_name("security.guestapi"), "security.devlxd");
        for name in names::ALL {
            assert!(KEYS.iter().any(|(k, ..)| k == name), "{name}");
        }
    }
}
