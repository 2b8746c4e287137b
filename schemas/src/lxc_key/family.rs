//! Key families: keys whose name carries a parameter (`lxc.net.0.link`,
//! `lxc.cgroup2.memory.max`), and the classification of any key the way liblxc looks it up.

use super::{Arity, ExactKey, EXACT, KEYS};
use crate::model::HookKind;
use crate::values::Namespace;

/// A family of keys sharing a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `lxc.net.N.<sub>`.
    Net,
    /// `lxc.cgroup2.<file>`.
    Cgroup2,
    /// `lxc.cgroup.<controller>.<file>`.
    Cgroup1,
    /// `lxc.prlimit.<resource>`.
    Prlimit,
    /// `lxc.sysctl.<key>`.
    Sysctl,
    /// `lxc.proc.<file>`.
    Proc,
    /// `lxc.hook.<kind>`.
    Hook,
    /// `lxc.namespace.share.<namespace>`.
    NamespaceShare,
}

impl Family {
    /// The family's key without a parameter (`lxc.net`), which with an empty value clears
    /// the family.
    pub fn prefix(self) -> &'static str {
        match self {
            Family::Net => "lxc.net",
            Family::Cgroup2 => "lxc.cgroup2",
            Family::Cgroup1 => "lxc.cgroup",
            Family::Prlimit => "lxc.prlimit",
            Family::Sysctl => "lxc.sysctl",
            Family::Proc => "lxc.proc",
            Family::Hook => "lxc.hook",
            Family::NamespaceShare => "lxc.namespace.share",
        }
    }

    /// The LXC 1.x/2.x prefix, for the families that were renamed.
    pub fn legacy_prefix(self) -> Option<&'static str> {
        match self {
            Family::Net => Some("lxc.network"),
            Family::Prlimit => Some("lxc.limit"),
            _ => None,
        }
    }

    /// The prefix to write: the legacy one when asked for and the family had one.
    pub fn prefix_for(self, legacy: bool) -> &'static str {
        match self.legacy_prefix() {
            Some(old) if legacy => old,
            _ => self.prefix(),
        }
    }

    /// The key of member `param`: `lxc.sysctl` and `net.ipv4.ip_forward`.
    pub fn key(self, param: impl std::fmt::Display) -> String {
        format!("{}.{param}", self.prefix())
    }
}

/// `lxc.net.<index>.<sub>` (or `lxc.network.<index>.<sub>` when `legacy`).
pub fn net_key(index: impl std::fmt::Display, sub: &str, legacy: bool) -> String {
    format!("{}.{index}.{sub}", Family::Net.prefix_for(legacy))
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
        ("net", Some(s)) => classify_net(s),
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

impl Key<'_> {
    /// How the key takes repeated values.
    pub fn arity(&self) -> Arity {
        match self {
            Key::Exact(k) => k.arity(),
            Key::Hook(_) => Arity::List,
            Key::Net(_, sub) => match *sub {
                "ipv4.address"
                | "ipv6.address"
                | "veth.ipv4.route"
                | "veth.ipv6.route"
                | "veth.vlan.tagged.id" => Arity::List,
                // A second `type` resets the network (L016 reports it).
                "type" => Arity::Other,
                _ => Arity::Scalar,
            },
            // Device rules accumulate, and files keyed by device or interface take one line
            // per key: liblxc writes every line, so an earlier one is not overridden.
            Key::Cgroup1(f) | Key::Cgroup2(f) if cgroup_file_is_keyed(f) => Arity::Other,
            Key::Cgroup1(_) | Key::Cgroup2(_) | Key::Prlimit(_) | Key::Sysctl(_) => Arity::Scalar,
            _ => Arity::Other,
        }
    }
}

/// Cgroup files whose lines name what they apply to (a device, an interface), so several
/// lines of the same key each count.
fn cgroup_file_is_keyed(file: &str) -> bool {
    file.starts_with("devices.")
        || file.ends_with("_device")
        || matches!(
            file,
            "io.max"
                | "io.weight"
                | "io.bfq.weight"
                | "io.latency"
                | "rdma.max"
                | "net_prio.ifpriomap"
        )
}

/// `N` or `N.<sub>` after `lxc.net.`.
fn classify_net(s: &str) -> Key<'static> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn family_keys_are_built_from_one_prefix() {
        assert_eq!(
            Family::Sysctl.key("net.ipv4.ip_forward"),
            "lxc.sysctl.net.ipv4.ip_forward"
        );
        assert_eq!(net_key(3, "link", true), "lxc.network.3.link");
        assert_eq!(
            classify(&Family::Cgroup2.key("pids.max")),
            Key::Cgroup2("pids.max")
        );
    }
}
