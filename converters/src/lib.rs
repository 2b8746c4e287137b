//! lxconf-convert: emitters from the model to each format, with loss reports.
//!
//! - [`lxc`]: model → LXC config text (modern or 2.x keys).

pub mod from_native;
pub mod libvirt_xml;
pub mod lxc;
