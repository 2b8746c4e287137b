//! The config keys LXD has for what the model says (docs/lxd-facts.md §1.3).

use super::Writer;
use lxconf_model::lxc_key::ExactKey;
use lxconf_model::lxd::devices::is_instance_name;
use lxconf_model::lxd::keys::names as keys;
use lxconf_model::lxd::keys::{ENVIRONMENT_PREFIX, LIMITS_KERNEL_PREFIX, LINUX_SYSCTL_PREFIX};
use lxconf_model::model::*;
use lxconf_model::pointer;
use std::collections::BTreeSet;

/// What the native layer took over, for the raw.lxc layer to leave out.
#[derive(Debug, Default)]
pub(super) struct Mapped {
    /// `security.privileged: "true"`: the model has no idmap.
    pub privileged: bool,
    /// `security.nesting: "true"`: LXD adds the nesting mounts and AppArmor rules.
    pub nesting: bool,
    /// Indices of mounts written as `disk` devices, or that LXD makes anyway.
    pub disk_mounts: BTreeSet<usize>,
    /// (LXD's `lxc.net` index, model network index) of each NIC, in LXD's order.
    pub nics: Vec<(usize, usize)>,
    /// The architecture written is not the model's: the model's goes to raw.lxc.
    pub arch_in_raw: bool,
    /// The hostname is not the instance name: it goes to raw.lxc.
    pub hostname_in_raw: bool,
    /// Environment variables set to an empty value, which LXD would not store.
    pub raw_env: Vec<usize>,
}

/// LXD's name for an architecture (`shared/osarch`), from the names LXC accepts.
fn lxd_architecture(arch: &str) -> Option<&'static str> {
    Some(match arch {
        "x86_64" | "amd64" | "linux64" => "x86_64",
        "i386" | "i486" | "i586" | "i686" | "x86" | "athlon" | "linux32" => "i686",
        "aarch64" | "arm64" => "aarch64",
        "armv7l" | "armhf" | "armel" | "arm" => "armv7l",
        "ppc64le" | "ppc64el" => "ppc64le",
        "ppc64" | "powerpc64" => "ppc64",
        "ppc" | "powerpc" => "ppc",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "mips" | "mipsel" => "mips",
        "mips64" | "mips64el" => "mips64",
        _ => return None,
    })
}

/// The architecture of the machine lxconf was built for, in LXD's spelling.
fn host_architecture() -> &'static str {
    lxd_architecture(std::env::consts::ARCH).unwrap_or(std::env::consts::ARCH)
}

/// A byte size in LXD's grammar: the largest binary unit that divides it.
pub(super) fn lxd_size(bytes: u64) -> String {
    for (unit, factor) in [
        ("EiB", 1u64 << 60),
        ("PiB", 1 << 50),
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ] {
        if bytes >= factor && bytes.is_multiple_of(factor) {
            return format!("{}{unit}", bytes / factor);
        }
    }
    format!("{bytes}B")
}

/// `raw.idmap`: `uid|gid|both HOST[-END] NS[-END]`, inclusive ends (the opposite order of
/// `lxc.idmap`'s `u NS HOST COUNT`).
pub(super) fn raw_idmap(maps: &[IdMap]) -> String {
    let range = |start: u32, count: u32| {
        let end = u64::from(start) + u64::from(count).saturating_sub(1);
        if count <= 1 {
            start.to_string()
        } else {
            format!("{start}-{end}")
        }
    };
    let mut lines = Vec::new();
    let mut used = vec![false; maps.len()];
    for (i, m) in maps.iter().enumerate() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let twin = maps.iter().enumerate().position(|(j, o)| {
            !used[j]
                && o.kind != m.kind
                && (o.container_start, o.host_start, o.count)
                    == (m.container_start, m.host_start, m.count)
        });
        let kind = match (twin, m.kind) {
            (Some(j), _) => {
                used[j] = true;
                "both"
            }
            (None, IdKind::Uid) => "uid",
            (None, IdKind::Gid) => "gid",
        };
        lines.push(format!(
            "{kind} {} {}",
            range(m.host_start, m.count),
            range(m.container_start, m.count)
        ));
    }
    lines.join("\n") + "\n"
}

