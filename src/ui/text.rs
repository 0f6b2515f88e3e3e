//! Fitting text to columns by display width: cut with `…` when it does not fit, numbers right
//! aligned. CJK characters count two cells, combining marks none.

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

#[cfg(test)]
mod tests {
    use super::*;

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
