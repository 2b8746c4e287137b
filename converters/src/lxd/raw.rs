//! `raw.lxc`: what the model says beyond LXD's native keys, as LXC config lines written by
//! the LXC writer, minus what LXD already gives (`lxconf_model::lxd::additions`), where LXD
//! allows the key (`lxconf_model::lxd::raw_lxc::refusal`).
//!
//! raw.lxc is loaded after all of LXD's own keys (docs/lxd-facts.md §2.3): a single-valued
//! key replaces LXD's value, a list key appends to LXD's list, so a list the model wants
//! instead of LXD's is cleared first with `KEY =`.

use super::config::Mapped;
use super::Writer;
use crate::lxc::{emit as emit_lxc, LxcOptions};
use crate::writable;
use lxconf_model::lxc_key::{net_key, ExactKey as K, Family};
use lxconf_model::lxd::additions::{PRIVILEGED_CAP_DROPS, PRIVILEGED_DEVICE_ALLOW, PTY_MAX};
use lxconf_model::lxd::keys::names as keys;
use lxconf_model::lxd::raw_lxc::refusal;
use lxconf_model::model::*;
use lxconf_model::{pointer, Cap, Code, Diagnostic, Document, Origins};
use std::collections::BTreeSet;

/// The model without what the native layer wrote, and the residual's mount index → the
/// model's.
fn residual(doc: &Document, m: &Mapped) -> (Document, Vec<usize>) {
    let c = &doc.container;
    let mut r = c.clone();
    r.name = None;
    r.uuid = None;
    r.title = None;
    r.description = None;
    r.hostname = c.hostname.clone().filter(|_| m.hostname_in_raw);
    r.arch = c.arch.clone().filter(|_| m.arch_in_raw);
    // LXD sets container=lxc itself; the entry is left out below.
    r.init.env = vec![EnvVar {
        name: "container".into(),
        value: Some("lxc".into()),
    }];
    r.init
        .env
        .extend(m.raw_env.iter().map(|&i| c.init.env[i].clone()));
    r.idmap.clear();
    r.networks.clear();
    r.prlimits.clear();
    r.sysctls.clear();
    r.autostart = Autostart::default();
    r.lxc.ephemeral = false;
    r.resources.memory_limit = None;
    r.resources.pids_max = None;
    r.resources.cpuset_cpus = None;
    r.security.apparmor_raw.clear();
    r.logging.file = None;
    r.logging.syslog = None;
    r.lxd = None;
    if m.nesting {
        r.security.apparmor_allow_nesting = false;
    }
    let nesting_mount = |mnt: &Mount| {
        m.nesting
            && mnt.optional
            && (mnt.target == "/dev/.lxc/proc" || mnt.target == "/dev/.lxc/sys")
    };
    let kept: Vec<usize> = (0..c.mounts.len())
        .filter(|i| !m.disk_mounts.contains(i) && !nesting_mount(&c.mounts[*i]))
        .collect();
    r.mounts = kept.iter().map(|&i| c.mounts[i].clone()).collect();
    if c.namespaces.clone == c.lxc_default_namespaces() {
        r.namespaces.clone = r.lxc_default_namespaces();
    }
    let origins = remap_origins(&doc.origins, &kept);
    (
        Document {
            container: r,
            origins,
        },
        kept,
    )
}

/// Origins of the residual: mounts renumbered, networks gone.
fn remap_origins(origins: &Origins, kept: &[usize]) -> Origins {
    let mut out = Origins::default();
    for (p, o) in origins.iter() {
        if let Some(rest) = p.strip_prefix(&format!("{}/", pointer::MOUNTS)) {
            let (index, tail) = rest.split_once('/').map_or((rest, ""), |(i, t)| (i, t));
            let Some(new) = index
                .parse::<usize>()
                .ok()
                .and_then(|i| kept.iter().position(|&k| k == i))
            else {
                continue;
            };
            let sep = if tail.is_empty() { "" } else { "/" };
            out.record(format!("{}/{new}{sep}{tail}", pointer::MOUNTS), o);
        } else if !p.starts_with(pointer::NETWORKS) {
            out.record(p, o);
        }
    }
    out
}

/// A pointer of the residual, in the model's numbering.
fn model_pointer(p: &str, kept: &[usize]) -> String {
    let Some(rest) = p.strip_prefix(&format!("{}/", pointer::MOUNTS)) else {
        return p.to_string();
    };
    let (index, tail) = rest
        .split_once('/')
        .map_or((rest, None), |(i, t)| (i, Some(t)));
    match index.parse::<usize>().ok().and_then(|i| kept.get(i)) {
        Some(model) => match tail {
            Some(t) => format!("{}/{model}/{t}", pointer::MOUNTS),
            None => format!("{}/{model}", pointer::MOUNTS),
        },
        None => p.to_string(),
    }
}

