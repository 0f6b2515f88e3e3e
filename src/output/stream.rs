//! What the headless commands write besides their records: `tail`'s rows and gap lines in
//! either format, the losses line for stderr, and `summary --format json`.

use std::io::{self, Write};

use super::{failure_line, failure_text, gap_line, gap_text, Locale, SummaryRecord};
use crate::enrich::Failure;
use crate::ingest::Pipeline;
use crate::protocol::Gap;
use crate::store::Aggregates;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TailFormat {
    Jsonl,
    Text,
}

pub fn write_failure(
    out: &mut impl Write,
    f: &Failure,
    format: TailFormat,
    locale: Locale,
) -> io::Result<()> {
    match format {
        TailFormat::Jsonl => writeln!(out, "{}", failure_line(f, locale.lang)),
        TailFormat::Text => writeln!(out, "{}", failure_text(f, locale)),
    }
}

/// A gap as `tail` writes it: `{"gap":{"from":…,"to":…,"why":…}}`, or a marked text line.
pub fn write_gap(
    out: &mut impl Write,
    gap: &Gap,
    format: TailFormat,
    locale: Locale,
) -> io::Result<()> {
    match format {
        TailFormat::Jsonl => writeln!(out, "{}", gap_line(gap)),
        TailFormat::Text => writeln!(out, "{}", gap_text(gap, locale)),
    }
}

/// Anything lost, skipped or only assumed while reading: a capture's `tail` says so on stderr
/// only then.
pub fn has_losses(pipeline: &Pipeline) -> bool {
    let i = &pipeline.stats();
    i.source_dropped + i.bad_lines + i.rejected_total() + i.texts_cut + i.gaps_forgotten > 0
        || i.synthetic_times > 0
        || i.assumed_family > 0
        || !i.gaps.is_empty()
}

/// What was read and what was lost, skipped or only assumed, for stderr (stdout stays records
/// only).
pub fn losses_line(pipeline: &Pipeline) -> String {
    let i = &pipeline.stats();
    let mut line = format!(
        "{} frames, {} failures; {} dropped, {} gaps, {} bad lines, {} rejected frames, {} duplicates counted once, {} texts cut, {} frames without a time",
        i.frames,
        pipeline.store().agg.failures,
        i.source_dropped,
        i.gaps.len() as u64 + i.gaps_forgotten,
        i.bad_lines,
        i.rejected_total(),
        i.duplicates_total(),
        i.texts_cut,
        i.synthetic_times,
    );
    if i.assumed_family > 0 {
        line.push_str(&format!(
            "; {} failures routed before any frame told the server family (upstream assumed; the Octo fork before its PR #33 tells nothing: --server octo)",
            i.assumed_family
        ));
    }
    line
}

/// `summary --format json`, pretty-printed.
pub fn summary_json(pipeline: &Pipeline, agg: &Aggregates) -> String {
    let record = SummaryRecord::of(pipeline, agg);
    let mut text = serde_json::to_string_pretty(&record).unwrap_or_default();
    text.push('\n');
    text
}
