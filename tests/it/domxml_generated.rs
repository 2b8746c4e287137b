//! Generated LXC domain XML, judged by the live libvirtd.
//!
//! A seeded generator writes domains from the parts of libvirt's RelaxNG schema
//! (`/usr/share/libvirt/schemas/domaincommon.rng`) that the LXC driver reads: `os/init*`,
//! `idmap`, `features`, `memory`/`memtune`, `vcpu`/`cputune`, `blkiotune`, `numatune`,
//! `resource`, filesystems, interfaces, hostdevs, consoles, `lxc:namespace`, `seclabel` and
//! the lifecycle actions. Each domain is defined on `lxc:///system`; for every one libvirt
//! accepts, lxconf reads `dumpxml --inactive` and writes it back: the output must be libvirt's
//! byte for byte, or every line that differs must be covered by a loss (located at it, or
//! naming its element).
//!
//! `LXCONF_GENERATED_CASES` (default 300) and `LXCONF_GENERATED_SEED` choose the cases;
//! `LXCONF_GENERATED_THREADS` (default 4) how many virsh run at once. Without virsh or a
//! libvirtd that answers, the test fails: it never skips.

use crate::support::*;
use std::fmt::Write;
use std::process::Command;

/// splitmix64: small, seeded, the same cases on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// True `percent` times out of 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Text for element content and attribute values, sometimes with what XML must escape.
fn text(r: &mut Rng) -> String {
    let plain = [
        "a",
        "b c",
        "/x/y",
        "k=v",
        "-n",
        "p>q",
        "it&apos;s",
        "&quot;q&quot;",
    ];
    // `&` and `<`: libvirt prints <initenv> text unescaped (malformed XML), so
    // they are rarer, to leave most cases to judge lxconf.
    let escaped = ["x&amp;y", "1&lt;2"];
    (0..r.range(1, 2))
        .map(|_| {
            if r.chance(10) {
                *r.pick(&escaped)
            } else {
                *r.pick(&plain)
            }
        })
        .collect()
}

fn name_token(r: &mut Rng) -> String {
    let names = ["root", "nobody", "www-data", "+1000", "app_1", "+0"];
    r.pick(&names).to_string()
}

/// `<memory>`-like element with a unit libvirt's `unit` pattern accepts.
fn scaled(r: &mut Rng, name: &str, kib: u64) -> String {
    let (unit, value) = match r.below(7) {
        5 => ("GiB", kib.div_ceil(1024 * 1024)),
        6 => ("M", kib.div_ceil(1024)),
        0 => ("KiB", kib),
        1 => ("MiB", kib.div_ceil(1024)),
        // Bytes that are not whole KiB: libvirt rounds up.
        2 => ("b", kib * 1024 - r.below(1024)),
        3 => ("KB", kib),
        _ => ("k", kib),
    };
    format!("  <{name} unit='{unit}'>{value}</{name}>\n")
}

fn identity(r: &mut Rng, s: &mut String, name: &str) {
    let _ = writeln!(s, "  <name>{name}</name>");
    if r.chance(70) {
        let _ = writeln!(
            s,
            "  <uuid>{}</uuid>",
            uuid::Uuid::from_u128(u128::from(r.next()) << 64 | u128::from(r.next()))
        );
    }
    if r.chance(15) {
        let _ = writeln!(s, "  <title>{}</title>", text(r));
    }
    if r.chance(15) {
        let _ = writeln!(s, "  <description>{}</description>", text(r));
    }
    if r.chance(8) {
        s.push_str("  <metadata>\n    <app:info xmlns:app=\"http://example.org/app\" tier='web'>a &amp; b</app:info>\n  </metadata>\n");
    }
    // Top-level elements the model keeps verbatim.
    if r.chance(5) {
        s.push_str("  <cpu mode='host-passthrough'/>\n");
    }
}

