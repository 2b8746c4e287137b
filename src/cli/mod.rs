//! Command-line interface: one module per subcommand.

pub mod convert;
pub mod equiv;
pub mod from_native;
pub mod lint;
mod load;
pub mod migrate;
pub mod run;
pub mod schema;
pub mod shell;
pub mod show;
pub mod to_native;
pub mod upgrade;

pub(crate) use load::{
    failure_record, load_any, load_expecting, load_or_report, load_text_or_report, print_shown,
    Shown,
};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the input has errors.
pub const EXIT_INPUT: u8 = 1;
/// Exit status: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Parse, lint, convert and run Linux container configurations (LXC, libvirt LXC, LXD and
/// Incus).
#[derive(Debug, Parser)]
#[command(name = "lxconf", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// An LXD/Incus profile (the YAML of `lxc profile show NAME`) to expand LXD instance
    /// files with, as LXD does with the profiles they name. Repeatable.
    #[arg(long, value_name = "FILE", global = true)]
    profile: Vec<std::path::PathBuf>,
    /// Print errors only: no warnings, notes, summaries or progress (the exit status is
    /// the same).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Colour diagnostics: `auto` on a terminal unless NO_COLOR is set, `always`, `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t, global = true)]
    color: crate::report::ColorChoice,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the normalized model of a configuration.
    Show(show::ShowArgs),
    /// Convert between LXC configs, model documents and fstab files.
    Convert(convert::ConvertArgs),
    /// Convert LXC configs to libvirt domain XML (like `virsh domxml-from-native`).
    #[command(name = "domxml-from-native")]
    DomxmlFromNative(from_native::FromNativeArgs),
    /// Convert a libvirt domain XML to an LXC config.
    #[command(name = "domxml-to-native")]
    DomxmlToNative(to_native::ToNativeArgs),
    /// Check that two configurations (any formats) describe the same container.
    Equiv(equiv::EquivArgs),
    /// Run a configuration as a container (exit status: the command's).
    Run(run::RunArgs),
    /// Report what this host supports for running containers.
    CheckHost,
    /// Print the JSON Schema of the model.
    Schema,
    /// Check configurations for mistakes (every finding at once; exit 1 on errors).
    Lint(lint::LintArgs),
    /// Migrate a container into LXD: convert, create the instance, check it, copy its root
    /// filesystem (every setting not carried is reported).
    Migrate(migrate::MigrateArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the roff man page of lxconf, or of one subcommand (`lxconf man lint`).
    Man(shell::ManArgs),
    /// Rewrite legacy LXC 1.x/2.x keys to modern keys, keeping comments and layout.
    Upgrade(upgrade::UpgradeArgs),
}

/// An input format, for `--from`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FromFormat {
    /// An LXC config (lxc.container.conf(5)).
    Lxc,
    /// An fstab file.
    Fstab,
    /// libvirt domain XML.
    Domxml,
    /// An lxconf model document (JSON).
    Json,
    /// An lxconf model document (YAML).
    Yaml,
    /// An LXD/Incus instance or profile (`lxc config show`, `lxc profile show`).
    Lxd,
}

impl From<FromFormat> for lxconf_parse::Format {
    fn from(f: FromFormat) -> Self {
        match f {
            FromFormat::Lxc => lxconf_parse::Format::Lxc,
            FromFormat::Fstab => lxconf_parse::Format::Fstab,
            FromFormat::Domxml => lxconf_parse::Format::DomXml,
            FromFormat::Json => lxconf_parse::Format::ModelJson,
            FromFormat::Yaml => lxconf_parse::Format::ModelYaml,
            FromFormat::Lxd => lxconf_parse::Format::Lxd,
        }
    }
}

/// Entry point: parse arguments, run the subcommand, map the result to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    crate::input::set_lxd_profiles(cli.profile);
    crate::report::set_style(crate::report::Style {
        quiet: cli.quiet,
        color: cli.color,
    });
    let code = match cli.command {
        Command::Show(args) => show::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Migrate(args) => migrate::run(args),
        Command::Completions(args) => shell::completions(args, Cli::command()),
        Command::Man(args) => shell::man(args, Cli::command()),
        Command::Equiv(args) => equiv::run(args),
        Command::DomxmlFromNative(args) => from_native::run(args),
        Command::DomxmlToNative(args) => to_native::run(args),
        Command::Run(args) => run::run(args),
        Command::CheckHost => run::check_host(),
        Command::Schema => schema::run(),
        Command::Lint(args) => lint::run(args),
        Command::Upgrade(args) => upgrade::run(args),
    };
    ExitCode::from(code)
}

/// Write a command's output to `path` (see [`crate::output::write`]), or to stdout when
/// there is no path or it is `-`; the exit code.
/// Finish a conversion: report its losses (human: on stderr; json: one record
/// `{file, output, losses}` on stdout, each loss with the model pointers it covers), then
/// write the output unless a loss is an error.
/// How a conversion's result is given: the options every converting command shares.
pub(crate) struct Delivery<'a> {
    /// The input, as the user named it.
    pub file: &'a str,
    /// Human reports or one JSON record.
    pub format: from_native::ReportFormat,
    /// `--strict`: a lost setting the input wrote is an error (`convert::strict`).
    pub strict: bool,
    /// `-o FILE`; stdout when absent or `-`.
    pub output: Option<&'a std::path::Path>,
}

pub(crate) fn finish_conversion(
    how: Delivery<'_>,
    text: &str,
    mut losses: Vec<lxconf_model::Diagnostic>,
    sources: &lxconf_model::SourceMap,
) -> u8 {
    let Delivery {
        file,
        format,
        strict,
        output,
    } = how;
    if strict {
        convert::strict(&mut losses, sources);
    }
    let losses = &losses;
    let errors = losses.iter().filter(|d| d.is_error()).count();
    let to_file = output.filter(|p| p.as_os_str() != "-");
    match format {
        from_native::ReportFormat::Human => crate::report::print(losses, sources),
        from_native::ReportFormat::Json => {
            let records: Vec<_> = losses.iter().map(|d| d.to_record(sources)).collect();
            let record = serde_json::json!({
                "file": crate::input::display_name(file),
                "ok": errors == 0,
                "output": (errors == 0).then_some(text),
                "losses": records,
            });
            println!("{record}");
        }
    }
    if errors > 0 {
        eprintln!("lxconf: {errors} setting(s) cannot be converted; nothing written");
        return EXIT_INPUT;
    }
    match (format, to_file) {
        // The output is in the JSON record already.
        (from_native::ReportFormat::Json, None) => EXIT_OK,
        _ => write_out(to_file, text.as_bytes()),
    }
}

pub(crate) fn write_out(path: Option<&std::path::Path>, bytes: &[u8]) -> u8 {
    match path.filter(|p| p.as_os_str() != "-") {
        Some(p) => match crate::output::write(p, bytes, false) {
            Ok(_) => EXIT_OK,
            Err(e) => {
                eprintln!("lxconf: {e}");
                EXIT_USAGE
            }
        },
        None => {
            if std::io::Write::write_all(&mut std::io::stdout().lock(), bytes).is_err() {
                return EXIT_USAGE;
            }
            EXIT_OK
        }
    }
}
