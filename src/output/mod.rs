//! Writing output files without losing anything, for every command that writes a file
//! (`upgrade --in-place`, `lint --fix`, `convert -o`, `domxml-to-native -o`,
//! `domxml-from-native --output-dir`).
//!
//! - A symbolic link is written through: its final target gets the new content and the link
//!   stays a link. Only links owned by this user or by their directory's owner are
//!   followed (see [`trusted_link`]).
//! - Only regular files are written: a device, FIFO, socket or directory is refused (so
//!   `-o /dev/null` as root cannot replace the device node).
//! - A file is replaced by a temporary file in the same directory renamed over it, so a
//!   crash or a full disk never leaves a half-written file; the new file gets the old one's
//!   owner, group, mode and extended attributes.
//! - A file with several hard links, or whose owner this process cannot give to a new file,
//!   is rewritten in place (the same inode), after a complete copy of its old content is
//!   on disk: replacing it would split the links or change its owner.
//! - The backup (`FILE.bak`) is written to a fresh temporary name (created with `O_EXCL`,
//!   which never follows a link) and renamed over the old backup only when complete: a
//!   planted `FILE.bak` symlink is replaced, not followed, and a full disk leaves the old
//!   backup as it was.

mod keep;
mod meta;

pub use keep::keep_bytes;

use rustix::fs::{Mode, OFlags};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Why a file was not written; every message names the file that failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output exists and is not a regular file.
    #[error("`{}` is {kind}, not a regular file: lxconf writes only regular files (`-` writes to stdout)", .path.display())]
    NotRegular {
        /// The output (after following symbolic links).
        path: PathBuf,
        /// What it is (`a character device`).
        kind: &'static str,
    },
    /// The output is a symbolic link to nothing.
    #[error("`{}` is a symbolic link to a missing file: not followed", .path.display())]
    Dangling {
        /// The link.
        path: PathBuf,
    },
    /// A symbolic link that someone else planted.
    #[error("`{}` is a symbolic link owned by uid {owner}, neither this user nor the owner of its directory: not followed", .path.display())]
    UntrustedLink {
        /// The link.
        path: PathBuf,
        /// Its owner.
        owner: u32,
    },
    /// An I/O error on a named file.
    #[error("cannot {action} `{}`: {source}", .path.display())]
    Io {
        /// What was being done (`write`, `write the backup`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// An in-place rewrite failed and the old content could not be put back.
    #[error("cannot rewrite `{}` in place: {source}; its old content is kept in `{}`", .path.display(), .saved.display())]
    Restore {
        /// The file, now damaged.
        path: PathBuf,
        /// A complete copy of its old content.
        saved: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// What [`write`] did.
#[derive(Debug)]
pub struct Written {
    /// The file written (a symbolic link resolved to its target).
    pub path: PathBuf,
    /// The backup of its old content, if one was asked for and there was an old file.
    pub backup: Option<PathBuf>,
}

/// Write `contents` to `path` (see the module documentation for how). With `backup`, the
/// old content is first kept as `TARGET.bak`, next to the file actually written.
pub fn write(path: &Path, contents: &[u8], backup: bool) -> Result<Written, WriteError> {
    let target = resolve(path)?;
    let old = existing(&target)?;
    let backup = match (&old, backup) {
        (Some((file, meta)), true) => Some(write_backup(&target, file, meta)?),
        _ => None,
    };
    match &old {
        None => replace(&target, contents, None)?,
        Some((file, meta)) if meta.nlink() > 1 => in_place(&target, file, contents)?,
        Some((file, meta)) => replace(&target, contents, Some((file, meta)))?,
    }
    Ok(Written {
        path: target,
        backup,
    })
}

/// Symbolic links followed at most (the kernel's limit).
const MAX_LINKS: usize = 40;

/// The file a write to `path` lands in: the final target of a chain of symbolic links, else
/// `path` itself.
fn resolve(path: &Path) -> Result<PathBuf, WriteError> {
    let io = |source| WriteError::Io {
        action: "resolve",
        path: path.into(),
        source,
    };
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && at == path => return Ok(at),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(WriteError::Dangling { path: path.into() })
            }
            Err(e) => return Err(io(e)),
        };
        if !meta.file_type().is_symlink() {
            return Ok(at);
        }
        trusted_link(&at, &meta)?;
        let to = std::fs::read_link(&at).map_err(io)?;
        at = match at.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(to),
            _ => to,
        };
    }
    Err(io(rustix::io::Errno::LOOP.into()))
}

