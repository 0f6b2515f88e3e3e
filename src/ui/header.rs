//! The two header lines: source and playback state, then rates and the counters on-call scans first.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use chrono::{DateTime, Utc};

use super::app::App;
use super::theme::Theme;
use crate::feed::Feed;
use crate::i18n::strings;
use crate::output::Locale;
use crate::routing::FamilySource;
use crate::source::status::{ConnState, Phase};

/// The connection's state in one line: the phase, the age of the last frame, the gaps.
pub fn describe(state: &ConnState, now: DateTime<Utc>, locale: Locale) -> String {
    let s = strings(locale.lang);
    let age = state
        .last_frame_at
        .map(|t| {
            format!(
                " ({} {}{})",
                s.last_frame,
                (now - t).num_seconds().max(0),
                s.seconds_ago
            )
        })
        .unwrap_or_default();
    let gaps = match state.gaps.last() {
        Some(g) => format!(
            " · {} {} {}: {}",
            state.gaps.len(),
            s.gaps,
            crate::output::gap_span(g, locale),
            s.events_may_be_missing
        ),
        None => String::new(),
    };
    let phase = match &state.phase {
        Phase::Connecting { attempt } if *attempt > 1 => {
            format!("{} ({} {attempt})", s.connecting, s.attempt)
        }
        Phase::Connecting { .. } => s.connecting.to_owned(),
        Phase::Backfilling => format!(
            "{} ({} {})",
            s.backfilling, state.received, s.entries_so_far
        ),
        Phase::Live { .. } => format!("{}{age}", s.live),
        Phase::Reconnecting { attempt, at, error } => format!(
            "{} ({error}); {} {:.1}s ({} {attempt})",
            s.disconnected,
            s.reconnecting_in,
            (*at - now).num_milliseconds().max(0) as f64 / 1000.0,
            s.attempt
        ),
        Phase::Failed(msg) => format!("{}: {msg}", s.failed),
        Phase::Stopped => s.stopped.to_owned(),
    };
    format!("{phase}{}{gaps}", parts(state, now, locale))
}

/// A source of several connections: how many are live, and each other one's own state.
fn parts(state: &ConnState, now: DateTime<Utc>, locale: Locale) -> String {
    if state.parts.is_empty() {
        return String::new();
    }
    let s = strings(locale.lang);
    let live = state
        .parts
        .iter()
        .filter(|(_, p)| matches!(p.phase, Phase::Live { .. }))
        .count();
    let mut out = format!(" [{live}/{} {}]", state.parts.len(), s.live);
    for (name, p) in state
        .parts
        .iter()
        .filter(|(_, p)| !matches!(p.phase, Phase::Live { .. }))
    {
        out.push_str(&format!(" · {name}: {}", describe(p, now, locale)));
    }
    out
}

/// An API with nothing to say where it cannot help: the fork's frames carry their text, so an
/// idle `API 0 texts recovered, 0 waiting` there is only noise.
fn idle_api(family: crate::routing::Family, api: &crate::api::ApiStatus) -> bool {
    family == crate::routing::Family::Octo
        && matches!(api.state, crate::api::ApiState::Ok)
        && api.recovered == 0
        && api.waiting == 0
        && api.answers_cut == 0
        && api.notes.is_empty()
}

/// The view not following: `SCROLLED`, then what arrived since (`+3 new`), and how much of it
/// the filter shows when one is set (`+3 new (1 match the filter)`).
fn held_view(
    word: &str,
    new: u64,
    matching: u64,
    filtered: bool,
    s: &crate::i18n::Strings,
) -> String {
    match (new, filtered) {
        (0, _) => word.to_owned(),
        (n, false) => format!("{word} +{n} {}", s.new_rows),
        (n, true) => format!("{word} +{n} {} ({matching} {})", s.new_rows, s.matching),
    }
}

/// `, N answers cut at 8 MiB` when the API cut any answer at its byte cap.
fn answers_cut(api: &crate::api::ApiStatus, s: &crate::i18n::Strings) -> String {
    match api.answers_cut {
        0 => String::new(),
        n => format!(
            ", {n} {} {} MiB",
            s.api_answers_cut,
            crate::api::ANSWER_BYTES >> 20
        ),
    }
}

