//! A recording double for [`Sys`]: every call becomes a typed [`Call`], nothing touches the
//! system. Child processes run inline, so one recording holds the parent's and the
//! container's calls in the order a real run would make them (parent up to the "go" byte,
//! then the child, then the parent's wait).

use super::{Exit, Fd, Pid, Reap, Sys, SysError, SysResult};
use crate::plan::{DevNode, IfConfig, LinkCreate, MountStep};
use lxconf_model::{Cap, Namespace};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "call", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Call {
    MkdirAll {
        path: String,
    },
    WriteFile {
        path: String,
        data: String,
    },
    ReadFile {
        path: String,
    },
    Rmdir {
        path: String,
    },
    ListDirs {
        path: String,
    },
    WriteNew {
        path: String,
        data: String,
    },
    ForkWatcher {
        close: Vec<Fd>,
    },
    CloneChild {
        namespaces: Vec<Namespace>,
        pid: Pid,
    },
    ChildExit {
        pid: Pid,
        code: i32,
    },
    Fork {
        pid: Pid,
    },
    Kill {
        pid: Pid,
        signal: i32,
    },
    ParentDeathSignal {
        signal: i32,
    },
    BlockSignals,
    UnblockSignals,
    Prlimit {
        pid: Pid,
        resource: u32,
        soft: Option<u64>,
        hard: Option<u64>,
    },
    Setns {
        path: String,
        ns: Namespace,
    },
    Unshare {
        ns: Namespace,
    },
    Sethostname {
        name: String,
    },
    Setsid,
    Setgroups {
        groups: Vec<u32>,
    },
    Setgid {
        gid: u32,
    },
    Setuid {
        uid: u32,
    },
    Chdir {
        path: String,
        create: bool,
    },
    DropBounding {
        caps: Vec<Cap>,
    },
    SetCaps {
        effective: usize,
        permitted: usize,
        inheritable: usize,
        ambient: usize,
    },
    NoNewPrivs,
    SeccompLoad {
        instructions: usize,
        unless_confined: bool,
    },
    Exec {
        path: String,
        argv: Vec<String>,
        env: Vec<String>,
    },
    Mount {
        root: String,
        step: MountStep,
    },
    Mkdir {
        root: String,
        path: String,
        mode: u32,
    },
    Mknod {
        root: String,
        node: DevNode,
    },
    Symlink {
        root: String,
        path: String,
        to: String,
    },
    Write {
        root: String,
        path: String,
        mode: u32,
    },
    OpenPtys {
        root: String,
        count: u32,
    },
    DetachTree {
        root: String,
        path: String,
    },
    PivotRoot {
        root: String,
    },
    LinkCreate {
        link: LinkCreate,
        pid: Pid,
    },
    LinkDelete {
        name: String,
        index: u32,
    },
    OpenNetns {
        pid: Pid,
    },
    LinkReturn {
        netns: Fd,
        name: String,
        host_name: String,
    },
    IfConfigure {
        config: IfConfig,
    },
    WaitPid {
        pid: Pid,
    },
    StdoutToStderr,
    OpenNs {
        pid: Pid,
        ns: Namespace,
    },
}

/// The recording double.
#[derive(Debug, Default)]
pub struct RecordSys {
    calls: RefCell<Vec<Call>>,
    next_pid: Cell<Pid>,
    /// Exit of the command (the last process forked or cloned).
    pub command_exit: Cell<Option<Exit>>,
    /// Operations (by `Call` tag, e.g. `mknod`) that fail with EPERM.
    pub fail_eperm: RefCell<BTreeSet<&'static str>>,
    /// Paths reported as existing by [`Sys::exists`].
    pub existing: RefCell<BTreeSet<String>>,
    /// Contents returned by [`Sys::read_file`], by path (empty otherwise).
    pub files: RefCell<BTreeMap<String, String>>,
    /// Subdirectories returned by [`Sys::list_dirs`], by path (none otherwise).
    pub dirs: RefCell<BTreeMap<String, Vec<String>>>,
    /// Pids [`Sys::kill`] reports as gone (ESRCH).
    pub dead: RefCell<BTreeSet<Pid>>,
    /// How many [`Sys::try_wait`] calls report the process as still running.
    pub running_polls: Cell<u32>,
    /// Errors [`Sys::link_create`] returns, by interface name (host end or container name).
    pub link_errors: RefCell<BTreeMap<String, i32>>,
    signals: RefCell<VecDeque<i32>>,
    children: RefCell<Vec<Pid>>,
    pipe_data: RefCell<VecDeque<Vec<u8>>>,
    /// Exit codes of forked children, by pid (what [`Sys::wait_pid`] returns).
    exits: RefCell<BTreeMap<Pid, i32>>,
    /// Exit statuses of hooks: a child whose exec'd shell text contains the key exits
    /// with the value.
    pub hook_status: RefCell<BTreeMap<String, i32>>,
}

