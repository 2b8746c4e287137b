//! The one narrow door to the kernel.
//!
//! Every system call the executor makes goes through [`Sys`]. [`linux::LinuxSys`] makes the
//! real calls (and holds the crate's only `unsafe`); [`record::RecordSys`] records typed
//! [`record::Call`]s so the executor's order and arguments are tested without root. The
//! double is passed in explicitly; nothing switches on `cfg!(test)`.

pub mod linux;
pub mod netlink;
pub mod record;
mod seccomp;

use crate::plan::{DevNode, IfConfig, LinkCreate, MountStep};
use lxconf_model::{Cap, Namespace};
use std::collections::BTreeSet;
use std::path::Path;

/// A process id.
pub type Pid = i32;
/// A file descriptor number owned by the executor.
pub type Fd = i32;

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `exit(code)`.
    Code(i32),
    /// Killed by a signal.
    Signal(i32),
}

impl Exit {
    /// The shell convention: the code, or 128 + the signal number.
    pub fn status(self) -> i32 {
        match self {
            Exit::Code(c) => c,
            Exit::Signal(s) => 128 + s,
        }
    }
}

/// Result of a non-blocking wait for any child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reap {
    /// A child ended.
    Reaped(Pid, Exit),
    /// Children exist, none ended.
    NoneReady,
    /// No children left.
    NoChildren,
}

/// A failed system call. Serializable: the container process sends it to the runner inside
/// a [`crate::exec::SetupError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{op}: {detail}")]
pub struct SysError {
    /// What was attempted.
    pub op: String,
    /// errno, when the kernel gave one.
    pub errno: Option<i32>,
    /// Details.
    pub detail: String,
}

impl SysError {
    /// An error from an errno.
    pub fn errno(op: impl Into<String>, errno: i32) -> SysError {
        SysError {
            op: op.into(),
            errno: Some(errno),
            detail: std::io::Error::from_raw_os_error(errno).to_string(),
        }
    }
    /// An error without errno.
    pub fn msg(op: impl Into<String>, detail: impl Into<String>) -> SysError {
        SysError {
            op: op.into(),
            errno: None,
            detail: detail.into(),
        }
    }
    /// True for EPERM/EACCES.
    pub fn is_permission(&self) -> bool {
        matches!(self.errno, Some(libc::EPERM) | Some(libc::EACCES))
    }
    /// True for ENOENT.
    pub fn is_not_found(&self) -> bool {
        self.errno == Some(libc::ENOENT)
    }
}

/// Result of a system call.
pub type SysResult<T> = Result<T, SysError>;

/// Every system call the runner makes.
pub trait Sys {
    // Files on the host (cgroupfs, /proc).
    /// `mkdir -p`.
    fn mkdir_all(&self, path: &Path) -> SysResult<()>;
    /// Write a whole file (no create, no truncate semantics beyond `write`).
    fn write_file(&self, path: &Path, data: &str) -> SysResult<()>;
    /// Read a whole file.
    fn read_file(&self, path: &Path) -> SysResult<String>;
    /// `rmdir`.
    fn rmdir(&self, path: &Path) -> SysResult<()>;
    /// Names of the subdirectories of `path`.
    fn list_dirs(&self, path: &Path) -> SysResult<Vec<String>>;
    /// Create or truncate a host file and write `data` (mode 0600).
    fn write_new(&self, path: &Path, data: &str) -> SysResult<()>;
    /// True when `path` exists (used for the PATH search of the command).
    fn exists(&self, path: &Path) -> bool;

    // Pipes.
    /// A close-on-exec pipe (read end, write end).
    fn pipe(&self) -> SysResult<(Fd, Fd)>;
    /// Close a descriptor.
    fn close(&self, fd: Fd);
    /// Read until end of file.
    fn read_to_end(&self, fd: Fd) -> SysResult<Vec<u8>>;
    /// Write all bytes.
    fn write_all(&self, fd: Fd, data: &[u8]) -> SysResult<()>;

    // Processes.
    /// Fork a process that runs `on_orphaned` once the caller dies without disarming it
    /// (the returned descriptor: write `d` to it, then close it). It ignores terminal signals.
    /// The watcher closes `close` first (descriptors whose end-of-file others wait for).
    fn fork_watcher(&self, close: &[Fd], on_orphaned: &mut dyn FnMut()) -> SysResult<Fd>;
    /// `clone` a child in new namespaces; the child runs `child` and exits with its value.
    /// `parent` runs in the caller right after the clone, while the child waits for it
    /// (the double runs `parent` before `child`, keeping the real order in its record).
    fn clone_child(
        &self,
        namespaces: &BTreeSet<Namespace>,
        child: &mut dyn FnMut() -> i32,
        parent: &mut dyn FnMut(Pid),
    ) -> SysResult<Pid>;
    /// `fork`; the child runs `child` and exits with its value.
    fn fork(&self, child: &mut dyn FnMut() -> i32) -> SysResult<Pid>;
    /// Non-blocking wait for one child.
    fn try_wait(&self, pid: Pid) -> SysResult<Option<Exit>>;
    /// Non-blocking wait for any child (PID 1's reaper).
    fn reap_any(&self) -> SysResult<Reap>;
    /// `kill`.
    fn kill(&self, pid: Pid, signal: i32) -> SysResult<()>;
    /// `PR_SET_PDEATHSIG`, then exit at once if the parent `expected_parent` is already gone.
    fn set_parent_death_signal(&self, signal: i32, expected_parent: Pid) -> SysResult<()>;
    /// The caller's pid.
    fn getpid(&self) -> Pid;
    /// Block the signals the runner forwards (and SIGCHLD), so they are collected by
    /// [`Sys::next_signal`].
    fn block_signals(&self) -> SysResult<()>;
    /// Unblock them again (before exec).
    fn unblock_signals(&self) -> SysResult<()>;
    /// Wait up to `timeout_ms` for a blocked signal.
    fn next_signal(&self, timeout_ms: u32) -> SysResult<Option<i32>>;
    /// `alarm`.
    fn alarm(&self, seconds: u32);
    /// `_exit`.
    fn exit(&self, code: i32) -> !;
    /// `prlimit` on another process.
    fn prlimit(
        &self,
        pid: Pid,
        resource: u32,
        soft: Option<u64>,
        hard: Option<u64>,
    ) -> SysResult<()>;

