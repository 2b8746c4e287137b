//! The loss report beyond the elements: values XML cannot carry (C207), and model settings
//! or libvirt behaviour that no element expresses (C301 losses, C302 notes).

use super::writer::W;
use crate::writable::{self, Unwritable};
use lxconf_model::lxc_key::ExactKey as K;
use lxconf_model::model::*;
use lxconf_model::values::libvirt_hostname;
use lxconf_model::{pointer, Code, Diagnostic, Namespace};

/// Turn refused values into errors, located at the model field that holds the value.
pub(super) fn report_refused(w: &mut W<'_>) {
    if w.refused.is_empty() {
        // The common case: no model serialization on every write.
        return;
    }
    let container = serde_json::to_value(&w.doc.container).unwrap_or_default();
    for (element, value, why) in std::mem::take(&mut w.refused) {
        let mut d = Diagnostic::new(
            Code::C207,
            format!("`<{element}>` cannot be written: {why}"),
        )
        .help("domain XML cannot carry this value: fix it at its source");
        let pick = |s: &str| match &why {
            Unwritable::Char(c) => s.contains(*c),
            _ => s == value,
        };
        let pointer = writable::pointer_of(&container, &pick);
        if let Some(o) = pointer.and_then(|p| w.doc.origins.find(&p)) {
            d = d.at(o);
        }
        w.losses.push(d);
    }
}

/// Everything the model has that domain XML cannot say, and libvirt behaviour that differs.
pub(super) fn losses_for_the_rest(w: &mut W<'_>) {
    let doc = w.doc;
    let c = &doc.container;
    hostname_and_mounts(w, c);
    settings_without_element(w, c);
    security_and_management(w, c);
    lxc_only_settings(w, c);
    lxd_only_settings(w, c);
    unconverted_verbatim(w, c);
}

/// LXD's management concepts and devices, each named.
fn lxd_only_settings(w: &mut W<'_>, c: &Container) {
    for s in crate::lxd_only::settings(c) {
        if s.management_only {
            w.note(&s.pointer, format!("{} is not written", s.what), s.why);
        } else {
            w.loss(&s.pointer, s.what, s.why);
        }
    }
}

