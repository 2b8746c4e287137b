//! Writing output files safely: to a temporary file in the same directory, then renamed
//! over the target, so a crash or a full disk never leaves a half-written file.

use std::io::Write;
use std::path::Path;

/// Atomically replace `path` with `contents`. With `backup`, the old file is first copied to
/// `path.bak`. The new file keeps the old one's permissions.
pub fn write_atomic(path: &Path, contents: &[u8], backup: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let old_meta = std::fs::metadata(path).ok();
    if backup && old_meta.is_some() {
        let mut bak = path.as_os_str().to_owned();
        bak.push(".bak");
        std::fs::copy(path, &bak)?;
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    // No fsync: the rename makes the replacement atomic for readers and against crashes of
    // lxconf itself, which is what users need from a converter; fsync per file would make
    // converting hundreds of files in one call a hundred times slower.
    tmp.write_all(contents)?;
    if let Some(meta) = old_meta {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
