//! LXD and Incus instance YAML (`lxc config show [--expanded]`, `incus config show`) and
//! profile YAML (`lxc profile show`): syntax ([`tree`]), LXD's validation at `lxc init`
//! ([`validate`]), expansion with the profiles given, and lowering. LXD turns an instance
//! into liblxc keys and loads `raw.lxc` last; the reader builds the same list of lxc.*
//! entries, each located in the YAML, and lowers it with the LXC reader's lowering
//! ([`crate::lxc::lower::lower_entries`]), so every liblxc default applies. What has no
//! lxc.* key goes to the model's `lxd` settings. docs/lxd-reading.md maps every key and
//! device.

mod devices;
mod lower;
pub mod read;
pub mod tree;
pub mod validate;

use crate::fs::FileSystem;
use crate::lxc::lower::{lower_entries, LoadOptions, Loaded};
use lxconf_model::lxd::devices as dev;
use lxconf_model::lxd::keys::{self, names as n, KeyScope};
use lxconf_model::model::{LxdFlavor, LxdSettings};
use lxconf_model::{pointer, Code, Diagnostic, Document, Origin, SourceId, SourceMap};
use read::{Device, Doc, Item};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The top-level fields of an instance or profile YAML that an lxconf model document does
/// not have.
const TOP_LEVEL_FIELDS: &[&str] = &[
    "config:",
    "devices:",
    "profiles:",
    "architecture:",
    "ephemeral:",
    "stateful:",
    "used_by:",
];

/// How many of [`TOP_LEVEL_FIELDS`] start a line of `text` (its first 2,000 lines).
pub fn lxd_fields_at_top(text: &str) -> usize {
    TOP_LEVEL_FIELDS
        .iter()
        .filter(|f| {
            text.lines().take(2000).any(|line| {
                line.strip_prefix(**f)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
            })
        })
        .count()
}

/// Whether `text` looks like an instance or profile YAML rather than an lxconf model
/// document: one of [`TOP_LEVEL_FIELDS`] at the top level (the model has none of them).
pub fn looks_like_lxd(text: &str) -> bool {
    lxd_fields_at_top(text) > 0
}

/// Load an instance (or profile) YAML, expanded with the profiles of
/// [`LoadOptions::lxd_profiles`].
pub fn load(name: &str, text: &str, options: &LoadOptions<'_>) -> Loaded {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let mut diags = Vec::new();
    let Some(doc) = read::read(text, id, &mut diags) else {
        return Loaded {
            document: Document::default(),
            sources,
            diagnostics: diags,
        };
    };
    let flavor = flavor_of(&doc);
    let scope = if doc.is_profile {
        validate::Scope::Profile
    } else {
        validate::Scope::Instance
    };
    validate::config(&doc.config, scope, flavor, &mut diags);
    for d in &doc.devices {
        validate::device(d, true, &mut diags);
    }
    let profiles = read_profiles(&mut sources, options, flavor, &mut diags);
    let expanded = expand(&doc, &profiles, &mut diags);
    check_root_disk(&doc, &expanded, &mut diags);
    let instance_name = instance_name(&doc, name, &mut diags);
    finish(
        doc,
        expanded,
        instance_name,
        flavor,
        sources,
        diags,
        options,
    )
}

/// Incus when the file uses a key only Incus has.
fn flavor_of(doc: &Doc) -> LxdFlavor {
    let incus = doc.config.iter().any(|i| {
        keys::lookup_key(&i.key, LxdFlavor::Lxd).is_none()
            && keys::lookup_key(&i.key, LxdFlavor::Incus).is_some()
    });
    if incus {
        LxdFlavor::Incus
    } else {
        LxdFlavor::Lxd
    }
}

/// A profile given with `--profile`: its name (`name:`, else the file stem) and content.
struct Profile {
    name: String,
    doc: Doc,
}

