//! The cgroup limits a container got from a real engine, read on the host while it runs.
//!
//! The runner reports the limit files it wrote (`lxconf run --report-limits`). A real
//! engine writes its own files in its own cgroups, so the same files are read from the
//! cgroups the container's init is in (`/proc/PID/cgroup`, seen from the host): the files
//! the runner would write for either side's model, so a limit one engine sets and the other
//! does not shows as two different values, not as a line missing on one side.

use lxconf_model::Container;
use lxconf_run::cgroup::{plan_cgroups, CgroupLayout};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Device rules are written to `devices.allow`/`devices.deny`, which cannot be read back
/// (the kernel answers EINVAL); `devices.list` holds the rules in effect.
fn readable(file: &str) -> &str {
    match file {
        "devices.allow" | "devices.deny" => "devices.list",
        other => other,
    }
}

/// The limit files of the models, in the cgroups process `pid` is in: file name → path.
fn limit_files(pid: u32, models: &[&Container]) -> BTreeMap<String, PathBuf> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let cgroups = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
    // The layout as if the container's cgroups were the runner's own: the runner's leaf
    // directory is then the container's cgroup itself (an empty leaf).
    let mut layout = CgroupLayout::from_proc(&mountinfo, &cgroups);
    if let Some(v2) = &mut layout.v2 {
        let dir = v2.mount.join(v2.base.trim_start_matches('/'));
        v2.controllers = std::fs::read_to_string(dir.join("cgroup.controllers"))
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
    }
    let mut files = BTreeMap::new();
    for model in models {
        // A limit this host cannot apply: the runner refuses the model, and there is
        // nothing to read for it.
        let Ok(dirs) = plan_cgroups(&layout, "", &model.resources, &model.device_rules) else {
            continue;
        };
        for dir in dirs {
            for (file, _) in &dir.writes {
                let file = readable(file);
                files
                    .entry(file.to_string())
                    .or_insert_with(|| dir.path.join(file));
            }
        }
    }
    files
}

/// `FILE VALUE` lines, sorted, as the runner reports them: the limits of the models, read
/// from the cgroups of process `pid`.
pub fn read(pid: u32, models: &[&Container]) -> Vec<String> {
    let mut lines: Vec<String> = limit_files(pid, models)
        .into_iter()
        .map(|(name, path)| match std::fs::read_to_string(&path) {
            Ok(value) => format!("{name} {}", value.trim().replace('\n', " ")),
            Err(e) => format!("{name} (not readable: {e})"),
        })
        .collect();
    lines.sort();
    lines
}
