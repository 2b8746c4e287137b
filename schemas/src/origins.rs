//! Where each model value came from, kept beside the model so that equality compares meaning
//! only. Keys are JSON pointers into the model's JSON form (`/mounts/2`, `/hostname`), which
//! also lets schema validation errors be mapped back to the input.

use crate::source::{Origin, SourceMap};
use std::collections::BTreeMap;

/// JSON pointer → origin.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    map: BTreeMap<String, Origin>,
}

impl Origins {
    /// Record (or replace) where the value at `pointer` came from.
    pub fn record(&mut self, pointer: impl Into<String>, origin: Origin) {
        self.map.insert(pointer.into(), origin);
    }

    /// The origin of the value at `pointer`, or of its closest recorded ancestor.
    pub fn find(&self, pointer: &str) -> Option<Origin> {
        let mut p = pointer;
        loop {
            if let Some(o) = self.map.get(p) {
                return Some(*o);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// The exact entry for `pointer`.
    pub fn get(&self, pointer: &str) -> Option<Origin> {
        self.map.get(pointer).copied()
    }

    /// Remove every entry at or under `pointer`.
    pub fn remove_under(&mut self, pointer: &str) {
        let prefix = format!("{pointer}/");
        self.map
            .retain(|k, _| k != pointer && !k.starts_with(&prefix));
    }

    /// All entries.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Origin)> {
        self.map.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Resolve every origin to `file:line:column`, for output.
    pub fn resolve(&self, sources: &SourceMap) -> BTreeMap<String, crate::Location> {
        self.map
            .iter()
            .map(|(k, o)| (k.clone(), sources.locate(*o)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceId;

    #[test]
    fn find_falls_back_to_the_closest_ancestor() {
        let mut o = Origins::default();
        o.record("/mounts/1", Origin::new(SourceId(0), 5..9));
        assert_eq!(o.find("/mounts/1/target").map(|o| o.start), Some(5));
        assert_eq!(o.find("/mounts/2"), None);
        o.remove_under("/mounts");
        assert!(o.is_empty());
    }
}
