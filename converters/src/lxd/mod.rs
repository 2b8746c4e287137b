//! Model → LXD/Incus instance YAML (the text of `lxc config show NAME`), for
//! `lxc init --empty --no-profiles NAME < file.yaml`.
//!
//! Three layers, in this order (docs/lxd.md has the table, setting by setting):
//! 1. what LXD expresses natively becomes config keys and devices ([`config`], [`devices`]);
//! 2. everything else the model says that LXD's own additions
//!    (`lxconf_model::lxd::additions`) do not already give is written as LXC config lines
//!    in `raw.lxc` by the LXC writer, where LXD allows the key ([`raw`]);
//! 3. the rest is a coded loss (C401) at the value's origin, and what LXD does differently
//!    is a note (C402).

use lxconf_model::lxd::keys::names as keys;
use lxconf_model::model::LxdFlavor;
use lxconf_model::{pointer, Code, Diagnostic, Document};
use std::collections::BTreeMap;

mod config;
mod devices;
pub mod names;
mod raw;
pub mod yaml;

/// Writer options.
#[derive(Debug, Clone)]
pub struct LxdOptions {
    /// LXD 5.0 or Incus (`security.devlxd` is `security.guestapi` there).
    pub flavor: LxdFlavor,
    /// The storage pool of the root disk.
    pub pool: String,
    /// The host runs the legacy cgroup v1 hierarchy: LXD writes `lxc.cgroup.*` keys, and
    /// so does raw.lxc.
    pub cgroup_v1: bool,
}

impl Default for LxdOptions {
    fn default() -> Self {
        LxdOptions {
            flavor: LxdFlavor::Lxd,
            pool: "default".into(),
            cgroup_v1: false,
        }
    }
}

/// One device: option → value, `type` included.
pub type Device = BTreeMap<String, String>;

/// The instance as `lxc config show` prints it (`api.InstancePut`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instance {
    /// `architecture` (the server chooses it at `lxc init`).
    pub architecture: String,
    /// `config`.
    pub config: BTreeMap<String, String>,
    /// `devices`.
    pub devices: BTreeMap<String, Device>,
    /// `ephemeral` (`lxc init --ephemeral` sets it).
    pub ephemeral: bool,
    /// `profiles`.
    pub profiles: Vec<String>,
    /// `stateful`.
    pub stateful: bool,
    /// `description`.
    pub description: String,
}

/// What the writer produced.
#[derive(Debug, Clone)]
pub struct LxdOutput {
    /// The YAML text.
    pub text: String,
    /// The same, as data.
    pub instance: Instance,
    /// Losses (C401), notes (C402), refused values (C403) and a name LXD refuses (C404).
    pub losses: Vec<Diagnostic>,
}

/// State shared by the layers.
struct Writer<'a> {
    doc: &'a Document,
    opts: &'a LxdOptions,
    instance: Instance,
    losses: Vec<Diagnostic>,
}

impl Writer<'_> {
    fn report(&mut self, mut d: Diagnostic, pointer: &str) {
        if let Some(o) = self.doc.origins.find(pointer) {
            d = d.at(o);
        }
        if !pointer.is_empty() {
            d = d.covering(pointer);
        }
        self.losses.push(d);
    }

    /// The last loss or note also covers the model field at `pointer` (a consequence of
    /// the same difference: the working directory of a container given a root disk).
    fn also_covers(&mut self, pointer: &str) {
        if let Some(d) = self.losses.last_mut() {
            d.pointers.push(pointer.to_string());
        }
    }

    /// A setting LXD cannot express, natively or in raw.lxc.
    fn loss(&mut self, pointer: &str, what: String, why: &str) {
        let d = Diagnostic::new(
            Code::C401,
            format!("{what} cannot be expressed in an LXD instance"),
        )
        .help(format!("{why} (docs/lxd.md)"));
        self.report(d, pointer);
    }

    /// LXD behaves differently, or the migration needs a step of its own.
    fn note(&mut self, pointer: &str, message: String, help: &str) {
        let d = Diagnostic::new(Code::C402, message).help(help.to_string());
        self.report(d, pointer);
    }

    /// A value the YAML cannot carry: refused, never written.
    fn refuse(&mut self, pointer: &str, what: &str, why: impl std::fmt::Display) {
        let what = what.escape_debug();
        let d = Diagnostic::new(Code::C403, format!("{what} cannot be written: {why}"))
            .help("fix the value at its source");
        self.report(d, pointer);
    }

    /// Set a config key; the key must be one a simple YAML key can carry.
    fn set(&mut self, pointer: &str, key: String, value: String) {
        if value.is_empty() {
            return self.loss(
                pointer,
                format!("`{key}` set to an empty value"),
                "LXD does not store empty config values",
            );
        }
        match yaml::check_key(&key) {
            Ok(()) => {
                self.instance.config.insert(key, value);
            }
            Err(why) => self.refuse(pointer, &format!("config key `{key}`"), why),
        }
    }

    fn flavor_key<'k>(&self, key: &'k str) -> &'k str {
        match (self.opts.flavor, key) {
            (LxdFlavor::Incus, keys::SECURITY_DEVLXD) => lxconf_model::lxd::keys::INCUS_RENAMES
                .iter()
                .find(|(_, lxd)| *lxd == keys::SECURITY_DEVLXD)
                .map_or(key, |(incus, _)| incus),
            _ => key,
        }
    }
}

