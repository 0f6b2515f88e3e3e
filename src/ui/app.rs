//! UI state and the key/mouse → action state machine. Pure: no terminal, no I/O, unit-tested.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::catalog::Lang;
use crate::filter::Filter;
use crate::headless::failure_json;
use crate::pipeline::Pipeline;
use crate::source::replay::Replay;
use crate::source::ws::ConnState;

use super::layout::Areas;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Failures,
    Reasons,
    Sessions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Detail,
    Help,
}

/// What a key asks for. Keys map to actions; actions change state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Quit,
    TogglePause,
    Move(isize),
    Page(isize),
    Top,
    Bottom,
    Enter,
    Escape,
    EditFilter,
    FilterKey(KeyEvent),
    NextPanel,
    Focus(Panel),
    ToggleLang,
    Help,
    NextLost(bool),
    ReplayFaster,
    ReplaySlower,
    ReplayPause,
    ReplayStep,
    ReplaySeek(i64),
    Click(u16, u16),
    Copy,
    Export,
}

/// Something an action asks of the outside world; the event loop carries it out.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Put this (redacted) text on the clipboard.
    Copy(String),
    /// Write these lines (the filtered view, `tail` schema) to a file.
    Export(Vec<String>),
}

/// The header's view of where frames come from.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    pub label: String,
    /// e.g. "live", "connecting", "reconnecting in 3.2 s" (live sources update it).
    pub state: String,
}

pub struct App {
    pub pipeline: Pipeline,
    pub replay: Option<Replay>,
    /// A live source's connection state.
    pub conn: Option<tokio::sync::watch::Receiver<ConnState>>,
    pub source: SourceInfo,
    pub lang: Lang,
    pub ascii: bool,
    pub focus: Panel,
    pub overlay: Overlay,
    /// Follow new failures (the newest row stays selected) unless paused.
    pub follow: bool,
    /// Selected failure by sequence number: stable while rows arrive.
    pub selected: Option<u64>,
    /// First visible row of the failures table (view index).
    pub offset: usize,
    /// Failures that arrived while paused.
    pub new_while_paused: u64,
    failures_at_pause: u64,
    /// The filter bar while it is being edited (with the cursor at the end).
    pub filter_input: Option<String>,
    pub filter_error: Option<String>,
    /// While editing: how many stored failures the typed filter would show.
    pub filter_preview: Option<usize>,
    pub reason_cursor: usize,
    pub session_cursor: usize,
    pub detail_scroll: u16,
    pub status: Option<String>,
    pub effect: Option<Effect>,
    pub quit: bool,
    /// Terminal size, kept for paging and mouse hit-testing.
    pub size: Rect,
    /// Rates for the header, updated once a second by the event loop.
    pub events_per_s: f64,
}

impl App {
    pub fn new(pipeline: Pipeline, source: SourceInfo, lang: Lang) -> App {
        App {
            pipeline,
            replay: None,
            conn: None,
            source,
            lang,
            ascii: false,
            focus: Panel::Failures,
            overlay: Overlay::None,
            follow: true,
            selected: None,
            offset: 0,
            new_while_paused: 0,
            failures_at_pause: 0,
            filter_input: None,
            filter_error: None,
            filter_preview: None,
            reason_cursor: 0,
            session_cursor: 0,
            detail_scroll: 0,
            status: None,
            effect: None,
            quit: false,
            size: Rect::new(0, 0, 80, 24),
            events_per_s: 0.0,
        }
    }

    /// The server family the routes are for.
    pub fn family(&self) -> crate::routing::Family {
        self.pipeline.enricher.family().0
    }

    pub fn areas(&self) -> Areas {
        Areas::new(self.size, self.filter_input.is_some())
    }

    fn table_rows(&self) -> usize {
        // Block borders and the header row.
        usize::from(self.areas().failures.height.saturating_sub(3)).max(1)
    }

