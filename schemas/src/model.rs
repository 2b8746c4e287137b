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

/// What `/proc` looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcMode {
    /// proc, with `/proc/sys` and `/proc/sysrq-trigger` read-only (`/proc/sys/net`
    /// writable when CAP_NET_ADMIN is kept). LXC `proc` / `proc:mixed`.
    Mixed,
    /// proc read-write. LXC `proc:rw`.
    Rw,
    /// libvirt's layout: proc with `/proc/sys` read-only and a FUSE meminfo overlay.
    Libvirt,
}

/// What `/sys` looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SysMode {
    /// sysfs read-only except `/sys/devices/virtual/net`. LXC `sys` / `sys:mixed`.
    Mixed,
    /// sysfs read-only (no nosuid/nodev/noexec). LXC `sys:ro`.
    Ro,
    /// sysfs read-write. LXC `sys:rw`.
    Rw,
    /// libvirt's layout: sysfs read-only.
    Libvirt,
}

/// Access mode of a cgroup automount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CgroupMode {
    /// Read-only hierarchy with the container's own cgroup writable.
    Mixed,
    /// Read-only.
    Ro,
    /// Read-write.
    Rw,
}

/// Which cgroup filesystem is mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CgroupFlavor {
    /// The container's own cgroup only (`cgroup`).
    Own,
    /// The whole hierarchy (`cgroup-full`).
    Full,
    /// A cgroup2 filesystem (`cgroup2`).
    V2,
}

/// A cgroup automount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CgroupAuto {
    /// What is mounted.
    pub flavor: CgroupFlavor,
    /// Access mode; absent means "rw when CAP_SYS_ADMIN is kept, mixed otherwise".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<CgroupMode>,
    /// Mount even inside a cgroup namespace.
    #[serde(default)]
    pub force: bool,
}

/// Automatic mounts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AutoMounts {
    /// `/proc`; absent means no proc at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proc: Option<ProcMode>,
    /// `/sys`; absent means no sysfs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sys: Option<SysMode>,
    /// `/sys/fs/cgroup`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<CgroupAuto>,
    /// LXC `shmounts:HOST[:CONTAINER]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shmounts: Option<Shmounts>,
}

/// A shared mount point between host and container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shmounts {
    /// Host path.
    pub host: String,
    /// Path in the container.
    pub container: String,
}

/// What to create at a mount target that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreateKind {
    /// A directory.
    Dir,
    /// An empty file.
    File,
}

/// Bind mount flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BindKind {
    /// Not a bind mount.
    None,
    /// `bind`.
    Bind,
    /// `rbind` (recursive).
    Rbind,
}

/// One mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    /// Source: a host path, a device, or a filesystem name (`proc`, `tmpfs`, `none`).
    pub source: String,
    /// Absolute path inside the container (or on the host without a rootfs).
    pub target: String,
    /// Filesystem type (`none` for bind mounts).
    pub fstype: String,
    /// Options passed on to the filesystem or mount flags, minus the typed ones below.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Read-only.
    #[serde(default)]
    pub readonly: bool,
    /// Bind mount flavour.
    pub bind: BindKind,
    /// tmpfs size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<SizeSpec>,
    /// Errors are ignored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// Create the target when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<CreateKind>,
    /// Source is relative to the container's root (LXC `relative`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub relative: bool,
    /// fstab dump field.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dump: u32,
    /// fstab pass field.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pass: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// `/dev`, ttys and ptys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Dev {
    /// A fresh tmpfs on `/dev` with the standard nodes.
    pub autodev: bool,
    /// Size of that tmpfs.
    pub tmpfs_size: ByteSize,
    /// Number of ttys (`/dev/tty1..N`).
    pub ttys: u32,
    /// Directory under `/dev` for ttys and console (`lxc.tty.dir`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty_dir: Option<String>,
    /// Maximum number of ptys; 0 means no private devpts instance.
    pub ptys: u32,
}

impl Default for Dev {
    fn default() -> Self {
        Dev {
            autodev: true,
            tmpfs_size: ByteSize(500_000),
            ttys: 0,
            tty_dir: None,
            ptys: 0,
        }
    }
}

/// A host device exposed in the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostDevice {
    /// Block (`storage`), character (`misc`), or USB.
    pub kind: HostDeviceKind,
    /// Device path on the host (`/dev/sdb`), or `bus:device` for USB.
    pub source: String,
}

/// Kind of host device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostDeviceKind {
    /// A block device.
    Storage,
    /// A character device.
    Misc,
    /// A USB device.
    Usb,
}

/// Device type of a device cgroup rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceType {
    /// All devices (`a`).
    All,
    /// Block devices (`b`).
    Block,
    /// Character devices (`c`).
    Char,
}

