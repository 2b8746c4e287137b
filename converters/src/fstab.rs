//! Model mounts → fstab lines (the fields of an `lxc.mount.entry` value and of an
//! `lxc.mount.fstab` file are the same).

use crate::writable::{self, Unwritable};
use lxconf_model::model::{BindKind, CreateKind, Mount};

/// A field of a mount that cannot be written, as a suffix of the mount's JSON pointer
/// (`source`, `target`, `fstype`, `options/2`) with the reason.
pub type FieldError = (String, Unwritable);

/// The options field: typed options first, then the rest in order; `defaults` when empty.
pub fn options(m: &Mount) -> Result<String, FieldError> {
    let mut opts: Vec<String> = Vec::new();
    match m.bind {
        BindKind::None => {}
        BindKind::Bind => opts.push("bind".into()),
        BindKind::Rbind => opts.push("rbind".into()),
    }
    if m.readonly {
        opts.push("ro".into());
    }
    if let Some(size) = m.size {
        opts.push(format!("size={size}"));
    }
    for (i, o) in m.options.iter().enumerate() {
        writable::fstab_option(o).map_err(|e| (format!("options/{i}"), e))?;
        opts.push(o.clone());
    }
    match m.create {
        Some(CreateKind::Dir) => opts.push("create=dir".into()),
        Some(CreateKind::File) => opts.push("create=file".into()),
        None => {}
    }
    if m.optional {
        opts.push("optional".into());
    }
    if m.relative {
        opts.push("relative".into());
    }
    Ok(if opts.is_empty() {
        "defaults".into()
    } else {
        opts.join(",")
    })
}

/// One fstab line without its newline. With a rootfs, targets are written relative to it
/// (LXC ignores most absolute targets then).
pub fn line(m: &Mount, with_rootfs: bool) -> Result<String, FieldError> {
    let target = if with_rootfs {
        m.target.trim_start_matches('/')
    } else {
        m.target.as_str()
    };
    let target = if target.is_empty() { "/" } else { target };
    let field = |name: &str, r: Result<String, Unwritable>| r.map_err(|e| (name.to_string(), e));
    Ok(format!(
        "{} {} {} {} {} {}",
        field("source", writable::fstab_path(&m.source))?,
        field("target", writable::fstab_path(target))?,
        field(
            "fstype",
            writable::fstab_word(&m.fstype).map(str::to_string)
        )?,
        options(m)?,
        m.dump,
        m.pass
    ))
}
