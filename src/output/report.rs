//! The incident report of a filtered view, in Markdown to paste into an incident channel: the
//! time covered, counts by reason, per chat session who was never told and what they last saw
//! word for word, where the server's behaviour or the losses changed, and what the reading
//! missed. The dashboard (one key) and `summary --format markdown` build it the same way: the
//! failures the filter shows, oldest first, fed to one [`Report`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Locale;
use crate::catalog::{self, code_or_none};
use crate::enrich::{serving, Failure, Heard};
use crate::i18n::strings;
use crate::ingest::IngestStats;
use crate::routing::{self, Era};

/// Sessions listed one by one; past this many the rest are counted.
pub const MAX_SESSIONS: usize = 200;
/// Sessions followed while reading (the report lists the most urgent [`MAX_SESSIONS`]).
const SESSIONS_FOLLOWED: usize = 100_000;
/// A user's last text is quoted up to this many characters.
const QUOTE_CHARS: usize = 300;
/// Change markers kept (the first ones: an incident starts there).
const MAX_MARKERS: usize = 50;

/// What one session went through in the failures shown.
#[derive(Debug, Clone, Default)]
struct SessionLine {
    failures: u64,
    untold: u64,
    first_untold: Option<DateTime<Utc>>,
    last_untold: Option<DateTime<Utc>>,
    last_at: Option<DateTime<Utc>>,
    /// Relays the session is bound to (letters), or `?` where the bindings do not say.
    bound: String,
    /// What the user last saw, word for word, and through which relay; `None`: nothing.
    last_seen: Option<(routing::Relay, String)>,
    last_heard: Option<Heard>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    Era {
        at: DateTime<Utc>,
        from: Era,
        to: Era,
    },
    /// Failures stopped reaching users here, or started again.
    UntoldStarted(DateTime<Utc>),
    UntoldStopped {
        last: DateTime<Utc>,
        told_after: u64,
    },
}

/// The report being gathered: feed it the failures shown, oldest first.
#[derive(Debug, Default)]
pub struct Report {
    failures: u64,
    first_at: Option<DateTime<Utc>>,
    last_at: Option<DateTime<Utc>>,
    /// reason code → (failures, never told).
    by_reason: BTreeMap<String, (u64, u64)>,
    heard: BTreeMap<Heard, u64>,
    sessions: HashMap<Arc<str>, SessionLine>,
    sessions_beyond: u64,
    /// workspace → (failures, never told), for the workspaces the frames named.
    workspaces: BTreeMap<Arc<str>, (u64, u64)>,
    /// Failures of workspaces past [`crate::store::MAX_WORKSPACES`].
    workspaces_beyond: u64,
    markers: Vec<Marker>,
    markers_beyond: u64,
    era: Option<Era>,
    /// Inside a run of failures nobody was told of: since when.
    untold_run: Option<DateTime<Utc>>,
    last_untold: Option<DateTime<Utc>>,
    told_since_untold: u64,
}

impl Report {
    pub fn new() -> Report {
        Report::default()
    }

    /// A failure of the whole reading, shown or not, in order: where the server's behaviour
    /// changed is a fact of the stream, not of the filter.
    pub fn see(&mut self, at: DateTime<Utc>, era: Era) {
        if let Some(from) = self.era.filter(|e| *e != era) {
            self.push_marker(Marker::Era { at, from, to: era });
        }
        self.era = Some(era);
    }

    /// A failure the filter shows, in order (after [`Report::see`] of it).
    pub fn add(&mut self, f: &Failure) {
        self.failures += 1;
        self.first_at = Some(self.first_at.map_or(f.at, |t| t.min(f.at)));
        self.last_at = Some(self.last_at.map_or(f.at, |t| t.max(f.at)));
        let heard = f.heard();
        let untold = heard.is_untold();
        let reason = self
            .by_reason
            .entry(f.reason_code().to_owned())
            .or_default();
        reason.0 += 1;
        reason.1 += u64::from(untold);
        *self.heard.entry(heard).or_default() += 1;
        if let Some(w) = &f.workspace {
            let room = self.workspaces.len() < crate::store::MAX_WORKSPACES;
            match self.workspaces.get_mut(w) {
                Some(c) => *c = (c.0 + 1, c.1 + u64::from(untold)),
                None if room => {
                    self.workspaces.insert(w.clone(), (1, u64::from(untold)));
                }
                None => self.workspaces_beyond += 1,
            }
        }
        self.mark(f, heard);
        if let Some(session) = &f.session {
            self.session(session, f, heard);
        }
    }

