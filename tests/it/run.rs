//! `lxconf run` on an LXC config with a busybox root filesystem. The tests that start
//! containers need root and busybox-static: they are `#[ignore = "needs root"]`, and
//! `scripts/test-all.sh` runs them with `--include-ignored` as root.

use crate::support::*;
use std::process::Command;

pub(crate) fn busybox_root(dir: &std::path::Path) -> Option<()> {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    for d in ["bin", "proc", "sys", "dev", "tmp", "etc"] {
        std::fs::create_dir_all(dir.join(d)).ok()?;
    }
    std::fs::copy(busybox, dir.join("bin/busybox")).ok()?;
    for applet in [
        "sh", "hostname", "cat", "grep", "id", "pwd", "env", "sort", "ls", "tail",
    ] {
        std::os::unix::fs::symlink("busybox", dir.join("bin").join(applet)).ok()?;
    }
    Some(())
}

#[test]
#[ignore = "needs root"]
fn an_lxc_config_runs_with_its_hostname_env_caps_and_exit_status() {
    let _containers = crate::support::containers_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    if busybox_root(&rootfs).is_none() {
        panic!("busybox-static is missing: run ./scripts/test-all.sh (it installs it)");
    }
    let conf = dir.path().join("config");
    std::fs::write(
        &conf,
        format!(
            "lxc.uts.name = runtest\nlxc.rootfs.path = dir:{}\nlxc.mount.auto = proc:mixed\nlxc.cap.drop = sys_admin\nlxc.environment = GREETING=hi there\nlxc.init.cwd = /tmp\n",
            rootfs.display()
        ),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_lxconf"))
        .args([
            "run",
            conf.to_str().expect("utf8"),
            "--",
            "/bin/sh",
            "-c",
            "hostname; echo \"$GREETING\"; pwd; grep CapBnd /proc/self/status; exit 7",
        ])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(&lines[..3], &["runtest", "hi there", "/tmp"]);
    let bnd = u64::from_str_radix(lines[3].trim_start_matches("CapBnd:").trim(), 16).expect("hex");
    assert_eq!(bnd & (1 << 21), 0, "sys_admin must be dropped");
}

#[test]
fn check_host_reports_json() {
    let out = lxconf(&["check-host"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v.is_object());
}

#[test]
#[ignore = "needs root"]
fn equiv_runs_an_lxc_config_and_its_domain_xml_and_catches_a_broken_conversion() {
    let _containers = crate::support::containers_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    busybox_root(&rootfs).expect("busybox-static is missing: run ./scripts/test-all.sh");
    let shared = dir.path().join("shared");
    std::fs::create_dir_all(&shared).expect("mkdir");
    std::fs::create_dir_all(rootfs.join("data")).expect("mkdir");
    let conf = dir.path().join("config");
    std::fs::write(
        &conf,
        format!(
            "lxc.uts.name = eqtest\nlxc.rootfs.path = dir:{}\nlxc.mount.auto = proc:mixed sys:ro\nlxc.mount.entry = {} data none bind,ro 0 0\nlxc.mount.entry = tmpfs tmp tmpfs size=16m,create=dir 0 0\nlxc.cap.drop = sys_admin mknod\nlxc.cgroup2.memory.max = 64M\nlxc.net.0.type = empty\nlxc.net.0.flags = up\n",
            rootfs.display(),
            shared.display()
        ),
    )
    .expect("write");
    let xml = dir.path().join("eqtest.xml");
    let out = lxconf(&[
        "domxml-from-native",
        "lxc-tools",
        "--output-dir",
        dir.path().to_str().expect("utf8"),
        conf.to_str().expect("utf8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let equiv = lxconf(&[
        "equiv",
        conf.to_str().expect("utf8"),
        xml.to_str().expect("utf8"),
    ]);
    let table = String::from_utf8_lossy(&equiv.stdout);
    assert_eq!(
        equiv.status.code(),
        Some(0),
        "{table}\n{}",
        String::from_utf8_lossy(&equiv.stderr)
    );
    // Break the conversion: the read-only mount becomes writable.
    let text = std::fs::read_to_string(&xml).expect("xml");
    assert!(text.contains("<readonly/>"));
    std::fs::write(&xml, text.replacen("      <readonly/>\n", "", 1)).expect("write");
    let equiv = lxconf(&[
        "equiv",
        conf.to_str().expect("utf8"),
        xml.to_str().expect("utf8"),
    ]);
    let table = String::from_utf8_lossy(&equiv.stdout);
    assert_eq!(equiv.status.code(), Some(1), "{table}");
    assert!(table.contains("/data"), "{table}");
}

#[test]
#[ignore = "needs root"]
fn equiv_compares_the_memory_and_pids_limits_the_containers_got() {
    let _containers = crate::support::containers_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    busybox_root(&rootfs).expect("busybox-static is missing: run ./scripts/test-all.sh");
    let write = |name: &str, memory: &str, pids: u32| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "lxc.uts.name = eqlim\nlxc.rootfs.path = dir:{}\nlxc.mount.auto = proc:mixed\nlxc.cgroup2.memory.max = {memory}\nlxc.cgroup2.pids.max = {pids}\n",
                rootfs.display()
            ),
        )
        .expect("write");
        path.display().to_string()
    };
    let a = write("a.conf", "64M", 50);
    let same = write("same.conf", "64M", 50);
    let b = write("b.conf", "128M", 60);
    let equal = lxconf(&["equiv", "--format", "json", &a, &same]);
    assert_eq!(
        equal.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&equal.stderr)
    );
    let differ = lxconf(&["equiv", "--format", "json", &a, &b]);
    let v: serde_json::Value = serde_json::from_slice(&differ.stdout).expect("json");
    assert_eq!(differ.status.code(), Some(1), "{v}");
    let limits = v["observations"]
        .as_array()
        .expect("observations")
        .iter()
        .find(|o| o["name"] == "cgroup limits")
        .expect("a cgroup limits observation");
    assert_eq!(limits["status"], "unexpected", "{limits}");
    let text = limits.to_string();
    assert!(
        text.contains("67108864") && text.contains("134217728"),
        "{text}"
    );
    assert!(
        text.contains("pids.max 50") && text.contains("pids.max 60"),
        "{text}"
    );
}

