//! Static equivalence: do two normalized models mean the same container?
//!
//! The models are compared per observation (what a user or the container would notice:
//! hostname, mounts, capabilities, ...). Representation differences that mean the same
//! thing are equal (a drop list and a libvirt policy that drop the same capabilities); a
//! documented, inherent difference between LXC and libvirt is "differs, as expected" with
//! its reason; anything else is "differs, unexpected". docs/equivalence.md lists the rules.

use crate::diff::{diff, Difference};
use crate::model::*;
use crate::pointer;
use serde::Serialize;
use std::collections::BTreeMap;

/// The verdict for one observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Same meaning.
    Equal,
    /// Different, for a documented reason inherent to the two systems.
    Expected,
    /// Different: the conversion changed the meaning.
    Unexpected,
}

/// One observation and its differences.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    /// What is compared (`mounts`, `capabilities`, ...).
    pub name: &'static str,
    /// Verdict.
    pub status: Status,
    /// The differences, each with its reason when expected.
    pub details: Vec<Detail>,
}

/// One difference inside an observation.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    /// JSON pointer.
    pub pointer: String,
    /// Value on the left.
    pub left: serde_json::Value,
    /// Value on the right.
    pub right: serde_json::Value,
    /// Why the difference is expected; absent when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// Observations, in report order, with the top-level model fields each covers.
pub const OBSERVATIONS: &[(&str, &[&str])] = &[
    ("identity", &["name", "uuid", "title", "description"]),
    ("hostname", &["hostname", "arch"]),
    (
        "init",
        &[
            "init/command",
            "init/execute_command",
            "init/cwd",
            "init/uid",
            "init/gid",
            "init/groups",
            "init/user_name",
            "init/group_name",
        ],
    ),
    ("environment", &["init/env"]),
    ("root filesystem", &["rootfs"]),
    ("mounts", &["mounts", "auto_mounts"]),
    (
        "devices",
        &["dev", "host_devices", "device_rules", "console"],
    ),
    ("user namespace", &["idmap"]),
    ("network", &["networks"]),
    ("resources", &["resources", "prlimits"]),
    ("capabilities", &["capabilities"]),
    ("namespaces", &["namespaces", "time_offsets"]),
    ("security", &["security", "no_new_privs"]),
    ("kernel settings", &["sysctls", "proc"]),
    ("hooks", &["hooks"]),
    (
        "management",
        &["autostart", "signals", "logging", "lxc", "libvirt", "lxd"],
    ),
    ("unrecognized settings", &["unrecognized"]),
];

/// Differences that are inherent to LXC vs libvirt, by pointer prefix.
pub const EXPECTED: &[(&str, &str)] = &[
    (
        pointer::NAME,
        "the container name is management metadata, not visible inside the container",
    ),
    (
        pointer::UUID,
        "the uuid is management metadata (libvirt only)",
    ),
    (
        pointer::TITLE,
        "the title is management metadata (libvirt only)",
    ),
    (
        pointer::DESCRIPTION,
        "the description is management metadata (libvirt only)",
    ),
    (pointer::AUTOSTART, "autostart is host-side management"),
    (
        pointer::ROOTFS_MANAGED,
        "whether lxc-destroy deletes the root filesystem is host-side management",
    ),
    (
        pointer::SIGNALS,
        "stop signals are host-side management, not visible inside the container",
    ),
    (pointer::LOGGING, "logging is host-side management"),
    (
        pointer::LXC,
        "LXC-only management settings (ephemeral, cgroup directories, ...)",
    ),
    (
        pointer::LIBVIRT,
        "libvirt-only management settings (memory size, vcpus, emulator, lifecycle)",
    ),
    (
        pointer::LXD,
        "LXD-only management settings (profiles, user keys, snapshots, devices such as proxy)",
    ),
    (pointer::CONSOLE_LOGFILE, "console logging is host-side"),
    (pointer::CONSOLE_ROTATE, "console logging is host-side"),
    (
        pointer::CONSOLE_BUFFER_SIZE,
        "console buffering is host-side",
    ),
    (pointer::CONSOLE_LOG_SIZE, "console logging is host-side"),
];

/// Differences inherent to LXC vs libvirt, counted as expected only when one model is
/// LXC's and the other libvirt's.
pub const EXPECTED_ACROSS: &[(&str, &str)] = &[
    (pointer::AUTO_MOUNTS_CGROUP, "libvirt bind-mounts the host's cgroup hierarchy; LXC's cgroup automount modes have no libvirt equivalent"),
    (pointer::DEV_PTYS, "libvirt's devpts has no pty limit of its own (the kernel's maximum)"),
    ("/dev/tmpfs_size", "libvirt's /dev is a 64 KiB tmpfs, LXC's 500000 bytes"),
    ("/mounts/*/create", "libvirt creates a missing mount point itself, as a directory or a file to match the source"),
];

