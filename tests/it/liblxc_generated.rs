//! LXC configs generated from the key table, judged by liblxc (python3-lxc, through
//! `tests/oracle/liblxc_dump.py`, run once per batch of files):
//!
//! - a file liblxc refuses, lxconf refuses (an error);
//! - for a file liblxc loads, every value `get_config_item` reports equals lxconf's model
//!   (compared as `tests/it/liblxc.rs` compares the corpus, through the table's accessors);
//! - lxconf's LXC output of that model loads in liblxc, which reports the same values.
//!
//! Every exact key of the table and every family gets values of its grammar (and, for one
//! line in ten, a near miss liblxc refuses). The generator is seeded: a failure names the
//! seed and the file. `LXCONF_GENERATED=N` sets the number of configs (default 300, about
//! 10 s), `LXCONF_GENERATED_SEED=S` the seed.

use crate::liblxc::{expected, is_legacy, run_oracle, Verdict};
use crate::support::root;
use lxconf_model::lxc_key::{ExactKey as K, Family, Field, EXACT, PRLIMIT_RESOURCES};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A small deterministic generator (xorshift64*): the same seed gives the same configs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const PATHS: &[&str] = &[
    "/srv/c1/rootfs",
    "/var/lib/lxc/web/rootfs",
    "/srv//double/slash/",
    "relative/path",
    "/opt/x.y-z_1",
];
const WORDS: &[&str] = &[
    "web",
    "db-1",
    "a_b",
    "x.y",
    "Alpha9",
    "unconfined",
    "generated",
];
const CAPS: &[&str] = &[
    "sys_admin",
    "net_admin",
    "mknod",
    "sys_module",
    "sys_time",
    "mac_admin",
    "21",
    "0",
];
const SIGNALS: &[&str] = &[
    "SIGPWR",
    "SIGTERM",
    "sigint",
    "15",
    "SIGRTMIN+3",
    "SIGKILL",
    "9",
];
const UINTS: &[&str] = &["0", "1", "4", "1024", "0x10", "010", "+7", " 3"];

