//! `lxconf check-host`: what this host offers the runner, like `lxc-checkconfig` but about
//! what `lxconf run` needs.

use crate::cgroup::{CgroupLayout, LayoutKind};
use lxconf_model::Namespace;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the host supports.
#[derive(Debug, Clone, Serialize)]
pub struct HostReport {
    /// Kernel release.
    pub kernel: String,
    /// The runner runs as root (uid 0).
    pub root: bool,
    /// Namespace kinds the kernel offers (`/proc/self/ns/*`).
    pub namespaces: BTreeMap<String, bool>,
    /// Unprivileged-or-not user namespaces can be created (`user.max_user_namespaces` > 0).
    pub user_namespaces: bool,
    /// cgroup layout.
    pub cgroup_layout: LayoutKind,
    /// v1 hierarchies and their controllers.
    pub cgroup_v1: Vec<String>,
    /// cgroup2 mount and the controllers available to the runner's cgroup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_v2: Option<String>,
    /// Controllers of the cgroup2 hierarchy.
    pub cgroup_v2_controllers: Vec<String>,
    /// `openat2` with RESOLVE_IN_ROOT (safe mount targets).
    pub openat2: bool,
    /// overlay filesystem (for overlay rootfs backends; not used yet).
    pub overlay: bool,
    /// The runner's capability sets (hex masks from /proc/self/status).
    pub capabilities: BTreeMap<String, String>,
    /// Problems that stop `lxconf run`.
    pub problems: Vec<String>,
}

/// Probe this host.
pub fn check_host() -> HostReport {
    let layout = CgroupLayout::detect();
    let mut namespaces = BTreeMap::new();
    for ns in Namespace::ALL {
        let present = std::path::Path::new(&format!("/proc/self/ns/{}", ns.name())).exists();
        namespaces.insert(ns.name().to_string(), present);
    }
    let max_userns: u64 = std::fs::read_to_string("/proc/sys/user/max_user_namespaces")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let filesystems = std::fs::read_to_string("/proc/filesystems").unwrap_or_default();
    let root = nix::unistd::geteuid().is_root();
    let openat2 = crate::sys::linux::has_openat2();
    let mut problems = Vec::new();
    if !root {
        problems.push("lxconf run needs root".to_string());
    }
    if !openat2 {
        problems.push("openat2 is missing (kernel older than 5.6)".to_string());
    }
    if layout.kind() == LayoutKind::None {
        problems.push("no cgroup hierarchy is mounted".to_string());
    }
    for (ns, present) in &namespaces {
        if !present && ns != "time" {
            problems.push(format!("the {ns} namespace is missing"));
        }
    }
    HostReport {
        kernel: nix::sys::utsname::uname()
            .map(|u| u.release().to_string_lossy().into_owned())
            .unwrap_or_default(),
        root,
        namespaces,
        user_namespaces: max_userns > 0,
        cgroup_layout: layout.kind(),
        cgroup_v1: layout
            .v1
            .iter()
            .map(|h| format!("{} ({})", h.mount.display(), h.controllers.join(",")))
            .collect(),
        cgroup_v2: layout.v2.as_ref().map(|v| v.mount.display().to_string()),
        cgroup_v2_controllers: layout
            .v2
            .as_ref()
            .map(|v| v.controllers.clone())
            .unwrap_or_default(),
        openat2,
        overlay: filesystems.contains("overlay"),
        capabilities: crate::sys::linux::own_capabilities().into_iter().collect(),
        problems,
    }
}
