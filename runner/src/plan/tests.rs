//! Plans of hand-built models, snapshot-tested (no root needed).

use super::*;
use crate::cgroup::CgroupLayout;
use crate::exec::execute;
use crate::sys::record::{Call, RecordSys};
use lxconf_model::{
    AutoMounts, BindKind, ByteSize, CapPolicyDefault, Capabilities, CreateKind, EnvVar, IdKind,
    IdMap, Ipv4Cidr, Limit, Mount, NetKind, Network, Prlimit, ProcMode, Resources, Rootfs, Setting,
    SizeSpec, SysMode,
};

const HYBRID_MOUNTINFO: &str = "\
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
33 30 0:29 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
34 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 30 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

fn hybrid() -> RunOptions {
    RunOptions::fixed(CgroupLayout::from_proc(
        HYBRID_MOUNTINFO,
        "4:pids:/\n3:memory:/sandbox\n2:cpu:/\n0::/\n",
    ))
}

fn unified() -> RunOptions {
    let mut layout = CgroupLayout::from_proc(
        "35 30 0:31 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n",
        "0::/user.slice\n",
    );
    if let Some(v2) = &mut layout.v2 {
        v2.controllers = ["memory", "pids", "cpu", "cpuset", "io"]
            .map(String::from)
            .to_vec();
    }
    RunOptions::fixed(layout)
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
    }
}

/// What liblxc makes of `lxc.rootfs.path = /srv/c1/rootfs`, `lxc.uts.name = c1`,
/// `lxc.mount.auto = proc:mixed sys:mixed`, `lxc.cap.drop = sys_module mac_admin`.
fn lxc_like() -> Container {
    let mut c = Container {
        name: Some("c1".into()),
        hostname: Some("c1".into()),
        rootfs: Some(Rootfs {
            path: "/srv/c1/rootfs".into(),
            backend: None,
            options: Vec::new(),
            readonly: false,
            mount: None,
            managed: true,
        }),
        auto_mounts: AutoMounts {
            proc: Some(ProcMode::Mixed),
            sys: Some(SysMode::Mixed),
            cgroup: None,
            shmounts: None,
        },
        capabilities: Capabilities::Drop {
            caps: ["sys_module", "mac_admin"]
                .iter()
                .filter_map(|n| Cap::from_name(n))
                .collect(),
        },
        ..Container::default()
    };
    c.init.command = vec!["/bin/sh".into()];
    c.init.env = vec![env("container", "lxc")];
    c
}

fn mount(source: &str, target: &str, fstype: &str, bind: BindKind) -> Mount {
    Mount {
        source: source.into(),
        target: target.into(),
        fstype: fstype.into(),
        options: Vec::new(),
        readonly: false,
        bind,
        size: None,
        optional: false,
        create: None,
        relative: false,
        dump: 0,
        pass: 0,
    }
}

#[test]
fn lxc_container_with_rootfs() {
    let plan = plan(&lxc_like(), &hybrid()).expect("plan");
    insta::assert_yaml_snapshot!(plan);
}

#[test]
fn application_container_on_the_host_root() {
    let mut c = lxc_like();
    c.rootfs = None;
    c.auto_mounts.sys = None;
    c.auto_mounts.proc = Some(ProcMode::Rw);
    c.init.cwd = None;
    let plan = plan(&c, &hybrid()).expect("plan");
    assert!(!plan
        .container
        .iter()
        .any(|s| matches!(s, ContainerStep::PivotRoot { .. })));
    assert!(!plan
        .process
        .iter()
        .any(|s| matches!(s, ProcessStep::Chdir { .. })));
    insta::assert_yaml_snapshot!(plan.container);
}