    fn push_marker(&mut self, m: Marker) {
        if self.markers.len() < MAX_MARKERS {
            self.markers.push(m);
        } else {
            self.markers_beyond += 1;
        }
    }

    fn mark(&mut self, f: &Failure, heard: Heard) {
        match heard {
            Heard::No => {
                if self.untold_run.is_none() {
                    if let Some(last) = self.last_untold.filter(|_| self.told_since_untold > 0) {
                        self.push_marker(Marker::UntoldStopped {
                            last,
                            told_after: self.told_since_untold,
                        });
                    }
                    self.push_marker(Marker::UntoldStarted(f.at));
                    self.untold_run = Some(f.at);
                }
                self.last_untold = Some(f.at);
                self.told_since_untold = 0;
            }
            Heard::Yes | Heard::Generic => {
                self.untold_run = None;
                if self.last_untold.is_some() {
                    self.told_since_untold += 1;
                }
            }
            Heard::Pending | Heard::NotChat => {}
        }
    }

    fn session(&mut self, id: &Arc<str>, f: &Failure, heard: Heard) {
        if !self.sessions.contains_key(id) && self.sessions.len() >= SESSIONS_FOLLOWED {
            self.sessions_beyond += 1;
            return;
        }
        let line = self.sessions.entry(id.clone()).or_default();
        line.failures += 1;
        line.last_at = Some(f.at);
        line.last_heard = Some(heard);
        line.bound = bound_letters(f);
        if heard.is_untold() {
            line.untold += 1;
            line.first_untold.get_or_insert(f.at);
            line.last_untold = Some(f.at);
        }
        if let Some(seen) = last_seen(f) {
            line.last_seen = Some(seen);
        }
    }

