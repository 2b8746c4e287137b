//! Rules on the init process, its environment and its security settings.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::lxc_key::ExactKey as K;
use lxconf_model::pointer;
use lxconf_model::values::{proc_key_problem, RESERVED_ID};
use lxconf_model::{Code, Diagnostic};

/// The process rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M021,
        fixable: Fixable::No,
        check: Check::Model(init_not_absolute),
    },
    RuleDef {
        code: Code::M022,
        fixable: Fixable::No,
        check: Check::Model(apparmor_unconfined),
    },
    RuleDef {
        code: Code::M027,
        fixable: Fixable::No,
        check: Check::Model(init_missing),
    },
    RuleDef {
        code: Code::M030,
        fixable: Fixable::No,
        check: Check::Model(env_set_twice),
    },
    RuleDef {
        code: Code::M034,
        fixable: Fixable::No,
        check: Check::Model(sysctl_outside_namespace),
    },
    RuleDef {
        code: Code::M040,
        fixable: Fixable::No,
        check: Check::Model(unsafe_proc_key),
    },
    RuleDef {
        code: Code::M041,
        fixable: Fixable::No,
        check: Check::Model(reserved_init_id),
    },
];

fn unsafe_proc_key(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let c = &ctx.document.container;
    let proc = c
        .proc
        .iter()
        .enumerate()
        .map(|(i, s)| (pointer::item(pointer::PROC, i).to_string(), s));
    let sysctls = (c.sysctls.iter().enumerate())
        .map(|(i, s)| (pointer::item(pointer::SYSCTLS, i).to_string(), s));
    for (pointer, s) in proc.chain(sysctls) {
        if let Some(why) = proc_key_problem(&s.key) {
            let key = s.key.escape_debug();
            let message = format!("the /proc key `{key}` {why}");
            out.push(
                ctx.diag(Code::M040, &pointer, message)
                    .help("name a plain file below /proc (a sysctl as `net.ipv4.ip_forward`)"),
            );
        }
    }
}

fn reserved_init_id(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let init = &ctx.document.container.init;
    let ids = [
        ("uid", pointer::INIT_UID, init.uid),
        ("gid", pointer::INIT_GID, init.gid),
    ];
    let groups = init
        .groups
        .iter()
        .map(|&g| ("group", pointer::INIT_GROUPS, g));
    for (what, pointer, id) in ids.into_iter().chain(groups) {
        if id == RESERVED_ID {
            out.push(
                ctx.diag(
                    Code::M041,
                    pointer,
                    format!("init {what} 4294967295 means \"unchanged\": init would stay root"),
                )
                .help("use an id up to 4294967294"),
            );
        }
    }
}

fn init_not_absolute(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let init = &ctx.document.container.init;
    if let Some(cmd) = init.command.first().filter(|c| !c.starts_with('/')) {
        out.push(
            ctx.diag(
                Code::M021,
                pointer::INIT_COMMAND,
                format!("init command `{cmd}` is not an absolute path"),
            )
            .help("init runs with an empty environment (no PATH); write the absolute path"),
        );
    }
    if let Some(cmd) = init
        .execute_command
        .as_ref()
        .and_then(|c| c.first())
        .filter(|c| !c.starts_with('/'))
    {
        out.push(
            ctx.diag(Code::M021, pointer::INIT_EXECUTE_COMMAND, format!("execute command `{cmd}` is not an absolute path"))
                .help("lxc-execute searches glibc's default path only (no PATH is set); write the absolute path"),
        );
    }
}

fn init_missing(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.document.container.init.command.is_empty() {
        out.push(
            ctx.diag(Code::M027, pointer::INIT, "no init command")
                .help(format!(
                    "name the program to run (`<init>` in domain XML, `{}` in LXC)",
                    K::InitCmd
                )),
        );
    }
}

fn apparmor_unconfined(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.document.container.security.apparmor_profile.as_deref() == Some("unconfined") {
        out.push(
            ctx.diag(
                Code::M022,
                pointer::SECURITY_APPARMOR_PROFILE,
                "the container runs without AppArmor confinement",
            )
            .help(format!(
                "use `{} = generated` (LXC's default) or your own profile",
                K::ApparmorProfile
            )),
        );
    }
}

fn env_set_twice(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let env = &ctx.document.container.init.env;
    let lxc_added = ctx.is_lxc()
        && env
            .last()
            .is_some_and(|e| e.name == "container" && e.value.as_deref() == Some("lxc"));
    let configured = if lxc_added {
        &env[..env.len() - 1]
    } else {
        &env[..]
    };
    // The last entry of each name: an entry before it is overridden (one pass, so that
    // 40,000 lines are not compared pairwise).
    let last: std::collections::HashMap<&str, usize> = configured
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    for (i, e) in configured.iter().enumerate() {
        let later = last[e.name.as_str()] > i;
        let by_lxc = lxc_added && e.name == "container";
        if !later && !by_lxc {
            continue;
        }
        let message = if later {
            format!("`{}` is set again below: this entry has no effect", e.name)
        } else {
            "LXC sets `container=lxc` after the configured entries: this entry has no effect"
                .to_string()
        };
        out.push(
            ctx.diag(
                Code::M030,
                &pointer::item(pointer::INIT_ENV, i).to_string(),
                message,
            )
            .help("delete the overridden entry"),
        );
    }
}

const NAMESPACED_SYSCTLS: &[&str] = &[
    "net.",
    "kernel.shm",
    "kernel.msg",
    "kernel.sem",
    "kernel.domainname",
    "kernel.hostname",
    "fs.mqueue.",
    "user.",
];

fn sysctl_outside_namespace(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, s) in ctx.document.container.sysctls.iter().enumerate() {
        if NAMESPACED_SYSCTLS.iter().any(|p| s.key.starts_with(p)) {
            continue;
        }
        out.push(
            ctx.diag(Code::M034, &pointer::item(pointer::SYSCTLS, i).to_string(), format!("sysctl `{}` is not namespaced", s.key))
                .help("it applies to the whole host and /proc/sys is read-only in the container; set it on the host instead"),
        );
    }
}