#[test]
fn mount_entries_resolve_flags_and_data() {
    let mut c = lxc_like();
    let mut ro = mount("/srv/data", "/mnt/data", "none", BindKind::Bind);
    ro.readonly = true;
    ro.options = vec!["nosuid".into(), "create=dir".into()];
    ro.options.retain(|o| !o.starts_with("create"));
    ro.create = Some(CreateKind::Dir);
    let mut tmp = mount("tmpfs", "/tmp", "tmpfs", BindKind::None);
    tmp.size = Some(SizeSpec::Bytes(ByteSize(64 << 20)));
    tmp.options = vec!["mode=1777".into(), "nodev".into()];
    let mut file = mount(
        "/etc/resolv.conf",
        "/etc/resolv.conf",
        "none",
        BindKind::Bind,
    );
    file.create = Some(CreateKind::File);
    file.optional = true;
    let mut r = mount("/srv/tree", "/srv/tree", "none", BindKind::Rbind);
    r.options = vec!["rslave".into()];
    let mut rel = mount("var/cache", "/cache", "none", BindKind::Bind);
    rel.relative = true;
    c.mounts = vec![ro, tmp, file, r, rel];
    let plan = plan(&c, &hybrid()).expect("plan");
    let mounts: Vec<&ContainerStep> = plan
        .container
        .iter()
        .filter(|s| matches!(s, ContainerStep::Mount(m) if !m.target.starts_with("/proc") && !m.target.starts_with("/sys") && m.target != "/dev"))
        .collect();
    insta::assert_yaml_snapshot!(mounts);
}

#[test]
fn escaping_mount_target_is_an_error() {
    let mut c = lxc_like();
    c.mounts = vec![mount("tmpfs", "/../etc", "tmpfs", BindKind::None)];
    assert_eq!(
        plan(&c, &hybrid()),
        Err(PlanError::TargetEscapes("/../etc".into()))
    );
    c.mounts = vec![mount("tmpfs", "tmp", "tmpfs", BindKind::None)];
    assert_eq!(
        plan(&c, &hybrid()),
        Err(PlanError::RelativeTarget("tmp".into()))
    );
}

#[test]
fn resources_on_hybrid_and_unified_hosts() {
    let mut c = lxc_like();
    c.resources = Resources {
        memory_limit: Some(ByteSize(256 << 20)),
        memory_soft_limit: Some(ByteSize(128 << 20)),
        memory_swap_limit: Some(ByteSize(512 << 20)),
        cpu_shares: Some(512),
        cpu_quota_us: Some(50_000),
        cpu_period_us: Some(100_000),
        cpuset_cpus: Some("0-1".parse().expect("cpus")),
        pids_max: Some(100),
        ..Resources::default()
    };
    let hybrid_plan = plan(&c, &hybrid()).expect("hybrid");
    let unified_plan = plan(&c, &unified()).expect("unified");
    insta::assert_yaml_snapshot!("resources_hybrid", hybrid_plan.host);
    insta::assert_yaml_snapshot!("resources_unified", unified_plan.host);
}

#[test]
fn keep_list_and_non_root_init() {
    let mut c = lxc_like();
    c.capabilities = Capabilities::Keep {
        caps: ["chown", "sys_admin"]
            .iter()
            .filter_map(|n| Cap::from_name(n))
            .collect(),
    };
    c.init.uid = 1000;
    c.init.gid = 1000;
    c.init.groups = vec![10, 20];
    c.init.cwd = Some("/home/u".into());
    c.no_new_privs = true;
    let plan = plan(&c, &hybrid()).expect("plan");
    insta::assert_yaml_snapshot!(plan.process);
}

#[test]
fn libvirt_policy_and_layout() {
    let mut c = lxc_like();
    c.libvirt = Some(lxconf_model::LibvirtSettings::default());
    c.auto_mounts.proc = Some(ProcMode::Libvirt);
    c.auto_mounts.sys = Some(SysMode::Libvirt);
    c.dev.tmpfs_size = ByteSize(65536);
    c.dev.ptys = 1;
    c.capabilities = Capabilities::Policy {
        default: CapPolicyDefault::Default,
        states: Default::default(),
    };
    c.init.env = vec![
        env("PATH", "/bin:/sbin"),
        env("TERM", "linux"),
        env("container", "lxc-libvirt"),
        env("HOME", "/"),
    ];
    let plan = plan(&c, &hybrid()).expect("plan");
    insta::assert_yaml_snapshot!(plan);
}

