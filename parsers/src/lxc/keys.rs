//! liblxc's key table (LXC 5.0/6.0): exact keys, key families, and the legacy 1.x/2.x names
//! with their modern equivalents.

use lxconf_model::model::HookKind;
use lxconf_model::Namespace;

/// Declares [`ExactKey`] and [`KEYS`] from one list, so they cannot drift apart.
macro_rules! exact_keys {
    ($($variant:ident = $name:literal,)*) => {
        /// An exact (non-family) key of liblxc's table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ExactKey {
            $(
                #[doc = $name]
                $variant,
            )*
        }

        /// Every exact key of liblxc 5.0/6.0, sorted (for binary search).
        pub const KEYS: &[&str] = &[$($name),*];

        const EXACT: &[ExactKey] = &[$(ExactKey::$variant),*];

        impl ExactKey {
            /// The key as written in a config.
            pub fn name(self) -> &'static str {
                match self {
                    $(ExactKey::$variant => $name,)*
                }
            }
        }
    };
}

exact_keys! {
    ApparmorAllowIncomplete = "lxc.apparmor.allow_incomplete",
    ApparmorAllowNesting = "lxc.apparmor.allow_nesting",
    ApparmorProfile = "lxc.apparmor.profile",
    ApparmorRaw = "lxc.apparmor.raw",
    Arch = "lxc.arch",
    Autodev = "lxc.autodev",
    AutodevTmpfsSize = "lxc.autodev.tmpfs.size",
    CapDrop = "lxc.cap.drop",
    CapKeep = "lxc.cap.keep",
    CgroupDir = "lxc.cgroup.dir",
    CgroupDirContainer = "lxc.cgroup.dir.container",
    CgroupDirContainerInner = "lxc.cgroup.dir.container.inner",
    CgroupDirMonitor = "lxc.cgroup.dir.monitor",
    CgroupDirMonitorPivot = "lxc.cgroup.dir.monitor.pivot",
    CgroupRelative = "lxc.cgroup.relative",
    ConsoleBufferSize = "lxc.console.buffer.size",
    ConsoleLogfile = "lxc.console.logfile",
    ConsolePath = "lxc.console.path",
    ConsoleRotate = "lxc.console.rotate",
    ConsoleSize = "lxc.console.size",
    Environment = "lxc.environment",
    Ephemeral = "lxc.ephemeral",
    ExecuteCmd = "lxc.execute.cmd",
    Group = "lxc.group",
    HookAutodev = "lxc.hook.autodev",
    HookClone = "lxc.hook.clone",
    HookDestroy = "lxc.hook.destroy",
    HookMount = "lxc.hook.mount",
    HookPostStop = "lxc.hook.post-stop",
    HookPreMount = "lxc.hook.pre-mount",
    HookPreStart = "lxc.hook.pre-start",
    HookStart = "lxc.hook.start",
    HookStartHost = "lxc.hook.start-host",
    HookStop = "lxc.hook.stop",
    HookVersion = "lxc.hook.version",
    Idmap = "lxc.idmap",
    Include = "lxc.include",
    InitCmd = "lxc.init.cmd",
    InitCwd = "lxc.init.cwd",
    InitGid = "lxc.init.gid",
    InitGroups = "lxc.init.groups",
    InitUid = "lxc.init.uid",
    KeyringSession = "lxc.keyring.session",
    LogFile = "lxc.log.file",
    LogLevel = "lxc.log.level",
    LogSyslog = "lxc.log.syslog",
    MonitorSignalPdeath = "lxc.monitor.signal.pdeath",
    MonitorUnshare = "lxc.monitor.unshare",
    MountAuto = "lxc.mount.auto",
    MountEntry = "lxc.mount.entry",
    MountFstab = "lxc.mount.fstab",
    NamespaceClone = "lxc.namespace.clone",
    NamespaceKeep = "lxc.namespace.keep",
    NoNewPrivs = "lxc.no_new_privs",
    PtyMax = "lxc.pty.max",
    RootfsManaged = "lxc.rootfs.managed",
    RootfsMount = "lxc.rootfs.mount",
    RootfsOptions = "lxc.rootfs.options",
    RootfsPath = "lxc.rootfs.path",
    SchedCore = "lxc.sched.core",
    SeccompAllowNesting = "lxc.seccomp.allow_nesting",
    SeccompNotifyCookie = "lxc.seccomp.notify.cookie",
    SeccompNotifyProxy = "lxc.seccomp.notify.proxy",
    SeccompProfile = "lxc.seccomp.profile",
    SelinuxContext = "lxc.selinux.context",
    SelinuxContextKeyring = "lxc.selinux.context.keyring",
    SignalHalt = "lxc.signal.halt",
    SignalReboot = "lxc.signal.reboot",
    SignalStop = "lxc.signal.stop",
    StartAuto = "lxc.start.auto",
    StartDelay = "lxc.start.delay",
    StartOrder = "lxc.start.order",
    TimeOffsetBoot = "lxc.time.offset.boot",
    TimeOffsetMonotonic = "lxc.time.offset.monotonic",
    TtyDir = "lxc.tty.dir",
    TtyMax = "lxc.tty.max",
    UtsName = "lxc.uts.name",
}

