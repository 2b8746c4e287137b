//! cgroup layout of the host and the pure mapping of the model's resources to cgroup files.
//!
//! A host is described by the hierarchies mounted on it: cgroup v1 hierarchies (one or more
//! controllers each) and at most one cgroup2 hierarchy. A pure v2 host has only the latter; a
//! hybrid host (this project's CI) has v1 controllers plus an empty cgroup2 at
//! `/sys/fs/cgroup/unified`, which the runner still uses to track and kill the container's
//! processes. The container's cgroups are created below the runner's own cgroup in each
//! hierarchy, like LXC's `lxc.payload.NAME`.

use lxconf_model::lxc_key::Family;
use lxconf_model::{CgroupVersion, DeviceType, Resources};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One cgroup v1 hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct V1Hierarchy {
    /// Controllers bound to it (`memory`, `cpu`, `name=systemd`...).
    pub controllers: Vec<String>,
    /// Mount point.
    pub mount: PathBuf,
    /// The runner's own cgroup in it, relative to the mount (`/` for the root).
    pub base: String,
}

/// The cgroup2 hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct V2Hierarchy {
    /// Mount point.
    pub mount: PathBuf,
    /// The runner's own cgroup in it.
    pub base: String,
    /// Controllers available in the base cgroup (`cgroup.controllers`).
    pub controllers: Vec<String>,
}

/// Where cgroups live on this host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CgroupLayout {
    /// v1 hierarchies.
    pub v1: Vec<V1Hierarchy>,
    /// The cgroup2 hierarchy, when mounted.
    pub v2: Option<V2Hierarchy>,
}

/// Kind of layout, as `lxconf check-host` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayoutKind {
    /// Only cgroup2.
    Unified,
    /// v1 controllers plus cgroup2.
    Hybrid,
    /// Only v1.
    Legacy,
    /// No cgroups mounted.
    None,
}

impl CgroupLayout {
    /// Read the layout from `/proc/self/mountinfo` and `/proc/self/cgroup`.
    pub fn detect() -> CgroupLayout {
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let mut layout = Self::from_proc(&mountinfo, &own);
        if let Some(v2) = &mut layout.v2 {
            let dir = join(&v2.mount, &v2.base);
            v2.controllers = std::fs::read_to_string(dir.join("cgroup.controllers"))
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect();
        }
        layout
    }

    /// Parse the layout from the text of `/proc/self/mountinfo` and `/proc/self/cgroup`
    /// (v2 controllers are left empty: they come from the cgroup filesystem).
    pub fn from_proc(mountinfo: &str, own: &str) -> CgroupLayout {
        let mut layout = CgroupLayout::default();
        let own_path = |key: &str| -> String {
            own.lines()
                .filter_map(|l| {
                    let mut parts = l.splitn(3, ':');
                    let _id = parts.next()?;
                    let ctrls = parts.next()?;
                    let path = parts.next()?;
                    Some((ctrls, path))
                })
                .find(|(ctrls, _)| {
                    if key.is_empty() {
                        ctrls.is_empty()
                    } else {
                        ctrls.split(',').any(|c| c == key)
                    }
                })
                .map(|(_, p)| p.to_string())
                .unwrap_or_else(|| "/".into())
        };
        for line in mountinfo.lines() {
            let Some((left, right)) = line.split_once(" - ") else {
                continue;
            };
            let fields: Vec<&str> = left.split(' ').collect();
            let rfields: Vec<&str> = right.split(' ').collect();
            if fields.len() < 5 || rfields.len() < 3 {
                continue;
            }
            let mount = PathBuf::from(unescape(fields[4]));
            match rfields[0] {
                "cgroup2" if layout.v2.is_none() => {
                    layout.v2 = Some(V2Hierarchy {
                        mount,
                        base: own_path(""),
                        controllers: Vec::new(),
                    });
                }
                "cgroup" => {
                    let controllers: Vec<String> = rfields[2]
                        .split(',')
                        .filter(|o| {
                            !matches!(
                                *o,
                                "rw" | "ro" | "nosuid" | "nodev" | "noexec" | "relatime" | "xattr"
                            ) && !o.starts_with("release_agent")
                                && *o != "clone_children"
                                && *o != "noprefix"
                                && *o != "cpuset_v2_mode"
                        })
                        .map(str::to_string)
                        .collect();
                    if controllers.is_empty()
                        || layout.v1.iter().any(|h| h.controllers == controllers)
                    {
                        continue;
                    }
                    let base = own_path(&controllers[0]);
                    layout.v1.push(V1Hierarchy {
                        controllers,
                        mount,
                        base,
                    });
                }
                _ => {}
            }
        }
        layout
    }

