//! lxconf-convert: emitters from the model to each format, with loss reports.
//!
//! - [`lxc`]: model → LXC config text (modern or 2.x keys).
//! - [`libvirt_xml`]: model → libvirt domain XML (libvirt's formatting), with a loss report.
//! - [`lxd`]: model → LXD/Incus instance YAML (`lxc config show`), with a loss report.
//! - [`from_native`]: what libvirt needs that an LXC config lacks (name, uuid, memory...).
//! - [`libvirt_compat`]: LXC config text → domain XML exactly as libvirt 9.0.0's converter
//!   (the `lxconf-libvirt-compat` crate: a second, independent pipeline, re-exported here).

pub mod from_native;
pub mod fstab;
pub mod libvirt_xml;
pub mod lxc;
pub mod lxd;
pub mod lxd_only;
pub mod writable;

pub use lxconf_libvirt_compat as libvirt_compat;
