//! The C number parsing libvirt's converter relies on (glibc `strtoul`/`strtol` semantics
//! behind libvirt's `virStrToLong_*` wrappers, `sscanf("%lu")`, scaled sizes, CPU bitmaps,
//! MAC and IP addresses), re-implemented with the same acceptance and wrap-around rules.

use std::fmt::Write;

/// What glibc's `strtoul`/`strtoull` (base 10) does with a string: the value (wrapped for a
/// leading `-`, saturated on overflow), how many bytes were consumed (0 when no digits),
/// whether it overflowed (ERANGE) and whether a `-` sign was consumed.
struct Strtoul {
    value: u64,
    consumed: usize,
    overflow: bool,
    negative: bool,
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn strtoul(s: &[u8]) -> Strtoul {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = u64::from(s[i] - b'0');
        match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return Strtoul {
            value: 0,
            consumed: 0,
            overflow: false,
            negative: false,
        };
    }
    if overflow {
        value = u64::MAX;
    } else if negative {
        value = value.wrapping_neg();
    }
    Strtoul {
        value,
        consumed: i,
        overflow,
        negative,
    }
}

/// glibc `strtol` on a 64-bit long: (value, consumed, overflow).
fn strtol(s: &[u8]) -> (i64, usize, bool) {
    let r = strtoul(s);
    if r.consumed == 0 {
        return (0, 0, false);
    }
    // Recompute the magnitude to apply signed limits.
    let mut i = 0;
    while is_c_space(s[i]) {
        i += 1;
    }
    if s[i] == b'+' || s[i] == b'-' {
        i += 1;
    }
    let mut mag: u128 = 0;
    let mut big = false;
    while i < r.consumed {
        mag = mag * 10 + u128::from(s[i] - b'0');
        if mag > u128::from(u64::MAX) {
            big = true;
            mag = u128::from(u64::MAX);
        }
        i += 1;
    }
    if r.negative {
        if big || mag > 1u128 << 63 {
            (i64::MIN, r.consumed, true)
        } else {
            ((mag as i128).wrapping_neg() as i64, r.consumed, false)
        }
    } else if big || mag > i64::MAX as u128 {
        (i64::MAX, r.consumed, true)
    } else {
        (mag as i64, r.consumed, false)
    }
}

/// libvirt's `virStrToLong_ull` with no end pointer: the whole string must be a number;
/// a leading `-` wraps around.
pub fn to_ull(s: &str) -> Option<u64> {
    to_ull_prefix(s).and_then(|(v, rest)| rest.is_empty().then_some(v))
}

/// `virStrToLong_ull` with an end pointer: the value and the unparsed rest.
pub fn to_ull_prefix(s: &str) -> Option<(u64, &str)> {
    let r = strtoul(s.as_bytes());
    if r.overflow || r.consumed == 0 {
        return None;
    }
    Some((r.value, &s[r.consumed..]))
}

/// libvirt's `virStrToLong_ui` with no end pointer (32-bit; `-N` wraps when N fits).
pub fn to_ui(s: &str) -> Option<u32> {
    let r = strtoul(s.as_bytes());
    if r.consumed == 0 || r.overflow || r.consumed != s.len() {
        return None;
    }
    let mut v = r.value;
    if r.negative {
        if v.wrapping_neg() > u64::from(u32::MAX) {
            return None;
        }
        v &= u64::from(u32::MAX);
    }
    u32::try_from(v).ok()
}

/// libvirt's `virStrToLong_ll` with no end pointer.
pub fn to_ll(s: &str) -> Option<i64> {
    let (v, consumed, overflow) = strtol(s.as_bytes());
    (consumed != 0 && !overflow && consumed == s.len()).then_some(v)
}

/// libvirt's `virStrToLong_i` with no end pointer.
pub fn to_i(s: &str) -> Option<i32> {
    to_i_prefix(s).and_then(|(v, rest)| rest.is_empty().then_some(v))
}

