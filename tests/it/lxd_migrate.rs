//! `lxconf migrate`: an LXC container into LXD in one step. The root tests run the real
//! LXD 5.0 (tests/oracle/lxd/start-lxd.sh) and fail when it cannot be started.

use crate::support::*;
use lxconf::engine::lxd::unique_name;
use std::path::Path;
use std::process::Command;

/// A busybox LXC container named `name` in `dir` (`dir/NAME/config`, `dir/NAME/rootfs`)
/// with a read-only bind of `dir/data`, an environment variable and two limits.
fn busybox_container(dir: &Path, name: &str) -> std::path::PathBuf {
    let home = dir.join(name);
    let rootfs = home.join("rootfs");
    crate::run::busybox_root(&rootfs)
        .expect("busybox-static is missing: run ./scripts/test-all.sh (it installs it)");
    // LXD starts `/sbin/init`: a shell that waits, and the applets the checks use.
    std::fs::create_dir_all(rootfs.join("sbin")).expect("mkdir");
    std::fs::write(rootfs.join("sbin/init"), "#!/bin/sh\nexec sleep 100000\n").expect("init");
    std::fs::set_permissions(
        rootfs.join("sbin/init"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    for applet in ["sleep", "touch", "tr"] {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).expect("applet");
    }
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(data.join("marker"), "from the host\n").expect("write");
    let config = home.join("config");
    std::fs::write(
        &config,
        format!(
            "lxc.uts.name = {name}\nlxc.rootfs.path = dir:{}\nlxc.console.path = none\n\
             lxc.net.0.type = empty\nlxc.environment = GREETING=hello\n\
             lxc.mount.auto = proc:mixed sys:mixed\n\
             lxc.cgroup.memory.limit_in_bytes = 64M\nlxc.cgroup.pids.max = 50\n\
             lxc.mount.entry = {} data none ro,bind,create=dir 0 0\n",
            rootfs.display(),
            data.display()
        ),
    )
    .expect("write config");
    config
}

fn lxc(args: &[&str]) -> std::process::Output {
    Command::new("lxc").args(args).output().expect("run lxc")
}

fn exists(name: &str) -> bool {
    lxc(&["config", "show", name]).status.success()
}

/// Deletes the instance at the end of the test, whatever happened.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = lxc(&["delete", "--force", &self.0]);
    }
}

