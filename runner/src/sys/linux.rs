//! The real [`Sys`]: nix, libc and netlink. This module is the only place in lxconf with
//! `unsafe`; each block says why it is sound.
//!
//! Mount targets and in-root sources are resolved component by component inside the root:
//! symlinks are followed as the container would see them (an absolute link starts again at
//! the container's root), and a `..` that would climb above the root is an error. The
//! resolved path is then opened with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS)` and
//! mounted through `/proc/self/fd/N`, so a symlink swapped in after the check cannot lead
//! out of the root either.
#![allow(unsafe_code)]

use super::{Exit, Fd, Pid, Reap, Sys, SysError, SysResult};
use crate::plan::{DevNode, IfConfig, LinkCreate, MountStep, MsFlag};
use caps::{CapSet, Capability, CapsHashSet};
use lxconf_model::{Cap, CreateKind, Namespace};
use std::collections::BTreeSet;
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The real system.
#[derive(Debug, Default, Clone, Copy)]
pub struct LinuxSys;

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn io_err(op: impl Into<String>, e: std::io::Error) -> SysError {
    match e.raw_os_error() {
        Some(n) => SysError::errno(op, n),
        None => SysError::msg(op, e.to_string()),
    }
}

fn cstr(s: &str) -> SysResult<CString> {
    CString::new(s).map_err(|_| SysError::msg("string", format!("`{s}` contains NUL")))
}

fn cpath(p: &Path) -> SysResult<CString> {
    CString::new(p.as_os_str().as_bytes())
        .map_err(|_| SysError::msg("path", format!("{} contains NUL", p.display())))
}

const FORWARDED: [i32; 10] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGTERM,
    libc::SIGPWR,
    libc::SIGCHLD,
    libc::SIGALRM,
    libc::SIGWINCH,
];

fn forwarded_set() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; sigemptyset initializes it before use.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid, exclusively borrowed sigset_t.
    unsafe {
        libc::sigemptyset(&mut set);
        for s in FORWARDED {
            libc::sigaddset(&mut set, s);
        }
    }
    set
}

fn ns_flag(ns: Namespace) -> libc::c_int {
    match ns {
        Namespace::Cgroup => libc::CLONE_NEWCGROUP,
        Namespace::Ipc => libc::CLONE_NEWIPC,
        Namespace::Mnt => libc::CLONE_NEWNS,
        Namespace::Net => libc::CLONE_NEWNET,
        Namespace::Pid => libc::CLONE_NEWPID,
        Namespace::Time => libc::CLONE_NEWTIME,
        Namespace::User => libc::CLONE_NEWUSER,
        Namespace::Uts => libc::CLONE_NEWUTS,
    }
}

fn ms_bits(flags: &BTreeSet<MsFlag>) -> libc::c_ulong {
    flags
        .iter()
        .map(|f| match f {
            MsFlag::Rdonly => libc::MS_RDONLY,
            MsFlag::Nosuid => libc::MS_NOSUID,
            MsFlag::Nodev => libc::MS_NODEV,
            MsFlag::Noexec => libc::MS_NOEXEC,
            MsFlag::Synchronous => libc::MS_SYNCHRONOUS,
            MsFlag::Remount => libc::MS_REMOUNT,
            MsFlag::Mandlock => libc::MS_MANDLOCK,
            MsFlag::Dirsync => libc::MS_DIRSYNC,
            MsFlag::Noatime => libc::MS_NOATIME,
            MsFlag::Nodiratime => libc::MS_NODIRATIME,
            MsFlag::Bind => libc::MS_BIND,
            MsFlag::Rec => libc::MS_REC,
            MsFlag::Silent => libc::MS_SILENT,
            MsFlag::Unbindable => libc::MS_UNBINDABLE,
            MsFlag::Private => libc::MS_PRIVATE,
            MsFlag::Slave => libc::MS_SLAVE,
            MsFlag::Shared => libc::MS_SHARED,
            MsFlag::Relatime => libc::MS_RELATIME,
            MsFlag::Strictatime => libc::MS_STRICTATIME,
            MsFlag::Lazytime => libc::MS_LAZYTIME,
            MsFlag::Move => libc::MS_MOVE,
        })
        .fold(0, |a, b| a | b)
}

