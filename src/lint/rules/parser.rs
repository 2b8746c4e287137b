//! Rules the parsers report while loading (LXC config L001–L020, fstab F001–F004). Their
//! checks live in `lxconf-parse`; this file holds their documentation.

use crate::lint::{Check, Fixable, RuleDef};
use lxconf_model::Code;

const fn parser(code: Code, fixable: Fixable) -> RuleDef {
    RuleDef {
        code,
        fixable,
        check: Check::Parser,
    }
}

/// The parser rules.
pub const RULES: &[RuleDef] = &[
    parser(Code::L001, Fixable::Unsafe),
    parser(Code::L002, Fixable::Sometimes),
    parser(Code::L003, Fixable::No),
    parser(Code::L004, Fixable::No),
    parser(Code::L005, Fixable::No),
    parser(Code::L006, Fixable::No),
    parser(Code::L007, Fixable::No),
    parser(Code::L008, Fixable::No),
    parser(Code::L009, Fixable::No),
    parser(Code::L010, Fixable::No),
    parser(Code::L011, Fixable::No),
    parser(Code::L012, Fixable::No),
    parser(Code::L013, Fixable::No),
    parser(Code::L014, Fixable::No),
    parser(Code::L015, Fixable::Unsafe),
    parser(Code::L016, Fixable::No),
    parser(Code::L017, Fixable::No),
    parser(Code::L018, Fixable::No),
    parser(Code::L019, Fixable::No),
    parser(Code::L020, Fixable::No),
    parser(Code::F001, Fixable::No),
    parser(Code::F002, Fixable::No),
    parser(Code::F003, Fixable::No),
    parser(Code::F004, Fixable::No),
];
