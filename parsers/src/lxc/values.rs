//! Value grammars of individual LXC keys, following liblxc's setters.

use lxconf_model::model::{Gateway, Ipv4Cidr, Ipv6Cidr, LogLevel, Route};
use lxconf_model::{ByteSize, Cap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
pub fn parse_c_unsigned(text: &str) -> Result<CNumber, String> {
    let t = text.trim_start_matches([' ', '\t']);
    if t.starts_with('-') {
        return Err(format!(
            "`{text}` is negative; an unsigned number is expected"
        ));
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    if digits.is_empty() && radix != 8 {
        return Err(format!("`{text}` is not a number"));
    }
    let value = u64::from_str_radix(if digits.is_empty() { "0" } else { digits }, radix)
        .map_err(|_| format!("`{text}` is not a number"))?;
    Ok(CNumber {
        value,
        non_decimal: radix != 10,
    })
}

/// An unsigned 32-bit number (liblxc `lxc_safe_uint`).
pub fn parse_uint(text: &str) -> Result<CNumber, String> {
    let n = parse_c_unsigned(text)?;
    if n.value > u32::MAX as u64 {
        return Err(format!("`{text}` does not fit in 32 bits"));
    }
    Ok(n)
}

/// A signed 32-bit number (liblxc `lxc_safe_int`).
pub fn parse_int(text: &str) -> Result<(i64, bool), String> {
    let t = text.trim_start_matches([' ', '\t']);
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    if body.starts_with(['-', '+']) && neg {
        return Err(format!("`{text}` is not a number"));
    }
    let n = parse_c_unsigned(body)?;
    let v = if neg {
        -(n.value as i128)
    } else {
        n.value as i128
    };
    if v < i32::MIN as i128 || v > i32::MAX as i128 {
        return Err(format!("`{text}` does not fit in 32 bits"));
    }
    Ok((v as i64, n.non_decimal))
}

/// `0` or `1` (numbers in any C base).
pub fn parse_bool01(text: &str) -> Result<(bool, bool), String> {
    let n = parse_uint(text).map_err(|_| {
        format!("`{text}` is not 0 or 1 (liblxc does not accept true/false/yes/no)")
    })?;
    match n.value {
        0 => Ok((false, n.non_decimal)),
        1 => Ok((true, n.non_decimal)),
        _ => Err(format!("`{text}` is not 0 or 1")),
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
pub fn parse_log_level(text: &str) -> Result<LogLevel, String> {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        let n = parse_uint(text)?.value;
        return LogLevel::ALL
            .get(n as usize)
            .copied()
            .ok_or_else(|| format!("log level `{text}` is out of range 0..8"));
    }
    let upper = text.to_ascii_uppercase();
    const NAMES: [&str; 9] = [
        "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "FATAL",
    ];
    NAMES
        .iter()
        .position(|n| *n == upper)
        .map(|i| LogLevel::ALL[i])
        .ok_or_else(|| {
            format!("`{text}` is not a log level (TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, FATAL, or 0..8)")
        })
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
pub fn parse_cap(token: &str) -> Result<Cap, String> {
    if let Some(c) = Cap::from_name(token) {
        return Ok(c);
    }
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        return token
            .parse()
            .ok()
            .and_then(Cap::from_index)
            .ok_or_else(|| format!("capability number `{token}` is beyond the last capability"));
    }
    let lower = token.to_ascii_lowercase();
    let bare = lower.strip_prefix("cap_").unwrap_or(&lower);
    if Cap::from_name(bare).is_some() {
        return Err(format!(
            "`{token}` is not a capability name: liblxc wants lower case without `CAP_` (write `{bare}`)"
        ));
    }
    Err(format!("`{token}` is not a capability name"))
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
pub fn parse_ipv4_address(text: &str) -> Result<(Ipv4Cidr, bool), String> {
    let (main, bcast) = match text.split_once([' ', '\t']) {
        Some((m, b)) => (m, Some(b.trim())),
        None => (text, None),
    };
    let (addr, prefix) = match main.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (main, None),
    };
    let address: Ipv4Addr = addr
        .parse()
        .map_err(|_| format!("`{addr}` is not an IPv4 address"))?;
    let (prefix, given) = match prefix {
        Some(p) => {
            let n = parse_uint(p).map_err(|_| format!("`{p}` is not a prefix length"))?;
            if n.value > 32 {
                return Err(format!("prefix /{p} is larger than 32"));
            }
            (n.value as u8, true)
        }
        None => (lxc_default_ipv4_prefix(address), false),
    };
    let broadcast = match bcast {
        Some(b) if !b.is_empty() => Some(
            b.parse()
                .map_err(|_| format!("`{b}` is not an IPv4 broadcast address"))?,
        ),
        _ => None,
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
pub fn parse_ipv6_address(text: &str) -> Result<Ipv6Cidr, String> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let address: Ipv6Addr = addr
        .parse()
        .map_err(|_| format!("`{addr}` is not an IPv6 address"))?;
    let prefix = match prefix {
        Some(p) => {
            let n = parse_uint(p).map_err(|_| format!("`{p}` is not a prefix length"))?;
            u8::try_from(n.value).map_err(|_| format!("prefix /{p} is too large"))?
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
pub fn parse_gateway(text: &str, v6: bool) -> Result<Gateway, String> {
    match text {
        "auto" => Ok(Gateway::Auto),
        "dev" => Ok(Gateway::Dev),
        _ if v6 => text
            .parse::<Ipv6Addr>()
            .map(|a| Gateway::Address(IpAddr::V6(a)))
            .map_err(|_| format!("`{text}` is not an IPv6 address, `auto` or `dev`")),
        _ => text
            .parse::<Ipv4Addr>()
            .map(|a| Gateway::Address(IpAddr::V4(a)))
            .map_err(|_| format!("`{text}` is not an IPv4 address, `auto` or `dev`")),
    }
}

/// `addr/prefix` (prefix required) for veth routes.
pub fn parse_route(text: &str, v6: bool) -> Result<Route, String> {
    let (addr, prefix) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` needs a prefix, e.g. `{text}/24`"))?;
    let address: IpAddr = if v6 {
        IpAddr::V6(
            addr.parse()
                .map_err(|_| format!("`{addr}` is not an IPv6 address"))?,
        )
    } else {
        IpAddr::V4(
            addr.parse()
                .map_err(|_| format!("`{addr}` is not an IPv4 address"))?,
        )
    };
    let max = if v6 { 128 } else { 32 };
    let prefix = parse_uint(prefix)
        .ok()
        .filter(|n| n.value <= max)
        .ok_or_else(|| format!("`{prefix}` is not a prefix length (0..{max})"))?
        .value as u8;
    Ok(Route {
        address,
        prefix,
        gateway: None,
        metric: None,
    })
}

/// `lxc.time.offset.*`: a signed integer, optional blanks, and a unit (h m s ms us ns).
pub fn parse_time_offset(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let digits_end = t
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+'))))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let number: i64 = t[..digits_end]
        .parse()
        .map_err(|_| format!("`{text}` does not start with a number"))?;
    let unit = t[digits_end..].trim();
    let factor: i64 = match unit {
        "h" => 3_600_000_000_000,
        "m" => 60_000_000_000,
        "s" => 1_000_000_000,
        "ms" => 1_000_000,
        "us" => 1_000,
        "ns" => 1,
        "" => {
            return Err(format!(
                "`{text}` has no unit (add one of h, m, s, ms, us, ns)"
            ))
        }
        other => {
            return Err(format!(
                "`{other}` is not a time unit (h, m, s, ms, us, ns)"
            ))
        }
    };
    // liblxc 5 parses h, m, ms and us offsets as unsigned: a sign only works with s and ns.
    if number < 0 && !matches!(unit, "s" | "ns") {
        return Err(format!(
            "liblxc refuses a negative offset in `{unit}`: write it in seconds or nanoseconds (e.g. `{}s`)",
            number * (factor / 1_000_000_000).max(1)
        ));
    }
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// `lxc.console.size` / `lxc.console.buffer.size`: `auto` (128 KiB) or a byte size with an
/// optional `B`, `kB`, `MB`, `GB` unit (powers of 1024), raised to at least a page and
/// rounded up to a power of two, as liblxc does.
pub fn parse_console_size(text: &str) -> Result<ByteSize, String> {
    if text == "auto" {
        return Ok(ByteSize(128 * 1024));
    }
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..digits]
        .parse()
        .map_err(|_| format!("`{text}` is not a size"))?;
    let factor: u64 = match text[digits..].trim() {
        "" | "B" | "b" => 1,
        "kB" | "KB" | "kb" | "k" | "K" => 1 << 10,
        "MB" | "mb" | "m" | "M" => 1 << 20,
        "GB" | "gb" | "g" | "G" => 1 << 30,
        other => return Err(format!("`{other}` is not a size unit (B, kB, MB, GB)")),
    };
    let bytes = number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes == 0 {
        return Ok(ByteSize(0));
    }
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
    fn time_offsets_need_a_unit() {
        assert_eq!(parse_time_offset("2 h"), Ok(7_200_000_000_000));
        assert_eq!(parse_time_offset("-3600s"), Ok(-3_600_000_000_000));
        assert!(parse_time_offset("-2h").unwrap_err().contains("-7200s"));
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
            .contains("`sys_admin`"));
        assert!(parse_cap("SYS_ADMIN").is_err());
        assert!(parse_cap("99").is_err());
    }

    #[test]
    fn paths_are_simplified() {
        assert_eq!(simplify_path("/var//lib/lxc/"), "/var/lib/lxc");
        assert_eq!(simplify_path("a/./b"), "a/b");
    }
}