fn resources(r: &mut Rng, s: &mut String) {
    let memory = r.range(16 * 1024, 4 * 1024 * 1024);
    s.push_str(&scaled(r, "memory", memory));
    if r.chance(50) {
        let current = r.range(8 * 1024, memory);
        s.push_str(&scaled(r, "currentMemory", current));
    }
    if r.chance(25) {
        s.push_str("  <blkiotune>\n");
        if r.chance(70) {
            let _ = writeln!(s, "    <weight>{}</weight>", r.range(100, 1000));
        }
        // Distinct paths: libvirt refuses a device given twice.
        let first = r.below(3) as usize;
        for d in 0..r.below(3) as usize {
            let path = ["/dev/sda", "/dev/vdb", "/dev/null"][(first + d) % 3];
            let _ = write!(s, "    <device>\n      <path>{path}</path>\n");
            for el in [
                "weight",
                "read_iops_sec",
                "write_iops_sec",
                "read_bytes_sec",
                "write_bytes_sec",
            ] {
                if r.chance(40) {
                    let v = if el == "weight" {
                        r.range(100, 1000)
                    } else {
                        r.range(1, 1 << 20)
                    };
                    let _ = writeln!(s, "      <{el}>{v}</{el}>");
                }
            }
            s.push_str("    </device>\n");
        }
        s.push_str("  </blkiotune>\n");
    }
    if r.chance(30) {
        s.push_str("  <memtune>\n");
        for el in [
            "hard_limit",
            "soft_limit",
            "min_guarantee",
            "swap_hard_limit",
        ] {
            if r.chance(50) {
                let kib = r.range(1024, 8 * 1024 * 1024);
                s.push_str(&format!("  {}", scaled(r, el, kib)));
            }
        }
        s.push_str("  </memtune>\n");
    }
    let mut vcpu = String::new();
    if r.chance(20) {
        vcpu.push_str(" placement='auto'");
    } else if r.chance(30) {
        let _ = write!(
            vcpu,
            " cpuset='{}'",
            r.pick(&["0", "0-1", "0,2", "1-3,^2", "0-3"])
        );
    }
    if r.chance(80) {
        if r.chance(10) {
            vcpu.push_str(" current='1'");
        }
        let _ = writeln!(s, "  <vcpu{vcpu}>{}</vcpu>", r.range(1, 4));
    }
    if r.chance(30) {
        s.push_str("  <cputune>\n");
        if r.chance(50) {
            let _ = writeln!(s, "    <shares>{}</shares>", r.range(2, 262144));
        }
        for el in ["period", "emulator_period"] {
            if r.chance(30) {
                let _ = writeln!(s, "    <{el}>{}</{el}>", r.range(1000, 1_000_000));
            }
        }
        for el in ["quota", "emulator_quota"] {
            if r.chance(30) {
                let v: i64 = if r.chance(20) {
                    -1
                } else {
                    r.range(1000, 1 << 30) as i64
                };
                let _ = writeln!(s, "    <{el}>{v}</{el}>");
            }
        }
        if r.chance(10) {
            s.push_str("    <vcpupin vcpu='0' cpuset='0'/>\n");
        }
        s.push_str("  </cputune>\n");
    }
    if r.chance(15) {
        let mode = r.pick(&["strict", "interleave", "preferred", "restrictive"]);
        if r.chance(20) {
            let _ = writeln!(
                s,
                "  <numatune>\n    <memory mode='{mode}' placement='auto'/>\n  </numatune>"
            );
        } else {
            let _ = writeln!(
                s,
                "  <numatune>\n    <memory mode='{mode}' nodeset='0'/>\n  </numatune>"
            );
        }
    }
    if r.chance(15) {
        let _ = writeln!(
            s,
            "  <resource>\n    <partition>{}</partition>\n  </resource>",
            r.pick(&["/machine", "/machine/gen"])
        );
    }
}

