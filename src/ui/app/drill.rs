//! Narrowing and widening the view as k9s does: enter on a panel's row adds its term to the
//! filter (one level deeper), esc goes back a level; the report of what is shown; going to a
//! time.

use super::{App, Effect, Panel};
use crate::catalog::code_or_none;
use crate::feed::Feed;
use crate::i18n::strings;
use crate::store::Store;
use crate::ui::filter_edit::FilterEdit;

impl App {
    /// The term that narrows the filter to the focused panel's row.
    pub(super) fn drill_term(&self, store: &Store) -> Option<String> {
        match self.focus {
            Panel::Failures => None,
            Panel::Reasons => self
                .reason_row(store)
                .map(|(c, _)| format!("reason:{}", code_or_none(c))),
            Panel::Groups => self.group_row(store).map(|(id, _)| format!("group:{id}")),
            Panel::Sessions => self
                .session_row(store)
                .map(|(id, _)| format!("session:{id}")),
            Panel::Workspaces => self
                .workspace_row(store)
                .map(|(id, _)| format!("workspace:{id}")),
        }
    }

    /// The panels' cursors within what they list now (the counts follow the filter).
    pub(super) fn clamp_cursors(&mut self, store: &Store) {
        let agg = self.panel_agg(store);
        let last = |n: usize| n.saturating_sub(1);
        let reasons = self.reasons_agg(store).by_reason.len();
        self.reason_cursor = self.reason_cursor.min(last(reasons));
        self.group_cursor = self.group_cursor.min(last(self.group_count(store)));
        self.session_cursor = self.session_cursor.min(last(agg.sessions.len()));
        self.workspace_cursor = self.workspace_cursor.min(last(agg.workspaces.len()));
    }

    /// `R`: the incident report of what the filter shows, to the clipboard and a new file.
    pub(super) fn report(&mut self, feed: &Feed) -> Option<Effect> {
        let store = feed.pipeline.store();
        let mut report = crate::output::report::Report::new();
        for f in store.iter() {
            report.see(f.at, f.era);
            if store.view_contains(f.seq) {
                report.add(f);
            }
        }
        let text = report.markdown(
            store.filter().source(),
            store.agg.failures,
            feed.pipeline.stats(),
            crate::output::Locale::new(self.lang, self.tz),
        );
        let path = crate::ui::export::report_target(&self.export_to, chrono::Utc::now());
        let job = crate::ui::export::Job {
            path,
            lines: text.lines().map(str::to_owned).collect(),
            replace: false,
            report: true,
            make_dir: false,
        };
        Some(Effect::Report(text, job))
    }

    /// The time-to-go-to line: enter selects the first failure shown at or after it.
    pub(super) fn edit_goto(&mut self, store: &Store, e: FilterEdit) {
        let Some(editor) = self.goto_editor.as_mut() else {
            return;
        };
        match e {
            FilterEdit::Apply => {
                let typed = editor.text().trim().to_owned();
                self.goto_editor = None;
                self.goto(store, &typed);
            }
            FilterEdit::Cancel => self.goto_editor = None,
            edit => {
                editor.edit(edit);
            }
        }
    }

    /// Select the first failure shown at or after `typed` (a time of day or an instant, read
    /// as the filter reads `since:`).
    pub fn goto(&mut self, store: &Store, typed: &str) {
        let s = strings(self.lang);
        let typed = typed.strip_prefix("goto").unwrap_or(typed).trim();
        let Some(at) =
            crate::filter::When::parse(typed).and_then(|w| w.resolve(store.now(), self.tz))
        else {
            self.status = Some(s.goto_bad.into());
            return;
        };
        let i = store.view_first_at_or_after(at);
        match store.view_get(i) {
            Some(f) => {
                if self.follow {
                    self.pause(store);
                }
                self.focus = Panel::Failures;
                self.selected = Some(f.seq);
                self.clamp(store);
                self.status = Some(format!("{} {}", s.goto_at, self.tz.date_time(f.at)));
            }
            None => self.status = Some(s.goto_none.into()),
        }
    }
}
