//! Generators of models for property tests: what LXC can express (each field within the
//! grammar LXC reads), normalized as the LXC reader normalizes it.

use lxconf_model::model::*;
use lxconf_model::{ByteSize, Cap, CpuSet, Limit, Signal, SizeSpec};
use proptest::prelude::*;
use std::collections::BTreeSet;

pub fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,10}"
}

pub fn path() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z0-9][a-z0-9._-]{0,8}", 1..4)
        .prop_map(|p| format!("/{}", p.join("/")))
}

pub fn mount() -> impl Strategy<Value = Mount> {
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

pub fn tmpfs() -> impl Strategy<Value = Mount> {
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

pub fn network(index: u32) -> impl Strategy<Value = Network> {
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
    /// A container LXC can express, as the LXC reader would produce it.
    pub fn container()(
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

prop_compose! {
    /// A container with the LXC settings that most often have no domain XML element too:
    /// hooks, automatic mounts, AppArmor, seccomp, the tty directory, the console.
    pub fn richer_container()(
        c in container(),
        proc in proptest::option::of(prop_oneof![Just(ProcMode::Mixed), Just(ProcMode::Rw)]),
        sys in proptest::option::of(prop_oneof![Just(SysMode::Mixed), Just(SysMode::Ro), Just(SysMode::Rw)]),
        hooks in proptest::collection::vec((prop_oneof![Just(HookKind::PreStart), Just(HookKind::Start), Just(HookKind::PostStop)], "/usr/bin/[a-z]{1,8}"), 0..3),
        apparmor in proptest::option::of(prop_oneof![Just("unconfined"), Just("lxc-container-default")]),
        seccomp in proptest::option::of(path()),
        tty_dir in proptest::option::of(Just("lxc")),
        console in any::<bool>(),
    ) -> Container {
        let mut c = c;
        c.auto_mounts.proc = proc;
        c.auto_mounts.sys = sys;
        c.hooks.hooks = hooks.into_iter().map(|(kind, command)| Hook { kind, command }).collect();
        c.security.apparmor_profile = apparmor.map(String::from);
        c.security.seccomp_profile = seccomp;
        c.dev.tty_dir = tty_dir.map(String::from);
        c.console.enabled = console;
        c
    }
}
