//! Input limits (I001–I006) and the domain XML reader's encoding and duplicate checks
//! (X008–X011). Their checks live in `lxconf-parse` (`limits`, `domxml`); this file holds
//! their documentation.

use crate::lint::{Check, Fixable, RuleDef};
use lxconf_model::Code;

const fn reader(code: Code) -> RuleDef {
    RuleDef {
        code,
        fixable: Fixable::No,
        check: Check::Parser,
    }
}

/// The input rules.
pub const RULES: &[RuleDef] = &[
    reader(Code::I001),
    reader(Code::I002),
    reader(Code::I003),
    reader(Code::I004),
    reader(Code::I005),
    reader(Code::I006),
    reader(Code::X008),
    reader(Code::X009),
    reader(Code::X010),
    reader(Code::X011),
];
