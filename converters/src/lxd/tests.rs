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
    assert_eq!(cfg.get(names::PRIVILEGED).map(String::as_str), Some("true"));
    assert_eq!(cfg.get(names::DEVLXD).map(String::as_str), Some("false"));
    assert_eq!(
        cfg.get(names::DENY_DEFAULT).map(String::as_str),
        Some("false")
    );
    assert_eq!(cfg.get(names::AUTOSTART).map(String::as_str), Some("false"));
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
    let raw = cfg.get(names::RAW_LXC).expect("raw.lxc");
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
            .get(names::LIMITS_CPU)
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
    assert!(!out.instance.config.contains_key(names::DEVLXD));
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
