//! Value grammars of individual LXC keys, following liblxc's setters.

use lxconf_model::model::{Gateway, Ipv4Cidr, Ipv6Cidr, LogLevel, Route};
use lxconf_model::{ByteSize, Cap, Limit};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a text is not a value of an LXC key, in the words of the diagnostic that reports it.
/// Each message names the text that was refused, so it can be shown as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A `-` where liblxc wants an unsigned number.
    #[error("`{text}` is negative; an unsigned number is expected")]
    Negative {
        /// The text refused.
        text: String,
    },
    /// Not a C number (decimal, `0x` hex or `0` octal).
    #[error("`{text}` is not a number")]
    NotANumber {
        /// The text refused.
        text: String,
    },
    /// A number beyond what the key's 32-bit C type holds.
    #[error("`{text}` does not fit in 32 bits")]
    Over32Bits {
        /// The text refused.
        text: String,
    },
    /// A boolean that is not a number at all (`true`, `yes`).
    #[error("`{text}` is not 0 or 1 (liblxc does not accept true/false/yes/no)")]
    NotABooleanNumber {
        /// The text refused.
        text: String,
    },
    /// A boolean that is a number other than 0 and 1.
    #[error("`{text}` is not 0 or 1")]
    NotZeroOrOne {
        /// The text refused.
        text: String,
    },
    /// A log level number past the last level.
    #[error("log level `{text}` is out of range 0..8")]
    LogLevelOutOfRange {
        /// The text refused.
        text: String,
    },
    /// A log level name liblxc does not know.
    #[error("`{text}` is not a log level (TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, FATAL, or 0..8)")]
    NotALogLevel {
        /// The text refused.
        text: String,
    },
    /// A capability number past the last capability.
    #[error("capability number `{token}` is beyond the last capability")]
    CapabilityNumberTooLarge {
        /// The number refused.
        token: String,
    },
    /// A capability name in upper case or with `CAP_`, which liblxc refuses.
    #[error("`{token}` is not a capability name: liblxc wants lower case without `CAP_` (write `{name}`)")]
    CapabilitySpelling {
        /// The name refused.
        token: String,
        /// The spelling liblxc takes.
        name: String,
    },
    /// A capability name that is not one, however spelled.
    #[error("`{token}` is not a capability name")]
    NotACapability {
        /// The name refused.
        token: String,
    },
    /// Not an address of the family the key wants.
    #[error("`{text}` is not an {family} address")]
    NotAnAddress {
        /// The address text refused (without prefix or broadcast).
        text: String,
        /// The family the key wants.
        family: IpFamily,
    },
    /// An IPv4 broadcast address that is not an address.
    #[error("`{text}` is not an IPv4 broadcast address")]
    NotABroadcastAddress {
        /// The text refused.
        text: String,
    },
    /// The text after `/` is not a number.
    #[error("`{prefix}` is not a prefix length")]
    NotAPrefixLength {
        /// The text after `/`.
        prefix: String,
    },
    /// An IPv4 prefix over 32.
    #[error("prefix /{prefix} is larger than 32")]
    Ipv4PrefixTooLarge {
        /// The text after `/`.
        prefix: String,
    },
    /// An IPv6 prefix over 255 (liblxc does not check 128 and stores it in a byte).
    #[error("prefix /{prefix} is too large")]
    Ipv6PrefixTooLarge {
        /// The text after `/`.
        prefix: String,
    },
    /// A gateway that is not `auto`, `dev` or an address of the family.
    #[error("`{text}` is not an {family} address, `auto` or `dev`")]
    NotAGateway {
        /// The text refused.
        text: String,
        /// The family the key wants.
        family: IpFamily,
    },
    /// A route without `/prefix`.
    #[error("`{text}` needs a prefix, e.g. `{text}/24`")]
    RouteWithoutPrefix {
        /// The text refused.
        text: String,
    },
    /// A route prefix that is not a number up to the family's address width.
    #[error("`{prefix}` is not a prefix length (0..{max})")]
    RoutePrefixOutOfRange {
        /// The text after `/`.
        prefix: String,
        /// 32 or 128.
        max: u8,
    },
    /// A time offset that does not start with a (signed) number.
    #[error("`{text}` does not start with a number")]
    NoLeadingNumber {
        /// The text refused.
        text: String,
    },
    /// A time offset without a unit.
    #[error("`{text}` has no unit (add one of h, m, s, ms, us, ns)")]
    NoTimeUnit {
        /// The text refused.
        text: String,
    },
    /// A time offset whose unit is not one liblxc knows.
    #[error("`{unit}` is not a time unit (h, m, s, ms, us, ns)")]
    NotATimeUnit {
        /// The unit refused.
        unit: String,
    },
    /// A negative time offset in a unit liblxc 5 parses as unsigned.
    #[error("liblxc refuses a negative offset in `{unit}`: write it in seconds or nanoseconds (e.g. `{suggestion}s`)")]
    NegativeTimeOffset {
        /// The unit given (`h`, `m`, `ms` or `us`).
        unit: String,
        /// The number to write with `s` instead.
        suggestion: i64,
    },
    /// A resource limit that is neither a number nor `unlimited`.
    #[error("`{text}` is not a number or `unlimited`")]
    NotALimit {
        /// The text refused (without surrounding blanks).
        text: String,
    },
    /// A console size that does not start with digits.
    #[error("`{text}` is not a size")]
    NotASize {
        /// The text refused.
        text: String,
    },
    /// A console size with a unit liblxc does not know.
    #[error("`{unit}` is not a size unit (B, kB, MB, GB)")]
    NotAConsoleSizeUnit {
        /// The unit refused.
        unit: String,
    },
    /// A number that overflows 64 bits once scaled by its unit.
    #[error("`{text}` is too large")]
    TooLarge {
        /// The text refused.
        text: String,
    },
}

