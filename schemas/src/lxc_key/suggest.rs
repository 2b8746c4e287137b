//! Did-you-mean hints for unknown keys.

use super::family::{net_key, Family, NET_SUBKEYS};
use super::legacy::legacy_rename;
use super::KEYS;

/// The closest known key, for did-you-mean hints.
pub fn suggest(key: &str) -> Option<String> {
    if key.len() > 80 {
        return legacy_rename(key).map(|l| l.modern);
    }
    // Compare network keys with their index normalised, so `lxc.net.3.lnk` suggests
    // `lxc.net.3.link`.
    let net_prefix = format!("{}.", Family::Net.prefix());
    let (probe, index) = match key
        .strip_prefix(&net_prefix)
        .and_then(|r| r.split_once('.'))
    {
        Some((i, sub)) if i.bytes().all(|b| b.is_ascii_digit()) && !i.is_empty() => {
            (net_key(0, sub, false), Some(i))
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
    // A key cut short (`lxc.net.0.ipv4` for `lxc.net.0.ipv4.address`) is far from its
    // completion in edits but a prefix of it.
    let close = match best {
        Some((d, c)) if d <= limit => Some(c),
        _ => completion(&probe),
    };
    let found = match close {
        Some(c) => Some(match index {
            Some(i) => c.replacen(&net_key(0, "", false), &net_key(i, "", false), 1),
            None => c.clone(),
        }),
        None => legacy_rename(key).map(|l| l.modern),
    };
    // A key that is unknown only because of its index (`lxc.net.99999999999.type`: liblxc
    // reads the index as an unsigned 32-bit number) must not suggest itself.
    found.filter(|s| s != key)
}

/// The shortest known key that continues `probe` with a further component (the first of
/// the table among equals).
fn completion(probe: &str) -> Option<&'static String> {
    let prefix = format!("{probe}.");
    candidates()
        .iter()
        .filter(|(c, _)| c.starts_with(&prefix))
        .min_by_key(|(_, n)| *n)
        .map(|(c, _)| c)
}

/// Every key a suggestion can name, with its length in characters, built once.
fn candidates() -> &'static [(String, usize)] {
    static ALL: std::sync::OnceLock<Vec<(String, usize)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        KEYS.iter()
            .map(|k| k.to_string())
            .chain(NET_SUBKEYS.iter().map(|s| net_key(0, s, false)))
            .map(|k| {
                let n = k.chars().count();
                (k, n)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_typos() {
        assert_eq!(suggest("lxc.uts.nmae").as_deref(), Some("lxc.uts.name"));
        assert_eq!(suggest("lxc.net.3.lnik").as_deref(), Some("lxc.net.3.link"));
        assert_eq!(
            suggest("lxc.rootfs.pth").as_deref(),
            Some("lxc.rootfs.path")
        );
        assert_eq!(suggest("lxc.utsname").as_deref(), Some("lxc.uts.name"));
        assert_eq!(
            suggest("lxc.net.0.macvlan.vlan").as_deref(),
            Some("lxc.net.0.macvlan.mode")
        );
        assert_eq!(suggest("lxc.net.99999999999.type"), None);
        assert_eq!(
            suggest("lxc.net.1.ipv4").as_deref(),
            Some("lxc.net.1.ipv4.address")
        );
        assert_eq!(suggest("lxc.rootfs").as_deref(), Some("lxc.rootfs.path"));
    }
}
