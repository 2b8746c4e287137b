//! A fixture per diagnostic code: the input that raises it, where the report must place it,
//! and, where the code has a fix, the fixed input that does not raise it. The rule pages
//! (`docs.rs`) show the fixture as the bad example, so an example is written once, and
//! `tests/it/codes.rs` runs the real command on every fixture.
//!
//! The lint rules' fixtures are corpus/lint/CODE.* (`lint.rs`); every other code has a
//! directory tests/codes/CODE/ (`other.rs`). Why each code matters and how to fix it is
//! documentation text, in `explanations.toml` (`super::explain`).

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

/// A code that no input file can raise.
#[derive(Debug, Clone, Copy)]
pub struct Unraisable {
    /// The code.
    pub code: Code,
    /// Why no fixture raises it.
    pub reason: &'static str,
}

/// Codes that no input file can raise, with the reason. Each is still documented.
pub const WITHOUT_FIXTURE: &[Unraisable] = &[Unraisable {
    code: Code::R015,
    reason: "it is raised when the kernel refuses to give a `phys` interface back to the \
             host after the container ended (not ENODEV): a host-side race no config can set up",
}];

/// Every fixture: lint rules first, then the other codes.
pub fn all() -> impl Iterator<Item = &'static Example> {
    lint::EXAMPLES.iter().chain(other::EXAMPLES)
}

/// The fixture of a code.
pub fn example(code: Code) -> Option<&'static Example> {
    all().find(|e| e.code == code)
}
