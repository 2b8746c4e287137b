//! The runtime differential of LXD against lxc-execute: the same busybox container
//! (hostname, an environment variable, a read-only bind of a host directory, a memory
//! limit and a pids limit) as an LXC config under lxc-execute and as the equivalent
//! instance YAML (written by hand) under LXD, each probed by the engines of `lxconf equiv
//! --engine real` (`Engine::LxcExecute`, `Engine::Lxd`: the probe runs as the instance's
//! init). What is the same is compared whole; where LXD differs by design (its own
//! capability drops, /dev/lxd and its other mounts, no ttys), the difference is named and
//! asserted. Needs root, lxc-execute, busybox-static and LXD (tests/oracle/lxd/start-lxd.sh).

use crate::lxd_oracle::lxd;
use crate::support::*;
use lxconf::engine::{Engine, Probed, Side};
use lxconf_model::{ByteSize, Container};
use lxconf_parse::fs::RealFs;
use lxconf_parse::LoadOptions;
use std::collections::BTreeSet;
use std::time::Instant;

/// The container under both engines, and what each saw.
struct Differential {
    lxc: Probed,
    lxd: Probed,
    /// The host directory bound read-only at /data.
    _share: tempfile::TempDir,
    _dir: tempfile::TempDir,
}

/// The host's bounding set, as `/proc/self/status` prints it.
fn host_bounding_set() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    bounding_set(status.lines())
}

fn bounding_set<'a>(mut lines: impl Iterator<Item = &'a str>) -> u64 {
    lines
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .expect("a CapBnd line")
}

fn section<'a>(p: &'a Probed, name: &str) -> &'a [String] {
    p.observations
        .get(name)
        .unwrap_or_else(|| panic!("no {name} section: {:?}", p.observations))
}