#[test]
fn networks_idmap_prlimits_sysctls() {
    let mut c = lxc_like();
    let mut veth = Network::new(0, NetKind::Veth);
    veth.link = Some("lxcbr0".into());
    veth.name = Some("eth0".into());
    veth.hwaddr = Some("00:16:3e:xx:xx:xx".parse().expect("mac"));
    veth.mtu = Some(1400);
    veth.up = true;
    veth.ipv4 = vec![Ipv4Cidr {
        address: "10.0.3.2".parse().expect("ip"),
        prefix: 24,
        broadcast: None,
        peer: None,
    }];
    veth.ipv4_gateway = Some(lxconf_model::Gateway::Address(
        "10.0.3.1".parse().expect("ip"),
    ));
    let mut empty = Network::new(1, NetKind::Empty);
    empty.up = true;
    c.networks = vec![veth, empty];
    c.idmap = vec![
        IdMap {
            kind: IdKind::Uid,
            container_start: 0,
            host_start: 100_000,
            count: 65536,
        },
        IdMap {
            kind: IdKind::Gid,
            container_start: 0,
            host_start: 100_000,
            count: 65536,
        },
    ];
    c.prlimits = vec![Prlimit {
        resource: "nofile".into(),
        soft: Limit::Value(1024),
        hard: Limit::Value(4096),
    }];
    c.sysctls = vec![Setting {
        key: "net.ipv4.ip_forward".into(),
        value: "1".into(),
    }];
    let plan = plan(&c, &hybrid()).expect("plan");
    assert!(plan.clone.contains(&Namespace::User));
    insta::assert_yaml_snapshot!(plan);
}

#[test]
fn host_env_fills_valueless_entries() {
    let mut c = lxc_like();
    c.init.env.push(EnvVar {
        name: "HOME".into(),
        value: None,
    });
    let mut opts = hybrid();
    assert_eq!(
        plan(&c, &opts),
        Err(PlanError::MissingHostEnv("HOME".into()))
    );
    opts.host_env.insert("HOME".into(), "/root".into());
    let p = plan(&c, &opts).expect("plan");
    assert_eq!(p.exec.env, vec!["container=lxc", "HOME=/root"]);
}

#[test]
fn executor_order_through_the_recording_double() {
    let mut c = lxc_like();
    c.resources.pids_max = Some(10);
    let plan = plan(&c, &hybrid()).expect("plan");
    let sys = RecordSys::new();
    sys.existing.borrow_mut().insert("/bin/sh".into());
    let status = execute(&plan, &sys).expect("run");
    assert_eq!(status, 0);
    insta::assert_yaml_snapshot!(sys.calls());
}

#[test]
fn mknod_falls_back_to_a_bind_of_the_host_node() {
    let plan = plan(&lxc_like(), &hybrid()).expect("plan");
    let sys = RecordSys::new();
    sys.fail_eperm.borrow_mut().insert("mknod");
    execute(&plan, &sys).expect("run");
    let binds: Vec<String> = sys
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Mount { step, .. } if step.create == Some(CreateKind::File) => {
                Some(format!("{:?} -> {}", step.source, step.target))
            }
            _ => None,
        })
        .collect();
    assert_eq!(binds.len(), 6, "{binds:?}");
    assert!(binds.contains(&"Some(\"/dev/null\") -> /dev/null".to_string()));
}

#[test]
fn direct_init_execs_in_the_container_process() {
    let mut opts = hybrid();
    opts.init = InitMode::Direct;
    opts.command = Some(vec!["/bin/true".into()]);
    let plan = plan(&lxc_like(), &opts).expect("plan");
    let sys = RecordSys::new();
    execute(&plan, &sys).expect("run");
    let calls = sys.calls();
    assert!(!calls.iter().any(|c| matches!(c, Call::Fork { .. })));
    assert!(calls
        .iter()
        .any(|c| matches!(c, Call::Exec { path, .. } if path == "/bin/true")));
}

#[test]
fn pid1_terminates_the_rest_when_the_command_ends() {
    let plan = plan(&lxc_like(), &hybrid()).expect("plan");
    let sys = RecordSys::new();
    sys.queue_signal(libc::SIGTERM);
    execute(&plan, &sys).expect("run");
    // PID 1 turns SIGTERM into SIGTERM for everyone, like lxc-execute's init.
    assert!(sys.calls().iter().any(|c| matches!(
        c,
        Call::Kill {
            pid: -1,
            signal: libc::SIGTERM
        }
    )));
}

#[test]
fn proc_keys_that_are_paths_are_refused() {
    for key in [
        "../../tmp/victim",
        "..",
        ".",
        "",
        "a/b",
        "/etc/passwd",
        "self/../x",
        "a..b",
        ".hidden",
        "oom\0adj",
    ] {
        let mut c = lxc_like();
        c.proc = vec![Setting {
            key: key.into(),
            value: "1".into(),
        }];
        let err = plan(&c, &unified()).expect_err(key);
        let key = key.to_string();
        assert_eq!(
            err,
            PlanError::UnsafeKernelKey {
                prefix: "lxc.proc",
                key
            }
        );
        assert_eq!(err.code(), Code::M040);
    }
    let mut c = lxc_like();
    c.proc = vec![Setting {
        key: "oom_score_adj".into(),
        value: "10".into(),
    }];
    assert!(plan(&c, &unified()).is_ok());
}

