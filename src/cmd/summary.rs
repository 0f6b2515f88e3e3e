//! `failwatch summary FILE`: aggregates of a capture as JSON or a table.

use std::io::Write;

use super::input::CaptureInput;
use super::setup::Settings;
use super::CmdError;
use crate::cli::{SummaryArgs, SummaryFormat};
use chrono::{DateTime, Utc};

use crate::enrich::Failure;
use crate::filter::Filter;
use crate::ingest::read::{read, summarize, Capture, Sink};
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
    let locale = output::Locale::new(settings.lang, settings.tz);
    if args.format == SummaryFormat::Markdown {
        let text = report(input.capture(map.as_ref())?, &filter, now, pipeline, locale)
            .map_err(|e| CmdError::input(crate::said!("reading {} failed: {}", input.name, e)))?;
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return Ok(());
    }
    let (pipeline, agg) = summarize(input.capture(map.as_ref())?, &filter, now, pipeline)
        .map_err(|e| CmdError::input(crate::said!("reading {} failed: {}", input.name, e)))?;
    not_a_capture(&pipeline, &input.name)?;
    let text = match args.format {
        SummaryFormat::Json => output::summary_json(&pipeline, &agg),
        SummaryFormat::Table | SummaryFormat::Markdown => {
            output::summary_table(&pipeline, &agg, locale)
        }
    };
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

/// The failures the filter shows, in order: what the incident report is built of (the
/// dashboard's report key feeds it the same way).
struct Shown<'a> {
    filter: &'a Filter,
    now: DateTime<Utc>,
}

/// What the report takes of a failure: where the server's era changed (seen in every failure),
/// and the failures shown.
enum Seen {
    Era(DateTime<Utc>, crate::routing::Era),
    Shown(Box<Failure>),
}

impl Sink for Shown<'_> {
    type Out = Vec<Seen>;
    fn start(&self) -> Vec<Seen> {
        Vec::new()
    }
    fn failure(&self, f: &Failure, out: &mut Vec<Seen>) {
        // Only the first failure of a run of one era: the report needs where it changed.
        let last_era = out.iter().rev().find_map(|s| match s {
            Seen::Era(_, era) => Some(*era),
            Seen::Shown(_) => None,
        });
        if last_era != Some(f.era) {
            out.push(Seen::Era(f.at, f.era));
        }
        if self.filter.matches(f, self.now) {
            out.push(Seen::Shown(Box::new(f.clone())));
        }
    }
    fn gap(&self, _: &crate::protocol::Gap, _: &mut Vec<Seen>) {}
}

/// `summary --format markdown`: the incident report of the failures the filter shows.
fn report(
    input: Capture<'_>,
    filter: &Filter,
    now: DateTime<Utc>,
    mut pipeline: crate::ingest::Pipeline,
    locale: output::Locale,
) -> std::io::Result<String> {
    let mut report = output::report::Report::new();
    read(input, &mut pipeline, &Shown { filter, now }, |_, shown| {
        for seen in shown {
            match seen {
                Seen::Era(at, era) => report.see(at, era),
                Seen::Shown(f) => report.add(&f),
            }
        }
        Ok(())
    })?;
    Ok(report.markdown(
        filter.source(),
        pipeline.store().agg.failures,
        pipeline.stats(),
        locale,
    ))
}

/// A capture holds at least one frame; anything else was not one (exit 4, with what was seen).
pub fn not_a_capture(pipeline: &crate::ingest::Pipeline, name: &str) -> Result<(), CmdError> {
    let i = &pipeline.stats();
    if i.frames > 0 {
        return Ok(());
    }
    Err(CmdError::input(crate::said!(
        "not a capture: {} holds no frame ({} lines that are not frames, {} blank)",
        name,
        i.bad_lines,
        i.blank_lines
    ))
    .hint("a capture is JSON Lines of Multica frames, bare or as {\"at\":…,\"frame\":…} records (failwatch live --record writes one)"))
}
