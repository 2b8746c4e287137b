//! Model → LXC config text (LXC 3.0+ keys, or 2.x keys with `legacy`).
//!
//! Only what differs from LXC's own defaults is written, so an LXC-derived model gives back
//! a config that loads into the same model. Whatever LXC cannot express is returned as a
//! coded loss diagnostic pointing at where the value came from.

use crate::fstab;
use crate::writable::{self, Unwritable};
use lxconf_model::lxc_key::{ExactKey as K, Family, Field, ROOTFS_BACKEND};
use lxconf_model::model::*;
use lxconf_model::values::{proc_key_problem, RESERVED_ID};
use lxconf_model::{pointer, Code, Diagnostic, Document, Namespace, Origin};
use std::fmt::Write;

/// Emitter options.
#[derive(Debug, Clone, Default)]
pub struct LxcOptions {
    /// Write LXC 2.x key names (`lxc.utsname`, `lxc.network.*`, ...).
    pub legacy: bool,
    /// Write resource limits as cgroup v1 keys (`lxc.cgroup.*`) instead of cgroup v2.
    pub cgroup_v1: bool,
}

/// The emitted text and what could not be expressed.
#[derive(Debug, Clone)]
pub struct LxcOutput {
    /// The config text.
    pub text: String,
    /// Loss and note diagnostics.
    pub losses: Vec<Diagnostic>,
    /// Every `(key, value)` written, in order: reading `text` back line by line must give
    /// exactly these (no value can add, drop or change a line).
    pub entries: Vec<(String, String)>,
}

struct Emitter<'a> {
    doc: &'a Document,
    opts: &'a LxcOptions,
    out: String,
    losses: Vec<Diagnostic>,
    entries: Vec<(String, String)>,
}

fn gateway(g: &Gateway) -> String {
    match g {
        Gateway::Auto => "auto".into(),
        Gateway::Dev => "dev".into(),
        Gateway::Address(a) => a.to_string(),
    }
}

fn lower(s: impl std::fmt::Debug) -> String {
    format!("{s:?}").to_lowercase()
}

impl<'a> Emitter<'a> {
    /// Write a line whose value the emitter composed (numbers, keywords, lists of names).
    /// It is checked all the same: nothing reaches the file unchecked.
    fn line(&mut self, key: &str, value: impl std::fmt::Display) {
        self.put(None, key, &value.to_string());
    }

    /// Write a line whose value comes from the model field at `pointer`.
    fn text(&mut self, pointer: &str, key: &str, value: &str) {
        self.put(Some(pointer), key, value);
    }

    /// Write a whitespace-separated list of words (liblxc splits the value on whitespace,
    /// so a word with a blank, or an empty one, would change the list).
    fn words(&mut self, pointer: &str, key: &str, words: &[String]) {
        for (i, w) in words.iter().enumerate() {
            if let Err(why) = writable::word(w) {
                return self.refuse(Some(&format!("{pointer}/{i}")), key, why);
            }
        }
        self.text(pointer, key, &words.join(" "));
    }

    /// The one place a line is written: a key or value LXC's line format cannot carry is
    /// refused with an error, never written.
    fn put(&mut self, pointer: Option<&str>, key: &str, value: &str) {
        let checked = writable::lxc_key(key).and_then(|()| writable::lxc_value(value));
        match checked {
            Ok(v) => {
                let _ = writeln!(self.out, "{key} = {v}");
                self.entries.push((key.to_string(), value.to_string()));
            }
            Err(why) => self.refuse(pointer, key, why),
        }
    }

    /// Report a value that cannot be written (an error: the output is not used).
    fn refuse(&mut self, pointer: Option<&str>, key: &str, why: Unwritable) {
        let key = key.escape_debug();
        let mut d = Diagnostic::new(Code::C103, format!("`{key}` cannot be written: {why}")).help(
            "LXC reads its config line by line and has no escapes: fix the value at its source",
        );
        if let Some(o) = pointer.and_then(|p| self.origin(p)) {
            d = d.at(o);
        }
        self.losses.push(d);
    }

