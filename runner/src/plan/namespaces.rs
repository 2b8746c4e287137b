//! Which namespaces the container creates, joins or unshares later, and its id maps.

use super::{JoinNs, ParentStep, PlanError};
use lxconf_model::{Container, IdKind, Namespace};
use std::collections::BTreeSet;

/// The namespaces of a container.
pub(super) struct Namespaces {
    /// Created by `clone`.
    pub clone: BTreeSet<Namespace>,
    /// Joined right after clone.
    pub join: Vec<JoinNs>,
    /// The cgroup namespace is unshared after the process moved into its cgroup, so that
    /// its root is the container's cgroup.
    pub unshare_cgroup: bool,
    /// The time namespace is unshared last: its offsets apply to the command.
    pub time: bool,
}

/// The namespaces of `c`: a shared namespace is joined instead of created, and an id map
/// needs a user namespace.
pub(super) fn plan_namespaces(c: &Container) -> Result<Namespaces, PlanError> {
    let mut clone: BTreeSet<Namespace> = c.namespaces.clone.clone();
    for ns in c.namespaces.share.keys() {
        clone.remove(ns);
    }
    if !c.idmap.is_empty() && !c.namespaces.share.contains_key(&Namespace::User) {
        clone.insert(Namespace::User);
    }
    let unshare_cgroup = clone.remove(&Namespace::Cgroup);
    let time = clone.remove(&Namespace::Time)
        || c.time_offsets.boot_ns != 0
        || c.time_offsets.monotonic_ns != 0;
    let join = c
        .namespaces
        .share
        .iter()
        .map(|(ns, value)| join_path(*ns, value).map(|path| JoinNs { ns: *ns, path }))
        .collect::<Result<_, _>>()?;
    Ok(Namespaces {
        clone,
        join,
        unshare_cgroup,
        time,
    })
}

/// The namespace file of a shared namespace: a pid's, or a path. A container name would
/// need liblxc's command socket, which the runner does not speak.
fn join_path(ns: Namespace, value: &str) -> Result<String, PlanError> {
    if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
        Ok(format!("/proc/{value}/ns/{}", ns.name()))
    } else if value.starts_with('/') {
        Ok(value.to_string())
    } else {
        Err(PlanError::ShareByName {
            ns,
            value: value.to_string(),
        })
    }
}

/// `uid_map` and `gid_map` writes, one `inside outside count` line per range.
pub(super) fn id_maps(c: &Container) -> Vec<ParentStep> {
    [IdKind::Uid, IdKind::Gid]
        .into_iter()
        .filter_map(|kind| {
            let lines: Vec<String> = c
                .idmap
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| format!("{} {} {}", m.container_start, m.host_start, m.count))
                .collect();
            (!lines.is_empty()).then(|| ParentStep::IdMap {
                kind,
                map: lines.join("\n") + "\n",
            })
        })
        .collect()
}
