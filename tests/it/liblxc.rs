//! Differential test against liblxc 5 (Debian's python3-lxc): lxconf accepts exactly the
//! configs liblxc accepts (legacy keys aside, which lxconf accepts with a warning), and
//! reads the same values for the keys liblxc reports.
//!
//! Filled in once the oracle script lands.
