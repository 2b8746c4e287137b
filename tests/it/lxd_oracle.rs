//! LXD 5.0.2 as an oracle: what the daemon accepts, keeps and generates, measured on it
//! (`tests/oracle/lxd/start-lxd.sh` starts it; `scripts/test-all.sh` runs that). The helpers
//! here are what the LXD tests use: [`lxd_accepts`] (does LXD take this instance YAML, and
//! what does `lxc config show` give back) and [`lxd_started`] (the liblxc config LXD
//! generates at start, and what a script run as the instance's init saw). The tests pin
//! the facts the LXD writer and reader rely on; each is written down in
//! tests/oracle/lxd/README.md. They need root and fail (not skip) when LXD cannot start.

use crate::support::*;
use lxconf::engine::lxd::{self, InitRun, Lxd};
use std::collections::BTreeMap;

/// What `lxc config show NAME` gave back for an instance created from a YAML, without the
/// runtime state (`volatile.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownConfig {
    /// `config`, without `volatile.*` keys.
    pub config: BTreeMap<String, String>,
    /// `devices`: name → options (`volatile` never appears there).
    pub devices: BTreeMap<String, BTreeMap<String, String>>,
    /// `profiles`.
    pub profiles: Vec<String>,
    /// The whole text LXD printed (volatile keys included).
    pub text: String,
}

impl ShownConfig {
    /// Parse the text of `lxc config show`.
    pub fn parse(text: &str) -> ShownConfig {
        #[derive(serde::Deserialize)]
        struct Shown {
            #[serde(default)]
            config: BTreeMap<String, String>,
            #[serde(default)]
            devices: BTreeMap<String, BTreeMap<String, String>>,
            #[serde(default)]
            profiles: Vec<String>,
        }
        let shown: Shown = serde_norway::from_str(text).unwrap_or_else(|e| {
            panic!("`lxc config show` is not the YAML expected ({e}):\n{text}")
        });
        ShownConfig {
            config: shown
                .config
                .into_iter()
                .filter(|(k, _)| !k.starts_with("volatile."))
                .collect(),
            devices: shown.devices,
            profiles: shown.profiles,
            text: text.to_string(),
        }
    }
}

/// The LXD client with a daemon answering: started by tests/oracle/lxd/start-lxd.sh when
/// it does not answer yet; the test fails when LXD cannot be started.
pub fn lxd() -> Lxd {
    if let Ok(lxd) = Lxd::connect() {
        return lxd;
    }
    let status = std::process::Command::new(root().join("tests/oracle/lxd/start-lxd.sh")).status();
    assert!(
        status.map(|s| s.success()).unwrap_or(false),
        "tests/oracle/lxd/start-lxd.sh could not start LXD"
    );
    Lxd::connect().unwrap_or_else(|e| panic!("LXD does not answer after start-lxd.sh: {e}"))
}

/// Create an instance from `yaml` (`lxc init --empty`), read `lxc config show` back and
/// delete it. `Err` is LXD's refusal, its message.
pub fn lxd_accepts(yaml: &str) -> Result<ShownConfig, String> {
    let lxd = lxd();
    let instance = lxd
        .create(&lxd::unique_name("lxconf-oracle"), yaml)
        .map_err(|e| e.to_string())?;
    let text = instance.config_show(false).map_err(|e| e.to_string())?;
    Ok(ShownConfig::parse(&text))
}

/// Run `script` as the init of an instance made from `yaml` on
/// a busybox root filesystem, under LXD; the instance is deleted after. What the script
/// printed, the `lxc.conf` LXD generated and the cgroup limit files of `limit_models` as
/// the kernel held them are in the answer. `Err`: LXD's or the run's message.
pub fn lxd_started(
    yaml: &str,
    script: &str,
    limit_models: &[&lxconf_model::Container],
) -> Result<InitRun, String> {
    lxd();
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    crate::run::busybox_root(&rootfs)
        .expect("busybox-static is missing: run ./scripts/test-all.sh (it installs it)");
    lxd::run_as_init(yaml, &rootfs, script, "lxd", limit_models).map_err(|e| e.to_string())
}

/// A privileged instance's YAML with `config` lines (indented by two) and no devices.
fn privileged(config: &str) -> String {
    format!("config:\n  security.privileged: \"true\"\n{config}devices: {{}}\n")
}

