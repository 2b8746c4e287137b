//! File access for includes and fstab files, behind a trait so tests can use an in-memory
//! tree.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// What the loaders need from a filesystem.
pub trait FileSystem {
    /// Read a whole file as UTF-8 (invalid bytes are replaced). The real filesystem reads
    /// regular files only, at most [`crate::limits::MAX_FILE_BYTES`]; a refusal is an error
    /// that [`crate::limits::limit_error`] recognises.
    fn read_to_string(&self, path: &Path) -> io::Result<String>;
    /// True for a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// The entries of a directory (full paths), in any order.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
}

/// The real filesystem.
pub struct RealFs;

impl FileSystem for RealFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        crate::limits::read_regular(path).map(crate::limits::decode)
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    /// Only names liblxc would include (`*.conf`, six bytes or more), and at most one more
    /// than the include limit: a directory of millions of entries costs no memory, and
    /// the include count reports the limit (I004).
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let entry = entry?.path();
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.len() >= 6 && name.ends_with(".conf") {
                out.push(entry);
                if out.len() > crate::limits::MAX_INCLUDES {
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// An in-memory tree, for tests and fuzzing.
#[derive(Debug, Default, Clone)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, String>,
}

impl MemoryFs {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add a file.
    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.files.insert(path.into(), text.into());
        self
    }
}

impl FileSystem for MemoryFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "No such file or directory"))
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p.parent() == Some(path))
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let entries: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| p.parent() == Some(path))
            .cloned()
            .collect();
        if entries.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "No such file or directory",
            ));
        }
        Ok(entries)
    }
}
