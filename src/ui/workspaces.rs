//! Workspaces panel: the deployment at a glance. Per workspace, how many failures, how many
//! notifications were lost, how many users were told and how many never were, the top reason,
//! and the last minutes as a sparkline; the workspaces where users went untold first (or by
//! failures, last failure or id: `o`, `O`, a click on a header). Enter narrows the filter to the
//! workspace (`workspace:<id>`).

use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::app::{App, Panel};
use super::order::{WorkspaceKey, WorkspaceRow};
use super::text::{fit, right, widest};
use super::theme::Theme;
use super::{block, cursor_row, page, sparkline};
use crate::catalog::{describe, Lang};
use crate::feed::Feed;
use crate::i18n::strings;
use crate::store::{Store, WorkspaceStats};

/// The sparkline's minutes: as many as fit, of these.
const SPARKS: [usize; 2] = [12, 8];
/// The top reason's room before the optional columns are shown: a label and its count.
const ROOMY_REASON: usize = 20;
/// `HH:MM:SS`.
const TIME: usize = 8;
/// The id keeps this much at least (a short id), the top reason as much.
const MIN_ID: usize = 8;
const MIN_REASON: usize = 12;
/// Ids wider than this are cut: a UUID fits.
const MAX_ID: usize = 36;

/// A page of the panel: the rows shown and the columns' widths.
struct Shown<'a> {
    visible: Vec<(usize, WorkspaceRow<'a>)>,
    id_w: usize,
    /// Failures, lost, told, untold: as wide as their widest number or header.
    counts_w: [usize; 4],
    reason_w: usize,
    spark_w: usize,
    time_w: usize,
}

impl Shown<'_> {
    /// Each column's width and the order a click on its header sorts by.
    fn columns(&self) -> Vec<(usize, Option<WorkspaceKey>)> {
        let [failures, lost, told, untold] = self.counts_w;
        let mut c = vec![
            (self.id_w, Some(WorkspaceKey::Id)),
            (failures, Some(WorkspaceKey::Failures)),
            (lost, Some(WorkspaceKey::Untold)),
            (told, None),
            (untold, Some(WorkspaceKey::Untold)),
            (self.reason_w, None),
        ];
        if self.spark_w > 0 {
            c.push((self.spark_w, None));
        }
        if self.time_w > 0 {
            c.push((self.time_w, Some(WorkspaceKey::LastFailure)));
        }
        c
    }
}

/// The headers: workspace, failures, lost, told, untold, top reason, last failure.
fn headers(lang: Lang) -> [&'static str; 7] {
    let s = strings(lang);
    [
        s.ws_workspace,
        "#",
        s.col_lost,
        s.col_told,
        s.col_untold,
        s.col_top_reason,
        s.last_failure,
    ]
}

/// A workspace as the panel names it: its name when the API gave one (the id is a key away:
/// `c` copies it, enter narrows by it), else its id.
fn shown_name<'a>(store: &'a Store, id: &'a str) -> &'a str {
    store.workspace_name(id).unwrap_or(id)
}

/// The four counts of a workspace, in the columns' order.
fn counts(w: &WorkspaceStats) -> [u64; 4] {
    [w.failures, w.lost, w.told, w.untold]
}

/// The top reason as the panel says it: its label and how many.
fn top_reason(w: &WorkspaceStats, lang: Lang) -> String {
    match w.top_reason() {
        Some((Some("unknown"), n)) => format!("{} ({n})", strings(lang).t_unknown_reasons),
        Some((code, n)) => format!("{} ({n})", describe(code.unwrap_or(""), lang).texts.label),
        None => "-".to_owned(),
    }
}

