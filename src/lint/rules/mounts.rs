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
        example: "lxc.mount.entry = /srv/data mnt/../../../etc none bind 0 0\n",
        why: "A target is resolved under the rootfs; `..` components that climb above it make the mount land on the host's filesystem (or be refused), which is never what a container config should do.",
        fix: "Write the target without `..`: `mnt/data`.",
        fixable: Fixable::No,
        check: Check::Model(target_escapes),
    },
    RuleDef {
        code: Code::M008,
        example: "lxc.mount.entry = tmpfs tmp tmpfs size=50% 0 0\n",
        why: "A size relative to the host's RAM means a different limit on every host, and libvirt's `<filesystem type='ram'>` only takes an absolute `usage`: `lxconf convert` to domain XML fails on it.",
        fix: "Give an absolute size: `size=512m`.",
        fixable: Fixable::No,
        check: Check::Model(tmpfs_relative_size),
    },
    RuleDef {
        code: Code::M009,
        example: "lxc.mount.entry = tmpfs tmp tmpfs defaults 0 0\n",
        why: "Without `size=` the kernel allows half of the host's RAM, so a container can pin host memory through its tmpfs; libvirt's `<filesystem type='ram'>` needs a `usage`, so conversion to domain XML fails.",
        fix: "Add a size: `tmpfs tmp tmpfs size=64m 0 0`.",
        fixable: Fixable::No,
        check: Check::Model(tmpfs_without_size),
    },
    RuleDef {
        code: Code::M024,
        example: "lxc.rootfs.path = dir:/var/lib/lxc/app/rootfs\n# no lxc.mount.auto = proc...\n",
        why: "LXC unmounts the inherited `/proc` and mounts one only for `lxc.mount.auto = proc`; without it (and without a proc mount entry) the program sees an empty `/proc`, and `ps`, shells and most runtimes break.",
        fix: "Add `lxc.mount.auto = proc:mixed sys:ro` (or a proc mount entry).",
        fixable: Fixable::No,
        check: Check::Model(no_proc),
    },
    RuleDef {
        code: Code::M025,
        example: "lxc.mount.entry = /srv/a mnt/data none bind 0 0\nlxc.mount.entry = /srv/b mnt/data none bind 0 0\n",
        why: "The second mount hides the first: its files are invisible in the container. libvirt refuses two `<filesystem>` elements with the same target.",
        fix: "Mount on distinct targets, or delete the mount that is hidden.",
        fixable: Fixable::No,
        check: Check::Model(duplicate_target),
    },
    RuleDef {
        code: Code::M026,
        example: "{\"mounts\": [{\"source\": \"/srv\", \"target\": \"srv\", \"fstype\": \"none\", \"bind\": \"bind\"}]}\n",
        why: "The model (and libvirt's `<target dir>`) needs an absolute path inside the container; a relative one is refused by libvirt and ambiguous for the runner.",
        fix: "Write the target as an absolute path: `/srv`.",
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
