//! Real containers, as root, on a busybox-static root filesystem built in a tempdir.
//! Every test is `#[ignore = "needs root"]` (`scripts/test-all.sh` runs them with
//! `--include-ignored` as root) and fails when busybox-static is missing.

use lxconf_model::{
    AutoMounts, BindKind, ByteSize, Cap, Capabilities, Container, CreateKind, EnvVar, Gateway,
    IdKind, IdMap, Ipv4Cidr, Mount, Namespace, NetKind, Network, ProcMode, Rootfs, SizeSpec,
    SysMode,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const RUNNER: &str = env!("CARGO_BIN_EXE_lxconf-run");

fn busybox() -> Option<PathBuf> {
    ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

struct Rootfs_ {
    dir: tempfile::TempDir,
}

impl Rootfs_ {
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn build_rootfs() -> Rootfs_ {
    let dir = tempfile::Builder::new()
        .prefix("lxconf-rootfs-")
        .tempdir()
        .expect("tempdir");
    let root = dir.path();
    for d in ["bin", "proc", "sys", "dev", "tmp", "etc", "mnt", "home"] {
        std::fs::create_dir_all(root.join(d)).expect("mkdir");
    }
    let bb = busybox().expect("busybox");
    std::fs::copy(&bb, root.join("bin/busybox")).expect("copy busybox");
    let list = Command::new(&bb)
        .arg("--list")
        .output()
        .expect("busybox --list");
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        if applet != "busybox" {
            let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
        }
    }
    Rootfs_ { dir }
}

fn base(name: &str, root: &Path) -> Container {
    let mut c = Container {
        name: Some(name.into()),
        hostname: Some(name.into()),
        rootfs: Some(Rootfs {
            path: root.display().to_string(),
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
        ..Container::default()
    };
    c.init.command = vec!["/bin/sh".into()];
    c.init.env = vec![env("container", "lxc")];
    c
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
    }
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

fn caps(names: &[&str]) -> std::collections::BTreeSet<Cap> {
    names.iter().filter_map(|n| Cap::from_name(n)).collect()
}

fn model_file(c: &Container) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().expect("tempfile");
    std::fs::write(f.path(), serde_json::to_string(c).expect("json")).expect("write model");
    f
}

fn command(c: &Container, script: &str) -> (Command, tempfile::NamedTempFile) {
    let model = model_file(c);
    let mut cmd = Command::new(RUNNER);
    cmd.arg(model.path())
        .args(["--", "/bin/sh", "-c", script])
        .stdin(Stdio::null());
    (cmd, model)
}

fn run(c: &Container, script: &str) -> (i32, String, String) {
    let (mut cmd, _model) = command(c, script);
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run lxconf-run");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs root"]
fn exit_status_and_signals_propagate() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let c = base("exitst", root.path());
    assert_eq!(run(&c, "exit 7").0, 7);
    assert_eq!(
        run(&c, "kill -9 $$").0,
        137,
        "killed by SIGKILL gives 128+9"
    );
    assert_eq!(
        run(&c, "echo pid $$").1.trim(),
        "pid 2",
        "the command is PID 2"
    );
    let (code, _, err) = run(&c, "exec /nonexistent");
    assert_ne!(code, 0);
    assert!(err.contains("nonexistent") || code == 127, "{err}");
}

#[test]
#[ignore = "needs root"]
fn identity_environment_cwd_and_hostname() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("ident", root.path());
    c.hostname = Some("box1".into());
    c.init.env.push(env("FOO", "bar baz"));
    c.init.uid = 1000;
    c.init.gid = 1001;
    c.init.groups = vec![10, 20];
    c.init.cwd = Some("/home/u".into());
    c.no_new_privs = true;
    let (code, out, err) = run(
        &c,
        "hostname; id -u; id -g; id -G; pwd; env | sort; grep -E 'NoNewPrivs|CapEff' /proc/self/status",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "box1");
    assert_eq!(lines[1], "1000");
    assert_eq!(lines[2], "1001");
    assert_eq!(lines[3], "1001 10 20");
    assert_eq!(lines[4], "/home/u");
    assert!(out.contains("FOO=bar baz\n"), "{out}");
    assert!(out.contains("container=lxc\n"), "{out}");
    assert!(!out.contains("CARGO"), "the host environment leaked: {out}");
    assert!(out.contains("NoNewPrivs:\t1"), "{out}");
    assert!(out.contains("CapEff:\t0000000000000000"), "{out}");
}

#[test]
#[ignore = "needs root"]
fn mounts_ro_bind_tmpfs_size_create_file_and_dev() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let host = tempfile::tempdir().expect("tempdir");
    std::fs::write(host.path().join("data.txt"), "hello\n").expect("write");
    let mut c = base("mnts", root.path());
    let mut ro = mount(
        &host.path().display().to_string(),
        "/mnt/ro",
        "none",
        BindKind::Bind,
    );
    ro.readonly = true;
    ro.create = Some(CreateKind::Dir);
    let mut tmp = mount("tmpfs", "/mnt/tmp", "tmpfs", BindKind::None);
    tmp.size = Some(SizeSpec::Bytes(ByteSize(1 << 20)));
    tmp.create = Some(CreateKind::Dir);
    let mut file = mount(
        &host.path().join("data.txt").display().to_string(),
        "/etc/data.txt",
        "none",
        BindKind::Bind,
    );
    file.create = Some(CreateKind::File);
    let mut missing = mount("/does/not/exist", "/mnt/opt", "none", BindKind::Bind);
    missing.optional = true;
    c.mounts = vec![ro, tmp, file, missing];
    let (code, out, err) = run(
        &c,
        "cat /mnt/ro/data.txt; touch /mnt/ro/x 2>/dev/null && echo RO_WRITABLE; \
         grep -E ' /mnt/(ro|tmp) ' /proc/self/mountinfo; cat /etc/data.txt; \
         for n in null zero full random urandom tty; do test -c /dev/$n && echo dev:$n; done; \
         readlink /dev/fd; readlink /dev/stdin; echo x > /dev/null && echo NULL_OK",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("hello\n"), "{out}");
    assert!(!out.contains("RO_WRITABLE"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains(" /mnt/ro ") && l.contains(" ro,")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains(" /mnt/tmp ") && l.contains("size=1024k")),
        "{out}"
    );
    assert_eq!(out.matches("hello").count(), 2, "{out}");
    assert_eq!(out.matches("dev:").count(), 6, "{out}");
    assert!(out.contains("/proc/self/fd\n/proc/self/fd/0"), "{out}");
    assert!(out.contains("NULL_OK"), "{out}");
}

