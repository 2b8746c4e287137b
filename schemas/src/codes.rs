//! The table of diagnostic codes.
//!
//! Codes are stable and never reused. The first letter says where a finding comes from:
//! `L` LXC config, `F` fstab, `X` domain XML, `M` model, `C` conversion loss, `R` runner.
//! `docs/rules/` is generated from this table.

use crate::diag::Severity;

/// Static facts about a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code, e.g. `L001`.
    pub code: &'static str,
    /// A kebab-case name that describes the pattern flagged (`unknown-key`).
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
}

macro_rules! codes {
    ($( $variant:ident = ($name:literal, $sev:ident, $summary:literal), )*) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// Static facts about this code.
            pub fn info(self) -> &'static CodeInfo {
                match self {
                    $(Code::$variant => &CodeInfo {
                        code: stringify!($variant),
                        name: $name,
                        severity: Severity::$sev,
                        summary: $summary,
                    },)*
                }
            }
        }
    };
}

codes! {
    L001 = ("unknown-key", Error, "a key under `lxc.` that liblxc does not know"),
    L002 = ("legacy-key", Warning, "a LXC 1.x/2.x key that liblxc 3.0 and later refuse"),
    L003 = ("invalid-value", Error, "a value that does not match the key's grammar"),
    L004 = ("missing-equals", Error, "an `lxc.` line without `=`"),
    L005 = ("include-not-found", Error, "an included file that does not exist"),
    L006 = ("include-cycle", Error, "a file that includes itself (liblxc crashes on this)"),
    L007 = ("cap-drop-with-keep", Error, "`lxc.cap.drop` and `lxc.cap.keep` mixed"),
    L008 = ("net-subkey-before-type", Error, "a network subkey before the network's `type`"),
    L009 = ("ignored-line", Warning, "a line liblxc ignores because it does not start with `lxc.`"),
    L010 = ("mount-target-outside-rootfs", Warning, "an absolute mount target that LXC ignores"),
    L011 = ("environment-from-host", Warning, "`lxc.environment = NAME` copies the parsing host's value"),
    L012 = ("legacy-network-without-type", Warning, "a legacy `lxc.network.*` subkey before any `lxc.network.type`"),
    L013 = ("ipv4-without-prefix", Warning, "an IPv4 address without a prefix (liblxc computes a wrong one)"),
    L014 = ("non-decimal-number", Warning, "a number written in octal or hexadecimal"),
    L015 = ("removed-key", Warning, "a legacy key that has no modern replacement and is ignored"),
    L016 = ("type-resets-network", Warning, "a second `type` for a network wipes its earlier settings"),
    L017 = ("include-not-readable", Error, "an included file or directory that cannot be read"),
    L018 = ("fstab-not-found", Warning, "the `lxc.mount.fstab` file does not exist"),
    L019 = ("legacy-network-index-mix", Warning, "indexed and unindexed legacy network keys mixed"),
    L020 = ("value-truncated", Warning, "a value liblxc silently truncates"),
    F001 = ("fstab-too-few-fields", Error, "an fstab line with fewer than four fields"),
    F002 = ("fstab-bad-number", Error, "an fstab dump or pass field that is not a number"),
    F003 = ("fstab-extra-fields", Warning, "an fstab line with more than six fields"),
    F004 = ("fstab-invalid-option", Error, "an fstab option with an invalid value"),
    X001 = ("xml-syntax-error", Error, "domain XML that is not well-formed"),
    X002 = ("xml-kept-verbatim", Warning, "a domain XML element lxconf does not model (kept verbatim)"),
    X003 = ("xml-invalid-value", Error, "a domain XML value that does not match its grammar"),
    X004 = ("xml-unsupported-by-lxc-driver", Error, "a domain XML element libvirt's LXC driver rejects"),
    X005 = ("xml-exe-without-init", Error, "an exe guest without <init>"),
    X006 = ("xml-unknown-filesystem-type", Error, "a filesystem type libvirt does not know"),
    X007 = ("xml-invalid-mac", Error, "an interface MAC address that is not a unicast address"),
    M001 = ("invalid-model-document", Error, "a model document (JSON) that does not match the model"),
    C101 = ("lxc-cannot-express", Warning, "a setting an LXC config cannot express (lost in conversion)"),
    C102 = ("lxc-conversion-note", Note, "a setting whose meaning changes slightly in an LXC config"),
    C201 = ("libvirt-memory-required", Warning, "libvirt enforces <memory>, which an unlimited LXC container does not have"),
    C202 = ("libvirt-tmpfs-size", Error, "a tmpfs size libvirt cannot express (relative, or missing)"),
    C203 = ("libvirt-domain-name", Note, "the domain name is not lxc.uts.name"),
    C301 = ("libvirt-cannot-express", Warning, "a setting libvirt domain XML cannot express (lost in conversion)"),
    C302 = ("libvirt-behaves-differently", Note, "libvirt behaviour the LXC container did not have"),
    C204 = ("libvirt-console-required", Warning, "libvirt requires a console the LXC container did not have"),
}

impl Code {
    /// The code as text (`L001`).
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    /// Look a code up by its text or its name.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.info().code.eq_ignore_ascii_case(text) || c.info().name == text)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for c in Code::ALL {
            assert!(codes.insert(c.info().code), "duplicate code {c}");
            assert!(
                names.insert(c.info().name),
                "duplicate name {}",
                c.info().name
            );
        }
    }

    #[test]
    fn codes_parse_from_code_or_name() {
        assert_eq!(Code::parse("l001"), Some(Code::L001));
        assert_eq!(Code::parse("unknown-key"), Some(Code::L001));
        assert_eq!(Code::parse("nope"), None);
    }
}
