//! The compiled programs run on a small classic-BPF interpreter: what each call gets.

use super::*;
use lxconf_model::{SeccompArch, SeccompList, SeccompPolicy};

/// Run `program` on one call: the return value, as the kernel's interpreter computes it.
fn run(program: &[BpfInsn], arch: u32, nr: u32, args: [u64; 6]) -> u32 {
    let mut data = [0u32; 16];
    data[0] = nr;
    data[1] = arch;
    for (i, a) in args.iter().enumerate() {
        data[4 + 2 * i] = *a as u32;
        data[5 + 2 * i] = (*a >> 32) as u32;
    }
    let mut acc = 0u32;
    let mut pc = 0usize;
    loop {
        let i = program[pc];
        pc += 1;
        match i.code {
            0x20 => acc = data[i.k as usize / 4],
            0x54 => acc &= i.k,
            0x05 => pc += i.k as usize,
            0x06 => return i.k,
            0x15 | 0x25 | 0x35 | 0x45 => {
                let hit = match i.code {
                    0x15 => acc == i.k,
                    0x25 => acc > i.k,
                    0x35 => acc >= i.k,
                    _ => acc & i.k != 0,
                };
                pc += usize::from(if hit { i.jt } else { i.jf });
            }
            other => panic!("instruction {other:#x} not interpreted"),
        }
        assert!(pc < program.len(), "jumped past the end");
    }
}

fn policy(text: &str) -> SeccompPolicy {
    let mut sources = lxconf_model::SourceMap::default();
    let id = sources.add("p", text);
    let parsed = lxconf_parse_free::parse(text, id);
    parsed.expect("policy")
}

/// The runner has no parser: build the policy with the model's types from a tiny grammar
/// (one rule a line: `name action...`), enough for these tests.
mod lxconf_parse_free {
    use lxconf_model::*;
    pub fn parse(text: &str, _: SourceId) -> Option<SeccompPolicy> {
        let mut lines = text.lines();
        let version: u8 = lines.next()?.parse().ok()?;
        let list = match lines.next()? {
            "denylist" => SeccompList::Denylist,
            "allowlist errno 38" => {
                return Some(SeccompPolicy {
                    version,
                    list: SeccompList::Allowlist,
                    default_action: Some(SeccompAction::Errno(38)),
                    rules: rules(lines, version),
                })
            }
            _ => SeccompList::Allowlist,
        };
        Some(SeccompPolicy {
            version,
            list,
            default_action: None,
            rules: rules(lines, version),
        })
    }
    fn rules<'a>(lines: impl Iterator<Item = &'a str>, version: u8) -> Vec<SeccompRule> {
        lines
            .map(|l| {
                let mut w = l.split(' ');
                let name = w.next().unwrap_or_default();
                let syscall = match (version, name) {
                    (1, n) => SeccompSyscall::Number(n.parse().unwrap_or(-1)),
                    (_, "reject_force_umount") => SeccompSyscall::RejectForceUmount,
                    (_, n) => SeccompSyscall::Name(n.into()),
                };
                let action = match w.next() {
                    Some("errno") => Some(SeccompAction::Errno(
                        w.next().and_then(|n| n.parse().ok()).unwrap_or(0),
                    )),
                    Some("kill") => Some(SeccompAction::Kill),
                    Some("allow") => Some(SeccompAction::Allow),
                    Some("trap") => Some(SeccompAction::Trap),
                    _ => None,
                };
                let args = w
                    .map(|a| {
                        let f: Vec<&str> = a.trim_matches(['[', ']']).split(',').collect();
                        SeccompArg {
                            index: f[0].parse().unwrap_or(0),
                            value: f[1].parse().unwrap_or(0),
                            op: SeccompCmp::from_text(f[2]).unwrap_or(SeccompCmp::Eq),
                            mask: f.get(3).and_then(|m| m.parse().ok()).unwrap_or(0),
                        }
                    })
                    .collect();
                SeccompRule {
                    arch: SeccompArch::All,
                    syscall,
                    action,
                    args,
                }
            })
            .collect()
    }
}

const X86_64: u32 = AUDIT_ARCH_X86_64;
const I386: u32 = AUDIT_ARCH_I386;
const AARCH64: u32 = 0xc000_00b7;
const NONE: [u64; 6] = [0; 6];

fn nr(name: &str) -> u32 {
    syscall_number(SyscallAbi::X86_64, name).expect("x86_64 syscall")
}

fn nr32(name: &str) -> u32 {
    syscall_number(SyscallAbi::I386, name).expect("i386 syscall")
}