/// A value of `key`'s grammar; `bad` asks for a near miss (which liblxc may refuse).
fn exact_value(rng: &mut Rng, key: K, bad: bool) -> Option<String> {
    if let Some(field) = key.field() {
        return Some(match (field, bad) {
            (Field::Flag { .. }, false) => rng.pick(&["0", "1", "0x1", "00"]).into(),
            // liblxc 5's seccomp.allow_nesting setter returns -errno without errno for a
            // non-number, so it ignores `yes`; lxconf refuses it (like a non-numeric uid).
            (Field::Flag { .. }, true) if key == K::SeccompAllowNesting => "2".into(),
            (Field::Flag { .. }, true) => rng.pick(&["2", "yes", "true", "-1"]).into(),
            (Field::Count { .. }, false) => rng.pick(UINTS).into(),
            (Field::Count { .. }, true) => rng.pick(&["-1", "x", "4294967296", "08"]).into(),
            (Field::Path { .. }, _) if key == K::LogFile => "/dev/null".into(),
            (Field::Path { .. }, _) => rng.pick(PATHS).into(),
            (Field::Text { .. }, _) => rng.pick(WORDS).into(),
        });
    }
    let v: String = match key {
        K::ApparmorRaw => rng.pick(&["deny /proc/kcore rw,", "mount,"]).into(),
        K::Arch if bad => rng.pick(&["sparc", "foo"]).into(),
        K::Arch => rng
            .pick(&["x86_64", "amd64", "i686", "x86", "linux64", "arm64"])
            .into(),
        K::Autodev => rng.pick(&["0", "1"]).into(),
        K::AutodevTmpfsSize => rng.pick(&["0", "100000", "500000", "1048576"]).into(),
        K::CapDrop | K::CapKeep if bad => rng.pick(&["CAP_SYS_ADMIN", "sys_foo", "99"]).into(),
        K::CapDrop | K::CapKeep => {
            let n = 1 + rng.below(3);
            (0..n).map(|_| rng.pick(CAPS)).collect::<Vec<_>>().join(" ")
        }
        K::CgroupDir | K::CgroupDirContainer | K::CgroupDirMonitor | K::CgroupDirMonitorPivot => {
            rng.pick(&["lxc.payload", "a/b", "mon"]).into()
        }
        K::CgroupDirContainerInner => rng.pick(&["inner", "ns"]).into(),
        K::CgroupRelative => rng.pick(&["0", "1"]).into(),
        K::ConsoleBufferSize | K::ConsoleSize => rng
            .pick(&["0", "1000", "5000", "64kB", "1MB", "auto"])
            .into(),
        K::ConsolePath => rng.pick(&["none", "/dev/console", "/dev/tty1"]).into(),
        K::Environment if bad => "=x".into(),
        K::Environment => rng
            .pick(&["FOO=bar", "A=b c", "EMPTY=", "X=1=2", "PATH=/bin:/usr/bin"])
            .into(),
        K::ExecuteCmd | K::InitCmd => rng
            .pick(&["/sbin/init", "/bin/sh -c true", "/usr/bin/env  A=1 sleep 5"])
            .into(),
        K::Group => rng.pick(&["onboot", "web db", "a"]).into(),
        K::HookAutodev
        | K::HookClone
        | K::HookDestroy
        | K::HookMount
        | K::HookPostStop
        | K::HookPreMount
        | K::HookPreStart
        | K::HookStart
        | K::HookStartHost
        | K::HookStop => rng.pick(&["/usr/bin/true", "/bin/hook arg1 arg2"]).into(),
        K::HookVersion if bad => "2".into(),
        K::HookVersion => rng.pick(&["0", "1"]).into(),
        K::Idmap if bad => rng.pick(&["u 0 100000", "x 0 1 1", "u -1 0 1"]).into(),
        K::Idmap => rng
            .pick(&["u 0 100000 65536", "g 0 100000 65536", "u 1000 1000 1"])
            .into(),
        K::InitCwd => rng.pick(&["/", "/root", "/srv//app/"]).into(),
        K::InitGid | K::InitUid => rng.pick(&["0", "1000", "0x10", "65534"]).into(),
        K::InitGroups => rng.pick(&["10", "10,20", "0,5,7"]).into(),
        K::LogLevel if bad => rng.pick(&["9", "LOUD"]).into(),
        K::LogLevel => rng
            .pick(&["TRACE", "debug", "Info", "0", "3", "8", "ERROR"])
            .into(),
        K::LogSyslog if bad => "mail".into(),
        K::LogSyslog => rng.pick(&["daemon", "local0", "local7"]).into(),
        K::MonitorSignalPdeath | K::SignalHalt | K::SignalReboot | K::SignalStop if bad => {
            rng.pick(&["TERM", "SIGFOO"]).into()
        }
        K::MonitorSignalPdeath | K::SignalHalt | K::SignalReboot | K::SignalStop => {
            rng.pick(SIGNALS).into()
        }
        K::MonitorUnshare => rng.pick(&["0", "1", "5"]).into(),
        K::MountAuto if bad => "proc:ro".into(),
        K::MountAuto => {
            let tokens = [
                "proc",
                "proc:mixed",
                "proc:rw",
                "sys",
                "sys:ro",
                "sys:mixed",
                "sys:rw",
                "cgroup",
                "cgroup:mixed",
                "cgroup:ro",
                "cgroup:rw",
                "cgroup:force",
                "cgroup:rw:force",
                "cgroup-full",
                "cgroup-full:ro",
                "cgroup-full:mixed:force",
                "cgroup2",
                "cgroup2:ro",
                "cgroup2:force",
                "cgroup2:ro:force",
                "shmounts:/run/shared",
                "shmounts:/run/shared:/dev/.x",
            ];
            let n = 1 + rng.below(3);
            (0..n)
                .map(|_| rng.pick(&tokens))
                .collect::<Vec<_>>()
                .join(" ")
        }
        K::MountEntry => rng
            .pick(&[
                "proc proc proc nodev,noexec,nosuid 0 0",
                "tmpfs tmp tmpfs size=16m,mode=1777 0 0",
                "/srv/data srv/data none bind,create=dir 0 0",
                "/dev/null dev/null none bind,optional,create=file 0 0",
                "/srv/ro mnt/ro none ro,bind 0 0",
            ])
            .into(),
        K::NamespaceClone | K::NamespaceKeep if bad => "mount".into(),
        K::NamespaceClone | K::NamespaceKeep => rng
            .pick(&["net", "uts ipc", "mnt pid uts ipc", "user net", "cgroup"])
            .into(),
        K::RootfsManaged => rng.pick(&["0", "1"]).into(),
        K::RootfsMount => rng.pick(&["/mnt/rootfs", "/usr/lib/lxc/rootfs"]).into(),
        K::RootfsOptions if bad => "create=dir".into(),
        K::RootfsOptions => rng.pick(&["ro", "nodev,nosuid", "idmap=container"]).into(),
        K::RootfsPath => rng
            .pick(&[
                "/srv/c1/rootfs",
                "dir:/srv/c2/rootfs",
                "btrfs:/srv/b",
                "/srv//x/",
            ])
            .into(),
        K::SeccompNotifyProxy => rng.pick(&["unix:/run/proxy.sock", "unix:/tmp/s"]).into(),
        K::StartDelay => rng.pick(&["0", "5", "0x10"]).into(),
        K::StartOrder => rng.pick(&["0", "-3", "10"]).into(),
        K::TimeOffsetBoot | K::TimeOffsetMonotonic if bad => rng.pick(&["100", "5 d"]).into(),
        K::TimeOffsetBoot | K::TimeOffsetMonotonic => rng
            .pick(&["5s", "-3600s", "2 h", "500ms", "10 m", "7ns"])
            .into(),
        K::TtyDir => rng.pick(&["lxc", "ttys"]).into(),
        K::UtsName if bad => "x".repeat(65),
        K::UtsName => rng.pick(&["web", "db-01", "host.example"]).into(),
        // A directive, files read at load time, or LXC 7 keys: not generated.
        K::Include | K::MountFstab => return None,
        _ => return None,
    };
    Some(v)
}