fn open_dir(path: &Path) -> SysResult<OwnedFd> {
    let c = cpath(path)?;
    // SAFETY: `c` is a valid NUL-terminated string; the returned fd is owned below.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(SysError::errno(format!("open {}", path.display()), errno()));
    }
    // SAFETY: `fd` was just returned by open and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `openat2(root, rel, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`.
fn openat2_in_root(root: &OwnedFd, rel: &str) -> SysResult<OwnedFd> {
    let rel = if rel.is_empty() { "." } else { rel };
    let c = cstr(rel)?;
    // SAFETY: open_how is plain data.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (libc::O_PATH | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;
    // SAFETY: the pointers are valid for the duration of the call and the size matches.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root.as_raw_fd(),
            c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        return Err(SysError::errno(format!("openat2 {rel}"), errno()));
    }
    // SAFETY: the kernel returned a fresh descriptor that nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Resolve `path` (absolute in the container) inside `root`, following symlinks as the
/// container sees them; missing components are created when `create` says so.
/// Returns the resolved relative path.
pub fn resolve_in_root(root: &Path, path: &str, create: Option<CreateKind>) -> SysResult<String> {
    let mut pending: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .rev()
        .collect();
    let mut done: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(comp) = pending.pop() {
        if comp == ".." {
            if done.pop().is_none() {
                return Err(SysError::msg(
                    format!("resolving {path}"),
                    "the path leaves the container's root",
                ));
            }
            continue;
        }
        let host = root.join(done.join("/")).join(&comp);
        match std::fs::symlink_metadata(&host) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > 40 {
                    return Err(SysError::errno(format!("resolving {path}"), libc::ELOOP));
                }
                let target = std::fs::read_link(&host).map_err(|e| io_err("readlink", e))?;
                let text = target.to_string_lossy().into_owned();
                if text.starts_with('/') {
                    done.clear();
                }
                for c in text.split('/').filter(|c| !c.is_empty() && *c != ".").rev() {
                    pending.push(c.to_string());
                }
            }
            Ok(_) => done.push(comp),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create.is_some() => {
                let last = pending.is_empty();
                if last && create == Some(CreateKind::File) {
                    std::fs::OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&host)
                        .map_err(|e| io_err(format!("create {}", host.display()), e))?;
                } else {
                    match std::fs::create_dir(&host) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(io_err(format!("mkdir {}", host.display()), e)),
                    }
                }
                done.push(comp);
            }
            Err(e) => return Err(io_err(format!("resolving {path}"), e)),
        }
    }
    Ok(done.join("/"))
}

/// An open target inside the root, usable as a mount path.
struct Target {
    fd: OwnedFd,
}

impl Target {
    fn open(root: &Path, path: &str, create: Option<CreateKind>) -> SysResult<Target> {
        let rel = resolve_in_root(root, path, create)?;
        let rootfd = open_dir(root)?;
        Ok(Target {
            fd: openat2_in_root(&rootfd, &rel)?,
        })
    }
    fn proc_path(&self) -> String {
        format!("/proc/self/fd/{}", self.fd.as_raw_fd())
    }
}

/// `MS_MOVE` of a staged mount over a detached host tree on the host's own root (libvirt
/// without a rootfs). Right after the host's /proc was detached `/proc/self/fd` is gone,
/// so the targets cannot be opened through it; on the host's own root the literal paths
/// name the host's own directories (no container file system is involved).
fn move_on_host_root(step: &MountStep) -> SysResult<()> {
    let source = step.source.as_deref().unwrap_or("/");
    mount_raw(Some(source), &step.target, None, libc::MS_MOVE, None)
}

fn mount_raw(
    source: Option<&str>,
    target: &str,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> SysResult<()> {
    let src = source.map(cstr).transpose()?;
    let tgt = cstr(target)?;
    let fs = fstype.map(cstr).transpose()?;
    let dat = data.map(cstr).transpose()?;
    // SAFETY: every pointer is either null or a valid NUL-terminated string that outlives
    // the call.
    let rc = unsafe {
        libc::mount(
            src.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            tgt.as_ptr(),
            fs.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            flags,
            dat.as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr().cast::<libc::c_void>()),
        )
    };
    if rc != 0 {
        return Err(SysError::errno("mount", errno()));
    }
    Ok(())
}

