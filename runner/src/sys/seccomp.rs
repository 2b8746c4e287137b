//! Loading a compiled seccomp filter. Not seccompiler's `apply_filter`: it sets
//! `PR_SET_NO_NEW_PRIVS` first, which liblxc does not (setuid programs would stop working in
//! the container). Without no_new_privs the kernel wants CAP_SYS_ADMIN, which the
//! container process still has when the step runs (before the uid switch).

#![allow(unsafe_code)]

use super::{SysError, SysResult};
use crate::plan::SeccompFilter;

/// Whether this process already runs under seccomp (`Seccomp:` in /proc/self/status is not
/// 0), as liblxc's `use_seccomp` checks. A kernel without the line has no seccomp at all.
fn confined() -> SysResult<bool> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| SysError::msg("read /proc/self/status", e.to_string()))?;
    let mode = status
        .lines()
        .find_map(|l| l.strip_prefix("Seccomp:"))
        .map(str::trim);
    Ok(matches!(mode, Some(m) if m != "0"))
}

pub(super) fn load(filter: &SeccompFilter) -> SysResult<bool> {
    if filter.unless_confined && confined()? {
        return Ok(false);
    }
    let program: Vec<libc::sock_filter> = filter
        .program
        .iter()
        .map(|i| libc::sock_filter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        })
        .collect();
    let len = u16::try_from(program.len())
        .map_err(|_| SysError::msg("seccomp", "filter longer than 65535 instructions"))?;
    let prog = libc::sock_fprog {
        len,
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: `prog` points at `program`, alive for the call; the kernel copies it.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0,
            &prog as *const libc::sock_fprog,
        )
    };
    if rc != 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(SysError::errno("seccomp(SECCOMP_SET_MODE_FILTER)", errno));
    }
    Ok(true)
}
