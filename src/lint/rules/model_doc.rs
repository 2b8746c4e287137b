//! Rules on model documents (`lxconf show` output read back): JSON syntax and the schema.
//! Reported by `lxconf_parse::model_doc` while loading.

use crate::lint::{Check, Fixable, RuleDef};
use lxconf_model::Code;

/// The model document rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M001,
        fixable: Fixable::No,
        check: Check::Parser,
    },
    RuleDef {
        code: Code::M002,
        fixable: Fixable::No,
        check: Check::Parser,
    },
];
