//! Differential runs against libvirt_lxc: a domain runs under the libvirtd that
//! `scripts/test-all.sh` starts (in a private mount namespace where the host's hybrid cgroup
//! layout needs it), with a probe as its init that writes what the container sees into a
//! bound directory. `virsh lxc-enter-namespace` would not do: it runs with the host's
//! capabilities, not the container's.

use crate::support::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// The bounding capability set in a `/proc/PID/status` text.
fn bounding_set(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .expect("a CapBnd line")
}

/// Run a domain whose init is `/bin/sh /out/probe.sh` under libvirt_lxc and return what the
/// probe wrote to `/out/result`. `features` goes inside `<domain>`, `devices` inside its
/// `<devices>`.
fn run_under_libvirt(dir: &Path, name: &str, features: &str, devices: &str, probe: &str) -> String {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("probe.sh"), format!("{probe}\n> /out/done\n")).expect("write probe");
    let xml = format!(
        "<domain type='lxc'>\n  <name>{name}</name>\n  <memory unit='KiB'>262144</memory>\n  <os>\n    <type>exe</type>\n    <init>/bin/sh</init>\n    <initarg>/out/probe.sh</initarg>\n  </os>\n{features}  <devices>\n    <filesystem type='mount'>\n      <source dir='{}'/>\n      <target dir='/out'/>\n    </filesystem>\n{devices}    <console type='pty'/>\n  </devices>\n</domain>\n",
        out.display()
    );
    let path = dir.join(format!("{name}.xml"));
    std::fs::write(&path, &xml).expect("write domain");
    let virsh = |args: &[&str]| {
        std::process::Command::new("virsh")
            .args(["-q", "-c", "lxc:///system"])
            .args(args)
            .output()
            .expect("virsh must exist: ./scripts/test-all.sh installs libvirt-clients")
    };
    let created = virsh(&["create", path.to_str().expect("utf8")]);
    assert!(
        created.status.success(),
        "libvirt_lxc cannot run {name} (scripts/test-all.sh starts libvirtd so that it can): {}",
        String::from_utf8_lossy(&created.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !out.join("done").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = virsh(&["destroy", name]);
    std::fs::read_to_string(out.join("result"))
        .unwrap_or_else(|e| panic!("the probe of {name} wrote nothing ({e}):\n{xml}"))
}

/// libvirt's capability defaults, as the model states them, are what libvirt_lxc applies:
/// no `<capabilities>` and `policy='default'` drop sys_module, sys_time, mknod,
/// audit_control and mac_admin, and keep mac_override.
#[test]
#[ignore = "needs root"]
fn libvirt_default_capabilities_are_what_libvirt_lxc_applies() {
    let _containers = containers_lock();
    let host = bounding_set(&std::fs::read_to_string("/proc/self/status").expect("status"));
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, features) in [
        ("lxconf-caps-none", ""),
        (
            "lxconf-caps-default",
            "  <features>\n    <capabilities policy='default'/>\n  </features>\n",
        ),
    ] {
        let seen = run_under_libvirt(
            &dir.path().join(name),
            name,
            features,
            "",
            "grep CapBnd /proc/self/status > /out/result",
        );
        let xml = std::fs::read_to_string(dir.path().join(name).join(format!("{name}.xml")))
            .expect("read domain");
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
    let seen = run_under_libvirt(
        &dir.path().join(name),
        name,
        "",
        interface,
        "ip -o link show lo > /out/result",
    );
    assert!(seen.contains(",UP"), "libvirt_lxc's loopback: {seen}");
    let xml = dir.path().join(name).join(format!("{name}.xml"));
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
    let probe = "{ hostname; awk '$2 == \"/sys\" { split($4, o, \",\"); print \"/sys\", o[1] }' /proc/self/mounts | tail -n 1; } > /out/result";
    let libvirt = run_under_libvirt(&dir.path().join(name), name, "", "", probe);
    let out = dir.path().join(name).join("out");
    std::fs::remove_file(out.join("result")).expect("rm result");
    std::fs::remove_file(out.join("done")).expect("rm done");
    let xml = dir.path().join(name).join(format!("{name}.xml"));
    let run = lxconf(&["run", xml.to_str().expect("utf8")]);
    assert!(
        run.status.success(),
        "lxconf run: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lxconf_seen = std::fs::read_to_string(out.join("result")).expect("lxconf's probe");
    assert_eq!(
        lxconf_seen, libvirt,
        "lxconf run (left) against libvirt_lxc (right)"
    );
    assert_eq!(libvirt, "helloworld\n/sys ro\n");
}
