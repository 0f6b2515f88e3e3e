//! Every key, as tables per mode: the one place a binding is declared. The help overlay is
//! generated from these tables, and tests check that no key is bound twice within a mode.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, CopyTarget, Panel};
use super::filter_edit::FilterEdit;
use crate::feed::ReplayCmd;
use crate::i18n::HelpId;

/// A key as bindings name it: a key code, and whether Ctrl is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    /// The key a terminal event is. Shift is already in an uppercase char.
    pub fn of(ev: &KeyEvent) -> Key {
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// How help writes it.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::Backspace => "⌫".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("ctrl-{name}")
        } else {
            name
        }
    }
}

/// A key as the config file writes it: `x`, `ctrl-x`, `F2`, `esc`, `enter`, `tab`, `space`.
pub fn parse_key(text: &str) -> Option<Key> {
    let (ctrl, name) = match text.strip_prefix("ctrl-") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let code = match name {
        "space" => KeyCode::Char(' '),
        "esc" => KeyCode::Esc,
        "enter" => KeyCode::Enter,
        "tab" => KeyCode::Tab,
        f if f.len() >= 2 && f.starts_with('F') => KeyCode::F(f[1..].parse().ok()?),
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
        _ => return None,
    };
    Some(Key { code, ctrl })
}

/// Actions the config file's `[keys]` may give extra keys to, by name.
pub const NAMED_ACTIONS: &[(&str, Action)] = &[
    ("quit", Action::Quit),
    ("help", Action::ToggleHelp),
    ("filter", Action::EditFilter),
    ("clear_filter", Action::ClearFilter),
    ("back", Action::Back),
    ("drill", Action::Drill),
    ("panels_all", Action::TogglePanelsAll),
    ("report", Action::Report),
    ("goto", Action::Goto),
    ("pause", Action::TogglePause),
    ("detail", Action::OpenDetail),
    ("copy", Action::Copy),
    ("copy_menu", Action::CopyMenu),
    ("export", Action::Export),
    ("next_lost", Action::NextLost(true)),
    ("prev_lost", Action::NextLost(false)),
    ("reasons", Action::Focus(Panel::Reasons)),
    ("sessions", Action::Focus(Panel::Sessions)),
    ("groups", Action::Focus(Panel::Groups)),
    ("workspaces", Action::Focus(Panel::Workspaces)),
    ("ack_alerts", Action::AckAlerts),
    ("alerts", Action::AlertList),
    ("lang", Action::ToggleLang),
    ("mouse", Action::ToggleMouse),
    ("top", Action::Top),
    ("bottom", Action::Bottom),
    ("sort", Action::CycleSort),
    ("reverse_sort", Action::ReverseSort),
];

/// The config file's `[keys]` as bindings, or what is wrong with them.
pub fn extra_keys<'a>(
    keys: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Result<Vec<(Key, Action)>, String> {
    keys.into_iter()
        .map(|(name, key)| {
            let action = NAMED_ACTIONS
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, a)| *a)
                .ok_or_else(|| {
                    let names: Vec<&str> = NAMED_ACTIONS.iter().map(|(n, _)| *n).collect();
                    format!("[keys] unknown action `{name}` ({})", names.join(", "))
                })?;
            let key = parse_key(key).ok_or_else(|| {
                format!("[keys] {name}: `{key}` is not a key (x, ctrl-x, F2, esc)")
            })?;
            Ok((key, action))
        })
        .collect()
}

/// A `[keys]` entry that takes a key a built-in binding gives to another action.
#[derive(Debug, PartialEq)]
pub struct Clash {
    pub key: Key,
    /// What the entry gives the key to, and what it took it from.
    pub gets: Action,
    pub took: Action,
    /// Where the built-in binding was.
    pub modes: Vec<Mode>,
}

/// The name `[keys]` calls an action by, or for one it cannot name, what help says it does.
pub fn action_name(action: Action) -> &'static str {
    NAMED_ACTIONS
        .iter()
        .find(|(_, a)| *a == action)
        .map(|(n, _)| *n)
        .or_else(|| help_of(action).map(|id| id.text(crate::catalog::Lang::En)))
        .unwrap_or("?")
}

