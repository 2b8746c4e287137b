//! The plan's data: typed steps grouped by the process that performs them.

use super::options::InitMode;
use crate::cgroup::CgroupDir;
use lxconf_model::{Cap, Code, CreateKind, HookKind, IdKind, Namespace};
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::PathBuf;

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
    /// MS_MOVE (a staged mount moved into place; never from a mount option)
    Move,
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
    /// Run a pre-start hook.
    Hook(HookStep),
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
    /// Allocate `count` ptys in the container's devpts and keep their masters open while
    /// the container runs, as liblxc's monitor does for `lxc.tty.max` and libvirt's
    /// controller for each `<console>`; then bind slaves onto `binds`.
    Ptys {
        /// How many.
        count: u32,
        /// Which allocated pty (0-based, in allocation order) is bound where.
        binds: Vec<PtyBind>,
    },
    /// Remove an empty staging directory.
    Rmdir {
        /// Path in the container.
        path: String,
    },
    /// Detach the host's mount tree at `path` (libvirt on the host's root without a user
    /// namespace: the container gets only its own /proc, /sys and /dev).
    DetachTree {
        /// Path in the container.
        path: String,
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
    /// Run a pre-mount, mount, autodev or start hook from the container process.
    Hook(HookStep),
}

/// One `lxc.hook.*` command: `/bin/sh -c COMMAND` with exactly `env` (plus the run-time
/// variables its flags ask for), its output sent to the runner's stderr. A hook that
/// fails (exit status other than 0, or killed) fails the start, except stop and
/// post-stop hooks, whose failure is a warning (as in liblxc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HookStep {
    /// Which hook.
    pub kind: HookKind,
    /// The shell text run by `/bin/sh -c` (`exec CMD NAME lxc TYPE` for version 0).
    pub command: String,
    /// The hook's program (the first word of the configured command), for messages.
    pub program: String,
    /// The environment.
    pub env: Vec<String>,
    /// Add `LXC_PID`, the host pid of the container's first process.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pid_env: bool,
    /// Add `LXC_<NS>_NS=/proc/RUNNER/fd/N` for the container's namespaces the runner holds.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub namespace_env: bool,
    /// Append `ns:/proc/RUNNER/fd/N` arguments for them (version 0 stop hooks).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub namespace_args: bool,
    /// Applied in the hook's process before exec (a start hook runs with the container's
    /// bounding set and no_new_privs, as in liblxc).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confine: Vec<ProcessStep>,
}

/// The hooks the runner itself runs in the host context after the container exists.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RunnerHooks {
    /// Once the container is set up (its start hooks ran), before its command starts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub start_host: Vec<HookStep>,
    /// After the container ended, before its cgroups are removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<HookStep>,
    /// After the container's cgroups were removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_stop: Vec<HookStep>,
}

impl RunnerHooks {
    /// True when there is no hook.
    pub fn is_empty(&self) -> bool {
        self.start_host.is_empty() && self.stop.is_empty() && self.post_stop.is_empty()
    }

    /// True when the runner waits for the container to be set up before its command
    /// starts: start-host hooks run then, and stop hooks need the container's namespaces,
    /// which the runner opens then (the cgroup namespace exists only from then on).
    pub fn sync_after_setup(&self) -> bool {
        !self.start_host.is_empty() || !self.stop.is_empty() || !self.post_stop.is_empty()
    }
}

/// A pty slave bound onto a device path (`/dev/console`, `/dev/tty1`...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PtyBind {
    /// Index of the pty in allocation order.
    pub pty: u32,
    /// Path in the container.
    pub target: String,
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
        caps: Vec<Cap>,
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
        effective: Vec<Cap>,
        /// Permitted.
        permitted: Vec<Cap>,
        /// Inheritable.
        inheritable: Vec<Cap>,
        /// Ambient.
        ambient: Vec<Cap>,
    },
    /// `PR_SET_NO_NEW_PRIVS`.
    NoNewPrivs,
    /// Load the seccomp filter (`seccomp(SECCOMP_SET_MODE_FILTER)`, without no_new_privs).
    Seccomp(super::seccomp::SeccompFilter),
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
    /// Hooks the runner runs after the container exists.
    #[serde(skip_serializing_if = "RunnerHooks::is_empty")]
    pub hooks: RunnerHooks,
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
    /// JSON pointer to the model value that is not applied (from [`lxconf_model::pointer`]),
    /// for the caller to find its origin; not part of the plan's JSON form.
    #[serde(skip)]
    pub pointer: String,
}

impl Finding {
    pub(crate) fn new(
        code: Code,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            message: message.into(),
            pointer: pointer.into(),
        }
    }
}

fn code_text<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}
