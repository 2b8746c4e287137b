//! `<seclabel>` (AppArmor, SELinux, kept labels) and `<lxc:namespace>`.

use super::writer::W;
use super::NETNS_DIR;
use lxconf_model::model::*;
use lxconf_model::{pointer, Namespace};
use std::fmt::Write;

/// `<seclabel>` elements.
pub(super) fn seclabels(w: &mut W<'_>, c: &Container) {
    if let Some(p) = &c.security.apparmor_profile {
        if p == "unconfined" {
            w.empty(
                "seclabel",
                &[("type", "none".into()), ("model", "apparmor".into())],
            );
        } else {
            w.note(
                pointer::SECURITY_APPARMOR_PROFILE,
                format!("the AppArmor profile `{p}` is replaced by libvirt's generated profile"),
                "libvirt generates an AppArmor profile per domain",
            );
        }
    }
    for label in &c.security.seclabels {
        w.fragment("seclabel", label);
    }
    if let Some(ctx) = &c.security.selinux_context {
        w.open(
            "seclabel",
            &[
                ("type", "static".into()),
                ("model", "selinux".into()),
                ("relabel", "no".into()),
            ],
        );
        w.text("label", &[], ctx);
        w.close("seclabel");
    }
}

/// `<lxc:namespace>`: the net, ipc and uts namespaces shared by name, pid or `ip netns` name.
pub(super) fn lxc_namespace(w: &mut W<'_>, c: &Container) {
    w.open("lxc:namespace", &[]);
    for (ns, el) in [
        (Namespace::Net, "lxc:sharenet"),
        (Namespace::Ipc, "lxc:shareipc"),
        (Namespace::Uts, "lxc:shareuts"),
    ] {
        if let Some(v) = c.namespaces.share.get(&ns) {
            let netns = v
                .strip_prefix(NETNS_DIR)
                .and_then(|r| r.strip_prefix('/'))
                .filter(|r| !r.is_empty() && !r.contains('/'));
            let (ty, value) = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                ("pid", v.as_str())
            } else if let Some(name) = netns.filter(|_| ns == Namespace::Net) {
                ("netns", name)
            } else if !v.starts_with('/') {
                ("name", v.as_str())
            } else {
                w.loss(
                        &pointer::entry(pointer::NAMESPACES_SHARE, ns.name()),
                        format!("sharing the {} namespace at `{v}`", ns.name()),
                        "libvirt shares namespaces by domain name or pid (and a net namespace by `ip netns` name)",
                    );
                continue;
            };
            // libvirt prints the value unescaped; only what breaks the XML is escaped.
            w.indent();
            let v = w.escaped(el, value, true, true);
            let _ = writeln!(w.out, "<{el} type='{ty}' value='{v}'/>");
        }
    }
    w.close("lxc:namespace");
}
