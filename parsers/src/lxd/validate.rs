//! What LXD checks at `lxc init` (docs/lxd-facts.md §1.1, §1.2, §2.1, §3): keys, value
//! grammars, keys refused together, `raw.lxc` lines, devices and the root disk. Each
//! finding is a D code at the key or value it is about.

use super::read::{Device, Item};
use lxconf_model::lxd::devices as dev;
use lxconf_model::lxd::keys::{self, Grammar, KeyScope};
use lxconf_model::lxd::raw_lxc;
use lxconf_model::model::LxdFlavor;
use lxconf_model::{Code, Diagnostic};

/// Where a config map comes from: it decides which keys are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// An instance's own config: validated as a container.
    Instance,
    /// A profile: validated for any instance type; no volatile or image keys.
    Profile,
}

/// Check every key and value of one config map.
pub fn config(items: &[Item], scope: Scope, flavor: LxdFlavor, diags: &mut Vec<Diagnostic>) {
    for item in items {
        let Some(info) = keys::lookup_key(&item.key, flavor) else {
            diags.push(
                Diagnostic::new(Code::D003, format!("unknown configuration key `{}`", item.key.escape_debug()))
                    .at(item.key_origin)
                    .help("LXD refuses the instance (\"Unknown configuration key\"); `user.*` keys hold anything of your own"),
            );
            continue;
        };
        if scope == Scope::Instance && info.scope == KeyScope::Vm {
            diags.push(
                Diagnostic::new(Code::D004, format!("`{}` applies to virtual machines only", item.key))
                    .at(item.key_origin)
                    .help("LXD refuses it in a container's own config (\"Unknown configuration key\"); remove it, or set it in a profile shared with VMs"),
            );
        }
        let instance_only =
            info.scope == KeyScope::Volatile || item.key.starts_with(keys::IMAGE_PREFIX);
        if scope == Scope::Profile && instance_only {
            diags.push(
                Diagnostic::new(
                    Code::D016,
                    format!("`{}` can only be set on an instance", item.key),
                )
                .at(item.key_origin)
                .help("LXD refuses volatile and image keys in a profile; remove the key"),
            );
        }
        if let Err(why) = check_value(info.grammar, &item.value) {
            diags.push(
                Diagnostic::new(
                    Code::D005,
                    format!("invalid value for `{}`: {why}", item.key),
                )
                .at(item.value_origin)
                .help(grammar_help(info.grammar)),
            );
        }
    }
    exclusive(items, diags);
}

/// The words of a grammar, for help text.
fn grammar_help(g: Grammar) -> String {
    match g {
        Grammar::Any => "any value".into(),
        Grammar::Bool => "a boolean: true, false, yes, no, on, off, 1 or 0".into(),
        Grammar::Int64 => "a whole number".into(),
        Grammar::Uint32 => "a whole number from 0 to 4294967295".into(),
        Grammar::Priority => "a whole number from 0 to 10".into(),
        Grammar::Size => "digits and a unit written exactly: B, kB, MB, GB, TB, PB, EB, KiB, MiB, GiB, TiB, PiB, EiB (`1G` and `1gb` are refused)".into(),
        Grammar::CpuSet => "a count of CPUs (`2`) or a CPU list (`0-1`, `0,2`); one pinned CPU is `3-3`".into(),
        Grammar::CpuAllowance => "a percentage (`50%`) or a time slice (`25ms/100ms`)".into(),
        Grammar::MemoryLimit => "a size (`512MiB`) or a percentage of the host's memory (`50%`), not 0".into(),
        Grammar::OneOf(words) => format!("one of: {}", words.join(", ")),
        Grammar::Uuid => "a UUID".into(),
    }
}