/// Every built-in key the config's extra keys take from another action, in the modes where
/// extra keys are read.
pub fn clashes(extra: &[(Key, Action)]) -> Vec<Clash> {
    let mut out: Vec<Clash> = Vec::new();
    for (key, gets) in extra {
        for mode in Mode::ALL.into_iter().filter(|m| m.reads_extra_keys()) {
            let built_in = tables(mode)
                .iter()
                .flat_map(|t| t.iter())
                .find(|b| b.keys.contains(key))
                .map(|b| b.action);
            let Some(took) = built_in.filter(|a| a != gets) else {
                continue;
            };
            match out
                .iter_mut()
                .find(|c| c.key == *key && c.took == took && c.gets == *gets)
            {
                Some(c) => c.modes.push(mode),
                None => out.push(Clash {
                    key: *key,
                    gets: *gets,
                    took,
                    modes: vec![mode],
                }),
            }
        }
    }
    out
}

/// One binding: its keys, what they do, and how help says it.
#[derive(Debug, PartialEq)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub help: HelpId,
}

const fn bind(keys: &'static [Key], action: Action, help: HelpId) -> Binding {
    Binding { keys, action, help }
}

/// Where input goes: decided by the overlay, the filter line and the focused panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Failures,
    Reasons,
    Groups,
    Sessions,
    Workspaces,
    Detail,
    Help,
    FilterEdit,
    Copy,
    Alerts,
}

impl Mode {
    /// Whether the config file's `[keys]` are read here: not while a filter is typed or what to
    /// copy is chosen.
    pub fn reads_extra_keys(self) -> bool {
        !matches!(self, Mode::FilterEdit | Mode::Copy)
    }

    /// How `config check` names it.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Failures => "failures list",
            Mode::Reasons => "reasons panel",
            Mode::Groups => "groups panel",
            Mode::Sessions => "sessions panel",
            Mode::Workspaces => "workspaces panel",
            Mode::Detail => "detail view",
            Mode::Help => "help",
            Mode::FilterEdit => "filter line",
            Mode::Copy => "copy menu",
            Mode::Alerts => "alert list",
        }
    }

    pub const ALL: [Mode; 10] = [
        Mode::Failures,
        Mode::Reasons,
        Mode::Groups,
        Mode::Sessions,
        Mode::Workspaces,
        Mode::Detail,
        Mode::Help,
        Mode::FilterEdit,
        Mode::Copy,
        Mode::Alerts,
    ];
}

/// Moving through a list, in the failures table and both panels.
pub const NAVIGATION: &[Binding] = &[
    bind(
        &[ch('j'), code(KeyCode::Down)],
        Action::Move(1),
        HelpId::Move,
    ),
    bind(
        &[ch('k'), code(KeyCode::Up)],
        Action::Move(-1),
        HelpId::Move,
    ),
    bind(
        &[code(KeyCode::PageDown), ctrl('f')],
        Action::Page(1),
        HelpId::Page,
    ),
    bind(
        &[code(KeyCode::PageUp), ctrl('b')],
        Action::Page(-1),
        HelpId::Page,
    ),
    bind(&[ch('g'), code(KeyCode::Home)], Action::Top, HelpId::Ends),
    bind(&[ch('G'), code(KeyCode::End)], Action::Bottom, HelpId::Ends),
];

pub const FAILURES: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter)],
        Action::OpenDetail,
        HelpId::OpenDetail,
    ),
    bind(&[ch(' ')], Action::TogglePause, HelpId::Pause),
    bind(&[code(KeyCode::Esc)], Action::Back, HelpId::Back),
    bind(
        &[code(KeyCode::Backspace)],
        Action::ClearFilter,
        HelpId::ClearFilter,
    ),
    bind(&[ch('/')], Action::EditFilter, HelpId::EditFilter),
    bind(&[ch('n')], Action::NextLost(true), HelpId::NextLost),
    bind(&[ch('N')], Action::NextLost(false), HelpId::NextLost),
    bind(&[ch('c')], Action::Copy, HelpId::Copy),
    bind(&[ch('y')], Action::CopyMenu, HelpId::CopyMenu),
    bind(&[ch('e')], Action::Export, HelpId::Export),
];

