//! The mapping from LXC keys to a libvirt domain, step by step in libvirt's order: arch,
//! name, rootfs, the fstab refusal, mount entries, networks, consoles, idmap, memory, cpu,
//! cpuset, blkio, cap.drop, then libvirt's post-parse checks (arch, memory size).

use super::numbers::{self, Bitmap, Ip};
use super::reader::Conf;
use super::CompatError;

/// libvirt's "unlimited" memory sentinel in KiB; limits at or above it are not printed.
pub const MEMORY_UNLIMITED: u64 = 9_007_199_254_740_991;

/// libvirt's architecture names (9.0.0), which `lxc.arch` is matched against.
const ARCHES: &[&str] = &[
    "alpha",
    "armv6l",
    "armv7l",
    "armv7b",
    "aarch64",
    "cris",
    "i686",
    "ia64",
    "lm32",
    "m68k",
    "microblaze",
    "microblazeel",
    "mips",
    "mipsel",
    "mips64",
    "mips64el",
    "openrisc",
    "parisc",
    "parisc64",
    "ppc",
    "ppcle",
    "ppc64",
    "ppc64le",
    "ppcemb",
    "riscv32",
    "riscv64",
    "s390",
    "s390x",
    "sh4",
    "sh4eb",
    "sparc",
    "sparc64",
    "unicore32",
    "x86_64",
    "xtensa",
    "xtensaeb",
];

/// libvirt's process capability names, in its enum order (the order of the output).
pub use lxconf_model::values::LIBVIRT_CAPS as CAPS;

/// Mount targets the libvirt container always sets up itself; entries for them are dropped
/// (`/sys/fs/selinux` because Debian builds libvirt with SELinux support).
const BASIC_MOUNTS: &[&str] = &[
    "/proc",
    "/proc/sys",
    "/proc/sys/net/ipv4",
    "/proc/sys/net/ipv6",
    "/sys",
    "/sys/kernel/security",
    "/sys/fs/selinux",
];

/// `<filesystem type=...>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsType {
    /// Host directory bind (`<source dir>`).
    Mount,
    /// Host block device (`<source dev>`).
    Block,
    /// tmpfs (`<source usage>`).
    Ram,
}

/// One `<filesystem>`.
#[derive(Debug, Clone)]
pub struct Fs<'a> {
    pub kind: FsType,
    pub source: Option<&'a str>,
    pub target: String,
    pub readonly: bool,
    /// tmpfs size in bytes.
    pub usage: u64,
}

/// IPs and routes of a NIC.
#[derive(Debug, Clone, Default)]
pub struct IpInfo {
    /// (address, prefix).
    pub ips: Vec<(Ip, u32)>,
    /// (family, zero address, gateway).
    pub routes: Vec<(&'static str, &'static str, Ip)>,
}

/// `<interface type=...>` and its source.
#[derive(Debug, Clone)]
pub enum IfaceKind<'a> {
    Bridge(&'a str),
    Ethernet,
    Direct { dev: &'a str, mode: &'static str },
    User,
}

/// One `<interface>`.
#[derive(Debug, Clone)]
pub struct Iface<'a> {
    pub kind: IfaceKind<'a>,
    pub mac: [u8; 6],
    pub ip: IpInfo,
    pub guest: Option<&'a str>,
    pub up: bool,
}

/// One `<hostdev mode='capabilities' type='net'>`.
#[derive(Debug, Clone)]
pub struct Hostdev {
    pub ifname: String,
    pub ip: IpInfo,
}

/// One `<blkiotune><device>`.
#[derive(Debug, Clone, Default)]
pub struct BlkDevice {
    pub path: String,
    pub weight: u32,
    pub read_iops: u32,
    pub write_iops: u32,
    pub read_bps: u64,
    pub write_bps: u64,
}