    /// The report as Markdown. `filter`: the filter's text; `shown_of`: how many failures the
    /// whole reading held; `stats`: what the reading skipped and missed.
    pub fn markdown(
        &self,
        filter: &str,
        shown_of: u64,
        stats: &IngestStats,
        locale: Locale,
    ) -> String {
        let s = strings(locale.lang);
        let tz = locale.tz;
        let mut out = format!("## failwatch · {}\n\n", s.report_title);
        let span = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| match (a, b) {
            (Some(a), Some(b)) => format!(
                "{} – {} {}",
                tz.date_time(a),
                tz.time_of_day(b),
                tz.abbrev(b)
            ),
            _ => "-".to_owned(),
        };
        out.push_str(&format!(
            "- {}: {}\n",
            s.r_capture,
            span(stats.first_at, stats.last_at)
        ));
        let filter = if filter.is_empty() {
            "-".to_owned()
        } else {
            format!("`{}`", filter.replace('`', "'"))
        };
        out.push_str(&format!(
            "- {}: {filter} · {} {} {shown_of} {}\n",
            s.filter, self.failures, s.of, s.t_failures
        ));
        out.push_str(&format!(
            "- {}: {}\n",
            s.r_shown_span,
            span(self.first_at, self.last_at)
        ));
        let untold = self.heard.get(&Heard::No).copied().unwrap_or(0);
        let untold_sessions = self.sessions.values().filter(|l| l.untold > 0).count();
        let (first, last) = self.sessions.values().fold(
            (None, None),
            |(a, b): (Option<DateTime<Utc>>, Option<DateTime<Utc>>), l| {
                (
                    match (a, l.first_untold) {
                        (Some(a), Some(f)) => Some(a.min(f)),
                        (a, f) => a.or(f),
                    },
                    b.max(l.last_untold),
                )
            },
        );
        out.push_str(&format!(
            "- **{}: {untold}** ({} {untold_sessions}{})\n",
            s.r_never_told,
            s.r_in_sessions,
            match (first, last) {
                (Some(a), Some(b)) => format!(", {}", span(Some(a), Some(b))),
                _ => String::new(),
            }
        ));
        let count = |h: Heard| self.heard.get(&h).copied().unwrap_or(0);
        out.push_str(&format!(
            "- {}: {} · {}: {} · {}: {} · {}: {}\n",
            s.r_told_yes,
            count(Heard::Yes),
            s.r_told_generic,
            count(Heard::Generic),
            s.r_told_pending,
            count(Heard::Pending),
            s.r_not_chat,
            count(Heard::NotChat)
        ));

        out.push_str(&format!("\n### {}\n\n", s.reasons));
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n|---|---|---:|---:|\n",
            s.t_reason_code, s.t_label, s.t_failures, s.r_never_told
        ));
        let mut reasons: Vec<_> = self.by_reason.iter().collect();
        reasons.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        for (code, (n, lost)) in reasons {
            let label = catalog::describe(code, locale.lang).texts.label;
            out.push_str(&format!(
                "| `{}` | {} | {n} | {lost} |\n",
                code_or_none(code),
                cell(label)
            ));
        }

        if !self.workspaces.is_empty() {
            out.push_str(&format!("\n### {}\n\n", s.r_workspaces));
            out.push_str(&format!(
                "| {} | {} | {} |\n|---|---:|---:|\n",
                s.t_workspace, s.t_failures, s.r_never_told
            ));
            let mut workspaces: Vec<_> = self.workspaces.iter().collect();
            workspaces.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
            for (w, (n, untold)) in workspaces {
                out.push_str(&format!("| `{}` | {n} | {untold} |\n", cell(w)));
            }
            if self.workspaces_beyond > 0 {
                out.push_str(&format!(
                    "\n(+{} {})\n",
                    self.workspaces_beyond,
                    s.t_workspaces_beyond
                        .replace("{}", &crate::store::MAX_WORKSPACES.to_string())
                ));
            }
        }

        out.push_str(&format!("\n### {}\n\n", s.sessions));
        let mut sessions: Vec<_> = self.sessions.iter().collect();
        // The never told first, most recent first; then by failures.
        sessions.sort_by(|a, b| {
            b.1.untold
                .min(1)
                .cmp(&a.1.untold.min(1))
                .then(b.1.last_untold.cmp(&a.1.last_untold))
                .then(b.1.failures.cmp(&a.1.failures))
                .then(a.0.cmp(b.0))
        });
        if sessions.is_empty() {
            out.push_str("-\n");
        } else {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---|---|---|\n",
                s.session,
                s.bound,
                s.t_failures,
                s.r_untold_first_last,
                s.r_last_heard,
                s.r_last_seen
            ));
        }
        for (id, l) in sessions.iter().take(MAX_SESSIONS) {
            let untold = match (l.first_untold, l.last_untold) {
                (Some(a), Some(b)) if a == b => format!("{} × {}", l.untold, tz.time_of_day(a)),
                (Some(a), Some(b)) => {
                    format!("{} × {}–{}", l.untold, tz.time_of_day(a), tz.time_of_day(b))
                }
                _ => "-".to_owned(),
            };
            let seen = match &l.last_seen {
                Some((relay, text)) => format!("{}: “{}”", relay.name(), cell(&quote(text))),
                None => s.r_nothing.to_owned(),
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {untold} | {} | {seen} |\n",
                cell(id),
                if l.bound.is_empty() { "-" } else { &l.bound },
                l.failures,
                l.last_heard.map_or("-", Heard::name),
            ));
        }
        let more = sessions.len().saturating_sub(MAX_SESSIONS) as u64 + self.sessions_beyond;
        if more > 0 {
            out.push_str(&format!("\n+{more} {}\n", s.r_more_sessions));
        }

        out.push_str(&format!("\n### {}\n\n", s.r_changes));
        if self.markers.is_empty() {
            out.push_str("-\n");
        }
        for m in &self.markers {
            let line = match m {
                Marker::Era { at, from, to } => format!(
                    "{}: {} → {}",
                    tz.time_of_day(*at),
                    from.label(locale.lang),
                    to.label(locale.lang)
                ),
                Marker::UntoldStarted(at) => {
                    format!("{}: {}", tz.time_of_day(*at), s.r_untold_started)
                }
                Marker::UntoldStopped { last, told_after } => format!(
                    "{}: {} ({told_after} {})",
                    tz.time_of_day(*last),
                    s.r_untold_stopped,
                    s.r_told_after
                ),
            };
            out.push_str(&format!("- {line}\n"));
        }
        if let (Some(last), false) = (self.last_untold, self.untold_run.is_some()) {
            if self.told_since_untold > 0 {
                out.push_str(&format!(
                    "- {}: {} ({} {})\n",
                    tz.time_of_day(last),
                    s.r_untold_stopped,
                    self.told_since_untold,
                    s.r_told_after
                ));
            }
        }
        if self.markers_beyond > 0 {
            out.push_str(&format!(
                "- +{} {}\n",
                self.markers_beyond, s.r_more_changes
            ));
        }

        out.push_str(&format!("\n### {}\n\n", s.r_reading));
        let gaps = stats.gaps.len() as u64 + stats.gaps_forgotten;
        out.push_str(&format!("- {}: {gaps}\n", s.t_gaps));
        for g in &stats.gaps {
            let to = g.to.map_or_else(|| s.now.to_owned(), |t| tz.date_time(t));
            out.push_str(&format!(
                "  - {} – {to} {}\n",
                tz.date_time(g.from),
                cell(&g.why)
            ));
        }
        out.push_str(&format!(
            "- {}: {} · {}: {} · {}: {} · {}: {}\n",
            s.t_synthetic_times,
            stats.synthetic_times,
            s.t_bad_lines,
            stats.bad_lines,
            s.t_rejected,
            stats.rejected_total(),
            s.t_source_dropped,
            stats.source_dropped
        ));
        out
    }
}

