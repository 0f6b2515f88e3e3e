//! The key hints of the bottom line, built from the bindings: a `[keys]` entry of the config
//! file shows in place of the key it took, and a key taken from an action is not offered for it.

use super::action::{Action, Panel};
use super::keymap::{tables, Key, Mode};
use crate::i18n::Strings;

/// One hint: the actions whose keys it names (`←/→`), and its word.
struct Hint {
    actions: &'static [Action],
    word: fn(&Strings) -> &'static str,
}

const fn hint(actions: &'static [Action], word: fn(&Strings) -> &'static str) -> Hint {
    Hint { actions, word }
}

const HELP_HINT: Hint = hint(&[Action::ToggleHelp], |s| s.hint_help);
const QUIT_HINT: Hint = hint(&[Action::Quit], |s| s.hint_quit);
const BACK_HINT: Hint = hint(&[Action::Unfocus], |s| s.hint_back);
const CLOSE_HINT: Hint = hint(&[Action::CloseOverlay], |s| s.hint_close);
const SCROLL_HINT: Hint = hint(&[Action::Scroll(1), Action::Scroll(-1)], |s| s.hint_scroll);

const FAILURES: &[Hint] = &[
    hint(&[Action::OpenDetail], |s| s.hint_detail),
    hint(&[Action::EditFilter], |s| s.hint_filter),
    hint(&[Action::Report], |s| s.hint_report),
    hint(&[Action::Goto], |s| s.hint_goto),
    hint(&[Action::NextLost(true)], |s| s.hint_next_lost),
    hint(&[Action::Focus(Panel::Reasons)], |s| s.hint_reasons),
    hint(&[Action::Focus(Panel::Sessions)], |s| s.hint_sessions),
    HELP_HINT,
    QUIT_HINT,
];

const REASONS: &[Hint] = &[
    hint(&[Action::Drill], |s| s.hint_narrow),
    hint(&[Action::ToggleReason], |s| s.hint_toggle),
    hint(&[Action::Copy], |s| s.hint_copy_code),
    BACK_HINT,
    HELP_HINT,
    QUIT_HINT,
];

const GROUPS: &[Hint] = &[
    hint(&[Action::Drill], |s| s.hint_narrow),
    hint(&[Action::Copy], |s| s.hint_copy_id),
    hint(&[Action::Focus(Panel::Reasons)], |s| s.hint_reasons),
    BACK_HINT,
    HELP_HINT,
    QUIT_HINT,
];

const SESSIONS: &[Hint] = &[
    hint(&[Action::Drill], |s| s.hint_narrow),
    hint(&[Action::Copy], |s| s.hint_copy_id),
    hint(&[Action::CopyMenu], |s| s.hint_copy_menu),
    BACK_HINT,
    HELP_HINT,
    QUIT_HINT,
];

const WORKSPACES: &[Hint] = &[
    hint(&[Action::Drill], |s| s.hint_narrow),
    hint(&[Action::Copy], |s| s.hint_copy_id),
    hint(&[Action::Focus(Panel::Sessions)], |s| s.hint_sessions),
    BACK_HINT,
    HELP_HINT,
    QUIT_HINT,
];

const DETAIL: &[Hint] = &[
    hint(&[Action::DetailStep(-1), Action::DetailStep(1)], |s| {
        s.hint_step
    }),
    SCROLL_HINT,
    hint(&[Action::NextLost(true)], |s| s.hint_next_lost),
    hint(&[Action::CopyMenu], |s| s.hint_copy_menu),
    CLOSE_HINT,
];

const HELP: &[Hint] = &[
    SCROLL_HINT,
    hint(&[Action::ScrollPage(1), Action::ScrollPage(-1)], |s| {
        s.hint_page
    }),
    hint(&[Action::Top, Action::Bottom], |s| s.hint_ends),
    CLOSE_HINT,
];

const ALERTS: &[Hint] = &[
    SCROLL_HINT,
    hint(&[Action::ScrollPage(1), Action::ScrollPage(-1)], |s| {
        s.hint_page
    }),
    hint(&[Action::Top, Action::Bottom], |s| s.hint_newest_oldest),
    CLOSE_HINT,
];

const COPY: &[Hint] = &[hint(&[Action::CloseOverlay], |s| s.hint_cancel)];

const FILTER_EDIT: &[Hint] = &[];

fn list(mode: Mode) -> &'static [Hint] {
    match mode {
        Mode::Failures => FAILURES,
        Mode::Reasons => REASONS,
        Mode::Groups => GROUPS,
        Mode::Sessions => SESSIONS,
        Mode::Workspaces => WORKSPACES,
        Mode::Detail => DETAIL,
        Mode::Help => HELP,
        Mode::Alerts => ALERTS,
        Mode::Copy => COPY,
        Mode::FilterEdit => FILTER_EDIT,
    }
}

/// The key that does `action` in `mode`: an extra key given to it, else the first built-in key
/// no extra key has taken.
pub fn key_for(mode: Mode, action: Action, extra: &[(Key, Action)]) -> Option<Key> {
    let extra = if mode.reads_extra_keys() { extra } else { &[] };
    if let Some((k, _)) = extra.iter().find(|(_, a)| *a == action) {
        return Some(*k);
    }
    let taken = |k: &Key| extra.iter().any(|(e, _)| e == k);
    tables(mode)
        .iter()
        .flat_map(|t| t.iter())
        .filter(|b| b.action == action)
        .flat_map(|b| b.keys.iter())
        .find(|k| !taken(k))
        .copied()
}

/// The hints of `mode` as one line: `enter detail · / filter · … · q quit`.
pub fn line(mode: Mode, extra: &[(Key, Action)], s: &Strings) -> String {
    let mut items = Vec::new();
    if mode == Mode::Copy {
        items.push(s.hint_copy_press.to_owned());
    }
    for h in list(mode) {
        let keys: Vec<String> = h
            .actions
            .iter()
            .filter_map(|a| key_for(mode, *a, extra))
            .map(|k| k.label())
            .collect();
        if !keys.is_empty() {
            items.push(format!("{} {}", keys.join("/"), (h.word)(s)));
        }
    }
    items.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Lang;
    use crate::i18n::strings;
    use crate::ui::keymap::parse_key;

    #[test]
    fn the_hints_name_the_built_in_keys() {
        let s = strings(Lang::En);
        assert_eq!(
            line(Mode::Failures, &[], s),
            "enter detail · / filter · R report · t go to · n next lost · r reasons · \
             s sessions · ? help · q quit"
        );
        assert_eq!(
            line(Mode::Detail, &[], s),
            "←/→ previous/next failure · j/k scroll · n next lost · y copy… · esc close"
        );
        assert_eq!(line(Mode::Copy, &[], s), "press a key to copy · esc cancel");
    }

    #[test]
    fn a_config_key_shows_where_it_took_one() {
        let s = strings(Lang::En);
        let q = parse_key("q").unwrap();
        let x = parse_key("x").unwrap();
        // `help = "q"` and `quit = "x"`: q opens the help, x quits, and no hint offers q to quit.
        let extra = [(q, Action::ToggleHelp), (x, Action::Quit)];
        let hints = line(Mode::Failures, &extra, s);
        assert!(hints.ends_with("q help · x quit"), "{hints}");
        // Only `help = "q"`: quitting has no plain key left but ctrl-c.
        let hints = line(Mode::Failures, &[(q, Action::ToggleHelp)], s);
        assert!(hints.ends_with("q help · ctrl-c quit"), "{hints}");
    }
}
