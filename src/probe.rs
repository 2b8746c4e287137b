//! The probe: what a container sees, collected by a POSIX shell script run as the
//! container's command (it needs only `/bin/sh` and busybox-level tools inside), plus the
//! cgroup limits it got, read back by the runner (a container often cannot see its own
//! cgroup files); and the comparison of two probes for `lxconf equiv`.

use lxconf_model::equiv::Status;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// The script run inside the container. Each section starts with a line of its first
/// argument (a marker unique to the run) and the section's name: values the container
/// prints (an environment variable holding a newline and `@hostname`) cannot start a
/// section of their own and make two containers look alike.
pub const SCRIPT: &str = r#"
echo "$1"hostname; hostname
echo "$1"identity; id -u; id -g; id -G
echo "$1"capabilities; grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status 2>/dev/null
echo "$1"cwd; pwd
echo "$1"environment; env | grep -v -E '^(PWD|OLDPWD|SHLVL|_)=' | sort
echo "$1"mounts; if [ -r /proc/self/mountinfo ]; then while read -r id parent dev root mp opts rest; do echo "$mp $opts"; done < /proc/self/mountinfo | sort; else echo '(no /proc)'; fi
echo "$1"interfaces; ls /sys/class/net 2>/dev/null | sort
echo "$1"limits; tail -n +2 /proc/self/limits 2>/dev/null
echo "$1"dev; ls /dev 2>/dev/null | sort
echo "$1"loopback; cat /sys/class/net/lo/flags 2>/dev/null || echo '(no /sys)'
echo "$1"namespaces; for n in cgroup ipc mnt net pid time user uts; do echo "$n $(readlink /proc/self/ns/$n 2>/dev/null)"; done
"#;

/// A section marker no container can guess: 128 random bits (the standard library's
/// per-process random hash keys, so no extra dependency).
pub fn marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    let word = || {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    };
    format!("@{:016x}{:016x}:", word(), word())
}

/// Observations: section name → lines.
pub type Observations = BTreeMap<String, Vec<String>>;

/// The section naming the container's namespaces.
const NAMESPACES: &str = "namespaces";

/// Namespace identities differ in every run: a namespace is compared as `host` (the one
/// this process, on the host, is in) or `own`, or `(no /proc)` when the container cannot
/// see it.
fn namespaces_against_host(obs: &mut Observations) {
    let Some(lines) = obs.get_mut(NAMESPACES) else {
        return;
    };
    for line in lines.iter_mut() {
        let (name, link) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let host = std::fs::read_link(format!("/proc/self/ns/{name}"))
            .map(|l| l.to_string_lossy().into_owned())
            .ok();
        let verdict = match (link.trim(), host) {
            ("", _) => "(no /proc)",
            (seen, Some(host)) if seen == host => "host",
            _ => "own",
        };
        *line = format!("{name} {verdict}");
    }
}

/// Parse the probe's output; sections start with `marker`.
pub fn parse(output: &str, marker: &str) -> Observations {
    let mut obs = Observations::new();
    let mut current = String::new();
    for line in output.lines() {
        if let Some(name) = line.strip_prefix(marker) {
            current = name.trim().to_string();
            obs.entry(current.clone()).or_default();
        } else if !current.is_empty() {
            obs.entry(current.clone())
                .or_default()
                .push(line.trim_end().to_string());
        }
    }
    namespaces_against_host(&mut obs);
    obs
}

/// The section of the cgroup limits the runner applied, as the kernel kept them.
pub const CGROUP_LIMITS: &str = "cgroup limits";

