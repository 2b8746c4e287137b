//! `<filesystem>` elements: the rootfs, then every mount libvirt can express, with the
//! elements kept verbatim from a source at their positions.

use super::writer::W;
use lxconf_model::model::*;
use lxconf_model::pointer::mount;
use lxconf_model::{pointer, SizeSpec};

/// The root filesystem and the mounts, in order.
pub(super) fn filesystems(w: &mut W<'_>, c: &Container) {
    let mut fs_ord = 0usize;
    if let Some(rootfs) = c.rootfs.as_ref().filter(|r| !r.path.starts_with('/')) {
        // `containers/rel/rootfs`, `$HOME/rootfs`: not a host path libvirt can use.
        relative_source_lost(w, pointer::ROOTFS, &rootfs.path);
    } else if let Some(rootfs) = &c.rootfs {
        filesystem(
            w,
            &mut fs_ord,
            rootfs.backend.as_deref(),
            &rootfs.path,
            "/",
            rootfs.readonly,
            pointer::ROOTFS,
        );
        if !rootfs.options.is_empty() {
            w.loss(
                pointer::ROOTFS_OPTIONS,
                format!("rootfs mount options `{}`", rootfs.options.join(",")),
                "libvirt mounts the root filesystem with its own options",
            );
        }
    }
    for (i, m) in c.mounts.iter().enumerate() {
        mount(w, c, &mut fs_ord, i, m);
    }
    kept_filesystems(w, &mut fs_ord);
}

/// One mount, or its loss; `ordinal` counts the `<filesystem>` elements written.
fn mount(w: &mut W<'_>, c: &Container, ordinal: &mut usize, i: usize, m: &Mount) {
    let pointer = pointer::item(pointer::MOUNTS, i).to_string();
    match (m.fstype.as_str(), m.bind) {
        ("tmpfs", _) => ram(w, ordinal, m, &pointer),
        // A path inside the container (LXC `relative`, libvirt type='bind').
        // Without a rootfs the container's `/` is the host's, where type='bind' resolves.
        (_, BindKind::Bind | BindKind::Rbind) if m.relative => relative_bind(w, ordinal, m),
        // A block device or an image file mounted with its own filesystem.
        ("auto", BindKind::None) => {
            let backend = if m.options.iter().any(|o| o == "loop") {
                "loop"
            } else {
                "block"
            };
            filesystem(
                w,
                ordinal,
                Some(backend),
                &m.source,
                &m.target,
                m.readonly,
                &pointer,
            );
            return;
        }
        (_, BindKind::Bind | BindKind::Rbind) => {
            // A bind stays a bind, a device node's too: `type='block'` would mount the
            // filesystem on the device instead.
            let backend = Some("bind");
            // LXC's `relative` option: the source is inside the container's rootfs.
            let source = match (&c.rootfs, m.relative || !m.source.starts_with('/')) {
                (Some(r), true) => format!(
                    "{}/{}",
                    r.path.trim_end_matches('/'),
                    m.source.trim_start_matches('/')
                ),
                (None, true) => {
                    relative_source_lost(w, &pointer, &m.source);
                    return;
                }
                (_, false) => m.source.clone(),
            };
            filesystem(
                w, ordinal, backend, &source, &m.target, m.readonly, &pointer,
            );
            device_access(w, &source, &pointer);
            if m.bind == BindKind::Rbind {
                w.note(
                        &pointer::item_field(pointer::MOUNTS, i, mount::BIND),
                        format!("the recursive bind mount on `{}` becomes a plain bind: submounts of the source are not visible", m.target),
                        "libvirt bind-mounts filesystems without MS_REC",
                    );
            }
        }
        (_, BindKind::None) if libvirt_mounts_itself(m).is_some() => {
            // libvirt mounts proc on /proc and sysfs on /sys by itself: the entry is
            // expressed by leaving it out.
            let what = libvirt_mounts_itself(m).unwrap_or_default();
            w.note(
                &pointer,
                format!(
                    "the `{}` mount on `{}` is left out: libvirt always mounts {what}",
                    m.fstype, m.target
                ),
                "libvirt's LXC driver mounts /proc and /sys itself and has no element for them",
            );
            return;
        }
        (fstype, BindKind::None) => {
            w.loss(&pointer, format!("the `{fstype}` mount on `{}`", m.target), "libvirt mounts only host directories, block devices, images and tmpfs; /proc and /sys are mounted automatically");
            return;
        }
    }
    options_lost(w, m, i);
}

