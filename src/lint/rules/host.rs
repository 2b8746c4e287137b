//! Rules that look at the host's filesystem; they run only with `--host`, on the machine the
//! container will run on.

use crate::lint::{Check, Fixable, ModelCtx, RuleDef};
use lxconf_model::model::BindKind;
use lxconf_model::pointer;
use lxconf_model::{Code, Diagnostic};
use std::path::Path;

/// The host rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M023,
        fixable: Fixable::No,
        check: Check::Host(hook_not_executable),
    },
    RuleDef {
        code: Code::M031,
        fixable: Fixable::No,
        check: Check::Host(rootfs_not_found),
    },
    RuleDef {
        code: Code::M032,
        fixable: Fixable::No,
        check: Check::Host(bind_source_not_found),
    },
];

#[cfg(unix)]
fn executable(path: &Path) -> Result<(), &'static str> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Err(_) => Err("does not exist"),
        Ok(m) if m.is_dir() => Err("is a directory"),
        Ok(m) if m.permissions().mode() & 0o111 == 0 => Err("is not executable"),
        Ok(_) => Ok(()),
    }
}

#[cfg(not(unix))]
fn executable(path: &Path) -> Result<(), &'static str> {
    if path.is_file() {
        Ok(())
    } else {
        Err("does not exist")
    }
}

fn hook_not_executable(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, h) in ctx.document.container.hooks.hooks.iter().enumerate() {
        let Some(program) = h.command.split_whitespace().next() else {
            continue;
        };
        if !program.starts_with('/') {
            continue;
        }
        if let Err(why) = executable(Path::new(program)) {
            out.push(
                ctx.diag(
                    Code::M023,
                    &pointer::item(pointer::HOOK_LIST, i).to_string(),
                    format!("{} hook `{program}` {why}", h.kind.name()),
                )
                .help("install the hook and make it executable (`chmod +x`)"),
            );
        }
    }
}

fn rootfs_not_found(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(r) = &ctx.document.container.rootfs else {
        return;
    };
    if !matches!(r.backend.as_deref(), None | Some("dir")) || !r.path.starts_with('/') {
        return;
    }
    if !Path::new(&r.path).exists() {
        out.push(
            ctx.diag(
                Code::M031,
                pointer::ROOTFS,
                format!("rootfs `{}` does not exist on this host", r.path),
            )
            .help("create the rootfs or fix the path"),
        );
    }
}

fn bind_source_not_found(ctx: &ModelCtx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, m) in ctx.document.container.mounts.iter().enumerate() {
        if m.bind == BindKind::None || m.optional || m.relative || !m.source.starts_with('/') {
            continue;
        }
        if !Path::new(&m.source).exists() {
            out.push(
                ctx.diag(
                    Code::M032,
                    &pointer::item_field(pointer::MOUNTS, i, pointer::mount::SOURCE),
                    format!("bind source `{}` does not exist on this host", m.source),
                )
                .help("create it, fix the path, or add `optional` to the mount options"),
            );
        }
    }
}
