//! `lxconf equiv` in run mode: on which engine each side runs (`--engine`, `--fallback`).

use super::EquivArgs;
use crate::cli::{load_text_or_report, Shown, EXIT_USAGE};
use crate::engine::{Engine, Probed, Side};
use crate::probe::Observations;
use clap::ValueEnum;
use serde::Serialize;

/// Where the configurations run.
#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum EngineChoice {
    /// Both under lxconf's runner (`lxconf run`).
    #[default]
    Lxconf,
    /// Each on the engine that owns its format: an LXC config under lxc-execute, a domain
    /// XML under libvirt_lxc, a model document under `lxconf run`.
    Real,
}

/// The engine that stands in for a real engine missing here.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FallbackEngine {
    /// lxconf's runner.
    Lxconf,
}

/// Where one side ran, for the reader of the comparison.
#[derive(Debug, Serialize)]
pub struct Ran {
    /// The configuration.
    pub file: String,
    /// Its format (`lxc`, `domxml`, `json`, ...), when it was loaded to choose the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// The engine it ran on.
    pub engine: Engine,
    /// The engine that owns its format, when that one could not run here and `--fallback`
    /// stood in for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instead_of: Option<Engine>,
    /// Why the owning engine could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Facts about the run (an init that was not run, a format with no engine of its own).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the container saw.
    #[serde(skip)]
    pub observations: Observations,
}

/// Run both sides where `--engine` says; on failure, the message is printed and the exit
/// code given.
pub fn run_sides(args: &EquivArgs) -> Result<Vec<Ran>, u8> {
    if args.engine == EngineChoice::Lxconf {
        return [&args.a, &args.b]
            .into_iter()
            .map(
                |file| match crate::probe::run(file, args.include_base.as_deref()) {
                    Ok(observations) => Ok(Ran {
                        file: file.clone(),
                        format: None,
                        engine: Engine::Lxconf,
                        instead_of: None,
                        why: None,
                        notes: Vec::new(),
                        observations,
                    }),
                    Err(e) => {
                        eprintln!("lxconf: {e}");
                        Err(EXIT_USAGE)
                    }
                },
            )
            .collect();
    }
    let mut loaded = Vec::new();
    for (file, from) in [(&args.a, args.from_a), (&args.b, args.from_b)] {
        loaded.push(load_text_or_report(
            file,
            from.map(Into::into),
            args.include_base.as_deref(),
            Shown::Errors,
            "nothing run",
        )?);
    }
    let models: Vec<&lxconf_model::Container> = loaded
        .iter()
        .map(|(_, _, l)| &l.document.container)
        .collect();
    let mut ran = Vec::new();
    for ((format, text, _), file) in loaded.iter().zip([&args.a, &args.b]) {
        let side = Side {
            file,
            text,
            include_base: args.include_base.as_deref(),
            limit_models: &models,
        };
        ran.push(run_real(&side, *format, args.fallback)?);
    }
    Ok(ran)
}

/// Run one side on the engine that owns its format, or on the fallback when that engine
/// is missing and one was asked for.
fn run_real(
    side: &Side<'_>,
    format: lxconf_parse::Format,
    fallback: Option<FallbackEngine>,
) -> Result<Ran, u8> {
    let owner = Engine::owner(format);
    let ran = |engine, probed: Probed| Ran {
        file: side.file.to_string(),
        format: Some(format.name()),
        engine,
        instead_of: None,
        why: None,
        notes: probed.notes,
        observations: probed.observations,
    };
    match owner.probe(side) {
        Ok(mut probed) => {
            if owner == Engine::Lxconf {
                probed.notes.push(format!(
                    "a {} document has no engine but lxconf's own",
                    format.name()
                ));
            }
            Ok(ran(owner, probed))
        }
        Err(e) if e.is_unavailable() && fallback == Some(FallbackEngine::Lxconf) => {
            crate::report::info(format_args!(
                "lxconf: {}; `{}` runs under lxconf run instead (--fallback lxconf)",
                crate::snippet::escape(&e.to_string()),
                crate::snippet::escape(crate::input::display_name(side.file))
            ));
            match Engine::Lxconf.probe(side) {
                Ok(probed) => Ok(Ran {
                    instead_of: Some(owner),
                    why: Some(e.to_string()),
                    ..ran(Engine::Lxconf, probed)
                }),
                Err(e) => {
                    eprintln!("lxconf: {}", crate::snippet::escape(&e.to_string()));
                    Err(EXIT_USAGE)
                }
            }
        }
        Err(e) => {
            let hint = if e.is_unavailable() {
                " (--fallback lxconf runs it under lxconf run instead)"
            } else {
                ""
            };
            // The engines' messages quote the configuration: control characters escaped.
            eprintln!("lxconf: {}{hint}", crate::snippet::escape(&e.to_string()));
            Err(EXIT_USAGE)
        }
    }
}

/// The lines saying where each side ran, above the table.
pub fn print_where(ran: &[Ran]) {
    for (label, r) in ["A", "B"].iter().zip(ran) {
        let engine = match (r.instead_of, &r.why) {
            (Some(owner), Some(why)) => format!(
                "{}, standing in for {} ({why})",
                r.engine.name(),
                owner.name()
            ),
            _ => r.engine.name().to_string(),
        };
        crate::houtln!("{label}: {}: ran under {engine}", r.file);
        for note in &r.notes {
            crate::houtln!("   note: {note}");
        }
    }
}
