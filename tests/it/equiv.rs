//! `lxconf equiv --static` catches wrong conversions: every corpus config converted with
//! the LXC emitter is equivalent to itself, and one-change mutants of correct conversions
//! are flagged.

use crate::support::*;
use lxconf_convert::lxc::{emit, LxcOptions};
use lxconf_model::equiv::{compare, Status};
use lxconf_model::model::*;
use lxconf_model::{ByteSize, Cap, Document};
use lxconf_parse::fs::RealFs;
use lxconf_parse::LoadOptions;

/// Write as LXC and read back; None when the written config does not load.
fn convert(doc: &Document) -> Option<Container> {
    let out = emit(doc, &LxcOptions::default());
    let back = lxconf_parse::lxc::load(
        "converted.conf",
        &out.text,
        &LoadOptions {
            fs: &RealFs,
            base_dir: root().join("corpus/lxc"),
            lxd_profiles: Vec::new(),
        },
    );
    (!back.has_errors()).then_some(back.document.container)
}

fn unexpected(a: &Container, b: &Container) -> Vec<&'static str> {
    compare(a, b)
        .into_iter()
        .filter(|o| o.status == Status::Unexpected)
        .map(|o| o.name)
        .collect()
}

#[test]
fn every_lxc_conversion_is_statically_equivalent() {
    let base = root().join("corpus/lxc");
    let mut failures = Vec::new();
    for file in corpus_files("corpus/lxc", "conf") {
        let loaded = load_lxc(&file, &base);
        if loaded.has_errors() {
            continue;
        }
        let Some(converted) = convert(&loaded.document) else {
            failures.push(format!("{file}: the conversion does not load"));
            continue;
        };
        let bad = unexpected(&loaded.document.container, &converted);
        if !bad.is_empty() {
            failures.push(format!("{file}: {bad:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

type Mutator = (&'static str, fn(&mut Container) -> bool);

/// One-change mutations of a container; each returns false when it does not apply.
const MUTATORS: &[Mutator] = &[
    ("drop a mount", |c| c.mounts.pop().is_some()),
    ("make a read-only mount writable", |c| {
        c.mounts
            .iter_mut()
            .find(|m| m.readonly)
            .map(|m| m.readonly = false)
            .is_some()
    }),
    ("make a writable mount read-only", |c| {
        c.mounts
            .iter_mut()
            .find(|m| !m.readonly)
            .map(|m| m.readonly = true)
            .is_some()
    }),
    ("change a mount target", |c| {
        c.mounts
            .first_mut()
            .map(|m| m.target.push_str("-x"))
            .is_some()
    }),
    ("shrink a tmpfs", |c| {
        c.mounts
            .iter_mut()
            .find(|m| m.size.is_some())
            .map(|m| m.size = Some(lxconf_model::SizeSpec::Bytes(ByteSize(1024))))
            .is_some()
    }),
    ("swap two mounts", |c| {
        if c.mounts.len() >= 2 && c.mounts[0] != c.mounts[1] {
            c.mounts.swap(0, 1);
            true
        } else {
            false
        }
    }),
    ("shift an idmap", |c| {
        c.idmap.first_mut().map(|m| m.host_start += 1).is_some()
    }),
    ("swap idmap start and target", |c| {
        c.idmap
            .first_mut()
            .filter(|m| m.host_start != m.container_start)
            .map(|m| std::mem::swap(&mut m.host_start, &mut m.container_start))
            .is_some()
    }),
    ("memory limit off by a unit", |c| {
        c.resources
            .memory_limit
            .as_mut()
            .map(|m| m.0 /= 1024)
            .is_some()
    }),
    ("drop the memory limit", |c| {
        c.resources.memory_limit.take().is_some()
    }),
    ("keep a dropped capability", |c| match &mut c.capabilities {
        Capabilities::Drop { caps } => caps.pop_first().is_some(),
        _ => false,
    }),
    ("drop one more capability", |c| match &mut c.capabilities {
        Capabilities::Drop { caps } => caps.insert(Cap::from_name("sys_admin").expect("cap")),
        Capabilities::Keep { caps } => caps.pop_first().is_some(),
        _ => false,
    }),
    ("lose an environment variable", |c| {
        if c.init.env.len() > 1 {
            c.init.env.remove(0);
            true
        } else {
            false
        }
    }),
    ("change an environment value", |c| {
        c.init
            .env
            .first_mut()
            .filter(|e| e.name != "container")
            .map(|e| e.value = Some("changed".into()))
            .is_some()
    }),
    ("change a network's MAC", |c| {
        c.networks
            .iter_mut()
            .find(|n| n.hwaddr.is_some())
            .map(|n| n.hwaddr = Some("02:00:00:00:00:99".parse().expect("mac")))
            .is_some()
    }),
    ("change a network's link", |c| {
        c.networks
            .iter_mut()
            .find(|n| n.link.is_some())
            .map(|n| n.link = Some("other0".into()))
            .is_some()
    }),
    ("drop a network", |c| c.networks.pop().is_some()),
    ("change an address prefix", |c| {
        c.networks
            .iter_mut()
            .find_map(|n| n.ipv4.first_mut())
            .map(|a| a.prefix = if a.prefix == 16 { 24 } else { 16 })
            .is_some()
    }),
    ("drop the gateway", |c| {
        c.networks
            .iter_mut()
            .find(|n| n.ipv4_gateway.is_some())
            .map(|n| n.ipv4_gateway = None)
            .is_some()
    }),
    ("bring an interface down", |c| {
        c.networks
            .iter_mut()
            .find(|n| n.up)
            .map(|n| n.up = false)
            .is_some()
    }),
    ("change the hostname", |c| {
        c.hostname.as_mut().map(|h| h.push('x')).is_some()
    }),
    ("change the init command", |c| {
        c.init.command = vec!["/bin/sh".into()];
        true
    }),
    ("change the init uid", |c| {
        c.init.uid += 1;
        true
    }),
    ("change the init cwd", |c| {
        c.init.cwd = Some("/tmp".into());
        true
    }),
    ("drop supplementary groups", |c| {
        let had = !c.init.groups.is_empty();
        c.init.groups.clear();
        had
    }),
    ("change the rootfs path", |c| {
        c.rootfs.as_mut().map(|r| r.path.push_str("-x")).is_some()
    }),
    ("drop the rootfs", |c| c.rootfs.take().is_some()),
    ("make the rootfs read-only", |c| {
        c.rootfs
            .as_mut()
            .map(|r| r.readonly = !r.readonly)
            .is_some()
    }),
    ("drop /proc", |c| c.auto_mounts.proc.take().is_some()),
    ("make /sys writable", |c| {
        c.auto_mounts
            .sys
            .as_mut()
            .map(|s| *s = SysMode::Rw)
            .is_some()
    }),
    ("change the pty count", |c| {
        c.dev.ptys += 1;
        true
    }),
    ("change the tty count", |c| {
        c.dev.ttys += 1;
        true
    }),
    ("disable autodev", |c| {
        c.dev.autodev = !c.dev.autodev;
        true
    }),
    ("drop a device rule", |c| c.device_rules.pop().is_some()),
    ("change pids.max", |c| {
        c.resources.pids_max.as_mut().map(|p| *p += 1).is_some()
    }),
    ("change the cpuset", |c| {
        c.resources
            .cpuset_cpus
            .as_mut()
            .map(|s| {
                s.0.insert(63);
            })
            .is_some()
    }),
    ("change cpu shares", |c| {
        c.resources.cpu_shares.as_mut().map(|s| *s *= 2).is_some()
    }),
    ("change the cpu quota", |c| {
        c.resources
            .cpu_quota_us
            .as_mut()
            .map(|q| *q += 1000)
            .is_some()
    }),
    ("drop a prlimit", |c| c.prlimits.pop().is_some()),
    ("change a sysctl", |c| {
        c.sysctls.first_mut().map(|s| s.value.push('0')).is_some()
    }),
    ("drop a hook", |c| c.hooks.hooks.pop().is_some()),
    ("create a user namespace", |c| {
        c.namespaces.clone.insert(lxconf_model::Namespace::User)
    }),
    ("share the host network", |c| {
        c.namespaces.clone.remove(&lxconf_model::Namespace::Net)
    }),
    ("set no_new_privs", |c| {
        c.no_new_privs = !c.no_new_privs;
        true
    }),
    ("change the apparmor profile", |c| {
        c.security.apparmor_profile = Some("unconfined".into());
        true
    }),
    ("disable the console", |c| {
        c.console.enabled = !c.console.enabled;
        true
    }),
    ("drop a proc setting", |c| c.proc.pop().is_some()),
    ("change the time offset", |c| {
        c.time_offsets.boot_ns += 1_000_000_000;
        true
    }),
    ("change the arch", |c| {
        c.arch = Some(
            if c.arch.as_deref() == Some("i686") {
                "x86_64"
            } else {
                "i686"
            }
            .into(),
        );
        true
    }),
    ("drop a shared namespace", |c| {
        c.namespaces.share.pop_first().is_some()
    }),
];

#[test]
fn equiv_flags_wrong_conversions() {
    let base = root().join("corpus/lxc");
    let corpus = [
        "ubuntu-like.conf",
        "unprivileged.conf",
        "data-volumes.conf",
        "cgroup-v1.conf",
        "cgroup2.conf",
        "limits-sysctl-proc.conf",
        "hooks.conf",
        "net-veth.conf",
        "namespaces-keep-share.conf",
        "time-ns.conf",
        "identity.conf",
        "init-exec.conf",
        "caps-keep.conf",
        "mount-entries.conf",
        "console-tty.conf",
    ];
    let mut total = 0;
    let mut caught = 0;
    let mut missed = Vec::new();
    let mut operators_used = std::collections::BTreeSet::new();
    for name in corpus {
        let loaded = load_lxc(&format!("corpus/lxc/{name}"), &base);
        assert!(!loaded.has_errors(), "{name}");
        let original = &loaded.document.container;
        for (what, mutate) in MUTATORS {
            let mut doc = loaded.document.clone();
            if !mutate(&mut doc.container) || doc.container == *original {
                continue;
            }
            total += 1;
            operators_used.insert(*what);
            // The "wrong conversion": the mutated model written as LXC and read back.
            // A conversion that does not even load is caught too.
            let flagged =
                convert(&doc).is_none_or(|converted| !unexpected(original, &converted).is_empty());
            if !flagged {
                missed.push(format!("{name}: {what}"));
            } else {
                caught += 1;
            }
        }
    }
    let score = caught as f64 / total as f64;
    eprintln!(
        "equiv mutation score: {caught}/{total} ({:.1}%), {} operators; missed: {missed:?}",
        score * 100.0,
        operators_used.len()
    );
    assert!(total >= 50, "only {total} mutants");
    assert!(
        score >= 0.95,
        "equiv caught only {caught}/{total}; missed: {missed:#?}"
    );
}
