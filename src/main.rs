//! The `loyalty-sim` command: parses the command line, runs it, prints any error once and
//! exits with its code (0 success, 2 invalid input, 1 anything else).

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect.
const INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    // Ctrl-C (or SIGTERM) stops at once: results are only written at the end, all at once, so
    // stopping before that leaves nothing behind; a write already under way finishes first
    // and the program then stops.
    let _ = ctrlc::set_handler(|| {
        if loyalty_sim::output::request_stop() {
            eprintln!("interrupted: stopped; nothing was written");
            std::process::exit(i32::from(INTERRUPTED));
        }
    });
    let result = cli::execute(cli::Cli::parse());
    if loyalty_sim::output::stop_requested() {
        eprintln!("interrupted: stopped after finishing the files being written");
        return ExitCode::from(INTERRUPTED);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Every message already carries its causes, so it is printed once, as is.
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