fn observation_of(pointer: &str) -> &'static str {
    let p = pointer.trim_start_matches('/');
    let mut best: (&'static str, usize) = ("unrecognized settings", 0);
    for (name, prefixes) in OBSERVATIONS {
        for prefix in *prefixes {
            let matches = p == *prefix || p.starts_with(&format!("{prefix}/"));
            if matches && prefix.len() > best.1 {
                best = (name, prefix.len());
            }
        }
    }
    best.0
}

/// Value pairs that are the closest each system can do for the other, by pointer.
pub const EXPECTED_VALUES: &[(&str, &str, &str, &str)] = &[
    (pointer::AUTO_MOUNTS_PROC, "libvirt", "", "libvirt always mounts /proc; an LXC container without a `proc` automatic mount has none"),
    (pointer::AUTO_MOUNTS_SYS, "libvirt", "", "libvirt always mounts /sys read-only; an LXC container without a `sys` automatic mount has none"),
    (pointer::RESOURCES_MEMORY_LIMIT, "*", "", "libvirt enforces <memory> as a limit, so an unlimited LXC container gets the size chosen with --memory (warning C201)"),
    (pointer::AUTO_MOUNTS_PROC, "libvirt", "mixed", "libvirt's /proc (read-only /proc/sys, writable net sysctls, FUSE meminfo) is closest to LXC's proc:mixed"),
    (pointer::AUTO_MOUNTS_SYS, "libvirt", "ro", "libvirt's read-only /sys is LXC's sys:ro"),
    (pointer::INIT_CWD, "", "/", "without a root filesystem LXC leaves init in the directory it was started from (lxc-execute, lxc-start -F) or / (lxc-start in the background); libvirt starts init in /"),
    (pointer::AUTO_MOUNTS_SYS, "libvirt", "mixed", "libvirt's read-only /sys is closest to LXC's sys:mixed"),
];

/// Whether `pointer` is `prefix` or inside it; a `*` segment of the prefix matches any
/// one segment (`/mounts/*/create`).
fn under(prefix: &str, pointer: &str) -> bool {
    let mut segments = pointer.split('/');
    prefix.split('/').all(|want| {
        segments
            .next()
            .is_some_and(|got| want == "*" || want == got)
    })
}

fn expected_reason(d: &Difference, across: bool) -> Option<&'static str> {
    let prefixed = |prefix: &str| under(prefix, &d.pointer);
    for (prefix, reason) in EXPECTED {
        if prefixed(prefix) {
            return Some(reason);
        }
    }
    if !across {
        return None;
    }
    for (prefix, reason) in EXPECTED_ACROSS {
        if prefixed(prefix) {
            return Some(reason);
        }
    }
    for (pointer, a, b, reason) in EXPECTED_VALUES {
        // "" stands for an absent value, "*" for any value.
        let matches = |v: &serde_json::Value, want: &str| match want {
            "" => v.is_null(),
            "*" => !v.is_null(),
            w => v.as_str() == Some(w),
        };
        let (l, r) = (&d.left, &d.right);
        if d.pointer == *pointer
            && (matches(l, a) && matches(r, b) || matches(l, b) && matches(r, a))
        {
            return Some(reason);
        }
    }
    None
}

