//! The pure half of the runner: a [`Container`] and the host facts in [`RunOptions`] become a
//! [`Plan`], an ordered list of typed steps grouped by the process that performs them.
//!
//! Nothing here touches the system, so every decision (which namespaces, which mounts with
//! which flags, which cgroup files, which capabilities) is snapshot-tested without root.
//! The executor ([`crate::exec`]) only walks the plan.

use crate::cgroup::{plan_cgroups, CgroupDir, CgroupError, CgroupLayout};
use lxconf_model::{
    BindKind, Cap, Capabilities, CgroupFlavor, CgroupMode, Code, Container, CreateKind, IdKind,
    Limit, Namespace, NetKind, ProcMode, SizeSpec, SysMode,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::PathBuf;

/// How the container's PID 1 behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InitMode {
    /// Like `lxc-execute`: the runner's own code is PID 1; it forks the command (PID 2),
    /// forwards signals to it, reaps orphans and exits with the command's status.
    #[default]
    Supervised,
    /// Like `lxc-start` and libvirt: the command is exec'd as PID 1.
    Direct,
}

/// Host facts and choices the plan depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Command and arguments; `None` runs the model's command.
    pub command: Option<Vec<String>>,
    /// PID 1 behaviour.
    pub init: InitMode,
    /// A short unique word naming this run (cgroup directories, host veth names).
    pub instance: String,
    /// The host's cgroup layout.
    pub cgroups: CgroupLayout,
    /// The runner's environment, for `lxc.environment = NAME` entries without a value.
    pub host_env: BTreeMap<String, String>,
    /// The terminal on the runner's stdin, bound on `/dev/console` when the model has one.
    pub console_tty: Option<String>,
    /// Random bytes for `x` digits in MAC addresses and the boot id.
    pub seed: u64,
    /// Write the cgroup limits the container got (read back from the kernel) to this host
    /// file before the command starts (`lxconf equiv` compares them).
    pub report_limits: Option<PathBuf>,
}

impl RunOptions {
    /// Options for this host and process: detected cgroup layout, environment, terminal.
    pub fn detect() -> RunOptions {
        let pid = std::process::id();
        let tty = nix::unistd::ttyname(std::io::stdin())
            .ok()
            .map(|p| p.to_string_lossy().into_owned());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        RunOptions {
            command: None,
            init: InitMode::Supervised,
            instance: format!("{pid}"),
            cgroups: CgroupLayout::detect(),
            host_env: std::env::vars().collect(),
            console_tty: tty,
            seed: nanos ^ (u64::from(pid) << 32),
            report_limits: None,
        }
    }

    /// Fixed options for tests and snapshots.
    pub fn fixed(cgroups: CgroupLayout) -> RunOptions {
        RunOptions {
            command: None,
            init: InitMode::Supervised,
            instance: "t1".into(),
            cgroups,
            host_env: BTreeMap::new(),
            console_tty: None,
            seed: 0x5eed,
            report_limits: None,
        }
    }
}

/// Mount flags, named as in `mount(2)` without `MS_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MsFlag {
    /// MS_RDONLY
    Rdonly,
    /// MS_NOSUID
    Nosuid,
    /// MS_NODEV
    Nodev,
    /// MS_NOEXEC
    Noexec,
    /// MS_SYNCHRONOUS
    Synchronous,
    /// MS_REMOUNT
    Remount,
    /// MS_MANDLOCK
    Mandlock,
    /// MS_DIRSYNC
    Dirsync,
    /// MS_NOATIME
    Noatime,
    /// MS_NODIRATIME
    Nodiratime,
    /// MS_BIND
    Bind,
    /// MS_REC
    Rec,
    /// MS_SILENT
    Silent,
    /// MS_UNBINDABLE
    Unbindable,
    /// MS_PRIVATE
    Private,
    /// MS_SLAVE
    Slave,
    /// MS_SHARED
    Shared,
    /// MS_RELATIME
    Relatime,
    /// MS_STRICTATIME
    Strictatime,
    /// MS_LAZYTIME
    Lazytime,
}

/// A set of mount flags.
pub type MsFlags = BTreeSet<MsFlag>;

/// What is at a mount target (or a path the runner creates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountStep {
    /// Source (host path, `proc`, `tmpfs`...); for a bind with `source_in_root` a path in the
    /// container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Source is resolved inside the container's root.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub source_in_root: bool,
    /// Target, absolute inside the container; resolved without leaving the root.
    pub target: String,
    /// Filesystem type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fstype: Option<String>,
    /// Flags.
    pub flags: MsFlags,
    /// Filesystem data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Create the target when missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<CreateKind>,
    /// Skip this mount (and its remount) when it fails.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// A character device node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DevNode {
    /// Path in the container (`/dev/null`).
    pub path: String,
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Mode bits.
    pub mode: u32,
    /// Host node bound instead when mknod is not permitted.
    pub host: String,
}

/// A network interface created on the host and moved into the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LinkCreate {
    /// A veth pair: the host end stays, the peer is created inside the container.
    Veth {
        /// Host end.
        host: String,
        /// Container end (final name).
        peer: String,
        /// Bridge to attach the host end to, if it exists.
        #[serde(skip_serializing_if = "Option::is_none")]
        bridge: Option<String>,
        /// MAC address of the container end.
        #[serde(skip_serializing_if = "Option::is_none")]
        hwaddr: Option<[u8; 6]>,
        /// MTU of both ends.
        #[serde(skip_serializing_if = "Option::is_none")]
        mtu: Option<u32>,
    },
    /// A macvlan, ipvlan or vlan device on a host link, created in the container.
    Child {
        /// `macvlan`, `ipvlan` or `vlan`.
        kind: String,
        /// Parent host interface.
        link: String,
        /// Name in the container.
        name: String,
        /// macvlan mode / ipvlan mode number, or vlan id.
        param: u32,
        /// MAC address.
        #[serde(skip_serializing_if = "Option::is_none")]
        hwaddr: Option<[u8; 6]>,
        /// MTU.
        #[serde(skip_serializing_if = "Option::is_none")]
        mtu: Option<u32>,
    },
    /// A host interface moved into the container and renamed.
    Phys {
        /// Host name.
        link: String,
        /// Name in the container.
        name: String,
        /// MTU.
        #[serde(skip_serializing_if = "Option::is_none")]
        mtu: Option<u32>,
    },
}