/// Whether `value` follows `grammar` (LXD's validators; an empty value is never checked,
/// it is not stored).
pub fn check_value(grammar: Grammar, value: &str) -> Result<(), String> {
    let ok = match grammar {
        Grammar::Any => true,
        Grammar::Bool => is_bool(value),
        Grammar::Int64 => value.parse::<i64>().is_ok(),
        Grammar::Uint32 => value.parse::<u32>().is_ok(),
        Grammar::Priority => value.parse::<u8>().is_ok_and(|p| p <= 10) && digits(value),
        Grammar::Size => parse_size(value).is_some(),
        Grammar::CpuSet => return cpu_set(value),
        Grammar::CpuAllowance => cpu_allowance(value),
        Grammar::MemoryLimit => match value.strip_suffix('%') {
            Some(pct) => pct.parse::<i64>().is_ok_and(|p| p != 0),
            None => parse_size(value).is_some_and(|b| b != 0),
        },
        Grammar::OneOf(words) => words.contains(&value),
        Grammar::Uuid => is_uuid(value),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not {}",
            value.escape_debug(),
            grammar_help(grammar)
        ))
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// LXD's booleans, case-insensitive.
pub fn is_bool(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "1" | "0" | "on" | "off"
    )
}

/// LXD's truth (`shared.IsTrue`).
pub fn is_true(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "yes" | "1" | "on"
    )
}

/// LXD's false (`shared.IsFalse`).
pub fn is_false(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "false" | "no" | "0" | "off"
    )
}

/// `units.ParseByteSizeString`: digits, then a unit matched exactly.
pub fn parse_size(value: &str) -> Option<u64> {
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    if number.is_empty() {
        return None;
    }
    let factor: u64 = match unit {
        "" | "B" | " bytes" => 1,
        "kB" => 1000,
        "MB" => 1000u64.pow(2),
        "GB" => 1000u64.pow(3),
        "TB" => 1000u64.pow(4),
        "PB" => 1000u64.pow(5),
        "EB" => 1000u64.pow(6),
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "PiB" => 1 << 50,
        "EiB" => 1 << 60,
        _ => return None,
    };
    number
        .parse::<u64>()
        .ok()?
        .checked_mul(factor)
        .filter(|b| i64::try_from(*b).is_ok())
}

fn cpu_set(value: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "`{}` is not {}",
            value.escape_debug(),
            grammar_help(Grammar::CpuSet)
        )
    };
    let mut seen = std::collections::BTreeSet::new();
    for part in value.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if !digits(a) || !digits(b) {
            return Err(bad());
        }
        let (a, b) = (
            a.parse::<u64>().map_err(|_| bad())?,
            b.parse::<u64>().map_err(|_| bad())?,
        );
        if b.saturating_sub(a) > 65536 {
            return Err(bad());
        }
        for cpu in a..=b {
            if !seen.insert(cpu) {
                return Err(format!(
                    "CPU {cpu} is listed twice (\"Cannot define CPU multiple times\")"
                ));
            }
        }
    }
    Ok(())
}

fn cpu_allowance(value: &str) -> bool {
    if let Some(pct) = value.strip_suffix('%') {
        return pct.parse::<i64>().is_ok();
    }
    let Some((a, b)) = value.split_once('/') else {
        return false;
    };
    let ms = |s: &str| s.strip_suffix("ms").unwrap_or(s).parse::<i64>().is_ok();
    ms(a) && ms(b)
}