/// A source that is not an absolute host path: libvirt resolves nothing against a current
/// directory or a shell variable, so the filesystem is left out (and reported).
fn relative_source_lost(w: &mut W<'_>, pointer: &str, source: &str) {
    w.loss(
        pointer,
        format!("the relative source `{source}`"),
        "libvirt needs an absolute host path",
    );
}

/// What libvirt mounts by itself at a mount's place: proc on `/proc`, sysfs on `/sys`.
pub(super) fn libvirt_mounts_itself(m: &Mount) -> Option<&'static str> {
    let target = m.target.trim_end_matches('/');
    match (m.fstype.as_str(), m.bind, target) {
        ("proc", BindKind::None, "/proc") => Some("/proc (with /proc/sys read-only)"),
        ("sysfs", BindKind::None, "/sys") => Some("/sys (read-only)"),
        _ => None,
    }
}

/// A tmpfs with an absolute size: `<filesystem type='ram'>`.
fn ram(w: &mut W<'_>, ordinal: &mut usize, m: &Mount, pointer: &str) {
    // libvirt keeps tmpfs sizes in whole KiB, and 0 KiB means unlimited: a size that is not
    // a multiple of 1 KiB is rounded up, never down to "unlimited".
    let usage = match m.size {
        Some(SizeSpec::Bytes(b)) => Some(b.0.div_ceil(1024)),
        _ => None,
    };
    if let Some(SizeSpec::Bytes(b)) = m.size.filter(|_| usage.is_some()) {
        if b.0 % 1024 != 0 {
            w.note(
                &format!("{pointer}/{}", lxconf_model::pointer::mount::SIZE),
                format!(
                    "the tmpfs size on `{}` is rounded up to {} KiB",
                    m.target,
                    b.0.div_ceil(1024)
                ),
                "libvirt sizes tmpfs in whole KiB",
            );
        }
    }
    match usage {
        Some(u) => {
            kept_filesystems(w, ordinal);
            let this = format!("devices/filesystem[{ordinal}]");
            *ordinal += 1;
            w.open(
                "filesystem",
                &[("type", "ram".into()), ("accessmode", "passthrough".into())],
            );
            w.kept(&format!("{this}/driver"));
            w.empty(
                "source",
                &[("usage", u.to_string()), ("units", "KiB".into())],
            );
            w.empty("target", &[("dir", m.target.clone())]);
            if m.readonly {
                w.empty("readonly", &[]);
            }
            w.kept_children(&this);
            w.close("filesystem");
        }
        None => w.loss(
            pointer,
            format!("the tmpfs on `{}` without an absolute size", m.target),
            "give it a size, or pass --host-memory",
        ),
    }
}

/// A path inside the container (LXC `relative`, libvirt type='bind').
fn relative_bind(w: &mut W<'_>, ordinal: &mut usize, m: &Mount) {
    kept_filesystems(w, ordinal);
    let this = format!("devices/filesystem[{ordinal}]");
    *ordinal += 1;
    w.open(
        "filesystem",
        &[
            ("type", "bind".into()),
            ("accessmode", "passthrough".into()),
        ],
    );
    w.kept(&format!("{this}/driver"));
    w.empty(
        "source",
        &[("dir", format!("/{}", m.source.trim_start_matches('/')))],
    );
    w.empty("target", &[("dir", m.target.clone())]);
    if m.readonly {
        w.empty("readonly", &[]);
    }
    w.kept_children(&this);
    w.close("filesystem");
}

