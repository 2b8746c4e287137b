//! Lowering: apply the entries of an LXC config (and its includes and fstab file) to the
//! model, following liblxc's setters, then make LXC's defaults explicit.
//!
//! Unlike liblxc, lowering does not stop at the first bad line: every problem becomes a
//! diagnostic and the rest of the file is still read.

use super::keys::{self, ExactKey as K, Key};
use super::syntax::{self, LineKind};
use super::values::*;
use crate::fs::FileSystem;
use crate::fstab;
use crate::limits::{self, limit_error, LimitError};
use lxconf_model::model::*;
use lxconf_model::values::{proc_key_problem, RESERVED_ID};
use lxconf_model::{
    ByteSize, Cap, Code, CpuSet, Diagnostic, Document, Fix, Limit, Namespace, Origin, Origins,
    Severity, Signal, SourceId, SourceMap,
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

/// The index the first unindexed legacy interface gets. liblxc 2.1 kept legacy
/// interfaces apart from indexed `lxc.net.N` ones (it numbered them negatively), so when a
/// file mixes both, legacy interfaces are numbered after the highest modern index instead of
/// colliding with it.
pub fn legacy_network_base(text: &str) -> u32 {
    if !text.contains("lxc.network.") {
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

struct CgroupEntry {
    version: CgroupVersion,
    key: String,
    value: String,
    origin: Origin,
}

/// Includes read so far: each file is read once and shared (a file included twice is
/// applied twice, as liblxc does, but not read twice), and the limits on their number,
/// depth and size.
#[derive(Default)]
struct Includes {
    /// Canonical path → the file's source, for files read once.
    cache: HashMap<PathBuf, SourceId>,
    /// Canonical paths of the files being read, outermost first (cycle detection).
    canonical: Vec<PathBuf>,
    /// Includes applied.
    count: usize,
    /// Bytes applied (a file included twice counts twice).
    bytes: u64,
    /// A limit was reported: later refusals are silent.
    refused: bool,
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
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

    fn invalid(&mut self, v: Value<'_>, message: impl Into<String>, help: impl Into<String>) {
        self.diag(Diagnostic::new(Code::L003, message).at(v.origin).help(help));
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
        if key == "lxc.rootfs.backend" {
            self.diag(
                Diagnostic::new(Code::L002, "`lxc.rootfs.backend` is a legacy key")
                    .at(key_origin)
                    .help("LXC 3.0+ refuses it: put the type in front of the path instead, `lxc.rootfs.path = TYPE:PATH`"),
            );
            if !v.text.is_empty() {
                self.rootfs_backend_legacy = Some((v.text.to_string(), v.origin));
            }
            return;
        }
        if let Some(rename) = keys::legacy_rename(key) {
            let modern = if rename.unindexed_network {
                let is_type = key == "lxc.network.type";
                self.legacy_net_unindexed.get_or_insert(key_origin);
                if is_type && v.text.is_empty() {
                    // LXC 2.x: an empty `lxc.network.type` clears every interface.
                    self.diag(
                        Diagnostic::new(Code::L002, "`lxc.network.type =` is a legacy key; in LXC 2.x it removed every interface")
                            .at(key_origin)
                            .help("write `lxc.net =` (`lxconf upgrade` does this)")
                            .fix(Fix {
                                description: "replace with `lxc.net`".into(),
                                origin: key_origin,
                                replacement: "lxc.net".into(),
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
                                format!("`{key}` comes before any `lxc.network.type`: ignored"),
                            )
                            .at(key_origin)
                            .help("in LXC 1.x/2.x each `lxc.network.type` line starts a new interface; move this line after the `type` line of the interface it belongs to"),
                        );
                        return;
                    }
                }
            } else {
                if key.starts_with("lxc.network.") {
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
        let seven = ["lxc.environment.runtime", "lxc.environment.hooks"];
        if seven.contains(&key) {
            d = d.help(
                "this key exists only in LXC 7.0; LXC 5 and 6 refuse it (use `lxc.environment`)",
            );
        } else if let Some(s) = keys::suggest(key) {
            d = d.help(format!("did you mean `{s}`?")).fix(Fix {
                description: format!("replace with `{s}`"),
                origin: key_origin,
                replacement: s.clone(),
                safe: false,
            });
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
        self.origins.record(("/unrecognized", i), key_origin);
    }

    fn uint(&mut self, v: Value<'_>) -> Option<u32> {
        match parse_uint(v.text) {
            Ok(n) => {
                self.warn_base(v, n.non_decimal);
                Some(n.value as u32)
            }
            Err(e) => {
                self.invalid(v, e, "write a decimal number such as `0` or `4`");
                None
            }
        }
    }

    fn bool01(&mut self, v: Value<'_>) -> Option<bool> {
        match parse_bool01(v.text) {
            Ok((b, nd)) => {
                self.warn_base(v, nd);
                Some(b)
            }
            Err(e) => {
                self.invalid(v, e, "write `1` to enable or `0` to disable");
                None
            }
        }
    }

    fn signal(&mut self, v: Value<'_>) -> Option<Signal> {
        match Signal::parse_lxc(v.text) {
            Ok(s) => Some(s),
            Err(e) => {
                self.invalid(v, e, "write a signal name with its `SIG` prefix (`SIGTERM`), a number, or `SIGRTMIN+n`");
                None
            }
        }
    }

    fn warn_base(&mut self, v: Value<'_>, non_decimal: bool) {
        if non_decimal {
            self.diag(
                Diagnostic::new(
                    Code::L014,
                    format!("`{}` is read as an octal or hexadecimal number", v.text),
                )
                .at(v.origin)
                .help(
                    "liblxc reads numbers with strtoul base 0: `010` is 8; write the decimal value",
                ),
            );
        }
    }

    fn set_string(&mut self, pointer: &'static str, v: Value<'_>) -> Option<String> {
        if v.text.is_empty() {
            self.origins.remove_under(pointer);
            None
        } else {
            self.origins.record(pointer, v.origin);
            Some(v.text.to_string())
        }
    }

    fn apply_key(&mut self, key: Key<'_>, key_text: &str, key_origin: Origin, v: Value<'_>) {
        let empty = is_empty_value(v.text);
        match key {
            Key::Exact(k) => self.apply_exact(k, key_origin, v),
            Key::NetAll | Key::NetIndex(_) if !empty => {
                self.invalid(
                    v,
                    format!("`{key_text}` only accepts an empty value"),
                    "an empty value removes networks; to configure one, use `lxc.net.N.<subkey>`",
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
                self.origins.remove_under("/sysctls");
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
                        self.origins.record(("/sysctls", i), v.origin);
                    }
                    (false, None) => {
                        self.c.sysctls.push(Setting {
                            key: k.to_string(),
                            value: v.text.to_string(),
                        });
                        let i = self.c.sysctls.len() - 1;
                        self.sysctl_at.insert(k.to_string(), i);
                        self.origins.record(("/sysctls", i), v.origin);
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
                    self.origins.record(("/proc", i), v.origin);
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
                    self.origins.record(("/hooks/hooks", i), v.origin);
                }
            }
            Key::NamespaceShare(ns) => {
                if empty {
                    self.c.namespaces.share.remove(&ns);
                } else {
                    self.c.namespaces.share.insert(ns, v.text.to_string());
                    self.origins
                        .record(format!("/namespaces/share/{}", ns.name()), v.origin);
                }
            }
            Key::Unknown => self.unknown_key(key_text, key_origin, v),
        }
    }

    fn apply_prlimit(&mut self, res: &str, key_origin: Origin, v: Value<'_>) {
        let known =
            keys::PRLIMIT_RESOURCES.contains(&res) || res.bytes().all(|b| b.is_ascii_digit());
        if v.text.is_empty() {
            self.prlimits.retain(|(p, _)| p.resource != res);
            return;
        }
        let parse_one = |t: &str| -> Result<Limit, String> {
            let t = t.trim();
            if t == "unlimited" || t == "-1" {
                return Ok(Limit::Unlimited);
            }
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                return t
                    .parse()
                    .map(Limit::Value)
                    .map_err(|_| format!("`{t}` is too large"));
            }
            Err(format!("`{t}` is not a number or `unlimited`"))
        };
        let parsed = match v.text.split_once(':') {
            Some((soft, hard)) if hard.trim().is_empty() => parse_one(soft).map(|s| (s, s)),
            Some((soft, hard)) => parse_one(soft).and_then(|s| Ok((s, parse_one(hard)?))),
            None => parse_one(v.text).map(|s| (s, s)),
        };
        match parsed {
            Ok((soft, hard)) => {
                if !known {
                    self.diag(
                        Diagnostic::new(
                            Code::L003,
                            format!(
                                "`{res}` is not a resource name; the container will fail to start"
                            ),
                        )
                        .severity(Severity::Warning)
                        .at(key_origin)
                        .help(format!(
                            "liblxc accepts the key but fails at start; use one of {}",
                            keys::PRLIMIT_RESOURCES.join(", ")
                        )),
                    );
                }
                let limit = Prlimit {
                    resource: res.to_string(),
                    soft,
                    hard,
                };
                match self.prlimits.iter().position(|(p, _)| p.resource == res) {
                    Some(i) => self.prlimits[i] = (limit, v.origin),
                    None => self.prlimits.push((limit, v.origin)),
                }
            }
            Err(e) => self.invalid(
                v,
                e,
                "write `SOFT[:HARD]`, each a number or `unlimited`, e.g. `1024:4096`",
            ),
        }
    }

    fn apply_exact(&mut self, key: K, key_origin: Origin, v: Value<'_>) {
        let key_name = key.name();
        let empty = v.text.is_empty();
        let t = v.text;
        match key {
            K::UtsName => {
                if t.len() > 64 {
                    self.invalid(
                        v,
                        format!("hostname is {} bytes long; the limit is 64", t.len()),
                        "use a hostname of at most 64 bytes",
                    );
                } else {
                    self.c.hostname = self.set_string("/hostname", v);
                }
            }
            K::Arch => {
                if empty {
                    self.invalid(
                        v,
                        "`lxc.arch` needs a value",
                        "remove the line, or name an architecture such as `x86_64`",
                    );
                } else if ARCHES.contains(&t) {
                    // lxc.arch only selects a personality: liblxc keeps 32 or 64 bit and
                    // reports it as i686 or x86_64, whatever name was written.
                    let personality = if ARCHES_32.contains(&t) {
                        "i686"
                    } else {
                        "x86_64"
                    };
                    self.c.arch = Some(personality.to_string());
                    self.origins.record("/arch", v.origin);
                } else {
                    let later = ["x32", "loongarch64", "loong64"];
                    let help = if later.contains(&t) {
                        "this name needs LXC 6.0; LXC 5.0 refuses it".to_string()
                    } else {
                        format!("use one of {}", ARCHES.join(", "))
                    };
                    self.invalid(
                        v,
                        format!("`{t}` is not an architecture liblxc knows"),
                        help,
                    );
                }
            }
            K::Ephemeral => self.set_bool(v, |c, b| c.lxc.ephemeral = b, "/lxc/ephemeral"),
            K::NoNewPrivs => self.set_bool(v, |c, b| c.no_new_privs = b, "/no_new_privs"),
            K::KeyringSession => self.set_bool(
                v,
                |c, b| c.lxc.keyring_session_disabled = b,
                "/lxc/keyring_session_disabled",
            ),
            K::SchedCore => self.set_bool(v, |c, b| c.lxc.sched_core = b, "/lxc/sched_core"),
            K::StartAuto => self.set_bool(v, |c, b| c.autostart.enabled = b, "/autostart/enabled"),
            K::Autodev => {
                if empty {
                    self.c.dev.autodev = true;
                } else {
                    self.set_bool(v, |c, b| c.dev.autodev = b, "/dev/autodev");
                }
            }
            K::ApparmorAllowIncomplete => self.set_bool(
                v,
                |c, b| c.security.apparmor_allow_incomplete = b,
                "/security/apparmor_allow_incomplete",
            ),
            K::ApparmorAllowNesting => self.set_bool(
                v,
                |c, b| c.security.apparmor_allow_nesting = b,
                "/security/apparmor_allow_nesting",
            ),
            K::SeccompAllowNesting => self.set_bool(
                v,
                |c, b| c.security.seccomp_allow_nesting = b,
                "/security/seccomp_allow_nesting",
            ),
            K::ConsoleRotate => self.set_bool(v, |c, b| c.console.rotate = b, "/console/rotate"),
            K::CgroupRelative => {
                if empty {
                    self.c.lxc.cgroup_dirs.remove("relative");
                } else if let Some(b) = self.bool01(v) {
                    self.c
                        .lxc
                        .cgroup_dirs
                        .insert("relative".into(), if b { "1" } else { "0" }.into());
                }
            }
            K::RootfsManaged => {
                if empty {
                    self.rootfs_managed = true;
                } else if let Some(b) = self.bool01(v) {
                    self.rootfs_managed = b;
                }
            }
            K::MonitorUnshare => {
                if empty {
                    self.c.lxc.monitor_unshare = false;
                } else if let Some(n) = self.uint(v) {
                    self.c.lxc.monitor_unshare = n != 0;
                }
            }
            K::Group => {
                if empty {
                    self.c.autostart.groups.clear();
                } else {
                    self.c
                        .autostart
                        .groups
                        .extend(t.split_whitespace().map(String::from));
                    self.origins.record("/autostart/groups", v.origin);
                }
            }
            K::StartDelay => {
                if empty {
                    self.c.autostart.delay_s = 0;
                } else if let Some(n) = self.uint(v) {
                    self.c.autostart.delay_s = n;
                    self.origins.record("/autostart/delay_s", v.origin);
                }
            }
            K::StartOrder => {
                if empty {
                    self.c.autostart.order = 0;
                } else {
                    match parse_int(t) {
                        Ok((n, nd)) => {
                            self.warn_base(v, nd);
                            self.c.autostart.order = n as i32;
                            self.origins.record("/autostart/order", v.origin);
                        }
                        Err(e) => self.invalid(v, e, "write a whole number, e.g. `10` or `-5`"),
                    }
                }
            }
            K::MonitorSignalPdeath | K::SignalHalt | K::SignalReboot | K::SignalStop => {
                let defaults = Signals::default();
                let (pointer, default) = match key {
                    K::SignalHalt => ("/signals/halt", defaults.halt),
                    K::SignalReboot => ("/signals/reboot", defaults.reboot),
                    K::SignalStop => ("/signals/stop", defaults.stop),
                    _ => ("/signals/monitor_pdeath", defaults.monitor_pdeath),
                };
                let sig = if empty {
                    Some(default)
                } else {
                    // 0 means "the built-in choice".
                    self.signal(v).map(|s| if s.0 == 0 { default } else { s })
                };
                if let Some(sig) = sig {
                    let s = &mut self.c.signals;
                    match key {
                        K::SignalHalt => s.halt = sig,
                        K::SignalReboot => s.reboot = sig,
                        K::SignalStop => s.stop = sig,
                        _ => s.monitor_pdeath = sig,
                    }
                    self.origins.record(pointer, v.origin);
                }
            }
            K::Include => self.include(v),
            K::InitCmd => {
                if empty {
                    self.c.init.command = Init::default().command;
                } else {
                    self.c.init.command = t.split_whitespace().map(String::from).collect();
                    self.origins.record("/init/command", v.origin);
                }
            }
            K::ExecuteCmd => {
                self.c.init.execute_command =
                    (!empty).then(|| t.split_whitespace().map(String::from).collect());
                self.origins.record("/init/execute_command", v.origin);
            }
            K::InitUid | K::InitGid => {
                let n = if empty { Some(0) } else { self.uid_value(v) };
                if let Some(n) = n {
                    if key == K::InitUid {
                        self.c.init.uid = n;
                        self.origins.record("/init/uid", v.origin);
                    } else {
                        self.c.init.gid = n;
                        self.origins.record("/init/gid", v.origin);
                    }
                }
            }
            K::InitGroups => {
                if empty {
                    self.c.init.groups.clear();
                    return;
                }
                let mut groups = Vec::new();
                for g in t.split(',') {
                    match parse_uint(g.trim()) {
                        Ok(n) => groups.push(n.value as u32),
                        Err(e) => {
                            self.invalid(
                                v,
                                e,
                                "write numeric group ids separated by commas, e.g. `10,20`",
                            );
                            return;
                        }
                    }
                }
                self.c.init.groups.extend(groups);
                self.origins.record("/init/groups", v.origin);
            }
            K::InitCwd => {
                self.c.init.cwd = (!empty).then(|| simplify_path(t));
                self.origins.record("/init/cwd", v.origin);
                if !empty && !t.starts_with('/') {
                    self.diag(
                        Diagnostic::new(Code::L003, format!("`{t}` is not an absolute path"))
                            .severity(Severity::Warning)
                            .at(v.origin)
                            .help("give the working directory as an absolute path inside the container"),
                    );
                }
            }
            K::Environment => {
                if empty {
                    self.c.init.env.clear();
                    return;
                }
                let var = match t.split_once('=') {
                    Some((name, value)) => EnvVar {
                        name: name.to_string(),
                        value: Some(value.to_string()),
                    },
                    None => {
                        // liblxc copies the value from its own environment while parsing and
                        // refuses the file when the variable is unset there; do the same
                        // check, but keep the model independent of this host's value.
                        let unset = std::env::var_os(t).is_none();
                        let d = Diagnostic::new(
                            Code::L011,
                            if unset {
                                format!("`lxc.environment = {t}` copies `{t}` from the loading process, where it is unset")
                            } else {
                                format!("`lxc.environment = {t}` copies `{t}` from whoever loads the config")
                            },
                        )
                        .at(v.origin)
                        .help(format!("liblxc reads the value when it parses the file and fails if `{t}` is unset there; write `{t}=VALUE` to make it explicit"));
                        self.diag(if unset {
                            d.severity(Severity::Error)
                        } else {
                            d
                        });
                        EnvVar {
                            name: t.to_string(),
                            value: None,
                        }
                    }
                };
                self.c.init.env.push(var);
                let i = self.c.init.env.len() - 1;
                self.origins.record(("/init/env", i), v.origin);
            }
            K::ConsolePath => {
                if t == "none" {
                    self.console_none = true;
                    self.c.console.path = None;
                } else {
                    self.console_none = false;
                    self.c.console.path = (!empty).then(|| simplify_path(t));
                }
                self.origins.record("/console", v.origin);
            }
            K::ConsoleLogfile => {
                self.c.console.logfile = (!empty).then(|| simplify_path(t));
                self.origins.record("/console/logfile", v.origin);
            }
            K::ConsoleSize | K::ConsoleBufferSize => {
                let size = if empty {
                    Some(None)
                } else {
                    match parse_console_size(t) {
                        Ok(s) => Some(Some(s)),
                        Err(e) => {
                            self.invalid(v, e, "write a size such as `64kB`, `1MB`, or `auto`");
                            None
                        }
                    }
                };
                if let Some(size) = size {
                    let size = size.filter(|s| s.0 > 0);
                    if key == K::ConsoleSize {
                        self.c.console.log_size = size;
                    } else {
                        self.c.console.buffer_size = size;
                    }
                }
            }
            K::TtyMax => {
                let n = if empty { Some(0) } else { self.uint(v) };
                if let Some(n) = n {
                    self.c.dev.ttys = n;
                    self.origins.record("/dev/ttys", v.origin);
                }
            }
            K::PtyMax => {
                let n = if empty { Some(0) } else { self.uint(v) };
                if let Some(n) = n {
                    self.c.dev.ptys = n;
                    self.origins.record("/dev/ptys", v.origin);
                }
            }
            K::TtyDir => {
                if t.len() > 255 {
                    self.invalid(
                        v,
                        "`lxc.tty.dir` must be a name of at most 255 bytes",
                        "write a directory name under /dev, e.g. `lxc`",
                    );
                } else {
                    if t.contains('/') {
                        self.diag(
                            Diagnostic::new(Code::L003, format!("`{t}` is not a single directory name"))
                                .severity(Severity::Warning)
                                .at(v.origin)
                                .help("the manual asks for one name under /dev; liblxc accepts a path but creating nested directories may fail"),
                        );
                    }
                    self.c.dev.tty_dir = self.set_string("/dev/tty_dir", v);
                }
            }
            K::LogFile => {
                self.c.logging.file = (!empty).then(|| simplify_path(t));
                self.origins.record("/logging/file", v.origin);
            }
            K::LogLevel => {
                if empty {
                    self.c.logging.level = LogLevel::Error;
                } else {
                    match parse_log_level(t) {
                        Ok(l) => {
                            self.c.logging.level = l;
                            self.origins.record("/logging/level", v.origin);
                        }
                        Err(e) => {
                            self.invalid(v, e, "write a level name such as `INFO` or a number 0..8")
                        }
                    }
                }
            }
            K::LogSyslog => {
                if empty || SYSLOG_FACILITIES.contains(&t) {
                    self.c.logging.syslog = self.set_string("/logging/syslog", v);
                } else {
                    self.invalid(
                        v,
                        format!("`{t}` is not a syslog facility liblxc accepts"),
                        "use `daemon` or `local0` .. `local7`",
                    );
                }
            }
            K::RootfsPath => {
                if empty {
                    self.rootfs_path = None;
                } else {
                    let (backend, path) = match t.split_once(':') {
                        Some((b, p)) => (Some(b.to_string()), p),
                        None => (None, t),
                    };
                    if let Some(b) = &backend {
                        if b.starts_with('/') {
                            self.diag(
                                Diagnostic::new(
                                    Code::L003,
                                    format!("liblxc reads `{b}` as the storage type, because the path contains `:`"),
                                )
                                .severity(Severity::Warning)
                                .at(v.origin)
                                .help(format!("prefix the path with its type: `dir:{t}`")),
                            );
                        }
                    }
                    self.rootfs_path = Some((simplify_path(path), backend, v.origin));
                }
            }
            K::RootfsMount => {
                self.rootfs_mount = (!empty).then(|| simplify_path(t));
            }
            K::RootfsOptions => {
                if empty {
                    self.rootfs_options.clear();
                    return;
                }
                let opts: Vec<&str> = t.split(',').collect();
                if let Some(bad) = opts
                    .iter()
                    .find(|o| o.starts_with("create=") || **o == "optional" || **o == "relative")
                {
                    self.invalid(
                        v,
                        format!("`{bad}` is not allowed in `lxc.rootfs.options`"),
                        "create=, optional and relative only apply to mount entries",
                    );
                    return;
                }
                self.rootfs_options = opts.into_iter().map(String::from).collect();
            }
            K::MountEntry => {
                if empty {
                    self.mount_entries.clear();
                    return;
                }
                let base = v.origin.start as usize;
                match fstab::parse_line(t, base) {
                    Ok(Some(entry)) => {
                        let (mount, errors) = fstab::options::mount_from_fields(
                            entry.source.text,
                            entry.target.text,
                            entry.fstype.text,
                            &entry.options.text,
                            entry.dump,
                            entry.pass,
                        );
                        for e in errors {
                            let start = entry.options.range.start + e.range.start;
                            self.diag(
                                Diagnostic::new(Code::F004, e.message)
                                    .at(Origin::new(
                                        v.origin.source,
                                        start..entry.options.range.start + e.range.end,
                                    ))
                                    .help(e.help),
                            );
                        }
                        self.mount_entries.push((mount, v.origin));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let d = fstab::line_error(e, v.origin.source);
                        self.diag(d);
                    }
                }
            }
            K::MountFstab => {
                if empty {
                    self.invalid(
                        v,
                        "`lxc.mount.fstab` needs a file name",
                        "liblxc refuses an empty value here; remove the line to have no fstab",
                    );
                } else {
                    self.fstab = Some((t.to_string(), v.origin));
                }
            }
            K::MountAuto => self.mount_auto(v),
            K::AutodevTmpfsSize => {
                let size = if empty {
                    500_000
                } else {
                    match parse_int(t) {
                        Ok((n, _)) if n > 0 => n as u64,
                        _ => {
                            self.diag(
                                Diagnostic::new(
                                    Code::L003,
                                    format!(
                                        "`{t}` is not a size in bytes; liblxc silently uses 500000"
                                    ),
                                )
                                .severity(Severity::Warning)
                                .at(v.origin)
                                .help("write the size in bytes, e.g. `1048576` (no unit suffix)"),
                            );
                            500_000
                        }
                    }
                };
                self.c.dev.tmpfs_size = ByteSize(size);
                self.origins.record("/dev/tmpfs_size", v.origin);
            }
            K::CapDrop | K::CapKeep => self.caps(key == K::CapKeep, v),
            K::ApparmorProfile => {
                self.c.security.apparmor_profile = self.set_string("/security/apparmor_profile", v)
            }
            K::ApparmorRaw => {
                if empty {
                    self.c.security.apparmor_raw.clear();
                } else {
                    self.c.security.apparmor_raw.push(t.to_string());
                }
            }
            K::SelinuxContext => {
                self.c.security.selinux_context = self.set_string("/security/selinux_context", v)
            }
            K::SelinuxContextKeyring => {
                self.c.security.selinux_context_keyring =
                    self.set_string("/security/selinux_context_keyring", v)
            }
            K::SeccompProfile => {
                self.c.security.seccomp_profile = self.set_string("/security/seccomp_profile", v)
            }
            K::SeccompNotifyProxy => {
                if !empty && !t.starts_with("unix:") {
                    self.invalid(
                        v,
                        format!("`{t}` is not a `unix:` socket address"),
                        "write `unix:/path/to/socket`",
                    );
                } else {
                    self.c.security.seccomp_notify_proxy =
                        self.set_string("/security/seccomp_notify_proxy", v);
                }
            }
            K::SeccompNotifyCookie => {
                self.c.security.seccomp_notify_cookie =
                    self.set_string("/security/seccomp_notify_cookie", v)
            }
            K::NamespaceClone | K::NamespaceKeep => self.namespaces(key_name, v),
            K::Idmap => self.idmap(v),
            K::TimeOffsetBoot | K::TimeOffsetMonotonic => {
                let ns = if empty {
                    Some(0)
                } else {
                    match parse_time_offset(t) {
                        Ok(ns) => Some(ns),
                        Err(e) => {
                            self.invalid(v, e, "write a number and a unit, e.g. `-2h` or `500ms`");
                            None
                        }
                    }
                };
                if let Some(ns) = ns {
                    if key_name.ends_with("boot") {
                        self.c.time_offsets.boot_ns = ns;
                        self.origins.record("/time_offsets/boot_ns", v.origin);
                    } else {
                        self.c.time_offsets.monotonic_ns = ns;
                        self.origins.record("/time_offsets/monotonic_ns", v.origin);
                    }
                }
            }
            K::CgroupDir
            | K::CgroupDirContainer
            | K::CgroupDirMonitor
            | K::CgroupDirMonitorPivot
            | K::CgroupDirContainerInner => {
                let name = key_name.trim_start_matches("lxc.cgroup.");
                if empty {
                    self.c.lxc.cgroup_dirs.remove(name);
                    return;
                }
                let inner = key_name.ends_with(".inner");
                let bad = if inner {
                    t.contains('/') || t == "." || t == ".."
                } else {
                    t.starts_with('/') || t.split('/').any(|p| p == "..")
                };
                if bad {
                    let help = if inner {
                        "give a single directory name"
                    } else {
                        "give a relative path without `..`"
                    };
                    self.invalid(v, format!("`{t}` is not allowed for `{key_name}`"), help);
                } else {
                    self.c
                        .lxc
                        .cgroup_dirs
                        .insert(name.to_string(), t.to_string());
                }
            }
            K::HookVersion => {
                if empty {
                    self.c.hooks.version = 0;
                } else {
                    match parse_uint(t) {
                        Ok(n) if n.value <= 1 => self.c.hooks.version = n.value as u8,
                        _ => self.invalid(
                            v,
                            format!("`{t}` is not a hook version"),
                            "write `0` (arguments) or `1` (environment variables)",
                        ),
                    }
                }
            }
            _ => {
                // A key in the table that lowering does not type yet: keep it verbatim.
                self.c.unrecognized.push(Unrecognized {
                    format: "lxc".into(),
                    key: key_name.to_string(),
                    value: t.to_string(),
                    reason: "not typed by the model".into(),
                    kept_by_reader: KeptByReader(true),
                });
                let i = self.c.unrecognized.len() - 1;
                self.origins.record(("/unrecognized", i), key_origin);
            }
        }
    }

    /// Remove the sysctl at `i`: the later ones move up, with their origins.
    fn remove_sysctl(&mut self, i: usize) {
        let mut origins: Vec<Option<Origin>> = (0..self.c.sysctls.len())
            .map(|j| self.origins.get(&format!("/sysctls/{j}")))
            .collect();
        origins.remove(i);
        self.c.sysctls.remove(i);
        self.origins.remove_under("/sysctls");
        self.sysctl_at.clear();
        for (j, s) in self.c.sysctls.iter().enumerate() {
            self.sysctl_at.insert(s.key.clone(), j);
            if let Some(o) = origins[j] {
                self.origins.record(("/sysctls", j), o);
            }
        }
    }

    fn uid_value(&mut self, v: Value<'_>) -> Option<u32> {
        match parse_uint(v.text) {
            Ok(n) if n.value == u64::from(RESERVED_ID) => {
                let d = Diagnostic::new(Code::M041, "4294967295 is (uid_t)-1, which setuid reads as \"unchanged\": init would stay root")
                    .at(v.origin)
                    .help("use the id init should run as (at most 4294967294)");
                self.diag(d);
                None
            }
            Ok(n) => {
                self.warn_base(v, n.non_decimal);
                Some(n.value as u32)
            }
            Err(e) if e.contains("32 bits") => {
                self.invalid(v, e, "ids are 32-bit numbers below 4294967295");
                None
            }
            Err(_) => {
                self.invalid(
                    v,
                    format!("`{}` is not a numeric id", v.text),
                    "liblxc only takes numbers here (a name slips through its parser and fails later); write the numeric id",
                );
                None
            }
        }
    }

    fn set_bool(
        &mut self,
        v: Value<'_>,
        set: impl FnOnce(&mut Container, bool),
        pointer: &'static str,
    ) {
        if v.text.is_empty() {
            set(&mut self.c, false);
            return;
        }
        if let Some(b) = self.bool01(v) {
            set(&mut self.c, b);
            self.origins.record(pointer, v.origin);
        }
    }

    fn caps(&mut self, keep: bool, v: Value<'_>) {
        if v.text.is_empty() {
            if keep {
                self.caps.keep.clear();
                self.caps.keep_mode = false;
            } else {
                self.caps.drop.clear();
                self.caps.keep_mode = false;
            }
            return;
        }
        let conflict = if keep {
            !self.caps.drop.is_empty()
        } else {
            self.caps.keep_mode
        };
        if conflict {
            let (this, other) = if keep {
                ("lxc.cap.keep", "lxc.cap.drop")
            } else {
                ("lxc.cap.drop", "lxc.cap.keep")
            };
            let mut d = Diagnostic::new(
                Code::L007,
                format!("`{this}` cannot be combined with `{other}`"),
            )
            .at(v.origin)
            .help(format!(
                "use either a drop list or a keep list; to switch, clear the other first with `{other} =`"
            ));
            if let Some(o) = self.caps.last {
                d = d.also(o, format!("`{other}` set here"));
            }
            self.diag(d);
            return;
        }
        let mut parsed = Vec::new();
        for token in v.text.split_whitespace() {
            if keep && token == "none" {
                parsed.clear();
                self.caps.keep.clear();
                continue;
            }
            match parse_cap(token) {
                Ok(c) => parsed.push(c),
                Err(e) => {
                    let help = if token == "none" {
                        "`none` is only valid for `lxc.cap.keep`; use an empty value to clear the drop list".to_string()
                    } else {
                        "capability names are lower case without `CAP_`, e.g. `sys_admin`"
                            .to_string()
                    };
                    self.invalid(v, e, help);
                    return;
                }
            }
        }
        if keep {
            self.caps.keep_mode = true;
            self.caps.keep.extend(parsed);
        } else {
            self.caps.drop.extend(parsed);
        }
        self.caps.last = Some(v.origin);
        self.origins.record("/capabilities", v.origin);
    }

    fn namespaces(&mut self, key: &str, v: Value<'_>) {
        let is_clone = key.ends_with("clone");
        if v.text.is_empty() {
            if is_clone {
                self.ns_clone = None;
            } else {
                self.ns_keep = None;
            }
            return;
        }
        let other = if is_clone {
            &self.ns_keep
        } else {
            &self.ns_clone
        };
        if other.is_some() {
            self.invalid(
                v,
                "`lxc.namespace.clone` and `lxc.namespace.keep` cannot be combined",
                "use one of them",
            );
            return;
        }
        let mut set = BTreeSet::new();
        for token in v.text.split_whitespace() {
            match Namespace::from_name(token) {
                Some(ns) => {
                    set.insert(ns);
                }
                None => {
                    let help = if token == "mount" {
                        "the mount namespace is called `mnt` here".to_string()
                    } else {
                        "namespace names are cgroup, ipc, mnt, net, pid, time, user, uts"
                            .to_string()
                    };
                    self.invalid(v, format!("`{token}` is not a namespace name"), help);
                    return;
                }
            }
        }
        let slot = if is_clone {
            &mut self.ns_clone
        } else {
            &mut self.ns_keep
        };
        match slot {
            Some((existing, _)) => existing.extend(set),
            None => *slot = Some((set, v.origin)),
        }
        self.origins.record("/namespaces/clone", v.origin);
    }

    fn idmap(&mut self, v: Value<'_>) {
        if v.text.is_empty() {
            self.c.idmap.clear();
            return;
        }
        let fields: Vec<&str> = v.text.split_whitespace().collect();
        let help = "write `u|g CONTAINER_ID HOST_ID COUNT`, e.g. `u 0 100000 65536`";
        if fields.len() != 4 {
            self.invalid(
                v,
                format!("an idmap has 4 fields, this one has {}", fields.len()),
                help,
            );
            return;
        }
        let kind = match fields[0] {
            "u" => IdKind::Uid,
            "g" => IdKind::Gid,
            other => {
                self.invalid(v, format!("`{other}` is not `u` or `g`"), help);
                return;
            }
        };
        let mut nums = [0u32; 3];
        for (i, f) in fields[1..].iter().enumerate() {
            match f.parse::<u32>() {
                Ok(n) => nums[i] = n,
                Err(_) => {
                    self.invalid(v, format!("`{f}` is not a non-negative id"), help);
                    return;
                }
            }
        }
        self.c.idmap.push(IdMap {
            kind,
            container_start: nums[0],
            host_start: nums[1],
            count: nums[2],
        });
        let i = self.c.idmap.len() - 1;
        self.origins.record(("/idmap", i), v.origin);
    }

    fn mount_auto(&mut self, v: Value<'_>) {
        if v.text.is_empty() {
            self.auto = AutoMounts::default();
            return;
        }
        for token in v.text.split_whitespace() {
            let ok = self.mount_auto_token(token);
            if !ok {
                self.invalid(
                    v,
                    format!("`{token}` is not an `lxc.mount.auto` option"),
                    "use proc, proc:mixed, proc:rw, sys, sys:ro, sys:mixed, sys:rw, cgroup[-full][:mixed|:ro|:rw][:force], cgroup2[:ro][:force] or shmounts:HOST[:CONTAINER]",
                );
                return;
            }
        }
        self.auto_origin = Some(v.origin);
        self.origins.record("/auto_mounts", v.origin);
    }

    fn mount_auto_token(&mut self, token: &str) -> bool {
        match token {
            "proc" | "proc:mixed" => self.auto.proc = Some(ProcMode::Mixed),
            "proc:rw" => self.auto.proc = Some(ProcMode::Rw),
            "sys" | "sys:mixed" => self.auto.sys = Some(SysMode::Mixed),
            "sys:ro" => self.auto.sys = Some(SysMode::Ro),
            "sys:rw" => self.auto.sys = Some(SysMode::Rw),
            _ if token.starts_with("shmounts:") => {
                let rest = &token["shmounts:".len()..];
                if rest.is_empty() {
                    return false;
                }
                let (host, container) = match rest.split_once(':') {
                    Some((h, c)) => (h, c),
                    None => (rest, "/dev/.lxc-mounts"),
                };
                self.auto.shmounts = Some(Shmounts {
                    host: host.to_string(),
                    container: container.to_string(),
                });
            }
            _ => {
                let (flavor, rest) = if let Some(r) = token.strip_prefix("cgroup2") {
                    (CgroupFlavor::V2, r)
                } else if let Some(r) = token.strip_prefix("cgroup-full") {
                    (CgroupFlavor::Full, r)
                } else if let Some(r) = token.strip_prefix("cgroup") {
                    (CgroupFlavor::Own, r)
                } else {
                    return false;
                };
                let (mode, force) = match (flavor, rest) {
                    (_, "") => (None, false),
                    (_, ":force") => (None, true),
                    (CgroupFlavor::V2, ":ro") => (Some(CgroupMode::Ro), false),
                    (CgroupFlavor::V2, ":ro:force") => (Some(CgroupMode::Ro), true),
                    (CgroupFlavor::V2, _) => return false,
                    (_, ":mixed") => (Some(CgroupMode::Mixed), false),
                    (_, ":ro") => (Some(CgroupMode::Ro), false),
                    (_, ":rw") => (Some(CgroupMode::Rw), false),
                    (_, ":mixed:force") => (Some(CgroupMode::Mixed), true),
                    (_, ":ro:force") => (Some(CgroupMode::Ro), true),
                    (_, ":rw:force") => (Some(CgroupMode::Rw), true),
                    _ => return false,
                };
                self.auto.cgroup = Some(CgroupAuto {
                    flavor,
                    mode,
                    force,
                });
            }
        }
        true
    }

    fn include(&mut self, v: Value<'_>) {
        if v.text.is_empty() {
            return;
        }
        let path = self.resolve(v.text);
        let fs = self.options.fs;
        if v.text.ends_with('/') || fs.is_dir(&path) {
            let entries = match fs.read_dir(&path) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
                Err(e) => {
                    self.diag(
                        Diagnostic::new(
                            Code::L017,
                            format!("cannot read directory `{}`: {e}", path.display()),
                        )
                        .at(v.origin)
                        .help("check the path and its permissions"),
                    );
                    return;
                }
            };
            // liblxc reads the entries in readdir() order; we sort them so the result
            // does not depend on the filesystem.
            let mut files: Vec<PathBuf> = entries
                .into_iter()
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.len() >= 6 && n.ends_with(".conf"))
                })
                .collect();
            files.sort();
            for f in files {
                if fs.is_dir(&f) {
                    continue;
                }
                self.include_file(&f, v);
            }
        } else {
            self.include_file(&path, v);
        }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.options.base_dir.join(p)
        }
    }

    fn include_file(&mut self, path: &Path, v: Value<'_>) {
        let canonical = canonical(path);
        if self.includes.canonical.contains(&canonical) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .map(|p| p.display().to_string())
                .chain(std::iter::once(path.display().to_string()))
                .collect();
            self.diag(
                Diagnostic::new(
                    Code::L006,
                    format!("include cycle: {}", chain.join(" -> ")),
                )
                .at(v.origin)
                .help("remove one of the includes; liblxc has no cycle detection and crashes on this file"),
            );
            return;
        }
        let id = match self.includes.cache.get(&canonical) {
            Some(&id) => id,
            None => match self.options.fs.read_to_string(path) {
                Ok(text) => {
                    let id = self.sources.add(path.display().to_string(), text);
                    self.includes.cache.insert(canonical.clone(), id);
                    id
                }
                Err(e) => return self.include_unreadable(path, v, &e),
            },
        };
        let len = self.sources.get(id).text.len() as u64;
        if let Some(d) = self.include_limit(len) {
            if !std::mem::replace(&mut self.includes.refused, true) {
                self.diag(d.at(v.origin));
            }
            return;
        }
        self.includes.count += 1;
        self.includes.bytes += len;
        self.stack.push(path.to_path_buf());
        self.includes.canonical.push(canonical);
        self.read_file(id);
        self.stack.pop();
        self.includes.canonical.pop();
    }

    /// The limit one more include of `len` bytes would pass, as a diagnostic to place.
    fn include_limit(&self, len: u64) -> Option<Diagnostic> {
        let inc = &self.includes;
        if self.stack.len() > limits::MAX_INCLUDE_DEPTH {
            return Some(Diagnostic::new(
                Code::I005,
                format!("includes nested more than {} deep: this include and any deeper are not read", limits::MAX_INCLUDE_DEPTH),
            )
            .help("real configs nest includes two or three deep; flatten the chain"));
        }
        if inc.count >= limits::MAX_INCLUDES {
            return Some(Diagnostic::new(
                Code::I004,
                format!("more than {} includes in all: this include and every later one are not read", limits::MAX_INCLUDES),
            )
            .help("a file included twice is applied twice (liblxc does the same); include each file once"));
        }
        if inc.bytes + len > limits::MAX_TOTAL_BYTES {
            return Some(Diagnostic::new(
                Code::I001,
                format!("the included files add up to more than {} MiB: this include and every later one are not read", limits::MAX_TOTAL_BYTES >> 20),
            )
            .help("a file included several times counts each time; include each file once"));
        }
        None
    }

    /// An include that cannot be read: refused by a limit, missing, or unreadable.
    fn include_unreadable(&mut self, path: &Path, v: Value<'_>, e: &std::io::Error) {
        if let Some(limit) = limit_error(e) {
            let (code, help) = match limit {
                LimitError::TooLarge => (
                    Code::I001,
                    "a config is a few KiB; check that the path names a config",
                ),
                LimitError::NotRegular(_) => (
                    Code::I002,
                    "lxconf includes regular files only: a device or FIFO can block or never end",
                ),
            };
            let d = Diagnostic::new(
                code,
                format!("included file `{}` is {limit}: not read", path.display()),
            );
            return self.diag(d.at(v.origin).help(help));
        }
        let mut d = Diagnostic::new(
            Code::L005,
            format!("included file `{}` cannot be read: {e}", path.display()),
        )
        .at(v.origin);
        d = if Path::new(v.text).is_relative() {
            let beside = self
                .stack
                .last()
                .and_then(|p| p.parent())
                .map(|d| d.join(v.text));
            match beside {
                Some(b) if self.options.fs.read_to_string(&b).is_ok() => d.help(format!(
                    "liblxc resolves relative includes against the current directory ({}); the file exists at `{}`: use an absolute path, or run from the config's directory",
                    self.options.base_dir.display(),
                    b.display()
                )),
                _ => d.help(format!(
                    "relative includes are resolved against the current directory ({}); use an absolute path",
                    self.options.base_dir.display()
                )),
            }
        } else {
            d.help("check the path; liblxc refuses a config whose include is missing")
        };
        self.diag(d);
    }

    fn apply_net(&mut self, n: u32, sub: &'static str, key_origin: Origin, v: Value<'_>) {
        let t = v.text;
        let empty = t.is_empty();
        if sub == "type" {
            if empty {
                // liblxc keeps the interface, untyped, with its settings wiped.
                self.nets.insert(
                    n,
                    NetState {
                        net: Network::new(n, NetKind::Empty),
                        typed: false,
                        origin: key_origin,
                        set: Vec::new(),
                    },
                );
                return;
            }
            let kind = match t {
                "veth" => NetKind::Veth,
                "macvlan" => NetKind::Macvlan,
                "ipvlan" => NetKind::Ipvlan,
                "vlan" => NetKind::Vlan,
                "phys" => NetKind::Phys,
                "empty" => NetKind::Empty,
                "none" => NetKind::None,
                _ => {
                    let help = if t == "bridge" {
                        "a bridged interface is `type = veth` with `link = BRIDGE`".to_string()
                    } else {
                        "use veth, macvlan, ipvlan, vlan, phys, empty or none".to_string()
                    };
                    self.invalid(v, format!("`{t}` is not a network type"), help);
                    return;
                }
            };
            if let Some(prev) = self.nets.get(&n) {
                if !prev.set.is_empty() {
                    let mut d = Diagnostic::new(
                        Code::L016,
                        format!("`type` resets network {n}: the settings above it are lost"),
                    )
                    .at(key_origin)
                    .help("liblxc wipes a network when its `type` is set; put `type` first");
                    for (k, o) in prev.set.iter().take(4) {
                        d = d.also(*o, format!("`{k}` discarded"));
                    }
                    self.diag(d);
                }
            }
            let mut net = Network::new(n, kind);
            if kind == NetKind::Empty {
                // liblxc names the loopback-only interface `lo`.
                net.name = Some("lo".into());
            }
            self.nets.insert(
                n,
                NetState {
                    net,
                    typed: true,
                    origin: key_origin,
                    set: Vec::new(),
                },
            );
            return;
        }
        let typed_subkey = sub.starts_with("veth.")
            || sub.starts_with("macvlan.")
            || sub.starts_with("ipvlan.")
            || sub == "vlan.id";
        let state = self.nets.entry(n).or_insert_with(|| NetState {
            net: Network::new(n, NetKind::Empty),
            typed: false,
            origin: key_origin,
            set: Vec::new(),
        });
        if typed_subkey {
            let wanted = match sub.split('.').next() {
                Some("veth") => NetKind::Veth,
                Some("macvlan") => NetKind::Macvlan,
                Some("ipvlan") => NetKind::Ipvlan,
                _ => NetKind::Vlan,
            };
            if !state.typed || state.net.kind != wanted {
                let kind_name = format!("{wanted:?}").to_lowercase();
                self.diag(
                    Diagnostic::new(
                        Code::L008,
                        format!("`{sub}` needs network {n} to be of type {kind_name} first"),
                    )
                    .at(key_origin)
                    .help(format!(
                        "put `lxc.net.{n}.type = {kind_name}` before this line"
                    )),
                );
                return;
            }
        }
        state.set.push((sub, key_origin));
        let net = &mut state.net;
        let mut error: Option<(String, String)> = None;
        let mut warning: Option<(Code, String, String)> = None;
        match sub {
            "flags" => {
                net.up = !empty;
                if !empty && t != "up" {
                    warning = Some((
                        Code::L003,
                        format!(
                            "`flags = {t}` brings the interface up: any non-empty value means up"
                        ),
                        "write `flags = up`, or remove the line to leave the interface down".into(),
                    ));
                }
            }
            "link" => net.link = (!empty).then(|| t.to_string()),
            "name" => {
                if t.len() > 15 {
                    // liblxc cuts at byte 15 (IFNAMSIZ); a cut inside a multi-byte character
                    // is moved back to the character's start so the name stays text.
                    let cut = (0..=15).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
                    warning = Some((
                        Code::L020,
                        format!("interface name `{t}` is longer than 15 bytes; liblxc truncates it to `{}`", &t[..cut]),
                        "use a name of at most 15 characters".into(),
                    ));
                    net.name = Some(t[..cut].to_string());
                } else {
                    net.name = (!empty).then(|| t.to_string());
                }
            }
            "hwaddr" => {
                if empty {
                    net.hwaddr = None;
                } else {
                    match t.parse() {
                        Ok(mac) => net.hwaddr = Some(mac),
                        Err(e) => error = Some((e, "write six hex octets, e.g. `00:16:3e:12:34:56` (`x` digits are randomized)".into())),
                    }
                }
            }
            "mtu" => {
                if empty {
                    net.mtu = None;
                } else {
                    match t.parse::<u32>() {
                        Ok(m) => net.mtu = Some(m),
                        Err(_) => error = Some((
                            format!("`{t}` is not an MTU"),
                            "liblxc accepts any text here but fails when the container starts; write a number such as 1500".into(),
                        )),
                    }
                }
            }
            "ipv4.address" => {
                if empty {
                    net.ipv4.clear();
                } else {
                    match parse_ipv4_address(t) {
                        Ok((a, given)) => {
                            if !given {
                                warning = Some((
                                    Code::L013,
                                    format!("IPv4 address without prefix: liblxc uses /{}", a.prefix),
                                    format!("add the prefix explicitly, e.g. `{}/24`; liblxc's computed prefix depends on the last octet", a.address),
                                ));
                            }
                            net.ipv4.push(a);
                        }
                        Err(e) => {
                            error = Some((
                                e,
                                "write `ADDRESS/PREFIX [BROADCAST]`, e.g. `10.0.3.5/24`".into(),
                            ))
                        }
                    }
                }
            }
            "ipv6.address" => {
                if empty {
                    net.ipv6.clear();
                } else {
                    match parse_ipv6_address(t) {
                        Ok(a) => {
                            if a.prefix > 128 {
                                warning = Some((
                                    Code::L003,
                                    format!("IPv6 prefix /{} is larger than 128", a.prefix),
                                    "liblxc accepts it but the kernel will refuse the address; use a prefix of at most 128".into(),
                                ));
                            }
                            net.ipv6.push(a);
                        }
                        Err(e) => {
                            error = Some((e, "write `ADDRESS[/PREFIX]`, e.g. `fd00::5/64`".into()))
                        }
                    }
                }
            }
            "ipv4.gateway" | "ipv6.gateway" => {
                let v6 = sub.starts_with("ipv6");
                let gw = if empty {
                    Ok(None)
                } else {
                    parse_gateway(t, v6).map(Some)
                };
                match gw {
                    Ok(g) => {
                        if v6 {
                            net.ipv6_gateway = g
                        } else {
                            net.ipv4_gateway = g
                        }
                    }
                    Err(e) => error = Some((e, "write an address, `auto` or `dev`".into())),
                }
            }
            "script.up" => net.script_up = (!empty).then(|| t.to_string()),
            "script.down" => net.script_down = (!empty).then(|| t.to_string()),
            "l2proxy" => match parse_bool01(t) {
                Ok((b, _)) => net.l2proxy = b,
                Err(e) if !empty => error = Some((e, "write 0 or 1".into())),
                Err(_) => net.l2proxy = false,
            },
            "macvlan.mode" => {
                net.macvlan_mode = Some(match t {
                    "" | "private" => MacvlanMode::Private,
                    "vepa" => MacvlanMode::Vepa,
                    "bridge" => MacvlanMode::Bridge,
                    "passthru" => MacvlanMode::Passthru,
                    _ => {
                        error = Some((
                            format!("`{t}` is not a macvlan mode"),
                            "use private, vepa, bridge or passthru".into(),
                        ));
                        MacvlanMode::Private
                    }
                })
            }
            "ipvlan.mode" => {
                net.ipvlan_mode = Some(match t {
                    "" | "l3" => IpvlanMode::L3,
                    "l3s" => IpvlanMode::L3s,
                    "l2" => IpvlanMode::L2,
                    _ => {
                        error = Some((
                            format!("`{t}` is not an ipvlan mode"),
                            "use l3, l3s or l2".into(),
                        ));
                        IpvlanMode::L3
                    }
                })
            }
            "ipvlan.isolation" => {
                net.ipvlan_isolation = Some(match t {
                    "" | "bridge" => IpvlanIsolation::Bridge,
                    "private" => IpvlanIsolation::Private,
                    "vepa" => IpvlanIsolation::Vepa,
                    _ => {
                        error = Some((
                            format!("`{t}` is not an ipvlan isolation"),
                            "use bridge, private or vepa".into(),
                        ));
                        IpvlanIsolation::Bridge
                    }
                })
            }
            "vlan.id" => {
                if empty {
                    net.vlan_id = None;
                } else {
                    match parse_uint(t).ok().and_then(|n| u16::try_from(n.value).ok()) {
                        Some(id) => net.vlan_id = Some(id),
                        None => {
                            error = Some((
                                format!("`{t}` is not a vlan id"),
                                "use a number from 0 to 4094".into(),
                            ))
                        }
                    }
                }
            }
            _ => {
                let veth = net.veth.get_or_insert_with(Veth::default);
                match sub {
                    "veth.pair" => {
                        if t.len() > 15 {
                            error = Some((
                                format!("`{t}` is longer than 15 bytes"),
                                "use an interface name of at most 15 characters".into(),
                            ));
                        } else {
                            veth.pair = (!empty).then(|| t.to_string())
                        }
                    }
                    "veth.mode" => match t {
                        "" | "bridge" => veth.mode = VethMode::Bridge,
                        "router" => veth.mode = VethMode::Router,
                        _ => {
                            error = Some((
                                format!("`{t}` is not a veth mode"),
                                "use bridge or router".into(),
                            ))
                        }
                    },
                    "veth.ipv4.route" | "veth.ipv6.route" => {
                        if empty {
                            veth.routes.clear();
                        } else {
                            match parse_route(t, sub.contains("ipv6")) {
                                Ok(r) => veth.routes.push(r),
                                Err(e) => error = Some((e, "write `ADDRESS/PREFIX`".into())),
                            }
                        }
                    }
                    "veth.vlan.id" => {
                        if empty || t == "none" {
                            veth.vlan_id = None;
                        } else {
                            match parse_uint(t).ok().filter(|n| n.value <= 4094) {
                                Some(n) => veth.vlan_id = Some(n.value as u16),
                                None => {
                                    error = Some((
                                        format!("`{t}` is not a vlan id"),
                                        "use 0..4094 or `none`".into(),
                                    ))
                                }
                            }
                        }
                    }
                    "veth.vlan.tagged.id" => {
                        if empty {
                            veth.vlan_tagged.clear();
                        } else {
                            match parse_uint(t).ok().filter(|n| n.value <= 4094) {
                                Some(n) => veth.vlan_tagged.push(n.value as u16),
                                None => {
                                    error = Some((
                                        format!("`{t}` is not a vlan id"),
                                        "use 0..4094".into(),
                                    ))
                                }
                            }
                        }
                    }
                    "veth.n_rxqueues" | "veth.n_txqueues" => {
                        let q = if empty {
                            Ok(None)
                        } else {
                            match parse_uint(t) {
                                Ok(n) if n.value > 0 => Ok(Some(n.value as u32)),
                                _ => Err(()),
                            }
                        };
                        match q {
                            Ok(q) if sub.ends_with("rxqueues") => veth.rx_queues = q,
                            Ok(q) => veth.tx_queues = q,
                            Err(()) => {
                                error = Some((
                                    format!("`{t}` is not a positive queue count"),
                                    "write a number greater than 0".into(),
                                ))
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some((message, help)) = error {
            self.invalid(v, message, help);
        }
        if let Some((code, message, help)) = warning {
            self.diag(
                Diagnostic::new(code, message)
                    .severity(Severity::Warning)
                    .at(v.origin)
                    .help(help),
            );
        }
    }

    fn finish(mut self) -> Loaded {
        // Root filesystem.
        if let Some((path, backend, origin)) = self.rootfs_path.take() {
            let backend =
                backend.or_else(|| self.rootfs_backend_legacy.as_ref().map(|(b, _)| b.clone()));
            self.c.rootfs = Some(Rootfs {
                path,
                backend,
                options: std::mem::take(&mut self.rootfs_options),
                readonly: false,
                mount: self.rootfs_mount.take(),
                managed: self.rootfs_managed,
            });
            self.origins.record("/rootfs", origin);
        }
        if self.c.rootfs.is_some() && self.c.init.cwd.is_none() {
            self.c.init.cwd = Some("/".into());
        }
        // Environment: LXC appends container=lxc after the configured entries.
        self.c.init.env.push(EnvVar {
            name: "container".into(),
            value: Some("lxc".into()),
        });
        // Console.
        self.c.console.enabled = !self.console_none;
        // Capabilities.
        self.c.capabilities = if self.caps.keep_mode {
            Capabilities::Keep {
                caps: self.caps.keep.iter().copied().collect(),
            }
        } else {
            Capabilities::Drop {
                caps: self.caps.drop.iter().copied().collect(),
            }
        };
        // Networks, sorted by index (liblxc keeps them sorted).
        let nets = std::mem::take(&mut self.nets);
        for (n, state) in nets {
            if !state.typed {
                self.diag(
                    Diagnostic::new(Code::L008, format!("network {n} has no `type`"))
                        .severity(Severity::Warning)
                        .at(state.origin)
                        .help(format!("add `lxc.net.{n}.type = veth` (or another type) before its other keys; LXC fails to start a network without a type")),
                );
                self.c.unrecognized.push(Unrecognized {
                    format: "lxc".into(),
                    key: format!("lxc.net.{n}"),
                    value: String::new(),
                    reason: "network without a type".into(),
                    kept_by_reader: KeptByReader(true),
                });
                continue;
            }
            let i = self.c.networks.len();
            self.c.networks.push(state.net);
            self.origins.record(("/networks", i), state.origin);
        }
        if let (Some(a), Some(b)) = (self.legacy_net_indexed, self.legacy_net_unindexed) {
            self.diag(
                Diagnostic::new(
                    Code::L019,
                    "indexed and unindexed `lxc.network` keys are mixed; the interface numbering is ambiguous",
                )
                .at(b)
                .also(a, "indexed key here")
                .help("use `lxc.net.N.*` keys with explicit indices throughout"),
            );
        }
        // Prlimits.
        for (i, (p, o)) in std::mem::take(&mut self.prlimits).into_iter().enumerate() {
            self.origins.record(("/prlimits", i), o);
            self.c.prlimits.push(p);
        }
        // Mounts: fstab file first, then lxc.mount.entry lines, in order (LXC's order).
        self.c.auto_mounts = std::mem::take(&mut self.auto);
        let mut mounts: Vec<(Mount, Origin)> = Vec::new();
        if let Some((path, origin)) = self.fstab.take() {
            mounts.extend(self.read_fstab(&path, origin));
        }
        mounts.extend(std::mem::take(&mut self.mount_entries));
        if let Some(sh) = &self.c.auto_mounts.shmounts {
            let origin = self.auto_origin.unwrap_or(Origin::new(SourceId(0), 0..0));
            mounts.push((
                Mount {
                    source: sh.host.clone(),
                    target: sh.container.clone(),
                    fstype: "none".into(),
                    options: Vec::new(),
                    readonly: false,
                    bind: BindKind::Bind,
                    size: None,
                    optional: false,
                    create: Some(CreateKind::Dir),
                    relative: false,
                    dump: 0,
                    pass: 0,
                },
                origin,
            ));
        }
        for (mut m, origin) in mounts {
            match self.normalize_target(&m.target) {
                Some(t) => {
                    m.target = t;
                    let i = self.c.mounts.len();
                    self.c.mounts.push(m);
                    self.origins.record(("/mounts", i), origin);
                }
                None => {
                    let rootfs = self
                        .c
                        .rootfs
                        .as_ref()
                        .map(|r| r.path.clone())
                        .unwrap_or_default();
                    self.diag(
                        Diagnostic::new(
                            Code::L010,
                            format!("LXC ignores the mount on `{}`: an absolute target must lie under the rootfs", m.target),
                        )
                        .at(origin)
                        .help(format!(
                            "write the target relative to the container's root (`{}`), or under the rootfs path `{rootfs}`",
                            m.target.trim_start_matches('/')
                        )),
                    );
                    self.c.unrecognized.push(Unrecognized {
                        format: "lxc".into(),
                        key: "lxc.mount.entry".into(),
                        value: format!("{} {} {}", m.source, m.target, m.fstype),
                        reason: "absolute target outside the rootfs: LXC ignores it".into(),
                        kept_by_reader: KeptByReader(true),
                    });
                }
            }
        }
        if self.c.security.apparmor_allow_nesting {
            for (src, target) in [("proc", "/dev/.lxc/proc"), ("sys", "/dev/.lxc/sys")] {
                self.c.mounts.push(Mount {
                    source: src.into(),
                    target: target.into(),
                    fstype: if src == "proc" { "proc" } else { "sysfs" }.into(),
                    options: Vec::new(),
                    readonly: false,
                    bind: BindKind::None,
                    size: None,
                    optional: true,
                    create: Some(CreateKind::Dir),
                    relative: false,
                    dump: 0,
                    pass: 0,
                });
            }
        }
        self.lower_cgroups();
        // Namespaces.
        let mut clone: BTreeSet<Namespace> = match (&self.ns_clone, &self.ns_keep) {
            (Some((set, _)), _) => set.clone(),
            (None, Some((keep, _))) => Namespace::ALL
                .into_iter()
                .filter(|n| !keep.contains(n))
                .collect(),
            (None, None) => self.c.lxc_default_namespaces(),
        };
        for ns in self.c.namespaces.share.keys() {
            clone.remove(ns);
        }
        self.c.namespaces.clone = clone;
        // Name: from the container directory (`.../NAME/config`).
        if self.c.name.is_none() {
            let top = Path::new(&self.sources.get(SourceId(0)).name);
            if top.file_name().and_then(|n| n.to_str()) == Some("config") {
                self.c.name = top
                    .parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str())
                    .map(String::from);
            }
        }
        Loaded {
            document: Document {
                container: self.c,
                origins: self.origins,
            },
            sources: self.sources,
            diagnostics: self.diags,
        }
    }

    /// Where LXC mounts a target: relative targets are under the container's root; an
    /// absolute one is used only if it contains the rootfs path (then re-rooted), otherwise
    /// LXC ignores it (None). Without a rootfs every target is a host path.
    fn normalize_target(&self, target: &str) -> Option<String> {
        let rooted = |t: &str| {
            let mut p = String::with_capacity(t.len() + 1);
            p.push('/');
            p.push_str(t.trim_start_matches('/'));
            simplify_path(&p)
        };
        let Some(rootfs) = &self.c.rootfs else {
            return Some(rooted(target));
        };
        if !target.starts_with('/') {
            return Some(rooted(target));
        }
        let simplified = simplify_path(target);
        let root = &rootfs.path;
        if let Some(i) = simplified.find(root.as_str()).filter(|_| !root.is_empty()) {
            let rest = &simplified[i + root.len()..];
            return Some(if rest.is_empty() {
                "/".to_string()
            } else {
                simplify_path(rest)
            });
        }
        None
    }

    fn read_fstab(&mut self, path: &str, origin: Origin) -> Vec<(Mount, Origin)> {
        let full = self.resolve(path);
        let text = match self.options.fs.read_to_string(&full) {
            Ok(t) => t,
            Err(e) if limit_error(&e).is_some() => {
                let code = match limit_error(&e) {
                    Some(LimitError::NotRegular(_)) => Code::I002,
                    _ => Code::I001,
                };
                let msg = format!("fstab file `{}` is {}: not read", full.display(), e);
                self.diag(
                    Diagnostic::new(code, msg)
                        .at(origin)
                        .help("lxconf reads fstab files that are regular files of at most 16 MiB"),
                );
                return Vec::new();
            }
            Err(e) => {
                let beside = self
                    .stack
                    .first()
                    .and_then(|p| p.parent())
                    .map(|d| d.join(path))
                    .filter(|b| {
                        Path::new(path).is_relative() && self.options.fs.read_to_string(b).is_ok()
                    });
                let help = match beside {
                    Some(b) => format!(
                        "liblxc resolves a relative fstab path against the current directory ({}); the file exists at `{}`: run from the config's directory or pass --include-base",
                        self.options.base_dir.display(),
                        b.display()
                    ),
                    None => "liblxc loads the config but the container fails to start without this file".to_string(),
                };
                self.diag(
                    Diagnostic::new(
                        Code::L018,
                        format!("fstab file `{}` cannot be read: {e}", full.display()),
                    )
                    .at(origin)
                    .help(help),
                );
                return Vec::new();
            }
        };
        let id = self.sources.add(full.display().to_string(), text.clone());
        let (entries, diags) = fstab::parse_file(&text, id);
        // A file that does not parse as fstab (`lxc.mount.fstab = /etc/shadow`): its
        // lines are never printed.
        if !diags.is_empty() {
            self.sources.mark_private(id);
        }
        self.diags.extend(diags);
        let mut out = Vec::new();
        for e in entries {
            let (mount, errors) = fstab::options::mount_from_fields(
                e.source.text,
                e.target.text,
                e.fstype.text,
                &e.options.text,
                e.dump,
                e.pass,
            );
            for err in errors {
                let start = e.options.range.start;
                self.diag(
                    Diagnostic::new(Code::F004, err.message)
                        .at(Origin::new(
                            id,
                            start + err.range.start..start + err.range.end,
                        ))
                        .help(err.help),
                );
            }
            out.push((mount, Origin::new(id, e.line.clone())));
        }
        out
    }

    /// Map well-known cgroup files to typed resources; keep the rest verbatim.
    fn lower_cgroups(&mut self) {
        let entries = std::mem::take(&mut self.cgroups);
        for e in entries {
            if !self.lower_cgroup(&e) {
                let r = &mut self.c.resources;
                r.cgroup.push(CgroupSetting {
                    version: e.version,
                    key: e.key.clone(),
                    value: e.value.clone(),
                });
                let i = r.cgroup.len() - 1;
                self.origins.record(("/resources/cgroup", i), e.origin);
            }
        }
    }

    fn lower_cgroup(&mut self, e: &CgroupEntry) -> bool {
        let v = e.value.trim();
        let r = &mut self.c.resources;
        let mem = |v: &str| -> Option<Option<ByteSize>> {
            if v == "-1" || v == "max" {
                return Some(None);
            }
            kernel_memparse(v).map(Some)
        };
        let (pointer, ok) = match (e.version, e.key.as_str()) {
            (CgroupVersion::V1, "memory.limit_in_bytes") | (CgroupVersion::V2, "memory.max") => {
                ("memory_limit", mem(v).map(|m| r.memory_limit = m).is_some())
            }
            (CgroupVersion::V1, "memory.soft_limit_in_bytes")
            | (CgroupVersion::V2, "memory.high") => (
                "memory_soft_limit",
                mem(v).map(|m| r.memory_soft_limit = m).is_some(),
            ),
            (CgroupVersion::V1, "memory.memsw.limit_in_bytes") => (
                "memory_swap_limit",
                mem(v).map(|m| r.memory_swap_limit = m).is_some(),
            ),
            (CgroupVersion::V2, "memory.swap.max") => {
                ("swap_limit", mem(v).map(|m| r.swap_limit = m).is_some())
            }
            (CgroupVersion::V2, "memory.min") => {
                ("memory_min", mem(v).map(|m| r.memory_min = m).is_some())
            }
            (CgroupVersion::V1, "cpu.shares") => (
                "cpu_shares",
                v.parse().map(|n| r.cpu_shares = Some(n)).is_ok(),
            ),
            (CgroupVersion::V2, "cpu.weight") => (
                "cpu_weight",
                v.parse().map(|n| r.cpu_weight = Some(n)).is_ok(),
            ),
            (CgroupVersion::V1, "cpu.cfs_quota_us") => (
                "cpu_quota_us",
                v.parse().map(|n| r.cpu_quota_us = Some(n)).is_ok(),
            ),
            (CgroupVersion::V1, "cpu.cfs_period_us") => (
                "cpu_period_us",
                v.parse().map(|n| r.cpu_period_us = Some(n)).is_ok(),
            ),
            (CgroupVersion::V2, "cpu.max") => {
                let mut parts = v.split_whitespace();
                let quota = parts.next();
                let period = parts.next().map(str::parse::<u64>);
                let ok = match (quota, period) {
                    (Some("max"), None) => {
                        r.cpu_quota_us = Some(-1);
                        true
                    }
                    (Some("max"), Some(Ok(p))) => {
                        r.cpu_quota_us = Some(-1);
                        r.cpu_period_us = Some(p);
                        true
                    }
                    (Some(q), p) => match (q.parse::<i64>(), p) {
                        (Ok(q), None) => {
                            r.cpu_quota_us = Some(q);
                            true
                        }
                        (Ok(q), Some(Ok(p))) => {
                            r.cpu_quota_us = Some(q);
                            r.cpu_period_us = Some(p);
                            true
                        }
                        _ => false,
                    },
                    _ => false,
                };
                ("cpu_quota_us", ok)
            }
            (_, "cpuset.cpus") => (
                "cpuset_cpus",
                v.parse::<CpuSet>().map(|s| r.cpuset_cpus = Some(s)).is_ok(),
            ),
            (_, "cpuset.mems") => (
                "cpuset_mems",
                v.parse::<CpuSet>().map(|s| r.cpuset_mems = Some(s)).is_ok(),
            ),
            (CgroupVersion::V1, "blkio.weight") => (
                "blkio_weight",
                v.parse().map(|n| r.blkio_weight = Some(n)).is_ok(),
            ),
            (CgroupVersion::V2, "io.weight") if v.starts_with("default ") || !v.contains(' ') => {
                let n = v.trim_start_matches("default ").trim();
                (
                    "blkio_weight",
                    n.parse().map(|n| r.blkio_weight = Some(n)).is_ok(),
                )
            }
            (CgroupVersion::V1, k) if k.starts_with("blkio.") => {
                let field = match k {
                    "blkio.weight_device" => 0,
                    "blkio.throttle.read_bps_device" => 1,
                    "blkio.throttle.write_bps_device" => 2,
                    "blkio.throttle.read_iops_device" => 3,
                    "blkio.throttle.write_iops_device" => 4,
                    _ => return false,
                };
                let mut parts = v.split_whitespace();
                let (Some(dev), Some(Ok(n)), None) = (
                    parts.next(),
                    parts.next().map(str::parse::<u64>),
                    parts.next(),
                ) else {
                    return false;
                };
                let d = blkio_device(&mut r.blkio_devices, dev);
                match field {
                    0 => d.weight = Some(n as u32),
                    1 => d.read_bps = Some(n),
                    2 => d.write_bps = Some(n),
                    3 => d.read_iops = Some(n),
                    _ => d.write_iops = Some(n),
                }
                ("blkio_devices", true)
            }
            (CgroupVersion::V2, "io.max") => {
                let mut parts = v.split_whitespace();
                let Some(dev) = parts.next() else {
                    return false;
                };
                let mut settings = Vec::new();
                for p in parts {
                    let Some((k, val)) = p.split_once('=') else {
                        return false;
                    };
                    // A key the model does not type keeps the line raw (it was dropped:
                    // found by the writers fuzz target).
                    if !matches!(k, "rbps" | "wbps" | "riops" | "wiops") {
                        return false;
                    }
                    let val = if val == "max" {
                        None
                    } else {
                        match val.parse::<u64>() {
                            Ok(n) => Some(n),
                            Err(_) => return false,
                        }
                    };
                    settings.push((k.to_string(), val));
                }
                if settings.is_empty() {
                    // `io.max = 8:0` sets nothing: kept raw rather than an empty device.
                    return false;
                }
                let d = blkio_device(&mut r.blkio_devices, dev);
                for (k, val) in settings {
                    match k.as_str() {
                        "rbps" => d.read_bps = val,
                        "wbps" => d.write_bps = val,
                        "riops" => d.read_iops = val,
                        "wiops" => d.write_iops = val,
                        _ => {}
                    }
                }
                ("blkio_devices", true)
            }
            (_, "pids.max") => {
                let ok = if v == "max" {
                    r.pids_max = None;
                    true
                } else {
                    v.parse().map(|n| r.pids_max = Some(n)).is_ok()
                };
                ("pids_max", ok)
            }
            (_, "devices.allow") | (_, "devices.deny") => {
                let allow = e.key.ends_with("allow");
                match parse_device_rule(v, allow) {
                    Some(rule) => {
                        self.c.device_rules.push(rule);
                        let i = self.c.device_rules.len() - 1;
                        self.origins.record(("/device_rules", i), e.origin);
                        return true;
                    }
                    None => {
                        self.diag(
                            Diagnostic::new(Code::L003, format!("`{v}` is not a device rule"))
                                .severity(Severity::Warning)
                                .at(e.origin)
                                .help("write `TYPE MAJOR:MINOR ACCESS`, e.g. `c 1:3 rwm` or `a`"),
                        );
                        return false;
                    }
                }
            }
            _ => return false,
        };
        if ok {
            self.origins
                .record(format!("/resources/{pointer}"), e.origin);
        }
        ok
    }
}

fn blkio_device<'d>(devices: &'d mut Vec<BlkioDevice>, dev: &str) -> &'d mut BlkioDevice {
    let i = match devices.iter().position(|d| d.device == dev) {
        Some(i) => i,
        None => {
            devices.push(BlkioDevice {
                device: dev.to_string(),
                weight: None,
                read_bps: None,
                write_bps: None,
                read_iops: None,
                write_iops: None,
            });
            devices.len() - 1
        }
    };
    &mut devices[i]
}

/// The kernel's `memparse`: digits with an optional K, M, G, T, P, E suffix (either case).
pub fn kernel_memparse(v: &str) -> Option<ByteSize> {
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let n: u64 = v[..digits].parse().ok()?;
    let factor: u64 = match &v[digits..] {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        "t" | "T" => 1 << 40,
        "p" | "P" => 1 << 50,
        "e" | "E" => 1 << 60,
        _ => return None,
    };
    n.checked_mul(factor).map(ByteSize)
}

/// `a`, or `TYPE MAJOR:MINOR ACCESS` with `*` wildcards.
pub fn parse_device_rule(v: &str, allow: bool) -> Option<DeviceRule> {
    let mut parts = v.split_whitespace();
    let kind = match parts.next()? {
        "a" => DeviceType::All,
        "b" => DeviceType::Block,
        "c" => DeviceType::Char,
        _ => return None,
    };
    let (major, minor, access) = match (parts.next(), parts.next()) {
        (None, None) => (None, None, "rwm".to_string()),
        (Some(mm), access) => {
            let (ma, mi) = mm.split_once(':')?;
            let num = |s: &str| -> Option<Option<u32>> {
                if s == "*" {
                    Some(None)
                } else {
                    s.parse().ok().map(Some)
                }
            };
            let access = access.unwrap_or("rwm");
            if access.is_empty() || !access.chars().all(|c| "rwm".contains(c)) {
                return None;
            }
            (num(ma)?, num(mi)?, access.to_string())
        }
        (None, Some(_)) => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(DeviceRule {
        allow,
        kind,
        major,
        minor,
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemoryFs;

    fn lower(text: &str) -> Loaded {
        let fs = MemoryFs::new();
        load(
            "t.conf",
            text,
            &LoadOptions {
                fs: &fs,
                base_dir: "/".into(),
            },
        )
    }

    #[test]
    fn an_io_max_key_the_model_does_not_type_keeps_the_line() {
        // Found by the writers fuzz target: `rxps=12` vanished, leaving an empty device.
        let loaded = lower("lxc.cgroup2.io.max = 8:0 rxps=12\n");
        let r = &loaded.document.container.resources;
        assert!(r.blkio_devices.is_empty(), "{r:?}");
        assert_eq!(r.cgroup.len(), 1, "{r:?}");
        assert_eq!(r.cgroup[0].value, "8:0 rxps=12");
        // A device without settings, too (a NUL cut the line: fuzzing again).
        let loaded = lower("lxc.cgroup2.io.max = 8:0\n");
        let r = &loaded.document.container.resources;
        assert!(r.blkio_devices.is_empty() && r.cgroup.len() == 1, "{r:?}");
    }

    #[test]
    fn a_long_interface_name_is_cut_at_a_character_boundary() {
        // Found by the lxc fuzz target: byte 15 fell inside a multi-byte character.
        let l = lower("lxc.net.0.type = veth\nlxc.net.0.name = abcdefghijklmn\u{e9}xyz\n");
        assert_eq!(
            l.document.container.networks[0].name.as_deref(),
            Some("abcdefghijklmn")
        );
        assert!(l.diagnostics.iter().any(|d| d.code == Code::L020));
        let l = lower("lxc.net.0.type = veth\nlxc.net.0.name = eth0-very-long-name\n");
        assert_eq!(
            l.document.container.networks[0].name.as_deref(),
            Some("eth0-very-long-")
        );
    }

    fn load_with(fs: &MemoryFs, text: &str) -> Loaded {
        let options = LoadOptions {
            fs,
            base_dir: "/".into(),
        };
        load("/t.conf", text, &options)
    }

    #[test]
    fn includes_that_fan_out_are_read_once_and_stop_at_the_include_limit() {
        // 20 files, each including the next twice: 2^20 applications without a limit.
        let mut fs = MemoryFs::new();
        for i in 0..20 {
            let next = format!("lxc.include = /f{}.conf\n", i + 1);
            fs = fs.with(
                format!("/f{i}.conf"),
                format!("lxc.uts.name = n{i}\n{next}{next}"),
            );
        }
        fs = fs.with("/f20.conf", "lxc.uts.name = last\n");
        let l = load_with(&fs, "lxc.include = /f0.conf\n");
        assert_eq!(l.sources.files().count(), 22, "each file read once");
        let limited: Vec<_> = l
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::I004)
            .collect();
        assert_eq!(limited.len(), 1, "{:?}", l.diagnostics);
    }

    #[test]
    fn a_deep_include_chain_stops_at_the_depth_limit() {
        let mut fs = MemoryFs::new();
        for i in 0..100 {
            fs = fs.with(
                format!("/d{i}.conf"),
                format!("lxc.include = /d{}.conf\n", i + 1),
            );
        }
        fs = fs.with("/d100.conf", "lxc.uts.name = deep\n");
        let l = load_with(&fs, "lxc.include = /d0.conf\n");
        assert!(l.diagnostics.iter().any(|d| d.code == Code::I005));
        assert_eq!(l.document.container.hostname, None);
    }

    #[test]
    fn a_line_past_the_length_limit_is_refused() {
        let long = format!(
            "lxc.uts.name = {}\nlxc.arch = x86_64\n",
            "a".repeat(limits::MAX_LINE_BYTES)
        );
        let l = lower(&long);
        assert_eq!(l.diagnostics[0].code, Code::I003);
        assert_eq!(l.document.container.hostname, None);
        assert_eq!(l.document.container.arch.as_deref(), Some("x86_64"));
    }

    #[test]
    fn an_included_file_that_is_not_a_config_is_never_shown() {
        let fs = MemoryFs::new().with("/etc/shadow", "root:$6$secret:19000:0:99999:7:::\n");
        let l = load_with(&fs, "lxc.include = /etc/shadow\n");
        let (id, file) = l.sources.files().nth(1).expect("included");
        assert_eq!(file.name, "/etc/shadow");
        assert!(file.is_private());
        assert!(!l.sources.get(lxconf_model::SourceId(0)).is_private());
        assert!(l
            .diagnostics
            .iter()
            .any(|d| d.primary.as_ref().is_some_and(|p| p.origin.source == id)));
    }

    #[test]
    fn devices_and_fifos_are_not_included() {
        let dir = std::env::temp_dir().join(format!("lxconf-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let fifo = dir.join("fifo.conf");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let text = format!(
            "lxc.include = {}\nlxc.include = /dev/zero\nlxc.mount.fstab = /dev/urandom\n",
            fifo.display()
        );
        let options = LoadOptions {
            fs: &crate::fs::RealFs,
            base_dir: "/".into(),
        };
        let l = load("t.conf", &text, &options);
        let _ = std::fs::remove_dir_all(&dir);
        let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::I002, Code::I002, Code::I002],
            "{:?}",
            l.diagnostics
        );
    }
}
