//! The headless drivers for scripts and CI: `summary` over a capture, and `tail` over a capture
//! or a live source, one record per `task:failed` as it arrives. What they write is `output`'s.

use std::io::{self, BufRead, Write};

use chrono::{DateTime, Utc};

mod api_notes;
mod hold;

use std::convert::Infallible;

use crate::bulk;
use crate::capture::parallel::{self, Item, Resume};
use crate::capture::{CaptureReader, Line};
use crate::enrich::{Failure, Update};
use crate::filter::Filter;
use crate::output::{self, Locale};
use crate::pipeline::Pipeline;
use crate::protocol::Gap;
use crate::source::status::{ConnState, Phase};
use crate::source::SourceHandle;
use crate::store::Aggregates;
use hold::Hold;

/// A capture to read whole: a stream, or a file mapped in memory (read on every core).
pub enum Capture<'a> {
    Stream(Box<dyn BufRead + 'a>),
    Mapped(&'a [u8]),
}

/// Threads to read a mapped capture on: one per core.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Read a whole capture through the pipeline; `on_failure` sees every failure, in order.
pub fn ingest_capture(
    input: Capture<'_>,
    pipeline: &mut Pipeline,
    mut on_failure: impl FnMut(&Failure),
) -> io::Result<()> {
    let from = match input {
        Capture::Mapped(bytes) => {
            let threads = threads();
            let chunk = bulk::chunk_bytes(bytes.len(), threads);
            let resume = bulk::ingest(bytes, pipeline, &Every, threads, chunk, |failures| {
                failures.iter().for_each(&mut on_failure);
                Ok::<(), Infallible>(())
            });
            match resume {
                Ok(None) => return Ok(()),
                Ok(Some(from)) => Some(from),
                Err(never) => match never {},
            }
        }
        Capture::Stream(_) => None,
    };
    one_by_one(input, from, pipeline, |u| on_failure(&u.failure), |_| {})
}

/// Read a whole capture through the pipeline one line at a time (each failure as it comes);
/// `after_line` sees the pipeline after each line (to take what it fired, in order).
pub fn ingest_capture_with(
    input: Capture<'_>,
    pipeline: &mut Pipeline,
    after_line: impl FnMut(&mut Pipeline),
) -> io::Result<()> {
    one_by_one(input, None, pipeline, |_| {}, after_line)
}

/// The lines of a capture (of a mapped one, from `from` on) taken in one at a time, in order.
fn one_by_one(
    input: Capture<'_>,
    from: Option<Resume>,
    pipeline: &mut Pipeline,
    mut on_update: impl FnMut(&Update),
    mut after_line: impl FnMut(&mut Pipeline),
) -> io::Result<()> {
    match input {
        Capture::Stream(input) => {
            let mut reader = CaptureReader::new(input);
            while let Some(line) = reader.next_line()? {
                pipeline.push_line(&line, reader.line_no, &mut on_update);
                after_line(pipeline);
            }
        }
        Capture::Mapped(bytes) => {
            let from = from.unwrap_or_default();
            parallel::for_each_line_from(
                bytes,
                from,
                parallel::CHUNK_BYTES,
                threads(),
                |line_no, item| {
                    pipeline.push_item(line_no, item, &mut on_update);
                    after_line(pipeline);
                    true
                },
            );
        }
    }
    Ok(())
}

/// Every failure, copied for a caller that sees each in order.
struct Every;

impl bulk::Sink for Every {
    type Out = Vec<Failure>;
    fn start(&self) -> Vec<Failure> {
        Vec::new()
    }
    fn failure(&self, f: &Failure, out: &mut Vec<Failure>) {
        out.push(f.clone());
    }
    fn gap(&self, _: &Gap, _: &mut Vec<Failure>) {}
}

/// The counts of the failures a filter keeps (none kept when there is no filter: the pipeline's
/// own counts are the answer).
struct Matching<'f> {
    filter: Option<&'f Filter>,
    now: DateTime<Utc>,
}

impl Matching<'_> {
    fn count(&self, f: &Failure, into: &mut Aggregates) {
        if self
            .filter
            .is_some_and(|filter| filter.matches(f, self.now))
        {
            into.add(f);
        }
    }
}

impl bulk::Sink for Matching<'_> {
    type Out = Aggregates;
    fn start(&self) -> Aggregates {
        Aggregates::part()
    }
    fn failure(&self, f: &Failure, out: &mut Aggregates) {
        self.count(f, out);
    }
    fn gap(&self, _: &Gap, _: &mut Aggregates) {}
}

