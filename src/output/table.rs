//! `summary --format table`: what a person reads in a terminal, columns aligned by display width.

use unicode_width::UnicodeWidthStr;

use super::Locale;
use crate::catalog;
use crate::i18n::strings;
use crate::ingest::Pipeline;
use crate::routing::Outcome;
use crate::store::Aggregates;

pub fn summary_table(pipeline: &Pipeline, agg: &Aggregates, locale: Locale) -> String {
    let lang = locale.lang;
    let s = strings(lang);
    let ingest = &pipeline.stats();
    let (family, source) = pipeline.enricher().family();
    let pct = |n: u64| 100.0 * n as f64 / agg.failures.max(1) as f64;
    let mut out = format!(
        "{}: {} ({})\n",
        s.t_server,
        family.name(),
        source.label(lang)
    );
    if let (Some(from), Some(to)) = (ingest.first_at, ingest.last_at) {
        out.push_str(&format!(
            "{}: {} – {} ({})\n",
            s.t_covered,
            locale.tz.date_time(from),
            locale.tz.date_time(to),
            duration(to - from)
        ));
    }
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {} ({} {}, {} {})\n",
        s.t_frames,
        ingest.frames,
        s.t_failures,
        agg.failures,
        s.skipped,
        ingest.bad_lines + ingest.rejected_total(),
        ingest.bad_lines,
        s.t_bad_lines,
        ingest.rejected_total(),
        s.t_rejected,
    ));
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {}   {}: {}\n",
        s.t_duplicates,
        ingest.duplicates_total(),
        s.t_source_dropped,
        ingest.source_dropped,
        s.t_texts_cut,
        ingest.texts_cut,
        s.t_synthetic_times,
        ingest.synthetic_times,
    ));
    out.push_str(&gaps(ingest, locale));
    out.push('\n');
    let mut rows = vec![[s.t_count, "%", s.t_reason_code, s.t_label].map(str::to_owned)];
    for (code, stats) in agg.by_reason.by_count() {
        let d = catalog::describe(code, lang);
        let label = if d.known || d.missing {
            d.texts.label.to_owned()
        } else {
            format!("{} ⚠", d.texts.label)
        };
        rows.push([
            stats.count.to_string(),
            format!("{:.1}", pct(stats.count)),
            catalog::code_or_none(code).to_owned(),
            label,
        ]);
    }
    out.push_str(&table(&rows, &[true, true, false, false]));
    if agg.by_reason.beyond() > 0 {
        out.push_str(&format!(
            "(+{} {})\n",
            agg.by_reason.beyond(),
            s.t_reasons_beyond
                .replace("{}", &agg.by_reason.limit().to_string())
        ));
    }
    out.push('\n');
    out.push_str(&workspaces(agg, locale));
    out.push_str(&top_groups(pipeline, agg, locale));
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
    if family.relays().contains(&crate::routing::Relay::WeCom) {
        let pushes: Vec<String> = crate::routing::Audience::ALL
            .iter()
            .map(|a| format!("{} {}", agg.inbox[a.index()], a.label(lang)))
            .collect();
        out.push_str(&format!("{}: {}\n", s.t_inbox, pushes.join(" · ")));
    }
    out.push('\n');
    out.push_str(&listed(s.t_lost_sessions, &agg.sessions.dropped()));
    let beyond = agg.sessions.beyond();
    if beyond.failures > 0 {
        out.push_str(&format!(
            "(+{} {}, {} {})\n",
            beyond.failures,
            s.t_sessions_beyond
                .replace("{}", &agg.sessions.limit().to_string()),
            beyond.dropped,
            s.t_of_them_lost
        ));
    }
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
    out.push_str(&listed(s.t_unknown_reasons, &agg.by_reason.unknown()));
    out.push('\n');
    out.push_str(&per_minute(agg, locale));
    out
}

