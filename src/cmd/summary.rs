//! `failwatch summary FILE`: aggregates of a capture as JSON or a table.

use std::io::Write;

use super::input::CaptureInput;
use super::setup::Settings;
use super::CmdError;
use crate::cli::{SummaryArgs, SummaryFormat};
use crate::ingest::read::summarize;
use crate::output;

pub fn run(args: SummaryArgs, settings: &Settings) -> Result<(), CmdError> {
    let filter = settings.filter.clone();
    // Read twice only for `since:`: a stream is otherwise read once, its frames held for the
    // family.
    let mut input = CaptureInput::open(&args.file, filter.has_time_terms())?;
    let pipeline = settings.routing.capture_pipeline(&mut input, None);
    // `since:` is measured from the capture's own clock, as in the dashboard.
    let now = input.clock(&filter)?;
    let map = input.map();
    let (pipeline, agg) = summarize(input.capture(map.as_ref())?, &filter, now, pipeline)
        .map_err(|e| CmdError::input(format!("reading {} failed: {e}", input.name)))?;
    not_a_capture(&pipeline, &input.name)?;
    let text = match args.format {
        SummaryFormat::Json => output::summary_json(&pipeline, &agg),
        SummaryFormat::Table => output::summary_table(
            &pipeline,
            &agg,
            output::Locale::new(settings.lang, settings.tz),
        ),
    };
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

/// A capture holds at least one frame; anything else was not one (exit 4, with what was seen).
pub fn not_a_capture(pipeline: &crate::ingest::Pipeline, name: &str) -> Result<(), CmdError> {
    let i = &pipeline.stats();
    if i.frames > 0 {
        return Ok(());
    }
    Err(CmdError::input(format!(
        "not a capture: {name} holds no frame ({} lines that are not frames, {} blank)",
        i.bad_lines, i.blank_lines
    ))
    .hint("a capture is JSON Lines of Multica frames, bare or as {\"at\":…,\"frame\":…} records (failwatch live --record writes one)"))
}