/// The first line leads with what matters most when the terminal is narrow: the state of the
/// source (or of playback), then where it comes from, then the server family.
pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let store = feed.pipeline.store();
    let (family, source) = feed.pipeline.enricher().family();
    let mut first = vec![Span::styled("failwatch ", theme.title())];
    match feed.replay_state() {
        Some(r) => {
            let pct = if r.is_empty() {
                100
            } else {
                r.position() * 100 / r.len()
            };
            let speed = if r.speed().is_infinite() {
                "max".to_owned()
            } else {
                format!("{}x", r.speed())
            };
            let state = if r.at_end() {
                s.replay_done.to_owned()
            } else if r.paused {
                s.paused.to_owned()
            } else {
                format!("{} {speed}", s.playing)
            };
            let time = r
                .current_time()
                .map(|t| app.tz.date_time(t))
                .unwrap_or_else(|| "-".into());
            first.push(Span::styled(
                format!("· {} {state} ", s.replay),
                theme.warn(),
            ));
            first.push(Span::raw(format!("· {time} ({pct}%) ")));
            let bar_width = usize::from(area.width)
                .saturating_sub(first.iter().map(|s| s.width()).sum::<usize>() + 2)
                .min(20);
            if bar_width >= 5 {
                let filled = bar_width * pct / 100;
                first.push(Span::styled("█".repeat(filled), theme.good()));
                first.push(Span::styled("░".repeat(bar_width - filled), theme.dim()));
                first.push(Span::raw(" "));
            }
        }
        None => {
            if let Some(state) = &feed.status {
                let style = match state.phase {
                    Phase::Live { .. }
                        if state.gaps.is_empty()
                            && state
                                .parts
                                .iter()
                                .all(|(_, p)| matches!(p.phase, Phase::Live { .. })) =>
                    {
                        theme.good()
                    }
                    Phase::Live { .. } => theme.warn(),
                    _ => theme.alert(),
                };
                first.push(Span::styled(
                    format!(
                        "· {} ",
                        describe(state, Utc::now(), Locale::new(app.lang, app.tz))
                    ),
                    style,
                ));
            }
        }
    }
    first.push(Span::raw(format!("· {} ", feed.label)));
    first.push(match source {
        // Failures that told nothing were routed: they may be the fork's before its PR #33.
        FamilySource::Assumed if feed.pipeline.stats().assumed_family > 0 => Span::styled(
            format!(
                "· {}? ({}; {}) ",
                family.name(),
                s.server_assumed,
                s.server_try_octo
            ),
            theme.warn(),
        ),
        FamilySource::Assumed => Span::styled(
            format!("· {}? ({}) ", family.name(), s.server_assumed),
            theme.warn(),
        ),
        _ => Span::raw(format!("· {} ", family.name())),
    });
    let conflicts = feed.pipeline.enricher().family_conflicts();
    if conflicts > 0 {
        first.push(Span::styled(
            format!("· {conflicts} {} ", s.server_conflicts),
            theme.warn(),
        ));
    }
    let now = store.now();
    let per_min = store.agg.per_minute.last(5, now).iter().sum::<u64>() as f64 / 5.0;
    let follow = if app.follow {
        Span::styled(format!("{} ", s.following), theme.good())
    } else {
        // In a replay, space pauses playback: the view not following is "scrolled", not paused.
        let word = if feed.replay_state().is_some() {
            s.scrolled
        } else {
            s.paused
        };
        let filtered = !store.filter().is_empty();
        Span::styled(
            format!(
                "{} ",
                held_view(word, app.new_while_paused, app.new_matching, filtered, s)
            ),
            theme.warn(),
        )
    };
    let lost = store.agg.dropped;
    let stats = feed.pipeline.stats();
    let skipped = stats.rejected_total() + stats.bad_lines;
    let mut second = vec![
        follow,
        Span::raw(format!(
            "· {:.1} {} · {per_min:.1} {} · {}: {} ",
            feed.events_per_s, s.events_per_s, s.failures_per_min, s.failures, store.agg.failures
        )),
        Span::styled(
            format!(
                "· {} {} ",
                lost,
                if lost == 1 { s.lost_one } else { s.lost }
            ),
            if lost > 0 { theme.alert() } else { theme.dim() },
        ),
    ];
    let leaks = store.agg.leaking_failures;
    if leaks > 0 {
        second.push(Span::styled(
            format!("· {leaks} {} ", s.leaked),
            theme.alert(),
        ));
    }
    second.push(Span::styled(
        format!("· {skipped} {} ", s.skipped),
        if skipped > 0 {
            theme.warn()
        } else {
            theme.dim()
        },
    ));
    if store.evicted() > 0 {
        second.push(Span::styled(
            format!("· {} {} ", store.evicted(), s.evicted),
            theme.dim(),
        ));
    }
    // One source's count, copied by the pipeline as it takes frames in and kept in the status.
    let dropped = feed
        .status
        .as_ref()
        .map_or(0, |c| c.dropped)
        .max(stats.source_dropped);
    if dropped > 0 {
        second.push(Span::styled(
            format!("· {dropped} {} ", s.frames_dropped),
            theme.alert(),
        ));
    }
    if let Some(api) = feed.api_status.as_ref().filter(|a| !idle_api(family, a)) {
        let (text, style) = match &api.state {
            crate::api::ApiState::Ok => (
                format!(
                    "· API {} {}, {} {}{} ",
                    api.recovered,
                    s.api_recovered,
                    api.waiting,
                    s.api_waiting,
                    answers_cut(api, s)
                ),
                if api.notes.is_empty() {
                    theme.dim()
                } else {
                    theme.warn()
                },
            ),
            crate::api::ApiState::Paused { until, capped } => (
                format!(
                    "· API {} {} (Retry-After{}){} ",
                    s.api_paused_until,
                    app.tz.time_of_day(*until),
                    if *capped {
                        format!(
                            ", {} {} min",
                            s.api_capped_at,
                            crate::api::MAX_RETRY_AFTER.as_secs() / 60
                        )
                    } else {
                        String::new()
                    },
                    answers_cut(api, s)
                ),
                theme.alert(),
            ),
            crate::api::ApiState::CircuitOpen { until, why } => (
                format!(
                    "· API {} {} ({why}) ",
                    s.api_paused_until,
                    app.tz.time_of_day(*until)
                ),
                theme.alert(),
            ),
            crate::api::ApiState::Refused(why) => {
                (format!("· API {}: {why} ", s.api_off), theme.alert())
            }
        };
        second.push(Span::styled(text, style));
    }
    if stats.synthetic_times > 0 {
        second.push(Span::styled(
            format!("· {} ", s.synthetic_times),
            theme.warn(),
        ));
    }
    let mut lines = vec![Line::from(first), Line::from(second)];
    if app.banner {
        if let Some((alert, total)) = feed.latest_alert() {
            let unseen = total.saturating_sub(app.alerts_seen);
            lines.push(Line::from(Span::styled(
                format!(
                    " ALERT · {unseen} {} · a {} · ! {} · {}: {} ",
                    s.alerts_unseen,
                    s.acknowledge,
                    s.alert_list_all,
                    alert.rule,
                    alert.what(app.lang)
                ),
                theme
                    .alert()
                    .add_modifier(ratatui::style::Modifier::REVERSED),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Lang;

    #[test]
    fn an_idle_api_is_left_out_only_where_it_cannot_help() {
        use crate::routing::Family;
        let idle = crate::api::ApiStatus::default();
        assert!(idle_api(Family::Octo, &idle));
        assert!(!idle_api(Family::Upstream, &idle));
        let busy = crate::api::ApiStatus {
            waiting: 1,
            ..Default::default()
        };
        assert!(!idle_api(Family::Octo, &busy));
    }

    /// No `+0 new (0 match the filter)`: what arrived is said when something did, and how much
    /// of it the filter shows only when there is a filter.
    #[test]
    fn a_held_view_says_only_what_there_is() {
        let s = strings(Lang::En);
        assert_eq!(held_view("SCROLLED", 0, 0, true, s), "SCROLLED");
        assert_eq!(held_view("PAUSED", 1, 1, false, s), "PAUSED +1 new");
        assert_eq!(
            held_view("PAUSED", 3, 1, true, s),
            "PAUSED +3 new (1 match the filter)"
        );
    }
}
