//! `<memtune>`, `<vcpu>`, `<cputune>`, `<blkiotune>`, `<numatune>`: the domain's resource
//! limits, into the model's cgroup resources (and libvirt's own settings beside them).

use super::Building;
use crate::domxml::tree::Element;
use crate::domxml::Lower;
use lxconf_model::model::*;
use lxconf_model::{pointer, Code, CpuSet};

/// `<memtune>`: `<hard_limit>` is kept aside, as libvirt's `<memory>` stands in for it.
pub(super) fn memtune(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building {
        c, lv, hard_limit, ..
    } = b;
    for m in &el.children {
        let v = l.size(m, "unit", "KiB");
        let field = match m.name.as_str() {
            "hard_limit" => {
                *hard_limit = v;
                lv.layout.hard_limit = true;
                pointer::RESOURCES_MEMORY_LIMIT
            }
            "soft_limit" => {
                c.resources.memory_soft_limit = v;
                pointer::RESOURCES_MEMORY_SOFT_LIMIT
            }
            "swap_hard_limit" => {
                c.resources.memory_swap_limit = v;
                pointer::RESOURCES_MEMORY_SWAP_LIMIT
            }
            "min_guarantee" => {
                c.resources.memory_min = v;
                pointer::RESOURCES_MEMORY_MIN
            }
            _ => {
                l.keep(m, &format!("memtune/{}", m.name), "unknown memtune element");
                continue;
            }
        };
        l.doc.origins.record(field, l.o(&m.range));
    }
}

/// `<vcpu>`: the count, the cpuset and whether numad places the domain.
pub(super) fn vcpu(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { c, lv, .. } = b;
    lv.vcpus = el.text.trim().parse().ok();
    lv.vcpus_current = el.attr("current").and_then(|c| c.parse().ok());
    if let Some(set) = el.attr("cpuset") {
        match set.parse::<CpuSet>() {
            Ok(s) => c.resources.cpuset_cpus = Some(s),
            Err(e) => l.error(
                Code::X003,
                &el.range,
                e.to_string(),
                "write a CPU list such as 0-3,7",
            ),
        }
    }
    lv.placement_auto = el.attr("placement") == Some("auto");
}

/// `<cputune>`, with libvirt's ranges for the period and the quota.
pub(super) fn cputune(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { c, lv, .. } = b;
    for t in &el.children {
        let v = t.text.trim();
        match t.name.as_str() {
            "shares" => c.resources.cpu_shares = v.parse().ok(),
            "period" => {
                c.resources.cpu_period_us = v.parse().ok();
                if !c
                    .resources
                    .cpu_period_us
                    .is_some_and(|p| (1000..=1_000_000).contains(&p))
                {
                    l.error(
                        Code::X003,
                        &t.range,
                        format!("cputune period `{v}` is outside 1000..1000000"),
                        "libvirt accepts periods from 1000 to 1000000 microseconds",
                    );
                }
            }
            "quota" => {
                c.resources.cpu_quota_us = v.parse().ok();
                if !c
                    .resources
                    .cpu_quota_us
                    .is_some_and(|q| q == -1 || (1000..=17_592_186_044_415).contains(&q))
                {
                    l.error(
                        Code::X003,
                        &t.range,
                        format!("cputune quota `{v}` is outside -1 or 1000..17592186044415"),
                        "use -1 for no limit, or at least 1000 microseconds",
                    );
                }
            }
            "emulator_period" => lv.emulator_period_us = v.parse().ok(),
            "emulator_quota" => lv.emulator_quota_us = v.parse().ok(),
            _ => l.keep(
                t,
                &format!("cputune/{}", t.name),
                "not applied by the LXC driver's model in lxconf",
            ),
        }
    }
}

/// `<blkiotune>`: the weight and the per-device limits.
pub(super) fn blkiotune(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { c, .. } = b;
    for t in &el.children {
        match t.name.as_str() {
            "weight" => c.resources.blkio_weight = t.text.trim().parse().ok(),
            "device" => {
                let path = t
                    .child("path")
                    .map(|p| p.text.trim().to_string())
                    .unwrap_or_default();
                let device = path
                    .strip_prefix("/dev/block/")
                    .map(String::from)
                    .unwrap_or(path);
                let num = |n: &str| t.child(n).and_then(|x| x.text.trim().parse::<u64>().ok());
                c.resources.blkio_devices.push(BlkioDevice {
                    device,
                    weight: num("weight").map(|w| w as u32),
                    read_bps: num("read_bytes_sec"),
                    write_bps: num("write_bytes_sec"),
                    read_iops: num("read_iops_sec"),
                    write_iops: num("write_iops_sec"),
                });
            }
            _ => l.keep(
                t,
                &format!("blkiotune/{}", t.name),
                "unknown blkiotune element",
            ),
        }
    }
}

/// `<numatune>` with one `<memory>`: the memory nodes and the mode; anything more is kept.
pub(super) fn numatune(l: &mut Lower<'_>, el: &Element, b: &mut Building) {
    let Building { c, lv, .. } = b;
    match (el.child("memory"), el.children.len()) {
        // numad placing memory for CPUs placed statically: the model's placement is one
        // setting for both, so the element is kept as written.
        (Some(m), 1)
            if m.attr("nodeset").is_none()
                && m.attr("placement") == Some("auto")
                && !lv.placement_auto =>
        {
            l.keep(
                el,
                "numatune",
                "numad placement of memory alone (the vCPUs are placed statically)",
            );
        }
        (Some(m), 1) => {
            match m.attr("nodeset").map(str::parse::<CpuSet>) {
                Some(Ok(s)) => c.resources.cpuset_mems = Some(s),
                Some(Err(e)) => l.error(
                    Code::X003,
                    &m.range,
                    e.to_string(),
                    "write a node list such as 0-1",
                ),
                // Without a nodeset, numad places memory (placement='auto').
                None if m.attr("placement") == Some("auto") || lv.placement_auto => {}
                None => l.error(
                    Code::X003,
                    &m.range,
                    "<numatune><memory> needs a nodeset or placement='auto'".into(),
                    "add nodeset='0' (or placement='auto')",
                ),
            }
            match m.attr("mode").unwrap_or("strict") {
            "strict" => {}
            mode @ ("interleave" | "preferred" | "restrictive") => {
                lv.numa_mode = Some(mode.to_string())
            }
            other => l.error(
                Code::X003,
                &m.range,
                format!("numa memory mode `{other}` is not strict, interleave, preferred or restrictive"),
                "use mode='strict'",
            ),
        }
        }
        _ => l.keep(el, "numatune", "per-node numatune settings"),
    }
}
