//! `lxconf completions SHELL` and `lxconf man [SUBCOMMAND]`: what a package installs
//! beside the binary, generated from the same clap definitions the parser uses, so they
//! cannot fall out of date.

use super::{EXIT_OK, EXIT_USAGE};
use clap::{Args, Command};
use clap_complete::Shell;
use std::io::Write;

/// Arguments of `lxconf completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell (`bash`, `zsh`, `fish`, `elvish`, `powershell`).
    pub shell: Shell,
}

/// Arguments of `lxconf man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand: its own page (`lxconf-lint(1)`); without one, `lxconf(1)`.
    pub subcommand: Option<String>,
}

/// Print the completion script of `args.shell` for `cli`.
pub fn completions(args: CompletionsArgs, mut cli: Command) -> u8 {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cli, "lxconf", &mut out);
    finish(out.flush())
}

/// Print the roff man page of `lxconf` or of one of its subcommands.
pub fn man(args: ManArgs, cli: Command) -> u8 {
    let page = match &args.subcommand {
        None => cli,
        Some(name) => {
            let Some(sub) = cli.find_subcommand(name).cloned() else {
                eprintln!("lxconf: no subcommand `{name}` (see `lxconf --help`)");
                return EXIT_USAGE;
            };
            // `man lxconf-lint` finds the page by this name; the synopsis shows the
            // command as it is typed.
            let full = format!("lxconf-{}", sub.get_name());
            let typed = format!("lxconf {}", sub.get_name());
            sub.name(full).bin_name(typed)
        }
    };
    let mut text = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut text) {
        eprintln!("lxconf: {e}");
        return EXIT_USAGE;
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_all(&text).and_then(|()| out.flush());
    finish(written)
}

fn finish(result: std::io::Result<()>) -> u8 {
    match result {
        Ok(()) => EXIT_OK,
        // A closed pipe (`lxconf man | head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!("lxconf: {e}");
            EXIT_USAGE
        }
    }
}
