//! The filter line being typed: text, a cursor, and the edits a line editor offers. No terminal,
//! no filter semantics: the app parses what this holds.

/// One edit of the filter line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterEdit {
    Insert(char),
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    /// Delete the word before the cursor (and the spaces after it).
    DeleteWord,
    Clear,
    Left,
    Right,
    Home,
    End,
    /// The filter applied before the one shown (history, newest first).
    Older,
    /// Back towards the newest, then to what was being typed.
    Newer,
    /// Apply the typed filter.
    Apply,
    /// Leave without changing the active filter.
    Cancel,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterEditor {
    text: String,
    /// Cursor position in chars (0 ..= len).
    cursor: usize,
    /// Filters applied before, oldest first.
    history: Vec<String>,
    /// Which history entry is shown (index into `history`), if any.
    browsing: Option<usize>,
    /// What was typed before browsing began.
    draft: String,
}

/// Filters remembered across runs.
pub const HISTORY_LEN: usize = 100;

/// Add an applied filter to a history (oldest first): moved to the end if it was there.
pub fn remember(history: &mut Vec<String>, filter: &str) {
    let filter = filter.trim();
    if filter.is_empty() {
        return;
    }
    history.retain(|h| h != filter);
    history.push(filter.to_owned());
    if history.len() > HISTORY_LEN {
        history.remove(0);
    }
}

impl FilterEditor {
    /// Start editing `text` with the cursor at its end.
    pub fn new(text: &str) -> FilterEditor {
        FilterEditor::with_history(text, Vec::new())
    }

    /// Start editing `text`, with the filters applied before to go back to.
    pub fn with_history(text: &str, history: Vec<String>) -> FilterEditor {
        FilterEditor {
            text: text.to_owned(),
            cursor: text.chars().count(),
            history,
            browsing: None,
            draft: String::new(),
        }
    }

    fn show(&mut self, text: String) {
        self.cursor = text.chars().count();
        self.text = text;
    }

    fn browse(&mut self, older: bool) -> bool {
        let next = match (self.browsing, older) {
            (None, true) => self.history.len().checked_sub(1),
            (None, false) => return false,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < self.history.len() => Some(i + 1),
            (Some(_), false) => None,
        };
        if self.browsing.is_none() {
            self.draft = self.text.clone();
        }
        let before = self.text.clone();
        match next {
            Some(i) => {
                self.browsing = Some(i);
                self.show(self.history[i].clone());
            }
            None => {
                self.browsing = None;
                let draft = std::mem::take(&mut self.draft);
                self.show(draft);
            }
        }
        self.text != before
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Apply an edit; returns true when the text changed.
    pub fn edit(&mut self, e: FilterEdit) -> bool {
        let len = self.text.chars().count();
        match e {
            FilterEdit::Insert(c) if !c.is_control() => {
                let at = self.byte(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
                true
            }
            FilterEdit::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte(self.cursor);
                self.text.remove(at);
                true
            }
            FilterEdit::Delete if self.cursor < len => {
                let at = self.byte(self.cursor);
                self.text.remove(at);
                true
            }
            FilterEdit::DeleteWord if self.cursor > 0 => {
                let before: Vec<char> = self.text.chars().take(self.cursor).collect();
                let mut start = before.len();
                while start > 0 && before[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && before[start - 1] != ' ' {
                    start -= 1;
                }
                let (from, to) = (self.byte(start), self.byte(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
                true
            }
            FilterEdit::Clear if !self.text.is_empty() => {
                self.text.clear();
                self.cursor = 0;
                true
            }
            FilterEdit::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            FilterEdit::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            FilterEdit::Home => {
                self.cursor = 0;
                false
            }
            FilterEdit::End => {
                self.cursor = len;
                false
            }
            FilterEdit::Older => self.browse(true),
            FilterEdit::Newer => self.browse(false),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FilterEdit::*;

    fn typed(start: &str, edits: &[FilterEdit]) -> (String, usize) {
        let mut e = FilterEditor::new(start);
        for &x in edits {
            e.edit(x);
        }
        (e.text().to_owned(), e.cursor())
    }

    #[test]
    fn inserts_at_the_cursor_and_moves_it() {
        assert_eq!(
            typed("reason:x", &[Home, Insert('-')]),
            ("-reason:x".into(), 1)
        );
        assert_eq!(typed("ab", &[Left, Insert('会')]), ("a会b".into(), 2));
        assert_eq!(
            typed("ab", &[Insert('\u{1b}')]),
            ("ab".into(), 2),
            "no control chars"
        );
        assert_eq!(typed("", &[Right, Left, Left]), (String::new(), 0));
    }

    #[test]
    fn deletes_characters_words_and_lines() {
        assert_eq!(typed("abc", &[Backspace]), ("ab".into(), 2));
        assert_eq!(typed("abc", &[Home, Backspace]), ("abc".into(), 0));
        assert_eq!(typed("abc", &[Home, Delete]), ("bc".into(), 0));
        assert_eq!(typed("abc", &[Delete]), ("abc".into(), 3));
        assert_eq!(
            typed("reason:timeout outcome:lost  ", &[DeleteWord]),
            ("reason:timeout ".into(), 15)
        );
        assert_eq!(
            typed("a b c", &[Left, Left, DeleteWord]),
            ("a  c".into(), 2)
        );
        assert_eq!(typed("会话 丢失", &[DeleteWord]), ("会话 ".into(), 3));
        assert_eq!(typed("abc", &[Clear, Insert('x')]), ("x".into(), 1));
    }

    #[test]
    fn history_goes_back_and_returns_to_what_was_typed() {
        let mut history = Vec::new();
        for f in ["reason:a", "outcome:lost", "reason:a"] {
            remember(&mut history, f);
        }
        assert_eq!(history, ["outcome:lost", "reason:a"], "moved to the newest");
        let mut e = FilterEditor::with_history("typ", history);
        assert!(e.edit(Older));
        assert_eq!((e.text(), e.cursor()), ("reason:a", 8));
        assert!(e.edit(Older));
        assert_eq!(e.text(), "outcome:lost");
        assert!(!e.edit(Older), "the oldest stays");
        assert!(e.edit(Newer));
        assert!(e.edit(Newer));
        assert_eq!(e.text(), "typ", "back to the draft");
        assert!(!e.edit(Newer));
        let mut long = Vec::new();
        for i in 0..150 {
            remember(&mut long, &format!("task:{i}"));
        }
        assert_eq!(long.len(), HISTORY_LEN);
        assert_eq!(long[0], "task:50");
    }

    #[test]
    fn apply_and_cancel_change_nothing_here() {
        let mut e = FilterEditor::new("x");
        assert!(!e.edit(Apply) && !e.edit(Cancel));
        assert_eq!(e.text(), "x");
    }
}