    /// Map a key to an action, given the current mode.
    pub fn action_for_key(&self, key: KeyEvent) -> Option<Action> {
        if self.filter_input.is_some() {
            return Some(Action::FilterKey(key));
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        Some(match key.code {
            KeyCode::Char('c') if ctrl => Action::Quit,
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Char(' ') => Action::TogglePause,
            KeyCode::Char('j') | KeyCode::Down => Action::Move(1),
            KeyCode::Char('k') | KeyCode::Up => Action::Move(-1),
            KeyCode::PageDown => Action::Page(1),
            KeyCode::Char('f') if ctrl => Action::Page(1),
            KeyCode::PageUp => Action::Page(-1),
            KeyCode::Char('b') if ctrl => Action::Page(-1),
            KeyCode::Char('g') | KeyCode::Home => Action::Top,
            KeyCode::Char('G') | KeyCode::End => Action::Bottom,
            KeyCode::Enter => Action::Enter,
            KeyCode::Esc => Action::Escape,
            KeyCode::Char('/') => Action::EditFilter,
            KeyCode::Tab => Action::NextPanel,
            KeyCode::Char('r') => Action::Focus(Panel::Reasons),
            KeyCode::Char('s') => Action::Focus(Panel::Sessions),
            KeyCode::Char('L') | KeyCode::Char('l') => Action::ToggleLang,
            KeyCode::Char('?') | KeyCode::F(1) => Action::Help,
            KeyCode::Char('n') => Action::NextLost(true),
            KeyCode::Char('N') => Action::NextLost(false),
            KeyCode::Char('+') | KeyCode::Char('=') => Action::ReplayFaster,
            KeyCode::Char('-') => Action::ReplaySlower,
            KeyCode::Char('p') => Action::ReplayPause,
            KeyCode::Char('.') => Action::ReplayStep,
            KeyCode::Char('[') => Action::ReplaySeek(-60),
            KeyCode::Char(']') => Action::ReplaySeek(60),
            KeyCode::Char('c') | KeyCode::Char('y') => Action::Copy,
            KeyCode::Char('e') => Action::Export,
            _ => return None,
        })
    }

    pub fn action_for_mouse(&self, m: MouseEvent) -> Option<Action> {
        match m.kind {
            MouseEventKind::ScrollDown => Some(Action::Move(3)),
            MouseEventKind::ScrollUp => Some(Action::Move(-3)),
            MouseEventKind::Down(_) => Some(Action::Click(m.column, m.row)),
            _ => None,
        }
    }

    pub fn apply(&mut self, action: Action) {
        self.status = None;
        match action {
            Action::Quit => self.quit = true,
            Action::TogglePause => {
                if self.follow {
                    self.pause();
                } else {
                    self.resume();
                }
            }
            Action::Move(d) => self.move_by(d),
            Action::Page(d) => self.move_by(d * self.page_len() as isize),
            Action::Top => self.move_to(0),
            Action::Bottom => match self.overlay {
                Overlay::None if self.focus == Panel::Failures => self.resume(),
                _ => self.move_to(usize::MAX),
            },
            Action::Enter => self.enter(),
            Action::Escape => {
                if self.overlay != Overlay::None {
                    self.overlay = Overlay::None;
                } else if self.focus != Panel::Failures {
                    self.focus = Panel::Failures;
                } else if !self.pipeline.store.filter().is_empty() {
                    self.set_filter("");
                }
            }
            Action::EditFilter => {
                self.filter_input = Some(self.pipeline.store.filter().source().to_owned());
                self.preview_filter();
            }
            Action::FilterKey(key) => self.filter_key(key),
            Action::NextPanel => {
                self.focus = match self.focus {
                    Panel::Failures => Panel::Reasons,
                    Panel::Reasons => Panel::Sessions,
                    Panel::Sessions => Panel::Failures,
                };
                self.overlay = Overlay::None;
            }
            Action::Focus(p) => {
                self.focus = if self.focus == p { Panel::Failures } else { p };
                self.overlay = Overlay::None;
            }
            Action::ToggleLang => self.lang = self.lang.toggle(),
            Action::Help => {
                self.overlay = if self.overlay == Overlay::Help {
                    Overlay::None
                } else {
                    Overlay::Help
                }
            }
            Action::NextLost(forward) => self.jump_to_lost(forward),
            Action::ReplayFaster => self.with_replay(|r, _| r.faster()),
            Action::ReplaySlower => self.with_replay(|r, _| r.slower()),
            Action::ReplayPause => self.with_replay(|r, _| r.toggle_pause()),
            Action::ReplayStep => self.with_replay(|r, p| {
                r.step(p);
            }),
            Action::ReplaySeek(secs) => {
                self.with_replay(|r, p| r.seek_by(p, Duration::seconds(secs)));
                self.after_rebuild();
            }
            Action::Click(x, y) => self.click(x, y),
            Action::Copy => match self.selected.and_then(|s| self.pipeline.store.get(s)) {
                Some(f) => self.effect = Some(Effect::Copy(failure_json(f, self.lang).to_string())),
                None => self.status = Some("nothing selected to copy".into()),
            },
            Action::Export => {
                let lines = self
                    .pipeline
                    .store
                    .view_iter()
                    .map(|f| failure_json(f, self.lang).to_string())
                    .collect();
                self.effect = Some(Effect::Export(lines));
            }
        }
    }

    /// Called after frames were ingested: keep following, count what arrived while paused.
    pub fn on_ingest(&mut self) {
        let store = &self.pipeline.store;
        if self.follow {
            self.selected = store
                .view_len()
                .checked_sub(1)
                .and_then(|i| store.view_get(i))
                .map(|f| f.seq);
            self.offset = store.view_len().saturating_sub(self.table_rows());
        } else {
            self.new_while_paused = store.agg.failures.saturating_sub(self.failures_at_pause);
        }
    }

    fn with_replay(&mut self, f: impl FnOnce(&mut Replay, &mut Pipeline)) {
        match self.replay.as_mut() {
            Some(r) => {
                f(r, &mut self.pipeline);
                self.on_ingest();
            }
            None => self.status = Some("replay controls work in `failwatch replay`".into()),
        }
    }

    fn after_rebuild(&mut self) {
        if let Some(seq) = self.selected {
            if self.pipeline.store.get(seq).is_none() {
                self.selected = None;
            }
        }
        self.on_ingest();
        self.clamp();
    }

    fn pause(&mut self) {
        self.follow = false;
        self.failures_at_pause = self.pipeline.store.agg.failures;
        self.new_while_paused = 0;
    }

    fn resume(&mut self) {
        self.follow = true;
        self.new_while_paused = 0;
        self.on_ingest();
    }

    fn page_len(&self) -> usize {
        match self.focus {
            Panel::Failures => self.table_rows(),
            _ => 10,
        }
    }

    fn selected_index(&self) -> Option<usize> {
        let seq = self.selected?;
        let store = &self.pipeline.store;
        let i = store.view_position(seq);
        (i < store.view_len()).then_some(i)
    }

    fn move_by(&mut self, delta: isize) {
        if self.overlay == Overlay::Detail {
            self.detail_scroll = self.detail_scroll.saturating_add_signed(delta as i16);
            return;
        }
        let current = match self.focus {
            Panel::Failures => self
                .selected_index()
                .unwrap_or(self.pipeline.store.view_len()),
            Panel::Reasons => self.reason_cursor,
            Panel::Sessions => self.session_cursor,
        };
        self.move_to(current.saturating_add_signed(delta));
    }

    fn move_to(&mut self, index: usize) {
        match self.focus {
            Panel::Failures if self.overlay != Overlay::Detail => {
                let len = self.pipeline.store.view_len();
                if len == 0 {
                    return;
                }
                let index = index.min(len - 1);
                // Scrolling back pauses; reaching the bottom while scrolling down resumes.
                if index + 1 == len && self.selected_index() != Some(index) && !self.follow {
                    self.resume();
                    return;
                }
                if self.follow && index + 1 < len {
                    self.pause();
                }
                self.selected = self.pipeline.store.view_get(index).map(|f| f.seq);
                self.clamp();
            }
            Panel::Reasons => {
                let n = self.pipeline.store.agg.by_reason.len();
                self.reason_cursor = index.min(n.saturating_sub(1));
            }
            Panel::Sessions => {
                let n = self.pipeline.store.agg.sessions.len();
                self.session_cursor = index.min(n.saturating_sub(1));
            }
            _ => self.detail_scroll = if index == 0 { 0 } else { u16::MAX / 2 },
        }
    }

    /// Keep the selected row inside the visible window.
    fn clamp(&mut self) {
        let rows = self.table_rows();
        let Some(i) = self.selected_index() else {
            return;
        };
        if i < self.offset {
            self.offset = i;
        } else if i >= self.offset + rows {
            self.offset = i + 1 - rows;
        }
    }

    fn enter(&mut self) {
        match self.focus {
            Panel::Failures => {
                if self.selected.is_some() {
                    self.overlay = Overlay::Detail;
                    self.detail_scroll = 0;
                }
            }
            Panel::Reasons => {
                let codes = self.pipeline.store.agg.reasons_by_count();
                if let Some((code, _)) = codes.get(self.reason_cursor) {
                    let code = if code.is_empty() {
                        String::new()
                    } else {
                        code.to_string()
                    };
                    if !code.is_empty() {
                        let next = self.pipeline.store.filter().toggle_reason(&code);
                        self.set_filter(&next);
                    }
                }
            }
            Panel::Sessions => {
                if let Some(id) = super::sessions::sorted(&self.pipeline.store.agg)
                    .get(self.session_cursor)
                    .map(|(id, _)| id.to_string())
                {
                    self.set_filter(&format!("session:{id}"));
                    self.focus = Panel::Failures;
                }
            }
        }
    }

    pub fn set_filter(&mut self, source: &str) {
        match Filter::parse(source) {
            Ok(f) => {
                self.pipeline.store.set_filter(f);
                self.filter_error = None;
                self.after_rebuild();
                if self.selected.is_none() {
                    self.on_ingest();
                }
            }
            Err(e) => self.filter_error = Some(e.to_string()),
        }
    }

    fn filter_key(&mut self, key: KeyEvent) {
        let Some(input) = self.filter_input.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Enter => {
                let text = input.clone();
                match Filter::parse(&text) {
                    Ok(_) => {
                        self.filter_input = None;
                        self.set_filter(&text);
                    }
                    // The last good filter stays active; the error shows in place.
                    Err(e) => self.filter_error = Some(e.to_string()),
                }
            }
            KeyCode::Esc => {
                self.filter_input = None;
                self.filter_error = None;
            }
            KeyCode::Backspace => {
                input.pop();
                self.preview_filter();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.clear();
                self.preview_filter();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.push(c);
                self.preview_filter();
            }
            _ => {}
        }
    }