/// The address family a network key wants, as its messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpFamily {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl IpFamily {
    /// `V6` when `v6`, the way the network keys are told apart.
    pub fn of(v6: bool) -> IpFamily {
        if v6 {
            IpFamily::V6
        } else {
            IpFamily::V4
        }
    }
}

impl fmt::Display for IpFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IpFamily::V4 => "IPv4",
            IpFamily::V6 => "IPv6",
        })
    }
}

/// A parsed unsigned number and whether it was written in octal or hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CNumber {
    /// The value.
    pub value: u64,
    /// True for `0x..` or `0..` (octal) forms.
    pub non_decimal: bool,
}

/// C `strtoul(text, &end, 0)` with liblxc's checks: a leading `+` is allowed, `-` is not,
/// trailing text is refused.
pub fn parse_c_unsigned(text: &str) -> Result<CNumber, ValueError> {
    let t = text.trim_start_matches([' ', '\t']);
    if t.starts_with('-') {
        return Err(ValueError::Negative { text: text.into() });
    }
    let not_a_number = || ValueError::NotANumber { text: text.into() };
    let t = t.strip_prefix('+').unwrap_or(t);
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    if digits.is_empty() && radix != 8 {
        return Err(not_a_number());
    }
    let value = u64::from_str_radix(if digits.is_empty() { "0" } else { digits }, radix)
        .map_err(|_| not_a_number())?;
    Ok(CNumber {
        value,
        non_decimal: radix != 10,
    })
}

/// An unsigned 32-bit number (liblxc `lxc_safe_uint`).
pub fn parse_uint(text: &str) -> Result<CNumber, ValueError> {
    let n = parse_c_unsigned(text)?;
    if n.value > u32::MAX as u64 {
        return Err(ValueError::Over32Bits { text: text.into() });
    }
    Ok(n)
}

/// A signed 32-bit number (liblxc `lxc_safe_int`).
pub fn parse_int(text: &str) -> Result<(i64, bool), ValueError> {
    let t = text.trim_start_matches([' ', '\t']);
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    if body.starts_with(['-', '+']) && neg {
        return Err(ValueError::NotANumber { text: text.into() });
    }
    let n = parse_c_unsigned(body)?;
    let v = if neg {
        -(n.value as i128)
    } else {
        n.value as i128
    };
    if v < i32::MIN as i128 || v > i32::MAX as i128 {
        return Err(ValueError::Over32Bits { text: text.into() });
    }
    Ok((v as i64, n.non_decimal))
}

