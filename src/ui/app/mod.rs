//! The dashboard's view state and what each intent does to it. Pure: no terminal and no I/O.
//! The feed owns the data; [`App::apply`] reads it and returns what must change outside the
//! view (the filter, replay, the clipboard, a file) as an [`Effect`].

mod alert_list;
mod copy;
mod drill;
mod nav;
mod rows;
#[cfg(test)]
mod tests;

use crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

pub use super::action::{Action, CopyTarget, Overlay, Panel};
use super::filter_edit::{FilterEdit, FilterEditor};
use super::keymap::{self, Mode};
use super::layout::Areas;
use super::order::{GroupKey, ReasonKey, SessionKey, Sort, WorkspaceKey};
use crate::catalog::{code_or_none, Lang};
use crate::feed::{Feed, ReplayCmd};
use crate::filter::Filter;
use crate::i18n::strings;
use crate::store::Store;

/// What an action asks of the feed or of the outside world.
#[derive(Clone, Debug)]
pub enum Effect {
    SetFilter(Filter),
    Replay(ReplayCmd),
    /// Put this (redacted) text on the clipboard.
    Copy(String),
    /// Write the filtered view (`tail` schema) to a file, off the UI thread.
    Export(crate::ui::export::Job),
    /// The incident report: to the clipboard, and written to a file off the UI thread.
    Report(String, crate::ui::export::Job),
    /// Capture the mouse (true) or give it back to the terminal for selecting text.
    Mouse(bool),
}

/// One level of the breadcrumb: the filter before a narrowing, and what the narrowing added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub before: String,
    pub added: String,
}

pub struct App {
    pub lang: Lang,
    /// The zone times are shown in.
    pub tz: crate::tz::Zone,
    /// Filters saved in the config file, used as `@name` in the filter line.
    pub saved_filters: std::sync::Arc<std::collections::BTreeMap<String, String>>,
    pub ascii: bool,
    /// Whether the mouse is captured (off: the terminal selects text).
    pub mouse: bool,
    /// Extra keys from the config file, looked up before the tables.
    pub extra_keys: Vec<(super::keymap::Key, Action)>,
    pub focus: Panel,
    pub overlay: Overlay,
    /// The overlay to return to when the copy menu closes.
    copy_over: Overlay,
    /// Follow new failures (the newest row stays selected) unless paused.
    pub follow: bool,
    /// Selected failure by sequence number: stable while rows arrive.
    pub selected: Option<u64>,
    /// First visible row of the failures table (view index).
    pub offset: usize,
    /// Failures that arrived while paused, and how many of them match the filter.
    pub new_while_paused: u64,
    pub new_matching: u64,
    failures_at_pause: u64,
    matching_at_pause: u64,
    /// The filter line while it is being edited.
    pub filter_editor: Option<FilterEditor>,
    /// The export path while it is being chosen.
    pub export_editor: Option<FilterEditor>,
    /// A path that exists: enter on it again replaces it.
    pub export_confirm: Option<std::path::PathBuf>,
    /// Where exports go: a directory (a new file named by the time) or a file.
    pub export_to: std::path::PathBuf,
    /// Filters applied, oldest first (loaded from and saved to the state directory by the caller).
    pub filter_history: Vec<String>,
    /// A filter was applied since the history was last saved.
    pub history_changed: bool,
    /// The filters before each narrowing, oldest first: the breadcrumb, popped by esc.
    pub trail: Vec<Step>,
    /// Panels show every failure instead of following the filter.
    pub panels_all: bool,
    /// The time being typed to go to.
    pub goto_editor: Option<FilterEditor>,
    pub filter_error: Option<String>,
    /// While editing: how many stored failures the typed filter would show.
    pub filter_preview: Option<usize>,
    pub reason_cursor: usize,
    pub group_cursor: usize,
    /// The order of each list panel (`o`, `O`, a click on a column's header).
    pub reason_sort: Sort<ReasonKey>,
    pub session_sort: Sort<SessionKey>,
    pub group_sort: Sort<GroupKey>,
    pub workspace_sort: Sort<WorkspaceKey>,
    /// Alerts fired that the user has seen (acknowledged); the banner shows while more fired.
    pub alerts_seen: u64,
    pub banner: bool,
    /// What the side panel above the sessions shows: reasons or groups.
    pub side: Panel,
    pub session_cursor: usize,
    /// What the panel below the reasons shows: sessions or workspaces.
    pub below: Panel,
    pub workspace_cursor: usize,
    pub detail_scroll: u16,
    pub help_scroll: u16,
    /// How far the list of this session's alerts is scrolled (0: the newest).
    pub alerts_scroll: u16,
    pub status: Option<String>,
    /// Show where to start instead of the usual key hints (until the first key).
    pub first_run: bool,
    /// How many lines and frames had been skipped, and when that last changed.
    problems: (u64, Option<std::time::Instant>),
    pub quit: bool,
    /// Asked to stop as a shell job: the loop restores the terminal first.
    pub suspend: bool,
    /// Terminal size, kept for paging and mouse hit-testing.
    pub size: Rect,
}

