//! The container's file system: its root, the proc/sys/cgroup automounts and the mount
//! entries, with liblxc's flags.

use super::{ContainerStep, MountStep, MsFlag, MsFlags, PlanError, Planner};
use lxconf_model::pointer;
use lxconf_model::{
    BindKind, CgroupFlavor, CgroupMode, Code, CreateKind, Mount, Namespace, ProcMode, Rootfs,
    SizeSpec, SysMode,
};
use MsFlag::{Nodev, Noexec, Nosuid, Rdonly};

pub(super) fn flags(list: &[MsFlag]) -> MsFlags {
    list.iter().copied().collect()
}

/// A mount of a filesystem (`proc`, `sysfs`, `tmpfs`...) with the source used as a label.
pub(super) fn mount(
    source: &str,
    target: &str,
    fstype: &str,
    fl: &[MsFlag],
    data: Option<&str>,
) -> ContainerStep {
    ContainerStep::Mount(MountStep {
        data: data.map(str::to_string),
        ..mount_step(source, target, fstype, fl)
    })
}

/// The [`MountStep`] of [`mount`] without data.
fn mount_step(source: &str, target: &str, fstype: &str, fl: &[MsFlag]) -> MountStep {
    MountStep {
        source: Some(source.to_string()),
        source_in_root: false,
        target: target.to_string(),
        fstype: Some(fstype.to_string()),
        flags: flags(fl),
        data: None,
        create: None,
        optional: false,
    }
}

/// A bind of a container path onto itself, so that it can be remounted alone.
fn bind_self(target: &str, optional: bool) -> ContainerStep {
    ContainerStep::Mount(MountStep {
        source: Some(target.to_string()),
        source_in_root: true,
        target: target.to_string(),
        fstype: None,
        flags: flags(&[MsFlag::Bind]),
        data: None,
        create: None,
        optional,
    })
}

/// A bind remount that sets the per-mount flags `fl` on `target`.
fn remount(target: &str, fl: &[MsFlag], optional: bool) -> ContainerStep {
    let mut f = flags(fl);
    f.insert(MsFlag::Remount);
    f.insert(MsFlag::Bind);
    ContainerStep::Mount(MountStep {
        source: None,
        source_in_root: false,
        target: target.to_string(),
        fstype: None,
        flags: f,
        data: None,
        create: None,
        optional,
    })
}

/// Normalize a container path lexically; `..` above the root is an error.
pub fn clean_target(target: &str) -> Result<String, PlanError> {
    if !target.starts_with('/') {
        return Err(PlanError::RelativeTarget(target.to_string()));
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PlanError::TargetEscapes(target.to_string()));
                }
            }
            other => parts.push(other),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

/// A mount option's effect: a flag it sets, a flag it clears, or neither.
fn option_flag(opt: &str) -> (Option<MsFlag>, Option<MsFlag>) {
    match opt {
        "ro" => (Some(MsFlag::Rdonly), None),
        "rw" => (None, Some(MsFlag::Rdonly)),
        "nosuid" => (Some(MsFlag::Nosuid), None),
        "suid" => (None, Some(MsFlag::Nosuid)),
        "nodev" => (Some(MsFlag::Nodev), None),
        "dev" => (None, Some(MsFlag::Nodev)),
        "noexec" => (Some(MsFlag::Noexec), None),
        "exec" => (None, Some(MsFlag::Noexec)),
        "sync" => (Some(MsFlag::Synchronous), None),
        "async" => (None, Some(MsFlag::Synchronous)),
        "dirsync" => (Some(MsFlag::Dirsync), None),
        "mand" => (Some(MsFlag::Mandlock), None),
        "nomand" => (None, Some(MsFlag::Mandlock)),
        "noatime" => (Some(MsFlag::Noatime), None),
        "atime" => (None, Some(MsFlag::Noatime)),
        "nodiratime" => (Some(MsFlag::Nodiratime), None),
        "diratime" => (None, Some(MsFlag::Nodiratime)),
        "relatime" => (Some(MsFlag::Relatime), None),
        "norelatime" => (None, Some(MsFlag::Relatime)),
        "strictatime" => (Some(MsFlag::Strictatime), None),
        "nostrictatime" => (None, Some(MsFlag::Strictatime)),
        "lazytime" => (Some(MsFlag::Lazytime), None),
        "silent" => (Some(MsFlag::Silent), None),
        "loud" => (None, Some(MsFlag::Silent)),
        "remount" => (Some(MsFlag::Remount), None),
        _ => (None, None),
    }
}