/// The range of an idmap LXD can allocate itself (`security.idmap.isolated` with a base and
/// a size): for uids and for gids alike, container ids 0..size map to base..base+size,
/// except for the extra entries, which `raw.idmap` punches into it (LXD's `AddSafe` splits
/// the range around each). `None` when the map has no such shape.
pub(super) fn isolated_range(maps: &[IdMap]) -> Option<(u32, u32, Vec<IdMap>)> {
    let mut found: Option<(u32, u32)> = None;
    let mut extras = Vec::new();
    for kind in [IdKind::Uid, IdKind::Gid] {
        let of_kind: Vec<&IdMap> = maps.iter().filter(|m| m.kind == kind).collect();
        let base = of_kind.iter().find(|m| m.container_start == 0)?.host_start;
        let offset = |m: &IdMap| i64::from(m.host_start) - i64::from(m.container_start);
        let (inside, other): (Vec<&IdMap>, Vec<&IdMap>) =
            of_kind.iter().partition(|m| offset(m) == i64::from(base));
        let size = inside
            .iter()
            .map(|m| u64::from(m.container_start) + u64::from(m.count))
            .max()
            .and_then(|s| u32::try_from(s).ok())?;
        // Every extra must lie inside the range: LXD only splits ranges it has.
        let within =
            |m: &IdMap| u64::from(m.container_start) + u64::from(m.count) <= u64::from(size);
        if !other.iter().all(|m| within(m)) {
            return None;
        }
        match found {
            None => found = Some((base, size)),
            Some(f) if f != (base, size) => return None,
            Some(_) => {}
        }
        extras.extend(other.into_iter().copied());
    }
    found.map(|(base, size)| (base, size, extras))
}

fn idmap(w: &mut Writer<'_>) {
    let maps = &w.doc.container.idmap;
    match isolated_range(maps) {
        Some((base, size, extras)) => {
            w.set(
                pointer::IDMAP,
                keys::SECURITY_IDMAP_ISOLATED.into(),
                "true".into(),
            );
            w.set(
                pointer::IDMAP,
                keys::SECURITY_IDMAP_BASE.into(),
                base.to_string(),
            );
            w.set(
                pointer::IDMAP,
                keys::SECURITY_IDMAP_SIZE.into(),
                size.to_string(),
            );
            if !extras.is_empty() {
                w.set(pointer::IDMAP, keys::RAW_IDMAP.into(), raw_idmap(&extras));
            }
        }
        None => {
            w.set(pointer::IDMAP, keys::RAW_IDMAP.into(), raw_idmap(maps));
            w.note(
                pointer::IDMAP,
                "LXD merges raw.idmap into an id range of its own and refuses host ids inside its subordinate id range".into(),
                "ids outside these ranges map to LXD's allocation (volatile.idmap.next); map the container from ns id 0 with one base for uids and gids to get `security.idmap.base`",
            );
        }
    }
}

/// Identity, privilege, environment, limits, autostart and the security switches.
pub(super) fn native(w: &mut Writer<'_>) -> Mapped {
    let c = &w.doc.container;
    let mut m = Mapped::default();
    identity(w, &mut m);
    if c.idmap.is_empty() {
        m.privileged = true;
        w.set("", keys::SECURITY_PRIVILEGED.into(), "true".into());
    } else {
        idmap(w);
    }
    environment(w, &mut m);
    logging(w);
    limits(w);
    autostart(w);
    if c.lxc.ephemeral {
        w.instance.ephemeral = true;
        w.note(
            pointer::LXC_EPHEMERAL,
            "`lxc init` ignores the YAML's ephemeral field".into(),
            "create the instance with `lxc init --ephemeral` (docs/lxd.md)",
        );
    }
    if c.security.apparmor_allow_nesting {
        m.nesting = true;
        w.set(
            pointer::SECURITY_APPARMOR_ALLOW_NESTING,
            keys::SECURITY_NESTING.into(),
            "true".into(),
        );
    }
    if !c.security.apparmor_raw.is_empty() {
        let rules = c.security.apparmor_raw.join("\n") + "\n";
        w.set(
            pointer::SECURITY_APPARMOR_RAW,
            keys::RAW_APPARMOR.into(),
            rules,
        );
        w.note(
            pointer::SECURITY_APPARMOR_RAW,
            "the AppArmor rules are added to LXD's generated profile".into(),
            "LXD confines the container with its own profile, not lxc-container-default",
        );
    }
    // An LXC container has no /dev/lxd guest API socket.
    let devlxd = w.flavor_key(keys::SECURITY_DEVLXD).to_string();
    w.set("", devlxd, "false".into());
    let s = &c.security;
    if s.seccomp_profile.is_none() && s.seccomp_policy.is_none() {
        // Without this LXD loads its own denylist (docs/lxd-facts.md §1.3).
        w.set("", keys::SYSCALLS_DENY_DEFAULT.into(), "false".into());
    }
    m
}

