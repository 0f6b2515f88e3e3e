//! The failures table. Only the visible rows are touched, whatever the store holds.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::app::{App, Panel};
use super::theme::Theme;
use super::{block, short_id, time_of_day};
use crate::catalog;
use crate::enrich::{Failure, Told};
use crate::feed::Feed;
use crate::i18n::strings;
use crate::routing::{Route, Why};
use crate::source::status::Gap;

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let store = &feed.pipeline.store;
    let filtered = !store.filter().is_empty();
    let title = if filtered {
        format!(
            " {} · {} {} {} {} ",
            s.failures,
            store.view_len(),
            s.shown,
            s.of,
            store.stored()
        )
    } else {
        format!(" {} · {} ", s.failures, store.view_len())
    };
    let block = block(title, app.focus == Panel::Failures, theme);
    let rows_visible = usize::from(area.height.saturating_sub(3));
    let wide = area.width >= 120;
    let offset = app
        .offset
        .min(store.view_len().saturating_sub(rows_visible));
    let gaps = feed.status.as_ref().map_or(&[][..], |s| &s.gaps[..]);
    let mut rows: Vec<Row> = Vec::with_capacity(rows_visible + 2);
    let mut selected_row = None;
    let mut prev_at = None;
    for failure in store.view_range(offset, rows_visible) {
        // A disconnect between two rows is shown where it happened: events may be missing there.
        for g in gaps
            .iter()
            .filter(|g| prev_at.is_some_and(|p| g.from >= p) && g.from < failure.at)
        {
            rows.push(gap_row(g, app.lang, theme, wide));
        }
        prev_at = Some(failure.at);
        let row = row(failure, app, theme, wide);
        if Some(failure.seq) == app.selected {
            selected_row = Some(rows.len());
            rows.push(row.style(theme.selected()));
        } else {
            rows.push(row);
        }
    }
    // Gap rows take space: keep the selected row on screen.
    if rows.len() > rows_visible {
        let excess = rows.len() - rows_visible;
        match selected_row {
            Some(i) if i >= rows_visible => {
                rows.drain(..excess);
            }
            _ => rows.truncate(rows_visible),
        }
    }
    if rows.is_empty() {
        let text = if filtered && store.stored() > 0 {
            s.no_match
        } else {
            s.no_failures
        };
        let msg = ratatui::widgets::Paragraph::new(format!(" {text}")).block(block);
        f.render_widget(msg, area);
        return;
    }
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Length(if wide { 26 } else { 22 }),
    ];
    let mut header = vec![s.time, s.reason];
    if wide {
        widths.push(Constraint::Length(30));
        header.push(s.code);
        widths.push(Constraint::Length(8));
        header.push(s.agent);
    }
    let relays: String = feed
        .pipeline
        .enricher
        .family()
        .0
        .relays()
        .iter()
        .map(|r| r.letter())
        .collect();
    widths.extend([
        Constraint::Length(10),
        Constraint::Length(relays.len().max(2) as u16),
        Constraint::Min(10),
    ]);
    let mut header: Vec<String> = header.into_iter().map(str::to_owned).collect();
    header.extend([s.target.to_owned(), relays, s.error.to_owned()]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block)
        .column_spacing(1);
    f.render_widget(table, area);
}

fn gap_row(g: &Gap, lang: crate::catalog::Lang, theme: &Theme, wide: bool) -> Row<'static> {
    let s = strings(lang);
    let (what, missing) = (s.disconnected_row, s.events_may_be_missing);
    let span = format!("{} {missing} ({})", crate::output::gap_span(g, lang), g.why);
    let blanks = if wide { 5 } else { 3 };
    let cells = [Cell::from("⋯"), Cell::from(what)]
        .into_iter()
        .chain((0..blanks).map(|_| Cell::from("")))
        .chain([Cell::from(span)]);
    Row::new(cells).style(theme.alert())
}

/// One cell per relay: the outcome's mark, or `_` where the session is not bound to it.
pub fn route_mark(r: &Route, ascii: bool) -> char {
    if r.why == Why::NotBound {
        '_'
    } else if ascii {
        r.outcome.ascii()
    } else {
        r.outcome.glyph()
    }
}

fn row<'a>(f: &'a Failure, app: &App, theme: &Theme, wide: bool) -> Row<'a> {
    let d = catalog::describe(f.reason_code(), app.lang);
    let reason_style = theme.reason(d.kind == catalog::ReasonKind::Agent);
    let label = if d.known {
        Span::styled(d.texts.label, reason_style)
    } else if d.missing {
        Span::styled(d.texts.label, theme.dim())
    } else {
        // Unknown reasons: show the code itself, flagged.
        Span::styled(format!("⚠ {}", f.reason_code()), theme.warn())
    };
    let target = match (&f.session, &f.issue_id) {
        (Some(sid), _) if f.session_lost => {
            Span::styled(format!("✗{}", short_id(sid)), theme.alert())
        }
        (Some(sid), _) => Span::raw(format!("c:{}", short_id(sid))),
        (None, Some(i)) => Span::styled(format!("i:{}", short_id(i)), theme.dim()),
        (None, None) => Span::styled("-", theme.dim()),
    };
    let routes: Vec<Span> = f
        .routes
        .iter()
        .map(|r| {
            Span::styled(
                route_mark(r, app.ascii).to_string(),
                theme.outcome(r.outcome),
            )
        })
        .collect();
    let s = strings(app.lang);
    let error = match (f.error(), f.told) {
        (Some(e), _) => Span::raw(e.replace(['\n', '\t'], " ")),
        (None, Told::Withheld { .. }) => Span::styled(s.withheld, theme.dim()),
        _ => Span::raw(""),
    };
    let mut cells = vec![Cell::from(time_of_day(f.at)), Cell::from(Line::from(label))];
    if wide {
        cells.push(Cell::from(Span::styled(f.reason_code(), theme.dim())));
        cells.push(Cell::from(
            f.agent_id.as_deref().map(short_id).unwrap_or("-"),
        ));
    }
    cells.extend([
        Cell::from(Line::from(target)),
        Cell::from(Line::from(routes)),
        Cell::from(Line::from(error)).style(Style::new()),
    ]);
    Row::new(cells)
}
