//! LXC 1.x/2.x key names and what they became.

use super::family::Family;
use super::EXACT;

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

/// LXC 2.x's rootfs type key; 3.0 moved the type into `lxc.rootfs.path` (`TYPE:PATH`).
pub const ROOTFS_BACKEND: &str = "lxc.rootfs.backend";

/// The unindexed legacy network type key: an empty value cleared every interface.
pub const LEGACY_NETWORK_TYPE: &str = "lxc.network.type";

/// The modern name of a legacy 1.x/2.x key, if it is one.
pub fn legacy_rename(key: &str) -> Option<LegacyRename> {
    let simple = |m: String| {
        Some(LegacyRename {
            modern: m,
            unindexed_network: false,
        })
    };
    if let Some(k) = EXACT.iter().find(|k| k.legacy_name() == Some(key)) {
        return simple(k.name().to_string());
    }
    for family in [Family::Prlimit, Family::Net] {
        let Some(old) = family.legacy_prefix() else {
            continue;
        };
        if key == old {
            return simple(family.prefix().to_string());
        }
    }
    let prlimit = Family::Prlimit.legacy_prefix().map(|p| format!("{p}."));
    if let Some(res) = prlimit.and_then(|p| key.strip_prefix(p.as_str())) {
        return simple(Family::Prlimit.key(res));
    }
    legacy_network(key)
}

/// `lxc.network.<sub>` and `lxc.network.N.<sub>`.
fn legacy_network(key: &str) -> Option<LegacyRename> {
    let old = Family::Net.legacy_prefix()?;
    let rest = key.strip_prefix(old)?.strip_prefix('.')?;
    let rename_sub = |sub: &str| -> String {
        match sub {
            "ipv4" => "ipv4.address".to_string(),
            "ipv6" => "ipv6.address".to_string(),
            other => other.to_string(),
        }
    };
    let modern = Family::Net.prefix();
    let first = rest.split('.').next().unwrap_or("");
    if !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()) {
        let sub = rest[first.len()..].trim_start_matches('.');
        let modern = if sub.is_empty() {
            format!("{modern}.{first}")
        } else {
            format!("{modern}.{first}.{}", rename_sub(sub))
        };
        return Some(LegacyRename {
            modern,
            unindexed_network: false,
        });
    }
    Some(LegacyRename {
        modern: format!("{modern}.{{N}}.{}", rename_sub(rest)),
        unindexed_network: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_keys_are_renamed() {
        let modern = |k: &str| legacy_rename(k).map(|l| l.modern);
        assert_eq!(modern("lxc.utsname").as_deref(), Some("lxc.uts.name"));
        assert_eq!(modern("lxc.mount").as_deref(), Some("lxc.mount.fstab"));
        assert_eq!(modern("lxc.network").as_deref(), Some("lxc.net"));
        assert_eq!(modern("lxc.limit").as_deref(), Some("lxc.prlimit"));
        assert_eq!(
            modern("lxc.network.ipv4").as_deref(),
            Some("lxc.net.{N}.ipv4.address")
        );
        assert_eq!(
            modern("lxc.network.2.ipv6").as_deref(),
            Some("lxc.net.2.ipv6.address")
        );
        assert_eq!(modern("lxc.network.2").as_deref(), Some("lxc.net.2"));
        assert_eq!(
            modern("lxc.network.ipv4.gateway").as_deref(),
            Some("lxc.net.{N}.ipv4.gateway")
        );
        assert_eq!(
            modern("lxc.limit.nofile").as_deref(),
            Some("lxc.prlimit.nofile")
        );
        assert_eq!(legacy_rename("lxc.uts.name"), None);
        assert_eq!(legacy_rename("lxc.networkx"), None);
    }
}
