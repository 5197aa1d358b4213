//! `run-metadata`: lists runs and shows their metadata from the embedded store.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use run_metadata_cli::{CliError, parse, run};

fn main() -> ExitCode {
    // Help and version go to standard output with 0, usage errors to standard error with 2.
    let args = parse(std::env::args_os().skip(1)).unwrap_or_else(|e| e.exit());
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    let mut notes = std::io::stderr();
    let result = run(&args, &mut out, &mut notes, terminal);
    let _ = out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`run-metadata runs | head`) is not an error.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // `check` has said what it found.
        Err(CliError::Damaged { .. }) => ExitCode::FAILURE,
        // Not `eprintln!`: a closed standard error must not turn a failure into a panic.
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "run-metadata: {e}");
            ExitCode::FAILURE
        }
    }
}
