//! Differential runs against libvirt_lxc: a domain runs under the libvirtd that
//! `scripts/test-all.sh` starts (in a private mount namespace where the host's hybrid cgroup
//! layout needs it), with a probe as its init that writes what the container sees into a
//! bound directory (`lxconf::engine::libvirt::run_as_init`, the engine of `lxconf equiv
//! --engine real`). `virsh lxc-enter-namespace` would not do: it runs with the host's
//! capabilities, not the container's.

use crate::support::*;

/// The bounding capability set in a `/proc/PID/status` text.
fn bounding_set(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .expect("a CapBnd line")
}

/// A domain named `name` whose init is `/bin/sh`; `features` goes inside `<domain>`,
/// `devices` inside its `<devices>`.
fn domain(name: &str, features: &str, devices: &str) -> String {
    format!(
        "<domain type='lxc'>\n  <name>{name}</name>\n  <memory unit='KiB'>262144</memory>\n  <os>\n    <type>exe</type>\n    <init>/bin/sh</init>\n  </os>\n{features}  <devices>\n{devices}    <console type='pty'/>\n  </devices>\n</domain>\n"
    )
}

/// Run `probe` (shell) as the init of `xml` under libvirt_lxc (`lxconf equiv --engine
/// real`'s engine: a copy of the domain with the probe as init and a bound directory for
/// its output, always destroyed) and return what it printed.
fn run_under_libvirt(xml: &str, probe: &str) -> String {
    ensure_libvirtd();
    lxconf::engine::libvirt::run_as_init(xml, probe, "probe", &[])
        .unwrap_or_else(|e| {
            panic!("libvirt_lxc cannot run the domain (scripts/test-all.sh starts libvirtd so that it can): {e}\n{xml}")
        })
        .stdout
}

/// libvirt's capability defaults, as the model states them, are what libvirt_lxc applies:
/// no `<capabilities>` and `policy='default'` drop sys_module, sys_time, mknod,
/// audit_control and mac_admin, and keep mac_override.
#[test]
#[ignore = "needs root"]
fn libvirt_default_capabilities_are_what_libvirt_lxc_applies() {
    let _containers = containers_lock();
    let host = bounding_set(&std::fs::read_to_string("/proc/self/status").expect("status"));
    for (name, features) in [
        ("lxconf-caps-none", ""),
        (
            "lxconf-caps-default",
            "  <features>\n    <capabilities policy='default'/>\n  </features>\n",
        ),
    ] {
        let xml = domain(name, features, "");
        let seen = run_under_libvirt(&xml, "grep CapBnd /proc/self/status");
        let model = lxconf_parse::domxml::load("probe.xml", &xml);
        assert!(!model.has_errors(), "{:?}", model.diagnostics);
        let dropped: u64 = model
            .document
            .container
            .capabilities
            .dropped()
            .iter()
            .map(|c| 1u64 << c.index())
            .sum();
        assert_eq!(
            bounding_set(&seen),
            host & !dropped,
            "{name}: libvirt_lxc's bounding set (left) against the model's (right)"
        );
    }
}

/// libvirt_lxc brings loopback up when it sets up an `<interface>`, and `lxconf run` plans
/// the same for the same domain.
#[test]
#[ignore = "needs root"]
fn loopback_is_up_with_an_interface_as_under_libvirt_lxc() {
    let _containers = containers_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "lxconf-lo-ethernet";
    let interface = "    <interface type='ethernet'>\n      <link state='up'/>\n    </interface>\n";
    let text = domain(name, "", interface);
    let seen = run_under_libvirt(&text, "ip -o link show lo");
    assert!(seen.contains(",UP"), "libvirt_lxc's loopback: {seen}");
    let xml = dir.path().join(format!("{name}.xml"));
    std::fs::write(&xml, &text).expect("write domain");
    let plan = lxconf(&["run", "--plan", xml.to_str().expect("utf8")]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.contains("\"loopback_up\""),
        "lxconf's plan brings loopback up too:\n{text}\n{}",
        String::from_utf8_lossy(&plan.stderr)
    );
}

