//! `lxc.hook.*`: which hooks run, in which process, with which command line and
//! environment, as liblxc 5.0.2 runs them (measured with `lxc-execute`; docs/runner.md,
//! "Hooks").
//!
//! Every hook is a shell command run as `/bin/sh -c "exec COMMAND [NAME lxc TYPE]"`, the
//! arguments only with `lxc.hook.version = 0`. Its environment is the runner's own, plus
//! the `LXC_*` variables liblxc sets, plus `lxc.environment` for the hooks liblxc runs from
//! the container's process (pre-mount, mount, autodev, start). Values known only at run
//! time (the container's pid, the namespace files of the stop hook) are marked on the step
//! and added by the executor.

use super::types::HookStep;
use super::RunOptions;
use lxconf_model::{Container, HookKind, LogLevel};
use std::collections::BTreeMap;

/// The hooks of a run, by the point where they run.
#[derive(Debug, Default)]
pub(super) struct PlannedHooks {
    /// Runner, host context, before anything is created.
    pub pre_start: Vec<HookStep>,
    /// Container process, before the root filesystem is mounted.
    pub pre_mount: Vec<HookStep>,
    /// Container process, after every mount, before `/dev` is populated.
    pub mount: Vec<HookStep>,
    /// Container process, after the mount hooks, when autodev is on.
    pub autodev: Vec<HookStep>,
    /// Container process, inside the container after `pivot_root`.
    pub start: Vec<HookStep>,
    /// Runner, host context, once the container is set up, before its command starts.
    pub start_host: Vec<HookStep>,
    /// Runner, host context, after the container ended.
    pub stop: Vec<HookStep>,
    /// Runner, host context, after the container's cgroups were removed.
    pub post_stop: Vec<HookStep>,
}

