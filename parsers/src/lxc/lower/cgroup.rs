use super::*;

pub(super) struct CgroupEntry {
    pub(super) version: CgroupVersion,
    pub(super) key: String,
    pub(super) value: String,
    pub(super) origin: Origin,
}

pub(super) fn blkio_device<'d>(
    devices: &'d mut Vec<BlkioDevice>,
    dev: &str,
) -> &'d mut BlkioDevice {
    let i = match devices.iter().position(|d| d.device == dev) {
        Some(i) => i,
        None => {
            devices.push(BlkioDevice {
                device: dev.to_string(),
                weight: None,
                read_bps: None,
                write_bps: None,
                read_iops: None,
                write_iops: None,
            });
            devices.len() - 1
        }
    };
    &mut devices[i]
}

/// The kernel's `memparse`: digits with an optional K, M, G, T, P, E suffix (either case).
pub fn kernel_memparse(v: &str) -> Option<ByteSize> {
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let n: u64 = v[..digits].parse().ok()?;
    let factor: u64 = match &v[digits..] {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        "t" | "T" => 1 << 40,
        "p" | "P" => 1 << 50,
        "e" | "E" => 1 << 60,
        _ => return None,
    };
    n.checked_mul(factor).map(ByteSize)
}

/// `a`, or `TYPE MAJOR:MINOR ACCESS` with `*` wildcards.
pub fn parse_device_rule(v: &str, allow: bool) -> Option<DeviceRule> {
    let mut parts = v.split_whitespace();
    let kind = match parts.next()? {
        "a" => DeviceType::All,
        "b" => DeviceType::Block,
        "c" => DeviceType::Char,
        _ => return None,
    };
    let (major, minor, access) = match (parts.next(), parts.next()) {
        (None, None) => (None, None, "rwm".to_string()),
        (Some(mm), access) => {
            let (ma, mi) = mm.split_once(':')?;
            let num = |s: &str| -> Option<Option<u32>> {
                if s == "*" {
                    Some(None)
                } else {
                    s.parse().ok().map(Some)
                }
            };
            let access = access.unwrap_or("rwm");
            if access.is_empty() || !access.chars().all(|c| "rwm".contains(c)) {
                return None;
            }
            (num(ma)?, num(mi)?, access.to_string())
        }
        (None, Some(_)) => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(DeviceRule {
        allow,
        kind,
        major,
        minor,
        access,
    })
}

impl Lowerer<'_> {
    /// Map well-known cgroup files to typed resources; keep the rest verbatim.
    pub(super) fn lower_cgroups(&mut self) {
        let entries = std::mem::take(&mut self.cgroups);
        for e in entries {
            if !self.lower_cgroup(&e) {
                let r = &mut self.c.resources;
                r.cgroup.push(CgroupSetting {
                    version: e.version,
                    key: e.key.clone(),
                    value: e.value.clone(),
                });
                let i = r.cgroup.len() - 1;
                self.origins
                    .record(pointer::item(pointer::RESOURCES_CGROUP, i), e.origin);
            }
        }
    }

    pub(super) fn lower_cgroup(&mut self, e: &CgroupEntry) -> bool {
        let v = e.value.trim();
        let r = &mut self.c.resources;
        let mem = |v: &str| -> Option<Option<ByteSize>> {
            if v == "-1" || v == "max" {
                return Some(None);
            }
            kernel_memparse(v).map(Some)
        };
        let (pointer, ok): (&'static str, bool) = match (e.version, e.key.as_str()) {
            (CgroupVersion::V1, "memory.limit_in_bytes") | (CgroupVersion::V2, "memory.max") => (
                pointer::RESOURCES_MEMORY_LIMIT,
                mem(v).map(|m| r.memory_limit = m).is_some(),
            ),
            (CgroupVersion::V1, "memory.soft_limit_in_bytes")
            | (CgroupVersion::V2, "memory.high") => (
                pointer::RESOURCES_MEMORY_SOFT_LIMIT,
                mem(v).map(|m| r.memory_soft_limit = m).is_some(),
            ),
            (CgroupVersion::V1, "memory.memsw.limit_in_bytes") => (
                pointer::RESOURCES_MEMORY_SWAP_LIMIT,
                mem(v).map(|m| r.memory_swap_limit = m).is_some(),
            ),
            (CgroupVersion::V2, "memory.swap.max") => (
                pointer::RESOURCES_SWAP_LIMIT,
                mem(v).map(|m| r.swap_limit = m).is_some(),
            ),
            (CgroupVersion::V2, "memory.min") => (
                pointer::RESOURCES_MEMORY_MIN,
                mem(v).map(|m| r.memory_min = m).is_some(),
            ),
            (CgroupVersion::V1, "cpu.shares") => (
                pointer::RESOURCES_CPU_SHARES,
                v.parse().map(|n| r.cpu_shares = Some(n)).is_ok(),
            ),
            (CgroupVersion::V2, "cpu.weight") => (
                pointer::RESOURCES_CPU_WEIGHT,
                v.parse().map(|n| r.cpu_weight = Some(n)).is_ok(),
            ),
            (CgroupVersion::V1, "cpu.cfs_quota_us") => (
                pointer::RESOURCES_CPU_QUOTA,
                v.parse().map(|n| r.cpu_quota_us = Some(n)).is_ok(),
            ),
            (CgroupVersion::V1, "cpu.cfs_period_us") => (
                pointer::RESOURCES_CPU_PERIOD,
                v.parse().map(|n| r.cpu_period_us = Some(n)).is_ok(),
            ),
            (CgroupVersion::V2, "cpu.max") => (pointer::RESOURCES_CPU_QUOTA, cpu_max(r, v)),
            (_, "cpuset.cpus") => (
                pointer::RESOURCES_CPUSET_CPUS,
                v.parse::<CpuSet>().map(|s| r.cpuset_cpus = Some(s)).is_ok(),
            ),
            (_, "cpuset.mems") => (
                pointer::RESOURCES_CPUSET_MEMS,
                v.parse::<CpuSet>().map(|s| r.cpuset_mems = Some(s)).is_ok(),
            ),
            (CgroupVersion::V1, "blkio.weight") => (
                pointer::RESOURCES_BLKIO_WEIGHT,
                v.parse().map(|n| r.blkio_weight = Some(n)).is_ok(),
            ),
            (CgroupVersion::V2, "io.weight") if v.starts_with("default ") || !v.contains(' ') => {
                let n = v.trim_start_matches("default ").trim();
                (
                    pointer::RESOURCES_BLKIO_WEIGHT,
                    n.parse().map(|n| r.blkio_weight = Some(n)).is_ok(),
                )
            }
            (CgroupVersion::V1, k) if k.starts_with("blkio.") => {
                (pointer::RESOURCES_BLKIO_DEVICES, blkio_v1(r, k, v))
            }
            (CgroupVersion::V2, "io.max") => (pointer::RESOURCES_BLKIO_DEVICES, io_max(r, v)),
            (_, "pids.max") => {
                let ok = if v == "max" {
                    r.pids_max = None;
                    true
                } else {
                    v.parse().map(|n| r.pids_max = Some(n)).is_ok()
                };
                (pointer::RESOURCES_PIDS_MAX, ok)
            }
            (_, "devices.allow") | (_, "devices.deny") => return self.device_rule(e, v),
            _ => return false,
        };
        if ok {
            self.origins.record(pointer, e.origin);
        }
        ok
    }

    /// `devices.allow` / `devices.deny`: a device rule of the model.
    fn device_rule(&mut self, e: &CgroupEntry, v: &str) -> bool {
        let allow = e.key.ends_with("allow");
        match parse_device_rule(v, allow) {
            Some(rule) => {
                self.c.device_rules.push(rule);
                let i = self.c.device_rules.len() - 1;
                self.origins
                    .record(pointer::item(pointer::DEVICE_RULES, i), e.origin);
                true
            }
            None => {
                self.diag(
                    Diagnostic::new(Code::L003, format!("`{v}` is not a device rule"))
                        .severity(Severity::Warning)
                        .at(e.origin)
                        .help("write `TYPE MAJOR:MINOR ACCESS`, e.g. `c 1:3 rwm` or `a`"),
                );
                false
            }
        }
    }
}

