//! The container process (PID 1 of its pid namespace) and the command's process: joining
//! namespaces, the container steps as root, then identity, capabilities and exec. Failures
//! go back to the runner as a [`SetupError`] on the error pipe.

use super::{SetupError, SIGKILL};
use crate::plan::{ContainerStep, InitMode, MountStep, MsFlag, Plan, ProcessStep, PtyBind};
use crate::sys::{Exit, Fd, Pid, Reap, Sys, SysError};
use lxconf_model::Namespace;
use std::path::{Path, PathBuf};

/// The container process. Returns its exit code.
pub(super) fn container_main(
    plan: &Plan,
    sys: &dyn Sys,
    runner: Pid,
    (go_r, go_w): (Fd, Fd),
    (err_r, err_w): (Fd, Fd),
    sync: Option<SetupSync>,
) -> i32 {
    sys.close(go_w);
    sys.close(err_r);
    if let Some(s) = sync {
        sys.close(s.ready.0);
        sys.close(s.resume.1);
    }
    let report = |e: SetupError| {
        let _ = sys.write_all(err_w, &e.to_report());
        1
    };
    if let Err(e) = sys.set_parent_death_signal(SIGKILL, runner) {
        return report(SetupError::ParentDeathSignal(e));
    }
    for j in &plan.join {
        if let Err(error) = sys.setns(&j.path, j.ns) {
            return report(SetupError::JoinNamespace {
                ns: j.ns,
                path: j.path.clone(),
                error,
            });
        }
    }
    match sys.read_to_end(go_r) {
        Ok(go) if go == b"g" => {}
        // The runner failed its steps or died: nothing to report.
        _ => return 1,
    }
    sys.close(go_r);
    // In a new user namespace the process still has the host's ids, which the maps just
    // written leave unmapped: it is nobody inside, and the kernel refuses to create files
    // owned by it (EOVERFLOW). Become the container's root first, as liblxc does.
    if plan.clone.contains(&Namespace::User) {
        let become_root = sys
            .setgid(0)
            .and_then(|()| sys.setgroups(&[]))
            .and_then(|()| sys.setuid(0));
        if let Err(e) = become_root {
            return report(SetupError::BecomeRoot(e));
        }
    }
    if let Err(e) = container_steps(plan, sys) {
        return report(e);
    }
    if let Some(s) = sync {
        // Set up: the runner runs its start-host hooks now, then lets the command start.
        let _ = sys.write_all(s.ready.1, b"r");
        sys.close(s.ready.1);
        match sys.read_to_end(s.resume.0) {
            Ok(resume) if resume == b"g" => {}
            // A start-host hook failed, or the runner died: the runner reports it.
            _ => return 1,
        }
        sys.close(s.resume.0);
    }
    match plan.init {
        InitMode::Direct => match command_main(plan, sys) {
            Ok(()) => 0,
            Err(e) => report(e),
        },
        InitMode::Supervised => {
            let mut command = || match command_main(plan, sys) {
                Ok(()) => 0,
                Err(e) => {
                    let _ = sys.write_all(err_w, &e.to_report());
                    127
                }
            };
            let pid = match sys.fork(&mut command) {
                Ok(pid) => pid,
                Err(e) => return report(SetupError::Fork(e)),
            };
            match supervise(sys, pid) {
                Ok(exit) => exit.status(),
                Err(e) => report(SetupError::Supervise(e)),
            }
        }
    }
}

/// The pipes of the second handshake, when the runner has hooks to run once the container
/// is set up: `ready` (container → runner: "set up"), `resume` (runner → container: "go on").
#[derive(Debug, Clone, Copy)]
pub(super) struct SetupSync {
    /// Read end, write end.
    pub ready: (Fd, Fd),
    /// Read end, write end.
    pub resume: (Fd, Fd),
}

/// liblxc's `lxc-execute` init: forward signals to the command, reap everything, and exit
/// with the command's status once no child is left. When the command ends, the rest of the
/// container gets SIGTERM, then SIGKILL a second later. SIGTERM and SIGPWR to PID 1 go to
/// every process (SIGKILL after a second); SIGHUP is ignored.
fn supervise(sys: &dyn Sys, command: Pid) -> Result<Exit, SysError> {
    let mut status: Option<Exit> = None;
    let mut shutdown = false;
    loop {
        loop {
            match sys.reap_any()? {
                Reap::Reaped(pid, exit) if pid == command => {
                    status = Some(exit);
                    if !shutdown {
                        shutdown = true;
                        let _ = sys.kill(-1, libc::SIGTERM);
                        sys.alarm(1);
                    }
                }
                Reap::Reaped(..) => {}
                Reap::NoneReady => break,
                Reap::NoChildren => return Ok(status.unwrap_or(Exit::Code(0))),
            }
        }
        match sys.next_signal(1000)? {
            None | Some(libc::SIGCHLD) | Some(libc::SIGHUP) => {}
            Some(libc::SIGALRM) => {
                let _ = sys.kill(-1, SIGKILL);
            }
            Some(libc::SIGTERM) | Some(libc::SIGPWR) => {
                let _ = sys.kill(-1, libc::SIGTERM);
                sys.alarm(1);
            }
            Some(sig) => {
                let _ = sys.kill(command, sig);
            }
        }
    }
}

