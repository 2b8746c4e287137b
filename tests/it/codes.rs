//! A fixture per diagnostic code (`lxconf::lint::examples`): the real command raises the
//! code on the fixture at the place the fixture names, and the fixed input, where there is
//! one, does not raise it. Every code has a fixture, or is in the short list of codes no
//! input file can raise, and a real page.

use crate::support::*;
use lxconf::lint::examples::{self, Example, WITHOUT_FIXTURE};
use lxconf_model::Code;
use std::process::{Command, Output};

/// Run lxconf in the fixture's directory on one of its files.
fn run(example: &Example, file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lxconf"))
        .args(example.command)
        .arg(file)
        .current_dir(root().join(example.dir))
        .env("NO_COLOR", "1")
        .output()
        .expect("run lxconf")
}

/// The reports of `code` in an output, each on one line: miette's report (a line with the
/// severity, location and code, then the snippet, framed) with its frame undone, the
/// runner's `lxconf: note[CODE]: ...` lines, and the plan's JSON `not_applied` entries.
fn reports_of(output: &str, code: &str) -> Vec<String> {
    let mut reports = Vec::new();
    let mut current: Option<String> = None;
    for line in output.lines() {
        let bare = line.trim();
        if let Some((_, found)) = report_code(line) {
            reports.extend(current.take());
            if found == code {
                current = Some(bare.trim_start_matches(['×', '⚠', '☞', ' ']).to_string());
            }
        } else if line.contains(&format!("[{code}]")) {
            reports.push(line.to_string());
        } else if let Some(report) = &mut current {
            report.push(' ');
            report.push_str(bare.trim_start_matches(['│', '×', '⚠', '☞', ' ']));
        }
    }
    reports.extend(current);
    if let Ok(plan) = serde_json::from_str::<serde_json::Value>(output) {
        for finding in plan["not_applied"].as_array().into_iter().flatten() {
            if finding["code"] == code {
                reports.push(finding["message"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    reports
}

fn text_of(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The failures of one fixture: the code not raised where expected, or raised on the fix.
fn check(example: &Example) -> Vec<String> {
    let code = example.code.as_str();
    let mut failures = Vec::new();
    let (stdout, stderr) = text_of(&run(example, example.bad.name));
    let reports: Vec<String> = [&stdout, &stderr]
        .into_iter()
        .flat_map(|o| reports_of(o, code))
        .collect();
    if !reports.iter().any(|r| r.contains(example.at)) {
        failures.push(format!(
            "{code}: `lxconf {} {}` in {} reports no {code} holding `{}`:\n{stdout}\n{stderr}",
            example.command.join(" "),
            example.bad.name,
            example.dir,
            example.at
        ));
    }
    if let Some(fixed) = example.fixed {
        let (stdout, stderr) = text_of(&run(example, fixed.name));
        if !reports_of(&stdout, code).is_empty() || !reports_of(&stderr, code).is_empty() {
            failures.push(format!(
                "{code}: the fixed {} still raises it:\n{stdout}\n{stderr}",
                fixed.name
            ));
        }
    }
    failures
}

#[test]
fn every_code_has_a_fixture_or_a_reason_and_a_real_page() {
    let mut failures = Vec::new();
    for code in Code::ALL {
        let fixtures = examples::all().filter(|e| e.code == *code).count();
        let excepted = WITHOUT_FIXTURE.iter().any(|u| u.code == *code);
        match (fixtures, excepted) {
            (1, false) | (0, true) => {}
            (0, false) => failures.push(format!("{code}: no fixture (tests/codes/{code}/)")),
            _ => failures.push(format!("{code}: {fixtures} fixtures, excepted: {excepted}")),
        }
        if lxconf::lint::docs::page(*code).contains("Not explained yet") {
            failures.push(format!("{code}: no explanation for its page"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixture_files_are_the_ones_on_disk() {
    let mut failures = Vec::new();
    for e in examples::all() {
        for file in std::iter::once(e.bad).chain(e.fixed) {
            let path = root().join(e.dir).join(file.name);
            match (std::fs::read_to_string(&path), file.text) {
                (Ok(on_disk), Some(text)) if on_disk != text => {
                    failures.push(format!("{}: differs", path.display()))
                }
                (Err(err), _) => failures.push(format!("{}: {err}", path.display())),
                _ => {}
            }
        }
    }
    // Nothing in tests/codes that no fixture names: a stray file would be a fixture no
    // test runs.
    for dir in std::fs::read_dir(root().join("tests/codes")).expect("tests/codes") {
        let dir = dir.expect("entry").path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let Some(e) = Code::parse(name).and_then(examples::example) else {
            failures.push(format!("{}: no such code", dir.display()));
            continue;
        };
        for file in std::fs::read_dir(&dir).expect("fixture dir") {
            let file = file.expect("entry").file_name();
            let known = std::iter::once(e.bad)
                .chain(e.fixed)
                .any(|f| file.to_str() == Some(f.name));
            if !known || e.dir != format!("tests/codes/{name}") {
                failures.push(format!("{}/{file:?}: not a fixture", dir.display()));
            }
        }
    }
    // The same for the lint rules' fixed inputs.
    for file in std::fs::read_dir(root().join("corpus/lint/fixed")).expect("corpus/lint/fixed") {
        let name = format!(
            "fixed/{}",
            file.expect("entry").file_name().to_string_lossy()
        );
        if !examples::all().any(|e| e.fixed.is_some_and(|f| f.name == name)) {
            failures.push(format!("corpus/lint/{name}: not a fixture"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_raises_its_code_where_it_says_and_its_fix_does_not() {
    let failures: Vec<String> = examples::all()
        .filter(|e| !e.needs_root)
        .flat_map(check)
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[ignore = "needs root"]
fn a_veth_named_like_a_host_interface_stops_the_run_r012() {
    let _containers = containers_lock();
    let e = examples::example(Code::R012).expect("fixture");
    let failures = check(e);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[ignore = "needs root"]
fn a_cgroup_left_by_a_killed_runner_is_removed_r013() {
    let _containers = containers_lock();
    let e = examples::example(Code::R013).expect("fixture");
    // The host state that raises R013: an empty payload cgroup named after a runner pid
    // that is gone, beside the cgroup this run will use.
    let plan = Command::new(env!("CARGO_BIN_EXE_lxconf"))
        .args(["run", "--plan", e.bad.name])
        .current_dir(root().join(e.dir))
        .output()
        .expect("plan");
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("plan");
    let own = plan["cleanup"]["cgroups"][0].as_str().expect("cgroup");
    let parent = std::path::Path::new(own).parent().expect("parent");
    let mut gone = Command::new("true").spawn().expect("spawn");
    let pid = gone.id();
    gone.wait().expect("wait");
    std::fs::create_dir(parent.join(format!("lxconf.payload.codes.{pid}"))).expect("mkdir");
    let failures = check(e);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
