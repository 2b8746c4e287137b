//! Differences between two models, as JSON pointers with both values.
//!
//! Used to report what a conversion changed (emit, re-read, compare) and by the static
//! equivalence check. Lists are compared element by element, since order matters for
//! mounts, environment and hooks; a list of different length reports the extra elements.

use crate::Container;
use serde_json::Value;

/// One difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// JSON pointer of the differing value (`/mounts/2/readonly`).
    pub pointer: String,
    /// Value in the first model (`null` when absent).
    pub left: Value,
    /// Value in the second model (`null` when absent).
    pub right: Value,
}

/// Every difference between two models, in pointer order.
pub fn diff(left: &Container, right: &Container) -> Vec<Difference> {
    let l = serde_json::to_value(left).unwrap_or(Value::Null);
    let r = serde_json::to_value(right).unwrap_or(Value::Null);
    let mut out = Vec::new();
    walk("", &l, &r, &mut out);
    out
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn walk(pointer: &str, l: &Value, r: &Value, out: &mut Vec<Difference>) {
    match (l, r) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{pointer}/{}", escape(k));
                walk(
                    &p,
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => walk_list(pointer, a, b, out),
        // A list left out of the JSON (empty) against a list.
        (Value::Null, Value::Array(_)) => walk(pointer, &Value::Array(Vec::new()), r, out),
        (Value::Array(_), Value::Null) => walk(pointer, l, &Value::Array(Vec::new()), out),
        _ if l != r => out.push(Difference {
            pointer: if pointer.is_empty() {
                "/".into()
            } else {
                pointer.into()
            },
            left: l.clone(),
            right: r.clone(),
        }),
        _ => {}
    }
}

/// Compare two lists element by element after aligning them: a conversion that drops one
/// mount must report that mount, not every mount after it. The same elements on both sides
/// (equal, or with the same identity field) are matched (a longest common subsequence) and
/// compared field by field; between matches, the remaining elements are compared in pairs,
/// and the extra ones are reported as removed (at their left index) or added (at their
/// right index).
fn walk_list(pointer: &str, a: &[Value], b: &[Value], out: &mut Vec<Difference>) {
    let at = |i: Option<usize>, j: Option<usize>, out: &mut Vec<Difference>| {
        let index = i.or(j).unwrap_or(0);
        walk(
            &format!("{pointer}/{index}"),
            i.and_then(|i| a.get(i)).unwrap_or(&Value::Null),
            j.and_then(|j| b.get(j)).unwrap_or(&Value::Null),
            out,
        );
    };
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in aligned(a, b).into_iter().chain([(a.len(), b.len())]) {
        // Pair what lies between the previous match and this one.
        while i < mi && j < mj {
            at(Some(i), Some(j), out);
            (i, j) = (i + 1, j + 1);
        }
        for k in i..mi {
            at(Some(k), None, out);
        }
        for k in j..mj {
            at(None, Some(k), out);
        }
        // The matched pair itself: the same element, perhaps with a field changed.
        if mi < a.len() && mj < b.len() {
            at(Some(mi), Some(mj), out);
        }
        (i, j) = (mi + 1, mj + 1);
    }
}

/// Fields that name a list element, tried in order; the first set both elements have
/// decides: a mount with its options changed is still the mount on the same target.
const IDENTITY_FIELDS: &[&[&str]] = &[
    &["target"],
    &["name"],
    &["type", "link"],
    &["resource"],
    &["key"],
];

/// Whether two list elements are the same element (equal, or the same identity fields).
fn same_item(x: &Value, y: &Value) -> bool {
    if x == y {
        return true;
    }
    let (Value::Object(a), Value::Object(b)) = (x, y) else {
        return false;
    };
    IDENTITY_FIELDS
        .iter()
        .find(|fields| {
            fields
                .iter()
                .all(|f| a.contains_key(*f) && b.contains_key(*f))
        })
        .is_some_and(|fields| fields.iter().all(|f| a.get(*f) == b.get(*f)))
}

/// Largest list middle aligned exactly; longer middles are compared by position (the
/// alignment costs their product in time and memory).
const MAX_ALIGNED: usize = 256;

/// Index pairs of the same elements, in order: the common prefix and suffix, and a longest
/// common subsequence of what lies between when it is small enough.
fn aligned(a: &[Value], b: &[Value]) -> Vec<(usize, usize)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| same_item(x, y)).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| same_item(x, y))
        .count();
    let (ma, mb) = (&ra[..ra.len() - suffix], &rb[..rb.len() - suffix]);
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|k| (k, k)).collect();
    if ma.len() <= MAX_ALIGNED && mb.len() <= MAX_ALIGNED {
        let lcs = common_subsequence(ma, mb);
        pairs.extend(lcs.into_iter().map(|(x, y)| (x + prefix, y + prefix)));
    }
    let (ea, eb) = (a.len() - suffix, b.len() - suffix);
    pairs.extend((0..suffix).map(|k| (ea + k, eb + k)));
    pairs
}

/// A longest common subsequence of two short lists, as index pairs.
fn common_subsequence(a: &[Value], b: &[Value]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    // len[i][j]: LCS length of a[i..] and b[j..].
    let mut len = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i][j] = if same_item(&a[i], &b[j]) {
                len[i + 1][j + 1] + 1
            } else {
                len[i + 1][j].max(len[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < n && j < m {
        if same_item(&a[i], &b[j]) {
            pairs.push((i, j));
            (i, j) = (i + 1, j + 1);
        } else if len[i + 1][j] >= len[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EnvVar;

    #[test]
    fn equal_models_have_no_difference() {
        assert!(diff(&Container::default(), &Container::default()).is_empty());
    }

    #[test]
    fn differences_are_pointed_at() {
        let a = Container::default();
        let mut b = Container {
            hostname: Some("x".into()),
            ..Container::default()
        };
        b.init.env.push(EnvVar {
            name: "A".into(),
            value: Some("1".into()),
        });
        let d = diff(&a, &b);
        let pointers: Vec<&str> = d.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/hostname", "/init/env/0"]);
    }

    #[test]
    fn a_dropped_element_is_the_only_difference() {
        let mut a = Container::default();
        for name in ["A", "B", "C", "D"] {
            a.init.env.push(EnvVar {
                name: name.into(),
                value: None,
            });
        }
        let mut b = a.clone();
        b.init.env.remove(1);
        let d = diff(&a, &b);
        let pointers: Vec<&str> = d.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/init/env/1"]);
        // A changed element is still compared field by field.
        let mut c = a.clone();
        c.init.env[2].value = Some("x".into());
        let d = diff(&a, &c);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pointer, "/init/env/2/value");
    }
}