/// `0` or `1` (numbers in any C base).
pub fn parse_bool01(text: &str) -> Result<(bool, bool), ValueError> {
    let n = parse_uint(text).map_err(|_| ValueError::NotABooleanNumber { text: text.into() })?;
    match n.value {
        0 => Ok((false, n.non_decimal)),
        1 => Ok((true, n.non_decimal)),
        _ => Err(ValueError::NotZeroOrOne { text: text.into() }),
    }
}

/// liblxc's path simplification: `//` collapsed, trailing `/` dropped, `.` components
/// removed. Relative paths stay relative.
pub fn simplify_path(path: &str) -> String {
    let clean = !path.contains("//")
        && !path.contains("/./")
        && !path.starts_with("./")
        && !path.ends_with("/.")
        && (path.len() <= 1 || !path.ends_with('/'))
        && path != ".";
    if clean {
        return path.to_string();
    }
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Log level by name (case-insensitive) or number 0..8.
pub fn parse_log_level(text: &str) -> Result<LogLevel, ValueError> {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        let n = parse_uint(text)?.value;
        return LogLevel::ALL
            .get(n as usize)
            .copied()
            .ok_or_else(|| ValueError::LogLevelOutOfRange { text: text.into() });
    }
    let upper = text.to_ascii_uppercase();
    const NAMES: [&str; 9] = [
        "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "FATAL",
    ];
    NAMES
        .iter()
        .position(|n| *n == upper)
        .map(|i| LogLevel::ALL[i])
        .ok_or_else(|| ValueError::NotALogLevel { text: text.into() })
}

/// Syslog facilities liblxc accepts.
pub const SYSLOG_FACILITIES: [&str; 9] = [
    "daemon", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
];

/// Architecture names liblxc maps to the 32-bit personality.
pub const ARCHES_32: [&str; 15] = [
    "arm", "armel", "armhf", "armv7l", "athlon", "i386", "i486", "i586", "i686", "linux32", "mips",
    "mipsel", "ppc", "powerpc", "x86",
];

/// Architectures liblxc 5.0 accepts.
pub const ARCHES: [&str; 28] = [
    "arm",
    "armel",
    "armhf",
    "armv7l",
    "athlon",
    "i386",
    "i486",
    "i586",
    "i686",
    "linux32",
    "mips",
    "mipsel",
    "ppc",
    "powerpc",
    "x86",
    "aarch64",
    "amd64",
    "arm64",
    "linux64",
    "mips64",
    "mips64el",
    "ppc64",
    "ppc64el",
    "ppc64le",
    "powerpc64",
    "riscv64",
    "s390x",
    "x86_64",
];

/// A capability as liblxc reads it: a lower-case name without `CAP_`, or a number.
pub fn parse_cap(token: &str) -> Result<Cap, ValueError> {
    if let Some(c) = Cap::from_name(token) {
        return Ok(c);
    }
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        return token.parse().ok().and_then(Cap::from_index).ok_or_else(|| {
            ValueError::CapabilityNumberTooLarge {
                token: token.into(),
            }
        });
    }
    let lower = token.to_ascii_lowercase();
    let bare = lower.strip_prefix("cap_").unwrap_or(&lower);
    if Cap::from_name(bare).is_some() {
        return Err(ValueError::CapabilitySpelling {
            token: token.into(),
            name: bare.into(),
        });
    }
    Err(ValueError::NotACapability {
        token: token.into(),
    })
}

/// liblxc's "classful" default prefix for an IPv4 address without one, including its
/// byte-order bug on little-endian machines: the class is taken from the *last* octet.
pub fn lxc_default_ipv4_prefix(addr: Ipv4Addr) -> u8 {
    let last = addr.octets()[3];
    if last & 0x80 == 0 {
        8
    } else if last & 0xc0 == 0x80 {
        16
    } else if last & 0xe0 == 0xc0 {
        24
    } else {
        0
    }
}

