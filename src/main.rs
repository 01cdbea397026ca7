//! The `loyalty-sim` command: parses the command line, runs it, prints any error once and
//! exits with its code (0 success, 2 invalid input, 1 anything else).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cli::execute(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Every message already carries its causes, so it is printed once, as is.
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
