//! Round trips through the LXC emitter: LXC config → model → LXC config → model is the
//! identity for every corpus config (legacy ones come back with modern keys).

use crate::support::*;
use lxconf_convert::lxc::{emit, LxcOptions};
use lxconf_parse::fs::RealFs;
use lxconf_parse::LoadOptions;

fn reload(text: &str, base: &std::path::Path) -> lxconf_parse::Loaded {
    lxconf_parse::lxc::load(
        "emitted.conf",
        text,
        &LoadOptions {
            fs: &RealFs,
            base_dir: base.to_path_buf(),
        },
    )
}

#[test]
fn every_corpus_config_survives_lxc_emit_and_reload() {
    let base = root().join("corpus/lxc");
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in corpus_files("corpus/lxc", "conf") {
        let loaded = load_lxc(&file, &base);
        if loaded.has_errors() {
            continue;
        }
        for opts in [
            LxcOptions::default(),
            LxcOptions {
                cgroup_v1: true,
                ..Default::default()
            },
        ] {
            let out = emit(&loaded.document, &opts);
            let back = reload(&out.text, &base);
            if back.has_errors() {
                failures.push(format!(
                    "{file}: emitted config has errors: {:?}\n{}",
                    back.diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| &d.message)
                        .collect::<Vec<_>>(),
                    out.text
                ));
                continue;
            }
            let mut a = loaded.document.container.clone();
            let mut b = back.document.container.clone();
            // The container name comes from the directory, not from the text.
            b.name = a.name.clone();
            // Entries LXC ignores are reported, not re-emitted.
            a.unrecognized
                .retain(|u| u.reason == "not typed by the model");
            b.unrecognized
                .retain(|u| u.reason == "not typed by the model");
            // cgroup v2 has no memory+swap limit: it becomes swap = total - memory.
            if !opts.cgroup_v1 {
                let r = &mut a.resources;
                if let (Some(total), Some(mem), None) =
                    (r.memory_swap_limit, r.memory_limit, r.swap_limit)
                {
                    r.swap_limit = Some(lxconf_model::ByteSize(total.0.saturating_sub(mem.0)));
                    r.memory_swap_limit = None;
                }
            }
            if a != b {
                let ja = serde_json::to_string_pretty(&a).unwrap_or_default();
                let jb = serde_json::to_string_pretty(&b).unwrap_or_default();
                let diff: Vec<String> = ja
                    .lines()
                    .zip(jb.lines())
                    .filter(|(x, y)| x != y)
                    .take(3)
                    .map(|(x, y)| format!("  - {x}\n  + {y}"))
                    .collect();
                failures.push(format!(
                    "{file} (cgroup v1: {}): model changed\n{}",
                    opts.cgroup_v1,
                    diff.join("\n")
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} round trips");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn legacy_output_uses_lxc2_keys_and_loads_back_the_same() {
    let base = root().join("corpus/lxc");
    let loaded = load_lxc("corpus/lxc/net-veth.conf", &base);
    let out = emit(
        &loaded.document,
        &LxcOptions {
            legacy: true,
            ..Default::default()
        },
    );
    assert!(out.text.contains("lxc.network.type = veth"), "{}", out.text);
    assert!(!out.text.contains("lxc.net."), "{}", out.text);
    let back = reload(&out.text, &base);
    assert!(!back.has_errors());
    let nets = |c: &lxconf_model::Container| {
        c.networks
            .iter()
            .map(|n| (n.kind, n.link.clone(), n.ipv4.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        nets(&loaded.document.container),
        nets(&back.document.container)
    );
}

mod generated {
    //! Property test: any model LXC can express survives model → LXC text → model.

    use super::*;
    use lxconf_model::model::*;
    use lxconf_model::{ByteSize, Cap, CpuSet, Document, Limit, Signal, SizeSpec};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn word() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9_-]{0,10}"
    }

    fn path() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-z0-9][a-z0-9._-]{0,8}", 1..4)
            .prop_map(|p| format!("/{}", p.join("/")))
    }

    fn mount() -> impl Strategy<Value = Mount> {
        (
            path(),
            path(),
            any::<bool>(),
            prop_oneof![Just(BindKind::Bind), Just(BindKind::Rbind)],
            any::<bool>(),
            proptest::option::of(prop_oneof![Just(CreateKind::Dir), Just(CreateKind::File)]),
            0u32..3,
        )
            .prop_map(
                |(source, target, readonly, bind, optional, create, dump)| Mount {
                    source,
                    target,
                    fstype: "none".into(),
                    options: vec![],
                    readonly,
                    bind,
                    size: None,
                    optional,
                    create,
                    relative: false,
                    dump,
                    pass: 0,
                },
            )
    }

    fn tmpfs() -> impl Strategy<Value = Mount> {
        (path(), 1u64..1 << 30).prop_map(|(target, size)| Mount {
            source: "tmpfs".into(),
            target,
            fstype: "tmpfs".into(),
            options: vec!["mode=0755".into()],
            readonly: false,
            bind: BindKind::None,
            size: Some(SizeSpec::Bytes(ByteSize(size))),
            optional: false,
            create: Some(CreateKind::Dir),
            relative: false,
            dump: 0,
            pass: 0,
        })
    }

    fn network(index: u32) -> impl Strategy<Value = Network> {
        (
            prop_oneof![
                Just(NetKind::Veth),
                Just(NetKind::Macvlan),
                Just(NetKind::Vlan),
                Just(NetKind::Phys)
            ],
            word(),
            proptest::option::of("eth[0-9]"),
            any::<bool>(),
            proptest::option::of((any::<[u8; 4]>(), 1u8..=32)),
            proptest::option::of(576u32..9000),
            proptest::option::of(1u16..4094),
        )
            .prop_map(move |(kind, link, name, up, v4, mtu, vlan)| {
                let mut n = Network::new(index, kind);
                n.link = Some(link);
                n.name = name;
                n.up = up;
                n.mtu = mtu;
                if let Some((a, p)) = v4 {
                    n.ipv4.push(Ipv4Cidr {
                        address: a.into(),
                        prefix: p,
                        broadcast: None,
                        peer: None,
                    });
                }
                if kind == NetKind::Vlan {
                    n.vlan_id = vlan;
                }
                if kind == NetKind::Macvlan {
                    n.macvlan_mode = Some(MacvlanMode::Bridge);
                }
                n
            })
    }

    prop_compose! {
        fn container()(
            hostname in proptest::option::of(word()),
            command in proptest::collection::vec("[a-z/=.-]{1,10}", 1..4),
            uid in 0u32..70000, gid in 0u32..70000,
            groups in proptest::collection::vec(0u32..70000, 0..3),
            env in proptest::collection::vec(("[A-Z][A-Z0-9_]{0,6}", "[a-z0-9 =:/]{0,12}"), 0..4),
            rootfs in proptest::option::of(path()),
            mounts in proptest::collection::vec(prop_oneof![mount(), tmpfs()], 0..4),
            idmap in proptest::collection::vec((any::<bool>(), 0u32..100, 100000u32..200000, 1u32..65536), 0..3),
            nets in proptest::collection::vec(network(0), 0..3),
            caps in proptest::collection::btree_set(0u32..41, 0..5), keep in any::<bool>(),
            memory in proptest::option::of(1u64..1 << 34), pids in proptest::option::of(1u64..100000),
            cpus in proptest::option::of(proptest::collection::btree_set(0u32..16, 1..4)),
            shares in proptest::option::of(2u64..10000),
            ttys in 0u32..8, ptys in 0u32..2048, autodev in any::<bool>(),
            nofile in proptest::option::of((1u64..4096, 4096u64..65536)),
            sysctl in proptest::option::of(("net\\.ipv4\\.[a-z_]{1,10}", "[0-9]{1,3}")),
            halt in proptest::option::of(1u32..32), no_new_privs in any::<bool>(),
            start in any::<bool>(), order in -100i32..100,
        ) -> Container {
            let mut c = Container { hostname, no_new_privs, ..Container::default() };
            c.init.command = command;
            c.init.uid = uid;
            c.init.gid = gid;
            c.init.groups = groups;
            c.init.env = env.into_iter().map(|(n, v)| EnvVar { name: n, value: Some(v.trim().to_string()) }).collect();
            c.rootfs = rootfs.map(|p| Rootfs { path: p, backend: Some("dir".into()), options: vec![], readonly: false, mount: None, managed: true });
            c.mounts = mounts;
            c.idmap = idmap.into_iter().map(|(u, cs, hs, n)| IdMap { kind: if u { IdKind::Uid } else { IdKind::Gid }, container_start: cs, host_start: hs, count: n }).collect();
            c.networks = nets.into_iter().enumerate().map(|(i, mut n)| { n.index = i as u32; n }).collect();
            let caps: BTreeSet<Cap> = caps.into_iter().filter_map(Cap::from_index).collect();
            c.capabilities = if keep { Capabilities::Keep { caps } } else { Capabilities::Drop { caps } };
            c.resources.memory_limit = memory.map(ByteSize);
            c.resources.pids_max = pids;
            c.resources.cpuset_cpus = cpus.map(CpuSet);
            c.resources.cpu_shares = shares;
            c.dev.ttys = ttys;
            c.dev.ptys = ptys;
            c.dev.autodev = autodev;
            if let Some((soft, hard)) = nofile {
                c.prlimits.push(Prlimit { resource: "nofile".into(), soft: Limit::Value(soft), hard: Limit::Value(hard) });
            }
            if let Some((k, v)) = sysctl {
                c.sysctls.push(Setting { key: k, value: v });
            }
            if let Some(h) = halt {
                c.signals.halt = Signal(h);
            }
            c.autostart.enabled = start;
            c.autostart.order = order;
            // What LXC itself adds or derives (the LXC normalization).
            c.init.env.push(EnvVar { name: "container".into(), value: Some("lxc".into()) });
            if c.rootfs.is_some() {
                c.init.cwd = Some("/".into());
            }
            for m in &mut c.mounts {
                if c.rootfs.is_none() && !m.target.starts_with('/') {
                    m.target = format!("/{}", m.target);
                }
            }
            c.namespaces.clone = c.lxc_default_namespaces();
            if c.networks.is_empty() {
                // No network line: a new netns with only `lo`, down (the LXC reader says so).
                c.networks.push(Network { name: Some("lo".into()), ..Network::new(0, NetKind::Empty) });
            }
            c
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn lxc_expressible_models_round_trip(c in container()) {
            let doc = Document { container: c.clone(), ..Document::default() };
            let out = emit(&doc, &LxcOptions::default());
            prop_assert!(out.losses.iter().all(|d| d.severity != lxconf_model::Severity::Warning), "{:?}", out.losses);
            let back = reload(&out.text, std::path::Path::new("/"));
            prop_assert!(!back.has_errors(), "{:?}\n{}", back.diagnostics, out.text);
            prop_assert_eq!(&back.document.container, &c, "\n{}", out.text);
        }

        #[test]
        fn lxc_models_keep_their_meaning_in_domain_xml_or_report_the_loss(c in container()) {
            // model → domain XML → model: what differs (beyond the documented inherent
            // differences) must come with a loss report.
            use lxconf_model::equiv::{compare, Status};
            let mut c = c;
            c.name = Some("generated".into());
            let doc = Document { container: c.clone(), ..Document::default() };
            let options = lxconf_convert::from_native::FromNativeOptions {
                memory: Some(ByteSize(ByteSize::GIB)),
                host_memory: Some(ByteSize(8 * ByteSize::GIB)),
                ..Default::default()
            };
            let (prepared, mut losses) = match lxconf_convert::from_native::prepare(&doc, &options) {
                Ok(p) => p,
                // Refused with an error (e.g. a tmpfs libvirt cannot size): nothing written.
                Err(errors) => {
                    prop_assert!(errors.iter().all(|e| e.is_error()));
                    return Ok(());
                }
            };
            let out = lxconf_convert::libvirt_xml::emit(&prepared);
            losses.extend(out.losses);
            let back = lxconf_parse::domxml::load("converted.xml", &out.xml);
            prop_assert!(!back.has_errors(), "{:?}\n{}", back.diagnostics, out.xml);
            let unexpected: Vec<_> = compare(&c, &back.document.container)
                .into_iter()
                .filter(|o| o.status == Status::Unexpected)
                .map(|o| o.name)
                .collect();
            prop_assert!(
                unexpected.is_empty() || !losses.is_empty(),
                "meaning changed silently in {:?}\n{}",
                unexpected,
                out.xml
            );
        }
    }
}
