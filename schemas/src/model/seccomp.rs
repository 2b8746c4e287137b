//! A seccomp policy as liblxc 5.0 reads it from the file `lxc.seccomp.profile` names.
//!
//! The file's grammar (version line, list line, `[arch]` sections, rule lines) is read by
//! `lxconf_parse::seccomp`; this is what it means. What liblxc derives from a policy
//! (the action of a rule without one, the sections that apply on a host) are methods here,
//! so the reader, lint and the runner share one definition.

use super::*;
use std::fmt;

/// A seccomp policy file, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeccompPolicy {
    /// Policy language version: 1 (system call numbers, allowlist only) or 2.
    pub version: u8,
    /// Whether the listed system calls are the allowed ones or the refused ones.
    pub list: SeccompList,
    /// Action for a system call no rule matches, when the list line names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_action: Option<SeccompAction>,
    /// Rules, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<SeccompRule>,
}

/// The kind of list (`allowlist`/`whitelist`, `denylist`/`blacklist`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeccompList {
    /// Listed calls are allowed; others get the default action (kill).
    Allowlist,
    /// Listed calls are refused; others get the default action (allow).
    Denylist,
}

/// One rule line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeccompRule {
    /// The `[arch]` section the rule is in (`all` before any section).
    #[serde(default, skip_serializing_if = "SeccompArch::is_all")]
    pub arch: SeccompArch,
    /// The system call.
    pub syscall: SeccompSyscall,
    /// The action as written; absent: the list's rule action
    /// ([`SeccompPolicy::rule_action`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<SeccompAction>,
    /// Argument comparisons, all of which must hold (at most six).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<SeccompArg>,
}

/// What a rule line names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeccompSyscall {
    /// A system call by name (version 2).
    Name(String),
    /// A system call by its number on the host (version 1).
    Number(i64),
    /// `reject_force_umount`: `umount2` with `MNT_FORCE` fails with `EACCES`.
    RejectForceUmount,
}

/// What happens to a matching system call (liblxc's action words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeccompAction {
    /// `kill`: the calling thread is killed (`SCMP_ACT_KILL`).
    Kill,
    /// `errno N`: the call fails with errno N.
    Errno(i32),
    /// `allow`.
    Allow,
    /// `trap`: `SIGSYS` is sent.
    Trap,
    /// `notify`: the call waits for the seccomp notify proxy.
    Notify,
}

impl fmt::Display for SeccompAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kill => f.write_str("kill"),
            Self::Errno(n) => write!(f, "errno {n}"),
            Self::Allow => f.write_str("allow"),
            Self::Trap => f.write_str("trap"),
            Self::Notify => f.write_str("notify"),
        }
    }
}

/// An argument comparison `[index,value,op]` or `[index,value,op,mask]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeccompArg {
    /// Argument index, 0..=5.
    pub index: u8,
    /// Value compared with.
    pub value: u64,
    /// Comparison.
    pub op: SeccompCmp,
    /// Mask for `masked_eq` (`(arg & mask) == value`); ignored by other comparisons.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mask: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// A comparison of an argument with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeccompCmp {
    /// `!=` (`SCMP_CMP_NE`).
    Ne,
    /// `<` (`SCMP_CMP_LT`).
    Lt,
    /// `<=` (`SCMP_CMP_LE`).
    Le,
    /// `==` (`SCMP_CMP_EQ`).
    Eq,
    /// `>=` (`SCMP_CMP_GE`).
    Ge,
    /// `>` (`SCMP_CMP_GT`).
    Gt,
    /// `&=` (`SCMP_CMP_MASKED_EQ`).
    MaskedEq,
}

impl SeccompCmp {
    /// Both of liblxc's spellings (`SCMP_CMP_EQ` and `==`), exactly.
    pub fn from_text(text: &str) -> Option<Self> {
        Some(match text {
            "SCMP_CMP_NE" | "!=" => Self::Ne,
            "SCMP_CMP_LT" | "<" => Self::Lt,
            "SCMP_CMP_LE" | "<=" => Self::Le,
            "SCMP_CMP_EQ" | "==" => Self::Eq,
            "SCMP_CMP_GE" | ">=" => Self::Ge,
            "SCMP_CMP_GT" | ">" => Self::Gt,
            "SCMP_CMP_MASKED_EQ" | "&=" => Self::MaskedEq,
            _ => return None,
        })
    }

    /// The short spelling (`==`).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Eq => "==",
            Self::Ge => ">=",
            Self::Gt => ">",
            Self::MaskedEq => "&=",
        }
    }
}