/// The values of the `lxc.conf` lines of `key`, in order.
fn conf_values<'a>(conf: &'a str, key: &str) -> Vec<&'a str> {
    conf.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim())
        .collect()
}

/// The lxc.conf of a start, or the failure with it.
fn started_conf(yaml: &str, script: &str) -> InitRun {
    lxd_started(yaml, script, &[])
        .unwrap_or_else(|e| panic!("LXD did not run the instance: {e}\n{yaml}"))
}

/// `lxc config show` gives values back as their source text: unquoted YAML scalars are
/// strings as written (`07`, `1.50`, `yes` stay so), quoting is yaml.v2's own, and empty
/// or null values are not stored at all. `profiles: []` becomes the default profile.
#[test]
#[ignore = "needs root"]
fn values_are_kept_as_written_and_empty_ones_are_dropped() {
    let yaml = "config:\n  security.privileged: true\n  limits.processes: 100\n  boot.autostart: yes\n  boot.autostart.priority: 07\n  user.float: 1.50\n  user.note: on\n  environment.QUOTED: \"x y\"\n  environment.SINGLE: 'it''s'\n  environment.EMPTY: \"\"\n  environment.NULL: ~\ndevices: {}\nprofiles: []\n";
    let shown = lxd_accepts(yaml).expect("LXD accepts it");
    let want: BTreeMap<String, String> = [
        ("boot.autostart", "yes"),
        ("boot.autostart.priority", "07"),
        ("environment.QUOTED", "x y"),
        ("environment.SINGLE", "it's"),
        ("limits.processes", "100"),
        ("security.privileged", "true"),
        ("user.float", "1.50"),
        ("user.note", "on"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(shown.config, want, "{}", shown.text);
    assert_eq!(
        shown.profiles,
        ["default"],
        "profiles: [] is the default profile"
    );
    for line in [
        "  boot.autostart: \"yes\"\n",
        "  boot.autostart.priority: \"07\"\n",
        "  environment.QUOTED: x y\n",
        "  environment.SINGLE: it's\n",
        "  limits.processes: \"100\"\n",
        "  user.float: \"1.50\"\n",
        "  user.note: \"on\"\n",
        // yaml.v2 quotes a flow sequence look-alike with single quotes.
        "  volatile.idmap.next: '[]'\n",
    ] {
        assert!(shown.text.contains(line), "{line:?} in:\n{}", shown.text);
    }
}

/// raw.lxc at `lxc init`: only LXD's blocklist runs (the daemon's messages), other keys are
/// stored unchecked, an unknown one too.
#[test]
#[ignore = "needs root"]
fn raw_lxc_is_checked_against_the_blocklist_only() {
    let raw = |line: &str| privileged(&format!("  raw.lxc: |\n    {line}\n"));
    for (line, message) in [
        (
            "lxc.net.0.type = veth",
            "Only interface-specific ipv4/ipv6 lxc.net. keys are allowed",
        ),
        (
            "lxc.net.0.link = br0",
            "Only interface-specific ipv4/ipv6 lxc.net. keys are allowed",
        ),
        (
            "lxc.log.file = /tmp/x",
            "Setting lxc.logfile is not allowed",
        ),
        ("lxc.logfile = /tmp/x", "Setting lxc.logfile is not allowed"),
        (
            "lxc.syslog = daemon",
            "Setting lxc.log.syslog is not allowed",
        ),
        (
            "lxc.log.syslog = daemon",
            "Setting lxc.log.syslog is not allowed",
        ),
        ("lxc.ephemeral = 1", "Setting lxc.ephemeral is not allowed"),
        (
            "lxc.prlimit.nofile = 1024",
            "Process limits should be set via",
        ),
    ] {
        let refused = lxd_accepts(&raw(line)).expect_err(line);
        assert!(refused.contains(message), "{line}: {refused}");
    }
    for line in [
        "lxc.net.0.ipv4.address = 10.0.3.5/24",
        "lxc.net.0.ipv4.gateway = 10.0.3.1",
        "lxc.net =",
        "lxc.network.type = veth",
        "lxc.limit.nofile = 1024",
        "lxc.console.path = none",
        "lxc.uts.name = web",
        "lxc.tty.max = 2",
        "lxc.cap.drop =",
        "lxc.init.cmd = /bin/sh",
        "lxc.bogus = 1",
    ] {
        let shown = lxd_accepts(&raw(line)).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(
            shown.config.get("raw.lxc").map(String::as_str),
            Some(format!("{line}\n").as_str()),
            "{line}: kept as written"
        );
    }
}

/// What every start of a privileged instance gets from LXD, and what switches it off:
/// `security.syscalls.deny_default: "false"` leaves no seccomp profile (and no filter on
/// init), `security.devlxd: "false"` no /dev/lxd mount.
#[test]
#[ignore = "needs root"]
fn seccomp_and_dev_lxd_are_lxd_s_own_and_can_be_switched_off() {
    let script = "grep -E '^(Seccomp|CapBnd):' /proc/self/status; ls /dev";
    let default = started_conf(&privileged(""), script);
    let seccomp = ExactKey::SeccompProfile.to_string();
    let entry = ExactKey::MountEntry.to_string();
    assert_eq!(
        conf_values(&default.lxc_conf, &seccomp).len(),
        1,
        "{}",
        default.lxc_conf
    );
    assert!(default.stdout.contains("Seccomp:\t2"), "{}", default.stdout);
    let dev_lxd = |conf: &str| {
        conf_values(conf, &entry)
            .iter()
            .any(|v| v.contains(" dev/lxd "))
    };
    assert!(dev_lxd(&default.lxc_conf), "{}", default.lxc_conf);
    assert!(
        default.stdout.lines().any(|l| l == "lxd"),
        "{}",
        default.stdout
    );
    let off = started_conf(
        &privileged("  security.syscalls.deny_default: \"false\"\n  security.devlxd: \"false\"\n"),
        script,
    );
    assert_eq!(
        conf_values(&off.lxc_conf, &seccomp),
        Vec::<&str>::new(),
        "{}",
        off.lxc_conf
    );
    assert!(off.stdout.contains("Seccomp:\t0"), "{}", off.stdout);
    assert!(!dev_lxd(&off.lxc_conf), "{}", off.lxc_conf);
    assert!(!off.stdout.lines().any(|l| l == "lxd"), "{}", off.stdout);
}

/// raw.lxc comes after LXD's own keys in the lxc.conf LXD generates, and liblxc's
/// last-one-wins and empty-clears-the-list rules then apply: `lxc.tty.max = 2` gives two
/// ttys where LXD set none, `lxc.cap.drop =` keeps every capability LXD dropped.
#[test]
#[ignore = "needs root"]
fn raw_lxc_tty_max_and_cap_drop_override_lxd_s_own() {
    let script = "grep '^CapBnd:' /proc/self/status; ls /dev";
    let lxd_own = started_conf(&privileged(""), script);
    let tty = ExactKey::TtyMax.to_string();
    let drop = ExactKey::CapDrop.to_string();
    assert_eq!(conf_values(&lxd_own.lxc_conf, &tty), ["0"]);
    assert_eq!(
        conf_values(&lxd_own.lxc_conf, &drop),
        ["sys_time sys_module sys_rawio mac_admin mac_override"]
    );
    assert!(
        !lxd_own.stdout.lines().any(|l| l == "tty1"),
        "{}",
        lxd_own.stdout
    );
    let raw = started_conf(
        &privileged("  raw.lxc: |\n    lxc.tty.max = 2\n    lxc.cap.drop =\n"),
        script,
    );
    assert_eq!(
        conf_values(&raw.lxc_conf, &tty),
        ["0", "2"],
        "{}",
        raw.lxc_conf
    );
    assert_eq!(
        conf_values(&raw.lxc_conf, &drop),
        ["sys_time sys_module sys_rawio mac_admin mac_override", ""]
    );
    let dev: Vec<&str> = raw.stdout.lines().collect();
    assert!(
        dev.contains(&"tty1") && dev.contains(&"tty2") && !dev.contains(&"tty3"),
        "{dev:?}"
    );
    let host = std::fs::read_to_string("/proc/self/status").expect("status");
    let host_bounding = host
        .lines()
        .find(|l| l.starts_with("CapBnd:"))
        .expect("CapBnd");
    assert!(
        raw.stdout.contains(host_bounding),
        "every capability kept: {}",
        raw.stdout
    );
    assert!(
        !lxd_own.stdout.contains(host_bounding),
        "{}",
        lxd_own.stdout
    );
}

/// Whether the host has a cgroup v1 hierarchy of `controller` (this project's CI host is
/// hybrid: every controller on v1, an empty cgroup2).
fn v1_controller(controller: &str) -> bool {
    std::fs::read_to_string("/proc/self/mountinfo")
        .expect("mountinfo")
        .lines()
        .any(|l| {
            l.split(" - ").nth(1).is_some_and(|fs| {
                let f: Vec<&str> = fs.split_whitespace().collect();
                f.first() == Some(&"cgroup")
                    && f.get(2)
                        .is_some_and(|o| o.split(',').any(|o| o == controller))
            })
        })
}

/// The cgroup keys LXD writes for limits.memory and limits.processes on this host, and
/// what the kernel holds: with the memory controller on cgroup v1, `lxc.cgroup.*` keys; a
/// hard limit, a soft limit at 90 % (rounded down) and, while limits.memory.swap is not
/// false, a memory+swap limit equal to the hard limit (no swap). `.swap: "false"` drops that
/// one and sets swappiness 0; `.enforce: soft` leaves only the soft limit, at 100 %.
#[test]
#[ignore = "needs root"]
fn limits_memory_and_processes_become_these_cgroup_keys() {
    assert!(
        v1_controller("memory") && v1_controller("pids"),
        "this test pins the hybrid layout of this project's host (memory and pids on cgroup v1)"
    );
    let key = |file: &str| format!("lxc.cgroup.{file}");
    // Which files the kernel's values are read from (the values do not matter).
    let mut files = lxconf_model::Container::default();
    files.resources.memory_limit = Some(lxconf_model::ByteSize(1));
    files.resources.memory_soft_limit = Some(lxconf_model::ByteSize(1));
    files.resources.memory_swap_limit = Some(lxconf_model::ByteSize(1));
    files.resources.pids_max = Some(1);
    let yaml = privileged("  limits.memory: 64MiB\n  limits.processes: \"50\"\n");
    let hard = lxd_started(&yaml, ":", &[&files]).unwrap_or_else(|e| panic!("{e}"));
    let c = &hard.lxc_conf;
    assert_eq!(
        conf_values(c, &key("memory.limit_in_bytes")),
        ["67108864"],
        "{c}"
    );
    assert_eq!(
        conf_values(c, &key("memory.soft_limit_in_bytes")),
        ["60397977"],
        "{c}"
    );
    assert_eq!(
        conf_values(c, &key("memory.memsw.limit_in_bytes")),
        ["67108864"],
        "{c}"
    );
    assert_eq!(conf_values(c, &key("pids.max")), ["50"], "{c}");
    assert!(!c.contains("lxc.cgroup2."), "no cgroup2 keys: {c}");
    // The kernel rounds the soft limit down to whole pages.
    assert_eq!(
        hard.limits,
        [
            "memory.limit_in_bytes 67108864",
            "memory.memsw.limit_in_bytes 67108864",
            "memory.soft_limit_in_bytes 60395520",
            "pids.max 50"
        ]
    );
    let no_swap = started_conf(
        &privileged("  limits.memory: 64MiB\n  limits.memory.swap: \"false\"\n"),
        ":",
    );
    let c = &no_swap.lxc_conf;
    assert_eq!(
        conf_values(c, &key("memory.limit_in_bytes")),
        ["67108864"],
        "{c}"
    );
    assert_eq!(
        conf_values(c, &key("memory.soft_limit_in_bytes")),
        ["60397977"],
        "{c}"
    );
    assert_eq!(
        conf_values(c, &key("memory.memsw.limit_in_bytes")),
        Vec::<&str>::new(),
        "{c}"
    );
    assert_eq!(conf_values(c, &key("memory.swappiness")), ["0"], "{c}");
    let soft = started_conf(
        &privileged(
            "  limits.memory: 64MiB\n  limits.memory.enforce: soft\n  limits.processes: \"-1\"\n",
        ),
        ":",
    );
    let c = &soft.lxc_conf;
    assert_eq!(
        conf_values(c, &key("memory.limit_in_bytes")),
        Vec::<&str>::new(),
        "{c}"
    );
    assert_eq!(
        conf_values(c, &key("memory.soft_limit_in_bytes")),
        ["67108864"],
        "{c}"
    );
    assert_eq!(conf_values(c, &key("pids.max")), ["max"], "{c}");
}

/// The instance's name is its hostname (`lxc.uts.name` = the name) unless raw.lxc sets one;
/// the one LXD generates comes first, raw.lxc's after it wins.
#[test]
#[ignore = "needs root"]
fn the_hostname_is_the_instance_name_unless_raw_lxc_sets_one() {
    let uts = ExactKey::UtsName.to_string();
    let named = started_conf(&privileged(""), "hostname");
    assert_eq!(named.stdout.trim(), named.instance);
    assert_eq!(
        conf_values(&named.lxc_conf, &uts),
        [named.instance.as_str()]
    );
    let raw = started_conf(
        &privileged("  raw.lxc: |\n    lxc.uts.name = web\n"),
        "hostname",
    );
    assert_eq!(raw.stdout.trim(), "web");
    assert_eq!(
        conf_values(&raw.lxc_conf, &uts),
        [raw.instance.as_str(), "web"]
    );
}

/// An instance the driver created is gone after the guard is dropped, also when the test
/// panics while holding it.
#[test]
#[ignore = "needs root"]
fn the_driver_deletes_its_instance_also_on_panic() {
    let lxd = lxd();
    let name = lxd::unique_name("lxconf-oracle");
    let yaml = privileged("");
    let result = std::panic::catch_unwind(|| {
        let _instance = lxd.create(&name, &yaml).expect("created");
        panic!("on purpose");
    });
    assert!(result.is_err());
    let list = std::process::Command::new("lxc")
        .args(["list", "--format", "csv", "--columns", "n"])
        .output()
        .expect("lxc list");
    let names = String::from_utf8_lossy(&list.stdout);
    assert!(!names.lines().any(|n| n == name), "{name} is left: {names}");
}

use lxconf_model::lxc_key::ExactKey;

/// Why the LXD engine runs the probe as init and not with `lxc exec`: what LXD execs gets
/// `HOME`, `LANG`, a longer `PATH`, `TERM` and `USER` that the instance's init (PID 1, the
/// environment liblxc made from the config, as lxc-execute's command has it) does not.
#[test]
#[ignore = "needs root"]
fn lxc_exec_adds_an_environment_the_instance_s_init_does_not_have() {
    use std::os::unix::fs::PermissionsExt;
    let lxd = lxd();
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    crate::run::busybox_root(&rootfs).expect("busybox-static is missing");
    std::fs::create_dir_all(rootfs.join("sbin")).expect("sbin");
    // An init that waits for ever (on a FIFO it holds open for reading and writing).
    std::fs::write(
        rootfs.join("sbin/init"),
        "#!/bin/sh\nexec 3<> /hold\nread -r _ <&3\n",
    )
    .expect("init");
    std::fs::set_permissions(
        rootfs.join("sbin/init"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    let fifo = std::process::Command::new("mkfifo")
        .arg(rootfs.join("hold"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    let yaml = privileged("  environment.GREETING: hello\n");
    let instance = lxd
        .create(&lxd::unique_name("lxconf-oracle"), &yaml)
        .expect("created");
    instance.copy_rootfs(&rootfs).expect("rootfs copied");
    instance.start().expect("started");
    let exec = instance.exec(&["env"]).expect("lxc exec");
    let mut exec_env: Vec<String> = String::from_utf8_lossy(&exec.stdout)
        .lines()
        .filter(|l| !l.starts_with("SHLVL=") && !l.starts_with("PWD="))
        .map(str::to_string)
        .collect();
    exec_env.sort();
    assert_eq!(
        exec_env,
        [
            "GREETING=hello",
            "HOME=/root",
            "LANG=C.UTF-8",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "TERM=xterm",
            "USER=root",
            "container=lxc"
        ]
    );
    let pid = instance.init_pid().expect("running");
    let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("environ");
    let mut init_env: Vec<String> = environ
        .split(|b| *b == 0)
        .filter(|v| !v.is_empty())
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    init_env.sort();
    assert_eq!(init_env, ["GREETING=hello", "container=lxc"]);
}

/// This host has a uid/gid allocation for root (`root:100000:10000001` in /etc/subuid and
/// /etc/subgid, written when the lxd package is installed), so an unprivileged instance is
/// created and runs: LXD remaps the copied root filesystem at its first start (its owners
/// shifted into the range), maps root to 100000 and drops no capability at all.
#[test]
#[ignore = "needs root"]
fn an_unprivileged_instance_runs_on_the_copy_remapped_by_lxd() {
    let script = "cat /proc/self/uid_map; grep '^CapBnd:' /proc/self/status; ls -ln /bin/busybox";
    let run = started_conf("config: {}\ndevices: {}\n", script);
    let idmap = ExactKey::Idmap.to_string();
    let maps = conf_values(&run.lxc_conf, &idmap);
    assert_eq!(maps.len(), 2, "{}", run.lxc_conf);
    assert!(
        maps.iter()
            .all(|m| m.split_whitespace().nth(2) == Some("100000")),
        "{maps:?}"
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    let uid_map: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(uid_map[..2], ["0", "100000"], "{}", run.stdout);
    assert_eq!(
        lines[1], "CapBnd:\t000001ffffffffff",
        "no capability dropped"
    );
    // Owned by root inside: the copy was shifted to 100000 on the host.
    assert!(lines[2].contains(" 0        0 "), "{}", run.stdout);
    assert_eq!(
        conf_values(&run.lxc_conf, &ExactKey::CapDrop.to_string()),
        Vec::<&str>::new()
    );
}

/// What the driver refuses and reports: a name that is not a hostname (before LXD is
/// asked), a root disk without a pool (LXD's message), a probe whose instance stops early
/// and a raw.lxc init the probe cannot replace (at once, not after the 30 s timeout).
#[test]
#[ignore = "needs root"]
fn refusals_and_failed_runs_are_reported_with_their_reason() {
    let lxd = lxd();
    let bad_name = lxd
        .create("lxconf_oracle", &privileged(""))
        .expect_err("a bad name");
    assert!(
        bad_name.to_string().contains("not an instance name"),
        "{bad_name}"
    );
    let no_pool = lxd_accepts("config:\n  security.privileged: \"true\"\ndevices:\n  root:\n    path: /\n    type: disk\n")
        .expect_err("a root disk without a pool");
    assert!(
        no_pool.contains("Root disk entry must have a \"pool\" property set"),
        "{no_pool}"
    );
    let started = std::time::Instant::now();
    let stopped = lxd_started(&privileged(""), "exit 3", &[]).expect_err("init exits");
    assert!(stopped.contains("stopped"), "{stopped}");
    let own_init = lxd_started(
        &privileged("  raw.lxc: |\n    lxc.init.cmd = /bin/sh\n"),
        ":",
        &[],
    )
    .expect_err("an init of its own");
    assert!(own_init.contains("sets its own init"), "{own_init}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// An instance whose init has just exited is deleted too: LXD is then still running its
/// stop operation and refuses a delete for a moment ("Instance is busy running a "stop"
/// operation", measured), which the guard waits out.
#[test]
#[ignore = "needs root"]
fn an_instance_whose_init_has_just_exited_is_deleted_too() {
    use std::os::unix::fs::PermissionsExt;
    let lxd = lxd();
    let dir = tempfile::tempdir().expect("tempdir");
    let rootfs = dir.path().join("rootfs");
    crate::run::busybox_root(&rootfs).expect("busybox-static is missing");
    std::fs::create_dir_all(rootfs.join("sbin")).expect("sbin");
    std::fs::write(rootfs.join("sbin/init"), "#!/bin/sh\nexit 3\n").expect("init");
    std::fs::set_permissions(
        rootfs.join("sbin/init"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    let name = lxd::unique_name("lxconf-oracle");
    {
        let instance = lxd.create(&name, &privileged("")).expect("created");
        instance.copy_rootfs(&rootfs).expect("rootfs copied");
        instance.start().expect("started");
    }
    let list = std::process::Command::new("lxc")
        .args(["list", "--format", "csv", "--columns", "n"])
        .output()
        .expect("lxc list");
    let names = String::from_utf8_lossy(&list.stdout);
    assert!(!names.lines().any(|n| n == name), "{name} is left: {names}");
}
