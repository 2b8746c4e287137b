//! `<memory>`, `<blkiotune>`, `<memtune>`, `<vcpu>`, `<cputune>`, `<numatune>`,
//! `<resource>`: the model's cgroup resources in libvirt's elements.

use super::kib;
use super::writer::W;
use lxconf_model::model::*;
use lxconf_model::pointer;

/// `<memory>` and `<currentMemory>`; returns the memory in bytes, which `<memtune>` compares
/// its hard limit with.
pub(super) fn memory(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings) -> u64 {
    let r = &c.resources;
    let memory = lv
        .memory
        .or(r.memory_limit)
        .map(|m| m.0)
        .unwrap_or(64 << 20);
    w.text("memory", &[("unit", "KiB".into())], &kib(memory));
    w.text(
        "currentMemory",
        &[("unit", "KiB".into())],
        &kib(lv.current_memory.map(|m| m.0).unwrap_or(memory)),
    );
    memory
}

/// `<blkiotune>`: the weight and the per-device limits.
pub(super) fn blkiotune(w: &mut W<'_>, c: &Container) {
    let r = &c.resources;
    let devices: Vec<&BlkioDevice> = r.blkio_devices.iter().collect();
    if r.blkio_weight.is_some() || !devices.is_empty() || !w.kept_keys("blkiotune").is_empty() {
        w.open("blkiotune", &[]);
        if let Some(wt) = r.blkio_weight {
            w.text("weight", &[], &wt.to_string());
        }
        for d in devices {
            w.open("device", &[]);
            let path = if d.device.starts_with('/') {
                d.device.clone()
            } else {
                format!("/dev/block/{}", d.device)
            };
            w.text("path", &[], &path);
            if let Some(x) = d.weight {
                w.text("weight", &[], &x.to_string());
            }
            for (name, v) in [
                ("read_iops_sec", d.read_iops),
                ("write_iops_sec", d.write_iops),
                ("read_bytes_sec", d.read_bps),
                ("write_bytes_sec", d.write_bps),
            ] {
                if let Some(v) = v {
                    w.text(name, &[], &v.to_string());
                }
            }
            w.close("device");
        }
        w.kept_children("blkiotune");
        w.close("blkiotune");
    }
}

/// Memory sizes that are not whole KiB: libvirt writes and keeps them in KiB, rounded up.
fn kib_rounding_notes(w: &mut W<'_>, r: &Resources) {
    for (pointer, size) in [
        (pointer::RESOURCES_MEMORY_LIMIT, r.memory_limit),
        (pointer::RESOURCES_MEMORY_SOFT_LIMIT, r.memory_soft_limit),
        (pointer::RESOURCES_MEMORY_MIN, r.memory_min),
        (pointer::RESOURCES_MEMORY_SWAP_LIMIT, r.memory_swap_limit),
        (pointer::RESOURCES_SWAP_LIMIT, r.swap_limit),
    ] {
        if let Some(size) = size.filter(|s| s.0 % 1024 != 0) {
            w.note(
                pointer,
                format!(
                    "the memory size of {} bytes is rounded up to {} KiB",
                    size.0,
                    size.0.div_ceil(1024)
                ),
                "libvirt sizes memory in whole KiB",
            );
        }
    }
}