/// Rewrite a model so that representations with the same meaning compare equal.
fn canonical(c: &Container) -> Container {
    let mut c = c.clone();
    // Capabilities: only the resulting bounding set matters.
    c.capabilities = Capabilities::Drop {
        caps: c.capabilities.dropped(),
    };
    // Memory+swap versus swap-only: the same limit when the memory limit is known.
    let r = &mut c.resources;
    if let (Some(total), Some(mem), None) = (r.memory_swap_limit, r.memory_limit, r.swap_limit) {
        r.swap_limit = Some(crate::ByteSize(total.0.saturating_sub(mem.0)));
        r.memory_swap_limit = None;
    }
    // A negative CPU quota is "no quota" (cgroup v1's -1, v2's `max`).
    if r.cpu_quota_us.is_some_and(|q| q < 0) {
        r.cpu_quota_us = None;
    }
    // No lxc.arch means the host's personality.
    if c.arch.is_none() {
        c.arch = Some(
            match std::env::consts::ARCH {
                "x86" => "i686",
                other => other,
            }
            .to_string(),
        );
    }
    // A directory rootfs without a type is a `dir` rootfs; a logical volume is mounted as
    // the block device it is.
    if let Some(r) = c.rootfs.as_mut() {
        if r.backend.is_none() && !r.path.starts_with("/dev/") {
            r.backend = Some("dir".into());
        }
        if r.backend.as_deref() == Some("lvm") {
            r.backend = Some("block".into());
        }
        // `/srv/root/` and `/srv/root` are the same directory.
        if r.path.len() > 1 {
            let trimmed = r.path.trim_end_matches('/');
            r.path = if trimmed.is_empty() {
                "/".into()
            } else {
                trimmed.into()
            };
        }
    }
    // Networks: their index is bookkeeping; order is what matters. A broadcast address is
    // the one the kernel computes unless given otherwise.
    // Passed-through interfaces keep their host names, so where they stand among the
    // others changes nothing (libvirt writes them after the created ones): see
    // `network_order`.
    c.networks = network_order(&c.networks)
        .into_iter()
        .filter_map(|i| c.networks.get(i).cloned())
        .collect();
    for n in &mut c.networks {
        n.index = 0;
        for a in &mut n.ipv4 {
            a.broadcast = a.explicit_broadcast();
        }
    }
    // fstab's dump and fsck-pass fields: LXC reads and ignores them. A bind mount's type
    // field (`none` or `bind`) and a tmpfs's source name mean nothing either.
    for m in &mut c.mounts {
        (m.dump, m.pass) = (0, 0);
        if m.bind != BindKind::None && m.fstype == "bind" {
            m.fstype = "none".into();
        }
        if m.fstype == "tmpfs" {
            m.source = "tmpfs".into();
            // The kernel's default mode for a tmpfs.
            m.options
                .retain(|o| !matches!(o.as_str(), "mode=1777" | "mode=01777"));
        }
    }
    // The uid map and the gid map are separate: only the order within each counts.
    c.idmap.sort_by_key(|m| m.kind == IdKind::Gid);
    typed_seclabels(&mut c.security);
    // A hook format version with no hook to call means nothing.
    if c.hooks.hooks.is_empty() {
        c.hooks = Hooks::default();
    }
    // A read-only root filesystem, as a flag or as the `ro` mount option.
    if let Some(r) = c.rootfs.as_mut() {
        if let Some(i) = r.options.iter().position(|o| o == "ro") {
            r.options.remove(i);
            r.readonly = true;
        }
    }
    // Settings a system ignores are not part of the container's behaviour.
    c.unrecognized.retain(|u| !u.reason.contains("ignores"));
    c
}

/// The two `<seclabel>` forms that mean a typed setting, compared as that setting.
fn typed_seclabels(sec: &mut Security) {
    let labels = std::mem::take(&mut sec.seclabels);
    for label in labels {
        match SeclabelMeaning::of(&label) {
            Some(SeclabelMeaning::AppArmorUnconfined) if sec.apparmor_profile.is_none() => {
                sec.apparmor_profile = Some("unconfined".into());
            }
            Some(SeclabelMeaning::SelinuxContext(c)) if sec.selinux_context.is_none() => {
                sec.selinux_context = Some(c);
            }
            _ => sec.seclabels.push(label),
        }
    }
}

/// The order networks are compared in, as indexes into `networks`: created interfaces
/// first, passed-through ones (phys, vlan) after, each group in its own order.
fn network_order(networks: &[Network]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..networks.len()).collect();
    order.sort_by_key(|&i| matches!(networks[i].kind, NetKind::Phys | NetKind::Vlan));
    order
}

/// Point a difference found in the compared order back at the network of the model itself.
fn original_network_pointer(pointer: &str, order: &[usize]) -> String {
    let Some(rest) = pointer
        .strip_prefix(pointer::NETWORKS)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return pointer.to_string();
    };
    let (index, tail) = rest.split_once('/').map_or((rest, ""), |(i, t)| (i, t));
    match index.parse::<usize>().ok().and_then(|k| order.get(k)) {
        Some(original) if tail.is_empty() => format!("{}/{original}", pointer::NETWORKS),
        Some(original) => format!("{}/{original}/{tail}", pointer::NETWORKS),
        None => pointer.to_string(),
    }
}

/// Environment variables each system sets by itself for init.
const SYSTEM_ENV: &[&str] = &[
    "PATH",
    "TERM",
    "HOME",
    "container",
    "container_uuid",
    "container_ttys",
    "LIBVIRT_LXC_NAME",
    "LIBVIRT_LXC_UUID",
    "LIBVIRT_LXC_CMDLINE",
];

