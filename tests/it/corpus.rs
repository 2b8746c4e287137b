//! Every corpus config: snapshot of its normalized model and diagnostics; every invalid
//! config: it is rejected, with a snapshot of the rendered report.

use crate::support::*;
use lxconf_parse::fs::RealFs;
use lxconf_parse::LoadOptions;

#[test]
fn every_lxc_corpus_config_has_a_stable_model() {
    let base = root().join("corpus/lxc");
    let files = corpus_files("corpus/lxc", "conf");
    assert!(
        files.len() >= 40,
        "the corpus should have at least 40 configs"
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/lxc");
    settings.bind(|| {
        for file in &files {
            let loaded = load_lxc(file, &base);
            let mut model = serde_json::to_value(&loaded.document.container).expect("json");
            strip_root(&mut model);
            let name = file
                .trim_start_matches("corpus/lxc/")
                .trim_end_matches(".conf");
            insta::assert_json_snapshot!(
                name,
                serde_json::json!({"model": model, "diagnostics": diagnostic_records(&loaded)})
            );
        }
    });
}

#[test]
fn every_invalid_config_is_rejected_with_a_located_error() {
    let base = root().join("corpus/invalid");
    let files = corpus_files("corpus/invalid", "conf");
    assert!(
        files.len() >= 20,
        "the invalid corpus should have at least 20 configs"
    );
    let mut failures = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/invalid");
    settings.bind(|| {
        for file in &files {
            let loaded = load_lxc(file, &base);
            let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
            if errors.is_empty() {
                failures.push(format!("{file}: accepted"));
                continue;
            }
            if errors
                .iter()
                .any(|e| e.primary.is_none() || e.help.is_none())
            {
                failures.push(format!("{file}: an error lacks a location or a hint"));
            }
            let name = file
                .trim_start_matches("corpus/invalid/")
                .trim_end_matches(".conf");
            let text = lxconf::report::render_plain(&loaded.diagnostics, &loaded.sources);
            let text = text.replace(&format!("{}/", root().display()), "");
            insta::assert_snapshot!(name, text);
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn show_output_validates_against_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/lxconf.schema.json")).expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let base = root().join("corpus/lxc");
    let mut failures = Vec::new();
    for file in corpus_files("corpus/lxc", "conf") {
        let loaded = load_lxc(&file, &base);
        let model = serde_json::to_value(&loaded.document.container).expect("json");
        for error in validator.iter_errors(&model) {
            failures.push(format!("{file}: {} at {}", error, error.instance_path));
        }
        let back: lxconf_model::Container =
            serde_json::from_value(model).expect("model reads back");
        if back != loaded.document.container {
            failures.push(format!("{file}: JSON round trip changed the model"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every origin a reader records names a value the model can hold: a typo in a pointer would
/// silently attach findings to the parent value (found once: `<memtune>` recorded origins at
/// pointers the model does not have).
#[test]
fn every_recorded_origin_names_a_model_value() {
    let dirs = [
        ("corpus/lxc", "conf"),
        ("corpus/invalid", "conf"),
        ("corpus/domxml", "xml"),
        ("corpus/domxml-invalid", "xml"),
        ("corpus/lint", "conf"),
        ("corpus/lint", "xml"),
        ("corpus/lint", "json"),
        ("corpus/lint", "yaml"),
        ("corpus/lint", "fstab"),
    ];
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (dir, ext) in dirs {
        let base = root().join(dir);
        for file in corpus_files(dir, ext) {
            let text = std::fs::read_to_string(root().join(&file)).expect("read corpus file");
            let options = LoadOptions {
                fs: &RealFs,
                base_dir: base.strip_prefix(root()).unwrap_or(&base).to_path_buf(),
                lxd_profiles: Vec::new(),
            };
            let (_, loaded) = lxconf_parse::load(None, &file, &text, &options);
            for (pointer, _) in loaded.document.origins.iter() {
                checked += 1;
                if !lxconf_model::pointer::names_model_value(&pointer) {
                    wrong.push(format!("{file}: {pointer}"));
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} origins checked");
    assert!(
        wrong.is_empty(),
        "origins at pointers the model does not have: {wrong:#?}"
    );
}