fn parent_of(root: &Path, path: &str) -> SysResult<(OwnedFd, CString)> {
    let (dir, name) = match path.trim_end_matches('/').rsplit_once('/') {
        Some((d, n)) => (if d.is_empty() { "/" } else { d }, n),
        None => ("/", path),
    };
    let rel = resolve_in_root(root, dir, None)?;
    let rootfd = open_dir(root)?;
    let o = openat2_in_root(&rootfd, &rel)?;
    // Reopen as a real directory descriptor (O_PATH cannot be used with mknodat & co.).
    let c = cstr(&format!("/proc/self/fd/{}", o.as_raw_fd()))?;
    // SAFETY: valid path string; the result is owned below.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_DIRECTORY | libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(SysError::errno(format!("open {dir}"), errno()));
    }
    // SAFETY: fresh descriptor.
    Ok((unsafe { OwnedFd::from_raw_fd(fd) }, cstr(name)?))
}

/// The `caps` crate's name for a capability of the model's table.
fn to_capability(cap: Cap) -> Option<Capability> {
    format!("CAP_{}", cap.name().to_ascii_uppercase())
        .parse()
        .ok()
}

fn caps_err(op: impl Into<String>, e: caps::errors::CapsError) -> SysError {
    SysError::msg(op, e.to_string())
}

impl Sys for LinuxSys {
    fn mkdir_all(&self, path: &Path) -> SysResult<()> {
        std::fs::create_dir_all(path).map_err(|e| io_err(format!("mkdir {}", path.display()), e))
    }