/// The propagation flags of a propagation option (`rslave`: slave and recursive).
fn propagation(opt: &str) -> Option<(MsFlag, bool)> {
    let (rec, base) = match opt {
        "rprivate" | "rslave" | "rshared" | "runbindable" => (true, &opt[1..]),
        other => (false, other),
    };
    let flag = match base {
        "private" => MsFlag::Private,
        "slave" => MsFlag::Slave,
        "shared" => MsFlag::Shared,
        "unbindable" => MsFlag::Unbindable,
        _ => return None,
    };
    Some((flag, rec))
}

/// Split mount options into flags, propagation flags and data, like liblxc's
/// `parse_mntopts` + `parse_propagationopts`.
fn parse_options(options: &[String]) -> (MsFlags, MsFlags, Vec<String>) {
    let mut set = MsFlags::new();
    let mut prop = MsFlags::new();
    let mut data = Vec::new();
    for opt in options {
        match opt.as_str() {
            "defaults" | "auto" | "noauto" | "nouser" | "user" | "users" | "nofail" | "_netdev"
            | "bind" | "rbind" => continue,
            _ => {}
        }
        if let Some((flag, rec)) = propagation(opt) {
            prop.insert(flag);
            if rec {
                prop.insert(MsFlag::Rec);
            }
            continue;
        }
        match option_flag(opt) {
            (Some(f), _) => {
                set.insert(f);
            }
            (None, Some(f)) => {
                set.remove(&f);
            }
            (None, None) => data.push(opt.clone()),
        }
    }
    (set, prop, data)
}

/// Per-mount flags that a bind mount only takes through a remount.
const REMOUNT_FLAGS: [MsFlag; 8] = [
    MsFlag::Rdonly,
    MsFlag::Nosuid,
    MsFlag::Nodev,
    MsFlag::Noexec,
    MsFlag::Noatime,
    MsFlag::Nodiratime,
    MsFlag::Relatime,
    MsFlag::Strictatime,
];