#[test]
#[ignore = "needs root"]
fn capabilities_drop_and_keep() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("capd", root.path());
    c.capabilities = Capabilities::Drop {
        caps: caps(&["sys_admin", "net_admin"]),
    };
    let (_, out, _) = run(&c, "grep CapBnd /proc/self/status");
    let bnd =
        u64::from_str_radix(out.trim().trim_start_matches("CapBnd:").trim(), 16).expect("hex");
    assert_eq!(bnd & (1 << 21), 0, "sys_admin dropped");
    assert_eq!(bnd & (1 << 12), 0, "net_admin dropped");
    assert_ne!(bnd & 1, 0, "chown kept");
    c.capabilities = Capabilities::Keep {
        caps: caps(&["chown", "sys_admin"]),
    };
    let (_, out, _) = run(&c, "grep -E 'CapBnd|CapEff|CapPrm' /proc/self/status");
    for line in out.lines() {
        assert!(line.ends_with("0000000000200001"), "{out}");
    }
}

#[test]
#[ignore = "needs root"]
fn cgroup_limits_are_set_and_enforced() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("limits", root.path());
    c.resources.memory_limit = Some(ByteSize(32 << 20));
    c.resources.pids_max = Some(20);
    // Without a cgroup namespace the container sees its own cgroup paths; the host's
    // hierarchy is bound in to read the limits.
    c.namespaces.clone.remove(&Namespace::Cgroup);
    let mut cg = mount("/sys/fs/cgroup", "/sys/fs/cgroup", "none", BindKind::Rbind);
    cg.readonly = false;
    c.mounts = vec![cg];
    let script = "m=$(grep ':memory:' /proc/self/cgroup | cut -d: -f3); \
                  p=$(grep ':pids:' /proc/self/cgroup | cut -d: -f3); \
                  if [ -d /sys/fs/cgroup/unified ] && [ -f /sys/fs/cgroup/memory/$m/memory.limit_in_bytes ]; then \
                    echo mem=$(cat /sys/fs/cgroup/memory/$m/memory.limit_in_bytes); \
                    echo pids=$(cat /sys/fs/cgroup/pids/$p/pids.max); \
                  else u=$(grep '^0::' /proc/self/cgroup | cut -d: -f3); \
                    echo mem=$(cat /sys/fs/cgroup/$u/memory.max); echo pids=$(cat /sys/fs/cgroup/$u/pids.max); fi; \
                  (echo 1000 > /proc/self/oom_score_adj; head -c 200m /dev/zero | tail -n 1 > /dev/null); echo hog=$?; \
                  (n=0; while [ $n -lt 40 ]; do sleep 3 & n=$((n+1)); echo $n > /tmp/count; done) 2>/dev/null; \
                  read c < /tmp/count; echo running=$c";
    // The hog asks the OOM killer to choose it (oom_score_adj 1000, which needs no
    // privilege): otherwise the kernel may kill the shell that reports, as it did once in CI.
    let (code, out, err) = run(&c, script);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("mem=33554432"), "{out}");
    assert!(out.contains("pids=20"), "{out}");
    let running: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("running="))
        .and_then(|n| n.trim().parse().ok())
        .expect("running count");
    assert!(
        (5..20).contains(&running),
        "fork loop stopped at pids.max: {running}"
    );
    assert!(
        out.contains("hog=137"),
        "memory hog killed at the limit: {out}"
    );
}