/// A device cgroup rule (`devices.allow` / `devices.deny`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceRule {
    /// Allow or deny.
    pub allow: bool,
    /// Device type.
    #[serde(rename = "type")]
    pub kind: DeviceType,
    /// Major number; absent means `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<u32>,
    /// Minor number; absent means `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor: Option<u32>,
    /// Access: a combination of `r`, `w`, `m`.
    pub access: String,
}

/// User or group ids.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// User ids.
    Uid,
    /// Group ids.
    Gid,
}

/// One id mapping range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdMap {
    /// User or group ids.
    pub kind: IdKind,
    /// First id inside the container.
    pub container_start: u32,
    /// First id on the host.
    pub host_start: u32,
    /// Number of ids.
    pub count: u32,
}

/// Why an id mapping (`u 0 100000 65536`) does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdMapError {
    /// Not four fields.
    #[error("an idmap has 4 fields, this one has {0}")]
    FieldCount(usize),
    /// The first field is not `u` or `g`.
    #[error("`{0}` is not `u` or `g`")]
    Kind(String),
    /// An id or count that is not a 32-bit unsigned number.
    #[error("`{0}` is not a non-negative id")]
    Number(String),
}

/// LXC's grammar: `u|g CONTAINER_ID HOST_ID COUNT`, blank-separated.
impl std::str::FromStr for IdMap {
    type Err = IdMapError;

    fn from_str(text: &str) -> Result<IdMap, IdMapError> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [kind, container, host, count] = fields[..] else {
            return Err(IdMapError::FieldCount(fields.len()));
        };
        let kind = match kind {
            "u" => IdKind::Uid,
            "g" => IdKind::Gid,
            other => return Err(IdMapError::Kind(other.to_string())),
        };
        let number = |f: &str| {
            f.parse::<u32>()
                .map_err(|_| IdMapError::Number(f.to_string()))
        };
        Ok(IdMap {
            kind,
            container_start: number(container)?,
            host_start: number(host)?,
            count: number(count)?,
        })
    }
}

impl std::fmt::Display for IdMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.kind == IdKind::Uid { "u" } else { "g" };
        write!(
            f,
            "{kind} {} {} {}",
            self.container_start, self.host_start, self.count
        )
    }
}

impl IdMap {
    /// Whether container id `id` is mapped by this range.
    pub fn maps_container_id(&self, id: u32) -> bool {
        id >= self.container_start
            && u64::from(id) < u64::from(self.container_start) + u64::from(self.count)
    }
}

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

/// libvirt's default drop list for LXC guests (policy `default`).
pub const LIBVIRT_DEFAULT_DROPPED: [&str; 6] = [
    "sys_module",
    "sys_time",
    "mknod",
    "audit_control",
    "mac_admin",
    "mac_override",
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

/// The console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Console {
    /// A console is set up.
    pub enabled: bool,
    /// Host device or file used as the console (absent: a new pty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// File the console output is logged to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logfile: Option<String>,
    /// Rotate the log file.
    #[serde(skip_serializing_if = "is_false")]
    pub rotate: bool,
    /// Ring buffer size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer_size: Option<ByteSize>,
    /// Log file size limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_size: Option<ByteSize>,
}

impl Default for Console {
    fn default() -> Self {
        Console {
            enabled: true,
            path: None,
            logfile: None,
            rotate: false,
            buffer_size: None,
            log_size: None,
        }
    }
}

/// LSM and seccomp settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    /// AppArmor profile (`unconfined`, `generated`, `unchanged` or a name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apparmor_profile: Option<String>,
    /// Start even when the AppArmor setup is incomplete.
    #[serde(skip_serializing_if = "is_false")]
    pub apparmor_allow_incomplete: bool,
    /// Allow nesting (adds proc and sys mounts under `/dev/.lxc`).
    #[serde(skip_serializing_if = "is_false")]
    pub apparmor_allow_nesting: bool,
    /// Raw AppArmor rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apparmor_raw: Vec<String>,
    /// SELinux context of init.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selinux_context: Option<String>,
    /// SELinux context of the session keyring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selinux_context_keyring: Option<String>,
    /// Seccomp policy file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<String>,
    /// Allow nested seccomp.
    #[serde(skip_serializing_if = "is_false")]
    pub seccomp_allow_nesting: bool,
    /// Seccomp notify proxy (`unix:PATH`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_notify_proxy: Option<String>,
    /// Seccomp notify cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_notify_cookie: Option<String>,
    /// libvirt `<seclabel>` elements, verbatim.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seclabels: Vec<String>,
}

