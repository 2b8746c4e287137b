//! The typed, normalized container model.
//!
//! Normalized means that every default of the system a configuration came from is written
//! out: an LXC container without `lxc.autodev` has `dev.autodev = true`, a libvirt domain
//! without a capability policy has libvirt's default drop list. Two configurations mean
//! the same thing exactly when their models are equal, and the runner never needs to know
//! where a model came from.
//!
//! Where each value came from is kept beside the model, in [`crate::Origins`], so that
//! equality compares meaning only.

use crate::values::{ByteSize, Cap, CpuSet, Limit, MacAddr, Namespace, Signal, SizeSpec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

mod idmap;
mod lxd;
mod mounts;
mod network;
mod process;
mod resources;
mod seccomp;

pub use idmap::*;
pub use lxd::*;
pub use mounts::*;
pub use network::*;
pub use process::*;
pub use resources::*;
pub use seccomp::*;

fn is_false(b: &bool) -> bool {
    !*b
}

/// A container.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Container {
    /// Container name (`lxc.uts.name` is the hostname; LXC's name comes from its directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Stable identifier (libvirt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<uuid::Uuid>,
    /// Short title (libvirt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Free-form description (libvirt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hostname inside the container; unset keeps a copy of the host's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Personality / architecture name as written (`x86_64`, `i686`, `amd64`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The first process.
    pub init: Init,
    /// Root filesystem; absent for an application container that shares the host's root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rootfs: Option<Rootfs>,
    /// Filesystems mounted automatically (proc, sys, cgroup).
    pub auto_mounts: AutoMounts,
    /// Mounts, in the order they are applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
    /// `/dev` setup, ttys and ptys.
    pub dev: Dev,
    /// Host devices made visible in the container (libvirt hostdev).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub host_devices: Vec<HostDevice>,
    /// Device cgroup rules, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_rules: Vec<DeviceRule>,
    /// User and group id mappings; any entry means a user namespace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub idmap: Vec<IdMap>,
    /// Network interfaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Network>,
    /// Resource limits.
    pub resources: Resources,
    /// Capabilities left to the container.
    pub capabilities: Capabilities,
    /// Namespaces created and shared.
    pub namespaces: Namespaces,
    /// The console.
    pub console: Console,
    /// LSM and seccomp settings.
    pub security: Security,
    /// Hooks.
    #[serde(skip_serializing_if = "Hooks::is_empty")]
    pub hooks: Hooks,
    /// Process resource limits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prlimits: Vec<Prlimit>,
    /// Sysctls written inside the container (a duplicate key replaces the earlier value).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sysctls: Vec<Setting>,
    /// Files under `/proc/<pid>/` written for init (duplicates kept, written in order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proc: Vec<Setting>,
    /// Autostart settings.
    pub autostart: Autostart,
    /// Signals used to stop the container.
    pub signals: Signals,
    /// Logging.
    pub logging: Logging,
    /// Set PR_SET_NO_NEW_PRIVS before exec.
    pub no_new_privs: bool,
    /// Offsets of the container's clocks (a non-zero offset means a time namespace).
    pub time_offsets: TimeOffsets,
    /// Settings that only LXC has.
    pub lxc: LxcSettings,
    /// Settings that only libvirt has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub libvirt: Option<LibvirtSettings>,
    /// Settings that only LXD and Incus have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lxd: Option<LxdSettings>,
    /// Settings the model does not type, kept verbatim so conversions can report them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unrecognized: Vec<Unrecognized>,
}

/// The init process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Init {
    /// Command and arguments of PID 1 (`lxc.init.cmd`, libvirt `<init>` + `<initarg>`).
    pub command: Vec<String>,
    /// Command `lxc-execute` runs when none is given on its command line (`lxc.execute.cmd`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execute_command: Option<Vec<String>>,
    /// Environment, in order; later entries win.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Working directory; unset keeps the caller's (only possible without a rootfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// User id inside the container.
    pub uid: u32,
    /// Group id inside the container.
    pub gid: u32,
    /// Supplementary groups; empty drops them all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<u32>,
    /// User name to switch to (libvirt `<inituser>` given as a name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Group name to switch to (libvirt `<initgroup>` given as a name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
}

impl Default for Init {
    fn default() -> Self {
        Init {
            command: vec!["/sbin/init".into()],
            execute_command: None,
            env: Vec::new(),
            cwd: None,
            uid: 0,
            gid: 0,
            groups: Vec::new(),
            user_name: None,
            group_name: None,
        }
    }
}

/// One environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvVar {
    /// Name.
    pub name: String,
    /// Value; absent means "the value in the environment of whoever loads the config"
    /// (`lxc.environment = NAME`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The root filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rootfs {
    /// Host path (directory, block device, image...).
    pub path: String,
    /// Storage backend (`dir`, `btrfs`, `overlay`, `lvm`, `zfs`, `loop`, `nbd`, `rbd`,
    /// `block`...), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// Mount options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Mounted read-only.
    #[serde(default)]
    pub readonly: bool,
    /// Staging mount point (`lxc.rootfs.mount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    /// LXC owns the storage (`lxc.rootfs.managed`).
    #[serde(default = "default_true")]
    pub managed: bool,
}

fn default_true() -> bool {
    true
}

impl Container {
    /// The namespaces LXC creates for this container when `lxc.namespace.clone/keep` are not
    /// given: mnt, pid, uts, ipc and cgroup always; net unless every network is `none`; user
    /// with an idmap; time with a non-zero clock offset; minus the shared ones.
    pub fn lxc_default_namespaces(&self) -> BTreeSet<Namespace> {
        let mut set: BTreeSet<Namespace> = [
            Namespace::Mnt,
            Namespace::Pid,
            Namespace::Uts,
            Namespace::Ipc,
            Namespace::Cgroup,
        ]
        .into_iter()
        .collect();
        let all_none =
            !self.networks.is_empty() && self.networks.iter().all(|n| n.kind == NetKind::None);
        if !all_none {
            set.insert(Namespace::Net);
        }
        if !self.idmap.is_empty() {
            set.insert(Namespace::User);
        }
        if self.time_offsets.boot_ns != 0 || self.time_offsets.monotonic_ns != 0 {
            set.insert(Namespace::Time);
        }
        for ns in self.namespaces.share.keys() {
            set.remove(ns);
        }
        set
    }
}