/// Plan every hook of `c` (the start hooks' confinement is added by the caller, from the
/// command's process steps).
pub(super) fn plan_hooks(c: &Container, opts: &RunOptions, name: &str) -> PlannedHooks {
    let mut out = PlannedHooks::default();
    // Without hooks nothing is computed: a run without hooks costs nothing more.
    if !opts.run_hooks || c.hooks.hooks.is_empty() {
        return out;
    }
    let base = base_env(c, opts, name);
    let container_env = container_env(c, opts);
    let mut first_start = true;
    for hook in &c.hooks.hooks {
        let kind = hook.kind;
        let in_container = matches!(
            kind,
            HookKind::PreMount | HookKind::Mount | HookKind::Autodev | HookKind::Start
        );
        let mut env = base.clone();
        if c.hooks.version > 0 {
            env.insert("LXC_HOOK_TYPE".into(), kind.name().into());
            env.insert("LXC_HOOK_SECTION".into(), "lxc".into());
        }
        if matches!(kind, HookKind::Stop | HookKind::PostStop) {
            env.insert("LXC_TARGET".into(), "stop".into());
        }
        if in_container {
            env.extend(container_env.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        // liblxc checks that the first start hook's whole line is an executable in the
        // container before it starts anything there: a start hook line with arguments
        // fails the start, and does here too.
        let program = if kind == HookKind::Start && std::mem::take(&mut first_start) {
            hook.command.trim().to_string()
        } else {
            hook.command
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        };
        let step = HookStep {
            kind,
            command: shell_command(&hook.command, c.hooks.version, name, kind),
            program,
            env: env.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
            pid_env: matches!(
                kind,
                HookKind::StartHost | HookKind::Stop | HookKind::PostStop
            ),
            namespace_env: matches!(kind, HookKind::Stop | HookKind::PostStop),
            namespace_args: kind == HookKind::Stop && c.hooks.version == 0,
            confine: Vec::new(),
        };
        let list = match kind {
            HookKind::PreStart => &mut out.pre_start,
            HookKind::PreMount => &mut out.pre_mount,
            HookKind::Mount => &mut out.mount,
            HookKind::Autodev if c.dev.autodev => &mut out.autodev,
            HookKind::Start => &mut out.start,
            HookKind::StartHost => &mut out.start_host,
            HookKind::Stop => &mut out.stop,
            HookKind::PostStop => &mut out.post_stop,
            // liblxc runs autodev hooks only with autodev, and clone/destroy hooks when a
            // container is copied or destroyed, never when one starts.
            HookKind::Autodev | HookKind::Clone | HookKind::Destroy => continue,
        };
        list.push(step);
    }
    out
}

/// `exec COMMAND NAME lxc TYPE` (version 0) or `exec COMMAND` (version 1), for `sh -c`.
/// The command is shell text, as in liblxc; the name is quoted when it holds anything but
/// plain characters (liblxc pastes it unquoted, so a name with a space or `;` would split
/// the command line or run a second command).
fn shell_command(command: &str, version: u8, name: &str, kind: HookKind) -> String {
    if version == 0 {
        format!("exec {command} {} lxc {}", shell_word(name), kind.name())
    } else {
        format!("exec {command}")
    }
}

/// `word` as one shell word: unchanged when it is plain, else in single quotes.
pub(crate) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.,:/@+=%".contains(ch));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The runner's environment and the `LXC_*` variables every hook gets (liblxc sets them
/// in its own process before the pre-start hooks, so every later hook inherits them).
fn base_env(c: &Container, opts: &RunOptions, name: &str) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = opts.host_env.clone().into_iter().collect();
    let mut set = |k: &str, v: &str| {
        env.insert(k.to_string(), v.to_string());
    };
    set("LXC_NAME", name);
    if let Some(file) = &opts.config_file {
        set("LXC_CONFIG_FILE", file);
    }
    // liblxc mounts the rootfs at its own directory and names it here; lxconf binds the
    // rootfs on itself, so that is where a mount hook finds it. Without a rootfs the
    // container sees the host's root.
    let rootfs = c.rootfs.as_ref().map(|r| r.path.as_str());
    set("LXC_ROOTFS_MOUNT", rootfs.unwrap_or("/"));
    if let Some(path) = rootfs {
        set("LXC_ROOTFS_PATH", path);
    }
    if !c.console.enabled {
        set("LXC_CONSOLE", "none");
    } else if let Some(path) = &c.console.path {
        set("LXC_CONSOLE", path);
    }
    if let Some(log) = &c.console.logfile {
        set("LXC_CONSOLE_LOGPATH", log);
    }
    // Every kernel the runner supports has cgroup namespaces.
    set("LXC_CGNS_AWARE", "1");
    set("LXC_LOG_LEVEL", log_level_name(c.logging.level));
    set(
        "LXC_HOOK_VERSION",
        if c.hooks.version == 0 { "0" } else { "1" },
    );
    env
}

/// `lxc.environment` as liblxc sets it in the container's process before its hooks:
/// the configured entries, without the `container=lxc` liblxc adds only for the command
/// (the LXC reader appends it to the model's environment).
fn container_env(c: &Container, opts: &RunOptions) -> Vec<(String, String)> {
    let mut entries: &[lxconf_model::EnvVar] = &c.init.env;
    if let Some((last, rest)) = entries.split_last() {
        if last.name == "container" && last.value.as_deref() == Some("lxc") {
            entries = rest;
        }
    }
    entries
        .iter()
        .filter_map(|e| {
            let value = e
                .value
                .clone()
                .or_else(|| opts.host_env.get(&e.name).cloned())?;
            Some((e.name.clone(), value))
        })
        .collect()
}

/// liblxc's name of a log level (`lxc_log_priority_to_string`).
fn log_level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Trace => "TRACE",
        LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Notice => "NOTICE",
        LogLevel::Warn => "WARN",
        LogLevel::Error => "ERROR",
        LogLevel::Crit => "CRIT",
        LogLevel::Alert => "ALERT",
        LogLevel::Fatal => "FATAL",
    }
}

#[cfg(test)]
#[path = "hooks_tests.rs"]
mod tests;
