//! Model → libvirt domain XML (type='lxc'), in libvirt's own formatting, choosing elements
//! so that libvirt's LXC driver builds the container the model describes.
//!
//! Model settings libvirt has no element for are returned as coded loss diagnostics
//! pointing at where the value came from; libvirt behaviour that cannot be turned off (its
//! automatic /proc and /sys, its init environment) is reported as a note when the model
//! differs from it.

use lxconf_model::model::*;
use lxconf_model::values::LIBVIRT_CAPS;
use lxconf_model::{Code, Diagnostic, Document, Namespace, Severity, SizeSpec};

/// Where `ip netns` names live (`<lxc:sharenet type='netns'>`).
const NETNS_DIR: &str = "/run/netns";
use crate::writable::{self, Unwritable};
use std::fmt::Write;

/// The XML and the loss report.
#[derive(Debug, Clone)]
pub struct XmlOutput {
    /// Domain XML, ending with a newline.
    pub xml: String,
    /// What could not be expressed (warnings) and what libvirt adds (notes).
    pub losses: Vec<Diagnostic>,
}

struct W<'a> {
    doc: &'a Document,
    out: String,
    depth: usize,
    losses: Vec<Diagnostic>,
    /// Indices into `unrecognized` written back verbatim (so not losses).
    written: Vec<usize>,
    /// Values that could not be written: the element they were for, and why.
    refused: Vec<(String, String, Unwritable)>,
}

impl W<'_> {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
    /// The one place text reaches the XML: escaped, or refused (and left out) when XML
    /// cannot carry it.
    fn escaped(&mut self, element: &str, value: &str, in_attribute: bool, minimal: bool) -> String {
        writable::xml_escape(value, in_attribute, minimal).unwrap_or_else(|why| {
            self.refused
                .push((element.to_string(), value.to_string(), why));
            String::new()
        })
    }
    fn attrs(&mut self, element: &str, attrs: &[(&str, String)]) -> String {
        let mut out = String::new();
        for (k, v) in attrs {
            let v = self.escaped(element, v, true, false);
            let _ = write!(out, " {k}='{v}'");
        }
        out
    }
    fn open(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.indent();
        let a = self.attrs(name, attrs);
        let _ = writeln!(self.out, "<{name}{a}>");
        self.depth += 1;
    }
    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }
    fn empty(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.indent();
        let a = self.attrs(name, attrs);
        let _ = writeln!(self.out, "<{name}{a}/>");
    }
    /// Write an element kept verbatim, if it is one well-formed element named `name`.
    fn fragment(&mut self, name: &str, raw: &str) {
        match writable::xml_fragment(raw, name) {
            Ok(()) => {
                self.indent();
                self.out.push_str(raw);
                self.out.push('\n');
            }
            Err(why) => self.refused.push((name.to_string(), raw.to_string(), why)),
        }
    }
    /// Write back the elements a domain XML source had under `key` (kept verbatim because
    /// the model does not type them), at the position libvirt prints them.
    fn kept(&mut self, key: &str) -> bool {
        let found: Vec<(usize, String)> = self
            .doc
            .container
            .unrecognized
            .iter()
            .enumerate()
            .filter(|(_, u)| u.format == "domxml" && u.kept_by_reader.0)
            .filter(|(i, u)| u.key == key && !self.written.contains(i))
            .map(|(i, u)| (i, u.value.clone()))
            .collect();
        // `devices/serial[1]` holds a `<serial>` element.
        let name = key.rsplit('/').next().unwrap_or(key);
        let name = name.split('[').next().unwrap_or(name);
        for (i, raw) in &found {
            self.fragment(name, raw);
            self.written.push(*i);
        }
        !found.is_empty()
    }
    /// Write back every kept child of `parent` (`parent/NAME` keys), in source order.
    fn kept_children(&mut self, parent: &str) {
        let keys: Vec<String> = self.kept_keys(parent);
        let mut done = Vec::new();
        for k in keys {
            if !done.contains(&k) {
                self.kept(&k);
                done.push(k);
            }
        }
    }
    fn kept_keys_written(&self, key: &str) -> bool {
        self.written
            .iter()
            .any(|&i| self.doc.container.unrecognized[i].key == key)
    }
    fn kept_keys(&self, parent: &str) -> Vec<String> {
        self.doc
            .container
            .unrecognized
            .iter()
            .filter(|u| u.format == "domxml" && u.kept_by_reader.0)
            .filter(|u| {
                u.key
                    .strip_prefix(parent)
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|r| !r.contains('/') && !r.contains('['))
            })
            .map(|u| u.key.clone())
            .collect()
    }
    fn raw_text(&mut self, name: &str, attrs: &[(&str, String)], text: &str) {
        self.indent();
        let a = self.attrs(name, attrs);
        let t = self.escaped(name, text, false, true);
        let _ = writeln!(self.out, "<{name}{a}>{t}</{name}>");
    }
    fn text(&mut self, name: &str, attrs: &[(&str, String)], text: &str) {
        self.indent();
        let a = self.attrs(name, attrs);
        let t = self.escaped(name, text, false, false);
        let _ = writeln!(self.out, "<{name}{a}>{t}</{name}>");
    }
    fn report(
        &mut self,
        code: Code,
        severity: Severity,
        pointer: &str,
        message: String,
        help: &str,
    ) {
        let mut d = Diagnostic::new(code, message)
            .severity(severity)
            .help(help.to_string());
        if let Some(o) = self.doc.origins.find(pointer) {
            d = d.at(o);
        }
        self.losses.push(d);
    }
    fn loss(&mut self, pointer: &str, what: String, help: &str) {
        self.report(
            Code::C301,
            Severity::Warning,
            pointer,
            format!("{what} cannot be expressed in libvirt domain XML"),
            help,
        );
    }
    fn note(&mut self, pointer: &str, message: String, help: &str) {
        self.report(Code::C302, Severity::Note, pointer, message, help);
    }
}