pub const REASONS: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], Action::Drill, HelpId::Drill),
    bind(&[ch(' ')], Action::ToggleReason, HelpId::ToggleReason),
    bind(&[code(KeyCode::Esc)], Action::Unfocus, HelpId::Unfocus),
    bind(&[ch('/')], Action::EditFilter, HelpId::EditFilter),
    bind(&[ch('c')], Action::Copy, HelpId::CopyReason),
    bind(&[ch('y')], Action::CopyMenu, HelpId::CopyMenu),
    bind(&[ch('o')], Action::CycleSort, HelpId::Sort),
    bind(&[ch('O')], Action::ReverseSort, HelpId::Sort),
];

pub const GROUPS: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], Action::Drill, HelpId::Drill),
    bind(&[code(KeyCode::Esc)], Action::Unfocus, HelpId::Unfocus),
    bind(&[ch('/')], Action::EditFilter, HelpId::EditFilter),
    bind(&[ch('c')], Action::Copy, HelpId::CopyGroup),
    bind(&[ch('y')], Action::CopyMenu, HelpId::CopyMenu),
    bind(&[ch('o')], Action::CycleSort, HelpId::Sort),
    bind(&[ch('O')], Action::ReverseSort, HelpId::Sort),
];

pub const SESSIONS: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], Action::Drill, HelpId::Drill),
    bind(&[code(KeyCode::Esc)], Action::Unfocus, HelpId::Unfocus),
    bind(&[ch('/')], Action::EditFilter, HelpId::EditFilter),
    bind(&[ch('c')], Action::Copy, HelpId::CopySession),
    bind(&[ch('y')], Action::CopyMenu, HelpId::CopyMenu),
    bind(&[ch('o')], Action::CycleSort, HelpId::Sort),
    bind(&[ch('O')], Action::ReverseSort, HelpId::Sort),
];

pub const WORKSPACES: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], Action::Drill, HelpId::Drill),
    bind(&[code(KeyCode::Esc)], Action::Unfocus, HelpId::Unfocus),
    bind(&[ch('/')], Action::EditFilter, HelpId::EditFilter),
    bind(&[ch('c')], Action::Copy, HelpId::CopyWorkspace),
    bind(&[ch('y')], Action::CopyMenu, HelpId::CopyMenu),
    bind(&[ch('o')], Action::CycleSort, HelpId::Sort),
    bind(&[ch('O')], Action::ReverseSort, HelpId::Sort),
];

pub const DETAIL: &[Binding] = &[
    bind(
        &[code(KeyCode::Esc), code(KeyCode::Enter), ch('q')],
        Action::CloseOverlay,
        HelpId::CloseOverlay,
    ),
    bind(&[ch('n')], Action::NextLost(true), HelpId::NextLost),
    bind(&[ch('N')], Action::NextLost(false), HelpId::NextLost),
    bind(&[ch('g'), code(KeyCode::Home)], Action::Top, HelpId::Ends),
    bind(&[ch('G'), code(KeyCode::End)], Action::Bottom, HelpId::Ends),
    bind(
        &[code(KeyCode::Right)],
        Action::DetailStep(1),
        HelpId::DetailNext,
    ),
    bind(
        &[code(KeyCode::Left)],
        Action::DetailStep(-1),
        HelpId::DetailNext,
    ),
    bind(&[ch('c')], Action::Copy, HelpId::Copy),
    bind(&[ch('y')], Action::CopyMenu, HelpId::CopyMenu),
];

/// The copy menu: one key per thing to copy.
pub const COPY: &[Binding] = &[
    bind(
        &[code(KeyCode::Esc), ch('y'), ch('q')],
        Action::CloseOverlay,
        HelpId::CloseOverlay,
    ),
    bind(
        &[ch('e')],
        Action::CopyWhat(CopyTarget::Error),
        HelpId::CopyError,
    ),
    bind(
        &[ch('t')],
        Action::CopyWhat(CopyTarget::TaskId),
        HelpId::CopyTask,
    ),
    bind(
        &[ch('s')],
        Action::CopyWhat(CopyTarget::SessionId),
        HelpId::CopySession,
    ),
    bind(
        &[ch('r')],
        Action::CopyWhat(CopyTarget::ReasonCode),
        HelpId::CopyReason,
    ),
    bind(&[ch('j')], Action::CopyWhat(CopyTarget::Json), HelpId::Copy),
    bind(
        &[ch('l')],
        Action::CopyWhat(CopyTarget::LostSessions),
        HelpId::CopyLost,
    ),
];

