//! The table of diagnostic codes.
//!
//! Codes are stable and never reused. The first letter says where a finding comes from:
//! `L` LXC config, `F` fstab, `X` domain XML, `M` model, `C` conversion loss, `R` runner,
//! `S` seccomp policy files, `D` LXD/Incus instance and profile YAML, `I` input limits: an input lxconf refuses to read further because it exceeds a limit
//! (file size, line length, include count or depth, nesting depth) or is not a regular
//! file; the limits are in `lxconf_parse::limits` and docs/lxc-parsing.md.
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
    // L002, L012 and L015 are warnings while reading (lxconf reads and converts legacy
    // files); lint makes them errors unless `lxc-version` is below 3.0 (src/lint/settings.rs).
    L002 = ("legacy-key", Warning, "a LXC 1.x/2.x key that liblxc 3.0 and later refuse"),
    L003 = ("invalid-value", Error, "a value that does not match the key's grammar"),
    L004 = ("missing-equals", Error, "an `lxc.` line without `=`"),
    L005 = ("include-not-found", Error, "an included file that does not exist"),
    L006 = ("include-cycle", Error, "a file that includes itself (liblxc crashes on this)"),
    L007 = ("cap-drop-with-keep", Error, "a capability drop list and keep list mixed"),
    L008 = ("net-subkey-before-type", Error, "a network subkey before the network's `type`"),
    L009 = ("ignored-line", Warning, "a line liblxc ignores because it does not start with `lxc.`"),
    L010 = ("mount-target-outside-rootfs", Warning, "an absolute mount target that LXC ignores"),
    L011 = ("environment-from-host", Warning, "an environment variable given by name only: it copies the parsing host's value"),
    L012 = ("legacy-network-without-type", Warning, "a legacy unindexed network subkey before any legacy network `type` line"),
    L013 = ("ipv4-without-prefix", Warning, "an IPv4 address without a prefix (liblxc computes a wrong one)"),
    L014 = ("non-decimal-number", Warning, "a number written in octal or hexadecimal"),
    L015 = ("removed-key", Warning, "a legacy key with no modern replacement: LXC 2.1 ignored it, 3.0 and later refuse it"),
    L016 = ("type-resets-network", Warning, "a second `type` for a network wipes its earlier settings"),
    L017 = ("include-not-readable", Error, "an included file or directory that cannot be read"),
    L018 = ("fstab-not-found", Warning, "the fstab file the config names does not exist"),
    L019 = ("legacy-network-index-mix", Warning, "indexed and unindexed legacy network keys mixed"),
    L020 = ("value-truncated", Warning, "a value liblxc silently truncates"),
    F001 = ("fstab-too-few-fields", Error, "an fstab line with fewer than four fields"),
    F002 = ("fstab-bad-number", Error, "an fstab dump or pass field that is not a number"),
    F003 = ("fstab-extra-fields", Warning, "an fstab line with more than six fields"),
    F004 = ("fstab-invalid-option", Error, "an fstab option with an invalid value"),
    // --- lint (issue 6): raw-syntax LXC rules and model rules ---
    L021 = ("duplicate-scalar-key", Warning, "a scalar key set twice in one file: only the last value counts"),
    L022 = ("list-cleared-after-set", Warning, "an empty value clears a list key that the same file filled above"),
    L023 = ("cgroup-v1-key", Warning, "a cgroup v1 key: ignored on cgroup2 hosts, refused by LXC 7.0"),
    L024 = ("cgroup-controller-in-both-versions", Warning, "the same controller set through both cgroup v1 and cgroup v2 keys"),
    L025 = ("keyring-session-inverted", Note, "the session keyring key works the opposite way from the manual"),
    L026 = ("comment-in-value", Warning, "a `#` after a value: LXC has no trailing comments, so the comment is part of the value"),
    M040 = ("unsafe-proc-key", Error, "a /proc/PID or /proc/sys key that is not a plain path below it (`/`, `..` or an empty part)"),
    M041 = ("reserved-id", Error, "an init uid, gid or supplementary group of 4294967295, which the kernel reads as -1 (\"unchanged\"): init would stay root"),
    M001 = ("model-unreadable", Error, "a model document that is not valid JSON or YAML"),
    M002 = ("model-schema-violation", Error, "a model document that does not match the lxconf JSON Schema"),
    M003 = ("idmap-overlap", Error, "two id mappings of the same kind overlap"),
    M004 = ("idmap-root-not-mapped", Error, "id mappings that leave the container's root (id 0) unmapped"),
    M005 = ("idmap-kind-missing", Error, "uid mappings without gid mappings, or the reverse"),
    M006 = ("privileged-container", Note, "a container without id mappings: root inside is root on the host"),
    M007 = ("mount-target-escapes-rootfs", Error, "a mount target with `..` that can point outside the container"),
    M008 = ("tmpfs-relative-size", Warning, "a tmpfs size relative to host memory (`size=50%`): libvirt cannot express it"),
    M009 = ("tmpfs-without-size", Warning, "a tmpfs mount without `size=`: libvirt needs a size"),
    M010 = ("hwaddr-multicast", Error, "a network interface with a multicast MAC address"),
    M011 = ("hwaddr-duplicate", Error, "two network interfaces with the same MAC address"),
    M012 = ("network-without-link", Error, "a veth, macvlan, ipvlan, vlan or phys interface without `link`"),
    M013 = ("vlan-without-id", Error, "a vlan interface without `vlan.id`"),
    M014 = ("gateway-outside-subnet", Error, "a gateway that is not in the subnet of any address of the interface"),
    M015 = ("mtu-out-of-range", Error, "an MTU outside 68..65535 (1280..65535 with IPv6)"),
    M016 = ("network-index-gap", Warning, "network indices with a gap (0 and 2 without 1)"),
    M017 = ("memory-soft-above-hard", Warning, "a soft memory limit above the hard limit"),
    M018 = ("swap-below-memory", Error, "a memory+swap limit below the memory limit"),
    M019 = ("cpu-quota-without-period", Warning, "a CPU quota without an explicit period"),
    M020 = ("invalid-cpuset", Error, "a cpuset list that is not a list of numbers and ranges"),
    M021 = ("init-not-absolute", Warning, "an init command that is not an absolute path"),
    M022 = ("apparmor-unconfined", Warning, "the container runs without AppArmor confinement"),
    M023 = ("hook-not-executable", Error, "a hook program that does not exist or is not executable (`--host`)"),
    M024 = ("no-proc-mount", Warning, "the container gets no `/proc` (no proc automount and no proc mount)"),
    M025 = ("duplicate-mount-target", Warning, "two mounts on the same target"),
    M026 = ("mount-target-not-absolute", Error, "a mount target that is not an absolute path"),
    M027 = ("init-missing", Error, "no init command (a libvirt `exe` guest without `<init>`)"),
    M028 = ("duplicate-interface-name", Error, "two network interfaces with the same name in the container"),
    M029 = ("prlimit-soft-above-hard", Error, "a process limit whose soft value exceeds its hard value"),
    M030 = ("environment-variable-set-twice", Warning, "an environment variable set twice: only the last value counts"),
    M031 = ("rootfs-not-found", Error, "the rootfs directory does not exist on this host (`--host`)"),
    M032 = ("bind-source-not-found", Warning, "a bind mount source that does not exist on this host (`--host`)"),
    M033 = ("memory-min-above-limit", Warning, "a guaranteed memory amount above the hard limit"),
    M034 = ("sysctl-outside-namespace", Warning, "a sysctl that is not namespaced: writing it inside the container fails"),
    M035 = ("name-not-a-file-name", Error, "a container name (or a hostname used as one) that is not one safe path component: empty, `.`, `..`, a `/`, a NUL or a control character"),
    // --- end of lint block ---
    X001 = ("xml-syntax-error", Error, "domain XML that is not well-formed"),
    X002 = ("xml-kept-verbatim", Warning, "a domain XML element lxconf does not model (kept verbatim)"),
    X003 = ("xml-invalid-value", Error, "a domain XML value that does not match its grammar"),
    X004 = ("xml-unsupported-by-lxc-driver", Error, "a domain XML element libvirt's LXC driver rejects"),
    X005 = ("xml-exe-without-init", Error, "an exe guest without <init>"),
    X006 = ("xml-unknown-filesystem-type", Error, "a filesystem type libvirt does not know"),
    X007 = ("xml-invalid-mac", Error, "an interface MAC address that is not a unicast address"),
    // --- input limits (issue 12) ---
    I001 = ("input-too-large", Error, "a file larger than lxconf reads (16 MiB), or files that add up to more than 32 MiB"),
    I002 = ("input-not-regular-file", Error, "an included or fstab file that is not a regular file (a device, FIFO or socket)"),
    I003 = ("line-too-long", Error, "a line longer than 64 KiB in an LXC config or fstab file"),
    I004 = ("too-many-includes", Error, "a configuration that includes more than 1,000 files in all"),
    I005 = ("include-too-deep", Error, "includes nested more than 32 levels deep"),
    I006 = ("nesting-too-deep", Error, "domain XML or a model document nested more than 100 levels deep"),
    X008 = ("xml-invalid-utf8", Error, "domain XML with bytes that are not UTF-8"),
    X009 = ("xml-duplicate-element", Warning, "an element libvirt reads once, given twice: libvirt uses the first"),
    X010 = ("xml-unsupported-encoding", Error, "domain XML in an encoding other than UTF-8, UTF-16 or UTF-32"),
    X011 = ("xml-uuid-generated", Note, "a domain without <uuid>: libvirt generates a random one at define time, lxconf derives one from the name"),
    // --- end of input limits block ---
    // --- seccomp policies (issue 15): the file `lxc.seccomp.profile` names ---
    S001 = ("seccomp-invalid-line", Error, "a seccomp policy line liblxc refuses: the container does not start"),
    S002 = ("seccomp-policy-not-read", Warning, "the seccomp policy file cannot be read: liblxc loads the config but the container does not start"),
    S003 = ("seccomp-unknown-syscall", Warning, "a system call name no architecture has: liblxc ignores the rule"),
    S004 = ("seccomp-notify-without-proxy", Warning, "a `notify` action without a seccomp notify proxy to answer it"),
    S005 = ("seccomp-unknown-arch", Error, "an `[arch]` section liblxc does not know: it refuses the policy"),
    I007 = ("seccomp-policy-too-long", Error, "a seccomp policy with more than 10,000 lines"),
    C101 = ("lxc-cannot-express", Warning, "a setting an LXC config cannot express (lost in conversion)"),
    C102 = ("lxc-conversion-note", Note, "a setting whose meaning changes slightly in an LXC config"),
    C103 = ("lxc-value-not-writable", Error, "a value an LXC config or fstab line cannot carry (line break, NUL, a space inside a word): refused, never written"),
    C207 = ("libvirt-value-not-writable", Error, "a value domain XML cannot carry (a control character XML 1.0 forbids, a kept fragment that is not one element): refused, never written"),
    C201 = ("libvirt-memory-required", Warning, "libvirt enforces <memory>, which an unlimited LXC container does not have"),
    C202 = ("libvirt-tmpfs-size", Error, "a tmpfs size libvirt cannot express (relative, or missing)"),
    C203 = ("libvirt-domain-name", Note, "the domain name is not the container's hostname"),
    C301 = ("libvirt-cannot-express", Warning, "a setting libvirt domain XML cannot express (lost in conversion)"),
    C302 = ("libvirt-behaves-differently", Note, "libvirt behaviour the LXC container did not have"),
    C204 = ("libvirt-console-required", Warning, "libvirt requires a console the LXC container did not have"),
    C205 = ("libvirt-too-many-consoles", Error, "more ttys than libvirt can carry as consoles in one domain XML"),
    C206 = ("libvirt-idmap-incomplete", Error, "id mappings libvirt refuses: uid without gid maps (or the reverse), or root unmapped"),
    // --- runner ---
    R001 = ("seccomp-profile-not-applied", Warning, "a seccomp profile, or a part of it, `lxconf run` does not apply as liblxc does (a policy that was not read, x32 calls, `notify` rules)"),
    R002 = ("apparmor-profile-not-applied", Warning, "`lxconf run` does not apply the AppArmor profile: the container runs unconfined by AppArmor"),
    R003 = ("selinux-context-not-applied", Warning, "`lxconf run` does not apply the SELinux context"),
    R004 = ("hooks-not-run", Warning, "`lxconf run` does not run a network script, or hooks with `--no-hooks`"),
    R005 = ("host-devices-not-passed", Warning, "`lxconf run` does not pass host devices into the container"),
    R006 = ("init-user-name-not-resolved", Warning, "`lxconf run` does not resolve an init user or group given by name: the numeric ids are used"),
    R007 = ("network-setting-not-applied", Warning, "a network setting `lxconf run` does not apply (veth router mode, host-side routes, gateway `auto`, vlans, queue counts, ipvlan isolation, l2proxy, libvirt networks)"),
    R008 = ("mount-setting-not-applied", Warning, "a mount setting `lxconf run` does not apply (rootfs options, cgroup v1 automounts, libvirt's /proc/meminfo)"),
    R009 = ("setting-not-applied", Warning, "another setting `lxconf run` does not apply (ttys, a hostname with a shared UTS namespace)"),
    R012 = ("host-interface-exists", Error, "a veth host name that already names a host interface: the run stops and leaves that interface alone"),
    R013 = ("stale-cgroup-removed", Note, "an empty `lxconf.payload.*` cgroup left by a run whose runner is gone, removed by the next run"),
    R014 = ("cannot-plan", Error, "a model the runner cannot plan (no command, an escaping mount target, an unsupported setting...)"),
    R015 = ("phys-link-not-returned", Warning, "a `phys` interface that could not be given back to the host when the container ended"),
    // --- LXD/Incus instance and profile YAML (issue 16): the reader's D codes ---
    D001 = ("lxd-not-yaml", Error, "an LXD/Incus instance or profile file that is not YAML, or not the shape `lxc config show` prints"),
    D002 = ("lxd-unknown-field", Warning, "a top-level field `lxc config show` and `lxc profile show` never print: LXD ignores it"),
    D003 = ("lxd-unknown-key", Error, "a config key LXD does not know (\"Unknown configuration key\")"),
    D004 = ("lxd-vm-only-key", Error, "a virtual-machine-only config key in a container's own config"),
    D005 = ("lxd-invalid-value", Error, "a config value that does not match the key's grammar (bool, size, CPU set, priority...)"),
    D006 = ("lxd-exclusive-keys", Error, "two config keys LXD refuses together (an alias and its old name, raw.seccomp and security.syscalls.*)"),
    D007 = ("lxd-raw-lxc-line", Error, "a `raw.lxc` line without `=` (or only blanks): LXD refuses the instance"),
    D008 = ("lxd-raw-lxc-refused", Error, "an LXC key LXD does not let `raw.lxc` set (log file, syslog, ephemeral, prlimits, most network keys)"),
    D009 = ("lxd-device-name", Error, "a device name LXD refuses"),
    D010 = ("lxd-device-type", Error, "a device without a type, or of a type (or NIC type) LXD does not know"),
    D011 = ("lxd-device-option", Error, "a device option the device's type does not accept, or a value it refuses"),
    D012 = ("lxd-root-disk", Error, "no root disk (`path: /`) with a `pool`, or more than one"),
    D013 = ("lxd-profile-not-given", Warning, "a profile the instance names but that was not given with `--profile`: the model holds the instance's own config only"),
    D014 = ("lxd-assumed", Note, "what the reader assumes about the LXD host (the idmap of an unprivileged container, a cgroup layout, a percentage of host memory)"),
    D015 = ("lxd-too-many-values", Error, "a YAML file with more than 100,000 values (aliases counted as copies)"),
    D016 = ("lxd-instance-only-key", Error, "a `volatile.*` or `image.*` key in a profile: LXD allows them on instances only"),
    D017 = ("lxd-no-instance-name", Warning, "no instance name LXD accepts: the model has no name"),
    // --- end of LXD reader block ---
    // --- conversion to LXD/Incus (issue 16): the writer's C4xx codes ---
    C401 = ("lxd-cannot-express", Warning, "a setting an LXD/Incus instance cannot express, natively or in raw.lxc (lost in conversion)"),
    C402 = ("lxd-behaves-differently", Note, "LXD/Incus behaviour the LXC container did not have, or a step the migration needs"),
    C403 = ("lxd-value-not-writable", Error, "a value the instance YAML or its raw.lxc cannot carry: refused, never written"),
    C404 = ("lxd-instance-name", Warning, "a container name LXD refuses as an instance name (not a hostname)"),
    // --- end of LXD writer block ---
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
