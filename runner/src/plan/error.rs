//! Why a model cannot be planned.

use crate::cgroup::CgroupError;
use lxconf_model::{Code, Namespace, NetKind};

/// The most ttys (LXC) or consoles (libvirt) a plan allocates.
pub const MAX_PTYS: u32 = 1024;

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
    /// A namespace shared with a container named by name (only a pid or a path is joined).
    #[error("sharing the {ns} namespace of container `{value}` (give a pid or a path) is not supported by the runner")]
    ShareByName {
        /// The namespace.
        ns: Namespace,
        /// The container name given.
        value: String,
    },
    /// A network that needs the container's own network namespace, which it does not get.
    #[error("network {index} of type {kind:?} without a network namespace is not supported by the runner")]
    NetworkWithoutNamespace {
        /// The network's index (`lxc.net.N`).
        index: u32,
        /// Its type.
        kind: NetKind,
    },
    /// A rootfs backend other than a directory.
    #[error("rootfs backend `{0}` is not supported by the runner")]
    RootfsBackend(String),
    /// A rootfs, mounts or autodev while the mount namespace is shared.
    #[error("mounts without a mount namespace is not supported by the runner")]
    MountsWithoutMountNamespace,
    /// cgroup setup is impossible on this host.
    #[error(transparent)]
    Cgroup(#[from] CgroupError),
    /// `lxc.environment = NAME` with NAME unset in the runner's environment.
    #[error("environment variable `{0}` is taken from the host but is not set")]
    MissingHostEnv(String),
    /// An unknown prlimit resource.
    #[error("`{0}` is not a resource limit name")]
    UnknownPrlimit(String),
    /// A macvlan, ipvlan, vlan or phys network without the host link it needs.
    #[error("invalid {} without link: {index}", if *.kind == NetKind::Phys { "phys network" } else { "network" })]
    NetworkWithoutLink {
        /// The network's index (`lxc.net.N`).
        index: u32,
        /// Its type.
        kind: NetKind,
    },
    /// An `lxc.proc.*` or `lxc.sysctl.*` key that is not a plain name below `/proc`.
    #[error("`{prefix}.{key}` is refused: the key must be a plain name below /proc (letters, digits, `_`, `-`, inner `.`), never a path")]
    UnsafeKernelKey {
        /// `lxc.proc` or `lxc.sysctl`.
        prefix: &'static str,
        /// The key.
        key: String,
    },
    /// More ttys or consoles than the runner allocates: each one is a pty of the host's
    /// shared pool (`/proc/sys/kernel/pty/max`, 4096 by default).
    #[error("{0} ttys or consoles: the runner allocates at most {MAX_PTYS} (each is a pty of the host's shared pool)")]
    TooManyTtys(u32),
    /// A seccomp filter longer than the kernel takes.
    #[error("the seccomp policy compiles to {0} BPF instructions, more than the kernel's 4096")]
    SeccompTooLong(usize),
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