/// Address or route configuration of one interface inside the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IfConfig {
    /// Interface name in the container.
    pub name: String,
    /// Addresses with prefix length (and IPv4 broadcast).
    pub addresses: Vec<(IpAddr, u8, Option<IpAddr>)>,
    /// Bring it up.
    pub up: bool,
    /// Routes: destination, prefix, gateway (none: device route).
    pub routes: Vec<(IpAddr, u8, Option<IpAddr>)>,
}

/// Steps of the runner in the host context before the container process exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum HostStep {
    /// Create a cgroup and write its limits.
    Cgroup(CgroupDir),
}

/// Steps of the runner on the container process, while it waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ParentStep {
    /// Write `/proc/PID/uid_map` or `gid_map`.
    IdMap {
        /// uid or gid.
        kind: IdKind,
        /// Lines `inside outside count`.
        map: String,
    },
    /// Move the container process into a cgroup.
    CgroupAttach {
        /// cgroup directory.
        path: PathBuf,
    },
    /// `prlimit` on the container process.
    Prlimit {
        /// Resource number (`RLIMIT_*`).
        resource: u32,
        /// Resource name.
        name: String,
        /// Soft limit (`None`: unlimited).
        soft: Option<u64>,
        /// Hard limit.
        hard: Option<u64>,
    },
    /// Write `/proc/PID/KEY`.
    ProcWrite {
        /// Key under `/proc/PID`.
        key: String,
        /// Value.
        value: String,
    },
    /// Create a network link in (or move one into) the container's network namespace.
    Link(LinkCreate),
    /// Read the cgroup limit files back (the values the kernel kept) and write them as
    /// `FILE VALUE` lines to a host file.
    ReportLimits {
        /// The report.
        to: PathBuf,
        /// The files read.
        files: Vec<PathBuf>,
    },
}

/// Steps of the container process as root, before it runs the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ContainerStep {
    /// `unshare(CLONE_NEWCGROUP)` after the process was moved into its cgroup.
    UnshareCgroupNs,
    /// Make every mount a slave so nothing propagates back to the host.
    MakeRootSlave,
    /// Bind the rootfs onto itself so that it is a mount point.
    BindRootfs {
        /// Host path of the rootfs.
        path: String,
    },
    /// `sethostname`.
    Hostname {
        /// Name.
        name: String,
    },
    /// Bring loopback up.
    LoopbackUp,
    /// Configure an interface inside the container.
    Interface(IfConfig),
    /// A mount.
    Mount(MountStep),
    /// Create a directory (mode) inside the root.
    Mkdir {
        /// Path in the container.
        path: String,
        /// Mode.
        mode: u32,
    },
    /// Create a device node, or bind the host's when mknod is not allowed.
    Mknod(DevNode),
    /// Create a symlink if nothing is at `path`.
    Symlink {
        /// Link path in the container.
        path: String,
        /// Link content.
        to: String,
    },
    /// Bind the runner's terminal on `/dev/console`.
    Console {
        /// Host terminal.
        tty: String,
    },
    /// Write a random boot id to `/dev/.lxc-boot-id` and bind it over
    /// `/proc/sys/kernel/random/boot_id` (LXC with autodev).
    BootId {
        /// The id.
        id: String,
    },
    /// `pivot_root` into the rootfs and detach the old root.
    PivotRoot {
        /// Host path of the rootfs.
        path: String,
    },
    /// Write a sysctl under `/proc/sys`.
    Sysctl {
        /// Dotted key.
        key: String,
        /// Value.
        value: String,
    },
    /// `unshare(CLONE_NEWTIME)` and write the offsets (applies to the command).
    TimeNamespace {
        /// CLOCK_BOOTTIME offset, ns.
        boot_ns: i64,
        /// CLOCK_MONOTONIC offset, ns.
        monotonic_ns: i64,
    },
}

/// Steps of the command's process, right before exec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ProcessStep {
    /// New session.
    Setsid,
    /// `chdir`.
    Chdir {
        /// Directory in the container.
        path: String,
        /// Create it first (mkdir -p).
        create: bool,
    },
    /// Remove capabilities from the bounding set.
    DropBounding {
        /// Capabilities.
        caps: Vec<String>,
    },
    /// `setgroups`.
    Setgroups {
        /// Groups.
        groups: Vec<u32>,
    },
    /// `setresgid`.
    Setgid {
        /// Group id.
        gid: u32,
    },
    /// `setresuid` (keeping capabilities so the next step decides them).
    Setuid {
        /// User id.
        uid: u32,
    },
    /// `capset` of effective, permitted and inheritable, then the ambient set.
    SetCaps {
        /// Effective.
        effective: Vec<String>,
        /// Permitted.
        permitted: Vec<String>,
        /// Inheritable.
        inheritable: Vec<String>,
        /// Ambient.
        ambient: Vec<String>,
    },
    /// `PR_SET_NO_NEW_PRIVS`.
    NoNewPrivs,
}

/// The command to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecSpec {
    /// argv; argv\[0\] without a slash is searched in PATH (or `/bin:/usr/bin`) inside the
    /// container, like `execvp`.
    pub argv: Vec<String>,
    /// Environment, exactly.
    pub env: Vec<String>,
}

/// A shared namespace to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinNs {
    /// Namespace kind.
    pub ns: Namespace,
    /// `/proc/PID/ns/NAME` or a bind-mounted namespace file.
    pub path: String,
}

/// Everything the runner does, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Name used in messages.
    pub name: String,
    /// PID 1 behaviour.
    pub init: InitMode,
    /// Namespaces created by `clone` (cgroup and time are unshared later).
    pub clone: BTreeSet<Namespace>,
    /// Namespaces joined by the container process right after clone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub join: Vec<JoinNs>,
    /// In the host context, before clone.
    pub host: Vec<HostStep>,
    /// On the waiting container process, from the host context.
    pub parent: Vec<ParentStep>,
    /// In the container process, as root.
    pub container: Vec<ContainerStep>,
    /// In the command's process.
    pub process: Vec<ProcessStep>,
    /// The command.
    pub exec: ExecSpec,
    /// What is removed on exit: cgroup directories. Host interfaces are not listed: the
    /// executor removes only those it created, known by their index at run time.
    pub cleanup: Cleanup,
    /// Settings of the model the runner does not apply, each a coded warning.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_applied: Vec<Finding>,
}