fn is_uuid(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `ValidConfig`'s cross-key rules.
fn exclusive(items: &[Item], diags: &mut Vec<Diagnostic>) {
    use keys::names as n;
    let find = |k: &str| items.iter().find(|i| i.key == k);
    for (new, old) in n::SYSCALL_ALIASES {
        if let (Some(a), Some(b)) = (find(new), find(old)) {
            diags.push(
                Diagnostic::new(
                    Code::D006,
                    format!(
                        "`{}` and `{}` are the same setting and cannot both be set",
                        a.key, b.key
                    ),
                )
                .at(b.key_origin)
                .also(a.key_origin, "also set here")
                .help(format!("keep `{new}` only (`{old}` is its old name)")),
            );
        }
    }
    let is_syscall_list = |k: &str| n::SYSCALL_ALIASES.iter().any(|(a, b)| k == *a || k == *b);
    let syscalls: Vec<&Item> = items.iter().filter(|i| is_syscall_list(&i.key)).collect();
    if let (Some(raw), Some(first)) = (find(n::RAW_SECCOMP), syscalls.first()) {
        diags.push(
            Diagnostic::new(
                Code::D006,
                format!(
                    "`{}` is mutually exclusive with `{}`",
                    n::RAW_SECCOMP,
                    first.key
                ),
            )
            .at(raw.key_origin)
            .also(first.key_origin, "set here")
            .help(
                "raw.seccomp replaces the whole policy: put the rules there, or drop raw.seccomp",
            ),
        );
    }
    let allow = find(n::SYSCALLS_ALLOW).or(find(n::SYSCALLS_WHITELIST));
    let deny = syscalls.iter().find(|i| {
        n::SYSCALL_ALIASES[1..]
            .iter()
            .any(|(a, b)| i.key == *a || i.key == *b)
    });
    if let (Some(a), Some(d)) = (allow, deny) {
        diags.push(
            Diagnostic::new(
                Code::D006,
                format!("`{}` cannot be combined with `{}`", a.key, d.key),
            )
            .at(d.key_origin)
            .also(a.key_origin, "allow list set here")
            .help("an allow list denies everything else already: drop the deny keys"),
        );
    }
}

/// `raw.lxc` as LXD checks it at `lxc init`: every non-empty, non-comment line needs `=`,
/// and the blocklist. `line_origin(i)` locates line `i`.
pub fn raw_lxc(
    value: &str,
    flavor: LxdFlavor,
    line_origin: &dyn Fn(usize, std::ops::Range<usize>) -> lxconf_model::Origin,
    diags: &mut Vec<Diagnostic>,
) {
    for (i, line) in value.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with('#') {
            continue;
        }
        let start = line.len() - trimmed.len();
        let Some((key, _)) = trimmed.split_once('=') else {
            let what = if trimmed.is_empty() {
                "a line of only blanks"
            } else {
                "a line without `=`"
            };
            diags.push(
                Diagnostic::new(Code::D007, format!("invalid raw.lxc line: {what}"))
                    .at(line_origin(i, 0..line.len()))
                    .help("LXD refuses the instance (\"Invalid raw.lxc line\"); write `KEY = VALUE` with an LXC key, or delete the line"),
            );
            continue;
        };
        if let Some(refusal) = raw_lxc::refusal(key, flavor) {
            let key_end = start + key.trim_end_matches([' ', '\t']).len();
            diags.push(
                Diagnostic::new(Code::D008, refusal.message())
                    .at(line_origin(i, start..key_end))
                    .help(refusal_help(refusal)),
            );
        }
    }
}

fn refusal_help(r: raw_lxc::RawLxcRefusal) -> &'static str {
    use raw_lxc::RawLxcRefusal as R;
    match r {
        R::LogFile => "LXD writes the log to its own file under /var/log/lxd/NAME/; remove the line",
        R::Syslog => "LXD does not let the container log to syslog; remove the line",
        R::Ephemeral => "set the instance's `ephemeral` field (`lxc init --ephemeral`) instead",
        R::Prlimit => "write the limit as the config key `limits.kernel.NAME`",
        R::Network => "describe the interface as a `nic` device; raw.lxc may only set `ipv4/ipv6.address` and `.gateway` of LXD's interfaces",
    }
}

