use super::*;
use lxconf_model::lxc_key::Field;

impl Lowerer<'_> {
    pub(super) fn apply_exact(&mut self, key: K, key_origin: Origin, v: Value<'_>) {
        if let Some(field) = key.field() {
            return self.apply_field(field, v);
        }
        match key {
            K::UtsName
            | K::Arch
            | K::Autodev
            | K::CgroupRelative
            | K::RootfsManaged
            | K::MonitorUnshare
            | K::TimeOffsetBoot
            | K::TimeOffsetMonotonic
            | K::HookVersion => self.apply_identity(key, v),
            K::Group
            | K::StartDelay
            | K::StartOrder
            | K::MonitorSignalPdeath
            | K::SignalHalt
            | K::SignalReboot
            | K::SignalStop => self.apply_autostart_and_signals(key, v),
            K::InitCmd
            | K::ExecuteCmd
            | K::InitUid
            | K::InitGid
            | K::InitGroups
            | K::InitCwd
            | K::Environment => self.apply_init(key, v),
            K::ConsolePath
            | K::ConsoleSize
            | K::ConsoleBufferSize
            | K::TtyDir
            | K::LogLevel
            | K::LogSyslog
            | K::AutodevTmpfsSize => self.apply_console(key, v),
            K::RootfsPath | K::RootfsMount | K::RootfsOptions | K::MountEntry | K::MountFstab => {
                self.apply_rootfs_and_mounts(key, v)
            }
            K::ApparmorRaw
            | K::SeccompNotifyProxy
            | K::CgroupDir
            | K::CgroupDirContainer
            | K::CgroupDirMonitor
            | K::CgroupDirMonitorPivot
            | K::CgroupDirContainerInner => self.apply_security(key, v),
            K::Include => self.include(v),
            K::MountAuto => self.mount_auto(v),
            K::CapDrop | K::CapKeep => self.caps(key == K::CapKeep, v),
            K::NamespaceClone | K::NamespaceKeep => self.namespaces(key.name(), v),
            K::Idmap => self.idmap(v),
            _ => self.keep_untyped(key, key_origin, v),
        }
    }

    /// A key that sets one model field through the key table's accessor.
    fn apply_field(&mut self, field: Field, v: Value<'_>) {
        match field {
            Field::Flag { pointer, set, .. } => self.set_bool(v, set, pointer),
            Field::Count { pointer, set, .. } => {
                let n = if v.text.is_empty() {
                    Some(0)
                } else {
                    self.uint(v)
                };
                if let Some(n) = n {
                    set(&mut self.c, n);
                    self.origins.record(pointer, v.origin);
                }
            }
            Field::Path { pointer, set, .. } => {
                set(
                    &mut self.c,
                    (!v.text.is_empty()).then(|| simplify_path(v.text)),
                );
                self.origins.record(pointer, v.origin);
            }
            Field::Text { pointer, set, .. } => {
                let value = self.set_string(pointer, v);
                set(&mut self.c, value);
            }
        }
    }

    /// Keys of identity and switches.
    fn apply_identity(&mut self, key: K, v: Value<'_>) {
        let key_name = key.name();
        let empty = v.text.is_empty();
        let t = v.text;
        match key {
            K::UtsName => {
                if t.len() > 64 {
                    self.invalid(
                        v,
                        format!("hostname is {} bytes long; the limit is 64", t.len()),
                        "use a hostname of at most 64 bytes",
                    );
                } else {
                    self.c.hostname = self.set_string(pointer::HOSTNAME, v);
                }
            }
            K::Arch => {
                if empty {
                    self.invalid(
                        v,
                        format!("`{key}` needs a value"),
                        "remove the line, or name an architecture such as `x86_64`",
                    );
                } else if ARCHES.contains(&t) {
                    // lxc.arch only selects a personality: liblxc keeps 32 or 64 bit and
                    // reports it as i686 or x86_64, whatever name was written.
                    let personality = if ARCHES_32.contains(&t) {
                        "i686"
                    } else {
                        "x86_64"
                    };
                    self.c.arch = Some(personality.to_string());
                    self.origins.record(pointer::ARCH, v.origin);
                } else {
                    let later = ["x32", "loongarch64", "loong64"];
                    let help = if later.contains(&t) {
                        "this name needs LXC 6.0; LXC 5.0 refuses it".to_string()
                    } else {
                        format!("use one of {}", ARCHES.join(", "))
                    };
                    self.invalid(
                        v,
                        format!("`{t}` is not an architecture liblxc knows"),
                        help,
                    );
                }
            }
            K::Autodev => {
                if empty {
                    self.c.dev.autodev = true;
                } else {
                    self.set_bool(v, |c, b| c.dev.autodev = b, pointer::DEV_AUTODEV);
                }
            }
            K::CgroupRelative => {
                if empty {
                    self.c.lxc.cgroup_dirs.remove("relative");
                } else if let Some(b) = self.bool01(v) {
                    self.c
                        .lxc
                        .cgroup_dirs
                        .insert("relative".into(), if b { "1" } else { "0" }.into());
                }
            }
            K::RootfsManaged => {
                if empty {
                    self.rootfs_managed = true;
                } else if let Some(b) = self.bool01(v) {
                    self.rootfs_managed = b;
                }
            }
            K::MonitorUnshare => {
                if empty {
                    self.c.lxc.monitor_unshare = false;
                } else if let Some(n) = self.uint(v) {
                    self.c.lxc.monitor_unshare = n != 0;
                }
            }
            K::TimeOffsetBoot | K::TimeOffsetMonotonic => {
                let ns = if empty {
                    Some(0)
                } else {
                    match parse_time_offset(t) {
                        Ok(ns) => Some(ns),
                        Err(e) => {
                            self.invalid(v, e, "write a number and a unit, e.g. `-2h` or `500ms`");
                            None
                        }
                    }
                };
                // liblxc adds the two parts when it writes the offset: `2h` then `7ns` is
                // 2h + 7ns, `2h` then `1s` is 1s.
                let boot = key_name.ends_with("boot");
                let ns = ns.and_then(|ns| {
                    let parts = &mut self.time_parts[usize::from(!boot)];
                    if empty {
                        *parts = (0, 0);
                    } else if is_sub_second(t) {
                        parts.1 = ns;
                    } else {
                        parts.0 = ns;
                    }
                    parts.0.checked_add(parts.1)
                });
                if ns.is_none() && !empty && parse_time_offset(t).is_ok() {
                    self.invalid(
                        v,
                        format!("`{t}` makes the offset too large"),
                        "write a smaller offset",
                    );
                }
                if let Some(ns) = ns {
                    if boot {
                        self.c.time_offsets.boot_ns = ns;
                        self.origins.record(pointer::TIME_OFFSETS_BOOT, v.origin);
                    } else {
                        self.c.time_offsets.monotonic_ns = ns;
                        self.origins
                            .record(pointer::TIME_OFFSETS_MONOTONIC, v.origin);
                    }
                }
            }
            K::HookVersion => {
                if empty {
                    self.c.hooks.version = 0;
                } else {
                    match parse_uint(t) {
                        Ok(n) if n.value <= 1 => self.c.hooks.version = n.value as u8,
                        _ => self.invalid(
                            v,
                            format!("`{t}` is not a hook version"),
                            "write `0` (arguments) or `1` (environment variables)",
                        ),
                    }
                }
            }
            _ => {}
        }
    }

    /// Keys of autostart and signals.
    fn apply_autostart_and_signals(&mut self, key: K, v: Value<'_>) {
        let empty = v.text.is_empty();
        let t = v.text;
        match key {
            K::Group => {
                if empty {
                    self.c.autostart.groups.clear();
                } else {
                    self.c
                        .autostart
                        .groups
                        .extend(t.split_whitespace().map(String::from));
                    self.origins.record(pointer::AUTOSTART_GROUPS, v.origin);
                }
            }
            K::StartDelay => {
                if empty {
                    self.c.autostart.delay_s = 0;
                } else if let Some(n) = self.uint(v) {
                    self.c.autostart.delay_s = n;
                    self.origins.record(pointer::AUTOSTART_DELAY, v.origin);
                }
            }
            K::StartOrder => {
                if empty {
                    self.c.autostart.order = 0;
                } else {
                    match parse_int(t) {
                        Ok((n, nd)) => {
                            self.warn_base(v, nd);
                            self.c.autostart.order = n as i32;
                            self.origins.record(pointer::AUTOSTART_ORDER, v.origin);
                        }
                        Err(e) => self.invalid(v, e, "write a whole number, e.g. `10` or `-5`"),
                    }
                }
            }
            K::MonitorSignalPdeath | K::SignalHalt | K::SignalReboot | K::SignalStop => {
                let defaults = Signals::default();
                let (pointer, default) = match key {
                    K::SignalHalt => (pointer::SIGNALS_HALT, defaults.halt),
                    K::SignalReboot => (pointer::SIGNALS_REBOOT, defaults.reboot),
                    K::SignalStop => (pointer::SIGNALS_STOP, defaults.stop),
                    _ => (pointer::SIGNALS_MONITOR_PDEATH, defaults.monitor_pdeath),
                };
                let sig = if empty {
                    Some(default)
                } else {
                    // 0 means "the built-in choice".
                    self.signal(v).map(|s| if s.0 == 0 { default } else { s })
                };
                if let Some(sig) = sig {
                    let s = &mut self.c.signals;
                    match key {
                        K::SignalHalt => s.halt = sig,
                        K::SignalReboot => s.reboot = sig,
                        K::SignalStop => s.stop = sig,
                        _ => s.monitor_pdeath = sig,
                    }
                    self.origins.record(pointer, v.origin);
                }
            }
            _ => {}
        }
    }

    /// Keys of init.
    fn apply_init(&mut self, key: K, v: Value<'_>) {
        let empty = v.text.is_empty();
        let t = v.text;
        match key {
            K::InitCmd => {
                if empty {
                    self.c.init.command = Init::default().command;
                } else {
                    self.c.init.command = t.split_whitespace().map(String::from).collect();
                    self.origins.record(pointer::INIT_COMMAND, v.origin);
                }
            }
            K::ExecuteCmd => {
                self.c.init.execute_command =
                    (!empty).then(|| t.split_whitespace().map(String::from).collect());
                self.origins.record(pointer::INIT_EXECUTE_COMMAND, v.origin);
            }
            K::InitUid | K::InitGid => {
                let n = if empty { Some(0) } else { self.uid_value(v) };
                if let Some(n) = n {
                    if key == K::InitUid {
                        self.c.init.uid = n;
                        self.origins.record(pointer::INIT_UID, v.origin);
                    } else {
                        self.c.init.gid = n;
                        self.origins.record(pointer::INIT_GID, v.origin);
                    }
                }
            }
            K::InitGroups => {
                if empty {
                    self.c.init.groups.clear();
                    return;
                }
                let mut groups = Vec::new();
                for g in t.split(',') {
                    match parse_uint(g.trim()) {
                        Ok(n) => groups.push(n.value as u32),
                        Err(e) => {
                            self.invalid(
                                v,
                                e,
                                "write numeric group ids separated by commas, e.g. `10,20`",
                            );
                            return;
                        }
                    }
                }
                self.c.init.groups.extend(groups);
                self.origins.record(pointer::INIT_GROUPS, v.origin);
            }
            K::InitCwd => {
                self.c.init.cwd = (!empty).then(|| simplify_path(t));
                self.origins.record(pointer::INIT_CWD, v.origin);
                if !empty && !t.starts_with('/') {
                    self.diag(
                        Diagnostic::new(Code::L003, format!("`{t}` is not an absolute path"))
                            .severity(Severity::Warning)
                            .at(v.origin)
                            .help("give the working directory as an absolute path inside the container"),
                    );
                }
            }
            K::Environment => {
                if empty {
                    self.c.init.env.clear();
                    return;
                }
                let var = match t.split_once('=') {
                    Some((name, value)) => EnvVar {
                        name: name.to_string(),
                        value: Some(value.to_string()),
                    },
                    None => {
                        // liblxc copies the value from its own environment while parsing and
                        // refuses the file when the variable is unset there; do the same
                        // check, but keep the model independent of this host's value.
                        let unset = std::env::var_os(t).is_none();
                        let d = Diagnostic::new(
                            Code::L011,
                            if unset {
                                format!("`{key} = {t}` copies `{t}` from the loading process, where it is unset")
                            } else {
                                format!("`{key} = {t}` copies `{t}` from whoever loads the config")
                            },
                        )
                        .at(v.origin)
                        .help(format!("liblxc reads the value when it parses the file and fails if `{t}` is unset there; write `{t}=VALUE` to make it explicit"));
                        self.diag(if unset {
                            d.severity(Severity::Error)
                        } else {
                            d
                        });
                        EnvVar {
                            name: t.to_string(),
                            value: None,
                        }
                    }
                };
                self.c.init.env.push(var);
                let i = self.c.init.env.len() - 1;
                self.origins
                    .record(pointer::item(pointer::INIT_ENV, i), v.origin);
            }
            _ => {}
        }
    }

    /// Keys of console, ttys and logging.
    fn apply_console(&mut self, key: K, v: Value<'_>) {
        let empty = v.text.is_empty();
        let t = v.text;
        match key {
            K::ConsolePath => {
                if t == "none" {
                    self.console_none = true;
                    self.c.console.path = None;
                } else {
                    self.console_none = false;
                    self.c.console.path = (!empty).then(|| simplify_path(t));
                }
                self.origins.record(pointer::CONSOLE, v.origin);
            }
            K::ConsoleSize | K::ConsoleBufferSize => {
                let size = if empty {
                    Some(None)
                } else {
                    match parse_console_size(t) {
                        Ok(s) => Some(Some(s)),
                        Err(e) => {
                            self.invalid(v, e, "write a size such as `64kB`, `1MB`, or `auto`");
                            None
                        }
                    }
                };
                if let Some(size) = size {
                    let size = size.filter(|s| s.0 > 0);
                    if key == K::ConsoleSize {
                        self.c.console.log_size = size;
                    } else {
                        self.c.console.buffer_size = size;
                    }
                }
            }
            K::TtyDir => {
                if t.len() > 255 {
                    self.invalid(
                        v,
                        format!("`{key}` must be a name of at most 255 bytes"),
                        "write a directory name under /dev, e.g. `lxc`",
                    );
                } else {
                    if t.contains('/') {
                        self.diag(
                            Diagnostic::new(Code::L003, format!("`{t}` is not a single directory name"))
                                .severity(Severity::Warning)
                                .at(v.origin)
                                .help("the manual asks for one name under /dev; liblxc accepts a path but creating nested directories may fail"),
                        );
                    }
                    self.c.dev.tty_dir = self.set_string(pointer::DEV_TTY_DIR, v);
                }
            }
            K::LogLevel => {
                if empty {
                    self.c.logging.level = LogLevel::Error;
                } else {
                    match parse_log_level(t) {
                        Ok(l) => {
                            self.c.logging.level = l;
                            self.origins.record(pointer::LOGGING_LEVEL, v.origin);
                        }
                        Err(e) => {
                            self.invalid(v, e, "write a level name such as `INFO` or a number 0..8")
                        }
                    }
                }
            }
            K::LogSyslog => {
                if empty || SYSLOG_FACILITIES.contains(&t) {
                    self.c.logging.syslog = self.set_string(pointer::LOGGING_SYSLOG, v);
                } else {
                    self.invalid(
                        v,
                        format!("`{t}` is not a syslog facility liblxc accepts"),
                        "use `daemon` or `local0` .. `local7`",
                    );
                }
            }
            K::AutodevTmpfsSize => {
                let size = if empty {
                    500_000
                } else {
                    match parse_int(t) {
                        Ok((n, _)) if n > 0 => n as u64,
                        _ => {
                            self.diag(
                                Diagnostic::new(
                                    Code::L003,
                                    format!(
                                        "`{t}` is not a size in bytes; liblxc silently uses 500000"
                                    ),
                                )
                                .severity(Severity::Warning)
                                .at(v.origin)
                                .help("write the size in bytes, e.g. `1048576` (no unit suffix)"),
                            );
                            500_000
                        }
                    }
                };
                self.c.dev.tmpfs_size = ByteSize(size);
                self.origins.record("/dev/tmpfs_size", v.origin);
            }
            _ => {}
        }
    }

    /// Keys of rootfs and mounts.
    fn apply_rootfs_and_mounts(&mut self, key: K, v: Value<'_>) {
        let empty = v.text.is_empty();
        let t = v.text;
        match key {
            K::RootfsPath => {
                if empty {
                    self.rootfs_path = None;
                } else {
                    let (backend, path) = match t.split_once(':') {
                        Some((b, p)) => (Some(b.to_string()), p),
                        None => (None, t),
                    };
                    if let Some(b) = &backend {
                        if b.starts_with('/') {
                            self.diag(
                                Diagnostic::new(
                                    Code::L003,
                                    format!("liblxc reads `{b}` as the storage type, because the path contains `:`"),
                                )
                                .severity(Severity::Warning)
                                .at(v.origin)
                                .help(format!("prefix the path with its type: `dir:{t}`")),
                            );
                        }
                    }
                    self.rootfs_path = Some((simplify_path(path), backend, v.origin));
                }
            }
            K::RootfsMount => {
                self.rootfs_mount = (!empty).then(|| simplify_path(t));
            }
            K::RootfsOptions => {
                if empty {
                    self.rootfs_options.clear();
                    return;
                }
                let opts: Vec<&str> = t.split(',').collect();
                if let Some(bad) = opts
                    .iter()
                    .find(|o| o.starts_with("create=") || **o == "optional" || **o == "relative")
                {
                    self.invalid(
                        v,
                        format!("`{bad}` is not allowed in `{key}`"),
                        "create=, optional and relative only apply to mount entries",
                    );
                    return;
                }
                self.rootfs_options = opts.into_iter().map(String::from).collect();
            }
            K::MountEntry => {
                if empty {
                    self.mount_entries.clear();
                    return;
                }
                let base = v.origin.start as usize;
                match fstab::parse_line(t, base) {
                    Ok(Some(entry)) => {
                        let (mount, errors) = entry.into_mount(v.origin.source);
                        self.diags.extend(errors);
                        self.mount_entries.push((mount, v.origin));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let d = fstab::line_error(e, v.origin.source);
                        self.diag(d);
                    }
                }
            }
            K::MountFstab => {
                if empty {
                    self.invalid(
                        v,
                        format!("`{key}` needs a file name"),
                        "liblxc refuses an empty value here; remove the line to have no fstab",
                    );
                } else {
                    self.fstab = Some((t.to_string(), v.origin));
                }
            }
            _ => {}
        }
    }

    /// Keys of security and cgroup directories.
    fn apply_security(&mut self, key: K, v: Value<'_>) {
        let key_name = key.name();
        let empty = v.text.is_empty();
        let t = v.text;
        match key {
            K::ApparmorRaw => {
                if empty {
                    self.c.security.apparmor_raw.clear();
                } else {
                    self.c.security.apparmor_raw.push(t.to_string());
                }
            }
            K::SeccompNotifyProxy => {
                if !empty && !t.starts_with("unix:") {
                    self.invalid(
                        v,
                        format!("`{t}` is not a `unix:` socket address"),
                        "write `unix:/path/to/socket`",
                    );
                } else {
                    self.c.security.seccomp_notify_proxy =
                        self.set_string(pointer::SECURITY_SECCOMP_NOTIFY_PROXY, v);
                }
            }
            K::CgroupDir
            | K::CgroupDirContainer
            | K::CgroupDirMonitor
            | K::CgroupDirMonitorPivot
            | K::CgroupDirContainerInner => {
                let name = key_name
                    .strip_prefix(Family::Cgroup1.prefix())
                    .map_or(key_name, |n| n.trim_start_matches('.'));
                if empty {
                    self.c.lxc.cgroup_dirs.remove(name);
                    return;
                }
                let inner = key_name.ends_with(".inner");
                let bad = if inner {
                    t.contains('/') || t == "." || t == ".."
                } else {
                    t.starts_with('/') || t.split('/').any(|p| p == "..")
                };
                if bad {
                    let help = if inner {
                        "give a single directory name"
                    } else {
                        "give a relative path without `..`"
                    };
                    self.invalid(v, format!("`{t}` is not allowed for `{key_name}`"), help);
                } else {
                    self.c
                        .lxc
                        .cgroup_dirs
                        .insert(name.to_string(), t.to_string());
                }
            }
            _ => {}
        }
    }

    /// A key in the table that lowering does not type yet: keep it verbatim.
    fn keep_untyped(&mut self, key: K, key_origin: Origin, v: Value<'_>) {
        self.c.unrecognized.push(Unrecognized {
            format: "lxc".into(),
            key: key.name().to_string(),
            value: v.text.to_string(),
            reason: "not typed by the model".into(),
            kept_by_reader: KeptByReader(true),
        });
        let i = self.c.unrecognized.len() - 1;
        self.origins
            .record(pointer::item(pointer::UNRECOGNIZED, i), key_origin);
    }

    /// Remove the sysctl at `i`: the later ones move up, with their origins.
    pub(super) fn remove_sysctl(&mut self, i: usize) {
        let mut origins: Vec<Option<Origin>> = (0..self.c.sysctls.len())
            .map(|j| {
                self.origins
                    .get(&pointer::item(pointer::SYSCTLS, j).to_string())
            })
            .collect();
        origins.remove(i);
        self.c.sysctls.remove(i);
        self.origins.remove_under(pointer::SYSCTLS);
        self.sysctl_at.clear();
        for (j, s) in self.c.sysctls.iter().enumerate() {
            self.sysctl_at.insert(s.key.clone(), j);
            if let Some(o) = origins[j] {
                self.origins.record(pointer::item(pointer::SYSCTLS, j), o);
            }
        }
    }

    pub(super) fn caps(&mut self, keep: bool, v: Value<'_>) {
        if v.text.is_empty() {
            if keep {
                self.caps.keep.clear();
                self.caps.keep_mode = false;
            } else {
                self.caps.drop.clear();
                self.caps.keep_mode = false;
            }
            return;
        }
        let conflict = if keep {
            !self.caps.drop.is_empty()
        } else {
            self.caps.keep_mode
        };
        if conflict {
            let (this, other) = if keep {
                (K::CapKeep, K::CapDrop)
            } else {
                (K::CapDrop, K::CapKeep)
            };
            let mut d = Diagnostic::new(
                Code::L007,
                format!("`{this}` cannot be combined with `{other}`"),
            )
            .at(v.origin)
            .help(format!(
                "use either a drop list or a keep list; to switch, clear the other first with `{other} =`"
            ));
            if let Some(o) = self.caps.last {
                d = d.also(o, format!("`{other}` set here"));
            }
            self.diag(d);
            return;
        }
        let mut parsed = Vec::new();
        for token in v.text.split_whitespace() {
            if keep && token == "none" {
                parsed.clear();
                self.caps.keep.clear();
                continue;
            }
            match parse_cap(token) {
                Ok(c) => parsed.push(c),
                Err(e) => {
                    let help = if token == "none" {
                        format!("`none` is only valid for `{}`; use an empty value to clear the drop list", K::CapKeep)
                    } else {
                        "capability names are lower case without `CAP_`, e.g. `sys_admin`"
                            .to_string()
                    };
                    self.invalid(v, e, help);
                    return;
                }
            }
        }
        if keep {
            self.caps.keep_mode = true;
            self.caps.keep.extend(parsed);
        } else {
            self.caps.drop.extend(parsed);
        }
        self.caps.last = Some(v.origin);
        self.origins.record(pointer::CAPABILITIES, v.origin);
    }

    pub(super) fn namespaces(&mut self, key: &str, v: Value<'_>) {
        let is_clone = key.ends_with("clone");
        if v.text.is_empty() {
            if is_clone {
                self.ns_clone = None;
            } else {
                self.ns_keep = None;
            }
            return;
        }
        let other = if is_clone {
            &self.ns_keep
        } else {
            &self.ns_clone
        };
        if other.is_some() {
            self.invalid(
                v,
                format!(
                    "`{}` and `{}` cannot be combined",
                    K::NamespaceClone,
                    K::NamespaceKeep
                ),
                "use one of them",
            );
            return;
        }
        let mut set = BTreeSet::new();
        for token in v.text.split_whitespace() {
            match Namespace::from_name(token) {
                Some(ns) => {
                    set.insert(ns);
                }
                None => {
                    let help = if token == "mount" {
                        "the mount namespace is called `mnt` here".to_string()
                    } else {
                        "namespace names are cgroup, ipc, mnt, net, pid, time, user, uts"
                            .to_string()
                    };
                    self.invalid(v, format!("`{token}` is not a namespace name"), help);
                    return;
                }
            }
        }
        let slot = if is_clone {
            &mut self.ns_clone
        } else {
            &mut self.ns_keep
        };
        match slot {
            Some((existing, _)) => existing.extend(set),
            None => *slot = Some((set, v.origin)),
        }
        self.origins.record(pointer::NAMESPACES_CLONE, v.origin);
    }

    pub(super) fn idmap(&mut self, v: Value<'_>) {
        if v.text.is_empty() {
            self.c.idmap.clear();
            return;
        }
        match v.text.parse::<IdMap>() {
            Ok(map) => {
                self.c.idmap.push(map);
                let i = self.c.idmap.len() - 1;
                self.origins
                    .record(pointer::item(pointer::IDMAP, i), v.origin);
            }
            Err(e) => self.invalid(
                v,
                e.to_string(),
                "write `u|g CONTAINER_ID HOST_ID COUNT`, e.g. `u 0 100000 65536`",
            ),
        }
    }

    pub(super) fn mount_auto(&mut self, v: Value<'_>) {
        if v.text.is_empty() {
            self.auto = AutoMounts::default();
            return;
        }
        for token in v.text.split_whitespace() {
            let ok = self.mount_auto_token(token);
            if !ok {
                self.invalid(
                    v,
                    format!("`{token}` is not an `{}` option", K::MountAuto),
                    "use proc, proc:mixed, proc:rw, sys, sys:ro, sys:mixed, sys:rw, cgroup[-full][:mixed|:ro|:rw][:force], cgroup2[:ro][:force] or shmounts:HOST[:CONTAINER]",
                );
                return;
            }
        }
        self.auto_origin = Some(v.origin);
        self.origins.record(pointer::AUTO_MOUNTS, v.origin);
    }

    pub(super) fn mount_auto_token(&mut self, token: &str) -> bool {
        match token {
            "proc" | "proc:mixed" => self.auto.proc = Some(ProcMode::Mixed),
            "proc:rw" => self.auto.proc = Some(ProcMode::Rw),
            "sys" | "sys:mixed" => self.auto.sys = Some(SysMode::Mixed),
            "sys:ro" => self.auto.sys = Some(SysMode::Ro),
            "sys:rw" => self.auto.sys = Some(SysMode::Rw),
            _ if token.starts_with("shmounts:") => {
                let rest = &token["shmounts:".len()..];
                if rest.is_empty() {
                    return false;
                }
                let (host, container) = match rest.split_once(':') {
                    Some((h, c)) => (h, c),
                    None => (rest, "/dev/.lxc-mounts"),
                };
                self.auto.shmounts = Some(Shmounts {
                    host: host.to_string(),
                    container: container.to_string(),
                });
            }
            _ => {
                let (flavor, rest) = if let Some(r) = token.strip_prefix("cgroup2") {
                    (CgroupFlavor::V2, r)
                } else if let Some(r) = token.strip_prefix("cgroup-full") {
                    (CgroupFlavor::Full, r)
                } else if let Some(r) = token.strip_prefix("cgroup") {
                    (CgroupFlavor::Own, r)
                } else {
                    return false;
                };
                let (mode, force) = match (flavor, rest) {
                    // liblxc's cgroup2 tokens always carry the force flag: `cgroup2` and
                    // `cgroup2:force` are one setting, read-write.
                    (CgroupFlavor::V2, "" | ":force") => (Some(CgroupMode::Rw), true),
                    (CgroupFlavor::V2, ":ro" | ":ro:force") => (Some(CgroupMode::Ro), true),
                    (CgroupFlavor::V2, _) => return false,
                    // The mode is resolved from the capabilities once they are known.
                    (_, "") => (None, false),
                    (_, ":force") => (None, true),
                    (_, ":mixed") => (Some(CgroupMode::Mixed), false),
                    (_, ":ro") => (Some(CgroupMode::Ro), false),
                    (_, ":rw") => (Some(CgroupMode::Rw), false),
                    (_, ":mixed:force") => (Some(CgroupMode::Mixed), true),
                    (_, ":ro:force") => (Some(CgroupMode::Ro), true),
                    (_, ":rw:force") => (Some(CgroupMode::Rw), true),
                    _ => return false,
                };
                self.auto.cgroup = Some(CgroupAuto {
                    flavor,
                    mode,
                    force,
                });
            }
        }
        true
    }

    pub(super) fn apply_prlimit(&mut self, res: &str, key_origin: Origin, v: Value<'_>) {
        let known =
            keys::PRLIMIT_RESOURCES.contains(&res) || res.bytes().all(|b| b.is_ascii_digit());
        if v.text.is_empty() {
            self.prlimits.retain(|(p, _)| p.resource != res);
            return;
        }
        let parsed = match v.text.split_once(':') {
            Some((soft, hard)) if hard.trim().is_empty() => parse_prlimit(soft).map(|s| (s, s)),
            Some((soft, hard)) => parse_prlimit(soft).and_then(|s| Ok((s, parse_prlimit(hard)?))),
            None => parse_prlimit(v.text).map(|s| (s, s)),
        };
        match parsed {
            Ok((soft, hard)) => {
                if !known {
                    self.diag(
                        Diagnostic::new(
                            Code::L003,
                            format!(
                                "`{res}` is not a resource name; the container will fail to start"
                            ),
                        )
                        .severity(Severity::Warning)
                        .at(key_origin)
                        .help(format!(
                            "liblxc accepts the key but fails at start; use one of {}",
                            keys::PRLIMIT_RESOURCES.join(", ")
                        )),
                    );
                }
                let limit = Prlimit {
                    resource: res.to_string(),
                    soft,
                    hard,
                };
                match self.prlimits.iter().position(|(p, _)| p.resource == res) {
                    Some(i) => self.prlimits[i] = (limit, v.origin),
                    None => self.prlimits.push((limit, v.origin)),
                }
            }
            Err(e) => self.invalid(
                v,
                e,
                "write `SOFT[:HARD]`, each a number or `unlimited`, e.g. `1024:4096`",
            ),
        }
    }
}
