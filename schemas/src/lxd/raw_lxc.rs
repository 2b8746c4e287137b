//! What LXD 5.0 refuses in `raw.lxc` (`lxd/instance/instance_utils.go: lxcValidConfig`),
//! checked in LXD's order. The keys come from the LXC key table, so the list names each
//! refused key once, by meaning.

use crate::lxc_key::{ExactKey, Family};
use crate::model::LxdFlavor;

/// Why LXD refuses a `raw.lxc` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawLxcRefusal {
    /// `lxc.log.file` / `lxc.logfile`: LXD owns the log file.
    LogFile,
    /// `lxc.log.syslog` / `lxc.syslog`.
    Syslog,
    /// `lxc.ephemeral`: LXD's own `ephemeral` field says it.
    Ephemeral,
    /// `lxc.prlimit.*`: LXD wants `limits.kernel.NAME`.
    Prlimit,
    /// An `lxc.net.*` key other than an interface's `ipv4/ipv6.address/gateway`: LXD owns
    /// the interfaces (Incus allows them from 6.0.5 and 6.15).
    Network,
}

impl RawLxcRefusal {
    /// LXD's error message.
    pub fn message(self) -> String {
        match self {
            RawLxcRefusal::LogFile => format!("Setting {} is not allowed", legacy_or_modern(ExactKey::LogFile)),
            RawLxcRefusal::Syslog => format!("Setting {} is not allowed", ExactKey::LogSyslog.name()),
            RawLxcRefusal::Ephemeral => format!("Setting {} is not allowed", ExactKey::Ephemeral.name()),
            RawLxcRefusal::Prlimit => format!(
                "Process limits should be set via \"limits.kernel.[limit name]\" and not directly via \"{}.[limit name]\"",
                Family::Prlimit.prefix()
            ),
            RawLxcRefusal::Network => format!(
                "Only interface-specific ipv4/ipv6 {}. keys are allowed",
                Family::Net.prefix()
            ),
        }
    }
}

fn legacy_or_modern(key: ExactKey) -> &'static str {
    key.legacy_name().unwrap_or(key.name())
}

/// The interface subkeys LXD lets `raw.lxc` set (`lxc.net.N.<sub>`).
const ALLOWED_NET_SUBKEYS: &[&str] = &[
    "ipv4.address",
    "ipv6.address",
    "ipv4.gateway",
    "ipv6.gateway",
];

/// Whether LXD (or Incus) refuses `key` in `raw.lxc`. LXD compares the key lower-cased and
/// trimmed, as here.
pub fn refusal(key: &str, flavor: LxdFlavor) -> Option<RawLxcRefusal> {
    let key = key.trim_matches([' ', '\t']).to_ascii_lowercase();
    let is = |k: ExactKey| key == k.name() || Some(key.as_str()) == k.legacy_name();
    if is(ExactKey::LogFile) {
        return Some(RawLxcRefusal::LogFile);
    }
    if is(ExactKey::LogSyslog) {
        return Some(RawLxcRefusal::Syslog);
    }
    if is(ExactKey::Ephemeral) {
        return Some(RawLxcRefusal::Ephemeral);
    }
    if key.starts_with(&format!("{}.", Family::Prlimit.prefix())) {
        return Some(RawLxcRefusal::Prlimit);
    }
    let net = format!("{}.", Family::Net.prefix());
    if flavor == LxdFlavor::Lxd && key.starts_with(&net) {
        // Exactly five dot-separated fields, the index not checked to be a number.
        let fields: Vec<&str> = key.split('.').collect();
        let sub = fields.get(3..).map(|s| s.join("."));
        let allowed =
            fields.len() == 5 && sub.is_some_and(|s| ALLOWED_NET_SUBKEYS.contains(&s.as_str()));
        if !allowed {
            return Some(RawLxcRefusal::Network);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_match_the_daemon() {
        // Measured on LXD 5.0.2 (tests/oracle/lxd/README.md).
        let lxd = LxdFlavor::Lxd;
        for (key, want) in [
            ("lxc.log.file", Some(RawLxcRefusal::LogFile)),
            ("lxc.logfile", Some(RawLxcRefusal::LogFile)),
            ("LXC.LOG.FILE", Some(RawLxcRefusal::LogFile)),
            ("lxc.syslog", Some(RawLxcRefusal::Syslog)),
            ("lxc.log.syslog", Some(RawLxcRefusal::Syslog)),
            ("lxc.ephemeral", Some(RawLxcRefusal::Ephemeral)),
            ("lxc.prlimit.nofile", Some(RawLxcRefusal::Prlimit)),
            ("lxc.limit.nofile", None),
            ("lxc.net.0.type", Some(RawLxcRefusal::Network)),
            ("lxc.net.0.ipv4.address", None),
            ("lxc.net.x.ipv6.gateway", None),
            ("lxc.net", None),
            ("lxc.network.type", None),
            ("lxc.mount.entry", None),
            ("lxc.cap.drop", None),
        ] {
            assert_eq!(refusal(key, lxd), want, "{key}");
        }
        assert_eq!(refusal("lxc.net.0.type", LxdFlavor::Incus), None);
        assert!(RawLxcRefusal::LogFile.message().contains("logfile"));
    }
}
