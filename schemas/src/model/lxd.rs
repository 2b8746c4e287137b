//! What only LXD and Incus have: instance management around the container, which no
//! liblxc key carries. The container's meaning (limits, mounts, networks, idmap...) is in the
//! rest of the model, as LXD hands it to liblxc.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_false(b: &bool) -> bool {
    !*b
}

/// LXD/Incus-only settings of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LxdSettings {
    /// `profiles`, in the order LXD applies them (a later profile overrides an earlier one;
    /// the instance overrides them all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// `stateful`: the instance may be stopped with its memory state saved.
    #[serde(skip_serializing_if = "is_false")]
    pub stateful: bool,
    /// `boot.autostart` left unset: LXD starts the instance at daemon start only if it was
    /// running when the daemon stopped (`autostart.enabled` is then false).
    #[serde(skip_serializing_if = "is_false")]
    pub autostart_restores_last_state: bool,
    /// Which of the two products the file was written for.
    #[serde(skip_serializing_if = "LxdFlavor::is_lxd")]
    pub flavor: LxdFlavor,
    /// Config keys with no liblxc meaning, kept as written (`user.*`, `snapshots.*`,
    /// `boot.stop.priority`, `linux.kernel_modules`, `raw.apparmor`,
    /// `security.syscalls.intercept.*`, `limits.cpu` as a count...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    /// Devices the model does not type (`proxy`, `gpu`, `usb`, `none`, ...), kept as
    /// written: device name → options, `type` included.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub devices: BTreeMap<String, BTreeMap<String, String>>,
}

/// LXD or Incus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LxdFlavor {
    /// Canonical's LXD.
    #[default]
    Lxd,
    /// The Linux Containers project's fork, Incus.
    Incus,
}

impl LxdFlavor {
    fn is_lxd(&self) -> bool {
        *self == LxdFlavor::Lxd
    }
}
