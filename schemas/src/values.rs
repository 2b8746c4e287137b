//! Typed values: sizes, signals, capabilities, namespaces, CPU sets.
//!
//! Each type parses from and prints to one canonical text form, which is also its JSON form.

use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject, StringValidation};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Why a text is not a value of one of this module's types. Each message names the text
/// that was refused, so a diagnostic can show it as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A size that does not start with digits.
    #[error("`{text}` is not a size (expected digits and a unit)")]
    NotASize {
        /// The text refused.
        text: String,
    },
    /// A size whose suffix is not a unit.
    #[error("`{unit}` is not a size unit (use b, k/KiB, KB, m/MiB, MB, g/GiB, GB, t/TiB, TB)")]
    NotASizeUnit {
        /// The suffix after the digits.
        unit: String,
    },
    /// A number that does not fit in 64 bits once scaled by its unit.
    #[error("`{text}` is too large")]
    TooLarge {
        /// The text refused.
        text: String,
    },
    /// A `N%` whose `N` is not a number.
    #[error("`{text}` is not a percentage")]
    NotAPercentage {
        /// The text refused, `%` included.
        text: String,
    },
    /// A name that is not in [`CAPABILITY_NAMES`].
    #[error("`{name}` is not a capability name")]
    NotACapability {
        /// The name refused.
        name: String,
    },
    /// A signal number beyond `u32`.
    #[error("`{text}` is too large for a signal number")]
    SignalNumberTooLarge {
        /// The text refused.
        text: String,
    },
    /// A signal name without `SIG`, which liblxc refuses.
    #[error(
        "`{text}` is not a signal: names need the `SIG` prefix{}",
        sig_prefix_hint(.known_name.as_deref())
    )]
    SignalWithoutPrefix {
        /// The text refused.
        text: String,
        /// The upper-case name when it is a signal name once `SIG` is added.
        known_name: Option<String>,
    },
    /// `SIGRTMIN+n` or `SIGRTMAX-n` whose `n` is not a number.
    #[error("`{text}` is not a signal")]
    NotASignal {
        /// The text refused.
        text: String,
    },
    /// `SIGRTMIN+n` past `SIGRTMAX`.
    #[error("`{text}` is beyond SIGRTMAX")]
    BeyondSigRtMax {
        /// The text refused.
        text: String,
    },
    /// `SIGRTMAX-n` before `SIGRTMIN`.
    #[error("`{text}` is below SIGRTMIN")]
    BelowSigRtMin {
        /// The text refused.
        text: String,
    },
    /// `SIG` followed by a name that is not in [`SIGNAL_NAMES`].
    #[error("`{text}` is not a signal name")]
    NotASignalName {
        /// The text refused.
        text: String,
    },
    /// A CPU list with nothing in it.
    #[error("an empty CPU list")]
    EmptyCpuList,
    /// A CPU list item that is neither a number nor a range.
    #[error("`{item}` in `{text}` is not a number or a range like 0-3")]
    NotACpuRange {
        /// The item refused (without its `^`).
        item: String,
        /// The whole list.
        text: String,
    },
    /// A CPU range that runs backwards or spans more than 65,536 numbers.
    #[error("`{item}` is not a valid range")]
    InvalidCpuRange {
        /// The range refused.
        item: String,
    },
    /// A resource limit that is neither a number nor `unlimited`.
    #[error("`{text}` is not a number or `unlimited`")]
    NotALimit {
        /// The text refused.
        text: String,
    },
    /// Not six hex octets separated by `:`.
    #[error("`{text}` is not a MAC address (six hex octets such as 00:16:3e:12:34:56)")]
    NotAMacAddress {
        /// The text refused.
        text: String,
    },
}

/// The end of [`ValueError::SignalWithoutPrefix`]'s message: how to write a known name.
fn sig_prefix_hint(known_name: Option<&str>) -> String {
    known_name
        .map(|name| format!(" (write `SIG{name}`)"))
        .unwrap_or_default()
}

