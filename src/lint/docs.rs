//! `docs/rules/`: one page per code and an index, generated from the code table, the
//! registry (lint rules), the explanations (`explanations.toml`) and `examples` (every
//! code's fixture). A test fails when a page is missing or stale; `LXCONF_UPDATE=1` rewrites
//! them.

use super::settings::{self, LxcVersion};
use super::{examples, explain, registry, Check, Fixable, Level, RuleDef};
use lxconf_model::Code;
use std::path::Path;

fn fence(example: &str) -> &'static str {
    let t = example.trim_start();
    if t.starts_with('{') {
        "json"
    } else if t.starts_with('<') {
        "xml"
    } else {
        "ini"
    }
}

fn source_of(code: Code) -> &'static str {
    match code.as_str().as_bytes()[0] {
        b'L' => "LXC config",
        b'F' => "fstab",
        b'X' => "domain XML",
        b'M' => "model",
        b'C' => "conversion",
        b'R' => "runner",
        b'I' => "input limits",
        _ => "other",
    }
}

/// The level lint reports a code at when nothing configures it.
fn default_level(code: Code) -> Level {
    settings::default_level(code, LxcVersion::default())
}

/// The page of one code: what it means, why it matters, its fixture as the bad example,
/// the fix and, for codes that are not lint rules, the fixed fixture.
pub fn page(code: Code) -> String {
    let info = code.info();
    let mut s = format!("# {} `{}`\n\n", info.code, info.name);
    s.push_str(&format!("{}.\n\n", capitalize(info.summary)));
    s.push_str(&format!(
        "- Default level: **{}**{}\n- Source: {}\n",
        default_level(code).name(),
        if settings::LEGACY_KEY_RULES.contains(&code) {
            " (**warning** with `lxc-version = \"2.0\"` in lxconf.toml or `--lxc-version 2.0`, for configs that must load on LXC 2.x)"
        } else {
            ""
        },
        source_of(code)
    ));
    let fixture = examples::example(code);
    match registry::rule(code) {
        Some(rule) => push_rule_facts(&mut s, rule),
        None => {
            if let Some(e) = fixture {
                s.push_str(&format!(
                    "- Reported by: `lxconf {}`{}\n",
                    e.command.join(" "),
                    if e.needs_root { " (as root)" } else { "" }
                ));
            }
        }
    }
    // The codes test fails on "Not explained yet": every code gets a real page.
    let unexplained = "Not explained yet.";
    let explanation = explain::of(code);
    let why = explanation.map_or(unexplained, |x| x.why.as_str());
    let fix = explanation.map_or(unexplained, |x| x.fix.as_str());
    let data_example = explanation.and_then(|x| x.example.as_deref());
    let unraisable = examples::WITHOUT_FIXTURE.iter().find(|u| u.code == code);
    match (
        fixture.and_then(|e| e.bad.text.map(|text| (e, text))),
        unraisable,
    ) {
        (Some((e, text)), _) => s.push_str(&format!(
            "\n## Example\n\n`{}/{}`:\n\n```{}\n{}```\n",
            e.dir,
            e.bad.name,
            fence(text),
            text
        )),
        (None, Some(u)) => {
            let example = data_example.unwrap_or_default();
            s.push_str(&format!(
                "\n## Example\n\nNo input file raises it: {}. It can happen with:\n\n```{}\n{}```\n",
                u.reason,
                fence(example),
                example
            ));
        }
        (None, None) => {
            if let Some(example) = data_example {
                s.push_str(&format!(
                    "\n## Example\n\n```{}\n{}```\n",
                    fence(example),
                    example
                ));
            }
        }
    }
    s.push_str(&format!(
        "\n## Why it matters\n\n{why}\n\n## How to fix it\n\n{fix}\n"
    ));
    if let Some((e, fixed, text)) = fixture
        .and_then(|e| e.fixed.map(|f| (e, f)))
        .and_then(|(e, f)| f.text.map(|t| (e, f, t)))
    {
        s.push_str(&format!(
            "\nFixed, `{}/{}`:\n\n```{}\n{}```\n",
            e.dir,
            fixed.name,
            fence(text),
            text
        ));
    }
    if registry::rule(code).is_some() || fixture.is_some_and(|e| e.command[0] == "lint") {
        s.push_str(&format!(
            "\n## Configuration\n\n```toml\n# lxconf.toml\n[rules]\n{} = \"allow\"   # or \"note\", \"warn\", \"error\"\n```\n\nOr on the command line `--allow {}`, or for one line of a config, on the line before it:\n`# lxconf: allow {}`.\n",
            info.name, info.code, info.code
        ));
    }
    s
}

/// How a lint rule is checked and fixed.
fn push_rule_facts(s: &mut String, rule: &RuleDef) {
    let checked = match rule.check {
        Check::Parser => "while parsing",
        Check::Lxc(_) => "on the lines of each LXC file",
        Check::Model(_) => "on the model (LXC configs, domain XML and model documents alike)",
        Check::Host(_) => "on the host's filesystem, with `lxconf lint --host` only",
    };
    s.push_str(&format!("- Checked: {checked}\n"));
    s.push_str(&format!(
        "- Fix: {}\n",
        match rule.fixable {
            Fixable::No => "none",
            Fixable::Safe => "safe (`lxconf lint --fix` applies it)",
            Fixable::Unsafe => "suggested, unsafe (shown, never applied automatically)",
            Fixable::Sometimes => "safe in some cases (`--fix` applies those), suggested otherwise",
        }
    ));
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The index page.
pub fn index() -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from the code table (`schemas/src/codes.rs`), the registry (`src/lint/registry.rs`),\nthe explanations (`src/lint/explanations.toml`) and the fixtures (`src/lint/examples/`: corpus/lint for lint rules, tests/codes for the other codes);\ndo not edit: run `LXCONF_UPDATE=1 cargo test -p lxconf --test it lint_docs` after changing a\nrule or a fixture.\n\nThe letter says where a finding comes from: L LXC config, F fstab, X domain XML, M model,\nC conversion, R runner, I input limits (docs/lxc-parsing.md, Limits). Levels can be changed with `--deny/--warn/--allow CODE`, in\n`lxconf.toml`, or per line with `# lxconf: allow CODE`.\n\n| Code | Name | Level | Fix | Summary |\n|---|---|---|---|---|\n",
    );
    for code in Code::ALL {
        let info = code.info();
        let fix = match registry::rule(*code).map(|r| r.fixable) {
            Some(Fixable::Safe) => "safe",
            Some(Fixable::Sometimes) => "some",
            Some(Fixable::Unsafe) => "unsafe",
            _ => "",
        };
        s.push_str(&format!(
            "| [{}]({}.md) | `{}` | {} | {} | {} |\n",
            info.code,
            info.code,
            info.name,
            default_level(*code).name(),
            fix,
            info.summary.replace('|', "\\|")
        ));
    }
    s
}

/// Every generated file: (file name, content).
pub fn all() -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_string(), index())];
    files.extend(Code::ALL.iter().map(|c| (format!("{c}.md"), page(*c))));
    files
}

/// Compare `dir` with the generated pages; returns the names of missing or stale files.
pub fn stale(dir: &Path) -> Vec<String> {
    all()
        .into_iter()
        .filter(|(name, content)| {
            std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(content)
        })
        .map(|(name, _)| name)
        .collect()
}

/// Write every page into `dir`.
pub fn write(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, content) in all() {
        std::fs::write(dir.join(name), content)?;
    }
    Ok(())
}
