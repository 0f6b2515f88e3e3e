//! Chat sessions panel: per session, how many failures, what the user was told, and what was lost.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::app::{App, Panel};
use super::text::{fit, right, widest};
use super::theme::Theme;
use super::{block, cursor_row, page};
use crate::feed::Feed;
use crate::i18n::strings;

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let focused = app.focus == Panel::Sessions;
    let sessions = &feed.pipeline.store().agg.sessions;
    let bindings = feed.pipeline.enricher().bindings();
    // Only the rows on screen are ranked: a storm's table is not sorted at every frame.
    let (first, rows) = page(app.session_cursor, area);
    let visible: Vec<_> = (first..).zip(sessions.ranked(first, rows)).collect();
    let headers = [
        s.session,
        "#",
        s.bound,
        s.col_detail,
        s.col_canned,
        s.generic,
        s.col_untold,
        s.dropped,
        s.last_failure,
    ];
    // Each count column as wide as its header or its widest number: no digit is ever cut.
    let numbers: Vec<[String; 6]> = visible
        .iter()
        .map(|(_, (_, st))| {
            [
                st.failures.to_string(),
                st.detail.to_string(),
                (st.canned + st.reason).to_string(),
                st.generic.to_string(),
                st.untold.to_string(),
                format!("✗{}", st.dropped),
            ]
        })
        .collect();
    let col = |i: usize, h: &str| widest(numbers.iter().map(|n| n[i].as_str()).chain([h]));
    let widths_n = [
        col(0, headers[1]),
        widest([headers[2], "olt"]),
        col(1, headers[3]),
        col(2, headers[4]),
        col(3, headers[5]),
        col(4, headers[6]),
        col(5, headers[7]),
        widest([headers[8], "00:00:00"]),
    ];
    let inner = usize::from(area.width.saturating_sub(2));
    // Narrow panels drop the least urgent columns first; the id, the count, what was never told
    // and what was lost stay.
    let mut shown = [true; 8];
    for drop in [4, 3, 2, 1, 7] {
        let fixed: usize = (0..8).filter(|&c| shown[c]).map(|c| widths_n[c] + 1).sum();
        if inner >= fixed + 8 {
            break;
        }
        shown[drop] = false;
    }
    let fixed: usize = (0..8).filter(|&c| shown[c]).map(|c| widths_n[c] + 1).sum();
    // The id gets what is left, up to a whole UUID, and never fewer than 8 characters.
    let id_w = inner.saturating_sub(fixed).clamp(8, 36);
    let count = |n: u64, w: usize, style: ratatui::style::Style| {
        let text = right(&n.to_string(), w);
        if n > 0 {
            Span::styled(text, style)
        } else {
            Span::styled(text, theme.dim())
        }
    };
    let rows: Vec<Row> = visible
        .iter()
        .map(|(i, (id, st))| {
            let lost = if st.dropped > 0 {
                Span::styled(
                    right(&format!("✗{}", st.dropped), widths_n[6]),
                    theme.alert(),
                )
            } else {
                Span::styled(right("0", widths_n[6]), theme.dim())
            };
            // Without a binding the counts are what the user would have learned if bound.
            let known = st.binding_is_known();
            let maybe = |style| if known { style } else { theme.dim() };
            let bound = match bindings.of(id) {
                Some(set) if set.is_empty() => Span::styled("-", theme.warn()),
                Some(set) => Span::raw(set.iter().map(|r| r.letter()).collect::<String>()),
                None => Span::styled("?", theme.dim()),
            };
            let cells = [
                Cell::from(right(&st.failures.to_string(), widths_n[0])),
                Cell::from(bound),
                Cell::from(count(st.detail, widths_n[2], maybe(theme.good()))),
                Cell::from(count(
                    st.canned + st.reason,
                    widths_n[3],
                    maybe(theme.warn()),
                )),
                Cell::from(count(st.generic, widths_n[4], maybe(theme.warn()))),
                Cell::from(count(st.untold, widths_n[5], maybe(theme.alert()))),
                Cell::from(lost),
                Cell::from(
                    st.last_at
                        .map(|t| app.tz.time_of_day(t))
                        .unwrap_or_default(),
                ),
            ];
            let row = Row::new(
                std::iter::once(Cell::from(fit(id, id_w))).chain(
                    cells
                        .into_iter()
                        .enumerate()
                        .filter(|(c, _)| shown[*c])
                        .map(|(_, cell)| cell),
                ),
            );
            cursor_row(row, focused && *i == app.session_cursor, theme)
        })
        .collect();
    let mut title = format!(
        " {} · {} · {} ✗ ",
        s.sessions,
        sessions.len(),
        sessions.lost()
    );
    let beyond = sessions.beyond();
    if beyond.failures > 0 {
        // Failures of sessions past the limit: in every count, in no row.
        title += &format!(
            "· +{} {} ({} ✗) ",
            beyond.failures, s.unlisted, beyond.dropped
        );
    }
    let mut widths = vec![Constraint::Length(id_w as u16)];
    let mut header = vec![fit(headers[0], id_w)];
    for (i, h) in headers[1..].iter().enumerate().filter(|(c, _)| shown[*c]) {
        widths.push(Constraint::Length(widths_n[i] as u16));
        // Numbers are right-aligned: so are their headers.
        header.push(if matches!(i, 0 | 2..=6) {
            right(h, widths_n[i])
        } else {
            h.to_string()
        });
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block(title, focused, theme))
        .column_spacing(1);
    f.render_widget(table, area);
}