/// Network subkeys (`lxc.net.N.<sub>`).
pub const NET_SUBKEYS: &[&str] = &[
    "type",
    "flags",
    "link",
    "name",
    "hwaddr",
    "mtu",
    "ipv4.address",
    "ipv4.gateway",
    "ipv6.address",
    "ipv6.gateway",
    "script.up",
    "script.down",
    "veth.pair",
    "veth.mode",
    "veth.ipv4.route",
    "veth.ipv6.route",
    "veth.vlan.id",
    "veth.vlan.tagged.id",
    "veth.n_rxqueues",
    "veth.n_txqueues",
    "macvlan.mode",
    "ipvlan.mode",
    "ipvlan.isolation",
    "vlan.id",
    "l2proxy",
];

/// `lxc.prlimit.<res>` resource names.
pub const PRLIMIT_RESOURCES: &[&str] = &[
    "as",
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// A classified key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key<'a> {
    /// One of [`KEYS`].
    Exact(ExactKey),
    /// `lxc.net` (only an empty value is allowed: clear all networks).
    NetAll,
    /// `lxc.net.N` (only an empty value is allowed: remove network N).
    NetIndex(u32),
    /// `lxc.net.N.<sub>`.
    Net(u32, &'static str),
    /// `lxc.cgroup2.<file>`.
    Cgroup2(&'a str),
    /// `lxc.cgroup2` (empty: clear all).
    Cgroup2All,
    /// `lxc.cgroup.<controller>.<file>`.
    Cgroup1(&'a str),
    /// `lxc.cgroup` (empty: clear all).
    Cgroup1All,
    /// `lxc.prlimit.<res>`.
    Prlimit(&'a str),
    /// `lxc.prlimit` (empty: clear all).
    PrlimitAll,
    /// `lxc.sysctl.<key>`.
    Sysctl(&'a str),
    /// `lxc.sysctl` (empty: clear all).
    SysctlAll,
    /// `lxc.proc.<file>`.
    Proc(&'a str),
    /// `lxc.proc` (empty: clear all).
    ProcAll,
    /// `lxc.hook.<kind>`.
    Hook(HookKind),
    /// `lxc.hook` (empty: clear all hooks).
    HookAll,
    /// `lxc.namespace.share.<ns>`.
    NamespaceShare(Namespace),
    /// Nothing liblxc knows.
    Unknown,
}

/// Classify a key the way liblxc's table lookup does.
pub fn classify(key: &str) -> Key<'_> {
    // Network keys are the most common lines and no exact key starts like them.
    let family_only = key.starts_with("lxc.net.") || key.starts_with("lxc.cgroup2.");
    if let Some(i) = (!family_only)
        .then(|| KEYS.binary_search(&key).ok())
        .flatten()
    {
        return match key.strip_prefix("lxc.hook.") {
            Some(h) if h != "version" => HookKind::from_name(h).map_or(Key::Unknown, Key::Hook),
            _ => Key::Exact(EXACT[i]),
        };
    }
    let Some(rest) = key.strip_prefix("lxc.") else {
        return Key::Unknown;
    };
    let (family, sub) = match rest.split_once('.') {
        Some((f, s)) => (f, Some(s)),
        None => (rest, None),
    };
    match (family, sub) {
        ("net", None) => Key::NetAll,
        ("net", Some(s)) => {
            let (index, subkey) = match s.split_once('.') {
                Some((i, k)) => (i, Some(k)),
                None => (s, None),
            };
            if !index.starts_with(|c: char| c.is_ascii_digit())
                || !index.bytes().all(|b| b.is_ascii_digit())
            {
                return Key::Unknown;
            }
            let Ok(index) = index.parse::<u32>() else {
                return Key::Unknown;
            };
            if index >= i32::MAX as u32 {
                return Key::Unknown;
            }
            match subkey {
                None => Key::NetIndex(index),
                Some(k) => NET_SUBKEYS
                    .iter()
                    .find(|s| **s == k)
                    .map_or(Key::Unknown, |s| Key::Net(index, s)),
            }
        }
        ("cgroup2", None) => Key::Cgroup2All,
        ("cgroup2", Some(s)) if !s.is_empty() => Key::Cgroup2(s),
        ("cgroup", None) => Key::Cgroup1All,
        ("cgroup", Some(s)) if !s.is_empty() => Key::Cgroup1(s),
        ("prlimit", None) => Key::PrlimitAll,
        ("prlimit", Some(s)) if !s.is_empty() => Key::Prlimit(s),
        ("sysctl", None) => Key::SysctlAll,
        ("sysctl", Some(s)) if !s.is_empty() => Key::Sysctl(s),
        ("proc", None) => Key::ProcAll,
        ("proc", Some(s)) if !s.is_empty() => Key::Proc(s),
        ("hook", None) => Key::HookAll,
        ("namespace", Some(s)) => match s.strip_prefix("share.") {
            Some(ns) => Namespace::from_name(ns).map_or(Key::Unknown, Key::NamespaceShare),
            None => Key::Unknown,
        },
        _ => Key::Unknown,
    }
}

/// The closest known key, for did-you-mean hints.
pub fn suggest(key: &str) -> Option<String> {
    if key.len() > 80 {
        return legacy_rename(key).map(|l| l.modern);
    }
    // Compare network keys with their index normalised, so `lxc.net.3.lnk` suggests
    // `lxc.net.3.link`.
    let (probe, index) = match key.strip_prefix("lxc.net.").and_then(|r| r.split_once('.')) {
        Some((i, sub)) if i.bytes().all(|b| b.is_ascii_digit()) && !i.is_empty() => {
            (format!("lxc.net.0.{sub}"), Some(i))
        }
        _ => (key.to_string(), None),
    };
    let limit = (probe.len() / 4).clamp(2, 5);
    // The edit distance is at least the difference in length: most candidates are
    // skipped without computing it (a file of 20,000 unknown keys asks 20,000 times).
    let probe_chars = probe.chars().count();
    let best = candidates()
        .iter()
        .filter(|(_, n)| n.abs_diff(probe_chars) <= limit)
        .map(|(c, _)| (strsim::osa_distance(&probe, c), c))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= limit => Some(match index {
            Some(i) => c.replacen("lxc.net.0.", &format!("lxc.net.{i}."), 1),
            None => c.clone(),
        }),
        _ => legacy_rename(key).map(|l| l.modern),
    }
}

/// Every key a suggestion can name, with its length in characters, built once.
fn candidates() -> &'static [(String, usize)] {
    static ALL: std::sync::OnceLock<Vec<(String, usize)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        KEYS.iter()
            .map(|k| k.to_string())
            .chain(NET_SUBKEYS.iter().map(|s| format!("lxc.net.0.{s}")))
            .map(|k| {
                let n = k.chars().count();
                (k, n)
            })
            .collect()
    })
}

/// A legacy key and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyRename {
    /// The modern key. For unindexed `lxc.network.<sub>` the index is `{N}`, filled in by
    /// the caller from liblxc 2.x's counting rule.
    pub modern: String,
    /// The legacy network subkey, unindexed (`lxc.network.link`).
    pub unindexed_network: bool,
}