fn container_steps(plan: &Plan, sys: &dyn Sys) -> Result<(), SetupError> {
    let mut root = PathBuf::from("/");
    for step in &plan.container {
        let fail = |error: SysError| SetupError::ContainerStep {
            step: describe(step),
            error,
        };
        match step {
            ContainerStep::UnshareCgroupNs => sys.unshare(Namespace::Cgroup).map_err(fail)?,
            ContainerStep::MakeRootSlave => {
                let step = MountStep {
                    source: None,
                    source_in_root: false,
                    target: "/".into(),
                    fstype: None,
                    flags: [MsFlag::Rec, MsFlag::Slave].into_iter().collect(),
                    data: None,
                    create: None,
                    optional: false,
                };
                sys.mount(Path::new("/"), &step).map_err(fail)?;
            }
            ContainerStep::BindRootfs { path } => {
                let step = MountStep {
                    source: Some(path.clone()),
                    source_in_root: false,
                    target: path.clone(),
                    fstype: None,
                    flags: [MsFlag::Bind, MsFlag::Rec].into_iter().collect(),
                    data: None,
                    create: None,
                    optional: false,
                };
                sys.mount(Path::new("/"), &step).map_err(fail)?;
                root = PathBuf::from(path);
            }
            ContainerStep::Hostname { name } => sys.sethostname(name).map_err(fail)?,
            ContainerStep::LoopbackUp => sys
                .if_configure(&crate::plan::IfConfig {
                    name: "lo".into(),
                    addresses: Vec::new(),
                    up: true,
                    routes: Vec::new(),
                })
                .map_err(fail)?,
            ContainerStep::Interface(cfg) => sys.if_configure(cfg).map_err(fail)?,
            ContainerStep::Mount(m) => match sys.mount(&root, m) {
                Ok(()) => {}
                Err(_) if m.optional => {}
                Err(e) => return Err(fail(e)),
            },
            ContainerStep::Mkdir { path, mode } => {
                sys.mkdir_in(&root, path, *mode).map_err(fail)?
            }
            ContainerStep::Mknod(node) => match sys.mknod_in(&root, node) {
                Ok(()) => {}
                Err(e) if e.is_permission() => {
                    // In a user namespace: bind the host's node over an empty file.
                    let step = MountStep {
                        source: Some(node.host.clone()),
                        source_in_root: false,
                        target: node.path.clone(),
                        fstype: None,
                        flags: [MsFlag::Bind].into_iter().collect(),
                        data: None,
                        create: Some(lxconf_model::CreateKind::File),
                        optional: false,
                    };
                    sys.mount(&root, &step).map_err(fail)?;
                }
                Err(e) => return Err(fail(e)),
            },
            ContainerStep::Symlink { path, to } => sys.symlink_in(&root, path, to).map_err(fail)?,
            ContainerStep::Ptys { count, binds } => {
                ptys(sys, &root, *count, binds).map_err(fail)?
            }
            ContainerStep::Rmdir { path } => sys
                .rmdir(&root.join(path.trim_start_matches('/')))
                .map_err(fail)?,
            ContainerStep::DetachTree { path } => sys.detach_tree(&root, path).map_err(fail)?,
            ContainerStep::Console { tty } => {
                let step = MountStep {
                    source: Some(tty.clone()),
                    source_in_root: false,
                    target: "/dev/console".into(),
                    fstype: None,
                    flags: [MsFlag::Bind].into_iter().collect(),
                    data: None,
                    create: Some(lxconf_model::CreateKind::File),
                    optional: true,
                };
                let _ = sys.mount(&root, &step);
            }
            ContainerStep::BootId { id } => boot_id(sys, &root, id).map_err(fail)?,
            ContainerStep::PivotRoot { path } => {
                sys.pivot_root(Path::new(path)).map_err(fail)?;
                root = PathBuf::from("/");
            }
            ContainerStep::Sysctl { key, value } => {
                // Checked by the plan; again here, where a bad key is a write as root.
                if !crate::plan::proc_key_is_safe(key) {
                    return Err(SetupError::UnsafeSysctl { key: key.clone() });
                }
                let path = PathBuf::from("/proc/sys").join(key.replace('.', "/"));
                sys.write_file(&path, value).map_err(fail)?;
            }
            ContainerStep::Hook(hook) => {
                super::hooks::run_hook(sys, hook, &Default::default()).map_err(SetupError::Hook)?
            }
            ContainerStep::TimeNamespace {
                boot_ns,
                monotonic_ns,
            } => {
                sys.unshare(Namespace::Time).map_err(fail)?;
                let split = |ns: i64| (ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000));
                let (ms, mn) = split(*monotonic_ns);
                let (bs, bn) = split(*boot_ns);
                sys.write_file(
                    Path::new("/proc/self/timens_offsets"),
                    &format!("monotonic {ms} {mn}\nboottime {bs} {bn}\n"),
                )
                .map_err(fail)?;
            }
        }
    }
    Ok(())
}

