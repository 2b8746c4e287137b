//! `lxc.hook.*` under `lxc-execute` (liblxc 5.0.2) and under `lxconf run`: the same LXC
//! config, with a hook of every type that records how it was called, runs under both; the
//! calls must agree in order, arguments, environment, process context and namespaces, and
//! a failing hook must fail both starts the same way. Root and busybox-static are needed
//! (`scripts/test-all.sh` runs this with `--include-ignored`).
//!
//! Values that must differ are normalized, each for a reason:
//! - the container's name (`LXC_NAME`, the version 0 name argument): lxc-execute takes it
//!   from `-n`; an LXC config has no name key, and lxconf names a config file not called
//!   `config` `container`;
//! - `LXC_ROOTFS_MOUNT`: liblxc mounts the rootfs at its own directory
//!   (`/usr/lib/x86_64-linux-gnu/lxc/rootfs`), lxconf binds it on itself; what is compared
//!   instead is that the rootfs is mounted there for the mount hooks;
//! - pids and descriptor numbers (`LXC_PID`, `/proc/PID/fd/N` of the stop hook's namespace
//!   arguments and `LXC_*_NS`): each run has its own;
//! - namespace inode numbers: each is replaced by `host`, `container` (the command's) or
//!   `other`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Records one call: `$1` is the output directory, the rest its arguments.
const RECORDER: &str = r#"#!/bin/sh
d=$1; shift
n=$(ls "$d" | wc -l)
f="$d/$(printf %02d "$n")"
{
echo "argv: $*"
echo "uid: $(id -u) gid: $(id -g)"
echo "cwd: $(pwd)"
for ns in /proc/self/ns/*; do echo "ns: ${ns##*/} $(readlink "$ns")"; done
echo "rootfs-mounted: $(awk -v m="$LXC_ROOTFS_MOUNT" '$5 == m { f = 1 } END { print f ? "yes" : "no" }' /proc/self/mountinfo)"
echo "in-container-root: $([ -x /start-hook ] && echo yes || echo no)"
t=${LXC_HOOK_TYPE:-$3}
if [ "$t" = stop ]; then
  for v in $(env | sed -n 's/^LXC_\([A-Z]*\)_NS=.*/\1/p' | sort); do
    eval p=\$LXC_${v}_NS
    echo "ns: held-$(echo "$v" | tr A-Z a-z) $(readlink "$p")"
  done
fi
grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status
env | sort | sed 's/^/env: /'
} > "$f"
echo "output of the hook"
"#;

const LXC_NAME: &str = "lxconf-hooktest";

fn busybox() -> PathBuf {
    ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("busybox-static is missing: run ./scripts/test-all.sh (it installs it)")
}

fn rootfs(dir: &Path) {
    for d in ["bin", "proc", "sys", "dev", "tmp", "etc", "out"] {
        std::fs::create_dir_all(dir.join(d)).expect("mkdir");
    }
    let bb = busybox();
    std::fs::copy(&bb, dir.join("bin/busybox")).expect("copy busybox");
    let list = Command::new(&bb)
        .arg("--list")
        .output()
        .expect("busybox --list");
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        if applet != "busybox" {
            let _ = std::os::unix::fs::symlink("busybox", dir.join("bin").join(applet));
        }
    }
}