/// Failures by workspace, most first (nothing when the input did not say which).
fn workspaces(agg: &Aggregates, locale: Locale) -> String {
    let s = strings(locale.lang);
    if agg.workspaces.is_empty() {
        return String::new();
    }
    let mut rows = vec![[
        s.t_workspace,
        s.t_failures,
        s.t_lost,
        s.t_told,
        s.t_untold,
        s.t_top_reason,
    ]
    .map(str::to_owned)];
    for (id, w) in agg.workspaces.list() {
        let top = match w.top_reason() {
            Some((reason, n)) => format!("{} ({n})", reason.unwrap_or("none")),
            None => "-".to_owned(),
        };
        rows.push([
            id.to_string(),
            w.failures.to_string(),
            w.lost.to_string(),
            w.told.to_string(),
            w.untold.to_string(),
            top,
        ]);
    }
    let mut out = table(&rows, &[false, true, true, true, true, false]);
    if agg.workspaces.beyond.failures > 0 {
        out.push_str(&format!(
            "(+{} {})\n",
            agg.workspaces.beyond.failures,
            s.t_workspaces_beyond
                .replace("{}", &crate::store::MAX_WORKSPACES.to_string())
        ));
    }
    out.push('\n');
    out
}

/// The groups with the most failures: count, sessions, badges, id, reason and template.
fn top_groups(pipeline: &Pipeline, agg: &Aggregates, locale: Locale) -> String {
    const SHOWN: usize = 10;
    let s = strings(locale.lang);
    let groups = agg.groups.by_count();
    if groups.is_empty() {
        return String::new();
    }
    let now = pipeline.store().now();
    let mut rows =
        vec![[s.t_count, s.group_sessions, s.t_group, s.t_group_kind].map(str::to_owned)];
    for (id, g) in groups.iter().take(SHOWN) {
        let badges: Vec<&str> = g.badges(now).iter().map(|b| b.label(locale.lang)).collect();
        let template = if g.template.is_empty() {
            s.group_no_text
        } else {
            &g.template
        };
        let mut kind = format!("{}: {template}", catalog::code_or_none(&g.reason));
        if !badges.is_empty() {
            kind = format!("[{}] {kind}", badges.join(", "));
        }
        rows.push([
            g.count.to_string(),
            g.sessions().to_string(),
            id.to_string(),
            kind,
        ]);
    }
    let mut out = table(&rows, &[true, true, false, false]);
    if groups.len() > SHOWN {
        out.push_str(&format!("… {} {}\n", groups.len() - SHOWN, s.t_more_groups));
    }
    out.push('\n');
    out
}

/// `1h 03m`, `3m 12s`, `45s`.
fn duration(d: chrono::TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s:02}s"),
        (h, m, _) => format!("{h}h {m:02}m"),
    }
}

/// Failures per minute, every minute that had any, with a bar scaled to the busiest.
fn per_minute(agg: &Aggregates, locale: Locale) -> String {
    let s = strings(locale.lang);
    let mut out = format!("{}:\n", s.t_per_minute);
    let max = agg.by_minute.values().copied().max().unwrap_or(0).max(1);
    let mut rows = vec![[
        s.t_minute.to_owned(),
        s.t_failures.to_owned(),
        String::new(),
    ]];
    for (&minute, &n) in &agg.by_minute {
        let Some(t) = chrono::DateTime::from_timestamp(minute * 60, 0) else {
            continue;
        };
        let bar = "#".repeat(((n * 40).div_ceil(max)) as usize);
        rows.push([locale.tz.minute(t), n.to_string(), bar]);
    }
    if rows.len() == 1 {
        out.push_str("  -\n");
        return out;
    }
    for line in table(&rows, &[false, true, false]).lines() {
        out.push_str(&format!("  {}\n", line.trim_end()));
    }
    if agg.minutes_beyond > 0 {
        out.push_str(&format!(
            "  (+{} {})\n",
            agg.minutes_beyond, s.t_minutes_beyond
        ));
    }
    out
}

/// `gaps (n): from–to why; …`, every gap on its own line (`gaps (0): -` when none).
fn gaps(ingest: &crate::ingest::IngestStats, locale: Locale) -> String {
    let s = strings(locale.lang);
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
            g.to.map_or_else(|| s.now.to_owned(), |t| locale.tz.date_time(t));
        out.push_str(&format!(
            "  {} – {to} {}\n",
            locale.tz.date_time(g.from),
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
pub(super) fn table<R: AsRef<[String]>>(rows: &[R], right: &[bool]) -> String {
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