    /// Parse what is typed so far: its error in place, or how many failures it would show.
    fn preview_filter(&mut self) {
        let Some(input) = &self.filter_input else {
            return;
        };
        match Filter::parse(input) {
            Ok(f) => {
                self.filter_error = None;
                self.filter_preview = Some(self.pipeline.store.count_matching(&f));
            }
            Err(e) => {
                self.filter_error = Some(e.to_string());
                self.filter_preview = None;
            }
        }
    }

    fn jump_to_lost(&mut self, forward: bool) {
        let store = &self.pipeline.store;
        let len = store.view_len();
        let start = self
            .selected_index()
            .unwrap_or(if forward { 0 } else { len });
        let found = if forward {
            (start + 1..len).find(|&i| store.view_get(i).is_some_and(|f| f.is_dropped()))
        } else {
            (0..start)
                .rev()
                .find(|&i| store.view_get(i).is_some_and(|f| f.is_dropped()))
        };
        let found = found.and_then(|i| store.view_get(i)).map(|f| f.seq);
        match found {
            Some(seq) => {
                self.focus = Panel::Failures;
                if self.follow {
                    self.pause();
                }
                self.selected = Some(seq);
                self.clamp();
            }
            None => self.status = Some("no more lost notifications in this direction".into()),
        }
    }