/// `A.B.C.D[/prefix][ broadcast]`. Returns the address and whether the prefix was given.
/// liblxc splits at the first space only and parses the rest as it is: a second blank
/// before the broadcast, or a tab instead of the space, makes it refuse the file.
pub fn parse_ipv4_address(text: &str) -> Result<(Ipv4Cidr, bool), ValueError> {
    let (main, bcast) = match text.split_once(' ') {
        Some((m, b)) => (m, Some(b)),
        None => (text, None),
    };
    let (addr, prefix) = match main.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (main, None),
    };
    let address: Ipv4Addr = addr.parse().map_err(|_| ValueError::NotAnAddress {
        text: addr.into(),
        family: IpFamily::V4,
    })?;
    let (prefix, given) = match prefix {
        Some(p) => {
            let n = parse_uint(p).map_err(|_| ValueError::NotAPrefixLength { prefix: p.into() })?;
            if n.value > 32 {
                return Err(ValueError::Ipv4PrefixTooLarge { prefix: p.into() });
            }
            (n.value as u8, true)
        }
        None => (lxc_default_ipv4_prefix(address), false),
    };
    let broadcast = match bcast {
        Some(b) => Some(
            b.parse()
                .map_err(|_| ValueError::NotABroadcastAddress { text: b.into() })?,
        ),
        None => None,
    };
    Ok((
        Ipv4Cidr {
            address,
            prefix,
            broadcast,
            peer: None,
        },
        given,
    ))
}

/// `addr[/prefix]`, default prefix 64. liblxc does not range-check the prefix.
pub fn parse_ipv6_address(text: &str) -> Result<Ipv6Cidr, ValueError> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let address: Ipv6Addr = addr.parse().map_err(|_| ValueError::NotAnAddress {
        text: addr.into(),
        family: IpFamily::V6,
    })?;
    let prefix = match prefix {
        Some(p) => {
            let n = parse_uint(p).map_err(|_| ValueError::NotAPrefixLength { prefix: p.into() })?;
            u8::try_from(n.value)
                .map_err(|_| ValueError::Ipv6PrefixTooLarge { prefix: p.into() })?
        }
        None => 64,
    };
    Ok(Ipv6Cidr {
        address,
        prefix,
        peer: None,
    })
}

/// `auto`, `dev` or an address of the given family.
pub fn parse_gateway(text: &str, v6: bool) -> Result<Gateway, ValueError> {
    let not_a_gateway = |_| ValueError::NotAGateway {
        text: text.into(),
        family: IpFamily::of(v6),
    };
    match text {
        "auto" => Ok(Gateway::Auto),
        "dev" => Ok(Gateway::Dev),
        _ if v6 => text
            .parse::<Ipv6Addr>()
            .map(|a| Gateway::Address(IpAddr::V6(a)))
            .map_err(not_a_gateway),
        _ => text
            .parse::<Ipv4Addr>()
            .map(|a| Gateway::Address(IpAddr::V4(a)))
            .map_err(not_a_gateway),
    }
}

/// `addr/prefix` (prefix required) for veth routes.
pub fn parse_route(text: &str, v6: bool) -> Result<Route, ValueError> {
    let (addr, prefix) = text
        .split_once('/')
        .ok_or_else(|| ValueError::RouteWithoutPrefix { text: text.into() })?;
    let not_an_address = |_| ValueError::NotAnAddress {
        text: addr.into(),
        family: IpFamily::of(v6),
    };
    let address: IpAddr = if v6 {
        IpAddr::V6(addr.parse().map_err(not_an_address)?)
    } else {
        IpAddr::V4(addr.parse().map_err(not_an_address)?)
    };
    let max: u8 = if v6 { 128 } else { 32 };
    let prefix = parse_uint(prefix)
        .ok()
        .filter(|n| n.value <= u64::from(max))
        .ok_or_else(|| ValueError::RoutePrefixOutOfRange {
            prefix: prefix.into(),
            max,
        })?
        .value as u8;
    Ok(Route {
        address,
        prefix,
        gateway: None,
        metric: None,
    })
}