/// Resources removed when the container is gone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Cleanup {
    /// cgroup directories; the first one is the tracking cgroup.
    pub cgroups: Vec<PathBuf>,
}

/// A setting of the model the runner does not apply: `run` prints it as a warning and
/// `run --strict` refuses to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The code (`R001`...).
    #[serde(serialize_with = "code_text")]
    pub code: Code,
    /// What is not applied, lowercase.
    pub message: String,
}

impl Finding {
    fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            message: message.into(),
        }
    }
}

fn code_text<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

/// Why a model cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No command to run.
    #[error("the container has no command to run")]
    NoCommand,
    /// A mount target leaves the container's root.
    #[error("mount target `{0}` leaves the container's root")]
    TargetEscapes(String),
    /// A relative mount target (the model wants absolute targets).
    #[error("mount target `{0}` is not absolute")]
    RelativeTarget(String),
    /// A setting the runner cannot apply.
    #[error("{0} is not supported by the runner")]
    Unsupported(String),
    /// cgroup setup is impossible on this host.
    #[error(transparent)]
    Cgroup(#[from] CgroupError),
    /// `lxc.environment = NAME` with NAME unset in the runner's environment.
    #[error("environment variable `{0}` is taken from the host but is not set")]
    MissingHostEnv(String),
    /// An unknown prlimit resource.
    #[error("`{0}` is not a resource limit name")]
    UnknownPrlimit(String),
    /// An invalid value.
    #[error("invalid {what}: {value}")]
    Invalid {
        /// What.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// An `lxc.proc.*` or `lxc.sysctl.*` key that is not a plain name below `/proc`.
    #[error("`{prefix}.{key}` is refused: the key must be a plain name below /proc (letters, digits, `_`, `-`, inner `.`), never a path")]
    UnsafeKernelKey {
        /// `lxc.proc` or `lxc.sysctl`.
        prefix: &'static str,
        /// The key.
        key: String,
    },
    /// An init id the kernel reads as -1 ("leave unchanged").
    #[error("init {what} 4294967295 is refused: the kernel reads it as -1 (\"unchanged\"), so the command would keep uid 0 and every capability")]
    InitIdOutOfRange {
        /// `uid`, `gid` or `group`.
        what: &'static str,
    },
}

impl PlanError {
    /// The diagnostic code of this error.
    pub fn code(&self) -> Code {
        match self {
            PlanError::UnsafeKernelKey { .. } => Code::M040,
            PlanError::InitIdOutOfRange { .. } => Code::M041,
            _ => Code::R014,
        }
    }
}

/// True for a key that names one file directly under `/proc/PID`: ASCII letters, digits,
/// `_`, `-` and inner dots, no `/`, no `..`, not empty. liblxc joins the key to the path
/// unchecked, so `lxc.proc.../../etc/x` writes a host file; the parser refuses such keys
/// too, and the runner checks again because a model document reaches it directly.
pub fn proc_key_is_safe(key: &str) -> bool {
    lxconf_model::values::proc_key_problem(key).is_none()
}

/// Refuse ids the kernel reads as -1: `setresuid(-1, -1, -1)` changes nothing, so a
/// command meant to run as "uid 4294967295" would run as root with every capability.
fn check_init_ids(c: &Container) -> Result<(), PlanError> {
    let bad = |id: u32| id == lxconf_model::values::RESERVED_ID;
    if bad(c.init.uid) {
        return Err(PlanError::InitIdOutOfRange { what: "uid" });
    }
    if bad(c.init.gid) {
        return Err(PlanError::InitIdOutOfRange { what: "gid" });
    }
    if c.init.groups.iter().copied().any(bad) {
        return Err(PlanError::InitIdOutOfRange { what: "group" });
    }
    Ok(())
}

fn flags(list: &[MsFlag]) -> MsFlags {
    list.iter().copied().collect()
}

/// Normalize a container path lexically; `..` above the root is an error.
pub fn clean_target(target: &str) -> Result<String, PlanError> {
    if !target.starts_with('/') {
        return Err(PlanError::RelativeTarget(target.to_string()));
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PlanError::TargetEscapes(target.to_string()));
                }
            }
            other => parts.push(other),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

/// Split mount options into flags and data, like liblxc's `parse_mntopts` +
/// `parse_propagationopts`.
fn parse_options(options: &[String]) -> (MsFlags, MsFlags, Vec<String>) {
    let mut set = MsFlags::new();
    let mut prop = MsFlags::new();
    let mut data = Vec::new();
    for opt in options {
        let (add, clear): (Option<MsFlag>, Option<MsFlag>) = match opt.as_str() {
            "defaults" | "auto" | "noauto" | "nouser" | "user" | "users" | "nofail" | "_netdev" => {
                (None, None)
            }
            "ro" => (Some(MsFlag::Rdonly), None),
            "rw" => (None, Some(MsFlag::Rdonly)),
            "nosuid" => (Some(MsFlag::Nosuid), None),
            "suid" => (None, Some(MsFlag::Nosuid)),
            "nodev" => (Some(MsFlag::Nodev), None),
            "dev" => (None, Some(MsFlag::Nodev)),
            "noexec" => (Some(MsFlag::Noexec), None),
            "exec" => (None, Some(MsFlag::Noexec)),
            "sync" => (Some(MsFlag::Synchronous), None),
            "async" => (None, Some(MsFlag::Synchronous)),
            "dirsync" => (Some(MsFlag::Dirsync), None),
            "mand" => (Some(MsFlag::Mandlock), None),
            "nomand" => (None, Some(MsFlag::Mandlock)),
            "noatime" => (Some(MsFlag::Noatime), None),
            "atime" => (None, Some(MsFlag::Noatime)),
            "nodiratime" => (Some(MsFlag::Nodiratime), None),
            "diratime" => (None, Some(MsFlag::Nodiratime)),
            "relatime" => (Some(MsFlag::Relatime), None),
            "norelatime" => (None, Some(MsFlag::Relatime)),
            "strictatime" => (Some(MsFlag::Strictatime), None),
            "nostrictatime" => (None, Some(MsFlag::Strictatime)),
            "lazytime" => (Some(MsFlag::Lazytime), None),
            "silent" => (Some(MsFlag::Silent), None),
            "loud" => (None, Some(MsFlag::Silent)),
            "remount" => (Some(MsFlag::Remount), None),
            "bind" | "rbind" => (None, None),
            "private" | "slave" | "shared" | "unbindable" | "rprivate" | "rslave" | "rshared"
            | "runbindable" => {
                let (rec, base) = match opt.as_str() {
                    "rprivate" | "rslave" | "rshared" | "runbindable" => (true, &opt[1..]),
                    other => (false, other),
                };
                prop.insert(match base {
                    "private" => MsFlag::Private,
                    "slave" => MsFlag::Slave,
                    "shared" => MsFlag::Shared,
                    _ => MsFlag::Unbindable,
                });
                if rec {
                    prop.insert(MsFlag::Rec);
                }
                (None, None)
            }
            _ => {
                data.push(opt.clone());
                (None, None)
            }
        };
        if let Some(f) = add {
            set.insert(f);
        }
        if let Some(f) = clear {
            set.remove(&f);
        }
    }
    (set, prop, data)
}