/// Implements Serialize/Deserialize through Display/FromStr, and a string JSON schema.
macro_rules! string_form {
    ($ty:ty, $schema_name:literal, $pattern:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
        impl JsonSchema for $ty {
            fn schema_name() -> String {
                $schema_name.to_string()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                let pattern: Option<&str> = $pattern;
                SchemaObject {
                    instance_type: Some(InstanceType::String.into()),
                    string: pattern.map(|p| {
                        Box::new(StringValidation {
                            pattern: Some(p.to_string()),
                            ..Default::default()
                        })
                    }),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

/// An amount of bytes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(transparent)]
pub struct ByteSize(pub u64);

impl ByteSize {
    /// Kibibytes.
    pub const KIB: u64 = 1024;
    /// Mebibytes.
    pub const MIB: u64 = 1024 * 1024;
    /// Gibibytes.
    pub const GIB: u64 = 1024 * 1024 * 1024;

    /// Parse a size with an optional binary or decimal suffix: `512`, `64k`, `64K`, `64KiB`,
    /// `64KB` (1000), `1G`, `1GiB`. Suffixes are case-insensitive except that `KB`/`MB`/...
    /// (with `B` and without `i`) are decimal, as in libvirt.
    pub fn parse_scaled(text: &str) -> Result<ByteSize, ValueError> {
        let text = text.trim();
        let too_large = || ValueError::TooLarge { text: text.into() };
        let digits_end = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        if digits_end == 0 {
            return Err(ValueError::NotASize { text: text.into() });
        }
        // Only digits are left, so the parse fails only on overflow.
        let number: u64 = text[..digits_end].parse().map_err(|_| too_large())?;
        let unit = &text[digits_end..];
        let factor =
            unit_factor(unit).ok_or_else(|| ValueError::NotASizeUnit { unit: unit.into() })?;
        number
            .checked_mul(factor)
            .map(ByteSize)
            .ok_or_else(too_large)
    }
}

/// Multiplier for a unit suffix, libvirt rules: bare or `b`/`bytes` = 1, `k`/`KiB` = 1024,
/// `KB` = 1000, and so on up to exbibytes.
pub fn unit_factor(unit: &str) -> Option<u64> {
    let lower = unit.to_ascii_lowercase();
    if lower.is_empty() || lower == "b" || lower == "bytes" {
        return Some(1);
    }
    // Split after the first character, not the first byte: units come from
    // untrusted input and may start with a multi-byte character.
    let mut chars = lower.chars();
    let prefix = chars.next()?;
    let rest = chars.as_str();
    let power = match prefix {
        'k' => 1,
        'm' => 2,
        'g' => 3,
        't' => 4,
        'p' => 5,
        'e' => 6,
        _ => return None,
    };
    let base: u64 = match rest {
        "" | "ib" => 1024,
        "b" => 1000,
        _ => return None,
    };
    base.checked_pow(power)
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A size that may be relative to the host's memory (tmpfs `size=50%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SizeSpec {
    /// An absolute size.
    Bytes(ByteSize),
    /// A percentage of the host's RAM.
    Percent(u32),
}

impl FromStr for SizeSpec {
    type Err = ValueError;
    fn from_str(text: &str) -> Result<Self, ValueError> {
        if let Some(p) = text.strip_suffix('%') {
            return p
                .parse()
                .map(SizeSpec::Percent)
                .map_err(|_| ValueError::NotAPercentage { text: text.into() });
        }
        // tmpfs takes k, m, g, t, p, e suffixes (binary), case-insensitive.
        ByteSize::parse_scaled(text).map(SizeSpec::Bytes)
    }
}

impl fmt::Display for SizeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeSpec::Bytes(b) => write!(f, "{}", b.0),
            SizeSpec::Percent(p) => write!(f, "{p}%"),
        }
    }
}

string_form!(SizeSpec, "SizeSpec", Some(r"^[0-9]+%?$"));

/// Linux capability names in bit order (lower case, without `CAP_`).
pub const CAPABILITY_NAMES: [&str; 41] = [
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
];

/// A Linux capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cap(u8);

/// The hostname libvirt's LXC driver gives a domain: its name filtered to `[A-Za-z0-9-]`,
/// one leading `-` removed (`migrate_test` → `migratetest`).
pub fn libvirt_hostname(domain_name: &str) -> String {
    let filtered: String = domain_name
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || *ch == '-')
        .collect();
    filtered.strip_prefix('-').unwrap_or(&filtered).to_string()
}

/// A uuid derived from a container name (uuid v5 of the name in lxconf's namespace, itself
/// v5 of a URL), so the same name always gets the same uuid where libvirt would pick a
/// random one.
pub fn uuid_for_name(name: &str) -> uuid::Uuid {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"https://lxconf.invalid/domain");
    uuid::Uuid::new_v5(&ns, name.as_bytes())
}

