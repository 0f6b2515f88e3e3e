//! `failwatch tail`: one record per failure as it arrives, from a capture (the file door) or a
//! live source (the live door), with each gap where it happened. A row whose text the wire
//! withheld waits for the REST API's answer, at most a bound.

mod api_notes;
mod gaps;
mod hold;

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::enrich::Failure;
use crate::filter::Filter;
use crate::ingest::live::{IngestEvent, LiveIntake, Seen};
use crate::ingest::read::{self, Capture, Sink};
use crate::ingest::{Pipeline, Taken};
use crate::output::{write_failure, write_gap, Locale, TailFormat};
use crate::protocol::Gap;
use crate::source::status::Phase;
pub use gaps::GapReporter;
use hold::Hold;

/// How `tail` writes: which failures, in which format and language, and how long a row may wait
/// for the REST API's answer.
#[derive(Clone, Copy)]
pub struct TailSpec<'a> {
    pub filter: &'a Filter,
    pub format: TailFormat,
    pub locale: Locale,
    pub hold: std::time::Duration,
}

/// A failure's row, if the filter keeps it (`since:` measured from `now`, or from the failure
/// when it is newer).
fn row(out: &mut impl Write, spec: &TailSpec, f: &Failure, now: DateTime<Utc>) -> io::Result<()> {
    if spec.filter.matches(f, now.max(f.at)) {
        write_failure(out, f, spec.format, spec.locale)?;
    }
    Ok(())
}

/// The rows of `failures`, in order.
fn rows(
    out: &mut impl Write,
    spec: &TailSpec,
    failures: Vec<Failure>,
    now: DateTime<Utc>,
) -> io::Result<()> {
    failures.iter().try_for_each(|f| row(out, spec, f, now))
}

/// `tail`'s rows of a capture, as the file door hands the failures over: a chunk's written on
/// the thread that builds it; line by line, a row waiting for its recorded REST answer held
/// (in capture time) with those after it.
struct Rows<'a> {
    spec: TailSpec<'a>,
    now: DateTime<Utc>,
    /// Rows held line by line, and the capture's clock (bulk never holds: nothing is asked).
    held: Mutex<(Hold, DateTime<Utc>)>,
    /// Whether any row is held: read without the lock, so the workers writing a chunk's rows in
    /// bulk never meet on it (only the calling thread holds rows, line by line).
    holding: AtomicBool,
    /// Buffers already written out, emptied, their memory kept for the chunks to come.
    spare: Mutex<Vec<Vec<u8>>>,
}

