//! `<os>`: the guest type and architecture, and init: command, environment, directory,
//! user and group.

use super::writer::W;
use super::LIBVIRT_ENV;
use lxconf_model::model::*;
use lxconf_model::pointer;

/// `<os>`.
pub(super) fn os(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings) {
    w.open("os", &[]);
    // Without lxc.arch the personality is the host's; libvirt's schema wants it spelled out.
    let arch = c
        .arch
        .clone()
        .unwrap_or_else(|| match std::env::consts::ARCH {
            "x86" => "i686".to_string(),
            other => other.to_string(),
        });
    w.text("type", &[("arch", arch)], "exe");
    let cmd = &c.init.command;
    w.text(
        "init",
        &[],
        cmd.first().map(String::as_str).unwrap_or("/sbin/init"),
    );
    for a in cmd.iter().skip(1) {
        w.text("initarg", &[], a);
    }
    init_env(w, c, lv);
    // Elements a libvirt source wrote with their default value.
    let explicit = |el: &str| lv.layout.explicit_defaults.iter().any(|e| e == el);
    if let Some(cwd) = c
        .init
        .cwd
        .as_deref()
        .filter(|d| *d != "/" || explicit("os/initdir"))
    {
        w.text("initdir", &[], cwd);
    }
    match (&c.init.user_name, c.init.uid) {
        (Some(u), _) => w.raw_text("inituser", &[], u),
        (None, 0) if !explicit("os/inituser") => {}
        (None, uid) => w.text("inituser", &[], &format!("+{uid}")),
    }
    match (&c.init.group_name, c.init.gid) {
        (Some(g), _) => w.raw_text("initgroup", &[], g),
        (None, 0) if !explicit("os/initgroup") => {}
        (None, gid) => w.text("initgroup", &[], &format!("+{gid}")),
    }
    if !c.init.groups.is_empty() {
        w.loss(
            pointer::INIT_GROUPS,
            "supplementary groups".into(),
            "libvirt sets only the init user and group",
        );
    }
    w.kept_children("os");
    w.close("os");
}

/// `<initenv>` for each variable libvirt does not set by itself to the same value.
fn init_env(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings) {
    // A libvirt source's <initenv> order; the model keeps libvirt's own variables first.
    // Positions looked up through a map: a scan per variable made 40,000 take a minute.
    let mut order: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, n) in lv.layout.initenv_order.iter().enumerate() {
        order.entry(n.as_str()).or_insert(i);
    }
    let mut env: Vec<(usize, &EnvVar)> = c.init.env.iter().enumerate().collect();
    env.sort_by_key(|(_, e)| order.get(e.name.as_str()).copied().unwrap_or(usize::MAX));
    for (i, e) in env {
        // libvirt sets these for init by itself; a different value is written as an
        // <initenv>, which replaces libvirt's in place.
        let builtin = match e.name.as_str() {
            "PATH" => Some("/bin:/sbin"),
            "TERM" => Some("linux"),
            "HOME" => Some("/"),
            _ => None,
        };
        if builtin.is_some() && e.value.as_deref() == builtin {
            continue;
        }
        if LIBVIRT_ENV.contains(&e.name.as_str()) && e.name != "PATH" || e.name == "container_ttys"
        {
            continue;
        }
        let valid_name = e
            .name
            .starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_')
            && e.name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
        if !valid_name {
            w.loss(
                &pointer::item(pointer::INIT_ENV, i).to_string(),
                format!("the variable `{}`", e.name),
                "libvirt accepts only names made of letters, digits and `_`",
            );
            continue;
        }
        match &e.value {
            Some(v) if !v.is_empty() => w.raw_text("initenv", &[("name", e.name.clone())], v),
            Some(_) => w.loss(
                &pointer::item(pointer::INIT_ENV, i).to_string(),
                format!("the empty variable `{}`", e.name),
                "libvirt refuses an empty <initenv>",
            ),
            None => w.loss(
                &pointer::item(pointer::INIT_ENV, i).to_string(),
                format!("`{}` copied from the host", e.name),
                "write the value explicitly",
            ),
        }
    }
}