/// libvirt 9.0's capability names in its enum order: the names `<features><capabilities>`
/// accepts, in the order libvirt prints them (alphabetical).
pub const LIBVIRT_CAPS: &[&str] = &[
    "audit_control",
    "audit_write",
    "block_suspend",
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "ipc_lock",
    "ipc_owner",
    "kill",
    "lease",
    "linux_immutable",
    "mac_admin",
    "mac_override",
    "mknod",
    "net_admin",
    "net_bind_service",
    "net_broadcast",
    "net_raw",
    "setgid",
    "setfcap",
    "setpcap",
    "setuid",
    "sys_admin",
    "sys_boot",
    "sys_chroot",
    "sys_module",
    "sys_nice",
    "sys_pacct",
    "sys_ptrace",
    "sys_rawio",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "syslog",
    "wake_alarm",
];

impl Cap {
    /// The capability with this bit number.
    pub fn from_index(index: u32) -> Option<Cap> {
        (index < CAPABILITY_NAMES.len() as u32).then_some(Cap(index as u8))
    }
    /// Look up a lower-case name without `CAP_`.
    pub fn from_name(name: &str) -> Option<Cap> {
        CAPABILITY_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Cap(i as u8))
    }
    /// Bit number.
    pub fn index(self) -> u32 {
        self.0 as u32
    }
    /// Lower-case name without `CAP_`.
    pub fn name(self) -> &'static str {
        CAPABILITY_NAMES[self.0 as usize]
    }
    /// Every capability this model knows.
    pub fn all() -> impl Iterator<Item = Cap> {
        (0..CAPABILITY_NAMES.len() as u8).map(Cap)
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cap {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Cap::from_name(s).ok_or_else(|| ValueError::NotACapability { name: s.into() })
    }
}

impl Serialize for Cap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
impl<'de> Deserialize<'de> for Cap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
impl JsonSchema for Cap {
    fn schema_name() -> String {
        "Capability".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            enum_values: Some(CAPABILITY_NAMES.iter().map(|n| (*n).into()).collect()),
            ..Default::default()
        }
        .into()
    }
}

/// Signal names and numbers on Linux x86/arm (the table liblxc uses).
pub const SIGNAL_NAMES: [(&str, u32); 35] = [
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
    ("UNUSED", 31),
];

/// glibc's SIGRTMIN (two real-time signals are reserved by the C library).
pub const SIGRTMIN: u32 = 34;
/// SIGRTMAX on Linux.
pub const SIGRTMAX: u32 = 64;

/// A signal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signal(pub u32);

impl Signal {
    /// SIGKILL.
    pub const KILL: Signal = Signal(9);
    /// SIGINT.
    pub const INT: Signal = Signal(2);
    /// SIGPWR.
    pub const PWR: Signal = Signal(30);
    /// SIGTERM.
    pub const TERM: Signal = Signal(15);

    /// Parse liblxc's signal grammar: a decimal number, `SIG<NAME>` (case-insensitive),
    /// `SIGRTMIN+n` or `SIGRTMAX-n`. A name without `SIG` is refused, as liblxc does.
    pub fn parse_lxc(text: &str) -> Result<Signal, ValueError> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text
                .parse()
                .map(Signal)
                .map_err(|_| ValueError::SignalNumberTooLarge { text: text.into() });
        }
        let upper = text.to_ascii_uppercase();
        let Some(name) = upper.strip_prefix("SIG") else {
            let known = SIGNAL_NAMES.iter().any(|(n, _)| *n == upper);
            return Err(ValueError::SignalWithoutPrefix {
                text: text.into(),
                known_name: known.then_some(upper),
            });
        };
        let not_a_signal = || ValueError::NotASignal { text: text.into() };
        if let Some(n) = name.strip_prefix("RTMIN+") {
            let n: u32 = n.parse().map_err(|_| not_a_signal())?;
            return (SIGRTMIN + n <= SIGRTMAX)
                .then_some(Signal(SIGRTMIN + n))
                .ok_or_else(|| ValueError::BeyondSigRtMax { text: text.into() });
        }
        if let Some(n) = name.strip_prefix("RTMAX-") {
            let n: u32 = n.parse().map_err(|_| not_a_signal())?;
            return (n <= SIGRTMAX - SIGRTMIN)
                .then_some(Signal(SIGRTMAX - n))
                .ok_or_else(|| ValueError::BelowSigRtMin { text: text.into() });
        }
        match name {
            "RTMIN" => return Ok(Signal(SIGRTMIN)),
            "RTMAX" => return Ok(Signal(SIGRTMAX)),
            _ => {}
        }
        SIGNAL_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, num)| Signal(*num))
            .ok_or_else(|| ValueError::NotASignalName { text: text.into() })
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((name, _)) = SIGNAL_NAMES.iter().find(|(_, n)| *n == self.0) {
            return write!(f, "SIG{name}");
        }
        match self.0 {
            n if n == SIGRTMIN => f.write_str("SIGRTMIN"),
            n if n > SIGRTMIN && n <= SIGRTMAX => write!(f, "SIGRTMIN+{}", n - SIGRTMIN),
            n => write!(f, "{n}"),
        }
    }
}

