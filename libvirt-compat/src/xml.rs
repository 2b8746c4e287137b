//! libvirt's domain XML formatting of a converted domain: two-space indentation, single
//! quotes, `&<>'"` escaped, control characters other than tab, newline and carriage
//! return dropped, empty elements self-closing, elements in libvirt's order.

use super::convert::{Domain, FsType, IfaceKind, IpInfo, MEMORY_UNLIMITED};
use super::numbers::Ip;
use super::CompatError;
use std::fmt::Write;

/// Escape text or an attribute value the way libvirt's `virBufferEscapeString` does.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

fn ip_info(out: &mut String, info: &IpInfo, indent: &str) {
    for (ip, prefix) in &info.ips {
        let family = match ip {
            Ip::V4(_) => "ipv4",
            Ip::V6(..) => "ipv6",
        };
        let _ = write!(out, "{indent}<ip address='{ip}' family='{family}'");
        if *prefix != 0 {
            let _ = write!(out, " prefix='{prefix}'");
        }
        out.push_str("/>\n");
    }
    for (family, zero, gateway) in &info.routes {
        let _ = writeln!(
            out,
            "{indent}<route family='{family}' address='{zero}' gateway='{gateway}'/>"
        );
    }
}

/// libvirt's limit on an RPC string (`REMOTE_STRING_MAX`): virsh gets no longer XML.
pub const REMOTE_STRING_MAX: usize = 4 * 1024 * 1024;

/// The domain XML, ending in `</domain>\n`, or virsh's error when it would be longer than libvirt can transfer.
pub fn format(d: &Domain<'_>, uuid: &str, emulator: &str) -> Result<String, CompatError> {
    let mut o = String::with_capacity(2048);
    o.push_str("<domain type='lxc'>\n");
    let _ = writeln!(o, "  <name>{}</name>", escape(d.name));
    let _ = writeln!(o, "  <uuid>{}</uuid>", escape(uuid));
    let _ = writeln!(o, "  <memory unit='KiB'>{}</memory>", d.memory);
    let _ = writeln!(
        o,
        "  <currentMemory unit='KiB'>{}</currentMemory>",
        d.current_memory
    );
    blkiotune(&mut o, d);
    memtune(&mut o, d);
    vcpu_and_cputune(&mut o, d);
    numatune(&mut o, d);
    os_and_idmap(&mut o, d);
    features_and_lifecycle(&mut o, d);
    devices(&mut o, d, emulator);
    o.push_str("</domain>\n");
    if o.len() > REMOTE_STRING_MAX {
        return Err(CompatError::Reported(
            "Unable to encode message payload".into(),
        ));
    }
    Ok(o)
}

/// `<blkiotune>`, when a weight or a device limit is set.
fn blkiotune(o: &mut String, d: &Domain<'_>) {
    let mut blk = String::new();
    if d.blkio_weight != 0 {
        let _ = writeln!(blk, "    <weight>{}</weight>", d.blkio_weight);
    }
    for dev in &d.blkio_devices {
        if dev.weight == 0
            && dev.read_iops == 0
            && dev.write_iops == 0
            && dev.read_bps == 0
            && dev.write_bps == 0
        {
            continue;
        }
        blk.push_str("    <device>\n");
        let _ = writeln!(blk, "      <path>{}</path>", escape(&dev.path));
        if dev.weight != 0 {
            let _ = writeln!(blk, "      <weight>{}</weight>", dev.weight);
        }
        if dev.read_iops != 0 {
            let _ = writeln!(
                blk,
                "      <read_iops_sec>{}</read_iops_sec>",
                dev.read_iops
            );
        }
        if dev.write_iops != 0 {
            let _ = writeln!(
                blk,
                "      <write_iops_sec>{}</write_iops_sec>",
                dev.write_iops
            );
        }
        if dev.read_bps != 0 {
            let _ = writeln!(
                blk,
                "      <read_bytes_sec>{}</read_bytes_sec>",
                dev.read_bps
            );
        }
        if dev.write_bps != 0 {
            let _ = writeln!(
                blk,
                "      <write_bytes_sec>{}</write_bytes_sec>",
                dev.write_bps
            );
        }
        blk.push_str("    </device>\n");
    }
    if !blk.is_empty() {
        let _ = write!(o, "  <blkiotune>\n{blk}  </blkiotune>\n");
    }
}

/// `<memtune>`, with the limits that are not unlimited.
fn memtune(o: &mut String, d: &Domain<'_>) {
    let mut mem = String::new();
    for (tag, v) in [
        ("hard_limit", d.hard_limit),
        ("soft_limit", d.soft_limit),
        ("swap_hard_limit", d.swap_hard_limit),
    ] {
        if v < MEMORY_UNLIMITED {
            let _ = writeln!(mem, "    <{tag} unit='KiB'>{v}</{tag}>");
        }
    }
    if !mem.is_empty() {
        let _ = write!(o, "  <memtune>\n{mem}  </memtune>\n");
    }
}

/// `<vcpu>` (always one, libvirt's default) and `<cputune>`.
fn vcpu_and_cputune(o: &mut String, d: &Domain<'_>) {
    o.push_str("  <vcpu placement='static'");
    if let Some(set) = d.cpuset.as_ref().filter(|s| !s.all_set()) {
        let _ = write!(o, " cpuset='{}'", set.format());
    }
    o.push_str(">1</vcpu>\n");

    let mut cpu = String::new();
    if let Some(s) = d.shares {
        let _ = writeln!(cpu, "    <shares>{s}</shares>");
    }
    if d.period != 0 {
        let _ = writeln!(cpu, "    <period>{}</period>", d.period);
    }
    if d.quota != 0 {
        let _ = writeln!(cpu, "    <quota>{}</quota>", d.quota);
    }
    if !cpu.is_empty() {
        let _ = write!(o, "  <cputune>\n{cpu}  </cputune>\n");
    }
}