fn os(r: &mut Rng, s: &mut String) {
    s.push_str("  <os>\n");
    if r.chance(50) {
        s.push_str("    <type arch='x86_64'>exe</type>\n");
    } else {
        s.push_str("    <type>exe</type>\n");
    }
    let _ = writeln!(
        s,
        "    <init>{}</init>",
        r.pick(&["/sbin/init", "/bin/sh", "/usr/bin/env", "/opt/app/run me"])
    );
    for _ in 0..r.below(3) {
        let _ = writeln!(s, "    <initarg>{}</initarg>", text(r));
    }
    for i in 0..r.below(3) {
        let name = r.pick(&["FOO", "LANG", "PATH", "TERM", "container_x", "A_1"]);
        let _ = writeln!(s, "    <initenv name='{name}{i}'>{}</initenv>", text(r));
    }
    if r.chance(25) {
        let _ = writeln!(
            s,
            "    <initdir>{}</initdir>",
            r.pick(&["/srv", "/var/lib/app", "/tmp/x y", "/"])
        );
    }
    if r.chance(20) {
        let _ = writeln!(s, "    <inituser>{}</inituser>", name_token(r));
        let _ = writeln!(s, "    <initgroup>{}</initgroup>", name_token(r));
    }
    s.push_str("  </os>\n");
}

fn idmap_and_features(r: &mut Rng, s: &mut String) {
    if r.chance(25) {
        s.push_str("  <idmap>\n");
        let target = r.range(100_000, 1_000_000);
        let count = r.range(1000, 65536);
        for kind in ["uid", "gid"] {
            let _ = writeln!(
                s,
                "    <{kind} start='0' target='{target}' count='{count}'/>"
            );
            if r.chance(20) {
                let _ = writeln!(
                    s,
                    "    <{kind} start='{count}' target='{}' count='10'/>",
                    target + count + 10
                );
            }
        }
        s.push_str("  </idmap>\n");
    }
    let privnet = r.chance(25);
    let caps = r.chance(25);
    if privnet || caps {
        s.push_str("  <features>\n");
        if privnet {
            s.push_str("    <privnet/>\n");
        }
        if caps {
            let policy = r.pick(&["default", "allow", "deny"]);
            let _ = writeln!(s, "    <capabilities policy='{policy}'>");
            for _ in 0..r.below(4) {
                let cap = r.pick(lxconf_model::values::LIBVIRT_CAPS);
                let state = r.pick(&["on", "off"]);
                let _ = writeln!(s, "      <{cap} state='{state}'/>");
            }
            s.push_str("    </capabilities>\n");
        }
        s.push_str("  </features>\n");
    }
    if r.chance(10) {
        s.push_str("  <clock offset='localtime'/>\n");
    } else if r.chance(5) {
        s.push_str("  <clock offset='variable' adjustment='30'/>\n");
    }
    for (el, values) in [
        (
            "on_poweroff",
            &["destroy", "restart", "preserve", "rename-restart"][..],
        ),
        (
            "on_reboot",
            &["destroy", "restart", "preserve", "rename-restart"][..],
        ),
        (
            "on_crash",
            &[
                "destroy",
                "restart",
                "preserve",
                "rename-restart",
                "coredump-destroy",
                "coredump-restart",
            ][..],
        ),
    ] {
        if r.chance(30) {
            let _ = writeln!(s, "  <{el}>{}</{el}>", r.pick(values));
        }
    }
}

