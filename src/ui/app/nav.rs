//! Moving around: the selection, follow and pause, paging, keeping the selected row on screen,
//! clicks, and jumps to the next lost notification.

use ratatui::layout::{Position, Rect};

use super::{App, Overlay, Panel};
use crate::i18n::strings;
use crate::store::Store;

impl App {
    pub(super) fn table_rows(&self) -> usize {
        // Block borders and the header row.
        usize::from(self.areas().failures.height.saturating_sub(3)).max(1)
    }

    /// The rows the open overlay shows at once: what a page of it is.
    pub(super) fn overlay_page(&self) -> usize {
        crate::ui::overlay_area(self.overlay, self.size)
            .map_or(1, |area| crate::ui::scroll_view::inner(area).1.max(1))
    }

    pub(super) fn pause(&mut self, store: &Store) {
        self.follow = false;
        self.failures_at_pause = store.agg.failures;
        self.matching_at_pause = store.matched_total();
        self.new_while_paused = 0;
        self.new_matching = 0;
    }

    pub(super) fn resume(&mut self, store: &Store) {
        self.follow = true;
        self.new_while_paused = 0;
        self.new_matching = 0;
        self.sync_store(store);
    }

    pub(super) fn page_len(&self) -> usize {
        match self.focus {
            Panel::Failures => self.table_rows(),
            _ => 10,
        }
    }

    fn selected_index(&self, store: &Store) -> Option<usize> {
        let seq = self.selected?;
        let i = store.view_position(seq);
        (i < store.view_len()).then_some(i)
    }

    pub(super) fn move_by(&mut self, store: &Store, delta: isize) {
        let current = match self.focus {
            Panel::Failures => self.selected_index(store).unwrap_or(store.view_len()),
            Panel::Reasons => self.reason_cursor,
            Panel::Groups => self.group_cursor,
            Panel::Sessions => self.session_cursor,
            Panel::Workspaces => self.workspace_cursor,
        };
        self.move_to(store, current.saturating_add_signed(delta));
    }

    pub(super) fn move_to(&mut self, store: &Store, index: usize) {
        match self.focus {
            Panel::Failures => {
                let len = store.view_len();
                if len == 0 {
                    return;
                }
                let index = index.min(len - 1);
                // Scrolling back pauses; reaching the bottom while scrolling down resumes.
                if index + 1 == len && self.selected_index(store) != Some(index) && !self.follow {
                    self.resume(store);
                    return;
                }
                if self.follow && index + 1 < len {
                    self.pause(store);
                }
                self.selected = store.view_get(index).map(|f| f.seq);
                self.clamp(store);
            }
            Panel::Reasons => {
                let n = self.reasons_agg(store).by_reason.len();
                self.reason_cursor = index.min(n.saturating_sub(1));
            }
            Panel::Groups => {
                let n = self.group_count(store);
                self.group_cursor = index.min(n.saturating_sub(1));
            }
            Panel::Sessions => {
                let n = self.panel_agg(store).sessions.len();
                self.session_cursor = index.min(n.saturating_sub(1));
            }
            Panel::Workspaces => {
                let n = self.panel_agg(store).workspaces.len();
                self.workspace_cursor = index.min(n.saturating_sub(1));
            }
        }
    }

    /// The next or previous failure in the view, with the detail view kept open.
    pub(super) fn step_detail(&mut self, store: &Store, delta: isize) {
        let Some(i) = self.selected_index(store) else {
            return;
        };
        let target = i
            .saturating_add_signed(delta)
            .min(store.view_len().saturating_sub(1));
        if target != i {
            if self.follow {
                self.pause(store);
            }
            self.selected = store.view_get(target).map(|f| f.seq);
            self.detail_scroll = 0;
            self.clamp(store);
        }
    }

    /// Keep the selected row inside the visible window.
    pub(super) fn clamp(&mut self, store: &Store) {
        let rows = self.table_rows();
        let Some(i) = self.selected_index(store) else {
            return;
        };
        if i < self.offset {
            self.offset = i;
        } else if i >= self.offset + rows {
            self.offset = i + 1 - rows;
        }
    }