/// Keys removed without a replacement (LXC ignored them late in 2.1, refuses them since 3.0).
pub const REMOVED_KEYS: &[&str] = &["lxc.pivotdir", "lxc.kmsg"];

/// The modern name of a legacy 1.x/2.x key, if it is one.
pub fn legacy_rename(key: &str) -> Option<LegacyRename> {
    let simple = |m: &str| {
        Some(LegacyRename {
            modern: m.to_string(),
            unindexed_network: false,
        })
    };
    match key {
        "lxc.utsname" => return simple("lxc.uts.name"),
        "lxc.rootfs" => return simple("lxc.rootfs.path"),
        "lxc.id_map" => return simple("lxc.idmap"),
        "lxc.pts" => return simple("lxc.pty.max"),
        "lxc.tty" => return simple("lxc.tty.max"),
        "lxc.devttydir" => return simple("lxc.tty.dir"),
        "lxc.aa_profile" => return simple("lxc.apparmor.profile"),
        "lxc.aa_allow_incomplete" => return simple("lxc.apparmor.allow_incomplete"),
        "lxc.se_context" => return simple("lxc.selinux.context"),
        "lxc.mount" => return simple("lxc.mount.fstab"),
        "lxc.seccomp" => return simple("lxc.seccomp.profile"),
        "lxc.console" => return simple("lxc.console.path"),
        "lxc.haltsignal" => return simple("lxc.signal.halt"),
        "lxc.rebootsignal" => return simple("lxc.signal.reboot"),
        "lxc.stopsignal" => return simple("lxc.signal.stop"),
        "lxc.syslog" => return simple("lxc.log.syslog"),
        "lxc.loglevel" => return simple("lxc.log.level"),
        "lxc.logfile" => return simple("lxc.log.file"),
        "lxc.init_cmd" => return simple("lxc.init.cmd"),
        "lxc.init_uid" => return simple("lxc.init.uid"),
        "lxc.init_gid" => return simple("lxc.init.gid"),
        "lxc.limit" => return simple("lxc.prlimit"),
        "lxc.network" => return simple("lxc.net"),
        _ => {}
    }
    if let Some(res) = key.strip_prefix("lxc.limit.") {
        return simple(&format!("lxc.prlimit.{res}"));
    }
    let rest = key.strip_prefix("lxc.network.")?;
    let rename_sub = |sub: &str| -> String {
        match sub {
            "ipv4" => "ipv4.address".to_string(),
            "ipv6" => "ipv6.address".to_string(),
            other => other.to_string(),
        }
    };
    let first = rest.split('.').next().unwrap_or("");
    if !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()) {
        let sub = rest[first.len()..].trim_start_matches('.');
        if sub.is_empty() {
            return simple(&format!("lxc.net.{first}"));
        }
        return simple(&format!("lxc.net.{first}.{}", rename_sub(sub)));
    }
    Some(LegacyRename {
        modern: format!("lxc.net.{{N}}.{}", rename_sub(rest)),
        unindexed_network: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_table_is_sorted_for_binary_search() {
        let mut sorted = KEYS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, KEYS);
    }

    #[test]
    fn families_are_classified() {
        assert_eq!(classify("lxc.net.0.type"), Key::Net(0, "type"));
        assert_eq!(classify("lxc.net.01.link"), Key::Net(1, "link"));
        assert_eq!(classify("lxc.net.x.link"), Key::Unknown);
        assert_eq!(classify("lxc.net.0.bogus"), Key::Unknown);
        assert_eq!(classify("lxc.net.2"), Key::NetIndex(2));
        assert_eq!(
            classify("lxc.cgroup2.memory.max"),
            Key::Cgroup2("memory.max")
        );
        assert_eq!(classify("lxc.cgroup2x"), Key::Unknown);
        assert_eq!(classify("lxc.cgroup.dir"), Key::Exact(ExactKey::CgroupDir));
        assert_eq!(
            classify("lxc.cgroup.cpu.shares"),
            Key::Cgroup1("cpu.shares")
        );
        assert_eq!(
            classify("lxc.hook.pre-start"),
            Key::Hook(HookKind::PreStart)
        );
        assert_eq!(classify("lxc.hook.prestart"), Key::Unknown);
        assert_eq!(
            classify("lxc.namespace.share.net"),
            Key::NamespaceShare(Namespace::Net)
        );
        assert_eq!(classify("lxc.namespace.share.mount"), Key::Unknown);
        assert_eq!(classify("lxc.utsname"), Key::Unknown);
    }

    #[test]
    fn suggestions_find_typos() {
        assert_eq!(suggest("lxc.uts.nmae").as_deref(), Some("lxc.uts.name"));
        assert_eq!(suggest("lxc.net.3.lnik").as_deref(), Some("lxc.net.3.link"));
        assert_eq!(
            suggest("lxc.rootfs.pth").as_deref(),
            Some("lxc.rootfs.path")
        );
    }

    #[test]
    fn legacy_network_keys_are_renamed() {
        assert_eq!(
            legacy_rename("lxc.network.ipv4").map(|l| l.modern),
            Some("lxc.net.{N}.ipv4.address".into())
        );
        assert_eq!(
            legacy_rename("lxc.network.2.ipv6").map(|l| l.modern),
            Some("lxc.net.2.ipv6.address".into())
        );
        assert_eq!(
            legacy_rename("lxc.network.ipv4.gateway").map(|l| l.modern),
            Some("lxc.net.{N}.ipv4.gateway".into())
        );
        assert_eq!(
            legacy_rename("lxc.limit.nofile").map(|l| l.modern),
            Some("lxc.prlimit.nofile".into())
        );
        assert_eq!(legacy_rename("lxc.uts.name"), None);
    }
}
