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