#[test]
fn a_setting_the_runner_does_not_apply_is_reported_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("config");
    std::fs::write(
        &conf,
        "lxc.uts.name = t\nlxc.seccomp.profile = /x.seccomp\nlxc.init.cmd = /bin/true\n",
    )
    .expect("write config");
    let out = lxconf(&["run", "--plan", conf.to_str().expect("utf-8 path")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("R001"), "{stderr}");
    assert!(stderr.contains("config:2:23"), "{stderr}");
}

/// A config of `settings` (LXC lines; `{root}` stands for the root's host path) on a
/// busybox root with `applets` and the executable `scripts` (path in the root,
/// text) added, run with `script` under lxc-execute and then under `lxconf run`; both must
/// succeed. Returns what each printed (lxc-execute's first).
fn under_both_engines(
    name: &str,
    settings: &str,
    applets: &[&str],
    scripts: &[(&str, &str)],
    script: &str,
) -> [String; 2] {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    busybox_root(&rootfs).expect("busybox-static is missing: run ./scripts/test-all.sh");
    for applet in applets {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).expect("applet");
    }
    for (path, text) in scripts {
        let file = rootfs.join(path.trim_start_matches('/'));
        std::fs::write(&file, text).expect("script");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let settings = settings.replace("{root}", &rootfs.display().to_string());
    let conf = dir.path().join(format!("{name}.conf"));
    std::fs::write(
        &conf,
        format!(
            "lxc.uts.name = {name}\nlxc.rootfs.path = dir:{}\nlxc.console.path = none\n{settings}",
            rootfs.display()
        ),
    )
    .expect("config");
    let lxc = Command::new("lxc-execute")
        .args(["-n", &format!("lxconf-{name}"), "-f"])
        .arg(&conf)
        .arg("-P")
        .arg(dir.path())
        .args(["--", "/bin/sh", "-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("lxc-execute is not installed (apt-get install lxc)");
    let conf = conf.to_str().expect("utf8");
    let ours = lxconf(&["run", conf, "--", "/bin/sh", "-c", script]);
    for (engine, out) in [("lxc-execute", &lxc), ("lxconf run", &ours)] {
        assert!(
            out.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    [lxc.stdout, ours.stdout].map(|o| String::from_utf8_lossy(&o).into_owned())
}

/// `lxc.pty.max` and `lxc.tty.max` as lxc-execute sets them up: a devpts whose `max=`
/// counts both, `/dev/ptmx` bound from it, and the ttys allocated there (`/dev/pts/0`,
/// `/dev/pts/1`) but not bound as `/dev/ttyN` — compared with lxc-execute itself.
#[test]
#[ignore = "needs root"]
fn devpts_ptmx_and_ttys_are_what_lxc_execute_sets_up() {
    let _containers = crate::support::containers_lock();
    // Type, mode, owner, group and device numbers of each entry, then each /dev mount with
    // its options and its filesystem's options (the optional propagation fields dropped).
    let script = "ls -l /dev /dev/pts | cut -c1-10,17-50 | sed 's/  *[A-Z][a-z][a-z] .*//'; \
                  grep ' /dev' /proc/self/mountinfo | sed 's/ shared:[0-9]*//; s/ master:[0-9]*//' | cut -d' ' -f5,6,8-";
    let settings = "lxc.mount.auto = proc:mixed\nlxc.tty.max = 2\nlxc.pty.max = 16\n";
    let [lxc, ours] = under_both_engines("ptstest", settings, &["cut", "sed"], &[], script);
    assert!(lxc.contains("max=18"), "lxc-execute: {lxc}");
    assert_eq!(ours, lxc, "lxconf run (left) against lxc-execute (right)");
}

/// `lxc.time.offset.boot` without a proc automount: liblxc writes the offsets through the
/// host's /proc, so the container starts and its boot clock is offset. The runner used to
/// write them after pivot_root, where such a container has no /proc, and failed to start.
#[test]
#[ignore = "needs root"]
fn time_offsets_apply_without_a_proc_automount_as_under_lxc_execute() {
    let _containers = crate::support::containers_lock();
    let settings = "lxc.time.offset.boot = 86400s\nlxc.tty.max = 0\nlxc.pty.max = 0\n";
    // Seconds of boot time the container sees, from a proc it mounts itself.
    let script = "mount -t proc proc /proc && cut -d. -f1 /proc/uptime";
    let seen = under_both_engines("timetest", settings, &["mount", "cut"], &[], script);
    let host: u64 = std::fs::read_to_string("/proc/uptime")
        .expect("uptime")
        .split('.')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("seconds");
    for (engine, out) in ["lxc-execute", "lxconf run"].into_iter().zip(seen) {
        let seen: u64 = out.trim().parse().expect("seconds");
        assert!(
            seen >= host + 86_400 && seen < host + 86_400 + 60,
            "{engine}: boot time {seen} s, host {host} s"
        );
    }
}

/// liblxc loads the seccomp policy before it runs the start hooks: a start hook's
/// `sethostname` is denied by a denylist as the command's would be. lxconf ran start hooks
/// without the filter.
#[test]
#[ignore = "needs root"]
fn a_start_hook_runs_under_the_seccomp_filter_as_under_lxc_execute() {
    let _containers = crate::support::containers_lock();
    let settings = "lxc.tty.max = 0\nlxc.pty.max = 0\nlxc.seccomp.profile = {root}/deny.seccomp\n\
                    lxc.hook.start = /starthook.sh\n";
    let files = [
        ("/deny.seccomp", "2\ndenylist\n[all]\nsethostname errno 1\n"),
        (
            "/starthook.sh",
            "#!/bin/sh\nhostname hooked 2>/dev/null; echo \"hook $?\" > /tmp/hook-result\n",
        ),
    ];
    let seen = under_both_engines("hookseccomp", settings, &[], &files, "cat /tmp/hook-result");
    for (engine, out) in ["lxc-execute", "lxconf run"].into_iter().zip(seen) {
        assert_eq!(
            out, "hook 1\n",
            "{engine}: the start hook's sethostname was allowed"
        );
    }
}

/// An AppArmor profile or an SELinux context the runner cannot apply (this kernel has no
/// AppArmor; the runner loads no LSM label) is a coded warning at its line, and `--strict`
/// refuses to start: never silence. Needs no root: nothing starts.
#[test]
fn lsm_labels_not_applied_are_warnings_and_strict_refuses() {
    for (code, fixture) in [
        ("R002", "tests/codes/R002/bad.conf"),
        ("R003", "tests/codes/R003/bad.conf"),
    ] {
        let conf = root().join(fixture);
        let conf = conf.to_str().expect("utf8");
        let plan = lxconf(&["run", "--plan", conf]);
        let warned = String::from_utf8_lossy(&plan.stderr);
        assert!(warned.contains(code), "{code}: {warned}");
        let strict = lxconf(&["run", "--strict", conf]);
        let stderr = String::from_utf8_lossy(&strict.stderr);
        assert_eq!(strict.status.code(), Some(1), "{code}: {stderr}");
        assert!(
            stderr.contains(code) && stderr.contains("nothing started"),
            "{code}: {stderr}"
        );
    }
}
