//! Linting 10,000 generated configs (goal: under 2 s on 2 cores).
//!
//! `cargo bench --bench lint`. The configs vary in size and content (networks, idmaps,
//! mounts, cgroup limits, legacy keys, a few mistakes), so every rule family runs.

use criterion::{criterion_group, criterion_main, Criterion};
use lxconf::lint::files::{self, Options};
use lxconf::lint::settings::Settings;
use lxconf_parse::Format;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One generated config.
pub fn config(i: usize) -> String {
    let mut s = format!(
        "# generated container {i}\nlxc.uts.name = ct{i}\nlxc.rootfs.path = dir:/var/lib/lxc/ct{i}/rootfs\nlxc.mount.auto = proc:mixed sys:ro cgroup:mixed\nlxc.apparmor.profile = generated\nlxc.cap.drop = mac_admin mac_override sys_time sys_module sys_rawio\n"
    );
    if i.is_multiple_of(2) {
        s.push_str("lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n");
    }
    for n in 0..(1 + i % 3) {
        s.push_str(&format!(
            "lxc.net.{n}.type = veth\nlxc.net.{n}.link = lxcbr0\nlxc.net.{n}.flags = up\nlxc.net.{n}.hwaddr = 00:16:3e:{:02x}:{:02x}:{n:02x}\nlxc.net.{n}.ipv4.address = 10.{}.{}.{}/16\nlxc.net.{n}.ipv4.gateway = 10.{}.0.1\n",
            (i >> 8) & 0xff,
            i & 0xff,
            n,
            (i >> 8) & 0xff,
            i & 0xff,
            n
        ));
    }
    s.push_str(&format!(
        "lxc.cgroup2.memory.max = {}M\nlxc.cgroup2.cpu.max = 50000 100000\nlxc.cgroup2.cpuset.cpus = 0-{}\nlxc.mount.entry = /srv/ct{i} srv none bind,create=dir 0 0\nlxc.mount.entry = tmpfs tmp tmpfs size=64m 0 0\nlxc.environment = LANG=C.UTF-8\nlxc.prlimit.nofile = 1024:4096\n",
        256 + i % 1024,
        i % 8
    ));
    if i.is_multiple_of(10) {
        s.push_str("lxc.utsname = legacy\nlxc.start.auto = yes\n");
    }
    s
}

/// Lint `configs` on `workers` threads; returns the number of findings.
pub fn lint_all(configs: &[String], workers: usize) -> usize {
    let settings = Settings::default();
    let options = Options::default();
    let next = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(text) = configs.get(i) else { break };
                let name = format!("ct{i}/config");
                if let Ok(r) = files::lint_text(&name, text, Format::Lxc, &options, &settings) {
                    total.fetch_add(r.diagnostics.len(), Ordering::Relaxed);
                }
            });
        }
    });
    total.into_inner()
}

fn bench(c: &mut Criterion) {
    let configs: Vec<String> = (0..10_000).map(config).collect();
    let bytes: usize = configs.iter().map(String::len).sum();
    let start = std::time::Instant::now();
    let findings = lint_all(&configs, 2);
    eprintln!(
        "10000 configs ({:.1} MB), {findings} findings, 2 threads: {:.3} s",
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    group.bench_function("10000_configs_2_threads", |b| {
        b.iter(|| lint_all(&configs, 2))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
