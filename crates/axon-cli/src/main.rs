//! The `axon` binary: parses the command line and dispatches into the library crates.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = axon_cli::Cli::parse();
    match axon_cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(e.exit_code())
        }
    }
}
