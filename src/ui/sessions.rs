//! Chat sessions panel: per session, how many failures, what the user was told, and what was lost.

use std::sync::Arc;

use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::app::{App, Panel};
use super::theme::Theme;
use super::{block, short_id, time_of_day};
use crate::feed::Feed;
use crate::i18n::strings;
use crate::store::{Aggregates, SessionStats};

/// Sessions that lost notifications first, then those never told, then by failures, then id.
pub fn sorted(agg: &Aggregates) -> Vec<(&Arc<str>, &SessionStats)> {
    let mut v: Vec<_> = agg.sessions.iter().collect();
    v.sort_by(|a, b| {
        b.1.dropped
            .cmp(&a.1.dropped)
            .then(b.1.untold.cmp(&a.1.untold))
            .then(b.1.failures.cmp(&a.1.failures))
            .then(a.0.cmp(b.0))
    });
    v
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let focused = app.focus == Panel::Sessions;
    let sessions = sorted(&feed.pipeline.store.agg);
    let bindings = feed.pipeline.enricher.bindings();
    let inner_rows = usize::from(area.height.saturating_sub(3));
    let skip = app
        .session_cursor
        .saturating_sub(inner_rows.saturating_sub(1));
    let count = |n: u64, style: ratatui::style::Style| {
        if n > 0 {
            Span::styled(n.to_string(), style)
        } else {
            Span::styled("0", theme.dim())
        }
    };
    let rows: Vec<Row> = sessions
        .iter()
        .enumerate()
        .skip(skip)
        .take(inner_rows)
        .map(|(i, (id, st))| {
            let lost = if st.dropped > 0 {
                Span::styled(format!("✗{}", st.dropped), theme.alert())
            } else {
                Span::styled("0", theme.dim())
            };
            // Without a binding the counts are what the user would have learned if bound.
            let known = st.binding_is_known();
            let maybe = |style| if known { style } else { theme.dim() };
            let bound = match bindings.of(id) {
                Some(set) if set.is_empty() => Span::styled("-", theme.warn()),
                Some(set) => Span::raw(set.iter().map(|r| r.letter()).collect::<String>()),
                None => Span::styled("?", theme.dim()),
            };
            let row = Row::new(vec![
                Cell::from(short_id(id)),
                Cell::from(st.failures.to_string()),
                Cell::from(bound),
                Cell::from(count(st.detail, maybe(theme.good()))),
                Cell::from(count(st.canned + st.reason, maybe(theme.warn()))),
                Cell::from(count(st.generic, maybe(theme.warn()))),
                Cell::from(count(st.untold, maybe(theme.alert()))),
                Cell::from(lost),
                Cell::from(st.last_at.map(time_of_day).unwrap_or_default()),
            ]);
            if focused && i == app.session_cursor {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let lost_sessions = sessions.iter().filter(|(_, s)| s.dropped > 0).count();
    let title = format!(
        " {} · {} · {} ✗ ",
        s.sessions,
        sessions.len(),
        lost_sessions
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Min(8),
        ],
    )
    .header(
        Row::new(vec![
            s.session,
            "#",
            s.bound,
            s.col_detail,
            s.col_canned,
            s.generic,
            s.col_untold,
            s.dropped,
            s.last_failure,
        ])
        .style(theme.title()),
    )
    .block(block(title, focused, theme))
    .column_spacing(1);
    f.render_widget(table, area);
}