/// The domain as libvirt's converter builds it.
#[derive(Debug, Clone)]
pub struct Domain<'a> {
    pub name: &'a str,
    /// `<memory>` and `<currentMemory>` in KiB.
    pub memory: u64,
    pub current_memory: u64,
    /// memtune limits in KiB, `MEMORY_UNLIMITED` when unset.
    pub hard_limit: u64,
    pub soft_limit: u64,
    pub swap_hard_limit: u64,
    pub blkio_weight: u32,
    pub blkio_devices: Vec<BlkDevice>,
    pub cpuset: Option<Bitmap>,
    pub shares: Option<u64>,
    pub period: u64,
    pub quota: i64,
    pub nodeset: Option<Bitmap>,
    pub arch: Option<&'static str>,
    /// (start, target, count), as libvirt stores them (swapped from LXC's meaning).
    pub uid_map: Vec<[u32; 3]>,
    pub gid_map: Vec<[u32; 3]>,
    pub privnet: bool,
    pub caps_off: Vec<&'static str>,
    pub filesystems: Vec<Fs<'a>>,
    pub interfaces: Vec<Iface<'a>>,
    pub consoles: usize,
    pub hostdevs: Vec<Hostdev>,
}

fn internal(msg: String) -> CompatError {
    CompatError::Reported(format!("internal error: {msg}"))
}

fn size(value: &str) -> Result<u64, CompatError> {
    numbers::convert_size(value).map_err(|e| internal(format!("{e}: '{value}'")))
}

/// Split on spaces and tabs, dropping empty tokens (libvirt's `lxcStringSplit`).
fn split_blanks(s: &str) -> Vec<&str> {
    s.split([' ', '\t']).filter(|t| !t.is_empty()).collect()
}

/// The first value of the modern key, else of the legacy one.
fn first_of<'a>(conf: &Conf<'a>, modern: &str, legacy: &str) -> Option<&'a str> {
    conf.first(modern).or_else(|| conf.first(legacy))
}

pub fn convert<'a>(conf: &Conf<'a>, host_arch: &str) -> Result<Domain<'a>, CompatError> {
    let arch = conf.first("lxc.arch").and_then(|v| match v {
        "x86" => Some("i686"),
        "amd64" => Some("x86_64"),
        _ => ARCHES.iter().copied().find(|a| *a == v),
    });
    let name = first_of(conf, "lxc.uts.name", "lxc.utsname").ok_or(CompatError::Unknown)?;
    let rootfs = first_of(conf, "lxc.rootfs.path", "lxc.rootfs").ok_or(CompatError::Unknown)?;
    let mut d = Domain {
        name,
        memory: 65536,
        current_memory: 65536,
        hard_limit: MEMORY_UNLIMITED,
        soft_limit: MEMORY_UNLIMITED,
        swap_hard_limit: MEMORY_UNLIMITED,
        blkio_weight: 0,
        blkio_devices: Vec::new(),
        cpuset: None,
        shares: None,
        period: 0,
        quota: 0,
        nodeset: None,
        arch,
        uid_map: Vec::new(),
        gid_map: Vec::new(),
        privnet: false,
        caps_off: Vec::new(),
        filesystems: vec![Fs {
            kind: if rootfs.starts_with("/dev/") {
                FsType::Block
            } else {
                FsType::Mount
            },
            source: Some(rootfs),
            target: "/".into(),
            readonly: false,
            usage: 0,
        }],
        interfaces: Vec::new(),
        consoles: 0,
        hostdevs: Vec::new(),
    };

    if conf.has("lxc.mount.fstab") || conf.has("lxc.mount") {
        return Err(CompatError::Reported(
            "argument unsupported: lxc.mount.fstab or lxc.mount found, use lxc.mount.entry lines instead".into(),
        ));
    }
    for e in conf.entries.iter().filter(|e| e.key == "lxc.mount.entry") {
        mount_entry(&mut d, e.value)?;
    }
    networks(&mut d, conf)?;
    consoles(&mut d, conf)?;
    for e in &conf.entries {
        if e.key != "lxc.idmap" && e.key != "lxc.id_map" {
            continue;
        }
        let (kind, [target, start, count]) = numbers::scan_idmap(e.value)
            .ok_or_else(|| internal(format!("invalid {}: '{}'", e.key, e.value)))?;
        match kind {
            b'u' => d.uid_map.push([start, target, count]),
            b'g' => d.gid_map.push([start, target, count]),
            _ => return Err(CompatError::Unknown),
        }
    }
    memtune(&mut d, conf)?;
    cputune(&mut d, conf)?;
    if let Some(v) = conf.first("lxc.cgroup.cpuset.cpus") {
        d.cpuset = Some(bitmap(v)?);
    }
    if let Some(v) = conf.first("lxc.cgroup.cpuset.mems") {
        d.nodeset = Some(bitmap(v)?);
    }
    blkio(&mut d, conf)?;
    if let Some(v) = conf.first("lxc.cap.drop") {
        let drop: Vec<&str> = v.split(' ').collect();
        d.caps_off = CAPS.iter().copied().filter(|c| drop.contains(c)).collect();
    }

    // libvirt's post-parse step: the host must run the arch, a memory size is required,
    // and the name must not contain a `/`.
    if let Some(a) = d.arch {
        let runnable = a == host_arch || (host_arch == "x86_64" && a == "i686");
        if !runnable {
            return Err(CompatError::Reported(format!(
                "invalid argument: could not find capabilities for ostype=exe arch={a} domaintype=lxc "
            )));
        }
    }
    if d.memory == 0 {
        return Err(CompatError::Reported(
            "XML error: Memory size must be specified via <memory> or in the <numa> configuration"
                .into(),
        ));
    }
    if d.name.contains('/') {
        return Err(CompatError::Reported(format!(
            "XML error: name {} cannot contain '/'",
            d.name
        )));
    }
    Ok(d)
}

