//! Headless outputs for scripts and CI: `summary` (one JSON object or a table) and `tail`
//! (JSON Lines or text, one record per `task:failed`).

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, BufRead, Write};

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use unicode_width::UnicodeWidthStr;

use crate::capture::{format_time, CaptureReader, Line};
use crate::catalog::{self, Lang};
use crate::enrich::{Failure, Update};
use crate::filter::Filter;
use crate::pipeline::Pipeline;
use crate::routing::{Outcome, Relay};
use crate::store::Aggregates;

/// How long (in event time) a failure without text waits for its chat message before it is final.
pub const SETTLE_WINDOW: Duration = Duration::seconds(3);

/// Turns the live stream of updates into final failures, in order: a failure that may still get
/// its text joined is held until the text arrives or [`SETTLE_WINDOW`] passes.
#[derive(Default)]
pub struct Settler {
    pending: VecDeque<(Failure, bool)>,
}

impl Settler {
    /// Feed one update; final failures are passed to `out` in arrival order.
    pub fn update(&mut self, u: &Update, out: &mut impl FnMut(Failure)) {
        match u {
            Update::Failure(f) => {
                let waiting =
                    f.error.is_none() && f.retry_pending != Some(true) && f.task_id.is_some();
                self.pending.push_back(((**f).clone(), !waiting));
                self.advance(f.at, out);
            }
            Update::Joined { failure, .. } => {
                if let Some(slot) = self.pending.iter_mut().find(|(p, _)| p.seq == failure.seq) {
                    *slot = ((**failure).clone(), true);
                }
                self.advance(DateTime::<Utc>::MIN_UTC, out);
            }
        }
    }

    /// Release what is final as of event time `now`.
    pub fn advance(&mut self, now: DateTime<Utc>, out: &mut impl FnMut(Failure)) {
        while let Some((f, done)) = self.pending.front() {
            if !*done && f.at + SETTLE_WINDOW > now {
                break;
            }
            if let Some((f, _)) = self.pending.pop_front() {
                out(f);
            }
        }
    }

    pub fn flush(&mut self, out: &mut impl FnMut(Failure)) {
        self.pending.drain(..).for_each(|(f, _)| out(f));
    }
}

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
pub fn summarize(input: impl BufRead, filter: &Filter) -> io::Result<(Pipeline, Aggregates)> {
    let mut pipeline = Pipeline::new(0);
    if filter.is_empty() {
        // Every failure counts: the pipeline's own aggregates (joins included) are the answer.
        ingest_capture(input, &mut pipeline, |_| {})?;
        let agg = std::mem::take(&mut pipeline.store.agg);
        return Ok((pipeline, agg));
    }
    let mut settled = Aggregates::default();
    let mut settler = Settler::default();
    let now = Utc::now();
    let mut keep = |f: Failure| {
        if filter.matches(&f, now) {
            settled.add(&f);
        }
    };
    ingest_capture(input, &mut pipeline, |u| settler.update(u, &mut keep))?;
    settler.flush(&mut keep);
    Ok((pipeline, settled))
}

/// The `summary --format json` object.
pub fn summary_json(pipeline: &Pipeline, agg: &Aggregates) -> Value {
    let ingest = &pipeline.store.ingest;
    let by_reason: BTreeMap<&str, u64> = agg
        .by_reason
        .iter()
        .map(|(k, v)| (reason_key(k), v.count))
        .collect();
    let routing: BTreeMap<&str, BTreeMap<&str, u64>> = Relay::ALL
        .iter()
        .map(|r| {
            let counts = Outcome::ALL
                .iter()
                .map(|o| (o.name(), agg.routing[r.index()][o.index()]))
                .collect();
            (r.name(), counts)
        })
        .collect();
    let sessions: BTreeMap<&str, Value> = agg
        .sessions
        .iter()
        .map(|(id, s)| {
            (
                &**id,
                json!({
                    "failures": s.failures, "notified": s.notified, "generic": s.generic,
                    "silent": s.silent, "dropped": s.dropped,
                    "last_at": s.last_at.map(format_time),
                    "last_reason": s.last_reason.as_deref(),
                }),
            )
        })
        .collect();
    json!({
        "frames": ingest.frames,
        "bad_lines": ingest.bad_lines,
        "blank_lines": ingest.blank_lines,
        "rejected_frames": ingest.rejected,
        "by_type": ingest.by_type,
        "failures": agg.failures,
        "by_reason": by_reason,
        "routing": routing,
        "dropped": agg.dropped,
        "dropped_sessions": agg.dropped_sessions(),
        "unknown_reasons": agg.unknown_reasons(),
        "sessions": sessions,
        "masked_secrets": agg.masked_secrets,
    })
}

