//! The failures table. Only the visible rows are touched, whatever the store holds.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::app::{App, Panel};
use super::text::{fit, highlight, widest};
use super::theme::Theme;
use super::{block, short_id};
use crate::catalog;
use crate::enrich::{Failure, Told};
use crate::feed::Feed;
use crate::i18n::strings;
use crate::routing::{Notice, Outcome, Route, Why};
use crate::source::status::Gap;
use crate::store::Store;

/// Column widths of the table for the rows shown: the error gets what is left once the
/// reason's label is whole; the code and agent columns appear only when they fit whole and the
/// error keeps a comfortable width.
struct Columns {
    reason: usize,
    /// The workspace's short id, when the failures come from more than one.
    workspace: Option<usize>,
    code: Option<usize>,
    agent: Option<usize>,
    relays: usize,
    error: usize,
}

const TIME: usize = 8;
const WHERE: usize = 10;
/// A workspace's short id (8) or the header `workspace`.
const WORKSPACE: usize = 9;
/// Below this the error column takes nothing more from the reason label.
const ERROR_MIN: usize = 16;
/// The code and agent columns need the error to keep at least this much.
const ERROR_COMFORT: usize = 50;

impl Columns {
    fn new(inner: usize, labels: usize, codes: usize, relays: usize, fleet: bool) -> Columns {
        let relays = relays.max(2);
        // Five columns, four gaps (and the workspace's, with its own).
        let workspace = fleet.then_some(WORKSPACE);
        let fixed = TIME + WHERE + relays + 4 + workspace.map_or(0, |w| w + 1);
        let room = inner.saturating_sub(fixed);
        let reason = labels
            .clamp(8, 40)
            .min(room.saturating_sub(ERROR_MIN).max(8));
        let mut error = room.saturating_sub(reason);
        let code = (codes > 0 && error > ERROR_COMFORT + codes).then_some(codes);
        error -= code.map_or(0, |c| c + 1);
        let agent = (error >= ERROR_COMFORT + 40 + 9).then_some(8);
        error -= agent.map_or(0, |a| a + 1);
        Columns {
            reason,
            workspace,
            code,
            agent,
            relays,
            error,
        }
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let store = feed.pipeline.store();
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
    let offset = app
        .offset
        .min(store.view_len().saturating_sub(rows_visible));
    let shown: Vec<&Failure> = store.view_range(offset, rows_visible).collect();
    if shown.is_empty() {
        let text = if filtered && store.stored() > 0 {
            s.no_match
        } else {
            s.no_failures
        };
        let msg = ratatui::widgets::Paragraph::new(format!(" {text}")).block(block);
        f.render_widget(msg, area);
        return;
    }
    let family = feed.pipeline.enricher().family().0;
    let relays: String = family.relays().iter().map(|r| r.letter()).collect();
    let labels: Vec<String> = shown.iter().map(|f| reason_label(f, app.lang).0).collect();
    let cols = Columns::new(
        usize::from(area.width.saturating_sub(2)),
        widest(labels.iter().map(String::as_str).chain([s.reason])),
        widest(shown.iter().map(|f| catalog::code_or_none(f.reason_code()))),
        relays.len(),
        store.agg.workspaces.several(),
    );
    let words = store.filter().words();
    let gaps = feed.status.as_ref().map_or(&[][..], |s| &s.gaps[..]);
    let mut rows: Vec<Row> = Vec::with_capacity(rows_visible + 2);
    let mut selected_row = None;
    let mut prev_at = None;
    for failure in shown {
        // A disconnect between two rows is shown where it happened: events may be missing there.
        for g in gaps
            .iter()
            .filter(|g| prev_at.is_some_and(|p| g.from >= p) && g.from < failure.at)
        {
            rows.push(gap_row(g, app, theme, &cols));
        }
        prev_at = Some(failure.at);
        let row = row(failure, app, theme, &cols, &words, store);
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
    let len = |n: usize| Constraint::Length(n as u16);
    let mut widths = vec![len(TIME)];
    let time_header = format!("{} {}", s.time, app.tz.abbrev(store.now()));
    let mut header = vec![fit(&time_header, TIME)];
    if let Some(w) = cols.workspace {
        widths.push(len(w));
        header.push(fit(s.t_workspace, w));
    }
    widths.push(len(cols.reason));
    header.push(fit(s.reason, cols.reason));
    if let Some(w) = cols.code {
        widths.push(len(w));
        header.push(fit(s.code, w));
    }
    if let Some(w) = cols.agent {
        widths.push(len(w));
        header.push(fit(s.agent, w));
    }
    widths.extend([
        len(WHERE),
        len(cols.relays),
        Constraint::Min(cols.error as u16),
    ]);
    header.extend([fit(s.target, WHERE), relays, s.error.to_owned()]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .block(block)
        .column_spacing(1);
    f.render_widget(table, area);
}

/// A reason as the table names it, and whether it is known (unknown ones show their code).
fn reason_label(f: &Failure, lang: crate::catalog::Lang) -> (String, bool) {
    let d = catalog::describe(f.reason_code(), lang);
    if d.known || d.missing {
        (d.texts.label.to_owned(), true)
    } else {
        (format!("⚠ {}", f.reason_code()), false)
    }
}

fn gap_row(g: &Gap, app: &App, theme: &Theme, cols: &Columns) -> Row<'static> {
    let s = strings(app.lang);
    let span = format!(
        "{} {} ({})",
        crate::output::gap_span(g, crate::output::Locale::new(app.lang, app.tz)),
        s.events_may_be_missing,
        g.why
    );
    let mut cells = vec![Cell::from(app.tz.time_of_day(g.from))];
    if cols.workspace.is_some() {
        cells.push(Cell::from(""));
    }
    cells.push(Cell::from(fit(s.disconnected_row, cols.reason)));
    let blanks = 2 + usize::from(cols.code.is_some()) + usize::from(cols.agent.is_some());
    cells.extend((0..blanks).map(|_| Cell::from("")));
    cells.push(Cell::from(fit(&span, cols.error)));
    Row::new(cells).style(theme.alert())
}

/// An inbox push outside any chat (WeCom to an issue's subscribers), in the relay's cell.
pub const INBOX_MARK: char = '✉';
pub const INBOX_MARK_ASCII: char = '@';

/// One cell per relay: the outcome's mark, `_` where the session is not bound to it, or the
/// inbox mark where the relay pushed the failure to members instead.
pub fn route_mark(r: &Route, inbox: Option<Notice>, ascii: bool) -> char {
    if inbox.is_some_and(|n| n.relay == r.relay) {
        if ascii {
            INBOX_MARK_ASCII
        } else {
            INBOX_MARK
        }
    } else if r.why == Why::NotBound {
        '_'
    } else if ascii {
        r.outcome.ascii()
    } else {
        r.outcome.glyph()
    }
}

/// One failure's row; the filter's `words` are highlighted in the error shown.
fn row<'a>(
    f: &'a Failure,
    app: &App,
    theme: &Theme,
    cols: &Columns,
    words: &[String],
    store: &Store,
) -> Row<'a> {
    let d = catalog::describe(f.reason_code(), app.lang);
    let (label, known) = reason_label(f, app.lang);
    let style = if !known {
        theme.warn()
    } else if d.missing {
        theme.dim()
    } else {
        theme.reason(d.kind == catalog::ReasonKind::Agent)
    };
    let label = if known {
        fit(&label, cols.reason)
    } else {
        super::text::fit_tail("⚠ ", f.reason_code(), cols.reason)
    };
    let label = Span::styled(label, style);
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
                route_mark(r, f.inbox, app.ascii).to_string(),
                match f.inbox {
                    Some(n) if n.relay == r.relay => theme.outcome(Outcome::NotifiedGeneric),
                    _ => theme.outcome(r.outcome),
                },
            )
        })
        .collect();
    let s = strings(app.lang);
    // No blank cell without a word: say why there is no text.
    let error = match (f.error(), f.told) {
        (Some(e), _) => Line::from(highlight(
            &fit(&e.replace(['\n', '\t'], " "), cols.error),
            words,
            Style::new(),
            theme.hit(),
        )),
        (None, Told::Withheld { .. }) => {
            Line::from(Span::styled(fit(s.withheld, cols.error), theme.dim()))
        }
        // An upstream attempt that will be retried carries no text on purpose.
        _ if f.retry_pending == Some(true) => Line::from(Span::styled(
            fit(&retry_pending_text(f, s), cols.error),
            theme.dim(),
        )),
        _ => Line::from(Span::styled(fit(s.no_error_text, cols.error), theme.dim())),
    };
    let mut cells = vec![Cell::from(app.tz.time_of_day(f.at))];
    if let Some(width) = cols.workspace {
        // Its name when the API gave one, else its short id.
        let w = f.workspace.as_deref().map_or("-".to_owned(), |w| {
            fit(
                store.workspace_name(w).unwrap_or_else(|| short_id(w)),
                width,
            )
        });
        cells.push(Cell::from(Span::styled(w, theme.dim())));
    }
    cells.push(Cell::from(Line::from(label)));
    if let Some(w) = cols.code {
        cells.push(Cell::from(Span::styled(
            fit(catalog::code_or_none(f.reason_code()), w),
            theme.dim(),
        )));
    }
    if cols.agent.is_some() {
        cells.push(Cell::from(
            f.agent_id.as_deref().map(short_id).unwrap_or("-"),
        ));
    }
    cells.extend([
        Cell::from(Line::from(target)),
        Cell::from(Line::from(routes)),
        Cell::from(error).style(Style::new()),
    ]);
    Row::new(cells)
}

/// `retry pending · attempt 1: …`: the server's attempt count when its API told, else the place
/// in the retry chain the frames show.
pub fn retry_pending_text(f: &crate::enrich::Failure, s: &crate::i18n::Strings) -> String {
    let attempt = f
        .api_attempt
        .as_ref()
        .map_or(f.attempt, |a| a.attempt)
        .max(1);
    s.retry_pending_row.replace("{}", &attempt.to_string())
}
