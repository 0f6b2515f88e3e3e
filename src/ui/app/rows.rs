//! The rows of the list panels in the order the user chose: what the panels draw and what every
//! action on a cursor's row reads (enter, space, copy), from [`crate::ui::order`] alone, so the
//! row acted on is always the row on screen.

use super::{App, Panel};
use crate::store::Store;
use crate::ui::order::{self, GroupRow, ReasonRow, SessionRow, SortKey, WorkspaceRow};

impl App {
    /// The reasons panel's rows at `start..start + len`.
    pub fn reason_rows<'a>(
        &self,
        store: &'a Store,
        start: usize,
        len: usize,
    ) -> Vec<ReasonRow<'a>> {
        let reasons = &self.reasons_agg(store).by_reason;
        order::reasons(reasons, self.reason_sort, self.lang, start, len)
    }

    /// The reason under the cursor.
    pub fn reason_row<'a>(&self, store: &'a Store) -> Option<ReasonRow<'a>> {
        self.reason_rows(store, self.reason_cursor, 1).pop()
    }

    /// The sessions panel's rows at `start..start + len`.
    pub fn session_rows<'a>(
        &self,
        store: &'a Store,
        start: usize,
        len: usize,
    ) -> Vec<SessionRow<'a>> {
        let sessions = &self.panel_agg(store).sessions;
        order::sessions(sessions, self.session_sort, start, len)
    }

    /// The session under the cursor.
    pub fn session_row<'a>(&self, store: &'a Store) -> Option<SessionRow<'a>> {
        self.session_rows(store, self.session_cursor, 1).pop()
    }

    /// The groups panel's rows at `start..start + len`.
    pub fn group_rows<'a>(&self, store: &'a Store, start: usize, len: usize) -> Vec<GroupRow<'a>> {
        order::groups(&self.panel_agg(store).groups, self.group_sort, start, len)
    }

    /// The group under the cursor.
    pub fn group_row<'a>(&self, store: &'a Store) -> Option<GroupRow<'a>> {
        self.group_rows(store, self.group_cursor, 1).pop()
    }

    /// How many rows the groups panel lists.
    pub fn group_count(&self, store: &Store) -> usize {
        self.panel_agg(store).groups.listed().count()
    }

    /// The workspaces panel's rows at `start..start + len`.
    pub fn workspace_rows<'a>(
        &self,
        store: &'a Store,
        start: usize,
        len: usize,
    ) -> Vec<WorkspaceRow<'a>> {
        let workspaces = &self.panel_agg(store).workspaces;
        order::workspaces(workspaces, self.workspace_sort, start, len)
    }

    /// The workspace under the cursor.
    pub fn workspace_row<'a>(&self, store: &'a Store) -> Option<WorkspaceRow<'a>> {
        self.workspace_rows(store, self.workspace_cursor, 1).pop()
    }

    /// `o` (`reverse`: `O`) on the focused panel; the cursor goes to the top of the new order.
    pub(super) fn change_sort(&mut self, reverse: bool) {
        fn change<K: SortKey>(sort: &mut order::Sort<K>, reverse: bool) {
            if reverse {
                sort.reverse();
            } else {
                sort.cycle();
            }
        }
        match self.focus {
            Panel::Reasons => {
                change(&mut self.reason_sort, reverse);
                self.reason_cursor = 0;
            }
            Panel::Sessions => {
                change(&mut self.session_sort, reverse);
                self.session_cursor = 0;
            }
            Panel::Groups => {
                change(&mut self.group_sort, reverse);
                self.group_cursor = 0;
            }
            Panel::Workspaces => {
                change(&mut self.workspace_sort, reverse);
                self.workspace_cursor = 0;
            }
            Panel::Failures => {}
        }
    }
}