impl<'a> Planner<'a> {
    /// The root filesystem, when the container has one the runner can use.
    pub(super) fn rootfs(&mut self) -> Result<Option<&'a Rootfs>, PlanError> {
        let Some(r) = &self.c.rootfs else {
            return Ok(None);
        };
        match r.backend.as_deref() {
            None | Some("dir") => {}
            Some(other) => return Err(PlanError::RootfsBackend(other.to_string())),
        }
        if !r.options.is_empty() {
            self.not_applied(
                Code::R008,
                pointer::ROOTFS_OPTIONS,
                format!("rootfs options {:?} are not applied", r.options),
            );
        }
        Ok(Some(r))
    }

    /// Detach the mount tree from the host's and make the rootfs a mount point.
    pub(super) fn root_steps(
        &self,
        rootfs: Option<&Rootfs>,
        steps: &mut Vec<ContainerStep>,
    ) -> Result<(), PlanError> {
        if self.owns(Namespace::Mnt) {
            steps.push(ContainerStep::MakeRootSlave);
        } else if rootfs.is_some() || !self.c.mounts.is_empty() || self.c.dev.autodev {
            return Err(PlanError::MountsWithoutMountNamespace);
        }
        if let Some(r) = rootfs {
            steps.push(ContainerStep::BindRootfs {
                path: r.path.clone(),
            });
        }
        Ok(())
    }

    /// `lxc.mount.auto = proc:*`.
    pub(super) fn proc_automount(&mut self, steps: &mut Vec<ContainerStep>) {
        let Some(mode) = self.c.auto_mounts.proc else {
            return;
        };
        if mode == ProcMode::Libvirt {
            return self.libvirt_proc(steps);
        }
        steps.push(mount(
            "proc",
            "/proc",
            "proc",
            &[Nosuid, Nodev, Noexec],
            None,
        ));
        if mode == ProcMode::Mixed {
            steps.push(bind_self("/proc/sys", false));
            if self.keeps("net_admin") {
                steps.push(bind_self("/proc/sys/net", true));
            }
            // liblxc remounts with MS_RDONLY alone, which clears nosuid/nodev/noexec on
            // that mount: `lxc-execute` shows `/proc/sys ro,relatime`.
            steps.push(remount("/proc/sys", &[Rdonly], false));
            steps.push(bind_self("/proc/sysrq-trigger", true));
            steps.push(remount("/proc/sysrq-trigger", &[Rdonly], true));
        }
    }

    /// libvirt's /proc. On the host's root libvirt unmounts the host's /proc tree: the new
    /// one is built in a staging directory, the host's detached, the new one moved in.
    fn libvirt_proc(&mut self, steps: &mut Vec<ContainerStep>) {
        const STAGE: &str = "/dev/.lxconf-proc";
        let on_host_root = self.libvirt_on_host_root();
        let at = if on_host_root { STAGE } else { "/proc" };
        steps.push(ContainerStep::Mount(MountStep {
            create: on_host_root.then_some(CreateKind::Dir),
            ..mount_step("proc", at, "proc", &[Nosuid, Nodev, Noexec])
        }));
        let sys = format!("{at}/sys");
        steps.push(bind_self(&sys, false));
        if self.owns(Namespace::Net) {
            // libvirt binds them from a proc mount without flags: libvirt_lxc shows
            // `rw,relatime`.
            for net in ["net/ipv4", "net/ipv6"] {
                let net = format!("{sys}/{net}");
                steps.push(bind_self(&net, true));
                steps.push(remount(&net, &[], true));
            }
        }
        steps.push(remount(&sys, &[Rdonly, Nosuid, Nodev, Noexec], false));
        if on_host_root {
            move_into_place(STAGE, "/proc", steps);
        }
        self.not_applied(
            Code::R008,
            pointer::AUTO_MOUNTS_PROC,
            "libvirt's FUSE /proc/meminfo is not mounted",
        );
    }

    /// `lxc.mount.auto = sys:*`.
    pub(super) fn sys_automount(&self, steps: &mut Vec<ContainerStep>) {
        match self.c.auto_mounts.sys {
            None => {}
            Some(SysMode::Rw) => steps.push(mount("sysfs", "/sys", "sysfs", &[], None)),
            Some(SysMode::Ro) => steps.push(mount("sysfs", "/sys", "sysfs", &[Rdonly], None)),
            // In a user namespace a new sysfs needs the container's own network namespace:
            // sharing the host's, libvirt binds the host's /sys read-only.
            Some(SysMode::Libvirt) if self.owns(Namespace::User) && !self.owns(Namespace::Net) => {
                steps.push(ContainerStep::Mount(MountStep {
                    source: Some("/sys".into()),
                    source_in_root: false,
                    target: "/sys".into(),
                    fstype: None,
                    flags: flags(&[MsFlag::Bind, MsFlag::Rec]),
                    data: None,
                    create: Some(CreateKind::Dir),
                    optional: false,
                }));
                steps.push(remount("/sys", &[Rdonly, Nosuid, Nodev, Noexec], false));
                self.libvirt_cgroup_mounts("/sys", steps);
            }
            Some(SysMode::Libvirt) => self.libvirt_sysfs(steps),
            Some(SysMode::Mixed) => {
                steps.push(mount(
                    "sysfs",
                    "/sys",
                    "sysfs",
                    &[Nosuid, Nodev, Noexec],
                    None,
                ));
                steps.push(bind_self("/sys/devices/virtual/net", true));
                steps.push(remount("/sys", &[Rdonly, Nosuid, Nodev, Noexec], false));
            }
        }
    }

    /// `lxc.mount.auto = shmounts:HOST:CONTAINER`.
    pub(super) fn shmounts(&self, steps: &mut Vec<ContainerStep>) -> Result<(), PlanError> {
        if let Some(sh) = &self.c.auto_mounts.shmounts {
            steps.push(ContainerStep::Mount(MountStep {
                source: Some(sh.host.clone()),
                source_in_root: false,
                target: clean_target(&sh.container)?,
                fstype: None,
                flags: flags(&[MsFlag::Bind]),
                data: None,
                create: Some(CreateKind::Dir),
                optional: false,
            }));
        }
        Ok(())
    }

    /// `lxc.mount.auto = cgroup:*`.
    pub(super) fn cgroup_automount(
        &mut self,
        unshare_cgroup: bool,
        steps: &mut Vec<ContainerStep>,
    ) {
        let Some(cg) = &self.c.auto_mounts.cgroup else {
            return;
        };
        if self.c.libvirt.is_some() {
            // Mounted with /sys (`libvirt_sysfs`).
            return;
        }
        let sys_admin = self.keeps("sys_admin");
        let mode = cg.mode.unwrap_or(if sys_admin {
            CgroupMode::Rw
        } else {
            CgroupMode::Mixed
        });
        let pure_v2 = self.opts.cgroups.v1.is_empty();
        let force = cg.force || !sys_admin || pure_v2;
        if unshare_cgroup && !force {
            // liblxc mounts nothing: the container's init does it in its cgroup namespace.
        } else if cg.flavor == CgroupFlavor::V2 || pure_v2 {
            let mut fl = vec![Nosuid, Nodev, Noexec, MsFlag::Relatime];
            if mode == CgroupMode::Ro {
                fl.push(Rdonly);
            }
            steps.push(ContainerStep::Mount(MountStep {
                source: Some("cgroup2".into()),
                source_in_root: false,
                target: "/sys/fs/cgroup".into(),
                fstype: Some("cgroup2".into()),
                flags: flags(&fl),
                data: None,
                create: None,
                optional: false,
            }));
        } else {
            self.not_applied(
                Code::R008,
                pointer::AUTO_MOUNTS_CGROUP,
                "cgroup v1 automounts (a tmpfs with one mount per hierarchy) are not mounted",
            );
        }
    }
}

