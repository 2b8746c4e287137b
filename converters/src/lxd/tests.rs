use super::*;
use lxconf_model::model::*;

fn busybox() -> Document {
    let mut doc = Document::default();
    let c = &mut doc.container;
    c.name = Some("web".into());
    c.hostname = Some("web".into());
    c.rootfs = Some(Rootfs {
        path: "/var/lib/lxc/web/rootfs".into(),
        backend: None,
        options: Vec::new(),
        readonly: false,
        mount: None,
        managed: true,
    });
    doc
}

#[test]
fn a_privileged_container_gets_its_root_disk_and_switches() {
    let out = emit(&busybox(), &LxdOptions::default());
    let cfg = &out.instance.config;
    assert_eq!(
        cfg.get(keys::SECURITY_PRIVILEGED).map(String::as_str),
        Some("true")
    );
    assert_eq!(
        cfg.get(keys::SECURITY_DEVLXD).map(String::as_str),
        Some("false")
    );
    assert_eq!(
        cfg.get(keys::SYSCALLS_DENY_DEFAULT).map(String::as_str),
        Some("false")
    );
    assert_eq!(
        cfg.get(keys::BOOT_AUTOSTART).map(String::as_str),
        Some("false")
    );
    let root = &out.instance.devices["root"];
    assert_eq!(root.get("path").map(String::as_str), Some("/"));
    assert_eq!(root.get("pool").map(String::as_str), Some("default"));
    assert!(out.text.starts_with("architecture: "), "{}", out.text);
    assert!(
        out.text.contains("  security.privileged: \"true\"\n"),
        "{}",
        out.text
    );
    assert!(
        out.text
            .ends_with("profiles: []\nstateful: false\ndescription: \"\"\n"),
        "{}",
        out.text
    );
    // No caps dropped in the model: LXD's drops are cleared.
    let raw = cfg.get(keys::RAW_LXC).expect("raw.lxc");
    assert!(raw.contains("lxc.cap.drop =\n"), "{raw}");
}

#[test]
fn a_single_cpu_is_pinned_as_a_range() {
    let mut doc = busybox();
    doc.container.resources.cpuset_cpus = Some("3".parse().expect("cpuset"));
    let out = emit(&doc, &LxdOptions::default());
    assert_eq!(
        out.instance
            .config
            .get(keys::LIMITS_CPU)
            .map(String::as_str),
        Some("3-3")
    );
}

#[test]
fn idmaps_become_raw_idmap_in_lxds_order() {
    let maps = vec![
        IdMap {
            kind: IdKind::Uid,
            container_start: 0,
            host_start: 100000,
            count: 65536,
        },
        IdMap {
            kind: IdKind::Gid,
            container_start: 0,
            host_start: 100000,
            count: 65536,
        },
        IdMap {
            kind: IdKind::Uid,
            container_start: 1000,
            host_start: 1000,
            count: 1,
        },
    ];
    assert_eq!(
        config::raw_idmap(&maps),
        "both 100000-165535 0-65535\nuid 1000 1000\n"
    );
}

#[test]
fn sizes_use_the_largest_exact_binary_unit() {
    assert_eq!(config::lxd_size(512 << 20), "512MiB");
    assert_eq!(config::lxd_size(1 << 30), "1GiB");
    assert_eq!(config::lxd_size(1000), "1000B");
}

#[test]
fn incus_spells_devlxd_as_guestapi() {
    let opts = LxdOptions {
        flavor: LxdFlavor::Incus,
        ..LxdOptions::default()
    };
    let out = emit(&busybox(), &opts);
    assert!(
        out.instance.config.contains_key("security.guestapi"),
        "{:?}",
        out.instance.config
    );
    assert!(!out.instance.config.contains_key(keys::SECURITY_DEVLXD));
}

#[test]
fn a_name_that_is_not_a_hostname_is_reported() {
    let mut doc = busybox();
    doc.container.name = Some("my_web".into());
    let out = emit(&doc, &LxdOptions::default());
    assert!(
        out.losses.iter().any(|d| d.code == Code::C404),
        "{:?}",
        out.losses
    );
}

