//! The pure half of the runner: a [`Container`] and the host facts in [`RunOptions`] become a
//! [`Plan`], an ordered list of typed steps grouped by the process that performs them.
//!
//! Nothing here touches the system, so every decision (which namespaces, which mounts with
//! which flags, which cgroup files, which capabilities) is snapshot-tested without root.
//! The executor ([`crate::exec`]) only walks the plan.
//!
//! One module per concern, each adding steps through a [`Planner`]: [`namespaces`] (clone,
//! join, id maps), [`kernel`] (prlimits, `/proc` and sysctl writes, time offsets),
//! [`network`], [`mounts`] (rootfs, automounts, mount entries), [`dev`] (autodev), and
//! [`process`] (identity, capabilities, the command). [`not_applied`] lists the
//! confinement settings the runner does not apply.

mod dev;
mod error;
mod hooks;
mod kernel;
mod mounts;
mod namespaces;
mod network;
mod not_applied;
mod options;
mod process;
mod seccomp;
mod types;

pub use error::PlanError;
pub use kernel::RLIMITS;
pub use mounts::clean_target;
pub use options::{InitMode, RunOptions};
pub use seccomp::{compile as compile_seccomp, BpfInsn, SeccompFilter};
pub use types::*;

use crate::cgroup::plan_cgroups;
use lxconf_model::{Cap, Code, Container, Namespace};
use std::collections::BTreeSet;

/// True for a key that names one file directly under `/proc/PID`: ASCII letters, digits,
/// `_`, `-` and inner dots, no `/`, no `..`, not empty. liblxc joins the key to the path
/// unchecked, so `lxc.proc.../../etc/x` writes a host file; the parser refuses such keys
/// too, and the runner checks again because a model document reaches it directly.
pub fn proc_key_is_safe(key: &str) -> bool {
    lxconf_model::values::proc_key_problem(key).is_none()
}

/// What every planning step reads, and the findings they add.
struct Planner<'a> {
    c: &'a Container,
    opts: &'a RunOptions,
    /// Namespaces created by `clone`.
    clone: BTreeSet<Namespace>,
    /// Capabilities removed from the bounding set.
    dropped: BTreeSet<Cap>,
    not_applied: Vec<Finding>,
}

impl Planner<'_> {
    /// True when the command keeps capability `name` (a name of the model's table).
    fn keeps(&self, name: &str) -> bool {
        Cap::from_name(name).is_some_and(|cap| !self.dropped.contains(&cap))
    }

    /// True when the container gets its own namespace `ns`.
    fn owns(&self, ns: Namespace) -> bool {
        self.clone.contains(&ns)
    }

    /// Report a setting that is not applied.
    fn not_applied(&mut self, code: Code, pointer: impl Into<String>, message: impl Into<String>) {
        self.not_applied.push(Finding::new(code, pointer, message));
    }
}

/// Plan the run of `c`.
pub fn plan(c: &Container, opts: &RunOptions) -> Result<Plan, PlanError> {
    process::check_init_ids(c)?;
    let ns = namespaces::plan_namespaces(c)?;
    let mut p = Planner {
        c,
        opts,
        clone: ns.clone.clone(),
        dropped: c.capabilities.dropped(),
        not_applied: Vec::new(),
    };

    let dirs = plan_cgroups(
        &opts.cgroups,
        &cgroup_leaf(c, opts),
        &c.resources,
        &c.device_rules,
    )?;
    let mut parent = namespaces::id_maps(c);
    parent.extend(dirs.iter().map(|d| ParentStep::CgroupAttach {
        path: d.path.clone(),
    }));
    parent.extend(kernel::prlimits(c)?);
    parent.extend(kernel::proc_writes(c)?);
    let networks = p.networks()?;
    parent.extend(networks.links.into_iter().map(ParentStep::Link));
    if let Some(to) = &opts.report_limits {
        let files = dirs
            .iter()
            .flat_map(|d| {
                d.writes
                    .iter()
                    .map(|(f, _)| d.path.join(readable_limit_file(f)))
            })
            .fold(Vec::new(), |mut files: Vec<std::path::PathBuf>, f| {
                if !files.contains(&f) {
                    files.push(f);
                }
                files
            });
        parent.push(ParentStep::ReportLimits {
            to: to.clone(),
            files,
        });
    }

    let hooks = hooks::plan_hooks(c, opts, &container_name(c));
    let mut container =
        p.container_steps(&ns, networks.loopback_up, networks.interfaces, &hooks)?;
    let process = p.process_steps()?;
    let exec = process::exec_spec(c, opts)?;
    // The start hooks run last, inside the container, confined as liblxc confines them.
    let confine = start_hook_confinement(&process);
    container.extend(hooks.start.iter().map(|h| {
        ContainerStep::Hook(HookStep {
            confine: confine.clone(),
            ..h.clone()
        })
    }));
    p.not_applied.extend(not_applied::confinement(c));
    if !opts.run_hooks {
        p.not_applied.extend(not_applied::hooks_skipped(c));
    }
    let mut host: Vec<HostStep> = hooks.pre_start.into_iter().map(HostStep::Hook).collect();
    host.extend(dirs.iter().cloned().map(HostStep::Cgroup));

    Ok(Plan {
        name: container_name(c),
        init: opts.init,
        clone: ns.clone,
        join: ns.join,
        host,
        parent,
        container,
        process,
        exec,
        hooks: RunnerHooks {
            start_host: hooks.start_host,
            stop: hooks.stop,
            post_stop: hooks.post_stop,
        },
        cleanup: Cleanup {
            cgroups: dirs.into_iter().map(|d| d.path).collect(),
        },
        not_applied: p.not_applied,
    })
}