macro_rules! arches {
    ($( $variant:ident = $lower:literal / $upper:literal, )*) => {
        /// An `[arch]` section of a version 2 policy, as liblxc 5.0 names them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
        pub enum SeccompArch {
            /// `[all]`, and the rules before any section.
            #[default]
            #[serde(rename = "all")]
            All,
            $(
                #[doc = concat!("`[", $lower, "]`")]
                #[serde(rename = $lower)]
                $variant,
            )*
        }

        impl SeccompArch {
            /// The section for a line (`[x86_64]` or `[X86_64]`, nothing else: liblxc
            /// compares whole lines).
            pub fn from_section(line: &str) -> Option<Self> {
                match line {
                    "[all]" | "[ALL]" => Some(Self::All),
                    $(concat!("[", $lower, "]") | concat!("[", $upper, "]") => Some(Self::$variant),)*
                    _ => None,
                }
            }

            /// The name inside the brackets.
            pub fn name(self) -> &'static str {
                match self {
                    Self::All => "all",
                    $(Self::$variant => $lower,)*
                }
            }
        }
    };
}

arches! {
    X86 = "x86" / "X86",
    X32 = "x32" / "X32",
    X86_64 = "x86_64" / "X86_64",
    Arm = "arm" / "ARM",
    Arm64 = "arm64" / "ARM64",
    Ppc64le = "ppc64le" / "PPC64LE",
    Ppc64 = "ppc64" / "PPC64",
    Ppc = "ppc" / "PPC",
    Mips64 = "mips64" / "MIPS64",
    Mips64n32 = "mips64n32" / "MIPS64N32",
    Mips = "mips" / "MIPS",
    Mipsel64 = "mipsel64" / "MIPSEL64",
    Mipsel64n32 = "mipsel64n32" / "MIPSEL64N32",
    Mipsel = "mipsel" / "MIPSEL",
    S390x = "s390x" / "S390X",
    S390 = "s390" / "S390",
}

impl SeccompArch {
    fn is_all(&self) -> bool {
        *self == Self::All
    }

    /// Whether liblxc applies this section's rules on an x86_64 host. It skips sections
    /// of other architectures; the rules of `[x86]`, `[x32]`, `[x86_64]` and `[all]` are
    /// all added to every x86 ABI's filter (liblxc 5.0 does not keep them apart).
    pub fn applies_on_x86_64(self) -> bool {
        matches!(self, Self::All | Self::X86 | Self::X32 | Self::X86_64)
    }
}

/// A system call ABI the runner builds a filter section for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallAbi {
    /// 64-bit x86.
    X86_64,
    /// 32-bit x86 (`int 0x80`, 32-bit programs on an x86_64 host).
    I386,
}

/// The number of a system call by name on an ABI (the `syscalls` crate's tables, from the
/// kernel's).
pub fn syscall_number(abi: SyscallAbi, name: &str) -> Option<u32> {
    use std::str::FromStr;
    let id = match abi {
        SyscallAbi::X86_64 => syscalls::x86_64::Sysno::from_str(name).ok()?.id(),
        SyscallAbi::I386 => syscalls::x86::Sysno::from_str(name).ok()?.id(),
    };
    u32::try_from(id).ok()
}

/// Whether any architecture liblxc supports has a system call of this name (a name known
/// on none is ignored by liblxc everywhere: a typo).
pub fn syscall_known_anywhere(name: &str) -> bool {
    use std::str::FromStr;
    syscalls::x86_64::Sysno::from_str(name).is_ok()
        || syscalls::x86::Sysno::from_str(name).is_ok()
        || syscalls::aarch64::Sysno::from_str(name).is_ok()
        || syscalls::arm::Sysno::from_str(name).is_ok()
        || syscalls::powerpc64::Sysno::from_str(name).is_ok()
        || syscalls::powerpc::Sysno::from_str(name).is_ok()
        || syscalls::s390x::Sysno::from_str(name).is_ok()
        || syscalls::mips::Sysno::from_str(name).is_ok()
        || syscalls::mips64::Sysno::from_str(name).is_ok()
}

impl SeccompPolicy {
    /// The action for a system call no rule matches: the list line's, else kill for an
    /// allowlist and allow for a denylist.
    pub fn default_action(&self) -> SeccompAction {
        self.default_action.unwrap_or(match self.list {
            SeccompList::Allowlist => SeccompAction::Kill,
            SeccompList::Denylist => SeccompAction::Allow,
        })
    }

    /// The action of a rule: as written, else allow in an allowlist and kill in a
    /// denylist (the list line's default action does not change it).
    pub fn rule_action(&self, rule: &SeccompRule) -> SeccompAction {
        rule.action.unwrap_or(match self.list {
            SeccompList::Allowlist => SeccompAction::Allow,
            SeccompList::Denylist => SeccompAction::Kill,
        })
    }

    /// Whether liblxc adds filters for the compat ABIs (i386 and x32 on an x86_64 host):
    /// version 2 does, version 1 filters the native ABI only.
    pub fn has_compat_abis(&self) -> bool {
        self.version >= 2
    }
}
