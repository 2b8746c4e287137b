//! Host facts and choices a plan depends on.

use crate::cgroup::CgroupLayout;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How the container's PID 1 behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InitMode {
    /// Like `lxc-execute`: the runner's own code is PID 1; it forks the command (PID 2),
    /// forwards signals to it, reaps orphans and exits with the command's status.
    #[default]
    Supervised,
    /// Like `lxc-start` and libvirt: the command is exec'd as PID 1.
    Direct,
}

/// Host facts and choices the plan depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Command and arguments; `None` runs the model's command.
    pub command: Option<Vec<String>>,
    /// PID 1 behaviour.
    pub init: InitMode,
    /// A short unique word naming this run (cgroup directories, host veth names).
    pub instance: String,
    /// The host's cgroup layout.
    pub cgroups: CgroupLayout,
    /// The runner's environment, for `lxc.environment = NAME` entries without a value.
    pub host_env: BTreeMap<String, String>,
    /// The terminal on the runner's stdin, bound on `/dev/console` when the model has one.
    pub console_tty: Option<String>,
    /// Random bytes for `x` digits in MAC addresses and the boot id.
    pub seed: u64,
    /// Write the cgroup limits the container got (read back from the kernel) to this host
    /// file before the command starts (`lxconf equiv` compares them).
    pub report_limits: Option<PathBuf>,
    /// Run the model's `lxc.hook.*` hooks (false: report them as not run, R004).
    pub run_hooks: bool,
    /// The configuration file the model was read from, as given (hooks get it as
    /// `LXC_CONFIG_FILE`); `None` when it came from stdin.
    pub config_file: Option<String>,
}

impl RunOptions {
    /// Options for this host and process: detected cgroup layout, environment, terminal.
    pub fn detect() -> RunOptions {
        let pid = std::process::id();
        let tty = nix::unistd::ttyname(std::io::stdin())
            .ok()
            .map(|p| p.to_string_lossy().into_owned());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        RunOptions {
            command: None,
            init: InitMode::Supervised,
            instance: format!("{pid}"),
            cgroups: CgroupLayout::detect(),
            host_env: std::env::vars().collect(),
            console_tty: tty,
            seed: nanos ^ (u64::from(pid) << 32),
            report_limits: None,
            run_hooks: true,
            config_file: None,
        }
    }

    /// Fixed options for tests and snapshots.
    pub fn fixed(cgroups: CgroupLayout) -> RunOptions {
        RunOptions {
            command: None,
            init: InitMode::Supervised,
            instance: "t1".into(),
            cgroups,
            host_env: BTreeMap::new(),
            console_tty: None,
            seed: 0x5eed,
            report_limits: None,
            run_hooks: true,
            config_file: None,
        }
    }
}
