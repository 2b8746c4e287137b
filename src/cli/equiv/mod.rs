//! `lxconf equiv`: do two configurations (any formats) describe the same container?

mod engines;

use super::{load_or_report, FromFormat, Shown, EXIT_INPUT, EXIT_OK, EXIT_USAGE};
use clap::{Args, ValueEnum};
pub use engines::{EngineChoice, FallbackEngine, Ran};
use lxconf_model::equiv::{compare, Observation, Status};

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum EquivFormat {
    /// A table for people.
    #[default]
    Human,
    /// JSON for tools.
    Json,
}

/// Arguments of `lxconf equiv`.
#[derive(Debug, Args)]
pub struct EquivArgs {
    /// First configuration.
    pub a: String,
    /// Second configuration.
    pub b: String,
    /// Compare the normalized models without running anything.
    #[arg(long = "static")]
    pub static_only: bool,
    /// Format of the first file (detected when omitted).
    #[arg(long, value_enum)]
    pub from_a: Option<FromFormat>,
    /// Format of the second file (detected when omitted).
    #[arg(long, value_enum)]
    pub from_b: Option<FromFormat>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: EquivFormat,
    /// Directory relative includes are resolved against.
    #[arg(long, value_name = "DIR")]
    pub include_base: Option<std::path::PathBuf>,
    /// Where the configurations run (not with `--static`).
    #[arg(long, value_enum, default_value_t, conflicts_with = "static_only")]
    pub engine: EngineChoice,
    /// With `--engine real`: when the engine of a side is not installed or not reachable
    /// here, run that side under this engine instead (without it: exit 2).
    #[arg(long, value_enum, value_name = "ENGINE", requires = "engine")]
    pub fallback: Option<FallbackEngine>,
}

fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s
    }
}

/// Print the observation table.
pub fn print_table(obs: &[Observation]) {
    crate::outln!("{:<22} {:<22} details", "observation", "verdict");
    for o in obs {
        let verdict = match o.status {
            Status::Equal => "equal",
            Status::Expected => "differs, as expected",
            Status::Unexpected => "differs, UNEXPECTED",
        };
        crate::houtln!("{:<22} {:<22}", o.name, verdict);
        for d in &o.details {
            let why = d.reason.map(|r| format!("  ({r})")).unwrap_or_default();
            crate::houtln!(
                "    {}: {} → {}{why}",
                d.pointer,
                short(&d.left),
                short(&d.right)
            );
        }
    }
}

/// Run.
pub fn run(args: EquivArgs) -> u8 {
    if !args.static_only {
        return run_probes(&args);
    }
    let mut models = Vec::new();
    for (file, from) in [(&args.a, args.from_a), (&args.b, args.from_b)] {
        let loaded = match load_or_report(
            file,
            from.map(Into::into),
            args.include_base.as_deref(),
            Shown::Errors,
            "nothing compared",
        ) {
            Ok(l) => l,
            Err(code) => return code,
        };
        models.push(loaded.document.container);
    }
    let obs = compare(&models[0], &models[1]);
    match args.format {
        EquivFormat::Human => print_table(&obs),
        EquivFormat::Json => match serde_json::to_string_pretty(&serde_json::json!({
            "mode": "static",
            "equivalent": obs.iter().all(|o| o.status != Status::Unexpected),
            "observations": obs,
        })) {
            Ok(t) => crate::outln!("{t}"),
            Err(e) => {
                eprintln!("lxconf: {e}");
                return EXIT_USAGE;
            }
        },
    }
    if obs.iter().any(|o| o.status == Status::Unexpected) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

/// Run both configurations under the probe and compare what each container sees.
fn run_probes(args: &EquivArgs) -> u8 {
    let ran = match engines::run_sides(args) {
        Ok(ran) => ran,
        Err(code) => return code,
    };
    let compared = crate::probe::compare(&ran[0].observations, &ran[1].observations);
    match args.format {
        EquivFormat::Human => {
            engines::print_where(&ran);
            crate::outln!("{:<22} {:<22} details", "observation", "verdict");
            for c in &compared {
                let verdict = match c.status {
                    Status::Equal => "equal",
                    Status::Expected => "differs, as expected",
                    Status::Unexpected => "differs, UNEXPECTED",
                };
                crate::houtln!("{:<22} {:<22}", c.name, verdict);
                for (l, r, why) in &c.details {
                    let why = why.map(|w| format!("  ({w})")).unwrap_or_default();
                    match (l.is_empty(), r.is_empty()) {
                        (false, _) => crate::houtln!("    only in {}: {l}{why}", args.a),
                        (_, false) => crate::houtln!("    only in {}: {r}{why}", args.b),
                        _ => {}
                    }
                }
            }
        }
        EquivFormat::Json => crate::outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "mode": "run",
                "engines": ran,
                "equivalent": compared.iter().all(|c| c.status != Status::Unexpected),
                "observations": compared,
            }))
            .unwrap_or_default()
        ),
    }
    if compared.iter().any(|c| c.status == Status::Unexpected) {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}