/// `summary`: aggregates over the capture (only failures matching `filter`, if any); `now`
/// anchors `since:` (the capture's own clock).
pub fn summarize(
    input: Capture<'_>,
    filter: &Filter,
    now: DateTime<Utc>,
    mut pipeline: Pipeline,
) -> io::Result<(Pipeline, Aggregates)> {
    let sink = Matching {
        filter: (!filter.is_empty()).then_some(filter),
        now,
    };
    let mut matching = Aggregates::default();
    let from = match input {
        Capture::Mapped(bytes) => {
            let threads = threads();
            let chunk = bulk::chunk_bytes(bytes.len(), threads);
            let resume = bulk::ingest(bytes, &mut pipeline, &sink, threads, chunk, |part| {
                matching.absorb(part);
                Ok::<(), Infallible>(())
            });
            match resume {
                Ok(from) => from,
                Err(never) => match never {},
            }
        }
        Capture::Stream(_) => Some(Resume::default()),
    };
    if from.is_some() {
        let count = |u: &Update| sink.count(&u.failure, &mut matching);
        one_by_one(input, from, &mut pipeline, count, |_| {})?;
    }
    let agg = match sink.filter {
        // Every failure counts: the pipeline's own aggregates are the answer.
        None => std::mem::take(&mut pipeline.store.agg),
        Some(_) => matching,
    };
    Ok((pipeline, agg))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TailFormat {
    Jsonl,
    Text,
}

/// How `tail` writes: which failures, in which format and language, and how long a row may wait
/// for the REST API's answer.
#[derive(Clone, Copy)]
pub struct TailSpec<'a> {
    pub filter: &'a Filter,
    pub format: TailFormat,
    pub locale: Locale,
    pub hold: std::time::Duration,
}

/// Rows on their way out: held for their lookups, filtered, written in arrival order.
struct Writer<'a, W: Write> {
    spec: TailSpec<'a>,
    out: &'a mut W,
    hold: Hold,
}

impl<'a, W: Write> Writer<'a, W> {
    fn new(spec: TailSpec<'a>, out: &'a mut W) -> Self {
        Writer {
            hold: Hold::new(spec.hold),
            spec,
            out,
        }
    }

    /// Write what may go out at `clock`; `since:` measured from `now`.
    fn release(&mut self, clock: DateTime<Utc>, now: DateTime<Utc>) -> io::Result<()> {
        for f in self.hold.release(clock) {
            self.write(&f, now)?;
        }
        Ok(())
    }

    fn write(&mut self, f: &Failure, now: DateTime<Utc>) -> io::Result<()> {
        row(self.out, &self.spec, f, now)
    }

    /// A gap goes where it happened: after every row before it.
    fn gap(&mut self, gap: &Gap, now: DateTime<Utc>) -> io::Result<()> {
        for f in self.hold.drain() {
            self.write(&f, now)?;
        }
        write_gap(self.out, gap, self.spec.format, self.spec.locale)
    }

    fn finish(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        for f in self.hold.drain() {
            self.write(&f, now)?;
        }
        self.out.flush()
    }
}

/// A failure's row, if the filter keeps it (`since:` measured from `now`, or from the failure
/// when it is newer).
fn row(out: &mut impl Write, spec: &TailSpec, f: &Failure, now: DateTime<Utc>) -> io::Result<()> {
    if spec.filter.matches(f, now.max(f.at)) {
        write_failure(out, f, spec.format, spec.locale)?;
    }
    Ok(())
}

/// `tail`'s rows of a chunk of a capture, written on the thread that builds them.
struct Rows<'a> {
    spec: TailSpec<'a>,
    now: DateTime<Utc>,
    /// Buffers already written out, emptied, their memory kept for the chunks to come.
    spare: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl Rows<'_> {
    fn give_back(&self, mut text: Vec<u8>) {
        text.clear();
        if let Ok(mut spare) = self.spare.lock() {
            spare.push(text);
        }
    }
}

impl bulk::Sink for Rows<'_> {
    type Out = Vec<u8>;
    fn start(&self) -> Vec<u8> {
        self.spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default()
    }
    fn failure(&self, f: &Failure, out: &mut Vec<u8>) {
        // Writing to memory cannot fail.
        let _ = row(out, &self.spec, f, self.now);
    }
    fn gap(&self, gap: &Gap, out: &mut Vec<u8>) {
        let _ = write_gap(out, gap, self.spec.format, self.spec.locale);
    }
}

