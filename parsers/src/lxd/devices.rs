//! Devices to lxc.* entries, in LXD's start order (`devices_sort.go`): NICs first (by
//! name, numbered from 0), then disks (the root disk first, the rest by path), then the
//! other types by type name, descending. A device the model cannot type is kept as
//! written in the LXD settings ([`kept`]).

use super::lower::{DeviceSink, Expanded};
use super::read::Device;
use super::validate::{is_false, is_true};
use lxconf_model::lxc_key::family::net_key;
use lxconf_model::lxc_key::{ExactKey as K, Family};
use lxconf_model::lxd::additions as add;
use lxconf_model::lxd::devices as dev;
use lxconf_model::Origin;

/// LXD's start order.
pub fn start_order<'a>(devices: impl Iterator<Item = &'a Device>) -> Vec<&'a Device> {
    let mut list: Vec<&Device> = devices.collect();
    let rank = |d: &Device| match d.kind() {
        dev::NIC => 0,
        dev::DISK => 1,
        _ => 2,
    };
    list.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| {
                if a.kind() == dev::DISK && b.kind() == dev::DISK {
                    let root = |d: &Device| d.get("path") != Some("/");
                    root(a)
                        .cmp(&root(b))
                        .then_with(|| a.get("path").cmp(&b.get("path")))
                } else {
                    b.kind().cmp(a.kind())
                }
            })
            .then_with(|| a.name.cmp(&b.name))
    });
    list
}

/// How a NIC is lowered: its liblxc type, or `None` when it is kept as written.
fn nic_type(d: &Device) -> Option<&'static str> {
    if d.get("network").is_some() {
        return None;
    }
    match d.get("nictype")? {
        "bridged" if d.get("parent").is_some() => Some("veth"),
        "p2p" => Some("veth"),
        "macvlan" if d.get("parent").is_some() => Some("macvlan"),
        // With `vlan`, LXD makes a VLAN interface on the parent and moves that one in.
        "physical" if d.get("parent").is_some() && d.get("vlan").is_some() => Some("vlan"),
        "physical" if d.get("parent").is_some() => Some("phys"),
        "ipvlan" if d.get("parent").is_some() => Some("ipvlan"),
        _ => None,
    }
}

/// Whether the reader lowers this device to lxc.* entries (else it is kept as written).
pub fn lowered(d: &Device) -> bool {
    match d.kind() {
        dev::NIC => nic_type(d).is_some(),
        dev::DISK => d.get("pool").is_none() || d.get("path") == Some("/"),
        dev::UNIX_CHAR | dev::UNIX_BLOCK => d.get("path").or(d.get("source")).is_some(),
        _ => false,
    }
}

/// The entries of every lowered device.
pub fn entries(sink: &mut DeviceSink<'_>, x: &Expanded<'_>, privileged: bool) {
    let mut net_index = 0usize;
    for d in start_order(x.devices.values()) {
        if !lowered(d) {
            continue;
        }
        match d.kind() {
            dev::NIC => {
                nic(sink, d, net_index);
                net_index += 1;
            }
            dev::DISK => disk(sink, d, x),
            _ => unix(sink, d, privileged),
        }
    }
}

fn origin_of(d: &Device, option: &str) -> (Origin, Origin) {
    d.item(option).map_or((d.name_origin, d.name_origin), |i| {
        (i.key_origin, i.value_origin)
    })
}

fn nic(sink: &mut DeviceSink<'_>, d: &Device, index: usize) {
    let Some(kind) = nic_type(d) else {
        return;
    };
    let (type_key, type_value) = origin_of(d, "nictype");
    sink.push(
        net_key(index, "type", false),
        kind.into(),
        type_key,
        type_value,
    );
    let map: &[(&str, &str)] = &[
        ("parent", "link"),
        ("name", "name"),
        ("hwaddr", "hwaddr"),
        ("mtu", "mtu"),
        ("host_name", "veth.pair"),
        ("mode", "ipvlan.mode"),
        ("vlan", "vlan.id"),
    ];
    for (option, sub) in map {
        if let Some(item) = d.item(option) {
            if (*sub == "veth.pair" && kind != "veth") || (*option == "vlan" && kind != "vlan") {
                continue;
            }
            sink.push(
                net_key(index, sub, false),
                item.value.clone(),
                item.key_origin,
                item.value_origin,
            );
        }
    }
    if kind == "macvlan" {
        sink.push(
            net_key(index, "macvlan.mode", false),
            "bridge".into(),
            type_key,
            type_value,
        );
    }
    if kind == "ipvlan" && d.get("mode").is_none() {
        sink.push(
            net_key(index, "ipvlan.mode", false),
            "l3s".into(),
            type_key,
            type_value,
        );
    }
    sink.push(
        net_key(index, "flags", false),
        "up".into(),
        d.name_origin,
        d.name_origin,
    );
}