fn executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A config with a recording hook of every type (two pre-start hooks, the second with an
/// extra argument), writing into `out` (bound at `/out` for the start hook).
fn config(work: &Path, out: &Path, version: u8, extra: &str) -> PathBuf {
    let root = work.join("rootfs");
    let rec = work.join("record.sh");
    let host_hook = |t: &str| format!("lxc.hook.{t} = {} {}\n", rec.display(), out.display());
    let mut text = format!(
        "lxc.uts.name = hooktest\nlxc.rootfs.path = dir:{}\n\
         lxc.mount.auto = proc:mixed sys:mixed\nlxc.console.path = none\nlxc.tty.max = 0\n\
         lxc.pty.max = 0\nlxc.cap.drop = sys_module\nlxc.environment = FOO=bar\n\
         lxc.mount.entry = {} out none bind,create=dir 0 0\nlxc.hook.version = {version}\n",
        root.display(),
        out.display()
    );
    text.push_str(extra);
    text.push_str(&host_hook("pre-start"));
    text.push_str(&format!(
        "lxc.hook.pre-start = {} {} second\n",
        rec.display(),
        out.display()
    ));
    for t in [
        "pre-mount",
        "mount",
        "autodev",
        "start-host",
        "stop",
        "post-stop",
    ] {
        text.push_str(&host_hook(t));
    }
    // liblxc checks that the whole start hook line is a program in the rootfs: no arguments.
    text.push_str("lxc.hook.start = /start-hook\n");
    let path = work.join(format!("v{version}.conf"));
    std::fs::write(&path, text).expect("write config");
    path
}

/// The command: records its namespaces, then exits 3.
const COMMAND: &str = "for ns in /proc/self/ns/*; do echo \"ns: ${ns##*/} $(readlink $ns)\"; \
                       done > /out/container-ns; echo command-output; exit 3";

fn setup(work: &Path) {
    std::fs::create_dir_all(work.join("lxcpath")).expect("lxcpath");
    rootfs(&work.join("rootfs"));
    executable(&work.join("record.sh"), RECORDER);
    // The start hook runs inside the container: the same recorder, writing to /out.
    let start = RECORDER.replace("d=$1; shift", "d=/out");
    executable(&work.join("rootfs/start-hook"), &start);
    executable(
        &work.join("rootfs/failing-start-hook"),
        "#!/bin/sh\nexit 9\n",
    );
}

/// Run `conf` under the engine; the environment is the same small one for both.
fn run(engine: &str, conf: &Path, work: &Path) -> Output {
    let mut cmd = match engine {
        "lxc-execute" => {
            let mut c = Command::new("lxc-execute");
            c.args(["-n", LXC_NAME, "-f"])
                .arg(conf)
                .arg("-P")
                .arg(work.join("lxcpath"));
            c
        }
        _ => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_lxconf"));
            c.arg("run").arg(conf);
            c
        }
    };
    cmd.args(["--", "/bin/sh", "-c", COMMAND])
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("HOME", "/root")
        .env("MARKER", "from-the-caller")
        .current_dir(work)
        .stdin(Stdio::null())
        .output()
        .expect(engine)
}

fn namespaces(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("ns: "))
        .filter_map(|l| l.split_once(' '))
        .map(|(n, id)| (n.to_string(), id.to_string()))
        .collect()
}

/// Every call recorded in `out`, in order, normalized.
fn calls(out: &Path, host_ns: &BTreeMap<String, String>) -> Vec<String> {
    let container_ns = std::fs::read_to_string(out.join("container-ns"))
        .map(|t| namespaces(&t))
        .unwrap_or_default();
    let mut names: Vec<String> = std::fs::read_dir(out)
        .expect("read records")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n != "container-ns")
        .collect();
    names.sort();
    let rootfs = out
        .parent()
        .expect("work")
        .join("rootfs")
        .display()
        .to_string();
    names
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(out.join(n)).expect("record");
            let mut lines = Vec::new();
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("ns: ") {
                    let (ns, id) = rest.split_once(' ').unwrap_or((rest, ""));
                    // `held-net`: the namespace behind the stop hook's LXC_NET_NS.
                    let key = ns.strip_prefix("held-").unwrap_or(ns);
                    let whose = if host_ns.get(key).map(String::as_str) == Some(id) {
                        "host"
                    } else if container_ns.get(key).map(String::as_str) == Some(id) {
                        "container"
                    } else {
                        "other"
                    };
                    lines.push(format!("ns: {ns} {whose}"));
                    continue;
                }
                let line = line
                    .replace(LXC_NAME, "container")
                    .replace(&rootfs, "ROOTFS");
                let line = if line.starts_with("env: LXC_PID=") {
                    "env: LXC_PID=PID".to_string()
                } else if line.starts_with("env: LXC_ROOTFS_MOUNT=") {
                    "env: LXC_ROOTFS_MOUNT=MOUNT".to_string()
                } else {
                    fd_paths(&line)
                };
                lines.push(line);
            }
            lines.join("\n")
        })
        .collect()
}

