//! The headless drivers for scripts and CI: `summary` over a capture, and `tail` over a capture
//! or a live source, one record per `task:failed` as it arrives. What they write is `output`'s.

use std::io::{self, BufRead, Write};

use chrono::Utc;

use crate::capture::{CaptureReader, Line};
use crate::catalog::Lang;
use crate::enrich::{Failure, Update};
use crate::filter::Filter;
use crate::output;
use crate::pipeline::Pipeline;
use crate::source::status::Phase;
use crate::source::SourceHandle;
use crate::store::Aggregates;

/// Read a whole capture through the pipeline; `on_update` sees every update.
pub fn ingest_capture(
    input: impl BufRead,
    pipeline: &mut Pipeline,
    mut on_update: impl FnMut(&Update),
) -> io::Result<()> {
    let mut reader = CaptureReader::new(input);
    while let Some(line) = reader.next_line()? {
        match line {
            Line::Frame { at, text } => {
                pipeline.push_frame_with(at, &text, &mut on_update);
            }
            Line::Bad(why) => pipeline.push_bad_line(&format!("line {}: {why}", reader.line_no)),
            Line::Blank => pipeline.store.ingest.blank_lines += 1,
            Line::Header(_) => {}
        }
    }
    Ok(())
}

/// `summary`: aggregates over the capture (only failures matching `filter`, if any).
pub fn summarize(
    input: impl BufRead,
    filter: &Filter,
    mut pipeline: Pipeline,
) -> io::Result<(Pipeline, Aggregates)> {
    if filter.is_empty() {
        // Every failure counts: the pipeline's own aggregates are the answer.
        ingest_capture(input, &mut pipeline, |_| {})?;
        let agg = std::mem::take(&mut pipeline.store.agg);
        return Ok((pipeline, agg));
    }
    let mut matching = Aggregates::default();
    let now = Utc::now();
    ingest_capture(input, &mut pipeline, |u| {
        if filter.matches(&u.failure, now) {
            matching.add(&u.failure);
        }
    })?;
    Ok((pipeline, matching))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TailFormat {
    Jsonl,
    Text,
}

/// `tail` over a capture: every failure that matches, in order, as it arrives.
pub fn tail_capture(
    input: impl BufRead,
    filter: &Filter,
    format: TailFormat,
    lang: Lang,
    mut pipeline: Pipeline,
    out: &mut impl Write,
) -> io::Result<Pipeline> {
    let now = Utc::now();
    let mut result = Ok(());
    ingest_capture(input, &mut pipeline, |u| {
        if result.is_ok() && filter.matches(&u.failure, now) {
            result = write_failure(out, &u.failure, format, lang);
        }
    })?;
    result?;
    Ok(pipeline)
}

/// Why a live `tail` stopped early.
#[derive(Debug, thiserror::Error)]
pub enum TailError {
    /// The source failed for good (its message says why).
    #[error("{0}")]
    SourceFailed(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// `tail` of a live source: each matching failure as it arrives, until the source ends, fails
/// for good, or the user interrupts.
pub async fn tail_source(
    mut source: SourceHandle,
    mut pipeline: Pipeline,
    filter: &Filter,
    format: TailFormat,
    lang: Lang,
    out: &mut impl Write,
) -> Result<(), TailError> {
    let mut result = Ok(());
    let mut status_open = true;
    loop {
        tokio::select! {
            frame = source.frames.recv() => {
                let Some(fr) = frame else { break };
                pipeline.push_frame_with(fr.received_at, &fr.text, |u| {
                    if result.is_ok() && filter.matches(&u.failure, Utc::now()) {
                        result = write_failure(out, &u.failure, format, lang).and_then(|_| out.flush());
                    }
                });
                result.as_ref().map_err(|e| io::Error::new(e.kind(), e.to_string()))?;
            }
            changed = source.status.changed(), if status_open => {
                if changed.is_err() {
                    status_open = false;
                    continue;
                }
                if let Phase::Failed(msg) = &source.status.borrow().phase {
                    return Err(TailError::SourceFailed(msg.clone()));
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    Ok(())
}

pub fn write_failure(
    out: &mut impl Write,
    f: &Failure,
    format: TailFormat,
    lang: Lang,
) -> io::Result<()> {
    match format {
        TailFormat::Jsonl => writeln!(out, "{}", output::failure_line(f, lang)),
        TailFormat::Text => writeln!(out, "{}", output::failure_text(f, lang)),
    }
}

/// `summary --format json`, pretty-printed.
pub fn summary_json(pipeline: &Pipeline, agg: &Aggregates) -> String {
    let record = output::SummaryRecord::of(pipeline, agg);
    let mut text = serde_json::to_string_pretty(&record).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const UPSTREAM: &str = include_str!("../tests/data/upstream-frames.jsonl");

    fn tail_rows(capture: &str) -> Vec<Value> {
        let mut out = Vec::new();
        tail_capture(
            capture.as_bytes(),
            &Filter::default(),
            TailFormat::Jsonl,
            Lang::En,
            Pipeline::new(0),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn tail_prints_each_upstream_failure_as_it_arrives() {
        let rows = tail_rows(UPSTREAM);
        assert_eq!(rows.len(), 8, "every task:failed line of the fixture");
        assert!(rows.iter().all(|r| r["server"] == "upstream"));
        // The terminal chat failure: Lark and DingTalk sent the withheld error.
        assert_eq!(rows[0]["error_origin"], "withheld");
        assert_eq!(rows[0]["routes"][0]["relay"], "lark");
        assert_eq!(
            rows[0]["routes"][0]["text"],
            "Run failed: [error withheld by the server]"
        );
        // The issue failure's text came from the system comment just before it.
        assert_eq!(rows[3]["error_origin"], "comment");
        assert_eq!(
            rows[3]["error"],
            "Invalid API key [REDACTED API KEY] · Please run /login"
        );
    }

    #[test]
    fn the_text_line_marks_withheld_errors_and_leaks() {
        let mut p = Pipeline::new(0);
        let mut rows = Vec::new();
        p.push_frame_with(
            Utc::now(),
            r#"{"type":"task:failed","payload":{"task_id":"t","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"agent_error.process_failure","error":"cannot open /home/bob/.env"}}"#,
            |u| rows.push(output::failure_text(&u.failure, Lang::En)),
        );
        assert!(rows[0].contains("LEAKED:1"), "{}", rows[0]);
        assert!(rows[0].contains("octo:notified_detail"), "{}", rows[0]);
        assert!(!rows[0].contains("bob"), "{}", rows[0]);
    }
}