/// Compare two models.
pub fn compare(left: &Container, right: &Container) -> Vec<Observation> {
    let (mut l, mut r) = (canonical(left), canonical(right));
    // LXC-derived models have no libvirt settings; libvirt-derived (or prepared) ones do.
    let across = left.libvirt.is_some() != right.libvirt.is_some();
    let mut by_obs: BTreeMap<&'static str, Vec<Detail>> = BTreeMap::new();
    by_obs.insert("environment", env_details(left, right, &l, &r, across));
    l.init.env.clear();
    r.init.env.clear();
    if across {
        let loopback = loopback_details(&mut l, &mut r);
        by_obs.entry("network").or_default().extend(loopback);
    }
    // libvirt never creates a cgroup namespace: an inherent difference.
    let (lc, rc) = if across {
        (
            l.namespaces.clone.remove(&crate::Namespace::Cgroup),
            r.namespaces.clone.remove(&crate::Namespace::Cgroup),
        )
    } else {
        (false, false)
    };
    if lc != rc && across {
        by_obs.entry("namespaces").or_default().push(Detail {
            pointer: pointer::entry(pointer::NAMESPACES_CLONE, "cgroup"),
            left: serde_json::Value::Bool(lc),
            right: serde_json::Value::Bool(rc),
            reason: Some("libvirt's LXC driver never creates a cgroup namespace"),
        });
    }
    // Which network of `left` each compared one is (empty ones left out across systems).
    let mut order = network_order(&left.networks);
    if across {
        order.retain(|&i| left.networks[i].kind != NetKind::Empty);
    }
    for mut d in diff(&l, &r) {
        if !d.left.is_null() {
            d.pointer = original_network_pointer(&d.pointer, &order);
        }
        let reason = expected_reason(&d, across);
        by_obs
            .entry(observation_of(&d.pointer))
            .or_default()
            .push(Detail {
                pointer: d.pointer,
                left: d.left,
                right: d.right,
                reason,
            });
    }
    OBSERVATIONS
        .iter()
        .map(|(name, _)| {
            let details = by_obs.remove(name).unwrap_or_default();
            let status = if details.is_empty() {
                Status::Equal
            } else if details.iter().all(|d| d.reason.is_some()) {
                Status::Expected
            } else {
                Status::Unexpected
            };
            Observation {
                name,
                status,
                details,
            }
        })
        .collect()
}

/// Environment differences, by variable name (what init sees), not by position; each is
/// pointed at the variable in the left model (or the right one when the left has none).
fn env_details(
    left: &Container,
    right: &Container,
    l: &Container,
    r: &Container,
    across: bool,
) -> Vec<Detail> {
    let env_map = |c: &Container| -> BTreeMap<String, (usize, Option<String>)> {
        let mut map = BTreeMap::new();
        for (i, e) in c.init.env.iter().enumerate() {
            // The last assignment wins, as with setenv in order.
            map.insert(e.name.clone(), (i, e.value.clone()));
        }
        map
    };
    let (le, re) = (env_map(l), env_map(r));
    let names: std::collections::BTreeSet<&String> = le.keys().chain(re.keys()).collect();
    let mut details = Vec::new();
    for name in names {
        let (a, b) = (le.get(name), re.get(name));
        let (va, vb) = (a.map(|(_, v)| v), b.map(|(_, v)| v));
        if va == vb {
            continue;
        }
        // libvirt's `container_uuid`/`LIBVIRT_LXC_UUID` carry the domain's uuid, which is
        // management metadata: when the uuids differ, so do these, and nothing else does.
        let of_uuid = |v: Option<&Option<String>>, c: &Container| {
            matches!((v, c.uuid), (Some(Some(s)), Some(u)) if *s == u.to_string())
                || (v.is_none() && c.uuid.is_none())
        };
        let uuid_derived = matches!(name.as_str(), "container_uuid" | "LIBVIRT_LXC_UUID")
            && left.uuid != right.uuid
            && of_uuid(va, left)
            && of_uuid(vb, right);
        let reason = if across && SYSTEM_ENV.contains(&name.as_str()) {
            Some("LXC and libvirt set their own `container` and management variables for init")
        } else if uuid_derived {
            Some("libvirt passes the domain's uuid (management metadata) to init")
        } else {
            None
        };
        let value = |v: Option<&Option<String>>| match v {
            Some(Some(s)) => serde_json::Value::String(format!("{name}={s}")),
            Some(None) => serde_json::Value::String(format!("{name} (from the host)")),
            None => serde_json::Value::Null,
        };
        let index = a.or(b).map_or(0, |(i, _)| *i);
        details.push(Detail {
            pointer: pointer::item(pointer::INIT_ENV, index).to_string(),
            left: value(va),
            right: value(vb),
            reason,
        });
    }
    details
}

