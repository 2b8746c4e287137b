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
    let v2_controllers = |dir: &std::path::Path| {
        std::fs::read_to_string(dir.join("cgroup.controllers"))
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    limit_files_in(&mountinfo, &cgroups, v2_controllers, models)
}

/// [`limit_files`] from the host's mount table, the process's cgroup lines and a reader of
/// a cgroup2 directory's controllers.
fn limit_files_in(
    mountinfo: &str,
    cgroups: &str,
    v2_controllers: impl Fn(&std::path::Path) -> Vec<String>,
    models: &[&Container],
) -> BTreeMap<String, PathBuf> {
    // The layout as if the container's cgroups were the runner's own: the runner's leaf
    // directory is then the container's cgroup itself (an empty leaf).
    let mut layout = CgroupLayout::from_proc(mountinfo, cgroups);
    if let Some(v2) = &mut layout.v2 {
        v2.controllers = v2_controllers(&v2.mount.join(v2.base.trim_start_matches('/')));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// This project's CI host: v1 controllers and an empty cgroup2 at
    /// `/sys/fs/cgroup/unified`.
    const HYBRID: &str = "35 25 0:30 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
36 25 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory
37 25 0:32 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,pids
38 25 0:33 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,devices
";

    #[test]
    fn limits_are_read_in_the_containers_own_cgroups_and_device_rules_from_devices_list() {
        let libvirt = "4:memory:/machine/lxc-7-web.libvirt-lxc\n8:pids:/\n5:devices:/machine/lxc-7-web.libvirt-lxc\n0::/\n";
        let mut model = Container::default();
        model.resources.memory_limit = Some(lxconf_model::ByteSize(64 << 20));
        model.resources.pids_max = Some(50);
        model.device_rules = vec![lxconf_model::DeviceRule {
            allow: true,
            kind: lxconf_model::DeviceType::Char,
            major: Some(1),
            minor: Some(3),
            access: "rwm".into(),
        }];
        let files = limit_files_in(HYBRID, libvirt, |_| Vec::new(), &[&model]);
        let paths: Vec<(&str, &str)> = files
            .iter()
            .map(|(f, p)| (f.as_str(), p.to_str().expect("utf8")))
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "devices.list",
                    "/sys/fs/cgroup/devices/machine/lxc-7-web.libvirt-lxc/devices.list"
                ),
                (
                    "memory.limit_in_bytes",
                    "/sys/fs/cgroup/memory/machine/lxc-7-web.libvirt-lxc/memory.limit_in_bytes"
                ),
                ("pids.max", "/sys/fs/cgroup/pids/pids.max"),
            ]
        );
    }

    #[test]
    fn the_files_of_both_models_are_read_from_each_container() {
        let lxc = "4:memory:/lxc.payload.web\n0::/lxc.payload.web\n";
        let unlimited = Container::default();
        let mut limited = Container::default();
        limited.resources.memory_limit = Some(lxconf_model::ByteSize(1 << 30));
        let files = limit_files_in(HYBRID, lxc, |_| Vec::new(), &[&unlimited, &limited]);
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["memory.limit_in_bytes"],
            "the unlimited side is read too"
        );
    }
}
