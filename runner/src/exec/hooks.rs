//! Running one `lxc.hook.*` command: check its program, fork, confine the child, run
//! `/bin/sh -c` with the hook's environment (its output on the runner's stderr, stdin
//! inherited), and wait. liblxc's `lxc_popen` does the same, except that it keeps the
//! output for its log file.

use crate::plan::{HookStep, ProcessStep};
use crate::sys::{Exit, Fd, Pid, Sys, SysError};
use lxconf_model::lxc_key::Family;
use lxconf_model::{HookKind, Namespace};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The shell liblxc runs hooks with.
const SHELL: &str = "/bin/sh";
/// The status of `sh -c` when the command is not found.
const NOT_FOUND: i32 = 127;

/// A hook that failed the start (or, for stop and post-stop hooks, only a warning).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum HookError {
    /// The hook's program does not exist (where the hook runs: on the host, or in the
    /// container for a start hook).
    #[error("{key} hook program {program} does not exist")]
    NotFound {
        /// `lxc.hook.TYPE`.
        key: String,
        /// The program.
        program: String,
    },
    /// The hook exited with a status other than 0.
    #[error("{key} hook {program} failed: exit status {status}")]
    Failed {
        /// `lxc.hook.TYPE`.
        key: String,
        /// The program.
        program: String,
        /// Its exit status.
        status: i32,
    },
    /// The hook was killed by a signal.
    #[error("{key} hook {program} was killed by signal {signal}")]
    Killed {
        /// `lxc.hook.TYPE`.
        key: String,
        /// The program.
        program: String,
        /// The signal.
        signal: i32,
    },
    /// The hook could not be started or waited for.
    #[error("{key} hook {program}: {error}")]
    Spawn {
        /// `lxc.hook.TYPE`.
        key: String,
        /// The program.
        program: String,
        /// The failure.
        error: SysError,
    },
}

/// What a hook learns at run time.
#[derive(Debug, Default, Clone)]
pub(super) struct HookRuntime {
    /// The runner's pid (the namespace files are its descriptors).
    pub runner: Pid,
    /// The host pid of the container's first process, once cloned.
    pub container: Option<Pid>,
    /// The container's namespaces the runner holds open, in liblxc's order.
    pub namespaces: Vec<(Namespace, Fd)>,
}

impl HookRuntime {
    /// The shell text and environment of `hook` with the run-time additions it asks for.
    fn complete(&self, hook: &HookStep) -> (String, Vec<String>) {
        let mut command = hook.command.clone();
        let mut added = Vec::new();
        if hook.pid_env {
            if let Some(pid) = self.container {
                added.push(format!("LXC_PID={pid}"));
            }
        }
        for (ns, fd) in &self.namespaces {
            let path = format!("/proc/{}/fd/{fd}", self.runner);
            if hook.namespace_env {
                added.push(format!("LXC_{}_NS={path}", ns.name().to_uppercase()));
            }
            if hook.namespace_args {
                command.push_str(&format!(" {}:{path}", ns.name()));
            }
        }
        // A value set here replaces one the runner inherited (liblxc `setenv`s over it).
        let name = |e: &str| e.split_once('=').map_or(e, |(n, _)| n).to_string();
        let replaced: Vec<String> = added.iter().map(|e| name(e)).collect();
        let mut env: Vec<String> = hook
            .env
            .iter()
            .filter(|e| !replaced.contains(&name(e)))
            .cloned()
            .collect();
        env.extend(added);
        env.sort();
        (command, env)
    }
}

/// The namespaces liblxc keeps open for the stop hook, in its order: those the container
/// was cloned with, then the cgroup namespace it made.
pub(super) fn held_namespaces(
    clone: &std::collections::BTreeSet<Namespace>,
    cgroup_unshared: bool,
) -> Vec<Namespace> {
    let mut out: Vec<Namespace> = [
        Namespace::User,
        Namespace::Mnt,
        Namespace::Pid,
        Namespace::Uts,
        Namespace::Ipc,
        Namespace::Net,
    ]
    .into_iter()
    .filter(|ns| clone.contains(ns))
    .collect();
    if cgroup_unshared || clone.contains(&Namespace::Cgroup) {
        out.push(Namespace::Cgroup);
    }
    out
}

/// Run `hook` and wait for it.
pub(super) fn run_hook(
    sys: &dyn Sys,
    hook: &HookStep,
    runtime: &HookRuntime,
) -> Result<(), HookError> {
    let key = Family::Hook.key(hook.kind.name());
    let program = hook.program.clone();
    // An absolute or relative path is checked first, for a clear message; a bare name is
    // searched in PATH by the shell.
    if program.contains('/') && !sys.exists(Path::new(&program)) {
        return Err(HookError::NotFound { key, program });
    }
    let (command, env) = runtime.complete(hook);
    let argv = ["sh".to_string(), "-c".to_string(), command];
    let mut child = || {
        let _ = sys.unblock_signals();
        // The container's stdout stays the command's own.
        if sys.stdout_to_stderr().is_err() {
            return NOT_FOUND;
        }
        for step in &hook.confine {
            let applied = match step {
                ProcessStep::DropBounding { caps } => sys.drop_bounding(caps),
                ProcessStep::NoNewPrivs => sys.no_new_privs(),
                ProcessStep::Seccomp(filter) => sys.seccomp_load(filter).map(drop),
                _ => Ok(()),
            };
            if applied.is_err() {
                return NOT_FOUND;
            }
        }
        match sys.exec(SHELL, &argv, &env) {
            Ok(()) => 0,
            Err(_) => NOT_FOUND,
        }
    };
    let spawned = sys.fork(&mut child).and_then(|pid| sys.wait_pid(pid));
    match spawned {
        Ok(Exit::Code(0)) => Ok(()),
        Ok(Exit::Code(status)) => Err(HookError::Failed {
            key,
            program,
            status,
        }),
        Ok(Exit::Signal(signal)) => Err(HookError::Killed {
            key,
            program,
            signal,
        }),
        Err(error) => Err(HookError::Spawn {
            key,
            program,
            error,
        }),
    }
}

/// Run stop or post-stop hooks: a failure is reported and ends that list, as in liblxc,
/// but does not change the run's result.
pub(super) fn run_ending_hooks(sys: &dyn Sys, hooks: &[HookStep], runtime: &HookRuntime) {
    for hook in hooks {
        debug_assert!(matches!(hook.kind, HookKind::Stop | HookKind::PostStop));
        if let Err(e) = run_hook(sys, hook, runtime) {
            eprintln!("lxconf: {e} (ignored: the container has already stopped)");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_time_values_replace_inherited_ones_and_name_the_runners_descriptors() {
        let hook = HookStep {
            kind: HookKind::Stop,
            command: "exec /x c1 lxc stop".into(),
            program: "/x".into(),
            env: vec!["LXC_PID=1".into(), "PATH=/bin".into()],
            pid_env: true,
            namespace_env: true,
            namespace_args: true,
            confine: Vec::new(),
        };
        let runtime = HookRuntime {
            runner: 50,
            container: Some(51),
            namespaces: vec![(Namespace::Mnt, 3), (Namespace::Net, 4)],
        };
        let (command, env) = runtime.complete(&hook);
        assert_eq!(
            command,
            "exec /x c1 lxc stop mnt:/proc/50/fd/3 net:/proc/50/fd/4"
        );
        assert_eq!(
            env,
            [
                "LXC_MNT_NS=/proc/50/fd/3",
                "LXC_NET_NS=/proc/50/fd/4",
                "LXC_PID=51",
                "PATH=/bin"
            ]
        );
    }
}