impl RecordSys {
    /// A double whose command exits with 0.
    pub fn new() -> RecordSys {
        let r = RecordSys::default();
        r.next_pid.set(100);
        r
    }

    /// The calls so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// Deliver `signal` to the next [`Sys::next_signal`].
    pub fn queue_signal(&self, signal: i32) {
        self.signals.borrow_mut().push_back(signal);
    }

    fn push(&self, call: Call) {
        self.calls.borrow_mut().push(call);
    }

    fn eperm(&self, op: &'static str) -> SysResult<()> {
        if self.fail_eperm.borrow().contains(op) {
            Err(SysError::errno(op, libc::EPERM))
        } else {
            Ok(())
        }
    }

    fn new_pid(&self) -> Pid {
        let pid = self.next_pid.get();
        self.next_pid.set(pid + 1);
        self.children.borrow_mut().push(pid);
        pid
    }
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

impl Sys for RecordSys {
    fn mkdir_all(&self, path: &Path) -> SysResult<()> {
        self.push(Call::MkdirAll { path: p(path) });
        Ok(())
    }
    fn write_file(&self, path: &Path, data: &str) -> SysResult<()> {
        self.push(Call::WriteFile {
            path: p(path),
            data: data.to_string(),
        });
        Ok(())
    }
    fn read_file(&self, path: &Path) -> SysResult<String> {
        self.push(Call::ReadFile { path: p(path) });
        Ok(self
            .files
            .borrow()
            .get(&p(path))
            .cloned()
            .unwrap_or_default())
    }
    fn rmdir(&self, path: &Path) -> SysResult<()> {
        self.push(Call::Rmdir { path: p(path) });
        Ok(())
    }
    fn list_dirs(&self, path: &Path) -> SysResult<Vec<String>> {
        self.push(Call::ListDirs { path: p(path) });
        Ok(self
            .dirs
            .borrow()
            .get(&p(path))
            .cloned()
            .unwrap_or_default())
    }
    fn write_new(&self, path: &Path, data: &str) -> SysResult<()> {
        self.push(Call::WriteNew {
            path: p(path),
            data: data.to_string(),
        });
        Ok(())
    }
    fn exists(&self, path: &Path) -> bool {
        self.existing.borrow().contains(&p(path))
    }
    fn pipe(&self) -> SysResult<(Fd, Fd)> {
        Ok((-1, -1))
    }
    fn close(&self, _fd: Fd) {}
    fn read_to_end(&self, _fd: Fd) -> SysResult<Vec<u8>> {
        Ok(self.pipe_data.borrow_mut().pop_front().unwrap_or_default())
    }
    fn write_all(&self, _fd: Fd, data: &[u8]) -> SysResult<()> {
        self.pipe_data.borrow_mut().push_back(data.to_vec());
        Ok(())
    }
    fn fork_watcher(&self, close: &[Fd], _on_orphaned: &mut dyn FnMut()) -> SysResult<Fd> {
        self.push(Call::ForkWatcher {
            close: close.to_vec(),
        });
        Ok(-1)
    }
    fn clone_child(
        &self,
        namespaces: &BTreeSet<Namespace>,
        child: &mut dyn FnMut() -> i32,
        parent: &mut dyn FnMut(Pid),
    ) -> SysResult<Pid> {
        let pid = self.new_pid();
        self.push(Call::CloneChild {
            namespaces: namespaces.iter().copied().collect(),
            pid,
        });
        parent(pid);
        let code = child();
        self.push(Call::ChildExit { pid, code });
        if self.command_exit.get().is_none() {
            self.command_exit.set(Some(Exit::Code(code)));
        }
        Ok(pid)
    }
    fn fork(&self, child: &mut dyn FnMut() -> i32) -> SysResult<Pid> {
        let pid = self.new_pid();
        self.push(Call::Fork { pid });
        let code = child();
        self.push(Call::ChildExit { pid, code });
        self.exits.borrow_mut().insert(pid, code);
        Ok(pid)
    }
    fn try_wait(&self, _pid: Pid) -> SysResult<Option<Exit>> {
        if self.running_polls.get() > 0 {
            self.running_polls.set(self.running_polls.get() - 1);
            return Ok(None);
        }
        Ok(Some(self.command_exit.get().unwrap_or(Exit::Code(0))))
    }
    fn reap_any(&self) -> SysResult<Reap> {
        let next = self.children.borrow_mut().pop();
        Ok(match next {
            Some(pid) => Reap::Reaped(pid, self.command_exit.get().unwrap_or(Exit::Code(0))),
            None => Reap::NoChildren,
        })
    }
    fn kill(&self, pid: Pid, signal: i32) -> SysResult<()> {
        self.push(Call::Kill { pid, signal });
        if self.dead.borrow().contains(&pid) {
            return Err(SysError::errno("kill", libc::ESRCH));
        }
        Ok(())
    }
    fn set_parent_death_signal(&self, signal: i32, _expected_parent: Pid) -> SysResult<()> {
        self.push(Call::ParentDeathSignal { signal });
        Ok(())
    }
    fn getpid(&self) -> Pid {
        1
    }
    fn block_signals(&self) -> SysResult<()> {
        self.push(Call::BlockSignals);
        Ok(())
    }
    fn unblock_signals(&self) -> SysResult<()> {
        self.push(Call::UnblockSignals);
        Ok(())
    }
    fn next_signal(&self, _timeout_ms: u32) -> SysResult<Option<i32>> {
        Ok(self.signals.borrow_mut().pop_front())
    }
    fn alarm(&self, _seconds: u32) {}
    fn exit(&self, code: i32) -> ! {
        panic!("the recording double cannot exit (code {code})")
    }
    fn prlimit(
        &self,
        pid: Pid,
        resource: u32,
        soft: Option<u64>,
        hard: Option<u64>,
    ) -> SysResult<()> {
        self.push(Call::Prlimit {
            pid,
            resource,
            soft,
            hard,
        });
        Ok(())
    }
    fn setns(&self, path: &str, ns: Namespace) -> SysResult<()> {
        self.push(Call::Setns {
            path: path.to_string(),
            ns,
        });
        Ok(())
    }
    fn unshare(&self, ns: Namespace) -> SysResult<()> {
        self.push(Call::Unshare { ns });
        Ok(())
    }
    fn sethostname(&self, name: &str) -> SysResult<()> {
        self.push(Call::Sethostname {
            name: name.to_string(),
        });
        Ok(())
    }
    fn setsid(&self) -> SysResult<()> {
        self.push(Call::Setsid);
        Ok(())
    }
    fn setgroups(&self, groups: &[u32]) -> SysResult<()> {
        self.push(Call::Setgroups {
            groups: groups.to_vec(),
        });
        Ok(())
    }
    fn setgid(&self, gid: u32) -> SysResult<()> {
        self.push(Call::Setgid { gid });
        Ok(())
    }
    fn setuid(&self, uid: u32) -> SysResult<()> {
        self.push(Call::Setuid { uid });
        Ok(())
    }
    fn chdir(&self, path: &str, create: bool) -> SysResult<()> {
        self.push(Call::Chdir {
            path: path.to_string(),
            create,
        });
        Ok(())
    }
    fn drop_bounding(&self, caps: &[Cap]) -> SysResult<()> {
        self.push(Call::DropBounding {
            caps: caps.to_vec(),
        });
        Ok(())
    }
    fn set_caps(
        &self,
        effective: &[Cap],
        permitted: &[Cap],
        inheritable: &[Cap],
        ambient: &[Cap],
    ) -> SysResult<()> {
        self.push(Call::SetCaps {
            effective: effective.len(),
            permitted: permitted.len(),
            inheritable: inheritable.len(),
            ambient: ambient.len(),
        });
        Ok(())
    }
    fn no_new_privs(&self) -> SysResult<()> {
        self.push(Call::NoNewPrivs);
        Ok(())
    }
    fn seccomp_load(&self, filter: &crate::plan::SeccompFilter) -> SysResult<bool> {
        self.push(Call::SeccompLoad {
            instructions: filter.program.len(),
            unless_confined: filter.unless_confined,
        });
        Ok(true)
    }
    fn exec(&self, path: &str, argv: &[String], env: &[String]) -> SysResult<()> {
        self.push(Call::Exec {
            path: path.to_string(),
            argv: argv.to_vec(),
            env: env.to_vec(),
        });
        Ok(())
    }
    fn mount(&self, root: &Path, step: &MountStep) -> SysResult<()> {
        self.push(Call::Mount {
            root: p(root),
            step: step.clone(),
        });
        self.eperm("mount")
    }
    fn mkdir_in(&self, root: &Path, path: &str, mode: u32) -> SysResult<()> {
        self.push(Call::Mkdir {
            root: p(root),
            path: path.to_string(),
            mode,
        });
        Ok(())
    }
    fn mknod_in(&self, root: &Path, node: &DevNode) -> SysResult<()> {
        self.push(Call::Mknod {
            root: p(root),
            node: node.clone(),
        });
        self.eperm("mknod")
    }
    fn symlink_in(&self, root: &Path, path: &str, to: &str) -> SysResult<()> {
        self.push(Call::Symlink {
            root: p(root),
            path: path.to_string(),
            to: to.to_string(),
        });
        Ok(())
    }
    fn write_in(&self, root: &Path, path: &str, _data: &str, mode: u32) -> SysResult<()> {
        self.push(Call::Write {
            root: p(root),
            path: path.to_string(),
            mode,
        });
        Ok(())
    }
    fn open_ptys(&self, root: &Path, count: u32) -> SysResult<Vec<u32>> {
        self.push(Call::OpenPtys {
            root: p(root),
            count,
        });
        Ok((0..count).collect())
    }
    fn detach_tree(&self, root: &Path, path: &str) -> SysResult<()> {
        self.push(Call::DetachTree {
            root: p(root),
            path: path.to_string(),
        });
        Ok(())
    }
    fn pivot_root(&self, new_root: &Path) -> SysResult<()> {
        self.push(Call::PivotRoot { root: p(new_root) });
        Ok(())
    }
    fn link_create(&self, link: &LinkCreate, pid: Pid) -> SysResult<Option<u32>> {
        self.push(Call::LinkCreate {
            link: link.clone(),
            pid,
        });
        let name = match link {
            LinkCreate::Veth { host, .. } => host,
            LinkCreate::Child { name, .. } | LinkCreate::Phys { link: name, .. } => name,
        };
        if let Some(errno) = self.link_errors.borrow().get(name) {
            return Err(SysError::errno(format!("create {name}"), *errno));
        }
        // Host ends get indexes from 40 up, in creation order.
        Ok(matches!(link, LinkCreate::Veth { .. }).then(|| 40 + self.calls.borrow().len() as u32))
    }
    fn link_delete(&self, name: &str, index: u32) -> SysResult<()> {
        self.push(Call::LinkDelete {
            name: name.to_string(),
            index,
        });
        Ok(())
    }
    fn open_netns(&self, pid: Pid) -> SysResult<Fd> {
        self.push(Call::OpenNetns { pid });
        Ok(7)
    }
    fn link_return(&self, netns: Fd, name: &str, host_name: &str) -> SysResult<()> {
        self.push(Call::LinkReturn {
            netns,
            name: name.to_string(),
            host_name: host_name.to_string(),
        });
        Ok(())
    }
    fn if_configure(&self, config: &IfConfig) -> SysResult<()> {
        self.push(Call::IfConfigure {
            config: config.clone(),
        });
        Ok(())
    }
    fn wait_pid(&self, pid: Pid) -> SysResult<Exit> {
        self.push(Call::WaitPid { pid });
        let calls = self.calls.borrow();
        let forked = calls
            .iter()
            .rposition(|c| *c == Call::Fork { pid })
            .unwrap_or(0);
        let scripted = calls[forked..].iter().find_map(|c| match c {
            Call::Exec { argv, .. } => self
                .hook_status
                .borrow()
                .iter()
                .find(|(key, _)| argv.iter().any(|a| a.contains(key.as_str())))
                .map(|(_, status)| *status),
            _ => None,
        });
        let code = scripted.unwrap_or_else(|| self.exits.borrow().get(&pid).copied().unwrap_or(0));
        Ok(Exit::Code(code))
    }
    fn stdout_to_stderr(&self) -> SysResult<()> {
        self.push(Call::StdoutToStderr);
        Ok(())
    }
    fn open_ns(&self, pid: Pid, ns: Namespace) -> SysResult<Fd> {
        self.push(Call::OpenNs { pid, ns });
        let opened = self
            .calls
            .borrow()
            .iter()
            .filter(|c| matches!(c, Call::OpenNs { .. }))
            .count();
        Ok(40 + opened as Fd)
    }
}
