//! Copy and export that work on a remote on-call box, and say truthfully whether they did. In
//! tmux the text goes into a tmux buffer (`load-buffer -w`, which tmux also forwards to the
//! outer terminal's clipboard unless its `set-clipboard` is off): that always works and can be
//! pasted with prefix `]`. Elsewhere OSC 52 asks the terminal (wrapped for screen); whether the
//! terminal allows it cannot be known, and the message says so. Exports are JSON Lines files in
//! the `tail` schema. Everything copied or exported is already redacted.

use std::io::{self, Write};

use base64::Engine;

use crate::catalog::Lang;
use crate::i18n::strings;

/// Terminals cap OSC 52 payloads; beyond this we refuse rather than send a truncated copy.
pub const MAX_COPY_BYTES: usize = 100_000;

/// The escape sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str, tmux: bool, screen: bool) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let seq = format!("\x1b]52;c;{b64}\x07");
    if tmux {
        // tmux passes an escape through when it is wrapped in a DCS and inner ESCs are doubled.
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else if screen {
        format!("\x1bP{seq}\x1b\\")
    } else {
        seq
    }
}

/// Put `text` into a tmux buffer (and, through tmux, the clipboard).
fn tmux_load_buffer(text: &str) -> io::Result<()> {
    use std::process::{Command, Stdio};
    let run = |args: &[&str]| -> io::Result<bool> {
        let mut child = Command::new("tmux")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(text.as_bytes())?;
        }
        Ok(child.wait()?.success())
    };
    // `-w` (tmux 3.2+) also sets the clipboard; older tmux only has the buffer.
    if run(&["load-buffer", "-w", "-"])? || run(&["load-buffer", "-"])? {
        Ok(())
    } else {
        Err(io::Error::other("tmux load-buffer failed"))
    }
}

/// Send `text` to the clipboard; returns a status line saying where it went.
pub fn copy(text: &str, lang: Lang) -> String {
    let s = strings(lang);
    if text.len() > MAX_COPY_BYTES {
        return format!("{} ({} {})", s.copy_too_big, text.len(), s.bytes);
    }
    if std::env::var_os("TMUX").is_some() {
        return match tmux_load_buffer(text) {
            Ok(()) => format!(
                "{} {} {} {}",
                s.copied,
                text.len(),
                s.bytes,
                s.to_tmux_buffer
            ),
            Err(e) => format!("{}: {e}", s.copy_failed),
        };
    }
    let screen = std::env::var("TERM").is_ok_and(|t| t.starts_with("screen"));
    let mut out = io::stdout();
    match out
        .write_all(osc52(text, false, screen).as_bytes())
        .and_then(|_| out.flush())
    {
        Ok(()) => format!("{} {} {} {}", s.sent, text.len(), s.bytes, s.via_osc52),
        Err(e) => format!("{}: {e}", s.copy_failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_wrapped_for_multiplexers() {
        assert_eq!(osc52("hi", false, false), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            osc52("hi", true, false),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        assert!(osc52("hi", false, true).starts_with("\x1bP\x1b]52"));
    }
}