/// `<memtune>`, and the loss of a swap limit without a memory limit.
pub(super) fn memtune(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings, memory: u64) {
    let r = &c.resources;
    kib_rounding_notes(w, r);
    let swap_total = r
        .memory_swap_limit
        .map(|m| m.0)
        .or_else(|| Some(r.memory_limit?.0 + r.swap_limit?.0));
    // libvirt enforces <memory> as the limit: a hard_limit equal to it says nothing more.
    let hard_limit = r
        .memory_limit
        .filter(|m| lv.layout.hard_limit || m.0.div_ceil(1024) != memory.div_ceil(1024));
    if hard_limit.is_some()
        || r.memory_soft_limit.is_some()
        || swap_total.is_some()
        || r.memory_min.is_some()
        || !w.kept_keys("memtune").is_empty()
    {
        w.open("memtune", &[]);
        if let Some(m) = hard_limit {
            w.text("hard_limit", &[("unit", "KiB".into())], &kib(m.0));
        }
        if let Some(m) = r.memory_soft_limit {
            w.text("soft_limit", &[("unit", "KiB".into())], &kib(m.0));
        }
        if let Some(m) = r.memory_min {
            w.text("min_guarantee", &[("unit", "KiB".into())], &kib(m.0));
        }
        if let Some(m) = swap_total {
            w.text("swap_hard_limit", &[("unit", "KiB".into())], &kib(m));
        }
        w.kept_children("memtune");
        w.close("memtune");
    }
    if r.swap_limit.is_some() && r.memory_limit.is_none() {
        w.loss(
            pointer::RESOURCES_SWAP_LIMIT,
            "a swap limit without a memory limit".into(),
            "libvirt limits memory+swap; set a memory limit too",
        );
    }
}

/// `<vcpu>` and `<cputune>` (a cgroup v2 weight becomes shares, with a note).
pub(super) fn vcpu_and_cputune(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings) {
    let r = &c.resources;
    let placement = if lv.placement_auto { "auto" } else { "static" };
    let mut vcpu = vec![("placement", placement.to_string())];
    if let Some(cpus) = &r.cpuset_cpus {
        vcpu.push(("cpuset", cpus.to_string()));
    }
    if let Some(current) = lv.vcpus_current {
        vcpu.push(("current", current.to_string()));
    }
    w.text("vcpu", &vcpu, &lv.vcpus.unwrap_or(1).to_string());
    let shares_val = r.cpu_shares.or(r.cpu_weight);
    if r.cpu_weight.is_some() && r.cpu_shares.is_none() {
        w.note(pointer::RESOURCES_CPU_WEIGHT, "the cgroup v2 cpu weight becomes libvirt <shares>".into(), "libvirt converts shares to a weight itself on cgroup v2 hosts, so the value may change");
        w.also_covers(pointer::RESOURCES_CPU_SHARES);
    }
    if shares_val.is_some()
        || r.cpu_period_us.is_some()
        || r.cpu_quota_us.is_some()
        || lv.emulator_period_us.is_some()
        || lv.emulator_quota_us.is_some()
        || !w.kept_keys("cputune").is_empty()
    {
        w.open("cputune", &[]);
        if let Some(s) = shares_val {
            w.text("shares", &[], &s.to_string());
        }
        // libvirt's order: shares, global_period, global_quota, period, quota,
        // emulator_period, emulator_quota, then the rest (iothread_*, *pin, *sched).
        w.kept("cputune/global_period");
        w.kept("cputune/global_quota");
        if let Some(p) = r.cpu_period_us {
            w.text("period", &[], &p.to_string());
        }
        if let Some(q) = r.cpu_quota_us {
            w.text("quota", &[], &q.to_string());
        }
        if let Some(p) = lv.emulator_period_us {
            w.text("emulator_period", &[], &p.to_string());
        }
        if let Some(q) = lv.emulator_quota_us {
            w.text("emulator_quota", &[], &q.to_string());
        }
        w.kept("cputune/iothread_period");
        w.kept("cputune/iothread_quota");
        w.kept_children("cputune");
        w.close("cputune");
    }
}

/// `<numatune>` (kept, or from the memory nodes) and the `<resource>` partition.
pub(super) fn numatune_and_partition(w: &mut W<'_>, c: &Container, lv: &LibvirtSettings) {
    let r = &c.resources;
    if !w.kept("numatune") && (r.cpuset_mems.is_some() || lv.placement_auto) {
        let mode = lv.numa_mode.clone().unwrap_or_else(|| "strict".into());
        let place = match &r.cpuset_mems {
            Some(mems) => ("nodeset", mems.to_string()),
            None => ("placement", "auto".to_string()),
        };
        w.open("numatune", &[]);
        w.empty("memory", &[("mode", mode), place]);
        w.close("numatune");
    }
    if let Some(p) = &lv.partition {
        w.open("resource", &[]);
        w.text("partition", &[], p);
        w.close("resource");
    }
}