/// Scrolling an overlay (the detail view, the help, the alert list).
pub const SCROLL: &[Binding] = &[
    bind(
        &[ch('j'), code(KeyCode::Down)],
        Action::Scroll(1),
        HelpId::Scroll,
    ),
    bind(
        &[ch('k'), code(KeyCode::Up)],
        Action::Scroll(-1),
        HelpId::Scroll,
    ),
    bind(
        &[code(KeyCode::PageDown), ch(' '), ctrl('f')],
        Action::ScrollPage(1),
        HelpId::Page,
    ),
    bind(
        &[code(KeyCode::PageUp), ctrl('b')],
        Action::ScrollPage(-1),
        HelpId::Page,
    ),
];

pub const HELP: &[Binding] = &[
    bind(
        &[code(KeyCode::Esc), code(KeyCode::Enter), ch('q')],
        Action::CloseOverlay,
        HelpId::CloseOverlay,
    ),
    bind(&[ch('g'), code(KeyCode::Home)], Action::Top, HelpId::Ends),
    bind(&[ch('G'), code(KeyCode::End)], Action::Bottom, HelpId::Ends),
];

/// Where no overlay is open: `q` quits (in an overlay it closes the overlay).
pub const TOP: &[Binding] = &[bind(&[ch('q')], Action::Quit, HelpId::Quit)];

/// The list of this session's alerts: it scrolls, and `q` closes it rather than quitting.
pub const ALERTS: &[Binding] = &[
    bind(
        &[code(KeyCode::Esc), ch('q'), ch('!')],
        Action::CloseOverlay,
        HelpId::CloseOverlay,
    ),
    bind(
        &[ch('g'), code(KeyCode::Home)],
        Action::Top,
        HelpId::AlertListEnds,
    ),
    bind(
        &[ch('G'), code(KeyCode::End)],
        Action::Bottom,
        HelpId::AlertListEnds,
    ),
];

/// Keys that work wherever no text is typed: the alert list too.
pub const GLOBAL: &[Binding] = &[
    bind(&[ctrl('c')], Action::Quit, HelpId::Quit),
    bind(&[ctrl('z')], Action::Suspend, HelpId::Suspend),
    bind(
        &[ch('?'), code(KeyCode::F(1))],
        Action::ToggleHelp,
        HelpId::Help,
    ),
    bind(&[ch('L')], Action::ToggleLang, HelpId::Lang),
];

/// Keys that work in every mode but filter editing, the copy menu and the alert list.
pub const EVERYWHERE: &[Binding] = &[
    bind(&[ch('m')], Action::ToggleMouse, HelpId::Mouse),
    bind(&[code(KeyCode::Tab)], Action::NextPanel, HelpId::NextPanel),
    bind(&[ch('r')], Action::Focus(Panel::Reasons), HelpId::Reasons),
    bind(&[ch('s')], Action::Focus(Panel::Sessions), HelpId::Sessions),
    bind(&[ch('f')], Action::Focus(Panel::Groups), HelpId::Groups),
    bind(
        &[ch('w')],
        Action::Focus(Panel::Workspaces),
        HelpId::Workspaces,
    ),
    bind(&[ch('a')], Action::AckAlerts, HelpId::AckAlerts),
    bind(&[ch('A')], Action::TogglePanelsAll, HelpId::PanelsAll),
    bind(&[ch('R')], Action::Report, HelpId::Report),
    bind(&[ch('t'), ch(':')], Action::Goto, HelpId::Goto),
    bind(&[ch('!')], Action::AlertList, HelpId::AlertList),
    bind(
        &[ch('+'), ch('=')],
        Action::Replay(ReplayCmd::Faster),
        HelpId::ReplaySpeed,
    ),
    bind(
        &[ch('-')],
        Action::Replay(ReplayCmd::Slower),
        HelpId::ReplaySpeed,
    ),
    bind(
        &[ch('p')],
        Action::Replay(ReplayCmd::TogglePause),
        HelpId::ReplayPause,
    ),
    bind(
        &[ch('.')],
        Action::Replay(ReplayCmd::Step),
        HelpId::ReplayStep,
    ),
    bind(
        &[ch('[')],
        Action::Replay(ReplayCmd::Seek(-60)),
        HelpId::ReplaySeek,
    ),
    bind(
        &[ch(']')],
        Action::Replay(ReplayCmd::Seek(60)),
        HelpId::ReplaySeek,
    ),
];