fn filesystem(r: &mut Rng, s: &mut String, i: u64, target: &str) {
    let accessmode = if r.chance(8) {
        format!(
            " accessmode='{}'",
            r.pick(&["mapped", "squash", "passthrough"])
        )
    } else {
        String::new()
    };
    let kind = if target == "/" {
        *r.pick(&["mount", "mount", "mount", "block", "file"])
    } else {
        *r.pick(&["mount", "bind", "ram", "block", "file", "template"])
    };
    let _ = writeln!(s, "    <filesystem type='{kind}'{accessmode}>");
    match kind {
        "mount" => {
            let _ = writeln!(
                s,
                "      <source dir='{}'/>",
                r.pick(&[
                    "/srv/gen/root",
                    "/srv/a b",
                    "/var/lib/x",
                    "/",
                    "/srv/trailing/"
                ])
            );
        }
        "bind" => {
            let _ = writeln!(
                s,
                "      <source dir='{}'/>",
                r.pick(&["/", "/data", "/var/cache"])
            );
        }
        "ram" => {
            let unit = r.pick(&[
                "",
                " units='KiB'",
                " units='MiB'",
                " units='b'",
                " units='G'",
            ]);
            let _ = writeln!(s, "      <source usage='{}'{unit}/>", r.range(1, 1 << 20));
        }
        "block" => {
            let _ = writeln!(
                s,
                "      <source dev='{}'/>",
                r.pick(&["/dev/sdb1", "/dev/vg0/lv", "/dev/loop7"])
            );
        }
        "file" => {
            if r.chance(50) {
                let _ = writeln!(s, "      <driver type='{}'/>", r.pick(&["loop", "nbd"]));
            }
            let _ = writeln!(s, "      <source file='/var/lib/images/img{i}.raw'/>");
        }
        _ => {
            let _ = writeln!(s, "      <source name='tmpl{i}'/>");
        }
    }
    let _ = writeln!(s, "      <target dir='{target}'/>");
    if r.chance(20) {
        s.push_str("      <readonly/>\n");
    }
    s.push_str("    </filesystem>\n");
}

fn ip_and_route(r: &mut Rng, s: &mut String, indent: &str) {
    for _ in 0..r.below(3) {
        let (address, family, max) = if r.chance(70) {
            (
                format!(
                    "{}.{}.{}.{}",
                    r.pick(&[10, 172, 192, 100]),
                    r.below(256),
                    r.below(256),
                    r.range(1, 254)
                ),
                "ipv4",
                32,
            )
        } else {
            (
                format!("fd00:{:x}::{:x}", r.below(65536), r.range(1, 65535)),
                "ipv6",
                128,
            )
        };
        let mut el = format!("{indent}<ip address='{address}'");
        if r.chance(60) {
            let _ = write!(el, " family='{family}'");
        }
        if r.chance(70) {
            let _ = write!(el, " prefix='{}'", r.range(0, max));
        }
        if r.chance(10) && family == "ipv4" {
            el.push_str(" peer='192.0.2.1'");
        }
        el.push_str("/>\n");
        s.push_str(&el);
    }
    for _ in 0..r.below(3) {
        // (family, address, prefix or netmask, gateway) in the spellings libvirt keeps.
        let (family, address, mask, gateway) = *r.pick(&[
            ("ipv4", "0.0.0.0", "", "10.0.0.1"),
            ("ipv4", "0.0.0.0", " prefix='0'", "10.0.0.1"),
            ("ipv6", "::", "", "fd00::1"),
            ("ipv4", "192.168.40.0", " prefix='24'", "10.0.0.254"),
            (
                "ipv4",
                "198.51.100.0",
                " netmask='255.255.255.0'",
                "10.0.0.2",
            ),
            ("ipv4", "172.20.0.0", " netmask='255.255.0.0'", "10.0.0.2"),
            ("ipv6", "fd01::", " prefix='64'", "fd00::1"),
        ]);
        // libvirt needs the family of an IPv6 route.
        let family = if family == "ipv6" || r.chance(70) {
            format!(" family='{family}'")
        } else {
            String::new()
        };
        let metric = if r.chance(20) {
            format!(" metric='{}'", r.range(1, 100))
        } else {
            String::new()
        };
        let route =
            format!("<route{family} address='{address}'{mask} gateway='{gateway}'{metric}/>");
        let _ = writeln!(s, "{indent}{route}");
    }
}

