//! Why each code matters and how to fix it: documentation text, kept as data in
//! `explanations.toml` beside this file (one table per code), not in the code that raises
//! or checks the code. Rule pages (`docs.rs`) and SARIF output read it from here.

use lxconf_model::Code;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The explanation of one code.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// Why it matters.
    pub why: String,
    /// How to fix it.
    pub fix: String,
    /// An input that raises it, for codes whose fixture cannot be shown (too large, or no
    /// input raises the code).
    #[serde(default)]
    pub example: Option<String>,
}

const TEXT: &str = include_str!("explanations.toml");

fn all() -> &'static BTreeMap<String, Explanation> {
    static PARSED: OnceLock<BTreeMap<String, Explanation>> = OnceLock::new();
    // The file is compiled in and a test parses it: an error here is a build mistake, and
    // leaves every code unexplained rather than failing a user's command.
    PARSED.get_or_init(|| toml::from_str(TEXT).unwrap_or_default())
}

/// The explanation of `code`, if it has one.
pub fn of(code: Code) -> Option<&'static Explanation> {
    all().get(code.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_and_nothing_else() {
        let parsed: BTreeMap<String, Explanation> =
            toml::from_str(TEXT).expect("explanations.toml parses");
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for code in &codes {
            let e = parsed
                .get(*code)
                .unwrap_or_else(|| panic!("{code} is not explained"));
            assert!(
                !e.why.trim().is_empty() && !e.fix.trim().is_empty(),
                "{code}"
            );
            assert!(!e.why.ends_with(' ') && !e.fix.ends_with(' '), "{code}");
        }
        let unknown: Vec<&String> = parsed
            .keys()
            .filter(|k| !codes.contains(&k.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "explanations of codes that do not exist: {unknown:?}"
        );
    }
}