/// LXC settings no libvirt element carries, each named with the model field it is.
fn lxc_only_settings(w: &mut W<'_>, c: &Container) {
    let sec = &c.security;
    let lost: [(&str, Option<String>, &str); 10] = [
        (
            pointer::INIT_EXECUTE_COMMAND,
            c.init
                .execute_command
                .as_ref()
                .map(|cmd| format!("the command for lxc-execute `{}`", cmd.join(" "))),
            "libvirt starts the domain's <init> only; lxc-execute's command has no element",
        ),
        (
            pointer::DEV_TTY_DIR,
            c.dev
                .tty_dir
                .as_ref()
                .map(|d| format!("the tty directory /dev/{d}")),
            "libvirt creates the ttys in /dev itself",
        ),
        (
            pointer::CONSOLE_PATH,
            c.console
                .path
                .as_ref()
                .map(|p| format!("the console device `{p}`")),
            "libvirt's consoles are ptys it allocates",
        ),
        (
            pointer::ROOTFS_MOUNT,
            c.rootfs
                .as_ref()
                .and_then(|r| r.mount.as_ref())
                .map(|m| format!("the rootfs staging mount point `{m}`")),
            "libvirt mounts the root filesystem its own way",
        ),
        (
            pointer::AUTO_MOUNTS_SHMOUNTS,
            c.auto_mounts
                .shmounts
                .as_ref()
                .map(|_| "the shared mount point (shmounts)".to_string()),
            "libvirt has no mount propagation channel into the container",
        ),
        (
            pointer::SECURITY_SECCOMP_ALLOW_NESTING,
            sec.seccomp_allow_nesting
                .then(|| "nested seccomp filters".to_string()),
            "libvirt's LXC driver has no seccomp filter",
        ),
        (
            pointer::SECURITY_SECCOMP_NOTIFY_PROXY,
            sec.seccomp_notify_proxy
                .as_ref()
                .map(|p| format!("the seccomp notify proxy `{p}`")),
            "libvirt's LXC driver has no seccomp filter",
        ),
        (
            pointer::SECURITY_SECCOMP_NOTIFY_COOKIE,
            sec.seccomp_notify_cookie
                .as_ref()
                .map(|_| "the seccomp notify cookie".to_string()),
            "libvirt's LXC driver has no seccomp filter",
        ),
        (
            pointer::SECURITY_SELINUX_CONTEXT_KEYRING,
            sec.selinux_context_keyring
                .as_ref()
                .map(|k| format!("the SELinux keyring context `{k}`")),
            "libvirt labels the container with one context",
        ),
        (
            pointer::NAMESPACES_CLONE,
            c.namespaces
                .clone
                .contains(&Namespace::Time)
                .then(|| "the time namespace".to_string()),
            "libvirt's LXC driver has no time namespace",
        ),
    ];
    for (pointer, what, help) in lost {
        if let Some(what) = what {
            w.loss(pointer, what, help);
        }
    }
    // Namespaces LXC leaves shared with the host, which libvirt always creates.
    for ns in [
        Namespace::Pid,
        Namespace::Uts,
        Namespace::Ipc,
        Namespace::Mnt,
    ] {
        if !c.namespaces.clone.contains(&ns) && !c.namespaces.share.contains_key(&ns) {
            w.loss(
                pointer::NAMESPACES_CLONE,
                format!("sharing the host's {} namespace", ns.name()),
                "libvirt always gives the container its own mount, pid, uts and ipc namespaces",
            );
        }
    }
    if let (None, Some(name)) = (&c.hostname, &c.name) {
        w.note(
            pointer::HOSTNAME,
            format!("the container's hostname becomes the domain name `{name}`"),
            "without a hostname LXC leaves the host's in the container; libvirt always sets the domain name",
        );
    }
    for (i, n) in c.networks.iter().enumerate() {
        for (j, a) in n.ipv4.iter().enumerate() {
            if let Some(b) = a.explicit_broadcast() {
                let at = pointer::item_field(pointer::NETWORKS, i, &format!("ipv4/{j}/broadcast"));
                w.loss(
                    &at,
                    format!("the broadcast address {b} of {}/{}", a.address, a.prefix),
                    "libvirt sets the broadcast address from the prefix (host bits all ones)",
                );
            }
        }
    }
    for (i, m) in c.mounts.iter().enumerate() {
        let has = |flag: &str| m.options.iter().any(|o| o == flag);
        if m.fstype == "tmpfs" && !(has("nosuid") && has("nodev")) {
            w.note(
                &pointer::item_field(pointer::MOUNTS, i, pointer::mount::OPTIONS),
                format!("the tmpfs on `{}` gets nosuid and nodev", m.target),
                "libvirt mounts every tmpfs with nosuid and nodev (measured under libvirt_lxc 9.0)",
            );
        }
    }
    if matches!(c.auto_mounts.sys, Some(SysMode::Rw)) {
        w.note(
            pointer::AUTO_MOUNTS_SYS,
            "/sys becomes read-only under libvirt".into(),
            "libvirt mounts /sys read-only",
        );
    }
}

