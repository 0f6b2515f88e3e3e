//! What copying takes: the focused thing as its most useful text (`c`), or the one thing chosen
//! in the copy menu (`y`). Every text is already redacted and clean: it comes from the store.

use super::{App, CopyTarget, Panel};
use crate::catalog::code_or_none;
use crate::store::Store;

impl App {
    /// `c`: the selected failure as JSON, the reason code, or the session id, by focus.
    pub(super) fn copy_focused(&self, store: &Store) -> Option<String> {
        match self.focus {
            Panel::Failures => self.copy_text(store, CopyTarget::Json),
            Panel::Reasons => self.copy_text(store, CopyTarget::ReasonCode),
            Panel::Groups => self.group_row(store).map(|(id, _)| id.to_string()),
            Panel::Sessions => self.copy_text(store, CopyTarget::SessionId),
            Panel::Workspaces => self.workspace_row(store).map(|(id, _)| id.to_string()),
        }
    }

    /// Why a copy-menu choice has nothing to copy: no failure selected, or this one has none
    /// of that.
    pub(super) fn copy_missing(&self, store: &Store, target: CopyTarget) -> &'static str {
        let s = crate::i18n::strings(self.lang);
        let selected = self.shown(store).is_some();
        match target {
            CopyTarget::LostSessions => s.copy_no_lost,
            CopyTarget::SessionId if self.focus == Panel::Sessions || selected => s.copy_no_session,
            _ if !selected => s.nothing_selected,
            CopyTarget::Error => s.copy_no_error,
            CopyTarget::TaskId => s.copy_no_task,
            CopyTarget::SessionId | CopyTarget::ReasonCode | CopyTarget::Json => s.nothing_selected,
        }
    }

    /// The text of one copy-menu choice, if there is one.
    pub(super) fn copy_text(&self, store: &Store, target: CopyTarget) -> Option<String> {
        // Only a failure the filter shows: a hidden one is never acted on.
        let failure = self.shown(store);
        match target {
            CopyTarget::Error => failure?.error().map(str::to_owned),
            CopyTarget::TaskId => failure?.task_id.as_deref().map(str::to_owned),
            CopyTarget::Json => Some(crate::output::failure_line(failure?, self.lang)),
            CopyTarget::SessionId => match self.focus {
                Panel::Sessions => self.session_row(store).map(|(id, _)| id.to_string()),
                _ => failure?.session.as_deref().map(str::to_owned),
            },
            CopyTarget::ReasonCode => match self.focus {
                Panel::Reasons => self
                    .reason_row(store)
                    .map(|(code, _)| code_or_none(code).to_owned()),
                // `none` when the failure carried no reason: it pastes as a filter term.
                _ => Some(code_or_none(failure?.reason_code()).to_owned()),
            },
            CopyTarget::LostSessions => {
                crate::output::report::lost_sessions(store.view_iter(), self.tz)
            }
        }
    }

    /// The copy menu's choices that have something to copy now, with their keys.
    pub fn copy_choices(&self, store: &Store) -> Vec<(char, CopyTarget)> {
        [
            ('e', CopyTarget::Error),
            ('t', CopyTarget::TaskId),
            ('s', CopyTarget::SessionId),
            ('r', CopyTarget::ReasonCode),
            ('j', CopyTarget::Json),
            ('l', CopyTarget::LostSessions),
        ]
        .into_iter()
        .filter(|(_, t)| self.copy_text(store, *t).is_some())
        .collect()
    }
}
