//! `run-metadata`: lists runs and shows their metadata from the embedded store.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use run_metadata_cli::{CliError, parse, run};

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    let result = parse(std::env::args().skip(1))
        .map_err(CliError::Usage)
        .and_then(|args| run(&args, &mut out, terminal));
    let _ = out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`run-metadata runs | head`) is not an error.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e @ CliError::Usage(_)) => {
            eprintln!("run-metadata: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("run-metadata: {e}");
            ExitCode::FAILURE
        }
    }
}