    fn write_file(&self, path: &Path, data: &str) -> SysResult<()> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| io_err(format!("open {}", path.display()), e))?;
        f.write_all(data.as_bytes())
            .map_err(|e| io_err(format!("write {}", path.display()), e))
    }

    fn read_file(&self, path: &Path) -> SysResult<String> {
        std::fs::read_to_string(path).map_err(|e| io_err(format!("read {}", path.display()), e))
    }

    fn rmdir(&self, path: &Path) -> SysResult<()> {
        std::fs::remove_dir(path).map_err(|e| io_err(format!("rmdir {}", path.display()), e))
    }

    fn list_dirs(&self, path: &Path) -> SysResult<Vec<String>> {
        let entries =
            std::fs::read_dir(path).map_err(|e| io_err(format!("read {}", path.display()), e))?;
        Ok(entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect())
    }

    fn write_new(&self, path: &Path, data: &str) -> SysResult<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            // A report is never written through a symlink planted in its place.
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| io_err(format!("create {}", path.display()), e))?;
        f.write_all(data.as_bytes())
            .map_err(|e| io_err(format!("write {}", path.display()), e))
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn pipe(&self) -> SysResult<(Fd, Fd)> {
        let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
            .map_err(|e| SysError::errno("pipe", e as i32))?;
        Ok((r.into_raw_fd(), w.into_raw_fd()))
    }

    fn close(&self, fd: Fd) {
        if fd >= 0 {
            let _ = nix::unistd::close(fd);
        }
    }

    fn read_to_end(&self, fd: Fd) -> SysResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match nix::unistd::read(fd, &mut buf) {
                Ok(0) => return Ok(out),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(SysError::errno("read", e as i32)),
            }
        }
    }

    fn write_all(&self, fd: Fd, mut data: &[u8]) -> SysResult<()> {
        while !data.is_empty() {
            // SAFETY: `data` is a valid buffer of the given length.
            let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
            if n < 0 {
                let e = errno();
                if e == libc::EINTR {
                    continue;
                }
                return Err(SysError::errno("write", e));
            }
            data = &data[n as usize..];
        }
        Ok(())
    }

    fn fork_watcher(&self, close: &[Fd], on_orphaned: &mut dyn FnMut()) -> SysResult<Fd> {
        let (r, w) = self.pipe()?;
        // SAFETY: the child only makes system calls and runs the cleanup closure, then
        // `_exit`s; glibc's fork handlers keep the allocator usable in the child.
        match unsafe { nix::unistd::fork() } {
            Err(e) => Err(SysError::errno("fork", e as i32)),
            Ok(nix::unistd::ForkResult::Child) => {
                self.close(w);
                for fd in close {
                    self.close(*fd);
                }
                let _ = nix::unistd::setsid();
                for s in [
                    libc::SIGINT,
                    libc::SIGTERM,
                    libc::SIGHUP,
                    libc::SIGQUIT,
                    libc::SIGPIPE,
                ] {
                    // SAFETY: installing SIG_IGN has no handler code to be unsound.
                    unsafe { libc::signal(s, libc::SIG_IGN) };
                }
                let got = self.read_to_end(r).unwrap_or_default();
                if !got.contains(&b'd') {
                    on_orphaned();
                }
                self.exit(0)
            }
            Ok(nix::unistd::ForkResult::Parent { .. }) => {
                self.close(r);
                Ok(w)
            }
        }
    }

    fn clone_child(
        &self,
        namespaces: &BTreeSet<Namespace>,
        child: &mut dyn FnMut() -> i32,
        parent: &mut dyn FnMut(Pid),
    ) -> SysResult<Pid> {
        let bits = namespaces.iter().fold(0, |a, n| a | ns_flag(*n));
        let flags = nix::sched::CloneFlags::from_bits_retain(bits);
        let mut stack = vec![0u8; 4 << 20];
        let me = *self;
        let cb: nix::sched::CloneCb = Box::new(|| {
            let code = child();
            me.exit(code)
        });
        // SAFETY: the child runs on its own copy of the address space (no CLONE_VM) with a
        // stack that stays allocated in its copy; it never returns into the parent's frames
        // because the callback ends in `_exit`.
        let pid = unsafe { nix::sched::clone(cb, &mut stack, flags, Some(libc::SIGCHLD)) }
            .map_err(|e| SysError::errno("clone", e as i32))?;
        parent(pid.as_raw());
        Ok(pid.as_raw())
    }

    fn fork(&self, child: &mut dyn FnMut() -> i32) -> SysResult<Pid> {
        // SAFETY: called from the single-threaded container process.
        match unsafe { nix::unistd::fork() } {
            Err(e) => Err(SysError::errno("fork", e as i32)),
            Ok(nix::unistd::ForkResult::Child) => {
                let code = child();
                self.exit(code)
            }
            Ok(nix::unistd::ForkResult::Parent { child }) => Ok(child.as_raw()),
        }
    }

    fn try_wait(&self, pid: Pid) -> SysResult<Option<Exit>> {
        use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
        match waitpid(nix::unistd::Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(_, c)) => Ok(Some(Exit::Code(c))),
            Ok(WaitStatus::Signaled(_, s, _)) => Ok(Some(Exit::Signal(s as i32))),
            Ok(_) | Err(nix::errno::Errno::EINTR) => Ok(None),
            Err(e) => Err(SysError::errno("waitpid", e as i32)),
        }
    }

    fn reap_any(&self) -> SysResult<Reap> {
        use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
        match waitpid(None, Some(WaitPidFlag::WNOHANG | WaitPidFlag::__WALL)) {
            Ok(WaitStatus::Exited(p, c)) => Ok(Reap::Reaped(p.as_raw(), Exit::Code(c))),
            Ok(WaitStatus::Signaled(p, s, _)) => {
                Ok(Reap::Reaped(p.as_raw(), Exit::Signal(s as i32)))
            }
            Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::EINTR) => Ok(Reap::NoneReady),
            Ok(_) => Ok(Reap::NoneReady),
            Err(nix::errno::Errno::ECHILD) => Ok(Reap::NoChildren),
            Err(e) => Err(SysError::errno("waitpid", e as i32)),
        }
    }

    fn kill(&self, pid: Pid, signal: i32) -> SysResult<()> {
        // SAFETY: kill has no memory-safety preconditions.
        if unsafe { libc::kill(pid, signal) } != 0 {
            return Err(SysError::errno("kill", errno()));
        }
        Ok(())
    }

    fn set_parent_death_signal(&self, signal: i32, _expected_parent: Pid) -> SysResult<()> {
        // The race with a runner that dies before this call is closed by the "go" pipe:
        // the container reads end-of-file and exits.
        // SAFETY: prctl with integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong, 0, 0, 0) } != 0 {
            return Err(SysError::errno("prctl(PR_SET_PDEATHSIG)", errno()));
        }
        Ok(())
    }

    fn getpid(&self) -> Pid {
        std::process::id() as Pid
    }

    fn block_signals(&self) -> SysResult<()> {
        let set = forwarded_set();
        // SAFETY: valid set pointer; old mask not requested.
        let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(SysError::errno("pthread_sigmask", rc));
        }
        Ok(())
    }

    fn unblock_signals(&self) -> SysResult<()> {
        let set = forwarded_set();
        // SAFETY: as above.
        let rc = unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(SysError::errno("pthread_sigmask", rc));
        }
        Ok(())
    }

    fn next_signal(&self, timeout_ms: u32) -> SysResult<Option<i32>> {
        let set = forwarded_set();
        let ts = libc::timespec {
            tv_sec: (timeout_ms / 1000) as libc::time_t,
            tv_nsec: ((timeout_ms % 1000) as libc::c_long) * 1_000_000,
        };
        // SAFETY: valid pointers for the duration of the call; siginfo not requested.
        let sig = unsafe { libc::sigtimedwait(&set, std::ptr::null_mut(), &ts) };
        if sig < 0 {
            let e = errno();
            if e == libc::EAGAIN || e == libc::EINTR {
                return Ok(None);
            }
            return Err(SysError::errno("sigtimedwait", e));
        }
        Ok(Some(sig))
    }

    fn alarm(&self, seconds: u32) {
        // SAFETY: alarm has no preconditions.
        unsafe { libc::alarm(seconds) };
    }

    fn exit(&self, code: i32) -> ! {
        // SAFETY: _exit never returns and skips atexit handlers, as a forked child must.
        unsafe { libc::_exit(code) }
    }

    fn prlimit(
        &self,
        pid: Pid,
        resource: u32,
        soft: Option<u64>,
        hard: Option<u64>,
    ) -> SysResult<()> {
        let lim = libc::rlimit {
            rlim_cur: soft.unwrap_or(libc::RLIM_INFINITY),
            rlim_max: hard.unwrap_or(libc::RLIM_INFINITY),
        };
        // SAFETY: valid rlimit pointer; old limit not requested.
        let rc = unsafe {
            libc::prlimit(
                pid,
                resource as libc::__rlimit_resource_t,
                &lim,
                std::ptr::null_mut(),
            )
        };
        if rc != 0 {
            return Err(SysError::errno(format!("prlimit({resource})"), errno()));
        }
        Ok(())
    }

    fn setns(&self, path: &str, ns: Namespace) -> SysResult<()> {
        let f = std::fs::File::open(path).map_err(|e| io_err(format!("open {path}"), e))?;
        // SAFETY: setns on a descriptor we own.
        if unsafe { libc::setns(f.as_raw_fd(), ns_flag(ns)) } != 0 {
            return Err(SysError::errno(format!("setns {path}"), errno()));
        }
        Ok(())
    }

    fn unshare(&self, ns: Namespace) -> SysResult<()> {
        // SAFETY: unshare has no memory-safety preconditions.
        if unsafe { libc::unshare(ns_flag(ns)) } != 0 {
            return Err(SysError::errno(format!("unshare({ns})"), errno()));
        }
        Ok(())
    }

    fn sethostname(&self, name: &str) -> SysResult<()> {
        nix::unistd::sethostname(name).map_err(|e| SysError::errno("sethostname", e as i32))
    }

    fn setsid(&self) -> SysResult<()> {
        nix::unistd::setsid()
            .map(|_| ())
            .map_err(|e| SysError::errno("setsid", e as i32))
    }

    fn setgroups(&self, groups: &[u32]) -> SysResult<()> {
        let gids: Vec<libc::gid_t> = groups.to_vec();
        // SAFETY: valid pointer and length.
        if unsafe { libc::setgroups(gids.len(), gids.as_ptr()) } != 0 {
            return Err(SysError::errno("setgroups", errno()));
        }
        Ok(())
    }

    fn setgid(&self, gid: u32) -> SysResult<()> {
        // SAFETY: integer arguments only.
        if unsafe { libc::setresgid(gid, gid, gid) } != 0 {
            return Err(SysError::errno(format!("setresgid({gid})"), errno()));
        }
        Ok(())
    }

    fn setuid(&self, uid: u32) -> SysResult<()> {
        // SAFETY: integer arguments only.
        unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 1, 0, 0, 0) };
        // SAFETY: integer arguments only.
        if unsafe { libc::setresuid(uid, uid, uid) } != 0 {
            return Err(SysError::errno(format!("setresuid({uid})"), errno()));
        }
        Ok(())
    }

    fn chdir(&self, path: &str, create: bool) -> SysResult<()> {
        if create {
            std::fs::create_dir_all(path).map_err(|e| io_err(format!("mkdir {path}"), e))?;
        }
        nix::unistd::chdir(path).map_err(|e| SysError::errno(format!("chdir {path}"), e as i32))
    }

    fn drop_bounding(&self, caps: &[Cap]) -> SysResult<()> {
        let known = caps::runtime::thread_all_supported();
        for cap in caps {
            let Some(c) = to_capability(*cap).filter(|c| known.contains(c)) else {
                continue; // unknown to this kernel
            };
            caps::drop(None, CapSet::Bounding, c)
                .map_err(|e| caps_err(format!("drop cap_{}", cap.name()), e))?;
        }
        Ok(())
    }

    fn set_caps(
        &self,
        effective: &[Cap],
        permitted: &[Cap],
        inheritable: &[Cap],
        ambient: &[Cap],
    ) -> SysResult<()> {
        let have = caps::read(None, CapSet::Permitted).map_err(|e| caps_err("capget", e))?;
        let within = |list: &[Cap]| -> CapsHashSet {
            list.iter()
                .filter_map(|c| to_capability(*c))
                .filter(|c| have.contains(c))
                .collect()
        };
        // Lower the effective set first and the permitted one last: each set must stay
        // within the permitted set the kernel holds when it is written.
        for (set, list, what) in [
            (CapSet::Effective, effective, "effective"),
            (CapSet::Inheritable, inheritable, "inheritable"),
            (CapSet::Permitted, permitted, "permitted"),
        ] {
            caps::set(None, set, &within(list))
                .map_err(|e| caps_err(format!("capset {what}"), e))?;
        }
        caps::clear(None, CapSet::Ambient).map_err(|e| caps_err("clear ambient", e))?;
        for cap in ambient {
            if let Some(c) = to_capability(*cap) {
                caps::raise(None, CapSet::Ambient, c)
                    .map_err(|e| caps_err(format!("raise ambient cap_{}", cap.name()), e))?;
            }
        }
        Ok(())
    }

    fn no_new_privs(&self) -> SysResult<()> {
        // SAFETY: integer arguments only.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            return Err(SysError::errno("prctl(PR_SET_NO_NEW_PRIVS)", errno()));
        }
        Ok(())
    }

    fn seccomp_load(&self, filter: &crate::plan::SeccompFilter) -> SysResult<bool> {
        super::seccomp::load(filter)
    }

    fn exec(&self, path: &str, argv: &[String], env: &[String]) -> SysResult<()> {
        let p = cstr(path)?;
        let a: Vec<CString> = argv.iter().map(|s| cstr(s)).collect::<SysResult<_>>()?;
        let e: Vec<CString> = env.iter().map(|s| cstr(s)).collect::<SysResult<_>>()?;
        let err = nix::unistd::execve(&p, &a, &e).err();
        Err(SysError::errno(
            "execve",
            err.map_or(libc::EINVAL, |e| e as i32),
        ))
    }

    fn mount(&self, root: &Path, step: &MountStep) -> SysResult<()> {
        let what = || {
            format!(
                "mount {} on {}",
                step.source.as_deref().unwrap_or("-"),
                step.target
            )
        };
        if step.flags.contains(&MsFlag::Move) && root == Path::new("/") && step.source_in_root {
            return move_on_host_root(step).map_err(|e| SysError { op: what(), ..e });
        }
        let target = Target::open(root, &step.target, step.create).map_err(|e| SysError {
            op: format!("{}: target", what()),
            ..e
        })?;
        let source_target;
        let source = if step.source_in_root {
            let src = step.source.as_deref().unwrap_or("/");
            source_target = Target::open(root, src, None)?;
            Some(source_target.proc_path())
        } else {
            step.source.clone()
        };
        mount_raw(
            source.as_deref(),
            &target.proc_path(),
            step.fstype.as_deref(),
            ms_bits(&step.flags),
            step.data.as_deref(),
        )
        .map_err(|e| SysError { op: what(), ..e })
    }

    fn mkdir_in(&self, root: &Path, path: &str, mode: u32) -> SysResult<()> {
        use std::os::unix::fs::PermissionsExt;
        let rel = resolve_in_root(root, path, Some(CreateKind::Dir))?;
        let host = root.join(rel);
        std::fs::set_permissions(&host, std::fs::Permissions::from_mode(mode))
            .map_err(|e| io_err(format!("chmod {}", host.display()), e))
    }

    fn mknod_in(&self, root: &Path, node: &DevNode) -> SysResult<()> {
        let (dir, name) = parent_of(root, &node.path)?;
        let dev = libc::makedev(node.major, node.minor);
        // SAFETY: valid directory descriptor and name.
        let rc = unsafe {
            libc::mknodat(
                dir.as_raw_fd(),
                name.as_ptr(),
                libc::S_IFCHR | node.mode,
                dev,
            )
        };
        if rc != 0 {
            let e = errno();
            if e != libc::EEXIST {
                return Err(SysError::errno(format!("mknod {}", node.path), e));
            }
            // Something is there already: leave it as liblxc does. It may be a symlink
            // planted by the container's filesystem, and fchmodat follows symlinks (on the
            // host: this runs before pivot_root).
            return Ok(());
        }
        // SAFETY: as above; the name is the node just created (umask may have cut its mode).
        unsafe { libc::fchmodat(dir.as_raw_fd(), name.as_ptr(), node.mode, 0) };
        Ok(())
    }

    fn symlink_in(&self, root: &Path, path: &str, to: &str) -> SysResult<()> {
        let (dir, name) = parent_of(root, path)?;
        let target = cstr(to)?;
        // SAFETY: valid descriptor and strings.
        let rc = unsafe { libc::symlinkat(target.as_ptr(), dir.as_raw_fd(), name.as_ptr()) };
        if rc != 0 && errno() != libc::EEXIST {
            return Err(SysError::errno(format!("symlink {path}"), errno()));
        }
        Ok(())
    }

    fn write_in(&self, root: &Path, path: &str, data: &str, mode: u32) -> SysResult<()> {
        let (dir, name) = parent_of(root, path)?;
        // SAFETY: valid descriptor and name; the new fd is owned below.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                name.as_ptr(),
                libc::O_CREAT | libc::O_TRUNC | libc::O_WRONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                mode,
            )
        };
        if fd < 0 {
            return Err(SysError::errno(format!("create {path}"), errno()));
        }
        // SAFETY: fresh descriptor.
        let file = unsafe { OwnedFd::from_raw_fd(fd) };
        self.write_all(file.as_raw_fd(), data.as_bytes())?;
        // SAFETY: valid descriptor.
        unsafe { libc::fchmod(file.as_raw_fd(), mode) };
        Ok(())
    }

    fn open_ptys(&self, root: &Path, count: u32) -> SysResult<Vec<u32>> {
        let (dir, _) = parent_of(root, "/dev/pts/ptmx")?;
        let ptmx = cstr("ptmx")?;
        let mut numbers = Vec::new();
        for _ in 0..count {
            // SAFETY: valid directory descriptor and name; the descriptor is kept open on
            // purpose (close-on-exec): the pty lives as long as its master.
            let fd = unsafe {
                libc::openat(
                    dir.as_raw_fd(),
                    ptmx.as_ptr(),
                    libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
                )
            };
            if fd < 0 {
                return Err(SysError::errno("open /dev/pts/ptmx", errno()));
            }
            let mut number: libc::c_uint = 0;
            let unlock: libc::c_int = 0;
            // SAFETY: ioctls on the master just opened, with pointers to live locals.
            let rc = unsafe {
                if libc::ioctl(fd, libc::TIOCSPTLCK, &unlock) != 0 {
                    -1
                } else {
                    libc::ioctl(fd, libc::TIOCGPTN, &mut number)
                }
            };
            if rc != 0 {
                return Err(SysError::errno("unlock a pty", errno()));
            }
            numbers.push(number);
        }
        Ok(numbers)
    }

    fn detach_tree(&self, root: &Path, path: &str) -> SysResult<()> {
        let target = match Target::open(root, path, None) {
            Ok(t) => t,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        match nix::mount::umount2(
            target.proc_path().as_str(),
            nix::mount::MntFlags::MNT_DETACH,
        ) {
            // EINVAL: nothing is mounted there.
            Ok(()) | Err(nix::errno::Errno::EINVAL) => Ok(()),
            Err(e) => Err(SysError::errno(format!("detach {path}"), e as i32)),
        }
    }

    fn pivot_root(&self, new_root: &Path) -> SysResult<()> {
        nix::unistd::chdir(new_root)
            .map_err(|e| SysError::errno(format!("chdir {}", new_root.display()), e as i32))?;
        nix::unistd::pivot_root(".", ".").map_err(|e| SysError::errno("pivot_root", e as i32))?;
        nix::mount::umount2(".", nix::mount::MntFlags::MNT_DETACH)
            .map_err(|e| SysError::errno("detach the old root", e as i32))?;
        nix::unistd::chdir("/").map_err(|e| SysError::errno("chdir /", e as i32))
    }

    fn link_create(&self, link: &LinkCreate, pid: Pid) -> SysResult<Option<u32>> {
        super::netlink::Rtnl::open()?.create(link, pid)
    }

    fn link_delete(&self, name: &str, index: u32) -> SysResult<()> {
        super::netlink::Rtnl::open()?.delete(name, index)
    }

    fn wait_pid(&self, pid: Pid) -> SysResult<Exit> {
        use nix::sys::wait::{waitpid, WaitStatus};
        loop {
            match waitpid(nix::unistd::Pid::from_raw(pid), None) {
                Ok(WaitStatus::Exited(_, c)) => return Ok(Exit::Code(c)),
                Ok(WaitStatus::Signaled(_, s, _)) => return Ok(Exit::Signal(s as i32)),
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(SysError::errno("waitpid", e as i32)),
            }
        }
    }

    fn stdout_to_stderr(&self) -> SysResult<()> {
        nix::unistd::dup2(2, 1)
            .map(|_| ())
            .map_err(|e| SysError::errno("dup2 stderr on stdout", e as i32))
    }

    fn open_ns(&self, pid: Pid, ns: Namespace) -> SysResult<Fd> {
        let path = format!("/proc/{pid}/ns/{}", ns.name());
        let f = std::fs::File::open(&path).map_err(|e| io_err(format!("open {path}"), e))?;
        Ok(f.into_raw_fd())
    }

    fn open_netns(&self, pid: Pid) -> SysResult<Fd> {
        let path = format!("/proc/{pid}/ns/net");
        let f = std::fs::File::open(&path).map_err(|e| io_err(format!("open {path}"), e))?;
        Ok(f.into_raw_fd())
    }

    fn link_return(&self, netns: Fd, name: &str, host_name: &str) -> SysResult<()> {
        let mut rtnl = rtnl_in(netns)?;
        rtnl.give_back(name, host_name, self.getpid())
    }

    fn if_configure(&self, config: &IfConfig) -> SysResult<()> {
        super::netlink::Rtnl::open()?.configure(config)
    }
}