/// A link is followed only when it belongs to this user, or to the owner of its directory
/// and leads to a file of that owner: the kernel's `protected_symlinks` rule for sticky
/// world-writable directories, applied to every directory, plus the target's owner. Otherwise whoever may write the directory (a shared `--output-dir`)
/// could point lxconf's write, as root, at any file. (Resolving the link ourselves, as a
/// write through it needs, bypasses the kernel's own check.)
fn trusted_link(link: &Path, meta: &std::fs::Metadata) -> Result<(), WriteError> {
    let dir = std::fs::metadata(dir_of(link)).map_err(|source| WriteError::Io {
        action: "resolve",
        path: link.into(),
        source,
    })?;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() == me {
        return Ok(());
    }
    // Someone else's link in their own directory is followed only to a file of theirs:
    // a user's link must not aim root's write at a file the user could not write.
    let target_owner = std::fs::metadata(link).map(|t| t.uid()).ok();
    if meta.uid() == dir.uid() && target_owner == Some(meta.uid()) {
        return Ok(());
    }
    Err(WriteError::UntrustedLink {
        path: link.into(),
        owner: meta.uid(),
    })
}

/// The file at `target` if there is one, open for reading, after checking it is a regular
/// file without opening anything else (opening a device can have effects of its own).
fn existing(target: &Path) -> Result<Option<(File, std::fs::Metadata)>, WriteError> {
    let io = |source| WriteError::Io {
        action: "open",
        path: target.into(),
        source,
    };
    let lmeta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    not_regular(target, &lmeta)?;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file =
        File::from(rustix::fs::open(target, flags, Mode::empty()).map_err(|e| io(e.into()))?);
    let meta = file.metadata().map_err(io)?;
    not_regular(target, &meta)?;
    Ok(Some((file, meta)))
}

fn not_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), WriteError> {
    let t = meta.file_type();
    let kind = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a symbolic link"
    };
    Err(WriteError::NotRegular {
        path: path.into(),
        kind,
    })
}

/// `target`'s directory, for temporary files (a rename works within one file system only).
fn dir_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A new temporary file beside `target`; `O_EXCL` on a random name, so never a planted link.
fn temp_beside(target: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".lxconf-")
        .tempfile_in(dir_of(target))
}

/// Copy the old file to `TARGET.bak`: complete on disk under a temporary name first, then
/// renamed over whatever `TARGET.bak` was (a link is replaced, never followed).
fn write_backup(
    target: &Path,
    file: &File,
    meta: &std::fs::Metadata,
) -> Result<PathBuf, WriteError> {
    let mut bak = target.as_os_str().to_owned();
    bak.push(".bak");
    let bak = PathBuf::from(bak);
    let io = |source| WriteError::Io {
        action: "write the backup",
        path: bak.clone(),
        source,
    };
    let mut tmp = temp_beside(target).map_err(io)?;
    let mut from = file;
    from.rewind().map_err(io)?;
    std::io::copy(&mut from, tmp.as_file_mut()).map_err(io)?;
    // Best effort: when the owner cannot be given (not root, not the owner), the backup
    // stays ours with mode 0600, never readable by more people than the original.
    let _ = meta::copy(file, meta, tmp.as_file());
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(&bak).map_err(|e| io(e.error))?;
    Ok(bak)
}