#[test]
fn a_dry_run_prints_the_instance_and_the_steps_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("web1");
    std::fs::create_dir_all(home.join("rootfs")).expect("mkdir");
    let config = home.join("config");
    std::fs::write(
        &config,
        format!(
            "lxc.rootfs.path = dir:{}\nlxc.uts.name = web1\n",
            home.join("rootfs").display()
        ),
    )
    .expect("write");
    let out = lxconf(&["migrate", "--dry-run", config.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(yaml.contains("security.privileged: \"true\""), "{yaml}");
    assert!(
        stderr.contains("lxc init --empty --no-profiles web1"),
        "{stderr}"
    );
    assert!(stderr.contains("rootfs (cp -a)"), "{stderr}");
}

#[test]
fn a_name_lxd_refuses_or_a_missing_root_filesystem_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    std::fs::write(&config, "lxc.rootfs.path = dir:/nonexistent/rootfs\n").expect("write");
    let path = config.to_str().expect("utf8");
    let out = lxconf(&["migrate", "--dry-run", "--name", "my_web", path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hostname"));
    let out = lxconf(&["migrate", "--dry-run", "--name", "web", path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a directory"));
    let out = lxconf(&["migrate", "--dry-run", "--no-rootfs", "--name", "web", path]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The whole migration: the instance runs under LXD with the LXC container's hostname,
/// environment, read-only bind and limits, from a copy of its root filesystem.
#[test]
#[ignore = "needs root"]
fn a_busybox_container_is_migrated_started_and_keeps_its_settings() {
    let _containers = containers_lock();
    crate::lxd_oracle::lxd();
    let dir = tempfile::tempdir().expect("tempdir");
    let name = unique_name("lxconf-migrate");
    let config = busybox_container(dir.path(), &name);
    let _cleanup = Cleanup(name.clone());
    let out = lxconf(&["migrate", "--start", config.to_str().expect("utf8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("kept as written") && stdout.contains("started"),
        "{stdout}"
    );
    let run = |cmd: &str| {
        let out = lxc(&["exec", &name, "--", "sh", "-c", cmd]);
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(run("hostname"), name);
    assert!(run("tr '\\0' '\\n' < /proc/1/environ")
        .lines()
        .any(|l| l == "GREETING=hello"));
    assert_eq!(run("cat /data/marker"), "from the host");
    assert!(
        run("touch /data/new 2>&1; echo $?").ends_with('1'),
        "the bind is read-only"
    );
    assert_eq!(host_pids_max(&name), "50");
}

/// `pids.max` of the instance's cgroup, read on the host (v1 `pids` hierarchy or cgroup2).
fn host_pids_max(name: &str) -> String {
    let state = lxc(&["query", &format!("/1.0/instances/{name}/state")]);
    let state: serde_json::Value = serde_json::from_slice(&state.stdout).expect("state JSON");
    let pid = state["pid"].as_u64().expect("init pid");
    let cgroups = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).expect("cgroup");
    for line in cgroups.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
        let dir = match controllers {
            Some("pids") => format!("/sys/fs/cgroup/pids{path}"),
            Some("") => format!("/sys/fs/cgroup/unified{path}"),
            _ => continue,
        };
        if let Ok(v) = std::fs::read_to_string(format!("{dir}/pids.max")) {
            return v.trim().to_string();
        }
    }
    panic!("no pids.max for {name}: {cgroups}");
}

/// An unprivileged container: its files are owned by its mapped ids already, LXD is told
/// so, and inside they belong to the same users as under LXC (a file of the host's root
/// stays nobody's: LXD does not shift the copy again).
#[test]
#[ignore = "needs root"]
fn an_unprivileged_container_keeps_its_owners() {
    let _containers = containers_lock();
    crate::lxd_oracle::lxd();
    let dir = tempfile::tempdir().expect("tempdir");
    let name = unique_name("lxconf-migrate");
    let config = busybox_container(dir.path(), &name);
    let rootfs = dir.path().join(&name).join("rootfs");
    let chown = Command::new("chown")
        .args(["-hR", "100000:100000"])
        .arg(&rootfs)
        .status()
        .expect("chown");
    assert!(chown.success());
    // A file of the host's root in the copy: no id inside maps to it, so under LXC it is
    // nobody's; a shift by LXD would make it root's.
    std::os::unix::fs::lchown(rootfs.join("etc"), Some(0), Some(0)).expect("chown etc");
    let mut text = std::fs::read_to_string(&config).expect("read");
    text.push_str("lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n");
    std::fs::write(&config, text).expect("write");
    let _cleanup = Cleanup(name.clone());
    let out = lxconf(&["migrate", "--start", config.to_str().expect("utf8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ls = lxc(&["exec", &name, "--", "ls", "-ln", "/bin/busybox"]);
    let listing = String::from_utf8_lossy(&ls.stdout);
    let owners: Vec<&str> = listing.split_whitespace().skip(2).take(2).collect();
    assert_eq!(owners, ["0", "0"], "{listing}");
    let ls = lxc(&["exec", &name, "--", "ls", "-lnd", "/etc"]);
    let listing = String::from_utf8_lossy(&ls.stdout);
    let owners: Vec<&str> = listing.split_whitespace().skip(2).take(2).collect();
    assert_eq!(owners, ["65534", "65534"], "{listing}");
}

/// A config LXD refuses at `lxc init` (a disk whose source does not exist) is reported with
/// LXD's message, and no instance is left behind.
#[test]
#[ignore = "needs root"]
fn a_refused_instance_is_reported_and_nothing_is_left() {
    let _containers = containers_lock();
    crate::lxd_oracle::lxd();
    let dir = tempfile::tempdir().expect("tempdir");
    let name = unique_name("lxconf-migrate");
    let config = busybox_container(dir.path(), &name);
    std::fs::remove_dir_all(dir.path().join("data")).expect("rm data");
    let _cleanup = Cleanup(name.clone());
    let out = lxconf(&["migrate", config.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing migrated"), "{stderr}");
    assert!(!exists(&name), "the instance was left behind");
}
