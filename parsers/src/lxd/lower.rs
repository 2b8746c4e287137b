//! The lxc.* entries LXD hands liblxc for an instance (docs/lxd-facts.md §1.3, §3, §5), in
//! LXD's order: its own additions, then what the config keys produce, then the devices in
//! start order, then `raw.lxc` last. Each entry is located: at the key or value it comes
//! from, and LXD's additions in a generated source of their own.

use super::read::{Device, Item};

use super::tree;
use super::validate::{is_bool, is_false, is_true, parse_size};
use crate::lxc::lower::SourcedEntry;
use crate::lxc::syntax::{self, LineKind};
use lxconf_model::lxc_key::{ExactKey as K, Family};
use lxconf_model::lxd::additions as add;
use lxconf_model::lxd::keys::{self, names as n};
use lxconf_model::model::LxdFlavor;
use lxconf_model::{Code, Diagnostic, Origin, SourceId};
use std::collections::BTreeMap;

/// The expanded instance the entries are built from.
pub struct Expanded<'a> {
    /// Config, by key (profiles then the instance).
    pub config: &'a BTreeMap<String, Item>,
    /// Devices, by name.
    pub devices: &'a BTreeMap<String, Device>,
    /// The instance name, when known.
    pub name: Option<&'a str>,
    /// `architecture`.
    pub architecture: Option<&'a Item>,
    /// `ephemeral`.
    pub ephemeral: Option<&'a Item>,
    /// LXD or Incus.
    pub flavor: LxdFlavor,
    /// The file text of each source, to locate `raw.lxc` lines.
    pub texts: &'a [std::sync::Arc<str>],
    /// Whether a disk's host source is a directory (`create=dir`) or not.
    pub fs: &'a dyn crate::fs::FileSystem,
    /// The file is a profile, read on its own: no note about an instance's id map.
    pub profile: bool,
}

/// The entries, and the text of the generated source holding LXD's additions.
pub struct Built {
    /// In the order liblxc receives them.
    pub entries: Vec<SourcedEntry>,
    /// The additions, one `key = value` line each (source `additions_id`).
    pub additions_text: String,
    /// The seccomp policy LXD writes, when it writes one: (path, text).
    pub seccomp: Option<(String, String)>,
}

struct Builder {
    entries: Vec<SourcedEntry>,
    text: String,
    id: SourceId,
}

impl Builder {
    /// One of LXD's own entries, located in the generated source.
    fn addition(&mut self, key: &str, value: &str) {
        let key_start = self.text.len();
        self.text.push_str(key);
        let key_end = self.text.len();
        self.text.push_str(" = ");
        let value_start = self.text.len();
        self.text.push_str(value);
        let value_end = self.text.len();
        self.text.push('\n');
        self.entries.push(SourcedEntry {
            key: key.to_string(),
            key_origin: Origin::new(self.id, key_start..key_end),
            value: value.to_string(),
            value_origin: Origin::new(self.id, value_start..value_end),
        });
    }

    /// An entry produced by the YAML at `key_origin` / `value_origin`.
    fn yaml_entry(&mut self, key: String, value: String, key_origin: Origin, value_origin: Origin) {
        self.entries.push(SourcedEntry {
            key,
            key_origin,
            value,
            value_origin,
        });
    }

    fn item_entry(&mut self, key: String, value: String, item: &Item) {
        self.yaml_entry(key, value, item.key_origin, item.value_origin);
    }
}