fn identity(w: &mut Writer<'_>, m: &mut Mapped) {
    let c = &w.doc.container;
    match &c.name {
        Some(name) if !is_instance_name(name) => {
            let d = lxconf_model::Diagnostic::new(
                lxconf_model::Code::C404,
                format!("`{}` is not a name LXD accepts for an instance", name.escape_debug()),
            )
            .help("LXD names are hostnames: 1-63 letters, digits and `-`, not starting with a digit or `-`; choose another for `lxc init`");
            w.report(d, pointer::NAME);
        }
        _ => {}
    }
    // `lxc init` takes the server's architecture whatever the YAML says: another
    // personality is kept by lxc.arch in raw.lxc.
    w.instance.architecture = host_architecture().to_string();
    let arch = c.arch.as_deref();
    if arch.is_some() && arch.and_then(lxd_architecture) != Some(host_architecture()) {
        m.arch_in_raw = true;
        w.note(
            pointer::ARCH,
            format!(
                "the instance's architecture is the server's; the {} personality is set by raw.lxc",
                arch.unwrap_or_default()
            ),
            "`lxc init` ignores the YAML's architecture",
        );
    }
    m.hostname_in_raw = match (&c.hostname, &c.name) {
        (Some(h), Some(n)) => h != n || !is_instance_name(n),
        (Some(_), None) => true,
        (None, _) => {
            w.note(
                pointer::HOSTNAME,
                "LXD sets the hostname to the instance name".into(),
                "the LXC container kept the host's hostname",
            );
            false
        }
    };
    if let Some(d) = &c.description {
        w.instance.description = d.clone();
        w.note(
            pointer::DESCRIPTION,
            "`lxc init` ignores the YAML's description".into(),
            "set it afterwards with `lxc config edit NAME`",
        );
    }
    if let Some(t) = &c.title {
        w.loss(pointer::TITLE, format!("title `{t}`"), "LXD has no title");
    }
    let derived =
        |u: &uuid::Uuid| c.name.as_deref().map(lxconf_model::values::uuid_for_name) == Some(*u);
    if let Some(u) = c.uuid.filter(|u| !derived(u)) {
        w.loss(
            pointer::UUID,
            format!("uuid {u}"),
            "LXD chooses the instance's uuid itself (volatile.uuid)",
        );
    }
}

fn environment(w: &mut Writer<'_>, m: &mut Mapped) {
    let env = &w.doc.container.init.env;
    for (i, e) in env.iter().enumerate() {
        let at = pointer::item(pointer::INIT_ENV, i).to_string();
        // LXD sets container=lxc itself, as LXC does.
        if e.name == "container" && e.value.as_deref() == Some("lxc") {
            continue;
        }
        match &e.value {
            None => w.loss(
                &at,
                format!(
                    "`{}` taken from the environment of whoever starts the container",
                    e.name.escape_debug()
                ),
                "LXD has no variable inherited from the caller: give it a value",
            ),
            Some(v) if e.name.is_empty() || e.name.contains('=') => {
                w.refuse(
                    &at,
                    &format!("environment variable `{}`", e.name),
                    "its name is empty or has `=`",
                );
                let _ = v;
            }
            // LXD does not store an empty value: raw.lxc keeps the variable set and empty.
            Some(v) if v.is_empty() => m.raw_env.push(i),
            Some(v) => w.set(&at, format!("{ENVIRONMENT_PREFIX}{}", e.name), v.clone()),
        }
    }
}

fn logging(w: &mut Writer<'_>) {
    let l = &w.doc.container.logging;
    if let Some(f) = &l.file {
        w.loss(
            pointer::LOGGING_FILE,
            format!("the log file {}", f.escape_debug()),
            &format!(
                "LXD keeps liblxc's log in /var/log/lxd/NAME/ and refuses {} in raw.lxc",
                ExactKey::LogFile
            ),
        );
    }
    if let Some(s) = &l.syslog {
        w.loss(
            pointer::LOGGING_SYSLOG,
            format!("logging to syslog ({s})"),
            &format!("LXD refuses {} in raw.lxc", ExactKey::LogSyslog),
        );
    }
}

