//! Cgroup limits and device rules.

use super::*;

impl Emitter<'_> {
    pub(super) fn cg(&mut self, v2_key: Option<&str>, v1_key: Option<&str>, value: String) {
        let prefer_v1 = self.opts.cgroup_v1;
        match (prefer_v1, v1_key, v2_key) {
            (true, Some(k), _) | (false, Some(k), None) => {
                self.line(&Family::Cgroup1.key(k), value)
            }
            (_, _, Some(k)) => self.line(&Family::Cgroup2.key(k), value),
            (_, None, None) => {}
        }
    }

    pub(super) fn resources(&mut self) {
        let c = &self.doc.container;
        let r = &c.resources;
        if *r == Resources::default() && c.device_rules.is_empty() {
            return;
        }
        self.section("Resources");
        self.memory(r);
        self.cpu(r);
        self.block_io(r);
        self.pids_and_devices(c);
    }

    fn memory(&mut self, r: &Resources) {
        if let Some(m) = r.memory_limit {
            self.cg(
                Some("memory.max"),
                Some("memory.limit_in_bytes"),
                m.0.to_string(),
            );
        }
        if let Some(m) = r.memory_soft_limit {
            self.cg(
                Some("memory.high"),
                Some("memory.soft_limit_in_bytes"),
                m.0.to_string(),
            );
        }
        if let Some(m) = r.memory_swap_limit {
            // v1 only: v2 limits swap alone. On v2 write swap = total - memory when known.
            match (self.opts.cgroup_v1, r.memory_limit) {
                (false, Some(mem)) if r.swap_limit.is_none() => {
                    self.cg(
                        Some("memory.swap.max"),
                        None,
                        m.0.saturating_sub(mem.0).to_string(),
                    );
                    self.note(
                        pointer::RESOURCES_MEMORY_SWAP_LIMIT,
                        "the memory+swap limit becomes a swap-only limit (cgroup v2)".into(),
                        "memory.swap.max = memory+swap limit - memory limit",
                    );
                }
                _ => self.line(&Family::Cgroup1.key("memory.memsw.limit_in_bytes"), m.0),
            }
        }
        if let Some(m) = r.swap_limit {
            self.line(&Family::Cgroup2.key("memory.swap.max"), m.0);
        }
        if let Some(m) = r.memory_min {
            self.line(&Family::Cgroup2.key("memory.min"), m.0);
        }
    }

    fn cpu(&mut self, r: &Resources) {
        if let Some(s) = r.cpu_shares {
            self.line(&Family::Cgroup1.key("cpu.shares"), s);
        }
        if let Some(w) = r.cpu_weight {
            self.line(&Family::Cgroup2.key("cpu.weight"), w);
        }
        match (r.cpu_quota_us, r.cpu_period_us, self.opts.cgroup_v1) {
            (None, None, _) => {}
            (q, p, true) => {
                if let Some(q) = q {
                    self.line(&Family::Cgroup1.key("cpu.cfs_quota_us"), q);
                }
                if let Some(p) = p {
                    self.line(&Family::Cgroup1.key("cpu.cfs_period_us"), p);
                }
            }
            (q, p, false) => {
                let quota = match q {
                    Some(q) if q >= 0 => q.to_string(),
                    _ => "max".into(),
                };
                let key = Family::Cgroup2.key("cpu.max");
                match p {
                    Some(p) => self.line(&key, format!("{quota} {p}")),
                    None => self.line(&key, quota),
                }
            }
        }
        if let Some(s) = &r.cpuset_cpus {
            self.cg(Some("cpuset.cpus"), Some("cpuset.cpus"), s.to_string());
        }
        if let Some(s) = &r.cpuset_mems {
            self.cg(Some("cpuset.mems"), Some("cpuset.mems"), s.to_string());
        }
    }

    fn block_io(&mut self, r: &Resources) {
        if let Some(w) = r.blkio_weight {
            if self.opts.cgroup_v1 {
                self.line(&Family::Cgroup1.key("blkio.weight"), w);
            } else {
                self.line(&Family::Cgroup2.key("io.weight"), format!("default {w}"));
            }
        }
        for (i, d) in r.blkio_devices.iter().enumerate() {
            if !d.device.contains(':') || d.device.starts_with('/') {
                self.loss(&pointer::item(pointer::RESOURCES_BLKIO_DEVICES, i).to_string(), format!("block-io settings for device `{}`", d.device), "LXC needs MAJOR:MINOR device numbers; look them up with `ls -l` on the target host");
                continue;
            }
            if self.opts.cgroup_v1 {
                for (k, v) in [
                    ("blkio.weight_device", d.weight.map(u64::from)),
                    ("blkio.throttle.read_bps_device", d.read_bps),
                    ("blkio.throttle.write_bps_device", d.write_bps),
                    ("blkio.throttle.read_iops_device", d.read_iops),
                    ("blkio.throttle.write_iops_device", d.write_iops),
                ] {
                    if let Some(v) = v {
                        self.line(&Family::Cgroup1.key(k), format!("{} {v}", d.device));
                    }
                }
            } else {
                if d.weight.is_some() {
                    self.loss(&pointer::item(pointer::RESOURCES_BLKIO_DEVICES, i).to_string(), format!("the block-io weight of device `{}`", d.device), "cgroup v2's io.weight takes per-device weights only with the BFQ scheduler; set it with --cgroup-v1 or by hand");
                }
                let mut parts = Vec::new();
                for (k, v) in [
                    ("rbps", d.read_bps),
                    ("wbps", d.write_bps),
                    ("riops", d.read_iops),
                    ("wiops", d.write_iops),
                ] {
                    if let Some(v) = v {
                        parts.push(format!("{k}={v}"));
                    }
                }
                if !parts.is_empty() {
                    self.line(
                        &Family::Cgroup2.key("io.max"),
                        format!("{} {}", d.device, parts.join(" ")),
                    );
                }
            }
        }
    }

    fn pids_and_devices(&mut self, c: &Container) {
        let r = &c.resources;
        if let Some(p) = r.pids_max {
            self.cg(Some("pids.max"), Some("pids.max"), p.to_string());
        }
        for d in &c.device_rules {
            let kind = match d.kind {
                DeviceType::All => "a",
                DeviceType::Block => "b",
                DeviceType::Char => "c",
            };
            let num = |n: Option<u32>| n.map_or("*".to_string(), |n| n.to_string());
            let value = if d.kind == DeviceType::All
                && d.major.is_none()
                && d.minor.is_none()
                && d.access == "rwm"
            {
                "a".to_string()
            } else {
                format!("{kind} {}:{} {}", num(d.major), num(d.minor), d.access)
            };
            let file = if d.allow {
                "devices.allow"
            } else {
                "devices.deny"
            };
            self.cg(Some(file), Some(file), value);
        }
        for (i, s) in r.cgroup.iter().enumerate() {
            let family = match s.version {
                CgroupVersion::V1 => Family::Cgroup1,
                CgroupVersion::V2 => Family::Cgroup2,
            };
            let pointer = pointer::item(pointer::RESOURCES_CGROUP, i).to_string();
            self.text(&pointer, &family.key(&s.key), &s.value);
        }
    }
}