/// `tail` over a capture: every failure that matches, in order, and every gap the recording
/// marked, where it happened. A withheld text's row waits (in capture time) for the recovered
/// record the recording may hold. `now` anchors `since:` (the capture's own clock).
pub fn tail_capture(
    input: Capture<'_>,
    spec: TailSpec,
    now: DateTime<Utc>,
    mut pipeline: Pipeline,
    out: &mut impl Write,
) -> io::Result<Pipeline> {
    let mut w = Writer::new(spec, out);
    let mut clock = DateTime::<Utc>::MIN_UTC;
    match input {
        Capture::Stream(input) => {
            let mut reader = CaptureReader::new(input);
            while let Some(line) = reader.next_line()? {
                let item = Item::from(line);
                tail_item(&mut w, &mut pipeline, &mut clock, now, reader.line_no, item)?;
            }
        }
        Capture::Mapped(bytes) => {
            let threads = threads();
            let chunk = bulk::chunk_bytes(bytes.len(), threads);
            let rows = Rows {
                spec,
                now,
                spare: Default::default(),
            };
            let resume = bulk::ingest(bytes, &mut pipeline, &rows, threads, chunk, |text| {
                let written = w.out.write_all(&text);
                rows.give_back(text);
                written
            })?;
            if let Some(from) = resume {
                clock = clock.max(from.clock.unwrap_or(clock));
                let mut failed = Ok(());
                parallel::for_each_line_from(
                    bytes,
                    from,
                    parallel::CHUNK_BYTES,
                    threads,
                    |line_no, item| {
                        failed = tail_item(&mut w, &mut pipeline, &mut clock, now, line_no, item);
                        failed.is_ok()
                    },
                );
                failed?;
            }
        }
    }
    w.finish(now)?;
    Ok(pipeline)
}