#[test]
fn the_distribution_denylist_on_every_abi() {
    let p =
        policy("2\ndenylist\nreject_force_umount\nkexec_load errno 1\nopen_by_handle_at errno 1");
    let prog = compile(&p);
    assert_eq!(run(&prog, X86_64, nr("kexec_load"), NONE), RET_ERRNO | 1);
    assert_eq!(run(&prog, X86_64, nr("read"), NONE), RET_ALLOW);
    assert_eq!(
        run(&prog, X86_64, nr("umount2"), [0, 1, 0, 0, 0, 0]),
        RET_ERRNO | 13
    );
    assert_eq!(
        run(&prog, X86_64, nr("umount2"), [0, 2, 0, 0, 0, 0]),
        RET_ALLOW
    );
    // i386 has its own numbers: kexec_load is 283 there, 246 on x86_64.
    assert_eq!(run(&prog, I386, nr32("kexec_load"), NONE), RET_ERRNO | 1);
    assert_eq!(run(&prog, I386, nr("kexec_load"), NONE), RET_ALLOW);
    assert_eq!(
        run(&prog, I386, nr32("umount2"), [0, 1, 0, 0, 0, 0]),
        RET_ERRNO | 13
    );
    // x32 calls fail as on a kernel without x32; foreign architectures are killed.
    assert_eq!(
        run(&prog, X86_64, X32_SYSCALL_BIT | nr("read"), NONE),
        RET_ERRNO | 38
    );
    assert_eq!(run(&prog, AARCH64, 63, NONE), RET_KILL_THREAD);
}

#[test]
fn an_allowlist_kills_or_errors_what_it_does_not_list() {
    let p = policy("2\nallowlist\nread\nwrite\nexit_group");
    let prog = compile(&p);
    assert_eq!(run(&prog, X86_64, nr("write"), NONE), RET_ALLOW);
    assert_eq!(run(&prog, X86_64, nr("sethostname"), NONE), RET_KILL_THREAD);
    let p = policy("2\nallowlist errno 38\nread");
    assert_eq!(run(&compile(&p), X86_64, nr("open"), NONE), RET_ERRNO | 38);
}

#[test]
fn argument_filters_compare_all_64_bits_and_the_first_match_wins() {
    let p = policy("2\ndenylist\nwrite errno 1 [0,2,==]\nwrite errno 5 [2,4294967296,>=]\nwrite errno 7\npersonality errno 9 [0,8,&=,8]");
    let prog = compile(&p);
    let write = nr("write");
    assert_eq!(run(&prog, X86_64, write, [2, 0, 0, 0, 0, 0]), RET_ERRNO | 1);
    assert_eq!(
        run(&prog, X86_64, write, [1, 0, 1 << 32, 0, 0, 0]),
        RET_ERRNO | 5
    );
    assert_eq!(
        run(&prog, X86_64, write, [1, 0, u64::from(u32::MAX), 0, 0, 0]),
        RET_ERRNO | 7
    );
    assert_eq!(
        run(&prog, X86_64, write, [2 | (1 << 32), 0, 0, 0, 0, 0]),
        RET_ERRNO | 7
    );
    assert_eq!(
        run(&prog, X86_64, nr("personality"), [0xc, 0, 0, 0, 0, 0]),
        RET_ERRNO | 9
    );
    assert_eq!(
        run(&prog, X86_64, nr("personality"), [0x4, 0, 0, 0, 0, 0]),
        RET_ALLOW
    );
    // i386 compares the low 32 bits, as libseccomp does on a 32-bit ABI.
    assert_eq!(
        run(&prog, I386, nr32("write"), [2, 0, 0, 0, 0, 0]),
        RET_ERRNO | 1
    );
}

#[test]
fn a_masked_value_outside_its_mask_never_matches() {
    // libseccomp compares (arg & mask) == value: with value 3 and mask 1, never.
    let p = policy("2\ndenylist\npersonality errno 9 [0,3,&=,1]");
    assert_eq!(
        run(&compile(&p), X86_64, nr("personality"), [3, 0, 0, 0, 0, 0]),
        RET_ALLOW
    );
}

#[test]
fn version_1_lists_native_numbers_only() {
    let p = policy("1\nallowlist\n0\n1\n60");
    let prog = compile(&p);
    assert_eq!(run(&prog, X86_64, 1, NONE), RET_ALLOW);
    assert_eq!(run(&prog, X86_64, 2, NONE), RET_KILL_THREAD);
    assert_eq!(run(&prog, I386, 1, NONE), RET_KILL_THREAD);
    assert_eq!(
        run(&prog, X86_64, X32_SYSCALL_BIT | 1, NONE),
        RET_KILL_THREAD
    );
}

#[test]
fn foreign_sections_and_unknown_names_are_skipped() {
    let mut p = policy("2\ndenylist\nsethostname errno 1\nno_such_call errno 2");
    p.rules[0].arch = SeccompArch::Arm64;
    let prog = compile(&p);
    assert_eq!(run(&prog, X86_64, nr("sethostname"), NONE), RET_ALLOW);
    let plain = policy("2\ndenylist");
    assert_eq!(prog, compile(&plain));
}

#[test]
fn a_policy_without_a_list_is_a_valid_program() {
    let p = SeccompPolicy {
        version: 2,
        list: SeccompList::Denylist,
        default_action: None,
        rules: Vec::new(),
    };
    let prog = compile(&p);
    assert_eq!(run(&prog, X86_64, 0, NONE), RET_ALLOW);
    assert_eq!(run(&prog, I386, 0, NONE), RET_ALLOW);
}
