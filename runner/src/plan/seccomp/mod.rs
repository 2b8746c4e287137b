//! The seccomp policy compiled to a BPF program, as liblxc 5.0 builds it with libseccomp on
//! an x86_64 host (docs/runner.md, "Seccomp"):
//!
//! - the rules of `[all]`, `[x86]`, `[x32]` and `[x86_64]` apply to the native ABI and,
//!   for a version 2 policy, to i386 (numbers from each ABI's table); other sections are
//!   skipped, names an ABI does not have are skipped on that ABI;
//! - a call of another architecture is killed (libseccomp's default for a foreign arch);
//! - x32 calls fail with ENOSYS, where liblxc filters them by the policy: reported;
//! - within a system call the first matching rule in file order decides; argument
//!   comparisons are seccompiler's (64-bit on x86_64, the low 32 bits on i386).
//!
//! The filter is loaded without `PR_SET_NO_NEW_PRIVS`, as liblxc does (it turns
//! libseccomp's default off), so setuid programs keep working in the container.

use super::{Finding, PlanError, Planner, ProcessStep};
use lxconf_model::{
    pointer, syscall_number, Code, SeccompAction, SeccompArg, SeccompCmp, SeccompPolicy,
    SeccompRule, SeccompSyscall, SyscallAbi,
};
use seccompiler::{
    BpfProgram, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompRule as BpfRule,
};
use serde::Serialize;

/// A compiled filter and when it is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeccompFilter {
    /// Load nothing when the runner already runs under a seccomp filter (liblxc's rule
    /// unless `lxc.seccomp.allow_nesting`).
    pub unless_confined: bool,
    /// The instructions, each as `code jt jf k` (hexadecimal code and k).
    pub program: Vec<BpfInsn>,
}

/// One classic BPF instruction (`struct sock_filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BpfInsn {
    /// Opcode.
    pub code: u16,
    /// Jump offset when true.
    pub jt: u8,
    /// Jump offset when false.
    pub jf: u8,
    /// Operand.
    pub k: u32,
}

impl Serialize for BpfInsn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!(
            "{:#06x} {} {} {:#x}",
            self.code, self.jt, self.jf, self.k
        ))
    }
}

/// The kernel's limit on a filter's length (`BPF_MAXINSNS`).
pub const MAX_INSNS: usize = 4096;

const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const JGE_K: u16 = 0x35;
const JA: u16 = 0x05;
const RET_K: u16 = 0x06;
const OFFSET_NR: u32 = 0;
const OFFSET_ARCH: u32 = 4;
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const AUDIT_ARCH_I386: u32 = 0x4000_0003;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
const RET_KILL_THREAD: u32 = 0;
const RET_TRAP: u32 = 0x0003_0000;
const RET_ERRNO: u32 = 0x0005_0000;
const RET_USER_NOTIF: u32 = 0x7fc0_0000;
const RET_ALLOW: u32 = 0x7fff_0000;
const MNT_FORCE: u64 = 1;
const EACCES: i32 = 13;
const ENOSYS: u32 = 38;

