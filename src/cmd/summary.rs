//! `failwatch summary FILE`: aggregates of a capture as JSON or a table.

use std::io::Write;

use super::setup::{self, Routing};
use super::CmdError;
use crate::cli::{SummaryArgs, SummaryFormat};
use crate::{headless, output};

pub fn run(args: SummaryArgs, routing: &Routing) -> Result<(), CmdError> {
    let filter = setup::filter(&args.view)?;
    let input = setup::open_input(&args.file)?;
    let pipeline = routing.pipeline(0, routing.sniff(&args.file));
    let (pipeline, agg) = headless::summarize(input, &filter, pipeline)
        .map_err(|e| CmdError::input(format!("reading {} failed: {e}", args.file.display())))?;
    let text = match args.format {
        SummaryFormat::Json => headless::summary_json(&pipeline, &agg),
        SummaryFormat::Table => output::summary_table(&pipeline, &agg, setup::lang(&args.view)),
    };
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}
