//! A fixture per diagnostic code: the input that raises it, where the report must place it,
//! and, where the code has a fix, the fixed input that does not raise it. The rule pages
//! (`docs.rs`) show the fixture as the bad example, so an example is written once, and
//! `tests/it/codes.rs` runs the real command on every fixture.
//!
//! The lint rules' fixtures are corpus/lint/CODE.* (`lint.rs`); every other code has a
//! directory tests/codes/CODE/ (`other.rs`), with its explanation beside it, since the
//! registry only explains lint rules.

mod lint;
mod other;

use lxconf_model::Code;

/// One file of a fixture.
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    /// Its name in the fixture's directory.
    pub name: &'static str,
    /// Its content, compiled in so that pages (also in SARIF output) can show it; `None`
    /// for a fixture too large to show.
    pub text: Option<&'static str>,
}

/// The fixture of one code.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The code it raises.
    pub code: Code,
    /// Its directory, relative to the repository root; the command runs there.
    pub dir: &'static str,
    /// The input that raises the code.
    pub bad: Fixture,
    /// The same input fixed, which does not raise it (none when the code has no fix in
    /// the input, as for a note that only informs).
    pub fixed: Option<Fixture>,
    /// The `lxconf` arguments that raise it; the fixture's name is appended.
    pub command: &'static [&'static str],
    /// What the report of the code holds: `FILE:LINE:` where the code is located in the
    /// input, else the words of its message that name the setting.
    pub at: &'static str,
    /// Raised by a real container run only, which needs root.
    pub needs_root: bool,
}

/// Why a code that is not a lint rule matters, and how to fix it (lint rules have theirs
/// in the registry).
#[derive(Debug, Clone, Copy)]
pub struct Explanation {
    /// The code.
    pub code: Code,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// A code that no input file can raise.
#[derive(Debug, Clone, Copy)]
pub struct Unraisable {
    /// The code.
    pub code: Code,
    /// Why no fixture raises it.
    pub reason: &'static str,
    /// A configuration under which it can happen, for its page.
    pub example: &'static str,
}

/// Codes that no input file can raise, with the reason. Each is still documented.
pub const WITHOUT_FIXTURE: &[Unraisable] = &[Unraisable {
    code: Code::R015,
    reason: "it is raised when the kernel refuses to give a `phys` interface back to the \
             host after the container ended (not ENODEV): a host-side race no config can set up",
    example: "# enp3s0 moves into the container as eth0, and back to the host when it ends.\n\
              lxc.uts.name = web\n\
              lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs\n\
              lxc.net.0.type = phys\n\
              lxc.net.0.link = enp3s0\n\
              lxc.net.0.name = eth0\n",
}];

/// Every fixture: lint rules first, then the other codes.
pub fn all() -> impl Iterator<Item = &'static Example> {
    lint::EXAMPLES.iter().chain(other::EXAMPLES)
}

/// The fixture of a code.
pub fn example(code: Code) -> Option<&'static Example> {
    all().find(|e| e.code == code)
}

/// The explanation of a code that is not a lint rule.
pub fn explanation(code: Code) -> Option<&'static Explanation> {
    other::EXPLANATIONS.iter().find(|e| e.code == code)
}