/// `virStrToLong_i` with an end pointer.
fn to_i_prefix(s: &str) -> Option<(i32, &str)> {
    let (v, consumed, overflow) = strtol(s.as_bytes());
    if consumed == 0 || overflow {
        return None;
    }
    i32::try_from(v).ok().map(|v| (v, &s[consumed..]))
}

/// What a size string means to the converter (`lxcConvertSize`).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// `N%`.
    #[error("can't convert relative size")]
    Relative,
    /// Anything else that is not `N[suffix]`.
    #[error("failed to convert size")]
    Bad,
}

/// A size in bytes: a number, then an optional case-insensitive suffix (`b`, `byte(s)`,
/// `k`/`KiB` = 1024, `KB` = 1000, up to `e`), no blanks.
pub fn convert_size(s: &str) -> Result<u64, SizeError> {
    let (value, unit) = to_ull_prefix(s).ok_or(SizeError::Bad)?;
    if unit == "%" {
        return Err(SizeError::Relative);
    }
    scale(value, unit).ok_or(SizeError::Bad)
}

fn scale(value: u64, suffix: &str) -> Option<u64> {
    let sb = suffix.as_bytes();
    let factor: u64 = if suffix.is_empty()
        || suffix.eq_ignore_ascii_case("b")
        || suffix.eq_ignore_ascii_case("byte")
        || suffix.eq_ignore_ascii_case("bytes")
    {
        1
    } else {
        let base: u64 = if sb.len() == 1 || sb[1..].eq_ignore_ascii_case(b"ib") {
            1024
        } else if sb.len() == 2 && sb[1].eq_ignore_ascii_case(&b'b') {
            1000
        } else {
            return None;
        };
        let power = match sb[0].to_ascii_lowercase() {
            b'k' => 1,
            b'm' => 2,
            b'g' => 3,
            b't' => 4,
            b'p' => 5,
            b'e' => 6,
            _ => return None,
        };
        base.pow(power)
    };
    if value != 0 && value > u64::MAX / factor {
        return None;
    }
    Some(value * factor)
}

/// `sscanf(s, "%c %lu %lu %lu")`: the type byte and three numbers, cut to 32 bits as libvirt
/// stores them; `None` unless all four conversions succeed.
pub fn scan_idmap(s: &str) -> Option<(u8, [u32; 3])> {
    let b = s.as_bytes();
    let kind = *b.first()?;
    let mut i = 1;
    let mut nums = [0u32; 3];
    for n in &mut nums {
        while i < b.len() && is_c_space(b[i]) {
            i += 1;
        }
        let r = strtoul(&b[i..]);
        if r.consumed == 0 {
            return None;
        }
        *n = r.value as u32;
        i += r.consumed;
    }
    Some((kind, nums))
}

/// Size of libvirt's CPU/node bitmaps in the converter.
pub const BITMAP_BITS: usize = 16384;

/// A parsed libvirt bitmap (`virBitmapParse`): `N`, `N-M`, `^N`, comma-separated, with
/// blanks allowed around the items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap(Vec<bool>);

impl Bitmap {
    /// Parse with libvirt's grammar; `None` is "Failed to parse bitmap".
    pub fn parse(s: &str) -> Option<Bitmap> {
        let mut bits = vec![false; BITMAP_BITS];
        let b = s.as_bytes();
        let skip = |i: &mut usize| {
            while *i < b.len() && is_c_space(b[*i]) {
                *i += 1;
            }
        };
        let mut i = 0;
        skip(&mut i);
        if i >= b.len() {
            return None;
        }
        let mut neg = false;
        while i < b.len() {
            if b[i] == b'^' {
                i += 1;
                neg = true;
            }
            if i >= b.len() || !b[i].is_ascii_digit() {
                return None;
            }
            let (start, rest) = to_i_prefix(&s[i..])?;
            if start < 0 {
                return None;
            }
            i = s.len() - rest.len();
            skip(&mut i);
            let c = b.get(i).copied().unwrap_or(0);
            if c == b',' || c == 0 {
                let slot = bits.get_mut(start as usize)?;
                *slot = !neg;
            } else if c == b'-' {
                if neg {
                    return None;
                }
                i += 1;
                skip(&mut i);
                let (last, rest) = to_i_prefix(&s[i..])?;
                if last < start {
                    return None;
                }
                i = s.len() - rest.len();
                for bit in start..=last {
                    *bits.get_mut(bit as usize)? = true;
                }
                skip(&mut i);
            }
            match b.get(i) {
                Some(b',') => {
                    i += 1;
                    skip(&mut i);
                    neg = false;
                }
                None => break,
                Some(_) => return None,
            }
        }
        Some(Bitmap(bits))
    }

