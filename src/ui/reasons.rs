//! Reasons panel: count, share and a per-minute sparkline per reason, most frequent first.
//! Enter toggles the row's reason in the filter: the failures of any toggled reason are shown.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::app::{App, Panel};
use super::theme::Theme;
use super::{block, cursor_row, sparkline, visible_rows};
use crate::catalog;
use crate::feed::Feed;
use crate::i18n::strings;

pub const SPARK_MINUTES: usize = 30;

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let store = &feed.pipeline.store;
    let agg = &store.agg;
    let toggled = store.filter().toggled_reasons();
    let now = store.now();
    let focused = app.focus == Panel::Reasons;
    let reasons = agg.reasons_by_count();
    let spark_width = if area.width >= 70 { SPARK_MINUTES } else { 12 };
    let rows: Vec<Row> = visible_rows(&reasons, app.reason_cursor, area)
        .map(|(i, (code, stats))| {
            let d = catalog::describe(code, app.lang);
            let active = !code.is_empty() && toggled.iter().any(|t| t.as_str() == &***code);
            let mark = if active { "● " } else { "  " };
            let label = if d.known {
                Span::styled(
                    format!("{mark}{}", d.texts.label),
                    theme.reason(d.kind == catalog::ReasonKind::Agent),
                )
            } else if d.missing {
                Span::styled(format!("{mark}{}", d.texts.label), theme.dim())
            } else {
                Span::styled(format!("{mark}⚠ {code}"), theme.warn())
            };
            let pct = 100.0 * stats.count as f64 / agg.failures.max(1) as f64;
            let spark = sparkline(&stats.per_minute.last(spark_width, now));
            let row = Row::new(vec![
                Cell::from(stats.count.to_string()),
                Cell::from(format!("{pct:>3.0}%")),
                Cell::from(label),
                Cell::from(Span::styled(spark, theme.good())),
            ]);
            cursor_row(row, focused && i == app.reason_cursor, theme)
        })
        .collect();
    let title = format!(" {} · {} ", s.reasons, reasons.len());
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Min(12),
            Constraint::Length(spark_width as u16),
        ],
    )
    .header(
        ratatui::widgets::Row::new(vec![s.count, "%", s.reason, s.per_min]).style(theme.title()),
    )
    .block(block(title, focused, theme))
    .column_spacing(1);
    f.render_widget(table, area);
}