    // Namespaces and identity.
    /// `setns` on a namespace file.
    fn setns(&self, path: &str, ns: Namespace) -> SysResult<()>;
    /// `unshare`.
    fn unshare(&self, ns: Namespace) -> SysResult<()>;
    /// `sethostname`.
    fn sethostname(&self, name: &str) -> SysResult<()>;
    /// `setsid`.
    fn setsid(&self) -> SysResult<()>;
    /// `setgroups`.
    fn setgroups(&self, groups: &[u32]) -> SysResult<()>;
    /// `setresgid`.
    fn setgid(&self, gid: u32) -> SysResult<()>;
    /// `PR_SET_KEEPCAPS` then `setresuid`.
    fn setuid(&self, uid: u32) -> SysResult<()>;
    /// `chdir`, optionally creating the directory first.
    fn chdir(&self, path: &str, create: bool) -> SysResult<()>;
    /// `PR_CAPBSET_DROP` for each capability the kernel knows.
    fn drop_bounding(&self, caps: &[Cap]) -> SysResult<()>;
    /// `capset` of the three sets, then the ambient set.
    fn set_caps(
        &self,
        effective: &[Cap],
        permitted: &[Cap],
        inheritable: &[Cap],
        ambient: &[Cap],
    ) -> SysResult<()>;
    /// `PR_SET_NO_NEW_PRIVS`.
    fn no_new_privs(&self) -> SysResult<()>;
    /// Load a seccomp filter (without no_new_privs); with `unless_confined`, load nothing
    /// when the process already runs under a filter. Returns whether it was loaded.
    fn seccomp_load(&self, filter: &crate::plan::SeccompFilter) -> SysResult<bool>;
    /// `execve`; returns only on failure (a double returns `Ok`).
    fn exec(&self, path: &str, argv: &[String], env: &[String]) -> SysResult<()>;

    // Filesystem inside a root. Paths are absolute in the container; `root` is the rootfs
    // before pivot (`/` for the host root or after pivot). Targets are resolved without
    // leaving `root`.
    /// One mount step.
    fn mount(&self, root: &Path, step: &MountStep) -> SysResult<()>;
    /// `mkdir` (parents created) with `mode`.
    fn mkdir_in(&self, root: &Path, path: &str, mode: u32) -> SysResult<()>;
    /// `mknod` of a character device.
    fn mknod_in(&self, root: &Path, node: &DevNode) -> SysResult<()>;
    /// `symlink` unless something is at `path`.
    fn symlink_in(&self, root: &Path, path: &str, to: &str) -> SysResult<()>;
    /// Create or replace a file with `data` and `mode`.
    fn write_in(&self, root: &Path, path: &str, data: &str, mode: u32) -> SysResult<()>;
    /// Open `count` ptys on the devpts at `root`/dev/pts (close-on-exec masters kept open
    /// for the life of the process). Returns their numbers (`/dev/pts/N`).
    fn open_ptys(&self, root: &Path, count: u32) -> SysResult<Vec<u32>>;
    /// `umount2(MNT_DETACH)` of the mount at `path`; nothing mounted there is not an error.
    fn detach_tree(&self, root: &Path, path: &str) -> SysResult<()>;
    /// `pivot_root` into `new_root` and detach the old root.
    fn pivot_root(&self, new_root: &Path) -> SysResult<()>;

    // Network.
    /// Create a link for the container whose init is `pid`. Returns the index of the host
    /// interface the call created and left on the host (a veth's host end), `None` when
    /// nothing of it stays on the host. On failure, nothing the call created is left.
    fn link_create(&self, link: &LinkCreate, pid: Pid) -> SysResult<Option<u32>>;
    /// Delete host interface `index` if it still exists under `name` (the one this run
    /// created, never another interface that took the name).
    fn link_delete(&self, name: &str, index: u32) -> SysResult<()>;
    /// Open the network namespace of `pid` (keeps it alive while open).
    fn open_netns(&self, pid: Pid) -> SysResult<Fd>;
    /// Move interface `name` from the network namespace `netns` back into the caller's,
    /// renamed `host_name`.
    fn link_return(&self, netns: Fd, name: &str, host_name: &str) -> SysResult<()>;
    /// Configure an interface in the caller's network namespace.
    fn if_configure(&self, config: &IfConfig) -> SysResult<()>;

    // Hooks.
    /// Wait (blocking) for child `pid` to end.
    fn wait_pid(&self, pid: Pid) -> SysResult<Exit>;
    /// Make the caller's stdout a copy of its stderr (a hook's output stays off the
    /// container's stdout).
    fn stdout_to_stderr(&self) -> SysResult<()>;
    /// Open namespace `ns` of process `pid` (`/proc/PID/ns/NAME`, close-on-exec).
    fn open_ns(&self, pid: Pid, ns: Namespace) -> SysResult<Fd>;
}
