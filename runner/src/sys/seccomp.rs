//! Loading a compiled seccomp filter. Not seccompiler's `apply_filter`: it sets
//! `PR_SET_NO_NEW_PRIVS` first, which liblxc does not (setuid programs would stop working in
//! the container). Without no_new_privs the kernel wants CAP_SYS_ADMIN, which the
//! container process still has when the step runs (before the uid switch).

#![allow(unsafe_code)]

use super::{SysError, SysResult};
use crate::plan::SeccompFilter;

/// Whether to load a filter, as liblxc's `use_seccomp` decides from /proc/self/status
/// (`None`: unreadable, e.g. a container without /proc): load unless the process already
/// runs under seccomp (`Seccomp:` not 0); a status without the line means a kernel without
/// seccomp, where liblxc loads nothing.
fn should_load(status: Option<&str>) -> bool {
    let Some(status) = status else {
        return true;
    };
    match status.lines().find_map(|l| l.strip_prefix("Seccomp:")) {
        Some(mode) => mode.trim() == "0",
        None => false,
    }
}

pub(super) fn load(filter: &SeccompFilter) -> SysResult<bool> {
    if filter.unless_confined {
        let status = std::fs::read_to_string("/proc/self/status").ok();
        if !should_load(status.as_deref()) {
            return Ok(false);
        }
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

#[cfg(test)]
mod tests {
    use super::should_load;

    #[test]
    fn loads_as_liblxc_decides_from_the_status_file() {
        assert!(should_load(Some(
            "Name:\tsh\nSeccomp:\t0\nSeccomp_filters:\t0\n"
        )));
        assert!(!should_load(Some("Seccomp:\t2\nSeccomp_filters:\t1\n")));
        // No line: the kernel has no seccomp. No file (no /proc): load anyway.
        assert!(!should_load(Some("Name:\tsh\n")));
        assert!(should_load(None));
    }
}