impl FromStr for Signal {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Signal::parse_lxc(s)
    }
}

string_form!(Signal, "Signal", None);

/// A kind of Linux namespace, named as in `/proc/PID/ns`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Namespace {
    /// cgroup namespace.
    Cgroup,
    /// IPC namespace.
    Ipc,
    /// Mount namespace.
    Mnt,
    /// Network namespace.
    Net,
    /// PID namespace.
    Pid,
    /// Time namespace.
    Time,
    /// User namespace.
    User,
    /// UTS (hostname) namespace.
    Uts,
}

impl Namespace {
    /// All kinds.
    pub const ALL: [Namespace; 8] = [
        Namespace::Cgroup,
        Namespace::Ipc,
        Namespace::Mnt,
        Namespace::Net,
        Namespace::Pid,
        Namespace::Time,
        Namespace::User,
        Namespace::Uts,
    ];

    /// The `/proc/PID/ns` name.
    pub fn name(self) -> &'static str {
        match self {
            Namespace::Cgroup => "cgroup",
            Namespace::Ipc => "ipc",
            Namespace::Mnt => "mnt",
            Namespace::Net => "net",
            Namespace::Pid => "pid",
            Namespace::Time => "time",
            Namespace::User => "user",
            Namespace::Uts => "uts",
        }
    }

    /// Look up a `/proc/PID/ns` name.
    pub fn from_name(name: &str) -> Option<Namespace> {
        Namespace::ALL.into_iter().find(|n| n.name() == name)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of CPU or NUMA node numbers, printed in canonical range form (`0-3,7`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CpuSet(pub BTreeSet<u32>);

impl FromStr for CpuSet {
    type Err = ValueError;
    /// Parse `0-3,7` and libvirt's `^N` exclusions.
    fn from_str(text: &str) -> Result<Self, ValueError> {
        let mut set = BTreeSet::new();
        let mut excluded = BTreeSet::new();
        if text.trim().is_empty() {
            return Err(ValueError::EmptyCpuList);
        }
        for part in text.split(',') {
            let part = part.trim();
            let (target, part) = match part.strip_prefix('^') {
                Some(rest) => (&mut excluded, rest),
                None => (&mut set, part),
            };
            let bad = || ValueError::NotACpuRange {
                item: part.into(),
                text: text.into(),
            };
            match part.split_once('-') {
                Some((a, b)) => {
                    let a: u32 = a.trim().parse().map_err(|_| bad())?;
                    let b: u32 = b.trim().parse().map_err(|_| bad())?;
                    if a > b || b - a > 65536 {
                        return Err(ValueError::InvalidCpuRange { item: part.into() });
                    }
                    target.extend(a..=b);
                }
                None => {
                    target.insert(part.parse().map_err(|_| bad())?);
                }
            }
        }
        for x in excluded {
            set.remove(&x);
        }
        Ok(CpuSet(set))
    }
}

impl fmt::Display for CpuSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut iter = self.0.iter().copied().peekable();
        while let Some(start) = iter.next() {
            let mut end = start;
            while iter.peek() == Some(&(end + 1)) {
                end += 1;
                iter.next();
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if end == start {
                write!(f, "{start}")?;
            } else {
                write!(f, "{start}-{end}")?;
            }
        }
        Ok(())
    }
}

string_form!(
    CpuSet,
    "CpuSet",
    Some(r"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$")
);

/// A resource limit value: a number or unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// No limit.
    Unlimited,
    /// This many units.
    Value(u64),
}

impl FromStr for Limit {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        if s == "unlimited" {
            return Ok(Limit::Unlimited);
        }
        s.parse()
            .map(Limit::Value)
            .map_err(|_| ValueError::NotALimit { text: s.into() })
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Unlimited => f.write_str("unlimited"),
            Limit::Value(v) => write!(f, "{v}"),
        }
    }
}

