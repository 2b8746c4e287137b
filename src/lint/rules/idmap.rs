//! User namespace rules: id mappings.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::lxc_key::ExactKey as K;
use lxconf_model::model::{IdKind, IdMap, IdMapProblem};
use lxconf_model::pointer;
use lxconf_model::{Code, Diagnostic};

/// The idmap rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M003,
        fixable: Fixable::No,
        check: Check::Model(overlap),
    },
    RuleDef {
        code: Code::M004,
        fixable: Fixable::No,
        check: Check::Model(root_not_mapped),
    },
    RuleDef {
        code: Code::M005,
        fixable: Fixable::No,
        check: Check::Model(kind_missing),
    },
    RuleDef {
        code: Code::M006,
        fixable: Fixable::No,
        check: Check::Model(privileged),
    },
];

fn kind_name(k: IdKind) -> &'static str {
    match k {
        IdKind::Uid => "uid",
        IdKind::Gid => "gid",
    }
}

fn overlaps(a_start: u32, a_count: u32, b_start: u32, b_count: u32) -> bool {
    let a_end = u64::from(a_start) + u64::from(a_count);
    let b_end = u64::from(b_start) + u64::from(b_count);
    u64::from(a_start) < b_end && u64::from(b_start) < a_end
}

fn overlap(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let maps = &ctx.document.container.idmap;
    for (j, b) in maps.iter().enumerate() {
        for (i, a) in maps[..j].iter().enumerate() {
            if a.kind != b.kind {
                continue;
            }
            let side = if overlaps(a.container_start, a.count, b.container_start, b.count) {
                "container"
            } else if overlaps(a.host_start, a.count, b.host_start, b.count) {
                "host"
            } else {
                continue;
            };
            let mut d = ctx.diag(
                Code::M003,
                &pointer::item(pointer::IDMAP, j).to_string(),
                format!(
                    "this {} mapping overlaps an earlier one on the {side} side",
                    kind_name(b.kind)
                ),
            );
            if let Some(o) = ctx.at(&pointer::item(pointer::IDMAP, i).to_string()) {
                d = d.also(o, "overlapping mapping");
            }
            out.push(d.help(
                "the kernel refuses overlapping ranges; split the larger range around the other",
            ));
        }
    }
}

fn root_not_mapped(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for problem in ctx.document.container.idmap_problems() {
        let IdMapProblem::RootNotMapped { kind, first } = problem else {
            continue;
        };
        let at = pointer::item(pointer::IDMAP, first).to_string();
        out.push(
            ctx.diag(
                Code::M004,
                &at,
                format!(
                    "no {} mapping covers the container's root (id 0)",
                    kind_name(kind)
                ),
            )
            .help(format!(
                "add a mapping that starts at 0, e.g. `{} = {} 0 100000 65536`",
                K::Idmap,
                &kind_name(kind)[..1]
            )),
        );
    }
}

fn kind_missing(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let maps = &ctx.document.container.idmap;
    for problem in ctx.document.container.idmap_problems() {
        let IdMapProblem::KindMissing { kind: missing } = problem else {
            continue;
        };
        let Some(i) = maps.iter().position(|m| m.kind != missing) else {
            continue;
        };
        let m = &maps[i];
        let example = IdMap {
            kind: missing,
            ..*m
        };
        out.push(
            ctx.diag(
                Code::M005,
                &pointer::item(pointer::IDMAP, i).to_string(),
                format!(
                    "{} mappings without {} mappings",
                    kind_name(m.kind),
                    kind_name(missing)
                ),
            )
            .help(format!("add `{} = {example}`", K::Idmap)),
        );
    }
}

fn privileged(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let c = &ctx.document.container;
    if ctx.format == lxconf_parse::Format::Fstab {
        return;
    }
    if !c.idmap.is_empty()
        || c.namespaces
            .share
            .contains_key(&lxconf_model::Namespace::User)
    {
        return;
    }
    let lxc_help = format!(
        "map root to a subordinate id range with `{}` (or allow this rule for containers meant to be privileged)",
        K::Idmap
    );
    let lxd_help = format!(
        "leave `{}` unset (LXD then maps root to its own id allocation), or allow this rule for containers meant to be privileged",
        lxconf_model::lxd::keys::names::SECURITY_PRIVILEGED
    );
    // An LXD instance says it at `security.privileged` (the reader records it there).
    let at = if ctx.document.origins.get(pointer::IDMAP).is_some() {
        pointer::IDMAP
    } else {
        pointer::ROOTFS
    };
    out.push(
        ctx.diag(
            Code::M006,
            at,
            "privileged container: no id mappings, so root in the container is root on the host",
        )
        .help(if c.libvirt.is_some() {
            "map root to a subordinate id range with an `<idmap>` (`<uid start='0' target='100000' count='65536'/>` and the same `<gid>`), or allow this rule for containers meant to be privileged"
        } else if c.lxd.is_some() {
            &lxd_help
        } else {
            &lxc_help
        }),
    );
}
