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
    /// Cells where the server's era changed (as failures arrived).
    pub changes: Vec<usize>,
    /// The cell of the selected failure.
    pub selected: Option<usize>,
}

impl Timeline {
    /// Over the failures the filter shows (their per-minute counts, kept as they arrive: no
    /// failure is read to draw it); `None` when it shows none.
    pub fn build(store: &Store, selected: Option<u64>, cells: usize) -> Option<Timeline> {
        let agg = store.view_agg().unwrap_or(&store.agg);
        let cells = cells.max(1);
        let (&first, _) = agg.by_minute.iter().find(|(_, &n)| n > 0)?;
        let (&last, _) = agg.by_minute.iter().rev().find(|(_, &n)| n > 0)?;
        let start = DateTime::from_timestamp(first * 60, 0)?;
        let span_minutes = last - first + 1;
        let minutes_per_cell = (span_minutes as usize).div_ceil(cells).max(1) as i64;
        let used = (span_minutes as usize)
            .div_ceil(minutes_per_cell as usize)
            .min(cells);
        let mut t = Timeline {
            start,
            end: DateTime::from_timestamp(last * 60, 0)?,
            minutes_per_cell,
            counts: vec![0; used],
            untold: vec![false; used],
            changes: Vec::new(),
            selected: None,
        };
        let cell = |minute: i64| ((minute - first) / minutes_per_cell) as usize;
        for (&minute, &n) in &agg.by_minute {
            if let Some(c) = t.counts.get_mut(cell(minute)) {
                *c = c.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            }
        }
        for (&minute, &n) in &agg.untold_by_minute {
            if let Some(u) = t.untold.get_mut(cell(minute)) {
                *u |= n > 0;
            }
        }
        for change in store.era_changes() {
            if let Some(c) = t.cell_of(change.at) {
                if t.changes.last() != Some(&c) {
                    t.changes.push(c);
                }
            }
        }
        t.selected = selected
            .filter(|&seq| store.view_contains(seq))
            .and_then(|seq| store.get(seq))
            .and_then(|f| t.cell_of(f.at));
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
    let Some(t) = Timeline::build(store, app.selected, cells(area)) else {
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
