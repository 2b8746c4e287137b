//! Resource limits, capabilities and namespaces.

use super::*;

/// A block device selector: `MAJ:MIN` or a device path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlkioDevice {
    /// `MAJ:MIN` (LXC) or a path such as `/dev/sda` (libvirt).
    pub device: String,
    /// Proportional weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// Read bytes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_bps: Option<u64>,
    /// Write bytes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_bps: Option<u64>,
    /// Read operations per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_iops: Option<u64>,
    /// Write operations per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_iops: Option<u64>,
}

/// cgroup version of a raw setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CgroupVersion {
    /// cgroup v1 (`lxc.cgroup.*`).
    V1,
    /// cgroup v2 (`lxc.cgroup2.*`).
    V2,
}

/// A cgroup file write the model does not type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CgroupSetting {
    /// Hierarchy.
    pub version: CgroupVersion,
    /// File name, e.g. `memory.swappiness`.
    pub key: String,
    /// Value written.
    pub value: String,
}

/// Resource limits. Absent means unlimited / the system's default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Resources {
    /// Hard memory limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<ByteSize>,
    /// Soft memory limit (v1 soft_limit_in_bytes, v2 memory.high, libvirt soft_limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_soft_limit: Option<ByteSize>,
    /// Memory plus swap limit (v1 memsw, libvirt swap_hard_limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swap_limit: Option<ByteSize>,
    /// Swap-only limit (v2 memory.swap.max).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swap_limit: Option<ByteSize>,
    /// Guaranteed memory (v2 memory.min / libvirt min_guarantee).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_min: Option<ByteSize>,
    /// cgroup v1 CPU shares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<u64>,
    /// cgroup v2 CPU weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_weight: Option<u64>,
    /// CPU quota per period, in microseconds (negative: unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_quota_us: Option<i64>,
    /// CPU period, in microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_period_us: Option<u64>,
    /// CPUs the container may run on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_cpus: Option<CpuSet>,
    /// NUMA nodes the container may allocate from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_mems: Option<CpuSet>,
    /// Block-io weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_weight: Option<u32>,
    /// Per-device block-io weights and throttles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blkio_devices: Vec<BlkioDevice>,
    /// Maximum number of tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_max: Option<u64>,
    /// Other cgroup settings, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cgroup: Vec<CgroupSetting>,
}

/// libvirt's capability policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapPolicyDefault {
    /// libvirt's default drop list, changed by per-capability states.
    Default,
    /// Keep everything except capabilities turned off.
    Allow,
    /// Drop everything except capabilities turned on.
    Deny,
}

/// Capabilities: a drop list, a keep list, or libvirt's policy. Never two at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum Capabilities {
    /// Drop these from the bounding set (LXC `lxc.cap.drop`).
    Drop {
        /// Dropped capabilities.
        caps: BTreeSet<Cap>,
    },
    /// Keep only these (LXC `lxc.cap.keep`).
    Keep {
        /// Kept capabilities.
        caps: BTreeSet<Cap>,
    },
    /// libvirt `<features><capabilities policy=...>`.
    Policy {
        /// Starting point.
        default: CapPolicyDefault,
        /// Per-capability states: true keeps, false drops.
        states: BTreeMap<Cap, bool>,
    },
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities::Drop {
            caps: BTreeSet::new(),
        }
    }
}

/// libvirt's default drop list for LXC guests (policy `default`, or no `<capabilities>`),
/// as libvirt_lxc 9.0 applies it: measured, a container's bounding set keeps mac_override
/// (tests/it/libvirt_run.rs).
pub const LIBVIRT_DEFAULT_DROPPED: [&str; 5] = [
    "sys_module",
    "sys_time",
    "mknod",
    "audit_control",
    "mac_admin",
];

impl Capabilities {
    /// The capabilities removed from the bounding set.
    pub fn dropped(&self) -> BTreeSet<Cap> {
        match self {
            Capabilities::Drop { caps } => caps.clone(),
            Capabilities::Keep { caps } => Cap::all().filter(|c| !caps.contains(c)).collect(),
            Capabilities::Policy { default, states } => {
                let mut dropped: BTreeSet<Cap> = match default {
                    CapPolicyDefault::Allow => BTreeSet::new(),
                    CapPolicyDefault::Deny => Cap::all().collect(),
                    CapPolicyDefault::Default => LIBVIRT_DEFAULT_DROPPED
                        .iter()
                        .filter_map(|n| Cap::from_name(n))
                        .collect(),
                };
                for (cap, on) in states {
                    if *on {
                        dropped.remove(cap);
                    } else {
                        dropped.insert(*cap);
                    }
                }
                dropped
            }
        }
    }
}

/// Namespaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Namespaces {
    /// Namespaces created for the container (resolved from the system's defaults,
    /// `lxc.namespace.clone/keep`, networks and idmaps).
    pub clone: BTreeSet<Namespace>,
    /// Namespaces joined instead of created: a pid, a container name or a path
    /// (`lxc.namespace.share.*`, `lxc:namespace`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub share: BTreeMap<Namespace, String>,
}

impl Default for Namespaces {
    fn default() -> Self {
        Namespaces {
            clone: [
                Namespace::Mnt,
                Namespace::Pid,
                Namespace::Uts,
                Namespace::Ipc,
                Namespace::Cgroup,
                Namespace::Net,
            ]
            .into_iter()
            .collect(),
            share: BTreeMap::new(),
        }
    }
}