/// Build the entries. `additions_id` is the id the generated source will get.
pub fn build(x: &Expanded<'_>, additions_id: SourceId, diags: &mut Vec<Diagnostic>) -> Built {
    let mut b = Builder {
        entries: Vec::new(),
        text: String::new(),
        id: additions_id,
    };
    let get = |k: &str| x.config.get(k);
    let privileged = get(n::SECURITY_PRIVILEGED).is_some_and(|i| is_true(&i.value));
    base_additions(&mut b, x, privileged);
    if let Some(item) = get(n::SECURITY_NESTING).filter(|i| is_true(&i.value)) {
        // LXD adds the nesting mounts (`additions::NESTING_ENTRIES`) and the nesting rules
        // of its AppArmor profile: what liblxc's own flag means, which adds the same two
        // mounts. The model says it with the flag, as for an LXC config.
        b.item_entry(K::ApparmorAllowNesting.name().into(), "1".into(), item);
    }
    let devlxd = get(n::SECURITY_DEVLXD).or_else(|| {
        keys::INCUS_RENAMES
            .iter()
            .find(|(_, lxd)| *lxd == n::SECURITY_DEVLXD)
            .and_then(|(incus, _)| get(incus))
    });
    if !devlxd.is_some_and(|i| is_false(&i.value)) {
        let (source, target) = add::guest_api_mount(x.flavor);
        b.addition(
            K::MountEntry.name(),
            &format!("{source} {target} none bind,create=dir 0 0"),
        );
    }
    let seccomp = seccomp_policy(x);
    if let (Some(_), Some(name)) = (&seccomp, x.name) {
        b.addition(
            K::SeccompProfile.name(),
            &add::seccomp_policy_path(x.flavor, name),
        );
    }
    if !privileged {
        idmap(&mut b, x, diags);
    }
    config_entries(&mut b, x, diags);
    // LXD deletes an ephemeral instance when it stops, as liblxc does with this flag
    // (LXD does it itself and refuses the key in raw.lxc).
    if let Some(item) = x.ephemeral.filter(|i| is_true(&i.value)) {
        b.item_entry(K::Ephemeral.name().into(), "1".into(), item);
    }
    super::devices::entries(&mut b_dev(&mut b), x, privileged);
    if let Some(raw) = get(n::RAW_LXC) {
        raw_lxc(&mut b, raw, x, diags);
    }
    Built {
        entries: b.entries,
        additions_text: b.text,
        seccomp: seccomp.and_then(|p| {
            x.name
                .map(|name| (add::seccomp_policy_path(x.flavor, name), p))
        }),
    }
}

/// What the device lowering may add.
pub struct DeviceSink<'b> {
    b: &'b mut Builder,
}

impl DeviceSink<'_> {
    /// An entry produced by a device option.
    pub fn push(&mut self, key: String, value: String, key_origin: Origin, value_origin: Origin) {
        self.b.yaml_entry(key, value, key_origin, value_origin);
    }
}

fn b_dev(b: &mut Builder) -> DeviceSink<'_> {
    DeviceSink { b }
}

/// docs/lxd-facts.md §5, in the order of the generated lxc.conf.
fn base_additions(b: &mut Builder, x: &Expanded<'_>, privileged: bool) {
    if privileged {
        b.addition(K::CapDrop.name(), &add::PRIVILEGED_CAP_DROPS.join(" "));
        b.addition(K::MountAuto.name(), add::PRIVILEGED_MOUNT_AUTO);
    } else {
        b.addition(K::MountAuto.name(), add::UNPRIVILEGED_MOUNT_AUTO);
    }
    b.addition(K::Autodev.name(), if add::AUTODEV { "1" } else { "0" });
    b.addition(K::PtyMax.name(), &add::PTY_MAX.to_string());
    b.addition(
        K::MountEntry.name(),
        if privileged {
            add::PRIVILEGED_MQUEUE_ENTRY
        } else {
            add::UNPRIVILEGED_MQUEUE_ENTRY
        },
    );
    for (path, is_dir) in add::OPTIONAL_BINDS {
        let target = path.trim_start_matches('/');
        let opts = if *is_dir {
            "rbind,create=dir,optional"
        } else {
            "bind,create=file,optional"
        };
        b.addition(
            K::MountEntry.name(),
            &format!("{path} {target} none {opts} 0 0"),
        );
    }
    if privileged {
        let family = if add::CGROUP_V1 {
            Family::Cgroup1
        } else {
            Family::Cgroup2
        };
        b.addition(&family.key("devices.deny"), add::DEVICE_DENY_ALL);
        for rule in add::PRIVILEGED_DEVICE_ALLOW {
            b.addition(&family.key("devices.allow"), rule);
        }
    }
    if let Some(arch) = x.architecture {
        if let Some(p) = add::personality(&arch.value) {
            b.item_entry(K::Arch.name().into(), p.into(), arch);
        }
    }
    b.addition(K::HookVersion.name(), &add::HOOK_VERSION.to_string());
    b.addition(K::TtyMax.name(), &add::TTY_MAX.to_string());
    if let Some(name) = x.name {
        b.addition(K::UtsName.name(), name);
    }
}

