//! The engines `lxconf equiv --engine real` runs each configuration on: the one that owns
//! its format. An LXC config runs under `lxc-execute`, a domain XML under libvirt_lxc, an
//! LXD instance YAML under LXD (`engine::lxd`), an lxconf model document (which no other
//! system reads) under `lxconf run`. Each runs the
//! same probe ([`crate::probe::SCRIPT`]) as the container's command or init and gives back
//! the same [`Observations`], so `probe::compare` judges them as it judges two runner runs.

pub mod domain_xml;
pub mod libvirt;
mod limits;
mod lxc;
pub mod lxd;

use crate::probe::{Observations, ProbeError};
use lxconf_model::Container;
use lxconf_parse::Format;
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// How long a real engine may take to run the probe before the container is stopped.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// The section a real engine's probe prints when it is done, then waits: the container is
/// alive while its cgroup limits are read. Not an observation (removed after parsing).
const DONE: &str = "probe done";

/// An engine a container runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// lxconf's own runner (`lxconf run`).
    Lxconf,
    /// liblxc's `lxc-execute`.
    LxcExecute,
    /// libvirt's LXC driver, through `virsh -c lxc:///system`.
    LibvirtLxc,
    /// An LXD daemon, through its `lxc` client.
    Lxd,
}

impl Engine {
    /// The engine that owns a format: the one its files are written for.
    pub fn owner(format: Format) -> Engine {
        match format {
            Format::Lxc => Engine::LxcExecute,
            Format::DomXml => Engine::LibvirtLxc,
            Format::Lxd => Engine::Lxd,
            // A model document (or an fstab file, loaded as a model) is lxconf's own.
            Format::ModelJson | Format::ModelYaml | Format::Fstab => Engine::Lxconf,
        }
    }

    /// The name users know it by.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Lxconf => "lxconf run",
            Engine::LxcExecute => "lxc-execute",
            Engine::LibvirtLxc => "libvirt_lxc",
            Engine::Lxd => "lxd",
        }
    }

    /// Run the probe in `side`'s container on this engine.
    pub fn probe(self, side: &Side<'_>) -> Result<Probed, EngineError> {
        match self {
            Engine::Lxconf => runner(side),
            Engine::LxcExecute => lxc::probe(side),
            Engine::LibvirtLxc => libvirt::probe(side),
            Engine::Lxd => lxd::probe(side),
        }
    }
}

/// The runner: `lxconf run` reads the file again (stdin, read already, from a copy).
fn runner(side: &Side<'_>) -> Result<Probed, EngineError> {
    let copy;
    let file = if side.file == "-" {
        copy = tempfile::NamedTempFile::new().map_err(|source| EngineError::Io {
            engine: Engine::Lxconf.name(),
            what: "copying stdin",
            source,
        })?;
        std::fs::write(copy.path(), side.text).map_err(|source| EngineError::Io {
            engine: Engine::Lxconf.name(),
            what: "copying stdin",
            source,
        })?;
        copy.path().to_string_lossy().into_owned()
    } else {
        side.file.to_string()
    };
    Ok(Probed {
        observations: crate::probe::run(&file, side.include_base)?,
        notes: Vec::new(),
    })
}

/// One configuration to run.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The file as the user named it (`-` for stdin).
    pub file: &'a str,
    /// Its text.
    pub text: &'a str,
    /// `--include-base`: where LXC's relative paths are resolved (the current directory
    /// otherwise, as liblxc does).
    pub include_base: Option<&'a Path>,
    /// The models whose cgroup limit files are read from the container (both sides').
    pub limit_models: &'a [&'a Container],
}

/// What a container saw, and what the reader should know about how it ran.
#[derive(Debug, Clone, Default)]
pub struct Probed {
    /// The probe's observations.
    pub observations: Observations,
    /// Facts about the run ("the domain's own init /sbin/init was not run").
    pub notes: Vec<String>,
}

/// Why an engine gave no observations.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The engine is not installed or cannot be reached here: another engine may stand in
    /// (`--fallback`).
    #[error("{engine} is not available here: {why}")]
    Unavailable {
        /// The engine.
        engine: &'static str,
        /// What is missing.
        why: String,
    },
    /// The engine ran, but the container did not give the probe's observations.
    #[error("{engine} could not run `{file}`: {why}")]
    Failed {
        /// The engine.
        engine: &'static str,
        /// The configuration.
        file: String,
        /// What went wrong, with the engine's own message.
        why: String,
    },
    /// A file or process of the run itself (a temporary directory, a pipe).
    #[error("{engine}: {what}: {source}")]
    Io {
        /// The engine.
        engine: &'static str,
        /// What was being done.
        what: &'static str,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The runner's probe failed.
    #[error(transparent)]
    Runner(#[from] ProbeError),
}

impl EngineError {
    /// True when the engine itself is missing (so another may stand in for it), not when
    /// it refused or failed to run this configuration: that is an answer about the
    /// configuration.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, EngineError::Unavailable { .. })
    }
}

/// The program `name` in `PATH`, if any.
fn find_program(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A name no other container of this run or of another one has: the probe marker's random
/// bits.
fn unique_name(marker: &str) -> String {
    let hex: String = marker
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(16)
        .collect();
    format!("lxconf-equiv-{hex}")
}

/// Parse a real engine's probe output: the sections without the done marker.
fn observations(output: &str, marker: &str) -> Observations {
    let mut obs = crate::probe::parse(output, marker);
    obs.remove(DONE);
    obs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_runs_on_the_engine_that_owns_it() {
        assert_eq!(Engine::owner(Format::Lxc), Engine::LxcExecute);
        assert_eq!(Engine::owner(Format::DomXml), Engine::LibvirtLxc);
        assert_eq!(Engine::owner(Format::ModelJson), Engine::Lxconf);
        assert_eq!(Engine::owner(Format::ModelYaml), Engine::Lxconf);
    }

    #[test]
    fn unique_names_come_from_the_marker() {
        let (a, b) = (crate::probe::marker(), crate::probe::marker());
        assert_ne!(unique_name(&a), unique_name(&b));
        assert_eq!(unique_name(&a).len(), "lxconf-equiv-".len() + 16);
    }

    #[test]
    fn the_done_marker_is_not_an_observation() {
        let obs = observations("@hostname\nweb\n@probe done\n", "@");
        assert_eq!(obs.keys().collect::<Vec<_>>(), ["hostname"]);
    }
}