fn bitmap(v: &str) -> Result<Bitmap, CompatError> {
    Bitmap::parse(v).ok_or_else(|| {
        CompatError::Reported(format!("invalid argument: Failed to parse bitmap '{v}'"))
    })
}

fn mount_entry<'a>(d: &mut Domain<'a>, value: &'a str) -> Result<(), CompatError> {
    let tok = split_blanks(value);
    if tok.len() < 4 {
        return Err(CompatError::Unknown);
    }
    let (src, dst, fstype, opts) = (tok[0], tok[1], tok[2], tok[3]);
    let target = if dst.starts_with('/') {
        dst.to_string()
    } else {
        format!("/{dst}")
    };
    if BASIC_MOUNTS.contains(&target.as_str()) {
        return Ok(());
    }
    let options: Vec<&str> = opts.split(',').collect();
    let mut kind = FsType::Mount;
    let mut source = Some(src);
    let mut usage = 0;
    if fstype == "tmpfs" {
        kind = FsType::Ram;
        source = None;
        let sz = options
            .iter()
            .find_map(|o| o.strip_prefix("size="))
            .ok_or_else(|| internal("missing tmpfs size, set the size option".into()))?;
        usage = size(sz)?;
    }
    if src.starts_with("/dev/") {
        kind = FsType::Block;
    }
    d.filesystems.push(Fs {
        kind,
        source,
        target,
        readonly: options.contains(&"ro"),
        usage,
    });
    Ok(())
}

/// What the network walk collects for one NIC.
#[derive(Debug, Default)]
struct Nic<'a> {
    index: u64,
    kind: Option<&'a str>,
    link: Option<&'a str>,
    mac: Option<&'a str>,
    flags: Option<&'a str>,
    macvlan_mode: Option<&'a str>,
    vlan_id: Option<&'a str>,
    name: Option<&'a str>,
    ips: Vec<(Ip, u32)>,
    gateway4: Option<&'a str>,
    gateway6: Option<&'a str>,
}

fn nic_subkey<'a>(nic: &mut Nic<'a>, sub: &str, value: &'a str) -> Result<(), CompatError> {
    match sub {
        "type" => nic.kind = Some(value),
        "link" => nic.link = Some(value),
        "hwaddr" => nic.mac = Some(value),
        "flags" => nic.flags = Some(value),
        "macvlan.mode" => nic.macvlan_mode = Some(value),
        "vlan.id" => nic.vlan_id = Some(value),
        "name" => nic.name = Some(value),
        "ipv4.gateway" => nic.gateway4 = Some(value),
        "ipv6.gateway" => nic.gateway6 = Some(value),
        "ipv4" | "ipv4.address" | "ipv6" | "ipv6.address" => {
            let family = if sub.starts_with("ipv6") { 6 } else { 4 };
            let bad = || {
                CompatError::Reported(format!("invalid argument: Invalid CIDR address: '{value}'"))
            };
            let (addr, prefix) = value.split_once('/').ok_or_else(bad)?;
            let ip = numbers::parse_ip(addr, Some(family)).ok_or_else(bad)?;
            let prefix = numbers::to_ui(prefix).ok_or_else(bad)?;
            nic.ips.push((ip, prefix));
        }
        _ => return Err(CompatError::Unknown),
    }
    Ok(())
}

