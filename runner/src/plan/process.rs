//! The command's process: working directory, identity, capabilities, and what it execs.

use super::mounts::clean_target;
use super::{ExecSpec, InitMode, PlanError, Planner, ProcessStep, RunOptions};
use lxconf_model::{pointer, Cap, Code, Container};
use std::collections::HashMap;

/// Refuse ids the kernel reads as -1: `setresuid(-1, -1, -1)` changes nothing, so a
/// command meant to run as "uid 4294967295" would run as root with every capability.
pub(super) fn check_init_ids(c: &Container) -> Result<(), PlanError> {
    let bad = |id: u32| id == lxconf_model::values::RESERVED_ID;
    if bad(c.init.uid) {
        return Err(PlanError::InitIdOutOfRange { what: "uid" });
    }
    if bad(c.init.gid) {
        return Err(PlanError::InitIdOutOfRange { what: "gid" });
    }
    if c.init.groups.iter().copied().any(bad) {
        return Err(PlanError::InitIdOutOfRange { what: "group" });
    }
    Ok(())
}

impl Planner<'_> {
    pub(super) fn process_steps(&mut self) -> Result<Vec<ProcessStep>, PlanError> {
        let c = self.c;
        let mut p = vec![ProcessStep::Setsid];
        match (&c.init.cwd, &c.rootfs) {
            // Created inside a root filesystem only: without one the path is the host's, and
            // creating it (as root, before the uid switch) would change the host.
            (Some(cwd), rootfs) => p.push(ProcessStep::Chdir {
                path: clean_target(cwd)?,
                create: rootfs.is_some(),
            }),
            (None, Some(_)) => p.push(ProcessStep::Chdir {
                path: "/".into(),
                create: false,
            }),
            (None, None) => {}
        }
        if !self.dropped.is_empty() {
            p.push(ProcessStep::DropBounding {
                caps: self.dropped.iter().copied().collect(),
            });
        }
        // liblxc loads the filter as root, before the uid switch (docs/runner.md).
        p.extend(self.seccomp()?);
        if c.init.user_name.is_some() || c.init.group_name.is_some() {
            let field = if c.init.user_name.is_some() {
                pointer::INIT_USER_NAME
            } else {
                pointer::INIT_GROUP_NAME
            };
            self.not_applied(
                Code::R006,
                field,
                format!(
                    "the init user or group is given by name and not resolved: the command runs as uid {} gid {}",
                    c.init.uid, c.init.gid
                ),
            );
        }
        p.push(ProcessStep::Setgroups {
            groups: c.init.groups.clone(),
        });
        p.push(ProcessStep::Setgid { gid: c.init.gid });
        p.push(ProcessStep::Setuid { uid: c.init.uid });
        // exec recomputes the sets: as uid 0 permitted = effective = bounding; otherwise empty.
        // Before exec the process keeps exactly the kept capabilities (none for a non-root
        // init), with no inheritable or ambient ones, as liblxc and libvirt leave them (libvirt
        // also clears the inheritable set; it is empty here already).
        let pre_exec: Vec<Cap> = if c.init.uid == 0 {
            Cap::all()
                .filter(|cap| !self.dropped.contains(cap))
                .collect()
        } else {
            Vec::new()
        };
        // libvirt's `policy='deny'` adds each enabled capability to every set, the
        // inheritable one included (libvirt_lxc shows `CapInh` = the enabled ones).
        let inheritable = if matches!(
            c.capabilities,
            lxconf_model::Capabilities::Policy {
                default: lxconf_model::CapPolicyDefault::Deny,
                ..
            }
        ) {
            Cap::all()
                .filter(|cap| !self.dropped.contains(cap))
                .collect()
        } else {
            Vec::new()
        };
        p.push(ProcessStep::SetCaps {
            effective: pre_exec.clone(),
            permitted: pre_exec,
            inheritable,
            ambient: Vec::new(),
        });
        if c.no_new_privs {
            p.push(ProcessStep::NoNewPrivs);
        }
        Ok(p)
    }
}

/// The command and its environment.
pub(super) fn exec_spec(c: &Container, opts: &RunOptions) -> Result<ExecSpec, PlanError> {
    let argv = match &opts.command {
        Some(cmd) if !cmd.is_empty() => cmd.clone(),
        _ => match (&opts.init, &c.init.execute_command) {
            (InitMode::Supervised, Some(cmd)) if !cmd.is_empty() => cmd.clone(),
            _ => c.init.command.clone(),
        },
    };
    if argv.is_empty() {
        return Err(PlanError::NoCommand);
    }
    // A later value replaces an earlier one in place; the index keeps 40,000 lines linear.
    let mut env: Vec<(String, String)> = Vec::new();
    let mut slots: HashMap<&str, usize> = HashMap::new();
    for e in &c.init.env {
        let value = match &e.value {
            Some(v) => v.clone(),
            None => opts
                .host_env
                .get(&e.name)
                .cloned()
                .ok_or_else(|| PlanError::MissingHostEnv(e.name.clone()))?,
        };
        match slots.get(e.name.as_str()) {
            Some(&i) => env[i].1 = value,
            None => {
                slots.insert(&e.name, env.len());
                env.push((e.name.clone(), value));
            }
        }
    }
    Ok(ExecSpec {
        argv,
        env: env.into_iter().map(|(n, v)| format!("{n}={v}")).collect(),
    })
}