/// The "Hello World" application container of libvirt's walkthrough (`<init>/bin/sh</init>`,
/// no root filesystem, no interface) runs under both engines: it shares the host's network
/// namespace, so /sys is the host's, bound read-only, and the hostname is the domain name.
#[test]
#[ignore = "needs root"]
fn the_hello_world_application_container_runs_as_under_libvirt_lxc() {
    let _containers = containers_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "helloworld";
    let probe = "hostname; awk '$2 == \"/sys\" { split($4, o, \",\"); print \"/sys\", o[1] }' /proc/self/mounts | tail -n 1";
    let text = domain(name, "", "");
    let libvirt = run_under_libvirt(&text, probe);
    let xml = dir.path().join(format!("{name}.xml"));
    std::fs::write(&xml, &text).expect("write domain");
    let run = lxconf(&[
        "run",
        xml.to_str().expect("utf8"),
        "--",
        "/bin/sh",
        "-c",
        probe,
    ]);
    assert!(
        run.status.success(),
        "lxconf run: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lxconf_seen = String::from_utf8_lossy(&run.stdout).into_owned();
    assert_eq!(
        lxconf_seen, libvirt,
        "lxconf run (left) against libvirt_lxc (right)"
    );
    assert_eq!(libvirt, "helloworld\n/sys ro\n");
}

/// The probe's section marker in these tests.
const MARKER: &str = "@lxconf-probe:";

/// A documentation domain made runnable here, changing only what this host cannot give
/// it: the root filesystem is a busybox tree, a `<uuid>` replaces libvirt's random one,
/// an `<interface type='network'>` becomes `type='ethernet'` (a libvirt network needs
/// a bridge with NAT, which this machine must not create), and the `<emulator>` path of
/// another distribution goes (libvirt then uses its own). The probe replaces its init.
fn runnable(doc: &str, rootfs: &std::path::Path) -> String {
    let mut xml = String::new();
    for line in doc.lines() {
        if line.trim().starts_with("<emulator>") {
            continue;
        }
        xml.push_str(line);
        xml.push('\n');
        if line.trim().starts_with("<name>") {
            xml.push_str("  <uuid>6c78636f-6e66-4d00-8000-0000000000aa</uuid>\n");
        }
    }
    xml.replace("/opt/vm-1-root", &rootfs.display().to_string())
        .replace(
            "<interface type='network'>\n      <source network='default'/>\n    </interface>",
            "<interface type='ethernet'/>",
        )
}

/// What the probe of `lxconf equiv` sees in the domain `xml` under libvirt_lxc (as its
/// init), then under `lxconf run` (as its command). The directory the engine binds under
/// /dev for the probe's output is left out.
fn observe_both(xml: &str, path: &std::path::Path) -> [lxconf::probe::Observations; 2] {
    ensure_libvirtd();
    let libvirt = lxconf::engine::libvirt::run_as_init(xml, lxconf::probe::SCRIPT, MARKER, &[])
        .unwrap_or_else(|e| panic!("libvirt_lxc cannot run the domain: {e}\n{xml}"))
        .stdout;
    let run = lxconf(&[
        "run",
        path.to_str().expect("utf8"),
        "--",
        "/bin/sh",
        "-c",
        lxconf::probe::SCRIPT,
        "probe",
        MARKER,
    ]);
    assert!(
        run.status.success(),
        "lxconf run: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut libvirt = lxconf::probe::parse(&libvirt, MARKER);
    for section in ["mounts", "dev"] {
        if let Some(lines) = libvirt.get_mut(section) {
            lines.retain(|l| !l.starts_with("/dev/.") && !l.starts_with('.'));
        }
    }
    [
        libvirt,
        lxconf::probe::parse(&String::from_utf8_lossy(&run.stdout), MARKER),
    ]
}

/// The difference lxconf documents (docs/runner.md): libvirt's FUSE /proc/meminfo is not
/// mounted (R008).
fn documented(section: &str, line: &str) -> bool {
    section == "mounts" && line.starts_with("/proc/meminfo ")
}

/// Mount points of the host that libvirtd's own mount namespace (a private copy made when
/// it started) lacks: a domain on the host's root sees the host's mounts as libvirtd saw
/// them, `lxconf run` as they are now (LXD, say, mounted `/var/lib/lxd/shmounts` since).
fn mounts_libvirtd_does_not_see() -> Vec<String> {
    let points = |path: &str| -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split(' ').nth(4).map(str::to_string))
            .collect()
    };
    let pid = std::process::Command::new("pgrep")
        .args(["-o", "-x", "libvirtd"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let libvirtd = points(&format!("/proc/{pid}/mountinfo"));
    // /proc, /sys and /dev are the container's own: a difference there is a real one.
    let own = |p: &str| {
        ["/proc", "/sys", "/dev"]
            .iter()
            .any(|t| p == *t || p.starts_with(&format!("{t}/")))
    };
    points("/proc/self/mountinfo")
        .into_iter()
        .filter(|p| !libvirtd.contains(p) && !own(p))
        .collect()
}

/// Every example domain of libvirt's LXC driver documentation runs under libvirt_lxc and
/// under `lxconf run`, and the container sees the same hostname, identity, capabilities,
/// cwd, environment, mounts with their options, interfaces, limits and /dev entries.
#[test]
#[ignore = "needs root"]
fn documentation_domains_look_the_same_from_inside_under_libvirt_lxc_and_lxconf() {
    let _containers = containers_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    crate::run::busybox_root(&rootfs)
        .expect("busybox-static is missing: run ./scripts/test-all.sh (it installs it)");
    let examples = root().join("corpus/examples/libvirt-drvlxc");
    let mut failures = Vec::new();
    for file in [
        "example-1-shell.xml",
        "example-2-private-root.xml",
        "capabilities-default.xml",
        "capabilities-deny.xml",
        "initargs.xml",
    ] {
        let doc = std::fs::read_to_string(examples.join(file)).expect("example");
        let xml = runnable(&doc, &rootfs);
        let path = dir.path().join(file);
        std::fs::write(&path, &xml).expect("write domain");
        let [libvirt, mut ours] = observe_both(&xml, &path);
        let on_host_root = !xml.contains("<target dir='/'/>");
        if let Some(lines) = ours.get_mut("mounts").filter(|_| on_host_root) {
            let newer = mounts_libvirtd_does_not_see();
            lines.retain(|l| !newer.iter().any(|p| l.split(' ').next() == Some(p)));
        }
        for section in ["hostname", "capabilities", "environment", "mounts", "dev"] {
            assert!(
                libvirt.get(section).is_some_and(|lines| !lines.is_empty()),
                "{file}: the probe saw no {section} under libvirt_lxc: {libvirt:?}"
            );
        }
        for section in libvirt.keys().chain(ours.keys()) {
            let empty = Vec::new();
            let (a, b) = (
                libvirt.get(section).unwrap_or(&empty),
                ours.get(section).unwrap_or(&empty),
            );
            for (side, only, other) in [("libvirt_lxc", a, b), ("lxconf run", b, a)] {
                for line in only.iter().filter(|l| !other.contains(l)) {
                    if !documented(section, line) {
                        failures.push(format!("{file}: {section}: only under {side}: {line}"));
                    }
                }
            }
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// libvirt creates a missing mount point: a `<filesystem type='ram'>` on `/dev/shm` (libvirt's
/// /dev has no shm) runs under both engines with the same mount. `lxconf run` used to fail
/// to start ("target: No such file or directory").
#[test]
#[ignore = "needs root"]
fn a_ram_filesystem_on_a_missing_mount_point_runs_as_under_libvirt_lxc() {
    let _containers = containers_lock();
    let devices = "    <filesystem type='ram'>\n      <source usage='1024'/>\n      <target dir='/dev/shm'/>\n    </filesystem>\n";
    let xml = domain("lxconf-ram-shm", "", devices);
    let probe = "grep ' /dev/shm ' /proc/self/mounts";
    let libvirt = run_under_libvirt(&xml, probe);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shm.xml");
    std::fs::write(&path, &xml).expect("write");
    let ours = lxconf(&[
        "run",
        path.to_str().expect("utf8"),
        "--",
        "/bin/sh",
        "-c",
        probe,
    ]);
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert!(libvirt.contains("size=1024k"), "{libvirt}");
    assert_eq!(String::from_utf8_lossy(&ours.stdout), libvirt);
}
