//! Fuzz the LXD writer on models read from LXC configs and model documents: no panic, and
//! the YAML is refused with a coded error (C403) or reads back as exactly the instance the
//! writer meant (no value adds, drops or changes a key).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf_convert::lxd::{emit, Instance, LxdOptions};
use lxconf_model::model::LxdFlavor;
use lxconf_model::{Code, Document};
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::LoadOptions;
use std::collections::BTreeMap;

fn strings(v: &serde_norway::Value) -> BTreeMap<String, String> {
    let map = v.as_mapping().expect("a mapping");
    map.iter()
        .map(|(k, v)| {
            let k = k.as_str().expect("a string key");
            let v = v.as_str().unwrap_or_else(|| panic!("{k}: not a string: {v:?}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn read_back(text: &str) -> Instance {
    let v: serde_norway::Value = serde_norway::from_str(text).expect("YAML");
    let devices = v["devices"]
        .as_mapping()
        .expect("devices")
        .iter()
        .map(|(k, d)| (k.as_str().expect("device name").to_string(), strings(d)))
        .collect();
    Instance {
        architecture: v["architecture"].as_str().expect("architecture").into(),
        config: strings(&v["config"]),
        devices,
        ephemeral: v["ephemeral"].as_bool().expect("ephemeral"),
        profiles: v["profiles"]
            .as_sequence()
            .expect("profiles")
            .iter()
            .map(|p| p.as_str().expect("profile").to_string())
            .collect(),
        stateful: v["stateful"].as_bool().expect("stateful"),
        description: v["description"].as_str().expect("description").into(),
    }
}

fn check(doc: &Document) {
    for flavor in [LxdFlavor::Lxd, LxdFlavor::Incus] {
        let opts = LxdOptions { flavor, ..LxdOptions::default() };
        let out = emit(doc, &opts);
        if out.losses.iter().any(|d| d.code == Code::C403) {
            continue;
        }
        assert_eq!(read_back(&out.text), out.instance, "\n{}", out.text);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fs = MemoryFs::new();
    let options = LoadOptions { fs: &fs, base_dir: "/".into() };
    check(&lxconf_parse::lxc::load("fuzz.conf", &text, &options).document);
    for loaded in [
        lxconf_parse::load_model_json("fuzz.json", &text),
        lxconf_parse::load_model_yaml("fuzz.yaml", &text),
    ] {
        if !loaded.has_errors() {
            check(&loaded.document);
        }
    }
});