/// `<numatune>` from the memory nodes.
fn numatune(o: &mut String, d: &Domain<'_>) {
    if let Some(nodes) = &d.nodeset {
        let _ = write!(
            o,
            "  <numatune>\n    <memory mode='strict' nodeset='{}'/>\n  </numatune>\n",
            nodes.format()
        );
    }
}

/// `<os>` and `<idmap>`.
fn os_and_idmap(o: &mut String, d: &Domain<'_>) {
    o.push_str("  <os>\n");
    match d.arch {
        Some(a) => {
            let _ = writeln!(o, "    <type arch='{a}'>exe</type>");
        }
        None => o.push_str("    <type>exe</type>\n"),
    }
    o.push_str("    <init>/sbin/init</init>\n  </os>\n");

    // libvirt prints the idmap only when there is a uid map: a gid-only map is lost.
    if !d.uid_map.is_empty() {
        o.push_str("  <idmap>\n");
        for (tag, map) in [("uid", &d.uid_map), ("gid", &d.gid_map)] {
            for [start, target, count] in map {
                let _ = writeln!(
                    o,
                    "    <{tag} start='{start}' target='{target}' count='{count}'/>"
                );
            }
        }
        o.push_str("  </idmap>\n");
    }
}

/// `<features>` (privnet, the capability policy), `<clock>` and the lifecycle actions.
fn features_and_lifecycle(o: &mut String, d: &Domain<'_>) {
    o.push_str("  <features>\n");
    if d.privnet {
        o.push_str("    <privnet/>\n");
    }
    if d.caps_off.is_empty() {
        o.push_str("    <capabilities policy='allow'/>\n");
    } else {
        o.push_str("    <capabilities policy='allow'>\n");
        for c in &d.caps_off {
            let _ = writeln!(o, "      <{c} state='off'/>");
        }
        o.push_str("    </capabilities>\n");
    }
    o.push_str("  </features>\n");
    o.push_str(
        "  <clock offset='utc'/>\n  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n",
    );
}

/// `<devices>`: the emulator, filesystems, interfaces, consoles and host network devices.
fn devices(o: &mut String, d: &Domain<'_>, emulator: &str) {
    o.push_str("  <devices>\n");
    let _ = writeln!(o, "    <emulator>{}</emulator>", escape(emulator));
    filesystems(o, d);
    interfaces(o, d);
    for port in 0..d.consoles {
        // Past the RPC limit libvirt fails anyway: stop before using gigabytes.
        if o.len() > REMOTE_STRING_MAX {
            break;
        }
        let _ = write!(
            o,
            "    <console type='pty'>\n      <target type='lxc' port='{port}'/>\n    </console>\n"
        );
    }
    for h in &d.hostdevs {
        let _ = write!(
            o,
            "    <hostdev mode='capabilities' type='net'>\n      <source>\n        <interface>{}</interface>\n      </source>\n",
            escape(&h.ifname)
        );
        ip_info(o, &h.ip, "      ");
        o.push_str("    </hostdev>\n");
    }
    o.push_str("  </devices>\n");
}

/// `<filesystem>` elements.
fn filesystems(o: &mut String, d: &Domain<'_>) {
    for fs in &d.filesystems {
        let kind = match fs.kind {
            FsType::Mount => "mount",
            FsType::Block => "block",
            FsType::Ram => "ram",
        };
        let _ = writeln!(o, "    <filesystem type='{kind}' accessmode='passthrough'>");
        match fs.kind {
            FsType::Mount => {
                if let Some(s) = fs.source {
                    let _ = writeln!(o, "      <source dir='{}'/>", escape(s));
                }
            }
            FsType::Block => {
                if let Some(s) = fs.source {
                    let _ = writeln!(o, "      <source dev='{}'/>", escape(s));
                }
            }
            FsType::Ram => {
                let _ = writeln!(o, "      <source usage='{}' units='KiB'/>", fs.usage / 1024);
            }
        }
        let _ = writeln!(o, "      <target dir='{}'/>", escape(&fs.target));
        if fs.readonly {
            o.push_str("      <readonly/>\n");
        }
        o.push_str("    </filesystem>\n");
    }
}

/// `<interface>` elements.
fn interfaces(o: &mut String, d: &Domain<'_>) {
    for nic in &d.interfaces {
        let kind = match nic.kind {
            IfaceKind::Bridge(_) => "bridge",
            IfaceKind::Ethernet => "ethernet",
            IfaceKind::Direct { .. } => "direct",
            IfaceKind::User => "user",
        };
        let _ = writeln!(o, "    <interface type='{kind}'>");
        let m = nic.mac;
        let _ = writeln!(
            o,
            "      <mac address='{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}'/>",
            m[0], m[1], m[2], m[3], m[4], m[5]
        );
        match nic.kind {
            IfaceKind::Bridge(b) => {
                let _ = writeln!(o, "      <source bridge='{}'/>", escape(b));
            }
            IfaceKind::Direct { dev, mode } => {
                let _ = writeln!(o, "      <source dev='{}' mode='{mode}'/>", escape(dev));
            }
            IfaceKind::Ethernet | IfaceKind::User => {}
        }
        ip_info(o, &nic.ip, "      ");
        if let Some(g) = nic.guest {
            let _ = writeln!(o, "      <guest dev='{}'/>", escape(g));
        }
        let _ = writeln!(
            o,
            "      <link state='{}'/>",
            if nic.up { "up" } else { "down" }
        );
        o.push_str("    </interface>\n");
    }
}