/// A `blkio.*_device` setting (cgroup v1): `MAJOR:MINOR VALUE`.
fn blkio_v1(r: &mut Resources, k: &str, v: &str) -> bool {
    let field = match k {
        "blkio.weight_device" => 0,
        "blkio.throttle.read_bps_device" => 1,
        "blkio.throttle.write_bps_device" => 2,
        "blkio.throttle.read_iops_device" => 3,
        "blkio.throttle.write_iops_device" => 4,
        _ => return false,
    };
    let mut parts = v.split_whitespace();
    let (Some(dev), Some(Ok(n)), None) = (
        parts.next(),
        parts.next().map(str::parse::<u64>),
        parts.next(),
    ) else {
        return false;
    };
    let d = blkio_device(&mut r.blkio_devices, dev);
    match field {
        0 => d.weight = Some(n as u32),
        1 => d.read_bps = Some(n),
        2 => d.write_bps = Some(n),
        3 => d.read_iops = Some(n),
        _ => d.write_iops = Some(n),
    }
    true
}

/// `io.max` (cgroup v2): `MAJOR:MINOR rbps=N wbps=N ...`.
fn io_max(r: &mut Resources, v: &str) -> bool {
    let mut parts = v.split_whitespace();
    let Some(dev) = parts.next() else {
        return false;
    };
    let mut settings = Vec::new();
    for p in parts {
        let Some((k, val)) = p.split_once('=') else {
            return false;
        };
        // A key the model does not type keeps the line raw (it was dropped:
        // found by the writers fuzz target).
        if !matches!(k, "rbps" | "wbps" | "riops" | "wiops") {
            return false;
        }
        let val = if val == "max" {
            None
        } else {
            match val.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => return false,
            }
        };
        settings.push((k.to_string(), val));
    }
    if settings.is_empty() {
        // `io.max = 8:0` sets nothing: kept raw rather than an empty device.
        return false;
    }
    let d = blkio_device(&mut r.blkio_devices, dev);
    for (k, val) in settings {
        match k.as_str() {
            "rbps" => d.read_bps = val,
            "wbps" => d.write_bps = val,
            "riops" => d.read_iops = val,
            "wiops" => d.write_iops = val,
            _ => {}
        }
    }
    true
}

/// `cpu.max` (cgroup v2): `QUOTA [PERIOD]`, `max` for no quota.
fn cpu_max(r: &mut Resources, v: &str) -> bool {
    let mut parts = v.split_whitespace();
    let quota = parts.next();
    let period = parts.next().map(str::parse::<u64>);
    match (quota, period) {
        (Some("max"), None) => {
            r.cpu_quota_us = Some(-1);
            true
        }
        (Some("max"), Some(Ok(p))) => {
            r.cpu_quota_us = Some(-1);
            r.cpu_period_us = Some(p);
            true
        }
        (Some(q), p) => match (q.parse::<i64>(), p) {
            (Ok(q), None) => {
                r.cpu_quota_us = Some(q);
                true
            }
            (Ok(q), Some(Ok(p))) => {
                r.cpu_quota_us = Some(q);
                r.cpu_period_us = Some(p);
                true
            }
            _ => false,
        },
        _ => false,
    }
}
