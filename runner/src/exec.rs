//! The acting half of the runner: walks a [`Plan`] through a [`Sys`].
//!
//! Processes:
//! - the **runner** (the caller) forks a cleanup *watcher* first, creates the cgroups, clones
//!   the container process, applies the parent steps to it (id maps, cgroup attach, prlimits,
//!   links), sends it a "go" byte, then forwards SIGINT/SIGTERM/... to it and waits;
//! - the **container process** (PID 1 in its pid namespace, parent-death signal SIGKILL)
//!   joins shared namespaces, waits for "go", applies the container steps (mounts, pivot,
//!   hostname, network, sysctls) and then either execs the command itself
//!   ([`InitMode::Direct`]) or forks it as PID 2 and supervises it like liblxc's
//!   `lxc-execute` init ([`InitMode::Supervised`]);
//! - the **watcher** sits in the host's namespaces and cgroups; when the runner dies
//!   without disarming it (kill -9), it kills the container's cgroup and removes the
//!   cgroups and host links.
//!
//! A setup failure inside the container is written to an error pipe (close-on-exec, so a
//! successful exec closes it empty) and returned as [`RunError::Container`].

use crate::plan::{
    Cleanup, ContainerStep, HostStep, InitMode, MountStep, MsFlag, ParentStep, Plan, ProcessStep,
};
use crate::sys::{Exit, Fd, Pid, Reap, Sys, SysError};
use lxconf_model::{Cap, IdKind, Namespace};
use std::path::{Path, PathBuf};

/// A failed run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The model cannot be planned.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    /// A system call of the runner failed.
    #[error(transparent)]
    Sys(#[from] SysError),
    /// The container's setup failed before its command ran.
    #[error("container setup failed: {0}")]
    Container(String),
}

const SIGKILL: i32 = libc::SIGKILL;

/// Run `plan`; returns the command's exit status (128 + signal when it was killed).
pub fn execute(plan: &Plan, sys: &dyn Sys) -> Result<i32, RunError> {
    let cleanup = &plan.cleanup;
    let watcher = sys.fork_watcher(&mut || remove_resources(sys, cleanup))?;
    let result = run_container(plan, sys);
    remove_resources(sys, cleanup);
    let _ = sys.write_all(watcher, b"d");
    sys.close(watcher);
    let _ = sys.unblock_signals();
    result.map(Exit::status)
}

fn run_container(plan: &Plan, sys: &dyn Sys) -> Result<Exit, RunError> {
    for step in &plan.host {
        match step {
            HostStep::Cgroup(dir) => create_cgroup(sys, dir)?,
        }
    }
    let (go_r, go_w) = sys.pipe()?;
    let (err_r, err_w) = sys.pipe()?;
    sys.block_signals()?;
    let runner = sys.getpid();
    let mut parent_error: Option<SysError> = None;
    let mut child = || container_main(plan, sys, runner, (go_r, go_w), (err_r, err_w));
    let mut parent = |pid: Pid| {
        sys.close(go_r);
        sys.close(err_w);
        match parent_steps(plan, sys, pid) {
            Ok(()) => {
                if let Err(e) = sys.write_all(go_w, b"g") {
                    parent_error = Some(e);
                }
            }
            Err(e) => parent_error = Some(e),
        }
        sys.close(go_w);
    };
    let pid = sys.clone_child(&plan.clone, &mut child, &mut parent)?;
    if let Some(e) = parent_error {
        let _ = sys.kill(pid, SIGKILL);
        wait_for(sys, pid, false)?;
        sys.close(err_r);
        return Err(e.into());
    }
    let exit = wait_for(sys, pid, true)?;
    let message = sys.read_to_end(err_r).unwrap_or_default();
    sys.close(err_r);
    if !message.is_empty() {
        return Err(RunError::Container(
            String::from_utf8_lossy(&message).trim().to_string(),
        ));
    }
    Ok(exit)
}