/// The lines of one network: `type` first (liblxc wants it first), then subkeys of it.
fn network_lines(rng: &mut Rng, n: usize, bad: bool) -> Vec<(String, String)> {
    let kind = rng.pick(&["veth", "macvlan", "ipvlan", "vlan", "phys", "empty", "none"]);
    let key = |sub: &str| Family::Net.key(format!("{n}.{sub}"));
    let mut lines = vec![(key("type"), kind.to_string())];
    let mut subs: Vec<(&str, String)> = Vec::new();
    let common: &[(&str, &[&str])] = &[
        ("flags", &["up"]),
        ("link", &["lxcbr0", "eth0"]),
        ("name", &["eth0", "eth1", "averyveryverylongname"]),
        ("hwaddr", &["00:16:3e:12:34:56", "fe:ff:ff:00:00:01"]),
        ("mtu", &["1500", "9000"]),
        (
            "ipv4.address",
            &[
                "10.0.3.5/24",
                "10.0.3.5/24 10.0.3.127",
                "192.168.1.10",
                "10.0.0.200",
                "10.1.2.3/32",
            ],
        ),
        ("ipv4.gateway", &["10.0.3.1", "auto", "dev"]),
        ("ipv6.address", &["fd00::5/64", "fd00::6", "2001:db8::1/48"]),
        ("ipv6.gateway", &["fd00::1", "auto", "dev"]),
        ("script.up", &["/usr/bin/up"]),
        ("script.down", &["/usr/bin/down"]),
        ("l2proxy", &["0", "1"]),
    ];
    let typed: &[(&str, &[&str])] = match kind {
        "veth" => &[
            ("veth.pair", &["vethweb"]),
            ("veth.mode", &["bridge", "router"]),
            ("veth.ipv4.route", &["10.0.5.0/24"]),
            ("veth.ipv6.route", &["fd01::/64"]),
            ("veth.vlan.id", &["10", "none", "0"]),
            ("veth.vlan.tagged.id", &["20", "4094"]),
            ("veth.n_rxqueues", &["2"]),
            ("veth.n_txqueues", &["4"]),
        ],
        "macvlan" => &[("macvlan.mode", &["private", "vepa", "bridge", "passthru"])],
        "ipvlan" => &[
            ("ipvlan.mode", &["l3", "l3s", "l2"]),
            ("ipvlan.isolation", &["bridge", "private", "vepa"]),
        ],
        "vlan" => &[("vlan.id", &["100", "4096"])],
        _ => &[],
    };
    for _ in 0..rng.below(5) {
        let table = if !typed.is_empty() && rng.chance(2) {
            typed
        } else {
            common
        };
        let (sub, values) = table[rng.below(table.len())];
        subs.push((sub, rng.pick(values).to_string()));
    }
    if bad {
        let (sub, v) = [
            ("ipv4.address", "10.0.3.5/24  10.0.3.127"),
            ("ipv4.address", "10.0.3.5/33"),
            ("ipv6.address", "fd00::g"),
            ("veth.mode", "bogus"),
            ("flags", ""),
        ][rng.below(5)];
        subs.push((sub, v.into()));
    }
    lines.extend(subs.into_iter().map(|(s, v)| (key(s), v)));
    lines
}