#[test]
#[ignore = "needs root"]
fn escaping_mount_targets_are_refused() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    std::fs::create_dir_all(root.path().join("x")).expect("mkdir");
    std::os::unix::fs::symlink("../../../../../../etc", root.path().join("x/esc"))
        .expect("symlink");
    std::os::unix::fs::symlink("/etc", root.path().join("x/abs")).expect("symlink");
    let mut c = base("escape", root.path());
    c.mounts = vec![mount("tmpfs", "/x/esc/y", "tmpfs", BindKind::None)];
    let (code, _, err) = run(&c, "true");
    assert_eq!(code, 125);
    assert!(err.contains("leaves the container's root"), "{err}");
    // Refused by the plan: a coded input error, nothing started.
    c.mounts = vec![mount("tmpfs", "/../etc", "tmpfs", BindKind::None)];
    let (code, _, err) = run(&c, "true");
    assert_eq!(code, 1);
    assert!(err.contains("R014"), "{err}");
    assert!(err.contains("leaves the container's root"), "{err}");
    // An absolute symlink is followed inside the root: it lands on the rootfs's /etc.
    c.mounts = vec![mount("tmpfs", "/x/abs", "tmpfs", BindKind::None)];
    let (code, out, err) = run(&c, "grep -c ' /etc tmpfs' /proc/self/mounts");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "1");
    assert!(
        !std::fs::read_to_string("/proc/self/mountinfo")
            .expect("mountinfo")
            .contains(" /etc "),
        "nothing was mounted on the host's /etc"
    );
}

