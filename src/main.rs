//! The `lxconf` command.

mod cli;
mod input;
mod report;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