    /// The next (or previous) lost notification in the view, wrapping around the ends with a
    /// message; in the detail view it stays open on the one found.
    pub(super) fn jump_to_lost(&mut self, store: &Store, forward: bool) {
        let len = store.view_len();
        let start = self.selected_index(store);
        let lost = |i: &usize| store.view_get(*i).is_some_and(|f| f.is_dropped());
        let (found, wrapped) = match (forward, start) {
            (true, Some(s)) => match (s + 1..len).find(lost) {
                Some(i) => (Some(i), false),
                None => ((0..=s).find(lost), true),
            },
            (false, Some(s)) => match (0..s).rev().find(lost) {
                Some(i) => (Some(i), false),
                None => ((s..len).rev().find(lost), true),
            },
            (true, None) => ((0..len).find(lost), false),
            (false, None) => ((0..len).rev().find(lost), false),
        };
        let s = strings(self.lang);
        match found {
            Some(i) => {
                if self.overlay != Overlay::Detail {
                    self.focus = Panel::Failures;
                }
                if self.follow {
                    self.pause(store);
                }
                self.selected = store.view_get(i).map(|f| f.seq);
                self.detail_scroll = 0;
                self.clamp(store);
                // Where this one stands among all of them: "lost notification 3 of 31".
                let before = (0..i).filter(lost).count();
                let total = before + 1 + (i + 1..len).filter(lost).count();
                let wrap = match (wrapped, forward) {
                    (false, _) => "",
                    (true, true) => s.wrapped_to_first,
                    (true, false) => s.wrapped_to_last,
                };
                self.status = Some(format!(
                    "{} {} / {total}{wrap}",
                    s.lost_position,
                    before + 1
                ));
            }
            None => self.status = Some(s.no_lost_shown.into()),
        }
    }

    pub(super) fn click(&mut self, store: &Store, x: u16, y: u16) {
        if self.overlay != Overlay::None {
            return;
        }
        let areas = self.areas();
        let p = Position::new(x, y);
        if areas.timeline.contains(p) {
            // A cell of the timeline: go to the first failure shown in it.
            let cells = crate::ui::timeline::cells(areas.timeline);
            let t = crate::ui::timeline::Timeline::build(store, self.selected, cells);
            let cell = usize::from(x - areas.timeline.x).checked_sub(crate::ui::timeline::LABEL);
            if let (Some(t), Some(cell)) = (t, cell) {
                if cell < t.counts.len() {
                    let at = t.time_of(cell);
                    self.goto(
                        store,
                        &at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    );
                }
            }
        } else if areas.failures.contains(p) {
            self.focus = Panel::Failures;
            let first_row = areas.failures.y + 2;
            if y >= first_row && y < areas.failures.bottom().saturating_sub(1) {
                let index = self.offset + usize::from(y - first_row);
                if index < store.view_len() {
                    if self.follow {
                        self.pause(store);
                    }
                    self.selected = store.view_get(index).map(|f| f.seq);
                }
            }
        } else if areas.reasons.contains(p) {
            self.focus = self.side;
            self.click_panel(store, areas.reasons, x, y);
        } else if areas.sessions.contains(p) {
            self.focus = self.below;
            self.click_panel(store, areas.sessions, x, y);
        }
    }

    /// A click in the focused list panel drawn in `area`: on the header row (the one after the
    /// top border) it sorts by that column, or turns the order over when it already sorts by
    /// it; on a row it moves the cursor there.
    fn click_panel(&mut self, store: &Store, area: Rect, x: u16, y: u16) {
        use crate::ui::{groups, page, reasons, sessions, workspaces};
        if y == area.y + 1 {
            match self.focus {
                Panel::Reasons => {
                    if let Some(key) = reasons::sort_at(self, store, area, x) {
                        self.reason_sort.by(key);
                        self.reason_cursor = 0;
                    }
                }
                Panel::Groups => {
                    if let Some(key) = groups::sort_at(self, store, area, x) {
                        self.group_sort.by(key);
                        self.group_cursor = 0;
                    }
                }
                Panel::Sessions => {
                    if let Some(key) = sessions::sort_at(self, store, area, x) {
                        self.session_sort.by(key);
                        self.session_cursor = 0;
                    }
                }
                Panel::Workspaces => {
                    if let Some(key) = workspaces::sort_at(self, store, area, x) {
                        self.workspace_sort.by(key);
                        self.workspace_cursor = 0;
                    }
                }
                Panel::Failures => {}
            }
        } else if y >= area.y + 2 {
            // The row on screen: the page starts where the panel draws it.
            let cursor = match self.focus {
                Panel::Reasons => self.reason_cursor,
                Panel::Groups => self.group_cursor,
                Panel::Workspaces => self.workspace_cursor,
                _ => self.session_cursor,
            };
            let (first, rows) = page(cursor, area);
            let row = usize::from(y - area.y - 2);
            if row < rows {
                self.move_to(store, first + row);
            }
        }
    }
}
