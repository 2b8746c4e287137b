//! Applying fixes: edits are spliced from the end of the text and overlapping edits are left
//! for the next round. Files are written by `crate::output::write`.

use lxconf_model::{Fix, SourceId};

/// Apply the fixes that touch `source` to `text`. Returns the new text and the number of
/// fixes applied; fixes overlapping an earlier one are skipped (the next round gets them).
pub fn apply<'f>(
    text: &str,
    source: SourceId,
    fixes: impl IntoIterator<Item = &'f Fix>,
) -> (String, usize) {
    let mut edits: Vec<&Fix> = fixes
        .into_iter()
        .filter(|f| f.origin.source == source && f.origin.end as usize <= text.len())
        .collect();
    edits.sort_by_key(|f| (f.origin.start, f.origin.end));
    let mut kept: Vec<&Fix> = Vec::new();
    for f in edits {
        if kept.last().is_some_and(|k| {
            f.origin.start < k.origin.end
                || (f.origin.start == k.origin.start && f.origin.is_empty())
        }) {
            continue;
        }
        if kept
            .iter()
            .any(|k| k.origin == f.origin && k.replacement == f.replacement)
        {
            continue;
        }
        kept.push(f);
    }
    let mut out = text.to_string();
    for f in kept.iter().rev() {
        if out.is_char_boundary(f.origin.start as usize)
            && out.is_char_boundary(f.origin.end as usize)
        {
            out.replace_range(f.origin.range(), &f.replacement);
        }
    }
    (out, kept.len())
}

/// A unified diff of a fix, for `--diff`.
pub fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lxconf_model::Origin;

    fn fix(start: usize, end: usize, text: &str) -> Fix {
        Fix {
            description: String::new(),
            origin: Origin::new(SourceId(0), start..end),
            replacement: text.into(),
            safe: true,
        }
    }

    #[test]
    fn edits_apply_from_the_end_and_overlaps_wait() {
        let fixes = [fix(0, 3, "xyz"), fix(4, 7, ""), fix(5, 6, "!")];
        let (out, n) = apply("abc defg", SourceId(0), &fixes);
        assert_eq!((out.as_str(), n), ("xyz g", 2));
    }
}
