use super::*;

/// Includes read so far: each file is read once and shared (a file included twice is
/// applied twice, as liblxc does, but not read twice), and the limits on their number,
/// depth and size.
#[derive(Default)]
pub(super) struct Includes {
    /// Canonical path → the file's source, for files read once.
    pub(super) cache: HashMap<PathBuf, SourceId>,
    /// Canonical paths of the files being read, outermost first (cycle detection).
    pub(super) canonical: Vec<PathBuf>,
    /// Includes applied.
    pub(super) count: usize,
    /// Bytes applied (a file included twice counts twice).
    pub(super) bytes: u64,
    /// A limit was reported: later refusals are silent.
    pub(super) refused: bool,
}

pub(super) fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Lowerer<'_> {
    pub(super) fn include(&mut self, v: Value<'_>) {
        if v.text.is_empty() {
            return;
        }
        let path = self.resolve(v.text);
        let fs = self.options.fs;
        if v.text.ends_with('/') || fs.is_dir(&path) {
            let entries = match fs.read_dir(&path) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
                Err(e) => {
                    self.diag(
                        Diagnostic::new(
                            Code::L017,
                            format!("cannot read directory `{}`: {e}", path.display()),
                        )
                        .at(v.origin)
                        .help("check the path and its permissions"),
                    );
                    return;
                }
            };
            // liblxc reads the entries in readdir() order; we sort them so the result
            // does not depend on the filesystem.
            let mut files: Vec<PathBuf> = entries
                .into_iter()
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.len() >= 6 && n.ends_with(".conf"))
                })
                .collect();
            files.sort();
            for f in files {
                if fs.is_dir(&f) {
                    continue;
                }
                self.include_file(&f, v);
            }
        } else {
            self.include_file(&path, v);
        }
    }

    pub(super) fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.options.base_dir.join(p)
        }
    }

    pub(super) fn include_file(&mut self, path: &Path, v: Value<'_>) {
        let canonical = canonical(path);
        if self.includes.canonical.contains(&canonical) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .map(|p| p.display().to_string())
                .chain(std::iter::once(path.display().to_string()))
                .collect();
            self.diag(
                Diagnostic::new(
                    Code::L006,
                    format!("include cycle: {}", chain.join(" -> ")),
                )
                .at(v.origin)
                .help("remove one of the includes; liblxc has no cycle detection and crashes on this file"),
            );
            return;
        }
        let id = match self.includes.cache.get(&canonical) {
            Some(&id) => id,
            None => match self.options.fs.read_to_string(path) {
                Ok(text) => {
                    let id = self.sources.add(path.display().to_string(), text);
                    self.includes.cache.insert(canonical.clone(), id);
                    id
                }
                Err(e) => return self.include_unreadable(path, v, &e),
            },
        };
        let len = self.sources.get(id).text.len() as u64;
        if let Some(d) = self.include_limit(len) {
            if !std::mem::replace(&mut self.includes.refused, true) {
                self.diag(d.at(v.origin));
            }
            return;
        }
        self.includes.count += 1;
        self.includes.bytes += len;
        self.stack.push(path.to_path_buf());
        self.includes.canonical.push(canonical);
        self.read_file(id);
        self.stack.pop();
        self.includes.canonical.pop();
    }

    /// The limit one more include of `len` bytes would pass, as a diagnostic to place.
    pub(super) fn include_limit(&self, len: u64) -> Option<Diagnostic> {
        let inc = &self.includes;
        if self.stack.len() > limits::MAX_INCLUDE_DEPTH {
            return Some(Diagnostic::new(
                Code::I005,
                format!("includes nested more than {} deep: this include and any deeper are not read", limits::MAX_INCLUDE_DEPTH),
            )
            .help("real configs nest includes two or three deep; flatten the chain"));
        }
        if inc.count >= limits::MAX_INCLUDES {
            return Some(Diagnostic::new(
                Code::I004,
                format!("more than {} includes in all: this include and every later one are not read", limits::MAX_INCLUDES),
            )
            .help("a file included twice is applied twice (liblxc does the same); include each file once"));
        }
        if inc.bytes + len > limits::MAX_TOTAL_BYTES {
            return Some(Diagnostic::new(
                Code::I001,
                format!("the included files add up to more than {} MiB: this include and every later one are not read", limits::MAX_TOTAL_BYTES >> 20),
            )
            .help("a file included several times counts each time; include each file once"));
        }
        None
    }

    /// An include that cannot be read: refused by a limit, missing, or unreadable.
    pub(super) fn include_unreadable(&mut self, path: &Path, v: Value<'_>, e: &std::io::Error) {
        if let Some(limit) = limit_error(e) {
            let (code, help) = match limit {
                LimitError::TooLarge => (
                    Code::I001,
                    "a config is a few KiB; check that the path names a config",
                ),
                LimitError::NotRegular(_) => (
                    Code::I002,
                    "lxconf includes regular files only: a device or FIFO can block or never end",
                ),
            };
            let d = Diagnostic::new(
                code,
                format!("included file `{}` is {limit}: not read", path.display()),
            );
            return self.diag(d.at(v.origin).help(help));
        }
        let mut d = Diagnostic::new(
            Code::L005,
            format!("included file `{}` cannot be read: {e}", path.display()),
        )
        .at(v.origin);
        d = if Path::new(v.text).is_relative() {
            let beside = self
                .stack
                .last()
                .and_then(|p| p.parent())
                .map(|d| d.join(v.text));
            match beside {
                Some(b) if self.options.fs.read_to_string(&b).is_ok() => d.help(format!(
                    "liblxc resolves relative includes against the current directory ({}); the file exists at `{}`: use an absolute path, or run from the config's directory",
                    self.options.base_dir.display(),
                    b.display()
                )),
                _ => d.help(format!(
                    "relative includes are resolved against the current directory ({}); use an absolute path",
                    self.options.base_dir.display()
                )),
            }
        } else {
            d.help("check the path; liblxc refuses a config whose include is missing")
        };
        self.diag(d);
    }

    pub(super) fn read_fstab(&mut self, path: &str, origin: Origin) -> Vec<(Mount, Origin)> {
        let full = self.resolve(path);
        let text = match self.options.fs.read_to_string(&full) {
            Ok(t) => t,
            Err(e) if limit_error(&e).is_some() => {
                let code = match limit_error(&e) {
                    Some(LimitError::NotRegular(_)) => Code::I002,
                    _ => Code::I001,
                };
                let msg = format!("fstab file `{}` is {}: not read", full.display(), e);
                self.diag(
                    Diagnostic::new(code, msg)
                        .at(origin)
                        .help("lxconf reads fstab files that are regular files of at most 16 MiB"),
                );
                return Vec::new();
            }
            Err(e) => {
                let beside = self
                    .stack
                    .first()
                    .and_then(|p| p.parent())
                    .map(|d| d.join(path))
                    .filter(|b| {
                        Path::new(path).is_relative() && self.options.fs.read_to_string(b).is_ok()
                    });
                let help = match beside {
                    Some(b) => format!(
                        "liblxc resolves a relative fstab path against the current directory ({}); the file exists at `{}`: run from the config's directory or pass --include-base",
                        self.options.base_dir.display(),
                        b.display()
                    ),
                    None => "liblxc loads the config but the container fails to start without this file".to_string(),
                };
                self.diag(
                    Diagnostic::new(
                        Code::L018,
                        format!("fstab file `{}` cannot be read: {e}", full.display()),
                    )
                    .at(origin)
                    .help(help),
                );
                return Vec::new();
            }
        };
        let id = self.sources.add(full.display().to_string(), text.clone());
        let (entries, diags) = fstab::parse_file(&text, id);
        // A file that does not parse as fstab (`lxc.mount.fstab = /etc/shadow`): its
        // lines are never printed.
        if !diags.is_empty() {
            self.sources.mark_private(id);
        }
        self.diags.extend(diags);
        let mut out = Vec::new();
        for e in entries {
            let line = e.line.clone();
            let (mount, errors) = e.into_mount(id);
            self.diags.extend(errors);
            out.push((mount, Origin::new(id, line.clone())));
        }
        out
    }
}