    /// Every bit set.
    pub fn all_set(&self) -> bool {
        self.0.iter().all(|b| *b)
    }

    /// libvirt's text form: ranges of two or more as `A-B`, comma-separated.
    pub fn format(&self) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < self.0.len() {
            if !self.0[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i + 1 < self.0.len() && self.0[i + 1] {
                i += 1;
            }
            if !out.is_empty() {
                out.push(',');
            }
            if i == start {
                let _ = write!(out, "{start}");
            } else {
                let _ = write!(out, "{start}-{i}");
            }
            i += 1;
        }
        out
    }
}

/// libvirt's MAC parser: six 1–2 digit hex groups separated by `:`; after the sixth, any
/// byte at or below a space (or the end) is accepted.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let b = s.as_bytes();
    let mut mac = [0u8; 6];
    let mut i = 0;
    for (n, slot) in mac.iter_mut().enumerate() {
        if !b.get(i).is_some_and(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        // strtoul base 16 would also take a `0x` prefix; the length check rejects it.
        let start = i;
        if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
            if b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            i += 1;
        } else {
            while b.get(i).is_some_and(|c| c.is_ascii_hexdigit()) {
                i += 1;
            }
            if i - start > 2 {
                return None;
            }
        }
        *slot = u8::from_str_radix(&s[start..i], 16).ok()?;
        let next = b.get(i).copied().unwrap_or(0);
        if n == 5 && next <= b' ' {
            return Some(mac);
        }
        if next != b':' {
            return None;
        }
        i += 1;
    }
    None
}

/// glibc's `inet_aton` in exact mode (what `getaddrinfo` uses for numeric IPv4): 1 to 4
/// parts, each decimal, octal (leading 0) or hex (0x).
pub fn parse_ipv4(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    let mut parts: Vec<u64> = Vec::with_capacity(4);
    let mut i = 0;
    let mut val: u64;
    loop {
        if !b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        val = 0;
        let mut base = 10;
        if b[i] == b'0' {
            i += 1;
            if matches!(b.get(i), Some(b'x' | b'X')) {
                // `0x` without a hex digit is the number 0 followed by a stray `x`.
                if !b.get(i + 1).is_some_and(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                base = 16;
                i += 1;
            } else {
                base = 8;
            }
        }
        while let Some(&c) = b.get(i) {
            let d = if c.is_ascii_digit() {
                if base == 8 && c >= b'8' {
                    return None;
                }
                u64::from(c - b'0')
            } else if base == 16 && c.is_ascii_hexdigit() {
                u64::from(c.to_ascii_lowercase() - b'a' + 10)
            } else {
                break;
            };
            val = val * base + d;
            if val > u64::from(u32::MAX) {
                return None;
            }
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            if parts.len() > 2 || val > 0xff {
                return None;
            }
            parts.push(val);
            i += 1;
        } else {
            break;
        }
    }
    if i != b.len() {
        return None;
    }
    let limit: u64 = match parts.len() {
        0 => u64::from(u32::MAX),
        1 => 0xff_ffff,
        2 => 0xffff,
        _ => 0xff,
    };
    if val > limit {
        return None;
    }
    let mut addr = val as u32;
    for (n, p) in parts.iter().enumerate() {
        addr |= (*p as u32) << (24 - 8 * n);
    }
    Some(addr)
}

/// A parsed IP address, printed the way glibc's `getnameinfo(NI_NUMERICHOST)` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ip {
    /// IPv4.
    V4(u32),
    /// IPv6 with its scope id (0 = none) and, for link-local addresses, the host
    /// interface name the scope id resolves to.
    V6([u16; 8], u32, Option<String>),
}