fn shown<'a>(app: &App, store: &'a Store, area: Rect) -> Shown<'a> {
    let (first, rows) = page(app.workspace_cursor, area);
    let visible: Vec<_> = (first..)
        .zip(app.workspace_rows(store, first, rows))
        .collect();
    let headers = headers(app.lang);
    let counts_w: [usize; 4] = std::array::from_fn(|i| {
        let numbers: Vec<String> = visible
            .iter()
            .map(|(_, (_, w))| counts(w)[i].to_string())
            .collect();
        widest(numbers.iter().map(String::as_str).chain([headers[1 + i]]))
    });
    let inner = usize::from(area.width.saturating_sub(2));
    let mut room = inner.saturating_sub(counts_w.iter().map(|w| w + 1).sum::<usize>());
    // The id and the top reason keep their least (the reason room for its label and count
    // before any option); then, as room allows, the sparkline (long or short) and the last
    // failure's time.
    let mut take = |w: usize| {
        let fits = room >= w + 1 + MIN_ID + 1 + ROOMY_REASON;
        if fits {
            room -= w + 1;
        }
        fits
    };
    let spark_w = SPARKS.into_iter().find(|&w| take(w)).unwrap_or(0);
    let time_w = if take(TIME) { TIME } else { 0 };
    let id_want = visible
        .iter()
        .map(|(_, (id, _))| shown_name(store, id).width())
        .chain([headers[0].width()])
        .max()
        .unwrap_or(MIN_ID)
        .clamp(MIN_ID, MAX_ID);
    let id_w = id_want.min(room.saturating_sub(1 + MIN_REASON)).max(MIN_ID);
    let reason_w = room.saturating_sub(id_w + 1);
    Shown {
        visible,
        id_w,
        counts_w,
        reason_w,
        spark_w,
        time_w,
    }
}

/// The order a click at column `x` of the header of the panel in `area` asks for.
pub fn sort_at(app: &App, store: &Store, area: Rect, x: u16) -> Option<WorkspaceKey> {
    super::column_at(&shown(app, store, area).columns(), area, x)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let focused = app.focus == Panel::Workspaces;
    let store = feed.pipeline.store();
    let workspaces = &app.panel_agg(store).workspaces;
    let now = store.now();
    let listed = workspaces.len();
    // How many workspaces had users never told, as the sessions panel counts its sessions.
    let untold = workspaces
        .iter()
        .filter(|(_, w)| w.untold + w.lost > 0)
        .count();
    let marks = match untold {
        0 => String::new(),
        n => format!(" · {n} ✗"),
    };
    // The order first: what a key just changed is never cut off a narrow title.
    let mut title = format!(
        " {} · {listed}{marks} {}{}",
        s.workspaces,
        app.workspace_sort.title(app.lang),
        super::panel_scope(app, store)
    );
    if workspaces.beyond.failures > 0 {
        // Failures of workspaces past the limit: in every count, in no row.
        title += &format!("· +{} {} ", workspaces.beyond.failures, s.unlisted);
    }
    if listed == 0 {
        let text = Paragraph::new(Span::styled(s.workspaces_none, theme.dim()))
            .wrap(Wrap { trim: true })
            .block(block(title, focused, theme));
        f.render_widget(text, area);
        return;
    }
    let laid = shown(app, store, area);
    let widths = super::column_widths(&laid.columns());
    let headers = headers(app.lang);
    let rows: Vec<Row> = laid
        .visible
        .iter()
        .map(|(i, (id, w))| {
            let mut cells = vec![Cell::from(fit(shown_name(store, id), laid.id_w))];
            for (n, (count, width)) in counts(w).iter().zip(laid.counts_w).enumerate() {
                let text = right(&count.to_string(), width);
                let style = match n {
                    1 | 3 if *count > 0 => theme.alert(),
                    _ => ratatui::style::Style::new(),
                };
                cells.push(Cell::from(Span::styled(text, style)));
            }
            cells.push(Cell::from(fit(&top_reason(w, app.lang), laid.reason_w)));
            if laid.spark_w > 0 {
                let spark = sparkline(&w.per_minute.last(laid.spark_w, now));
                cells.push(Cell::from(Span::styled(spark, theme.good())));
            }
            if laid.time_w > 0 {
                let last = w.last_at.map(|t| app.tz.time_of_day(t));
                cells.push(Cell::from(last.unwrap_or_default()));
            }
            cursor_row(
                Row::new(cells),
                focused && *i == app.workspace_cursor,
                theme,
            )
        })
        .collect();
    let mut header: Vec<String> = vec![fit(headers[0], laid.id_w)];
    for (h, width) in headers[1..5].iter().zip(laid.counts_w) {
        header.push(right(h, width));
    }
    header.push(fit(headers[5], laid.reason_w));
    if laid.spark_w > 0 {
        header.push(format!("{}m", laid.spark_w));
    }
    if laid.time_w > 0 {
        header.push(fit(headers[6], laid.time_w));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block(title, focused, theme))
        .column_spacing(1);
    f.render_widget(table, area);
}