/// Detach the host's tree at `target` and move the mount built at `stage` there.
fn move_into_place(stage: &str, target: &str, steps: &mut Vec<ContainerStep>) {
    steps.push(ContainerStep::DetachTree {
        path: target.into(),
    });
    steps.push(ContainerStep::Mount(MountStep {
        source: Some(stage.into()),
        source_in_root: true,
        target: target.into(),
        fstype: None,
        flags: flags(&[MsFlag::Move]),
        data: None,
        create: None,
        optional: false,
    }));
    steps.push(ContainerStep::Rmdir { path: stage.into() });
}

/// The v1 controllers libvirt 9.0 knows; it binds only these hierarchies.
const LIBVIRT_CONTROLLERS: [&str; 10] = [
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "devices",
    "freezer",
    "blkio",
    "net_cls",
    "perf_event",
    "name=systemd",
];

impl Planner<'_> {
    /// libvirt's cgroup mounts (no cgroup namespace): on v1, a 64 KiB tmpfs with a bind of
    /// each whole host hierarchy libvirt knows, and a link per co-mounted controller; on
    /// a pure cgroup2 host, a bind of the whole host mount.
    fn libvirt_sysfs(&self, steps: &mut Vec<ContainerStep>) {
        let ro = [Rdonly, Nosuid, Nodev, Noexec];
        if !self.libvirt_on_host_root() {
            steps.push(mount("sysfs", "/sys", "sysfs", &ro, None));
            self.libvirt_cgroup_mounts("/sys", steps);
            return;
        }
        // On the host's root the same sysfs cannot be mounted on the host's /sys (EBUSY),
        // and the host's cgroup hierarchies are bound from there: build the new /sys in a
        // staging directory, then detach the host's tree and move the new one in.
        const STAGE: &str = "/dev/.lxconf-sys";
        steps.push(ContainerStep::Mount(MountStep {
            create: Some(CreateKind::Dir),
            ..mount_step("sysfs", STAGE, "sysfs", &ro)
        }));
        self.libvirt_cgroup_mounts(STAGE, steps);
        move_into_place(STAGE, "/sys", steps);
    }

    fn libvirt_cgroup_mounts(&self, sys: &str, steps: &mut Vec<ContainerStep>) {
        let layout = &self.opts.cgroups;
        let bind = |source: &std::path::Path, target: String| {
            ContainerStep::Mount(MountStep {
                source: Some(source.display().to_string()),
                source_in_root: false,
                target,
                fstype: None,
                flags: flags(&[MsFlag::Bind]),
                data: None,
                create: Some(CreateKind::Dir),
                optional: false,
            })
        };
        if layout.v1.is_empty() {
            if let Some(v2) = &layout.v2 {
                steps.push(bind(&v2.mount, format!("{sys}/fs/cgroup")));
            }
            return;
        }
        steps.push(mount(
            "tmpfs",
            &format!("{sys}/fs/cgroup"),
            "tmpfs",
            &[Nosuid, Nodev, Noexec],
            Some("mode=755,size=65536"),
        ));
        for h in &layout.v1 {
            if !h
                .controllers
                .iter()
                .any(|c| LIBVIRT_CONTROLLERS.contains(&c.as_str()))
            {
                continue;
            }
            let Some(dir) = h.mount.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            steps.push(bind(&h.mount, format!("{sys}/fs/cgroup/{dir}")));
            for c in h
                .controllers
                .iter()
                .filter(|c| *c != dir && !c.contains('='))
            {
                steps.push(ContainerStep::Symlink {
                    path: format!("{sys}/fs/cgroup/{c}"),
                    to: dir.to_string(),
                });
            }
        }
    }
}

