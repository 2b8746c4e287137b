//! Devices: the root disk, plain binds as `disk` devices, interfaces as `nic` devices
//! (docs/lxd-facts.md §3).

use super::config::Mapped;
use super::names::{nictype, opt};
use super::{Device, Writer};
use lxconf_model::lxc_key::Family;
use lxconf_model::lxd::additions::OPTIONAL_BINDS;
use lxconf_model::lxd::devices::{is_device_name, DISK, NIC};
use lxconf_model::model::*;
use lxconf_model::pointer;

/// Propagation flags an LXC mount entry may carry that LXD's `propagation` takes.
const PROPAGATIONS: &[&str] = &[
    "shared",
    "slave",
    "private",
    "unbindable",
    "rshared",
    "rslave",
    "rprivate",
    "runbindable",
];

fn device(kind: &str) -> Device {
    let mut d = Device::new();
    d.insert(opt::TYPE.into(), kind.into());
    d
}

/// A device name LXD accepts, unique among `taken`, derived from `hint`.
fn device_name(hint: &str, fallback: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let cleaned: String = hint
        .trim_matches('/')
        .chars()
        .map(|c| match c {
            '/' => '-',
            c if c.is_ascii_alphanumeric() || "-_.:".contains(c) => c,
            _ => '_',
        })
        .take(56)
        .collect();
    let base = if is_device_name(&cleaned) {
        cleaned
    } else {
        fallback.to_string()
    };
    let mut name = base.clone();
    let mut n = 1;
    while taken(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

pub(super) fn native(w: &mut Writer<'_>, m: &mut Mapped) {
    root(w);
    disks(w, m);
    nics(w, m);
}

fn root(w: &mut Writer<'_>) {
    let c = &w.doc.container;
    let mut root = device(DISK);
    root.insert(opt::PATH.into(), "/".into());
    root.insert(opt::POOL.into(), w.opts.pool.clone());
    match &c.rootfs {
        Some(r) => {
            if r.readonly {
                root.insert(opt::READONLY.into(), "true".into());
            }
            w.note(
                pointer::ROOTFS_PATH,
                format!("the root filesystem {} is not part of the instance", r.path.escape_debug()),
                "copy it into the storage pool after `lxc init` (docs/lxd.md, \"Migrating an instance by hand\")",
            );
            if r.backend.as_deref().is_some_and(|b| b != "dir") {
                w.note(
                    pointer::ROOTFS_BACKEND,
                    format!(
                        "the `{}` rootfs backend becomes the pool's driver",
                        r.backend.as_deref().unwrap_or_default()
                    ),
                    "LXD stores the root filesystem in its pool; copy the files, not the device",
                );
            }
            if let Some(mnt) = &r.mount {
                w.loss(
                    pointer::ROOTFS_MOUNT,
                    format!("the rootfs staging mount point {mnt}"),
                    "LXD mounts the root filesystem itself",
                );
            }
            let other: Vec<&String> = r.options.iter().filter(|o| *o != "ro").collect();
            if !other.is_empty() {
                let list: Vec<&str> = other.iter().map(|s| s.as_str()).collect();
                w.loss(
                    pointer::ROOTFS_OPTIONS,
                    format!("rootfs mount options {}", list.join(",")),
                    "the root disk has no mount options",
                );
            }
        }
        None => {
            w.loss(
                pointer::ROOTFS,
                "running on the host's root filesystem".into(),
                "every LXD instance has a root disk of its own",
            );
            // With a root of its own, init starts in `/`, not in the caller's directory,
            // and every mount lands in that root, not on the host's tree.
            w.also_covers(pointer::INIT_CWD);
            w.also_covers(pointer::MOUNTS);
        }
    }
    w.instance.devices.insert("root".into(), root);
}

/// The `disk` device of a mount, when LXD's options say all it means.
fn disk_for(mount: &Mount) -> Option<Device> {
    let plain_bind = mount.bind != BindKind::None
        && (mount.fstype == "none" || mount.fstype == "bind")
        && mount.source.starts_with('/')
        && !mount.relative
        && mount.size.is_none()
        && mount.target.starts_with('/')
        && mount.target != "/"
        // LXD refuses recursive read-only binds: raw.lxc keeps those exact.
        && !(mount.readonly && mount.bind == BindKind::Rbind);
    let propagation: Vec<&String> = mount
        .options
        .iter()
        .filter(|o| PROPAGATIONS.contains(&o.as_str()))
        .collect();
    let only_propagation = propagation.len() == mount.options.len() && propagation.len() <= 1;
    if !plain_bind || !only_propagation {
        return None;
    }
    let mut d = device(DISK);
    d.insert(opt::SOURCE.into(), mount.source.clone());
    d.insert(opt::PATH.into(), mount.target.clone());
    if mount.readonly {
        d.insert(opt::READONLY.into(), "true".into());
    }
    if mount.bind == BindKind::Rbind {
        d.insert(opt::RECURSIVE.into(), "true".into());
    }
    if mount.optional {
        d.insert(opt::REQUIRED.into(), "false".into());
    }
    if let Some(p) = propagation.first() {
        d.insert(opt::PROPAGATION.into(), (*p).clone());
    }
    Some(d)
}

/// A mount LXD makes in every container anyway: an optional bind of a host path at the
/// same place (`additions::OPTIONAL_BINDS`; LXC's userns.conf and nesting.conf have some).
fn given_by_lxd(mount: &Mount) -> bool {
    mount.optional
        && mount.bind != BindKind::None
        && mount.source == mount.target
        && OPTIONAL_BINDS.iter().any(|(path, _)| *path == mount.source)
}

fn disks(w: &mut Writer<'_>, m: &mut Mapped) {
    let c = &w.doc.container;
    let mut paths: Vec<String> = Vec::new();
    let mut created: Vec<String> = Vec::new();
    let mut by_lxd: Vec<String> = Vec::new();
    for (i, mount) in c.mounts.iter().enumerate() {
        if given_by_lxd(mount) {
            m.disk_mounts.insert(i);
            by_lxd.push(pointer::item(pointer::MOUNTS, i).to_string());
            continue;
        }
        let Some(disk) = disk_for(mount) else {
            continue;
        };
        // Two disks may not share a path: the second stays an lxc.mount.entry.
        if paths.contains(&mount.target) {
            continue;
        }
        let devices = &w.instance.devices;
        let name = device_name(&mount.target, &format!("mount{i}"), &|n| {
            devices.contains_key(n)
        });
        paths.push(mount.target.clone());
        w.instance.devices.insert(name, disk);
        m.disk_mounts.insert(i);
        created.push(pointer::item_field(pointer::MOUNTS, i, "create"));
    }
    if let Some((first, rest)) = by_lxd.split_first() {
        w.note(
            first,
            "LXD makes this bind in every container itself (optional, its mount point created)"
                .into(),
            "not written: LXD's own entry stands for it (docs/lxd.md, \"What LXD adds\")",
        );
        for p in rest {
            w.also_covers(p);
        }
    }
    if let Some((first, rest)) = created.split_first() {
        w.note(
            first,
            "LXD creates each disk's mount point itself, a directory or a file to match its source"
                .into(),
            &format!(
                "an `{}` without create= fails on a missing mount point; a disk device does not",
                lxconf_model::lxc_key::ExactKey::MountEntry
            ),
        );
        for p in rest {
            w.also_covers(p);
        }
    }
}

fn nics(w: &mut Writer<'_>, m: &mut Mapped) {
    let c = &w.doc.container;
    let mut named: Vec<(String, usize)> = Vec::new();
    for (i, n) in c.networks.iter().enumerate() {
        let at = pointer::item(pointer::NETWORKS, i).to_string();
        let Some(dev) = nic_for(w, n, &at) else {
            continue;
        };
        let hint = n.name.clone().unwrap_or_else(|| format!("eth{}", n.index));
        let devices = &w.instance.devices;
        let name = device_name(&hint, &format!("eth{i}"), &|x| devices.contains_key(x));
        w.instance.devices.insert(name.clone(), dev);
        named.push((name, i));
    }
    // LXD numbers its NICs (lxc.net.N) in device start order: NICs first, by name.
    named.sort();
    m.nics = named
        .iter()
        .enumerate()
        .map(|(lxd, (_, i))| (lxd, *i))
        .collect();
    let renumbered: Vec<(usize, usize)> = m
        .nics
        .iter()
        .copied()
        .filter(|(lxd, i)| c.networks[*i].index as usize != *lxd)
        .collect();
    for (lxd, i) in renumbered {
        let from = c.networks[i].index;
        w.note(
            &pointer::item_field(pointer::NETWORKS, i, "index"),
            format!("interface {from} is LXD's interface {lxd}"),
            "LXD numbers NICs by device name; an unnamed interface may get another ethN name inside",
        );
    }
}

/// The `nic` device of an interface; `None` when there is none (loopback only) or LXD has
/// no form for it (reported).
fn nic_for(w: &mut Writer<'_>, n: &Network, at: &str) -> Option<Device> {
    let mut d = device(NIC);
    let kind = match n.kind {
        NetKind::Empty => {
            // Without NICs LXD leaves the container a namespace with loopback down: the
            // same as one `empty` network that is not up, and nothing else.
            let only = w.doc.container.networks.len() == 1;
            if n.up || !only {
                w.loss(
                    at,
                    format!(
                        "an `empty` network{}",
                        if n.up {
                            " brought up (loopback up)"
                        } else {
                            ""
                        }
                    ),
                    &format!(
                        "LXD has no NIC type for it and refuses {} keys in raw.lxc",
                        Family::Net.prefix()
                    ),
                );
            }
            return None;
        }
        NetKind::None => {
            w.loss(at, "sharing the host's network namespace".into(), &format!("LXD always gives a container its own network namespace and refuses {} keys in raw.lxc", Family::Net.prefix()));
            w.also_covers(pointer::NAMESPACES_CLONE);
            return None;
        }
        NetKind::Veth if n.link.is_some() => nictype::BRIDGED,
        NetKind::Veth => nictype::P2P,
        NetKind::Macvlan => nictype::MACVLAN,
        NetKind::Ipvlan => nictype::IPVLAN,
        NetKind::Vlan if n.vlan_id.is_none() => {
            w.loss(
                at,
                "a vlan interface without a VLAN id".into(),
                "LXD's physical NIC would move the parent itself into the container",
            );
            return None;
        }
        NetKind::Phys | NetKind::Vlan => nictype::PHYSICAL,
    };
    d.insert(opt::NICTYPE.into(), kind.into());
    if let Some(link) = &n.link {
        d.insert(opt::PARENT.into(), link.clone());
    } else if kind != nictype::P2P {
        w.loss(
            at,
            format!("a {kind} interface without a host link"),
            "LXD needs the parent interface",
        );
        return None;
    }
    if let Some(name) = &n.name {
        d.insert(opt::NAME.into(), name.clone());
    }
    // A vlan interface: LXD's physical NIC with `vlan` makes it on the parent.
    if let (NetKind::Vlan, Some(id)) = (n.kind, n.vlan_id) {
        d.insert(opt::VLAN.into(), id.to_string());
    }
    match &n.hwaddr {
        Some(mac) if mac.is_pattern() => w.note(
            &format!("{at}/hwaddr"),
            format!("the MAC pattern {} is not kept", mac.as_str()),
            "LXD generates a random address once (volatile.NAME.hwaddr)",
        ),
        Some(mac) => {
            d.insert(opt::HWADDR.into(), mac.as_str().to_string());
        }
        None => {}
    }
    if let Some(mtu) = n.mtu {
        if (1280..=16384).contains(&mtu) {
            d.insert(opt::MTU.into(), mtu.to_string());
        } else {
            w.loss(
                &format!("{at}/mtu"),
                format!("MTU {mtu}"),
                "LXD accepts an MTU from 1280 to 16384",
            );
        }
    }
    let vlan = n.vlan_id.or(n.veth.as_ref().and_then(|v| v.vlan_id));
    if let Some(v) = vlan {
        if kind == nictype::P2P {
            w.loss(at, format!("VLAN {v}"), "a p2p NIC has no VLAN");
        } else {
            d.insert(opt::VLAN.into(), v.to_string());
        }
    }
    nic_details(w, n, at, kind, &mut d);
    Some(d)
}

fn nic_details(w: &mut Writer<'_>, n: &Network, at: &str, kind: &str, d: &mut Device) {
    if let Some(v) = &n.veth {
        if let Some(pair) = &v.pair {
            d.insert(opt::HOST_NAME.into(), pair.clone());
        }
        if v.mode != VethMode::Bridge {
            w.loss(
                at,
                "the veth router mode".into(),
                "LXD's routed NIC configures the host side itself",
            );
        }
        if !v.routes.is_empty()
            || !v.vlan_tagged.is_empty()
            || v.rx_queues.is_some()
            || v.tx_queues.is_some()
        {
            w.loss(
                at,
                "host-side veth routes, tagged VLANs or queue counts".into(),
                "LXD's NIC devices have no such options",
            );
        }
    }
    if kind == nictype::MACVLAN
        && n.macvlan_mode
            .is_some_and(|mode| mode != MacvlanMode::Bridge)
    {
        w.loss(
            at,
            "the macvlan mode".into(),
            "LXD's macvlan NICs are always in bridge mode",
        );
    }
    if kind == nictype::IPVLAN {
        match n.ipvlan_mode {
            Some(IpvlanMode::L2) => {
                d.insert(opt::MODE.into(), "l2".into());
            }
            Some(IpvlanMode::L3s) => {}
            // liblxc's default mode is l3.
            Some(IpvlanMode::L3) | None => w.loss(
                at,
                "ipvlan l3 mode".into(),
                "LXD's ipvlan NICs are l3s (its default) or l2",
            ),
        }
        let l3s = n.ipvlan_mode == Some(IpvlanMode::L3s);
        if n.l2proxy != l3s {
            w.loss(
                at,
                "the ipvlan l2proxy setting".into(),
                "LXD turns l2proxy on in l3s mode and off in l2 mode",
            );
        }
        if n.ipvlan_isolation.is_some() {
            w.loss(
                at,
                "the ipvlan isolation mode".into(),
                "LXD's ipvlan NICs have no isolation option",
            );
        }
    }
    if kind != nictype::IPVLAN && n.l2proxy {
        w.loss(
            at,
            "the l2proxy setting".into(),
            "LXD sets it only for its own ipvlan and routed NICs",
        );
    }
    for a in n.ipv4.iter().filter(|a| a.peer.is_some()) {
        w.loss(
            at,
            format!("the peer address of {}", a.address),
            "LXD and LXC have no point-to-point peer setting",
        );
    }
    if !n.up {
        w.note(
            at,
            "LXD brings every NIC up".into(),
            "the LXC interface was left down",
        );
    }
    if !n.routes.is_empty() {
        w.loss(at, format!("{} route(s) inside the container", n.routes.len()), "LXD has no in-container routes: add them from the container's own network configuration");
    }
    if n.script_up.is_some() || n.script_down.is_some() {
        w.loss(
            at,
            "the interface's up/down scripts".into(),
            &format!(
                "LXD refuses {} keys in raw.lxc other than addresses and gateways",
                Family::Net.prefix()
            ),
        );
    }
    if n.network.is_some() || n.portgroup.is_some() {
        w.loss(
            at,
            "a libvirt network".into(),
            "give the NIC a parent bridge instead",
        );
    }
}
