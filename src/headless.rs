//! Headless outputs for scripts and CI: `summary` (one JSON object or a table) and `tail`
//! (JSON Lines or text, one record per `task:failed`).

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use chrono::Utc;
use serde_json::{json, Value};
use unicode_width::UnicodeWidthStr;

use crate::capture::{format_time, CaptureReader, Line};
use crate::catalog::{self, Lang};
use crate::enrich::{Failure, Update};
use crate::filter::Filter;
use crate::pipeline::Pipeline;
use crate::routing::{Outcome, WITHHELD};
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

/// The `summary --format json` object.
pub fn summary_json(pipeline: &Pipeline, agg: &Aggregates) -> Value {
    let ingest = &pipeline.store.ingest;
    let (family, source) = pipeline.enricher.family();
    let bindings = pipeline.enricher.bindings();
    let by_reason: BTreeMap<&str, u64> = agg
        .by_reason
        .iter()
        .map(|(k, v)| (reason_key(k), v.count))
        .collect();
    let routing: BTreeMap<&str, BTreeMap<&str, u64>> = agg
        .routing_of(family)
        .into_iter()
        .map(|(relay, counts)| {
            let by_outcome = Outcome::ALL
                .iter()
                .map(|o| (o.name(), counts[o.index()]))
                .collect();
            (relay.name(), by_outcome)
        })
        .collect();
    let sessions: BTreeMap<&str, Value> = agg
        .sessions
        .iter()
        .map(|(id, s)| {
            let bound = bindings
                .of(id)
                .map(|set| set.iter().map(|r| r.name()).collect::<Vec<_>>());
            (
                &**id,
                json!({
                    "failures": s.failures,
                    "bound": bound,
                    "detail": s.detail, "canned": s.canned, "reason": s.reason,
                    "generic": s.generic, "untold": s.untold, "dropped": s.dropped,
                    "last_at": s.last_at.map(format_time),
                    "last_reason": s.last_reason.as_deref(),
                }),
            )
        })
        .collect();
    json!({
        "server": family.name(),
        "server_source": source,
        "server_conflicts": pipeline.enricher.family_conflicts(),
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
        "canned": agg.canned,
        "withheld": agg.withheld,
        "leaked_to_chat": {"failures": agg.leaking_failures, "secrets": agg.leaked_secrets},
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
    let (family, source) = pipeline.enricher.family();
    out.push_str(&format!(
        "{}: {} ({})\n",
        if zh { "服务端" } else { "server" },
        family.name(),
        serde_json::to_value(source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    ));
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
    for (relay, counts) in agg.routing_of(family) {
        rows.push(
            std::iter::once(relay.name().to_owned())
                .chain(Outcome::ALL.iter().map(|o| counts[o.index()].to_string()))
                .collect(),
        );
    }
    let right: Vec<bool> = (0..=Outcome::ALL.len()).map(|i| i > 0).collect();
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
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {} ({} {})\n",
        if zh {
            "固定句子"
        } else {
            "canned sentences"
        },
        agg.canned,
        if zh {
            "被服务器隐去的错误"
        } else {
            "errors withheld by the server"
        },
        agg.withheld,
        if zh {
            "泄露到聊天的失败"
        } else {
            "failures leaking secrets to chat"
        },
        agg.leaking_failures,
        agg.leaked_secrets,
        if zh { "个秘密" } else { "secrets" },
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
                "text": f.route_text(r.relay).map(|t| t.render(WITHHELD)),
                "why": r.why,
                "bound": r.bound,
            })
        })
        .collect();
    json!({
        "at": format_time(f.at),
        "server": f.family.name(),
        "era": f.era.name(),
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
        "error": f.error(),
        "error_origin": f.error_origin(),
        "error_canned": f.canned(),
        "retry_pending": f.retry_pending,
        "retry_of": f.retry_of.as_deref(),
        "attempt": f.attempt,
        "masked_secrets": f.masked(),
        "leaked_to_chat": f.leaked_to_chat,
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
    let error = match (f.error(), f.error_origin()) {
        (Some(e), _) => crate::redact::cap(&e.replace(['\n', '\t'], " "), 200).into_owned(),
        (None, Some(crate::enrich::ErrorOrigin::Withheld)) => WITHHELD.to_owned(),
        _ => String::new(),
    };
    let leak = if f.leaked_to_chat > 0 {
        format!(" LEAKED:{}", f.leaked_to_chat)
    } else {
        String::new()
    };
    format!(
        "{} {} {} [{}] {} {}{leak} | {}",
        format_time(f.at),
        f.family.name(),
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
            |u| rows.push(failure_text(&u.failure, Lang::En)),
        );
        assert!(rows[0].contains("LEAKED:1"), "{}", rows[0]);
        assert!(rows[0].contains("octo:notified_detail"), "{}", rows[0]);
        assert!(!rows[0].contains("bob"), "{}", rows[0]);
    }
}
