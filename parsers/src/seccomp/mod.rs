//! Seccomp policy files (`lxc.seccomp.profile`), read as liblxc 5.0's `seccomp.c` reads
//! them, quirks included (docs/lxc-parsing.md, "Seccomp policies"):
//!
//! - the version (`%d`, 1 or 2) may be followed by any blank space, even on one line with
//!   the list word (`2 denylist`);
//! - the list line: version 1 must contain `allowlist` (`whitelist` is refused); version 2
//!   starts with `allowlist`, `whitelist`, `denylist` or `blacklist`, then an optional
//!   default action after the first space; `debug` anywhere is refused;
//! - version 1 rule lines are numbers (`%d`: no comments, no blank lines);
//! - version 2: a line starting with `#` is a comment; `[arch]` lines are compared whole;
//!   a rule is `name [action] [args]`, the action read by its first letters (`killer` is
//!   `kill`) after the first space, `#` there meaning "no action"; arguments
//!   `[index,value,op(,mask)]` are found by splitting the whole line at `]`, so text after
//!   the last `]` is an error;
//! - a name no architecture knows is ignored by liblxc (lint reports it, S003).
//!
//! Errors in a section that does not apply on x86_64 (`[arm64]`...) are reported, but the
//! policy is kept: liblxc on this host never reads those lines.

mod rule;
#[cfg(test)]
mod tests;

use lxconf_model::{
    Code, Diagnostic, Origin, SeccompArch, SeccompList, SeccompPolicy, SeccompRule, SeccompSyscall,
    Severity, SourceId,
};
use std::ops::Range;

pub use rule::{parse_action, RuleError};

/// Whether libseccomp would refuse `rule` because its action is the filter's default
/// (`-EACCES` from `seccomp_rule_add`), for a name it knows on x86_64 or i386.
fn takes_default_action(policy: &SeccompPolicy, rule: &SeccompRule) -> bool {
    use lxconf_model::{syscall_number, SeccompAction, SyscallAbi};
    let (known, action) = match &rule.syscall {
        SeccompSyscall::Name(n) => (
            syscall_number(SyscallAbi::X86_64, n).is_some()
                || syscall_number(SyscallAbi::I386, n).is_some(),
            policy.rule_action(rule),
        ),
        SeccompSyscall::RejectForceUmount => (true, SeccompAction::Errno(13)),
        SeccompSyscall::Number(_) => (true, policy.rule_action(rule)),
    };
    known && action == policy.default_action()
}

/// Most lines lxconf reads from a policy file; real ones have a few hundred.
pub const MAX_POLICY_LINES: usize = 10_000;

/// A policy file, read.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The policy, unless liblxc (on x86_64) would refuse the file.
    pub policy: Option<SeccompPolicy>,
    /// The byte range of each rule of the policy, in order.
    pub rule_lines: Vec<Range<usize>>,
    /// Findings, located in the file.
    pub diagnostics: Vec<Diagnostic>,
}

/// C's `isspace`.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// `sscanf("%d")` at the start of `text`: blank space, a sign, digits. The rest is ignored.
fn scan_int(text: &str) -> Option<i64> {
    use nom::character::complete::{digit1, one_of};
    use nom::combinator::{opt, recognize};
    use nom::sequence::pair;
    let text = text.trim_start_matches(is_space);
    let parsed: nom::IResult<&str, &str> = recognize(pair(opt(one_of("+-")), digit1))(text);
    let (_, digits) = parsed.ok()?;
    digits.parse::<i64>().ok()
}

struct Reader<'a> {
    text: &'a str,
    source: SourceId,
    out: Parsed,
    /// liblxc (on x86_64) refuses the file.
    refused: bool,
}

/// Read a policy file.
pub fn parse(text: &str, source: SourceId) -> Parsed {
    let mut r = Reader {
        text,
        source,
        out: Parsed::default(),
        refused: false,
    };
    r.read();
    let mut out = r.out;
    if r.refused {
        out.policy = None;
        out.rule_lines.clear();
    }
    out
}