/// The process steps liblxc has applied when it runs a start hook: the bounding set is
/// dropped (end of `lxc_setup`), no_new_privs set, then the seccomp policy loaded
/// (`do_start` loads it right before `run_lxc_hooks(.., "start", ..)`); identity and the
/// other sets are not.
fn start_hook_confinement(process: &[ProcessStep]) -> Vec<ProcessStep> {
    let rank = |s: &ProcessStep| match s {
        ProcessStep::DropBounding { .. } => Some(0),
        ProcessStep::NoNewPrivs => Some(1),
        ProcessStep::Seccomp(_) => Some(2),
        _ => None,
    };
    let mut steps: Vec<ProcessStep> = process
        .iter()
        .filter(|s| rank(s).is_some())
        .cloned()
        .collect();
    steps.sort_by_key(rank);
    steps
}

/// The file that shows what a limit file set: the v1 device rules are written to
/// `devices.allow`/`devices.deny`, which cannot be read (EINVAL), and read back from
/// `devices.list`.
fn readable_limit_file(file: &str) -> &str {
    match file {
        "devices.allow" | "devices.deny" => "devices.list",
        other => other,
    }
}

fn container_name(c: &Container) -> String {
    c.name.clone().unwrap_or_else(|| "container".to_string())
}

/// The name of the container's cgroup directories: `lxconf.payload.NAME.INSTANCE`, like
/// LXC's `lxc.payload.NAME`, with the instance (the runner's pid) that finds stale ones.
fn cgroup_leaf(c: &Container, opts: &RunOptions) -> String {
    let name: String = container_name(c)
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    format!("lxconf.payload.{name}.{}", opts.instance)
}

impl Planner<'_> {
    /// The container process's steps as root, in liblxc's `lxc_setup` order.
    fn container_steps(
        &mut self,
        ns: &namespaces::Namespaces,
        loopback_up: bool,
        interfaces: Vec<IfConfig>,
        hooks: &hooks::PlannedHooks,
    ) -> Result<Vec<ContainerStep>, PlanError> {
        let mut steps = Vec::new();
        if ns.unshare_cgroup {
            steps.push(ContainerStep::UnshareCgroupNs);
        }
        let rootfs = self.rootfs()?;
        self.root_steps(rootfs, &mut steps)?;
        // liblxc runs pre-mount hooks once `/` is a slave, before the rootfs is mounted.
        let before_rootfs = steps
            .iter()
            .position(|s| {
                !matches!(
                    s,
                    ContainerStep::UnshareCgroupNs | ContainerStep::MakeRootSlave
                )
            })
            .unwrap_or(steps.len());
        let pre_mount = hooks.pre_mount.iter().cloned().map(ContainerStep::Hook);
        steps.splice(before_rootfs..before_rootfs, pre_mount);
        self.detach_host_dev(&mut steps);
        self.hostname(&mut steps);
        if loopback_up {
            steps.push(ContainerStep::LoopbackUp);
        }
        steps.extend(interfaces.into_iter().map(ContainerStep::Interface));
        self.dev_tmpfs(&mut steps);
        self.proc_automount(&mut steps);
        self.sys_automount(&mut steps);
        self.shmounts(&mut steps)?;
        mounts::mount_entries(&self.c.mounts, self.c.libvirt.is_some(), &mut steps)?;
        self.cgroup_automount(ns.unshare_cgroup, &mut steps);
        // Mount hooks after every mount; autodev hooks before `/dev` is populated.
        let mount_hooks = hooks.mount.iter().chain(&hooks.autodev).cloned();
        steps.extend(mount_hooks.map(ContainerStep::Hook));
        self.dev_nodes(&mut steps)?;
        // liblxc writes the offsets through the host's /proc (the parent writes
        // /proc/PID/timens_offsets): before pivot_root the host's /proc is still there, so
        // a container without a proc automount gets its offsets too.
        if ns.time {
            steps.push(kernel::time_namespace(self.c));
        }
        if let Some(r) = rootfs {
            mounts::pivot_root(r, &mut steps);
        }
        self.boot_id(&mut steps);
        kernel::sysctls(self.c, &mut steps)?;
        Ok(steps)
    }

    /// `sethostname` in the container's own UTS namespace; in a shared one it would rename
    /// the host.
    fn hostname(&mut self, steps: &mut Vec<ContainerStep>) {
        let Some(h) = &self.c.hostname else {
            return;
        };
        if self.owns(Namespace::Uts) {
            steps.push(ContainerStep::Hostname { name: h.clone() });
        } else {
            self.not_applied(
                Code::R009,
                lxconf_model::pointer::HOSTNAME,
                "the hostname is not set: the UTS namespace is shared",
            );
        }
    }
}

#[cfg(test)]
mod tests;