fn limits(w: &mut Writer<'_>) {
    let c = &w.doc.container;
    let r = &c.resources;
    if let Some(m) = r.memory_limit {
        w.set(
            pointer::RESOURCES_MEMORY_LIMIT,
            keys::LIMITS_MEMORY.into(),
            lxd_size(m.0),
        );
        w.note(
            pointer::RESOURCES_MEMORY_LIMIT,
            "LXD also sets a soft limit at 90% of the memory limit".into(),
            "memory.low (cgroup v2) or memory.soft_limit_in_bytes (v1); `limits.memory.enforce: soft` keeps only a soft limit",
        );
        // And, with swap accounting, no swap beyond the limit (memsw = limit, measured).
        w.also_covers(pointer::RESOURCES_MEMORY_SOFT_LIMIT);
        w.also_covers(pointer::RESOURCES_SWAP_LIMIT);
        w.also_covers(pointer::RESOURCES_MEMORY_SWAP_LIMIT);
    }
    if let Some(p) = r.pids_max {
        w.set(
            pointer::RESOURCES_PIDS_MAX,
            keys::LIMITS_PROCESSES.into(),
            p.to_string(),
        );
    }
    if let Some(cpus) = &r.cpuset_cpus {
        let set = cpus.to_string();
        // A bare number is a count of CPUs to LXD: one CPU is pinned as `N-N`.
        let value = if set.parse::<u64>().is_ok() {
            format!("{set}-{set}")
        } else {
            set
        };
        w.set(
            pointer::RESOURCES_CPUSET_CPUS,
            keys::LIMITS_CPU.into(),
            value,
        );
    }
    for (i, p) in c.prlimits.iter().enumerate() {
        let value = if p.soft == p.hard {
            p.soft.to_string()
        } else {
            format!("{}:{}", p.soft, p.hard)
        };
        let at = pointer::item(pointer::PRLIMITS, i).to_string();
        w.set(&at, format!("{LIMITS_KERNEL_PREFIX}{}", p.resource), value);
    }
    for (i, s) in c.sysctls.iter().enumerate() {
        let at = pointer::item(pointer::SYSCTLS, i).to_string();
        w.set(
            &at,
            format!("{LINUX_SYSCTL_PREFIX}{}", s.key),
            s.value.clone(),
        );
    }
}

fn autostart(w: &mut Writer<'_>) {
    let c = &w.doc.container;
    let a = &c.autostart;
    let restores = c
        .lxd
        .as_ref()
        .is_some_and(|l| l.autostart_restores_last_state);
    if !restores {
        // Unset would mean "start it again if it was running": LXC never does that.
        let on = if a.enabled { "true" } else { "false" };
        w.set(
            pointer::AUTOSTART_ENABLED,
            keys::BOOT_AUTOSTART.into(),
            on.into(),
        );
    }
    if a.delay_s != 0 {
        w.set(
            pointer::AUTOSTART_DELAY,
            keys::BOOT_AUTOSTART_DELAY.into(),
            a.delay_s.to_string(),
        );
    }
    if a.order != 0 {
        // lxc-autostart and LXD both start higher values first.
        w.set(
            pointer::AUTOSTART_ORDER,
            keys::BOOT_AUTOSTART_PRIORITY.into(),
            a.order.to_string(),
        );
    }
    if !a.groups.is_empty() {
        w.loss(
            pointer::AUTOSTART_GROUPS,
            format!("autostart groups {}", a.groups.join(", ")),
            "LXD has no autostart groups: `lxc start` the instances of a group yourself",
        );
    }
}

/// What the model carried from an LXD file: profiles, `stateful`, and the config keys and
/// devices the model does not type, written back as they were.
pub(super) fn kept(w: &mut Writer<'_>) {
    let Some(l) = w.doc.container.lxd.clone() else {
        return;
    };
    w.instance.profiles = l.profiles.clone();
    w.instance.stateful = l.stateful;
    for (k, v) in &l.config {
        if !w.instance.config.contains_key(k) {
            let at = pointer::entry(pointer::LXD_CONFIG, k);
            w.set(&at, k.clone(), v.clone());
        }
    }
    for (name, dev) in &l.devices {
        let at = pointer::entry(pointer::LXD_DEVICES, name);
        if w.instance.devices.contains_key(name) {
            w.loss(
                &at,
                format!("device `{name}`"),
                "another device of the model has its name",
            );
        } else if super::yaml::check_key(name).is_err()
            || dev.keys().any(|k| super::yaml::check_key(k).is_err())
        {
            w.refuse(
                &at,
                &format!("device `{name}`"),
                "a name is not a YAML simple key",
            );
        } else {
            w.instance.devices.insert(name.clone(), dev.clone());
        }
    }
}