/// When a hook runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum HookKind {
    /// Before anything, in the host's namespaces.
    PreStart,
    /// In the container's mount namespace, before the rootfs is mounted.
    PreMount,
    /// After mounts, before pivot.
    Mount,
    /// After mounts and autodev population.
    Autodev,
    /// In the container just before init.
    Start,
    /// On the host, in the container's namespaces, after stop.
    Stop,
    /// After the container stopped.
    PostStop,
    /// When the container is cloned.
    Clone,
    /// When the container is destroyed.
    Destroy,
    /// On the host after the container's namespaces exist.
    StartHost,
}

impl HookKind {
    /// Every hook kind, with its LXC key suffix.
    pub const ALL: [(HookKind, &'static str); 10] = [
        (HookKind::PreStart, "pre-start"),
        (HookKind::PreMount, "pre-mount"),
        (HookKind::Mount, "mount"),
        (HookKind::Autodev, "autodev"),
        (HookKind::Start, "start"),
        (HookKind::Stop, "stop"),
        (HookKind::PostStop, "post-stop"),
        (HookKind::Clone, "clone"),
        (HookKind::Destroy, "destroy"),
        (HookKind::StartHost, "start-host"),
    ];

    /// The LXC key suffix (`pre-start`).
    pub fn name(self) -> &'static str {
        HookKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    /// Look up an LXC key suffix.
    pub fn from_name(name: &str) -> Option<HookKind> {
        HookKind::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
    }
}

/// One hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    /// When it runs.
    pub kind: HookKind,
    /// The command line.
    pub command: String,
}

/// Hooks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Hooks {
    /// Hooks in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    /// 0: arguments on argv; 1: in `LXC_*` environment variables.
    pub version: u8,
}

impl Hooks {
    /// True when there are no hooks and the version is the default.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty() && self.version == 0
    }
}

/// A process resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prlimit {
    /// Resource name (`nofile`, `nproc`, ...) or number.
    pub resource: String,
    /// Soft limit.
    pub soft: Limit,
    /// Hard limit.
    pub hard: Limit,
}

/// A key and a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Key (`net.ipv4.ip_forward`, `oom_score_adj`).
    pub key: String,
    /// Value.
    pub value: String,
}

/// Autostart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Autostart {
    /// Started at boot.
    pub enabled: bool,
    /// Delay after starting, in seconds.
    pub delay_s: u32,
    /// Start order (higher first).
    pub order: i32,
    /// Autostart groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// Signals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Signals {
    /// Sent to init for a clean shutdown.
    pub halt: Signal,
    /// Sent to init for a reboot.
    pub reboot: Signal,
    /// Sent to init for a forced stop.
    pub stop: Signal,
    /// Sent to the container when its monitor dies.
    pub monitor_pdeath: Signal,
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            halt: Signal::PWR,
            reboot: Signal::INT,
            stop: Signal::KILL,
            monitor_pdeath: Signal::KILL,
        }
    }
}

/// Log level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// 0
    Trace,
    /// 1
    Debug,
    /// 2
    Info,
    /// 3
    Notice,
    /// 4
    Warn,
    /// 5
    Error,
    /// 6
    Crit,
    /// 7
    Alert,
    /// 8
    Fatal,
}

impl LogLevel {
    /// Levels in numeric order.
    pub const ALL: [LogLevel; 9] = [
        LogLevel::Trace,
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Notice,
        LogLevel::Warn,
        LogLevel::Error,
        LogLevel::Crit,
        LogLevel::Alert,
        LogLevel::Fatal,
    ];
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Logging {
    /// Log file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Level.
    pub level: LogLevel,
    /// Syslog facility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syslog: Option<String>,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            file: None,
            level: LogLevel::Error,
            syslog: None,
        }
    }
}

/// Clock offsets, in nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TimeOffsets {
    /// CLOCK_BOOTTIME offset.
    pub boot_ns: i64,
    /// CLOCK_MONOTONIC offset.
    pub monotonic_ns: i64,
}

/// LXC-only settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LxcSettings {
    /// Destroyed on shutdown.
    #[serde(skip_serializing_if = "is_false")]
    pub ephemeral: bool,
    /// Do not create a session keyring (`lxc.keyring.session = 1`).
    #[serde(skip_serializing_if = "is_false")]
    pub keyring_session_disabled: bool,
    /// Core scheduling.
    #[serde(skip_serializing_if = "is_false")]
    pub sched_core: bool,
    /// Monitor unshares its mount namespace.
    #[serde(skip_serializing_if = "is_false")]
    pub monitor_unshare: bool,
    /// cgroup directory settings (`lxc.cgroup.dir*`, `lxc.cgroup.relative`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cgroup_dirs: BTreeMap<String, String>,
}

