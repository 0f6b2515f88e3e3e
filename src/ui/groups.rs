//! Groups panel: failures that read the same (one reason, one error template), most frequent
//! first (or by last or first seen: `o`, `O`, a click on a header), with count, share, sessions
//! affected, badges (new, regressed, escalating) and the last minutes as a sparkline. Enter filters the failures to the group (`group:<id>`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::app::{App, Panel};
use super::order::{GroupKey, GroupRow};
use super::text::{fit, right, widest};
use super::theme::Theme;
use super::{block, cursor_row, page, sparkline};
use crate::feed::Feed;
use crate::groups::Badge;
use crate::i18n::strings;
use crate::store::Store;

const PCT: usize = 4;
const SPARK: usize = 12;
/// Sessions affected: up to four digits.
const SESSIONS: usize = 4;
/// Workspaces touched: `64+` at most.
const WORKSPACES: usize = 3;
/// `HH:MM:SS`.
const TIME: usize = 8;
/// The kind of failure's least width before optional columns are shown: room for a reason's
/// label and the template beside it (each about half).
const MIN_LABEL: usize = 36;

/// A page of the panel: the rows shown, their counts and the columns shown.
struct Shown<'a> {
    visible: Vec<(usize, GroupRow<'a>)>,
    counts: Vec<String>,
    count_w: usize,
    show_sessions: bool,
    /// How many workspaces each group touched: a column when the failures come from several.
    workspaces_w: Option<usize>,
    show_last: bool,
    show_first: bool,
    label_w: usize,
    spark_w: usize,
}

impl Shown<'_> {
    /// Each column's width and the order a click on its header sorts by.
    fn columns(&self) -> Vec<(usize, Option<GroupKey>)> {
        let mut c = vec![
            (self.count_w, Some(GroupKey::Count)),
            (PCT, Some(GroupKey::Count)),
        ];
        let optional = [
            (self.show_sessions, SESSIONS, None),
            (
                self.workspaces_w.is_some(),
                self.workspaces_w.unwrap_or(0),
                None,
            ),
            (self.show_last, TIME, Some(GroupKey::LastSeen)),
            (self.show_first, TIME, Some(GroupKey::FirstSeen)),
        ];
        c.extend(optional.into_iter().filter(|o| o.0).map(|(_, w, k)| (w, k)));
        c.push((self.label_w, None));
        if self.spark_w > 0 {
            c.push((self.spark_w, None));
        }
        c
    }
}

fn shown<'a>(app: &App, store: &'a Store, area: Rect) -> Shown<'a> {
    let s = strings(app.lang);
    // Only the rows on screen are ranked.
    let (first, rows) = page(app.group_cursor, area);
    let visible: Vec<_> = (first..).zip(app.group_rows(store, first, rows)).collect();
    let counts: Vec<String> = visible
        .iter()
        .map(|(_, (_, g))| g.count.to_string())
        .collect();
    let count_w = widest(counts.iter().map(String::as_str).chain([s.count]));
    let inner = usize::from(area.width.saturating_sub(2));
    // Count and share always; then, as room allows: sessions, last seen, the sparkline, first
    // seen. The kind of failure keeps at least MIN_LABEL cells.
    let mut room = inner.saturating_sub(count_w + PCT + 2);
    let mut take = |w: usize| {
        let fits = room >= w + 1 + MIN_LABEL;
        if fits {
            room -= w + 1;
        }
        fits
    };
    let show_sessions = take(SESSIONS);
    let fleet = store.agg.workspaces.several();
    let ws_w = s.group_workspaces.width().max(WORKSPACES);
    let workspaces_w = (fleet && take(ws_w)).then_some(ws_w);
    let show_last = take(TIME);
    let spark_w = if take(SPARK) { SPARK } else { 0 };
    let show_first = take(TIME);
    Shown {
        visible,
        counts,
        count_w,
        show_sessions,
        workspaces_w,
        show_last,
        show_first,
        label_w: room,
        spark_w,
    }
}

/// The order a click at column `x` of the header of the panel in `area` asks for.
pub fn sort_at(app: &App, store: &Store, area: Rect, x: u16) -> Option<GroupKey> {
    super::column_at(&shown(app, store, area).columns(), area, x)
}

