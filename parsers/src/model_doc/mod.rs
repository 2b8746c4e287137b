//! Model documents (what `lxconf show` and `lxconf convert --to yaml` print), JSON or YAML:
//! syntax (M001), the JSON Schema (M002), then the model.
//!
//! Neither serde_json nor serde_norway keeps positions, so each text is walked once more to
//! record the byte range of every value under its JSON pointer, the same pointers the other
//! readers record. Schema errors are then mapped to source ranges through their instance path
//! (as taplo does), and model rules point at the value they are about, whatever command read
//! the document.

mod json_positions;
mod yaml_positions;

pub use json_positions::json_positions;
pub use yaml_positions::yaml_positions;

use crate::{limits, verbatim, Loaded};
use lxconf_model::{Code, Container, Diagnostic, Document, Origin, Origins, SourceId, SourceMap};
use std::sync::OnceLock;

/// Why the model's JSON Schema cannot be used (a bug in lxconf, never in the input).
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The schema the model crate generates is not JSON.
    #[error("the model schema is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The validator refused the schema.
    #[error("cannot compile the model schema: {0}")]
    Compile(#[source] Box<jsonschema::ValidationError<'static>>),
}

/// Load a model document written as JSON.
pub fn load_model_json(name: &str, text: &str) -> Loaded {
    if let Some(at) = limits::json_too_deep(text) {
        return too_deep(name, text, at);
    }
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => {
            let origins = json_positions(text, id);
            validated(
                sources,
                id,
                origins,
                value,
                serde_json::from_value::<Container>,
            )
        }
        Err(e) => unreadable(
            sources,
            id,
            text,
            (e.line(), e.column()),
            Column::Bytes,
            format!("not valid JSON: {e}"),
            "a model document is the JSON that `lxconf show` prints",
        ),
    }
}

/// Load a model document written as YAML.
pub fn load_model_yaml(name: &str, text: &str) -> Loaded {
    if let Some(at) = limits::yaml_too_deep(text) {
        return too_deep(name, text, at);
    }
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    match serde_norway::from_str::<serde_norway::Value>(text) {
        Ok(yaml) => {
            let origins = yaml_positions(text, id);
            let value = yaml_to_json(&yaml);
            validated(sources, id, origins, value, |_| {
                serde_norway::from_value::<Container>(yaml)
            })
        }
        Err(e) => {
            // Without a location, the start of the document.
            let at = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            unreadable(
                sources,
                id,
                text,
                at,
                Column::Chars,
                format!("not valid YAML: {e}"),
                "a model document is the YAML that `lxconf convert --to yaml` prints",
            )
        }
    }
}

/// A model document nested deeper than [`limits::MAX_NESTING`] (deserializers recurse,
/// and libyaml is quadratic in nesting): refused before parsing, with I006 at `at`.
pub fn too_deep(name: &str, text: &str, at: usize) -> Loaded {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let d = Diagnostic::new(
        Code::I006,
        format!(
            "nested more than {} levels deep: lxconf does not read further",
            limits::MAX_NESTING
        ),
    )
    .at(Origin::new(id, at..at + 1))
    .help("a model document is about 5 levels deep; this one is not a model document");
    Loaded {
        document: Document::default(),
        sources,
        diagnostics: vec![d],
    }
}

/// A text that is not JSON (or YAML) at all: one M001 at the parser's 1-based line and
/// column, an empty model.
fn unreadable(
    sources: SourceMap,
    id: SourceId,
    text: &str,
    (line, column): (usize, usize),
    unit: Column,
    message: String,
    help: &str,
) -> Loaded {
    let start = offset_of(text, line, column, unit);
    // One character, so that the report underlines something.
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    Loaded {
        document: Document::default(),
        sources,
        diagnostics: vec![Diagnostic::new(Code::M001, message)
            .at(Origin::new(id, start..end))
            .help(help)],
    }
}