string_form!(Limit, "Limit", Some(r"^(unlimited|[0-9]+)$"));

/// A MAC address pattern: six hex octets; LXC allows `x` digits that are randomized.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacAddr(String);

impl MacAddr {
    /// The address text (lower case).
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// True when the first octet has the multicast bit set.
    pub fn is_multicast(&self) -> bool {
        u8::from_str_radix(&self.0[..2], 16).is_ok_and(|b| b & 1 == 1)
    }
    /// True when some digits are `x` (randomized by LXC at load time).
    pub fn is_pattern(&self) -> bool {
        self.0.contains('x')
    }
}

impl FromStr for MacAddr {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let b = s.as_bytes();
        let ok = b.len() == 17
            && b.iter().enumerate().all(|(i, c)| {
                if i % 3 == 2 {
                    *c == b':'
                } else {
                    c.is_ascii_hexdigit() || *c == b'x' || *c == b'X'
                }
            });
        if ok {
            Ok(MacAddr(s.to_ascii_lowercase()))
        } else {
            Err(ValueError::NotAMacAddress { text: s.into() })
        }
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_form!(
    MacAddr,
    "MacAddr",
    Some(r"^[0-9a-fxA-FX]{2}(:[0-9a-fxA-FX]{2}){5}$")
);

/// Why an `lxc.proc.KEY` key cannot be used, or `None` when it is a plain path below
/// `/proc/PID/`. liblxc joins the key to that directory without checking, so `..` or `/`
/// would write a host file as root; lxconf refuses such keys everywhere (parser, lint,
/// writers, runner).
pub fn proc_key_problem(key: &str) -> Option<&'static str> {
    if key.contains('/') {
        Some("contains `/`")
    } else if key.split('.').any(|p| p.is_empty()) {
        Some("has an empty part (`..` or a `.` at either end)")
    } else if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        Some("contains a character other than letters, digits, `_`, `-` and `.`")
    } else {
        None
    }
}