    /// The name to write for `key`: its LXC 2.x name with `legacy`, when it had one.
    fn key(&self, key: K) -> &'static str {
        key.name_for(self.opts.legacy)
    }

    /// The line of a key the table maps to one model field, when the field is not at its
    /// default: (key, value, pointer of the value, or empty when the emitter composed it).
    fn field_line(&self, key: K) -> Option<(String, String, String)> {
        let field = key.field()?;
        let value = field.value(&self.doc.container)?;
        let pointer = match field {
            Field::Flag { .. } => String::new(),
            Field::Text { pointer, .. } => pointer.to_string(),
        };
        Some((self.key(key).to_string(), value, pointer))
    }

    /// Write a key the table maps to one model field, when the field is not at its default.
    fn field(&mut self, key: K) {
        match self.field_line(key) {
            Some((k, v, pointer)) if pointer.is_empty() => self.line(&k, v),
            Some((k, v, pointer)) => self.text(&pointer, &k, &v),
            None => {}
        }
    }

    fn origin(&self, pointer: &str) -> Option<Origin> {
        self.doc.origins.find(pointer)
    }

    fn loss(&mut self, pointer: &str, what: String, why: &str) {
        let mut d = Diagnostic::new(
            Code::C101,
            format!("{what} cannot be expressed in an LXC config"),
        )
        .help(why.to_string());
        if let Some(o) = self.origin(pointer) {
            d = d.at(o);
        }
        self.losses.push(d);
    }

    fn note(&mut self, pointer: &str, message: String, help: &str) {
        let mut d = Diagnostic::new(Code::C102, message).help(help.to_string());
        if let Some(o) = self.origin(pointer) {
            d = d.at(o);
        }
        self.losses.push(d);
    }

    fn section(&mut self, title: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        let _ = writeln!(self.out, "# {title}");
    }

    fn emit(&mut self) {
        let c = &self.doc.container;
        self.section("Identity");
        if let Some(h) = &c.hostname {
            let k = self.key(K::UtsName);
            self.text(pointer::HOSTNAME, k, h);
        }
        if let Some(a) = &c.arch {
            self.text(pointer::ARCH, K::Arch.name(), a);
        }
        if let Some(name) = &c.name {
            if c.hostname.as_deref() != Some(name) {
                self.note(
                    pointer::NAME,
                    format!("the container name `{name}` is not part of an LXC config"),
                    "LXC takes the name from the container's directory (/var/lib/lxc/NAME/config)",
                );
            }
        }
        for (pointer, what) in [
            (pointer::UUID, c.uuid.map(|u| format!("uuid {u}"))),
            (
                pointer::TITLE,
                c.title.as_ref().map(|t| format!("title `{t}`")),
            ),
            (
                pointer::DESCRIPTION,
                c.description
                    .as_ref()
                    .map(|_| "the description".to_string()),
            ),
        ] {
            if let Some(what) = what {
                self.loss(pointer, what, "LXC has no key for it");
            }
        }
        self.rootfs();
        self.init();
        self.mounts();
        self.dev_console();
        self.idmap();
        self.networks();
        self.capabilities();
        self.namespaces();
        self.resources();
        self.security();
        self.misc();
        self.unrecognized();
    }

    fn rootfs(&mut self) {
        let Some(r) = &self.doc.container.rootfs else {
            return;
        };
        self.section("Root filesystem");
        let path = match &r.backend {
            Some(b) if !self.opts.legacy => format!("{b}:{}", r.path),
            _ => r.path.clone(),
        };
        let k = self.key(K::RootfsPath);
        self.text(pointer::ROOTFS_PATH, k, &path);
        if let (true, Some(b)) = (self.opts.legacy, &r.backend) {
            self.text(pointer::ROOTFS_BACKEND, ROOTFS_BACKEND, b);
        }
        if !r.options.is_empty() {
            self.text(
                pointer::ROOTFS_OPTIONS,
                K::RootfsOptions.name(),
                &r.options.join(","),
            );
        }
        if let Some(m) = &r.mount {
            self.text(pointer::ROOTFS_MOUNT, K::RootfsMount.name(), m);
        }
        if !r.managed {
            self.line(K::RootfsManaged.name(), 0);
        }
        if r.readonly {
            // LXC has no read-only rootfs flag but takes `ro` among the rootfs options.
            if !r.options.iter().any(|o| o == "ro") {
                self.line(K::RootfsOptions.name(), "ro");
            }
        }
    }

    fn init(&mut self) {
        let c = &self.doc.container;
        let i = &c.init;
        self.section("Init");
        if i.command != Init::default().command {
            let k = self.key(K::InitCmd);
            self.words(pointer::INIT_COMMAND, k, &i.command);
        }
        if let Some(cmd) = &i.execute_command {
            self.words(pointer::INIT_EXECUTE_COMMAND, K::ExecuteCmd.name(), cmd);
        }
        for (id, key, pointer) in [
            (i.uid, K::InitUid, pointer::INIT_UID),
            (i.gid, K::InitGid, pointer::INIT_GID),
        ] {
            let k = self.key(key);
            if id == RESERVED_ID {
                // (uid_t)-1 means "unchanged" to setresuid: init would stay root.
                self.refuse(Some(pointer), k, Unwritable::ReservedId);
            } else if id != 0 {
                self.line(k, id);
            }
        }
        for (what, pointer, v) in [
            ("user name", pointer::INIT_USER_NAME, &i.user_name),
            ("group name", pointer::INIT_GROUP_NAME, &i.group_name),
        ] {
            if let Some(v) = v {
                self.loss(
                    pointer,
                    format!("the init {what} `{v}`"),
                    &format!(
                        "LXC takes numeric ids only ({}, {})",
                        K::InitUid,
                        K::InitGid
                    ),
                );
            }
        }
        if !i.groups.is_empty() {
            let g: Vec<String> = i.groups.iter().map(u32::to_string).collect();
            self.line(K::InitGroups.name(), g.join(","));
        }
        let default_cwd = c.rootfs.is_some().then_some("/");
        if i.cwd.as_deref() != default_cwd {
            match &i.cwd {
                Some(cwd) => self.text(pointer::INIT_CWD, K::InitCwd.name(), cwd),
                None => self.note(
                    pointer::INIT_CWD,
                    "init keeps the caller's working directory, which an LXC container with a rootfs cannot".into(),
                    "LXC starts init in `/` when there is a rootfs",
                ),
            }
        }
        // LXC appends container=lxc itself; everything else is written in order.
        let env = &i.env;
        let implicit = env
            .last()
            .is_some_and(|e| e.name == "container" && e.value.as_deref() == Some("lxc"));
        if !implicit && !env.iter().any(|e| e.name == "container") {
            self.note(
                pointer::INIT_ENV,
                "LXC sets `container=lxc` in init's environment, which this container did not have"
                    .into(),
                "programs that look at $container will see `lxc`",
            );
        }
        let n = env.len() - usize::from(implicit);
        for (idx, e) in env[..n].iter().enumerate() {
            if e.name == "container" {
                self.note(
                    &pointer::item(pointer::INIT_ENV, idx).to_string(),
                    format!(
                        "`container={}` is overridden by LXC, which sets container=lxc",
                        e.value.as_deref().unwrap_or("")
                    ),
                    "programs that look at $container will see `lxc`",
                );
            }
            let pointer = pointer::item(pointer::INIT_ENV, idx).to_string();
            let env = K::Environment.name();
            if let Err(why) = writable::env_name(&e.name) {
                self.refuse(Some(&pointer), env, why);
                continue;
            }
            match &e.value {
                Some(v) => self.text(&pointer, env, &format!("{}={v}", e.name)),
                None => self.text(&pointer, env, &e.name),
            }
        }
    }

    fn mounts(&mut self) {
        let c = &self.doc.container;
        let a = &c.auto_mounts;
        let mut tokens: Vec<String> = Vec::new();
        match a.proc {
            Some(ProcMode::Mixed) => tokens.push("proc:mixed".into()),
            Some(ProcMode::Rw) => tokens.push("proc:rw".into()),
            Some(ProcMode::Libvirt) => {
                tokens.push("proc:mixed".into());
                self.note(pointer::AUTO_MOUNTS_PROC, "libvirt's /proc layout becomes `proc:mixed`".into(), "both keep /proc/sys read-only; libvirt also overlays /proc/meminfo through FUSE");
            }
            None => {}
        }
        match a.sys {
            Some(SysMode::Mixed) => tokens.push("sys:mixed".into()),
            Some(SysMode::Ro) | Some(SysMode::Libvirt) => tokens.push("sys:ro".into()),
            Some(SysMode::Rw) => tokens.push("sys:rw".into()),
            None => {}
        }
        if let Some(cg) = &a.cgroup {
            let base = match cg.flavor {
                CgroupFlavor::Own => "cgroup",
                CgroupFlavor::Full => "cgroup-full",
                CgroupFlavor::V2 => "cgroup2",
            };
            let mode = match cg.mode {
                Some(CgroupMode::Mixed) => ":mixed",
                Some(CgroupMode::Ro) => ":ro",
                Some(CgroupMode::Rw) => ":rw",
                None => "",
            };
            tokens.push(format!(
                "{base}{mode}{}",
                if cg.force { ":force" } else { "" }
            ));
        }
        if let Some(sh) = &a.shmounts {
            let token = if sh.container == "/dev/.lxc-mounts" {
                format!("shmounts:{}", sh.host)
            } else {
                format!("shmounts:{}:{}", sh.host, sh.container)
            };
            match writable::word(&token) {
                Ok(_) => tokens.push(token),
                Err(why) => self.refuse(
                    Some(pointer::AUTO_MOUNTS_SHMOUNTS),
                    K::MountAuto.name(),
                    why,
                ),
            }
        }
        let nesting = c.security.apparmor_allow_nesting;
        let generated = |m: &Mount| {
            (nesting && (m.target == "/dev/.lxc/proc" || m.target == "/dev/.lxc/sys") && m.optional)
                || a.shmounts
                    .as_ref()
                    // The reader roots a relative container path (`shmounts:/run:x` → `/x`).
                    .is_some_and(|s| {
                        s.container.trim_start_matches('/') == m.target.trim_start_matches('/')
                            && s.host == m.source
                    })
        };
        let mounts: Vec<(usize, &Mount)> = c
            .mounts
            .iter()
            .enumerate()
            .filter(|(_, m)| !generated(m))
            .collect();
        if tokens.is_empty() && mounts.is_empty() {
            return;
        }
        self.section("Mounts");
        if !tokens.is_empty() {
            self.line(K::MountAuto.name(), tokens.join(" "));
        }
        for (i, m) in mounts {
            match fstab::line(m, c.rootfs.is_some()) {
                Ok(entry) => {
                    let at = pointer::item(pointer::MOUNTS, i).to_string();
                    self.text(&at, K::MountEntry.name(), &entry)
                }
                Err((field, why)) => self.refuse(
                    Some(&pointer::item_field(pointer::MOUNTS, i, &field)),
                    K::MountEntry.name(),
                    why,
                ),
            }
        }
    }

    fn dev_console(&mut self) {
        let c = &self.doc.container;
        let d = &c.dev;
        let def = Dev::default();
        let con = &c.console;
        let any = !d.autodev
            || d.tmpfs_size != def.tmpfs_size
            || d.ttys != 0
            || d.ptys != 0
            || d.tty_dir.is_some()
            || !con.enabled
            || con.path.is_some()
            || con.logfile.is_some()
            || con.rotate
            || con.buffer_size.is_some()
            || con.log_size.is_some();
        if !any {
            return;
        }
        self.section("Devices and console");
        if !d.autodev {
            self.line(K::Autodev.name(), 0);
        }
        if d.tmpfs_size != def.tmpfs_size {
            self.line(K::AutodevTmpfsSize.name(), d.tmpfs_size.0);
        }
        if d.ttys != 0 {
            let k = self.key(K::TtyMax);
            self.line(k, d.ttys);
        }
        if d.ptys != 0 {
            let k = self.key(K::PtyMax);
            self.line(k, d.ptys);
        }
        if let Some(t) = &d.tty_dir {
            let k = self.key(K::TtyDir);
            self.text(pointer::DEV_TTY_DIR, k, t);
        }
        let k = self.key(K::ConsolePath);
        if !con.enabled {
            self.line(k, "none");
        } else if let Some(p) = &con.path {
            self.text(pointer::CONSOLE_PATH, k, p);
        }
        if let Some(l) = &con.logfile {
            self.text(pointer::CONSOLE_LOGFILE, K::ConsoleLogfile.name(), l);
        }
        self.field(K::ConsoleRotate);
        if let Some(s) = con.buffer_size {
            self.line(K::ConsoleBufferSize.name(), s.0);
        }
        if let Some(s) = con.log_size {
            self.line(K::ConsoleSize.name(), s.0);
        }
    }

    fn idmap(&mut self) {
        let maps = &self.doc.container.idmap;
        if maps.is_empty() {
            return;
        }
        self.section("User namespace");
        let k = self.key(K::Idmap);
        for m in maps {
            self.line(k, m);
        }
    }

    fn networks(&mut self) {
        let nets = &self.doc.container.networks;
        if nets.is_empty() {
            return;
        }
        self.section("Network");
        for (i, n) in nets.iter().enumerate() {
            let pointer = pointer::item(pointer::NETWORKS, i).to_string();
            let p = if self.opts.legacy {
                // 2.x unindexed form: each `type` line starts the next interface.
                Family::Net.prefix_for(true).to_string()
            } else {
                Family::Net.key(n.index)
            };
            let key = |sub: &str| -> String {
                let sub = match (self_legacy(self.opts), sub) {
                    (true, "ipv4.address") => "ipv4",
                    (true, "ipv6.address") => "ipv6",
                    (_, s) => s,
                };
                format!("{p}.{sub}")
            };
            self.line(&key("type"), lower(n.kind));
            if let Some(l) = &n.link {
                self.text(&format!("{pointer}/link"), &key("link"), l);
            }
            if let Some(net) = &n.network {
                self.loss(
                    &pointer,
                    format!("libvirt network `{net}`"),
                    "LXC has no libvirt networks: attach the veth to the network's bridge with `link`",
                );
            }
            match (&n.name, n.kind) {
                (Some(name), NetKind::Empty) if name == "lo" => {}
                (Some(name), _) => self.text(&format!("{pointer}/name"), &key("name"), name),
                _ => {}
            }
            if let Some(h) = &n.hwaddr {
                self.line(&key("hwaddr"), h);
            }
            if let Some(m) = n.mtu {
                self.line(&key("mtu"), m);
            }
            if n.up {
                self.line(&key("flags"), "up");
            }
            for a in &n.ipv4 {
                let mut v = format!("{}/{}", a.address, a.prefix);
                if let Some(b) = a.broadcast {
                    let _ = write!(v, " {b}");
                }
                if a.peer.is_some() {
                    self.loss(
                        &pointer,
                        format!("the peer address of {}", a.address),
                        "LXC has no point-to-point peer setting",
                    );
                }
                self.line(&key("ipv4.address"), v);
            }
            if let Some(g) = &n.ipv4_gateway {
                self.line(&key("ipv4.gateway"), gateway(g));
            }
            for a in &n.ipv6 {
                self.line(&key("ipv6.address"), format!("{}/{}", a.address, a.prefix));
            }
            if let Some(g) = &n.ipv6_gateway {
                self.line(&key("ipv6.gateway"), gateway(g));
            }
            if !n.routes.is_empty() {
                self.loss(
                    &pointer,
                    format!("{} route(s) inside the container", n.routes.len()),
                    "LXC only sets the default gateway; add the routes from a start hook",
                );
            }
            if let Some(v) = &n.veth {
                if let Some(pair) = &v.pair {
                    self.text(&format!("{pointer}/veth/pair"), &key("veth.pair"), pair);
                }
                if v.mode != VethMode::Bridge {
                    self.line(&key("veth.mode"), lower(v.mode));
                }
                for r in &v.routes {
                    let k = if r.address.is_ipv6() {
                        "veth.ipv6.route"
                    } else {
                        "veth.ipv4.route"
                    };
                    self.line(&key(k), format!("{}/{}", r.address, r.prefix));
                }
                if let Some(id) = v.vlan_id {
                    self.line(&key("veth.vlan.id"), id);
                }
                for id in &v.vlan_tagged {
                    self.line(&key("veth.vlan.tagged.id"), id);
                }
                if let Some(q) = v.rx_queues {
                    self.line(&key("veth.n_rxqueues"), q);
                }
                if let Some(q) = v.tx_queues {
                    self.line(&key("veth.n_txqueues"), q);
                }
            }
            if let Some(m) = n.macvlan_mode.filter(|m| *m != MacvlanMode::Private) {
                self.line(&key("macvlan.mode"), lower(m));
            }
            if let Some(m) = n.ipvlan_mode.filter(|m| *m != IpvlanMode::L3) {
                self.line(&key("ipvlan.mode"), lower(m));
            }
            if let Some(m) = n.ipvlan_isolation.filter(|m| *m != IpvlanIsolation::Bridge) {
                self.line(&key("ipvlan.isolation"), lower(m));
            }
            if let Some(id) = n.vlan_id {
                self.line(&key("vlan.id"), id);
            }
            if n.l2proxy {
                self.line(&key("l2proxy"), 1);
            }
            if let Some(s) = &n.script_up {
                self.text(&format!("{pointer}/script_up"), &key("script.up"), s);
            }
            if let Some(s) = &n.script_down {
                self.text(&format!("{pointer}/script_down"), &key("script.down"), s);
            }
        }
    }

    fn capabilities(&mut self) {
        let caps = &self.doc.container.capabilities;
        let (key, list): (&str, Vec<String>) = match caps {
            Capabilities::Drop { caps } if caps.is_empty() => return,
            Capabilities::Drop { caps } => (
                K::CapDrop.name(),
                caps.iter().map(|c| c.name().to_string()).collect(),
            ),
            Capabilities::Keep { caps } if caps.is_empty() => {
                (K::CapKeep.name(), vec!["none".into()])
            }
            Capabilities::Keep { caps } => (
                K::CapKeep.name(),
                caps.iter().map(|c| c.name().to_string()).collect(),
            ),
            Capabilities::Policy { .. } => {
                let dropped = caps.dropped();
                if dropped.is_empty() {
                    return;
                }
                (
                    K::CapDrop.name(),
                    dropped.iter().map(|c| c.name().to_string()).collect(),
                )
            }
        };
        self.section("Capabilities");
        self.line(key, list.join(" "));
    }

    fn namespaces(&mut self) {
        let c = &self.doc.container;
        let default = c.lxc_default_namespaces();
        if c.namespaces.clone == default && c.namespaces.share.is_empty() {
            return;
        }
        self.section("Namespaces");
        if c.namespaces.clone != default {
            let names: Vec<&str> = c.namespaces.clone.iter().map(|n| n.name()).collect();
            if names.is_empty() {
                self.note(
                    pointer::NAMESPACES_CLONE,
                    "the container creates no namespace".into(),
                    &format!(
                        "LXC needs at least one namespace in {}; keep is used instead",
                        K::NamespaceClone
                    ),
                );
                let all: Vec<&str> = Namespace::ALL
                    .iter()
                    .filter(|n| !c.namespaces.share.contains_key(n))
                    .map(|n| n.name())
                    .collect();
                self.line(K::NamespaceKeep.name(), all.join(" "));
            } else {
                self.line(K::NamespaceClone.name(), names.join(" "));
            }
        }
        for (ns, target) in &c.namespaces.share {
            // LXC reads an absolute path as a container's directory, never as a
            // namespace file: an `ip netns` name (libvirt's sharenet type='netns') is lost.
            if target.starts_with("/run/netns/") || target.starts_with("/var/run/netns/") {
                self.loss(
                    &pointer::entry(pointer::NAMESPACES_SHARE, ns.name()),
                    format!("joining the network namespace `{target}`"),
                    "LXC shares namespaces of containers or processes only; start a process in that netns and share its pid",
                );
                continue;
            }
            let pointer = pointer::entry(pointer::NAMESPACES_SHARE, ns.name());
            self.text(&pointer, &Family::NamespaceShare.key(ns.name()), target);
        }
    }

    fn cg(&mut self, v2_key: Option<&str>, v1_key: Option<&str>, value: String) {
        let prefer_v1 = self.opts.cgroup_v1;
        match (prefer_v1, v1_key, v2_key) {
            (true, Some(k), _) | (false, Some(k), None) => {
                self.line(&Family::Cgroup1.key(k), value)
            }
            (_, _, Some(k)) => self.line(&Family::Cgroup2.key(k), value),
            (_, None, None) => {}
        }
    }

    fn resources(&mut self) {
        let c = &self.doc.container;
        let r = &c.resources;
        if *r == Resources::default() && c.device_rules.is_empty() {
            return;
        }
        self.section("Resources");
        if let Some(m) = r.memory_limit {
            self.cg(
                Some("memory.max"),
                Some("memory.limit_in_bytes"),
                m.0.to_string(),
            );
        }
        if let Some(m) = r.memory_soft_limit {
            self.cg(
                Some("memory.high"),
                Some("memory.soft_limit_in_bytes"),
                m.0.to_string(),
            );
        }
        if let Some(m) = r.memory_swap_limit {
            // v1 only: v2 limits swap alone. On v2 write swap = total - memory when known.
            match (self.opts.cgroup_v1, r.memory_limit) {
                (false, Some(mem)) if r.swap_limit.is_none() => {
                    self.cg(
                        Some("memory.swap.max"),
                        None,
                        m.0.saturating_sub(mem.0).to_string(),
                    );
                    self.note(
                        pointer::RESOURCES_MEMORY_SWAP_LIMIT,
                        "the memory+swap limit becomes a swap-only limit (cgroup v2)".into(),
                        "memory.swap.max = memory+swap limit - memory limit",
                    );
                }
                _ => self.line(&Family::Cgroup1.key("memory.memsw.limit_in_bytes"), m.0),
            }
        }
        if let Some(m) = r.swap_limit {
            self.line(&Family::Cgroup2.key("memory.swap.max"), m.0);
        }
        if let Some(m) = r.memory_min {
            self.line(&Family::Cgroup2.key("memory.min"), m.0);
        }
        if let Some(s) = r.cpu_shares {
            self.line(&Family::Cgroup1.key("cpu.shares"), s);
        }
        if let Some(w) = r.cpu_weight {
            self.line(&Family::Cgroup2.key("cpu.weight"), w);
        }
        match (r.cpu_quota_us, r.cpu_period_us, self.opts.cgroup_v1) {
            (None, None, _) => {}
            (q, p, true) => {
                if let Some(q) = q {
                    self.line(&Family::Cgroup1.key("cpu.cfs_quota_us"), q);
                }
                if let Some(p) = p {
                    self.line(&Family::Cgroup1.key("cpu.cfs_period_us"), p);
                }
            }
            (q, p, false) => {
                let quota = match q {
                    Some(q) if q >= 0 => q.to_string(),
                    _ => "max".into(),
                };
                let key = Family::Cgroup2.key("cpu.max");
                match p {
                    Some(p) => self.line(&key, format!("{quota} {p}")),
                    None => self.line(&key, quota),
                }
            }
        }
        if let Some(s) = &r.cpuset_cpus {
            self.cg(Some("cpuset.cpus"), Some("cpuset.cpus"), s.to_string());
        }
        if let Some(s) = &r.cpuset_mems {
            self.cg(Some("cpuset.mems"), Some("cpuset.mems"), s.to_string());
        }
        if let Some(w) = r.blkio_weight {
            if self.opts.cgroup_v1 {
                self.line(&Family::Cgroup1.key("blkio.weight"), w);
            } else {
                self.line(&Family::Cgroup2.key("io.weight"), format!("default {w}"));
            }
        }
        for (i, d) in r.blkio_devices.iter().enumerate() {
            if !d.device.contains(':') || d.device.starts_with('/') {
                self.loss(&pointer::item(pointer::RESOURCES_BLKIO_DEVICES, i).to_string(), format!("block-io settings for device `{}`", d.device), "LXC needs MAJOR:MINOR device numbers; look them up with `ls -l` on the target host");
                continue;
            }
            if self.opts.cgroup_v1 {
                for (k, v) in [
                    ("blkio.weight_device", d.weight.map(u64::from)),
                    ("blkio.throttle.read_bps_device", d.read_bps),
                    ("blkio.throttle.write_bps_device", d.write_bps),
                    ("blkio.throttle.read_iops_device", d.read_iops),
                    ("blkio.throttle.write_iops_device", d.write_iops),
                ] {
                    if let Some(v) = v {
                        self.line(&Family::Cgroup1.key(k), format!("{} {v}", d.device));
                    }
                }
            } else {
                if d.weight.is_some() {
                    self.loss(&pointer::item(pointer::RESOURCES_BLKIO_DEVICES, i).to_string(), format!("the block-io weight of device `{}`", d.device), "cgroup v2's io.weight takes per-device weights only with the BFQ scheduler; set it with --cgroup-v1 or by hand");
                }
                let mut parts = Vec::new();
                for (k, v) in [
                    ("rbps", d.read_bps),
                    ("wbps", d.write_bps),
                    ("riops", d.read_iops),
                    ("wiops", d.write_iops),
                ] {
                    if let Some(v) = v {
                        parts.push(format!("{k}={v}"));
                    }
                }
                if !parts.is_empty() {
                    self.line(
                        &Family::Cgroup2.key("io.max"),
                        format!("{} {}", d.device, parts.join(" ")),
                    );
                }
            }
        }
        if let Some(p) = r.pids_max {
            self.cg(Some("pids.max"), Some("pids.max"), p.to_string());
        }
        for d in &c.device_rules {
            let kind = match d.kind {
                DeviceType::All => "a",
                DeviceType::Block => "b",
                DeviceType::Char => "c",
            };
            let num = |n: Option<u32>| n.map_or("*".to_string(), |n| n.to_string());
            let value = if d.kind == DeviceType::All
                && d.major.is_none()
                && d.minor.is_none()
                && d.access == "rwm"
            {
                "a".to_string()
            } else {
                format!("{kind} {}:{} {}", num(d.major), num(d.minor), d.access)
            };
            let file = if d.allow {
                "devices.allow"
            } else {
                "devices.deny"
            };
            self.cg(Some(file), Some(file), value);
        }
        for (i, s) in r.cgroup.iter().enumerate() {
            let family = match s.version {
                CgroupVersion::V1 => Family::Cgroup1,
                CgroupVersion::V2 => Family::Cgroup2,
            };
            let pointer = pointer::item(pointer::RESOURCES_CGROUP, i).to_string();
            self.text(&pointer, &family.key(&s.key), &s.value);
        }
    }

    fn security(&mut self) {
        let s = &self.doc.container.security;
        if *s == Security::default() && !self.doc.container.no_new_privs {
            return;
        }
        self.section("Security");
        self.field(K::ApparmorProfile);
        self.field(K::ApparmorAllowIncomplete);
        self.field(K::ApparmorAllowNesting);
        for (i, r) in s.apparmor_raw.iter().enumerate() {
            let at = pointer::item(pointer::SECURITY_APPARMOR_RAW, i).to_string();
            self.text(&at, K::ApparmorRaw.name(), r);
        }
        self.field(K::SelinuxContext);
        self.field(K::SelinuxContextKeyring);
        self.field(K::SeccompProfile);
        self.field(K::SeccompAllowNesting);
        if let Some(x) = &s.seccomp_notify_proxy {
            let at = pointer::SECURITY_SECCOMP_NOTIFY_PROXY;
            self.text(at, K::SeccompNotifyProxy.name(), x);
        }
        self.field(K::SeccompNotifyCookie);
        for (i, _) in s.seclabels.iter().enumerate() {
            self.loss(
                &pointer::item(pointer::SECURITY_SECLABELS, i).to_string(),
                "a libvirt <seclabel>".into(),
                &format!("use {} or {}", K::ApparmorProfile, K::SelinuxContext),
            );
        }
        self.field(K::NoNewPrivs);
    }

    fn misc(&mut self) {
        let c = &self.doc.container;
        // (key, value, pointer of the value: empty when the emitter composed it)
        let mut lines: Vec<(String, String, String)> = Vec::new();
        for (i, h) in c.hooks.hooks.iter().enumerate() {
            let k = Family::Hook.key(h.kind.name());
            let at = pointer::item(pointer::HOOK_LIST, i).to_string();
            lines.push((k, h.command.clone(), at));
        }
        if c.hooks.version != 0 {
            lines.push((
                K::HookVersion.name().into(),
                c.hooks.version.to_string(),
                String::new(),
            ));
        }
        for (i, p) in c.prlimits.iter().enumerate() {
            let k = Family::Prlimit.prefix_for(self.opts.legacy);
            let v = if p.soft == p.hard {
                p.soft.to_string()
            } else {
                format!("{}:{}", p.soft, p.hard)
            };
            let at = pointer::item(pointer::PRLIMITS, i).to_string();
            lines.push((format!("{k}.{}", p.resource), v, at));
        }
        for (i, s) in c.sysctls.iter().enumerate() {
            let at = pointer::item(pointer::SYSCTLS, i).to_string();
            lines.push((Family::Sysctl.key(&s.key), s.value.clone(), at));
        }
        for (i, s) in c.proc.iter().enumerate() {
            let at = pointer::item(pointer::PROC, i).to_string();
            lines.push((Family::Proc.key(&s.key), s.value.clone(), at));
        }
        let a = &c.autostart;
        lines.extend(self.field_line(K::StartAuto));
        if a.delay_s != 0 {
            lines.push((
                K::StartDelay.name().into(),
                a.delay_s.to_string(),
                String::new(),
            ));
        }
        if a.order != 0 {
            lines.push((
                K::StartOrder.name().into(),
                a.order.to_string(),
                String::new(),
            ));
        }
        if !a.groups.is_empty() {
            let joined = a.groups.join(" ");
            lines.push((
                K::Group.name().into(),
                joined,
                pointer::AUTOSTART_GROUPS.into(),
            ));
        }
        let d = Signals::default();
        let s = &c.signals;
        for (key, v, def) in [
            (K::SignalHalt, s.halt, d.halt),
            (K::SignalReboot, s.reboot, d.reboot),
            (K::SignalStop, s.stop, d.stop),
            (K::MonitorSignalPdeath, s.monitor_pdeath, d.monitor_pdeath),
        ] {
            if v != def {
                lines.push((self.key(key).into(), v.to_string(), String::new()));
            }
        }
        let l = &c.logging;
        if l.level != Logging::default().level {
            lines.push((
                self.key(K::LogLevel).into(),
                format!("{:?}", l.level).to_uppercase(),
                String::new(),
            ));
        }
        if let Some(f) = &l.file {
            lines.push((
                self.key(K::LogFile).into(),
                f.clone(),
                pointer::LOGGING_FILE.into(),
            ));
        }
        if let Some(f) = &l.syslog {
            lines.push((
                self.key(K::LogSyslog).into(),
                f.clone(),
                pointer::LOGGING_SYSLOG.into(),
            ));
        }
        let t = &c.time_offsets;
        for (k, ns) in [
            (K::TimeOffsetBoot.name(), t.boot_ns),
            (K::TimeOffsetMonotonic.name(), t.monotonic_ns),
        ] {
            if ns != 0 {
                let v = if ns % 1_000_000_000 == 0 {
                    format!("{}s", ns / 1_000_000_000)
                } else {
                    format!("{ns}ns")
                };
                lines.push((k.into(), v, String::new()));
            }
        }
        let x = &c.lxc;
        for key in [K::Ephemeral, K::KeyringSession, K::SchedCore] {
            lines.extend(self.field_line(key));
        }
        if x.monitor_unshare {
            lines.push((K::MonitorUnshare.name().into(), "1".into(), String::new()));
        }
        for (k, v) in &x.cgroup_dirs {
            let at = pointer::entry(pointer::LXC_CGROUP_DIRS, k);
            lines.push((Family::Cgroup1.key(k), v.clone(), at));
        }
        if lines.is_empty() {
            return;
        }
        self.section("Other settings");
        for (k, v, pointer) in lines {
            let proc_key = k
                .strip_prefix(Family::Proc.prefix())
                .and_then(|p| p.strip_prefix('.'));
            if let Some(why) = proc_key.and_then(proc_key_problem) {
                self.refuse(Some(&pointer), &k, Unwritable::ProcKey(why));
            } else if k == K::Group.name() {
                self.words(&pointer, &k, &a.groups);
            } else if pointer.is_empty() {
                self.line(&k, v);
            } else {
                self.text(&pointer, &k, &v);
            }
        }
        if !c.host_devices.is_empty() {
            let help = format!(
                "bind-mount the device node with {} and allow it with {}",
                K::MountEntry,
                Family::Cgroup2.key("devices.allow")
            );
            self.loss(
                pointer::HOST_DEVICES,
                format!("{} host device(s)", c.host_devices.len()),
                &help,
            );
        }
        if let Some(lv) = &c.libvirt {
            if *lv != LibvirtSettings::default() {
                self.note(pointer::LIBVIRT, "libvirt-only settings (memory size, vcpus, emulator, lifecycle) are not written".into(), "they have no LXC equivalent; resource limits are converted separately");
            }
        }
    }

    fn unrecognized(&mut self) {
        let items: Vec<(usize, Unrecognized)> = self
            .doc
            .container
            .unrecognized
            .iter()
            .cloned()
            .enumerate()
            .collect();
        for (i, u) in items {
            let pointer = pointer::item(pointer::UNRECOGNIZED, i).to_string();
            // Only lines lxconf's LXC reader kept: a model document's entries could hold
            // any key (KeptByReader).
            if u.format == "lxc" && u.reason == "not typed by the model" && u.kept_by_reader.0 {
                self.text(&pointer, &u.key, &u.value);
            } else {
                self.loss(
                    &pointer,
                    format!("`{}` ({})", u.key, u.reason),
                    "kept verbatim from the source; convert it by hand",
                );
            }
        }
    }
}

