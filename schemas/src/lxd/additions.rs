//! What LXD 5.0 hands liblxc for every container before the instance's own keys, devices
//! and `raw.lxc` (`lxd/instance/drivers/driver_lxc.go: initLXC`, `startCommon`;
//! docs/lxd-facts.md §5). The reader starts every LXD instance from these; the writer
//! overrides in `raw.lxc` those that differ from the model it writes. Values are written
//! in liblxc's own grammar so that the LXC reader's lowering applies them.
//!
//! Left out on purpose (host management, not the container's meaning, documented in
//! docs/lxd.md): LXD's `callhook` hooks, the log and console log files, the
//! `/dev/.lxd-mounts` shared-mounts directory, the AppArmor profile LXD generates.

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
