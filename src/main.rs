//! The `failwatch` binary: parse the command line, run it, report an error once.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = failwatch::cli::Cli::parse();
    match failwatch::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = std::io::stderr().write_all(e.report().as_bytes());
            ExitCode::from(e.code())
        }
    }
}

/// Reader threads allocate the events the ingesting thread frees: mimalloc takes that in its
/// stride, where the system allocator spends a fifth of a capture's reading on it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
