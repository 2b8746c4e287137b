//! Rules on the raw lines of an LXC file: what the model no longer shows (a scalar set
//! twice, a list cleared after being filled) and key-level advice.

use crate::lint::{Check, Fixable, LxcFile, RuleDef};
use lxconf_model::{Code, Diagnostic, Fix};
use lxconf_parse::lxc::entries::{arity, Arity};
use lxconf_parse::lxc::keys::{self, ExactKey, Family, Key};

/// The raw-syntax rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::L021,
        fixable: Fixable::Safe,
        check: Check::Lxc(duplicate_scalar_key),
    },
    RuleDef {
        code: Code::L022,
        fixable: Fixable::No,
        check: Check::Lxc(list_cleared_after_set),
    },
    RuleDef {
        code: Code::L023,
        fixable: Fixable::Unsafe,
        check: Check::Lxc(cgroup_v1_key),
    },
    RuleDef {
        code: Code::L024,
        fixable: Fixable::No,
        check: Check::Lxc(cgroup_both_versions),
    },
    RuleDef {
        code: Code::L025,
        fixable: Fixable::No,
        check: Check::Lxc(keyring_session),
    },
    RuleDef {
        code: Code::L026,
        fixable: Fixable::Sometimes,
        check: Check::Lxc(comment_in_value),
    },
];

fn canonical<'a>(e: &'a lxconf_parse::lxc::entries::RawEntry<'_>) -> &'a str {
    e.modern.as_deref().unwrap_or(e.key)
}

fn duplicate_scalar_key(file: &LxcFile<'_>, out: &mut Vec<Diagnostic>) {
    for (i, e) in file.entries.iter().enumerate() {
        let name = canonical(e);
        if arity(&keys::classify(name)) != Arity::Scalar {
            continue;
        }
        let Some(later) = file.entries[i + 1..].iter().find(|l| canonical(l) == name) else {
            continue;
        };
        let what = if later.value.is_empty() {
            "reset to its default".to_string()
        } else if later.value == e.value {
            "set to the same value again".to_string()
        } else {
            format!("set again to `{}`", later.value)
        };
        out.push(
            Diagnostic::new(
                Code::L021,
                format!("`{name}` is {what} below: this line has no effect"),
            )
            .at_labelled(file.origin(e.line.clone()), "overridden below")
            .also(file.origin(later.line.clone()), "the value in force")
            .help("liblxc keeps the last value of a scalar key; delete this line")
            .fix(Fix {
                description: "delete the overridden line".into(),
                origin: file.origin(file.line_with_newline(&e.line)),
                replacement: String::new(),
                safe: true,
            }),
        );
    }
}

fn list_cleared_after_set(file: &LxcFile<'_>, out: &mut Vec<Diagnostic>) {
    for (i, e) in file.entries.iter().enumerate() {
        if !e.value.is_empty() {
            continue;
        }
        let name = canonical(e);
        if arity(&keys::classify(name)) != Arity::List {
            continue;
        }
        let earlier: Vec<_> = file.entries[..i]
            .iter()
            .filter(|p| canonical(p) == name && !p.value.is_empty())
            .collect();
        // Only entries after the previous clear are thrown away.
        let last_clear = file.entries[..i]
            .iter()
            .rposition(|p| canonical(p) == name && p.value.is_empty());
        let earlier: Vec<_> = earlier
            .into_iter()
            .filter(|p| last_clear.is_none_or(|c| p.line.start > file.entries[c].line.start))
            .collect();
        if earlier.is_empty() {
            continue;
        }
        let mut d = Diagnostic::new(
            Code::L022,
            format!(
                "this empty `{name}` clears the {} entr{} set above in this file",
                earlier.len(),
                if earlier.len() == 1 { "y" } else { "ies" }
            ),
        )
        .at_labelled(file.origin(e.line.clone()), "clears the list")
        .help("delete the entries above, or this line if they should stay");
        for p in earlier.iter().take(3) {
            d = d.also(file.origin(p.line.clone()), "thrown away");
        }
        out.push(d);
    }
}

/// The cgroup2 file that replaces a v1 file with the same value grammar, if any.
fn v2_name(v1: &str) -> Option<&'static str> {
    Some(match v1 {
        "memory.limit_in_bytes" => "memory.max",
        "memory.soft_limit_in_bytes" => "memory.high",
        "cpuset.cpus" => "cpuset.cpus",
        "cpuset.mems" => "cpuset.mems",
        "devices.allow" => "devices.allow",
        "devices.deny" => "devices.deny",
        "pids.max" => "pids.max",
        _ => return None,
    })
}

fn cgroup_v1_key(file: &LxcFile<'_>, out: &mut Vec<Diagnostic>) {
    for e in &file.entries {
        let Key::Cgroup1(sub) = e.class else {
            continue;
        };
        let mut d = Diagnostic::new(Code::L023, format!("`{}` is a cgroup v1 key", e.key))
            .at(file.origin(e.key_range.clone()));
        match v2_name(sub) {
            Some(v2) => {
                let modern = Family::Cgroup2.key(v2);
                d = d
                    .help(format!("on cgroup2 hosts and with LXC 7.0 use `{modern}`"))
                    .fix(Fix {
                        description: format!("rename to `{modern}`"),
                        origin: file.origin(e.key_range.clone()),
                        replacement: modern,
                        safe: false,
                    });
            }
            None => {
                d = d.help(format!("translate it to its `{}` equivalent (see the cgroup v2 documentation of the controller)", Family::Cgroup2.key("*")));
            }
        }
        out.push(d);
    }
}