/// Run the container under lxc-execute and under LXD.
fn run_both() -> Differential {
    let dir = tempfile::tempdir().expect("tempdir");
    let share = tempfile::tempdir().expect("tempdir");
    std::fs::write(share.path().join("file"), "shared\n").expect("write");
    let rootfs = dir.path().join("rootfs");
    crate::run::busybox_root(&rootfs)
        .expect("busybox-static is missing: run ./scripts/test-all.sh (it installs it)");
    let config = format!(
        "lxc.uts.name = lxdrun-web\nlxc.rootfs.path = dir:{}\nlxc.mount.auto = proc:mixed sys:mixed\nlxc.environment = GREETING=hello\nlxc.mount.entry = {} data none ro,bind,create=dir 0 0\nlxc.cgroup.memory.limit_in_bytes = 64M\nlxc.cgroup.pids.max = 50\n",
        rootfs.display(),
        share.path().display()
    );
    // The instance LXD's writer is to give for it (the lead wires the writer in): the
    // hostname in raw.lxc (an instance's name is its hostname, and it must be unique).
    let yaml = format!(
        "config:\n  security.privileged: \"true\"\n  environment.GREETING: hello\n  limits.memory: 64MiB\n  limits.processes: \"50\"\n  raw.lxc: |\n    lxc.uts.name = lxdrun-web\ndevices:\n  data:\n    type: disk\n    source: {}\n    path: /data\n    readonly: \"true\"\nprofiles: []\n",
        share.path().display()
    );
    let path = dir.path().join("web.conf");
    std::fs::write(&path, &config).expect("write config");
    let file = path.to_str().expect("utf8");
    let loaded = lxconf_parse::lxc::load(file, &config, &LoadOptions::new(&RealFs, dir.path()));
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let model = &loaded.document.container;
    // The files LXD writes besides the two limits: read from both containers, so each
    // difference shows as two values.
    let mut lxd_extras = Container::default();
    lxd_extras.resources.memory_soft_limit = Some(ByteSize(1));
    lxd_extras.resources.memory_swap_limit = Some(ByteSize(1));
    let models = [model, &lxd_extras];
    let started = Instant::now();
    let lxc = Engine::LxcExecute
        .probe(&Side {
            file,
            text: &config,
            include_base: None,
            limit_models: &models,
        })
        .unwrap_or_else(|e| panic!("lxc-execute: {e}"));
    let lxc_took = started.elapsed();
    lxd();
    let started = Instant::now();
    let lxd = Engine::Lxd
        .probe(&Side {
            file: "web.yaml",
            text: &yaml,
            include_base: None,
            limit_models: &models,
        })
        .unwrap_or_else(|e| panic!("LXD: {e}\n{yaml}"));
    eprintln!(
        "lxc-execute took {:.2} s, LXD {:.2} s",
        lxc_took.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Differential {
        lxc,
        lxd,
        _share: share,
        _dir: dir,
    }
}

/// The capabilities LXD drops from every privileged container (its `lxc.cap.drop`):
/// sys_time, sys_module, sys_rawio, mac_admin and mac_override.
const LXD_DROPS: u64 = 1 << 25 | 1 << 16 | 1 << 17 | 1 << 33 | 1 << 32;

/// Lines of `name` only in `a`, only in `b`.
fn difference(a: &Probed, b: &Probed, name: &str) -> (Vec<String>, Vec<String>) {
    let (sa, sb): (BTreeSet<&String>, BTreeSet<&String>) = (
        section(a, name).iter().collect(),
        section(b, name).iter().collect(),
    );
    (
        sa.difference(&sb).map(|l| l.to_string()).collect(),
        sb.difference(&sa).map(|l| l.to_string()).collect(),
    )
}

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

/// The same container under lxc-execute and LXD: hostname, environment, identity, working
/// directory, namespaces, prlimits, interfaces, the read-only bind and the two limits are
/// the same; every other line that differs is one LXD adds by design, named here.
#[test]
#[ignore = "needs root"]
fn a_busybox_container_under_lxc_execute_and_lxd() {
    let _containers = containers_lock();
    let d = run_both();
    for same in [
        "hostname",
        "environment",
        "identity",
        "cwd",
        "namespaces",
        "limits",
        "interfaces",
        "loopback",
    ] {
        assert_eq!(section(&d.lxc, same), section(&d.lxd, same), "{same}");
    }
    assert_eq!(section(&d.lxd, "hostname"), ["lxdrun-web"]);
    assert_eq!(
        section(&d.lxd, "environment"),
        [
            "GREETING=hello",
            "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
            "container=lxc"
        ],
        "PID 1's environment, not lxc exec's (which adds HOME, LANG, TERM, USER)"
    );
    assert!(
        d.lxd.notes.iter().any(|n| n.contains("ran on a copy of")),
        "{:?}",
        d.lxd.notes
    );
    // Capabilities: the LXC config drops none (its bounding set is the host's); LXD drops
    // its five from every privileged container.
    let lxc_caps = bounding_set(section(&d.lxc, "capabilities").iter().map(String::as_str));
    let lxd_caps = bounding_set(section(&d.lxd, "capabilities").iter().map(String::as_str));
    assert_eq!(lxc_caps, host_bounding_set());
    assert_eq!(lxd_caps, lxc_caps & !LXD_DROPS, "{lxd_caps:x}");
    // Mounts: the read-only bind is the same; LXD adds its own mounts (the optional host
    // binds that exist here, /dev/lxd, the shared-mounts directory, mqueue, a devpts for
    // its 1,024 ptys) and its /dev/console is a pty of that devpts.
    assert!(section(&d.lxc, "mounts").contains(&"/data ro,relatime".to_string()));
    assert!(section(&d.lxd, "mounts").contains(&"/data ro,relatime".to_string()));
    let (lxc_only, lxd_only) = difference(&d.lxc, &d.lxd, "mounts");
    assert_eq!(lxc_only, ["/dev/console rw,relatime"]);
    assert_eq!(
        lxd_only,
        strings(&[
            "/dev/.lxd-mounts rw,relatime",
            "/dev/console rw,nosuid,noexec,relatime",
            "/dev/fuse rw,relatime",
            "/dev/lxd rw,relatime",
            "/dev/mqueue rw,relatime",
            "/dev/net/tun rw,relatime",
            "/dev/ptmx rw,nosuid,noexec,relatime",
            "/dev/pts rw,nosuid,noexec,relatime",
            "/proc/sys/fs/binfmt_misc rw,relatime",
            "/sys/fs/fuse/connections rw,relatime",
            "/sys/fs/pstore rw,relatime",
            "/sys/kernel/debug rw,relatime",
            "/sys/kernel/security rw,relatime",
            "/sys/kernel/tracing rw,relatime",
        ])
    );
    // /dev: LXD's additions; no ttys on either side (LXD sets lxc.tty.max = 0, the LXC
    // config sets none).
    let (lxc_only, lxd_only) = difference(&d.lxc, &d.lxd, "dev");
    assert_eq!(lxc_only, Vec::<String>::new());
    assert_eq!(lxd_only, ["fuse", "lxd", "mqueue", "net", "ptmx"]);
    assert!(!section(&d.lxd, "dev")
        .iter()
        .any(|l| l.starts_with("tty") && l != "tty"));
    // Limits: the hard memory limit and pids.max are the same; LXD adds a soft limit at 90 %
    // (the kernel rounds it down to pages) and a memory+swap limit equal to the hard limit.
    let (lxc_only, lxd_only) = difference(&d.lxc, &d.lxd, "cgroup limits");
    let common: BTreeSet<&String> = section(&d.lxc, "cgroup limits")
        .iter()
        .filter(|l| !lxc_only.contains(l))
        .collect();
    assert_eq!(
        common.into_iter().cloned().collect::<Vec<_>>(),
        ["memory.limit_in_bytes 67108864", "pids.max 50"]
    );
    assert_eq!(
        lxc_only,
        [
            "memory.memsw.limit_in_bytes 9223372036854771712",
            "memory.soft_limit_in_bytes 9223372036854771712"
        ]
    );
    assert_eq!(
        lxd_only,
        [
            "memory.memsw.limit_in_bytes 67108864",
            "memory.soft_limit_in_bytes 60395520"
        ]
    );
}
