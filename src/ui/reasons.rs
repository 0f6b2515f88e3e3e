//! Reasons panel: count, share and a per-minute sparkline per reason, most frequent first (or
//! by name or last seen: `o`, `O`, a click on a header).
//! Enter toggles the row's reason in the filter: the failures of any toggled reason are shown.
//! Counts keep every digit; labels are whole when there is room and end in `…` when cut; the
//! sparkline takes what is left and its header says how many minutes it draws.

use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::app::{App, Panel};
use super::order::{ReasonKey, ReasonRow};
use super::text::{fit, right, widest};
use super::theme::Theme;
use super::{block, cursor_row, page, sparkline};
use crate::catalog;
use crate::feed::Feed;
use crate::i18n::strings;
use crate::store::Store;

/// The longest sparkline drawn, in minutes (one cell each).
pub const MAX_SPARK_MINUTES: usize = 60;
/// Below this many cells the sparkline is left out.
const MIN_SPARK: usize = 6;
const PCT: usize = 4;

/// A page of the panel: the rows shown, their labels (with the toggle mark, whether known,
/// whether no reason was sent) and the columns' widths.
struct Shown<'a> {
    visible: Vec<(usize, ReasonRow<'a>)>,
    labels: Vec<(String, bool, bool)>,
    count_w: usize,
    label_w: usize,
    spark_w: usize,
}

impl Shown<'_> {
    /// Each column's width and the order a click on its header sorts by.
    fn columns(&self) -> Vec<(usize, Option<ReasonKey>)> {
        let mut c = vec![
            (self.count_w, Some(ReasonKey::Count)),
            (PCT, Some(ReasonKey::Count)),
            (self.label_w, Some(ReasonKey::Name)),
        ];
        if self.spark_w > 0 {
            c.push((self.spark_w, Some(ReasonKey::LastSeen)));
        }
        c
    }
}

fn shown<'a>(app: &App, store: &'a Store, area: Rect) -> Shown<'a> {
    let s = strings(app.lang);
    let toggled = store.filter().toggled_reasons();
    // Only the rows on screen are ranked: a storm's table is not sorted at every frame.
    let (first, rows) = page(app.reason_cursor, area);
    let visible: Vec<_> = (first..).zip(app.reason_rows(store, first, rows)).collect();
    let labels: Vec<(String, bool, bool)> = visible
        .iter()
        .map(|(_, (code, _))| {
            let d = catalog::describe(code, app.lang);
            let active = toggled.iter().any(|t| t == catalog::code_or_none(code));
            let mark = if active { "● " } else { "  " };
            let text = if d.known || d.missing {
                format!("{mark}{}", d.texts.label)
            } else {
                format!("{mark}⚠ {code}")
            };
            (text, d.known, d.missing)
        })
        .collect();
    let count_w = widest(
        visible
            .iter()
            .map(|(_, (_, st))| st.count.to_string())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .chain([s.count]),
    );
    let inner = usize::from(area.width.saturating_sub(2));
    let label_want = widest(labels.iter().map(|(t, _, _)| t.as_str()).chain([s.reason]));
    // Count, share, label and sparkline: three gaps.
    let room = inner.saturating_sub(count_w + PCT + 3);
    let label_w = label_want
        .min(room.saturating_sub(MIN_SPARK))
        .max(8.min(room));
    let spark_w = room.saturating_sub(label_w).min(MAX_SPARK_MINUTES);
    let spark_w = if spark_w >= MIN_SPARK { spark_w } else { 0 };
    // A label cut short of a usable sparkline gets the spare cells back.
    let label_w = room.saturating_sub(spark_w).max(label_w.min(room));
    Shown {
        visible,
        labels,
        count_w,
        label_w,
        spark_w,
    }
}

/// The order a click at column `x` of the header of the panel in `area` asks for.
pub fn sort_at(app: &App, store: &Store, area: Rect, x: u16) -> Option<ReasonKey> {
    super::column_at(&shown(app, store, area).columns(), area, x)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let store = feed.pipeline.store();
    let agg = app.reasons_agg(store);
    let now = store.now();
    let focused = app.focus == Panel::Reasons;
    let laid = shown(app, store, area);
    let widths = super::column_widths(&laid.columns());
    let Shown {
        visible,
        labels,
        count_w,
        label_w,
        spark_w,
    } = laid;
    let rows: Vec<Row> = visible
        .iter()
        .zip(&labels)
        .map(|((i, (code, stats)), (label, known, missing))| {
            let style = if *known {
                theme.reason(catalog::describe(code, app.lang).kind == catalog::ReasonKind::Agent)
            } else if *missing {
                theme.dim()
            } else {
                theme.warn()
            };
            let pct = 100.0 * stats.count as f64 / agg.failures.max(1) as f64;
            let mut cells = vec![
                Cell::from(right(&stats.count.to_string(), count_w)),
                Cell::from(right(&format!("{pct:.0}%"), PCT)),
                Cell::from(Span::styled(
                    if *known || *missing {
                        fit(label, label_w)
                    } else {
                        // The mark (toggle and ⚠), then the code cut from its front.
                        let (mark, code) =
                            label.split_at(label.find('⚠').map_or(0, |i| i + "⚠ ".len()));
                        super::text::fit_tail(mark, code, label_w)
                    },
                    style,
                )),
            ];
            if spark_w > 0 {
                let spark = sparkline(&stats.per_minute.last(spark_w, now));
                cells.push(Cell::from(Span::styled(spark, theme.good())));
            }
            cursor_row(Row::new(cells), focused && *i == app.reason_cursor, theme)
        })
        .collect();
    // The order first: what a key just changed is never cut off a narrow title.
    let mut title = format!(
        " {} · {} {}{}",
        s.reasons,
        agg.by_reason.len(),
        app.reason_sort.title(app.lang),
        if store.filter().is_reason_toggle_only() {
            String::new()
        } else {
            super::panel_scope(app, store)
        }
    );
    if agg.by_reason.beyond() > 0 {
        // Failures of codes past the limit: in every count, in no row.
        title += &format!("· +{} {} ", agg.by_reason.beyond(), s.unlisted);
    }
    let mut header = vec![
        right(s.count, count_w),
        right("%", PCT),
        format!("  {}", fit(s.reason, label_w.saturating_sub(2))),
    ];
    if spark_w > 0 {
        // `last 30 min`, or as much of the count as fits: the header must say its window.
        let long = s.last_minutes.replace("{}", &spark_w.to_string());
        header.push(if long.width() <= spark_w {
            long
        } else {
            format!("{spark_w}m")
        });
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block(title, focused, theme))
        .column_spacing(1);
    f.render_widget(table, area);
}
