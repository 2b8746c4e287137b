//! The domain's identity, the top-level elements kept verbatim, `<clock>` and the
//! lifecycle actions.

use super::writer::W;
use lxconf_model::model::*;

/// `<name>`, `<uuid>`, `<title>`, `<description>`, `<metadata>`.
pub(super) fn identity(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings) {
    w.text("name", &[], c.name.as_deref().unwrap_or(""));
    if let Some(u) = c.uuid {
        w.text("uuid", &[], &u.to_string());
    }
    if let Some(t) = &c.title {
        w.text("title", &[], t);
    }
    if let Some(t) = &c.description {
        w.text("description", &[], t);
    }
    if let Some(m) = &lv.metadata {
        // Kept verbatim (libvirt re-serialises it with libxml2, not with its own rules).
        w.fragment("metadata", m);
    }
}

/// Other top-level elements kept verbatim (`<cpu>`, `<sysinfo>`, ...).
pub(super) fn kept_top_level(w: &mut W<'_>, c: &Container) {
    let top: Vec<String> = c
        .unrecognized
        .iter()
        .filter(|u| u.format == "domxml" && !u.key.contains(['/', '[']))
        .filter(|u| !matches!(u.key.as_str(), "clock" | "numatune"))
        .map(|u| u.key.clone())
        .collect();
    for key in top {
        if !w.kept_keys_written(&key) {
            w.kept(&key);
        }
    }
}

/// `<clock>` (kept, else utc) and `<on_poweroff>`, `<on_reboot>`, `<on_crash>`.
pub(super) fn clock_and_lifecycle(w: &mut W<'_>, lv: &LibvirtSettings) {
    if !w.kept("clock") {
        w.empty("clock", &[("offset", "utc".into())]);
    }
    for (ev, def) in [
        ("on_poweroff", "destroy"),
        ("on_reboot", "restart"),
        ("on_crash", "destroy"),
    ] {
        let v = lv
            .lifecycle
            .get(ev)
            .map(String::as_str)
            .unwrap_or(def)
            .to_string();
        w.text(ev, &[], &v);
    }
}