    /// Unified, hybrid, legacy or none.
    pub fn kind(&self) -> LayoutKind {
        match (self.v1.is_empty(), self.v2.is_some()) {
            (true, true) => LayoutKind::Unified,
            (false, true) => LayoutKind::Hybrid,
            (false, false) => LayoutKind::Legacy,
            (true, false) => LayoutKind::None,
        }
    }

    fn v1_for(&self, controller: &str) -> Option<&V1Hierarchy> {
        self.v1
            .iter()
            .find(|h| h.controllers.iter().any(|c| c == controller))
    }
}

fn unescape(s: &str) -> String {
    s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
}

fn join(mount: &Path, rel: &str) -> PathBuf {
    let rel = rel.trim_start_matches('/');
    if rel.is_empty() {
        mount.to_path_buf()
    } else {
        mount.join(rel)
    }
}

/// One cgroup directory the container gets, with the files written into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CgroupDir {
    /// Hierarchy version.
    pub version: u8,
    /// Directory path.
    pub path: PathBuf,
    /// v1 cpuset: copy `cpuset.cpus`/`cpuset.mems` from the parent before use.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cpuset_init: bool,
    /// v2: controllers to enable in the parent's `cgroup.subtree_control`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enable: Vec<String>,
    /// Files written, in order (file name, value).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<(String, String)>,
}

/// Why resources cannot be applied on this host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CgroupError {
    /// A needed controller is not available in any hierarchy.
    #[error("the {controller} cgroup controller is not available (needed for {what})")]
    MissingController {
        /// Controller.
        controller: String,
        /// The setting that needs it.
        what: String,
    },
    /// No cgroup hierarchy at all.
    #[error("no cgroup hierarchy is mounted")]
    NoHierarchy,
}

struct Builder<'a> {
    layout: &'a CgroupLayout,
    leaf: String,
    dirs: Vec<CgroupDir>,
}

impl Builder<'_> {
    fn v2_dir(&mut self) -> Option<&mut CgroupDir> {
        let v2 = self.layout.v2.as_ref()?;
        let path = join(&v2.mount, &v2.base).join(&self.leaf);
        if !self.dirs.iter().any(|d| d.path == path) {
            self.dirs.push(CgroupDir {
                version: 2,
                path: path.clone(),
                cpuset_init: false,
                enable: Vec::new(),
                writes: Vec::new(),
            });
        }
        self.dirs.iter_mut().find(|d| d.path == path)
    }

    fn v1_dir(&mut self, controller: &str) -> Option<&mut CgroupDir> {
        let h = self.layout.v1_for(controller)?;
        let path = join(&h.mount, &h.base).join(&self.leaf);
        let cpuset = h.controllers.iter().any(|c| c == "cpuset");
        if !self.dirs.iter().any(|d| d.path == path) {
            self.dirs.push(CgroupDir {
                version: 1,
                path: path.clone(),
                cpuset_init: cpuset,
                enable: Vec::new(),
                writes: Vec::new(),
            });
        }
        self.dirs.iter_mut().find(|d| d.path == path)
    }

    /// Write `file` for `controller`: v1 when the controller is bound there, else v2.
    fn write(
        &mut self,
        controller: &str,
        v1: Option<(&str, String)>,
        v2: Option<(&str, String)>,
        what: &str,
    ) -> Result<(), CgroupError> {
        let in_v1 = self.layout.v1_for(controller).is_some();
        if in_v1 {
            if let Some((file, value)) = v1 {
                if let Some(dir) = self.v1_dir(controller) {
                    dir.writes.push((file.to_string(), value));
                    return Ok(());
                }
            }
        } else if self
            .layout
            .v2
            .as_ref()
            .is_some_and(|v| v.controllers.iter().any(|c| c == controller))
        {
            if let Some((file, value)) = v2 {
                if let Some(dir) = self.v2_dir() {
                    if !dir.enable.iter().any(|c| c == controller) {
                        dir.enable.push(controller.to_string());
                    }
                    dir.writes.push((file.to_string(), value));
                    return Ok(());
                }
            }
        }
        Err(CgroupError::MissingController {
            controller: controller.to_string(),
            what: what.to_string(),
        })
    }
}

/// cgroup v1 `cpu.shares` to v2 `cpu.weight` (the formula runc and systemd use).
pub fn shares_to_weight(shares: u64) -> u64 {
    if shares == 0 {
        return 100;
    }
    1 + (shares.saturating_sub(2) * 9999) / 262_142
}

