//! lxconf-convert: emitters from the model to each format, with loss reports.
//!
//! - [`lxc`]: model → LXC config text (modern or 2.x keys).
//! - [`libvirt_compat`]: LXC config text → domain XML exactly as libvirt 9.0.0's converter.

pub mod libvirt_compat;
pub mod lxc;