#[test]
fn a_base_range_with_holes_becomes_an_isolated_range_and_raw_idmap() {
    let u = |ns, host, count| IdMap {
        kind: IdKind::Uid,
        container_start: ns,
        host_start: host,
        count,
    };
    let g = |ns, host, count| IdMap {
        kind: IdKind::Gid,
        container_start: ns,
        host_start: host,
        count,
    };
    let maps = vec![
        u(0, 100000, 1000),
        u(1000, 1000, 1),
        u(1001, 101001, 64535),
        g(0, 100000, 65536),
    ];
    let (base, size, extras) = config::isolated_range(&maps).expect("isolated");
    assert_eq!((base, size), (100000, 65536));
    assert_eq!(config::raw_idmap(&extras), "uid 1000 1000\n");
    // Different bases for uids and gids: no isolated range.
    assert!(config::isolated_range(&[u(0, 100000, 65536), g(0, 200000, 65536)]).is_none());
}

fn raw_lxc(out: &LxdOutput) -> String {
    out.instance
        .config
        .get(keys::RAW_LXC)
        .cloned()
        .unwrap_or_default()
}

#[test]
fn lxds_own_cap_drops_and_device_rules_are_not_written_again() {
    use lxconf_model::lxd::additions::{PRIVILEGED_CAP_DROPS, PRIVILEGED_DEVICE_ALLOW};
    let mut doc = busybox();
    let c = &mut doc.container;
    c.capabilities = Capabilities::Drop {
        caps: PRIVILEGED_CAP_DROPS
            .iter()
            .filter_map(|n| lxconf_model::Cap::from_name(n))
            .collect(),
    };
    c.device_rules.push(DeviceRule {
        allow: false,
        kind: DeviceType::All,
        major: None,
        minor: None,
        access: "rwm".into(),
    });
    for rule in PRIVILEGED_DEVICE_ALLOW {
        let (kind, rest) = rule.split_once(' ').expect("rule");
        let (numbers, access) = rest.split_once(' ').expect("rule");
        let (major, minor) = numbers.split_once(':').expect("rule");
        c.device_rules.push(DeviceRule {
            allow: true,
            kind: if kind == "b" {
                DeviceType::Block
            } else {
                DeviceType::Char
            },
            major: major.parse().ok(),
            minor: minor.parse().ok(),
            access: access.into(),
        });
    }
    let out = emit(&doc, &LxdOptions::default());
    let raw = raw_lxc(&out);
    assert!(!raw.contains("cap.drop"), "{raw}");
    assert!(!raw.contains("devices"), "{raw}");
}

#[test]
fn a_keep_list_clears_lxds_drops_first() {
    let mut doc = busybox();
    doc.container.capabilities = Capabilities::Keep {
        caps: ["sys_admin", "net_admin"]
            .iter()
            .filter_map(|n| lxconf_model::Cap::from_name(n))
            .collect(),
    };
    let raw = raw_lxc(&emit(&doc, &LxdOptions::default()));
    let clear = raw.find("lxc.cap.drop =\n").expect("clearing line");
    let keep = raw.find("lxc.cap.keep").expect("keep line");
    assert!(clear < keep, "{raw}");
}

#[test]
fn an_empty_variable_stays_set_through_raw_lxc() {
    // LXD stores no empty config value: `environment.EMPTY: ""` came back missing.
    let mut doc = busybox();
    doc.container.init.env.push(EnvVar {
        name: "EMPTY".into(),
        value: Some(String::new()),
    });
    let out = emit(&doc, &LxdOptions::default());
    assert!(!out.instance.config.contains_key("environment.EMPTY"));
    assert!(
        raw_lxc(&out).contains("lxc.environment = EMPTY=\n"),
        "{}",
        raw_lxc(&out)
    );
}