    fn click(&mut self, x: u16, y: u16) {
        let areas = self.areas();
        let p = Position::new(x, y);
        if areas.failures.contains(p) {
            self.focus = Panel::Failures;
            let first_row = areas.failures.y + 2;
            if y >= first_row && y < areas.failures.bottom().saturating_sub(1) {
                let index = self.offset + usize::from(y - first_row);
                if index < self.pipeline.store.view_len() {
                    if self.follow {
                        self.pause();
                    }
                    self.selected = self.pipeline.store.view_get(index).map(|f| f.seq);
                }
            }
        } else if areas.reasons.contains(p) {
            self.focus = Panel::Reasons;
            if y >= areas.reasons.y + 2 {
                self.move_to(usize::from(y - areas.reasons.y - 2));
            }
        } else if areas.sessions.contains(p) {
            self.focus = Panel::Sessions;
            if y >= areas.sessions.y + 2 {
                self.move_to(usize::from(y - areas.sessions.y - 2));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use crossterm::event::KeyEventKind;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent {
            code: c,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    fn app_with(n: usize) -> App {
        let mut p = Pipeline::new(1000);
        for i in 0..n {
            let reason = if i % 3 == 0 {
                "timeout"
            } else {
                "agent_error.provider_network"
            };
            let at = DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap();
            p.push_frame(at, &format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t{i}","chat_session_id":"s{}","failure_reason":"{reason}","retry_pending":false,"error":"e{i}"}}}}"#,
                i % 4
            ));
        }
        let mut app = App::new(
            p,
            SourceInfo {
                label: "test".into(),
                state: "replay".into(),
            },
            Lang::En,
        );
        app.on_ingest();
        app
    }

    fn press(app: &mut App, c: KeyCode) {
        if let Some(a) = app.action_for_key(key(c)) {
            app.apply(a);
        }
    }

    #[test]
    fn follows_the_newest_until_scrolled_up() {
        let mut app = app_with(50);
        assert!(app.follow);
        assert_eq!(app.selected, Some(49));
        press(&mut app, KeyCode::Char('k'));
        assert!(!app.follow, "scrolling up pauses");
        assert_eq!(app.selected, Some(48));
        // New failures arrive while paused: selection stays, counter grows.
        app.pipeline.push_frame(
            DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            r#"{"type":"task:failed","payload":{"task_id":"x","failure_reason":"timeout"}}"#,
        );
        app.on_ingest();
        assert_eq!(app.selected, Some(48));
        assert_eq!(app.new_while_paused, 1);
        press(&mut app, KeyCode::Char('G'));
        assert!(app.follow);
        assert_eq!(app.selected, Some(50));
    }

    #[test]
    fn space_toggles_pause_and_g_goes_to_top() {
        let mut app = app_with(10);
        press(&mut app, KeyCode::Char(' '));
        assert!(!app.follow);
        press(&mut app, KeyCode::Char('g'));
        assert_eq!(app.selected, Some(0));
        assert_eq!(app.offset, 0);
        press(&mut app, KeyCode::Char(' '));
        assert!(app.follow);
        assert_eq!(app.selected, Some(9));
    }

    #[test]
    fn filter_bar_applies_on_enter_and_keeps_last_good_filter_on_error() {
        let mut app = app_with(9);
        press(&mut app, KeyCode::Char('/'));
        for c in "reason:timeout".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        assert_eq!(app.filter_error, None);
        assert_eq!(app.filter_preview, Some(3), "previewed before enter");
        assert_eq!(app.pipeline.store.view_len(), 9, "not applied yet");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.filter_input, None);
        assert_eq!(app.pipeline.store.view_len(), 3);
        press(&mut app, KeyCode::Char('/'));
        for c in " colour:x".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        assert!(app.filter_error.as_deref().unwrap().contains("colour"));
        press(&mut app, KeyCode::Enter);
        assert!(app.filter_input.is_some(), "a bad filter is not applied");
        assert_eq!(app.pipeline.store.view_len(), 3);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.pipeline.store.view_len(), 9, "esc clears the filter");
    }

    #[test]
    fn reasons_panel_toggles_a_reason_filter() {
        let mut app = app_with(9);
        press(&mut app, KeyCode::Char('r'));
        assert_eq!(app.focus, Panel::Reasons);
        press(&mut app, KeyCode::Enter); // most frequent first: provider_network (6)
        assert_eq!(
            app.pipeline.store.filter().source(),
            "reason:agent_error.provider_network"
        );
        assert_eq!(app.pipeline.store.view_len(), 6);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.pipeline.store.filter().source(), "");
    }