/// Check one device as LXD does at create (`Device.Validate`).
pub fn device(d: &Device, local: bool, diags: &mut Vec<Diagnostic>) {
    if !dev::is_device_name(&d.name) {
        diags.push(
            Diagnostic::new(
                Code::D009,
                format!("invalid device name `{}`", d.name.escape_debug()),
            )
            .at(d.name_origin)
            .help("1 to 63 characters of letters, digits, `/ . - : _`, not starting with `.`"),
        );
    }
    let kind = d.kind();
    let type_origin = d.item("type").map_or(d.name_origin, |i| i.value_origin);
    if !dev::TYPES.contains(&kind) {
        // LXD skips unknown types in the expanded devices (from profiles) silently.
        if local {
            let what = if kind.is_empty() {
                "has no type".to_string()
            } else {
                format!("has the unknown type `{}`", kind.escape_debug())
            };
            diags.push(
                Diagnostic::new(
                    Code::D010,
                    format!("device `{}` {what}", d.name.escape_debug()),
                )
                .at(type_origin)
                .help(format!(
                    "LXD refuses it (\"Unsupported device type\"); the types are {}",
                    dev::TYPES.join(", ")
                )),
            );
        }
        return;
    }
    let nictype = d.get("nictype");
    if kind == dev::NIC {
        if let Some(t) = nictype {
            if dev::nic_options(t).is_none() && local {
                let at = d.item("nictype").map_or(d.name_origin, |i| i.value_origin);
                let known: Vec<&str> = dev::NIC_TYPES.iter().map(|(t, _)| *t).collect();
                diags.push(
                    Diagnostic::new(
                        Code::D010,
                        format!("unknown NIC type `{}`", t.escape_debug()),
                    )
                    .at(at)
                    .help(format!("a container's NIC types are {}", known.join(", "))),
                );
                return;
            }
        } else if d.get("network").is_none() && local {
            diags.push(
                Diagnostic::new(Code::D010, format!("NIC `{}` has neither `nictype` nor `network`", d.name.escape_debug()))
                    .at(type_origin)
                    .help("add `nictype: bridged` and `parent: BRIDGE`, or `network: NAME` of a managed network"),
            );
        }
    }
    for item in &d.options {
        if dev::accepts(kind, nictype, &item.key) == Some(false) {
            diags.push(
                Diagnostic::new(Code::D011, format!("invalid device option `{}` for a {kind} device", item.key.escape_debug()))
                    .at(item.key_origin)
                    .help("LXD refuses the instance (\"Invalid device option\"); docs/lxd-reading.md lists each type's options"),
            );
        } else if let Some(why) = option_value_problem(kind, &item.key, &item.value) {
            diags.push(
                Diagnostic::new(
                    Code::D011,
                    format!("invalid value for device option `{}`: {why}", item.key),
                )
                .at(item.value_origin)
                .help("LXD refuses the instance (\"Invalid value for device option\")"),
            );
        }
    }
    if kind == dev::DISK {
        disk_rules(d, diags);
    }
}

/// The value grammars of the options lxconf lowers.
fn option_value_problem(kind: &str, key: &str, value: &str) -> Option<String> {
    let bool_keys = [
        "readonly",
        "recursive",
        "shift",
        "required",
        "optional",
        "security.port_isolation",
        "gvrp",
    ];
    if bool_keys.contains(&key) && !is_bool(value) {
        return Some(format!("`{}` is not a boolean", value.escape_debug()));
    }
    match (kind, key) {
        (dev::NIC, "mtu") => (!value
            .parse::<u32>()
            .is_ok_and(|m| (1280..=16384).contains(&m)))
        .then(|| "an MTU is a number from 1280 to 16384".into()),
        (dev::NIC, "hwaddr") => {
            (!is_mac(value)).then(|| "a MAC address is `xx:xx:xx:xx:xx:xx`".into())
        }
        (dev::NIC, "name") => (!is_interface_name(value))
            .then(|| "an interface name is 2 to 15 characters of letters, digits, `-_.`".into()),
        (dev::NIC, "ipv4.gateway" | "ipv6.gateway")
            if value != "auto" && value != "none" && value.parse::<std::net::IpAddr>().is_err() =>
        {
            Some("a gateway is `auto`, `none` (or an address in ipvlan l2 mode)".into())
        }
        (dev::DISK, "size" | "size.state") => {
            parse_size(value).is_none().then(|| "not a size".into())
        }
        (dev::UNIX_CHAR | dev::UNIX_BLOCK, "major" | "minor" | "uid" | "gid") => value
            .parse::<u32>()
            .is_err()
            .then(|| "not a whole number".into()),
        (dev::UNIX_CHAR | dev::UNIX_BLOCK, "mode") => u32::from_str_radix(value, 8)
            .is_err()
            .then(|| "not an octal mode".into()),
        _ => None,
    }
}

