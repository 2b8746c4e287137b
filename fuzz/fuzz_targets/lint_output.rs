//! Fuzz lint and its report writers (human, JSON, SARIF, GitLab code quality, GitHub
//! annotations): no panic on any input, every JSON output parses back, and a GitHub
//! annotation stays one line (a config cannot inject a workflow command).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf::lint::files::{self, Options};
use lxconf::lint::output;
use lxconf::lint::settings::Settings;
use lxconf_parse::Format;

/// The format a fuzz input is read as: its first byte picks one, the rest is the text.
fn format_of(selector: u8) -> Format {
    match selector % 4 {
        0 => Format::Lxc,
        1 => Format::DomXml,
        2 => Format::Lxd,
        _ => Format::Fstab,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let options = Options {
        host: false,
        base_dir: Some("/nonexistent".into()),
        format: None,
        include_system: selector & 0x80 != 0,
    };
    let Ok(report) = files::lint_text(
        "fuzz #1.conf",
        &text,
        format_of(selector),
        &options,
        &Settings::default(),
    ) else {
        return;
    };
    let reports = [report];
    let items = output::unique(&reports);
    let _ = output::human(&items, &lxconf::report::plain_handler());
    for json in [
        serde_json::to_string(&output::json(&items)),
        serde_json::to_string(&output::sarif(&items)),
        serde_json::to_string(&output::gitlab::issues(&items)),
    ] {
        let json = json.expect("serializes");
        serde_json::from_str::<serde_json::Value>(&json).expect("valid JSON");
    }
    for line in output::github(&items).lines() {
        assert!(line.starts_with("::"), "an annotation broke its line: {line:?}");
    }
});