fn read_profiles(
    sources: &mut SourceMap,
    options: &LoadOptions<'_>,
    flavor: LxdFlavor,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Profile> {
    let mut out = Vec::new();
    for path in &options.lxd_profiles {
        let full = if path.is_absolute() {
            path.clone()
        } else {
            options.base_dir.join(path)
        };
        let text = match options.fs.read_to_string(&full) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::new(
                        Code::D013,
                        format!("profile `{}` cannot be read: {e}", full.display()),
                    )
                    .help("give the YAML `lxc profile show NAME` prints"),
                );
                continue;
            }
        };
        let id = sources.add(full.display().to_string(), text.clone());
        let Some(doc) = read::read(&text, id, diags) else {
            continue;
        };
        validate::config(&doc.config, validate::Scope::Profile, flavor, diags);
        for d in &doc.devices {
            validate::device(d, false, diags);
        }
        let name = doc
            .name
            .as_ref()
            .map(|i| i.value.clone())
            .unwrap_or_else(|| {
                full.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string()
            });
        out.push(Profile { name, doc });
    }
    out
}

/// The expanded config and devices (`ExpandInstanceConfig`, `ExpandInstanceDevices`).
struct Expansion {
    config: BTreeMap<String, Item>,
    devices: BTreeMap<String, Device>,
    /// Some profile the instance names was not given.
    incomplete: bool,
}

fn expand(doc: &Doc, profiles: &[Profile], diags: &mut Vec<Diagnostic>) -> Expansion {
    let mut x = Expansion {
        config: BTreeMap::new(),
        devices: BTreeMap::new(),
        incomplete: false,
    };
    for (name, origin) in &doc.profiles {
        match profiles.iter().rev().find(|p| &p.name == name) {
            Some(p) => {
                for item in &p.doc.config {
                    x.config.insert(item.key.clone(), item.clone());
                }
                for d in &p.doc.devices {
                    x.devices.insert(d.name.clone(), d.clone());
                }
            }
            None => {
                x.incomplete = true;
                diags.push(
                    Diagnostic::new(Code::D013, format!("profile `{}` was not given: the model holds this file's config and devices only", name.escape_debug()))
                        .at(*origin)
                        .help(format!("give it with `--profile FILE` (the YAML of `lxc profile show {}`); if this file is `lxc config show --expanded` output, the profile's keys are already in it and nothing is missing (the file cannot tell)", name.escape_debug())),
                );
            }
        }
    }
    for item in &doc.config {
        x.config.insert(item.key.clone(), item.clone());
    }
    for d in &doc.devices {
        x.devices.insert(d.name.clone(), d.clone());
    }
    x
}

/// LXD's root disk rules on the expanded devices (`validDevices`, `lxcCreate`).
fn check_root_disk(doc: &Doc, x: &Expansion, diags: &mut Vec<Diagnostic>) {
    if doc.is_profile || x.incomplete {
        return;
    }
    let roots: Vec<&Device> = x
        .devices
        .values()
        .filter(|d| {
            d.kind() == dev::DISK && d.get("path") == Some("/") && d.get("source").is_none()
        })
        .collect();
    let whole = doc
        .profiles_origin
        .unwrap_or_else(|| Origin::new(SourceId(0), 0..0));
    match roots.as_slice() {
        // `profiles: []` given to `lxc init` means "no list": LXD applies `default`,
        // which normally has the root disk (and `lxc config show` never prints an
        // instance without one).
        [] if doc.profiles.is_empty() => {}
        [] => diags.push(
            Diagnostic::new(Code::D012, "no root disk: LXD refuses the instance (\"No root device could be found\")")
                .at(whole)
                .help("add a device `root: {type: disk, path: /, pool: default}`, or a profile that has one"),
        ),
        [root] if root.get("pool").is_none() => diags.push(
            Diagnostic::new(Code::D012, format!("root disk `{}` has no `pool`", root.name.escape_debug()))
                .at(root.name_origin)
                .help("add `pool: default` (the storage pool the instance lives in)"),
        ),
        [_] => {}
        [first, rest @ ..] => {
            let mut d = Diagnostic::new(Code::D012, "more than one root disk (`path: /`)").at(first.name_origin);
            for r in rest {
                d = d.also(r.name_origin, "another root disk");
            }
            diags.push(d.help("keep one disk with `path: /`"));
        }
    }
}

