//! The registry: every rule, in code order.

use super::rules;
use super::RuleDef;
use lxconf_model::Code;
use std::sync::LazyLock;

/// Every rule, sorted by code.
pub static RULES: LazyLock<Vec<&'static RuleDef>> = LazyLock::new(|| {
    let families: [&'static [RuleDef]; 12] = [
        rules::parser::RULES,
        rules::input::RULES,
        rules::lxc_syntax::RULES,
        rules::model_doc::RULES,
        rules::identity::RULES,
        rules::idmap::RULES,
        rules::mounts::RULES,
        rules::network::RULES,
        rules::resources::RULES,
        rules::process::RULES,
        rules::host::RULES,
        rules::seccomp::RULES,
    ];
    let mut all: Vec<&'static RuleDef> = families.iter().flat_map(|f| f.iter()).collect();
    all.sort_by_key(|r| r.code);
    all
});

/// The rule of a code, if the registry documents it.
pub fn rule(code: Code) -> Option<&'static RuleDef> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// Look a rule up by code (`M003`, case-insensitive) or name (`idmap-overlap`).
pub fn lookup(text: &str) -> Option<Code> {
    Code::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_and_parser_code_has_one_rule() {
        for code in Code::ALL {
            let n = RULES.iter().filter(|r| r.code == *code).count();
            let documented_here = matches!(code.as_str().as_bytes()[0], b'L' | b'F' | b'M' | b'I');
            if documented_here {
                assert_eq!(n, 1, "{code} must have exactly one rule");
            } else {
                assert!(n <= 1, "{code} has more than one rule");
            }
        }
    }

    #[test]
    fn every_rule_is_explained() {
        for r in RULES.iter() {
            let text = crate::lint::explain::of(r.code);
            assert!(
                text.is_some_and(|t| !t.why.is_empty() && !t.fix.is_empty()),
                "{}",
                r.code
            );
        }
    }
}
