//! What LXD 5.0 hands liblxc for every container before the instance's own keys, devices
//! and `raw.lxc` (`lxd/instance/drivers/driver_lxc.go: initLXC`, `startCommon`;
//! docs/lxd-facts.md §5). The reader starts every LXD instance from these; the writer
//! overrides in `raw.lxc` those that differ from the model it writes. Values are written
//! in liblxc's own grammar so that the LXC reader's lowering applies them.
//!
//! Left out on purpose (host management, not the container's meaning, documented in
//! docs/lxd.md and docs/lxd-reading.md): LXD's `callhook` hooks, the log and console log
//! files (`lxc.log.*`, `lxc.console.logfile/size/buffer.size`), the `/dev/.lxd-mounts`
//! shared-mounts directory (`lxc.mount.auto = shmounts:...`), the AppArmor profile LXD
//! generates (`lxc.apparmor.profile`: `unconfined` on a host without AppArmor), the
//! `lxc.include` of `/usr/share/lxc/config/common.conf.d/` (the host's lxcfs hooks) and
//! core scheduling (`lxc.sched.core`, only with a liblxc that has it).
//!
//! Measured on the oracle host (Debian 12, LXD 5.0.2, cgroup v1 with a devices
//! controller, no AppArmor; tests/it/lxd_read.rs compares the reader with the
//! `lxc.conf` LXD generates): the cgroup keys are v1 (`lxc.cgroup.*`), `lxc.mount.auto`
//! ends in `cgroup:mixed`, `lxc.arch` is the personality (`linux64`), and the optional
//! binds whose host path is missing are not written (liblxc would skip them anyway:
//! they are `optional`).

use crate::model::LxdFlavor;

/// `lxc.cap.drop` for a privileged container (unprivileged ones get none): the last two
/// only without AppArmor stacking.
pub const PRIVILEGED_CAP_DROPS: &[&str] = &[
    "sys_time",
    "sys_module",
    "sys_rawio",
    "mac_admin",
    "mac_override",
];

/// `lxc.tty.max`.
pub const TTY_MAX: u32 = 0;

/// `lxc.pty.max`.
pub const PTY_MAX: u32 = 1024;

/// `lxc.autodev`.
pub const AUTODEV: bool = true;

/// Device cgroup rules of a privileged container, after a deny-all rule (`a`).
pub const PRIVILEGED_DEVICE_ALLOW: &[&str] = &[
    "b *:* m",
    "c *:* m",
    "c 136:* rwm",
    "c 1:3 rwm",
    "c 1:5 rwm",
    "c 1:7 rwm",
    "c 1:8 rwm",
    "c 1:9 rwm",
    "c 5:0 rwm",
    "c 5:1 rwm",
    "c 5:2 rwm",
    "c 10:229 rwm",
    "c 10:200 rwm",
];

/// Host paths LXD binds at the same place in every container when they exist, each
/// `optional`: (path, is a directory). Directories are `rbind,create=dir`, files
/// `bind,create=file`.
pub const OPTIONAL_BINDS: &[(&str, bool)] = &[
    ("/dev/fuse", false),
    ("/dev/net/tun", false),
    ("/proc/sys/fs/binfmt_misc", true),
    ("/sys/firmware/efi/efivars", true),
    ("/sys/fs/fuse/connections", true),
    ("/sys/fs/pstore", true),
    ("/sys/kernel/config", true),
    ("/sys/kernel/debug", true),
    ("/sys/kernel/security", true),
    ("/sys/kernel/tracing", true),
];

/// The cgroup hierarchy LXD writes limits for: the oracle host's (v1). On a unified
/// (v2) host LXD writes `lxc.cgroup2.*` and `cgroup:rw:force` instead.
pub const CGROUP_V1: bool = true;

/// `lxc.mount.auto` of a privileged container (not in a user namespace).
pub const PRIVILEGED_MOUNT_AUTO: &str = "proc:mixed sys:mixed cgroup:mixed";