fn self_legacy(o: &LxcOptions) -> bool {
    o.legacy
}

/// Write a model as an LXC config.
pub fn emit(doc: &Document, opts: &LxcOptions) -> LxcOutput {
    let mut e = Emitter {
        doc,
        opts,
        out: String::new(),
        losses: Vec::new(),
        entries: Vec::new(),
    };
    e.emit();
    // Sections without lines leave only their title: drop those.
    let mut text = String::new();
    let blocks: Vec<&str> = e.out.split("\n\n").collect();
    for b in blocks {
        if b.lines()
            .any(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(b.trim_end_matches('\n'));
            text.push('\n');
        }
    }
    LxcOutput {
        text,
        losses: e.losses,
        entries: e.entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_shmounts_path_is_not_written_twice() {
        // Found by the writers fuzz target: `shmounts:/run/:x` generates a mount on `/x`,
        // which was written again as an lxc.mount.entry.
        let mut doc = Document::default();
        let c = &mut doc.container;
        c.auto_mounts.shmounts = Some(Shmounts {
            host: "/run/".into(),
            container: "x".into(),
        });
        c.mounts.push(Mount {
            source: "/run/".into(),
            target: "/x".into(),
            fstype: "none".into(),
            options: vec![],
            readonly: false,
            bind: BindKind::Bind,
            size: None,
            optional: false,
            create: Some(CreateKind::Dir),
            relative: false,
            dump: 0,
            pass: 0,
        });
        let out = emit(&doc, &LxcOptions::default());
        assert!(!out.text.contains("lxc.mount.entry"), "{}", out.text);
    }

    #[test]
    fn a_model_without_container_lxc_gets_a_note() {
        // Found by the model fuzz target: LXC always sets container=lxc for init.
        let doc = Document::default();
        let out = emit(&doc, &LxcOptions::default());
        assert!(
            out.losses
                .iter()
                .any(|d| d.code == Code::C102 && d.message.contains("container=lxc")),
            "{:?}",
            out.losses
        );
        let mut lxc_like = Document::default();
        lxc_like.container.init.env.push(EnvVar {
            name: "container".into(),
            value: Some("lxc".into()),
        });
        assert!(emit(&lxc_like, &LxcOptions::default()).losses.is_empty());
    }
}
