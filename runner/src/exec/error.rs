//! How a run fails: in the runner, or in the container's setup (reported over a pipe).

use super::hooks::HookError;
use crate::plan::PlanError;
use crate::sys::SysError;
use lxconf_model::lxc_key::Family;
use lxconf_model::{Code, Namespace};
use serde::{Deserialize, Serialize};

/// A failed run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The model cannot be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A system call of the runner failed.
    #[error(transparent)]
    Sys(#[from] SysError),
    /// The container's setup failed before its command ran.
    #[error("container setup failed: {0}")]
    Container(#[from] SetupError),
    /// A veth host name (or another interface the run would create) already exists.
    #[error("{0}: the run stops here and leaves that interface alone")]
    InterfaceExists(SysError),
    /// A pre-start or start-host hook failed, which fails the start as in liblxc.
    #[error(transparent)]
    Hook(#[from] HookError),
}

impl RunError {
    /// The diagnostic code, for the errors that have one.
    pub fn code(&self) -> Option<Code> {
        match self {
            RunError::Plan(e) => Some(e.code()),
            RunError::InterfaceExists(_) => Some(Code::R012),
            _ => None,
        }
    }
}

/// A failure of the container process or the command's process before exec.
///
/// These processes cannot return to the runner: they write the error as JSON to a
/// close-on-exec pipe, and the runner reads it back ([`SetupError::from_report`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum SetupError {
    /// `PR_SET_PDEATHSIG` failed, or the runner was already gone.
    #[error("{0}")]
    ParentDeathSignal(SysError),
    /// A shared namespace could not be joined.
    #[error("joining the {ns} namespace at {path}: {error}")]
    JoinNamespace {
        /// The namespace.
        ns: Namespace,
        /// Its namespace file.
        path: String,
        /// The failure.
        error: SysError,
    },
    /// Becoming uid and gid 0 in a new user namespace failed.
    #[error("becoming root in the user namespace: {0}")]
    BecomeRoot(SysError),
    /// A container step failed.
    #[error("{step}: {error}")]
    ContainerStep {
        /// The step, described.
        step: String,
        /// The failure.
        error: SysError,
    },
    /// A sysctl key that is not a plain name reached the executor.
    #[error("{}: not a plain sysctl name, refused", Family::Sysctl.key(key))]
    UnsafeSysctl {
        /// The key.
        key: String,
    },
    /// Forking the command (supervised init) failed.
    #[error("{0}")]
    Fork(SysError),
    /// Waiting for the command (supervised init) failed.
    #[error("{0}")]
    Supervise(SysError),
    /// Unblocking signals in the command's process failed.
    #[error("{0}")]
    UnblockSignals(SysError),
    /// A step of the command's process failed.
    #[error("{step}: {error}")]
    ProcessStep {
        /// The step, as JSON.
        step: String,
        /// The failure.
        error: SysError,
    },
    /// The plan has no command.
    #[error("no command")]
    NoCommand,
    /// `execve` failed.
    #[error("executing {path}: {error}")]
    Exec {
        /// The resolved program path.
        path: String,
        /// The failure.
        error: SysError,
    },
    /// A pre-mount, mount, autodev or start hook failed.
    #[error("{0}")]
    Hook(HookError),
    /// A report that is not one of these (written by a process that died mid-write, or
    /// two reports at once): its text.
    #[error("{0}")]
    Unreadable(String),
}

impl SetupError {
    /// The bytes written to the error pipe.
    pub(crate) fn to_report(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| self.to_string().into_bytes())
    }

    /// The error read back from the pipe.
    pub(crate) fn from_report(report: &[u8]) -> SetupError {
        serde_json::from_slice(report).unwrap_or_else(|_| {
            SetupError::Unreadable(String::from_utf8_lossy(report).trim().to_string())
        })
    }
}
