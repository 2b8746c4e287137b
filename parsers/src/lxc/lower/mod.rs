//! Lowering: apply the entries of an LXC config (and its includes and fstab file) to the
//! model, following liblxc's setters, then make LXC's defaults explicit.
//!
//! Unlike liblxc, lowering does not stop at the first bad line: every problem becomes a
//! diagnostic and the rest of the file is still read.

use super::keys::{self, ExactKey as K, Family, Key};
use super::syntax::{self, LineKind};
use super::values::*;
use crate::fs::FileSystem;
use crate::fstab;
use crate::limits::{self, limit_error, LimitError};
use lxconf_model::model::*;
use lxconf_model::pointer;
use lxconf_model::values::{proc_key_problem, RESERVED_ID};
use lxconf_model::{
    ByteSize, Cap, Code, CpuSet, Diagnostic, Document, Fix, Namespace, Origin, Origins, Severity,
    Signal, SourceId, SourceMap,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Options for loading an LXC config.
pub struct LoadOptions<'a> {
    /// File access (real or in-memory).
    pub fs: &'a dyn FileSystem,
    /// Directory that relative `lxc.include` and `lxc.mount.fstab` paths are resolved
    /// against. liblxc uses the process's current directory.
    pub base_dir: PathBuf,
    /// LXD/Incus profile YAML files (`lxc profile show`) the LXD reader expands an
    /// instance with; other readers ignore them.
    pub lxd_profiles: Vec<PathBuf>,
}

impl<'a> LoadOptions<'a> {
    /// Options reading through `fs`, resolving relative paths against `base_dir`, with no
    /// LXD profiles.
    pub fn new(fs: &'a dyn FileSystem, base_dir: impl Into<PathBuf>) -> Self {
        LoadOptions {
            fs,
            base_dir: base_dir.into(),
            lxd_profiles: Vec::new(),
        }
    }
}

/// The result of loading one configuration.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The model and where each value came from.
    pub document: Document,
    /// Every file read.
    pub sources: SourceMap,
    /// Every problem found, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// True when some diagnostic is an error (liblxc would refuse the file).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Load an LXC config from text. `name` is shown in diagnostics; it is also the path used
/// to find the container's name (`.../NAME/config`).
pub fn load(name: &str, text: &str, options: &LoadOptions<'_>) -> Loaded {
    let mut lowerer = Lowerer::new(options);
    let id = lowerer.sources.add(name, text);
    lowerer.legacy_net_base = legacy_network_base(text);
    lowerer.stack.push(PathBuf::from(name));
    lowerer.includes.bytes = text.len() as u64;
    lowerer.includes.canonical.push(canonical(Path::new(name)));
    lowerer.read_file(id);
    lowerer.finish()
}

/// One `key = value` handed to the lowering without a config file around it: the LXD
/// reader builds the entries LXD hands liblxc, each located in the YAML it comes from.
#[derive(Debug, Clone)]
pub struct SourcedEntry {
    /// The LXC key.
    pub key: String,
    /// Where the key comes from.
    pub key_origin: Origin,
    /// The value, as liblxc reads it (trimmed, quotes removed).
    pub value: String,
    /// Where the value comes from.
    pub value_origin: Origin,
}

/// Lower `entries` in order, as if they were the lines of one config file, with liblxc's
/// semantics and defaults. `sources` holds every file the origins point into; the first
/// is the one diagnostics name the configuration by.
pub fn lower_entries(
    sources: SourceMap,
    entries: &[SourcedEntry],
    options: &LoadOptions<'_>,
) -> Loaded {
    let mut lowerer = Lowerer::new(options);
    lowerer.sources = sources;
    if lowerer.sources.files().next().is_none() {
        lowerer.sources.add("<entries>", "");
    }
    let name = lowerer.sources.get(SourceId(0)).name.clone();
    lowerer.stack.push(PathBuf::from(name));
    for e in entries {
        let value = Value {
            text: &e.value,
            origin: e.value_origin,
        };
        lowerer.apply(&e.key, e.key_origin, value);
    }
    lowerer.finish()
}