#[test]
fn static_addresses_use_lxds_nic_numbering_by_device_name() {
    let mut doc = busybox();
    for (i, name) in ["web", "eth0"].iter().enumerate() {
        let mut n = Network::new(i as u32, NetKind::Veth);
        n.link = Some("br0".into());
        n.name = Some((*name).into());
        n.up = true;
        n.ipv4.push(Ipv4Cidr {
            address: [10, 0, 0, i as u8 + 1].into(),
            prefix: 24,
            broadcast: None,
            peer: None,
        });
        doc.container.networks.push(n);
    }
    let out = emit(&doc, &LxdOptions::default());
    let raw = raw_lxc(&out);
    // eth0 sorts before web: it is lxc.net.0 to LXD, though it is the LXC config's second.
    assert!(
        raw.contains("lxc.net.0.ipv4.address = 10.0.0.2/24"),
        "{raw}"
    );
    assert!(
        raw.contains("lxc.net.1.ipv4.address = 10.0.0.1/24"),
        "{raw}"
    );
    assert_eq!(
        out.instance.devices["web"]
            .get("nictype")
            .map(String::as_str),
        Some("bridged")
    );
}

#[test]
fn nesting_becomes_security_nesting_without_its_mounts() {
    let mut doc = busybox();
    let c = &mut doc.container;
    c.security.apparmor_allow_nesting = true;
    for (src, target, fs) in [
        ("proc", "/dev/.lxc/proc", "proc"),
        ("sys", "/dev/.lxc/sys", "sysfs"),
    ] {
        c.mounts.push(Mount {
            optional: true,
            create: Some(CreateKind::Dir),
            ..Mount::new(src, target, fs)
        });
    }
    let out = emit(&doc, &LxdOptions::default());
    assert_eq!(
        out.instance
            .config
            .get(keys::SECURITY_NESTING)
            .map(String::as_str),
        Some("true")
    );
    assert!(!raw_lxc(&out).contains(".lxc/proc"), "{}", raw_lxc(&out));
}

#[test]
fn a_host_network_and_a_log_file_are_losses() {
    let mut doc = busybox();
    doc.container.networks.push(Network::new(0, NetKind::None));
    doc.container.logging.file = Some("/var/log/x.log".into());
    let out = emit(&doc, &LxdOptions::default());
    let lost: Vec<&Vec<String>> = out
        .losses
        .iter()
        .filter(|d| d.code == Code::C401)
        .map(|d| &d.pointers)
        .collect();
    assert!(
        lost.iter().any(|p| p.iter().any(|p| p == "/networks/0")),
        "{lost:?}"
    );
    assert!(
        lost.iter().any(|p| p.iter().any(|p| p == "/logging/file")),
        "{lost:?}"
    );
    assert!(!raw_lxc(&out).contains("log.file"));
}

#[test]
fn a_nul_byte_is_refused_not_written() {
    // LXD stored `nul\0x` as `nul` (lxc config show, LXD 5.0.2).
    let mut doc = busybox();
    doc.container.init.env.push(EnvVar {
        name: "N".into(),
        value: Some("nul\0x".into()),
    });
    let out = emit(&doc, &LxdOptions::default());
    assert!(
        out.losses.iter().any(|d| d.code == Code::C403),
        "{:?}",
        out.losses
    );
    assert!(!out.text.contains("environment.N"), "{}", out.text);
}

#[test]
fn ipvlan_l3_mode_and_peer_addresses_are_losses() {
    let mut doc = busybox();
    let mut n = Network::new(0, NetKind::Ipvlan);
    n.link = Some("eth0".into());
    n.up = true;
    n.ipv4.push(Ipv4Cidr {
        address: [10, 0, 0, 1].into(),
        prefix: 32,
        broadcast: None,
        peer: Some([10, 0, 0, 2].into()),
    });
    doc.container.networks.push(n);
    let out = emit(&doc, &LxdOptions::default());
    let lost: Vec<&str> = out
        .losses
        .iter()
        .filter(|d| d.code == Code::C401)
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        lost.iter().any(|m| m.contains("ipvlan l3 mode")),
        "{lost:?}"
    );
    assert!(lost.iter().any(|m| m.contains("peer address")), "{lost:?}");
}