/// Editing the filter line; any other printable key is typed.
pub const FILTER: &[Binding] = &[
    bind(
        &[code(KeyCode::Enter)],
        Action::FilterEdit(FilterEdit::Apply),
        HelpId::FilterApply,
    ),
    bind(
        &[code(KeyCode::Esc)],
        Action::FilterEdit(FilterEdit::Cancel),
        HelpId::FilterCancel,
    ),
    bind(
        &[code(KeyCode::Backspace), ctrl('h')],
        Action::FilterEdit(FilterEdit::Backspace),
        HelpId::FilterDelete,
    ),
    bind(
        &[code(KeyCode::Delete), ctrl('d')],
        Action::FilterEdit(FilterEdit::Delete),
        HelpId::FilterDelete,
    ),
    bind(
        &[ctrl('w')],
        Action::FilterEdit(FilterEdit::DeleteWord),
        HelpId::FilterDeleteWord,
    ),
    bind(
        &[ctrl('u')],
        Action::FilterEdit(FilterEdit::Clear),
        HelpId::FilterClear,
    ),
    bind(
        &[code(KeyCode::Left), ctrl('b')],
        Action::FilterEdit(FilterEdit::Left),
        HelpId::FilterCursor,
    ),
    bind(
        &[code(KeyCode::Right), ctrl('f')],
        Action::FilterEdit(FilterEdit::Right),
        HelpId::FilterCursor,
    ),
    bind(
        &[code(KeyCode::Home), ctrl('a')],
        Action::FilterEdit(FilterEdit::Home),
        HelpId::FilterEnds,
    ),
    bind(
        &[code(KeyCode::End), ctrl('e')],
        Action::FilterEdit(FilterEdit::End),
        HelpId::FilterEnds,
    ),
    bind(
        &[code(KeyCode::Up), ctrl('p')],
        Action::FilterEdit(FilterEdit::Older),
        HelpId::FilterHistory,
    ),
    bind(
        &[code(KeyCode::Down), ctrl('n')],
        Action::FilterEdit(FilterEdit::Newer),
        HelpId::FilterHistory,
    ),
];

/// The tables a mode consults, first match wins (so no key may be in two of them).
pub fn tables(mode: Mode) -> &'static [&'static [Binding]] {
    match mode {
        Mode::Failures => &[FAILURES, NAVIGATION, TOP, GLOBAL, EVERYWHERE],
        Mode::Reasons => &[REASONS, NAVIGATION, TOP, GLOBAL, EVERYWHERE],
        Mode::Groups => &[GROUPS, NAVIGATION, TOP, GLOBAL, EVERYWHERE],
        Mode::Sessions => &[SESSIONS, NAVIGATION, TOP, GLOBAL, EVERYWHERE],
        Mode::Workspaces => &[WORKSPACES, NAVIGATION, TOP, GLOBAL, EVERYWHERE],
        Mode::Detail => &[DETAIL, SCROLL, GLOBAL, EVERYWHERE],
        Mode::Help => &[HELP, SCROLL, GLOBAL, EVERYWHERE],
        Mode::FilterEdit => &[FILTER],
        Mode::Copy => &[COPY],
        Mode::Alerts => &[ALERTS, SCROLL, GLOBAL],
    }
}

/// The action a key asks for in a mode.
pub fn lookup(mode: Mode, ev: &KeyEvent) -> Option<Action> {
    let key = Key::of(ev);
    let bound = tables(mode)
        .iter()
        .flat_map(|t| t.iter())
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action);
    match (bound, mode, key.code) {
        (Some(a), _, _) => Some(a),
        (None, Mode::FilterEdit, KeyCode::Char(c)) if !key.ctrl => {
            Some(Action::FilterEdit(FilterEdit::Insert(c)))
        }
        _ => None,
    }
}

/// How help says what `action` does: the text of its first built-in binding.
pub fn help_of(action: Action) -> Option<HelpId> {
    help_sections()
        .into_iter()
        .flat_map(|(t, _)| t.iter())
        .find(|b| b.action == action)
        .map(|b| b.help)
}

