//! Fitting text to columns by display width: cut with `…` when it does not fit, numbers right
//! aligned. CJK characters count two cells, combining marks none.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` in at most `width` cells: whole, or cut with `…` as its last cell.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// A mark and a name whose end tells it apart (an unknown reason code, `agent_error.sandbox_oom`):
/// when the whole does not fit, the name is cut from its front (`⚠ …sandbox_oom`).
pub fn fit_tail(mark: &str, name: &str, width: usize) -> String {
    let whole = format!("{mark}{name}");
    if whole.width() <= width {
        return whole;
    }
    let room = width.saturating_sub(mark.width() + 1);
    if room == 0 {
        return fit(&whole, width);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in name.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        tail.push(c);
        used += w;
    }
    let tail: String = tail.into_iter().rev().collect();
    format!("{mark}…{tail}")
}

/// `text` right-aligned in `width` cells (never cut: numbers must keep every digit).
pub fn right(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(text.width())))
}

/// The widest of these texts, in cells.
pub fn widest<'a>(texts: impl IntoIterator<Item = &'a str>) -> usize {
    texts
        .into_iter()
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
}

/// `text` as spans in `base`, with every place one of `words` occurs in `hit`: ASCII letters
/// match in either case, and a match starts and ends between characters. Cut the text to its
/// column first: what is highlighted is what is shown.
pub fn highlight(text: &str, words: &[String], base: Style, hit: Style) -> Vec<Span<'static>> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut marked = vec![false; text.len()];
    let bytes = text.as_bytes();
    for (i, _) in text.char_indices() {
        for w in words.iter().map(String::as_bytes).filter(|w| !w.is_empty()) {
            let end = i + w.len();
            if end <= bytes.len()
                && text.is_char_boundary(end)
                && bytes[i..end].eq_ignore_ascii_case(w)
            {
                marked[i..end].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    let mut spans = Vec::new();
    let mut start = 0;
    // Runs of marked and unmarked bytes, cut only between characters.
    for (i, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
        if i == text.len() || marked[i] != marked[start] {
            let style = if marked[start] { hit } else { base };
            spans.push(Span::styled(text[start..i].to_owned(), style));
            start = i;
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    /// An unknown reason keeps the end that names it: `⚠ …sandbox_oom`, not `⚠ agent_error.san…`.
    #[test]
    fn a_name_too_long_is_cut_from_its_front() {
        let code = "agent_error.sandbox_oom";
        assert_eq!(fit_tail("⚠ ", code, 40), "⚠ agent_error.sandbox_oom");
        assert_eq!(fit_tail("⚠ ", code, 16), "⚠ …r.sandbox_oom");
        assert_eq!(fit_tail("● ⚠ ", code, 16), "● ⚠ …sandbox_oom");
        assert_eq!(fit_tail("⚠ ", code, 16).width(), 16);
        assert_eq!(fit_tail("⚠ ", code, 2).width(), 2);
    }

    fn marked(text: &str, words: &[&str]) -> String {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let hit = Style::new().add_modifier(Modifier::UNDERLINED);
        highlight(text, &words, Style::new(), hit)
            .iter()
            .map(|s| {
                if s.style == hit {
                    format!("[{}]", s.content)
                } else {
                    s.content.to_string()
                }
            })
            .collect()
    }

    #[test]
    fn highlights_words_in_either_case_between_characters() {
        assert_eq!(
            marked("Provider TIMEOUT after timeout", &["timeout"]),
            "Provider [TIMEOUT] after [timeout]"
        );
        assert_eq!(marked("模型服务超时了", &["超时"]), "模型服务[超时]了");
        assert_eq!(marked("abcabc", &["bca", "ab"]), "[abcab]c");
        assert_eq!(marked("é café É", &["é"]), "[é] caf[é] É");
        assert_eq!(marked("", &["x"]), "");
        assert_eq!(marked("nothing", &[]), "nothing");
        // Cut first, then highlighted: a word cut by the ellipsis is not.
        assert_eq!(
            marked(&fit("quota exhausted", 10), &["quota", "exhausted"]),
            "[quota] exh…"
        );
    }

    #[test]
    fn fits_by_display_width_with_an_ellipsis() {
        assert_eq!(
            fit("Provider quota exhausted", 24),
            "Provider quota exhausted"
        );
        assert_eq!(fit("Provider quota exhausted", 12), "Provider qu…");
        assert_eq!(fit("模型服务繁忙", 7), "模型服…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(right("90", 5), "   90");
        assert_eq!(right("123456", 3), "123456", "digits are never lost");
        assert_eq!(widest(["a", "会话", "abc"]), 4);
    }
}