/// An rtnetlink socket in the network namespace `netns`: the calling thread enters it,
/// opens the socket (a socket stays in the namespace it was created in) and goes back.
fn rtnl_in(netns: Fd) -> SysResult<super::netlink::Rtnl> {
    let own = std::fs::File::open("/proc/thread-self/ns/net")
        .map_err(|e| io_err("open /proc/thread-self/ns/net", e))?;
    // SAFETY: setns on a descriptor the caller owns and keeps open for this call.
    if unsafe { libc::setns(netns, libc::CLONE_NEWNET) } != 0 {
        return Err(SysError::errno("setns to the container's network", errno()));
    }
    let socket = super::netlink::Rtnl::open();
    // SAFETY: setns on a descriptor we own.
    if unsafe { libc::setns(own.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        // Staying in the container's network namespace would send every later request
        // there; this process cannot continue safely.
        eprintln!("lxconf-run: cannot return to the host's network namespace");
        std::process::abort();
    }
    socket
}

/// True when the kernel has `openat2` (5.6+).
pub fn has_openat2() -> bool {
    open_dir(Path::new("/"))
        .and_then(|root| openat2_in_root(&root, "proc"))
        .is_ok()
}

/// The capability sets of this process from `/proc/self/status` (hex masks).
pub fn own_capabilities() -> Vec<(String, String)> {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("Cap"))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}