/// The index the first unindexed legacy interface gets. liblxc 2.1 kept legacy
/// interfaces apart from indexed `lxc.net.N` ones (it numbered them negatively), so when a
/// file mixes both, legacy interfaces are numbered after the highest modern index instead of
/// colliding with it.
pub fn legacy_network_base(text: &str) -> u32 {
    let legacy_net = format!("{}.", Family::Net.legacy_prefix().unwrap_or_default());
    if !text.contains(&legacy_net) {
        return 0;
    }
    syntax::parse(text)
        .iter()
        .filter_map(|l| match &l.kind {
            LineKind::Entry(e) => match keys::classify(&text[e.key.clone()]) {
                Key::Net(n, _) | Key::NetIndex(n) => Some(n + 1),
                _ => None,
            },
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[derive(Clone, Copy)]
struct Value<'t> {
    text: &'t str,
    origin: Origin,
}

struct NetState {
    net: Network,
    typed: bool,
    origin: Origin,
    /// Subkeys set so far, with where; a later `type` line wipes them.
    set: Vec<(&'static str, Origin)>,
}

#[derive(Default)]
struct CapState {
    drop: Vec<Cap>,
    keep: Vec<Cap>,
    keep_mode: bool,
    last: Option<Origin>,
}

struct Lowerer<'a> {
    options: &'a LoadOptions<'a>,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
    stack: Vec<PathBuf>,
    includes: Includes,
    c: Container,
    origins: Origins,
    nets: BTreeMap<u32, NetState>,
    legacy_net: Option<u32>,
    legacy_net_base: u32,
    legacy_net_indexed: Option<Origin>,
    legacy_net_unindexed: Option<Origin>,
    caps: CapState,
    /// Clock offsets as liblxc keeps them: a whole-seconds part (h, m, s) and a sub-second
    /// part (ms, us, ns), each replaced only by a value of its own kind; [boot, monotonic].
    time_parts: [(i64, i64); 2],
    ns_clone: Option<(BTreeSet<Namespace>, Origin)>,
    ns_keep: Option<(BTreeSet<Namespace>, Origin)>,
    mount_entries: Vec<(Mount, Origin)>,
    fstab: Option<(String, Origin)>,
    rootfs_path: Option<(String, Option<String>, Origin)>,
    rootfs_backend_legacy: Option<(String, Origin)>,
    rootfs_options: Vec<String>,
    rootfs_mount: Option<String>,
    rootfs_managed: bool,
    cgroups: Vec<CgroupEntry>,
    prlimits: Vec<(Prlimit, Origin)>,
    auto: AutoMounts,
    auto_origin: Option<Origin>,
    console_none: bool,
    /// Where each sysctl key is in `c.sysctls` (a later line replaces in place; a lookup by
    /// scanning made 50,000 sysctl lines take seconds).
    sysctl_at: HashMap<String, usize>,
}

/// `lxc.net.N.*` with an N of digits that does not fit liblxc's unsigned 32-bit index.
fn index_too_large(key: &str) -> bool {
    key.strip_prefix(&format!("{}.", Family::Net.prefix()))
        .and_then(|rest| rest.split('.').next())
        .is_some_and(|i| {
            !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()) && i.parse::<u32>().is_err()
        })
}

fn is_empty_value(v: &str) -> bool {
    v.is_empty()
}

impl<'a> Lowerer<'a> {
    fn new(options: &'a LoadOptions<'a>) -> Self {
        let c = Container {
            // Filled in by finish(); the default namespaces are computed there.
            namespaces: Namespaces {
                clone: BTreeSet::new(),
                share: BTreeMap::new(),
            },
            ..Container::default()
        };
        Lowerer {
            options,
            sources: SourceMap::new(),
            diags: Vec::new(),
            stack: Vec::new(),
            includes: Includes::default(),
            c,
            origins: Origins::default(),
            nets: BTreeMap::new(),
            legacy_net: None,
            legacy_net_base: 0,
            legacy_net_indexed: None,
            legacy_net_unindexed: None,
            caps: CapState::default(),
            time_parts: [(0, 0); 2],
            ns_clone: None,
            ns_keep: None,
            mount_entries: Vec::new(),
            fstab: None,
            rootfs_path: None,
            rootfs_backend_legacy: None,
            rootfs_options: Vec::new(),
            rootfs_mount: None,
            rootfs_managed: true,
            cgroups: Vec::new(),
            prlimits: Vec::new(),
            auto: AutoMounts::default(),
            auto_origin: None,
            console_none: false,
            sysctl_at: HashMap::new(),
        }
    }

    fn diag(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn invalid(&mut self, v: Value<'_>, message: impl std::fmt::Display, help: impl Into<String>) {
        self.diag(
            Diagnostic::new(Code::L003, message.to_string())
                .at(v.origin)
                .help(help),
        );
    }

    fn read_file(&mut self, id: SourceId) {
        let text = self.sources.get(id).text.clone();
        let mut foreign = 0usize;
        for line in syntax::lines(&text) {
            let origin = |r: std::ops::Range<usize>| Origin::new(id, r);
            if line.range.len() > limits::MAX_LINE_BYTES {
                self.diag(limits::line_too_long(id, line.range.start));
                foreign += 1;
                continue;
            }
            match line.kind {
                LineKind::Blank | LineKind::Comment => {}
                LineKind::Foreign => {
                    foreign += 1;
                    let content = &text[line.content_start..line.range.end];
                    let lower = content.to_ascii_lowercase();
                    let help = if lower.starts_with("lxc.") {
                        "keys are case-sensitive: write `lxc.` in lower case".to_string()
                    } else {
                        "remove the line, or comment it out with `#`".to_string()
                    };
                    self.diag(
                        Diagnostic::new(
                            Code::L009,
                            "line ignored: liblxc only reads lines that start with `lxc.`",
                        )
                        .at(origin(line.content_start..line.range.end))
                        .help(help),
                    );
                }
                LineKind::MissingEquals => {
                    self.diag(
                        Diagnostic::new(Code::L004, "configuration line without `=`")
                            .at(origin(line.content_start..line.range.end))
                            .help("write `key = value`; an empty value (`key =`) clears a setting"),
                    );
                }
                LineKind::Entry(e) => {
                    let key = &text[e.key.clone()];
                    let value = Value {
                        text: &text[e.value.clone()],
                        origin: origin(e.raw_value.clone()),
                    };
                    self.apply(key, origin(e.key.clone()), value);
                }
            }
        }
        // An included file with lines that are not config lines (`lxc.include =
        // /etc/shadow`) may hold secrets: its lines are never printed, only located (CI
        // logs are public). The file named on the command line is the user's choice.
        let included = self.stack.len() > 1;
        if foreign > 0 && included {
            self.sources.mark_private(id);
        }
    }

    /// Apply one `key = value` line, resolving legacy names first.
    fn apply(&mut self, key: &str, key_origin: Origin, v: Value<'_>) {
        let classified = keys::classify(key);
        if classified != Key::Unknown {
            self.apply_key(classified, key, key_origin, v);
            return;
        }
        if keys::REMOVED_KEYS.contains(&key) {
            self.diag(
                Diagnostic::new(
                    Code::L015,
                    format!("`{key}` was removed in LXC 3.0 and has no replacement"),
                )
                .at(key_origin)
                .help("delete the line: LXC 2.1 already ignored it and LXC 3.0+ refuses it")
                .fix(Fix {
                    description: format!("remove `{key}`"),
                    origin: key_origin,
                    replacement: String::new(),
                    safe: false,
                }),
            );
            return;
        }
        if key == keys::ROOTFS_BACKEND {
            self.diag(
                Diagnostic::new(Code::L002, format!("`{key}` is a legacy key"))
                    .at(key_origin)
                    .help(format!("LXC 3.0+ refuses it: put the type in front of the path instead, `{} = TYPE:PATH`", K::RootfsPath)),
            );
            if !v.text.is_empty() {
                self.rootfs_backend_legacy = Some((v.text.to_string(), v.origin));
            }
            return;
        }
        if let Some(rename) = keys::legacy_rename(key) {
            let modern = if rename.unindexed_network {
                let is_type = key == keys::legacy::LEGACY_NETWORK_TYPE;
                self.legacy_net_unindexed.get_or_insert(key_origin);
                if is_type && v.text.is_empty() {
                    // LXC 2.x: an empty `lxc.network.type` clears every interface.
                    let all = Family::Net.prefix();
                    self.diag(
                        Diagnostic::new(
                            Code::L002,
                            format!(
                                "`{key} =` is a legacy key; in LXC 2.x it removed every interface"
                            ),
                        )
                        .at(key_origin)
                        .help(format!("write `{all} =` (`lxconf upgrade` does this)"))
                        .fix(Fix {
                            description: format!("replace with `{all}`"),
                            origin: key_origin,
                            replacement: all.into(),
                            safe: true,
                        }),
                    );
                    self.nets.clear();
                    return;
                }
                if is_type {
                    self.legacy_net = Some(self.legacy_net.map_or(self.legacy_net_base, |n| n + 1));
                }
                match self.legacy_net {
                    Some(n) => rename.modern.replace("{N}", &n.to_string()),
                    None => {
                        self.diag(
                            Diagnostic::new(
                                Code::L012,
                                format!("`{key}` comes before any `{}`: LXC 2.x ignored it, 3.0 and later refuse the file", keys::legacy::LEGACY_NETWORK_TYPE),
                            )
                            .at(key_origin)
                            .help(format!("in LXC 1.x/2.x each `{}` line starts a new interface; move this line after the `type` line of the interface it belongs to", keys::legacy::LEGACY_NETWORK_TYPE)),
                        );
                        return;
                    }
                }
            } else {
                let old_net = Family::Net.legacy_prefix().unwrap_or_default();
                if key
                    .strip_prefix(old_net)
                    .is_some_and(|r| r.starts_with('.'))
                {
                    self.legacy_net_indexed.get_or_insert(key_origin);
                }
                rename.modern
            };
            self.diag(
                Diagnostic::new(
                    Code::L002,
                    format!("`{key}` is a legacy key; LXC 3.0 and later call it `{modern}`"),
                )
                .at(key_origin)
                .help(format!(
                    "rename it to `{modern}` (`lxconf upgrade` does this for the whole file)"
                ))
                .fix(Fix {
                    description: format!("rename to `{modern}`"),
                    origin: key_origin,
                    replacement: modern.clone(),
                    safe: !rename.unindexed_network,
                }),
            );
            let classified = keys::classify(&modern);
            if classified == Key::Unknown {
                // e.g. lxc.network.bogus: report it under its modern name.
                self.unknown_key(&modern, key_origin, v);
            } else {
                self.apply_key(classified, &modern, key_origin, v);
            }
            return;
        }
        self.unknown_key(key, key_origin, v);
    }

    fn unknown_key(&mut self, key: &str, key_origin: Origin, v: Value<'_>) {
        let mut d = Diagnostic::new(Code::L001, format!("unknown key `{key}`")).at_labelled(
            key_origin,
            "liblxc refuses the whole file because of this key",
        );
        if keys::LXC7_KEYS.contains(&key) {
            d = d.help(format!(
                "this key exists only in LXC 7.0; LXC 5 and 6 refuse it (use `{}`)",
                K::Environment
            ));
        } else if let Some(s) = keys::suggest(key) {
            d = d.help(format!("did you mean `{s}`?")).fix(Fix {
                description: format!("replace with `{s}`"),
                origin: key_origin,
                replacement: s.clone(),
                safe: false,
            });
        } else if index_too_large(key) {
            d = d.help("an interface index is an unsigned 32-bit number (at most 4294967295)");
        } else {
            d = d.help("see `man 5 lxc.container.conf` for the list of keys");
        }
        self.diag(d);
        self.c.unrecognized.push(Unrecognized {
            format: "lxc".into(),
            key: key.to_string(),
            value: v.text.to_string(),
            reason: "unknown key".into(),
            kept_by_reader: KeptByReader(true),
        });
        let i = self.c.unrecognized.len() - 1;
        self.origins
            .record(pointer::item(pointer::UNRECOGNIZED, i), key_origin);
    }

    fn apply_key(&mut self, key: Key<'_>, key_text: &str, key_origin: Origin, v: Value<'_>) {
        let empty = is_empty_value(v.text);
        match key {
            Key::Exact(k) => self.apply_exact(k, key_origin, v),
            Key::NetAll | Key::NetIndex(_) if !empty => {
                self.invalid(
                    v,
                    format!("`{key_text}` only accepts an empty value"),
                    format!(
                        "an empty value removes networks; to configure one, use `{}`",
                        keys::family::net_key("N", "<subkey>", false)
                    ),
                );
            }
            Key::NetAll => self.nets.clear(),
            Key::NetIndex(n) => {
                self.nets.remove(&n);
            }
            Key::Net(n, sub) => self.apply_net(n, sub, key_origin, v),
            Key::Cgroup2All
            | Key::Cgroup1All
            | Key::PrlimitAll
            | Key::SysctlAll
            | Key::ProcAll
            | Key::HookAll
                if !empty =>
            {
                self.invalid(
                    v,
                    format!("`{key_text}` only accepts an empty value (which clears them all)"),
                    format!("name the entry: `{key_text}.<name> = value`"),
                );
            }
            Key::Cgroup2All => self.cgroups.retain(|c| c.version != CgroupVersion::V2),
            Key::Cgroup1All => self.cgroups.retain(|c| c.version != CgroupVersion::V1),
            Key::Cgroup2(file) | Key::Cgroup1(file) => {
                let version = if matches!(key, Key::Cgroup2(_)) {
                    CgroupVersion::V2
                } else {
                    CgroupVersion::V1
                };
                if empty {
                    self.cgroups
                        .retain(|c| !(c.version == version && c.key == file));
                } else {
                    self.cgroups.push(CgroupEntry {
                        version,
                        key: file.to_string(),
                        value: v.text.to_string(),
                        origin: v.origin,
                    });
                }
            }
            Key::PrlimitAll => self.prlimits.clear(),
            Key::Prlimit(res) => self.apply_prlimit(res, key_origin, v),
            Key::SysctlAll => {
                self.c.sysctls.clear();
                self.sysctl_at.clear();
                self.origins.remove_under(pointer::SYSCTLS);
            }
            Key::Proc(k) | Key::Sysctl(k) if proc_key_problem(k).is_some() => {
                let why = proc_key_problem(k).unwrap_or_default();
                let key = k.escape_debug();
                let d = Diagnostic::new(Code::M040, format!("the /proc key `{key}` {why}"))
                    .at(key_origin)
                    .help("liblxc writes the value to /proc/PID/KEY as root: name a file directly below /proc/PID/");
                self.diag(d);
            }
            Key::Sysctl(k) => {
                let pos = self.sysctl_at.get(k).copied();
                match (empty, pos) {
                    (true, Some(i)) => self.remove_sysctl(i),
                    (true, None) => {}
                    (false, Some(i)) => {
                        self.c.sysctls[i].value = v.text.to_string();
                        self.origins
                            .record(pointer::item(pointer::SYSCTLS, i), v.origin);
                    }
                    (false, None) => {
                        self.c.sysctls.push(Setting {
                            key: k.to_string(),
                            value: v.text.to_string(),
                        });
                        let i = self.c.sysctls.len() - 1;
                        self.sysctl_at.insert(k.to_string(), i);
                        self.origins
                            .record(pointer::item(pointer::SYSCTLS, i), v.origin);
                    }
                }
            }
            Key::ProcAll => self.c.proc.clear(),
            Key::Proc(k) => {
                if empty {
                    self.c.proc.retain(|s| s.key != k);
                } else {
                    self.c.proc.push(Setting {
                        key: k.to_string(),
                        value: v.text.to_string(),
                    });
                    let i = self.c.proc.len() - 1;
                    self.origins
                        .record(pointer::item(pointer::PROC, i), v.origin);
                }
            }
            Key::HookAll => self.c.hooks.hooks.clear(),
            Key::Hook(kind) => {
                if empty {
                    self.c.hooks.hooks.retain(|h| h.kind != kind);
                } else {
                    self.c.hooks.hooks.push(Hook {
                        kind,
                        command: v.text.to_string(),
                    });
                    let i = self.c.hooks.hooks.len() - 1;
                    self.origins
                        .record(pointer::item(pointer::HOOK_LIST, i), v.origin);
                }
            }
            Key::NamespaceShare(ns) => {
                if empty {
                    self.c.namespaces.share.remove(&ns);
                } else {
                    self.c.namespaces.share.insert(ns, v.text.to_string());
                    self.origins.record(
                        pointer::entry(pointer::NAMESPACES_SHARE, ns.name()),
                        v.origin,
                    );
                }
            }
            Key::Unknown => self.unknown_key(key_text, key_origin, v),
        }
    }
}

mod cgroup;
use cgroup::CgroupEntry;
pub use cgroup::{kernel_memparse, parse_device_rule};
use include::{canonical, Includes};
mod exact;
mod finish;
mod include;
mod net;
mod seccomp;
#[cfg(test)]
mod tests;
mod values;