#[test]
fn init_ids_the_kernel_reads_as_minus_one_are_refused() {
    type SetId = fn(&mut Container);
    let cases: [(&str, SetId); 3] = [
        ("uid", |c| c.init.uid = u32::MAX),
        ("gid", |c| c.init.gid = u32::MAX),
        ("group", |c| c.init.groups = vec![5, u32::MAX]),
    ];
    for (what, set) in cases {
        let mut c = lxc_like();
        set(&mut c);
        let err = plan(&c, &unified()).expect_err(what);
        assert_eq!(err, PlanError::InitIdOutOfRange { what });
        assert_eq!(err.code(), Code::M041);
    }
    let mut c = lxc_like();
    c.init.uid = u32::MAX - 1;
    c.init.gid = u32::MAX - 1;
    assert!(plan(&c, &unified()).is_ok(), "the largest real id is fine");
}

#[test]
fn confinement_the_runner_does_not_apply_is_reported_with_codes() {
    let mut c = lxc_like();
    c.security.seccomp_profile = Some("/usr/share/lxc/config/common.seccomp".into());
    c.security.apparmor_profile = Some("lxc-container-default".into());
    c.security.selinux_context = Some("system_u:system_r:container_t:s0".into());
    c.hooks.hooks = lxc_like_hooks();
    let p = plan(&c, &unified()).expect("plan");
    let codes: Vec<Code> = p.not_applied.iter().map(|f| f.code).collect();
    // Hooks run: they are not reported, unless the caller asks not to run them.
    assert_eq!(codes, [Code::R001, Code::R002, Code::R003]);
    let mut no_hooks = unified();
    no_hooks.run_hooks = false;
    let p = plan(&c, &no_hooks).expect("plan");
    let codes: Vec<Code> = p.not_applied.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::R001, Code::R002, Code::R003, Code::R004]);
    let plain = plan(&lxc_like(), &unified()).expect("plan");
    assert!(plain.not_applied.is_empty(), "{:?}", plain.not_applied);
    let mut unconfined = lxc_like();
    unconfined.security.apparmor_profile = Some("unconfined".into());
    assert!(plan(&unconfined, &unified())
        .expect("plan")
        .not_applied
        .is_empty());
}

fn lxc_like_hooks() -> Vec<lxconf_model::Hook> {
    vec![lxconf_model::Hook {
        kind: lxconf_model::HookKind::PreStart,
        command: "/bin/true".into(),
    }]
}

#[test]
fn network_scripts_the_runner_does_not_run_are_reported() {
    let mut c = lxc_like();
    let mut n = lxconf_model::Network::new(0, lxconf_model::NetKind::Empty);
    n.script_up = Some("/usr/local/bin/up".into());
    c.networks = vec![n];
    let p = plan(&c, &unified()).expect("plan");
    assert!(
        p.not_applied
            .iter()
            .any(|f| f.code == Code::R004 && f.message.contains("network 0")),
        "{:?}",
        p.not_applied
    );
}

#[test]
fn init_cwd_is_created_only_inside_a_root_filesystem() {
    // Review of issue 12: without a rootfs the path is the host's, and the runner created
    // it as root before switching to the init uid.
    let mut c = lxc_like();
    c.rootfs = None;
    c.init.cwd = Some("/new/dir".into());
    let p = plan(&c, &unified()).expect("plan");
    let creates = p
        .process
        .iter()
        .any(|s| matches!(s, ProcessStep::Chdir { create, .. } if *create));
    assert!(!creates, "{:?}", p.process);
}

