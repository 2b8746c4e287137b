//! Rewrite legacy LXC 1.x/2.x keys to their modern names, in place in the text.
//!
//! Everything else — comments, blank lines, order, spacing, quoting, line endings — stays
//! byte for byte. This is what `lxc-update-config` does, without its bugs (see
//! docs/upgrade.md): `lxc.network.*` is renumbered exactly as liblxc 2.x numbered it
//! (commented-out lines do not count; a subkey before the first `type` is reported, not
//! given index -1), indexed `ipv4`/`ipv6` become `ipv4.address`/`ipv6.address`,
//! `lxc.rootfs.backend` is honoured wherever it is, a rootfs that already has a type prefix
//! is not prefixed twice, and `lxc.limit.*` becomes `lxc.prlimit.*`.

use super::keys::{self, legacy::LEGACY_NETWORK_TYPE, ExactKey as K, Family, ROOTFS_BACKEND};
use super::syntax::{self, LineKind};
use lxconf_model::{Code, Diagnostic, Origin, SourceId};
use std::ops::Range;

/// The rewritten text and what was done that the user should know about.
#[derive(Debug, Clone)]
pub struct Upgraded {
    /// The new text.
    pub text: String,
    /// Notes (removed keys) and errors (keys that could not be placed), located in the
    /// original text.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of lines changed or removed.
    pub changes: usize,
    /// Values of `lxc.include` lines, for `--recursive`.
    pub includes: Vec<String>,
}

/// Whether the path already names its storage type. liblxc (and lxconf's reader) take
/// whatever comes before the first `:` as the type, known or not, so a `:` is enough:
/// prefixing another type would change which one liblxc uses.
fn has_type_prefix(value: &str) -> bool {
    value.contains(':')
}

