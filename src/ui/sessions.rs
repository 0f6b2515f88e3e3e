//! Chat sessions panel: per session, how many failures, what the user was told, and what was lost.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::app::{App, Panel};
use super::theme::Theme;
use super::{block, cursor_row, short_id, time_of_day, visible_rows};
use crate::feed::Feed;
use crate::i18n::strings;

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let focused = app.focus == Panel::Sessions;
    let sessions = feed.pipeline.store.agg.sessions_by_urgency();
    let bindings = feed.pipeline.enricher.bindings();
    let count = |n: u64, style: ratatui::style::Style| {
        if n > 0 {
            Span::styled(n.to_string(), style)
        } else {
            Span::styled("0", theme.dim())
        }
    };
    let rows: Vec<Row> = visible_rows(&sessions, app.session_cursor, area)
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
            cursor_row(row, focused && i == app.session_cursor, theme)
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