fn leftovers(name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for base in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
        if let Ok(entries) = std::fs::read_dir(base) {
            for e in entries.flatten() {
                let p = e.path();
                let mut stack = vec![p];
                while let Some(dir) = stack.pop() {
                    if let Ok(children) = std::fs::read_dir(&dir) {
                        for ch in children.flatten() {
                            let path = ch.path();
                            if path.is_dir() {
                                if path.to_string_lossy().contains(&format!("payload.{name}.")) {
                                    found.push(path.display().to_string());
                                }
                                if path.components().count() < 9 {
                                    stack.push(path);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    found
}

fn processes_with(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read(e.path().join("cmdline"))
                        .map(|c| {
                            String::from_utf8_lossy(&c)
                                .replace('\0', " ")
                                .starts_with(marker)
                        })
                        .unwrap_or(false)
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
#[ignore = "needs root"]
fn nothing_is_left_after_exit_or_after_kill_9_of_the_runner() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("cleanup", root.path());
    c.resources.pids_max = Some(50);
    c.resources.memory_limit = Some(ByteSize(64 << 20));
    assert_eq!(run(&c, "sleep 0.1 & exit 0").0, 0);
    assert!(
        leftovers("cleanup").is_empty(),
        "{:?}",
        leftovers("cleanup")
    );

    let (mut cmd, _model) = command(&c, "sleep 4242 & sleep 4243");
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(5);
    while processes_with("sleep 4243") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(processes_with("sleep 4243"), 1, "container started");
    assert!(!leftovers("cleanup").is_empty());
    child.kill().expect("kill -9 the runner");
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while (processes_with("sleep 424") > 0 || !leftovers("cleanup").is_empty())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(processes_with("sleep 424"), 0, "container processes died");
    assert!(
        leftovers("cleanup").is_empty(),
        "{:?}",
        leftovers("cleanup")
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").expect("mountinfo");
    assert!(
        !mounts.contains(&root.path().display().to_string()),
        "{mounts}"
    );
}

#[test]
#[ignore = "needs root"]
fn application_container_on_the_host_root() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("hostroot", root.path());
    c.rootfs = None;
    c.auto_mounts.sys = None;
    c.auto_mounts.proc = Some(ProcMode::Rw);
    let bb = busybox().expect("busybox").display().to_string();
    let model = model_file(&c);
    let out = Command::new(RUNNER)
        .arg(model.path())
        .args([
            "--",
            &bb,
            "sh",
            "-c",
            "hostname; echo pid $$; grep ' /dev ' /proc/self/mountinfo | tail -1; pwd",
        ])
        .stdin(Stdio::null())
        .current_dir("/tmp")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("hostroot\npid 2\n"), "{text}");
    assert!(text.contains("tmpfs none rw,size=492k"), "{text}");
    assert!(
        text.trim_end().ends_with("/tmp"),
        "the caller's cwd is kept: {text}"
    );
}

#[test]
#[ignore = "needs root"]
fn veth_into_a_bridge_of_a_test_network_namespace() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("vethtest", root.path());
    let mut n = Network::new(0, NetKind::Veth);
    n.link = Some("lxtbr0".into());
    n.name = Some("eth0".into());
    n.hwaddr = Some("02:00:00:00:00:42".parse().expect("mac"));
    n.mtu = Some(1400);
    n.up = true;
    n.ipv4 = vec![Ipv4Cidr {
        address: "10.213.0.2".parse().expect("ip"),
        prefix: 24,
        broadcast: None,
        peer: None,
    }];
    n.ipv4_gateway = Some(Gateway::Address("10.213.0.1".parse().expect("ip")));
    if let Some(v) = &mut n.veth {
        v.pair = Some("vethlxt0".into());
    }
    c.networks = vec![n];
    let model = model_file(&c);
    // Everything happens in a network namespace this thread owns; the host's network is
    // never touched, and the namespace goes away with the thread.
    let handle = std::thread::spawn(move || {
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare net");
        let mut nl = lxconf_run::sys::netlink::Rtnl::open().expect("netlink");
        let br = nl.create_bridge("lxtbr0").expect("bridge");
        nl.add_address(br, "10.213.0.1".parse().expect("ip"), 24, None)
            .expect("bridge address");
        let out = Command::new(RUNNER)
            .arg(model.path())
            .args([
                "--",
                "/bin/sh",
                "-c",
                "ip -o addr show eth0; ip link show eth0; ip route; \
                 ping -c 1 -W 2 10.213.0.1 >/dev/null && echo PING_OK",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run");
        let host_end_left = nl.index("vethlxt0").expect("lookup");
        (out, host_end_left)
    });
    let (out, host_end_left) = handle.join().expect("thread");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}\n{err}");
    assert!(text.contains("inet 10.213.0.2/24"), "{text}");
    assert!(text.contains("mtu 1400"), "{text}");
    assert!(text.contains("02:00:00:00:00:42"), "{text}");
    assert!(text.contains("default via 10.213.0.1"), "{text}");
    assert!(text.contains("PING_OK"), "{text}");
    assert_eq!(host_end_left, None, "the host end of the veth is gone");
}

/// Mounts as (mount point, fs type, per-mount options), ignoring ids, devices and
/// propagation tags, which differ between runs.
fn mount_table(mountinfo: &str) -> Vec<String> {
    let mut rows: Vec<String> = mountinfo
        .lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let f: Vec<&str> = left.split(' ').collect();
            let r: Vec<&str> = right.split(' ').collect();
            Some(format!("{} {} {}", f.get(4)?, r.first()?, f.get(5)?))
        })
        .collect();
    rows.sort();
    rows
}

#[test]
#[ignore = "needs root"]
fn same_observations_as_lxc_execute() {
    let _containers = containers();
    needs_busybox();
    // The reference must be there: a differential test that skips proves nothing
    // (scripts/test-all.sh installs it).
    assert!(
        Command::new("lxc-execute")
            .arg("--version")
            .output()
            .is_ok(),
        "lxc-execute is not installed (apt-get install lxc)"
    );
    let root = build_rootfs();
    let lxcpath = tempfile::tempdir().expect("tempdir");
    let conf = lxcpath.path().join("diff.conf");
    std::fs::write(
        &conf,
        format!(
            "lxc.uts.name = difftest\nlxc.rootfs.path = dir:{}\n\
             lxc.mount.auto = proc:mixed sys:mixed\nlxc.cap.drop = sys_module mknod\n\
             lxc.environment = FOO=bar\nlxc.console.path = none\nlxc.tty.max = 0\nlxc.pty.max = 0\n",
            root.path().display()
        ),
    )
    .expect("config");
    let script = "hostname; grep Cap /proc/self/status; env | sort; echo pid $$; \
                  ls -l /dev | cut -c1-10 | sort | uniq -c; echo ---; cat /proc/self/mountinfo";
    let lxc = Command::new("lxc-execute")
        .args(["-n", "lxconf-difftest", "-f"])
        .arg(&conf)
        .arg("-P")
        .arg(lxcpath.path())
        .args(["--", "/bin/sh", "-c", script])
        .stdin(Stdio::null())
        .output()
        .expect("lxc-execute");
    let lxc_out = String::from_utf8_lossy(&lxc.stdout).into_owned();
    assert_eq!(lxc.status.code(), Some(0), "{lxc_out}");

    let mut c = base("difftest", root.path());
    c.hostname = Some("difftest".into());
    c.capabilities = Capabilities::Drop {
        caps: caps(&["sys_module", "mknod"]),
    };
    c.init.env = vec![env("FOO", "bar"), env("container", "lxc")];
    let (code, ours, err) = run(&c, script);
    assert_eq!(code, 0, "{err}");

    let (lxc_head, lxc_mounts) = lxc_out.split_once("---\n").expect("lxc output");
    let (our_head, our_mounts) = ours.split_once("---\n").expect("our output");
    assert_eq!(our_head, lxc_head, "hostname, capabilities, env, pid, /dev");
    assert_eq!(mount_table(our_mounts), mount_table(lxc_mounts));
}

#[test]
#[ignore = "needs root"]
fn a_user_namespace_maps_root_to_the_host_range() {
    let _containers = containers();
    needs_busybox();
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = build_rootfs();
    // The mapped root is an ordinary user on the host: it needs to traverse the rootfs
    // (the temporary directory is 0700) and write to /tmp.
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(
        root.path().join("tmp"),
        std::fs::Permissions::from_mode(0o1777),
    )
    .expect("chmod");
    let mut c = base("userns", root.path());
    for kind in [IdKind::Uid, IdKind::Gid] {
        c.idmap.push(IdMap {
            kind,
            container_start: 0,
            host_start: 200_000,
            count: 65_536,
        });
    }
    c.namespaces.clone = c.lxc_default_namespaces();
    let (code, out, err) = run(
        &c,
        "cat /proc/self/uid_map; id -u; id -g; touch /tmp/made-inside; stat -c %u /tmp/made-inside",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["0", "200000", "65536"]
    );
    assert_eq!(lines[1], "0", "root inside");
    assert_eq!(lines[2], "0");
    assert_eq!(lines[3], "0", "the file is root's inside");
    let meta = std::fs::metadata(root.path().join("tmp/made-inside")).expect("created");
    assert_eq!(meta.uid(), 200_000, "and the mapped user's on the host");
    assert_eq!(meta.gid(), 200_000);
}

/// Run `f` on a thread in a network namespace of its own: interfaces made there never
/// touch the host's network, and they go away with the thread.
fn in_test_netns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare net");
        f()
    })
    .join()
    .expect("thread")
}

/// `ip ARGS` in the calling thread's network namespace.
fn ip(args: &[&str]) {
    let st = Command::new("ip").args(args).status().expect("ip");
    assert!(st.success(), "ip {args:?}");
}

/// A spare interface `name` in the calling thread's network namespace: a dummy when the
/// kernel has the driver, else a veth pair (peer `{name}p`), which is what the issue's
/// "veth passed as phys" case is anyway. Neither is connected to anything.
fn spare_link(name: &str) {
    let dummy = Command::new("ip")
        .args(["link", "add", name, "type", "dummy"])
        .stderr(Stdio::null())
        .status()
        .expect("ip");
    if !dummy.success() {
        let peer = format!("{name}p");
        ip(&["link", "add", name, "type", "veth", "peer", "name", &peer]);
    }
}

fn link_index(name: &str) -> Option<u32> {
    lxconf_run::sys::netlink::Rtnl::open()
        .expect("netlink")
        .index(name)
        .expect("lookup")
}

/// Held by every test here: a run removes the stale cgroups of runners that are gone
/// (R013), which must not race the test that leaves such cgroups on purpose.
fn containers() -> std::sync::MutexGuard<'static, ()> {
    static CONTAINERS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    CONTAINERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn needs_busybox() {
    assert!(
        busybox().is_some(),
        "busybox-static is not installed (apt-get install busybox-static)"
    );
}

#[test]
#[ignore = "needs root"]
fn a_veth_pair_named_like_an_existing_interface_leaves_it_alone() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("vexist", root.path());
    let mut n = Network::new(0, NetKind::Veth);
    n.name = Some("eth0".into());
    if let Some(v) = &mut n.veth {
        v.pair = Some("lxtdum0".into());
    }
    c.networks = vec![n];
    let model = model_file(&c);
    let (out, still_there) = in_test_netns(move || {
        spare_link("lxtdum0");
        let out = Command::new(RUNNER)
            .arg(model.path())
            .args(["--", "/bin/true"])
            .stdin(Stdio::null())
            .output()
            .expect("run");
        let still_there = link_index("lxtdum0");
        if still_there.is_some() {
            ip(&["link", "del", "lxtdum0"]);
        }
        (out, still_there)
    });
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("R012") && err.contains("already exists"),
        "{err}"
    );
    assert!(still_there.is_some(), "the existing interface was deleted");
}

