//! The timeline: an lnav-style histogram of the failures the filter shows over their span, one
//! cell per minute (or per few minutes when the span is longer than the line), cells holding a
//! failure nobody was told of marked; below it the span's ends, where the server's behaviour
//! changed (`▲`) and where the selected failure is (`^`). A click on a cell goes to its time.

use chrono::{DateTime, Duration, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::App;
use super::theme::Theme;
use crate::feed::Feed;
use crate::i18n::strings;
use crate::store::Store;

/// The last timeline drawn, by the store's generation and the width: a render reads state only,
/// so the dashboard hands this in.
#[derive(Debug, Default)]
pub struct Memo(std::cell::RefCell<Option<((u64, usize), Option<Timeline>)>>);

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_BARS: [char; 8] = ['.', '.', ':', ':', '|', '|', '#', '#'];

/// The histogram of the failures shown, over `cells` cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Minutes each cell covers.
    pub minutes_per_cell: i64,
    pub counts: Vec<u32>,
    /// Cells holding a failure nobody was told of.
    pub untold: Vec<bool>,
    /// Cells where the server's era changed (seen over every failure stored).
    pub changes: Vec<usize>,
    /// The cell of the selected failure.
    pub selected: Option<usize>,
}

impl Timeline {
    /// Over the failures the filter shows, drawn again only when the store or the width changed
    /// (`memo` keeps the last one); the selected failure's cell is placed every time.
    pub fn cached(
        store: &Store,
        selected: Option<u64>,
        cells: usize,
        memo: &Memo,
    ) -> Option<Timeline> {
        let key = (store.generation(), cells);
        let mut memo = memo.0.borrow_mut();
        let mut t = match &*memo {
            Some((k, t)) if *k == key => t.clone(),
            _ => {
                let t = Timeline::build(store, None, cells);
                *memo = Some((key, t.clone()));
                t
            }
        }?;
        t.selected = selected
            .and_then(|seq| store.get(seq))
            .filter(|f| store.view_contains(f.seq))
            .and_then(|f| t.cell_of(f.at));
        Some(t)
    }

    /// Over the failures the filter shows; `None` when it shows none.
    pub fn build(store: &Store, selected: Option<u64>, cells: usize) -> Option<Timeline> {
        let cells = cells.max(1);
        let first = store.view_get(0)?.at;
        let last = store.view_get(store.view_len().checked_sub(1)?)?.at;
        let start = floor_minute(first.min(last));
        let span_minutes = (floor_minute(last.max(first)) - start).num_minutes() + 1;
        let minutes_per_cell = (span_minutes as usize).div_ceil(cells).max(1) as i64;
        let used = (span_minutes as usize)
            .div_ceil(minutes_per_cell as usize)
            .min(cells);
        let mut t = Timeline {
            start,
            end: last.max(first),
            minutes_per_cell,
            counts: vec![0; used],
            untold: vec![false; used],
            changes: Vec::new(),
            selected: None,
        };
        for f in store.view_iter() {
            if let Some(c) = t.cell_of(f.at) {
                t.counts[c] = t.counts[c].saturating_add(1);
                t.untold[c] |= f.heard().is_untold();
                if Some(f.seq) == selected {
                    t.selected = Some(c);
                }
            }
        }
        let mut era = None;
        for f in store.iter() {
            if era.is_some_and(|e| e != f.era) {
                if let Some(c) = t.cell_of(f.at) {
                    if t.changes.last() != Some(&c) {
                        t.changes.push(c);
                    }
                }
            }
            era = Some(f.era);
        }
        Some(t)
    }

    /// The cell a time falls in, if within the span.
    pub fn cell_of(&self, at: DateTime<Utc>) -> Option<usize> {
        let minutes = (at - self.start).num_minutes();
        let c = usize::try_from(minutes.div_euclid(self.minutes_per_cell)).ok()?;
        (c < self.counts.len()).then_some(c)
    }

    /// When a cell starts.
    pub fn time_of(&self, cell: usize) -> DateTime<Utc> {
        self.start + Duration::minutes(self.minutes_per_cell * cell as i64)
    }
}

/// `09:50`: the minute in the zone shown.
fn hm(app: &App, t: DateTime<Utc>) -> String {
    app.tz.time_of_day(t).chars().take(5).collect()
}

fn floor_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp().div_euclid(60) * 60, 0).unwrap_or(t)
}

/// The cells a timeline gets in an area (its label takes the left).
pub fn cells(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(LABEL as u16))
}

/// `HH:MM ` before the bars.
pub const LABEL: usize = 6;

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let s = strings(app.lang);
    let store = feed.pipeline.store();
    let Some(t) = Timeline::cached(store, app.selected, cells(area), &app.timeline_memo) else {
        f.render_widget(
            Paragraph::new(Line::styled(format!("{}: -", s.timeline), theme.dim())),
            area,
        );
        return;
    };
    let bars = if app.ascii { ASCII_BARS } else { BARS };
    let max = t.counts.iter().copied().max().unwrap_or(0).max(1);
    let mut top = vec![Span::styled(
        format!("{:<LABEL$}", hm(app, t.start)),
        theme.dim(),
    )];
    for (c, &n) in t.counts.iter().enumerate() {
        let glyph = if n == 0 {
            ' '
        } else {
            bars[((n as usize * (bars.len() - 1)) / max as usize).min(bars.len() - 1)]
        };
        let style = if t.untold[c] {
            theme.alert()
        } else {
            theme.good()
        };
        top.push(Span::styled(glyph.to_string(), style));
    }
    let mut marks: Vec<char> = t
        .untold
        .iter()
        .map(|&u| match (u, app.ascii) {
            (false, _) => ' ',
            (true, false) => '✗',
            (true, true) => 'x',
        })
        .collect();
    for &c in &t.changes {
        marks[c] = if app.ascii { '^' } else { '▲' };
    }
    if let Some(c) = t.selected {
        marks[c] = if app.ascii { '*' } else { '┴' };
    }
    let scale = if t.minutes_per_cell == 1 {
        s.timeline_per_minute.to_owned()
    } else {
        s.timeline_per_minutes
            .replace("{}", &t.minutes_per_cell.to_string())
    };
    let mut bottom = vec![Span::styled(format!("{:<LABEL$}", ""), theme.dim())];
    bottom.push(Span::styled(marks.iter().collect::<String>(), theme.warn()));
    let (lost, change, here) = match app.ascii {
        false => ("✗", "▲", "┴"),
        true => ("x", "^", "*"),
    };
    let legend = format!(
        " → {} · {scale} · {lost} {} · {change} {} · {here} {}",
        hm(app, t.end),
        s.timeline_lost,
        s.timeline_change,
        s.timeline_selected
    );
    bottom.push(Span::styled(legend, theme.dim()));
    let lines = if area.height >= 2 {
        vec![Line::from(top), Line::from(bottom)]
    } else {
        vec![Line::from(top)]
    };
    f.render_widget(Paragraph::new(lines), area);
}