/// Wait for the container process, forwarding signals to it.
fn wait_for(sys: &dyn Sys, pid: Pid, forward: bool) -> Result<Exit, SysError> {
    loop {
        if let Some(exit) = sys.try_wait(pid)? {
            return Ok(exit);
        }
        match sys.next_signal(250)? {
            Some(libc::SIGCHLD) | None => {}
            Some(sig) if forward => {
                let _ = sys.kill(pid, sig);
            }
            Some(_) => {}
        }
    }
}

fn create_cgroup(sys: &dyn Sys, dir: &crate::cgroup::CgroupDir) -> Result<(), SysError> {
    let parent = dir.path.parent().unwrap_or(Path::new("/"));
    if !dir.enable.is_empty() {
        let line: Vec<String> = dir.enable.iter().map(|c| format!("+{c}")).collect();
        sys.write_file(&parent.join("cgroup.subtree_control"), &line.join(" "))?;
    }
    sys.mkdir_all(&dir.path)?;
    if dir.cpuset_init {
        for f in ["cpuset.cpus", "cpuset.mems"] {
            let own = sys.read_file(&dir.path.join(f)).unwrap_or_default();
            if own.trim().is_empty() {
                let inherited = sys.read_file(&parent.join(f))?;
                if !inherited.trim().is_empty() {
                    sys.write_file(&dir.path.join(f), inherited.trim())?;
                }
            }
        }
    }
    for (file, value) in &dir.writes {
        sys.write_file(&dir.path.join(file), value)
            .map_err(|e| SysError {
                op: format!("{} = {value}", dir.path.join(file).display()),
                ..e
            })?;
    }
    Ok(())
}

fn parent_steps(plan: &Plan, sys: &dyn Sys, pid: Pid) -> Result<(), SysError> {
    for step in &plan.parent {
        match step {
            ParentStep::IdMap { kind, map } => {
                let file = match kind {
                    IdKind::Uid => "uid_map",
                    IdKind::Gid => "gid_map",
                };
                sys.write_file(&PathBuf::from(format!("/proc/{pid}/{file}")), map)?;
            }
            ParentStep::CgroupAttach { path } => {
                sys.write_file(&path.join("cgroup.procs"), &pid.to_string())?;
            }
            ParentStep::Prlimit {
                resource,
                soft,
                hard,
                ..
            } => sys.prlimit(pid, *resource, *soft, *hard)?,
            ParentStep::ProcWrite { key, value } => {
                sys.write_file(&PathBuf::from(format!("/proc/{pid}/{key}")), value)?
            }
            ParentStep::Link(link) => sys.link_create(link, pid)?,
        }
    }
    Ok(())
}