    #[test]
    fn enter_opens_detail_and_esc_closes_it_and_language_toggles() {
        let mut app = app_with(3);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.overlay, Overlay::Detail);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, Overlay::None);
        press(&mut app, KeyCode::Char('L'));
        assert_eq!(app.lang, Lang::Zh);
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.overlay, Overlay::Help);
        press(&mut app, KeyCode::Char('q'));
        assert!(app.quit);
    }

    #[test]
    fn sessions_panel_enter_filters_by_session() {
        let mut app = app_with(8);
        press(&mut app, KeyCode::Char('s'));
        press(&mut app, KeyCode::Enter);
        assert!(app
            .pipeline
            .store
            .filter()
            .source()
            .starts_with("session:s"));
        assert_eq!(app.pipeline.store.view_len(), 2);
        assert_eq!(app.focus, Panel::Failures);
    }

    #[test]
    fn mouse_wheel_scrolls_and_click_selects() {
        let mut app = app_with(40);
        app.size = Rect::new(0, 0, 100, 30);
        app.apply(Action::Move(-3));
        assert_eq!(app.selected, Some(36));
        let areas = app.areas();
        app.apply(Action::Click(areas.failures.x + 3, areas.failures.y + 2));
        assert_eq!(app.selected, Some(app.offset as u64));
    }

    #[test]
    fn copy_and_export_ask_for_redacted_json() {
        let mut app = app_with(5);
        press(&mut app, KeyCode::Char('c'));
        let Some(Effect::Copy(text)) = app.effect.take() else {
            panic!()
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["task_id"], "t4");
        app.set_filter("reason:timeout");
        press(&mut app, KeyCode::Char('e'));
        let Some(Effect::Export(lines)) = app.effect.take() else {
            panic!()
        };
        assert_eq!(lines.len(), 2, "the filtered view, not the visible window");
    }

    #[test]
    fn jump_to_next_lost_notification() {
        let mut p = Pipeline::new(100);
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        for line in [
            r#"{"type":"task:queued","payload":{"task_id":"a","chat_session_id":"s"}}"#,
            r#"{"type":"task:failed","payload":{"task_id":"b","failure_reason":"timeout"}}"#,
            r#"{"type":"task:failed","payload":{"task_id":"a","failure_reason":"timeout"}}"#,
            r#"{"type":"task:failed","payload":{"task_id":"c","failure_reason":"timeout"}}"#,
        ] {
            p.push_frame(t, line);
        }
        let mut app = App::new(
            p,
            SourceInfo {
                label: "t".into(),
                state: String::new(),
            },
            Lang::En,
        );
        app.on_ingest();
        press(&mut app, KeyCode::Char('N'));
        assert_eq!(app.selected, Some(1));
        assert!(app.pipeline.store.get(1).unwrap().is_dropped());
    }
}
