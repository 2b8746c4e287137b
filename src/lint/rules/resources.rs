//! Resource limit rules: memory, CPU, cpuset, process limits.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::pointer;
use lxconf_model::{Code, CpuSet, Diagnostic, Limit};

/// The resource rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M017,
        fixable: Fixable::No,
        check: Check::Model(soft_above_hard),
    },
    RuleDef {
        code: Code::M018,
        fixable: Fixable::No,
        check: Check::Model(swap_below_memory),
    },
    RuleDef {
        code: Code::M019,
        fixable: Fixable::No,
        check: Check::Model(quota_without_period),
    },
    RuleDef {
        code: Code::M020,
        fixable: Fixable::No,
        check: Check::Model(invalid_cpuset),
    },
    RuleDef {
        code: Code::M029,
        fixable: Fixable::No,
        check: Check::Model(prlimit_soft_above_hard),
    },
    RuleDef {
        code: Code::M033,
        fixable: Fixable::No,
        check: Check::Model(min_above_limit),
    },
];

fn soft_above_hard(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let r = &ctx.document.container.resources;
    if let (Some(soft), Some(hard)) = (r.memory_soft_limit, r.memory_limit) {
        if soft > hard {
            let mut d = ctx.diag(
                Code::M017,
                pointer::RESOURCES_MEMORY_SOFT_LIMIT,
                format!(
                    "soft memory limit ({} bytes) is above the hard limit ({} bytes)",
                    soft.0, hard.0
                ),
            );
            if let Some(o) = ctx.at(pointer::RESOURCES_MEMORY_LIMIT) {
                d = d.also(o, "hard limit");
            }
            out.push(d.help("the soft limit never takes effect; were the values swapped?"));
        }
    }
}

fn swap_below_memory(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let r = &ctx.document.container.resources;
    if let (Some(swap), Some(mem)) = (r.memory_swap_limit, r.memory_limit) {
        if swap < mem {
            let mut d = ctx.diag(
                Code::M018,
                pointer::RESOURCES_MEMORY_SWAP_LIMIT,
                format!(
                    "memory+swap limit ({} bytes) is below the memory limit ({} bytes)",
                    swap.0, mem.0
                ),
            );
            if let Some(o) = ctx.at(pointer::RESOURCES_MEMORY_LIMIT) {
                d = d.also(o, "memory limit");
            }
            out.push(d.help(
                "the kernel refuses it; set the memory+swap limit at or above the memory limit",
            ));
        }
    }
}

fn quota_without_period(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let r = &ctx.document.container.resources;
    if let (Some(q), None) = (r.cpu_quota_us, r.cpu_period_us) {
        if q > 0 {
            out.push(
                ctx.diag(
                    Code::M019,
                    pointer::RESOURCES_CPU_QUOTA,
                    format!("CPU quota of {q} µs without a period"),
                )
                .help("set the period too (`cpu.max = QUOTA PERIOD`, or `cpu.cfs_period_us`)"),
            );
        }
    }
}

fn invalid_cpuset(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, s) in ctx.document.container.resources.cgroup.iter().enumerate() {
        if !s.key.starts_with("cpuset.cpus") && s.key != "cpuset.mems" {
            continue;
        }
        if let Err(e) = s.value.trim().parse::<CpuSet>() {
            out.push(
                ctx.diag(
                    Code::M020,
                    &pointer::item(pointer::RESOURCES_CGROUP, i).to_string(),
                    format!("`{}` is not a cpuset list: {e}", s.value),
                )
                .help("write numbers and ranges separated by commas, e.g. `0-3,5`"),
            );
        }
    }
}

fn prlimit_soft_above_hard(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, p) in ctx.document.container.prlimits.iter().enumerate() {
        let bad = match (p.soft, p.hard) {
            (Limit::Value(s), Limit::Value(h)) => s > h,
            (Limit::Unlimited, Limit::Value(_)) => true,
            _ => false,
        };
        if bad {
            out.push(
                ctx.diag(
                    Code::M029,
                    &pointer::item(pointer::PRLIMITS, i).to_string(),
                    format!(
                        "`{}` soft limit {} is above its hard limit {}",
                        p.resource, p.soft, p.hard
                    ),
                )
                .help("setrlimit refuses it; write `SOFT:HARD` with SOFT <= HARD"),
            );
        }
    }
}

fn min_above_limit(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let r = &ctx.document.container.resources;
    if let (Some(min), Some(max)) = (r.memory_min, r.memory_limit) {
        if min > max {
            out.push(
                ctx.diag(
                    Code::M033,
                    pointer::RESOURCES_MEMORY_MIN,
                    format!(
                        "guaranteed memory ({} bytes) is above the hard limit ({} bytes)",
                        min.0, max.0
                    ),
                )
                .help("keep memory.min below memory.max"),
            );
        }
    }
}