/// Lines of one family other than the network.
fn family_lines(rng: &mut Rng, bad: bool) -> Vec<(String, String)> {
    let line = match rng.below(7) {
        0 => {
            let (file, v) = [
                ("memory.max", "1G"),
                ("memory.high", "512M"),
                ("pids.max", "100"),
                ("cpu.max", "50000 100000"),
                ("cpu.weight", "200"),
                ("cpuset.cpus", "0-1"),
                ("devices.allow", "c 1:3 rwm"),
                ("devices.deny", "a"),
                ("io.weight", "default 100"),
            ][rng.below(9)];
            (Family::Cgroup2.key(file), v.to_string())
        }
        1 => {
            let (file, v) = [
                ("memory.limit_in_bytes", "1G"),
                ("cpu.shares", "512"),
                ("devices.allow", "b 8:* rw"),
                ("cpuset.cpus", "0"),
            ][rng.below(4)];
            (Family::Cgroup1.key(file), v.to_string())
        }
        2 => {
            let res = rng.pick(PRLIMIT_RESOURCES);
            let v = if bad {
                "lots"
            } else {
                rng.pick(&["1024", "1024:4096", "unlimited", "0:unlimited", "10 : 20"])
            };
            (Family::Prlimit.key(res), v.to_string())
        }
        3 => {
            let k = rng.pick(&[
                "net.ipv4.ip_forward",
                "kernel.domainname",
                "net.core.somaxconn",
            ]);
            (
                Family::Sysctl.key(k),
                rng.pick(&["1", "example", "1024"]).to_string(),
            )
        }
        4 => {
            let k = rng.pick(&["oom_score_adj", "setgroups"]);
            (
                Family::Proc.key(k),
                rng.pick(&["100", "-500", "deny"]).to_string(),
            )
        }
        5 => {
            let ns = if bad {
                "mount"
            } else {
                rng.pick(&["net", "ipc", "uts", "pid", "user"])
            };
            let v = rng.pick(&["/run/netns/red", "other", "1234"]);
            (Family::NamespaceShare.key(ns), v.to_string())
        }
        _ => {
            let h = rng.pick(&["pre-start", "mount", "post-stop", "start-host"]);
            (Family::Hook.key(h), "/usr/bin/hook".to_string())
        }
    };
    vec![line]
}

/// One generated config: a few exact keys, families and networks, in random order.
fn config(rng: &mut Rng) -> String {
    let mut blocks: Vec<Vec<(String, String)>> = Vec::new();
    let mut nets = 0;
    for _ in 0..2 + rng.below(9) {
        let bad = rng.chance(10);
        match rng.below(10) {
            0 | 1 => {
                blocks.push(network_lines(rng, nets, bad));
                nets += 1;
            }
            2 | 3 => blocks.push(family_lines(rng, bad)),
            _ => {
                let key = EXACT[rng.below(EXACT.len())];
                if let Some(v) = exact_value(rng, key, bad) {
                    blocks.push(vec![(key.name().to_string(), v)]);
                }
            }
        }
    }
    let mut text = String::new();
    for (k, v) in blocks.into_iter().flatten() {
        let _ = writeln!(text, "{k} = {v}");
    }
    text
}

fn load(path: &str, text: &str) -> lxconf_parse::Loaded {
    lxconf_parse::lxc::load(
        path,
        text,
        &lxconf_parse::LoadOptions {
            fs: &lxconf_parse::fs::RealFs,
            base_dir: root(),
            lxd_profiles: Vec::new(),
        },
    )
}