fn stmt(code: u16, k: u32) -> BpfInsn {
    BpfInsn {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> BpfInsn {
    BpfInsn { code, jt, jf, k }
}

/// The return value of an action (libseccomp's `SCMP_ACT_*`: errno keeps 16 bits).
fn ret_value(action: SeccompAction) -> u32 {
    match action {
        SeccompAction::Kill => RET_KILL_THREAD,
        SeccompAction::Errno(n) => RET_ERRNO | (n as u32 & 0xffff),
        SeccompAction::Allow => RET_ALLOW,
        SeccompAction::Trap => RET_TRAP,
        SeccompAction::Notify => RET_USER_NOTIF,
    }
}

/// One rule resolved for an ABI.
struct Resolved {
    nr: u32,
    args: Vec<SeccompArg>,
    action: SeccompAction,
}

/// The rules of `policy` for `abi`, in file order.
fn resolve(policy: &SeccompPolicy, abi: SyscallAbi) -> Vec<Resolved> {
    let mut out = Vec::new();
    for rule in policy.rules.iter().filter(|r| r.arch.applies_on_x86_64()) {
        let (nr, args, action) = match &rule.syscall {
            SeccompSyscall::Name(name) => (
                syscall_number(abi, name),
                rule.args.clone(),
                policy.rule_action(rule),
            ),
            SeccompSyscall::Number(n) => (u32::try_from(*n).ok(), Vec::new(), SeccompAction::Allow),
            SeccompSyscall::RejectForceUmount => (
                syscall_number(abi, "umount2"),
                vec![SeccompArg {
                    index: 1,
                    value: MNT_FORCE,
                    op: SeccompCmp::MaskedEq,
                    mask: MNT_FORCE,
                }],
                SeccompAction::Errno(EACCES),
            ),
        };
        if let Some(nr) = nr {
            out.push(Resolved { nr, args, action });
        }
    }
    out
}

/// seccompiler's conditions for a rule's arguments; `None` when a comparison can never
/// hold (a masked value with bits outside its mask, as libseccomp compares it).
fn conditions(args: &[SeccompArg], abi: SyscallAbi) -> Option<Vec<SeccompCondition>> {
    let (len, width) = match abi {
        SyscallAbi::X86_64 => (SeccompCmpArgLen::Qword, u64::MAX),
        SyscallAbi::I386 => (SeccompCmpArgLen::Dword, u64::from(u32::MAX)),
    };
    let mut out = Vec::new();
    for a in args {
        let value = a.value & width;
        let op = match a.op {
            SeccompCmp::Ne => SeccompCmpOp::Ne,
            SeccompCmp::Lt => SeccompCmpOp::Lt,
            SeccompCmp::Le => SeccompCmpOp::Le,
            SeccompCmp::Eq => SeccompCmpOp::Eq,
            SeccompCmp::Ge => SeccompCmpOp::Ge,
            SeccompCmp::Gt => SeccompCmpOp::Gt,
            SeccompCmp::MaskedEq => {
                let mask = a.mask & width;
                if value & !mask != 0 {
                    return None;
                }
                SeccompCmpOp::MaskedEq(mask)
            }
        };
        out.push(SeccompCondition::new(a.index, len.clone(), op, value).ok()?);
    }
    Some(out)
}

/// The section of one ABI: for each system call (in order of first appearance) its rules,
/// then the default action. The accumulator holds the call number between system calls;
/// a rule's argument checks overwrite it, so a system call's chain ends with a return.
fn section(rules: &[Resolved], abi: SyscallAbi, default: u32) -> Vec<BpfInsn> {
    let mut order: Vec<u32> = Vec::new();
    for r in rules {
        if !order.contains(&r.nr) {
            order.push(r.nr);
        }
    }
    let mut out = vec![stmt(LD_W_ABS, OFFSET_NR)];
    for nr in order {
        let mut chain = Vec::new();
        let mut decided = false;
        for r in rules.iter().filter(|r| r.nr == nr) {
            if r.args.is_empty() {
                chain.push(stmt(RET_K, ret_value(r.action)));
                decided = true;
                break;
            }
            let Some(conds) = conditions(&r.args, abi) else {
                continue;
            };
            let Ok(rule) = BpfRule::new(conds) else {
                continue;
            };
            let program: BpfProgram = rule.into();
            chain.extend(program.into_iter().map(|i| BpfInsn {
                code: i.code,
                jt: i.jt,
                jf: i.jf,
                k: i.k,
            }));
            chain.push(stmt(RET_K, ret_value(r.action)));
        }
        if !decided {
            chain.push(stmt(RET_K, default));
        }
        out.push(jump(JEQ_K, nr, 1, 0));
        out.push(stmt(JA, chain.len() as u32));
        out.extend(chain);
    }
    out.push(stmt(RET_K, default));
    out
}

/// The whole program: architecture dispatch, then one section per ABI.
pub fn compile(policy: &SeccompPolicy) -> Vec<BpfInsn> {
    let default = ret_value(policy.default_action());
    // x32 calls: liblxc filters them with the policy's rules (version 2); the runner
    // refuses them all with ENOSYS, which is what a kernel without the x32 ABI answers
    // after liblxc's filter. Version 1 has no x32 filter: libseccomp kills them.
    let x32 = if policy.has_compat_abis() {
        RET_ERRNO | ENOSYS
    } else {
        RET_KILL_THREAD
    };
    let mut native = vec![
        stmt(LD_W_ABS, OFFSET_NR),
        jump(JGE_K, X32_SYSCALL_BIT, 0, 1),
        stmt(RET_K, x32),
    ];
    native.extend(section(
        &resolve(policy, SyscallAbi::X86_64),
        SyscallAbi::X86_64,
        default,
    ));
    let mut out = vec![
        stmt(LD_W_ABS, OFFSET_ARCH),
        jump(JEQ_K, AUDIT_ARCH_X86_64, 0, 1),
        stmt(JA, 3),
    ];
    if policy.has_compat_abis() {
        out.push(jump(JEQ_K, AUDIT_ARCH_I386, 0, 1));
        out.push(stmt(JA, native.len() as u32 + 1));
    } else {
        // Version 1 filters the native ABI only: i386 is a foreign architecture.
        out.push(stmt(RET_K, RET_KILL_THREAD));
        out.push(stmt(RET_K, RET_KILL_THREAD));
    }
    out.push(stmt(RET_K, RET_KILL_THREAD));
    out.extend(native);
    if policy.has_compat_abis() {
        out.extend(section(
            &resolve(policy, SyscallAbi::I386),
            SyscallAbi::I386,
            default,
        ));
    }
    out
}

impl Planner<'_> {
    /// The seccomp step, or the findings that say why there is none or what is not
    /// applied as liblxc applies it.
    pub(super) fn seccomp(&mut self) -> Result<Option<ProcessStep>, PlanError> {
        let s = &self.c.security;
        let Some(policy) = &s.seccomp_policy else {
            return Ok(None);
        };
        if !cfg!(target_arch = "x86_64") {
            self.not_applied(
                Code::R001,
                pointer::SECURITY_SECCOMP_POLICY,
                "the seccomp policy is not loaded: the runner builds filters on x86_64 hosts only",
            );
            return Ok(None);
        }
        self.seccomp_findings(policy);
        let program = compile(policy);
        if program.len() > MAX_INSNS {
            return Err(PlanError::SeccompTooLong(program.len()));
        }
        Ok(Some(ProcessStep::Seccomp(SeccompFilter {
            unless_confined: !s.seccomp_allow_nesting,
            program,
        })))
    }

    fn seccomp_findings(&mut self, policy: &SeccompPolicy) {
        if policy.has_compat_abis() {
            self.not_applied.push(Finding::new(
                Code::R001,
                pointer::SECURITY_SECCOMP_POLICY,
                "x32 system calls fail with ENOSYS: liblxc filters them with the policy's rules",
            ));
        }
        let notify = |r: &SeccompRule| {
            r.arch.applies_on_x86_64() && policy.rule_action(r) == SeccompAction::Notify
        };
        let notified = policy.rules.iter().position(notify);
        let default_notify = policy.default_action() == SeccompAction::Notify;
        if let Some(i) = notified {
            self.not_applied.push(Finding::new(
                Code::R001,
                pointer::item(pointer::SECURITY_SECCOMP_POLICY_RULES, i).to_string(),
                "`notify` rules have no listener: the calls fail with ENOSYS",
            ));
        } else if default_notify {
            self.not_applied.push(Finding::new(
                Code::R001,
                pointer::SECURITY_SECCOMP_POLICY,
                "the default action `notify` has no listener: the calls fail with ENOSYS",
            ));
        }
        for (i, r) in policy.rules.iter().enumerate() {
            if matches!(r.syscall, SeccompSyscall::Number(n) if n < 0) {
                self.not_applied.push(Finding::new(
                    Code::R001,
                    pointer::item(pointer::SECURITY_SECCOMP_POLICY_RULES, i).to_string(),
                    "a negative system call number is not filtered",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests;