/// The policy LXD writes (`seccompGetPolicyContent`), or `None` when it writes none.
fn seccomp_policy(x: &Expanded<'_>) -> Option<String> {
    let get = |k: &str| x.config.get(k).map(|i| i.value.as_str());
    if let Some(raw) = get(n::RAW_SECCOMP) {
        return Some(raw.to_string());
    }
    if let Some(allow) = get(n::SYSCALLS_ALLOW).or(get(n::SYSCALLS_WHITELIST)) {
        return Some(format!("2\nallowlist\n[all]\n{allow}\n"));
    }
    let deny_default = get(n::SYSCALLS_DENY_DEFAULT)
        .or(get(n::SYSCALLS_BLACKLIST_DEFAULT))
        .is_none_or(|v| !is_false(v));
    let deny = get(n::SYSCALLS_DENY).or(get(n::SYSCALLS_BLACKLIST));
    if !deny_default && deny.is_none() {
        return None;
    }
    let mut policy = if deny_default {
        add::DEFAULT_SECCOMP_POLICY.to_string()
    } else {
        "2\ndenylist\n".to_string()
    };
    if let Some(deny) = deny {
        policy.push_str(deny);
        policy.push('\n');
    }
    Some(policy)
}

/// `lxc.idmap` of an unprivileged container: `volatile.idmap.next` when the file has it,
/// else LXD's default allocation (a D014 note).
fn idmap(b: &mut Builder, x: &Expanded<'_>, diags: &mut Vec<Diagnostic>) {
    // `[{"Isuid":true,"Isgid":false,"Hostid":1000000,"Nsid":0,"Maprange":65536}, ...]`
    let next = x.config.get(n::VOLATILE_IDMAP_NEXT);
    if let Some(item) = next {
        if let Ok(serde_json::Value::Array(list)) = serde_json::from_str(&item.value) {
            // LXD keeps a set: an entry listed again (a `both` entry of raw.idmap appears
            // in the uid and the gid half of the JSON) is written once (measured).
            let mut seen: Vec<&serde_json::Value> = Vec::new();
            let unique: Vec<&serde_json::Value> = list
                .iter()
                .filter(|e| {
                    let first = !seen.contains(e);
                    seen.push(e);
                    first
                })
                .collect();
            let lines: Vec<String> = unique
                .into_iter()
                .flat_map(|e| {
                    let num = |k: &str| e.get(k).and_then(serde_json::Value::as_i64);
                    let flag =
                        |k: &str| e.get(k).and_then(serde_json::Value::as_bool) == Some(true);
                    let (ns, host, range) = (num("Nsid"), num("Hostid"), num("Maprange"));
                    [(flag("Isuid"), 'u'), (flag("Isgid"), 'g')]
                        .into_iter()
                        .filter_map(move |(is, kind)| match (is, ns, host, range) {
                            (true, Some(ns), Some(host), Some(range)) => {
                                Some(format!("{kind} {ns} {host} {range}"))
                            }
                            _ => None,
                        })
                })
                .collect();
            for value in lines {
                b.item_entry(K::Idmap.name().into(), value, item);
            }
            return;
        }
    }
    if let Some((base, size)) = isolated_range(x) {
        // An isolated range at a given base: LXD allocates exactly it (`findIdmap`) when it
        // is free, as it is for the instance that asks for it; raw.idmap entries are cut
        // out of it and added (`AddSafe`).
        let start: u64 = base.value.parse().unwrap_or(0);
        let raw = x.config.get(n::RAW_IDMAP);
        let entries = raw.map(|r| raw_idmap(&r.value)).unwrap_or_default();
        for kind in ['u', 'g'] {
            for (ns, host, count) in with_raw_entries(kind, start, size, &entries) {
                let outside = host < start || host >= start + size;
                let item = raw.filter(|_| outside).unwrap_or(base);
                b.item_entry(
                    K::Idmap.name().into(),
                    format!("{kind} {ns} {host} {count}"),
                    item,
                );
            }
        }
        return;
    }
    let (host, count) = add::DEFAULT_IDMAP;
    for kind in ['u', 'g'] {
        b.addition(K::Idmap.name(), &format!("{kind} 0 {host} {count}"));
    }
    let privileged = x.config.get(n::SECURITY_PRIVILEGED);
    // A profile has no map of its own; a `security.privileged` that is no boolean is an
    // error already (D005), and a note about the map it might have would be noise.
    if x.profile || privileged.is_some_and(|p| !is_bool(&p.value)) {
        return;
    }
    let at = privileged.map(|i| i.value_origin);
    let mut d = Diagnostic::new(
        Code::D014,
        format!("unprivileged container: its id map is assumed to be LXD's default allocation (host ids from {host}, {count} of them)"),
    )
    .help(format!("LXD picks the map when it creates the instance (`{}`); `lxc config show` of the created instance gives it, and the reader then uses it", n::VOLATILE_IDMAP_NEXT));
    if let Some(at) = at {
        d = d.at(at);
    }
    diags.push(d);
}