/// A document that parsed: every schema violation (M002, located through `origins`), then,
/// when there is none, the model `deserialize` builds (from `value`, or for YAML from the
/// YAML value, which keeps the enum tags serde_norway reads variants from).
fn validated<E: std::fmt::Display>(
    sources: SourceMap,
    id: SourceId,
    origins: Origins,
    value: serde_json::Value,
    deserialize: impl FnOnce(serde_json::Value) -> Result<Container, E>,
) -> Loaded {
    let mut diagnostics = schema_violations(&value, &origins);
    let mut document = Document {
        origins,
        ..Document::default()
    };
    if diagnostics.is_empty() {
        match deserialize(value) {
            Ok(mut container) => {
                verbatim::mark_trusted(&mut container);
                document.container = container;
            }
            Err(e) => diagnostics.push(
                Diagnostic::new(Code::M002, format!("not a model document: {e}"))
                    .at(Origin::new(id, 0..0))
                    .help("the document matches the schema but not the model; this is a bug in lxconf's schema"),
            ),
        }
    }
    Loaded {
        document,
        sources,
        diagnostics,
    }
}

/// The schema's findings on a document, each at the value it is about. A member the schema
/// does not allow is reported at the member itself, in serde's words.
fn schema_violations(value: &serde_json::Value, origins: &Origins) -> Vec<Diagnostic> {
    let validator = match validator() {
        Ok(v) => v,
        Err(e) => return vec![Diagnostic::new(Code::M002, e.to_string())],
    };
    let mut out = Vec::new();
    for error in validator.iter_errors(value) {
        let pointer = error.instance_path.to_string();
        let help = |at: &str| {
            let at = if at.is_empty() { "/" } else { at };
            format!(
                "at `{at}` (schema: `{}`); `lxconf schema` prints the schema",
                error.schema_path
            )
        };
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
            &error.kind
        {
            for field in unexpected {
                let member = lxconf_model::pointer::entry(&pointer, field);
                let mut d = Diagnostic::new(Code::M002, format!("unknown field `{field}`"));
                if let Some(o) = origins.find(&member) {
                    d = d.at(o);
                }
                out.push(d.help(help(&member)));
            }
            continue;
        }
        let mut d = Diagnostic::new(Code::M002, format!("{error}"));
        if let Some(o) = origins.find(&pointer) {
            d = d.at(o);
        }
        out.push(d.help(help(&pointer)));
    }
    out
}

fn validator() -> Result<&'static jsonschema::Validator, &'static SchemaError> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, SchemaError>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: serde_json::Value =
                serde_json::from_str(&lxconf_model::json_schema()).map_err(SchemaError::NotJson)?;
            jsonschema::validator_for(&schema).map_err(|e| SchemaError::Compile(Box::new(e)))
        })
        .as_ref()
}

/// The JSON form of a YAML value, for the schema: a tagged value (`!address 192.0.2.1`, how
/// serde_norway writes an enum variant) is the one-member object serde_json writes for it,
/// and a non-string key is its YAML text.
fn yaml_to_json(yaml: &serde_norway::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    use serde_norway::Value as Yaml;
    match yaml {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => {
            if let Some(u) = n.as_u64() {
                Json::from(u)
            } else if let Some(i) = n.as_i64() {
                Json::from(i)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Json::Null, Json::Number)
            }
        }
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (yaml_key(k), yaml_to_json(v)))
                .collect(),
        ),
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let variant = tag.strip_prefix('!').unwrap_or(&tag).to_string();
            Json::Object(
                [(variant, yaml_to_json(&tagged.value))]
                    .into_iter()
                    .collect(),
            )
        }
    }
}

fn yaml_key(key: &serde_norway::Value) -> String {
    match key {
        serde_norway::Value::String(s) => s.clone(),
        other => serde_norway::to_string(other)
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default(),
    }
}

/// What a parser's column counts.
#[derive(Clone, Copy)]
enum Column {
    /// serde_json counts bytes.
    Bytes,
    /// libyaml counts characters.
    Chars,
}