/// Per-mount flags that a bind mount only takes through a remount.
const REMOUNT_FLAGS: [MsFlag; 8] = [
    MsFlag::Rdonly,
    MsFlag::Nosuid,
    MsFlag::Nodev,
    MsFlag::Noexec,
    MsFlag::Noatime,
    MsFlag::Nodiratime,
    MsFlag::Relatime,
    MsFlag::Strictatime,
];

fn mac_bytes(mac: &lxconf_model::MacAddr, seed: &mut u64) -> Result<[u8; 6], PlanError> {
    let mut out = [0u8; 6];
    for (i, part) in mac.as_str().split(':').enumerate().take(6) {
        let mut byte = 0u8;
        for ch in part.chars() {
            let nibble = match ch.to_digit(16) {
                Some(d) => d as u8,
                None => {
                    // `x`: a random nibble (xorshift on the seed).
                    *seed ^= *seed << 13;
                    *seed ^= *seed >> 7;
                    *seed ^= *seed << 17;
                    (*seed & 0xf) as u8
                }
            };
            byte = (byte << 4) | nibble;
        }
        out[i] = byte;
    }
    // A randomized address must stay unicast and locally administered like LXC's.
    if mac.is_pattern() {
        out[0] &= 0xfe;
    }
    Ok(out)
}

/// Resource names of `lxc.prlimit.*`, with their `RLIMIT_*` numbers.
pub const RLIMITS: [(&str, u32); 16] = [
    ("cpu", 0),
    ("fsize", 1),
    ("data", 2),
    ("stack", 3),
    ("core", 4),
    ("rss", 5),
    ("nproc", 6),
    ("nofile", 7),
    ("memlock", 8),
    ("as", 9),
    ("locks", 10),
    ("sigpending", 11),
    ("msgqueue", 12),
    ("nice", 13),
    ("rtprio", 14),
    ("rttime", 15),
];