/// The entries of `raw.idmap` (`uid|gid|both HOST[-END] NS[-END]`, inclusive ends):
/// (kinds as `u`/`g`, host start, ns start, count); a line LXD would refuse is skipped.
fn raw_idmap(text: &str) -> Vec<(Vec<char>, u64, u64, u64)> {
    let range = |r: &str| -> Option<(u64, u64)> {
        match r.split_once('-') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => r.parse().ok().map(|v| (v, v)),
        }
    };
    text.lines()
        .filter_map(|line| {
            let mut f = line.split(' ');
            let kinds = match f.next()? {
                "uid" => vec!['u'],
                "gid" => vec!['g'],
                "both" => vec!['u', 'g'],
                _ => return None,
            };
            let (h0, h1) = range(f.next()?)?;
            let (n0, n1) = range(f.next()?)?;
            let same_length = h1 >= h0 && n1.checked_sub(n0) == Some(h1 - h0);
            (f.next().is_none() && same_length).then_some((kinds, h0, n0, h1 - h0 + 1))
        })
        .collect()
}

/// The isolated range `0 start size` of `kind` with the container ids of each raw entry
/// cut out and the raw entry put in their place, in container id order: (ns, host, count).
fn with_raw_entries(
    kind: char,
    start: u64,
    size: u64,
    raw: &[(Vec<char>, u64, u64, u64)],
) -> Vec<(u64, u64, u64)> {
    let mut map = vec![(0u64, start, size)];
    for (_, host, ns, count) in raw.iter().filter(|e| e.0.contains(&kind)) {
        let (cut0, cut1) = (*ns, ns + count);
        map = map
            .into_iter()
            .flat_map(|(n, h, c)| {
                let before = (n < cut0).then(|| (n, h, c.min(cut0 - n)));
                let after = (n + c > cut1).then(|| {
                    let skip = cut1.saturating_sub(n);
                    (n + skip, h + skip, c - skip)
                });
                before.into_iter().chain(after)
            })
            .collect();
        map.push((*ns, *host, *count));
    }
    map.sort();
    map
}

/// `security.idmap.isolated` with a `security.idmap.base`: the base item and the size
/// (65536 when unset, as LXD's `idmapSize`).
fn isolated_range<'x>(x: &'x Expanded<'_>) -> Option<(&'x Item, u64)> {
    let isolated = x.config.get(n::SECURITY_IDMAP_ISOLATED)?;
    if !is_true(&isolated.value) {
        return None;
    }
    let base = x.config.get(n::SECURITY_IDMAP_BASE)?;
    base.value.parse::<u32>().ok()?;
    let size = match x.config.get(n::SECURITY_IDMAP_SIZE) {
        Some(s) => s.value.parse::<u32>().ok()?.into(),
        None => 65536,
    };
    Some((base, size))
}

/// What the config keys produce (facts §1.3), in `initLXC`'s order.
fn config_entries(b: &mut Builder, x: &Expanded<'_>, diags: &mut Vec<Diagnostic>) {
    for (key, item) in x.config.range(keys::ENVIRONMENT_PREFIX.to_string()..) {
        let Some(var) = key.strip_prefix(keys::ENVIRONMENT_PREFIX) else {
            break;
        };
        b.item_entry(
            K::Environment.name().into(),
            format!("{var}={}", item.value),
            item,
        );
    }
    memory(b, x, diags);
    let cgroup = |file: &str| {
        if add::CGROUP_V1 {
            Family::Cgroup1.key(file)
        } else {
            Family::Cgroup2.key(file)
        }
    };
    cpu(b, x);
    // A CPU list pins those CPUs (LXD writes it into the running cgroup; liblxc's key
    // says the same). A bare count is LXD's load balancing: kept in the LXD settings.
    if let Some(item) = x.config.get(n::LIMITS_CPU) {
        if item.value.parse::<u64>().is_err() {
            b.item_entry(cgroup("cpuset.cpus"), item.value.clone(), item);
        }
    }
    if let Some(item) = x.config.get(n::LIMITS_PROCESSES) {
        let value = if item.value == "-1" {
            "max".to_string()
        } else {
            item.value.clone()
        };
        b.item_entry(cgroup("pids.max"), value, item);
    }
    if let Some(item) = x.config.get(n::LIMITS_DISK_PRIORITY) {
        if let Ok(p) = item.value.parse::<u32>() {
            let weight = if p == 0 { 10 } else { p * 100 };
            let file = if add::CGROUP_V1 {
                "blkio.weight"
            } else {
                "io.weight"
            };
            b.item_entry(cgroup(file), weight.to_string(), item);
        }
    }
    for (key, item) in x.config.range(n::LIMITS_HUGEPAGES_PREFIX.to_string()..) {
        let Some(size) = key.strip_prefix(n::LIMITS_HUGEPAGES_PREFIX) else {
            break;
        };
        if let Some(bytes) = parse_size(&item.value) {
            let suffix = if add::CGROUP_V1 {
                "limit_in_bytes"
            } else {
                "max"
            };
            b.item_entry(
                cgroup(&format!("hugetlb.{size}.{suffix}")),
                bytes.to_string(),
                item,
            );
        }
    }
    for (prefix, family) in [
        (keys::LIMITS_KERNEL_PREFIX, Family::Prlimit),
        (keys::LINUX_SYSCTL_PREFIX, Family::Sysctl),
    ] {
        for (key, item) in x.config.range(prefix.to_string()..) {
            let Some(name) = key.strip_prefix(prefix) else {
                break;
            };
            b.item_entry(family.key(name), item.value.clone(), item);
        }
    }
    autostart(b, x);
}

