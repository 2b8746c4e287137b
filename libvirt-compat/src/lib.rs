//! lxconf-libvirt-compat, behind `--compat libvirt`: an exact emulation of libvirt 9.0.0's LXC config converter
//! (`virsh -c lxc:///system domxml-from-native lxc-tools FILE`).
//!
//! The output is byte-identical to what virsh prints (without the blank line virsh adds
//! after every command), libvirt's bugs included: swapped idmap fields, the `dir:` prefix
//! kept in the rootfs path, the all-zero MAC, only the first `lxc.cap.drop` line, 64 MiB
//! default memory, `user` interfaces for unknown NIC types, the `vepa` fallback, trailing
//! blanks kept, the privnet rule, basic mounts dropped, and so on. Failures carry the same
//! texts virsh prints. Only the uuid differs: the caller passes one (libvirt makes a random
//! one on every call).
//!
//! This is the oracle mode that proves lxconf's reading of libvirt's mapping; the mapping
//! and each reproduced bug are listed in `docs/mapping-libvirt-compat.md`.
//!
//! - [`reader`]: libvirt's LXC-mode config reader (key grammar, quoting, error lines).
//! - `convert`: the mapping, in libvirt's processing order.
//! - `xml`: libvirt's XML formatting.
//! - [`numbers`]: the C number, size, bitmap, MAC and IP parsing the mapping relies on.

mod convert;
pub mod numbers;
pub mod reader;
mod xml;

/// The emulator path of Debian's libvirt package (what virsh prints on this host).
pub const DEBIAN_EMULATOR: &str = "/usr/lib/libvirt/libvirt_lxc";
/// The emulator path of an upstream libvirt build (and of libvirt's own test data).
pub const UPSTREAM_EMULATOR: &str = "/usr/libexec/libvirt_lxc";

/// Conversion options.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The domain uuid to print.
    pub uuid: &'a str,
    /// The `<emulator>` path (libvirt fills in the host's libvirt_lxc).
    pub emulator: &'a str,
    /// The host architecture in libvirt's naming; decides which `lxc.arch` values libvirt
    /// can run (the host's own, plus i686 on x86_64).
    pub host_arch: &'a str,
}

/// Why libvirt's converter fails, with the text virsh prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompatError {
    /// A syntax error of the config reader (`configuration file syntax error: memory
    /// conf:LINE: MESSAGE`).
    #[error("configuration file syntax error: memory conf:{line}: {message}")]
    Syntax {
        /// 1-based line libvirt reports.
        line: usize,
        /// The reader's message, e.g. `expecting an assignment`.
        message: &'static str,
    },
    /// The converter failed without setting an error (missing name or rootfs, unknown
    /// network subkey, ...): virsh says "An error occurred, but the cause is unknown".
    #[error("An error occurred, but the cause is unknown")]
    Unknown,
    /// A negative `lxc.tty.max`/`lxc.tty`: libvirt 9.0.0 aborts libvirtd itself.
    #[error("libvirt 9.0.0 aborts libvirtd on a negative tty count ({value:?}); not converted")]
    DaemonCrash {
        /// The value that crashes it.
        value: String,
    },
    /// An error libvirt reports: the text after `error: ` (e.g. `internal error: failed
    /// to parse int: 'abc'`).
    #[error("{0}")]
    Reported(String),
}

impl CompatError {
    pub(crate) fn syntax(line: usize, message: &'static str) -> Self {
        CompatError::Syntax { line, message }
    }

    /// What virsh writes to stderr, without the final newline (two lines for a crash).
    pub fn virsh_message(&self) -> String {
        match self {
            CompatError::DaemonCrash { .. } => "error: Disconnected from lxc:///system due to end of file\nerror: End of file while reading data: Input/output error".into(),
            other => format!("error: {other}"),
        }
    }
}

/// Convert LXC config text exactly as libvirt 9.0.0 does on an x86_64 host.
///
/// Returns virsh's stdout without the blank line virsh adds after every command (the text
/// ends in `</domain>\n`), or the failure virsh would report.
pub fn from_native(text: &str, uuid: &str, emulator: &str) -> Result<String, CompatError> {
    from_native_with(
        text,
        &Options {
            uuid,
            emulator,
            host_arch: "x86_64",
        },
    )
}

/// [`from_native`] with all options.
pub fn from_native_with(text: &str, opts: &Options<'_>) -> Result<String, CompatError> {
    let conf = reader::read(text)?;
    let domain = convert::convert(&conf, opts.host_arch)?;
    xml::format(&domain, opts.uuid, opts.emulator)
}