/// The byte offset of a parser's 1-based line and column, on a character boundary.
fn offset_of(text: &str, line: usize, column: usize, unit: Column) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let skip = column.saturating_sub(1);
            let within = match unit {
                Column::Bytes => skip.min(l.len()),
                Column::Chars => l.char_indices().nth(skip).map_or(l.len(), |(b, _)| b),
            };
            let mut at = offset + within;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            return at;
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_errors_point_at_the_value() {
        for (name, text) in [
            ("m.json", "{\n  \"init\": {\"uid\": \"root\"}\n}\n"),
            ("m.yaml", "hostname: web\ninit:\n  uid: root\n"),
        ] {
            let loaded = load_model_json_or_yaml(name, text);
            let d = &loaded.diagnostics[0];
            assert_eq!(d.code, Code::M002, "{name}");
            let o = d.primary.as_ref().expect("located").origin;
            let line = if name.ends_with("json") { 2 } else { 3 };
            assert_eq!(loaded.sources.locate(o).line, line, "{name}");
        }
    }

    #[test]
    fn an_unknown_field_is_reported_at_the_member() {
        let loaded = load_model_json("m.json", "{\n  \"hostname\": \"a\",\n  \"bogus\": 1\n}\n");
        let d = &loaded.diagnostics[0];
        assert_eq!(d.message, "unknown field `bogus`");
        let o = d.primary.as_ref().expect("located").origin;
        assert_eq!(
            &loaded.sources.get(o.source).text[o.range()],
            "\"bogus\": 1"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        // Where the parser gave up: the end of the unclosed flow sequence.
        let loaded = load_model_yaml("m.yaml", "name: web\ninit: [1, 2\n");
        assert_eq!(loaded.diagnostics[0].code, Code::M001);
        let o = loaded.diagnostics[0]
            .primary
            .as_ref()
            .expect("located")
            .origin;
        let at = loaded.sources.locate(o);
        assert_eq!((at.line, at.column), (3, 1));
        assert!(loaded.diagnostics[0].message.contains("line 2 column 7"));
    }

    #[test]
    fn a_tagged_yaml_enum_reads_as_its_json_form() {
        let v: serde_norway::Value =
            serde_norway::from_str("gw: !address 192.0.2.1\n").expect("yaml");
        assert_eq!(
            yaml_to_json(&v),
            serde_json::json!({"gw": {"address": "192.0.2.1"}})
        );
    }

    /// Cargo.lock pins idna_adapter to its stub (no Unicode data, non-ASCII domain names
    /// refused: docs/packaging.md); jsonschema asks idna only for these two formats, so the
    /// pin is right only while the model schema uses neither.
    #[test]
    fn the_model_schema_uses_no_format_that_needs_idna() {
        fn formats(value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(members) => {
                    for (name, member) in members {
                        match member {
                            serde_json::Value::String(f) if name == "format" => out.push(f.clone()),
                            _ => formats(member, out),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|i| formats(i, out)),
                _ => {}
            }
        }
        let schema: serde_json::Value =
            serde_json::from_str(&lxconf_model::json_schema()).expect("schema is JSON");
        let mut found = Vec::new();
        formats(&schema, &mut found);
        assert!(
            found.iter().any(|f| f == "uuid"),
            "formats found: {found:?}"
        );
        for f in &found {
            assert!(!matches!(f.as_str(), "idn-hostname" | "idn-email"), "{f}");
        }
    }

    #[test]
    fn a_document_is_validated_against_the_schema_formats() {
        // The uuid format (jsonschema's own check, not serde's) still refuses a bad value.
        let loaded = load_model_json("m.json", "{\"uuid\": \"not-a-uuid\"}");
        assert!(
            loaded.diagnostics.iter().any(|d| d.code == Code::M002),
            "{:?}",
            loaded.diagnostics
        );
    }

    fn load_model_json_or_yaml(name: &str, text: &str) -> Loaded {
        if name.ends_with(".json") {
            load_model_json(name, text)
        } else {
            load_model_yaml(name, text)
        }
    }

    proptest::proptest! {
        /// Any text loads as a model or as located diagnostics, in either syntax.
        #[test]
        fn any_text_loads_without_panicking(text in "[a-z_: \\-\\[\\]{},!\"0-9\né€]{0,80}") {
            for loaded in [load_model_json("m.json", &text), load_model_yaml("m.yaml", &text)] {
                for d in &loaded.diagnostics {
                    if let Some(p) = &d.primary {
                        proptest::prop_assert!(text.get(p.origin.range()).is_some());
                    }
                }
            }
        }
    }
}
