//! Mounts, /dev and the console.

use super::*;

impl Emitter<'_> {
    pub(super) fn mounts(&mut self) {
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
        if let Some(cg) = a.cgroup {
            let token = self.cgroup_token(cg);
            tokens.push(token);
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

    pub(super) fn dev_console(&mut self) {
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
        self.field(K::TtyMax);
        self.field(K::PtyMax);
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
        self.field(K::ConsoleLogfile);
        self.field(K::ConsoleRotate);
        if let Some(s) = con.buffer_size {
            self.line(K::ConsoleBufferSize.name(), s.0);
        }
        if let Some(s) = con.log_size {
            self.line(K::ConsoleSize.name(), s.0);
        }
    }

    /// The `lxc.mount.auto` token of a cgroup automount, leaving out what liblxc implies:
    /// the mode it derives from CAP_SYS_ADMIN (rw when kept, mixed otherwise), `:force`
    /// without CAP_SYS_ADMIN, and `:force` on cgroup2 (always forced).
    fn cgroup_token(&mut self, cg: CgroupAuto) -> String {
        let sys_admin = Cap::from_name("sys_admin")
            .is_some_and(|cap| !self.doc.container.capabilities.dropped().contains(&cap));
        if cg.flavor == CgroupFlavor::V2 {
            if !cg.force {
                self.note(
                    pointer::AUTO_MOUNTS_CGROUP,
                    "LXC always forces a cgroup2 automount, even inside a cgroup namespace".into(),
                    "the container gets /sys/fs/cgroup mounted by LXC, not by its init",
                );
            }
            return match cg.mode {
                Some(CgroupMode::Ro) => "cgroup2:ro".into(),
                Some(CgroupMode::Mixed) => {
                    self.note(
                        pointer::AUTO_MOUNTS_CGROUP,
                        "a mixed cgroup2 automount becomes read-write".into(),
                        "LXC's cgroup2 automount is read-write or read-only",
                    );
                    "cgroup2".into()
                }
                Some(CgroupMode::Rw) | None => "cgroup2".into(),
            };
        }
        let base = if cg.flavor == CgroupFlavor::Own {
            "cgroup"
        } else {
            "cgroup-full"
        };
        let implied = if sys_admin {
            CgroupMode::Rw
        } else {
            CgroupMode::Mixed
        };
        let mode = match cg.mode {
            Some(m) if m == implied => "",
            None => "",
            Some(CgroupMode::Mixed) => ":mixed",
            Some(CgroupMode::Ro) => ":ro",
            Some(CgroupMode::Rw) => ":rw",
        };
        let force = if cg.force && sys_admin { ":force" } else { "" };
        format!("{base}{mode}{force}")
    }
}