fn cgroup_family(opts: &super::LxdOptions) -> Family {
    if opts.cgroup_v1 {
        Family::Cgroup1
    } else {
        Family::Cgroup2
    }
}

/// The LXC writer's losses, restated for LXD.
fn restate(mut d: Diagnostic, kept: &[usize]) -> Diagnostic {
    d.code = match d.code {
        Code::C101 => Code::C401,
        Code::C103 => Code::C403,
        _ => Code::C402,
    };
    d.severity = d.code.info().severity;
    d.message = d.message.replace(
        "cannot be expressed in an LXC config",
        "cannot be expressed in an LXD instance, even in raw.lxc",
    );
    d.pointers = d.pointers.iter().map(|p| model_pointer(p, kept)).collect();
    d
}

pub(super) fn carry(w: &mut Writer<'_>, m: &Mapped) {
    let c = &w.doc.container;
    let (rest, kept) = residual(w.doc, m);
    let lxc_opts = LxcOptions {
        legacy: false,
        cgroup_v1: w.opts.cgroup_v1,
    };
    let out = emit_lxc(&rest, &lxc_opts);
    for d in out.losses {
        let d = restate(d, &kept);
        w.losses.push(d);
    }
    let mut entries: Vec<(String, String)> = out.entries;
    let mut lines: Vec<(String, String)> = Vec::new();
    let dropped_keys = [
        K::RootfsPath,
        K::RootfsOptions,
        K::RootfsMount,
        K::RootfsManaged,
        K::PtyMax,
    ];
    entries.retain(|(k, v)| {
        !(dropped_keys.iter().any(|d| d.name() == k)
            || (k == K::Environment.name() && v == "container=lxc")
            || k.starts_with(&format!("{}.", K::RootfsPath.name())))
    });
    capabilities(w, m, &mut entries, &mut lines);
    device_rules(w, m, &mut entries, &mut lines);
    auto_mounts(w, m, &mut entries);
    if c.dev.ptys != PTY_MAX {
        lines.push((K::PtyMax.name().into(), c.dev.ptys.to_string()));
    }
    lines.extend(entries);
    addresses(w, m, &mut lines);
    hooks_note(w);
    write_raw(w, &lines);
    w.note(
        "",
        "LXD adds its own settings to every container".into(),
        "optional binds of /dev/fuse, /dev/net/tun and /sys/kernel/*, an mqueue mount, the lxcfs hooks of common.conf.d, its own hooks and AppArmor profile (docs/lxd.md, \"What LXD adds\")",
    );
}

/// Privileged LXD containers lose sys_time, sys_module, sys_rawio, mac_admin and
/// mac_override: keep that when the model drops the same, else clear it first.
fn capabilities(
    w: &Writer<'_>,
    m: &Mapped,
    entries: &mut Vec<(String, String)>,
    lines: &mut Vec<(String, String)>,
) {
    if !m.privileged {
        return;
    }
    let lxd: BTreeSet<Cap> = PRIVILEGED_CAP_DROPS
        .iter()
        .filter_map(|n| Cap::from_name(n))
        .collect();
    let is_cap = |k: &str| k == K::CapDrop.name() || k == K::CapKeep.name();
    let same = matches!(&w.doc.container.capabilities, Capabilities::Drop { caps } if *caps == lxd);
    if same {
        entries.retain(|(k, _)| !is_cap(k));
    } else {
        lines.push((K::CapDrop.name().into(), String::new()));
    }
}

/// Privileged LXD containers get a deny-all device rule and an allow list: keep it when the
/// model has the same rules, else clear both lists first.
fn device_rules(
    w: &Writer<'_>,
    m: &Mapped,
    entries: &mut Vec<(String, String)>,
    lines: &mut Vec<(String, String)>,
) {
    if !m.privileged {
        return;
    }
    let family = cgroup_family(w.opts);
    let deny = family.key("devices.deny");
    let allow = family.key("devices.allow");
    let mut lxd = vec![(deny.clone(), "a".to_string())];
    lxd.extend(
        PRIVILEGED_DEVICE_ALLOW
            .iter()
            .map(|r| (allow.clone(), (*r).to_string())),
    );
    let ours: Vec<(String, String)> = entries
        .iter()
        .filter(|(k, _)| *k == deny || *k == allow)
        .cloned()
        .collect();
    if ours == lxd {
        entries.retain(|(k, _)| *k != deny && *k != allow);
    } else {
        // LXD writes its rules with the host's cgroup version (v1 keys on a hybrid host,
        // measured), which the writer cannot know: clear both.
        for family in [Family::Cgroup1, Family::Cgroup2] {
            lines.push((family.key("devices.deny"), String::new()));
            lines.push((family.key("devices.allow"), String::new()));
        }
    }
}