fn controller(file: &str) -> &str {
    file.split('.').next().unwrap_or(file)
}

fn cgroup_both_versions(file: &LxcFile<'_>, out: &mut Vec<Diagnostic>) {
    let v2: Vec<_> = file
        .entries
        .iter()
        .filter_map(|e| match e.class {
            Key::Cgroup2(s) => Some((controller(s), e)),
            _ => None,
        })
        .collect();
    let mut seen = Vec::new();
    for e in &file.entries {
        let Key::Cgroup1(sub) = e.class else {
            continue;
        };
        let c = controller(sub);
        if seen.contains(&c) {
            continue;
        }
        if let Some((_, other)) = v2.iter().find(|(c2, _)| *c2 == c) {
            seen.push(c);
            out.push(
                Diagnostic::new(
                    Code::L024,
                    format!(
                        "the `{c}` controller is set through both `{}` and `{}`",
                        Family::Cgroup1.prefix(),
                        Family::Cgroup2.prefix()
                    ),
                )
                .at_labelled(file.origin(e.key_range.clone()), "cgroup v1")
                .also(file.origin(other.key_range.clone()), "cgroup v2")
                .help(format!(
                    "each line applies only on its own hierarchy; keep the `{}` one",
                    Family::Cgroup2.prefix()
                )),
            );
        }
    }
}

fn keyring_session(file: &LxcFile<'_>, out: &mut Vec<Diagnostic>) {
    for e in &file.entries {
        if e.class != Key::Exact(ExactKey::KeyringSession) || e.value.is_empty() {
            continue;
        }
        let meaning = if e.value.trim() == "0" {
            "`0` creates a session keyring"
        } else {
            "a non-zero value disables the session keyring"
        };
        out.push(
            Diagnostic::new(
                Code::L025,
                format!(
                    "`{}` is inverted in liblxc: {meaning}",
                    ExactKey::KeyringSession
                ),
            )
            .at(file.origin(e.line.clone()))
            .help("the manual says the opposite; state the intent in a comment"),
        );
    }
}

/// Where a comment starts in a raw value (quotes included): a `#` at its start or after
/// whitespace, outside quotes. A `#` inside a word (`A=b#c`, a URL fragment) or inside
/// quotes (`sh -c "echo # x"`, which liblxc splits quote-aware) is taken as meant.
fn comment_start(raw: &str) -> Option<usize> {
    let mut quote = None;
    let mut after_space = true;
    for (i, c) in raw.char_indices() {
        match (quote, c) {
            (None, '#') if after_space => return Some(i),
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        after_space = c.is_whitespace();
    }
    None
}

fn comment_in_value(file: &LxcFile<'_>, out: &mut Vec<Diagnostic>) {
    for e in &file.entries {
        let raw = &file.text[e.value_range.clone()];
        let Some(at) = comment_start(raw) else {
            continue;
        };
        let hash = e.value_range.start + at;
        let comment = file.text[hash..e.line.end].trim_end();
        let kept = file.text[e.line.start..hash].trim_end();
        let line = &file.text[e.line.clone()];
        let indent = &line[..line.len() - line.trim_start().len()];
        let newline = if file.text[e.line.end..].starts_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        // Without the comment the value is what the author meant, except where it is
        // data (an environment value may hold a `#`) or where nothing is left: an empty
        // value resets the key or clears its list.
        let left = &file.text[e.value_range.start..hash];
        // A line with bytes that are not UTF-8 (read as U+FFFD) cannot be written back as
        // it was: `--fix` leaves it alone.
        let safe = e.class != Key::Exact(ExactKey::Environment)
            && !left.trim().is_empty()
            && !line.contains(char::REPLACEMENT_CHARACTER);
        out.push(
            Diagnostic::new(
                Code::L026,
                format!(
                    "`{comment}` is part of the value of `{}`: LXC has no trailing comments",
                    e.key
                ),
            )
            .at_labelled(
                file.origin(hash..hash + comment.len()),
                "liblxc reads this as value",
            )
            .help("put the comment on a line of its own above the entry")
            .fix(Fix {
                description: "move the comment to its own line above the entry".into(),
                origin: file.origin(e.line.clone()),
                replacement: format!("{indent}{comment}{newline}{kept}"),
                safe,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::comment_start;

    #[test]
    fn a_comment_starts_at_a_hash_after_whitespace_outside_quotes() {
        assert_eq!(comment_start("/sbin/tini -- /init # comment"), Some(20));
        assert_eq!(comment_start("br0\t#bridge"), Some(4));
        assert_eq!(comment_start("# nothing else"), Some(0));
        assert_eq!(comment_start("A=b#c"), None);
        assert_eq!(comment_start("http://example.org/x#frag"), None);
        assert_eq!(comment_start("/bin/sh -c \"echo # not a comment\""), None);
        assert_eq!(comment_start("'a # b' # c"), Some(8));
        assert_eq!(comment_start("\"unterminated # x"), None);
        assert_eq!(comment_start(""), None);
    }
}
