//! `failwatch diff BEFORE AFTER`: two captures read whole, then compared.

use std::io::Write;

use super::input::CaptureInput;
use super::setup::Settings;
use super::summary::not_a_capture;
use super::CmdError;
use crate::cli::{DiffArgs, DiffFormat};
use crate::ingest::Pipeline;
use crate::output::diff::{compare, diff_table, Side};
use crate::store::Aggregates;

pub fn run(args: DiffArgs, settings: &Settings) -> Result<(), CmdError> {
    let before = read(&args.before, settings)?;
    let after = read(&args.after, settings)?;
    let (b, a) = (side(&before), side(&after));
    let d = compare(&b, &a);
    let text = match args.format {
        DiffFormat::Json => {
            let mut json = serde_json::to_string_pretty(&d).unwrap_or_default();
            json.push('\n');
            json
        }
        DiffFormat::Table => diff_table(&d, settings.lang),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

fn side(read: &(String, Pipeline, Aggregates)) -> Side<'_> {
    Side {
        name: &read.0,
        pipeline: &read.1,
        agg: &read.2,
    }
}

/// One capture, every failure the filter shows counted (each capture's server family told by
/// its own frames, `since:` measured from its own clock: as `summary` reads it).
fn read(
    path: &std::path::Path,
    settings: &Settings,
) -> Result<(String, Pipeline, Aggregates), CmdError> {
    let filter = &settings.filter;
    let mut input = CaptureInput::open(path, filter.has_time_terms())?;
    let pipeline = settings.routing.capture_pipeline(&mut input, None);
    let now = input.clock(filter)?;
    let map = input.map();
    let (pipeline, agg) =
        crate::ingest::read::summarize(input.capture(map.as_ref())?, filter, now, pipeline)
            .map_err(|e| CmdError::input(crate::said!("reading {} failed: {}", input.name, e)))?;
    not_a_capture(&pipeline, &input.name)?;
    Ok((input.name.clone(), pipeline, agg))
}