/// `boot.autostart*`: LXD starts the instance itself, but they say what `lxc.start.*` say.
fn autostart(b: &mut Builder, x: &Expanded<'_>) {
    if let Some(item) = x.config.get(n::BOOT_AUTOSTART) {
        let on = if is_true(&item.value) { "1" } else { "0" };
        b.item_entry(K::StartAuto.name().into(), on.into(), item);
    }
    if let Some(item) = x.config.get(n::BOOT_AUTOSTART_DELAY) {
        if item.value.parse::<u32>().is_ok() {
            b.item_entry(K::StartDelay.name().into(), item.value.clone(), item);
        }
    }
    if let Some(item) = x.config.get(n::BOOT_AUTOSTART_PRIORITY) {
        if item.value.parse::<i32>().is_ok() {
            b.item_entry(K::StartOrder.name().into(), item.value.clone(), item);
        }
    }
}

/// `limits.memory` and its companions (`SetMemoryLimit`, `SetMemorySoftLimit`,
/// `SetMemorySwapLimit`).
fn memory(b: &mut Builder, x: &Expanded<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(item) = x.config.get(n::LIMITS_MEMORY) else {
        return;
    };
    let Some(bytes) = parse_size(&item.value) else {
        if item.value.ends_with('%') {
            diags.push(
                Diagnostic::new(
                    Code::D014,
                    format!(
                        "`{}: {}` is a share of the LXD host's memory: not lowered to a byte limit",
                        n::LIMITS_MEMORY,
                        item.value
                    ),
                )
                .at(item.value_origin)
                .help(
                    "the limit depends on the host LXD runs on; the model keeps the key as written",
                ),
            );
        }
        return;
    };
    let get = |k: &str| x.config.get(k);
    let soft_only = get(n::LIMITS_MEMORY_ENFORCE).is_some_and(|i| i.value == "soft");
    let swap = get(n::LIMITS_MEMORY_SWAP);
    let swap_on = swap.is_none_or(|i| !is_false(&i.value));
    let v1 = add::CGROUP_V1;
    let key = |v1_file: &str, v2_file: &str| {
        if v1 {
            Family::Cgroup1.key(v1_file)
        } else {
            Family::Cgroup2.key(v2_file)
        }
    };
    if soft_only {
        b.item_entry(
            key("memory.soft_limit_in_bytes", "memory.low"),
            bytes.to_string(),
            item,
        );
        return;
    }
    b.item_entry(
        key("memory.limit_in_bytes", "memory.max"),
        bytes.to_string(),
        item,
    );
    if swap_on {
        let value = if v1 { bytes.to_string() } else { "0".into() };
        b.item_entry(
            key("memory.memsw.limit_in_bytes", "memory.swap.max"),
            value,
            swap.unwrap_or(item),
        );
    }
    // 90%, truncated, as LXD's `int64(float64(limit) * 0.9)`.
    let soft = (bytes as f64 * 0.9) as u64;
    b.item_entry(
        key("memory.soft_limit_in_bytes", "memory.low"),
        soft.to_string(),
        item,
    );
    if v1 {
        if let Some(swap) = swap.filter(|i| is_false(&i.value)) {
            b.item_entry(Family::Cgroup1.key("memory.swappiness"), "0".into(), swap);
        } else if let Some(p) = get(n::LIMITS_MEMORY_SWAP_PRIORITY) {
            if let Ok(p) = p.value.parse::<u32>() {
                let item = get(n::LIMITS_MEMORY_SWAP_PRIORITY).unwrap_or(item);
                b.item_entry(
                    Family::Cgroup1.key("memory.swappiness"),
                    (70 - p.min(10)).to_string(),
                    item,
                );
            }
        }
    }
}

