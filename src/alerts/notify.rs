//! Telling the person at the terminal that an alert fired: the bell, and a desktop notification
//! asked of the terminal by escape sequence — OSC 9 (iTerm2, WezTerm, kitty, Windows Terminal)
//! or OSC 777 (VTE terminals such as GNOME Terminal, foot, urxvt, Ghostty). Inside tmux the
//! sequence is wrapped for passthrough (tmux 3.3+ with `set -g allow-passthrough on`).

use crate::redact;

/// Which escape, if any, asks this terminal for a desktop notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notifier {
    Osc9,
    Osc777,
    /// No notification escape known to work here: the bell only.
    BellOnly,
    /// `FAILWATCH_NOTIFY=off`: nothing at all.
    Off,
}

impl Notifier {
    /// From `FAILWATCH_NOTIFY` (`osc9`, `osc777`, `bell`, `off`), else from what the terminal
    /// leaves in the environment (these survive into tmux, unlike `TERM`).
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> Notifier {
        match var("FAILWATCH_NOTIFY").as_deref() {
            Some("osc9") => return Notifier::Osc9,
            Some("osc777") => return Notifier::Osc777,
            Some("bell") => return Notifier::BellOnly,
            Some("off") => return Notifier::Off,
            _ => {}
        }
        let has = |name: &str| var(name).is_some_and(|v| !v.is_empty());
        let term = var("TERM").unwrap_or_default();
        let program = var("TERM_PROGRAM").unwrap_or_default();
        if has("ITERM_SESSION_ID")
            || has("WEZTERM_PANE")
            || has("KITTY_WINDOW_ID")
            || has("WT_SESSION")
            || matches!(program.as_str(), "iTerm.app" | "WezTerm")
            || term.contains("kitty")
        {
            Notifier::Osc9
        } else if has("VTE_VERSION")
            || has("GHOSTTY_RESOURCES_DIR")
            || term.starts_with("foot")
            || term.contains("rxvt")
        {
            Notifier::Osc777
        } else {
            Notifier::BellOnly
        }
    }
}

/// The bytes that ring the bell and ask for a notification titled `title` saying `body`. Both
/// texts are cleaned (no control character can end the sequence early or start another).
pub fn notification(notifier: Notifier, in_tmux: bool, title: &str, body: &str) -> String {
    let title = redact::redact_line(title, 60).replace(';', ",");
    let body = redact::redact_line(body, 200);
    let osc = match notifier {
        Notifier::Off => return String::new(),
        Notifier::BellOnly => return "\x07".into(),
        Notifier::Osc9 => format!("\x1b]9;{title}: {body}\x07"),
        Notifier::Osc777 => format!("\x1b]777;notify;{title};{body}\x07"),
    };
    let osc = if in_tmux {
        // tmux hands a DCS passthrough's content to the outer terminal, its ESCs doubled.
        format!("\x1bPtmux;{}\x1b\\", osc.replace('\x1b', "\x1b\x1b"))
    } else {
        osc
    };
    format!("\x07{osc}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_terminal_is_recognised_from_what_it_leaves_in_the_environment() {
        assert_eq!(
            Notifier::detect(env(&[("ITERM_SESSION_ID", "w0t0p0")])),
            Notifier::Osc9
        );
        assert_eq!(
            Notifier::detect(env(&[("VTE_VERSION", "7600")])),
            Notifier::Osc777
        );
        assert_eq!(Notifier::detect(env(&[("TERM", "foot")])), Notifier::Osc777);
        assert_eq!(
            Notifier::detect(env(&[("TERM", "xterm-256color")])),
            Notifier::BellOnly
        );
        assert_eq!(
            Notifier::detect(env(&[("FAILWATCH_NOTIFY", "off"), ("VTE_VERSION", "1")])),
            Notifier::Off
        );
    }

    #[test]
    fn sequences_are_well_formed_and_hostile_text_cannot_break_out() {
        assert_eq!(
            notification(Notifier::Osc9, false, "failwatch", "timeouts"),
            "\x07\x1b]9;failwatch: timeouts\x07"
        );
        assert_eq!(
            notification(Notifier::Osc777, false, "fail;watch", "x"),
            "\x07\x1b]777;notify;fail,watch;x\x07"
        );
        let wrapped = notification(Notifier::Osc9, true, "t", "b");
        assert_eq!(wrapped, "\x07\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\");
        let hostile = notification(Notifier::Osc9, false, "t", "a\x07\x1b]0;owned\x1b\\b");
        // One BEL before the sequence, one ending it: nothing from the text.
        assert_eq!(hostile.matches('\x07').count(), 2, "{hostile:?}");
        assert_eq!(hostile.matches('\x1b').count(), 1, "{hostile:?}");
        assert_eq!(notification(Notifier::BellOnly, true, "t", "b"), "\x07");
        assert_eq!(notification(Notifier::Off, true, "t", "b"), "");
    }
}