fn interface(r: &mut Rng, s: &mut String, i: u64) {
    let kind = *r.pick(&["bridge", "network", "ethernet", "direct"]);
    let _ = writeln!(s, "    <interface type='{kind}'>");
    if r.chance(70) {
        let _ = writeln!(
            s,
            "      <mac address='52:54:00:{:02x}:{:02x}:{:02x}'/>",
            r.below(256),
            r.below(256),
            i % 256
        );
    }
    match kind {
        "bridge" => {
            let _ = writeln!(s, "      <source bridge='br{}'/>", r.below(3));
        }
        "network" => {
            let pg = if r.chance(20) { " portgroup='web'" } else { "" };
            let _ = writeln!(
                s,
                "      <source network='{}'{pg}/>",
                r.pick(&["default", "lab"])
            );
        }
        "direct" => {
            let _ = writeln!(
                s,
                "      <source dev='eth{}' mode='{}'/>",
                r.below(2),
                r.pick(&["vepa", "bridge", "private", "passthrough"])
            );
        }
        _ => {
            if r.chance(40) {
                s.push_str("      <source>\n");
                ip_and_route(r, s, "        ");
                s.push_str("      </source>\n");
            }
        }
    }
    ip_and_route(r, s, "      ");
    if r.chance(25) {
        let _ = writeln!(s, "      <target dev='vnet{i}'/>");
    }
    if r.chance(30) {
        let _ = writeln!(s, "      <guest dev='eth{i}'/>");
    }
    if r.chance(25) {
        let _ = writeln!(s, "      <link state='{}'/>", r.pick(&["up", "down"]));
    }
    if r.chance(15) {
        let _ = writeln!(s, "      <mtu size='{}'/>", r.pick(&[1280, 1500, 9000]));
    }
    // Elements the model keeps verbatim.
    if r.chance(8) {
        s.push_str("      <bandwidth>\n        <inbound average='1000' peak='5000' burst='1024'/>\n      </bandwidth>\n");
    }
    if r.chance(5) {
        s.push_str("      <vlan>\n        <tag id='42'/>\n      </vlan>\n");
    }
    if r.chance(5) && kind == "bridge" {
        s.push_str("      <virtualport type='openvswitch'/>\n");
    }
    s.push_str("    </interface>\n");
}

fn hostdev(r: &mut Rng, s: &mut String, i: u64) {
    match r.below(4) {
        3 => {
            if r.chance(50) {
                let _ = write!(s, "    <hostdev mode='subsystem' type='usb' managed='no'>\n      <source>\n        <vendor id='0x1d6b'/>\n        <product id='0x000{}'/>\n      </source>\n    </hostdev>\n", i + 1);
            } else {
                let _ = write!(s, "    <hostdev mode='subsystem' type='usb'>\n      <source>\n        <address bus='1' device='{}'/>\n      </source>\n    </hostdev>\n", i + 2);
            }
        }
        0 => {
            let _ = write!(s, "    <hostdev mode='capabilities' type='storage'>\n      <source>\n        <block>/dev/sd{}</block>\n      </source>\n    </hostdev>\n", ["b", "c", "d"][(i % 3) as usize]);
        }
        1 => {
            let _ = write!(s, "    <hostdev mode='capabilities' type='misc'>\n      <source>\n        <char>/dev/{}</char>\n      </source>\n    </hostdev>\n", r.pick(&["null", "tty9", "net/tun"]));
        }
        _ => {
            let _ = write!(s, "    <hostdev mode='capabilities' type='net'>\n      <source>\n        <interface>dummy{i}</interface>\n      </source>\n");
            ip_and_route(r, s, "      ");
            s.push_str("    </hostdev>\n");
        }
    }
}

fn devices(r: &mut Rng, s: &mut String) {
    s.push_str("  <devices>\n");
    if r.chance(10) {
        s.push_str("    <emulator>/usr/lib/libvirt/libvirt_lxc</emulator>\n");
    }
    if r.chance(80) {
        filesystem(r, s, 0, "/");
    }
    // Devices the model keeps verbatim (the LXC driver ignores or refuses them at start).
    match r.below(20) {
        0 => s.push_str("    <serial type='pty'/>\n"),
        1 => s.push_str("    <watchdog model='i6300esb'/>\n"),
        2 => s.push_str("    <memballoon model='none'/>\n"),
        _ => {}
    }
    for i in 1..=r.below(3) {
        let target = format!("/mnt/{}{i}", r.pick(&["data", "cache", "x y"]));
        filesystem(r, s, i, &target);
    }
    for i in 0..r.below(3) {
        interface(r, s, i);
    }
    for i in 0..r.below(3) {
        if r.chance(30) {
            hostdev(r, s, i);
        }
    }
    for _ in 0..r.below(3) {
        if r.chance(30) {
            s.push_str("    <console type='pty'>\n      <target type='lxc'/>\n    </console>\n");
        } else {
            s.push_str("    <console type='pty'/>\n");
        }
    }
    s.push_str("  </devices>\n");
}

