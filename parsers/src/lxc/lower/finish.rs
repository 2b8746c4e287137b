use super::*;

impl Lowerer<'_> {
    pub(super) fn finish(mut self) -> Loaded {
        self.finish_rootfs_and_process();
        self.finish_networks();
        self.finish_prlimits();
        self.finish_mounts();
        self.finish_cgroup_automount();
        self.lower_cgroups();
        self.finish_namespaces_and_name();
        self.finish_seccomp();
        Loaded {
            document: Document {
                container: self.c,
                origins: self.origins,
            },
            sources: self.sources,
            diagnostics: self.diags,
        }
    }

    /// Root filesystem, working directory, LXC's own environment entry, console, capabilities.
    fn finish_rootfs_and_process(&mut self) {
        // Root filesystem.
        if let Some((path, backend, origin)) = self.rootfs_path.take() {
            let backend =
                backend.or_else(|| self.rootfs_backend_legacy.as_ref().map(|(b, _)| b.clone()));
            self.c.rootfs = Some(Rootfs {
                path,
                backend,
                options: std::mem::take(&mut self.rootfs_options),
                readonly: false,
                mount: self.rootfs_mount.take(),
                managed: self.rootfs_managed,
            });
            self.origins.record(pointer::ROOTFS, origin);
        }
        if self.c.rootfs.is_some() && self.c.init.cwd.is_none() {
            self.c.init.cwd = Some("/".into());
        }
        // Environment: LXC appends container=lxc after the configured entries.
        self.c.init.env.push(EnvVar {
            name: "container".into(),
            value: Some("lxc".into()),
        });
        // Console.
        self.c.console.enabled = !self.console_none;
        // Capabilities.
        self.c.capabilities = if self.caps.keep_mode {
            Capabilities::Keep {
                caps: self.caps.keep.iter().copied().collect(),
            }
        } else {
            Capabilities::Drop {
                caps: self.caps.drop.iter().copied().collect(),
            }
        };
    }

    /// Networks, sorted by index (liblxc keeps them sorted).
    fn finish_networks(&mut self) {
        let nets = std::mem::take(&mut self.nets);
        for (n, state) in nets {
            if !state.typed {
                self.diag(
                    Diagnostic::new(Code::L008, format!("network {n} has no `type`"))
                        .severity(Severity::Warning)
                        .at(state.origin)
                        .help(format!("add `{} = veth` (or another type) before its other keys; LXC fails to start a network without a type", keys::family::net_key(n, "type", false))),
                );
                self.c.unrecognized.push(Unrecognized {
                    format: "lxc".into(),
                    key: keys::Family::Net.key(n),
                    value: String::new(),
                    reason: "network without a type".into(),
                    kept_by_reader: KeptByReader(true),
                });
                continue;
            }
            let i = self.c.networks.len();
            self.c.networks.push(state.net);
            self.origins
                .record(pointer::item(pointer::NETWORKS, i), state.origin);
        }
        if let (Some(a), Some(b)) = (self.legacy_net_indexed, self.legacy_net_unindexed) {
            self.diag(
                Diagnostic::new(
                    Code::L019,
                    format!("indexed and unindexed `{}` keys are mixed; the interface numbering is ambiguous", Family::Net.legacy_prefix().unwrap_or_default()),
                )
                .at(b)
                .also(a, "indexed key here")
                .help(format!("use `{}` keys with explicit indices throughout", keys::family::net_key("N", "*", false))),
            );
        }
    }

    /// Prlimits, in order.
    fn finish_prlimits(&mut self) {
        for (i, (p, o)) in std::mem::take(&mut self.prlimits).into_iter().enumerate() {
            self.origins.record(pointer::item(pointer::PRLIMITS, i), o);
            self.c.prlimits.push(p);
        }
    }

    /// Mounts: fstab file first, then lxc.mount.entry lines, in order (LXC's order).
    fn finish_mounts(&mut self) {
        self.c.auto_mounts = std::mem::take(&mut self.auto);
        let mut mounts: Vec<(Mount, Origin)> = Vec::new();
        if let Some((path, origin)) = self.fstab.take() {
            mounts.extend(self.read_fstab(&path, origin));
        }
        mounts.extend(std::mem::take(&mut self.mount_entries));
        if let Some(sh) = &self.c.auto_mounts.shmounts {
            let origin = self.auto_origin.unwrap_or(Origin::new(SourceId(0), 0..0));
            mounts.push((
                Mount {
                    create: Some(CreateKind::Dir),
                    ..Mount::new(sh.host.clone(), sh.container.clone(), "none")
                },
                origin,
            ));
        }
        for (mut m, origin) in mounts {
            match self.normalize_target(&m.target) {
                Some(t) => {
                    m.target = t;
                    let i = self.c.mounts.len();
                    self.c.mounts.push(m);
                    self.origins
                        .record(pointer::item(pointer::MOUNTS, i), origin);
                }
                None => {
                    let rootfs = self
                        .c
                        .rootfs
                        .as_ref()
                        .map(|r| r.path.clone())
                        .unwrap_or_default();
                    self.diag(
                        Diagnostic::new(
                            Code::L010,
                            format!("LXC ignores the mount on `{}`: an absolute target must lie under the rootfs", m.target),
                        )
                        .at(origin)
                        .help(format!(
                            "write the target relative to the container's root (`{}`), or under the rootfs path `{rootfs}`",
                            m.target.trim_start_matches('/')
                        )),
                    );
                    self.c.unrecognized.push(Unrecognized {
                        format: "lxc".into(),
                        key: K::MountEntry.name().into(),
                        value: format!("{} {} {}", m.source, m.target, m.fstype),
                        reason: "absolute target outside the rootfs: LXC ignores it".into(),
                        kept_by_reader: KeptByReader(true),
                    });
                }
            }
        }
        if self.c.security.apparmor_allow_nesting {
            // The mounts liblxc adds for nesting come from the `allow_nesting` line: a
            // finding about them (a second mount on the same target) points there.
            let origin = self.origins.get(pointer::SECURITY_APPARMOR_ALLOW_NESTING);
            for (src, target) in [("proc", "/dev/.lxc/proc"), ("sys", "/dev/.lxc/sys")] {
                let fstype = if src == "proc" { "proc" } else { "sysfs" };
                if let Some(o) = origin {
                    self.origins
                        .record(pointer::item(pointer::MOUNTS, self.c.mounts.len()), o);
                }
                self.c.mounts.push(Mount {
                    optional: true,
                    create: Some(CreateKind::Dir),
                    ..Mount::new(src, target, fstype)
                });
            }
        }
    }

    /// The cgroup automount as liblxc resolves it when it mounts (`lxc_mount_auto_mounts`,
    /// `cgfsng_mount`): `cgroup`/`cgroup-full` without a mode is `rw` when the container
    /// keeps CAP_SYS_ADMIN and `mixed` otherwise, and without CAP_SYS_ADMIN the mount is
    /// forced. Written out, `cgroup` and `cgroup:rw` are the same model when they mean the
    /// same mount.
    fn finish_cgroup_automount(&mut self) {
        let sys_admin = Cap::from_name("sys_admin")
            .is_some_and(|cap| !self.c.capabilities.dropped().contains(&cap));
        let Some(cg) = &mut self.c.auto_mounts.cgroup else {
            return;
        };
        if cg.flavor == CgroupFlavor::V2 {
            return;
        }
        cg.mode.get_or_insert(if sys_admin {
            CgroupMode::Rw
        } else {
            CgroupMode::Mixed
        });
        cg.force |= !sys_admin;
    }

    /// Namespaces, and the name from the container directory (`.../NAME/config`).
    fn finish_namespaces_and_name(&mut self) {
        let mut clone: BTreeSet<Namespace> = match (&self.ns_clone, &self.ns_keep) {
            (Some((set, _)), _) => set.clone(),
            (None, Some((keep, _))) => Namespace::ALL
                .into_iter()
                .filter(|n| !keep.contains(n))
                .collect(),
            (None, None) => self.c.lxc_default_namespaces(),
        };
        for ns in self.c.namespaces.share.keys() {
            clone.remove(ns);
        }
        // No network in a new network namespace: liblxc leaves it with only `lo`, down,
        // which is what `type = empty` without `flags = up` says; written out, the two
        // spellings are one model.
        if self.c.networks.is_empty() && clone.contains(&Namespace::Net) {
            let mut lo = Network::new(0, NetKind::Empty);
            lo.name = Some("lo".into());
            self.c.networks.push(lo);
        }
        self.c.namespaces.clone = clone;
        // Name: from the container directory (`.../NAME/config`).
        if self.c.name.is_none() {
            let top = Path::new(&self.sources.get(SourceId(0)).name);
            if top.file_name().and_then(|n| n.to_str()) == Some("config") {
                self.c.name = top
                    .parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str())
                    .map(String::from);
            }
        }
    }

    /// Where LXC mounts a target: relative targets are under the container's root; an
    /// absolute one is used only if it contains the rootfs path (then re-rooted), otherwise
    /// LXC ignores it (None). Without a rootfs every target is a host path.
    pub(super) fn normalize_target(&self, target: &str) -> Option<String> {
        let rooted = |t: &str| {
            let mut p = String::with_capacity(t.len() + 1);
            p.push('/');
            p.push_str(t.trim_start_matches('/'));
            simplify_path(&p)
        };
        let Some(rootfs) = &self.c.rootfs else {
            return Some(rooted(target));
        };
        if !target.starts_with('/') {
            return Some(rooted(target));
        }
        let simplified = simplify_path(target);
        let root = &rootfs.path;
        if let Some(i) = simplified.find(root.as_str()).filter(|_| !root.is_empty()) {
            let rest = &simplified[i + root.len()..];
            return Some(if rest.is_empty() {
                "/".to_string()
            } else {
                simplify_path(rest)
            });
        }
        None
    }
}