fn routes(nic: &Nic<'_>) -> Result<Vec<(&'static str, &'static str, Ip)>, CompatError> {
    let mut out = Vec::new();
    let xml = |m: String| CompatError::Reported(format!("XML error: Domain interface: {m}"));
    if let Some(g) = nic.gateway4 {
        let ip = numbers::parse_ip(g, None)
            .ok_or_else(|| xml(format!("Bad gateway address '{g}' in route definition")))?;
        if !matches!(ip, Ip::V4(_)) {
            return Err(xml(
                "IPv4 family specified for non-IPv4 gateway '0.0.0.0' in route definition".into(),
            ));
        }
        out.push(("ipv4", "0.0.0.0", ip));
    }
    if let Some(g) = nic.gateway6 {
        let ip = numbers::parse_ip(g, None)
            .ok_or_else(|| xml(format!("Bad gateway address '{g}' in route definition")))?;
        if !matches!(ip, Ip::V6(..)) {
            return Err(xml(format!(
                "ipv6 specified for non-IPv6 gateway address '{g}' in route definition"
            )));
        }
        out.push(("ipv6", "::", ip));
    }
    Ok(out)
}

fn networks<'a>(d: &mut Domain<'a>, conf: &Conf<'a>) -> Result<(), CompatError> {
    let mut nics: Vec<Nic<'a>> = Vec::new();
    // The NIC legacy `lxc.network.*` subkeys go to: the most recently created one.
    let mut last: Option<usize> = None;
    for e in &conf.entries {
        if e.key == "lxc.network.type" {
            nics.push(Nic {
                index: nics.len() as u64 + 1,
                kind: Some(e.value),
                ..Nic::default()
            });
            last = Some(nics.len() - 1);
        } else if let Some(sub) = e.key.strip_prefix("lxc.network.") {
            let i = last.ok_or(CompatError::Unknown)?;
            nic_subkey(&mut nics[i], sub, e.value)?;
        } else if let Some(rest) = e.key.strip_prefix("lxc.net.") {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let index = rest[..digits]
                .parse::<u64>()
                .map_err(|_| CompatError::Unknown)?;
            let sub = rest[digits..]
                .strip_prefix('.')
                .ok_or(CompatError::Unknown)?;
            let i = match nics.iter().position(|n| n.index == index) {
                Some(i) => i,
                None => {
                    nics.push(Nic {
                        index,
                        ..Nic::default()
                    });
                    last = Some(nics.len() - 1);
                    nics.len() - 1
                }
            };
            nic_subkey(&mut nics[i], sub, e.value)?;
        }
    }
    d.privnet = nics.is_empty();
    for nic in &nics {
        let kind = match nic.kind {
            None | Some("" | "empty" | "none") => continue,
            Some(k) => k,
        };
        if kind == "phys" || kind == "vlan" {
            let link = nic.link.ok_or_else(|| {
                CompatError::Reported(
                    "unsupported configuration: Missing 'link' attribute for NIC".into(),
                )
            })?;
            let ifname = match (kind, nic.vlan_id) {
                ("vlan", Some(id)) => format!("{link}.{id}"),
                _ => link.to_string(),
            };
            let routes = routes(nic)?;
            d.hostdevs.push(Hostdev {
                ifname,
                ip: IpInfo {
                    ips: nic.ips.clone(),
                    routes,
                },
            });
            continue;
        }
        let iface_kind = match kind {
            "veth" => match nic.link {
                Some(l) => IfaceKind::Bridge(l),
                None => IfaceKind::Ethernet,
            },
            "macvlan" => {
                let dev = nic.link.ok_or(CompatError::Unknown)?;
                let mode = match nic.macvlan_mode {
                    None | Some("private") => "private",
                    Some("bridge") => "bridge",
                    // "vepa", and any unknown mode (libvirt only logs a warning).
                    Some(_) => "vepa",
                };
                IfaceKind::Direct { dev, mode }
            }
            _ => IfaceKind::User,
        };
        let routes = routes(nic)?;
        d.interfaces.push(Iface {
            kind: iface_kind,
            mac: nic.mac.and_then(numbers::parse_mac).unwrap_or([0; 6]),
            ip: IpInfo {
                ips: nic.ips.clone(),
                routes,
            },
            guest: nic.name,
            up: nic.flags == Some("up"),
        });
    }
    Ok(())
}

