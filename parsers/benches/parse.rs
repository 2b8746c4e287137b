//! Parse throughput of the LXC config parser on a large generated config, in MB/s.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::LoadOptions;

/// A realistic config repeated until it is about `target` bytes: many mount entries,
/// networks, cgroup keys, env vars, sysctls and comments.
fn generate(target: usize) -> String {
    let mut text = String::with_capacity(target + 4096);
    text.push_str("# generated benchmark config\nlxc.uts.name = bench\nlxc.rootfs.path = dir:/var/lib/lxc/bench/rootfs\n");
    let mut i = 0u32;
    while text.len() < target {
        let n = i % 64;
        text.push_str(&format!(
            "# block {i}\n\
             lxc.mount.entry = /srv/data{i} srv/data{i} none bind,create=dir,optional 0 0\n\
             lxc.net.{n}.type = veth\n\
             lxc.net.{n}.link = lxcbr0\n\
             lxc.net.{n}.flags = up\n\
             lxc.net.{n}.hwaddr = 00:16:3e:12:34:{:02x}\n\
             lxc.net.{n}.ipv4.address = 10.0.{}.{}/24\n\
             lxc.cgroup2.memory.max = {}M\n\
             lxc.environment = VAR{i}=value with spaces {i}\n\
             lxc.sysctl.net.ipv4.conf.eth{n}.forwarding = 1\n\
             lxc.cap.drop = sys_module mac_admin mac_override\n\
             lxc.idmap = u 0 100000 65536\n\n",
            i % 256,
            n,
            i % 250 + 1,
            256 + i % 1024,
        ));
        i += 1;
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = generate(8 << 20);
    let fs = MemoryFs::new();
    let options = LoadOptions {
        fs: &fs,
        base_dir: "/".into(),
        lxd_profiles: Vec::new(),
    };
    let mut group = c.benchmark_group("lxc");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("syntax", |b| {
        b.iter(|| lxconf_parse::lxc::syntax::parse(std::hint::black_box(&text)).len())
    });
    group.bench_function("load", |b| {
        b.iter(|| lxconf_parse::lxc::load("bench.conf", std::hint::black_box(&text), &options))
    });
    group.finish();

    let mut fstab = String::new();
    while fstab.len() < 4 << 20 {
        fstab.push_str("/srv/my\\040data\t/mnt/data\tnone\tbind,ro,create=dir\t0 0\n# comment\n");
    }
    let mut group = c.benchmark_group("fstab");
    group.throughput(Throughput::Bytes(fstab.len() as u64));
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| lxconf_parse::load_fstab("bench.fstab", std::hint::black_box(&fstab)))
    });
    group.finish();
}

/// An LXD instance of about `target` bytes: disk and NIC devices, environment and user
/// keys, and a raw.lxc block (read through the LXC lowering).
fn generate_lxd(target: usize) -> String {
    let mut config =
        String::from("config:\n  security.privileged: \"true\"\n  limits.memory: 2GiB\n");
    let mut devices =
        String::from("devices:\n  root:\n    path: /\n    pool: default\n    type: disk\n");
    let mut raw = String::from("  raw.lxc: |\n");
    let mut i = 0u32;
    while config.len() + devices.len() + raw.len() < target {
        config.push_str(&format!(
            "  environment.VAR{i}: value {i}\n  user.note{i}: \"{i}\"\n"
        ));
        devices.push_str(&format!(
            "  data{i}:\n    path: /srv/data{i}\n    readonly: \"true\"\n    source: /srv/data{i}\n    type: disk\n"
        ));
        raw.push_str(&format!(
            "    lxc.sysctl.net.ipv4.conf.eth{}.forwarding = 1\n",
            i % 64
        ));
        i += 1;
    }
    format!("architecture: x86_64\n{config}{raw}{devices}ephemeral: false\nprofiles: []\nstateful: false\ndescription: \"\"\n")
}

fn bench_lxd(c: &mut Criterion) {
    let text = generate_lxd(1 << 20);
    let fs = MemoryFs::new();
    let options = LoadOptions::new(&fs, "/");
    let mut group = c.benchmark_group("lxd");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("load", |b| {
        b.iter(|| lxconf_parse::lxd::load("bench.yaml", std::hint::black_box(&text), &options))
    });
    group.finish();
}

criterion_group!(benches, bench, bench_lxd);
criterion_main!(benches);