/// `lxc.time.offset.*`: a signed integer, optional blanks, and a unit (h m s ms us ns).
pub fn parse_time_offset(text: &str) -> Result<i64, ValueError> {
    let t = text.trim();
    let digits_end = t
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+'))))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let number: i64 = t[..digits_end]
        .parse()
        .map_err(|_| ValueError::NoLeadingNumber { text: text.into() })?;
    let unit = t[digits_end..].trim();
    let factor: i64 = match unit {
        "h" => 3_600_000_000_000,
        "m" => 60_000_000_000,
        "s" => 1_000_000_000,
        "ms" => 1_000_000,
        "us" => 1_000,
        "ns" => 1,
        "" => return Err(ValueError::NoTimeUnit { text: text.into() }),
        other => return Err(ValueError::NotATimeUnit { unit: other.into() }),
    };
    // Checked first: the suggestion below is no larger, so it cannot overflow either.
    let ns = number
        .checked_mul(factor)
        .ok_or_else(|| ValueError::TooLarge { text: text.into() })?;
    // liblxc 5 parses h, m, ms and us offsets as unsigned: a sign only works with s and ns.
    if number < 0 && !matches!(unit, "s" | "ns") {
        return Err(ValueError::NegativeTimeOffset {
            unit: unit.into(),
            suggestion: number * (factor / 1_000_000_000).max(1),
        });
    }
    Ok(ns)
}

/// Whether a time offset is given in ms, us or ns (liblxc keeps those apart from h, m, s).
pub fn is_sub_second(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with("ms") || t.ends_with("us") || t.ends_with("ns")
}

/// One half of an `lxc.prlimit.*` value: a decimal number, or `unlimited` or `-1` (liblxc's
/// `RLIM_INFINITY` spellings). Blanks around it are allowed.
pub fn parse_prlimit(text: &str) -> Result<Limit, ValueError> {
    let t = text.trim();
    if t == "unlimited" || t == "-1" {
        return Ok(Limit::Unlimited);
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        // Only digits are left, so the parse fails only on overflow.
        return t
            .parse()
            .map(Limit::Value)
            .map_err(|_| ValueError::TooLarge { text: t.into() });
    }
    Err(ValueError::NotALimit { text: t.into() })
}

