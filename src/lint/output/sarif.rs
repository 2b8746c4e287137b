//! SARIF 2.1.0 as typed structs: exactly the objects and properties lxconf emits, so that
//! the compiler checks their names and kinds; `tests/it/lint.rs` validates the output
//! against the vendored OASIS schema (`tests/sarif/`).
//!
//! Own structs rather than the `serde-sarif` crate: it generates the whole specification
//! at build time (schemafy, prettyplease, Inflector, strum, typed-builder: about ten more
//! crates to build) for the dozen objects used here.

use serde::Serialize;

/// The URI of the SARIF 2.1.0 schema, for `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `sarifLog` (§3.13).
#[derive(Debug, Serialize)]
pub struct Log {
    /// `$schema`.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `2.1.0`.
    pub version: &'static str,
    /// One run.
    pub runs: Vec<Run>,
}

/// `run` (§3.14).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool and its rules.
    pub tool: Tool,
    /// The findings.
    pub results: Vec<ResultObject>,
    /// How columns are counted.
    pub column_kind: ColumnKind,
}

/// `run.columnKind` (§3.14.17).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ColumnKind {
    /// Columns count Unicode code points, as `SourceFile::line_col` does.
    UnicodeCodePoints,
}

/// `tool` (§3.18).
#[derive(Debug, Serialize)]
pub struct Tool {
    /// lxconf itself.
    pub driver: ToolComponent,
}

/// `toolComponent` (§3.19).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolComponent {
    /// `lxconf`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
    /// The project's address.
    pub information_uri: &'static str,
    /// Every rule of the registry, in registry order (`ruleIndex` points into it).
    pub rules: Vec<ReportingDescriptor>,
}

/// `reportingDescriptor` (§3.49): one rule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    /// The code (`M003`).
    pub id: &'static str,
    /// The name (`idmap-overlap`).
    pub name: &'static str,
    /// One line.
    pub short_description: MultiformatMessage,
    /// Why it matters.
    pub full_description: MultiformatMessage,
    /// How to fix it, and the rule's page as Markdown.
    pub help: MultiformatMessage,
    /// The rule's page.
    pub help_uri: String,
    /// Its level when no setting changes it.
    pub default_configuration: ReportingConfiguration,
    /// lxconf's own properties.
    pub properties: RuleProperties,
}

/// `multiformatMessageString` (§3.12).
#[derive(Debug, Serialize)]
pub struct MultiformatMessage {
    /// Plain text.
    pub text: String,
    /// The same as Markdown, when there is a richer form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

/// `reportingConfiguration` (§3.50).
#[derive(Debug, Serialize)]
pub struct ReportingConfiguration {
    /// The default level.
    pub level: Level,
}

/// The property bag of a rule (§3.8).
#[derive(Debug, Serialize)]
pub struct RuleProperties {
    /// Whether `--fix` can fix some of its findings.
    pub fixable: bool,
}

/// `result.level` (§3.27.10); lxconf never emits `none`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    /// An error.
    Error,
    /// A warning.
    Warning,
    /// A note.
    Note,
}

/// `result` (§3.27): one finding.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultObject {
    /// The code.
    pub rule_id: &'static str,
    /// Its level after settings.
    pub level: Level,
    /// The message, with the help appended.
    pub message: Message,
    /// Index of the rule in `tool.driver.rules` (absent for a code that is no rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// Where it is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// The other places it refers to (the first definition of a duplicate...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    /// Its fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

/// `message` (§3.11), plain text only.
#[derive(Debug, Serialize)]
pub struct Message {
    /// The text.
    pub text: String,
}

/// `location` (§3.28).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file and region.
    pub physical_location: PhysicalLocation,
    /// Its number among a result's related locations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    /// What is there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

/// `physicalLocation` (§3.29).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The span.
    pub region: Region,
}

/// `artifactLocation` (§3.4).
#[derive(Debug, Serialize)]
pub struct ArtifactLocation {
    /// A relative reference (resolved against the repository root by code scanning) or a
    /// `file:` URI for an absolute path.
    pub uri: String,
}

/// `region` (§3.30): 1-based lines and columns, the end column exclusive.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// First line.
    pub start_line: usize,
    /// First column.
    pub start_column: usize,
    /// Last line.
    pub end_line: usize,
    /// The column after the last character.
    pub end_column: usize,
}

/// `fix` (§3.55).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// What it does.
    pub description: Message,
    /// The edit.
    pub artifact_changes: Vec<ArtifactChange>,
}

/// `artifactChange` (§3.56).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactChange {
    /// The file edited.
    pub artifact_location: ArtifactLocation,
    /// Its edits.
    pub replacements: Vec<Replacement>,
}

/// `replacement` (§3.57).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replacement {
    /// The text removed (an empty region: an insertion point).
    pub deleted_region: Region,
    /// The text put there.
    pub inserted_content: ArtifactContent,
}

/// `artifactContent` (§3.3), text only.
#[derive(Debug, Serialize)]
pub struct ArtifactContent {
    /// The text.
    pub text: String,
}

/// The URI of a file named `name`: a relative path stays a relative reference, resolved
/// against the repository root by code scanning; an absolute path becomes a `file:` URI
/// (a bare `/etc/...` would be taken as relative to the repository's host). Every byte
/// outside RFC 3986's unreserved characters and `/` is percent-encoded, so that a `#`,
/// `?`, `%` or space in a file name stays part of the path; `\` is taken as `/`.
pub fn uri(name: &str) -> String {
    let path = name.strip_prefix("./").unwrap_or(name).replace('\\', "/");
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn file_names_become_uri_references_that_keep_every_character_in_the_path() {
        assert_eq!(uri("./web.conf"), "web.conf");
        assert_eq!(uri("a dir/web.conf"), "a%20dir/web.conf");
        assert_eq!(uri("x#1?.conf"), "x%231%3F.conf");
        assert_eq!(uri("100%.conf"), "100%25.conf");
        assert_eq!(uri("été.conf"), "%C3%A9t%C3%A9.conf");
        assert_eq!(
            uri("/usr/share/lxc/config/common.conf"),
            "file:///usr/share/lxc/config/common.conf"
        );
        assert_eq!(uri("sub\\web.conf"), "sub/web.conf");
    }
}
