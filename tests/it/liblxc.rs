//! Differential test against liblxc 5 (Debian's python3-lxc, run live through
//! `tests/oracle/liblxc_dump.py`):
//!
//! - lxconf accepts exactly the configs liblxc accepts. Legacy keys are the one deliberate
//!   difference: liblxc 5 refuses them, lxconf accepts them with a deprecation warning.
//! - For every key liblxc reports, the model holds the same value (compared per key, in the
//!   shape python-lxc's `get_config_item` returns).
//! - Every mutation in `corpus/mutations/mutations.toml` gets the same verdict from both.

use crate::support::*;
use lxconf_model::lxc_key::{ExactKey, Field};
use lxconf_model::model::*;
use lxconf_model::{Cap, Code, Namespace};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const PYTHON: &str = "/usr/bin/python3";

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Verdict {
    pub file: String,
    pub loaded: bool,
    pub crashed: bool,
    #[serde(default)]
    pub error: Option<String>,
    pub error_lineno: Option<usize>,
    pub items: BTreeMap<String, Value>,
    #[serde(default)]
    pub random_keys: Vec<String>,
}

fn oracle_available() -> Result<(), String> {
    let ok = Command::new(PYTHON)
        .args(["-c", "import lxc"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err("liblxc's python module is missing: run ./scripts/test-all.sh (it installs lxc and python3-lxc) or `apt-get install lxc python3-lxc`".into())
    }
}

/// Run the oracle on files, with liblxc's cwd set to `cwd` (relative includes).
pub fn run_oracle(cwd: &str, files: &[String]) -> Vec<Verdict> {
    if let Err(e) = oracle_available() {
        panic!("{e}");
    }
    let out = Command::new(PYTHON)
        .arg("tests/oracle/liblxc_dump.py")
        .args(["--cwd", cwd, "--relative-to", "."])
        .args(files)
        .current_dir(root())
        .output()
        .expect("run the liblxc oracle");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("oracle line"))
        .collect()
}

pub(crate) fn is_legacy(loaded: &lxconf_parse::Loaded) -> bool {
    loaded
        .diagnostics
        .iter()
        .any(|d| matches!(d.code, Code::L002 | Code::L015 | Code::L012))
}

