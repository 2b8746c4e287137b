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
//!   cgroups. A second watcher, armed only when a `phys` link moves in, holds the
//!   container's network namespace and gives the link back to the host.
//!
//! Host interfaces are removed only when this run created them, by index; a name that
//! already exists stops the run ([`RunError::InterfaceExists`]) and is never deleted.
//!
//! A setup failure inside the container is written to an error pipe (close-on-exec, so a
//! successful exec closes it empty) and returned as [`RunError::Container`] with the
//! typed [`SetupError`].

mod container;
mod error;
mod hooks;

pub use error::{RunError, SetupError};
pub use hooks::HookError;

use crate::plan::{Cleanup, HostStep, InitMode, LinkCreate, ParentStep, Plan};
use crate::sys::{Exit, Fd, Pid, Sys, SysError};
use container::{container_main, SetupSync};
use hooks::{held_namespaces, run_ending_hooks, run_hook, HookRuntime};
use lxconf_model::{Code, IdKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SIGKILL: i32 = libc::SIGKILL;

/// What this run created or took from the host, known only while it runs: cleanup gives
/// back exactly this and nothing found by name.
#[derive(Debug, Default)]
struct Acquired {
    /// Host interfaces this run created (veth host ends): name and index.
    links: Vec<(String, u32)>,
    /// The container's network namespace, held open once a `phys` link goes into it so
    /// that the link can be given back after the container ends (a virtual link, a veth
    /// or a dummy, would be destroyed with the namespace).
    netns: Option<Fd>,
    /// The watcher that gives `phys` links back when the runner dies.
    phys_watcher: Option<Fd>,
    /// What the hooks learn: the container's pid and the namespaces held for the stop
    /// hooks (closed before the post-stop hooks; their paths are still given, as liblxc
    /// does).
    hooks: HookRuntime,
}

/// Run `plan`; returns the command's exit status (128 + signal when it was killed).
pub fn execute(plan: &Plan, sys: &dyn Sys) -> Result<i32, RunError> {
    let cleanup = &plan.cleanup;
    remove_stale_cgroups(sys, plan);
    let watcher = sys.fork_watcher(&[], &mut || remove_resources(sys, cleanup))?;
    let mut acquired = Acquired {
        hooks: HookRuntime {
            runner: sys.getpid(),
            ..HookRuntime::default()
        },
        ..Acquired::default()
    };
    let result = run_container(plan, sys, watcher, &mut acquired);
    release(sys, plan, &acquired);
    // As liblxc: stop hooks while the container's namespaces are held, whatever ended the
    // run (a failed start too), then the cgroups go, then the post-stop hooks.
    run_ending_hooks(sys, &plan.hooks.stop, &acquired.hooks);
    remove_resources(sys, cleanup);
    for (_, fd) in &acquired.hooks.namespaces {
        sys.close(*fd);
    }
    run_ending_hooks(sys, &plan.hooks.post_stop, &acquired.hooks);
    let _ = sys.write_all(watcher, b"d");
    sys.close(watcher);
    let _ = sys.unblock_signals();
    result.map(Exit::status)
}

fn run_container(
    plan: &Plan,
    sys: &dyn Sys,
    watcher: Fd,
    acquired: &mut Acquired,
) -> Result<Exit, RunError> {
    for step in &plan.host {
        match step {
            HostStep::Hook(hook) => run_hook(sys, hook, &acquired.hooks)?,
            HostStep::Cgroup(dir) => create_cgroup(sys, dir)?,
        }
    }
    let (go_r, go_w) = sys.pipe()?;
    let (err_r, err_w) = sys.pipe()?;
    let sync = if plan.hooks.sync_after_setup() {
        Some(SetupSync {
            ready: sys.pipe()?,
            resume: sys.pipe()?,
        })
    } else {
        None
    };
    sys.block_signals()?;
    let runner = sys.getpid();
    let mut parent_error: Option<RunError> = None;
    let mut child = || container_main(plan, sys, runner, (go_r, go_w), (err_r, err_w), sync);
    let mut parent = |pid: Pid| {
        sys.close(go_r);
        sys.close(err_w);
        acquired.hooks.container = Some(pid);
        let mut inherited = vec![go_w, watcher];
        if let Some(s) = sync {
            sys.close(s.ready.1);
            sys.close(s.resume.0);
            inherited.push(s.resume.1);
        }
        match parent_steps(plan, sys, pid, acquired, &inherited) {
            Ok(()) => {
                if let Err(e) = sys.write_all(go_w, b"g") {
                    parent_error = Some(e.into());
                }
            }
            Err(e) => parent_error = Some(e),
        }
        sys.close(go_w);
    };
    let pid = sys.clone_child(&plan.clone, &mut child, &mut parent)?;
    if let Some(s) = sync {
        if parent_error.is_none() {
            parent_error = after_setup(plan, sys, pid, s, acquired).err();
        }
        sys.close(s.ready.0);
        sys.close(s.resume.1);
    }
    if let Some(e) = parent_error {
        let _ = sys.kill(pid, SIGKILL);
        wait_for(sys, pid, None)?;
        sys.close(err_r);
        return Err(e);
    }
    let exit = wait_for(sys, pid, Some(plan.init))?;
    let message = sys.read_to_end(err_r).unwrap_or_default();
    sys.close(err_r);
    if !message.is_empty() {
        return Err(SetupError::from_report(&message).into());
    }
    Ok(exit)
}

/// Once the container process is set up (its start hooks ran): hold its namespaces for
/// the stop hooks, run the start-host hooks, and let the command start. When the
/// container failed its setup, nothing is done here: its error comes on the error pipe.
fn after_setup(
    plan: &Plan,
    sys: &dyn Sys,
    pid: Pid,
    sync: SetupSync,
    acquired: &mut Acquired,
) -> Result<(), RunError> {
    if sys.read_to_end(sync.ready.0)? != b"r" {
        return Ok(());
    }
    let cgroup_unshared = plan
        .container
        .iter()
        .any(|s| matches!(s, crate::plan::ContainerStep::UnshareCgroupNs));
    for ns in held_namespaces(&plan.clone, cgroup_unshared) {
        // A namespace that cannot be opened is left out of the stop hooks' list.
        if let Ok(fd) = sys.open_ns(pid, ns) {
            acquired.hooks.namespaces.push((ns, fd));
        }
    }
    for hook in &plan.hooks.start_host {
        run_hook(sys, hook, &acquired.hooks)?;
    }
    sys.write_all(sync.resume.1, b"g")?;
    Ok(())
}

/// Wait for the container process, forwarding signals to it (`forward` is its init mode;
/// `None` forwards nothing).
///
/// In [`InitMode::Direct`] the command is PID 1 of its pid namespace, and the kernel
/// drops every signal PID 1 has no handler for, even from the host. A forwarded SIGINT
/// or SIGTERM would be lost and neither Ctrl-C nor `kill` would stop the container; so a
/// signal whose default action ends a process, sent to a PID 1 that neither catches nor
/// ignores it, ends the container the way it would end an ordinary process: SIGKILL, and
/// the status of a death by the original signal (130 for SIGINT).
fn wait_for(sys: &dyn Sys, pid: Pid, forward: Option<InitMode>) -> Result<Exit, SysError> {
    let mut ended_by: Option<i32> = None;
    loop {
        if let Some(exit) = sys.try_wait(pid)? {
            return Ok(match (exit, ended_by) {
                (Exit::Signal(SIGKILL), Some(sig)) => Exit::Signal(sig),
                _ => exit,
            });
        }
        match (sys.next_signal(250)?, forward) {
            (Some(libc::SIGCHLD) | None, _) | (Some(_), None) => {}
            (Some(sig), Some(InitMode::Direct))
                if terminates_by_default(sig) && !disposition_set(sys, pid, sig) =>
            {
                ended_by = Some(sig);
                let _ = sys.kill(pid, SIGKILL);
            }
            (Some(sig), Some(_)) => {
                let _ = sys.kill(pid, sig);
            }
        }
    }
}

/// Signals the runner forwards whose default action ends the process.
fn terminates_by_default(sig: i32) -> bool {
    matches!(
        sig,
        libc::SIGHUP
            | libc::SIGINT
            | libc::SIGQUIT
            | libc::SIGTERM
            | libc::SIGUSR1
            | libc::SIGUSR2
            | libc::SIGPWR
    )
}

/// True when process `pid` catches or ignores `sig` (`SigCgt`/`SigIgn` of its status).
/// When the status cannot be read the process is gone and forwarding is harmless.
fn disposition_set(sys: &dyn Sys, pid: Pid, sig: i32) -> bool {
    let Ok(status) = sys.read_file(Path::new(&format!("/proc/{pid}/status"))) else {
        return true;
    };
    let bit = 1u64 << (sig - 1);
    status
        .lines()
        .filter_map(|l| {
            l.strip_prefix("SigCgt:")
                .or_else(|| l.strip_prefix("SigIgn:"))
        })
        .filter_map(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .any(|mask| mask & bit != 0)
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

fn parent_steps(
    plan: &Plan,
    sys: &dyn Sys,
    pid: Pid,
    acquired: &mut Acquired,
    inherited: &[Fd],
) -> Result<(), RunError> {
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
                // The plan refuses such keys; checked again because a write here is a
                // write as root anywhere the key's path leads.
                if !crate::plan::proc_key_is_safe(key) {
                    let key = key.clone();
                    let prefix = lxconf_model::lxc_key::Family::Proc.prefix();
                    return Err(crate::plan::PlanError::UnsafeKernelKey { prefix, key }.into());
                }
                sys.write_file(&PathBuf::from(format!("/proc/{pid}/{key}")), value)?
            }
            ParentStep::Link(link) => create_link(plan, sys, pid, link, acquired, inherited)?,
            ParentStep::ReportLimits { to, files } => report_limits(sys, to, files)?,
        }
    }
    Ok(())
}