/// `limits.cpu.allowance` and `limits.cpu.priority` (`ParseCPU`); `limits.cpu` itself is
/// written by LXD into the running cgroup, never as an lxc.* key (it stays in the LXD
/// settings).
fn cpu(b: &mut Builder, x: &Expanded<'_>) {
    let allowance = x.config.get(n::LIMITS_CPU_ALLOWANCE);
    let priority = x.config.get(n::LIMITS_CPU_PRIORITY);
    if allowance.is_none() && priority.is_none() {
        return;
    }
    let max: i64 = if add::CGROUP_V1 { 1024 } else { 100 };
    let mut shares = max;
    if let Some(item) = allowance {
        if let Some(pct) = item
            .value
            .strip_suffix('%')
            .and_then(|p| p.parse::<i64>().ok())
        {
            shares = max * pct / 100;
        } else if let Some((quota, period)) = item.value.split_once('/') {
            let us = |s: &str| {
                s.strip_suffix("ms")
                    .unwrap_or(s)
                    .parse::<i64>()
                    .ok()
                    .map(|ms| ms * 1000)
            };
            if let (Some(q), Some(p)) = (us(quota), us(period)) {
                if add::CGROUP_V1 {
                    b.item_entry(Family::Cgroup1.key("cpu.cfs_quota_us"), q.to_string(), item);
                    b.item_entry(
                        Family::Cgroup1.key("cpu.cfs_period_us"),
                        p.to_string(),
                        item,
                    );
                } else {
                    b.item_entry(Family::Cgroup2.key("cpu.max"), format!("{q} {p}"), item);
                }
            }
        }
    }
    if let Some(p) = priority.and_then(|i| i.value.parse::<i64>().ok()) {
        shares -= 10 - p;
    }
    let origin_item = priority.or(allowance);
    if let Some(item) = origin_item {
        if !add::CGROUP_V1 {
            b.item_entry(Family::Cgroup2.key("cpu.weight"), shares.to_string(), item);
        } else if shares != max {
            b.item_entry(Family::Cgroup1.key("cpu.shares"), shares.to_string(), item);
        }
    }
}

/// `raw.lxc`, line by line as liblxc reads the file LXD writes, each entry located at its
/// own line in the YAML (a quoted value: at the whole value).
fn raw_lxc(b: &mut Builder, item: &Item, x: &Expanded<'_>, diags: &mut Vec<Diagnostic>) {
    let text = x
        .texts
        .get(item.source.0 as usize)
        .map(|t| t.as_ref())
        .unwrap_or("");
    let starts = tree::literal_line_starts(text, &item.scalar);
    let value = &item.value;
    let locate = |i: usize, r: std::ops::Range<usize>| match &starts {
        Some(s) => Origin::new(item.source, s[i] + r.start..s[i] + r.end),
        None => item.value_origin,
    };
    super::validate::raw_lxc(value, x.flavor, &locate, diags);
    for (i, line) in value.split('\n').enumerate() {
        let parsed = syntax::parse_line(line, 0);
        match parsed.kind {
            LineKind::Entry(e) => {
                // LXD refuses the instance for a blocked key: nothing to lower.
                if lxconf_model::lxd::raw_lxc::refusal(&line[e.key.clone()], x.flavor).is_some() {
                    continue;
                }
                b.yaml_entry(
                    line[e.key.clone()].to_string(),
                    line[e.value.clone()].to_string(),
                    locate(i, e.key.clone()),
                    locate(i, e.raw_value.clone()),
                );
            }
            LineKind::Foreign if line.contains('=') => diags.push(
                Diagnostic::new(
                    Code::L009,
                    "raw.lxc line ignored: liblxc only reads lines that start with `lxc.`",
                )
                .at(locate(i, parsed.content_start..line.len()))
                .help("keys are lower case and start with `lxc.`"),
            ),
            _ => {}
        }
    }
}
