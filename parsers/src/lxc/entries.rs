//! The `key = value` lines of one LXC config file with their classified keys, for rules that
//! need the raw syntax (a scalar key set twice, a list cleared after being filled), which
//! the model no longer shows.

use super::keys::{self, Key};
use super::syntax::{self, LineKind};
use std::ops::Range;

/// One `key = value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry<'t> {
    /// The key as written.
    pub key: &'t str,
    /// The key as liblxc classifies it (legacy names are classified under their modern
    /// name when they have one, so `lxc.utsname` and `lxc.uts.name` are the same key).
    pub class: Key<'t>,
    /// The modern name when `key` is a legacy key.
    pub modern: Option<String>,
    /// The value, quotes removed.
    pub value: &'t str,
    /// The whole line, without its terminator.
    pub line: Range<usize>,
    /// The key.
    pub key_range: Range<usize>,
    /// The value, quotes included.
    pub value_range: Range<usize>,
}

pub use lxconf_model::lxc_key::Arity;

/// Every entry of a file, in order, with its key classified.
pub fn entries(text: &str) -> Vec<RawEntry<'_>> {
    syntax::parse(text)
        .into_iter()
        .filter_map(|line| match line.kind {
            LineKind::Entry(e) => {
                let key = &text[e.key.clone()];
                let mut class = keys::classify(key);
                let mut modern = None;
                if class == Key::Unknown {
                    if let Some(r) = keys::legacy_rename(key).filter(|r| !r.unindexed_network) {
                        // Classify the modern name; it borrows from a String we keep, so
                        // re-classify from the static key table where possible.
                        class = classify_owned(&r.modern);
                        modern = Some(r.modern);
                    }
                }
                Some(RawEntry {
                    key,
                    class,
                    modern,
                    value: &text[e.value.clone()],
                    line: line.range.clone(),
                    key_range: e.key.clone(),
                    value_range: e.raw_value.clone(),
                })
            }
            _ => None,
        })
        .collect()
}

/// Classify a key we do not keep: only exact keys, networks and hooks survive (family keys
/// that borrow their suffix become `Unknown`).
fn classify_owned(key: &str) -> Key<'static> {
    match keys::classify(key) {
        Key::Exact(k) => Key::Exact(k),
        Key::Net(n, s) => Key::Net(n, s),
        Key::NetIndex(n) => Key::NetIndex(n),
        Key::NetAll => Key::NetAll,
        Key::Hook(h) => Key::Hook(h),
        Key::HookAll => Key::HookAll,
        Key::NamespaceShare(ns) => Key::NamespaceShare(ns),
        _ => Key::Unknown,
    }
}

/// Whether a key is a scalar (last value wins) or a list (lines append, empty clears), as
/// liblxc's setters treat it: the key table says.
pub fn arity(key: &Key<'_>) -> Arity {
    key.arity()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_keys_are_classified_under_their_modern_name() {
        let e = entries("lxc.utsname = a\nlxc.uts.name = b\n");
        assert_eq!(e[0].class, e[1].class);
        assert_eq!(e[0].modern.as_deref(), Some("lxc.uts.name"));
        assert_eq!(arity(&e[0].class), Arity::Scalar);
    }

    #[test]
    fn lists_and_scalars() {
        let e =
            entries("lxc.cap.drop = a\nlxc.net.0.ipv4.address = 1.2.3.4/24\nlxc.net.0.link = br0");
        let a: Vec<_> = e.iter().map(|e| arity(&e.class)).collect();
        assert_eq!(a, [Arity::List, Arity::List, Arity::Scalar]);
    }
}