fn seclabel_and_namespaces(r: &mut Rng, s: &mut String) {
    match r.below(8) {
        0 => s.push_str("  <seclabel type='none'/>\n"),
        1 => s.push_str("  <seclabel type='dynamic' model='apparmor'/>\n"),
        2 => s.push_str("  <seclabel type='none' model='apparmor'/>\n"),
        3 => s.push_str("  <seclabel type='static' model='selinux' relabel='no'>\n    <label>system_u:system_r:svirt_lxc_net_t:s0:c10</label>\n  </seclabel>\n"),
        _ => {}
    }
    if r.chance(15) {
        s.push_str("  <lxc:namespace>\n");
        if r.chance(60) {
            let (ty, value) = *r.pick(&[("netns", "red"), ("name", "other"), ("pid", "1")]);
            let _ = writeln!(s, "    <lxc:sharenet type='{ty}' value='{value}'/>");
        }
        for el in ["shareipc", "shareuts"] {
            if r.chance(40) {
                let (ty, value) = *r.pick(&[("name", "other"), ("pid", "1")]);
                let _ = writeln!(s, "    <lxc:{el} type='{ty}' value='{value}'/>");
            }
        }
        s.push_str("  </lxc:namespace>\n");
    }
}

/// One domain named `name`, from the generator state.
fn domain(r: &mut Rng, name: &str) -> String {
    let mut s =
        String::from("<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>\n");
    identity(r, &mut s, name);
    resources(r, &mut s);
    os(r, &mut s);
    idmap_and_features(r, &mut s);
    devices(r, &mut s);
    seclabel_and_namespaces(r, &mut s);
    s.push_str("</domain>\n");
    s
}

const URI: &str = "lxc:///system";

fn virsh(args: &[&str]) -> std::process::Output {
    Command::new("virsh")
        .args(["-q", "-c", URI])
        .args(args)
        .output()
        .expect("virsh must be installed (libvirt-clients): this test does not skip")
}

/// What happened to one generated domain.
enum Verdict {
    /// libvirt refused it at define time (its first error line).
    Refused(String),
    /// lxconf wrote libvirt's formatting back byte for byte.
    Identical,
    /// The output differs, and every difference is covered by a loss (their messages).
    Lost(Vec<String>),
    /// libvirt printed XML that is not well-formed (its `<initenv>` text is
    /// printed unescaped: tests/oracle/libvirt/README.md, "Bugs"), which xmllint refuses too.
    LibvirtMalformed,
    /// lxconf reported an error reading what libvirt accepted.
    LxconfRefused(String),
    /// A difference no loss covers.
    Uncovered(String),
}

/// Define, dump and undefine `xml` (named `name`); libvirt's formatting or its refusal.
fn libvirt_formatting(xml: &str, name: &str, dir: &std::path::Path) -> Result<String, String> {
    let path = dir.join(format!("{name}.xml"));
    std::fs::write(&path, xml).expect("write generated domain");
    let define = virsh(&["define", path.to_str().expect("utf-8 path")]);
    if !define.status.success() {
        // "error: Failed to define domain from FILE", then libvirt's reason.
        let err = String::from_utf8_lossy(&define.stderr);
        let reason = err
            .lines()
            .filter(|l| !l.contains("Failed to define"))
            .collect::<Vec<_>>()
            .join(" ");
        return Err(reason);
    }
    let dump = virsh(&["dumpxml", "--inactive", name]);
    let undefine = virsh(&["undefine", name]);
    assert!(
        undefine.status.success(),
        "undefine {name}: {}",
        String::from_utf8_lossy(&undefine.stderr)
    );
    assert!(
        dump.status.success(),
        "dumpxml {name}: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    Ok(String::from_utf8(dump.stdout).expect("libvirt prints UTF-8"))
}

/// Byte ranges of the lines of `text`.
fn line_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        out.push(start..start + line.len());
        start += line.len();
    }
    out
}