/// Device nodes libvirt's device cgroup allows every container (docs of `lxc_cgroup.c`:
/// null, zero, full, random, urandom, tty, ptmx, fuse; the ptys under /dev/pts).
const LIBVIRT_ALLOWED_DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/ptmx",
    "/dev/fuse",
];

/// A bind of a device node libvirt's device cgroup denies: the node is there, unusable.
fn device_access(w: &mut W<'_>, source: &str, pointer: &str) {
    let allowed = LIBVIRT_ALLOWED_DEVICES.contains(&source) || source.starts_with("/dev/pts/");
    if source.starts_with("/dev/") && !allowed {
        w.loss(
            pointer,
            format!("access to the device `{source}` bound into the container"),
            "libvirt's device cgroup denies every device the domain does not list: pass it with <hostdev mode='capabilities' type='misc'> (character) or type='storage' (block)",
        );
    }
}

/// Mount options libvirt cannot carry, and an optional mount becoming mandatory.
fn options_lost(w: &mut W<'_>, m: &Mount, i: usize) {
    let extra: Vec<&str> = m
        .options
        .iter()
        .map(String::as_str)
        .filter(|o| {
            // libvirt's tmpfs has the kernel's default mode (1777); a bind has none.
            let default_mode = if m.fstype == "tmpfs" {
                matches!(*o, "mode=1777" | "mode=01777")
            } else {
                matches!(*o, "mode=0755" | "mode=755")
            };
            !(default_mode
                || matches!(*o, "rw" | "defaults")
                || (m.fstype == "tmpfs" && matches!(*o, "nosuid" | "nodev")))
        })
        .collect();
    if !extra.is_empty() {
        w.loss(
            &pointer::item_field(pointer::MOUNTS, i, mount::OPTIONS),
            format!("mount options `{}` on `{}`", extra.join(","), m.target),
            "libvirt has no per-filesystem mount options",
        );
    }
    if m.optional {
        w.note(
            &pointer::item_field(pointer::MOUNTS, i, mount::OPTIONAL),
            format!("the optional mount on `{}` becomes mandatory", m.target),
            "libvirt fails to start when a filesystem cannot be mounted",
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn filesystem(
    w: &mut W<'_>,
    ordinal: &mut usize,
    backend: Option<&str>,
    source: &str,
    target: &str,
    readonly: bool,
    pointer: &str,
) {
    kept_filesystems(w, ordinal);
    let this = format!("devices/filesystem[{ordinal}]");
    *ordinal += 1;
    let (ty, attr) = match backend {
        Some("block") | Some("lvm") => ("block", "dev"),
        Some("loop") => ("file", "file"),
        Some("bind") => ("mount", "dir"),
        _ if source.starts_with("/dev/") => ("block", "dev"),
        Some("dir") | None => ("mount", "dir"),
        Some(other) => {
            let at = if pointer == pointer::ROOTFS {
                pointer::ROOTFS_BACKEND
            } else {
                pointer
            };
            w.note(
                at,
                format!("the `{other}` root filesystem is given to libvirt as a directory"),
                "mount it on the host first, or convert it to a directory",
            );
            ("mount", "dir")
        }
    };
    w.open(
        "filesystem",
        &[("type", ty.into()), ("accessmode", "passthrough".into())],
    );
    w.kept(&format!("{this}/driver"));
    w.empty("source", &[(attr, source.into())]);
    w.empty("target", &[("dir", target.into())]);
    if readonly {
        w.empty("readonly", &[]);
    }
    w.kept_children(&this);
    w.close("filesystem");
}

/// Whole `<filesystem>` elements kept verbatim (template, volume) at this position.
fn kept_filesystems(w: &mut W<'_>, ordinal: &mut usize) {
    while w.kept(&format!("devices/filesystem[{ordinal}]")) {
        *ordinal += 1;
    }
}