/// A model with every setting the runner reports as not applied.
fn everything_not_applied() -> Container {
    let mut c = lxc_like();
    if let Some(r) = &mut c.rootfs {
        r.options = vec!["idmap=container".into()];
    }
    c.namespaces.clone.remove(&Namespace::Uts);
    c.auto_mounts.proc = Some(ProcMode::Libvirt);
    c.auto_mounts.cgroup = Some(lxconf_model::CgroupAuto {
        flavor: lxconf_model::CgroupFlavor::Own,
        mode: None,
        force: true,
    });
    c.dev.ttys = 4;
    c.init.group_name = Some("wheel".into());
    c.security.seccomp_profile = Some("/usr/share/lxc/config/common.seccomp".into());
    c.security.seccomp_notify_proxy = Some("unix:/run/proxy".into());
    c.security.apparmor_profile = Some("lxc-container-default".into());
    c.security.apparmor_raw = vec!["deny /x rw,".into()];
    c.security.selinux_context = Some("system_u:system_r:container_t:s0".into());
    c.security.selinux_context_keyring = Some("system_u:system_r:keyring_t:s0".into());
    c.security.seclabels = vec!["selinux".into()];
    c.hooks.hooks = lxc_like_hooks();
    c.arch = Some("i686".into());
    c.lxc.sched_core = true;
    let mut router = Network::new(0, NetKind::Veth);
    if let Some(v) = &mut router.veth {
        v.mode = lxconf_model::VethMode::Router;
    }
    let mut auto = Network::new(1, NetKind::Veth);
    auto.ipv6_gateway = Some(lxconf_model::Gateway::Auto);
    auto.script_down = Some("/usr/local/bin/down".into());
    auto.network = Some("default".into());
    if let Some(v) = &mut auto.veth {
        v.vlan_id = Some(10);
    }
    let mut ipvlan = Network::new(2, NetKind::Ipvlan);
    ipvlan.link = Some("eth0".into());
    ipvlan.ipvlan_isolation = Some(lxconf_model::IpvlanIsolation::Private);
    ipvlan.l2proxy = true;
    c.networks = vec![Network::new(5, NetKind::Empty), router, auto, ipvlan];
    c
}

#[test]
fn each_setting_not_applied_is_pointed_at_in_the_model() {
    let c = everything_not_applied();
    let mut no_hooks = hybrid();
    no_hooks.run_hooks = false;
    let p = plan(&c, &no_hooks).expect("plan");
    let model = serde_json::to_value(&c).expect("model JSON");
    let found: Vec<(Code, &str)> = p
        .not_applied
        .iter()
        .map(|f| (f.code, f.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (Code::R007, "/networks/1/veth"),
            (Code::R007, "/networks/2/veth/vlan_id"),
            (Code::R007, "/networks/2/network"),
            (Code::R007, "/networks/2/ipv6_gateway"),
            (Code::R007, "/networks/3/ipvlan_isolation"),
            (Code::R007, "/networks/3/l2proxy"),
            (Code::R008, "/rootfs/options"),
            (Code::R009, "/hostname"),
            (Code::R008, "/auto_mounts/proc"),
            (Code::R008, "/auto_mounts/cgroup"),
            (Code::R006, "/init/group_name"),
            (Code::R001, "/security/seccomp_profile"),
            (Code::R001, "/security/seccomp_notify_proxy"),
            (Code::R002, "/security/apparmor_profile"),
            (Code::R002, "/security/apparmor_raw"),
            (Code::R003, "/security/selinux_context"),
            (Code::R003, "/security/selinux_context_keyring"),
            (Code::R003, "/security/seclabels"),
            (Code::R004, "/networks/2/script_down"),
            (Code::R009, "/lxc/sched_core"),
            (Code::R009, "/arch"),
            (Code::R004, "/hooks/hooks"),
        ]
    );
    for f in &p.not_applied {
        assert!(
            model.pointer(&f.pointer).is_some_and(|v| !v.is_null()),
            "{} points at nothing: {}",
            f.code,
            f.pointer
        );
    }
}