/// The host's network interface index of a name (`if_nametoindex`), from sysfs.
fn host_ifindex(name: &str) -> Option<u32> {
    if name.is_empty() || name.len() > 15 || name.contains('/') || name == "." || name == ".." {
        return None;
    }
    std::fs::read_to_string(format!("/sys/class/net/{name}/ifindex"))
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|i| *i != 0)
}

/// The host's interface name of an index (`if_indextoname`), from sysfs.
fn host_ifname(index: u32) -> Option<String> {
    std::fs::read_dir("/sys/class/net")
        .ok()?
        .flatten()
        .find_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (host_ifindex(&name) == Some(index)).then_some(name)
        })
}

/// Parse an IPv6 literal (`inet_pton` rules) with an optional `%scope` as glibc's
/// `getaddrinfo` reads it: an interface name (link-local and node/link-local multicast
/// addresses only, looked up on this host) or a 32-bit number.
pub fn parse_ipv6(s: &str) -> Option<Ip> {
    let (addr, scope) = match s.split_once('%') {
        Some((a, sc)) => (a, Some(sc)),
        None => (s, None),
    };
    let w = addr.parse::<std::net::Ipv6Addr>().ok()?.segments();
    let link_local = w[0] & 0xffc0 == 0xfe80;
    let mc_link_local = w[0] & 0xff0f == 0xff02;
    let mc_node_local = w[0] & 0xff0f == 0xff01;
    let scope_id = match scope {
        None => 0,
        Some(sc) => {
            let by_name = if link_local || mc_link_local || mc_node_local {
                host_ifindex(sc)
            } else {
                None
            };
            match by_name {
                Some(i) => i,
                None if sc.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
                    let r = strtoul(sc.as_bytes());
                    if r.overflow || r.consumed != sc.len() || r.negative {
                        return None;
                    }
                    u32::try_from(r.value).ok()?
                }
                None => return None,
            }
        }
    };
    let name = if scope_id != 0 && (link_local || mc_link_local) {
        host_ifname(scope_id)
    } else {
        None
    };
    Some(Ip::V6(w, scope_id, name))
}

/// Parse for a family: `Some(4)`, `Some(6)` or `None` for either.
pub fn parse_ip(s: &str, family: Option<u8>) -> Option<Ip> {
    match family {
        Some(4) => parse_ipv4(s).map(Ip::V4),
        Some(6) => parse_ipv6(s),
        _ => parse_ipv4(s).map(Ip::V4).or_else(|| parse_ipv6(s)),
    }
}