/// `lxc.mount.auto` of an unprivileged container.
pub const UNPRIVILEGED_MOUNT_AUTO: &str = "proc:rw sys:rw cgroup:mixed";

/// The `/dev/mqueue` mount of a privileged container: a fresh mqueue.
pub const PRIVILEGED_MQUEUE_ENTRY: &str =
    "mqueue dev/mqueue mqueue rw,relatime,create=dir,optional 0 0";

/// The `/dev/mqueue` mount of an unprivileged container: the host's, bound.
pub const UNPRIVILEGED_MQUEUE_ENTRY: &str =
    "/dev/mqueue dev/mqueue none rbind,create=dir,optional 0 0";

/// The mount entries `security.nesting` adds.
pub const NESTING_ENTRIES: &[&str] = &[
    "proc dev/.lxc/proc proc create=dir,optional 0 0",
    "sys dev/.lxc/sys sysfs create=dir,optional 0 0",
];

/// The deny-all device rule that comes before [`PRIVILEGED_DEVICE_ALLOW`].
pub const DEVICE_DENY_ALL: &str = "a";

/// `lxc.hook.version`: hooks get their arguments from the environment.
pub const HOOK_VERSION: u32 = 1;

/// The id map LXD gives an unprivileged container when the file does not say
/// (`volatile.idmap.next` absent): the whole default allocation of a host whose
/// /etc/subuid and /etc/subgid give root `1000000:1000000000`. (host id, count).
pub const DEFAULT_IDMAP: (u64, u64) = (1_000_000, 1_000_000_000);

/// The personality LXD writes as `lxc.arch` for an instance architecture.
pub fn personality(architecture: &str) -> Option<&'static str> {
    match architecture {
        "x86_64" | "aarch64" | "ppc64le" | "ppc64" | "s390x" | "riscv64" | "mips64" => {
            Some("linux64")
        }
        "i686" | "armv7l" | "armv6l" | "ppc" | "s390" | "mips" => Some("linux32"),
        _ => None,
    }
}

/// Where LXD writes an instance's seccomp policy.
pub fn seccomp_policy_path(flavor: LxdFlavor, instance: &str) -> String {
    format!("{}/security/seccomp/{instance}", var_dir(flavor))
}

/// The directory of LXD's state on the host.
pub fn var_dir(flavor: LxdFlavor) -> &'static str {
    match flavor {
        LxdFlavor::Lxd => "/var/lib/lxd",
        LxdFlavor::Incus => "/var/lib/incus",
    }
}

/// The guest API socket directory bound into the container while `security.devlxd`
/// (`security.guestapi`) is on (the default): (host source, target below the rootfs).
pub fn guest_api_mount(flavor: LxdFlavor) -> (String, &'static str) {
    match flavor {
        LxdFlavor::Lxd => (format!("{}/devlxd", var_dir(flavor)), "dev/lxd"),
        LxdFlavor::Incus => (format!("{}/guestapi", var_dir(flavor)), "dev/incus"),
    }
}

/// Where a `dir` pool keeps a container's root filesystem.
pub fn dir_pool_rootfs(flavor: LxdFlavor, pool: &str, instance: &str) -> String {
    format!(
        "{}/storage-pools/{pool}/containers/{instance}/rootfs",
        var_dir(flavor)
    )
}

/// The seccomp policy LXD writes while `security.syscalls.deny_default` is on (the
/// default), in liblxc's policy grammar (`lxd/seccomp/seccomp.go`: header, then the
/// denylist and the default entries).
pub const DEFAULT_SECCOMP_POLICY: &str = "2\ndenylist\n[all]\nreject_force_umount  # comment this to allow umount -f;  not recommended\n[all]\nkexec_load errno 38\nopen_by_handle_at errno 38\ninit_module errno 38\nfinit_module errno 38\ndelete_module errno 38\n";