/// Loopback: LXC brings `lo` up only for an `empty` network that is up; libvirt brings it up
/// whenever the container has its own network namespace with `<privnet/>` or an
/// `<interface>` (not for passed-through interfaces only).
/// Both models lose their `empty` networks here; a different loopback state is reported
/// once, as an inherent difference.
fn loopback_details(l: &mut Container, r: &mut Container) -> Vec<Detail> {
    let up = |c: &Container| {
        let private = c.namespaces.clone.contains(&crate::Namespace::Net)
            && !c.namespaces.share.contains_key(&crate::Namespace::Net);
        if c.libvirt.is_some() {
            // Not for passed-through interfaces only (phys/vlan hostdevs).
            private
                && c.networks
                    .iter()
                    .any(|n| matches!(n.kind, NetKind::Veth | NetKind::Macvlan | NetKind::Empty))
        } else {
            private && c.networks.iter().any(|n| n.kind == NetKind::Empty && n.up)
        }
    };
    let (lu, ru) = (up(l), up(r));
    for c in [&mut *l, &mut *r] {
        c.networks.retain(|n| n.kind != NetKind::Empty);
    }
    if lu == ru {
        return Vec::new();
    }
    vec![Detail {
        pointer: pointer::NETWORKS.to_string(),
        left: serde_json::json!({ "loopback_up": lu }),
        right: serde_json::json!({ "loopback_up": ru }),
        reason: Some(
            "libvirt brings loopback up in the container's own network namespace; LXC only for an `empty` network that is up",
        ),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cap;

    #[test]
    fn uuid_variables_follow_the_uuid_but_other_variables_do_not() {
        let with = |u: u128, extra: &str| {
            let uuid = uuid::Uuid::from_u128(u);
            let mut c = Container {
                uuid: Some(uuid),
                libvirt: Some(Default::default()),
                ..Container::default()
            };
            for (n, v) in [
                ("LIBVIRT_LXC_UUID", uuid.to_string()),
                ("APP", extra.into()),
            ] {
                c.init.env.push(crate::model::EnvVar {
                    name: n.into(),
                    value: Some(v),
                });
            }
            c
        };
        let env = |a: &Container, b: &Container| {
            compare(a, b)
                .into_iter()
                .find(|o| o.name == "environment")
                .map(|o| o.status)
        };
        assert_eq!(env(&with(1, "x"), &with(2, "x")), Some(Status::Expected));
        assert_eq!(env(&with(1, "x"), &with(2, "y")), Some(Status::Unexpected));
    }

    #[test]
    fn a_negative_cpu_quota_is_no_quota() {
        // Found by the writers fuzz target: `cfs_quota_us = -1` written as `cpu.max = max`.
        let mut a = Container::default();
        a.resources.cpu_quota_us = Some(-1);
        a.resources.cpu_period_us = Some(100_000);
        let mut b = a.clone();
        b.resources.cpu_quota_us = None;
        assert!(compare(&a, &b)
            .iter()
            .all(|o| o.status != Status::Unexpected));
        b.resources.cpu_quota_us = Some(50_000);
        assert!(compare(&a, &b)
            .iter()
            .any(|o| o.status == Status::Unexpected));
    }

    #[test]
    fn drop_list_and_policy_with_the_same_drops_are_equal() {
        let a = Container {
            capabilities: Capabilities::Drop {
                caps: [Cap::from_name("sys_module").unwrap()]
                    .into_iter()
                    .collect(),
            },
            ..Container::default()
        };
        let b = Container {
            capabilities: Capabilities::Policy {
                default: CapPolicyDefault::Allow,
                states: [(Cap::from_name("sys_module").unwrap(), false)]
                    .into_iter()
                    .collect(),
            },
            ..Container::default()
        };
        assert!(compare(&a, &b).iter().all(|o| o.status == Status::Equal));
    }

    #[test]
    fn a_writable_mount_is_unexpected_and_a_uuid_is_expected() {
        let m = Mount {
            readonly: true,
            ..Mount::new("/a", "/a", "none")
        };
        let a = Container {
            mounts: vec![m.clone()],
            ..Container::default()
        };
        let b = Container {
            mounts: vec![Mount {
                readonly: false,
                ..m
            }],
            uuid: Some(uuid::Uuid::nil()),
            ..Container::default()
        };
        let obs = compare(&a, &b);
        let get = |n: &str| obs.iter().find(|o| o.name == n).map(|o| o.status);
        assert_eq!(get("mounts"), Some(Status::Unexpected));
        assert_eq!(get("identity"), Some(Status::Expected));
        assert_eq!(get("network"), Some(Status::Equal));
    }
}