/// `(uid_t)-1`: setresuid and setresgid read it as "leave unchanged", so an init uid or gid
/// of this value keeps the container's init running as root.
pub const RESERVED_ID: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_keys_stay_below_proc_pid() {
        assert_eq!(proc_key_problem("oom_score_adj"), None);
        assert_eq!(proc_key_problem("sys.net.ipv4.ip_forward"), None);
        for bad in ["../../tmp/victim", "..", ".x", "x.", "a/b", "", "a..b"] {
            assert!(proc_key_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn byte_sizes_follow_libvirt_units() {
        assert_eq!(ByteSize::parse_scaled("512"), Ok(ByteSize(512)));
        assert_eq!(ByteSize::parse_scaled("64k"), Ok(ByteSize(65536)));
        assert_eq!(ByteSize::parse_scaled("1KB"), Ok(ByteSize(1000)));
        assert_eq!(ByteSize::parse_scaled("2GiB"), Ok(ByteSize(2 << 30)));
        assert!(ByteSize::parse_scaled("1.5G").is_err());
        assert!(ByteSize::parse_scaled("max").is_err());
    }

    #[test]
    fn units_starting_with_a_multibyte_character_are_refused_not_a_panic() {
        // Found by the domxml fuzz target: `<memory unit='ÃKiB'>`.
        assert_eq!(unit_factor("ÃKiB"), None);
        assert_eq!(unit_factor("é"), None);
        assert_eq!(unit_factor("kÃ"), None);
        assert!(ByteSize::parse_scaled("1ÃK").is_err());
    }

    #[test]
    fn signals_need_the_sig_prefix() {
        assert_eq!(Signal::parse_lxc("SIGTERM"), Ok(Signal(15)));
        assert_eq!(Signal::parse_lxc("sigterm"), Ok(Signal(15)));
        assert_eq!(Signal::parse_lxc("15"), Ok(Signal(15)));
        assert_eq!(Signal::parse_lxc("99"), Ok(Signal(99)));
        assert_eq!(Signal::parse_lxc("SIGRTMIN+3"), Ok(Signal(37)));
        assert_eq!(Signal::parse_lxc("SIGRTMAX-2"), Ok(Signal(62)));
        let err = Signal::parse_lxc("TERM").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`TERM` is not a signal: names need the `SIG` prefix (write `SIGTERM`)"
        );
        assert_eq!(Signal(37).to_string(), "SIGRTMIN+3");
        assert_eq!(Signal(30).to_string(), "SIGPWR");
    }

    /// The messages are the texts of diagnostics and snapshots: they must not drift.
    #[test]
    fn value_errors_read_as_before() {
        let cases: [(Result<(), ValueError>, &str); 16] = [
            (
                ByteSize::parse_scaled("k").map(drop),
                "`k` is not a size (expected digits and a unit)",
            ),
            (
                ByteSize::parse_scaled("99999999999999999999").map(drop),
                "`99999999999999999999` is too large",
            ),
            (
                ByteSize::parse_scaled("1zb").map(drop),
                "`zb` is not a size unit (use b, k/KiB, KB, m/MiB, MB, g/GiB, GB, t/TiB, TB)",
            ),
            (
                "x%".parse::<SizeSpec>().map(drop),
                "`x%` is not a percentage",
            ),
            (
                "SYS_ADMIN".parse::<Cap>().map(drop),
                "`SYS_ADMIN` is not a capability name",
            ),
            (
                "99999999999".parse::<Signal>().map(drop),
                "`99999999999` is too large for a signal number",
            ),
            (
                "term".parse::<Signal>().map(drop),
                "`term` is not a signal: names need the `SIG` prefix (write `SIGTERM`)",
            ),
            (
                "FOO".parse::<Signal>().map(drop),
                "`FOO` is not a signal: names need the `SIG` prefix",
            ),
            (
                "SIGRTMIN+x".parse::<Signal>().map(drop),
                "`SIGRTMIN+x` is not a signal",
            ),
            (
                "SIGRTMIN+31".parse::<Signal>().map(drop),
                "`SIGRTMIN+31` is beyond SIGRTMAX",
            ),
            (
                "SIGRTMAX-31".parse::<Signal>().map(drop),
                "`SIGRTMAX-31` is below SIGRTMIN",
            ),
            (
                "SIGFOO".parse::<Signal>().map(drop),
                "`SIGFOO` is not a signal name",
            ),
            (" ".parse::<CpuSet>().map(drop), "an empty CPU list"),
            (
                "0,^a-1".parse::<CpuSet>().map(drop),
                "`a-1` in `0,^a-1` is not a number or a range like 0-3",
            ),
            (
                "3-1".parse::<CpuSet>().map(drop),
                "`3-1` is not a valid range",
            ),
            (
                "-1".parse::<Limit>().map(drop),
                "`-1` is not a number or `unlimited`",
            ),
        ];
        for (result, message) in cases {
            assert_eq!(result.unwrap_err().to_string(), message);
        }
        assert_eq!(
            "00:16".parse::<MacAddr>().unwrap_err().to_string(),
            "`00:16` is not a MAC address (six hex octets such as 00:16:3e:12:34:56)"
        );
        // Model documents read these types through serde, which shows the same text.
        let from_json = serde_json::from_str::<Cap>("\"SYS_ADMIN\"").unwrap_err();
        assert!(
            from_json
                .to_string()
                .starts_with("`SYS_ADMIN` is not a capability name"),
            "{from_json}"
        );
    }

    #[test]
    fn cpusets_print_canonically() {
        let set: CpuSet = "0,1,2,3,7".parse().unwrap();
        assert_eq!(set.to_string(), "0-3,7");
        let set: CpuSet = "0-3,^2".parse().unwrap();
        assert_eq!(set.to_string(), "0-1,3");
        assert!("a-b".parse::<CpuSet>().is_err());
        assert!("3-1".parse::<CpuSet>().is_err());
    }

    #[test]
    fn capabilities_round_trip_by_name() {
        for cap in Cap::all() {
            assert_eq!(Cap::from_name(cap.name()), Some(cap));
        }
        assert_eq!(Cap::from_name("sys_admin").map(Cap::index), Some(21));
        assert_eq!(Cap::from_name("SYS_ADMIN"), None);
    }

    #[test]
    fn mac_addresses_allow_random_digits() {
        let mac: MacAddr = "00:16:3E:xx:xx:xx".parse().unwrap();
        assert!(mac.is_pattern());
        assert!(!mac.is_multicast());
        assert!("01:00:5e:00:00:01"
            .parse::<MacAddr>()
            .unwrap()
            .is_multicast());
        assert!("00:16:3e:12:34".parse::<MacAddr>().is_err());
    }
}
