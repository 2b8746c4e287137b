//! Where each model value came from, kept beside the model so that equality compares meaning
//! only. Keys are JSON pointers into the model's JSON form (`/mounts/2`, `/hostname`), which
//! also lets schema validation errors be mapped back to the input.

use crate::source::{Origin, SourceMap};
use std::collections::BTreeMap;

/// JSON pointer → origin.
///
/// Recording is on the parsers' hot path, so entries are appended and a later entry for the
/// same pointer wins. Lookups go through an index built at the first lookup after a change:
/// rules look up one pointer per finding, and a scan per lookup made 40,000 mounts on one
/// target quadratic.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    entries: Vec<(Pointer, Origin)>,
    index: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

/// A JSON pointer, stored without formatting on the hot path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pointer {
    /// A fixed pointer such as `/hostname`.
    Static(&'static str),
    /// An element of a list: `/mounts` and `3` make `/mounts/3`.
    Indexed(&'static str, u32),
    /// Anything else.
    Owned(String),
}

impl Pointer {
    fn is_under(&self, prefix: &str) -> bool {
        let under = |text: &str| {
            text == prefix
                || (text.starts_with(prefix) && text.as_bytes().get(prefix.len()) == Some(&b'/'))
        };
        match self {
            Pointer::Static(s) => under(s),
            Pointer::Owned(s) => under(s),
            // `/mounts/3` is under whatever `/mounts` is under; formatting is needed only
            // for a prefix that names the element itself.
            Pointer::Indexed(base, _) => {
                under(base) || (prefix.starts_with(base) && under(&self.to_string()))
            }
        }
    }
}

impl std::fmt::Display for Pointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pointer::Static(s) => f.write_str(s),
            Pointer::Owned(s) => f.write_str(s),
            Pointer::Indexed(base, i) => write!(f, "{base}/{i}"),
        }
    }
}

impl From<&'static str> for Pointer {
    fn from(s: &'static str) -> Self {
        Pointer::Static(s)
    }
}

impl From<String> for Pointer {
    fn from(s: String) -> Self {
        Pointer::Owned(s)
    }
}

impl From<(&'static str, usize)> for Pointer {
    fn from((base, i): (&'static str, usize)) -> Self {
        Pointer::Indexed(base, i as u32)
    }
}

impl Origins {
    /// Record (or replace) where the value at `pointer` came from.
    pub fn record(&mut self, pointer: impl Into<Pointer>, origin: Origin) {
        self.entries.push((pointer.into(), origin));
        self.index.take();
    }

    /// The origin of the value at `pointer`, or of its closest recorded ancestor.
    pub fn find(&self, pointer: &str) -> Option<Origin> {
        let mut p = pointer;
        loop {
            if let Some(o) = self.get(p) {
                return Some(o);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// The exact entry for `pointer`.
    pub fn get(&self, pointer: &str) -> Option<Origin> {
        let index = self.index.get_or_init(|| {
            let mut index = std::collections::HashMap::with_capacity(self.entries.len());
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index.insert(k.to_string(), i);
            }
            index
        });
        index.get(pointer).map(|&i| self.entries[i].1)
    }

    /// Remove every entry at or under `pointer`.
    pub fn remove_under(&mut self, pointer: &str) {
        self.entries.retain(|(k, _)| !k.is_under(pointer));
        self.index.take();
    }

    /// All entries, one per pointer (the latest), in pointer order.
    pub fn iter(&self) -> impl Iterator<Item = (String, Origin)> {
        let latest: BTreeMap<String, Origin> = self
            .entries
            .iter()
            .map(|(k, o)| (k.to_string(), *o))
            .collect();
        latest.into_iter()
    }

    /// Number of distinct pointers.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Resolve every origin to `file:line:column`, for output.
    pub fn resolve(&self, sources: &SourceMap) -> BTreeMap<String, crate::Location> {
        self.iter().map(|(k, o)| (k, sources.locate(o))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceId;

    #[test]
    fn find_falls_back_to_the_closest_ancestor() {
        let mut o = Origins::default();
        o.record(("/mounts", 1), Origin::new(SourceId(0), 5..9));
        assert_eq!(o.find("/mounts/1/target").map(|o| o.start), Some(5));
        assert_eq!(o.find("/mounts/2"), None);
        o.remove_under("/mounts");
        assert!(o.is_empty());
    }
}