impl Rows<'_> {
    fn give_back(&self, mut text: Vec<u8>) {
        text.clear();
        if let Ok(mut spare) = self.spare.lock() {
            spare.push(text);
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, (Hold, DateTime<Utc>)> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hold a row behind those held, at the capture's clock.
    fn hold(&self, f: &Failure) {
        let mut held = self.held();
        let clock = held.1;
        held.0.push(f.clone(), clock);
        self.holding.store(true, Ordering::Relaxed);
    }

    /// Take rows out of the hold (`all`, or those whose time came at `clock`).
    fn let_go(&self, clock: Option<DateTime<Utc>>) -> Vec<Failure> {
        let mut held = self.held();
        let rows = match clock {
            Some(at) => {
                held.1 = at;
                held.0.release(at)
            }
            None => held.0.drain(),
        };
        self.holding.store(!held.0.is_empty(), Ordering::Relaxed);
        rows
    }

    /// Writing to memory cannot fail.
    fn write(&self, failures: Vec<Failure>, out: &mut Vec<u8>) {
        let _ = rows(out, &self.spec, failures, self.now);
    }
}

impl Sink for Rows<'_> {
    type Out = Vec<u8>;
    fn start(&self) -> Vec<u8> {
        self.spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default()
    }
    fn failure(&self, f: &Failure, out: &mut Vec<u8>) {
        // A row waiting for its answer is held, and so is every row behind a held one.
        if matches!(f.lookup, crate::enrich::Lookup::Pending)
            || self.holding.load(Ordering::Relaxed)
        {
            self.hold(f);
        } else {
            // Writing to memory cannot fail.
            let _ = row(out, &self.spec, f, self.now);
        }
    }
    fn gap(&self, gap: &Gap, out: &mut Vec<u8>) {
        // A gap goes where it happened: after every row before it.
        let rows = self.let_go(None);
        self.write(rows, out);
        let _ = write_gap(out, gap, self.spec.format, self.spec.locale);
    }
    fn recovered(&self, f: &Failure, _: &mut Vec<u8>) {
        self.held().0.update(f);
    }
    fn clock(&self, at: DateTime<Utc>, out: &mut Vec<u8>) {
        if self.holding.load(Ordering::Relaxed) {
            let rows = self.let_go(Some(at));
            self.write(rows, out);
        } else {
            self.held().1 = at;
        }
    }
    fn ready(&self, out: &Vec<u8>) -> bool {
        !out.is_empty()
    }
    fn end(&self, out: &mut Vec<u8>) {
        let rows = self.let_go(None);
        self.write(rows, out);
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
    let rows = Rows {
        spec,
        now,
        held: Mutex::new((Hold::new(spec.hold), DateTime::<Utc>::MIN_UTC)),
        holding: AtomicBool::new(false),
        spare: Default::default(),
    };
    read::read(input, &mut pipeline, &rows, |_, text| {
        let written = out.write_all(&text);
        rows.give_back(text);
        written
    })?;
    out.flush()?;
    Ok(pipeline)
}

/// Rows of a live `tail` on their way out: held for their lookups, filtered, written in arrival
/// order.
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
        rows(self.out, &self.spec, self.hold.release(clock), now)
    }

    /// A gap goes where it happened: after every row before it.
    fn gap(&mut self, gap: &Gap, now: DateTime<Utc>) -> io::Result<()> {
        self.finish_rows(now)?;
        write_gap(self.out, gap, self.spec.format, self.spec.locale)
    }

    fn finish_rows(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        rows(self.out, &self.spec, self.hold.drain(), now)
    }

    fn finish(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        self.finish_rows(now)?;
        self.out.flush()
    }
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
    mut intake: LiveIntake,
    pipeline: &mut Pipeline,
    spec: TailSpec<'_>,
    out: &mut impl Write,
) -> Result<(), TailError> {
    let mut w = Writer::new(spec, out);
    let mut gaps = GapReporter::default();
    let mut api_notes = api_notes::ApiNotes::default();
    let mut seen: Vec<(bool, Failure)> = Vec::new();
    let mut failed = None;
    // One listener for the whole run: a Ctrl-C between two turns of the loop is not lost.
    let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        // `since:` follows the stream's own clock: the newest event seen.
        let now = pipeline.store().now();
        let deadline = w
            .hold
            .next_deadline()
            .and_then(|d| (d - Utc::now()).to_std().ok())
            .unwrap_or(std::time::Duration::from_secs(3600));
        let mut hook = |s: Seen<'_>| match s {
            Seen::Admitted(f) => seen.push((false, f.clone())),
            Seen::Amended(f) => seen.push((true, f.clone())),
        };
        let event = tokio::select! {
            event = intake.next(pipeline, &mut hook) => Some(event),
            _ = tokio::time::sleep(deadline), if !w.hold.is_empty() => None,
            _ = &mut interrupted => break,
        };
        for (amended, f) in seen.drain(..) {
            match amended {
                false => w.hold.push(f, Utc::now()),
                true => w.hold.update(&f),
            }
        }
        match event {
            Some(IngestEvent::Status) => {
                // A source that failed for good ends like any other end: what it held goes out.
                failed = report_status(&intake, &mut gaps, pipeline, &mut w, now)?;
                if failed.is_some() {
                    break;
                }
            }
            Some(IngestEvent::ApiStatus) => {
                if let Some(s) = intake.api_status() {
                    for line in api_notes.news(&s) {
                        eprintln!("failwatch: {line}");
                    }
                }
            }
            Some(IngestEvent::Ended) => break,
            _ => {}
        }
        w.release(Utc::now(), now)?;
        w.out.flush()?;
    }
    let now = pipeline.store().now();
    // What was held for the family goes out too, upstream assumed.
    let mut rows = Vec::new();
    pipeline.end_of_input(&mut |taken| {
        if let Taken::Admitted(u) = taken {
            rows.push((*u.failure).clone())
        }
    });
    for f in rows {
        w.hold.push(f, Utc::now());
    }
    // The reader is gone: what it said last (a refusal, a gap still open) is said too.
    let failed = match failed {
        Some(msg) => Some(msg),
        None => report_status(&intake, &mut gaps, pipeline, &mut w, now)?,
    };
    w.finish(now)?;
    if let Some(s) = intake.api_status() {
        eprintln!("failwatch: {}", api_notes::ApiNotes::closing(&s));
    }
    match failed {
        Some(msg) => Err(TailError::SourceFailed(msg)),
        None => Ok(()),
    }
}

/// Write the gap lines the source's status calls for; the refusal, if it failed for good. The
/// status changes with every frame: only its gaps and drops are looked at, without a copy.
fn report_status<W: Write>(
    intake: &LiveIntake,
    gaps: &mut GapReporter,
    pipeline: &mut Pipeline,
    w: &mut Writer<'_, W>,
    now: DateTime<Utc>,
) -> io::Result<Option<String>> {
    let (news, failed) = {
        let state = intake.status();
        pipeline.source_counts(&state);
        let failed = match &state.phase {
            Phase::Failed(msg) => Some(msg.clone()),
            _ => None,
        };
        (gaps.noted(&state, pipeline, Utc::now()), failed)
    };
    if !news.is_empty() {
        for gap in &news {
            w.gap(gap, now)?;
        }
        w.out.flush()?;
    }
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const UPSTREAM: &str = include_str!("../../tests/data/upstream-frames.jsonl");
    use crate::output;

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
    fn the_text_line_marks_withheld_errors_and_leaks() {
        let mut p = Pipeline::new(0);
        let mut rows = Vec::new();
        p.push_frame(
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