/// LXD's proc/sys/cgroup automounts: each category the model names replaces LXD's.
fn auto_mounts(w: &mut Writer<'_>, m: &Mapped, entries: &mut Vec<(String, String)>) {
    let cgroup = if w.opts.cgroup_v1 {
        "cgroup:mixed"
    } else {
        "cgroup:rw:force"
    };
    let lxd: BTreeSet<&str> = if m.privileged {
        ["proc:mixed", "sys:mixed", cgroup].into()
    } else {
        ["proc:rw", "sys:rw", cgroup].into()
    };
    let key = K::MountAuto.name();
    let ours: BTreeSet<String> = entries
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    if ours.iter().map(String::as_str).collect::<BTreeSet<&str>>() == lxd {
        entries.retain(|(k, _)| k != key);
        return;
    }
    let left: Vec<&str> = ["proc", "sys", "cgroup"]
        .into_iter()
        .filter(|category| !ours.iter().any(|t| t.starts_with(category)))
        .collect();
    if !left.is_empty() {
        w.note(
            pointer::AUTO_MOUNTS,
            format!("LXD mounts {} in the container anyway", left.join(", ")),
            "raw.lxc can replace LXD's automounts of a kind, not remove them",
        );
    }
}

/// Static addresses and gateways: the only `lxc.net` keys LXD lets raw.lxc set, numbered
/// as LXD numbers its NICs.
fn addresses(w: &Writer<'_>, m: &Mapped, lines: &mut Vec<(String, String)>) {
    let nets = &w.doc.container.networks;
    for &(lxd, i) in &m.nics {
        let n = &nets[i];
        let key = |sub: &str| net_key(lxd, sub, false);
        for a in &n.ipv4 {
            let mut v = format!("{}/{}", a.address, a.prefix);
            if let Some(b) = a.broadcast {
                v.push_str(&format!(" {b}"));
            }
            lines.push((key("ipv4.address"), v));
        }
        if let Some(g) = &n.ipv4_gateway {
            lines.push((key("ipv4.gateway"), gateway(g)));
        }
        for a in &n.ipv6 {
            lines.push((key("ipv6.address"), format!("{}/{}", a.address, a.prefix)));
        }
        if let Some(g) = &n.ipv6_gateway {
            lines.push((key("ipv6.gateway"), gateway(g)));
        }
    }
}

fn gateway(g: &Gateway) -> String {
    match g {
        Gateway::Auto => "auto".into(),
        Gateway::Dev => "dev".into(),
        Gateway::Address(a) => a.to_string(),
    }
}

fn hooks_note(w: &mut Writer<'_>) {
    let h = &w.doc.container.hooks;
    if !h.hooks.is_empty() && h.version == 0 {
        w.note(
            pointer::HOOK_LIST,
            "hooks in raw.lxc get their arguments in LXC_* environment variables, not on the command line".into(),
            &format!("LXD sets {} = 1 for its own hooks: a hook that reads its arguments must read LXC_NAME, LXC_HOOK_TYPE... instead", K::HookVersion),
        );
        w.also_covers(pointer::HOOK_VERSION);
    }
}

/// The `raw.lxc` value, each key checked against LXD's blocklist.
fn write_raw(w: &mut Writer<'_>, lines: &[(String, String)]) {
    let mut text = String::new();
    for (k, v) in lines {
        if let Some(why) = refusal(k, w.opts.flavor) {
            w.loss(
                "",
                format!("`{k} = {v}`"),
                &format!("LXD refuses the key in raw.lxc: {}", why.message()),
            );
            continue;
        }
        if v.is_empty() {
            text.push_str(&format!("{k} =\n"));
            continue;
        }
        match writable::lxc_value(v) {
            Ok(v) => text.push_str(&format!("{k} = {v}\n")),
            Err(why) => w.refuse("", &format!("raw.lxc line `{k}`"), why),
        }
    }
    if !text.is_empty() {
        w.set("", keys::RAW_LXC.into(), text);
    }
}