/// The help overlay's sections: a heading and one line per help text, with every key bound to
/// it in that table.
pub fn help_sections() -> Vec<(&'static [Binding], HelpSection)> {
    vec![
        (FAILURES, HelpSection::Failures),
        (NAVIGATION, HelpSection::Failures),
        (REASONS, HelpSection::Reasons),
        (GROUPS, HelpSection::Groups),
        (SESSIONS, HelpSection::Sessions),
        (WORKSPACES, HelpSection::Workspaces),
        (DETAIL, HelpSection::Detail),
        (SCROLL, HelpSection::Detail),
        (HELP, HelpSection::Detail),
        (FILTER, HelpSection::Filter),
        (COPY, HelpSection::Copy),
        (ALERTS, HelpSection::Alerts),
        (TOP, HelpSection::Everywhere),
        (GLOBAL, HelpSection::Everywhere),
        (EVERYWHERE, HelpSection::Everywhere),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelpSection {
    Failures,
    Reasons,
    Groups,
    Sessions,
    Workspaces,
    Detail,
    Filter,
    Copy,
    Alerts,
    Everywhere,
}

/// Help lines of one table: (keys, text id), one per help id in first-seen order.
pub fn help_lines(table: &'static [Binding]) -> Vec<(String, HelpId)> {
    let mut out: Vec<(String, HelpId)> = Vec::new();
    for b in table {
        let keys: Vec<String> = b.keys.iter().map(Key::label).collect();
        match out.iter_mut().find(|(_, id)| *id == b.help) {
            Some((k, _)) => {
                for key in keys {
                    k.push(' ');
                    k.push_str(&key);
                }
            }
            None => out.push((keys.join(" "), b.help)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_key_is_bound_twice_within_a_mode() {
        for mode in Mode::ALL {
            let mut seen = HashSet::new();
            for table in tables(mode) {
                for b in table.iter() {
                    for k in b.keys {
                        assert!(seen.insert(*k), "{mode:?}: {} bound twice", k.label());
                    }
                }
            }
        }
    }

    #[test]
    fn every_binding_is_in_the_help() {
        let sections = help_sections();
        for mode in Mode::ALL {
            for table in tables(mode) {
                assert!(
                    sections.iter().any(|(t, _)| *t == *table),
                    "a table of {mode:?} is not in the help"
                );
                let lines = help_lines(table);
                for b in table.iter() {
                    let line = lines.iter().find(|(_, id)| *id == b.help).unwrap();
                    for k in b.keys {
                        assert!(
                            line.0.split(' ').any(|l| l == k.label()),
                            "{} missing from help line {:?}",
                            k.label(),
                            line.0
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn keys_resolve_by_mode() {
        let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
        let enter = key(KeyCode::Enter);
        assert_eq!(lookup(Mode::Failures, &enter), Some(Action::OpenDetail));
        assert_eq!(lookup(Mode::Reasons, &enter), Some(Action::Drill));
        assert_eq!(lookup(Mode::Sessions, &enter), Some(Action::Drill));
        assert_eq!(lookup(Mode::Detail, &enter), Some(Action::CloseOverlay));
        let q = key(KeyCode::Char('q'));
        // `q` closes an overlay and quits only from the top.
        assert_eq!(lookup(Mode::Help, &q), Some(Action::CloseOverlay));
        assert_eq!(lookup(Mode::Detail, &q), Some(Action::CloseOverlay));
        assert_eq!(lookup(Mode::Copy, &q), Some(Action::CloseOverlay));
        assert_eq!(lookup(Mode::Sessions, &q), Some(Action::Quit));
        assert_eq!(
            lookup(Mode::Failures, &key(KeyCode::Esc)),
            Some(Action::Back)
        );
        assert_eq!(
            lookup(Mode::Detail, &key(KeyCode::Char('n'))),
            Some(Action::NextLost(true))
        );
        assert_eq!(
            lookup(Mode::FilterEdit, &key(KeyCode::Char('q'))),
            Some(Action::FilterEdit(FilterEdit::Insert('q')))
        );
        assert_eq!(
            lookup(Mode::Failures, &key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Mode::Failures, &ctrl_c), Some(Action::Quit));
        assert_eq!(lookup(Mode::FilterEdit, &ctrl_c), None);
        assert_eq!(lookup(Mode::Failures, &key(KeyCode::Char('Z'))), None);
    }
}