/// A value as python-lxc returns it, flattened to lines for comparison.
fn lines(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::String(s) => s.split('\n').map(str::to_string).collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn scalar(v: &Value) -> String {
    lines(v).join("\n")
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn b01(b: bool) -> String {
    if b { "1" } else { "0" }.to_string()
}

fn net(c: &Container, n: u32) -> Option<&Network> {
    c.networks.iter().find(|x| x.index == n)
}

/// What the model says for a key, in a comparable form, or None when this test does not
/// check the key. Each arm states liblxc's getter format.
pub(crate) fn expected(c: &Container, key: &str, got: &Value) -> Option<Result<(), String>> {
    let eq = |want: String, have: String| -> Result<(), String> {
        if want == have {
            Ok(())
        } else {
            Err(format!("liblxc {have:?}, lxconf {want:?}"))
        }
    };
    let got_s = scalar(got);
    let r = |want: String| Some(eq(want, got_s.clone()));
    // Keys the key table maps to one field are compared through the table's own accessor:
    // the table is checked against liblxc, key by key.
    if let Some(field) = ExactKey::from_name(key).and_then(|k| k.field()) {
        return r(match field {
            Field::Flag { get, .. } => b01(get(c)),
            Field::Count { get, .. } => get(c).to_string(),
            Field::Path { get, .. } | Field::Text { get, .. } => {
                get(c).unwrap_or_default().to_string()
            }
        });
    }
    match key {
        // Rootfs options without a rootfs path change nothing: the model has no rootfs.
        "lxc.rootfs.options" | "lxc.rootfs.managed" if c.rootfs.is_none() => None,
        "lxc.uts.name" => r(opt(&c.hostname)),
        "lxc.arch" => r(opt(&c.arch)),
        "lxc.rootfs.path" => r(c
            .rootfs
            .as_ref()
            .map(|r| r.path.clone())
            .unwrap_or_default()),
        "lxc.rootfs.options" => r(c
            .rootfs
            .as_ref()
            .map(|r| r.options.join(","))
            .unwrap_or_default()),
        "lxc.rootfs.managed" => r(b01(c.rootfs.as_ref().is_none_or(|r| r.managed))),
        "lxc.init.cmd" => {
            let have = got_s.split_whitespace().collect::<Vec<_>>().join(" ");
            Some(eq(c.init.command.join(" "), have))
        }
        "lxc.execute.cmd" => {
            let have = got_s.split_whitespace().collect::<Vec<_>>().join(" ");
            Some(eq(
                c.init.execute_command.clone().unwrap_or_default().join(" "),
                have,
            ))
        }
        "lxc.init.uid" => r(c.init.uid.to_string()),
        "lxc.init.gid" => r(c.init.gid.to_string()),
        "lxc.init.groups" => r(c
            .init
            .groups
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")),
        "lxc.init.cwd" => {
            // Without an explicit cwd the model says "/" for a rootfs container.
            let have = if got_s.is_empty() && c.rootfs.is_some() {
                "/".to_string()
            } else {
                got_s.clone()
            };
            Some(eq(opt(&c.init.cwd), have))
        }
        "lxc.environment" => {
            let want: Vec<String> = c
                .init
                .env
                .iter()
                .take(c.init.env.len().saturating_sub(1)) // the implicit container=lxc
                .map(|e| match &e.value {
                    Some(v) => format!("{}={v}", e.name),
                    None => e.name.clone(),
                })
                .collect();
            Some(eq(want.join("\n"), lines(got).join("\n")))
        }
        "lxc.tty.dir" => r(opt(&c.dev.tty_dir)),
        "lxc.autodev" => r(b01(c.dev.autodev)),
        // 0 (or an empty value) means the runtime default the model writes out.
        "lxc.autodev.tmpfs.size" => Some(eq(
            c.dev.tmpfs_size.0.to_string(),
            if got_s == "0" {
                "500000".into()
            } else {
                got_s.clone()
            },
        )),
        "lxc.console.path" => r(if c.console.enabled {
            opt(&c.console.path)
        } else {
            "none".into()
        }),
        "lxc.console.size" => r(c.console.log_size.map_or(0, |s| s.0).to_string()),
        "lxc.console.buffer.size" => r(c.console.buffer_size.map_or(0, |s| s.0).to_string()),
        "lxc.log.syslog" => r(opt(&c.logging.syslog)),
        "lxc.log.level" => {
            let want = format!("{:?}", c.logging.level).to_uppercase();
            let have = if got_s == "NOTSET" {
                "ERROR".to_string()
            } else {
                got_s.clone()
            };
            Some(eq(want, have))
        }
        // Both getters print the one active list (a liblxc quirk).
        "lxc.cap.drop" | "lxc.cap.keep" => match &c.capabilities {
            Capabilities::Drop { caps } | Capabilities::Keep { caps } => {
                // liblxc prints numeric capabilities as written.
                let have: BTreeSet<String> = lines(got)
                    .into_iter()
                    .map(|t| {
                        t.parse::<u32>()
                            .ok()
                            .and_then(Cap::from_index)
                            .map_or(t.clone(), |c| c.name().to_string())
                    })
                    .collect();
                let want: BTreeSet<String> = caps.iter().map(|c| c.name().to_string()).collect();
                Some(if want == have {
                    Ok(())
                } else {
                    Err(format!("liblxc {have:?}, lxconf {want:?}"))
                })
            }
            Capabilities::Policy { .. } => Some(Err("policy in an LXC model".into())),
        },
        "lxc.apparmor.raw" => Some(eq(
            c.security.apparmor_raw.join("\n"),
            lines(got).join("\n"),
        )),
        // The getter drops the `unix:` prefix.
        "lxc.seccomp.notify.proxy" => r(c
            .security
            .seccomp_notify_proxy
            .as_deref()
            .map(|p| p.trim_start_matches("unix:").to_string())
            .unwrap_or_default()),
        // Any non-zero number means true; liblxc prints it as written.
        "lxc.monitor.unshare" => Some(eq(
            b01(c.lxc.monitor_unshare),
            b01(got_s.parse::<u64>().is_ok_and(|n| n != 0)),
        )),

        "lxc.start.delay" => r(c.autostart.delay_s.to_string()),
        "lxc.start.order" => r(c.autostart.order.to_string()),
        "lxc.group" => Some(eq(c.autostart.groups.join("\n"), lines(got).join("\n"))),
        "lxc.signal.halt"
        | "lxc.signal.reboot"
        | "lxc.signal.stop"
        | "lxc.monitor.signal.pdeath" => {
            let d = Signals::default();
            let (have, default) = match key {
                "lxc.signal.halt" => (c.signals.halt, d.halt),
                "lxc.signal.reboot" => (c.signals.reboot, d.reboot),
                "lxc.signal.stop" => (c.signals.stop, d.stop),
                _ => (c.signals.monitor_pdeath, d.monitor_pdeath),
            };
            let got_n = if got_s == "0" || got_s.is_empty() {
                default.0
            } else {
                got_s.parse().unwrap_or(u32::MAX)
            };
            Some(eq(have.0.to_string(), got_n.to_string()))
        }
        "lxc.idmap" => Some(eq(
            c.idmap
                .iter()
                .map(|m| {
                    let k = if m.kind == IdKind::Uid { "u" } else { "g" };
                    format!("{k} {} {} {}", m.container_start, m.host_start, m.count)
                })
                .collect::<Vec<_>>()
                .join("\n"),
            lines(got).join("\n"),
        )),
        // An empty list means "the defaults", which the model resolves.
        "lxc.namespace.clone" | "lxc.namespace.keep" if lines(got).is_empty() => None,
        // liblxc prints the list as written; a shared namespace is joined, not created,
        // whatever the list says (the model leaves it out of `clone`).
        "lxc.namespace.clone" | "lxc.namespace.keep" => {
            let shared = |name: &str| {
                Namespace::from_name(name).is_some_and(|n| c.namespaces.share.contains_key(&n))
            };
            let have: BTreeSet<String> = lines(got).into_iter().filter(|n| !shared(n)).collect();
            let want: BTreeSet<String> = Namespace::ALL
                .iter()
                .filter(|n| c.namespaces.clone.contains(n) == (key == "lxc.namespace.clone"))
                .map(|n| n.name().to_string())
                .filter(|n| !shared(n))
                .collect();
            Some(if want == have {
                Ok(())
            } else {
                Err(format!("liblxc {have:?}, lxconf {want:?}"))
            })
        }
        "lxc.time.offset.boot" | "lxc.time.offset.monotonic" => {
            let have = got_s.replace(' ', "");
            let have_ns: i64 = if let Some(n) = have.strip_suffix("ns") {
                n.parse().unwrap_or(i64::MIN)
            } else if let Some(n) = have.strip_suffix('s') {
                n.parse::<i64>()
                    .map(|n| n * 1_000_000_000)
                    .unwrap_or(i64::MIN)
            } else {
                have.parse().unwrap_or(0)
            };
            let want = if key.ends_with("boot") {
                c.time_offsets.boot_ns
            } else {
                c.time_offsets.monotonic_ns
            };
            // The getter prints the whole-seconds part when there is one and hides the
            // sub-second part then: a model offset off by a sub-second rest agrees.
            let hidden_rest = !have.ends_with("ns")
                && want % 1_000_000_000 != 0
                && (want - have_ns).abs() < 1 << 62;
            if hidden_rest {
                return Some(Ok(()));
            }
            Some(eq(want.to_string(), have_ns.to_string()))
        }
        "lxc.mount.auto" => {
            let mut tokens = Vec::new();
            match c.auto_mounts.proc {
                Some(ProcMode::Mixed) => tokens.push("proc:mixed"),
                Some(ProcMode::Rw) => tokens.push("proc:rw"),
                _ => {}
            }
            match c.auto_mounts.sys {
                Some(SysMode::Mixed) => tokens.push("sys:mixed"),
                Some(SysMode::Ro) => tokens.push("sys:ro"),
                Some(SysMode::Rw) => tokens.push("sys:rw"),
                _ => {}
            }
            // The getter prints the cgroup token as written, without `:force` forms and
            // cgroup2; the model holds it resolved (mode from CAP_SYS_ADMIN, forced without it).
            let printed = got_s.split_whitespace().find(|t| t.starts_with("cgroup"));
            if let Err(e) = cgroup_auto_matches(c, printed) {
                return Some(Err(e));
            }
            let have: BTreeSet<&str> = got_s
                .split_whitespace()
                .filter(|t| !t.starts_with("cgroup"))
                .collect();
            let want: BTreeSet<&str> = tokens.into_iter().collect();
            Some(if have == want {
                Ok(())
            } else {
                Err(format!("liblxc {have:?}, lxconf {want:?}"))
            })
        }
        "lxc.mount.entry" => {
            // Every entry liblxc keeps is a model mount (or an ignored one, reported).
            let mut missing = Vec::new();
            for entry in lines(got) {
                let source = entry.split_whitespace().next().unwrap_or("");
                let source = lxconf_parse::fstab::decode_escapes(source);
                let known = c.mounts.iter().any(|m| m.source == source)
                    || c.unrecognized
                        .iter()
                        .any(|u| u.value.starts_with(&format!("{source} ")));
                if !known {
                    missing.push(entry);
                }
            }
            Some(if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("entries not in the model: {missing:?}"))
            })
        }
        "lxc.hook.version" => r(c.hooks.version.to_string()),
        "lxc.cgroup.dir"
        | "lxc.cgroup.dir.container"
        | "lxc.cgroup.dir.container.inner"
        | "lxc.cgroup.dir.monitor"
        | "lxc.cgroup.dir.monitor.pivot"
        | "lxc.cgroup.relative" => {
            let name = key.trim_start_matches("lxc.cgroup.");
            let want = c.lxc.cgroup_dirs.get(name).cloned().unwrap_or_default();
            let have = if name == "relative" && got_s == "0" && want.is_empty() {
                String::new()
            } else {
                got_s.clone()
            };
            Some(eq(want, have))
        }
        _ => {
            if let Some(h) = key.strip_prefix("lxc.hook.") {
                let kind = HookKind::from_name(h)?;
                let want: Vec<String> = c
                    .hooks
                    .hooks
                    .iter()
                    .filter(|x| x.kind == kind)
                    .map(|x| x.command.clone())
                    .collect();
                return Some(eq(want.join("\n"), lines(got).join("\n")));
            }
            if let Some(res) = key.strip_prefix("lxc.prlimit.") {
                let p = c.prlimits.iter().find(|p| p.resource == res);
                let want = p.map_or(String::new(), |p| {
                    if p.soft == p.hard {
                        p.soft.to_string()
                    } else {
                        format!("{}:{}", p.soft, p.hard)
                    }
                });
                return Some(eq(want, got_s));
            }
            if let Some(k) = key.strip_prefix("lxc.sysctl.") {
                let want = c
                    .sysctls
                    .iter()
                    .find(|s| s.key == k)
                    .map(|s| s.value.clone());
                return Some(eq(want.unwrap_or_default(), got_s));
            }
            if let Some(k) = key.strip_prefix("lxc.proc.") {
                let want: String = c
                    .proc
                    .iter()
                    .filter(|s| s.key == k)
                    .map(|s| s.value.as_str())
                    .collect();
                return Some(eq(want, got_s));
            }
            if let Some(ns) = key.strip_prefix("lxc.namespace.share.") {
                let ns = Namespace::from_name(ns)?;
                return Some(eq(
                    c.namespaces.share.get(&ns).cloned().unwrap_or_default(),
                    got_s,
                ));
            }
            if let Some(file) = key
                .strip_prefix("lxc.cgroup2.")
                .or_else(|| key.strip_prefix("lxc.cgroup."))
            {
                return cgroup_expected(c, key.starts_with("lxc.cgroup2."), file, got);
            }
            if let Some(rest) = key.strip_prefix("lxc.net.") {
                let (n, sub) = rest.split_once('.')?;
                let n: u32 = n.parse().ok()?;
                return net_expected(net(c, n), sub, &got_s).map(|w| eq(w, got_s.clone()));
            }
            None
        }
    }
}

/// The cgroup token liblxc prints for `lxc.mount.auto` (if any) against the model's
/// resolved cgroup automount.
fn cgroup_auto_matches(c: &Container, printed: Option<&str>) -> Result<(), String> {
    let sys_admin = !c
        .capabilities
        .dropped()
        .contains(&Cap::from_name("sys_admin").expect("sys_admin"));
    let model = c.auto_mounts.cgroup;
    let Some(token) = printed else {
        // Not printed: none, a cgroup2 token, or a `:force` one.
        return match model {
            None => Ok(()),
            Some(cg) if cg.flavor == CgroupFlavor::V2 || cg.force => Ok(()),
            Some(cg) => Err(format!("liblxc prints no cgroup token, lxconf {cg:?}")),
        };
    };
    let (flavor, mode) = match token.split_once(':') {
        Some((f, m)) => (f, Some(m)),
        None => (token, None),
    };
    let want_flavor = if flavor == "cgroup" {
        CgroupFlavor::Own
    } else {
        CgroupFlavor::Full
    };
    let want_mode = match mode {
        Some("mixed") => CgroupMode::Mixed,
        Some("ro") => CgroupMode::Ro,
        Some("rw") => CgroupMode::Rw,
        _ if sys_admin => CgroupMode::Rw,
        _ => CgroupMode::Mixed,
    };
    match model {
        Some(cg)
            if cg.flavor == want_flavor && cg.mode == Some(want_mode) && cg.force != sys_admin =>
        {
            Ok(())
        }
        other => Err(format!("liblxc `{token}`, lxconf {other:?}")),
    }
}

/// cgroup files: raw ones are kept verbatim; typed ones are checked for the common keys.
fn cgroup_expected(c: &Container, v2: bool, file: &str, got: &Value) -> Option<Result<(), String>> {
    let version = if v2 {
        CgroupVersion::V2
    } else {
        CgroupVersion::V1
    };
    let values = lines(got);
    let raw: Vec<String> = c
        .resources
        .cgroup
        .iter()
        .filter(|s| s.version == version && s.key == file)
        .map(|s| s.value.clone())
        .collect();
    if !raw.is_empty() {
        return Some(if raw == values {
            Ok(())
        } else {
            Err(format!("liblxc {values:?}, lxconf {raw:?}"))
        });
    }
    let last = values.last()?.clone();
    let r = &c.resources;
    let mem = lxconf_parse::lxc::lower::kernel_memparse(&last);
    let check = |ok: bool| {
        Some(if ok {
            Ok(())
        } else {
            Err(format!("liblxc {last:?} not in the model"))
        })
    };
    match file {
        "memory.max" | "memory.limit_in_bytes" => {
            check(r.memory_limit == mem || (mem.is_none() && r.memory_limit.is_none()))
        }
        "memory.high" | "memory.soft_limit_in_bytes" => check(r.memory_soft_limit == mem),
        "memory.swap.max" => {
            check(r.swap_limit == mem || (last == "max" && r.swap_limit.is_none()))
        }
        "memory.memsw.limit_in_bytes" => check(r.memory_swap_limit == mem),
        "cpu.shares" => check(r.cpu_shares.map(|x| x.to_string()) == Some(last.clone())),
        "cpu.weight" => check(r.cpu_weight.map(|x| x.to_string()) == Some(last.clone())),
        "pids.max" => check(
            r.pids_max.map(|x| x.to_string()) == Some(last.clone())
                || (last == "max" && r.pids_max.is_none()),
        ),
        "cpuset.cpus" => check(
            r.cpuset_cpus.as_ref().map(|s| s.to_string())
                == last
                    .parse::<lxconf_model::CpuSet>()
                    .ok()
                    .map(|s| s.to_string()),
        ),
        "cpu.cfs_quota_us" => check(r.cpu_quota_us.map(|x| x.to_string()) == Some(last.clone())),
        "cpu.cfs_period_us" => check(r.cpu_period_us.map(|x| x.to_string()) == Some(last.clone())),
        "cpu.max" => {
            let mut parts = last.split_whitespace();
            let quota = parts.next().map(|q| {
                if q == "max" {
                    "-1".to_string()
                } else {
                    q.to_string()
                }
            });
            let period = parts.next().map(str::to_string);
            check(
                r.cpu_quota_us.map(|x| x.to_string()) == quota
                    && (period.is_none() || r.cpu_period_us.map(|x| x.to_string()) == period),
            )
        }
        "cpuset.mems" => check(
            r.cpuset_mems.as_ref().map(|s| s.to_string())
                == last
                    .parse::<lxconf_model::CpuSet>()
                    .ok()
                    .map(|s| s.to_string()),
        ),
        "blkio.weight" => check(r.blkio_weight.map(|x| x.to_string()) == Some(last.clone())),
        "io.weight" => check(
            r.blkio_weight.map(|x| x.to_string())
                == Some(last.trim_start_matches("default ").to_string()),
        ),
        "blkio.throttle.read_bps_device"
        | "blkio.throttle.write_bps_device"
        | "blkio.weight_device"
        | "io.max" => {
            let dev = last.split_whitespace().next().unwrap_or("").to_string();
            check(r.blkio_devices.iter().any(|d| d.device == dev))
        }
        "devices.allow" | "devices.deny" => {
            let allow = file.ends_with("allow");
            let n = c.device_rules.iter().filter(|d| d.allow == allow).count();
            check(n >= values.len())
        }
        _ => None,
    }
}

fn net_expected(n: Option<&Network>, sub: &str, got: &str) -> Option<String> {
    let Some(n) = n else {
        // An interface the model dropped (untyped): liblxc reports "(null)" / empty values.
        return (got.is_empty() || got == "(null)").then(|| got.to_string());
    };
    // The loopback the model writes out for a config without networks: liblxc has no
    // netdev for it (an untyped network that was dropped, for instance).
    let implicit_lo = n.kind == NetKind::Empty && n.index == 0 && !n.up && n.ipv4.is_empty();
    if implicit_lo && (got.is_empty() || got == "(null)") {
        return None;
    }
    let veth = n.veth.clone().unwrap_or_default();
    Some(match sub {
        "type" => format!("{:?}", n.kind).to_lowercase(),
        "flags" => {
            if n.up {
                "up".into()
            } else {
                String::new()
            }
        }
        // A `+` phys link is expanded against the host's interfaces when parsing.
        "link" if n.link.as_deref().is_some_and(|l| l.ends_with('+')) => return None,
        "link" => opt(&n.link),
        "name" => opt(&n.name),
        "hwaddr" => n.hwaddr.as_ref().map(|m| m.to_string()).unwrap_or_default(),
        "mtu" => n.mtu.map(|m| m.to_string()).unwrap_or_default(),
        "ipv4.address" => n
            .ipv4
            .iter()
            .map(|a| format!("{}/{}", a.address, a.prefix))
            .collect::<Vec<_>>()
            .join("\n"),
        "ipv6.address" => n
            .ipv6
            .iter()
            .map(|a| format!("{}/{}", a.address, a.prefix))
            .collect::<Vec<_>>()
            .join("\n"),
        // After `dev`, a later `auto` makes the getter print `auto`, but liblxc's start code
        // still routes through the device (the model's `dev`).
        "ipv4.gateway" | "ipv6.gateway" => {
            let g = if sub.starts_with("ipv4") {
                &n.ipv4_gateway
            } else {
                &n.ipv6_gateway
            };
            if *g == Some(Gateway::Dev) && got == "auto" {
                return None;
            }
            gateway(g)
        }
        "script.up" => opt(&n.script_up),
        "script.down" => opt(&n.script_down),
        "l2proxy" => b01(n.l2proxy),
        "veth.pair" => opt(&veth.pair),
        "veth.mode" if n.kind == NetKind::Veth => format!("{:?}", veth.mode).to_lowercase(),
        "veth.ipv4.route" | "veth.ipv6.route" => veth
            .routes
            .iter()
            .filter(|r| r.address.is_ipv6() == sub.contains("ipv6"))
            .map(|r| format!("{}/{}", r.address, r.prefix))
            .collect::<Vec<_>>()
            .join("\n"),
        "veth.vlan.id" if n.kind == NetKind::Veth => match veth.vlan_id {
            Some(id) => id.to_string(),
            None if got == "-1" => "-1".into(),
            None => "0".into(),
        },
        "veth.vlan.tagged.id" => veth
            .vlan_tagged
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        "veth.n_rxqueues" => veth.rx_queues.map(|q| q.to_string()).unwrap_or_default(),
        "veth.n_txqueues" => veth.tx_queues.map(|q| q.to_string()).unwrap_or_default(),
        "macvlan.mode" if n.kind == NetKind::Macvlan => n
            .macvlan_mode
            .map(|m| format!("{m:?}").to_lowercase())
            .unwrap_or_default(),
        "ipvlan.mode" if n.kind == NetKind::Ipvlan => n
            .ipvlan_mode
            .map(|m| format!("{m:?}").to_lowercase())
            .unwrap_or_default(),
        "ipvlan.isolation" if n.kind == NetKind::Ipvlan => n
            .ipvlan_isolation
            .map(|m| format!("{m:?}").to_lowercase())
            .unwrap_or_default(),
        "vlan.id" if n.kind == NetKind::Vlan => n
            .vlan_id
            .map(|v| v.to_string())
            .unwrap_or_else(|| "0".into()),
        // Getters of other types' subkeys print empty strings or defaults: not compared.
        _ => return None,
    })
}

fn gateway(g: &Option<Gateway>) -> String {
    match g {
        None => String::new(),
        Some(Gateway::Auto) => "auto".into(),
        Some(Gateway::Dev) => "dev".into(),
        Some(Gateway::Address(a)) => a.to_string(),
    }
}

#[derive(Default)]
struct Tally {
    files: usize,
    agree: usize,
    values_checked: usize,
    values_unchecked: BTreeSet<String>,
    failures: Vec<String>,
}

fn compare_dir(dir: &str, tally: &mut Tally) {
    let files = corpus_files(dir, "conf");
    let verdicts = run_oracle(dir, &files);
    assert_eq!(
        verdicts.len(),
        files.len(),
        "the oracle answered for every file"
    );
    let base = root().join(dir);
    for v in verdicts {
        tally.files += 1;
        let loaded = load_lxc(&v.file, &base);
        let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
        let lxconf_accepts = errors.is_empty();
        let liblxc_accepts = v.loaded && !v.crashed;
        let mut ok = true;
        if liblxc_accepts != lxconf_accepts {
            let legacy_ok = !liblxc_accepts && lxconf_accepts && is_legacy(&loaded);
            if !legacy_ok {
                ok = false;
                tally.failures.push(format!(
                    "{}: liblxc {} it, lxconf {} it{}",
                    v.file,
                    if liblxc_accepts { "accepts" } else { "refuses" },
                    if lxconf_accepts { "accepts" } else { "refuses" },
                    errors
                        .first()
                        .map(|e| format!(" ({}: {})", e.code, e.message))
                        .unwrap_or_default()
                ));
            }
        }
        // liblxc stops at the first bad line; lxconf must report an error on that line.
        // (Legacy files fail in liblxc at their first legacy key instead.)
        if let (false, Some(line), false) = (liblxc_accepts, v.error_lineno, is_legacy(&loaded)) {
            let on_line = errors.iter().any(|e| {
                e.primary.as_ref().is_some_and(|p| {
                    p.origin.source.0 == 0 && loaded.sources.locate(p.origin).line == line
                }) || e.primary.as_ref().is_some_and(|p| p.origin.source.0 != 0)
            });
            if !on_line && !errors.is_empty() {
                ok = false;
                tally.failures.push(format!(
                    "{}: liblxc fails at line {line}, lxconf reports errors elsewhere",
                    v.file
                ));
            }
        }
        if liblxc_accepts && lxconf_accepts {
            let c = &loaded.document.container;
            for (key, value) in &v.items {
                if v.random_keys.contains(key) {
                    continue;
                }
                match expected(c, key, value) {
                    Some(Ok(())) => tally.values_checked += 1,
                    Some(Err(e)) => {
                        ok = false;
                        tally.values_checked += 1;
                        tally.failures.push(format!("{}: {key}: {e}", v.file));
                    }
                    None => {
                        tally.values_unchecked.insert(key.clone());
                    }
                }
            }
        }
        if ok {
            tally.agree += 1;
        }
    }
}

#[test]
fn lxconf_agrees_with_liblxc_on_every_corpus_config() {
    let mut tally = Tally::default();
    compare_dir("corpus/lxc", &mut tally);
    compare_dir("corpus/invalid", &mut tally);
    eprintln!(
        "liblxc agreement: {}/{} configs; {} values compared; keys not compared: {:?}",
        tally.agree, tally.files, tally.values_checked, tally.values_unchecked
    );
    assert!(
        tally.failures.is_empty(),
        "{} disagreement(s):\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}

#[derive(Debug, serde::Deserialize)]
struct Mutations {
    mutation: Vec<Mutation>,
}

#[derive(Debug, serde::Deserialize)]
struct Mutation {
    base: String,
    find: String,
    replace: String,
    description: String,
    liblxc_accepts: bool,
}

/// Mutations liblxc accepts at load time although the container cannot start; lxconf
/// refuses them on purpose. Each is listed in docs/lxc-parsing.md.
const STRICTER: &[(&str, &str)] = &[
    (
        "non-numeric mtu",
        "liblxc stores the MTU as text and fails when it configures the link",
    ),
    (
        "non-numeric init.uid",
        "liblxc's setter returns an error without errno: the value is ignored",
    ),
    (
        "negative init.gid",
        "liblxc's setter returns an error without errno: the value is ignored",
    ),
];

#[test]
fn lxconf_and_liblxc_agree_on_every_mutation() {
    let text =
        std::fs::read_to_string(root().join("corpus/mutations/mutations.toml")).expect("mutations");
    let mutations: Mutations = toml::from_str(&text).expect("mutations.toml");
    assert!(mutations.mutation.len() >= 30);
    // Re-measure liblxc live: write every mutant to a temp dir next to the corpus base
    // (includes are relative to corpus/lxc, which is liblxc's cwd).
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (i, m) in mutations.mutation.iter().enumerate() {
        let base = std::fs::read_to_string(root().join(&m.base)).expect("base");
        assert_eq!(
            base.matches(&m.find).count(),
            1,
            "{}: `find` must occur once",
            m.description
        );
        let path = dir.path().join(format!("mutant-{i:03}.conf"));
        std::fs::write(&path, base.replacen(&m.find, &m.replace, 1)).expect("write");
        files.push(path.display().to_string());
    }
    let verdicts = run_oracle("corpus/lxc", &files);
    let mut failures = Vec::new();
    let mut agree = 0;
    let cwd = root().join("corpus/lxc");
    for ((m, v), path) in mutations.mutation.iter().zip(&verdicts).zip(&files) {
        let liblxc = v.loaded && !v.crashed;
        if liblxc != m.liblxc_accepts {
            failures.push(format!(
                "{}: liblxc's verdict changed (recorded {}, measured {liblxc})",
                m.description, m.liblxc_accepts
            ));
        }
        let text = std::fs::read_to_string(path).expect("mutant");
        let loaded = lxconf_parse::lxc::load(
            path,
            &text,
            &lxconf_parse::LoadOptions {
                fs: &lxconf_parse::fs::RealFs,
                base_dir: cwd.clone(),
                lxd_profiles: Vec::new(),
            },
        );
        let lxconf = !loaded.has_errors();
        if let Some(reason) = STRICTER
            .iter()
            .find(|(d, _)| *d == m.description)
            .map(|(_, r)| r)
        {
            // Deliberately stricter (docs/lxc-parsing.md): liblxc accepts, the start fails.
            assert!(
                liblxc && !lxconf,
                "{}: expected lxconf to be stricter ({reason})",
                m.description
            );
            agree += 1;
            continue;
        }
        if lxconf == liblxc {
            agree += 1;
        } else {
            failures.push(format!(
                "{}: liblxc {liblxc}, lxconf {lxconf}",
                m.description
            ));
        }
    }
    eprintln!(
        "mutations: lxconf agrees with liblxc on {agree}/{}",
        mutations.mutation.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn capability_names_match_the_kernel_headers_liblxc_uses() {
    // liblxc accepts numbers up to the kernel's last capability; lxconf's table must not be
    // shorter than what this kernel knows.
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40);
    assert!(
        Cap::from_index(last).is_some(),
        "capability {last} unknown to lxconf"
    );
}

/// Load LXC text (no includes) as lxconf does.
fn load_text(name: &str, text: &str) -> lxconf_parse::Loaded {
    lxconf_parse::lxc::load(
        name,
        text,
        &lxconf_parse::LoadOptions {
            fs: &lxconf_parse::fs::RealFs,
            base_dir: root(),
            lxd_profiles: Vec::new(),
        },
    )
}

#[test]
fn a_netns_path_is_shared_by_path_both_ways() {
    // liblxc 5 opens an absolute lxc.namespace.share.net value as a namespace file (the
    // netns `ip netns add red` creates); the writer called it inexpressible.
    let text = "lxc.rootfs.path = /srv/r\nlxc.namespace.share.net = /run/netns/red\n";
    let loaded = load_text("share.conf", text);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let out = lxconf_convert::lxc::emit(&loaded.document, &Default::default());
    assert!(out.losses.is_empty(), "{:?}", out.losses);
    assert!(
        out.text
            .contains("lxc.namespace.share.net = /run/netns/red\n"),
        "{}",
        out.text
    );
    let back = load_text("back.conf", &out.text);
    assert_eq!(back.document.container, loaded.document.container);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("written.conf");
    std::fs::write(&path, &out.text).expect("write");
    let verdict = run_oracle(".", &[path.display().to_string()]);
    assert!(verdict[0].loaded, "liblxc refuses {}", out.text);
    assert_eq!(
        verdict[0].items.get("lxc.namespace.share.net"),
        Some(&Value::String("/run/netns/red".into()))
    );
}

#[test]
fn an_ipv4_broadcast_is_written_back_and_liblxc_takes_the_line() {
    // `address/prefix broadcast` as the Gentoo wiki writes it: kept in the model, written
    // back, and the written line loads in liblxc (whose getter does not print it).
    let text = "lxc.net.0.type = veth\nlxc.net.0.ipv4.address = 10.0.3.5/24 10.0.3.127\n";
    let loaded = load_text("bcast.conf", text);
    let a = &loaded.document.container.networks[0].ipv4[0];
    assert_eq!(a.broadcast, Some(std::net::Ipv4Addr::new(10, 0, 3, 127)));
    let out = lxconf_convert::lxc::emit(&loaded.document, &Default::default());
    assert!(
        out.text
            .contains("lxc.net.0.ipv4.address = 10.0.3.5/24 10.0.3.127\n"),
        "{}",
        out.text
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("written.conf");
    std::fs::write(&path, &out.text).expect("write");
    assert!(run_oracle(".", &[path.display().to_string()])[0].loaded);
    // Two blanks, or a tab, before the broadcast: liblxc refuses the file, so must lxconf.
    for bad in ["10.0.3.5/24  10.0.3.127", "10.0.3.5/24\t10.0.3.127"] {
        let text = format!("lxc.net.0.type = veth\nlxc.net.0.ipv4.address = {bad}\n");
        std::fs::write(&path, &text).expect("write");
        assert!(!run_oracle(".", &[path.display().to_string()])[0].loaded);
        assert!(load_text("bad.conf", &text).has_errors(), "{bad:?}");
    }
}

#[test]
fn spellings_liblxc_treats_alike_give_one_model() {
    // Each pair means the same container to liblxc 5 (its setters and start code); the
    // models must be equal, so that a difference between two models is one of meaning.
    let pairs = [
        // cgroup2 tokens always carry the force flag.
        ("lxc.mount.auto = cgroup2", "lxc.mount.auto = cgroup2:force"),
        ("lxc.mount.auto = cgroup2:ro", "lxc.mount.auto = cgroup2:ro:force"),
        // No mode: rw when CAP_SYS_ADMIN is kept, mixed (and forced) when it is dropped.
        ("lxc.mount.auto = cgroup", "lxc.mount.auto = cgroup:rw"),
        (
            "lxc.cap.drop = sys_admin\nlxc.mount.auto = cgroup-full",
            "lxc.cap.drop = sys_admin\nlxc.mount.auto = cgroup-full:mixed:force",
        ),
        // No network: a new netns with only `lo`, down, as `type = empty` without flags.
        ("lxc.uts.name = a", "lxc.uts.name = a\nlxc.net.0.type = empty"),
        // A new ipvlan netdev holds mode 0, which is l2.
        (
            "lxc.net.0.type = ipvlan",
            "lxc.net.0.type = ipvlan\nlxc.net.0.ipvlan.mode = l2",
        ),
        // A console buffer is at least a page.
        ("lxc.console.size = 0", "lxc.console.size = 4096"),
        // `dev` stays once set: a later address or an empty value leaves the device route.
        (
            "lxc.net.0.type = veth\nlxc.net.0.ipv4.gateway = dev\nlxc.net.0.ipv4.gateway = 10.0.3.1",
            "lxc.net.0.type = veth\nlxc.net.0.ipv4.gateway = dev",
        ),
        (
            "lxc.net.0.type = veth\nlxc.net.0.ipv4.gateway = dev\nlxc.net.0.ipv4.gateway = auto\nlxc.net.0.ipv4.gateway = 10.0.3.1",
            "lxc.net.0.type = veth\nlxc.net.0.ipv4.gateway = dev",
        ),
        (
            "lxc.net.0.type = veth\nlxc.net.0.ipv6.gateway = auto\nlxc.net.0.ipv6.gateway =",
            "lxc.net.0.type = veth\nlxc.net.0.ipv6.gateway = auto",
        ),
        // Seconds and sub-seconds are separate fields that add up.
        (
            "lxc.time.offset.boot = 2h\nlxc.time.offset.boot = 7ns",
            "lxc.time.offset.boot = 7200s\nlxc.time.offset.boot = 7ns",
        ),
    ];
    for (a, b) in pairs {
        let (ma, mb) = (load_text("a.conf", a), load_text("b.conf", b));
        assert!(!ma.has_errors() && !mb.has_errors(), "{a:?} / {b:?}");
        assert_eq!(
            ma.document.container, mb.document.container,
            "{a:?} and {b:?} mean the same to liblxc"
        );
    }
    let t = load_text(
        "t.conf",
        "lxc.time.offset.boot = 2h\nlxc.time.offset.boot = 7ns",
    );
    assert_eq!(t.document.container.time_offsets.boot_ns, 7_200_000_000_007);
}
