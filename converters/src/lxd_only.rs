//! What an LXD/Incus instance has that no LXC config or domain XML can carry: LXD's
//! management concepts (profiles, snapshots, stateful stop, user keys, proxy and GPU
//! devices...). The LXC and libvirt writers report each of them, one finding per setting,
//! at the line of the YAML it came from; nothing is invented in their place.

use lxconf_model::lxd::devices;
use lxconf_model::model::Container;
use lxconf_model::pointer;

/// One LXD-only setting a non-LXD writer drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LxdOnly {
    /// Where it is in the model.
    pub pointer: String,
    /// What it is, for the message.
    pub what: String,
    /// Why it has no equivalent, and what to do instead.
    pub why: &'static str,
    /// True when nothing inside the container changes (a note, not a loss).
    pub management_only: bool,
}

/// Every LXD-only setting of `c`, in model order.
pub fn settings(c: &Container) -> Vec<LxdOnly> {
    let Some(lxd) = &c.lxd else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !lxd.profiles.is_empty() {
        out.push(LxdOnly {
            pointer: pointer::LXD_PROFILES.into(),
            what: format!("the profile list ({})", lxd.profiles.join(", ")),
            why: "profiles are LXD's; what the profiles given with --profile set is converted, the list itself is not",
            management_only: true,
        });
    }
    if lxd.stateful {
        out.push(LxdOnly {
            pointer: pointer::LXD_STATEFUL.into(),
            what: "stateful stop (`stateful: true`)".into(),
            why: "saving the memory state at stop is an LXD feature (CRIU)",
            management_only: true,
        });
    }
    for key in lxd.config.keys() {
        let (why, management_only) = config_key_why(key);
        out.push(LxdOnly {
            pointer: pointer::entry(pointer::LXD_CONFIG, key),
            what: format!("`{key}`"),
            why,
            management_only,
        });
    }
    for (name, options) in &lxd.devices {
        let kind = options.get("type").map_or("", String::as_str);
        if kind == devices::NONE {
            // A mask of a profile device: it does nothing once the profiles are expanded.
            continue;
        }
        out.push(LxdOnly {
            pointer: pointer::entry(pointer::LXD_DEVICES, name),
            what: format!("the `{kind}` device `{name}`"),
            why: device_why(kind),
            management_only: false,
        });
    }
    out
}

fn config_key_why(key: &str) -> (&'static str, bool) {
    let family = key.split('.').next().unwrap_or("");
    match family {
        "user" | "image" => ("stored by LXD only, no meaning for the container", true),
        "snapshots" => ("snapshot schedules are LXD management; schedule snapshots of the storage yourself", true),
        "boot" => ("LXD's start and stop ordering; see the autostart settings for what was converted", true),
        "cloud-init" => ("cloud-init data LXD serves to the instance; give it to cloud-init another way", false),
        "cluster" | "migration" => ("LXD cluster and migration management", true),
        "linux" => ("LXD loads these kernel modules on the host before start: load them yourself", false),
        "raw" => ("LXD adds it to the AppArmor profile it generates for the instance; write it into the profile you use", false),
        "security" => ("LXD answers these intercepted system calls itself (seccomp notify): no other engine does", false),
        "limits" => ("LXD chooses and balances that many CPUs at run time: pin CPUs with a cpuset instead", false),
        "nvidia" => ("LXD's NVIDIA runtime integration", false),
        _ => ("an LXD setting with no equivalent", false),
    }
}

fn device_why(kind: &str) -> &'static str {
    match kind {
        "proxy" => "LXD forwards the connection with its own forkproxy process: set up the forwarding on the host",
        "gpu" => "LXD finds and binds the GPU's device nodes at start: bind them with mounts and device rules",
        "usb" | "unix-hotplug" => "LXD adds the device when it appears (udev): pass it in with a mount and a device rule",
        "infiniband" => "LXD moves the InfiniBand device into the container",
        "tpm" => "LXD creates a software TPM for the instance",
        _ => "a device type lxconf does not model",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lxconf_model::model::LxdSettings;
    use std::collections::BTreeMap;

    #[test]
    fn each_lxd_only_setting_is_named_and_masks_are_not() {
        let mut lxd = LxdSettings {
            profiles: vec!["default".into(), "web".into()],
            stateful: true,
            ..LxdSettings::default()
        };
        lxd.config.insert("user.owner".into(), "ops".into());
        lxd.config
            .insert("linux.kernel_modules".into(), "ip_tables".into());
        let proxy = BTreeMap::from([("type".to_string(), "proxy".to_string())]);
        let none = BTreeMap::from([("type".to_string(), "none".to_string())]);
        lxd.devices.insert("web/80".into(), proxy);
        lxd.devices.insert("eth0".into(), none);
        let c = Container {
            lxd: Some(lxd),
            ..Container::default()
        };
        let found = settings(&c);
        let pointers: Vec<&str> = found.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/lxd/profiles",
                "/lxd/stateful",
                "/lxd/config/linux.kernel_modules",
                "/lxd/config/user.owner",
                "/lxd/devices/web~180",
            ]
        );
        assert!(found[3].management_only && !found[2].management_only);
        assert!(settings(&Container::default()).is_empty());
    }
}
