//! Seccomp policies under lxc-execute and under `lxconf run`: the same busybox container
//! with the same LXC config, once per policy, shows the same `Seccomp:` mode and filter
//! count in /proc/self/status, and the same outcome and errno for denied and allowed calls
//! (busybox prints the error of `hostname NAME` and `umount -f`). Needs root, LXC and
//! busybox-static (`scripts/test-all.sh` installs both).

use crate::support::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run inside the container: the seccomp state, then calls a policy may refuse. stderr
/// goes to stdout so that busybox's error messages (the errno) are compared too.
/// `i386` makes the same call through the i386 ABI (tests/seccomp/i386-sethostname.c).
const PROBE: &str = "exec 2>&1; grep -E '^(Seccomp|NoNewPrivs)' /proc/self/status; \
    for n in x abcd ab; do hostname $n; echo \"hostname $n: $?\"; done; hostname; \
    for n in y efgh ef; do i386 $n; echo \"i386 $n: $?\"; done; hostname; \
    umount -f /nonexistent; echo \"umount -f: $?\"";

/// The policies: the distribution's, and the ones in tests/seccomp, each with what its
/// filter refuses, as the probe shows it.
fn policies() -> Vec<(&'static str, String, &'static [&'static str])> {
    let dir = root().join("tests/seccomp");
    let file = |name: &str| dir.join(name).display().to_string();
    vec![
        // reject_force_umount: umount2 with MNT_FORCE fails with EACCES.
        (
            "common",
            "/usr/share/lxc/config/common.seccomp".to_string(),
            &["can't unmount /nonexistent: Permission denied"],
        ),
        (
            "denylist",
            file("deny-sethostname.seccomp"),
            &[
                "sethostname: Operation not permitted",
                "i386 sethostname y: -1\n",
            ],
        ),
        // Killed by SIGSYS: the shell reports 128 + 31.
        (
            "allowlist",
            file("allow-all-but-sethostname.seccomp"),
            &["hostname x: 159", "i386 y: 159"],
        ),
        // One-byte names fail with EPERM, four-byte ones with EACCES, two-byte ones pass.
        (
            "arguments",
            file("sethostname-length.seccomp"),
            &[
                "sethostname: Permission denied\nhostname abcd: 1\nhostname ab: 0",
                // The same through i386 (another call number, 32-bit arguments).
                "i386 sethostname y: -1\ni386 y: 0\ni386 sethostname efgh: -13",
                "i386 sethostname ef: 0",
            ],
        ),
    ]
}

fn config(dir: &Path, rootfs: &Path, policy: &str) -> std::path::PathBuf {
    let conf = dir.join(format!(
        "{}.conf",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("c")
    ));
    std::fs::write(
        &conf,
        format!(
            "lxc.uts.name = seccomptest\nlxc.rootfs.path = dir:{}\n\
             lxc.mount.auto = proc:mixed sys:mixed\nlxc.console.path = none\n\
             lxc.tty.max = 0\nlxc.pty.max = 0\nlxc.seccomp.profile = {policy}\n",
            rootfs.display()
        ),
    )
    .expect("write config");
    conf
}

/// stdout of a command that must succeed, and how long it took.
fn output(mut cmd: Command, what: &str) -> (String, Duration) {
    let start = Instant::now();
    let out = cmd.stdin(Stdio::null()).output().expect(what);
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (stdout, took)
}

#[test]
#[ignore = "needs root"]
fn seccomp_policies_behave_as_under_lxc_execute() {
    let _containers = containers_lock();
    assert!(
        Command::new("lxc-execute")
            .arg("--version")
            .output()
            .is_ok(),
        "lxc-execute is not installed (apt-get install lxc)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    crate::run::busybox_root(&rootfs)
        .expect("busybox-static is missing: run ./scripts/test-all.sh (it installs it)");
    std::os::unix::fs::symlink("busybox", rootfs.join("bin/umount")).expect("umount applet");
    // The i386 probe: a static program, so it runs in the busybox root.
    let cc = Command::new("cc")
        .args(["-static", "-no-pie", "-O1", "-o"])
        .arg(rootfs.join("bin/i386"))
        .arg(root().join("tests/seccomp/i386-sethostname.c"))
        .output()
        .expect("cc (the Rust toolchain's linker) must be installed");
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let mut failures = Vec::new();
    for (case, policy, refused) in policies() {
        let case_dir = dir.path().join(case);
        std::fs::create_dir(&case_dir).expect("case dir");
        let conf = config(&case_dir, &rootfs, &policy);
        let mut lxc = Command::new("lxc-execute");
        lxc.args(["-n", &format!("seccomp-{case}"), "-f"])
            .arg(&conf)
            .arg("-P")
            .arg(&case_dir)
            .args(["--", "/bin/sh", "-c", PROBE]);
        let (theirs, lxc_time) = output(lxc, "lxc-execute");
        let mut ours = Command::new(env!("CARGO_BIN_EXE_lxconf"));
        ours.arg("run")
            .arg(&conf)
            .args(["--", "/bin/sh", "-c", PROBE]);
        let (mine, our_time) = output(ours, "lxconf run");
        eprintln!("{case}: lxc-execute {lxc_time:?}, lxconf run {our_time:?}\n{mine}");
        // The probe saw a filter, and the policy refused something: the comparison is
        // not between two unfiltered containers.
        assert!(theirs.contains("Seccomp:\t2"), "{case}: {theirs}");
        for r in refused {
            assert!(theirs.contains(r), "{case}: {r:?} not in {theirs}");
        }
        if mine != theirs {
            failures.push(format!(
                "{case}:\n-- lxc-execute\n{theirs}-- lxconf run\n{mine}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