/// The cgroups of a container named `leaf` and what is written into them.
///
/// The first directory is always the tracking cgroup (cgroup2 when mounted, else the first v1
/// hierarchy): the one that is killed and watched for emptiness.
pub fn plan_cgroups(
    layout: &CgroupLayout,
    leaf: &str,
    res: &Resources,
    devices: &[lxconf_model::DeviceRule],
) -> Result<Vec<CgroupDir>, CgroupError> {
    let mut b = Builder {
        layout,
        leaf: leaf.to_string(),
        dirs: Vec::new(),
    };
    if b.v2_dir().is_none() {
        // A v1-only host: track in the pids (or first) hierarchy.
        let first = layout
            .v1_for("pids")
            .or(layout.v1.first())
            .ok_or(CgroupError::NoHierarchy)?;
        let c = first.controllers[0].clone();
        b.v1_dir(&c);
    }
    b.memory(res)?;
    b.cpu(res)?;
    b.cpuset(res)?;
    b.block_io(res)?;
    if let Some(p) = res.pids_max {
        b.write(
            "pids",
            Some(("pids.max", p.to_string())),
            Some(("pids.max", p.to_string())),
            "pids limit",
        )?;
    }
    b.device_rules(devices)?;
    b.raw_settings(res)?;
    Ok(b.dirs)
}