/// `/proc/123/fd/45` → `/proc/PID/fd/N`.
fn fd_paths(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("/proc/") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "/proc/".len()..];
        let pid_len = after.chars().take_while(char::is_ascii_digit).count();
        if pid_len > 0 && after[pid_len..].starts_with("/fd/") {
            let fd = &after[pid_len + "/fd/".len()..];
            let fd_len = fd.chars().take_while(char::is_ascii_digit).count();
            out.push_str("/proc/PID/fd/N");
            rest = &fd[fd_len..];
        } else {
            out.push_str("/proc/");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn host_namespaces() -> BTreeMap<String, String> {
    std::fs::read_dir("/proc/self/ns")
        .expect("/proc/self/ns")
        .filter_map(|e| {
            let e = e.ok()?;
            let id = std::fs::read_link(e.path()).ok()?;
            Some((e.file_name().into_string().ok()?, id.display().to_string()))
        })
        .collect()
}

fn needs_lxc_execute() {
    assert!(
        Command::new("lxc-execute")
            .arg("--version")
            .output()
            .is_ok(),
        "lxc-execute is not installed (apt-get install lxc)"
    );
}

/// Run the version `version` config under both engines; returns both normalized calls.
fn both(version: u8) -> (Vec<String>, Vec<String>) {
    let work = tempfile::Builder::new()
        .prefix("lxconf-hooks-")
        .tempdir()
        .expect("tempdir");
    setup(work.path());
    let host_ns = host_namespaces();
    let mut results = Vec::new();
    for engine in ["lxc-execute", "lxconf"] {
        let out = work.path().join(format!("out-{engine}"));
        std::fs::create_dir_all(&out).expect("out dir");
        let conf = config(work.path(), &out, version, "");
        let o = run(engine, &conf, work.path());
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(3),
            "{engine}: {stdout}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // A hook's output never reaches the container's stdout.
        assert_eq!(stdout, "command-output\n", "{engine}");
        results.push(calls(&out, &host_ns));
    }
    let lxconf = results.pop().expect("lxconf");
    let lxc = results.pop().expect("lxc");
    (lxc, lxconf)
}

fn check_same(lxc: &[String], lxconf: &[String]) {
    assert_eq!(
        lxconf.len(),
        lxc.len(),
        "number of calls:\n{lxc:#?}\n{lxconf:#?}"
    );
    for (i, (a, b)) in lxc.iter().zip(lxconf).enumerate() {
        assert_eq!(b, a, "call {i} differs (left: lxconf, right: lxc-execute)");
    }
}

#[test]
#[ignore = "needs root"]
fn version_0_hooks_are_called_as_lxc_execute_calls_them() {
    let _containers = crate::support::containers_lock();
    needs_lxc_execute();
    let (lxc, lxconf) = both(0);
    // The facts the comparison rests on, seen in liblxc's own calls.
    let types: Vec<&str> = lxc
        .iter()
        .filter_map(|c| c.lines().next()?.strip_prefix("argv: "))
        .collect();
    assert_eq!(
        types,
        [
            "container lxc pre-start",
            "second container lxc pre-start",
            "container lxc pre-mount",
            "container lxc mount",
            "container lxc autodev",
            "container lxc start",
            "container lxc start-host",
            "container lxc stop mnt:/proc/PID/fd/N pid:/proc/PID/fd/N uts:/proc/PID/fd/N \
             ipc:/proc/PID/fd/N net:/proc/PID/fd/N cgroup:/proc/PID/fd/N",
            "container lxc post-stop",
        ]
    );
    assert!(lxc[3].contains("rootfs-mounted: yes"), "{}", lxc[3]);
    let start = &lxc[5];
    assert!(start.contains("ns: mnt container") && start.contains("in-container-root: yes"));
    assert!(start.contains("cwd: /\n"), "{start}");
    // The stop hook can enter the ended container's namespaces through the held files.
    assert!(lxc[7].contains("ns: held-net container"), "{}", lxc[7]);
    assert!(lxc[7].contains("ns: held-cgroup container"), "{}", lxc[7]);
    check_same(&lxc, &lxconf);
}

#[test]
#[ignore = "needs root"]
fn version_1_hooks_are_called_as_lxc_execute_calls_them() {
    let _containers = crate::support::containers_lock();
    needs_lxc_execute();
    let (lxc, lxconf) = both(1);
    assert!(
        lxc[0].contains("env: LXC_HOOK_TYPE=pre-start"),
        "{}",
        lxc[0]
    );
    assert!(
        lxc[7].contains("env: LXC_NET_NS=/proc/PID/fd/N"),
        "{}",
        lxc[7]
    );
    check_same(&lxc, &lxconf);
}

/// The hook types that ran, in order, and whether the command ran, for a config whose
/// `failing` line fails.
fn failing_run(engine: &str, work: &Path, failing: &str) -> (bool, Vec<String>, bool) {
    let out = work.join(format!("out-{engine}"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("out dir");
    let conf = config(work, &out, 1, failing);
    let o = run(engine, &conf, work);
    let types = calls(&out, &BTreeMap::new())
        .iter()
        .filter_map(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("env: LXC_HOOK_TYPE="))
                .map(String::from)
        })
        .collect();
    let ran = String::from_utf8_lossy(&o.stdout).contains("command-output");
    (o.status.success() || o.status.code() == Some(3), types, ran)
}

#[test]
#[ignore = "needs root"]
fn a_failing_pre_start_or_start_hook_fails_both_starts_alike() {
    let _containers = crate::support::containers_lock();
    needs_lxc_execute();
    let work = tempfile::Builder::new()
        .prefix("lxconf-hooks-")
        .tempdir()
        .expect("tempdir");
    setup(work.path());
    let cases = [
        "lxc.hook.pre-start = /bin/false\n".to_string(),
        "lxc.hook.start = /failing-start-hook\n".to_string(),
        // liblxc takes the first start hook's whole line as the program.
        "lxc.hook.start = /start-hook with-an-argument\n".to_string(),
        format!(
            "lxc.hook.pre-start = {}/missing-hook\n",
            work.path().display()
        ),
    ];
    for failing in &cases {
        let lxc = failing_run("lxc-execute", work.path(), failing);
        let ours = failing_run("lxconf", work.path(), failing);
        assert!(
            !lxc.0 && !lxc.2,
            "{failing}: lxc-execute must fail: {lxc:?}"
        );
        assert_eq!(ours, lxc, "{failing}");
    }
}

#[test]
fn the_plan_lists_each_hook_with_its_shell_text_and_no_hooks_reports_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Named after its directory, as `/var/lib/lxc/NAME/config` is.
    std::fs::create_dir(dir.path().join("web")).expect("mkdir");
    let conf = dir.path().join("web/config");
    std::fs::write(
        &conf,
        "lxc.uts.name = t\nlxc.init.cmd = /bin/true\nlxc.hook.pre-start = /usr/local/bin/check a\n\
         lxc.hook.stop = /usr/local/bin/tidy\n",
    )
    .expect("write config");
    let conf = conf.to_str().expect("utf-8 path");
    let out = crate::support::lxconf(&["run", "--plan", conf]);
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let pre_start = &plan["host"][0];
    assert_eq!(pre_start["step"], "hook", "{plan:#}");
    assert_eq!(
        pre_start["command"],
        "exec /usr/local/bin/check a web lxc pre-start"
    );
    let env: Vec<&str> = pre_start["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        env.contains(&format!("LXC_CONFIG_FILE={conf}").as_str()),
        "{env:?}"
    );
    assert_eq!(plan["hooks"]["stop"][0]["kind"], "stop");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("R004"));

    let out = crate::support::lxconf(&["run", "--plan", "--no-hooks", conf]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("R004") && stderr.contains("2 hook(s) are not run"),
        "{stderr}"
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    assert!(plan.get("hooks").is_none(), "{plan:#}");
    let strict = crate::support::lxconf(&["run", "--strict", "--no-hooks", conf]);
    assert_eq!(
        strict.status.code(),
        Some(1),
        "--strict refuses unrun hooks"
    );
}
