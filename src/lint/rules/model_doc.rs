//! Rules on model documents (`lxconf show` output read back): JSON syntax and the schema.
//! Reported by [`crate::lint::json_doc`] while loading.

use crate::lint::{Check, Fixable, RuleDef};
use lxconf_model::Code;

/// The model document rules.
pub const RULES: &[RuleDef] = &[
    RuleDef {
        code: Code::M001,
        example: "{\"hostname\": \"web\",}\n",
        why: "A model document that is not JSON cannot be read at all.",
        fix: "Fix the JSON syntax at the reported position.",
        fixable: Fixable::No,
        check: Check::Parser,
    },
    RuleDef {
        code: Code::M002,
        example: "{\"init\": {\"uid\": \"root\"}, \"mounts\": [{\"target\": \"/srv\"}]}\n",
        why: "The model is typed: a value of the wrong type, a missing required field or an unknown field means the document was not produced by `lxconf show` or was edited wrongly, and nothing downstream (conversion, the runner) can trust it.",
        fix: "Correct the value at the reported position; `lxconf schema` prints the schema.",
        fixable: Fixable::No,
        check: Check::Parser,
    },
];