#[test]
#[ignore = "needs root"]
fn a_phys_dummy_is_given_back_to_the_host_when_the_container_ends() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("physback", root.path());
    let mut n = Network::new(0, NetKind::Phys);
    n.link = Some("lxtphy0".into());
    n.name = Some("eth1".into());
    c.networks = vec![n];
    let model = model_file(&c);
    let (out, back) = in_test_netns(move || {
        spare_link("lxtphy0");
        let out = Command::new(RUNNER)
            .arg(model.path())
            .args([
                "--",
                "/bin/sh",
                "-c",
                "ip link show eth1 >/dev/null && echo INSIDE",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run");
        let back = link_index("lxtphy0");
        if back.is_some() {
            ip(&["link", "del", "lxtphy0"]);
        }
        (out, back)
    });
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("INSIDE"));
    assert!(back.is_some(), "the dummy was destroyed with the container");
}

#[test]
#[ignore = "needs root"]
fn a_phys_dummy_is_given_back_after_kill_9_of_the_runner() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("physkill", root.path());
    let mut n = Network::new(0, NetKind::Phys);
    n.link = Some("lxtphy1".into());
    n.name = Some("eth1".into());
    c.networks = vec![n];
    let (mut cmd, model) = command(&c, "sleep 4246");
    let back = in_test_netns(move || {
        let _model = model;
        spare_link("lxtphy1");
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let deadline = Instant::now() + Duration::from_secs(5);
        while (processes_with("sleep 4246") == 0 || link_index("lxtphy1").is_some())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(link_index("lxtphy1"), None, "moved into the container");
        child.kill().expect("kill -9 the runner");
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(5);
        while link_index("lxtphy1").is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let back = link_index("lxtphy1");
        if back.is_some() {
            ip(&["link", "del", "lxtphy1"]);
        }
        back
    });
    assert!(back.is_some(), "the dummy was destroyed with the container");
}