/// Replace `target` by a new file renamed over it; `old` is the file it replaces, whose
/// owner, mode and attributes the new one takes (else it is rewritten in place).
fn replace(
    target: &Path,
    contents: &[u8],
    old: Option<(&File, &std::fs::Metadata)>,
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        action: "write",
        path: target.into(),
        source,
    };
    let mut tmp = temp_beside(target).map_err(io)?;
    // Through the File: NamedTempFile would add its random name to the message.
    tmp.as_file_mut().write_all(contents).map_err(io)?;
    if let Some((file, meta)) = old {
        if meta::copy(file, meta, tmp.as_file()).is_err() {
            drop(tmp);
            return in_place(target, file, contents);
        }
        // The old content goes away with the rename: the new one must be on disk first.
        // A new file replaces nothing, so converting many files stays fast without it.
        tmp.as_file().sync_all().map_err(io)?;
    }
    tmp.persist(target).map_err(|e| io(e.error))?;
    Ok(())
}

/// Rewrite `target` (open as `file`) in place. A complete copy of the old content is put on
/// disk first; if the rewrite fails (a full disk) the old content is written back, and if
/// even that fails the error names the copy.
fn in_place(target: &Path, file: &File, contents: &[u8]) -> Result<(), WriteError> {
    let err = |action, source| WriteError::Io {
        action,
        path: target.into(),
        source,
    };
    let mut old = Vec::new();
    let mut from = file;
    from.rewind()
        .and_then(|_| from.read_to_end(&mut old))
        .map_err(|e| err("read", e))?;
    let mut saved = temp_beside(target).map_err(|e| err("save a copy of", e))?;
    saved
        .as_file_mut()
        .write_all(&old)
        .and_then(|_| saved.as_file().sync_all())
        .map_err(|e| err("save a copy of", e))?;
    let flags = OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let out = rustix::fs::open(target, flags, Mode::empty())
        .map(File::from)
        .map_err(|e| err("open", e.into()))?;
    let same = out.metadata().map_err(|e| err("open", e))?;
    let was = file.metadata().map_err(|e| err("open", e))?;
    if (same.dev(), same.ino()) != (was.dev(), was.ino()) {
        let e = std::io::Error::other("it was replaced while lxconf was writing it");
        return Err(err("rewrite", e));
    }
    match overwrite(&out, contents) {
        Ok(()) => Ok(()),
        Err(source) if overwrite(&out, &old).is_ok() => Err(err("rewrite in place", source)),
        Err(source) => {
            let saved = saved.keep().map(|(_, p)| p).unwrap_or_default();
            Err(WriteError::Restore {
                path: target.into(),
                saved,
                source,
            })
        }
    }
}

/// Put `contents` into `file` from its start and cut what is left of the old content. The
/// file is not truncated first, so writing the old content back needs no new blocks.
fn overwrite(mut file: &File, contents: &[u8]) -> std::io::Result<()> {
    file.rewind()?;
    file.write_all(contents)?;
    file.set_len(contents.len() as u64)?;
    file.sync_all()
}

/// Write to stdout. A write error (most often a closed pipe: `lxconf schema | head`) ends
/// the process quietly with status 2 (I/O error), where `print!` would panic.
pub fn out(args: std::fmt::Arguments<'_>) {
    if std::io::stdout().lock().write_fmt(args).is_err() {
        std::process::exit(i32::from(crate::cli::EXIT_USAGE));
    }
}

/// `print!` that never panics: see [`out`].
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::output::out(format_args!($($t)*)) };
}

/// `println!` that never panics: see [`out`].
#[macro_export]
macro_rules! outln {
    () => { $crate::output::out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::output::out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `println!` for human output of values that come from an input: control characters are
/// escaped (see [`crate::snippet::escape`]); never panics (see [`out`]).
#[macro_export]
macro_rules! houtln {
    ($($t:tt)*) => {
        $crate::output::out(format_args!("{}\n", $crate::snippet::escape(&format!($($t)*))))
    };
}
