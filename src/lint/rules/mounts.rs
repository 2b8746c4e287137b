//! Mount rules.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::lxc_key::ExactKey as K;
use lxconf_model::model::{BindKind, ProcMode};
use lxconf_model::pointer;
use lxconf_model::{Code, Diagnostic, SizeSpec};

/// The mount rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M007,
        fixable: Fixable::No,
        check: Check::Model(target_escapes),
    },
    RuleDef {
        code: Code::M008,
        fixable: Fixable::No,
        check: Check::Model(tmpfs_relative_size),
    },
    RuleDef {
        code: Code::M009,
        fixable: Fixable::No,
        check: Check::Model(tmpfs_without_size),
    },
    RuleDef {
        code: Code::M024,
        fixable: Fixable::No,
        check: Check::Model(no_proc),
    },
    RuleDef {
        code: Code::M025,
        fixable: Fixable::No,
        check: Check::Model(duplicate_target),
    },
    RuleDef {
        code: Code::M026,
        fixable: Fixable::No,
        check: Check::Model(target_not_absolute),
    },
];

fn escapes(target: &str) -> bool {
    let mut depth: i32 = 0;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

fn target_escapes(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, m) in ctx.document.container.mounts.iter().enumerate() {
        if escapes(&m.target) {
            out.push(
                ctx.diag(
                    Code::M007,
                    &pointer::item_field(pointer::MOUNTS, i, pointer::mount::TARGET),
                    format!(
                        "mount target `{}` climbs out of the container's root with `..`",
                        m.target
                    ),
                )
                .help("write the target without `..` components"),
            );
        }
    }
}

fn is_tmpfs(fstype: &str) -> bool {
    fstype == "tmpfs"
}

fn tmpfs_relative_size(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, m) in ctx.document.container.mounts.iter().enumerate() {
        if let (true, Some(SizeSpec::Percent(p))) = (is_tmpfs(&m.fstype), m.size) {
            out.push(
                ctx.diag(
                    Code::M008,
                    &pointer::item_field(pointer::MOUNTS, i, pointer::mount::SIZE),
                    format!("tmpfs on `{}` is sized relative to host memory ({p}%)", m.target),
                )
                .help("libvirt conversion will fail: libvirt's `<filesystem type='ram'>` needs an absolute size; write e.g. `size=512m`"),
            );
        }
    }
}

fn tmpfs_without_size(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, m) in ctx.document.container.mounts.iter().enumerate() {
        if is_tmpfs(&m.fstype) && m.size.is_none() && m.bind == BindKind::None {
            out.push(
                ctx.diag(
                    Code::M009,
                    &pointer::item(pointer::MOUNTS, i).to_string(),
                    format!("tmpfs on `{}` has no size limit", m.target),
                )
                .help("the kernel defaults to half the host's RAM, and libvirt conversion will fail without a size; add e.g. `size=64m`"),
            );
        }
    }
}

fn no_proc(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let c = &ctx.document.container;
    if !ctx.is_lxc()
        || matches!(
            c.auto_mounts.proc,
            Some(ProcMode::Mixed | ProcMode::Rw | ProcMode::Libvirt)
        )
    {
        return;
    }
    if c.mounts
        .iter()
        .any(|m| m.fstype == "proc" || m.target == "/proc")
    {
        return;
    }
    let pointer = if c.rootfs.is_some() {
        pointer::ROOTFS
    } else {
        pointer::AUTO_MOUNTS
    };
    out.push(
        ctx.diag(
            Code::M024,
            pointer,
            "the container gets no `/proc`: no proc automount and no proc mount",
        )
        .help(format!(
            "LXC unmounts the inherited /proc before exec; add `{} = proc:mixed`",
            K::MountAuto
        )),
    );
}

fn duplicate_target(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    // The first mount on each target, so that 40,000 mounts take one pass, not 40,000.
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (j, m) in ctx.document.container.mounts.iter().enumerate() {
        let i = *first.entry(m.target.as_str()).or_insert(j);
        if i != j {
            let mut d = ctx.diag(
                Code::M025,
                &pointer::item(pointer::MOUNTS, j).to_string(),
                format!("a second mount on `{}` hides the first", m.target),
            );
            if let Some(o) = ctx.at(&pointer::item(pointer::MOUNTS, i).to_string()) {
                if Some(o) != d.primary.as_ref().map(|l| l.origin) {
                    d = d.also(o, "hidden mount");
                }
            }
            out.push(d.help("mount on distinct targets, or delete the hidden mount"));
        }
    }
}

fn target_not_absolute(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    // fstab files used by LXC (`lxc.mount.fstab`) take targets relative to the rootfs.
    if ctx.format == lxconf_parse::Format::Fstab {
        return;
    }
    for (i, m) in ctx.document.container.mounts.iter().enumerate() {
        if !m.target.starts_with('/') {
            out.push(
                ctx.diag(
                    Code::M026,
                    &pointer::item_field(pointer::MOUNTS, i, pointer::mount::TARGET),
                    format!("mount target `{}` is not an absolute path", m.target),
                )
                .help(format!("write `/{}`", m.target)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dotdot_escapes_only_above_the_root() {
        assert!(super::escapes("/mnt/../../etc"));
        assert!(!super::escapes("/mnt/a/../b"));
        assert!(super::escapes("../x"));
    }
}
