use super::*;
use lxconf_model::{SeccompAction as A, SeccompArg, SeccompCmp, SourceMap};

fn read(text: &str) -> Parsed {
    let mut sources = SourceMap::default();
    let id = sources.add("p.seccomp", text);
    parse(text, id)
}

fn codes(p: &Parsed) -> Vec<Code> {
    p.diagnostics.iter().map(|d| d.code).collect()
}

fn name(n: &str) -> SeccompSyscall {
    SeccompSyscall::Name(n.into())
}

#[test]
fn the_distribution_profile_reads() {
    let p = read("2\ndenylist\nreject_force_umount  # comment this to allow umount -f;  not recommended\n[all]\nkexec_load errno 1\nopen_by_handle_at errno 1\n");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let policy = p.policy.expect("policy");
    assert_eq!(policy.list, SeccompList::Denylist);
    assert_eq!(policy.default_action(), A::Allow);
    assert_eq!(policy.rules.len(), 3);
    assert_eq!(policy.rules[0].syscall, SeccompSyscall::RejectForceUmount);
    assert_eq!(policy.rules[0].action, None);
    assert_eq!(policy.rules[1].syscall, name("kexec_load"));
    assert_eq!(policy.rules[1].action, Some(A::Errno(1)));
    assert_eq!(p.rule_lines.len(), 3);
}

#[test]
fn list_words_old_names_and_default_actions() {
    let p = read("2\nblacklist errno 38\nread\n")
        .policy
        .expect("policy");
    assert_eq!(
        (p.list, p.default_action),
        (SeccompList::Denylist, Some(A::Errno(38)))
    );
    assert_eq!(p.rule_action(&p.rules[0]), A::Kill);
    let p = read("2\nwhitelist\nread\n").policy.expect("policy");
    assert_eq!(p.list, SeccompList::Allowlist);
    assert_eq!(p.default_action(), A::Kill);
    assert_eq!(p.rule_action(&p.rules[0]), A::Allow);
    // One line, as fscanf("%d\n") allows.
    assert!(read("2 allowlist trap\n").policy.is_some());
    // A space at the end of the list line leaves liblxc a newline to read as an action.
    assert_eq!(codes(&read("2\ndenylist \n")), [Code::S001]);
    assert_eq!(codes(&read("2\ndenylist debug\n")), [Code::S001]);
    assert_eq!(codes(&read("3\ndenylist\n")), [Code::S001]);
    assert_eq!(codes(&read("2\n")), [Code::S001]);
    assert_eq!(codes(&read("2\ngreylist\n")), [Code::S001]);
}

#[test]
fn version_1_is_numbers_and_must_say_allowlist() {
    let p = read("1\nallowlist\n0\n1\n 60 trailing\n")
        .policy
        .expect("policy");
    assert_eq!(p.rules[2].syscall, SeccompSyscall::Number(60));
    assert_eq!(codes(&read("1\nwhitelist\n0\n")), [Code::S001]);
    assert_eq!(codes(&read("1\nallowlist\n# no comments\n")), [Code::S001]);
    assert_eq!(codes(&read("1\nallowlist\n0\n\n")), [Code::S001]);
}

#[test]
fn actions_are_matched_by_their_first_letters_and_log_is_not_one() {
    let p =
        read("2\ndenylist\na killer\nb errno1\nc   allow # why\nd trap\ne notify\nf # comment\n")
            .policy
            .expect("policy");
    let actions: Vec<_> = p.rules.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            Some(A::Kill),
            Some(A::Errno(1)),
            Some(A::Allow),
            Some(A::Trap),
            Some(A::Notify),
            None
        ]
    );
    for bad in [
        "read log",
        "read trace 1",
        "read errno",
        "read [0,1,==]",
        " read",
    ] {
        let p = read(&format!("2\ndenylist\n{bad}\n"));
        assert_eq!(codes(&p), [Code::S001], "{bad}");
        assert!(p.policy.is_none());
    }
}