fn reason_key(code: &str) -> &str {
    if code.is_empty() {
        "(none)"
    } else {
        code
    }
}

/// The `summary --format table` text: what a person reads in a terminal.
pub fn summary_table(pipeline: &Pipeline, agg: &Aggregates, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let ingest = &pipeline.store.ingest;
    let mut out = String::new();
    let pct = |n: u64| {
        if agg.failures == 0 {
            0.0
        } else {
            100.0 * n as f64 / agg.failures as f64
        }
    };
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {}   {}: {}\n\n",
        if zh { "帧" } else { "frames" },
        ingest.frames,
        if zh { "失败" } else { "failures" },
        agg.failures,
        if zh { "坏行" } else { "bad lines" },
        ingest.bad_lines,
        if zh { "被拒帧" } else { "rejected frames" },
        ingest.rejected_total(),
    ));
    let mut rows = vec![[
        (if zh { "次数" } else { "count" }).to_owned(),
        "%".to_owned(),
        (if zh { "原因代码" } else { "reason" }).to_owned(),
        (if zh { "说明" } else { "label" }).to_owned(),
    ]];
    for (code, s) in agg.reasons_by_count() {
        let d = catalog::describe(code, lang);
        let label = if d.known {
            d.texts.label.to_owned()
        } else {
            format!("{} ⚠", d.texts.label)
        };
        rows.push([
            s.count.to_string(),
            format!("{:.1}", pct(s.count)),
            reason_key(code).to_owned(),
            label,
        ]);
    }
    out.push_str(&table(&rows, &[true, true, false, false]));
    out.push('\n');
    let mut rows = vec![["relay".to_owned()]
        .into_iter()
        .chain(Outcome::ALL.iter().map(|o| o.label(lang).to_owned()))
        .collect::<Vec<_>>()];
    for r in Relay::ALL {
        rows.push(
            std::iter::once(r.name().to_owned())
                .chain(
                    Outcome::ALL
                        .iter()
                        .map(|o| agg.routing[r.index()][o.index()].to_string()),
                )
                .collect(),
        );
    }
    let right: Vec<bool> = (0..7).map(|i| i > 0).collect();
    out.push_str(&table(&rows, &right));
    let dropped = agg.dropped_sessions();
    out.push_str(&format!(
        "\n{} ({}): {}\n",
        if zh {
            "丢失通知的会话"
        } else {
            "sessions with lost notifications"
        },
        dropped.len(),
        if dropped.is_empty() {
            "-".to_owned()
        } else {
            dropped.iter().map(|s| &***s).collect::<Vec<_>>().join(", ")
        }
    ));
    let unknown = agg.unknown_reasons();
    out.push_str(&format!(
        "{} ({}): {}\n",
        if zh {
            "未知原因"
        } else {
            "unknown reasons"
        },
        unknown.len(),
        if unknown.is_empty() {
            "-".to_owned()
        } else {
            unknown.iter().map(|s| &***s).collect::<Vec<_>>().join(", ")
        }
    ));
    out
}