fn kib(bytes: u64) -> String {
    bytes.div_ceil(1024).to_string()
}

/// Environment variables libvirt sets for init by itself.
pub const LIBVIRT_ENV: [&str; 6] = [
    "PATH",
    "container",
    "container_uuid",
    "LIBVIRT_LXC_NAME",
    "LIBVIRT_LXC_UUID",
    "LIBVIRT_LXC_CMDLINE",
];

/// Write a domain XML for a model (normally prepared with `from_native::prepare`).
pub fn emit(doc: &Document) -> XmlOutput {
    let mut w = W {
        doc,
        out: String::new(),
        depth: 0,
        losses: Vec::new(),
        written: Vec::new(),
        refused: Vec::new(),
    };
    let c = &doc.container;
    let lv = c.libvirt.clone().unwrap_or_default();
    let shares: Vec<(Namespace, &String)> =
        c.namespaces.share.iter().map(|(n, v)| (*n, v)).collect();
    let lxc_ns = shares
        .iter()
        .any(|(n, _)| matches!(n, Namespace::Net | Namespace::Ipc | Namespace::Uts));
    let mut root = vec![("type", "lxc".to_string())];
    if lxc_ns {
        root.push((
            "xmlns:lxc",
            "http://libvirt.org/schemas/domain/lxc/1.0".into(),
        ));
    }
    w.open("domain", &root);
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
    let r = &c.resources;
    let memory = lv
        .memory
        .or(r.memory_limit)
        .map(|m| m.0)
        .unwrap_or(64 << 20);
    w.text("memory", &[("unit", "KiB".into())], &kib(memory));
    w.text(
        "currentMemory",
        &[("unit", "KiB".into())],
        &kib(lv.current_memory.map(|m| m.0).unwrap_or(memory)),
    );
    // blkiotune
    let devices: Vec<&BlkioDevice> = r.blkio_devices.iter().collect();
    if r.blkio_weight.is_some() || !devices.is_empty() || !w.kept_keys("blkiotune").is_empty() {
        w.open("blkiotune", &[]);
        if let Some(wt) = r.blkio_weight {
            w.text("weight", &[], &wt.to_string());
        }
        for d in devices {
            w.open("device", &[]);
            let path = if d.device.starts_with('/') {
                d.device.clone()
            } else {
                format!("/dev/block/{}", d.device)
            };
            w.text("path", &[], &path);
            if let Some(x) = d.weight {
                w.text("weight", &[], &x.to_string());
            }
            for (name, v) in [
                ("read_iops_sec", d.read_iops),
                ("write_iops_sec", d.write_iops),
                ("read_bytes_sec", d.read_bps),
                ("write_bytes_sec", d.write_bps),
            ] {
                if let Some(v) = v {
                    w.text(name, &[], &v.to_string());
                }
            }
            w.close("device");
        }
        w.kept_children("blkiotune");
        w.close("blkiotune");
    }
    // memtune
    let swap_total = r
        .memory_swap_limit
        .map(|m| m.0)
        .or_else(|| Some(r.memory_limit?.0 + r.swap_limit?.0));
    // libvirt enforces <memory> as the limit: a hard_limit equal to it says nothing more.
    let hard_limit = r
        .memory_limit
        .filter(|m| lv.layout.hard_limit || m.0.div_ceil(1024) != memory.div_ceil(1024));
    if hard_limit.is_some()
        || r.memory_soft_limit.is_some()
        || swap_total.is_some()
        || r.memory_min.is_some()
        || !w.kept_keys("memtune").is_empty()
    {
        w.open("memtune", &[]);
        if let Some(m) = hard_limit {
            w.text("hard_limit", &[("unit", "KiB".into())], &kib(m.0));
        }
        if let Some(m) = r.memory_soft_limit {
            w.text("soft_limit", &[("unit", "KiB".into())], &kib(m.0));
        }
        if let Some(m) = r.memory_min {
            w.text("min_guarantee", &[("unit", "KiB".into())], &kib(m.0));
        }
        if let Some(m) = swap_total {
            w.text("swap_hard_limit", &[("unit", "KiB".into())], &kib(m));
        }
        w.kept_children("memtune");
        w.close("memtune");
    }
    if r.swap_limit.is_some() && r.memory_limit.is_none() {
        w.loss(
            "/resources/swap_limit",
            "a swap limit without a memory limit".into(),
            "libvirt limits memory+swap; set a memory limit too",
        );
    }
    let placement = if lv.placement_auto { "auto" } else { "static" };
    let mut vcpu = vec![("placement", placement.to_string())];
    if let Some(cpus) = &r.cpuset_cpus {
        vcpu.push(("cpuset", cpus.to_string()));
    }
    w.text("vcpu", &vcpu, &lv.vcpus.unwrap_or(1).to_string());
    let shares_val = r.cpu_shares.or(r.cpu_weight);
    if r.cpu_weight.is_some() && r.cpu_shares.is_none() {
        w.note("/resources/cpu_weight", "the cgroup v2 cpu weight becomes libvirt <shares>".into(), "libvirt converts shares to a weight itself on cgroup v2 hosts, so the value may change");
    }
    if shares_val.is_some()
        || r.cpu_period_us.is_some()
        || r.cpu_quota_us.is_some()
        || lv.emulator_period_us.is_some()
        || lv.emulator_quota_us.is_some()
        || !w.kept_keys("cputune").is_empty()
    {
        w.open("cputune", &[]);
        if let Some(s) = shares_val {
            w.text("shares", &[], &s.to_string());
        }
        if let Some(p) = r.cpu_period_us {
            w.text("period", &[], &p.to_string());
        }
        if let Some(q) = r.cpu_quota_us {
            w.text("quota", &[], &q.to_string());
        }
        w.kept_children("cputune");
        if let Some(p) = lv.emulator_period_us {
            w.text("emulator_period", &[], &p.to_string());
        }
        if let Some(q) = lv.emulator_quota_us {
            w.text("emulator_quota", &[], &q.to_string());
        }
        w.close("cputune");
    }
    if !w.kept("numatune") && (r.cpuset_mems.is_some() || lv.placement_auto) {
        let mode = lv.numa_mode.clone().unwrap_or_else(|| "strict".into());
        let place = match &r.cpuset_mems {
            Some(mems) => ("nodeset", mems.to_string()),
            None => ("placement", "auto".to_string()),
        };
        w.open("numatune", &[]);
        w.empty("memory", &[("mode", mode), place]);
        w.close("numatune");
    }
    if let Some(p) = &lv.partition {
        w.open("resource", &[]);
        w.text("partition", &[], p);
        w.close("resource");
    }
    // os
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
                &format!("/init/env/{i}"),
                format!("the variable `{}`", e.name),
                "libvirt accepts only names made of letters, digits and `_`",
            );
            continue;
        }
        match &e.value {
            Some(v) if !v.is_empty() => w.raw_text("initenv", &[("name", e.name.clone())], v),
            Some(_) => w.loss(
                &format!("/init/env/{i}"),
                format!("the empty variable `{}`", e.name),
                "libvirt refuses an empty <initenv>",
            ),
            None => w.loss(
                &format!("/init/env/{i}"),
                format!("`{}` copied from the host", e.name),
                "write the value explicitly",
            ),
        }
    }
    if let Some(cwd) = c.init.cwd.as_deref().filter(|d| *d != "/") {
        w.text("initdir", &[], cwd);
    }
    match (&c.init.user_name, c.init.uid) {
        (Some(u), _) => w.raw_text("inituser", &[], u),
        (None, 0) => {}
        (None, uid) => w.text("inituser", &[], &format!("+{uid}")),
    }
    match (&c.init.group_name, c.init.gid) {
        (Some(g), _) => w.raw_text("initgroup", &[], g),
        (None, 0) => {}
        (None, gid) => w.text("initgroup", &[], &format!("+{gid}")),
    }
    if !c.init.groups.is_empty() {
        w.loss(
            "/init/groups",
            "supplementary groups".into(),
            "libvirt sets only the init user and group",
        );
    }
    w.kept_children("os");
    w.close("os");
    // idmap
    if !c.idmap.is_empty() {
        w.open("idmap", &[]);
        for kind in [IdKind::Uid, IdKind::Gid] {
            for m in c.idmap.iter().filter(|m| m.kind == kind) {
                let name = if kind == IdKind::Uid { "uid" } else { "gid" };
                w.empty(
                    name,
                    &[
                        ("start", m.container_start.to_string()),
                        ("target", m.host_start.to_string()),
                        ("count", m.count.to_string()),
                    ],
                );
            }
        }
        w.close("idmap");
    }
    // features
    let interfaces = c
        .networks
        .iter()
        .filter(|n| !matches!(n.kind, NetKind::None | NetKind::Empty))
        .count();
    let shares_host_net = c.networks.iter().any(|n| n.kind == NetKind::None)
        && !c.namespaces.clone.contains(&Namespace::Net);
    let privnet =
        interfaces == 0 && !shares_host_net && !c.namespaces.share.contains_key(&Namespace::Net);
    let default_policy = matches!(&c.capabilities, Capabilities::Policy { default: CapPolicyDefault::Default, states } if states.is_empty());
    let features = privnet || !default_policy || !w.kept_keys("features").is_empty();
    if features {
        w.open("features", &[]);
    }
    if privnet {
        w.empty("privnet", &[]);
    }
    let (policy, states): (&str, Vec<(&str, &str)>) = match &c.capabilities {
        Capabilities::Policy { default, states } => {
            let p = match default {
                CapPolicyDefault::Default => "default",
                CapPolicyDefault::Allow => "allow",
                CapPolicyDefault::Deny => "deny",
            };
            (
                p,
                LIBVIRT_CAPS
                    .iter()
                    .filter_map(|n| {
                        states
                            .iter()
                            .find(|(c, _)| c.name() == *n)
                            .map(|(_, on)| (*n, if *on { "on" } else { "off" }))
                    })
                    .collect(),
            )
        }
        Capabilities::Drop { caps } => (
            "allow",
            LIBVIRT_CAPS
                .iter()
                .filter(|n| caps.iter().any(|c| c.name() == **n))
                .map(|n| (*n, "off"))
                .collect(),
        ),
        Capabilities::Keep { caps } => (
            "deny",
            LIBVIRT_CAPS
                .iter()
                .filter(|n| caps.iter().any(|c| c.name() == **n))
                .map(|n| (*n, "on"))
                .collect(),
        ),
    };
    let unknown: Vec<&str> = c
        .capabilities
        .dropped()
        .iter()
        .map(|c| c.name())
        .filter(|n| !LIBVIRT_CAPS.contains(n))
        .collect();
    // Under policy deny libvirt clears the whole bounding set (capng_clear), so capabilities
    // it has no name for are dropped too; only a drop list cannot reach them.
    let denies_all = matches!(
        c.capabilities,
        Capabilities::Keep { .. }
            | Capabilities::Policy {
                default: CapPolicyDefault::Deny,
                ..
            }
    );
    if !unknown.is_empty() && !denies_all {
        w.loss(
            "/capabilities",
            format!("dropping {}", unknown.join(", ")),
            "libvirt 9.0 does not know these capabilities",
        );
    }
    if default_policy {
        // libvirt's default policy needs no element.
    } else if states.is_empty() {
        w.empty("capabilities", &[("policy", policy.into())]);
    } else {
        w.open("capabilities", &[("policy", policy.into())]);
        for (n, s) in states {
            w.empty(n, &[("state", s.into())]);
        }
        w.close("capabilities");
    }
    if features {
        w.kept_children("features");
        w.close("features");
    }
    // Other top-level elements kept verbatim (`<cpu>`, `<sysinfo>`, ...).
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
    // devices
    w.open("devices", &[]);
    let emulator = lv
        .emulator
        .clone()
        .unwrap_or_else(|| "/usr/lib/libvirt/libvirt_lxc".into());
    w.text("emulator", &[], &emulator);
    let mut fs_ord = 0usize;
    if let Some(rootfs) = &c.rootfs {
        filesystem(
            &mut w,
            &mut fs_ord,
            rootfs.backend.as_deref(),
            &rootfs.path,
            "/",
            rootfs.readonly,
            "/rootfs",
        );
        if !rootfs.options.is_empty() {
            w.loss(
                "/rootfs",
                format!("rootfs mount options `{}`", rootfs.options.join(",")),
                "libvirt mounts the root filesystem with its own options",
            );
        }
    }
    for (i, m) in c.mounts.iter().enumerate() {
        let pointer = format!("/mounts/{i}");
        match (m.fstype.as_str(), m.bind) {
            ("tmpfs", _) => {
                let usage = match m.size {
                    Some(SizeSpec::Bytes(b)) => Some(b.0 / 1024),
                    _ => None,
                };
                match usage {
                    Some(u) => {
                        kept_filesystems(&mut w, &mut fs_ord);
                        let this = format!("devices/filesystem[{fs_ord}]");
                        fs_ord += 1;
                        w.open(
                            "filesystem",
                            &[("type", "ram".into()), ("accessmode", "passthrough".into())],
                        );
                        w.kept(&format!("{this}/driver"));
                        w.empty(
                            "source",
                            &[("usage", u.to_string()), ("units", "KiB".into())],
                        );
                        w.empty("target", &[("dir", m.target.clone())]);
                        if m.readonly {
                            w.empty("readonly", &[]);
                        }
                        w.kept_children(&this);
                        w.close("filesystem");
                    }
                    None => w.loss(
                        &pointer,
                        format!("the tmpfs on `{}` without an absolute size", m.target),
                        "give it a size, or pass --host-memory",
                    ),
                }
            }
            // A path inside the container (LXC `relative`, libvirt type='bind').
            (_, BindKind::Bind | BindKind::Rbind) if m.relative && c.rootfs.is_some() => {
                kept_filesystems(&mut w, &mut fs_ord);
                let this = format!("devices/filesystem[{fs_ord}]");
                fs_ord += 1;
                w.open(
                    "filesystem",
                    &[
                        ("type", "bind".into()),
                        ("accessmode", "passthrough".into()),
                    ],
                );
                w.kept(&format!("{this}/driver"));
                w.empty(
                    "source",
                    &[("dir", format!("/{}", m.source.trim_start_matches('/')))],
                );
                w.empty("target", &[("dir", m.target.clone())]);
                if m.readonly {
                    w.empty("readonly", &[]);
                }
                w.kept_children(&this);
                w.close("filesystem");
            }
            // A block device or an image file mounted with its own filesystem.
            ("auto", BindKind::None) => {
                let backend = if m.options.iter().any(|o| o == "loop") {
                    "loop"
                } else {
                    "block"
                };
                filesystem(
                    &mut w,
                    &mut fs_ord,
                    Some(backend),
                    &m.source,
                    &m.target,
                    m.readonly,
                    &pointer,
                );
                continue;
            }
            (_, BindKind::Bind | BindKind::Rbind) => {
                let backend = m.source.starts_with("/dev/").then_some("block");
                // LXC's `relative` option: the source is inside the container's rootfs.
                let source = match (&c.rootfs, m.relative || !m.source.starts_with('/')) {
                    (Some(r), true) => format!(
                        "{}/{}",
                        r.path.trim_end_matches('/'),
                        m.source.trim_start_matches('/')
                    ),
                    (None, true) => {
                        w.loss(
                            &pointer,
                            format!("the relative source `{}`", m.source),
                            "libvirt needs an absolute host path",
                        );
                        continue;
                    }
                    (_, false) => m.source.clone(),
                };
                filesystem(
                    &mut w,
                    &mut fs_ord,
                    backend,
                    &source,
                    &m.target,
                    m.readonly,
                    &pointer,
                );
                if m.bind == BindKind::Rbind {
                    w.note(
                        &pointer,
                        format!("the recursive bind mount on `{}` becomes a plain bind: submounts of the source are not visible", m.target),
                        "libvirt bind-mounts filesystems without MS_REC",
                    );
                }
            }
            (fstype, BindKind::None) => {
                w.loss(&pointer, format!("the `{fstype}` mount on `{}`", m.target), "libvirt mounts only host directories, block devices, images and tmpfs; /proc and /sys are mounted automatically");
                continue;
            }
        }
        let extra: Vec<&str> = m
            .options
            .iter()
            .map(String::as_str)
            .filter(|o| {
                !(matches!(*o, "mode=0755" | "mode=755" | "rw" | "defaults")
                    || (m.fstype == "tmpfs" && matches!(*o, "nosuid" | "nodev")))
            })
            .collect();
        if !extra.is_empty() {
            w.loss(
                &pointer,
                format!("mount options `{}` on `{}`", extra.join(","), m.target),
                "libvirt has no per-filesystem mount options",
            );
        }
        if m.optional {
            w.note(
                &pointer,
                format!("the optional mount on `{}` becomes mandatory", m.target),
                "libvirt fails to start when a filesystem cannot be mounted",
            );
        }
    }
    kept_filesystems(&mut w, &mut fs_ord);
    // interfaces
    let mut hostdevs = Vec::new();
    let mut if_ord = 0usize;
    for (i, n) in c.networks.iter().enumerate() {
        let pointer = format!("/networks/{i}");
        match n.kind {
            NetKind::None | NetKind::Empty => continue,
            NetKind::Phys | NetKind::Vlan => {
                hostdevs.push((i, n));
                continue;
            }
            NetKind::Ipvlan => {
                w.loss(
                    &pointer,
                    "an ipvlan interface".into(),
                    "libvirt's LXC driver has no ipvlan; use a macvlan (`direct`) interface",
                );
                continue;
            }
            NetKind::Veth | NetKind::Macvlan => {}
        }
        let (kind, source): (&str, Vec<(&str, String)>) = match (n.kind, &n.network, &n.link) {
            (NetKind::Veth, Some(net), _) => {
                let mut source = vec![("network", net.clone())];
                if let Some(pg) = &n.portgroup {
                    source.push(("portgroup", pg.clone()));
                }
                ("network", source)
            }
            (NetKind::Veth, None, Some(br))
                if n.veth.as_ref().is_none_or(|v| v.mode == VethMode::Bridge) =>
            {
                ("bridge", vec![("bridge", br.clone())])
            }
            (NetKind::Veth, _, _) => ("ethernet", vec![]),
            (_, _, Some(dev)) => {
                let mode = match n.macvlan_mode.unwrap_or(MacvlanMode::Private) {
                    MacvlanMode::Private => "private",
                    MacvlanMode::Vepa => "vepa",
                    MacvlanMode::Bridge => "bridge",
                    MacvlanMode::Passthru => "passthrough",
                };
                ("direct", vec![("dev", dev.clone()), ("mode", mode.into())])
            }
            _ => {
                w.loss(
                    &pointer,
                    "a macvlan interface without a link".into(),
                    "name the host interface with `link`",
                );
                continue;
            }
        };
        kept_interfaces(&mut w, &mut if_ord);
        let this = format!("devices/interface[{if_ord}]");
        if_ord += 1;
        let layout = lv.layout.interfaces.get(&(i as u32));
        w.open("interface", &[("type", kind.into())]);
        match &n.hwaddr {
            Some(mac) if !mac.is_pattern() => w.empty("mac", &[("address", mac.to_string())]),
            Some(mac) => w.note(
                &pointer,
                format!("the MAC pattern `{mac}` is left to libvirt, which picks a random address"),
                "LXC fills the `x` digits randomly too",
            ),
            None => {}
        }
        if !source.is_empty() {
            w.empty("source", &source);
        }
        // libvirt's order: mac, source, vlan, virtualport, bandwidth, ip, route, script,
        // target, guest, link, mtu.
        for child in ["vlan", "virtualport", "bandwidth"] {
            w.kept(&format!("{this}/{child}"));
        }
        ips_and_routes(&mut w, n, layout, &pointer);
        w.kept(&format!("{this}/script"));
        if let Some(pair) = n.veth.as_ref().and_then(|v| v.pair.clone()) {
            w.empty("target", &[("dev", pair)]);
        }
        if let Some(name) = &n.name {
            w.empty("guest", &[("dev", name.clone())]);
        }
        let has_ips = !n.ipv4.is_empty() || !n.ipv6.is_empty();
        match layout {
            // A libvirt source: its link element as written.
            Some(l) => {
                if let Some(state) = &l.link_state {
                    w.empty("link", &[("state", state.clone())]);
                }
            }
            None if n.up || !has_ips => w.empty(
                "link",
                &[("state", if n.up { "up" } else { "down" }.into())],
            ),
            None => {
                w.empty("link", &[("state", "down".into())]);
                w.loss(
                    &pointer,
                    format!("the down state of network {} (it has addresses)", n.index),
                    "libvirt brings up every interface that has an address",
                );
            }
        }
        if let Some(mtu) = n.mtu {
            w.empty("mtu", &[("size", mtu.to_string())]);
        }
        w.kept_children(&this);
        w.close("interface");
        let v = n.veth.clone().unwrap_or_default();
        if v.mode == VethMode::Router
            || !v.routes.is_empty()
            || v.vlan_id.is_some()
            || !v.vlan_tagged.is_empty()
        {
            w.loss(
                &pointer,
                "veth router mode, host routes or bridge vlans".into(),
                "configure them on the host",
            );
        }
        if n.script_up.is_some() || n.script_down.is_some() || n.l2proxy {
            w.loss(
                &pointer,
                "interface scripts or l2proxy".into(),
                "libvirt has no per-interface scripts; use a libvirt hook",
            );
        }
    }
    kept_interfaces(&mut w, &mut if_ord);
    w.kept("devices/serial");
    // consoles: /dev/console and one per tty
    if c.console.enabled {
        for port in 0..=c.dev.ttys {
            w.open("console", &[("type", "pty".into())]);
            w.empty(
                "target",
                &[("type", "lxc".into()), ("port", port.to_string())],
            );
            w.close("console");
        }
    }
    // Host devices in a libvirt source's order, else network devices first.
    let mut order: Vec<String> = lv.layout.hostdevs.clone();
    for item in hostdevs
        .iter()
        .map(|(i, _)| format!("networks/{i}"))
        .chain((0..c.host_devices.len()).map(|i| format!("host_devices/{i}")))
    {
        if !order.contains(&item) {
            order.push(item);
        }
    }
    for item in order {
        let (list, index) = item.split_once('/').unwrap_or(("", ""));
        let Ok(i) = index.parse::<usize>() else {
            continue;
        };
        match list {
            "networks" => {
                if let Some((_, n)) = hostdevs.iter().find(|(j, _)| *j == i) {
                    net_hostdev(&mut w, &lv, i, n);
                }
            }
            "host_devices" => {
                if let Some(d) = c.host_devices.get(i) {
                    host_device(&mut w, i, d);
                }
            }
            _ => {}
        }
    }
    w.kept_children("devices");
    w.close("devices");
    // seclabel
    if let Some(p) = &c.security.apparmor_profile {
        if p == "unconfined" {
            w.empty(
                "seclabel",
                &[("type", "none".into()), ("model", "apparmor".into())],
            );
        } else {
            w.note(
                "/security/apparmor_profile",
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
    if lxc_ns {
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
                        &format!("/namespaces/share/{}", ns.name()),
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
    w.close("domain");
    losses_for_the_rest(&mut w);
    report_refused(&mut w);
    XmlOutput {
        xml: w.out,
        losses: w.losses,
    }
}

/// Turn refused values into errors, located at the model field that holds the value.
fn report_refused(w: &mut W<'_>) {
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

/// A network interface passed through (`<hostdev mode='capabilities' type='net'>`).
fn net_hostdev(w: &mut W<'_>, lv: &LibvirtSettings, i: usize, n: &Network) {
    let pointer = format!("/networks/{i}");
    let Some(link) = n.link.as_ref().filter(|l| !l.ends_with('+')) else {
        w.loss(
            &pointer,
            "a phys/vlan interface without a link, or with a `+` prefix pattern".into(),
            "name one host interface with `link`",
        );
        return;
    };
    let dev = match (n.kind, n.vlan_id) {
        (NetKind::Vlan, Some(id)) => {
            w.note(
                &pointer,
                format!("the vlan device `{link}.{id}` must exist on the host"),
                "libvirt moves an existing device into the container; LXC creates it",
            );
            format!("{link}.{id}")
        }
        _ => link.clone(),
    };
    w.open(
        "hostdev",
        &[("mode", "capabilities".into()), ("type", "net".into())],
    );
    w.open("source", &[]);
    w.text("interface", &[], &dev);
    w.kept_children("devices/hostdev/source");
    w.close("source");
    let layout = lv.layout.interfaces.get(&(i as u32));
    ips_and_routes(w, n, layout, &pointer);
    w.close("hostdev");
    if n.name.is_some() || n.hwaddr.is_some() || n.mtu.is_some() {
        w.loss(
            &pointer,
            "the name, MAC or MTU of a passed-through interface".into(),
            "libvirt keeps the host interface's own settings",
        );
    }
}

/// A block, character or USB device passed through.
fn host_device(w: &mut W<'_>, i: usize, d: &HostDevice) {
    let pointer = format!("/host_devices/{i}");
    match d.kind {
        HostDeviceKind::Storage | HostDeviceKind::Misc => {
            let (ty, el) = if d.kind == HostDeviceKind::Storage {
                ("storage", "block")
            } else {
                ("misc", "char")
            };
            w.open(
                "hostdev",
                &[("mode", "capabilities".into()), ("type", ty.into())],
            );
            w.open("source", &[]);
            w.text(el, &[], &d.source);
            w.close("source");
            w.close("hostdev");
        }
        HostDeviceKind::Usb => {
            w.open(
                "hostdev",
                &[
                    ("mode", "subsystem".into()),
                    ("type", "usb".into()),
                    ("managed", "no".into()),
                ],
            );
            w.open("source", &[]);
            match (d.source.split_once(':'), d.source.split_once('/')) {
                (Some((bus, dev)), _) => {
                    w.empty("address", &[("bus", bus.into()), ("device", dev.into())])
                }
                (None, Some((vendor, product))) => {
                    w.empty("vendor", &[("id", vendor.into())]);
                    w.empty("product", &[("id", product.into())]);
                }
                _ => w.loss(
                    &pointer,
                    format!("the USB device `{}`", d.source),
                    "name it by bus:device or vendor/product",
                ),
            }
            w.close("source");
            w.close("hostdev");
        }
    }
}

/// `<ip>` and `<route>` elements of an interface or a passed-through network device.
fn ips_and_routes(w: &mut W<'_>, n: &Network, layout: Option<&InterfaceLayout>, pointer: &str) {
    for (fam, list) in [
        (
            "ipv4",
            n.ipv4
                .iter()
                .map(|a| {
                    (
                        a.address.to_string(),
                        a.prefix,
                        a.peer.map(|p| p.to_string()),
                    )
                })
                .collect::<Vec<_>>(),
        ),
        (
            "ipv6",
            n.ipv6
                .iter()
                .map(|a| {
                    (
                        a.address.to_string(),
                        a.prefix,
                        a.peer.map(|p| p.to_string()),
                    )
                })
                .collect(),
        ),
    ] {
        for (address, prefix, peer) in list {
            let mut attrs = vec![
                ("address", address),
                ("family", fam.to_string()),
                ("prefix", prefix.to_string()),
            ];
            if let Some(p) = peer {
                attrs.push(("peer", p));
            }
            w.empty("ip", &attrs);
        }
    }
    // Route order: as a libvirt source wrote it, else default routes first.
    let mut order: Vec<String> = layout.map(|l| l.routes.clone()).unwrap_or_default();
    for item in ["ipv4_gateway".to_string(), "ipv6_gateway".to_string()]
        .into_iter()
        .chain((0..n.routes.len()).map(|i| i.to_string()))
    {
        if !order.contains(&item) {
            order.push(item);
        }
    }
    for item in order {
        let (fam, any, gw) = match item.as_str() {
            "ipv4_gateway" => ("ipv4", "0.0.0.0", &n.ipv4_gateway),
            "ipv6_gateway" => ("ipv6", "::", &n.ipv6_gateway),
            index => {
                let Some(r) = index.parse::<usize>().ok().and_then(|i| n.routes.get(i)) else {
                    continue;
                };
                let fam = if r.address.is_ipv4() { "ipv4" } else { "ipv6" };
                let mut attrs = vec![
                    ("family", fam.to_string()),
                    ("address", r.address.to_string()),
                    ("prefix", r.prefix.to_string()),
                ];
                if let Some(g) = r.gateway {
                    attrs.push(("gateway", g.to_string()));
                }
                if let Some(m) = r.metric {
                    attrs.push(("metric", m.to_string()));
                }
                w.empty("route", &attrs);
                continue;
            }
        };
        match gw {
            Some(Gateway::Address(a)) => w.empty(
                "route",
                &[
                    ("family", fam.into()),
                    ("address", any.into()),
                    ("gateway", a.to_string()),
                ],
            ),
            Some(_) => w.loss(
                pointer,
                format!("an `auto`/`dev` {fam} gateway"),
                "libvirt needs a gateway address",
            ),
            None => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn filesystem(
    w: &mut W<'_>,
    ordinal: &mut usize,
    backend: Option<&str>,
    source: &str,
    target: &str,
    readonly: bool,
    pointer: &str,
) {
    kept_filesystems(w, ordinal);
    let this = format!("devices/filesystem[{ordinal}]");
    *ordinal += 1;
    let (ty, attr) = match backend {
        Some("block") | Some("lvm") => ("block", "dev"),
        Some("loop") => ("file", "file"),
        _ if source.starts_with("/dev/") => ("block", "dev"),
        Some("dir") | None => ("mount", "dir"),
        Some(other) => {
            w.note(
                pointer,
                format!("the `{other}` root filesystem is given to libvirt as a directory"),
                "mount it on the host first, or convert it to a directory",
            );
            ("mount", "dir")
        }
    };
    w.open(
        "filesystem",
        &[("type", ty.into()), ("accessmode", "passthrough".into())],
    );
    w.kept(&format!("{this}/driver"));
    w.empty("source", &[(attr, source.into())]);
    w.empty("target", &[("dir", target.into())]);
    if readonly {
        w.empty("readonly", &[]);
    }
    w.kept_children(&this);
    w.close("filesystem");
}

/// Whole `<filesystem>` elements kept verbatim (template, volume) at this position.
fn kept_filesystems(w: &mut W<'_>, ordinal: &mut usize) {
    while w.kept(&format!("devices/filesystem[{ordinal}]")) {
        *ordinal += 1;
    }
}

/// Whole `<interface>` elements kept verbatim (types the LXC driver lacks) at this position.
fn kept_interfaces(w: &mut W<'_>, ordinal: &mut usize) {
    while w.kept(&format!("devices/interface[{ordinal}]")) {
        *ordinal += 1;
    }
}

/// Everything the model has that domain XML cannot say, and libvirt behaviour that differs.
fn losses_for_the_rest(w: &mut W<'_>) {
    let c = &w.doc.container;
    if let (Some(h), Some(n)) = (&c.hostname, &c.name) {
        if h != n {
            w.loss("/hostname", format!("the hostname `{h}` (libvirt uses the domain name `{n}`)"), "libvirt sets the container's hostname to the domain name; rename the domain with --name");
        }
    }
    match c.auto_mounts.proc {
        None => w.note(
            "/auto_mounts",
            "libvirt always mounts /proc, which this container does not have".into(),
            "an LXC container without lxc.mount.auto proc has no /proc",
        ),
        Some(ProcMode::Rw) => w.note(
            "/auto_mounts/proc",
            "/proc/sys becomes read-only under libvirt".into(),
            "libvirt mounts /proc/sys read-only",
        ),
        _ => {}
    }
    if c.auto_mounts.sys.is_none() {
        w.note(
            "/auto_mounts",
            "libvirt always mounts /sys read-only, which this container does not have".into(),
            "add lxc.mount.auto = sys:ro to the LXC side to match",
        );
    }
    let libvirt_cgroup = CgroupAuto {
        flavor: CgroupFlavor::Full,
        mode: Some(CgroupMode::Rw),
        force: true,
    };
    if c.auto_mounts.cgroup.is_some_and(|cg| cg != libvirt_cgroup) {
        w.note(
            "/auto_mounts/cgroup",
            "libvirt mounts the cgroup hierarchy its own way".into(),
            "lxc.mount.auto cgroup settings have no libvirt element",
        );
    }
    if !c.dev.autodev {
        w.loss(
            "/dev/autodev",
            "using the rootfs's own /dev (autodev off)".into(),
            "libvirt always mounts a fresh /dev",
        );
    }
    if c.dev.ptys == 0 {
        w.note(
            "/dev/ptys",
            "libvirt always gives the container a devpts for ptys".into(),
            "with lxc.pty.max = 0 LXC gives none",
        );
    }
    for (i, h) in c.hooks.hooks.iter().enumerate() {
        w.loss(
            &format!("/hooks/hooks/{i}"),
            format!("the {} hook `{}`", h.kind.name(), h.command),
            "libvirt has global hooks in /etc/libvirt/hooks/lxc instead",
        );
    }
    for (i, p) in c.prlimits.iter().enumerate() {
        w.loss(
            &format!("/prlimits/{i}"),
            format!("the {} resource limit", p.resource),
            "libvirt has no per-domain rlimits for LXC",
        );
    }
    for (i, s) in c.sysctls.iter().enumerate() {
        w.loss(
            &format!("/sysctls/{i}"),
            format!("sysctl `{}`", s.key),
            "set it from the container's init",
        );
    }
    for (i, s) in c.proc.iter().enumerate() {
        w.loss(
            &format!("/proc/{i}"),
            format!("/proc setting `{}`", s.key),
            "libvirt has no such setting",
        );
    }
    for (i, d) in c.device_rules.iter().enumerate() {
        let _ = d;
        w.loss(
            &format!("/device_rules/{i}"),
            "a device cgroup rule".into(),
            "libvirt computes the device rules from the domain's devices",
        );
    }
    if let Some(p) = c.resources.pids_max {
        w.loss(
            "/resources/pids_max",
            format!("the task limit {p}"),
            "libvirt has no pids limit for LXC",
        );
    }
    for (i, s) in c.resources.cgroup.iter().enumerate() {
        w.loss(
            &format!("/resources/cgroup/{i}"),
            format!("cgroup setting `{}`", s.key),
            "libvirt has no element for it",
        );
    }
    let sec = &c.security;
    if sec.seccomp_profile.is_some() {
        w.loss(
            "/security/seccomp_profile",
            "the seccomp profile".into(),
            "libvirt's LXC driver has no seccomp filter",
        );
    }
    if !sec.apparmor_raw.is_empty() || sec.apparmor_allow_nesting || sec.apparmor_allow_incomplete {
        w.loss(
            "/security",
            "AppArmor raw rules or nesting".into(),
            "libvirt generates the profile",
        );
    }
    if c.no_new_privs {
        w.loss(
            "/no_new_privs",
            "no_new_privs".into(),
            "libvirt has no such setting",
        );
    }
    if c.time_offsets.boot_ns != 0 || c.time_offsets.monotonic_ns != 0 {
        w.loss(
            "/time_offsets",
            "clock offsets (time namespace)".into(),
            "libvirt's LXC driver has no time namespace",
        );
    }
    if c.autostart.enabled {
        w.note(
            "/autostart",
            "autostart is not part of the domain XML".into(),
            "run `virsh autostart NAME` after defining the domain",
        );
    }
    if !c.lxc.cgroup_dirs.is_empty() || c.lxc.ephemeral {
        w.note(
            "/lxc",
            "LXC-only management settings are not written".into(),
            "they have no libvirt equivalent",
        );
    }
    for (ns, _) in c
        .namespaces
        .share
        .iter()
        .filter(|(n, _)| !matches!(n, Namespace::Net | Namespace::Ipc | Namespace::Uts))
    {
        w.loss(
            &format!("/namespaces/share/{}", ns.name()),
            format!("sharing the {} namespace", ns.name()),
            "libvirt shares only net, ipc and uts namespaces",
        );
    }
    for (i, u) in c.unrecognized.iter().enumerate() {
        if u.reason.contains("ignores") || w.written.contains(&i) {
            continue;
        }
        w.loss(
            &format!("/unrecognized/{i}"),
            format!("`{}`", u.key),
            "kept verbatim from the source; convert it by hand",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_text_is_escaped_only_where_xml_needs_it() {
        // libvirt prints initenv text unescaped; lxconf matches it for `'`, `"` and `>`
        // and escapes `&` and `<`, so the document stays well-formed.
        let mut doc = Document::default();
        doc.container.name = Some("c".into());
        doc.container.init.command = vec!["/bin/sh".into()];
        doc.container.init.env.push(EnvVar {
            name: "MSG".into(),
            value: Some("a<b & \"it's\" > 0".into()),
        });
        let out = emit(&doc);
        assert!(
            out.xml
                .contains("<initenv name='MSG'>a&lt;b &amp; \"it's\" > 0</initenv>"),
            "{}",
            out.xml
        );
        assert_eq!(
            writable::xml_escape("a'b", true, true),
            Ok("a&apos;b".into())
        );
    }
}
