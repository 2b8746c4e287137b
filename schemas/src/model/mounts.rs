//! Mounts, automatic mounts, /dev and device access.

use super::*;

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

impl Mount {
    /// A mount of the filesystem `fstype` (`none` for a bind) from `source` on `target`,
    /// every other field at its default; readers and tests set the rest with `..`.
    pub fn new(source: impl Into<String>, target: impl Into<String>, fstype: &str) -> Self {
        let fstype = fstype.to_string();
        let bind = if fstype == "none" {
            BindKind::Bind
        } else {
            BindKind::None
        };
        Mount {
            source: source.into(),
            target: target.into(),
            fstype,
            options: Vec::new(),
            readonly: false,
            bind,
            size: None,
            optional: false,
            create: None,
            relative: false,
            dump: 0,
            pass: 0,
        }
    }
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