/// Write a model as an LXD (or Incus) instance.
pub fn emit(doc: &Document, opts: &LxdOptions) -> LxdOutput {
    let mut w = Writer {
        doc,
        opts,
        instance: Instance::default(),
        losses: Vec::new(),
    };
    let mut mapped = config::native(&mut w);
    devices::native(&mut w, &mut mapped);
    raw::carry(&mut w, &mapped);
    config::kept(&mut w);
    refuse_nul(&mut w);
    let text = to_yaml(&w.instance);
    LxdOutput {
        text,
        instance: w.instance,
        losses: w.losses,
    }
}

/// LXD stores a value cut at its first NUL byte (measured: `nul\0x` came back as `nul`):
/// such keys and values are refused, never written.
fn refuse_nul(w: &mut Writer<'_>) {
    let has_nul = |s: &String| s.contains('\0');
    let bad_keys: Vec<String> = w
        .instance
        .config
        .iter()
        .filter(|(k, v)| has_nul(k) || has_nul(v))
        .map(|(k, _)| k.clone())
        .collect();
    for k in bad_keys {
        w.instance.config.remove(&k);
        w.refuse(
            "",
            &format!("config key `{k}`"),
            "LXD cuts a value at a NUL byte",
        );
    }
    let bad_devices: Vec<String> = w
        .instance
        .devices
        .iter()
        .filter(|(name, d)| has_nul(name) || d.iter().any(|(k, v)| has_nul(k) || has_nul(v)))
        .map(|(name, _)| name.clone())
        .collect();
    for name in bad_devices {
        w.instance.devices.remove(&name);
        w.refuse(
            "",
            &format!("device `{name}`"),
            "LXD cuts a value at a NUL byte",
        );
    }
    if !w.instance.profiles.iter().all(|p| !p.contains('\0')) {
        w.instance.profiles.retain(|p| !p.contains('\0'));
        w.refuse(
            pointer::LXD_PROFILES,
            "a profile name",
            "LXD cuts a value at a NUL byte",
        );
    }
    if w.instance.description.contains('\0') {
        w.instance.description.clear();
        w.refuse(
            pointer::DESCRIPTION,
            "the description",
            "LXD cuts a value at a NUL byte",
        );
    }
}

/// The instance as yaml.v2 writes `api.InstancePut`: architecture, config, devices,
/// ephemeral, profiles, stateful, description.
pub fn to_yaml(i: &Instance) -> String {
    let mut out = yaml::Out::new();
    out.pair(0, "architecture", &i.architecture);
    write_map(&mut out, "config", &i.config);
    if i.devices.is_empty() {
        out.raw(0, "devices", "{}");
    } else {
        out.open(0, "devices");
        let mut names: Vec<&String> = i.devices.keys().collect();
        names.sort_by(|a, b| yaml::key_order(a, b));
        for name in names {
            out.open(2, name);
            let mut opts: Vec<(&String, &String)> = i.devices[name].iter().collect();
            opts.sort_by(|a, b| yaml::key_order(a.0, b.0));
            for (k, v) in opts {
                out.pair(4, k, v);
            }
        }
    }
    out.raw(0, "ephemeral", if i.ephemeral { "true" } else { "false" });
    if i.profiles.is_empty() {
        out.raw(0, "profiles", "[]");
    } else {
        out.open(0, "profiles");
        for p in &i.profiles {
            out.item(0, p);
        }
    }
    out.raw(0, "stateful", if i.stateful { "true" } else { "false" });
    out.last_pair(0, "description", &i.description);
    out.finish()
}

fn write_map(out: &mut yaml::Out, key: &str, map: &BTreeMap<String, String>) {
    if map.is_empty() {
        out.raw(0, key, "{}");
        return;
    }
    out.open(0, key);
    let mut pairs: Vec<(&String, &String)> = map.iter().collect();
    pairs.sort_by(|a, b| yaml::key_order(a.0, b.0));
    for (k, v) in pairs {
        out.pair(2, k, v);
    }
}

#[cfg(test)]
mod tests;