/// The hostname, and the /proc, /sys, cgroup and /dev that libvirt sets up its own way.
fn hostname_and_mounts(w: &mut W<'_>, c: &Container) {
    if let (Some(h), Some(n)) = (&c.hostname, &c.name) {
        if *h != libvirt_hostname(n) {
            w.loss(pointer::HOSTNAME, format!("the hostname `{h}` (libvirt derives `{}` from the domain name `{n}`)", libvirt_hostname(n)), "libvirt sets the container's hostname to the domain name; rename the domain with --name");
        }
    }
    // A proc or sysfs mount entry in libvirt's place is the /proc or /sys libvirt mounts.
    let entry_is = |fstype: &str| {
        c.mounts
            .iter()
            .any(|m| m.fstype == fstype && super::filesystems::libvirt_mounts_itself(m).is_some())
    };
    match c.auto_mounts.proc {
        None if entry_is("proc") => {}
        None => w.note(
            pointer::AUTO_MOUNTS_PROC,
            "libvirt always mounts /proc, which this container does not have".into(),
            &format!(
                "an LXC container without {} proc has no /proc",
                K::MountAuto
            ),
        ),
        Some(ProcMode::Rw) => w.note(
            pointer::AUTO_MOUNTS_PROC,
            "/proc/sys becomes read-only under libvirt".into(),
            "libvirt mounts /proc/sys read-only",
        ),
        _ => {}
    }
    if c.auto_mounts.sys.is_none() && !entry_is("sysfs") {
        w.note(
            pointer::AUTO_MOUNTS_SYS,
            "libvirt always mounts /sys read-only, which this container does not have".into(),
            &format!("add {} = sys:ro to the LXC side to match", K::MountAuto),
        );
    }
    let libvirt_cgroup = CgroupAuto {
        flavor: CgroupFlavor::Full,
        mode: Some(CgroupMode::Rw),
        force: true,
    };
    if c.auto_mounts.cgroup.is_some_and(|cg| cg != libvirt_cgroup) {
        w.note(
            pointer::AUTO_MOUNTS_CGROUP,
            "libvirt mounts the cgroup hierarchy its own way".into(),
            &format!("{} cgroup settings have no libvirt element", K::MountAuto),
        );
    }
    if !c.dev.autodev {
        w.loss(
            pointer::DEV_AUTODEV,
            "using the rootfs's own /dev (autodev off)".into(),
            "libvirt always mounts a fresh /dev",
        );
    }
    if c.dev.ptys == 0 {
        w.note(
            pointer::DEV_PTYS,
            "libvirt always gives the container a devpts for ptys".into(),
            &format!("with {} = 0 LXC gives none", K::PtyMax),
        );
    }
}

/// Hooks, rlimits, sysctls, /proc settings, device rules and cgroup settings.
fn settings_without_element(w: &mut W<'_>, c: &Container) {
    for (i, h) in c.hooks.hooks.iter().enumerate() {
        w.loss(
            &pointer::item(pointer::HOOK_LIST, i).to_string(),
            format!("the {} hook `{}`", h.kind.name(), h.command),
            "libvirt has global hooks in /etc/libvirt/hooks/lxc instead",
        );
    }
    if !c.hooks.hooks.is_empty() {
        // The hook calling convention goes with the hooks.
        w.also_covers(pointer::HOOKS);
    }
    for (i, p) in c.prlimits.iter().enumerate() {
        w.loss(
            &pointer::item(pointer::PRLIMITS, i).to_string(),
            format!("the {} resource limit", p.resource),
            "libvirt has no per-domain rlimits for LXC",
        );
    }
    for (i, s) in c.sysctls.iter().enumerate() {
        w.loss(
            &pointer::item(pointer::SYSCTLS, i).to_string(),
            format!("sysctl `{}`", s.key),
            "set it from the container's init",
        );
    }
    for (i, s) in c.proc.iter().enumerate() {
        w.loss(
            &pointer::item(pointer::PROC, i).to_string(),
            format!("/proc setting `{}`", s.key),
            "libvirt has no such setting",
        );
    }
    for (i, d) in c.device_rules.iter().enumerate() {
        let _ = d;
        w.loss(
            &pointer::item(pointer::DEVICE_RULES, i).to_string(),
            "a device cgroup rule".into(),
            "libvirt computes the device rules from the domain's devices",
        );
    }
    if let Some(p) = c.resources.pids_max {
        w.loss(
            pointer::RESOURCES_PIDS_MAX,
            format!("the task limit {p}"),
            "libvirt has no pids limit for LXC",
        );
    }
    for (i, s) in c.resources.cgroup.iter().enumerate() {
        w.loss(
            &pointer::item(pointer::RESOURCES_CGROUP, i).to_string(),
            format!("cgroup setting `{}`", s.key),
            "libvirt has no element for it",
        );
    }
}

