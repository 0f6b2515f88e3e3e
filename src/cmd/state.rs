//! What failwatch keeps between runs, in the state directory (`$XDG_STATE_HOME/failwatch`, else
//! `~/.local/state/failwatch`): the log, the filter history, whether the first-run hint was seen.
//! Reading never fails a command: a missing or unreadable file is an empty one.

use std::path::PathBuf;

pub fn dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("failwatch"))
}

fn history_path() -> Option<PathBuf> {
    Some(dir()?.join("filter-history"))
}

/// Filters applied in earlier runs, oldest first; each cleaned and masked as outside text.
pub fn load_history() -> Vec<String> {
    history_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map_or_else(Vec::new, |text| parse_history(&text))
}

/// A filter history file's entries: the file may have been written by anyone, so each line is
/// outside text (controls removed, secrets masked, capped).
fn parse_history(text: &str) -> Vec<String> {
    let mut history = Vec::new();
    for line in text.lines() {
        let clean = crate::redact::redact_line(line, 1000);
        crate::ui::filter_edit::remember(&mut history, &clean);
    }
    history
}

pub fn save_history(history: &[String]) {
    let Some(path) = history_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut text = history.join("\n");
    text.push('\n');
    if let Err(e) = std::fs::write(&path, text) {
        tracing::warn!(error = %e, "could not save the filter history");
    }
}

fn seen_path() -> Option<PathBuf> {
    Some(dir()?.join("seen"))
}

/// Whether the dashboard was never run here before (it then shows where to start).
pub fn first_run() -> bool {
    seen_path().is_some_and(|p| !p.exists())
}

pub fn mark_seen() {
    let Some(path) = seen_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, "");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_entries_are_cleaned_and_masked_when_read() {
        let file = "reason:timeout\n\u{1b}]0;t\u{7}agent:a\nmul_0123456789abcdef0123456789abcdef\n\
                    /token=hunter2hunter2/\nsession:x\u{3164}y\n";
        assert_eq!(
            parse_history(file),
            [
                "reason:timeout",
                "agent:a",
                "[REDACTED MULTICA TOKEN]",
                "/[REDACTED CREDENTIAL]",
                "session:xy"
            ]
        );
    }
}