/// The model's mount entries, each with its remount and propagation steps.
pub(super) fn mount_entries(
    mounts: &[Mount],
    libvirt: bool,
    steps: &mut Vec<ContainerStep>,
) -> Result<(), PlanError> {
    for m in mounts {
        if libvirt && m.create.is_none() {
            let mut m = m.clone();
            m.create = Some(match m.bind {
                BindKind::None => CreateKind::Dir,
                BindKind::Bind | BindKind::Rbind => libvirt_target_kind(&m.source),
            });
            mount_entry(&m, steps)?;
        } else {
            mount_entry(m, steps)?;
        }
    }
    Ok(())
}

/// libvirt creates a missing mount point: for a bind, to match its source (an empty file
/// for a file, a directory otherwise; a host fact read when planning), a directory for a
/// filesystem (`<filesystem type='ram'>` on `/dev/shm`).
fn libvirt_target_kind(source: &str) -> CreateKind {
    match std::fs::metadata(source) {
        Ok(meta) if !meta.is_dir() => CreateKind::File,
        _ => CreateKind::Dir,
    }
}

fn mount_entry(m: &Mount, steps: &mut Vec<ContainerStep>) -> Result<(), PlanError> {
    let target = clean_target(&m.target)?;
    let (mut fl, prop, mut data) = parse_options(&m.options);
    if m.readonly {
        fl.insert(MsFlag::Rdonly);
    }
    if let Some(size) = m.size {
        data.push(match size {
            SizeSpec::Bytes(b) => format!("size={}", b.0),
            SizeSpec::Percent(p) => format!("size={p}%"),
        });
    }
    let data = (!data.is_empty()).then(|| data.join(","));
    let source = if m.relative {
        Some(clean_target(&format!(
            "/{}",
            m.source.trim_start_matches('/')
        ))?)
    } else {
        Some(m.source.clone())
    };
    match m.bind {
        BindKind::None => {
            steps.push(ContainerStep::Mount(MountStep {
                source,
                source_in_root: m.relative,
                target: target.clone(),
                fstype: Some(m.fstype.clone()),
                flags: fl,
                data,
                create: m.create,
                optional: m.optional,
            }));
        }
        BindKind::Bind | BindKind::Rbind => {
            let mut bf = flags(&[MsFlag::Bind]);
            if m.bind == BindKind::Rbind {
                bf.insert(MsFlag::Rec);
            }
            steps.push(ContainerStep::Mount(MountStep {
                source,
                source_in_root: m.relative,
                target: target.clone(),
                fstype: None,
                flags: bf,
                data: None,
                create: m.create,
                optional: m.optional,
            }));
            // A bind ignores per-mount flags; they take effect through a remount.
            let re: Vec<MsFlag> = fl
                .iter()
                .copied()
                .filter(|f| REMOUNT_FLAGS.contains(f))
                .collect();
            if !re.is_empty() {
                steps.push(remount(&target, &re, m.optional));
            }
        }
    }
    if !prop.is_empty() {
        steps.push(ContainerStep::Mount(MountStep {
            source: None,
            source_in_root: false,
            target,
            fstype: None,
            flags: prop,
            data: None,
            create: None,
            optional: m.optional,
        }));
    }
    Ok(())
}

/// Make the root read-only when asked, then `pivot_root` into it.
pub(super) fn pivot_root(r: &Rootfs, steps: &mut Vec<ContainerStep>) {
    if r.readonly {
        steps.push(remount("/", &[Rdonly], false));
    }
    steps.push(ContainerStep::PivotRoot {
        path: r.path.clone(),
    });
}