#[test]
fn argument_filters_in_both_spellings() {
    let p = read("2\nallowlist\nwrite errno 1 [0,1,SCMP_CMP_GT][2,0x10,&=,0x30]\n")
        .policy
        .expect("policy");
    assert_eq!(
        p.rules[0].args,
        [
            SeccompArg {
                index: 0,
                value: 1,
                op: SeccompCmp::Gt,
                mask: 0
            },
            SeccompArg {
                index: 2,
                value: 16,
                op: SeccompCmp::MaskedEq,
                mask: 48
            },
        ]
    );
    // sscanf stops at a digit after the operator: the rest is ignored.
    assert!(read("2\nallowlist\nw kill [0,1,<5]\n").policy.is_some());
    for bad in [
        "w kill [6,1,==]",
        "w kill [0,-1,==]",
        "w kill [0,1, ==]",
        "w kill [0,1,=]",
        "w kill [0,1,==] # comment",
        "w kill [0,1]",
        "w kill [0,1 ,==]",
        "w kill [0,123456789012345678901234,==]",
    ] {
        assert_eq!(
            codes(&read(&format!("2\nallowlist\n{bad}\n"))),
            [Code::S001],
            "{bad}"
        );
    }
}

#[test]
fn sections_are_whole_lines_and_foreign_ones_are_not_read_here() {
    let p = read("2\ndenylist\n[x86_64]\nread\n[ARM64]\nwrite\n")
        .policy
        .expect("policy");
    assert_eq!(p.rules[0].arch, SeccompArch::X86_64);
    assert_eq!(p.rules[1].arch, SeccompArch::Arm64);
    let p = read("2\ndenylist\n[i386]\nread\n");
    assert_eq!(codes(&p), [Code::S005]);
    assert!(p.policy.is_none());
    assert_eq!(codes(&read("2\ndenylist\n[all] \n")), [Code::S005]);
    // A bad line in a section liblxc skips on x86_64: reported, the policy kept.
    let p = read("2\ndenylist\n[s390x]\nread log\n[all]\nwrite\n");
    assert_eq!(codes(&p), [Code::S001]);
    assert_eq!(p.diagnostics[0].severity, lxconf_model::Severity::Warning);
    assert_eq!(p.policy.expect("kept").rules.len(), 1);
}

#[test]
fn errors_are_located_on_their_line() {
    let text = "2\ndenylist\nread\nwrite log\n";
    let p = read(text);
    let d = &p.diagnostics[0];
    let label = d.primary.as_ref().expect("label");
    assert_eq!(&text[label.origin.range()], "write log");
}

#[test]
fn too_many_lines_is_a_limit_not_a_hang() {
    let text = format!("2\ndenylist\n{}", "read\n".repeat(MAX_POLICY_LINES + 1));
    let p = read(&text);
    assert_eq!(codes(&p), [Code::I007]);
    assert!(p.policy.is_none());
}

#[test]
fn hostile_bytes_never_panic() {
    for text in [
        "",
        "\n",
        "2",
        "2\nallowlist\n[",
        "2\nallowlist\n]]]]",
        "2\nallowlist\nx [",
        "-",
        "2\nallowlist errno 99999999999\n",
        "2\nallowlist\nx kill [\u{e9},1,==]",
    ] {
        let _ = read(text);
    }
}

#[test]
fn a_rule_with_the_default_action_is_refused_as_libseccomp_refuses_it() {
    // lxc-execute: "Permission denied - Failed to add rule for syscall[0:read]".
    for text in [
        "2\ndenylist\nread allow\n",
        "2\nallowlist\nread\nwrite\nsethostname kill\n",
        "2\ndenylist errno 13\nreject_force_umount\n",
    ] {
        let p = read(text);
        assert_eq!(codes(&p), [Code::S001], "{text}");
        assert!(p.policy.is_none());
    }
    // Unknown names never reach libseccomp's check; other errnos are other actions.
    assert!(read("2\ndenylist\nno_such_call allow\nread errno 2\n")
        .diagnostics
        .is_empty());
    assert!(read("2\nallowlist errno 1\nread\nwrite errno 2\n")
        .diagnostics
        .is_empty());
}