/// Kill what is left in the container's cgroups, remove them and the host links.
/// Runs on the normal path and in the watcher; every step tolerates what is already gone.
pub fn remove_resources(sys: &dyn Sys, cleanup: &Cleanup) {
    for dir in &cleanup.cgroups {
        let kill = dir.join("cgroup.kill");
        if sys.write_file(&kill, "1").is_err() {
            if let Ok(procs) = sys.read_file(&dir.join("cgroup.procs")) {
                for pid in procs.lines().filter_map(|l| l.trim().parse::<Pid>().ok()) {
                    let _ = sys.kill(pid, SIGKILL);
                }
            }
        }
    }
    for dir in cleanup.cgroups.iter().rev() {
        for attempt in 0..200 {
            match sys.rmdir(dir) {
                Ok(()) => break,
                Err(e) if e.is_not_found() => break,
                Err(_) if attempt < 199 => {
                    // Killed tasks leave the cgroup asynchronously.
                    if let Ok(procs) = sys.read_file(&dir.join("cgroup.procs")) {
                        for pid in procs.lines().filter_map(|l| l.trim().parse::<Pid>().ok()) {
                            let _ = sys.kill(pid, SIGKILL);
                        }
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(_) => {}
            }
        }
    }
    for link in &cleanup.links {
        let _ = sys.link_delete(link);
    }
}

/// The container process. Returns its exit code.
fn container_main(
    plan: &Plan,
    sys: &dyn Sys,
    runner: Pid,
    (go_r, go_w): (Fd, Fd),
    (err_r, err_w): (Fd, Fd),
) -> i32 {
    sys.close(go_w);
    sys.close(err_r);
    let report = |e: String| {
        let _ = sys.write_all(err_w, e.as_bytes());
        1
    };
    if let Err(e) = sys.set_parent_death_signal(SIGKILL, runner) {
        return report(e.to_string());
    }
    for j in &plan.join {
        if let Err(e) = sys.setns(&j.path, j.ns) {
            return report(format!("joining the {} namespace at {}: {e}", j.ns, j.path));
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
            return report(format!("becoming root in the user namespace: {e}"));
        }
    }
    if let Err(e) = container_steps(plan, sys) {
        return report(e);
    }
    match plan.init {
        InitMode::Direct => {
            let e = command_main(plan, sys);
            if e.is_empty() {
                0
            } else {
                report(e)
            }
        }
        InitMode::Supervised => {
            let mut command = || {
                let e = command_main(plan, sys);
                let _ = sys.write_all(err_w, e.as_bytes());
                if e.is_empty() {
                    0
                } else {
                    127
                }
            };
            let pid = match sys.fork(&mut command) {
                Ok(pid) => pid,
                Err(e) => return report(e.to_string()),
            };
            match supervise(sys, pid) {
                Ok(exit) => exit.status(),
                Err(e) => report(e.to_string()),
            }
        }
    }
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

fn container_steps(plan: &Plan, sys: &dyn Sys) -> Result<(), String> {
    let mut root = PathBuf::from("/");
    for step in &plan.container {
        let fail = |e: SysError| format!("{}: {e}", describe(step));
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
            ContainerStep::BootId { id } => {
                sys.write_in(&root, "/dev/.lxc-boot-id", &format!("{id}\n"), 0o444)
                    .map_err(fail)?;
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
                if sys.mount(&root, &bind).is_ok() {
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
                    sys.mount(&root, &ro).map_err(fail)?;
                }
            }
            ContainerStep::PivotRoot { path } => {
                sys.pivot_root(Path::new(path)).map_err(fail)?;
                root = PathBuf::from("/");
            }
            ContainerStep::Sysctl { key, value } => {
                let path = PathBuf::from("/proc/sys").join(key.replace('.', "/"));
                sys.write_file(&path, value).map_err(fail)?;
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

fn caps(names: &[String]) -> Vec<Cap> {
    names.iter().filter_map(|n| Cap::from_name(n)).collect()
}

/// The command's process: identity, capabilities, then exec. Returns an error message
/// (empty when a double "exec'd").
fn command_main(plan: &Plan, sys: &dyn Sys) -> String {
    if let Err(e) = sys.unblock_signals() {
        return e.to_string();
    }
    for step in &plan.process {
        let r = match step {
            ProcessStep::Setsid => sys.setsid(),
            ProcessStep::Chdir { path, create } => sys.chdir(path, *create),
            ProcessStep::DropBounding { caps: c } => sys.drop_bounding(&caps(c)),
            ProcessStep::Setgroups { groups } => sys.setgroups(groups),
            ProcessStep::Setgid { gid } => sys.setgid(*gid),
            ProcessStep::Setuid { uid } => sys.setuid(*uid),
            ProcessStep::SetCaps {
                effective,
                permitted,
                inheritable,
                ambient,
            } => sys.set_caps(
                &caps(effective),
                &caps(permitted),
                &caps(inheritable),
                &caps(ambient),
            ),
            ProcessStep::NoNewPrivs => sys.no_new_privs(),
        };
        if let Err(e) = r {
            return format!("{}: {e}", serde_json::to_string(step).unwrap_or_default());
        }
    }
    let argv = &plan.exec.argv;
    let Some(arg0) = argv.first() else {
        return "no command".into();
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
    match sys.exec(&path, argv, &plan.exec.env) {
        Ok(()) => String::new(),
        Err(e) => format!("executing {path}: {e}"),
    }
}