fn create_link(
    plan: &Plan,
    sys: &dyn Sys,
    pid: Pid,
    link: &LinkCreate,
    acquired: &mut Acquired,
    inherited: &[Fd],
) -> Result<(), RunError> {
    if matches!(link, LinkCreate::Phys { .. }) && acquired.netns.is_none() {
        // Hold the namespace, and arm a watcher holding it too, before anything moves in.
        let netns = sys.open_netns(pid)?;
        acquired.netns = Some(netns);
        let watcher = sys.fork_watcher(inherited, &mut || return_phys_links(sys, plan, netns))?;
        acquired.phys_watcher = Some(watcher);
    }
    match sys.link_create(link, pid) {
        Ok(Some(index)) => {
            if let LinkCreate::Veth { host, .. } = link {
                acquired.links.push((host.clone(), index));
            }
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) if e.errno == Some(libc::EEXIST) => Err(RunError::InterfaceExists(e)),
        Err(e) => Err(e.into()),
    }
}

/// Give every `phys` link of the plan back to the host under its host name. Links not in
/// the namespace (never moved, or renamed by the container) are skipped.
fn return_phys_links(sys: &dyn Sys, plan: &Plan, netns: Fd) {
    for step in &plan.parent {
        if let ParentStep::Link(LinkCreate::Phys { link, name, .. }) = step {
            match sys.link_return(netns, name, link) {
                Ok(()) => {}
                Err(e) if e.errno == Some(libc::ENODEV) => {}
                Err(e) => eprintln!(
                    "lxconf: warning[{}]: interface {name} was not given back to the host as {link}: {e}",
                    Code::R015
                ),
            }
        }
    }
}