impl Builder<'_> {
    /// Memory limit, soft limit, guarantee and swap.
    fn memory(&mut self, res: &Resources) -> Result<(), CgroupError> {
        let fmt = |b: &lxconf_model::ByteSize| b.0.to_string();
        if let Some(m) = &res.memory_limit {
            self.write(
                "memory",
                Some(("memory.limit_in_bytes", fmt(m))),
                Some(("memory.max", fmt(m))),
                "memory limit",
            )?;
        }
        if let Some(m) = &res.memory_soft_limit {
            self.write(
                "memory",
                Some(("memory.soft_limit_in_bytes", fmt(m))),
                Some(("memory.high", fmt(m))),
                "memory soft limit",
            )?;
        }
        if let Some(m) = &res.memory_min {
            self.write(
                "memory",
                None,
                Some(("memory.min", fmt(m))),
                "memory guarantee",
            )?;
        }
        // Swap: v1 limits memory+swap, v2 limits swap alone.
        let memsw = res.memory_swap_limit.map(|s| s.0).or_else(|| {
            res.swap_limit
                .zip(res.memory_limit)
                .map(|(s, m)| s.0.saturating_add(m.0))
        });
        let swap_only = res.swap_limit.map(|s| s.0).or_else(|| {
            res.memory_swap_limit
                .zip(res.memory_limit)
                .map(|(t, m)| t.0.saturating_sub(m.0))
        });
        if memsw.is_some() || swap_only.is_some() {
            self.write(
                "memory",
                memsw.map(|v| ("memory.memsw.limit_in_bytes", v.to_string())),
                swap_only.map(|v| ("memory.swap.max", v.to_string())),
                "swap limit",
            )?;
        }
        Ok(())
    }

    /// CPU shares or weight (each converted to the other), quota and period.
    fn cpu(&mut self, res: &Resources) -> Result<(), CgroupError> {
        let weight = res
            .cpu_weight
            .or_else(|| res.cpu_shares.map(shares_to_weight));
        if res.cpu_shares.is_some() || res.cpu_weight.is_some() {
            let shares = res.cpu_shares.or_else(|| {
                res.cpu_weight
                    .map(|w| 2 + (w.saturating_sub(1) * 262_142) / 9999)
            });
            self.write(
                "cpu",
                shares.map(|s| ("cpu.shares", s.to_string())),
                weight.map(|w| ("cpu.weight", w.to_string())),
                "cpu shares",
            )?;
        }
        if res.cpu_quota_us.is_none() && res.cpu_period_us.is_none() {
            return Ok(());
        }
        let quota = res.cpu_quota_us.unwrap_or(-1);
        let period = res.cpu_period_us.unwrap_or(100_000);
        if self.layout.v1_for("cpu").is_some() {
            if let Some(p) = res.cpu_period_us {
                self.write(
                    "cpu",
                    Some(("cpu.cfs_period_us", p.to_string())),
                    None,
                    "cpu period",
                )?;
            }
            self.write(
                "cpu",
                Some(("cpu.cfs_quota_us", quota.to_string())),
                None,
                "cpu quota",
            )
        } else {
            let q = if quota < 0 {
                "max".to_string()
            } else {
                quota.to_string()
            };
            self.write(
                "cpu",
                None,
                Some(("cpu.max", format!("{q} {period}"))),
                "cpu quota",
            )
        }
    }

    /// CPUs and memory nodes.
    fn cpuset(&mut self, res: &Resources) -> Result<(), CgroupError> {
        if let Some(c) = &res.cpuset_cpus {
            self.write(
                "cpuset",
                Some(("cpuset.cpus", c.to_string())),
                Some(("cpuset.cpus", c.to_string())),
                "cpuset",
            )?;
        }
        if let Some(m) = &res.cpuset_mems {
            self.write(
                "cpuset",
                Some(("cpuset.mems", m.to_string())),
                Some(("cpuset.mems", m.to_string())),
                "cpuset",
            )?;
        }
        Ok(())
    }

    /// Block-io weights and throttles: v1 `blkio` when bound, else v2 `io`.
    fn block_io(&mut self, res: &Resources) -> Result<(), CgroupError> {
        if let Some(w) = res.blkio_weight {
            self.write(
                "blkio",
                Some(("blkio.weight", w.to_string())),
                None,
                "block-io weight",
            )
            .or_else(|_| {
                self.write(
                    "io",
                    None,
                    Some(("io.weight", format!("default {w}"))),
                    "block-io weight",
                )
            })?;
        }
        for d in &res.blkio_devices {
            let dev = &d.device;
            if let Some(w) = d.weight {
                self.write(
                    "blkio",
                    Some(("blkio.weight_device", format!("{dev} {w}"))),
                    None,
                    "block-io device weight",
                )
                .or_else(|_| {
                    self.write(
                        "io",
                        None,
                        Some(("io.weight", format!("{dev} {w}"))),
                        "block-io device weight",
                    )
                })?;
            }
            let throttles = [
                ("read_bps_device", "rbps", d.read_bps),
                ("write_bps_device", "wbps", d.write_bps),
                ("read_iops_device", "riops", d.read_iops),
                ("write_iops_device", "wiops", d.write_iops),
            ];
            for (v1file, v2key, value) in throttles {
                if let Some(v) = value {
                    let v1 = format!("blkio.throttle.{v1file}");
                    self.write(
                        "blkio",
                        Some((v1.as_str(), format!("{dev} {v}"))),
                        None,
                        "block-io throttle",
                    )
                    .or_else(|_| {
                        self.write(
                            "io",
                            None,
                            Some(("io.max", format!("{dev} {v2key}={v}"))),
                            "block-io throttle",
                        )
                    })?;
                }
            }
        }
        Ok(())
    }

    /// Device access rules. They need v1: v2 needs a BPF program, which the runner does
    /// not load.
    fn device_rules(&mut self, devices: &[lxconf_model::DeviceRule]) -> Result<(), CgroupError> {
        for rule in devices {
            let kind = match rule.kind {
                DeviceType::All => "a",
                DeviceType::Block => "b",
                DeviceType::Char => "c",
            };
            let num = |n: Option<u32>| n.map_or("*".to_string(), |n| n.to_string());
            let line = if rule.kind == DeviceType::All {
                "a".to_string()
            } else {
                format!(
                    "{kind} {}:{} {}",
                    num(rule.major),
                    num(rule.minor),
                    rule.access
                )
            };
            let file = if rule.allow {
                "devices.allow"
            } else {
                "devices.deny"
            };
            self.write("devices", Some((file, line)), None, "device rules")?;
        }
        Ok(())
    }

    /// `lxc.cgroup.*` and `lxc.cgroup2.*` files, written as given.
    fn raw_settings(&mut self, res: &Resources) -> Result<(), CgroupError> {
        for s in &res.cgroup {
            let controller = s.key.split('.').next().unwrap_or_default().to_string();
            let controller = if controller == "memsw" {
                "memory".into()
            } else {
                controller
            };
            match s.version {
                CgroupVersion::V1 => self.write(
                    &controller,
                    Some((s.key.as_str(), s.value.clone())),
                    None,
                    &Family::Cgroup1.key(&s.key),
                )?,
                CgroupVersion::V2 => self.write(
                    &controller,
                    None,
                    Some((s.key.as_str(), s.value.clone())),
                    &Family::Cgroup2.key(&s.key),
                )?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID_MOUNTINFO: &str = "\
30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
33 30 0:29 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
    const HYBRID_OWN: &str = "4:pids:/\n3:memory:/sandbox/x\n2:cpu:/\n0::/\n";

    #[test]
    fn hybrid_layout_is_read_from_proc() {
        let layout = CgroupLayout::from_proc(HYBRID_MOUNTINFO, HYBRID_OWN);
        assert_eq!(layout.kind(), LayoutKind::Hybrid);
        assert_eq!(layout.v1.len(), 3);
        assert_eq!(layout.v1[1].base, "/sandbox/x");
        assert_eq!(
            layout.v2.as_ref().map(|v| v.mount.clone()),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
    }

    #[test]
    fn shares_map_to_weights_like_runc() {
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(262_144), 10000);
    }

    #[test]
    fn missing_controller_is_an_error() {
        let layout = CgroupLayout::from_proc(HYBRID_MOUNTINFO, HYBRID_OWN);
        let res = Resources {
            cpuset_cpus: Some("0".parse().expect("cpuset")),
            ..Resources::default()
        };
        let err = plan_cgroups(&layout, "c", &res, &[]).expect_err("no cpuset");
        assert!(err.to_string().contains("cpuset"), "{err}");
    }
}