/// Every value liblxc reports for `verdict` must equal the model's.
fn compare(
    c: &lxconf_model::model::Container,
    verdict: &Verdict,
    what: &str,
    failures: &mut Vec<String>,
) {
    for (key, value) in &verdict.items {
        if verdict.random_keys.contains(key) {
            continue;
        }
        if let Some(Err(e)) = expected(c, key, value) {
            failures.push(format!("{what}: {key}: {e}"));
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_generator_covers_every_key_of_the_table() {
    let mut rng = Rng(1);
    let missing: Vec<&str> = EXACT
        .iter()
        .filter(|k| !matches!(k, K::Include | K::MountFstab))
        .filter(|k| exact_value(&mut rng, **k, false).is_none())
        .map(|k| k.name())
        .collect();
    assert!(
        missing.is_empty(),
        "keys without generated values: {missing:?}"
    );
}

#[test]
fn generated_configs_read_and_write_as_liblxc_does() {
    let count = env_number("LXCONF_GENERATED", 300) as usize;
    let seed = env_number("LXCONF_GENERATED_SEED", 0x6c78_636f_6e66);
    let mut rng = Rng(seed | 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    let mut texts = Vec::new();
    for i in 0..count {
        let text = config(&mut rng);
        let path = dir.path().join(format!("gen-{i:05}.conf"));
        std::fs::write(&path, &text).expect("write");
        files.push(path.display().to_string());
        texts.push(text);
    }
    let verdicts = run_oracle(".", &files);
    assert_eq!(verdicts.len(), files.len());
    let mut failures = Vec::new();
    let (mut loaded_by_liblxc, mut agree, mut refused_by_writer) = (0, 0, 0);
    let mut written = Vec::new();
    let mut models = Vec::new();
    for ((file, text), v) in files.iter().zip(&texts).zip(&verdicts) {
        let before = failures.len();
        let loaded = load(file, text);
        let liblxc = v.loaded && !v.crashed;
        let lxconf = !loaded.has_errors();
        if liblxc != lxconf && !(lxconf && is_legacy(&loaded)) {
            let first = loaded.diagnostics.iter().find(|d| d.is_error());
            failures.push(format!(
                "{file}: liblxc {}, lxconf {} ({:?} / {:?})\n{text}",
                if liblxc { "loads it" } else { "refuses it" },
                if lxconf { "loads it" } else { "refuses it" },
                v.error,
                first.map(|d| &d.message)
            ));
        }
        if liblxc && lxconf {
            loaded_by_liblxc += 1;
            let c = &loaded.document.container;
            // The same controller through v1 and v2 keys: liblxc keeps both (which one
            // applies depends on the host), the model one value; `lint` warns (L024).
            let v1 = format!("{}.", Family::Cgroup1.prefix());
            let v2 = format!("{}.", Family::Cgroup2.prefix());
            let controller = |k: &str, prefix: &str| -> Option<String> {
                let file = k.strip_prefix(prefix)?;
                let exact = lxconf_model::lxc_key::ExactKey::from_name(k).is_some();
                (!exact).then(|| file.split('.').next().unwrap_or("").to_string())
            };
            let in_v1: BTreeSet<String> =
                v.items.keys().filter_map(|k| controller(k, &v1)).collect();
            let in_v2: BTreeSet<String> =
                v.items.keys().filter_map(|k| controller(k, &v2)).collect();
            let mut v = v.clone();
            v.items.retain(|k, _| {
                let c = controller(k, &v1).or_else(|| controller(k, &v2));
                !c.is_some_and(|c| in_v1.contains(&c) && in_v2.contains(&c))
            });
            compare(c, &v, file, &mut failures);
            // Every other config is written with cgroup v1 keys (`--cgroup-v1`).
            let opts = lxconf_convert::lxc::LxcOptions {
                cgroup_v1: written.len() % 2 == 1,
                ..Default::default()
            };
            let out = lxconf_convert::lxc::emit(&loaded.document, &opts);
            if out.losses.iter().any(|d| d.is_error()) {
                // A value LXC's line format cannot carry: refused, nothing is written.
                refused_by_writer += 1;
            } else {
                let path = format!("{file}.written");
                std::fs::write(&path, &out.text).expect("write");
                written.push(path);
                models.push(c.clone());
            }
        }
        if failures.len() == before {
            agree += 1;
        } else {
            failures.push(format!("--- {file}:\n{text}---"));
        }
    }
    let reread = run_oracle(".", &written);
    for ((path, v), c) in written.iter().zip(&reread).zip(&models) {
        if !v.loaded || v.crashed {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            failures.push(format!(
                "{path}: liblxc refuses lxconf's output {:?}\n{text}",
                v.error
            ));
            continue;
        }
        let before = failures.len();
        compare(c, v, path, &mut failures);
        if failures.len() != before {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            failures.push(format!("--- {path}:\n{text}---"));
        }
    }
    eprintln!(
        "generated {count} configs (seed {seed:#x}): liblxc loads {loaded_by_liblxc}; \
         lxconf agrees on {agree}; {} written configs re-read ({refused_by_writer} refused by \
         the writer); {} disagreement(s)",
        written.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "seed {seed:#x}: {} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