/// The element a line opens or closes: `<ip address=...` → `ip`.
fn element_of(line: &str) -> &str {
    line.trim()
        .trim_start_matches("</")
        .trim_start_matches('<')
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or("")
}

/// Whether a loss covers line `range` of the input: located over it, or naming its element
/// (`<ip`, or a kept element's path such as `devices/interface[0]/source`).
fn covered(
    losses: &[&lxconf_model::Diagnostic],
    range: &std::ops::Range<usize>,
    element: &str,
) -> bool {
    losses.iter().any(|d| {
        let located = d.primary.as_ref().is_some_and(|l| {
            (l.origin.start as usize) < range.end && range.start < l.origin.end as usize
        });
        let names = |m: &str| {
            m.contains(&format!("<{element}"))
                || m.contains(&format!("/{element}`"))
                || m.contains(&format!("/{element}["))
                || m.contains(&format!("`{element}`"))
        };
        located || (!element.is_empty() && names(&d.message))
    })
}

/// xmllint's verdict on well-formedness (a second opinion on lxconf's X001).
fn well_formed(xml: &str) -> bool {
    use std::io::Write as _;
    let mut child = Command::new("xmllint")
        .args(["--noout", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("xmllint must be installed (libxml2-utils)");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(xml.as_bytes()).expect("write to xmllint");
    drop(stdin);
    child.wait().expect("xmllint").success()
}

/// lxconf's verdict on libvirt's formatting of a domain.
fn judge(dumped: &str) -> Verdict {
    let loaded = lxconf_parse::domxml::load("dumped.xml", dumped);
    if loaded.has_errors() && !well_formed(dumped) {
        return Verdict::LibvirtMalformed;
    }
    if loaded.has_errors() {
        let first = loaded
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(|d| format!("{}: {}", d.code.info().name, d.message));
        return Verdict::LxconfRefused(format!(
            "{}\n--- libvirt:\n{dumped}",
            first.unwrap_or_default()
        ));
    }
    // The per-setting property, domain XML → LXC: every change of meaning is named.
    if let Ok(uncovered) = crate::fidelity::through_lxc(&loaded.document) {
        if !uncovered.is_empty() {
            return Verdict::Uncovered(format!(
                "as an LXC config:\n  {}\n--- libvirt:\n{dumped}",
                uncovered.join("\n  ")
            ));
        }
    }
    let out = lxconf_convert::libvirt_xml::emit(&loaded.document);
    if out.xml == dumped {
        return Verdict::Identical;
    }
    let losses: Vec<&lxconf_model::Diagnostic> = out
        .losses
        .iter()
        .filter(|d| d.severity >= lxconf_model::Severity::Warning)
        .collect();
    let ranges = line_ranges(dumped);
    let diff = similar::TextDiff::from_lines(dumped, out.xml.as_str());
    let mut uncovered = Vec::new();
    for op in diff.ops() {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            similar::DiffTag::Equal => {}
            similar::DiffTag::Insert => {
                // A line lxconf adds: covered only by a loss next to it (a changed line).
                let added: Vec<&str> = out.xml.lines().skip(new.start).take(new.len()).collect();
                uncovered.push(format!("added {added:?}"));
            }
            similar::DiffTag::Delete | similar::DiffTag::Replace => {
                for i in old {
                    let line = &dumped[ranges[i].clone()];
                    if !covered(&losses, &ranges[i], element_of(line)) {
                        uncovered.push(format!("line {}: {:?}", i + 1, line.trim_end()));
                    }
                }
            }
        }
    }
    if uncovered.is_empty() {
        Verdict::Lost(losses.iter().map(|d| d.message.clone()).collect())
    } else {
        let losses: Vec<&str> = losses.iter().map(|d| d.message.as_str()).collect();
        Verdict::Uncovered(format!(
            "{}\n  losses: {losses:?}\n--- libvirt:\n{dumped}--- lxconf:\n{}",
            uncovered.join("\n  "),
            out.xml
        ))
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn generated_domains_libvirt_accepts_round_trip_or_report_their_loss() {
    ensure_libvirtd();
    let cases = env_number("LXCONF_GENERATED_CASES", 300);
    let seed = env_number("LXCONF_GENERATED_SEED", 0x6c78_636f_6e66);
    let threads = env_number("LXCONF_GENERATED_THREADS", 4).max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let verdicts: Vec<(u64, String, Verdict)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let dir = dir.path();
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for case in (t..cases).step_by(threads as usize) {
                        let mut r = Rng(seed ^ case.wrapping_mul(0x2545_F491_4F6C_DD1D));
                        // Unique per case and helper; `_` and `.` are filtered out of the
                        // hostname by libvirt.
                        let sep = *r.pick(&["-", "_", "."]);
                        let name = format!("domxml{sep}gen{sep}{case}");
                        let xml = domain(&mut r, &name);
                        let verdict = match libvirt_formatting(&xml, &name, dir) {
                            Err(why) => Verdict::Refused(why),
                            Ok(dumped) => judge(&dumped),
                        };
                        out.push((case, xml, verdict));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let mut refusals: std::collections::BTreeMap<String, usize> = Default::default();
    let (mut identical, mut lost, mut malformed) = (0, 0, 0);
    let mut loss_kinds: std::collections::BTreeMap<String, usize> = Default::default();
    let mut failures = Vec::new();
    for (case, xml, verdict) in &verdicts {
        match verdict {
            Verdict::Refused(why) => *refusals.entry(why.clone()).or_default() += 1,
            Verdict::Identical => identical += 1,
            Verdict::LibvirtMalformed => malformed += 1,
            Verdict::Lost(messages) => {
                lost += 1;
                for m in messages {
                    // Counted by kind: the text without numbers.
                    let kind: String = m.chars().filter(|c| !c.is_ascii_digit()).collect();
                    *loss_kinds.entry(kind).or_default() += 1;
                }
            }
            Verdict::LxconfRefused(why) => failures.push(format!(
                "case {case}:\nlxconf refuses what libvirt accepts: {why}\n{xml}"
            )),
            Verdict::Uncovered(why) => failures.push(format!("case {case}:\n{why}")),
        }
    }
    let accepted = cases as usize - refusals.values().sum::<usize>();
    eprintln!(
        "generated domain XML (seed {seed:#x}): {cases} generated, {accepted} accepted by libvirt, {malformed} printed back malformed by libvirt, {identical} round-tripped byte for byte, {lost} with a loss covering every difference, {} failures",
        failures.len()
    );
    for (kind, n) in &loss_kinds {
        eprintln!("  loss reported {n} times: {kind}");
    }
    for (why, n) in &refusals {
        eprintln!("  libvirt refused {n}: {why}");
    }
    assert!(
        accepted * 2 >= cases as usize,
        "libvirt accepts fewer than half the generated domains: the generator is off"
    );
    if let Ok(path) = std::env::var("LXCONF_GENERATED_REPORT") {
        std::fs::write(path, failures.join("\n\n=====\n")).expect("write the failure report");
    }
    // One line per failure, then the first in full (libvirt's text and lxconf's).
    let summary: Vec<&str> = failures
        .iter()
        .filter_map(|f| f.lines().nth(1).or(f.lines().next()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {accepted} accepted domains:\n{}\n\nfirst in full:\n{}",
        failures.len(),
        summary.join("\n"),
        failures.first().cloned().unwrap_or_default()
    );
}
