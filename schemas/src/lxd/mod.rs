//! LXD's and Incus's own vocabulary, written once: the instance config keys and their
//! grammars ([`keys`]), what `raw.lxc` may not set ([`raw_lxc`]) and the device types and
//! their options ([`devices`]). The LXD reader (lxconf-parse), the LXD writer
//! (lxconf-convert) and lint read these tables; nothing else spells an LXD key.
//!
//! Source: LXD 5.0.2 (the Debian 12 daemon the oracle tests run); docs/lxd-facts.md cites
//! the function each fact comes from.

pub mod additions;
pub mod devices;
pub mod keys;
pub mod raw_lxc;

pub use keys::{lookup_key, Grammar, KeyInfo, KeyScope};
