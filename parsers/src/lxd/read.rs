//! From the YAML tree to an instance or profile: the fields `lxc config show` and `lxc
//! profile show` print, each value with its place in its file.

use super::tree::{self, Node, Scalar};
use lxconf_model::{Code, Diagnostic, Origin, SourceId};

/// One `key: value` of a `config` map or of a device, located.
#[derive(Debug, Clone)]
pub struct Item {
    /// The key.
    pub key: String,
    /// The value as yaml.v2 reads it into a string.
    pub value: String,
    /// Where the key is.
    pub key_origin: Origin,
    /// Where the value is.
    pub value_origin: Origin,
    /// The value's scalar (for `raw.lxc` line offsets).
    pub scalar: Scalar,
    /// The file it is in.
    pub source: SourceId,
}

/// One device.
#[derive(Debug, Clone)]
pub struct Device {
    /// Its name.
    pub name: String,
    /// Where the name is.
    pub name_origin: Origin,
    /// Its options (`type` included), in file order, empty values left out.
    pub options: Vec<Item>,
}

impl Device {
    /// The value of an option.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.item(key).map(|i| i.value.as_str())
    }

    /// The option item.
    pub fn item(&self, key: &str) -> Option<&Item> {
        self.options.iter().rev().find(|i| i.key == key)
    }

    /// `type`.
    pub fn kind(&self) -> &str {
        self.get("type").unwrap_or("")
    }
}

/// An instance or profile file.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// A profile (`name`/`used_by`, no `profiles`).
    pub is_profile: bool,
    /// `name` (profiles only).
    pub name: Option<Item>,
    /// `profiles`, with where each is.
    pub profiles: Vec<(String, Origin)>,
    /// Where the `profiles` list is.
    pub profiles_origin: Option<Origin>,
    /// `config`, empty values left out (LXD does not store them).
    pub config: Vec<Item>,
    /// `devices`.
    pub devices: Vec<Device>,
    /// `ephemeral`.
    pub ephemeral: Option<Item>,
    /// `stateful`.
    pub stateful: Option<Item>,
    /// `description`.
    pub description: Option<Item>,
    /// `architecture`.
    pub architecture: Option<Item>,
}

/// The top-level fields of an instance (`api.InstancePut`, Incus's `disk_only`) and of a
/// profile (`api.Profile`, `project` from later LXD).
const FIELDS: &[&str] = &[
    "architecture",
    "config",
    "description",
    "devices",
    "disk_only",
    "ephemeral",
    "name",
    "profiles",
    "project",
    "restore",
    "stateful",
    "used_by",
];

/// Read the instance or profile in `text` (file `id`).
pub fn read(text: &str, id: SourceId, diags: &mut Vec<Diagnostic>) -> Option<Doc> {
    // Before parsing: the tree is dropped and copied recursively, and libyaml-style
    // scanners are quadratic in flow nesting.
    if let Some(at) = crate::limits::yaml_too_deep(text) {
        let end = (at + 1).min(text.len());
        diags.push(
            Diagnostic::new(
                Code::I006,
                format!(
                    "nested more than {} levels deep: lxconf does not read further",
                    crate::limits::MAX_NESTING
                ),
            )
            .at(Origin::new(id, at.min(end)..end))
            .help("an instance or profile is 3 levels deep; this file is not one"),
        );
        return None;
    }
    let root = match tree::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let (code, at) = match &e {
                tree::TreeError::Syntax { at, .. } => (Code::D001, *at),
                tree::TreeError::TooManyNodes { at } => (Code::D015, *at),
                tree::TreeError::Empty => (Code::D001, 0),
            };
            let end = text[at.min(text.len())..]
                .chars()
                .next()
                .map_or(at, |c| at + c.len_utf8());
            diags.push(
                Diagnostic::new(code, e.to_string())
                    .at(Origin::new(id, at.min(text.len())..end.min(text.len())))
                    .help("an instance file is the YAML `lxc config show NAME` prints"),
            );
            return None;
        }
    };
    let Node::Map(members, _) = &root else {
        diags.push(
            Diagnostic::new(Code::D001, "not a mapping of fields")
                .at(Origin::new(id, root.range()))
                .help("an instance file is the YAML `lxc config show NAME` prints"),
        );
        return None;
    };
    let mut doc = Doc::default();
    let origin = |r: std::ops::Range<usize>| Origin::new(id, r);
    for (key, value) in members {
        match key.text.as_str() {
            "config" => doc.config = string_map(value, id, diags),
            "devices" => doc.devices = devices(value, id, diags),
            "profiles" => {
                doc.profiles_origin = Some(origin(value.range()));
                doc.profiles = string_list(value, id, diags);
            }
            "name" => doc.name = scalar_item(key, value, id, diags),
            "ephemeral" => doc.ephemeral = scalar_item(key, value, id, diags),
            "stateful" => doc.stateful = scalar_item(key, value, id, diags),
            "description" => doc.description = scalar_item(key, value, id, diags),
            "architecture" => doc.architecture = scalar_item(key, value, id, diags),
            "used_by" => doc.is_profile = true,
            other if FIELDS.contains(&other) => {}
            other => diags.push(
                Diagnostic::new(Code::D002, format!("`{}` is not a field of an instance or profile: LXD ignores it", other.escape_debug()))
                    .at(origin(key.range.clone()))
                    .help("the fields are architecture, config, devices, ephemeral, profiles, stateful and description (profiles: config, description, devices, name, used_by)"),
            ),
        }
    }
    if root.get("profiles").is_none() && root.get("name").is_some() {
        doc.is_profile = true;
    }
    Some(doc)
}