/// After the container ended: give `phys` links back, then delete the host interfaces
/// this run created (by index, so an interface that took the name later is left alone).
fn release(sys: &dyn Sys, plan: &Plan, acquired: &Acquired) {
    if let Some(netns) = acquired.netns {
        return_phys_links(sys, plan, netns);
        if let Some(w) = acquired.phys_watcher {
            let _ = sys.write_all(w, b"d");
            sys.close(w);
        }
        sys.close(netns);
    }
    for (name, index) in &acquired.links {
        let _ = sys.link_delete(name, *index);
    }
}

/// Read the limit files back and write them, one `FILE VALUE` line each.
fn report_limits(sys: &dyn Sys, to: &Path, files: &[PathBuf]) -> Result<(), SysError> {
    let mut text = String::new();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let value = sys.read_file(f)?;
        text.push_str(&format!("{name} {}\n", value.trim().replace('\n', " ")));
    }
    sys.write_new(to, &text)
}

/// Kill what is left in the container's cgroups and remove them.
/// Runs on the normal path and in the watcher; every step tolerates what is already gone.
pub fn remove_resources(sys: &dyn Sys, cleanup: &Cleanup) {
    for dir in &cleanup.cgroups {
        let kill = dir.join("cgroup.kill");
        if sys.write_file(&kill, "1").is_err() {
            kill_procs(sys, dir);
        }
    }
    for dir in cleanup.cgroups.iter().rev() {
        for attempt in 0..200 {
            match remove_tree(sys, dir, 0) {
                Ok(()) => break,
                Err(e) if e.is_not_found() => break,
                Err(_) if attempt < 199 => {
                    // Killed tasks leave the cgroup asynchronously.
                    kill_procs(sys, dir);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(_) => {}
            }
        }
    }
}

fn kill_procs(sys: &dyn Sys, dir: &Path) {
    if let Ok(procs) = sys.read_file(&dir.join("cgroup.procs")) {
        for pid in procs.lines().filter_map(|l| l.trim().parse::<Pid>().ok()) {
            let _ = sys.kill(pid, SIGKILL);
        }
    }
}

/// How deep the container's own sub-cgroups are removed.
const MAX_CGROUP_DEPTH: usize = 32;

/// `rmdir` a cgroup and the sub-cgroups a container may have made in it, deepest first.
/// The kernel refuses to remove a cgroup that still has processes, so this never ends a
/// running container.
fn remove_tree(sys: &dyn Sys, dir: &Path, depth: usize) -> Result<(), SysError> {
    if depth < MAX_CGROUP_DEPTH {
        for child in sys.list_dirs(dir).unwrap_or_default() {
            let _ = remove_tree(sys, &dir.join(child), depth + 1);
        }
    }
    sys.rmdir(dir)
}

/// Remove `lxconf.payload.*` cgroups left by runs whose runner and watcher were both
/// killed (kill -9 of the whole process group): the container died with its runner
/// (parent-death signal), but nobody removed its directories. A directory is stale when
/// the runner's pid (the last part of its name) is gone; only empty ones can be removed.
fn remove_stale_cgroups(sys: &dyn Sys, plan: &Plan) {
    let own = sys.getpid();
    let parents: BTreeSet<&Path> = plan
        .cleanup
        .cgroups
        .iter()
        .filter_map(|d| d.parent())
        .collect();
    for parent in parents {
        for name in sys.list_dirs(parent).unwrap_or_default() {
            let Some(pid) = stale_runner(&name) else {
                continue;
            };
            let gone = matches!(sys.kill(pid, 0), Err(e) if e.errno == Some(libc::ESRCH));
            if pid != own && gone && remove_tree(sys, &parent.join(&name), 0).is_ok() {
                eprintln!(
                    "lxconf: note[{}]: removed the cgroup {} left by a run whose runner (pid {pid}) is gone",
                    Code::R013,
                    parent.join(&name).display()
                );
            }
        }
    }
}

/// The runner pid in a `lxconf.payload.NAME.PID` directory name.
fn stale_runner(name: &str) -> Option<Pid> {
    let rest = name.strip_prefix("lxconf.payload.")?;
    let (_, instance) = rest.rsplit_once('.')?;
    instance.parse::<Pid>().ok().filter(|p| *p > 0)
}

#[cfg(test)]
mod tests;