/// Security settings, time namespace, LXC management and namespaces libvirt cannot share.
fn security_and_management(w: &mut W<'_>, c: &Container) {
    let sec = &c.security;
    if sec.seccomp_profile.is_some() {
        w.loss(
            pointer::SECURITY_SECCOMP_PROFILE,
            "the seccomp profile".into(),
            "libvirt's LXC driver has no seccomp filter",
        );
        // The policy read from the file goes with it.
        w.also_covers(pointer::SECURITY_SECCOMP_POLICY);
    } else if sec.seccomp_policy.is_some() {
        w.loss(
            pointer::SECURITY_SECCOMP_POLICY,
            "the seccomp policy".into(),
            "libvirt's LXC driver has no seccomp filter",
        );
    }
    for (set, at, what) in [
        (
            !sec.apparmor_raw.is_empty(),
            pointer::SECURITY_APPARMOR_RAW,
            "AppArmor raw rules",
        ),
        (
            sec.apparmor_allow_nesting,
            pointer::SECURITY_APPARMOR_ALLOW_NESTING,
            "AppArmor nesting",
        ),
        (
            sec.apparmor_allow_incomplete,
            pointer::SECURITY_APPARMOR_ALLOW_INCOMPLETE,
            "an incomplete AppArmor profile",
        ),
    ] {
        if set {
            w.loss(at, what.into(), "libvirt generates the profile");
        }
    }
    if c.no_new_privs {
        w.loss(
            pointer::NO_NEW_PRIVS,
            "no_new_privs".into(),
            "libvirt has no such setting",
        );
    }
    if c.time_offsets.boot_ns != 0 || c.time_offsets.monotonic_ns != 0 {
        w.loss(
            pointer::TIME_OFFSETS,
            "clock offsets (time namespace)".into(),
            "libvirt's LXC driver has no time namespace",
        );
    }
    if c.autostart.enabled {
        w.note(
            pointer::AUTOSTART,
            "autostart is not part of the domain XML".into(),
            "run `virsh autostart NAME` after defining the domain",
        );
    }
    for (set, at, what) in [
        (
            !c.lxc.cgroup_dirs.is_empty(),
            pointer::LXC_CGROUP_DIRS,
            "LXC's cgroup directory names are",
        ),
        (
            c.lxc.ephemeral,
            pointer::LXC_EPHEMERAL,
            "LXC's ephemeral flag is",
        ),
    ] {
        if set {
            w.note(
                at,
                format!("{what} not written"),
                "they have no libvirt equivalent",
            );
        }
    }
    for (ns, _) in c
        .namespaces
        .share
        .iter()
        .filter(|(n, _)| !matches!(n, Namespace::Net | Namespace::Ipc | Namespace::Uts))
    {
        w.loss(
            &pointer::entry(pointer::NAMESPACES_SHARE, ns.name()),
            format!("sharing the {} namespace", ns.name()),
            "libvirt shares only net, ipc and uts namespaces",
        );
        // libvirt creates the namespace instead.
        w.also_covers(pointer::NAMESPACES_CLONE);
    }
}

/// Elements and keys kept verbatim from the source and not written back.
fn unconverted_verbatim(w: &mut W<'_>, c: &Container) {
    for (i, u) in c.unrecognized.iter().enumerate() {
        if u.reason.contains("ignores") || w.written.contains(&i) {
            continue;
        }
        w.loss(
            &pointer::item(pointer::UNRECOGNIZED, i).to_string(),
            format!("`{}`", u.key),
            "kept verbatim from the source; convert it by hand",
        );
    }
}