/// Align columns by display width (CJK-safe).
fn table<R: AsRef<[String]>>(rows: &[R], right: &[bool]) -> String {
    let cols = rows.first().map_or(0, |r| r.as_ref().len());
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.as_ref()[c].width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .as_ref()
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = " ".repeat(widths[c] - cell.width());
                if right.get(c).copied().unwrap_or(false) {
                    format!("{pad}{cell}")
                } else if c + 1 == cols {
                    cell.clone()
                } else {
                    format!("{cell}{pad}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// One `tail --format jsonl` object.
pub fn failure_json(f: &Failure, lang: Lang) -> Value {
    let d = catalog::describe(f.reason_code(), lang);
    let routes: Vec<Value> = f
        .routes
        .iter()
        .map(|r| {
            json!({
                "relay": r.relay.name(),
                "outcome": r.outcome.name(),
                "text": f.route_text(r.relay),
                "why": r.why,
            })
        })
        .collect();
    json!({
        "at": format_time(f.at),
        "task_id": f.task_id.as_deref(),
        "agent_id": f.agent_id.as_deref(),
        "issue_id": f.issue_id.as_deref(),
        "chat_session_id": if f.session_lost { None } else { f.session.as_deref() },
        "lost_chat_session_id": if f.session_lost { f.session.as_deref() } else { None },
        "reason": f.reason.as_deref(),
        "reason_known": f.reason_known,
        "reason_kind": d.kind,
        "reason_text": d.texts.label,
        "reason_meaning": d.texts.meaning,
        "reason_action": d.texts.action,
        "error": f.error.as_deref(),
        "error_origin": f.error_origin,
        "retry_pending": f.retry_pending,
        "shape": f.shape,
        "masked_secrets": f.masked,
        "routes": routes,
    })
}

/// One `tail --format text` line.
pub fn failure_text(f: &Failure, lang: Lang) -> String {
    let d = catalog::describe(f.reason_code(), lang);
    let marks: String = f
        .routes
        .iter()
        .map(|r| format!("{}:{}", r.relay.name(), r.outcome.name()))
        .collect::<Vec<_>>()
        .join(" ");
    let whom = match (&f.session, f.session_lost, &f.issue_id) {
        (Some(s), true, _) => format!("session {s} (LOST)"),
        (Some(s), false, _) => format!("session {s}"),
        (None, _, Some(i)) => format!("issue {i}"),
        (None, _, None) => "-".to_owned(),
    };
    let error = f
        .error
        .as_deref()
        .map(|e| crate::redact::cap(&e.replace(['\n', '\t'], " "), 200).into_owned())
        .unwrap_or_default();
    format!(
        "{} {} [{}] {} {} | {}",
        format_time(f.at),
        reason_key(f.reason_code()),
        d.texts.label,
        whom,
        marks,
        error
    )
    .trim_end_matches([' ', '|'])
    .to_owned()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TailFormat {
    Jsonl,
    Text,
}

/// `tail` over a capture: every failure that matches, settled, in order.
pub fn tail_capture(
    input: impl BufRead,
    filter: &Filter,
    format: TailFormat,
    lang: Lang,
    out: &mut impl Write,
) -> io::Result<Pipeline> {
    let mut pipeline = Pipeline::new(0);
    let mut settler = Settler::default();
    let now = Utc::now();
    let mut result = Ok(());
    let mut emit = |f: Failure| {
        if result.is_ok() && filter.matches(&f, now) {
            result = write_failure(out, &f, format, lang);
        }
    };
    ingest_capture(input, &mut pipeline, |u| settler.update(u, &mut emit))?;
    settler.flush(&mut emit);
    result?;
    Ok(pipeline)
}

pub fn write_failure(
    out: &mut impl Write,
    f: &Failure,
    format: TailFormat,
    lang: Lang,
) -> io::Result<()> {
    match format {
        TailFormat::Jsonl => writeln!(out, "{}", failure_json(f, lang)),
        TailFormat::Text => writeln!(out, "{}", failure_text(f, lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAMES: &str = include_str!("../tests/data/frames.jsonl");

    #[test]
    fn tail_joins_text_that_arrives_after_the_failure() {
        let mut out = Vec::new();
        tail_capture(
            FRAMES.as_bytes(),
            &Filter::default(),
            TailFormat::Jsonl,
            Lang::En,
            &mut out,
        )
        .unwrap();
        let rows: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0]["routes"][0]["outcome"], "notified_detail");
        // The legacy sweeper failure on a chat-shaped task with no memory of its session.
        assert_eq!(rows[3]["routes"][0]["outcome"], "not_chat");
        assert_eq!(
            rows[4]["error"],
            "claude exited with status 1: /Users/****/work/repo/.env not readable"
        );
    }

    #[test]
    fn settler_releases_in_order_after_the_window() {
        use crate::enrich::Enricher;
        use crate::protocol::decode;
        let mut e = Enricher::default();
        let mut s = Settler::default();
        let mut got = Vec::new();
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let lines = [
            (
                0,
                r#"{"type":"task:failed","payload":{"task_id":"a","retry_pending":false}}"#,
            ),
            (
                1,
                r#"{"type":"task:failed","payload":{"task_id":"b","error":"x"}}"#,
            ),
        ];
        for (dt, l) in lines {
            if let Some(u) = e.ingest(t0 + Duration::seconds(dt), &decode(l).unwrap()) {
                s.update(&u, &mut |f| got.push(f.task_id.unwrap().to_string()));
            }
        }
        assert!(got.is_empty(), "a waits for its text and b waits behind it");
        s.advance(t0 + Duration::seconds(3), &mut |f| {
            got.push(f.task_id.unwrap().to_string())
        });
        assert_eq!(got, ["a", "b"]);
    }
}