/// `shared.EscapePathFstab`.
fn escape_fstab(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("\\040"),
            '\t' => out.push_str("\\011"),
            '\n' => out.push_str("\\012"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

fn disk(sink: &mut DeviceSink<'_>, d: &Device, x: &Expanded<'_>) {
    let path = d.get("path").unwrap_or("");
    if path == "/" {
        let (Some(pool), Some(name)) = (d.item("pool"), x.name) else {
            return;
        };
        let rootfs = add::dir_pool_rootfs(x.flavor, &pool.value, name);
        sink.push(
            K::RootfsPath.name().into(),
            format!("dir:{rootfs}"),
            pool.key_origin,
            pool.value_origin,
        );
        if let Some(ro) = d.item("readonly").filter(|i| is_true(&i.value)) {
            sink.push(
                K::RootfsOptions.name().into(),
                "ro".into(),
                ro.key_origin,
                ro.value_origin,
            );
        }
        return;
    }
    let Some(source) = d.item("source") else {
        return;
    };
    let mut opts: Vec<String> = Vec::new();
    if d.get("readonly").is_some_and(is_true) {
        opts.push("ro".into());
    }
    opts.push(
        if d.get("recursive").is_some_and(is_true) {
            "rbind"
        } else {
            "bind"
        }
        .into(),
    );
    if let Some(p) = d.get("propagation") {
        opts.push(p.into());
    }
    let create = if x.fs.is_dir(std::path::Path::new(&source.value)) {
        "dir"
    } else {
        "file"
    };
    opts.push(format!("create={create}"));
    // `required: false` (or the older `optional: true`): LXD skips the disk when its
    // source is missing, as liblxc skips an optional entry.
    let not_required =
        d.get("required").is_some_and(is_false) || d.get("optional").is_some_and(is_true);
    if not_required {
        opts.push("optional".into());
    }
    let target = escape_fstab(path.trim_start_matches('/'));
    let value = format!(
        "{} {target} none {} 0 0",
        escape_fstab(&source.value),
        opts.join(",")
    );
    sink.push(
        K::MountEntry.name().into(),
        value,
        d.name_origin,
        source.value_origin,
    );
}

fn unix(sink: &mut DeviceSink<'_>, d: &Device, privileged: bool) {
    let Some(path) = d.item("path").or(d.item("source")) else {
        return;
    };
    let source = d.get("source").unwrap_or(&path.value);
    let target = escape_fstab(path.value.trim_start_matches('/'));
    let value = format!(
        "{} {target} none bind,create=file 0 0",
        escape_fstab(source)
    );
    sink.push(
        K::MountEntry.name().into(),
        value,
        d.name_origin,
        path.value_origin,
    );
    // The cgroup rule needs the numbers; without them LXD takes the host node's, which
    // the reader cannot see (docs/lxd-reading.md).
    if let (true, Some(major), Some(minor)) = (privileged, d.get("major"), d.get("minor")) {
        let c = if d.kind() == dev::UNIX_BLOCK {
            'b'
        } else {
            'c'
        };
        let family = if add::CGROUP_V1 {
            Family::Cgroup1
        } else {
            Family::Cgroup2
        };
        sink.push(
            family.key("devices.allow"),
            format!("{c} {major}:{minor} rwm"),
            d.name_origin,
            d.name_origin,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fstab_escapes() {
        assert_eq!(escape_fstab("a b\\c"), "a\\040b\\\\c");
    }
}