/// The instance name: a profile's `name`, else the file stem when LXD accepts it.
fn instance_name(doc: &Doc, file: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    if let Some(item) = &doc.name {
        return Some(item.value.clone());
    }
    let stem = Path::new(file).file_stem()?.to_str()?;
    if dev::is_instance_name(stem) {
        return Some(stem.to_string());
    }
    if file != "<stdin>" {
        diags.push(
            Diagnostic::new(Code::D017, format!("the file name `{}` is not an instance name LXD accepts: the model has no name, hostname or rootfs path", stem.escape_debug()))
                .help("`lxc config show` prints no name; name the file NAME.yaml, with NAME 1-63 letters, digits and `-`, not starting with a digit"),
        );
    }
    None
}

/// Reads like the host, except the seccomp policy LXD would write, which it serves.
struct WithPolicy<'a> {
    base: &'a dyn FileSystem,
    path: PathBuf,
    text: String,
}

impl FileSystem for WithPolicy<'_> {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        if path == self.path {
            return Ok(self.text.clone());
        }
        self.base.read_to_string(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.base.is_dir(path)
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        self.base.read_dir(path)
    }
}

fn finish(
    doc: Doc,
    x: Expansion,
    name: Option<String>,
    flavor: LxdFlavor,
    mut sources: SourceMap,
    mut diags: Vec<Diagnostic>,
    options: &LoadOptions<'_>,
) -> Loaded {
    let texts: Vec<Arc<str>> = sources.files().map(|(_, f)| f.text.clone()).collect();
    let additions_id = SourceId(u32::try_from(texts.len()).unwrap_or(u32::MAX));
    let built = lower::build(
        &lower::Expanded {
            config: &x.config,
            devices: &x.devices,
            name: name.as_deref(),
            architecture: doc.architecture.as_ref(),
            ephemeral: doc.ephemeral.as_ref(),
            flavor,
            texts: &texts,
            fs: options.fs,
            profile: doc.is_profile,
        },
        additions_id,
        &mut diags,
    );
    unix_device_notes(&x, &mut diags);
    let added = sources.add(
        "<what LXD 5.0 adds to every container>",
        built.additions_text,
    );
    debug_assert_eq!(added, additions_id);
    let overlay = built.seccomp.map(|(path, text)| WithPolicy {
        base: options.fs,
        path: PathBuf::from(path),
        text,
    });
    let fs: &dyn FileSystem = match &overlay {
        Some(o) => o,
        None => options.fs,
    };
    let lower_options = LoadOptions {
        fs,
        base_dir: options.base_dir.clone(),
        lxd_profiles: Vec::new(),
    };
    let mut loaded = lower_entries(sources, &built.entries, &lower_options);
    diags.append(&mut loaded.diagnostics);
    loaded.diagnostics = diags;
    let c = &mut loaded.document.container;
    c.name = name;
    let settings = settings(&doc, &x, flavor, &mut loaded.document.origins);
    loaded.document.container.lxd = Some(settings);
    if let Some(d) = &doc.description {
        if !d.value.is_empty() {
            loaded.document.container.description = Some(d.value.clone());
        }
    }
    loaded
}

/// A privileged container's unix device without `major`/`minor`: LXD allows the numbers
/// of the node it finds on its host, which the reader does not see.
fn unix_device_notes(x: &Expansion, diags: &mut Vec<Diagnostic>) {
    let privileged = x
        .config
        .get(n::SECURITY_PRIVILEGED)
        .is_some_and(|i| validate::is_true(&i.value));
    if !privileged {
        return;
    }
    for d in x.devices.values() {
        let unix = matches!(d.kind(), dev::UNIX_CHAR | dev::UNIX_BLOCK);
        if unix && (d.get("major").is_none() || d.get("minor").is_none()) {
            diags.push(
                Diagnostic::new(Code::D014, format!("device `{}`: its cgroup rule is left out: LXD allows the numbers of the node it finds on its host", d.name.escape_debug()))
                    .at(d.name_origin)
                    .help("give `major` and `minor` (the numbers of the node, `ls -l` shows them) to have the rule in the model"),
            );
        }
    }
}

