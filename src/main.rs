//! The `lxconf` command.

use std::process::ExitCode;

fn main() -> ExitCode {
    lxconf::cli::main()
}