/// Plan the run of `c`.
pub fn plan(c: &Container, opts: &RunOptions) -> Result<Plan, PlanError> {
    check_init_ids(c)?;
    let mut not_applied = Vec::new();
    let name = c.name.clone().unwrap_or_else(|| "container".to_string());
    let leaf_name: String = name
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    let leaf = format!("lxconf.payload.{leaf_name}.{}", opts.instance);

    // Namespaces.
    let mut clone: BTreeSet<Namespace> = c.namespaces.clone.clone();
    for ns in c.namespaces.share.keys() {
        clone.remove(ns);
    }
    if !c.idmap.is_empty() && !c.namespaces.share.contains_key(&Namespace::User) {
        clone.insert(Namespace::User);
    }
    let unshare_cgroup = clone.remove(&Namespace::Cgroup);
    let time_ns = clone.remove(&Namespace::Time)
        || c.time_offsets.boot_ns != 0
        || c.time_offsets.monotonic_ns != 0;
    let mut join = Vec::new();
    for (ns, value) in &c.namespaces.share {
        let path = if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
            format!("/proc/{value}/ns/{}", ns.name())
        } else if value.starts_with('/') {
            value.clone()
        } else {
            return Err(PlanError::Unsupported(format!(
                "sharing the {ns} namespace of container `{value}` (give a pid or a path)"
            )));
        };
        join.push(JoinNs { ns: *ns, path });
    }

    // Host steps: cgroups.
    let dirs = plan_cgroups(&opts.cgroups, &leaf, &c.resources, &c.device_rules)?;
    let cleanup = Cleanup {
        cgroups: dirs.iter().map(|d| d.path.clone()).collect(),
    };
    let mut plan = Plan {
        name: name.clone(),
        init: opts.init,
        clone: clone.clone(),
        join,
        host: dirs.iter().cloned().map(HostStep::Cgroup).collect(),
        parent: Vec::new(),
        container: Vec::new(),
        process: Vec::new(),
        exec: ExecSpec {
            argv: Vec::new(),
            env: Vec::new(),
        },
        cleanup,
        not_applied: Vec::new(),
    };

    // Parent steps.
    for kind in [IdKind::Uid, IdKind::Gid] {
        let lines: Vec<String> = c
            .idmap
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| format!("{} {} {}", m.container_start, m.host_start, m.count))
            .collect();
        if !lines.is_empty() {
            plan.parent.push(ParentStep::IdMap {
                kind,
                map: lines.join("\n") + "\n",
            });
        }
    }
    for d in &dirs {
        plan.parent.push(ParentStep::CgroupAttach {
            path: d.path.clone(),
        });
    }
    for p in &c.prlimits {
        let resource = RLIMITS
            .iter()
            .find(|(n, _)| *n == p.resource)
            .map(|(_, r)| *r)
            .or_else(|| p.resource.parse().ok())
            .ok_or_else(|| PlanError::UnknownPrlimit(p.resource.clone()))?;
        let v = |l: Limit| match l {
            Limit::Unlimited => None,
            Limit::Value(v) => Some(v),
        };
        plan.parent.push(ParentStep::Prlimit {
            resource,
            name: p.resource.clone(),
            soft: v(p.soft),
            hard: v(p.hard),
        });
    }
    for s in &c.proc {
        if !proc_key_is_safe(&s.key) {
            return Err(PlanError::UnsafeKernelKey {
                prefix: "lxc.proc",
                key: s.key.clone(),
            });
        }
        plan.parent.push(ParentStep::ProcWrite {
            key: s.key.clone(),
            value: s.value.clone(),
        });
    }

    let dropped: BTreeSet<Cap> = c.capabilities.dropped();
    let keeps = |name: &str| Cap::from_name(name).is_some_and(|cap| !dropped.contains(&cap));
    let own_net = clone.contains(&Namespace::Net);

    // Networks.
    let mut seed = opts.seed | 1;
    let mut ifconfigs = Vec::new();
    let mut loopback_up = false;
    for n in &c.networks {
        let mac = n
            .hwaddr
            .as_ref()
            .map(|m| mac_bytes(m, &mut seed))
            .transpose()?;
        let cname = n.name.clone().unwrap_or_else(|| format!("eth{}", n.index));
        let needs_ns = !matches!(n.kind, NetKind::None);
        if needs_ns && !own_net {
            return Err(PlanError::Unsupported(format!(
                "network {} of type {:?} without a network namespace",
                n.index, n.kind
            )));
        }
        match n.kind {
            NetKind::None => continue,
            NetKind::Empty => {
                loopback_up |= n.up;
                continue;
            }
            NetKind::Veth => {
                let host = n
                    .veth
                    .as_ref()
                    .and_then(|v| v.pair.clone())
                    .unwrap_or_else(|| {
                        let mut s = format!("vx{}n{}", opts.instance, n.index);
                        s.truncate(15);
                        s
                    });
                if n.veth.as_ref().is_some_and(|v| {
                    v.mode == lxconf_model::VethMode::Router || !v.routes.is_empty()
                }) {
                    not_applied.push(Finding::new(
                        Code::R007,
                        format!(
                            "network {}: veth router mode and host-side routes are not set up",
                            n.index
                        ),
                    ));
                }
                plan.parent.push(ParentStep::Link(LinkCreate::Veth {
                    host,
                    peer: cname.clone(),
                    bridge: n.link.clone(),
                    hwaddr: mac,
                    mtu: n.mtu,
                }));
            }
            NetKind::Macvlan | NetKind::Ipvlan | NetKind::Vlan => {
                let link = n.link.clone().ok_or_else(|| PlanError::Invalid {
                    what: "network without link",
                    value: format!("{}", n.index),
                })?;
                let (kind, param) = match n.kind {
                    NetKind::Macvlan => (
                        "macvlan",
                        match n.macvlan_mode.unwrap_or(lxconf_model::MacvlanMode::Private) {
                            lxconf_model::MacvlanMode::Private => 1,
                            lxconf_model::MacvlanMode::Vepa => 2,
                            lxconf_model::MacvlanMode::Bridge => 4,
                            lxconf_model::MacvlanMode::Passthru => 8,
                        },
                    ),
                    NetKind::Ipvlan => (
                        "ipvlan",
                        match n.ipvlan_mode.unwrap_or(lxconf_model::IpvlanMode::L3) {
                            lxconf_model::IpvlanMode::L2 => 0,
                            lxconf_model::IpvlanMode::L3 => 1,
                            lxconf_model::IpvlanMode::L3s => 2,
                        },
                    ),
                    _ => ("vlan", u32::from(n.vlan_id.unwrap_or(0))),
                };
                plan.parent.push(ParentStep::Link(LinkCreate::Child {
                    kind: kind.into(),
                    link,
                    name: cname.clone(),
                    param,
                    hwaddr: mac,
                    mtu: n.mtu,
                }));
            }
            NetKind::Phys => {
                let link = n.link.clone().ok_or_else(|| PlanError::Invalid {
                    what: "phys network without link",
                    value: format!("{}", n.index),
                })?;
                plan.parent.push(ParentStep::Link(LinkCreate::Phys {
                    link,
                    name: cname.clone(),
                    mtu: n.mtu,
                }));
            }
        }
        let mut addresses = Vec::new();
        for a in &n.ipv4 {
            addresses.push((IpAddr::V4(a.address), a.prefix, a.broadcast.map(IpAddr::V4)));
        }
        for a in &n.ipv6 {
            addresses.push((IpAddr::V6(a.address), a.prefix, None));
        }
        let mut routes: Vec<(IpAddr, u8, Option<IpAddr>)> = n
            .routes
            .iter()
            .map(|r| (r.address, r.prefix, r.gateway))
            .collect();
        for (gw, any) in [
            (&n.ipv4_gateway, IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
            (&n.ipv6_gateway, IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)),
        ] {
            match gw {
                None => {}
                Some(lxconf_model::Gateway::Dev) => routes.push((any, 0, None)),
                Some(lxconf_model::Gateway::Address(a)) => routes.push((any, 0, Some(*a))),
                Some(lxconf_model::Gateway::Auto) => not_applied.push(Finding::new(
                    Code::R007,
                    format!(
                        "network {}: gateway `auto` is not set (the bridge's address is not looked up)",
                        n.index
                    ),
                )),
            }
        }
        ifconfigs.push(IfConfig {
            name: cname,
            addresses,
            up: n.up,
            routes,
        });
    }

    if let Some(to) = &opts.report_limits {
        let files = dirs
            .iter()
            .flat_map(|d| d.writes.iter().map(|(f, _)| d.path.join(f)))
            .collect();
        plan.parent.push(ParentStep::ReportLimits {
            to: to.clone(),
            files,
        });
    }

    // Container steps, in liblxc's `lxc_setup` order.
    let steps = &mut plan.container;
    if unshare_cgroup {
        steps.push(ContainerStep::UnshareCgroupNs);
    }
    let rootfs = match &c.rootfs {
        Some(r) => {
            match r.backend.as_deref() {
                None | Some("dir") => {}
                Some(other) => {
                    return Err(PlanError::Unsupported(format!("rootfs backend `{other}`")))
                }
            }
            if !r.options.is_empty() {
                not_applied.push(Finding::new(
                    Code::R008,
                    format!("rootfs options {:?} are not applied", r.options),
                ));
            }
            Some(r)
        }
        None => None,
    };
    if clone.contains(&Namespace::Mnt) {
        steps.push(ContainerStep::MakeRootSlave);
    } else if rootfs.is_some() || !c.mounts.is_empty() || c.dev.autodev {
        return Err(PlanError::Unsupported(
            "mounts without a mount namespace".to_string(),
        ));
    }
    if let Some(r) = rootfs {
        steps.push(ContainerStep::BindRootfs {
            path: r.path.clone(),
        });
    }
    if let Some(h) = &c.hostname {
        if clone.contains(&Namespace::Uts) {
            steps.push(ContainerStep::Hostname { name: h.clone() });
        } else {
            not_applied.push(Finding::new(
                Code::R009,
                "the hostname is not set: the UTS namespace is shared",
            ));
        }
    }
    if loopback_up {
        steps.push(ContainerStep::LoopbackUp);
    }
    for i in ifconfigs {
        steps.push(ContainerStep::Interface(i));
    }
    let mount = |source: &str, target: &str, fstype: &str, fl: &[MsFlag], data: Option<&str>| {
        ContainerStep::Mount(MountStep {
            source: Some(source.to_string()),
            source_in_root: false,
            target: target.to_string(),
            fstype: Some(fstype.to_string()),
            flags: flags(fl),
            data: data.map(str::to_string),
            create: None,
            optional: false,
        })
    };
    let bind_self = |target: &str, optional: bool| {
        ContainerStep::Mount(MountStep {
            source: Some(target.to_string()),
            source_in_root: true,
            target: target.to_string(),
            fstype: None,
            flags: flags(&[MsFlag::Bind]),
            data: None,
            create: None,
            optional,
        })
    };
    let remount = |target: &str, fl: &[MsFlag], optional: bool| {
        let mut f = flags(fl);
        f.insert(MsFlag::Remount);
        f.insert(MsFlag::Bind);
        ContainerStep::Mount(MountStep {
            source: None,
            source_in_root: false,
            target: target.to_string(),
            fstype: None,
            flags: f,
            data: None,
            create: None,
            optional,
        })
    };
    use MsFlag::{Nodev, Noexec, Nosuid, Rdonly};
    if c.dev.autodev {
        steps.push(mount(
            "none",
            "/dev",
            "tmpfs",
            &[],
            Some(&format!("size={},mode=755", c.dev.tmpfs_size.0)),
        ));
        // liblxc creates it under umask 0111, so `lxc-execute` shows mode 0644.
        steps.push(ContainerStep::Mkdir {
            path: "/dev/pts".into(),
            mode: 0o644,
        });
    }
    // proc and sys automounts.
    match c.auto_mounts.proc {
        None => {}
        Some(ProcMode::Rw) => steps.push(mount(
            "proc",
            "/proc",
            "proc",
            &[Nosuid, Nodev, Noexec],
            None,
        )),
        Some(ProcMode::Mixed) => {
            steps.push(mount(
                "proc",
                "/proc",
                "proc",
                &[Nosuid, Nodev, Noexec],
                None,
            ));
            steps.push(bind_self("/proc/sys", false));
            if keeps("net_admin") {
                steps.push(bind_self("/proc/sys/net", true));
            }
            // liblxc remounts with MS_RDONLY alone, which clears nosuid/nodev/noexec on
            // that mount: `lxc-execute` shows `/proc/sys ro,relatime`.
            steps.push(remount("/proc/sys", &[Rdonly], false));
            steps.push(bind_self("/proc/sysrq-trigger", true));
            steps.push(remount("/proc/sysrq-trigger", &[Rdonly], true));
        }
        Some(ProcMode::Libvirt) => {
            steps.push(mount(
                "proc",
                "/proc",
                "proc",
                &[Nosuid, Nodev, Noexec],
                None,
            ));
            steps.push(bind_self("/proc/sys", false));
            if own_net {
                steps.push(bind_self("/proc/sys/net/ipv4", true));
                steps.push(bind_self("/proc/sys/net/ipv6", true));
            }
            steps.push(remount(
                "/proc/sys",
                &[Rdonly, Nosuid, Nodev, Noexec],
                false,
            ));
            not_applied.push(Finding::new(
                Code::R008,
                "libvirt's FUSE /proc/meminfo is not mounted",
            ));
        }
    }
    match c.auto_mounts.sys {
        None => {}
        Some(SysMode::Rw) => steps.push(mount("sysfs", "/sys", "sysfs", &[], None)),
        Some(SysMode::Ro) => steps.push(mount("sysfs", "/sys", "sysfs", &[Rdonly], None)),
        Some(SysMode::Libvirt) => steps.push(mount(
            "sysfs",
            "/sys",
            "sysfs",
            &[Rdonly, Nosuid, Nodev, Noexec],
            None,
        )),
        Some(SysMode::Mixed) => {
            steps.push(mount(
                "sysfs",
                "/sys",
                "sysfs",
                &[Nosuid, Nodev, Noexec],
                None,
            ));
            steps.push(bind_self("/sys/devices/virtual/net", true));
            steps.push(remount("/sys", &[Rdonly, Nosuid, Nodev, Noexec], false));
        }
    }
    if let Some(sh) = &c.auto_mounts.shmounts {
        steps.push(ContainerStep::Mount(MountStep {
            source: Some(sh.host.clone()),
            source_in_root: false,
            target: clean_target(&sh.container)?,
            fstype: None,
            flags: flags(&[MsFlag::Bind]),
            data: None,
            create: Some(CreateKind::Dir),
            optional: false,
        }));
    }
    // Mount entries.
    for m in &c.mounts {
        let target = clean_target(&m.target)?;
        let (mut fl, prop, mut data) = parse_options(&m.options);
        if m.readonly {
            fl.insert(MsFlag::Rdonly);
        }
        if let Some(size) = m.size {
            data.push(match size {
                SizeSpec::Bytes(b) => format!("size={}", b.0),
                SizeSpec::Percent(p) => format!("size={p}%"),
            });
        }
        let data = (!data.is_empty()).then(|| data.join(","));
        let source = if m.relative {
            Some(clean_target(&format!(
                "/{}",
                m.source.trim_start_matches('/')
            ))?)
        } else {
            Some(m.source.clone())
        };
        match m.bind {
            BindKind::None => {
                steps.push(ContainerStep::Mount(MountStep {
                    source,
                    source_in_root: m.relative,
                    target: target.clone(),
                    fstype: Some(m.fstype.clone()),
                    flags: fl,
                    data,
                    create: m.create,
                    optional: m.optional,
                }));
            }
            BindKind::Bind | BindKind::Rbind => {
                let mut bf = flags(&[MsFlag::Bind]);
                if m.bind == BindKind::Rbind {
                    bf.insert(MsFlag::Rec);
                }
                steps.push(ContainerStep::Mount(MountStep {
                    source,
                    source_in_root: m.relative,
                    target: target.clone(),
                    fstype: None,
                    flags: bf,
                    data: None,
                    create: m.create,
                    optional: m.optional,
                }));
                let re: Vec<MsFlag> = fl
                    .iter()
                    .copied()
                    .filter(|f| REMOUNT_FLAGS.contains(f))
                    .collect();
                if !re.is_empty() {
                    steps.push(remount(&target, &re, m.optional));
                }
            }
        }
        if !prop.is_empty() {
            steps.push(ContainerStep::Mount(MountStep {
                source: None,
                source_in_root: false,
                target,
                fstype: None,
                flags: prop,
                data: None,
                create: None,
                optional: m.optional,
            }));
        }
    }
    // cgroup automount.
    if let Some(cg) = &c.auto_mounts.cgroup {
        let sys_admin = keeps("sys_admin");
        let mode = cg.mode.unwrap_or(if sys_admin {
            CgroupMode::Rw
        } else {
            CgroupMode::Mixed
        });
        let pure_v2 = opts.cgroups.v1.is_empty();
        let force = cg.force || !sys_admin || pure_v2;
        if unshare_cgroup && !force {
            // liblxc mounts nothing: the container's init does it in its cgroup namespace.
        } else if cg.flavor == CgroupFlavor::V2 || pure_v2 {
            let mut fl = vec![Nosuid, Nodev, Noexec, MsFlag::Relatime];
            if mode == CgroupMode::Ro {
                fl.push(Rdonly);
            }
            steps.push(ContainerStep::Mount(MountStep {
                source: Some("cgroup2".into()),
                source_in_root: false,
                target: "/sys/fs/cgroup".into(),
                fstype: Some("cgroup2".into()),
                flags: flags(&fl),
                data: None,
                create: None,
                optional: false,
            }));
        } else {
            not_applied.push(Finding::new(
                Code::R008,
                "cgroup v1 automounts (a tmpfs with one mount per hierarchy) are not mounted",
            ));
        }
    }
    // Device nodes, devpts, console, symlinks.
    if c.dev.autodev {
        for (node, major, minor) in [
            ("full", 1, 7),
            ("null", 1, 3),
            ("random", 1, 8),
            ("tty", 5, 0),
            ("urandom", 1, 9),
            ("zero", 1, 5),
        ] {
            steps.push(ContainerStep::Mknod(DevNode {
                path: format!("/dev/{node}"),
                major,
                minor,
                mode: 0o666,
                host: format!("/dev/{node}"),
            }));
        }
        if c.dev.ptys > 0 {
            steps.push(mount(
                "devpts",
                "/dev/pts",
                "devpts",
                &[Nosuid, Noexec],
                Some("newinstance,ptmxmode=0666,mode=0620,gid=5"),
            ));
            steps.push(ContainerStep::Symlink {
                path: "/dev/ptmx".into(),
                to: "pts/ptmx".into(),
            });
        }
        if c.console.enabled && c.console.path.as_deref() != Some("none") {
            if let Some(tty) = &opts.console_tty {
                steps.push(ContainerStep::Console { tty: tty.clone() });
            }
        }
        for (path, to) in [
            ("/dev/fd", "/proc/self/fd"),
            ("/dev/stdin", "/proc/self/fd/0"),
            ("/dev/stdout", "/proc/self/fd/1"),
            ("/dev/stderr", "/proc/self/fd/2"),
        ] {
            steps.push(ContainerStep::Symlink {
                path: path.into(),
                to: to.into(),
            });
        }
    }
    if c.dev.ttys > 0 {
        not_applied.push(Finding::new(
            Code::R009,
            format!(
                "{} ttys are not set up (lxc-execute does not set them up either)",
                c.dev.ttys
            ),
        ));
    }
    if let Some(r) = rootfs {
        if r.readonly {
            steps.push(remount("/", &[Rdonly], false));
        }
        steps.push(ContainerStep::PivotRoot {
            path: r.path.clone(),
        });
    }
    // LXC binds a boot id when it builds /dev; libvirt does not.
    if c.dev.autodev && c.auto_mounts.proc.is_some() && c.libvirt.is_none() {
        let mut s = opts.seed ^ 0x9e37_79b9_7f4a_7c15;
        let mut bytes = [0u8; 16];
        for b in &mut bytes {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            *b = (s >> 24) as u8;
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let id = format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        );
        steps.push(ContainerStep::BootId { id });
    }
    for s in &c.sysctls {
        // `/proc/sys` joined with an absolute key would be the key itself: a host file.
        if !proc_key_is_safe(&s.key) {
            return Err(PlanError::UnsafeKernelKey {
                prefix: "lxc.sysctl",
                key: s.key.clone(),
            });
        }
        steps.push(ContainerStep::Sysctl {
            key: s.key.clone(),
            value: s.value.clone(),
        });
    }
    if time_ns {
        steps.push(ContainerStep::TimeNamespace {
            boot_ns: c.time_offsets.boot_ns,
            monotonic_ns: c.time_offsets.monotonic_ns,
        });
    }

    // Process steps.
    let p = &mut plan.process;
    p.push(ProcessStep::Setsid);
    match (&c.init.cwd, &c.rootfs) {
        // Created inside a root filesystem only: without one the path is the host's, and
        // creating it (as root, before the uid switch) would change the host.
        (Some(cwd), rootfs) => p.push(ProcessStep::Chdir {
            path: clean_target(cwd)?,
            create: rootfs.is_some(),
        }),
        (None, Some(_)) => p.push(ProcessStep::Chdir {
            path: "/".into(),
            create: false,
        }),
        (None, None) => {}
    }
    let kept: Vec<String> = Cap::all()
        .filter(|cap| !dropped.contains(cap))
        .map(|cap| cap.name().to_string())
        .collect();
    if !dropped.is_empty() {
        p.push(ProcessStep::DropBounding {
            caps: dropped.iter().map(|c| c.name().to_string()).collect(),
        });
    }
    if c.init.user_name.is_some() || c.init.group_name.is_some() {
        not_applied.push(Finding::new(
            Code::R006,
            format!(
                "the init user or group is given by name and not resolved: the command runs as uid {} gid {}",
                c.init.uid, c.init.gid
            ),
        ));
    }
    p.push(ProcessStep::Setgroups {
        groups: c.init.groups.clone(),
    });
    p.push(ProcessStep::Setgid { gid: c.init.gid });
    p.push(ProcessStep::Setuid { uid: c.init.uid });
    // exec recomputes the sets: as uid 0 permitted = effective = bounding; otherwise empty.
    // Before exec the process keeps exactly the kept capabilities (none for a non-root
    // init), with no inheritable or ambient ones, as liblxc and libvirt leave them.
    let pre_exec = if c.init.uid == 0 {
        kept.clone()
    } else {
        Vec::new()
    };
    p.push(ProcessStep::SetCaps {
        effective: pre_exec.clone(),
        permitted: pre_exec,
        inheritable: Vec::new(),
        ambient: Vec::new(),
    });
    if matches!(c.capabilities, Capabilities::Policy { .. }) {
        // libvirt also clears the inheritable set; it is empty here already.
    }
    if c.no_new_privs {
        p.push(ProcessStep::NoNewPrivs);
    }

    // The command and its environment.
    let argv = match &opts.command {
        Some(cmd) if !cmd.is_empty() => cmd.clone(),
        _ => match (&opts.init, &c.init.execute_command) {
            (InitMode::Supervised, Some(cmd)) if !cmd.is_empty() => cmd.clone(),
            _ => c.init.command.clone(),
        },
    };
    if argv.is_empty() {
        return Err(PlanError::NoCommand);
    }
    // A later value replaces an earlier one in place; the index keeps 40,000 lines linear.
    let mut env: Vec<(String, String)> = Vec::new();
    let mut slots: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for e in &c.init.env {
        let value = match &e.value {
            Some(v) => v.clone(),
            None => opts
                .host_env
                .get(&e.name)
                .cloned()
                .ok_or_else(|| PlanError::MissingHostEnv(e.name.clone()))?,
        };
        match slots.get(e.name.as_str()) {
            Some(&i) => env[i].1 = value,
            None => {
                slots.insert(&e.name, env.len());
                env.push((e.name.clone(), value));
            }
        }
    }
    plan.exec = ExecSpec {
        argv,
        env: env.into_iter().map(|(n, v)| format!("{n}={v}")).collect(),
    };

    not_applied.extend(confinement_not_applied(c));
    plan.not_applied = not_applied;
    Ok(plan)
}