/// The config keys the lowering consumed (their meaning is in lxc.* entries) or that are
/// runtime state; every other key is kept in the LXD settings as written.
fn lowered_key(key: &str, flavor: LxdFlavor) -> bool {
    const LOWERED: &[&str] = &[
        n::BOOT_AUTOSTART,
        n::BOOT_AUTOSTART_DELAY,
        n::BOOT_AUTOSTART_PRIORITY,
        n::LIMITS_CPU_ALLOWANCE,
        n::LIMITS_CPU_PRIORITY,
        n::LIMITS_DISK_PRIORITY,
        n::LIMITS_MEMORY_ENFORCE,
        n::LIMITS_MEMORY_SWAP,
        n::LIMITS_MEMORY_SWAP_PRIORITY,
        n::LIMITS_PROCESSES,
        n::RAW_LXC,
        n::RAW_SECCOMP,
        n::SECURITY_DEVLXD,
        n::SECURITY_NESTING,
        n::SECURITY_PRIVILEGED,
        n::SYSCALLS_ALLOW,
        n::SYSCALLS_WHITELIST,
        n::SYSCALLS_DENY,
        n::SYSCALLS_BLACKLIST,
        n::SYSCALLS_DENY_DEFAULT,
        n::SYSCALLS_BLACKLIST_DEFAULT,
    ];
    let key = keys::lxd_name(key);
    LOWERED.contains(&key)
        || keys::lookup_key(key, flavor).is_some_and(|i| i.scope == KeyScope::Volatile)
        || [
            keys::ENVIRONMENT_PREFIX,
            keys::LIMITS_KERNEL_PREFIX,
            keys::LINUX_SYSCTL_PREFIX,
            n::LIMITS_HUGEPAGES_PREFIX,
        ]
        .iter()
        .any(|p| key.starts_with(p))
}

fn settings(
    doc: &Doc,
    x: &Expansion,
    flavor: LxdFlavor,
    origins: &mut lxconf_model::Origins,
) -> LxdSettings {
    let mut s = LxdSettings {
        profiles: doc.profiles.iter().map(|(p, _)| p.clone()).collect(),
        stateful: doc
            .stateful
            .as_ref()
            .is_some_and(|i| validate::is_true(&i.value)),
        autostart_restores_last_state: !x.config.contains_key(n::BOOT_AUTOSTART),
        flavor,
        ..LxdSettings::default()
    };
    if let Some(o) = doc.profiles_origin {
        origins.record(pointer::LXD_PROFILES, o);
    }
    if let Some(i) = &doc.stateful {
        origins.record(pointer::LXD_STATEFUL, i.value_origin);
    }
    let member = |i: &Item| {
        Origin::new(
            i.source,
            i.key_origin.range().start..i.value_origin.range().end.max(i.key_origin.range().end),
        )
    };
    // A privileged container has no id map because of this key: findings about the
    // missing map (M006) point at it.
    if let Some(item) = x
        .config
        .get(n::SECURITY_PRIVILEGED)
        .filter(|i| validate::is_true(&i.value))
    {
        origins.record(pointer::IDMAP, member(item));
    }
    for (key, item) in &x.config {
        // A memory limit in percent and a CPU count are not lowered: kept.
        let percent_memory = key == n::LIMITS_MEMORY && item.value.ends_with('%');
        let pinned_cpus = key == n::LIMITS_CPU && item.value.parse::<u64>().is_err();
        if lowered_key(key, flavor) || (key == n::LIMITS_MEMORY && !percent_memory) || pinned_cpus {
            continue;
        }
        s.config.insert(key.clone(), item.value.clone());
        origins.record(pointer::entry(pointer::LXD_CONFIG, key), member(item));
    }
    for (name, d) in &x.devices {
        if devices::lowered(d) {
            continue;
        }
        let options = d
            .options
            .iter()
            .map(|i| (i.key.clone(), i.value.clone()))
            .collect();
        s.devices.insert(name.clone(), options);
        origins.record(pointer::entry(pointer::LXD_DEVICES, name), d.name_origin);
    }
    s
}