impl std::fmt::Display for Ip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Ip::V4(a) => write!(f, "{}", std::net::Ipv4Addr::from(a)),
            Ip::V6(w, scope, ref name) => {
                // Longest run of two or more zero words (first one on a tie).
                let (mut best, mut best_len) = (usize::MAX, 0);
                let mut i = 0;
                while i < 8 {
                    if w[i] == 0 {
                        let start = i;
                        while i < 8 && w[i] == 0 {
                            i += 1;
                        }
                        if i - start > best_len {
                            best = start;
                            best_len = i - start;
                        }
                    } else {
                        i += 1;
                    }
                }
                if best_len < 2 {
                    best = usize::MAX;
                }
                let mut out = String::new();
                let mut i = 0;
                while i < 8 {
                    if best != usize::MAX && i >= best && i < best + best_len {
                        if i == best {
                            out.push(':');
                        }
                        i += 1;
                        continue;
                    }
                    if i != 0 {
                        out.push(':');
                    }
                    if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
                        let v4 = (u32::from(w[6]) << 16) | u32::from(w[7]);
                        let _ = write!(out, "{}", std::net::Ipv4Addr::from(v4));
                        break;
                    }
                    let _ = write!(out, "{:x}", w[i]);
                    i += 1;
                }
                if best != usize::MAX && best + best_len == 8 {
                    out.push(':');
                }
                match name {
                    Some(n) => {
                        let _ = write!(out, "%{n}");
                    }
                    None if scope != 0 => {
                        let _ = write!(out, "%{scope}");
                    }
                    None => {}
                }
                f.write_str(&out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_suffix_with_a_multibyte_character_is_bad_not_a_panic() {
        assert_eq!(convert_size("1é"), Err(SizeError::Bad));
        assert_eq!(convert_size("1\u{e9}iB"), Err(SizeError::Bad));
        assert_eq!(convert_size("1kiB"), Ok(1024));
    }

    #[test]
    fn c_integer_rules() {
        assert_eq!(to_ull("-1"), Some(u64::MAX));
        assert_eq!(to_ull(" 5"), Some(5));
        assert_eq!(to_ull("5 "), None);
        assert_eq!(to_ull("18446744073709551616"), None);
        assert_eq!(to_ui("-4294967295"), Some(1));
        assert_eq!(to_ui("-4294967296"), None);
        assert_eq!(to_ui("4294967296"), None);
        assert_eq!(to_ll("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(to_ll("9223372036854775808"), None);
        assert_eq!(to_i("+2"), Some(2));
        assert_eq!(to_i("0x2"), None);
        assert_eq!(to_i("99999999999"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(convert_size("1G"), Ok(1 << 30));
        assert_eq!(convert_size("1Gb"), Ok(1_000_000_000));
        assert_eq!(convert_size("3kib"), Ok(3072));
        assert_eq!(convert_size("1e"), Ok(1 << 60));
        assert_eq!(convert_size("16E"), Err(SizeError::Bad));
        assert_eq!(convert_size("50%"), Err(SizeError::Relative));
        assert_eq!(convert_size("1.5G"), Err(SizeError::Bad));
        assert_eq!(convert_size("-1"), Ok(u64::MAX));
    }

    #[test]
    fn idmaps_scan_like_sscanf() {
        assert_eq!(
            scan_idmap("u 0 100000 65536"),
            Some((b'u', [0, 100000, 65536]))
        );
        assert_eq!(
            scan_idmap("u4294967296 -5 +7 9"),
            Some((b'u', [0, 4294967291, 7]))
        );
        assert_eq!(scan_idmap("u 0 1 0x5"), Some((b'u', [0, 1, 0])));
        assert_eq!(scan_idmap("u 0 1"), None);
        assert_eq!(scan_idmap(""), None);
    }

    #[test]
    fn bitmaps() {
        let f = |s: &str| Bitmap::parse(s).map(|b| b.format());
        assert_eq!(f("0-3, 7 , ^2 ").as_deref(), Some("0-1,3,7"));
        assert_eq!(f("0,2").as_deref(), Some("0,2"));
        assert_eq!(f("^0").as_deref(), Some(""));
        assert_eq!(f("16384"), None);
        assert_eq!(f(""), None);
        assert!(Bitmap::parse("0-16383").is_some_and(|b| b.all_set()));
    }

    #[test]
    fn macs_and_ips() {
        assert_eq!(parse_mac("2:0:a:B:c:D  x"), Some([2, 0, 10, 11, 12, 13]));
        assert_eq!(parse_mac("02:00:00:00:00:01:02"), None);
        assert_eq!(parse_mac("00:16:3e:xx:xx:xx"), None);
        assert_eq!(
            parse_ip("010.1", Some(4)).map(|i| i.to_string()).as_deref(),
            Some("8.0.0.1")
        );
        assert_eq!(parse_ip("10.0.0.256", Some(4)), None);
        let v6 = |s: &str| parse_ip(s, Some(6)).map(|i| i.to_string());
        assert_eq!(v6("::1.2.3.4").as_deref(), Some("::1.2.3.4"));
        assert_eq!(v6("::ffff:1.2.3.4").as_deref(), Some("::ffff:1.2.3.4"));
        assert_eq!(
            v6("2003:db8:1:0:0:1234:fe0b:3596").as_deref(),
            Some("2003:db8:1::1234:fe0b:3596")
        );
        assert_eq!(v6("1:0:0:2:0:0:0:3").as_deref(), Some("1:0:0:2::3"));
        assert_eq!(v6("1.2.3.4"), None);
    }
}
