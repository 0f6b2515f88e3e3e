//! `summary --format table`: what a person reads in a terminal, columns aligned by display width.

use unicode_width::UnicodeWidthStr;

use super::reason_key;
use crate::catalog::{self, Lang};
use crate::i18n::strings;
use crate::pipeline::Pipeline;
use crate::routing::Outcome;
use crate::store::Aggregates;

pub fn summary_table(pipeline: &Pipeline, agg: &Aggregates, lang: Lang) -> String {
    let s = strings(lang);
    let ingest = &pipeline.store.ingest;
    let (family, source) = pipeline.enricher.family();
    let pct = |n: u64| 100.0 * n as f64 / agg.failures.max(1) as f64;
    let mut out = format!("{}: {} ({})\n", s.t_server, family.name(), source.name());
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {}   {}: {}\n",
        s.t_frames,
        ingest.frames,
        s.t_failures,
        agg.failures,
        s.t_bad_lines,
        ingest.bad_lines,
        s.t_rejected,
        ingest.rejected_total(),
    ));
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {}   {}: {}\n",
        s.t_duplicates,
        ingest.duplicates,
        s.t_source_dropped,
        ingest.source_dropped,
        s.t_texts_cut,
        ingest.texts_cut,
        s.t_synthetic_times,
        ingest.synthetic_times,
    ));
    out.push_str(&gaps(ingest, lang));
    out.push('\n');
    let mut rows = vec![[s.t_count, "%", s.t_reason_code, s.t_label].map(str::to_owned)];
    for (code, stats) in agg.reasons_by_count() {
        let d = catalog::describe(code, lang);
        let label = if d.known || d.missing {
            d.texts.label.to_owned()
        } else {
            format!("{} ⚠", d.texts.label)
        };
        rows.push([
            stats.count.to_string(),
            format!("{:.1}", pct(stats.count)),
            reason_key(code).to_owned(),
            label,
        ]);
    }
    out.push_str(&table(&rows, &[true, true, false, false]));
    out.push('\n');
    let mut rows = vec![std::iter::once(s.t_relay.to_owned())
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
    out.push('\n');
    out.push_str(&listed(s.t_lost_sessions, &agg.dropped_sessions()));
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {} ({} {})\n",
        s.t_canned,
        agg.canned,
        s.t_withheld,
        agg.withheld,
        s.t_leaking,
        agg.leaking_failures,
        agg.leaked_secrets,
        s.t_secrets,
    ));
    out.push_str(&listed(s.t_unknown_reasons, &agg.unknown_reasons()));
    out
}

/// `gaps (n): from–to why; …`, every gap on its own line (`gaps (0): -` when none).
fn gaps(ingest: &crate::store::IngestStats, lang: Lang) -> String {
    let s = strings(lang);
    let n = ingest.gaps.len() as u64 + ingest.gaps_forgotten;
    let mut out = format!("{} ({n}):", s.t_gaps);
    if n == 0 {
        out.push_str(" -");
    }
    out.push('\n');
    if ingest.gaps_forgotten > 0 {
        out.push_str(&format!("  {} {}\n", ingest.gaps_forgotten, s.t_older_gaps));
    }
    for g in &ingest.gaps {
        let to =
            g.to.map_or_else(|| s.now.to_owned(), crate::capture::format_time);
        out.push_str(&format!(
            "  {}–{to} {}\n",
            crate::capture::format_time(g.from),
            g.why
        ));
    }
    out
}

/// `label (n): a, b` or `label (0): -`.
fn listed(label: &str, items: &[&std::sync::Arc<str>]) -> String {
    let list = if items.is_empty() {
        "-".to_owned()
    } else {
        items.iter().map(|s| &***s).collect::<Vec<_>>().join(", ")
    };
    format!("{label} ({}): {list}\n", items.len())
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
