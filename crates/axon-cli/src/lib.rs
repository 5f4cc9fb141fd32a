//! The commands behind the `axon` binary. Each command is a thin layer over the library crates.

pub mod bench;
pub mod chbench;
pub mod cli;
pub mod dashbench;
pub mod demo;
pub mod import;
pub mod livebench;
pub mod loadtest;
pub mod mcp;
pub mod mixedbench;
pub mod nlqbench;
pub mod progress;
mod rawhttp;
pub mod serve;
pub mod settings;
pub mod simulate;

pub use cli::{Cli, Command};

/// Everything a command can fail with, and the process exit code for it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Serve(#[from] axon_server::ServeError),
    #[error(transparent)]
    Store(#[from] axon_store::StoreError),
    #[error("{0}")]
    Import(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Config(_) => 2,
            CliError::Store(axon_store::StoreError::Locked(_)) => 3,
            _ => 1,
        }
    }
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let settings = cli::Settings::load(&cli)?;
    serve::init_logging(&settings);
    match cli.command {
        Command::Serve(_) => serve::run(&settings),
        Command::Demo(args) => demo::run(&settings, &args),
        Command::Import(args) => import::run(&settings, &args),
        Command::Simulate(args) => simulate::run(&args, &settings.config.tz),
        Command::Bench(cli::BenchCommand::Ingest(args)) => bench::run(&args),
        Command::Bench(cli::BenchCommand::Dashboards(args)) => dashbench::run(&settings, &args),
        Command::Bench(cli::BenchCommand::Live(args)) => livebench::run(&args),
        Command::Loadtest(args) => loadtest::run(&args),
        Command::Bench(cli::BenchCommand::Nlq(args)) => nlqbench::run(&settings, &args),
        Command::Bench(cli::BenchCommand::Mixed(args)) => mixedbench::run(&args),
        Command::Mcp(args) => mcp::run(&settings, &args),
    }
}
