//! Seccomp policy rules. The reader reports what liblxc refuses (S001, S005) and a file it
//! cannot read (S002); the line limit is I007. The rules here read the policy in the model.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::lxc_key::ExactKey as K;
use lxconf_model::{pointer, SeccompAction, SeccompSyscall};
use lxconf_model::{Code, Diagnostic};

const fn parser(code: Code) -> RuleDef {
    RuleDef {
        code,
        fixable: Fixable::No,
        check: Check::Parser,
    }
}

/// The seccomp rules.
pub const RULES: &[RuleDef] = &[
    parser(Code::S001),
    parser(Code::S002),
    RuleDef {
        code: Code::S003,
        fixable: Fixable::No,
        check: Check::Model(unknown_syscall),
    },
    RuleDef {
        code: Code::S004,
        fixable: Fixable::No,
        check: Check::Model(notify_without_proxy),
    },
    parser(Code::S005),
    parser(Code::I007),
];

fn rule_pointer(i: usize) -> String {
    pointer::item(pointer::SECURITY_SECCOMP_POLICY_RULES, i).to_string()
}

fn unknown_syscall(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(policy) = &ctx.document.container.security.seccomp_policy else {
        return;
    };
    for (i, rule) in policy.rules.iter().enumerate() {
        let SeccompSyscall::Name(name) = &rule.syscall else {
            continue;
        };
        if lxconf_model::syscall_known_anywhere(name) {
            continue;
        }
        let help = if name.contains(['\t', '[', '\r']) {
            "liblxc separates the name from the action with a space only; a tab, a `[` or a carriage return becomes part of the name"
        } else {
            "check the spelling against the kernel's system call table"
        };
        let name = name.escape_debug();
        out.push(
            ctx.diag(
                Code::S003,
                &rule_pointer(i),
                format!("no architecture has a system call `{name}`: liblxc ignores this rule"),
            )
            .help(help),
        );
    }
}

fn notify_without_proxy(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let s = &ctx.document.container.security;
    let Some(policy) = &s.seccomp_policy else {
        return;
    };
    if s.seccomp_notify_proxy.is_some() {
        return;
    }
    let notified = policy
        .rules
        .iter()
        .position(|r| policy.rule_action(r) == SeccompAction::Notify);
    let (at, what) = match notified {
        Some(i) => (rule_pointer(i), "this rule's `notify` action"),
        None if policy.default_action() == SeccompAction::Notify => (
            pointer::SECURITY_SECCOMP_POLICY.to_string(),
            "the default action `notify`",
        ),
        None => return,
    };
    out.push(
        ctx.diag(
            Code::S004,
            &at,
            format!("{what} has no seccomp notify proxy to answer it"),
        )
        .help(format!(
            "set `{}` to the proxy's socket (`unix:PATH`), or use `errno N` to refuse the call",
            K::SeccompNotifyProxy
        )),
    );
}
