//! Kernel settings of the container: resource limits, `/proc/PID` and `/proc/sys` writes,
//! clock offsets.

use super::{proc_key_is_safe, ContainerStep, ParentStep, PlanError};
use lxconf_model::lxc_key::Family;
use lxconf_model::{Container, Limit};

/// Resource names of `lxc.prlimit.*`, with their `RLIMIT_*` numbers.
pub const RLIMITS: [(&str, u32); 16] = [
    ("cpu", 0),
    ("fsize", 1),
    ("data", 2),
    ("stack", 3),
    ("core", 4),
    ("rss", 5),
    ("nproc", 6),
    ("nofile", 7),
    ("memlock", 8),
    ("as", 9),
    ("locks", 10),
    ("sigpending", 11),
    ("msgqueue", 12),
    ("nice", 13),
    ("rtprio", 14),
    ("rttime", 15),
];

/// `prlimit` on the container process, by name or by resource number.
pub(super) fn prlimits(c: &Container) -> Result<Vec<ParentStep>, PlanError> {
    let value = |l: Limit| match l {
        Limit::Unlimited => None,
        Limit::Value(v) => Some(v),
    };
    c.prlimits
        .iter()
        .map(|p| {
            let resource = RLIMITS
                .iter()
                .find(|(n, _)| *n == p.resource)
                .map(|(_, r)| *r)
                .or_else(|| p.resource.parse().ok())
                .ok_or_else(|| PlanError::UnknownPrlimit(p.resource.clone()))?;
            Ok(ParentStep::Prlimit {
                resource,
                name: p.resource.clone(),
                soft: value(p.soft),
                hard: value(p.hard),
            })
        })
        .collect()
}

/// Writes to `/proc/PID/KEY`; a key that is not a plain name is refused.
pub(super) fn proc_writes(c: &Container) -> Result<Vec<ParentStep>, PlanError> {
    c.proc
        .iter()
        .map(|s| {
            if !proc_key_is_safe(&s.key) {
                return Err(PlanError::UnsafeKernelKey {
                    prefix: Family::Proc.prefix(),
                    key: s.key.clone(),
                });
            }
            Ok(ParentStep::ProcWrite {
                key: s.key.clone(),
                value: s.value.clone(),
            })
        })
        .collect()
}

/// Writes below `/proc/sys`.
pub(super) fn sysctls(c: &Container, steps: &mut Vec<ContainerStep>) -> Result<(), PlanError> {
    for s in &c.sysctls {
        // `/proc/sys` joined with an absolute key would be the key itself: a host file.
        if !proc_key_is_safe(&s.key) {
            return Err(PlanError::UnsafeKernelKey {
                prefix: Family::Sysctl.prefix(),
                key: s.key.clone(),
            });
        }
        steps.push(ContainerStep::Sysctl {
            key: s.key.clone(),
            value: s.value.clone(),
        });
    }
    Ok(())
}

/// The time namespace with the model's clock offsets.
pub(super) fn time_namespace(c: &Container) -> ContainerStep {
    ContainerStep::TimeNamespace {
        boot_ns: c.time_offsets.boot_ns,
        monotonic_ns: c.time_offsets.monotonic_ns,
    }
}