fn consoles(d: &mut Domain<'_>, conf: &Conf<'_>) -> Result<(), CompatError> {
    let Some(v) = first_of(conf, "lxc.tty.max", "lxc.tty") else {
        return Ok(());
    };
    let n = numbers::to_i(v).ok_or_else(|| internal(format!("failed to parse int: '{v}'")))?;
    if n < 0 {
        return Err(CompatError::DaemonCrash {
            value: v.to_string(),
        });
    }
    d.consoles = n as usize;
    Ok(())
}

fn memtune(d: &mut Domain<'_>, conf: &Conf<'_>) -> Result<(), CompatError> {
    if let Some(v) = conf.first("lxc.cgroup.memory.limit_in_bytes") {
        let kib = size(v)? / 1024;
        d.memory = kib;
        d.current_memory = kib;
        d.hard_limit = kib.min(MEMORY_UNLIMITED);
    }
    if let Some(v) = conf.first("lxc.cgroup.memory.soft_limit_in_bytes") {
        d.soft_limit = (size(v)? / 1024).min(MEMORY_UNLIMITED);
    }
    if let Some(v) = conf.first("lxc.cgroup.memory.memsw.limit_in_bytes") {
        d.swap_hard_limit = (size(v)? / 1024).min(MEMORY_UNLIMITED);
    }
    Ok(())
}

fn cputune(d: &mut Domain<'_>, conf: &Conf<'_>) -> Result<(), CompatError> {
    let bad = |v: &str| internal(format!("failed to parse integer: '{v}'"));
    if let Some(v) = conf.first("lxc.cgroup.cpu.shares") {
        d.shares = Some(numbers::to_ull(v).ok_or_else(|| bad(v))?);
    }
    if let Some(v) = conf.first("lxc.cgroup.cpu.cfs_quota_us") {
        d.quota = numbers::to_ll(v).ok_or_else(|| bad(v))?;
    }
    if let Some(v) = conf.first("lxc.cgroup.cpu.cfs_period_us") {
        d.period = numbers::to_ull(v).ok_or_else(|| bad(v))?;
    }
    Ok(())
}

fn blkio(d: &mut Domain<'_>, conf: &Conf<'_>) -> Result<(), CompatError> {
    if let Some(v) = conf.first("lxc.cgroup.blkio.weight") {
        d.blkio_weight =
            numbers::to_ui(v).ok_or_else(|| internal(format!("failed to parse integer: '{v}'")))?;
    }
    for e in &conf.entries {
        let Some(field) = e.key.strip_prefix("lxc.cgroup.blkio.") else {
            continue;
        };
        if field == "weight" {
            continue;
        }
        let tok = split_blanks(e.value);
        if tok.len() < 2 {
            return Err(internal(format!("invalid {} value: '{}'", e.key, e.value)));
        }
        let path = format!("/dev/block/{}", tok[0]);
        let i = match d.blkio_devices.iter().position(|x| x.path == path) {
            Some(i) => i,
            None => {
                d.blkio_devices.push(BlkDevice {
                    path,
                    ..BlkDevice::default()
                });
                d.blkio_devices.len() - 1
            }
        };
        let dev = &mut d.blkio_devices[i];
        let v = tok[1];
        let bad = |what: &str| internal(format!("failed to parse {what}: '{v}'"));
        match field {
            "device_weight" => {
                dev.weight = numbers::to_ui(v).ok_or_else(|| bad("device weight"))?
            }
            "throttle.read_bps_device" => {
                dev.read_bps = numbers::to_ull(v).ok_or_else(|| bad("read_bps_device"))?
            }
            "throttle.write_bps_device" => {
                dev.write_bps = numbers::to_ull(v).ok_or_else(|| bad("write_bps_device"))?
            }
            "throttle.read_iops_device" => {
                dev.read_iops = numbers::to_ui(v).ok_or_else(|| bad("read_iops_device"))?
            }
            "throttle.write_iops_device" => {
                dev.write_iops = numbers::to_ui(v).ok_or_else(|| bad("write_iops_device"))?
            }
            // libvirt only logs a warning; the (empty) device entry stays and is not printed.
            _ => {}
        }
    }
    Ok(())
}