impl Reader<'_> {
    fn error(&mut self, code: Code, range: Range<usize>, message: String, help: &str) {
        self.refused = true;
        self.out.diagnostics.push(
            Diagnostic::new(code, message)
                .at(Origin::new(self.source, range))
                .help(help.to_string()),
        );
    }

    fn read(&mut self) {
        let text = self.text;
        // `fscanf("%d\n")`: blank space, the number, then any blank space (newlines too).
        let start = text.len() - text.trim_start_matches(is_space).len();
        let version = scan_int(text);
        let digits_end = text[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == '+' || c == '-'))
            .map_or(text.len(), |i| start + i);
        let Some(version @ (1 | 2)) = version else {
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            return self.error(
                Code::S001,
                start..end,
                "the first line is not the policy version (1 or 2)".into(),
                "start the file with `2` (or `1` for a list of system call numbers)",
            );
        };
        let header_start = text.len() - text[digits_end..].trim_start_matches(is_space).len();
        if header_start == text.len() {
            return self.error(
                Code::S001,
                start..digits_end,
                "the policy ends after its version: no `allowlist` or `denylist` line".into(),
                "add a line `denylist` or `allowlist` after the version",
            );
        }
        let (header, has_newline) = match text[header_start..].find('\n') {
            Some(i) => (&text[header_start..header_start + i], true),
            None => (&text[header_start..], false),
        };
        let header_range = header_start..header_start + header.len();
        let Some((list, default_action)) =
            self.header(version, header, has_newline, header_range.clone())
        else {
            return;
        };
        let mut policy = SeccompPolicy {
            version: version as u8,
            list,
            default_action,
            rules: Vec::new(),
        };
        let body_start = (header_range.end + usize::from(has_newline)).min(text.len());
        self.body(&mut policy, body_start);
        self.out.policy = Some(policy);
    }

    /// The list line: the list kind and the default action.
    fn header(
        &mut self,
        version: i64,
        header: &str,
        has_newline: bool,
        range: Range<usize>,
    ) -> Option<(SeccompList, Option<lxconf_model::SeccompAction>)> {
        if header.contains("debug") {
            self.error(
                Code::S001,
                range,
                "`debug` in the list line: liblxc refuses it (not implemented)".into(),
                "remove `debug`",
            );
            return None;
        }
        if version == 1 {
            if !header.contains("allowlist") {
                self.error(
                    Code::S001,
                    range,
                    format!("a version 1 policy must be an `allowlist`, not `{header}`"),
                    "liblxc 5.0 looks for the word `allowlist` (the old `whitelist` is refused in version 1); write `allowlist`",
                );
                return None;
            }
            return Some((SeccompList::Allowlist, None));
        }
        let list = if header.starts_with("denylist") || header.starts_with("blacklist") {
            SeccompList::Denylist
        } else if header.starts_with("allowlist") || header.starts_with("whitelist") {
            SeccompList::Allowlist
        } else {
            self.error(
                Code::S001,
                range,
                format!("`{header}` is not a policy style"),
                "the second line is `allowlist` or `denylist` (or `whitelist`, `blacklist`), optionally followed by a default action",
            );
            return None;
        };
        let Some(space) = header.find(' ') else {
            return Some((list, None));
        };
        // liblxc reads the action from the line with its newline: a space at the end of
        // the line leaves "\n", which is not an action.
        let rest = &header[space + 1..];
        let rest_nl = if has_newline {
            format!("{rest}\n")
        } else {
            rest.to_string()
        };
        match parse_action(&rest_nl) {
            Ok(action) => Some((list, action)),
            Err(e) => {
                self.error(
                    Code::S001,
                    range.start + space + 1..range.end,
                    format!("the default action of the list line: {e}"),
                    "write one of `kill`, `errno N`, `allow`, `trap`, `notify`, or nothing",
                );
                None
            }
        }
    }

    /// The lines after the list line.
    fn body(&mut self, policy: &mut SeccompPolicy, mut offset: usize) {
        let text = self.text;
        let mut arch = SeccompArch::All;
        for (n, raw) in text[offset..].split_inclusive('\n').enumerate() {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches('\n');
            let range = start..start + line.len();
            if n >= MAX_POLICY_LINES {
                return self.error(
                    Code::I007,
                    range,
                    format!("more than {MAX_POLICY_LINES} rule lines: the policy is not read"),
                    "real policies have a few hundred lines; check that the path names a seccomp policy",
                );
            }
            if policy.version == 1 {
                self.v1_line(policy, raw, range);
                continue;
            }
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if line.starts_with('[') {
                match SeccompArch::from_section(line) {
                    Some(a) => arch = a,
                    None => self.error(
                        Code::S005,
                        range,
                        format!("`{line}` is not an architecture liblxc knows: it refuses the policy"),
                        "use one of [all], [x86], [x32], [x86_64], [arm], [arm64], [ppc64le], [ppc64], [ppc], [mips64], [mips64n32], [mips], [mipsel64], [mipsel64n32], [mipsel], [s390x], [s390] (lowercase or uppercase, nothing else on the line)",
                    ),
                }
                continue;
            }
            match rule::parse_rule(line) {
                Ok(Some(mut r)) => {
                    r.arch = arch;
                    if arch.applies_on_x86_64() && takes_default_action(policy, &r) {
                        self.error(
                            Code::S001,
                            range.clone(),
                            format!("the rule's action `{}` is the policy's default action: libseccomp refuses the rule, so liblxc does not start the container", policy.rule_action(&r)),
                            "remove the rule (calls no rule matches get the default action anyway), or give it another action",
                        );
                    }
                    policy.rules.push(r);
                    self.out.rule_lines.push(range);
                }
                Ok(None) => {}
                Err(e) if arch.applies_on_x86_64() => {
                    let message = format!("{e}: liblxc refuses the policy");
                    self.error(Code::S001, range, message, e.help());
                }
                Err(e) => {
                    // liblxc skips other architectures' lines unread: the policy works
                    // here, and is refused on a host of that architecture.
                    self.out.diagnostics.push(
                        Diagnostic::new(Code::S001, format!("{e}: liblxc refuses the policy on a host this `[{}]` section applies to", arch.name()))
                            .severity(Severity::Warning)
                            .at(Origin::new(self.source, range))
                            .help(e.help().to_string()),
                    );
                }
            }
        }
    }

    fn v1_line(&mut self, policy: &mut SeccompPolicy, raw: &str, range: Range<usize>) {
        match scan_int(raw) {
            Some(nr) => {
                policy.rules.push(SeccompRule {
                    arch: SeccompArch::All,
                    syscall: SeccompSyscall::Number(nr),
                    action: None,
                    args: Vec::new(),
                });
                self.out.rule_lines.push(range);
            }
            None => self.error(
                Code::S001,
                range,
                "a version 1 policy line that is not a system call number".into(),
                "version 1 has numbers only, one per line, without comments or blank lines; write a version 2 policy to use names",
            ),
        }
    }
}