/// Pids whose parent is `pid`.
fn children_of(pid: u32) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
                    let after = stat.rsplit_once(')')?.1;
                    let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
                    (ppid == pid).then(|| e.file_name().to_str()?.parse().ok())?
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[ignore = "needs root"]
fn cgroups_left_by_kill_9_of_runner_and_watcher_are_removed_by_the_next_run() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let mut c = base("stalecg", root.path());
    c.resources.pids_max = Some(50);
    c.resources.memory_limit = Some(ByteSize(64 << 20));
    let (mut cmd, _model) = command(&c, "sleep 4247");
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(5);
    while processes_with("sleep 4247") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // The runner's children are the watcher and the container process: the watcher dies
    // first, so nothing is left to clean up after the runner.
    for pid in children_of(child.id()) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    child.kill().expect("kill -9 the runner");
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while processes_with("sleep 4247") > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = leftovers("stalecg");
    assert!(
        !left.is_empty(),
        "the kill left cgroups behind (test premise)"
    );
    let (code, _, err) = run(&c, "exit 0");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("R013"), "{err}");
    assert!(
        leftovers("stalecg").is_empty(),
        "{:?}",
        leftovers("stalecg")
    );
}

#[test]
#[ignore = "needs root"]
fn direct_init_stops_on_sigint_and_sigterm_without_handlers() {
    let _containers = containers();
    needs_busybox();
    let root = build_rootfs();
    let c = base("directsig", root.path());
    let model = model_file(&c);
    for (signal, status) in [
        (nix::sys::signal::Signal::SIGINT, 130),
        (nix::sys::signal::Signal::SIGTERM, 143),
    ] {
        let mut child = Command::new(RUNNER)
            .args(["--init", "direct"])
            .arg(model.path())
            .args(["--", "/bin/sleep", "4248"])
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn");
        let deadline = Instant::now() + Duration::from_secs(5);
        while processes_with("/bin/sleep 4248") == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let started = processes_with("/bin/sleep 4248") == 1;
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal);
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut exit = None;
        while exit.is_none() && Instant::now() < deadline {
            exit = child.try_wait().expect("wait");
            std::thread::sleep(Duration::from_millis(20));
        }
        if exit.is_none() {
            let _ = child.kill();
        }
        let _ = child.wait();
        assert!(started, "container started");
        assert_eq!(
            exit.and_then(|e| e.code()),
            Some(status),
            "{signal} stops a PID 1 without handlers"
        );
    }
}
