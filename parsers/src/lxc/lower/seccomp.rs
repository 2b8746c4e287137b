//! The seccomp policy file `lxc.seccomp.profile` names: read with the same limits and I/O
//! handling as an include, parsed by [`crate::seccomp`], its rules located in the file.

use super::*;

impl Lowerer<'_> {
    /// Read the policy file, when the config names one. A file that cannot be read is a
    /// finding (liblxc loads the config, then fails to start the container), never an
    /// error of the load.
    pub(super) fn finish_seccomp(&mut self) {
        let Some(path) = self.c.security.seccomp_profile.clone() else {
            return;
        };
        if path.is_empty() {
            return;
        }
        let Some(origin) = self.origins.get(pointer::SECURITY_SECCOMP_PROFILE) else {
            return;
        };
        let full = self.resolve(&path);
        let text = match self.options.fs.read_to_string(&full) {
            Ok(t) => t,
            Err(e) => return self.seccomp_unreadable(&full, origin, &e),
        };
        // Counted in the configuration's total, as an include is (the include count and
        // depth are about includes only).
        if self.includes.bytes + text.len() as u64 > limits::MAX_TOTAL_BYTES {
            let d = Diagnostic::new(
                Code::I001,
                format!(
                    "seccomp policy `{}` would take the files read past {} MiB: not read",
                    full.display(),
                    limits::MAX_TOTAL_BYTES >> 20
                ),
            )
            .help("a seccomp policy is a small text file; check the path");
            return self.diag(d.at(origin));
        }
        self.includes.bytes += text.len() as u64;
        let id = self.sources.add(full.display().to_string(), text.clone());
        let parsed = crate::seccomp::parse(&text, id);
        // Not a policy at all (`lxc.seccomp.profile = /etc/shadow`): its lines are never
        // printed.
        if !matches!(text.trim_start().as_bytes().first(), Some(b'1' | b'2')) {
            self.sources.mark_private(id);
        }
        self.diags.extend(parsed.diagnostics);
        if let Some(policy) = parsed.policy {
            self.origins
                .record(pointer::SECURITY_SECCOMP_POLICY, origin);
            for (i, range) in parsed.rule_lines.into_iter().enumerate() {
                self.origins.record(
                    pointer::item(pointer::SECURITY_SECCOMP_POLICY_RULES, i),
                    Origin::new(id, range),
                );
            }
            self.c.security.seccomp_policy = Some(policy);
        }
    }

    fn seccomp_unreadable(&mut self, path: &Path, origin: Origin, e: &std::io::Error) {
        let d = match limit_error(e) {
            Some(limit) => {
                let code = match limit {
                    LimitError::TooLarge => Code::I001,
                    LimitError::NotRegular(_) => Code::I002,
                };
                Diagnostic::new(
                    code,
                    format!("seccomp policy `{}` is {limit}: not read", path.display()),
                )
                .help("a seccomp policy is a small text file; check the path")
            }
            None => Diagnostic::new(
                Code::S002,
                format!("seccomp policy `{}` cannot be read: {e}", path.display()),
            )
            .help("liblxc loads this config but fails to start the container; check the path (a relative one is resolved against the current directory)"),
        };
        self.diag(d.at(origin));
    }
}
