//! Carrying a file's owner, group, mode and extended attributes (ACLs, SELinux labels:
//! `system.*`, `security.*`, `user.*`, `trusted.*`) over to the file that replaces it.

use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// Give `to` the owner, group, mode and extended attributes of `from` (whose metadata is
/// `meta`). An error means the new file cannot look like the old one (not root and not the
/// owner, an attribute this process may not set): the caller rewrites the old file in place
/// instead, which keeps everything.
pub fn copy(from: &File, meta: &std::fs::Metadata, to: &File) -> std::io::Result<()> {
    let new = to.metadata()?;
    if (new.uid(), new.gid()) != (meta.uid(), meta.gid()) {
        std::os::unix::fs::fchown(to, Some(meta.uid()), Some(meta.gid()))?;
    }
    // After the chown, which clears set-id bits.
    to.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    copy_xattrs(from, to)
}

/// Copy every extended attribute; a file system without them has nothing to copy.
fn copy_xattrs(from: &File, to: &File) -> std::io::Result<()> {
    let names = match list(from) {
        Ok(n) => n,
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::OPNOTSUPP.raw_os_error()) => {
            return Ok(())
        }
        Err(e) => return Err(e),
    };
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let value = get(from, name)?;
        rustix::fs::fsetxattr(
            to,
            std::ffi::OsStr::from_bytes(name),
            &value,
            rustix::fs::XattrFlags::empty(),
        )?;
    }
    Ok(())
}

/// The NUL-separated names of `f`'s attributes. Sizes are asked first; an attribute added
/// between the two calls gives ERANGE, retried a few times.
fn list(f: &File) -> std::io::Result<Vec<u8>> {
    for _ in 0..4 {
        let mut buf = vec![0; rustix::fs::flistxattr_query(f)?];
        match rustix::fs::flistxattr(f, &mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(rustix::io::Errno::RANGE) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(rustix::io::Errno::RANGE.into())
}

fn get(f: &File, name: &[u8]) -> std::io::Result<Vec<u8>> {
    for _ in 0..4 {
        let mut buf = vec![0; rustix::fs::fgetxattr_query(f, std::ffi::OsStr::from_bytes(name))?];
        match rustix::fs::fgetxattr(f, std::ffi::OsStr::from_bytes(name), &mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(rustix::io::Errno::RANGE) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(rustix::io::Errno::RANGE.into())
}