/// The container steps of `plan` as `step target` lines, for short assertions.
fn step_lines(plan: &Plan) -> Vec<String> {
    plan.container
        .iter()
        .map(|s| match s {
            ContainerStep::Mount(m) => format!(
                "mount {} {} {}",
                m.target,
                m.fstype.as_deref().unwrap_or("bind"),
                m.data.as_deref().unwrap_or("")
            ),
            ContainerStep::Symlink { path, to } => format!("symlink {path} {to}"),
            ContainerStep::Ptys { count, binds } => format!(
                "ptys {count} {}",
                binds
                    .iter()
                    .map(|b| format!("{}={}", b.pty, b.target))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            ContainerStep::DetachTree { path } => format!("detach {path}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// `lxc-execute` measured: `lxc.pty.max = 16` with `lxc.tty.max = 2` gives devpts `max=18`,
/// `/dev/ptmx` bound from it, and two ptys allocated there (`/dev/pts/0`, `/dev/pts/1`) but
/// bound nowhere.
#[test]
fn lxc_devpts_counts_ttys_in_its_maximum_and_allocates_them() {
    let mut c = lxc_like();
    c.dev.ptys = 16;
    c.dev.ttys = 2;
    let lines = step_lines(&plan(&c, &hybrid()).expect("plan"));
    let from = lines
        .iter()
        .position(|l| l.starts_with("mount /dev/pts devpts"))
        .expect("a devpts mount");
    assert_eq!(
        lines[from..from + 3],
        [
            "mount /dev/pts devpts newinstance,ptmxmode=0666,mode=0620,gid=5,max=18",
            "mount /dev/ptmx bind ",
            "ptys 2 ",
        ]
    );
}

/// libvirt_lxc measured on the hybrid host: a 64 KiB tmpfs on /sys/fs/cgroup with each v1
/// hierarchy libvirt knows bound whole (not pids, not the cgroup2 one), its consoles on
/// `/dev/tty1`.. and `/dev/console`, and on the host's root the host's /sys and /dev trees
/// detached (the new /sys built aside first, then moved in).
#[test]
fn libvirt_cgroups_consoles_and_host_root() {
    let mut c = lxc_like();
    c.rootfs = None;
    c.libvirt = Some(lxconf_model::LibvirtSettings::default());
    c.namespaces.clone.remove(&Namespace::Cgroup);
    c.auto_mounts.cgroup = Some(lxconf_model::CgroupAuto {
        flavor: lxconf_model::CgroupFlavor::Full,
        mode: Some(lxconf_model::CgroupMode::Rw),
        force: true,
    });
    c.auto_mounts.proc = Some(ProcMode::Libvirt);
    c.auto_mounts.sys = Some(SysMode::Libvirt);
    c.dev.ptys = 4096;
    c.dev.ttys = 1;
    c.console.enabled = true;
    let lines = step_lines(&plan(&c, &hybrid()).expect("plan"));
    for expected in [
        "detach /dev",
        "mount /dev/.lxconf-sys sysfs ",
        "mount /dev/.lxconf-sys/fs/cgroup tmpfs mode=755,size=65536",
        "mount /dev/.lxconf-sys/fs/cgroup/cpu bind ",
        "mount /dev/.lxconf-sys/fs/cgroup/memory bind ",
        "mount /dev/.lxconf-sys/fs/cgroup/cpuset bind ",
        "detach /sys",
        "mount /sys bind ",
        "mount /dev/pts devpts newinstance,ptmxmode=0666,mode=0620,gid=5",
        "ptys 2 0=/dev/tty1,0=/dev/console,1=/dev/tty2",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected}: {lines:#?}"
        );
    }
    assert!(!lines
        .iter()
        .any(|l| l.contains("pids") || l.contains("unified")));
}

fn denylist(rules: Vec<lxconf_model::SeccompRule>) -> lxconf_model::SeccompPolicy {
    lxconf_model::SeccompPolicy {
        version: 2,
        list: lxconf_model::SeccompList::Denylist,
        default_action: None,
        rules,
    }
}

fn rule(name: &str, action: lxconf_model::SeccompAction) -> lxconf_model::SeccompRule {
    lxconf_model::SeccompRule {
        arch: lxconf_model::SeccompArch::All,
        syscall: lxconf_model::SeccompSyscall::Name(name.into()),
        action: Some(action),
        args: Vec::new(),
    }
}

#[test]
fn a_seccomp_policy_is_loaded_before_the_uid_switch_and_no_longer_reported() {
    let mut c = lxc_like();
    c.init.uid = 1000;
    c.security.seccomp_profile = Some("/p.seccomp".into());
    c.security.seccomp_policy = Some(denylist(vec![rule(
        "sethostname",
        lxconf_model::SeccompAction::Errno(1),
    )]));
    let p = plan(&c, &unified()).expect("plan");
    let at = |f: fn(&ProcessStep) -> bool| p.process.iter().position(f).expect("step");
    let seccomp = at(|s| matches!(s, ProcessStep::Seccomp(_)));
    assert!(seccomp < at(|s| matches!(s, ProcessStep::Setuid { .. })));
    assert!(seccomp > at(|s| matches!(s, ProcessStep::DropBounding { .. })));
    let ProcessStep::Seccomp(filter) = &p.process[seccomp] else {
        unreachable!()
    };
    assert!(filter.unless_confined);
    // What is not applied as liblxc applies it is said; the profile itself is loaded.
    let found: Vec<(Code, &str)> = p
        .not_applied
        .iter()
        .map(|f| (f.code, f.pointer.as_str()))
        .collect();
    assert_eq!(found, [(Code::R001, "/security/seccomp_policy")]);
    insta::assert_yaml_snapshot!(p.process);
}

#[test]
fn notify_rules_without_a_listener_are_reported_at_the_rule() {
    let mut c = lxc_like();
    c.security.seccomp_allow_nesting = true;
    c.security.seccomp_policy = Some(denylist(vec![
        rule("read", lxconf_model::SeccompAction::Allow),
        rule("mount", lxconf_model::SeccompAction::Notify),
    ]));
    let p = plan(&c, &unified()).expect("plan");
    assert!(
        p.not_applied.iter().any(|f| f.code == Code::R001
            && f.pointer == "/security/seccomp_policy/rules/1"
            && f.message.contains("ENOSYS")),
        "{:?}",
        p.not_applied
    );
    let filter = p.process.iter().find_map(|s| match s {
        ProcessStep::Seccomp(f) => Some(f),
        _ => None,
    });
    assert!(!filter.expect("filter").unless_confined);
}

#[test]
fn the_executor_loads_the_filter_between_the_bounding_set_and_the_uid_switch() {
    let mut c = lxc_like();
    c.security.seccomp_policy = Some(denylist(vec![rule(
        "sethostname",
        lxconf_model::SeccompAction::Errno(1),
    )]));
    let plan = plan(&c, &hybrid()).expect("plan");
    let sys = RecordSys::new();
    sys.existing.borrow_mut().insert("/bin/sh".into());
    execute(&plan, &sys).expect("run");
    let calls = sys.calls();
    let at = |f: fn(&Call) -> bool| calls.iter().position(f).expect("call");
    let load = at(|c| {
        matches!(
            c,
            Call::SeccompLoad {
                unless_confined: true,
                ..
            }
        )
    });
    assert!(load > at(|c| matches!(c, Call::DropBounding { .. })));
    assert!(load < at(|c| matches!(c, Call::Setgroups { .. })));
}

/// liblxc's `do_start` sets no_new_privs, loads the seccomp policy and only then runs the
/// start hooks: a start hook runs under the bounding set, no_new_privs and the filter, in
/// that order.
#[test]
fn a_start_hook_runs_under_no_new_privs_and_the_seccomp_filter() {
    let mut c = lxc_like();
    c.no_new_privs = true;
    c.security.seccomp_profile = Some("/p.seccomp".into());
    c.security.seccomp_policy = Some(denylist(vec![rule(
        "sethostname",
        lxconf_model::SeccompAction::Errno(1),
    )]));
    c.hooks.hooks = vec![lxconf_model::Hook {
        kind: lxconf_model::HookKind::Start,
        command: "/bin/true".into(),
    }];
    let p = plan(&c, &unified()).expect("plan");
    let confine = p
        .container
        .iter()
        .find_map(|s| match s {
            ContainerStep::Hook(h) if h.kind == lxconf_model::HookKind::Start => Some(&h.confine),
            _ => None,
        })
        .expect("a start hook");
    let kinds: Vec<&str> = confine
        .iter()
        .map(|s| match s {
            ProcessStep::DropBounding { .. } => "bounding",
            ProcessStep::NoNewPrivs => "no_new_privs",
            ProcessStep::Seccomp(_) => "seccomp",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["bounding", "no_new_privs", "seccomp"]);
}

/// A hostile `lxc.tty.max = 99999999` would take every pty of the host's shared pool
/// before failing: the plan refuses more than it allocates, with R014.
#[test]
fn more_ttys_than_the_runner_allocates_are_refused() {
    let mut c = lxc_like();
    c.dev.ptys = 1;
    c.dev.ttys = 99_999_999;
    let e = plan(&c, &unified()).expect_err("refused");
    assert_eq!(e, PlanError::TooManyTtys(99_999_999));
    assert_eq!(e.code(), Code::R014);
    c.dev.ttys = error::MAX_PTYS;
    assert!(plan(&c, &unified()).is_ok());
}