impl App {
    pub fn new(lang: Lang) -> App {
        App {
            lang,
            tz: crate::tz::Zone::Utc,
            saved_filters: Default::default(),
            ascii: false,
            mouse: true,
            extra_keys: Vec::new(),
            focus: Panel::Failures,
            overlay: Overlay::None,
            copy_over: Overlay::None,
            follow: true,
            selected: None,
            offset: 0,
            new_while_paused: 0,
            new_matching: 0,
            failures_at_pause: 0,
            matching_at_pause: 0,
            filter_editor: None,
            export_editor: None,
            export_confirm: None,
            export_to: std::path::PathBuf::from("."),
            filter_history: Vec::new(),
            history_changed: false,
            trail: Vec::new(),
            panels_all: false,
            goto_editor: None,
            filter_error: None,
            filter_preview: None,
            reason_cursor: 0,
            group_cursor: 0,
            reason_sort: Sort::default(),
            session_sort: Sort::default(),
            group_sort: Sort::default(),
            workspace_sort: Sort::default(),
            alerts_seen: 0,
            banner: false,
            side: Panel::Reasons,
            session_cursor: 0,
            below: Panel::Sessions,
            workspace_cursor: 0,
            detail_scroll: 0,
            help_scroll: 0,
            alerts_scroll: 0,
            status: None,
            first_run: false,
            problems: (0, None),
            quit: false,
            suspend: false,
            size: Rect::new(0, 0, 80, 24),
        }
    }

    /// What the copy menu was opened over.
    pub fn copy_over(&self) -> Overlay {
        self.copy_over
    }

    pub fn areas(&self) -> Areas {
        Areas::new(self.size, self.editing(), self.banner)
    }

    /// A line is being edited (the filter, the export path, a time to go to).
    pub fn editing(&self) -> bool {
        self.filter_editor.is_some() || self.export_editor.is_some() || self.goto_editor.is_some()
    }