/// Why a probe run gave no observations.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// lxconf cannot find its own executable to run the container with.
    #[error("cannot find the lxconf executable: {0}")]
    Executable(#[source] std::io::Error),
    /// The file the runner reports the cgroup limits in cannot be created or read.
    #[error("cannot use the cgroup limits report file: {0}")]
    LimitsReport(#[source] std::io::Error),
    /// `lxconf run` cannot be started.
    #[error("cannot start `lxconf run`: {0}")]
    Spawn(#[source] std::io::Error),
    /// The container did not run the probe to its end.
    #[error("{file}: the probe failed (exit {status:?}): {stderr}")]
    Failed {
        /// The configuration.
        file: String,
        /// Exit status of `lxconf run`, when it exited.
        status: Option<i32>,
        /// What it printed on stderr.
        stderr: String,
    },
}

/// Run a configuration with the probe as its command and collect what it sees.
pub fn run(file: &str, include_base: Option<&std::path::Path>) -> Result<Observations, ProbeError> {
    let exe = std::env::current_exe().map_err(ProbeError::Executable)?;
    let report = tempfile::NamedTempFile::new().map_err(ProbeError::LimitsReport)?;
    let mut cmd = Command::new(exe);
    cmd.arg("run").arg("--report-limits").arg(report.path());
    if let Some(b) = include_base {
        cmd.arg("--include-base").arg(b);
    }
    let marker = marker();
    cmd.args([file, "--", "/bin/sh", "-c", SCRIPT, "probe", &marker]);
    let out = cmd.output().map_err(ProbeError::Spawn)?;
    if !out.status.success() {
        return Err(ProbeError::Failed {
            file: file.to_string(),
            status: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let mut obs = parse(&String::from_utf8_lossy(&out.stdout), &marker);
    let limits = std::fs::read_to_string(report.path()).map_err(ProbeError::LimitsReport)?;
    let mut lines: Vec<String> = limits.lines().map(str::to_string).collect();
    lines.sort();
    obs.insert(CGROUP_LIMITS.to_string(), lines);
    Ok(obs)
}

/// One compared observation.
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    /// Section.
    pub name: String,
    /// Verdict.
    pub status: Status,
    /// Lines only on the left, only on the right, with the reason when expected.
    pub details: Vec<(String, String, Option<&'static str>)>,
}

/// Environment variables each system sets by itself.
const SYSTEM_ENV: &[&str] = &[
    "container",
    "container_uuid",
    "container_ttys",
    "LIBVIRT_LXC_NAME",
    "LIBVIRT_LXC_UUID",
    "LIBVIRT_LXC_CMDLINE",
    "PATH",
    "TERM",
    "HOME",
];

/// Mount points and /dev entries whose presence differs between LXC and libvirt by design.
fn expected_line(section: &str, line: &str) -> Option<&'static str> {
    let first = line.split_whitespace().next().unwrap_or("");
    match section {
        "environment" => {
            let name = line.split('=').next().unwrap_or("");
            SYSTEM_ENV
                .contains(&name)
                .then_some("LXC and libvirt set their own variables for init")
        }
        "mounts" => {
            let libvirt_layout = [
                "/proc/sys",
                "/proc/sys/net/ipv4",
                "/proc/sys/net/ipv6",
                "/proc/meminfo",
                "/sys/fs/cgroup",
                "/dev/pts",
                "/dev/ptmx",
                "/dev/console",
                "/proc/sys/kernel/random/boot_id",
                "/sys/devices/virtual/net",
                "/sys/kernel/security",
                "/proc/sysrq-trigger",
            ];
            (libvirt_layout.iter().any(|p| first == *p || first.starts_with(&format!("{p}/"))) || first.starts_with("/dev/tty") || first.starts_with("/sys/fs/cgroup"))
                .then_some("/proc, /sys, /dev and cgroup layouts differ between LXC and libvirt (docs/equivalence.md)")
                .or_else(|| (first == "/proc" || first == "/sys" || first == "/dev").then_some("the options of LXC's and libvirt's automatic mounts differ"))
        }
        NAMESPACES => line
            .starts_with("cgroup ")
            .then_some("libvirt creates no cgroup namespace; LXC does when the kernel has them"),
        "dev" => ["console", "pts", "ptmx", ".lxc-boot-id", "shm", "mqueue"]
            .contains(&first)
            .then_some("LXC and libvirt populate /dev differently")
            .or_else(|| {
                first
                    .starts_with("tty")
                    .then_some("libvirt creates a tty per extra console")
            }),
        _ => None,
    }
}

/// Mount flags libvirt adds to every `<filesystem type='ram'>` tmpfs (seen under
/// libvirt_lxc 9.0: `rw,nosuid,nodev,relatime` where LXC's tmpfs entry gives `rw,relatime`).
const LIBVIRT_TMPFS_FLAGS: [&str; 2] = ["nosuid", "nodev"];

/// A mount line only on one side and the same mount point on the other side that differs
/// only by libvirt's tmpfs flags: one expected difference, not two unexpected ones.
fn pair_tmpfs_flags(details: &mut Vec<(String, String, Option<&'static str>)>) {
    let without_flags = |line: &str| -> Option<(String, String, bool)> {
        let (target, opts) = line.split_once(' ')?;
        let all: Vec<&str> = opts.split(',').collect();
        let kept: Vec<&str> = all
            .iter()
            .copied()
            .filter(|o| !LIBVIRT_TMPFS_FLAGS.contains(o))
            .collect();
        let has_flags = kept.len() + LIBVIRT_TMPFS_FLAGS.len() == all.len();
        Some((target.to_string(), kept.join(","), has_flags))
    };
    let lefts: Vec<usize> = (0..details.len())
        .filter(|&i| details[i].1.is_empty())
        .collect();
    let mut paired = Vec::new();
    for li in lefts {
        let Some(left) = without_flags(&details[li].0) else {
            continue;
        };
        let right = (0..details.len()).find(|&ri| {
            details[ri].0.is_empty()
                && !paired.contains(&ri)
                && without_flags(&details[ri].1)
                    .is_some_and(|r| r.0 == left.0 && r.1 == left.1 && r.2 != left.2)
        });
        if let Some(ri) = right {
            details[li].1 = std::mem::take(&mut details[ri].1);
            details[li].2 = Some("libvirt mounts every tmpfs (`<filesystem type='ram'>`) with nosuid and nodev; an LXC tmpfs entry without them has neither");
            paired.push(ri);
        }
    }
    paired.sort_unstable();
    for ri in paired.into_iter().rev() {
        details.remove(ri);
    }
}

/// The section holding loopback's interface flags (`0x8` down, `0x9`/`0x49` up).
const LOOPBACK: &str = "loopback";

/// Why loopback's state may differ between an LXC and a libvirt container (the static
/// comparison gives the same reason).
const LIBVIRT_LOOPBACK: &str = "libvirt brings loopback up in the container's own network namespace; LXC only for an `empty` network that is up";

/// Why a section seen in one container only is not a difference: the other container has
/// no /proc (or no /sys) to show it (an LXC container without `lxc.mount.auto`), so
/// nothing can be compared there; `equiv --static` compares those settings.
const UNOBSERVABLE: &str = "not observable in one container (it has no /proc or no /sys): compare these settings with --static";

/// True when a section shows nothing because the container lacks the filesystem it reads:
/// /proc for capabilities, limits, mounts and namespaces, /sys for interfaces and loopback.
fn unobservable(section: &str, lines: &[String]) -> bool {
    let blank = lines.is_empty() || lines.iter().all(|l| l.starts_with("(no /"));
    match section {
        "capabilities" | "limits" | "mounts" | "interfaces" | LOOPBACK => blank,
        NAMESPACES => !lines.is_empty() && lines.iter().all(|l| l.ends_with("(no /proc)")),
        _ => false,
    }
}

/// True when the probe ran in a libvirt container (libvirt sets `container=lxc-libvirt`).
fn is_libvirt(o: &Observations) -> bool {
    o.get("environment")
        .is_some_and(|env| env.iter().any(|l| l == "container=lxc-libvirt"))
}

/// True when the probe ran in an LXD or Incus container: their shared-mounts directory
/// (`/dev/.lxd-mounts`, `/dev/.incus-mounts`) is mounted in every one.
fn is_lxd(o: &Observations) -> bool {
    o.get("mounts").is_some_and(|m| {
        m.iter()
            .any(|l| l.starts_with("/dev/.lxd-mounts ") || l.starts_with("/dev/.incus-mounts "))
    })
}

/// What LXD adds to every container and no LXC config can take away (docs/lxd.md, "What
/// LXD adds"; the writer names each as a C402 note): expected when one side runs under LXD.
fn lxd_expected_line(section: &str, line: &str) -> Option<&'static str> {
    let first = line.split_whitespace().next().unwrap_or("");
    let lxd_mount = |p: &str| {
        lxconf_model::lxd::additions::OPTIONAL_BINDS
            .iter()
            .any(|(bind, _)| *bind == p)
            || [
                "/dev/.lxd-mounts",
                "/dev/.incus-mounts",
                "/dev/lxd",
                "/dev/incus",
                "/dev/mqueue",
            ]
            .contains(&p)
    };
    match section {
        "mounts" => lxd_mount(first).then_some(
            "LXD binds /dev/fuse, /dev/net/tun and /sys/kernel/* when the host has them, and its shared-mounts directory, in every container",
        ),
        "dev" => ["fuse", "net", "mqueue", "lxd", "incus"]
            .contains(&first)
            .then_some("LXD binds /dev/fuse and /dev/net/tun and mounts /dev/mqueue in every container"),
        "cgroup limits" => [
            "memory.soft_limit_in_bytes",
            "memory.memsw.limit_in_bytes",
            "memory.low",
            "memory.swap.max",
        ]
        .contains(&first)
        .then_some("LXD's limits.memory also sets a soft limit at 90% and no swap (C402)"),
        _ => None,
    }
}

/// Compare two probes, section by section.
pub fn compare(a: &Observations, b: &Observations) -> Vec<Compared> {
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .map(|name| {
            let empty = Vec::new();
            let (la, lb) = (a.get(name).unwrap_or(&empty), b.get(name).unwrap_or(&empty));
            let (sa, sb): (BTreeSet<&String>, BTreeSet<&String>) =
                (la.iter().collect(), lb.iter().collect());
            let mut details = Vec::new();
            for l in sa.difference(&sb) {
                details.push(((*l).clone(), String::new(), expected_line(name, l)));
            }
            for l in sb.difference(&sa) {
                details.push((String::new(), (*l).clone(), expected_line(name, l)));
            }
            if name == "mounts" {
                pair_tmpfs_flags(&mut details);
            }
            if is_lxd(a) != is_lxd(b) {
                for d in &mut details {
                    let line = if d.0.is_empty() { &d.1 } else { &d.0 };
                    d.2 = lxd_expected_line(name, line).or(d.2);
                }
            }
            if name == LOOPBACK && is_libvirt(a) != is_libvirt(b) {
                for d in &mut details {
                    d.2 = d.2.or(Some(LIBVIRT_LOOPBACK));
                }
            }
            if unobservable(name, la) != unobservable(name, lb) {
                for d in &mut details {
                    d.2 = d.2.or(Some(UNOBSERVABLE));
                }
            }
            let status = if details.is_empty() {
                Status::Equal
            } else if details.iter().all(|d| d.2.is_some()) {
                Status::Expected
            } else {
                Status::Unexpected
            };
            Compared {
                name: name.clone(),
                status,
                details,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_value_cannot_start_a_section() {
        // An environment variable holding "\n@hostname\nweb" must not overwrite the real
        // hostname section: sections start with the run's own marker only.
        let m = marker();
        assert_ne!(m, marker(), "markers are random");
        let out = format!("{m}hostname\nevil\n{m}environment\nX=1\n@hostname\nweb\n");
        let o = parse(&out, &m);
        assert_eq!(o["hostname"], ["evil"]);
        assert_eq!(o["environment"], ["X=1", "@hostname", "web"]);
    }

    #[test]
    fn probes_parse_into_sections() {
        let o = parse("@hostname\nweb\n@env\nA=1\nB=2\n", "@");
        assert_eq!(o["hostname"], ["web"]);
        assert_eq!(o["env"].len(), 2);
    }

    #[test]
    fn loopback_state_differs_as_expected_only_between_lxc_and_libvirt() {
        let lxc = parse("@environment\ncontainer=lxc\n@loopback\n0x8\n", "@");
        let lxc_up = parse("@environment\ncontainer=lxc\n@loopback\n0x9\n", "@");
        let libvirt = parse("@environment\ncontainer=lxc-libvirt\n@loopback\n0x9\n", "@");
        let verdict = |a: &Observations, b: &Observations| {
            compare(a, b)
                .into_iter()
                .find(|c| c.name == "loopback")
                .map(|c| c.status)
        };
        assert_eq!(verdict(&lxc, &libvirt), Some(Status::Expected));
        assert_eq!(verdict(&lxc, &lxc_up), Some(Status::Unexpected));
    }

    #[test]
    fn a_section_one_container_cannot_see_is_not_a_difference() {
        let blind = parse("@capabilities\n@mounts\n(no /proc)\n@interfaces\n", "@");
        let seeing = parse(
            "@capabilities\nCapBnd:\t000001ffffffffff\n@mounts\n/ rw\n@interfaces\nlo\n",
            "@",
        );
        for c in compare(&blind, &seeing) {
            assert_eq!(c.status, Status::Expected, "{}", c.name);
        }
        let other = parse("@capabilities\nCapBnd:\t0000000000000000\n", "@");
        let caps = compare(&other, &seeing)
            .into_iter()
            .find(|c| c.name == "capabilities")
            .map(|c| c.status);
        assert_eq!(caps, Some(Status::Unexpected));
    }

    #[test]
    fn namespaces_are_compared_as_the_host_s_or_their_own() {
        let host = std::fs::read_link("/proc/self/ns/net").expect("/proc");
        let text = format!(
            "@namespaces\nnet {}\nuts uts:[1]\npid \n",
            host.to_string_lossy()
        );
        let o = parse(&text, "@");
        assert_eq!(o["namespaces"], ["net host", "uts own", "pid (no /proc)"]);
    }

    #[test]
    fn a_writable_mount_is_unexpected_and_the_container_variable_is_expected() {
        let a = parse(
            "@mounts\n/data ro,relatime\n@environment\ncontainer=lxc\n",
            "@",
        );
        let b = parse(
            "@mounts\n/data rw,relatime\n@environment\ncontainer=lxc-libvirt\n",
            "@",
        );
        let c = compare(&a, &b);
        let get = |n: &str| c.iter().find(|x| x.name == n).map(|x| x.status);
        assert_eq!(get("mounts"), Some(Status::Unexpected));
        assert_eq!(get("environment"), Some(Status::Expected));
    }

    #[test]
    fn libvirt_tmpfs_flags_are_expected_and_other_flags_are_not() {
        let lxc = parse("@mounts\n/tmp rw,relatime\n/data rw,relatime\n", "@");
        let libvirt = parse(
            "@mounts\n/tmp rw,nosuid,nodev,relatime\n/data rw,nosuid,relatime\n",
            "@",
        );
        let c = compare(&lxc, &libvirt);
        let mounts = c.iter().find(|c| c.name == "mounts").expect("mounts");
        assert_eq!(mounts.status, Status::Unexpected);
        let tmp: Vec<_> = mounts
            .details
            .iter()
            .filter(|d| d.0.starts_with("/tmp"))
            .collect();
        assert_eq!(tmp.len(), 1, "{:?}", mounts.details);
        assert!(tmp[0].2.is_some());
        assert!(mounts
            .details
            .iter()
            .any(|d| d.0.starts_with("/data") && d.2.is_none()));
    }

    #[test]
    fn different_cgroup_limits_are_unexpected() {
        let mut a = parse("@hostname\nweb\n", "@");
        let mut b = a.clone();
        a.insert(CGROUP_LIMITS.into(), vec!["memory.max 67108864".into()]);
        b.insert(CGROUP_LIMITS.into(), vec!["memory.max 134217728".into()]);
        let c = compare(&a, &b);
        let limits = c
            .iter()
            .find(|x| x.name == CGROUP_LIMITS)
            .expect("compared");
        assert_eq!(limits.status, Status::Unexpected);
    }
}
