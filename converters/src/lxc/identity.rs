//! Root filesystem and init.

use super::*;

impl Emitter<'_> {
    pub(super) fn rootfs(&mut self) {
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

    pub(super) fn init(&mut self) {
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
}