/// The kind of failure in `width` cells: `reason: template`, the template (the point of a
/// group) keeping at least half the cell, the reason's label cut to what is left, or left out
/// below a few cells.
fn kind_cell(reason: &str, template: &str, width: usize) -> (String, String) {
    const MIN_REASON: usize = 6;
    let template_room = template.width().min(width / 2);
    let reason_room = width.saturating_sub(template_room);
    let reason = if reason_room >= MIN_REASON {
        format!("{}: ", fit(reason, reason_room - 2))
    } else {
        String::new()
    };
    let left = width.saturating_sub(reason.width());
    (reason, fit(template, left))
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let store = feed.pipeline.store();
    let agg = app.panel_agg(store);
    let now = store.now();
    let focused = app.focus == Panel::Groups;
    let laid = shown(app, store, area);
    let widths = super::column_widths(&laid.columns());
    let Shown {
        visible,
        counts,
        count_w,
        show_sessions,
        workspaces_w,
        show_last,
        show_first,
        label_w,
        spark_w,
    } = laid;
    let rows: Vec<Row> = visible
        .iter()
        .zip(&counts)
        .map(|((i, (_, g)), count)| {
            let badges = g.badges(now);
            let mut spans: Vec<Span> = badges
                .iter()
                .map(|b| {
                    let style = match b {
                        Badge::New | Badge::Regressed => theme.warn(),
                        Badge::Escalating => theme.alert(),
                    };
                    Span::styled(b.mark(app.ascii).to_string(), style)
                })
                .collect();
            if !spans.is_empty() {
                spans.push(Span::raw(" "));
            }
            let reason = crate::catalog::describe(&g.reason, app.lang).texts.label;
            let template = if g.template.is_empty() {
                s.group_no_text
            } else {
                &g.template
            };
            let used: usize = spans.iter().map(|sp| sp.content.width()).sum();
            let (reason, template) = kind_cell(reason, template, label_w.saturating_sub(used));
            spans.push(Span::styled(reason, theme.dim()));
            spans.push(Span::raw(template));
            let pct = 100.0 * g.count as f64 / agg.failures.max(1) as f64;
            let mut cells = vec![
                Cell::from(right(count, count_w)),
                Cell::from(right(&format!("{pct:.0}%"), PCT)),
            ];
            if show_sessions {
                cells.push(Cell::from(right(&g.sessions().to_string(), SESSIONS)));
            }
            if let Some(w) = workspaces_w {
                let (n, more) = g.workspaces();
                let text = format!("{n}{}", if more { "+" } else { "" });
                cells.push(Cell::from(right(&text, w)));
            }
            if show_last {
                cells.push(Cell::from(app.tz.time_of_day(g.last_at)));
            }
            if show_first {
                cells.push(Cell::from(Span::styled(
                    app.tz.time_of_day(g.first_at),
                    theme.dim(),
                )));
            }
            cells.push(Cell::from(Line::from(spans)));
            if spark_w > 0 {
                let spark = sparkline(&g.per_minute.last(spark_w, now));
                cells.push(Cell::from(Span::styled(spark, theme.good())));
            }
            cursor_row(Row::new(cells), focused && *i == app.group_cursor, theme)
        })
        .collect();
    // The order first: what a key just changed is never cut off a narrow title.
    let mut title = format!(
        " {} · {} {}{}",
        s.groups,
        app.group_count(store),
        app.group_sort.title(app.lang),
        super::panel_scope(app, store)
    );
    if agg.groups.beyond > 0 {
        // Failures of groups past the limit: in every count, in no row.
        title += &format!("· +{} {} ", agg.groups.beyond, s.unlisted);
    }
    let mut header = vec![right(s.count, count_w), right("%", PCT)];
    let columns = [
        (show_sessions, right(s.group_sessions, SESSIONS)),
        (
            workspaces_w.is_some(),
            right(s.group_workspaces, workspaces_w.unwrap_or(0)),
        ),
        (show_last, fit(s.group_last, TIME)),
        (show_first, fit(s.group_first, TIME)),
    ];
    for (shown, title) in columns {
        if shown {
            header.push(title);
        }
    }
    header.push(fit(s.group_kind, label_w));
    if spark_w > 0 {
        header.push(format!("{spark_w}m"));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block(title, focused, theme))
        .column_spacing(1);
    f.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template is the point of a group: it keeps half the cell at least, where the badges
    /// and the reason's label once left it ten columns of sixty.
    #[test]
    fn the_template_keeps_half_the_cell() {
        let template = "Agent CLI crashed: git push <url> <path> failed: exit status <n>";
        let (reason, shown) = kind_cell("Provider connection lost", template, 30);
        assert_eq!(shown.width(), 15, "{shown}");
        assert_eq!(reason.width() + shown.width(), 30);
        assert!(reason.ends_with(": "), "{reason}");
        // A short template leaves the reason whole.
        let (reason, shown) = kind_cell("Hit the time limit", "task timed out", 40);
        assert_eq!(
            (reason.as_str(), shown.as_str()),
            ("Hit the time limit: ", "task timed out")
        );
        // Too narrow for a reason: the template alone.
        let (reason, shown) = kind_cell("Hit the time limit", template, 10);
        assert_eq!((reason.as_str(), shown.width()), ("", 10));
    }
}
