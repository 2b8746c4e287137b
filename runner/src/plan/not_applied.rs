//! The confinement and host settings the runner does not apply (seccomp, LSM labels,
//! hooks, host devices, a foreign personality). Each one weakens or changes the container
//! compared with liblxc or libvirt, so each is reported, never dropped silently.

use super::Finding;
use lxconf_model::pointer::{self, NETWORKS};
use lxconf_model::{Code, Container, HookKind};

pub(super) fn confinement(c: &Container) -> Vec<Finding> {
    let s = &c.security;
    let mut out = Vec::new();
    // A policy that was read is loaded (plan/seccomp.rs reports what it cannot apply).
    if let Some(p) = s
        .seccomp_profile
        .as_ref()
        .filter(|_| s.seccomp_policy.is_none())
    {
        out.push(Finding::new(
            Code::R001,
            pointer::SECURITY_SECCOMP_PROFILE,
            format!("seccomp profile `{p}` is not loaded: no system call is filtered"),
        ));
    }
    if s.seccomp_notify_proxy.is_some() {
        out.push(Finding::new(
            Code::R001,
            pointer::SECURITY_SECCOMP_NOTIFY_PROXY,
            "the seccomp notify proxy is not set up",
        ));
    }
    // `unconfined` asks for what the runner does anyway.
    if let Some(p) = s.apparmor_profile.as_ref().filter(|p| *p != "unconfined") {
        out.push(Finding::new(
            Code::R002,
            pointer::SECURITY_APPARMOR_PROFILE,
            format!("AppArmor profile `{p}` is not applied"),
        ));
    }
    if !s.apparmor_raw.is_empty() {
        out.push(Finding::new(
            Code::R002,
            pointer::SECURITY_APPARMOR_RAW,
            "raw AppArmor rules are not applied",
        ));
    }
    if let Some(l) = &s.selinux_context {
        out.push(Finding::new(
            Code::R003,
            pointer::SECURITY_SELINUX_CONTEXT,
            format!("SELinux context `{l}` is not applied"),
        ));
    }
    if s.selinux_context_keyring.is_some() {
        out.push(Finding::new(
            Code::R003,
            pointer::SECURITY_SELINUX_CONTEXT_KEYRING,
            "the SELinux keyring context is not applied",
        ));
    }
    if !s.seclabels.is_empty() {
        out.push(Finding::new(
            Code::R003,
            pointer::SECURITY_SECLABELS,
            "libvirt security labels are not applied",
        ));
    }
    out.extend(hooks_not_run(c));
    if !c.host_devices.is_empty() {
        out.push(Finding::new(
            Code::R005,
            pointer::HOST_DEVICES,
            format!("{} host device(s) are not passed in", c.host_devices.len()),
        ));
    }
    if c.lxc.sched_core {
        out.push(Finding::new(
            Code::R009,
            pointer::LXC_SCHED_CORE,
            "core scheduling is not set up: the container's tasks may share a core with the host's",
        ));
    }
    if let Some(arch) = c.arch.as_deref().filter(|a| is_32bit_personality(a)) {
        out.push(Finding::new(
            Code::R009,
            pointer::ARCH,
            format!("architecture `{arch}` is not applied: the command runs with the host's personality"),
        ));
    }
    out
}

/// `lxconf run --no-hooks`: the hooks a start would run are not run. (clone and destroy
/// hooks never run at a start, in liblxc either.)
pub(super) fn hooks_skipped(c: &Container) -> Vec<Finding> {
    let skipped = c
        .hooks
        .hooks
        .iter()
        .filter(|h| !matches!(h.kind, HookKind::Clone | HookKind::Destroy))
        .count();
    if skipped == 0 {
        return Vec::new();
    }
    vec![Finding::new(
        Code::R004,
        pointer::HOOK_LIST,
        format!("{skipped} hook(s) are not run (--no-hooks)"),
    )]
}

/// Network up/down scripts: the runner runs the `lxc.hook.*` hooks, not these.
fn hooks_not_run(c: &Container) -> Vec<Finding> {
    let mut out = Vec::new();
    for (position, n) in c.networks.iter().enumerate() {
        let field = match (&n.script_up, &n.script_down) {
            (Some(_), _) => pointer::network::SCRIPT_UP,
            (None, Some(_)) => pointer::network::SCRIPT_DOWN,
            (None, None) => continue,
        };
        out.push(Finding::new(
            Code::R004,
            pointer::item_field(NETWORKS, position, field),
            format!("network {}: the up/down scripts are not run", n.index),
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