    /// What the panels count: the failures the filter shows, unless told to show everything.
    pub fn panel_agg<'a>(&self, store: &'a Store) -> &'a crate::store::Aggregates {
        match (self.panels_all, store.view_agg()) {
            (false, Some(filtered)) => filtered,
            _ => &store.agg,
        }
    }

    /// What the reasons panel counts: as the other panels, except while the filter is nothing
    /// but reasons toggled there (space): then every reason stays listed, to toggle more.
    pub fn reasons_agg<'a>(&self, store: &'a Store) -> &'a crate::store::Aggregates {
        if store.filter().is_reason_toggle_only() {
            &store.agg
        } else {
            self.panel_agg(store)
        }
    }

    /// Whether the panels are counting a filtered view.
    pub fn panels_filtered(&self, store: &Store) -> bool {
        !self.panels_all && store.view_agg().is_some()
    }

    /// The selected failure, if the filter shows it: nothing acts on a hidden one.
    pub fn shown<'a>(&self, store: &'a Store) -> Option<&'a crate::enrich::Failure> {
        self.selected
            .filter(|&seq| store.view_contains(seq))
            .and_then(|seq| store.get(seq))
    }

    /// Where keys go now.
    pub fn mode(&self) -> Mode {
        if self.editing() {
            return Mode::FilterEdit;
        }
        match (self.overlay, self.focus) {
            (Overlay::Copy, _) => Mode::Copy,
            (Overlay::Detail, _) => Mode::Detail,
            (Overlay::Help, _) => Mode::Help,
            (Overlay::Alerts, _) => Mode::Alerts,
            (Overlay::None, Panel::Failures) => Mode::Failures,
            (Overlay::None, Panel::Reasons) => Mode::Reasons,
            (Overlay::None, Panel::Groups) => Mode::Groups,
            (Overlay::None, Panel::Sessions) => Mode::Sessions,
            (Overlay::None, Panel::Workspaces) => Mode::Workspaces,
        }
    }

    pub fn action_for_key(&self, key: KeyEvent) -> Option<Action> {
        let mode = self.mode();
        if mode.reads_extra_keys() {
            let pressed = keymap::Key::of(&key);
            if let Some((_, action)) = self.extra_keys.iter().find(|(k, _)| *k == pressed) {
                return Some(*action);
            }
        }
        keymap::lookup(mode, &key)
    }

    pub fn action_for_mouse(&self, m: MouseEvent) -> Option<Action> {
        let wheel = |d| match self.overlay {
            Overlay::None => Action::Move(d),
            _ => Action::Scroll(d),
        };
        match m.kind {
            MouseEventKind::ScrollDown => Some(wheel(3)),
            MouseEventKind::ScrollUp => Some(wheel(-3)),
            MouseEventKind::Down(_) => Some(Action::Click(m.column, m.row)),
            _ => None,
        }
    }

    /// Apply an intent, then carry out what it asks of the feed; what is left for the outside
    /// world (clipboard, files) is returned.
    pub fn act(&mut self, action: Action, feed: &mut Feed) -> Option<Effect> {
        match self.apply(action, feed)? {
            Effect::SetFilter(f) => {
                feed.pipeline.store_mut().set_filter(f);
                self.after_rebuild(feed.pipeline.store());
                None
            }
            Effect::Replay(cmd) => {
                match feed.control(cmd) {
                    Ok(()) => self.after_rebuild(feed.pipeline.store()),
                    Err(_) => self.status = Some(strings(self.lang).not_a_replay.into()),
                }
                None
            }
            io => Some(io),
        }
    }

    /// Change the view state for an intent; what must change elsewhere is returned.
    pub fn apply(&mut self, action: Action, feed: &Feed) -> Option<Effect> {
        let store = feed.pipeline.store();
        self.status = None;
        self.first_run = false;
        match action {
            Action::Quit => self.quit = true,
            Action::Suspend => self.suspend = true,
            // In a replay, space pauses playback (as in lnav); live, it holds the view.
            Action::TogglePause if feed.replay_state().is_some() => {
                return Some(Effect::Replay(ReplayCmd::TogglePause))
            }
            Action::TogglePause => {
                if self.follow {
                    self.pause(store);
                } else {
                    self.resume(store);
                }
            }
            Action::Move(d) => self.move_by(store, d),
            Action::Page(d) => self.move_by(store, d * self.page_len() as isize),
            Action::Top if self.overlay != Overlay::None => self.scroll_to(0),
            Action::Bottom if self.overlay != Overlay::None => self.scroll_to(usize::MAX),
            Action::Top => self.move_to(store, 0),
            Action::Bottom => match self.focus {
                Panel::Failures => self.resume(store),
                _ => self.move_to(store, usize::MAX),
            },
            Action::OpenDetail => {
                if self.shown(store).is_some() {
                    self.overlay = Overlay::Detail;
                    self.detail_scroll = 0;
                } else {
                    self.status = Some(strings(self.lang).nothing_selected.into());
                }
            }
            Action::CloseOverlay => {
                self.overlay = match self.overlay {
                    Overlay::Copy => self.copy_over,
                    _ => Overlay::None,
                }
            }
            Action::Scroll(d) => {
                let now = usize::from(match self.overlay {
                    Overlay::Help => self.help_scroll,
                    Overlay::Alerts => self.alerts_scroll,
                    _ => self.detail_scroll,
                });
                self.scroll_to(now.saturating_add_signed(d));
            }
            Action::ScrollPage(d) => {
                let page = self.overlay_page() as isize;
                return self.apply(Action::Scroll(d * page), feed);
            }
            Action::DetailStep(d) => self.step_detail(store, d),
            Action::ToggleReason => {
                // The row of failures without a reason toggles `reason:none`.
                let code = self.reason_row(store).map(|(c, _)| code_or_none(c));
                if let Some(code) = code {
                    return self.filter_effect(&store.filter().toggle_reason(code));
                }
            }
            Action::Drill => {
                if let Some(term) = self.drill_term(store) {
                    let before = store.filter().source().to_owned();
                    let narrowed = store.filter().narrowed(&term);
                    let effect = self.filter_effect(&narrowed);
                    if effect.is_some() {
                        self.trail.push(Step {
                            before,
                            added: term,
                        });
                        self.focus = Panel::Failures;
                    }
                    return effect;
                }
            }
            Action::Back => match self.trail.pop() {
                Some(step) => return self.filter_effect(&step.before),
                None if !store.filter().is_empty() => {
                    return Some(Effect::SetFilter(Filter::default()))
                }
                None => {}
            },
            Action::TogglePanelsAll => self.panels_all = !self.panels_all,
            Action::Report => return self.report(feed),
            Action::Goto => {
                self.goto_editor = Some(FilterEditor::new(""));
            }
            Action::AckAlerts => {
                self.alerts_seen = feed.latest_alert().map_or(0, |(_, total)| total);
                self.banner = false;
            }
            Action::AlertList => self.toggle_alert_list(feed),
            Action::Unfocus => self.focus = Panel::Failures,
            Action::ClearFilter => {
                self.trail.clear();
                if !store.filter().is_empty() {
                    return Some(Effect::SetFilter(Filter::default()));
                }
            }
            Action::EditFilter => {
                // An empty prompt: ↑ brings back the filter in effect and the ones before it.
                let mut history = self.filter_history.clone();
                if !store.filter().is_empty() {
                    super::filter_edit::remember(&mut history, store.filter().source());
                }
                self.filter_editor = Some(FilterEditor::with_history("", history));
                self.preview_filter(store);
            }
            Action::FilterEdit(e) => return self.edit_filter(store, e),
            Action::NextPanel => {
                self.focus = match self.focus {
                    Panel::Failures => self.side,
                    Panel::Reasons | Panel::Groups => self.below,
                    Panel::Sessions | Panel::Workspaces => Panel::Failures,
                };
                self.overlay = Overlay::None;
            }
            Action::Focus(p) => {
                match p {
                    Panel::Reasons | Panel::Groups => self.side = p,
                    Panel::Sessions | Panel::Workspaces => self.below = p,
                    Panel::Failures => {}
                }
                self.focus = if self.focus == p { Panel::Failures } else { p };
                self.overlay = Overlay::None;
            }
            Action::ToggleLang => self.lang = self.lang.next(),
            Action::ToggleHelp => {
                self.overlay = if self.overlay == Overlay::Help {
                    Overlay::None
                } else {
                    self.help_scroll = 0;
                    Overlay::Help
                }
            }
            Action::NextLost(forward) => self.jump_to_lost(store, forward),
            Action::Replay(cmd) => return Some(Effect::Replay(cmd)),
            Action::Copy => match self.copy_focused(store) {
                Some(text) => return Some(Effect::Copy(text)),
                None => self.status = Some(strings(self.lang).nothing_selected.into()),
            },
            Action::CopyMenu => {
                if self.overlay != Overlay::Copy {
                    self.copy_over = self.overlay;
                    self.overlay = Overlay::Copy;
                }
            }
            Action::CopyWhat(target) => {
                self.overlay = self.copy_over;
                match self.copy_text(store, target) {
                    Some(text) => return Some(Effect::Copy(text)),
                    None => self.status = Some(self.copy_missing(store, target).into()),
                }
            }
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                return Some(Effect::Mouse(self.mouse));
            }
            Action::Export => {
                let path = crate::ui::export::target(&self.export_to, chrono::Utc::now());
                self.export_confirm = None;
                self.export_editor = Some(FilterEditor::new(&path.display().to_string()));
            }
            Action::Click(x, y) => self.click(store, x, y),
            Action::CycleSort => self.change_sort(false),
            Action::ReverseSort => self.change_sort(true),
        }
        None
    }

    /// Scroll the open overlay to `row`; the caller, which can measure the overlay's content,
    /// holds it to the end with [`App::clamp_overlay_scroll`].
    fn scroll_to(&mut self, row: usize) {
        let row = u16::try_from(row).unwrap_or(u16::MAX);
        match self.overlay {
            Overlay::Help => self.help_scroll = row,
            Overlay::Detail => self.detail_scroll = row,
            Overlay::Alerts => self.alerts_scroll = row,
            _ => {}
        }
    }

    /// Keep the open overlay's scroll within its content (`max`: the last row it may start at).
    pub fn clamp_overlay_scroll(&mut self, max: usize) {
        let max = u16::try_from(max).unwrap_or(u16::MAX);
        match self.overlay {
            Overlay::Help => self.help_scroll = self.help_scroll.min(max),
            Overlay::Detail => self.detail_scroll = self.detail_scroll.min(max),
            Overlay::Alerts => self.alerts_scroll = self.alerts_scroll.min(max),
            _ => {}
        }
    }

    /// After frames arrived, a resize or a rebuild: keep following, count what arrived while paused.
    pub fn sync(&mut self, feed: &Feed) {
        self.banner = feed
            .latest_alert()
            .is_some_and(|(_, total)| total > self.alerts_seen);
        let stats = feed.pipeline.stats();
        let skipped = stats.bad_lines + stats.rejected_total();
        if skipped != self.problems.0 {
            self.problems = (skipped, Some(std::time::Instant::now()));
        }
        self.sync_store(feed.pipeline.store());
    }

    /// How long ago a line or frame was last skipped.
    pub fn problem_age(&self) -> Option<std::time::Duration> {
        self.problems.1.map(|t| t.elapsed())
    }

    fn sync_store(&mut self, store: &Store) {
        if self.follow {
            self.selected = store
                .view_len()
                .checked_sub(1)
                .and_then(|i| store.view_get(i))
                .map(|f| f.seq);
            self.offset = store.view_len().saturating_sub(self.table_rows());
        } else {
            self.new_while_paused = store.agg.failures.saturating_sub(self.failures_at_pause);
            self.new_matching = store.matched_total().saturating_sub(self.matching_at_pause);
        }
    }

    /// The view was rebuilt (a filter, a seek): keep the selection if it survived.
    fn after_rebuild(&mut self, store: &Store) {
        // The selection stays on a row the filter shows, or there is none (and the view
        // follows): nothing acts on a failure the filter hides.
        if self.selected.is_some_and(|seq| !store.view_contains(seq)) {
            self.selected = None;
            if self.overlay == Overlay::Detail {
                self.overlay = Overlay::None;
            }
        }
        self.clamp_cursors(store);
        if self.selected.is_none() {
            self.follow = true;
        }
        self.sync_store(store);
        self.clamp(store);
    }

    /// An export ended: say so, or ask before replacing what is there.
    pub fn export_done(&mut self, done: crate::ui::export::Done) {
        use crate::ui::export::Done;
        let s = strings(self.lang);
        let shown = |p: &std::path::Path| crate::redact::redact_line(&p.display().to_string(), 200);
        self.status = Some(match done {
            Done::Written {
                path, report: true, ..
            } => format!("{} {}", s.report_written, shown(&path)),
            Done::Written { path, lines, .. } => {
                crate::i18n::exported(self.lang, lines, &shown(&path))
            }
            Done::Exists(path) => {
                let text = format!("{} {}", shown(&path), s.export_exists);
                self.export_editor = Some(FilterEditor::new(&path.display().to_string()));
                self.export_confirm = Some(path);
                text
            }
            Done::Failed { path, error } => {
                let error = crate::redact::redact_line(&error.to_string(), 200);
                format!("{} {}: {error}", s.export_failed, shown(&path))
            }
        });
    }

    fn parse_filter(&self, source: &str) -> Result<Filter, crate::filter::FilterError> {
        Filter::parse_saved(source, &self.saved_filters).map(|f| f.in_zone(self.tz))
    }

    fn filter_effect(&mut self, source: &str) -> Option<Effect> {
        match self.parse_filter(source) {
            Ok(f) => {
                self.filter_error = None;
                Some(Effect::SetFilter(f))
            }
            Err(e) => {
                self.filter_error = Some(e.to_string());
                None
            }
        }
    }

    /// The export path line: enter writes the filtered view there.
    fn edit_export(&mut self, store: &Store, e: FilterEdit) -> Option<Effect> {
        let editor = self.export_editor.as_mut()?;
        match e {
            FilterEdit::Apply => {
                // A directory typed here gets a new file in it, as `--export DIR` does.
                let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
                let typed = crate::ui::export::expand_home(editor.text().trim(), home.as_deref());
                let path = crate::ui::export::target(&typed, chrono::Utc::now());
                let make_dir = crate::ui::export::names_a_directory(&typed);
                self.export_editor = None;
                let replace = self.export_confirm.take().is_some_and(|p| p == path);
                let lines = store
                    .view_iter()
                    .map(|f| crate::output::failure_line(f, self.lang))
                    .collect();
                return Some(Effect::Export(crate::ui::export::Job {
                    path,
                    lines,
                    replace,
                    report: false,
                    make_dir,
                }));
            }
            FilterEdit::Cancel => {
                self.export_editor = None;
                self.export_confirm = None;
            }
            edit => {
                editor.edit(edit);
            }
        }
        None
    }

    fn edit_filter(&mut self, store: &Store, e: FilterEdit) -> Option<Effect> {
        if self.export_editor.is_some() {
            return self.edit_export(store, e);
        }
        if self.goto_editor.is_some() {
            self.edit_goto(store, e);
            return None;
        }
        let editor = self.filter_editor.as_mut()?;
        match e {
            FilterEdit::Apply => match Filter::parse_saved(editor.text(), &self.saved_filters)
                .map(|f| f.in_zone(self.tz))
            {
                Ok(f) => {
                    super::filter_edit::remember(&mut self.filter_history, f.source());
                    self.history_changed = true;
                    self.filter_editor = None;
                    self.filter_error = None;
                    // A filter typed is a level too: esc goes back to the one before.
                    let before = store.filter().source();
                    if before != f.source() {
                        self.trail.push(Step {
                            before: before.to_owned(),
                            added: f.source().to_owned(),
                        });
                    }
                    return Some(Effect::SetFilter(f));
                }
                // The last good filter stays active; the error shows in place.
                Err(err) => self.filter_error = Some(err.to_string()),
            },
            FilterEdit::Cancel => {
                self.filter_editor = None;
                self.filter_error = None;
            }
            edit => {
                if editor.edit(edit) {
                    self.preview_filter(store);
                }
            }
        }
        None
    }

    /// Parse what is typed so far: its error in place, or how many failures it would show.
    fn preview_filter(&mut self, store: &Store) {
        let Some(editor) = &self.filter_editor else {
            return;
        };
        match self.parse_filter(editor.text()) {
            Ok(f) => {
                self.filter_error = None;
                self.filter_preview = Some(store.count_matching(&f));
            }
            Err(e) => {
                self.filter_error = Some(e.to_string());
                self.filter_preview = None;
            }
        }
    }
}