/// Open the ptys and bind the slaves the plan names.
fn ptys(sys: &dyn Sys, root: &Path, count: u32, binds: &[PtyBind]) -> Result<(), SysError> {
    let numbers = sys.open_ptys(root, count)?;
    for b in binds {
        let Some(n) = numbers.get(b.pty as usize) else {
            continue;
        };
        let step = MountStep {
            source: Some(format!("/dev/pts/{n}")),
            source_in_root: true,
            target: b.target.clone(),
            fstype: None,
            flags: [MsFlag::Bind].into_iter().collect(),
            data: None,
            create: Some(lxconf_model::CreateKind::File),
            optional: false,
        };
        sys.mount(root, &step)?;
    }
    Ok(())
}

/// Write the boot id and bind it read-only over the kernel's, when /proc is there.
fn boot_id(sys: &dyn Sys, root: &Path, id: &str) -> Result<(), SysError> {
    sys.write_in(root, "/dev/.lxc-boot-id", &format!("{id}\n"), 0o444)?;
    let bind = MountStep {
        source: Some("/dev/.lxc-boot-id".into()),
        source_in_root: true,
        target: "/proc/sys/kernel/random/boot_id".into(),
        fstype: None,
        flags: [MsFlag::Bind].into_iter().collect(),
        data: None,
        create: None,
        optional: true,
    };
    if sys.mount(root, &bind).is_ok() {
        let ro = MountStep {
            source: None,
            flags: [
                MsFlag::Bind,
                MsFlag::Remount,
                MsFlag::Rdonly,
                MsFlag::Nosuid,
                MsFlag::Nodev,
                MsFlag::Noexec,
            ]
            .into_iter()
            .collect(),
            ..bind
        };
        sys.mount(root, &ro)?;
    }
    Ok(())
}

fn describe(step: &ContainerStep) -> String {
    match step {
        ContainerStep::Mount(m) => format!(
            "mounting {} on {}",
            m.source.as_deref().unwrap_or("(remount)"),
            m.target
        ),
        other => serde_json::to_string(other).unwrap_or_else(|_| format!("{other:?}")),
    }
}

/// The command's process: identity, capabilities, then exec. Returns only on failure (or
/// when a double "exec'd").
fn command_main(plan: &Plan, sys: &dyn Sys) -> Result<(), SetupError> {
    sys.unblock_signals().map_err(SetupError::UnblockSignals)?;
    for step in &plan.process {
        let r = match step {
            ProcessStep::Setsid => sys.setsid(),
            ProcessStep::Chdir { path, create } => sys.chdir(path, *create),
            ProcessStep::DropBounding { caps: c } => sys.drop_bounding(c),
            ProcessStep::Setgroups { groups } => sys.setgroups(groups),
            ProcessStep::Setgid { gid } => sys.setgid(*gid),
            ProcessStep::Setuid { uid } => sys.setuid(*uid),
            ProcessStep::SetCaps {
                effective,
                permitted,
                inheritable,
                ambient,
            } => sys.set_caps(effective, permitted, inheritable, ambient),
            ProcessStep::NoNewPrivs => sys.no_new_privs(),
            ProcessStep::Seccomp(filter) => sys.seccomp_load(filter).map(drop),
        };
        r.map_err(|error| SetupError::ProcessStep {
            step: serde_json::to_string(step).unwrap_or_default(),
            error,
        })?;
    }
    let argv = &plan.exec.argv;
    let Some(arg0) = argv.first() else {
        return Err(SetupError::NoCommand);
    };
    let path = if arg0.contains('/') {
        arg0.clone()
    } else {
        // execvp's search, with the container's PATH or glibc's default.
        let search = plan
            .exec
            .env
            .iter()
            .find_map(|e| e.strip_prefix("PATH="))
            .unwrap_or("/bin:/usr/bin");
        search
            .split(':')
            .map(|d| format!("{}/{arg0}", if d.is_empty() { "." } else { d }))
            .find(|p| sys.exists(Path::new(p)))
            .unwrap_or_else(|| arg0.clone())
    };
    sys.exec(&path, argv, &plan.exec.env)
        .map_err(|error| SetupError::Exec { path, error })
}
