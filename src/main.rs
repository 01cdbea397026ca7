//! The `loyalty-sim` command: parses the command line, runs it, prints any error once and
//! exits with its code (0 success, 2 invalid input, 1 anything else).

mod cli;

use std::io::Write;
use std::process::ExitCode;

/// Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect.
const INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    // Ctrl-C (or SIGTERM) stops at once: results are only written at the end, all at once, so
    // stopping before that leaves nothing behind; a write already under way finishes first
    // and the program then stops.
    // The handler never panics (a closed stderr is not its concern, so write errors are
    // ignored), and a second Ctrl-C stops at once even while a write finishes.
    let _ = ctrlc::set_handler(|| {
        let second = loyalty_sim::output::stop_requested();
        if loyalty_sim::output::request_stop() || second {
            let message = if second {
                "interrupted again: stopped at once; the output folder keeps its previous result"
            } else {
                "interrupted: stopped; nothing was written"
            };
            let _ = writeln!(std::io::stderr(), "{message}");
            std::process::exit(i32::from(INTERRUPTED));
        }
    });
    let result = cli::execute(cli::parse());
    if loyalty_sim::output::stop_requested() {
        let _ = writeln!(
            std::io::stderr(),
            "interrupted: stopped after finishing the files being written"
        );
        return ExitCode::from(INTERRUPTED);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Every message already carries its causes, so it is printed once, as is.
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
