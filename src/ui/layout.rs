//! Where each panel goes, as a pure function of the terminal size (shared by rendering and mouse).

use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// The timeline above the failures (empty on small terminals).
    pub timeline: Rect,
    pub failures: Rect,
    pub reasons: Rect,
    pub sessions: Rect,
    pub footer: Rect,
}

impl Areas {
    /// `banner`: an alert fired and is not acknowledged, a header line of its own.
    pub fn new(size: Rect, editing_filter: bool, banner: bool) -> Areas {
        let footer_height = if editing_filter { 2 } else { 1 };
        // The timeline needs two lines; below 20 rows the lists need them more.
        let timeline_height = if size.height >= 20 { 2 } else { 0 };
        let [header, timeline, body, footer] = Layout::vertical([
            Constraint::Length(if banner { 3 } else { 2 }),
            Constraint::Length(timeline_height),
            Constraint::Min(3),
            Constraint::Length(footer_height),
        ])
        .areas(size);
        // Side panels need a border, a header and two rows each, and 20 columns; below that
        // the failures take the whole body rather than sharing it with empty boxes.
        const PANEL_MIN_ROWS: u16 = 5;
        const PANEL_MIN_COLS: u16 = 20;
        let (failures, reasons, sessions) = if size.width >= 140
            && body.height >= 2 * PANEL_MIN_ROWS
        {
            let [f, s] =
                Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                    .areas(body);
            let [r, se] =
                Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(s);
            (f, r, se)
        } else {
            let [f, s] = Layout::vertical([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(body);
            if s.height < PANEL_MIN_ROWS || s.width < 2 * PANEL_MIN_COLS {
                (body, Rect::default(), Rect::default())
            } else {
                let [r, se] =
                    Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                        .areas(s);
                (f, r, se)
            }
        };
        Areas {
            header,
            timeline,
            failures,
            reasons,
            sessions,
            footer,
        }
    }
}

/// A centred rectangle for overlays.
pub fn centered(area: Rect, width_pct: u16, height_pct: u16) -> Rect {
    let w = (area.width * width_pct / 100).max(area.width.min(60));
    let h = (area.height * height_pct / 100).max(area.height.min(12));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small terminals drop the side panels instead of drawing boxes with no row in them.
    #[test]
    fn small_terminals_give_the_failures_the_whole_body() {
        for (w, h) in [(50, 12), (30, 8), (38, 24)] {
            let a = Areas::new(Rect::new(0, 0, w, h), false, false);
            assert_eq!(a.reasons.area() + a.sessions.area(), 0, "{w}x{h}");
            assert_eq!(a.failures.width, w, "{w}x{h}");
        }
        for (w, h) in [(80, 24), (60, 16), (160, 40)] {
            let a = Areas::new(Rect::new(0, 0, w, h), false, false);
            assert!(a.reasons.height >= 5 && a.sessions.height >= 5, "{w}x{h}");
        }
    }

    #[test]
    fn panels_tile_the_screen_at_any_size() {
        for (w, h) in [(80, 24), (200, 60), (20, 5), (1, 1), (0, 0)] {
            let a = Areas::new(Rect::new(0, 0, w, h), true, w % 2 == 0);
            for r in [
                a.header, a.timeline, a.failures, a.reasons, a.sessions, a.footer,
            ] {
                assert!(r.right() <= w && r.bottom() <= h, "{w}x{h}: {r:?}");
            }
            let c = centered(Rect::new(0, 0, w, h), 80, 80);
            assert!(c.right() <= w && c.bottom() <= h);
        }
    }
}