fn is_mac(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_interface_name(v: &str) -> bool {
    (2..=15).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

fn disk_rules(d: &Device, diags: &mut Vec<Diagnostic>) {
    let at = |k: &str| d.item(k).map_or(d.name_origin, |i| i.key_origin);
    let mut refuse = |at, msg: &str, help: &str| {
        diags.push(
            Diagnostic::new(
                Code::D011,
                format!("disk `{}`: {msg}", d.name.escape_debug()),
            )
            .at(at)
            .help(help.to_string()),
        );
    };
    let is_root = d.get("path") == Some("/") && d.get("source").is_none();
    if !is_root && d.get("source").is_none() && d.get("path") != Some("/") {
        refuse(
            d.name_origin,
            "a disk other than the root disk needs a `source`",
            "name the host path (or volume) to mount",
        );
    }
    if d.get("path") == Some("/") && d.get("source").is_some() {
        refuse(
            at("source"),
            "the root disk cannot have a `source`",
            "remove `source`; the root disk lives in its `pool`",
        );
    }
    if d.get("readonly").is_some_and(is_true) && d.get("recursive").is_some_and(is_true) {
        refuse(at("recursive"), "`recursive` together with `readonly` is refused", "LXD: \"Recursive read-only bind-mounts aren't currently supported by the kernel\"; drop one");
    }
    if let Some(src) = d.get("source") {
        if d.get("pool").is_none() && !src.starts_with('/') && !src.contains(':') {
            refuse(
                at("source"),
                "a local source must be an absolute path",
                "write the absolute host path",
            );
        }
        if d.get("pool").is_some() && d.get("shift").is_some() {
            refuse(
                at("shift"),
                "`shift` cannot be used with `pool`",
                "drop `shift`",
            );
        }
    }
    if d.get("required").is_some() && d.get("optional").is_some() {
        refuse(
            at("optional"),
            "`required` and `optional` cannot both be set",
            "keep `required` (`optional` is its deprecated opposite)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammars_follow_lxd() {
        assert!(check_value(Grammar::Bool, "On").is_ok());
        assert!(check_value(Grammar::Bool, "y").is_err());
        assert_eq!(parse_size("1GiB"), Some(1 << 30));
        assert_eq!(parse_size("512MB"), Some(512_000_000));
        for bad in ["1G", "1KB", "1gb", "1.5GiB", "-1", "GiB"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        assert!(check_value(Grammar::CpuSet, "0-1,3").is_ok());
        assert!(check_value(Grammar::CpuSet, "1-3,3").is_err());
        assert!(check_value(Grammar::CpuSet, "x").is_err());
        assert!(check_value(Grammar::CpuAllowance, "25ms/100ms").is_ok());
        assert!(check_value(Grammar::CpuAllowance, "150%").is_ok());
        assert!(check_value(Grammar::CpuAllowance, "fast").is_err());
        assert!(check_value(Grammar::MemoryLimit, "0").is_err());
        assert!(check_value(Grammar::MemoryLimit, "50%").is_ok());
        assert!(check_value(Grammar::Priority, "11").is_err());
        assert!(check_value(Grammar::Uuid, "0a1b2c3d-0000-4000-8000-0123456789ab").is_ok());
    }
}