/// The confinement and host settings the runner does not apply (seccomp, LSM labels,
/// hooks, host devices, a foreign personality). Each one weakens or changes the container
/// compared with liblxc or libvirt, so each is reported, never dropped silently.
fn confinement_not_applied(c: &Container) -> Vec<Finding> {
    let s = &c.security;
    let mut out = Vec::new();
    if let Some(p) = &s.seccomp_profile {
        out.push(Finding::new(
            Code::R001,
            format!("seccomp profile `{p}` is not loaded: no system call is filtered"),
        ));
    }
    if s.seccomp_notify_proxy.is_some() {
        out.push(Finding::new(
            Code::R001,
            "the seccomp notify proxy is not set up",
        ));
    }
    // `unconfined` asks for what the runner does anyway.
    if let Some(p) = s.apparmor_profile.as_ref().filter(|p| *p != "unconfined") {
        out.push(Finding::new(
            Code::R002,
            format!("AppArmor profile `{p}` is not applied"),
        ));
    }
    if !s.apparmor_raw.is_empty() {
        out.push(Finding::new(
            Code::R002,
            "raw AppArmor rules are not applied",
        ));
    }
    if let Some(l) = &s.selinux_context {
        out.push(Finding::new(
            Code::R003,
            format!("SELinux context `{l}` is not applied"),
        ));
    }
    if s.selinux_context_keyring.is_some() {
        out.push(Finding::new(
            Code::R003,
            "the SELinux keyring context is not applied",
        ));
    }
    if !s.seclabels.is_empty() {
        out.push(Finding::new(
            Code::R003,
            "libvirt security labels are not applied",
        ));
    }
    if !c.hooks.hooks.is_empty() {
        out.push(Finding::new(
            Code::R004,
            format!("{} hook(s) are not run", c.hooks.hooks.len()),
        ));
    }
    for n in &c.networks {
        if n.script_up.is_some() || n.script_down.is_some() {
            out.push(Finding::new(
                Code::R004,
                format!("network {}: the up/down scripts are not run", n.index),
            ));
        }
    }
    if !c.host_devices.is_empty() {
        out.push(Finding::new(
            Code::R005,
            format!("{} host device(s) are not passed in", c.host_devices.len()),
        ));
    }
    if let Some(arch) = c.arch.as_deref().filter(|a| is_32bit_personality(a)) {
        out.push(Finding::new(
            Code::R009,
            format!("architecture `{arch}` is not applied: the command runs with the host's personality"),
        ));
    }
    out
}

/// Architectures liblxc runs with a 32-bit `personality`.
fn is_32bit_personality(arch: &str) -> bool {
    matches!(
        arch,
        "i386"
            | "i486"
            | "i586"
            | "i686"
            | "x86"
            | "linux32"
            | "armhf"
            | "armel"
            | "armv7l"
            | "armv7"
            | "arm"
            | "powerpc"
            | "ppc"
    )
}

#[cfg(test)]
mod tests;
