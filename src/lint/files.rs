//! Inputs: walking directories, detecting formats, and linting one file.

use super::settings::Settings;
use super::suppress::Suppressions;
use crate::input::InputError;
use lxconf_model::{Diagnostic, Origin, SourceId, SourceMap};
use lxconf_parse::fs::RealFs;
use lxconf_parse::{Format, LoadOptions, Loaded};
use std::path::{Path, PathBuf};

/// Why the inputs named on the command line cannot be listed: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// A path that does not exist.
    #[error("cannot read `{0}`: No such file or directory")]
    NotFound(String),
    /// A directory that cannot be walked.
    #[error(transparent)]
    Walk(#[from] ignore::Error),
}

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Run the rules that look at the host (`--host`).
    pub host: bool,
    /// Directory relative includes are resolved against (default: the current directory,
    /// as liblxc does).
    pub base_dir: Option<PathBuf>,
    /// Force a format.
    pub format: Option<Format>,
    /// Report findings located in LXC's shared configuration too (`--include-system`).
    pub include_system: bool,
}

/// One input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file named on the command line (always linted).
    Explicit(PathBuf),
    /// A file found in a directory (linted when its content is a format lxconf reads).
    Found(PathBuf),
}

impl Input {
    /// The name shown to users.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => crate::input::STDIN_NAME.into(),
            Input::Explicit(p) | Input::Found(p) => p.display().to_string(),
        }
    }
}

/// The findings of one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file's name.
    pub name: String,
    /// Its format.
    pub format: Format,
    /// The file and the files it pulled in.
    pub sources: SourceMap,
    /// Findings after levels and suppressions, sorted by location.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings located in LXC's shared configuration, which the distribution ships and
    /// the user cannot fix: not reported unless `--include-system`, and not counted in the
    /// exit status.
    pub hidden: Vec<Diagnostic>,
}

/// How many distinct findings the reports hid, counted as [`super::output::unique`] counts
/// shown ones (a shared file included by several configs counts once).
pub fn hidden_count(reports: &[FileReport]) -> usize {
    let mut seen = std::collections::HashSet::new();
    for r in reports {
        for d in &r.hidden {
            let at = d.primary.as_ref().map(|p| {
                (
                    r.sources.get(p.origin.source).name.as_str(),
                    p.origin.start,
                    p.origin.end,
                )
            });
            seen.insert((at, d.code, d.message.as_str()));
        }
    }
    seen.len()
}

/// Split findings into those shown and those located in LXC's shared configuration.
fn hide_system(
    diagnostics: Vec<Diagnostic>,
    sources: &SourceMap,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    diagnostics
        .into_iter()
        .partition(|d| !in_system_include(d, sources))
}

/// True when a finding is located in LXC's shared configuration reached by `lxc.include`
/// (the file linted itself is the user's choice, wherever it lives).
fn in_system_include(d: &Diagnostic, sources: &SourceMap) -> bool {
    d.primary.as_ref().is_some_and(|p| {
        p.origin.source != SourceId(0)
            && lxconf_parse::lxc::is_system_config(&sources.get(p.origin.source).name)
    })
}

/// Expand the paths given on the command line: directories are walked recursively,
/// honouring `.gitignore` and skipping hidden files, in a stable order.
pub fn inputs(paths: &[String], settings: &Settings) -> Result<Vec<Input>, WalkError> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_dir() {
            let walker = ignore::WalkBuilder::new(&path)
                .hidden(true)
                .git_ignore(true)
                .require_git(false)
                .sort_by_file_name(|a, b| a.cmp(b))
                .build();
            for entry in walker {
                let entry = entry?;
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    let found = entry.into_path();
                    if !settings.excluded(&found) {
                        out.push(Input::Found(found));
                    }
                }
            }
        } else if path.exists() {
            out.push(Input::Explicit(path));
        } else {
            return Err(WalkError::NotFound(p.clone()));
        }
    }
    Ok(out)
}

/// The format of a file found in a directory walk, or `None` when lxconf does not read it
/// (READMEs, scripts, other JSON...).
pub fn lintable(path: &Path, text: &str) -> Option<Format> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if name == "fstab" || ext == "fstab" {
        return Some(Format::Fstab);
    }
    // What `upgrade --in-place` leaves behind: the file as it was, not a config to judge.
    if ext == "bak" {
        return None;
    }
    let format = lxconf_parse::detect(text);
    let ok = match format {
        // Lower case too: `LXC.uts.name` is a mistake worth reporting (L009).
        Format::Lxc => text.lines().any(|l| {
            l.trim_start()
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("lxc."))
        }),
        // Any text of 4-6 words a line looks like an fstab (a README, a .tsv): only files
        // named so (above), given explicitly or named by `lxc.mount.fstab` are fstabs.
        Format::Fstab => false,
        Format::DomXml => text.contains("<domain"),
        Format::ModelJson => {
            ext == "json"
                && [
                    "\"init\"",
                    "\"hostname\"",
                    "\"mounts\"",
                    "\"rootfs\"",
                    "\"networks\"",
                ]
                .iter()
                .any(|k| text.contains(k))
        }
        // Many YAML files have a `config:`; an instance or profile has two of LXD's fields.
        Format::Lxd => {
            matches!(ext, "yaml" | "yml") && lxconf_parse::lxd::lxd_fields_at_top(text) >= 2
        }
        Format::ModelYaml => {
            matches!(ext, "yaml" | "yml")
                && ["init:", "hostname:", "rootfs:", "auto_mounts:"]
                    .iter()
                    .any(|k| text.contains(k))
        }
    };
    ok.then_some(format)
}