/// The relays a session is bound to, as letters (`OL`), `?` where unknown, empty for none.
fn bound_letters(f: &Failure) -> String {
    let routes = f.routes.as_slice();
    if routes.iter().any(|r| r.bound == Some(true)) {
        routes
            .iter()
            .filter(|r| r.bound == Some(true))
            .map(|r| r.relay.letter())
            .collect()
    } else if routes
        .iter()
        .any(|r| r.bound.is_none() && r.outcome != routing::Outcome::NotChat)
    {
        "?".to_owned()
    } else {
        String::new()
    }
}

/// What the user saw of a failure, word for word: the text of the relay serving the session
/// that said the most.
fn last_seen(f: &Failure) -> Option<(routing::Relay, String)> {
    let best = serving(f.routes.as_slice())
        .filter(|r| r.outcome.is_notified())
        .min_by_key(|r| r.outcome)?;
    let text = f.route_text(best.relay)?.render(routing::WITHHELD);
    Some((best.relay, text))
}

/// A text as one table cell: one line, no `|`.
fn cell(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// `y l`: the sessions never told among the failures shown, one per line: id, bindings, how
/// many failures, first and last untold time, their reasons.
pub fn lost_sessions<'a>(
    failures: impl Iterator<Item = &'a Failure>,
    tz: crate::tz::Zone,
) -> Option<String> {
    let mut lines: Vec<(Arc<str>, SessionLine, Vec<String>)> = Vec::new();
    let mut at: HashMap<Arc<str>, usize> = HashMap::new();
    for f in failures.filter(|f| f.heard().is_untold()) {
        let Some(id) = &f.session else { continue };
        let i = *at.entry(id.clone()).or_insert_with(|| {
            lines.push((id.clone(), SessionLine::default(), Vec::new()));
            lines.len() - 1
        });
        let (_, line, reasons) = &mut lines[i];
        line.untold += 1;
        line.first_untold.get_or_insert(f.at);
        line.last_untold = Some(f.at);
        line.bound = bound_letters(f);
        let code = code_or_none(f.reason_code()).to_owned();
        if !reasons.contains(&code) {
            reasons.push(code);
        }
    }
    (!lines.is_empty()).then(|| {
        lines
            .iter()
            .map(|(id, l, reasons)| {
                format!(
                    "{id}\t{}\t{}\t{}–{}\t{}",
                    if l.bound.is_empty() { "-" } else { &l.bound },
                    l.untold,
                    l.first_untold
                        .map(|t| tz.time_of_day(t))
                        .unwrap_or_default(),
                    l.last_untold.map(|t| tz.time_of_day(t)).unwrap_or_default(),
                    reasons.join(",")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}