/// `lxc.console.size` / `lxc.console.buffer.size`: `auto` (128 KiB) or a byte size with an
/// optional `B`, `kB`, `MB`, `GB` unit (powers of 1024), raised to at least a page and
/// rounded up to a power of two, as liblxc does.
pub fn parse_console_size(text: &str) -> Result<ByteSize, ValueError> {
    if text == "auto" {
        return Ok(ByteSize(128 * 1024));
    }
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..digits]
        .parse()
        .map_err(|_| ValueError::NotASize { text: text.into() })?;
    let factor: u64 = match text[digits..].trim() {
        "" | "B" | "b" => 1,
        "kB" | "KB" | "kb" | "k" | "K" => 1 << 10,
        "MB" | "mb" | "m" | "M" => 1 << 20,
        "GB" | "gb" | "g" | "G" => 1 << 30,
        other => return Err(ValueError::NotAConsoleSizeUnit { unit: other.into() }),
    };
    let bytes = number
        .checked_mul(factor)
        .ok_or_else(|| ValueError::TooLarge { text: text.into() })?;
    // Any size, 0 included, is raised to a page (only an empty value means no buffer).
    Ok(ByteSize(bytes.max(4096).next_power_of_two()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_numbers_use_base_zero() {
        assert_eq!(parse_uint("0x10").unwrap().value, 16);
        assert_eq!(parse_uint("010").unwrap().value, 8);
        assert!(parse_uint("010").unwrap().non_decimal);
        assert_eq!(parse_uint("+5").unwrap().value, 5);
        assert!(parse_uint("-1").is_err());
        assert!(parse_uint("5x").is_err());
        assert!(parse_uint("4294967296").is_err());
        assert_eq!(parse_uint("0").unwrap().value, 0);
        assert_eq!(parse_int("-12").unwrap().0, -12);
    }

    #[test]
    fn booleans_are_zero_or_one() {
        assert!(parse_bool01("1").unwrap().0);
        assert!(parse_bool01("0x1").unwrap().0);
        assert!(parse_bool01("true").is_err());
        assert!(parse_bool01("2").is_err());
    }

    #[test]
    fn ipv4_default_prefix_reproduces_the_byte_order_bug() {
        let p = |a: &str| parse_ipv4_address(a).unwrap().0.prefix;
        assert_eq!(p("10.1.2.3"), 8);
        assert_eq!(p("10.0.0.150"), 16);
        assert_eq!(p("10.0.0.200"), 24);
        assert_eq!(p("192.168.1.254"), 0);
        let (a, given) = parse_ipv4_address("10.0.3.5/24 10.0.3.255").unwrap();
        assert!(given);
        assert_eq!(a.broadcast, Some(Ipv4Addr::new(10, 0, 3, 255)));
        assert!(parse_ipv4_address("10.0.0.1/33").is_err());
    }

    #[test]
    fn ipv4_broadcast_follows_one_space_as_liblxc_splits_it() {
        // liblxc 5 (python3-lxc): `/24  10.0.3.127` and `/24<TAB>10.0.3.127` fail the load.
        assert!(parse_ipv4_address("10.0.3.5/24  10.0.3.127").is_err());
        assert!(parse_ipv4_address("10.0.3.5/24\t10.0.3.127").is_err());
        let (a, _) = parse_ipv4_address("10.0.3.5 10.0.3.127").unwrap();
        assert_eq!(a.broadcast, Some(Ipv4Addr::new(10, 0, 3, 127)));
    }

    #[test]
    fn time_offsets_need_a_unit() {
        assert_eq!(parse_time_offset("2 h"), Ok(7_200_000_000_000));
        assert_eq!(parse_time_offset("-3600s"), Ok(-3_600_000_000_000));
        assert!(parse_time_offset("-2h")
            .unwrap_err()
            .to_string()
            .contains("-7200s"));
        assert_eq!(parse_time_offset("500ms"), Ok(500_000_000));
        assert!(parse_time_offset("100").is_err());
    }

    #[test]
    fn console_sizes_round_to_powers_of_two() {
        assert_eq!(parse_console_size("1000"), Ok(ByteSize(4096)));
        assert_eq!(parse_console_size("5000"), Ok(ByteSize(8192)));
        assert_eq!(parse_console_size("64kB"), Ok(ByteSize(65536)));
        assert_eq!(parse_console_size("auto"), Ok(ByteSize(131072)));
    }

    #[test]
    fn caps_reject_prefix_and_upper_case_with_a_hint() {
        assert!(parse_cap("sys_admin").is_ok());
        assert!(parse_cap("21").is_ok());
        assert!(parse_cap("CAP_SYS_ADMIN")
            .unwrap_err()
            .to_string()
            .contains("`sys_admin`"));
        assert!(parse_cap("SYS_ADMIN").is_err());
        assert!(parse_cap("99").is_err());
    }

    /// The messages are the texts of L003 diagnostics and their snapshots: they must not drift.
    #[test]
    fn value_errors_read_as_before() {
        let cases: Vec<(Result<(), ValueError>, &str)> = vec![
            (parse_uint("-1").map(drop), "`-1` is negative; an unsigned number is expected"),
            (parse_uint("0x").map(drop), "`0x` is not a number"),
            (parse_uint("08").map(drop), "`08` is not a number"),
            (parse_uint("4294967296").map(drop), "`4294967296` does not fit in 32 bits"),
            (parse_int("--1").map(drop), "`--1` is not a number"),
            (parse_int("-2147483649").map(drop), "`-2147483649` does not fit in 32 bits"),
            (parse_bool01("yes").map(drop), "`yes` is not 0 or 1 (liblxc does not accept true/false/yes/no)"),
            (parse_bool01("2").map(drop), "`2` is not 0 or 1"),
            (parse_log_level("9").map(drop), "log level `9` is out of range 0..8"),
            (parse_log_level("1x").map(drop), "`1x` is not a number"),
            (parse_log_level("LOUD").map(drop), "`LOUD` is not a log level (TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, FATAL, or 0..8)"),
            (parse_cap("99").map(drop), "capability number `99` is beyond the last capability"),
            (parse_cap("CAP_SYS_ADMIN").map(drop), "`CAP_SYS_ADMIN` is not a capability name: liblxc wants lower case without `CAP_` (write `sys_admin`)"),
            (parse_cap("sys_foo").map(drop), "`sys_foo` is not a capability name"),
            (parse_ipv4_address("10.0.0/24").map(drop), "`10.0.0` is not an IPv4 address"),
            (parse_ipv4_address("10.0.0.1/x").map(drop), "`x` is not a prefix length"),
            (parse_ipv4_address("10.0.0.1/33").map(drop), "prefix /33 is larger than 32"),
            (parse_ipv4_address("10.0.0.1/24 bcast").map(drop), "`bcast` is not an IPv4 broadcast address"),
            (parse_ipv6_address("fd00::g").map(drop), "`fd00::g` is not an IPv6 address"),
            (parse_ipv6_address("fd00::1/-1").map(drop), "`-1` is not a prefix length"),
            (parse_ipv6_address("fd00::1/256").map(drop), "prefix /256 is too large"),
            (parse_gateway("10.0.0", false).map(drop), "`10.0.0` is not an IPv4 address, `auto` or `dev`"),
            (parse_gateway("fd00::g", true).map(drop), "`fd00::g` is not an IPv6 address, `auto` or `dev`"),
            (parse_route("10.0.0.0", false).map(drop), "`10.0.0.0` needs a prefix, e.g. `10.0.0.0/24`"),
            (parse_route("10.0.0/8", false).map(drop), "`10.0.0` is not an IPv4 address"),
            (parse_route("fd00::g/8", true).map(drop), "`fd00::g` is not an IPv6 address"),
            (parse_route("10.0.0.0/33", false).map(drop), "`33` is not a prefix length (0..32)"),
            (parse_route("fd00::/129", true).map(drop), "`129` is not a prefix length (0..128)"),
            (parse_time_offset("h").map(drop), "`h` does not start with a number"),
            (parse_time_offset("5").map(drop), "`5` has no unit (add one of h, m, s, ms, us, ns)"),
            (parse_time_offset("5 d").map(drop), "`d` is not a time unit (h, m, s, ms, us, ns)"),
            (parse_time_offset("-2h").map(drop), "liblxc refuses a negative offset in `h`: write it in seconds or nanoseconds (e.g. `-7200s`)"),
            (parse_time_offset("9999999999h").map(drop), "`9999999999h` is too large"),
            (parse_console_size("MB").map(drop), "`MB` is not a size"),
            (parse_console_size("1 TB").map(drop), "`TB` is not a size unit (B, kB, MB, GB)"),
            (parse_console_size("99999999999999GB").map(drop), "`99999999999999GB` is too large"),
            (parse_prlimit(" 99999999999999999999 ").map(drop), "`99999999999999999999` is too large"),
            (parse_prlimit(" -2 ").map(drop), "`-2` is not a number or `unlimited`"),
        ];
        for (result, message) in cases {
            assert_eq!(result.unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn paths_are_simplified() {
        assert_eq!(simplify_path("/var//lib/lxc/"), "/var/lib/lxc");
        assert_eq!(simplify_path("a/./b"), "a/b");
    }

    #[test]
    fn a_huge_negative_offset_in_hours_is_too_large_not_an_overflow() {
        let text = format!("{}h", i64::MIN / 2);
        assert!(matches!(
            parse_time_offset(&text),
            Err(ValueError::TooLarge { .. })
        ));
    }
}
