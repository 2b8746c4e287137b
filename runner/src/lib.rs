//! lxconf-run: runs the normalized lxconf model as a real container.
//!
//! The work is split the way the project's style asks: [`plan::plan`] turns a
//! [`Container`] into an ordered [`plan::Plan`] without touching the system, and
//! [`exec::execute`] walks that plan through a [`sys::Sys`] (the real
//! [`sys::linux::LinuxSys`] or the recording double [`sys::record::RecordSys`]).
//! [`check_host`] reports what this host supports.

pub mod cgroup;
pub mod exec;
pub mod host;
pub mod plan;
pub mod sys;

pub use exec::RunError;
pub use host::{check_host, HostReport};
pub use plan::{plan, InitMode, Plan, PlanError, RunOptions};

use lxconf_model::Container;

/// Run `container` on this host and return the command's exit status (128 + the signal
/// number when it was killed).
///
/// Call it from a single-threaded process when possible: the container process is
/// created with `clone` and runs Rust code before it execs.
pub fn run(container: &Container, options: &RunOptions) -> Result<i32, RunError> {
    let plan = plan::plan(container, options)?;
    exec::execute(&plan, &sys::linux::LinuxSys)
}