/// One capture line through `tail`: the clock moves on, a gap is written where it happened, a
/// recovered text reaches the row held for it, and rows go out as their hold allows.
fn tail_item<W: Write>(
    w: &mut Writer<'_, W>,
    pipeline: &mut Pipeline,
    clock: &mut DateTime<Utc>,
    now: DateTime<Utc>,
    line_no: u64,
    item: Item,
) -> io::Result<()> {
    let _ = pipeline.take_lookups();
    let at = match &item {
        // An `event_id`'s time is the event's time, as the reader's `frame_time` says.
        Item::Frame { at, decoded, .. } => Some(match decoded {
            Ok((_, Some(id))) => id.time().unwrap_or(*at),
            _ => *at,
        }),
        Item::Other(line) => crate::capture::frame_time(line),
    };
    if let Item::Other(Line::Gap(gap)) = &item {
        w.gap(gap, now)?;
    }
    *clock = (*clock).max(at.unwrap_or(*clock));
    if let Item::Other(Line::Recovered(r)) = &item {
        if let Some(f) = pipeline.apply_recovery(r) {
            w.hold.update(f);
        }
    } else {
        let mut updates = Vec::new();
        pipeline.push_item(line_no, item, |u| updates.push((*u.failure).clone()));
        for f in updates {
            w.hold.push(f, *clock);
        }
    }
    w.release(*clock, now)
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

/// `tail` of a live source: each matching failure as it arrives (a withheld text's row held
/// until the API answers or the bound passes), and each gap (a disconnect, a trimmed history,
/// frames dropped) as it opens and when it closes, until the source ends, fails for good, or
/// the user interrupts. The pipeline keeps the counts for the caller.
pub async fn tail_source(
    mut source: SourceHandle,
    mut api: Option<crate::api::ApiHandle>,
    pipeline: &mut Pipeline,
    spec: TailSpec<'_>,
    out: &mut impl Write,
) -> Result<(), TailError> {
    let mut w = Writer::new(spec, out);
    let mut status_open = true;
    let mut gaps = GapReporter::default();
    let mut api_notes = api_notes::ApiNotes::default();
    pipeline.recover = api.is_some();
    let (lookups, mut results, mut api_status) = match api.as_mut().map(|a| a.parts()) {
        Some((l, r, s)) => (Some(l), Some(r), Some(s)),
        None => (None, None, None),
    };
    loop {
        // `since:` follows the stream's own clock: the newest event seen.
        let now = pipeline.store.now();
        let deadline = w
            .hold
            .next_deadline()
            .and_then(|d| (d - Utc::now()).to_std().ok())
            .unwrap_or(std::time::Duration::from_secs(3600));
        tokio::select! {
            // Status first: a gap is written before the frames that follow it.
            biased;
            changed = source.status.changed(), if status_open => {
                if changed.is_err() {
                    status_open = false;
                    continue;
                }
                if let Some(msg) = report_status(&source, &mut gaps, pipeline, &mut w, now)? {
                    w.finish(now)?;
                    return Err(TailError::SourceFailed(msg));
                }
            }
            Some(()) = async { api_status.as_mut()?.changed().await.ok() }, if api_status.is_some() => {
                if let Some(s) = &api_status {
                    for line in api_notes.news(&s.borrow()) {
                        eprintln!("failwatch: {line}");
                    }
                }
            }
            Some(batch) = async { results.as_mut()?.recv().await }, if results.is_some() => {
                for r in &batch {
                    if let Some(f) = pipeline.apply_recovery(r) {
                        w.hold.update(f);
                    }
                }
            }
            frame = source.frames.recv() => {
                let Some(fr) = frame else { break };
                let mut updates = Vec::new();
                pipeline.push_frame_with(fr.received_at, &fr.text, |u| {
                    updates.push((*u.failure).clone())
                });
                for f in updates {
                    w.hold.push(f, Utc::now());
                }
                for r in crate::api::send_lookups(lookups, pipeline.take_lookups()) {
                    if let Some(f) = pipeline.apply_recovery(&r) {
                        w.hold.update(f);
                    }
                }
            }
            _ = tokio::time::sleep(deadline), if !w.hold.is_empty() => {}
            _ = tokio::signal::ctrl_c() => break,
        }
        w.release(Utc::now(), now)?;
        w.out.flush()?;
    }
    let now = pipeline.store.now();
    // The reader is gone: what it said last (a refusal, a gap still open) is said too.
    let failed = report_status(&source, &mut gaps, pipeline, &mut w, now)?;
    w.finish(now)?;
    if let Some(a) = api {
        eprintln!(
            "failwatch: {}",
            api_notes::ApiNotes::closing(&a.status.borrow())
        );
    }
    match failed {
        Some(msg) => Err(TailError::SourceFailed(msg)),
        None => Ok(()),
    }
}

/// Write the gap lines the source's status calls for; the refusal, if it failed for good. The
/// status changes with every frame: only its gaps and drops are looked at, without a copy.
fn report_status<W: Write>(
    source: &SourceHandle,
    gaps: &mut GapReporter,
    pipeline: &mut Pipeline,
    w: &mut Writer<'_, W>,
    now: DateTime<Utc>,
) -> io::Result<Option<String>> {
    let (news, failed) = {
        let state = source.status.borrow();
        pipeline.store.ingest.source_dropped = state.dropped;
        let failed = match &state.phase {
            Phase::Failed(msg) => Some(msg.clone()),
            _ => None,
        };
        (gaps.news(&state, Utc::now()), failed)
    };
    if !news.is_empty() {
        for gap in &news {
            pipeline.push_gap(gap);
            w.gap(gap, now)?;
        }
        w.out.flush()?;
    }
    Ok(failed)
}

/// Which of a source's gaps `tail` has written: each is written when it opens and again when
/// it closes; frames the source dropped are written as a closed gap of their own.
#[derive(Debug, Default)]
pub struct GapReporter {
    /// Start of the newest gap written, and whether it was closed then.
    last: Option<(chrono::DateTime<Utc>, bool)>,
    dropped: u64,
}

impl GapReporter {
    /// The gap lines `state` calls for that were not written yet.
    pub fn news(&mut self, state: &ConnState, now: chrono::DateTime<Utc>) -> Vec<Gap> {
        let mut news = Vec::new();
        // Only the newest gaps can be unwritten: older ones were written closed.
        let unwritten = state
            .gaps
            .iter()
            .rev()
            .take_while(|g| self.last.is_none_or(|(from, _)| g.from >= from))
            .count();
        for g in &state.gaps[state.gaps.len() - unwritten..] {
            let written = self.last.is_some_and(|(from, closed)| {
                g.from < from || (g.from == from && (closed || g.to.is_none()))
            });
            if !written {
                self.last = Some((g.from, g.to.is_some()));
                news.push(g.clone());
            }
        }
        if state.dropped > self.dropped {
            let n = state.dropped - self.dropped;
            self.dropped = state.dropped;
            news.push(Gap {
                from: state.last_frame_at.unwrap_or(now),
                to: Some(now),
                why: format!("{n} frames dropped: failwatch fell behind the source"),
            });
        }
        news
    }
}

pub fn write_failure(
    out: &mut impl Write,
    f: &Failure,
    format: TailFormat,
    locale: Locale,
) -> io::Result<()> {
    match format {
        TailFormat::Jsonl => writeln!(out, "{}", output::failure_line(f, locale.lang)),
        TailFormat::Text => writeln!(out, "{}", output::failure_text(f, locale)),
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
        TailFormat::Jsonl => writeln!(out, "{}", output::gap_line(gap)),
        TailFormat::Text => writeln!(out, "{}", output::gap_text(gap, locale)),
    }
}

/// Anything lost or skipped while reading: a capture's `tail` says so on stderr only then.
pub fn has_losses(pipeline: &Pipeline) -> bool {
    let i = &pipeline.store.ingest;
    i.source_dropped + i.bad_lines + i.rejected_total() + i.texts_cut + i.gaps_forgotten > 0
        || i.synthetic_times > 0
        || !i.gaps.is_empty()
}

/// What `tail` read and what it lost or skipped, for stderr (stdout stays records only).
pub fn losses_line(pipeline: &Pipeline) -> String {
    let i = &pipeline.store.ingest;
    format!(
        "{} frames, {} failures; {} dropped, {} gaps, {} bad lines, {} rejected frames, {} duplicates counted once, {} texts cut, {} frames without a time",
        i.frames,
        pipeline.store.agg.failures,
        i.source_dropped,
        i.gaps.len() as u64 + i.gaps_forgotten,
        i.bad_lines,
        i.rejected_total(),
        i.duplicates,
        i.texts_cut,
        i.synthetic_times,
    )
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

    const UPSTREAM: &str = include_str!("../../tests/data/upstream-frames.jsonl");

    fn tail_rows(capture: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let spec = TailSpec {
            filter: &Filter::default(),
            format: TailFormat::Jsonl,
            locale: Locale::new(crate::catalog::Lang::En, crate::tz::Zone::Utc),
            hold: std::time::Duration::from_secs(3),
        };
        tail_capture(
            Capture::Mapped(capture.as_bytes()),
            spec,
            Utc::now(),
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
    fn each_gap_is_written_when_it_opens_and_when_it_closes_and_drops_are_gaps_too() {
        let t = |s: i64| chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let gap = |from: i64, to: Option<i64>| Gap {
            from: t(from),
            to: to.map(t),
            why: "disconnected".into(),
        };
        let mut state = ConnState::new();
        let mut r = GapReporter::default();
        assert!(r.news(&state, t(0)).is_empty());
        state.add_gap(gap(10, None));
        assert_eq!(r.news(&state, t(11)), [gap(10, None)], "open");
        assert!(r.news(&state, t(12)).is_empty(), "once while open");
        state.gaps[0].to = Some(t(15));
        assert_eq!(r.news(&state, t(16)), [gap(10, Some(15))], "closed");
        assert!(r.news(&state, t(17)).is_empty());
        state.add_gap(gap(20, Some(21)));
        state.dropped = 7;
        let news = r.news(&state, t(30));
        assert_eq!(news[0], gap(20, Some(21)));
        assert!(news[1].why.starts_with("7 frames dropped"), "{news:?}");
        assert!(r.news(&state, t(31)).is_empty());
    }

    #[test]
    fn the_text_line_marks_withheld_errors_and_leaks() {
        let mut p = Pipeline::new(0);
        let mut rows = Vec::new();
        p.push_frame_with(
            Utc::now(),
            r#"{"type":"task:failed","payload":{"task_id":"t","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"agent_error.process_failure","error":"cannot open /home/bob/.env"}}"#,
            |u| {
                let en = Locale::new(crate::catalog::Lang::En, crate::tz::Zone::Utc);
                rows.push(output::failure_text(&u.failure, en))
            },
        );
        assert!(rows[0].contains("LEAKED:1"), "{}", rows[0]);
        assert!(rows[0].contains("octo:notified_detail"), "{}", rows[0]);
        assert!(!rows[0].contains("bob"), "{}", rows[0]);
    }
}
