//! `lxconf migrate`: a container into LXD in one step, what `lxc-to-lxd` does but with
//! nothing dropped without a word. The configuration is converted as `convert --to lxd`
//! converts it (every loss reported), the instance is created through LXD's own client
//! (`lxc init --empty --no-profiles`), its config is read back and compared with what was
//! written, and the root filesystem is copied into the instance's storage pool. Any failure
//! after the instance exists deletes it again: nothing half-migrated is left behind.
//!
//! lxconf talks to LXD through its `lxc` client rather than an HTTP stack of its own: the
//! client finds the socket, authenticates and waits for operations as LXD means it to.

use super::{load_or_report, FromFormat, Shown, EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use crate::engine::lxd::{InitFlags, Instance, Lxd};
use crate::report;
use clap::Args;
use lxconf_convert::lxd::{emit, LxdOptions, LxdOutput};
use lxconf_model::lxd::devices::is_instance_name;
use lxconf_model::model::{IdKind, IdMap};
use lxconf_model::{Code, Document};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Arguments of `lxconf migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The configuration to migrate (`/var/lib/lxc/NAME/config`, or any format lxconf reads).
    pub file: String,
    /// Input format (detected from the content when omitted).
    #[arg(long, value_enum)]
    pub from: Option<FromFormat>,
    /// The instance's name (default: the container's; LXD wants a hostname).
    #[arg(long)]
    pub name: Option<String>,
    /// The storage pool of the root disk (a `dir` pool, to copy the root filesystem).
    #[arg(long, default_value = "default")]
    pub pool: String,
    /// Write cgroup v1 keys (`lxc.cgroup.*`) even on a pure cgroup2 host; without it the
    /// layout of this host (where the instance will run) decides.
    #[arg(long)]
    pub cgroup_v1: bool,
    /// Create the instance only; leave the root filesystem where it is.
    #[arg(long)]
    pub no_rootfs: bool,
    /// Start the instance once it is created.
    #[arg(long)]
    pub start: bool,
    /// Refuse to migrate when a setting the configuration wrote would be lost.
    #[arg(long)]
    pub strict: bool,
    /// Print the instance YAML and what would be done; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Run `lxconf migrate`.
pub fn run(args: MigrateArgs) -> u8 {
    let loaded = match load_or_report(
        &args.file,
        args.from.map(Into::into),
        None,
        Shown::Warnings,
        "nothing migrated",
    ) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let doc = &loaded.document;
    let Some(name) = args.name.clone().or_else(|| doc.container.name.clone()) else {
        eprintln!(
            "lxconf: {} names no container: give the instance's name with --name",
            crate::input::display_name(&args.file)
        );
        return EXIT_USAGE;
    };
    if !is_instance_name(&name) {
        eprintln!("lxconf: `{name}` is not a name LXD accepts for an instance (a hostname: letters, digits and `-`, not starting with a digit); give one with --name");
        return EXIT_USAGE;
    }
    let rootfs = match rootfs_to_copy(doc, args.no_rootfs) {
        Ok(r) => r,
        Err(why) => {
            eprintln!("lxconf: {why}");
            return EXIT_USAGE;
        }
    };
    let opts = LxdOptions {
        pool: args.pool.clone(),
        // The instance runs here: LXD writes v1 keys unless this host is pure cgroup2.
        cgroup_v1: args.cgroup_v1 || !Path::new("/sys/fs/cgroup/cgroup.controllers").exists(),
        ..LxdOptions::default()
    };
    let mut out = emit(doc, &opts);
    if args.strict {
        super::convert::strict(&mut out.losses, &loaded.sources);
    }
    report::print(&out.losses, &loaded.sources);
    let lost = out.losses.iter().filter(|d| d.code == Code::C401).count();
    if out.losses.iter().any(|d| d.is_error()) {
        eprintln!("lxconf: nothing migrated ({lost} setting(s) would be lost or refused)");
        return EXIT_INPUT;
    }
    if args.dry_run {
        print!("{}", out.text);
        eprintln!("{}", plan(&name, &args, rootfs.as_deref()));
        return EXIT_OK;
    }
    match migrate(
        &name,
        &out,
        rootfs.as_deref(),
        &doc.container.idmap,
        args.start,
    ) {
        Ok(summary) => {
            println!("{summary}; {lost} setting(s) not carried (reported above)");
            EXIT_OK
        }
        Err(why) => {
            eprintln!("lxconf: {why}; nothing migrated (the instance was deleted)");
            EXIT_INPUT
        }
    }
}

/// The host directory of the root filesystem to copy: `None` with `--no-rootfs` or when the
/// container has none (it runs on the host's root); an error for storage LXD cannot take
/// as a tree of files (a block device, an image...).
fn rootfs_to_copy(doc: &Document, skip: bool) -> Result<Option<PathBuf>, String> {
    let Some(rootfs) = doc.container.rootfs.as_ref().filter(|_| !skip) else {
        return Ok(None);
    };
    if rootfs.backend.as_deref().is_some_and(|b| b != "dir") {
        return Err(format!(
            "the root filesystem is on `{}` storage: copy its files into the pool yourself and use --no-rootfs",
            rootfs.backend.as_deref().unwrap_or_default()
        ));
    }
    let path = PathBuf::from(&rootfs.path);
    if !path.is_dir() {
        return Err(format!(
            "the root filesystem {} is not a directory on this host (use --no-rootfs to create the instance only)",
            path.display()
        ));
    }
    Ok(Some(path))
}

/// What a `--dry-run` says would happen.
fn plan(name: &str, args: &MigrateArgs, rootfs: Option<&Path>) -> String {
    let mut steps = vec![format!(
        "lxc init --empty --no-profiles {name} < (the YAML above)"
    )];
    steps.push(format!("lxc config show {name}: compared with the YAML"));
    if let Some(r) = rootfs {
        steps.push(format!(
            "copy {} into the `{}` pool's containers/{name}/rootfs (cp -a)",
            r.display(),
            args.pool
        ));
    }
    if args.start {
        steps.push(format!("lxc start {name}"));
    }
    format!("would run:\n  {}", steps.join("\n  "))
}

/// Create the instance, check it, copy its root filesystem, start it: the instance is
/// deleted again on any failure (the guard's drop), kept once everything worked.
fn migrate(
    name: &str,
    out: &LxdOutput,
    rootfs: Option<&Path>,
    idmap: &[IdMap],
    start: bool,
) -> Result<String, String> {
    let lxd = Lxd::connect().map_err(|e| e.to_string())?;
    let flags = InitFlags {
        no_profiles: out.instance.profiles.is_empty(),
        ephemeral: out.instance.ephemeral,
    };
    let instance = lxd
        .create_with(name, &out.text, flags)
        .map_err(|e| e.to_string())?;
    let stored = kept_as_written(&instance, out)?;
    let mut done = vec![format!(
        "created instance `{name}` ({} config keys, {} devices, kept as written)",
        out.instance.config.len(),
        out.instance.devices.len()
    )];
    if let Some(from) = rootfs {
        if !idmap.is_empty() {
            already_shifted(&instance, &stored, idmap)?;
        }
        let to = instance.copy_rootfs(from).map_err(|e| e.to_string())?;
        done.push(format!("copied {} to {}", from.display(), to.display()));
    }
    if start {
        instance.start().map_err(|e| e.to_string())?;
        done.push("started".into());
    }
    instance.keep();
    Ok(done.join(", "))
}

/// The config and devices as LXD stored them (`lxc config show`, `volatile.*` aside).
#[derive(serde::Deserialize)]
struct StoredConfig {
    #[serde(default)]
    config: BTreeMap<String, String>,
    #[serde(default)]
    devices: BTreeMap<String, BTreeMap<String, String>>,
}

/// LXD keeps what was written: the same config (LXD stores no empty value) and devices.
/// Gives what LXD stored, volatile keys included.
fn kept_as_written(instance: &Instance<'_>, out: &LxdOutput) -> Result<StoredConfig, String> {
    let text = instance.config_show(false).map_err(|e| e.to_string())?;
    let shown: StoredConfig = serde_norway::from_str(&text).map_err(|e| {
        format!(
            "`lxc config show {}` is not the YAML expected: {e}",
            instance.name()
        )
    })?;
    let stored: BTreeMap<&String, &String> = shown
        .config
        .iter()
        .filter(|(k, _)| !k.starts_with(lxconf_model::lxd::keys::VOLATILE_PREFIX))
        .collect();
    let written: BTreeMap<&String, &String> = out
        .instance
        .config
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let mut differences: Vec<String> = Vec::new();
    for key in stored
        .keys()
        .chain(written.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        if stored.get(key) != written.get(key) {
            differences.push(format!(
                "config `{key}`: wrote {:?}, LXD has {:?}",
                written.get(key),
                stored.get(key)
            ));
        }
    }
    if shown.devices != out.instance.devices {
        differences.push("devices differ from those written".into());
    }
    if differences.is_empty() {
        Ok(shown)
    } else {
        Err(format!(
            "LXD did not keep the config as written: {}",
            differences.join("; ")
        ))
    }
}

/// One entry of LXD's `volatile.idmap.*` JSON (`shared/idmap`'s `IdmapEntry`).
#[derive(Debug, serde::Deserialize, serde::Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "PascalCase")]
struct LxdIdmapEntry {
    isuid: bool,
    isgid: bool,
    hostid: i64,
    nsid: i64,
    maprange: i64,
}

/// An unprivileged LXC container's files are owned by its mapped (host) ids already. LXD
/// shifts a new instance's files at its first start from `volatile.last_state.idmap`
/// (`[]`: "owned by container ids") to `volatile.idmap.next`; when LXD's map is the LXC
/// map, the copy is marked as shifted so that LXD leaves the owners alone. Another map
/// would leave every file owned by the wrong ids: refused.
fn already_shifted(
    instance: &Instance<'_>,
    stored: &StoredConfig,
    lxc: &[IdMap],
) -> Result<(), String> {
    const NEXT: &str = "volatile.idmap.next";
    const LAST: &str = "volatile.last_state.idmap";
    let next = stored.config.get(NEXT).map(String::as_str).unwrap_or("[]");
    let lxd: Vec<LxdIdmapEntry> =
        serde_json::from_str(next).map_err(|e| format!("LXD's {NEXT} is not JSON: {e}"))?;
    if as_lxd_entries(lxc) != sorted_split(lxd) {
        return Err(format!(
            "LXD allocated the id map {next}, not the container's: its files would be owned by the wrong ids (copy the root filesystem by hand, docs/lxd.md)"
        ));
    }
    instance.set_config(LAST, next).map_err(|e| e.to_string())
}

/// LXC's id maps as LXD's entries, one kind each, sorted.
fn as_lxd_entries(maps: &[IdMap]) -> Vec<LxdIdmapEntry> {
    let mut out: Vec<LxdIdmapEntry> = maps
        .iter()
        .map(|m| LxdIdmapEntry {
            isuid: m.kind == IdKind::Uid,
            isgid: m.kind == IdKind::Gid,
            hostid: m.host_start.into(),
            nsid: m.container_start.into(),
            maprange: m.count.into(),
        })
        .collect();
    out.sort();
    out
}

/// LXD's entries with "both" entries split into a uid and a gid entry, sorted.
fn sorted_split(entries: Vec<LxdIdmapEntry>) -> Vec<LxdIdmapEntry> {
    let mut out = Vec::new();
    for e in entries {
        for (isuid, isgid) in [(true, false), (false, true)] {
            if (isuid && e.isuid) || (isgid && e.isgid) {
                out.push(LxdIdmapEntry { isuid, isgid, ..e });
            }
        }
    }
    out.sort();
    out
}
