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
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                walk(
                    &format!("{pointer}/{i}"),
                    a.get(i).unwrap_or(&Value::Null),
                    b.get(i).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
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
}
