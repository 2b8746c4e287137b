//! Domain XML throughput, in MB/s: reading (quick-xml → model, libvirt defaults made
//! explicit) and writing (model → libvirt-formatted XML), on the whole XML corpus and on
//! one large generated domain.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::Path;

/// Every corpus domain, as (name, text).
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/domxml");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus/domxml")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read");
            (p.display().to_string(), text)
        })
        .collect()
}

/// A domain with many filesystems, interfaces and host devices (about `target` bytes).
fn generate(target: usize) -> String {
    let mut devices = String::new();
    let mut i = 0u32;
    while devices.len() < target {
        devices.push_str(&format!(
            "    <filesystem type='mount' accessmode='passthrough'>\n      <source dir='/srv/data{i}'/>\n      <target dir='/data{i}'/>\n      <readonly/>\n    </filesystem>\n    <interface type='bridge'>\n      <mac address='52:54:00:{:02x}:{:02x}:01'/>\n      <source bridge='br0'/>\n      <ip address='10.{}.{}.2' family='ipv4' prefix='24'/>\n      <route family='ipv4' address='0.0.0.0' gateway='10.{}.{}.1'/>\n      <guest dev='eth{i}'/>\n      <link state='up'/>\n    </interface>\n",
            (i >> 8) & 0xff,
            i & 0xff,
            (i >> 8) & 0xff,
            i & 0xff,
            (i >> 8) & 0xff,
            i & 0xff,
        ));
        i += 1;
    }
    format!(
        "<domain type='lxc'>\n  <name>bench</name>\n  <uuid>6c78636f-6e66-4d00-8000-0000000000be</uuid>\n  <memory unit='KiB'>1048576</memory>\n  <currentMemory unit='KiB'>1048576</currentMemory>\n  <vcpu placement='static'>2</vcpu>\n  <os>\n    <type arch='x86_64'>exe</type>\n    <init>/sbin/init</init>\n  </os>\n  <clock offset='utc'/>\n  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n  <devices>\n    <emulator>/usr/lib/libvirt/libvirt_lxc</emulator>\n    <filesystem type='mount' accessmode='passthrough'>\n      <source dir='/srv/bench'/>\n      <target dir='/'/>\n    </filesystem>\n{devices}    <console type='pty'>\n      <target type='lxc' port='0'/>\n    </console>\n  </devices>\n</domain>\n"
    )
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let total: usize = files.iter().map(|(_, t)| t.len()).sum();
    let loaded: Vec<_> = files
        .iter()
        .map(|(n, t)| lxconf_parse::domxml::load(n, t).document)
        .collect();

    let mut group = c.benchmark_group("domxml-corpus");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("read", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|(n, t)| {
                    lxconf_parse::domxml::load(n, std::hint::black_box(t))
                        .diagnostics
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("write", |b| {
        b.iter(|| {
            loaded
                .iter()
                .map(|d| {
                    lxconf_convert::libvirt_xml::emit(std::hint::black_box(d))
                        .xml
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();

    let big = generate(4 << 20);
    let doc = lxconf_parse::domxml::load("bench.xml", &big).document;
    let mut group = c.benchmark_group("domxml-large");
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.sample_size(10);
    group.bench_function("read", |b| {
        b.iter(|| lxconf_parse::domxml::load("bench.xml", std::hint::black_box(&big)))
    });
    group.bench_function("write", |b| {
        b.iter(|| {
            lxconf_convert::libvirt_xml::emit(std::hint::black_box(&doc))
                .xml
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