/// Read an input's text: at most `limits::MAX_FILE_BYTES`, and for a file found in a
/// directory walk, only a regular file (a FIFO in a repository must not block lint).
pub fn read(input: &Input) -> Result<String, InputError> {
    read_bytes(input).map(lxconf_parse::limits::decode)
}

/// The bytes of an input, bounded as [`read`] (`lint --fix` writes back the ones its fixes
/// did not touch).
pub fn read_bytes(input: &Input) -> Result<Vec<u8>, InputError> {
    use lxconf_parse::limits;
    match input {
        Input::Stdin => limits::read_bounded(std::io::stdin().lock())
            .map_err(|e| InputError::new(crate::input::STDIN_NAME, e)),
        Input::Explicit(p) => {
            limits::read_any(p).map_err(|e| InputError::new(&p.display().to_string(), e))
        }
        Input::Found(p) => {
            limits::read_regular(p).map_err(|e| InputError::new(&p.display().to_string(), e))
        }
    }
}

/// Why a file was not linted.
#[derive(Debug)]
pub enum Skip {
    /// Not a format lxconf reads (directory walks only).
    NotConfig,
}

/// Load a text in a format, as every command does ([`lxconf_parse::load`]).
pub fn load(name: &str, text: &str, format: Format, options: &Options) -> Loaded {
    let load_options = LoadOptions {
        fs: &RealFs,
        base_dir: crate::input::base_dir_or_cwd(options.base_dir.as_deref()),
        lxd_profiles: crate::input::lxd_profiles(),
    };
    lxconf_parse::load(Some(format), name, text, &load_options).1
}

/// Lint one text: load it, run the rules, apply levels and suppressions.
pub fn lint_text(
    name: &str,
    text: &str,
    format: Format,
    options: &Options,
    settings: &Settings,
) -> Result<FileReport, Skip> {
    let loaded = load(name, text, format, options);
    let mut diagnostics = super::check(
        format,
        &loaded.document,
        &loaded.sources,
        &loaded.diagnostics,
        options.host,
    );
    let suppressions = Suppressions::scan(&loaded.sources);
    diagnostics.retain_mut(|d| {
        if d.primary.is_none() {
            *d = d.clone().at(Origin::new(SourceId(0), 0..0));
        }
        let file = d
            .primary
            .as_ref()
            .map(|p| loaded.sources.get(p.origin.source).name.as_str())
            .unwrap_or(name);
        if let Some(level) = settings.level(Path::new(file), d.code) {
            match level.severity() {
                Some(s) => d.severity = s,
                None => return false,
            }
        }
        !suppressions.covers(d, &loaded.sources)
    });
    let hidden = if options.include_system {
        Vec::new()
    } else {
        let (shown, hidden) = hide_system(diagnostics, &loaded.sources);
        diagnostics = shown;
        hidden
    };
    Ok(FileReport {
        name: name.to_string(),
        format,
        sources: loaded.sources,
        diagnostics,
        hidden,
    })
}

/// The result of fixing a text.
#[derive(Debug)]
pub struct Fixed {
    /// The text after every round of safe fixes.
    pub text: String,
    /// Fixes applied.
    pub applied: usize,
    /// The findings that remain.
    pub report: FileReport,
}

/// Apply safe fixes until none is left (at most 10 rounds, as a fix may enable another).
pub fn fix_text(
    name: &str,
    text: &str,
    format: Format,
    options: &Options,
    settings: &Settings,
) -> Result<Fixed, Skip> {
    let mut current = text.to_string();
    let mut applied = 0;
    for _ in 0..10 {
        let report = lint_text(name, &current, format, options, settings)?;
        let fixes: Vec<_> = report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.safe && f.origin.source == SourceId(0))
            .collect();
        if fixes.is_empty() {
            return Ok(Fixed {
                text: current,
                applied,
                report,
            });
        }
        let (next, n) = super::fix::apply(&current, SourceId(0), fixes);
        if n == 0 || next == current {
            return Ok(Fixed {
                text: current,
                applied,
                report,
            });
        }
        applied += n;
        current = next;
    }
    let report = lint_text(name, &current, format, options, settings)?;
    Ok(Fixed {
        text: current,
        applied,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lxconf_model::Code;

    #[test]
    fn findings_in_included_system_files_are_hidden_whatever_their_severity() {
        let mut sources = SourceMap::new();
        let own = sources.add("/usr/share/lxc/config/mine.conf", "x\n");
        let shared = sources.add("/usr/share/lxc/config/common.conf", "x\n");
        let local = sources.add("/etc/lxc/local.conf", "x\n");
        let at = |id| Diagnostic::new(Code::L003, "bad value").at(Origin::new(id, 0..1));
        let (shown, hidden) = hide_system(vec![at(own), at(shared), at(local)], &sources);
        // The file linted is the user's choice even under the system directory.
        assert_eq!(shown.len(), 2);
        assert_eq!(hidden.len(), 1);
        assert!(hidden[0].is_error());
        assert_eq!(
            hidden[0].primary.as_ref().map(|p| p.origin.source),
            Some(shared)
        );
    }
}
