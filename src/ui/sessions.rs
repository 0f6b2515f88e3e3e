//! Chat sessions panel: per session, how many failures, what the user was told, and what was lost;
//! the most urgent first (or by failures, last failure or id: `o`, `O`, a click on a header).

use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::app::{App, Panel};
use super::order::{SessionKey, SessionRow};
use super::text::{fit, right, widest};
use super::theme::Theme;
use super::{block, cursor_row, page};
use crate::feed::Feed;
use crate::i18n::strings;
use crate::store::Store;

/// A page of the panel: the rows shown and the columns' widths.
struct Shown<'a> {
    visible: Vec<(usize, SessionRow<'a>)>,
    id_w: usize,
    count_w: usize,
    bound_w: usize,
    told_w: usize,
    /// The last failure's time, when there is room.
    time_w: Option<usize>,
}

impl Shown<'_> {
    /// Each column's width and the order a click on its header sorts by (the marks of what
    /// users were told: the usual order, the most urgent first).
    fn columns(&self) -> Vec<(usize, Option<SessionKey>)> {
        let mut c = vec![
            (self.id_w, Some(SessionKey::Id)),
            (self.count_w, Some(SessionKey::Failures)),
            (self.bound_w, None),
            (self.told_w, Some(SessionKey::Urgency)),
        ];
        if let Some(w) = self.time_w {
            c.push((w, Some(SessionKey::LastFailure)));
        }
        c
    }
}

/// Session, failures, bound relays, what the user was told (one column of marks that always
/// fits: the most urgent first), the last failure.
fn headers(lang: crate::catalog::Lang) -> [&'static str; 5] {
    let s = strings(lang);
    [s.session, "#", s.bound, s.col_told, s.last_failure]
}

fn shown<'a>(app: &App, store: &'a Store, area: Rect) -> Shown<'a> {
    // Only the rows on screen are ranked: a storm's table is not sorted at every frame.
    let (first, rows) = page(app.session_cursor, area);
    let visible: Vec<_> = (first..)
        .zip(app.session_rows(store, first, rows))
        .collect();
    let headers = headers(app.lang);
    let count_w = widest(
        visible
            .iter()
            .map(|(_, (_, st))| st.failures.to_string())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .chain([headers[1]]),
    );
    let bound_w = widest([headers[2], "OLS"]);
    let time_w = widest([headers[4], "00:00:00"]);
    let inner = usize::from(area.width.saturating_sub(2));
    // The time goes first when narrow; the id keeps at least 8, the marks at least 6.
    let show_time = inner >= 8 + count_w + bound_w + 6 + time_w + 4;
    let fixed = count_w + bound_w + 3 + if show_time { time_w + 1 } else { 0 };
    let told_want = visible
        .iter()
        .map(|(_, (_, st))| told_marks(st, app.ascii).chars().count())
        .chain([headers[3].chars().count()])
        .max()
        .unwrap_or(4);
    let id_w = inner.saturating_sub(fixed + told_want.min(14)).clamp(8, 36);
    let told_w = inner.saturating_sub(fixed + id_w).max(4);
    Shown {
        visible,
        id_w,
        count_w,
        bound_w,
        told_w,
        time_w: show_time.then_some(time_w),
    }
}

/// The order a click at column `x` of the header of the panel in `area` asks for.
pub fn sort_at(app: &App, store: &Store, area: Rect, x: u16) -> Option<SessionKey> {
    super::column_at(&shown(app, store, area).columns(), area, x)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let focused = app.focus == Panel::Sessions;
    let store = feed.pipeline.store();
    let sessions = &app.panel_agg(store).sessions;
    let bindings = feed.pipeline.enricher().bindings();
    let headers = headers(app.lang);
    let laid = shown(app, store, area);
    let widths = super::column_widths(&laid.columns());
    let Shown {
        visible,
        id_w,
        count_w,
        told_w,
        time_w,
        ..
    } = laid;
    let show_time = time_w.is_some();
    let rows: Vec<Row> = visible
        .iter()
        .map(|(i, (id, st))| {
            // Without a binding the marks say what the user would have learned if bound.
            let known = st.binding_is_known();
            let bound = match bindings.of(id) {
                Some(set) if set.is_empty() => Span::styled("-", theme.warn()),
                Some(set) => Span::raw(set.iter().map(|r| r.letter()).collect::<String>()),
                None => Span::styled("?", theme.dim()),
            };
            let marks = fit(&told_marks(st, app.ascii), told_w);
            let style = if st.dropped > 0 || st.untold > 0 {
                theme.alert()
            } else if !known {
                theme.dim()
            } else if st.generic > 0 {
                theme.warn()
            } else {
                theme.good()
            };
            let mut cells = vec![
                Cell::from(fit(id, id_w)),
                Cell::from(right(&st.failures.to_string(), count_w)),
                Cell::from(bound),
                Cell::from(Span::styled(marks, style)),
            ];
            if show_time {
                cells.push(Cell::from(
                    st.last_at
                        .map(|t| app.tz.time_of_day(t))
                        .unwrap_or_default(),
                ));
            }
            cursor_row(Row::new(cells), focused && *i == app.session_cursor, theme)
        })
        .collect();
    // The order first: what a key just changed is never cut off a narrow title.
    let mut title = format!(
        " {} · {} · {} ✗ {}{}",
        s.sessions,
        sessions.len(),
        sessions.lost(),
        app.session_sort.title(app.lang),
        super::panel_scope(app, store)
    );
    let beyond = sessions.beyond();
    if beyond.failures > 0 {
        // Failures of sessions past the limit: in every count, in no row.
        title += &format!(
            "· +{} {} ({} ✗) ",
            beyond.failures, s.unlisted, beyond.dropped
        );
    }
    let mut header = vec![
        fit(headers[0], id_w),
        right(headers[1], count_w),
        headers[2].to_owned(),
        fit(headers[3], told_w),
    ];
    if show_time {
        header.push(headers[4].to_owned());
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block(title, focused, theme))
        .column_spacing(1);
    f.render_widget(table, area);
}

/// What a session's users were told, as marks with counts, the most urgent first: `✗` lost,
/// `·` silent on every relay serving it, `○` only a generic text, `…` a retry pending, `✓` the
/// error, a fixed sentence or the reason (or told in Multica's own app). (ASCII: `X`, `s`,
/// `G`, `p`, `D`.)
pub fn told_marks(st: &crate::store::SessionStats, ascii: bool) -> String {
    let told = st.detail + st.canned + st.reason + st.app;
    let marks: [(&str, &str, u64); 5] = [
        ("✗", "X", st.dropped),
        ("·", "s", st.untold),
        ("○", "G", st.generic),
        ("…", "p", st.pending),
        ("✓", "D", told),
    ];
    let parts: Vec<String> = marks
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(g, a, n)| format!("{}{n}", if ascii { a } else { g }))
        .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(" ")
    }
}