/// libvirt-only settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LibvirtSettings {
    /// `<memory>` (libvirt requires one; it is not a limit unless memtune says so).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    /// `<currentMemory>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_memory: Option<ByteSize>,
    /// `<vcpu>` count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u32>,
    /// `<emulator>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator: Option<String>,
    /// `<on_poweroff>`, `<on_reboot>`, `<on_crash>`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lifecycle: BTreeMap<String, String>,
    /// `<resource><partition>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `<metadata>` content, verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// `<vcpu placement='auto'>`: numad chooses the CPUs and memory nodes.
    #[serde(skip_serializing_if = "is_false")]
    pub placement_auto: bool,
    /// `<numatune><memory mode>` when not `strict` (`interleave`, `preferred`,
    /// `restrictive`): the memory policy of the container's processes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numa_mode: Option<String>,
    /// `<cputune><emulator_period>`, microseconds: CPU bandwidth of libvirt's own
    /// `libvirt_lxc` process, not the container's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator_period_us: Option<u64>,
    /// `<cputune><emulator_quota>`, microseconds (-1: unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator_quota_us: Option<i64>,
    /// How the source XML spelled what the model normalizes away.
    #[serde(skip_serializing_if = "XmlLayout::is_empty")]
    pub layout: XmlLayout,
}

/// Spelling choices of a domain XML that do not change its meaning, kept so that
/// libvirt-formatted XML is written back byte for byte. Equivalence ignores them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct XmlLayout {
    /// `<memtune><hard_limit>` was written although it equals `<memory>`.
    #[serde(skip_serializing_if = "is_false")]
    pub hard_limit: bool,
    /// `<initenv>` names in source order (the model keeps libvirt's built-in variables
    /// first, replaced in place).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub initenv_order: Vec<String>,
    /// `<hostdev>` order: `networks/N` or `host_devices/N`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostdevs: Vec<String>,
    /// Per interface, by network index.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub interfaces: BTreeMap<u32, InterfaceLayout>,
}

impl XmlLayout {
    /// Nothing recorded.
    pub fn is_empty(&self) -> bool {
        *self == XmlLayout::default()
    }
}

/// Spelling of one `<interface>` or network `<hostdev>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InterfaceLayout {
    /// `<link state>` as written (`up`/`down`); absent means libvirt's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_state: Option<String>,
    /// `<route>` order: `ipv4_gateway`, `ipv6_gateway` or an index into `routes`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
}

/// Whether an entry kept verbatim may be written back as it is: only when lxconf's own
/// reader of that format kept it, so that its text is one line or one element of a real
/// source. A model document cannot set it (it is never serialized): a document's
/// `unrecognized` entries could hold any key or element (`lxc.hook.pre-start`, a
/// `<filesystem>` exposing the host's `/`), so writers report them as losses instead.
/// All values compare equal: where an entry came from is not part of what it means.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeptByReader(pub bool);

impl PartialEq for KeptByReader {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for KeptByReader {}

/// A setting kept verbatim because the model does not type it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unrecognized {
    /// Source format (`lxc`, `domxml`, `fstab`).
    pub format: String,
    /// Key, element path or line kind.
    pub key: String,
    /// Value as written.
    pub value: String,
    /// Why it was not typed.
    pub reason: String,
    /// Set by the reader that kept it; never read from a model document.
    #[serde(skip)]
    #[schemars(skip)]
    pub kept_by_reader: KeptByReader,
}

/// Why a container's id mappings cannot start it, whoever reads them (liblxc fails at start,
/// libvirt refuses the XML). Lint, the domain XML reader and `domxml-from-native` report
/// these under their own codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdMapProblem {
    /// Ids of the other kind are mapped, but none of `kind`.
    KindMissing {
        /// The kind with no mapping.
        kind: IdKind,
    },
    /// Ids of `kind` are mapped, but not the container's root (id 0).
    RootNotMapped {
        /// The kind whose root is unmapped.
        kind: IdKind,
        /// Index in `idmap` of the first mapping of that kind.
        first: usize,
    },
}

impl Container {
    /// What keeps the id mappings from working; empty without a user namespace.
    pub fn idmap_problems(&self) -> Vec<IdMapProblem> {
        let mut problems = Vec::new();
        if self.idmap.is_empty() {
            return problems;
        }
        for kind in [IdKind::Uid, IdKind::Gid] {
            let of_kind = || {
                self.idmap
                    .iter()
                    .enumerate()
                    .filter(move |(_, m)| m.kind == kind)
            };
            match of_kind().next() {
                None => problems.push(IdMapProblem::KindMissing { kind }),
                Some((first, _)) if !of_kind().any(|(_, m)| m.maps_container_id(0)) => {
                    problems.push(IdMapProblem::RootNotMapped { kind, first })
                }
                Some(_) => {}
            }
        }
        problems
    }
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