fn wrong_shape(node: &Node, id: SourceId, what: &str, diags: &mut Vec<Diagnostic>) {
    diags.push(
        Diagnostic::new(Code::D001, format!("{what}: LXD cannot read this file"))
            .at(Origin::new(id, node.range()))
            .help("compare with what `lxc config show NAME` prints"),
    );
}

fn scalar_item(
    key: &Scalar,
    value: &Node,
    id: SourceId,
    diags: &mut Vec<Diagnostic>,
) -> Option<Item> {
    match value {
        Node::Scalar(s) => Some(item(key, s, id)),
        other => {
            wrong_shape(
                other,
                id,
                &format!("`{}` must be a single value", key.text.escape_debug()),
                diags,
            );
            None
        }
    }
}

fn item(key: &Scalar, value: &Scalar, id: SourceId) -> Item {
    Item {
        key: key.text.clone(),
        value: value.text.clone(),
        key_origin: Origin::new(id, key.range.clone()),
        value_origin: Origin::new(id, value.range.clone()),
        scalar: value.clone(),
        source: id,
    }
}

/// A `map[string]string`: scalar values, empty ones left out.
fn string_map(node: &Node, id: SourceId, diags: &mut Vec<Diagnostic>) -> Vec<Item> {
    match node {
        Node::Scalar(s) if s.null => Vec::new(),
        Node::Map(members, _) => {
            let mut out: Vec<Item> = Vec::new();
            for (k, v) in members {
                match v {
                    Node::Scalar(s) => {
                        // A repeated key: the last one wins, as in a Go map.
                        out.retain(|i| i.key != k.text);
                        if !s.text.is_empty() {
                            out.push(item(k, s, id));
                        }
                    }
                    other => wrong_shape(
                        other,
                        id,
                        &format!(
                            "the value of `{}` must be a string, not a list or map",
                            k.text.escape_debug()
                        ),
                        diags,
                    ),
                }
            }
            out
        }
        other => {
            wrong_shape(other, id, "must be a map of `key: value`", diags);
            Vec::new()
        }
    }
}

fn devices(node: &Node, id: SourceId, diags: &mut Vec<Diagnostic>) -> Vec<Device> {
    match node {
        Node::Scalar(s) if s.null => Vec::new(),
        Node::Map(members, _) => {
            let mut out: Vec<Device> = Vec::new();
            for (name, options) in members {
                out.retain(|d| d.name != name.text);
                out.push(Device {
                    name: name.text.clone(),
                    name_origin: Origin::new(id, name.range.clone()),
                    options: string_map(options, id, diags),
                });
            }
            out
        }
        other => {
            wrong_shape(
                other,
                id,
                "`devices` must be a map of device name to options",
                diags,
            );
            Vec::new()
        }
    }
}

fn string_list(node: &Node, id: SourceId, diags: &mut Vec<Diagnostic>) -> Vec<(String, Origin)> {
    match node {
        Node::Scalar(s) if s.null => Vec::new(),
        Node::Seq(items, _) => items
            .iter()
            .filter_map(|n| match n {
                Node::Scalar(s) => Some((s.text.clone(), Origin::new(id, s.range.clone()))),
                other => {
                    wrong_shape(other, id, "a profile name must be a string", diags);
                    None
                }
            })
            .collect(),
        other => {
            wrong_shape(
                other,
                id,
                "`profiles` must be a list of profile names",
                diags,
            );
            Vec::new()
        }
    }
}
