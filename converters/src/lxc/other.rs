//! Security, hooks, limits, autostart, signals, logging, and lines kept verbatim.

use super::*;

impl Emitter<'_> {
    pub(super) fn security(&mut self) {
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
        // The policy is the file's content: only the path is written. A policy without a
        // file (from a model document) has nowhere to go.
        if s.seccomp_policy.is_some() && s.seccomp_profile.is_none() {
            self.loss(
                pointer::SECURITY_SECCOMP_POLICY,
                "the seccomp policy (no policy file is named)".into(),
                &format!(
                    "write the policy to a file and name it with `{}`",
                    K::SeccompProfile
                ),
            );
        }
        self.field(K::SeccompAllowNesting);
        if let Some(x) = &s.seccomp_notify_proxy {
            let at = pointer::SECURITY_SECCOMP_NOTIFY_PROXY;
            self.text(at, K::SeccompNotifyProxy.name(), x);
        }
        self.field(K::SeccompNotifyCookie);
        for (i, label) in s.seclabels.iter().enumerate() {
            let at = pointer::item(pointer::SECURITY_SECLABELS, i).to_string();
            // The two forms with an LXC key are written as that key.
            match SeclabelMeaning::of(label) {
                Some(SeclabelMeaning::AppArmorUnconfined) if s.apparmor_profile.is_none() => {
                    self.text(&at, K::ApparmorProfile.name(), "unconfined");
                }
                Some(SeclabelMeaning::SelinuxContext(c)) if s.selinux_context.is_none() => {
                    self.text(&at, K::SelinuxContext.name(), &c);
                }
                _ => self.loss(
                    &at,
                    "a libvirt <seclabel>".into(),
                    &format!("use {} or {}", K::ApparmorProfile, K::SelinuxContext),
                ),
            }
        }
        self.field(K::NoNewPrivs);
    }

    /// The lines of the "Other settings" section: (key, value, pointer of the value, or
    /// empty when the emitter composed it).
    fn other_lines(&self) -> Vec<(String, String, String)> {
        let mut lines = self.hook_and_limit_lines();
        lines.extend(self.start_signal_and_log_lines());
        let c = &self.doc.container;
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
        lines
    }

    fn hook_and_limit_lines(&self) -> Vec<(String, String, String)> {
        let c = &self.doc.container;
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
        lines
    }

    fn start_signal_and_log_lines(&self) -> Vec<(String, String, String)> {
        let c = &self.doc.container;
        let mut lines: Vec<(String, String, String)> = Vec::new();
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
        lines.extend(self.field_line(K::LogFile));
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
            // liblxc passes its seconds and nanoseconds parts to the kernel as they are,
            // and the kernel wants 0 <= ns < 1s: a sub-second rest is a line of its own.
            let (secs, rest) = (ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000));
            if secs != 0 {
                lines.push((k.into(), format!("{secs}s"), String::new()));
            }
            if rest != 0 {
                lines.push((k.into(), format!("{rest}ns"), String::new()));
            }
        }
        lines
    }

    pub(super) fn misc(&mut self) {
        let c = &self.doc.container;
        let a = &c.autostart;
        let lines = self.other_lines();
        // Host devices and libvirt settings are reported even when nothing else is written.
        if !lines.is_empty() {
            self.section("Other settings");
        }
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
        for s in crate::lxd_only::settings(c) {
            if s.management_only {
                self.note(&s.pointer, format!("{} is not written", s.what), s.why);
            } else {
                self.loss(&s.pointer, s.what, s.why);
            }
        }
    }

    pub(super) fn unrecognized(&mut self) {
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