/// Upgrade one file's text. `source` is used for the diagnostics' locations.
pub fn upgrade(text: &str, source: SourceId) -> Upgraded {
    let lines = syntax::parse(text);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut includes = Vec::new();
    // liblxc 2.x folded lxc.rootfs.backend into the rootfs wherever it appeared.
    let backend = lines.iter().rev().find_map(|l| match &l.kind {
        LineKind::Entry(e) if &text[e.key.clone()] == ROOTFS_BACKEND => {
            Some(text[e.value.clone()].to_string()).filter(|v| !v.is_empty())
        }
        _ => None,
    });
    let mut counter: Option<u32> = None;
    let base = super::lower::legacy_network_base(text);
    let mut changes = 0;
    let whole_line = |range: &Range<usize>| -> Range<usize> {
        // The line and its terminator (\n or \r\n).
        let mut end = range.end;
        let bytes = text.as_bytes();
        if bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        range.start..end
    };
    for line in &lines {
        let LineKind::Entry(e) = &line.kind else {
            continue;
        };
        let key = &text[e.key.clone()];
        let value = &text[e.value.clone()];
        let origin = Origin::new(source, e.key.clone());
        if key == K::Include.name() {
            includes.push(value.to_string());
            continue;
        }
        if keys::REMOVED_KEYS.contains(&key) || key == ROOTFS_BACKEND {
            let why = if key == ROOTFS_BACKEND {
                format!(
                    "`{key}` removed: the type `{value}` now prefixes `{}`",
                    K::RootfsPath
                )
            } else {
                format!(
                    "`{key}` removed: it has had no effect since LXC 2.1 and LXC 3.0 refuses it"
                )
            };
            diagnostics.push(
                Diagnostic::new(Code::L015, why)
                    .at(origin)
                    .help("nothing to do: the line is gone from the output"),
            );
            edits.push((whole_line(&line.range), String::new()));
            changes += 1;
            continue;
        }
        let Some(rename) = keys::legacy_rename(key) else {
            if key == K::RootfsPath.name() {
                if let (Some(b), false) = (&backend, has_type_prefix(value) || value.is_empty()) {
                    edits.push((e.value.clone(), format!("{b}:{value}")));
                    changes += 1;
                }
            }
            continue;
        };
        let modern = if rename.unindexed_network {
            if key == LEGACY_NETWORK_TYPE && value.is_empty() {
                // LXC 2.x: an empty type cleared every interface.
                edits.push((e.key.clone(), Family::Net.prefix().into()));
                changes += 1;
                continue;
            }
            if key == LEGACY_NETWORK_TYPE {
                counter = Some(counter.map_or(base, |n| n + 1));
            }
            match counter {
                Some(n) => rename.modern.replace("{N}", &n.to_string()),
                None => {
                    // LXC 2.x refused this line too ("network is not created"), so it never
                    // had an effect: keep it as a comment rather than invent an interface.
                    diagnostics.push(
                        Diagnostic::new(
                            Code::L012,
                            format!("`{key}` comes before any `{LEGACY_NETWORK_TYPE}`: commented out"),
                        )
                        .severity(lxconf_model::Severity::Warning)
                        .at(origin)
                        .help(format!("LXC 2.x attached it to no interface (lxc-update-config writes the invalid `{}...`); if it belongs to an interface, move it after that interface's `type` line", keys::family::net_key(-1, "", false).trim_end_matches('.'))),
                    );
                    let content = line.content_start..line.range.end;
                    edits.push((
                        content.clone(),
                        format!(
                            "# lxconf upgrade: belonged to no interface: {}",
                            &text[content]
                        ),
                    ));
                    changes += 1;
                    continue;
                }
            }
        } else {
            rename.modern
        };
        edits.push((e.key.clone(), modern.clone()));
        if modern == K::RootfsPath.name() {
            if let (Some(b), false) = (&backend, has_type_prefix(value) || value.is_empty()) {
                edits.push((e.value.clone(), format!("{b}:{value}")));
            }
        }
        changes += 1;
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    Upgraded {
        text: out,
        diagnostics,
        changes,
        includes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(text: &str) -> String {
        upgrade(text, SourceId(0)).text
    }

    #[test]
    fn renames_keep_everything_else() {
        let text = "# lxc.utsname = comment stays\nlxc.utsname   =  web # not a comment\r\n\tlxc.tty = 4\n";
        assert_eq!(
            up(text),
            "# lxc.utsname = comment stays\nlxc.uts.name   =  web # not a comment\r\n\tlxc.tty.max = 4\n"
        );
    }

    #[test]
    fn networks_are_renumbered_like_liblxc_2() {
        let text = "lxc.network.type = veth\nlxc.network.link = br0\n# lxc.network.type = veth\nlxc.network.type = macvlan\nlxc.network.ipv4 = 10.0.0.2/24\nlxc.network.7.ipv6 = fd00::1\n";
        assert_eq!(
            up(text),
            "lxc.net.0.type = veth\nlxc.net.0.link = br0\n# lxc.network.type = veth\nlxc.net.1.type = macvlan\nlxc.net.1.ipv4.address = 10.0.0.2/24\nlxc.net.7.ipv6.address = fd00::1\n"
        );
    }

    #[test]
    fn a_subkey_before_any_type_is_reported_not_invented() {
        let u = upgrade(
            "lxc.network.link = br0\nlxc.network.type = veth\n",
            SourceId(0),
        );
        assert_eq!(
            u.text,
            "# lxconf upgrade: belonged to no interface: lxc.network.link = br0\nlxc.net.0.type = veth\n"
        );
        assert_eq!(u.diagnostics[0].code, Code::L012);
    }

    #[test]
    fn rootfs_backend_anywhere_prefixes_once() {
        assert_eq!(
            up("lxc.rootfs.backend = lvm\nlxc.rootfs = /dev/vg/c1\n"),
            "lxc.rootfs.path = lvm:/dev/vg/c1\n"
        );
        assert_eq!(
            up("lxc.rootfs = overlayfs:/a:/b\nlxc.rootfs.backend = overlayfs\n"),
            "lxc.rootfs.path = overlayfs:/a:/b\n"
        );
        // Found by the upgrade fuzz target: an unknown type before `:` is still the type
        // liblxc reads; prefixing `overlayfs:` would change it.
        assert_eq!(
            up("lxc.rootfs = overlayf':/a:/b\nlxc.rootfs.backend = overlayfs\n"),
            "lxc.rootfs.path = overlayf':/a:/b\n"
        );
    }

    #[test]
    fn limits_and_removed_keys() {
        assert_eq!(
            up("lxc.limit.nofile = 1024\nlxc.pivotdir = lxc_putold\nlxc.kmsg = 0\n"),
            "lxc.prlimit.nofile = 1024\n"
        );
    }

    #[test]
    fn legacy_interfaces_are_numbered_after_modern_ones() {
        assert_eq!(
            up("lxc.net.0.type = veth\nlxc.network.type = veth\nlxc.network.link = br1\nlxc.network.type =\n"),
            "lxc.net.0.type = veth\nlxc.net.1.type = veth\nlxc.net.1.link = br1\nlxc.net =\n"
        );
    }

    #[test]
    fn upgrading_twice_changes_nothing() {
        let once = up("lxc.utsname = a\nlxc.network.type = veth\nlxc.network.ipv4 = 10.0.0.1/8\n");
        let u = upgrade(&once, SourceId(0));
        assert_eq!(u.text, once);
        assert_eq!(u.changes, 0);
    }
}
