//! A scrollable text overlay (the help, a failure's detail): lines wrapped to the width with a
//! hanging indent, a scroll that stops at the end of the content, and the position in the title.
//! Heights are computed here too, so the app can clamp its scroll without drawing.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use super::theme::Theme;

/// Wrap one line to `width` cells. Continuation lines are indented like the line's first text
/// (its leading spaces, or the key column of a help line): `indent` when given.
pub fn wrap_line(line: Line<'static>, width: usize, indent: Option<usize>) -> Vec<Line<'static>> {
    let width = width.max(8);
    if line.width() <= width {
        return vec![line];
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let leading = text.len() - text.trim_start().len();
    let indent = indent.unwrap_or(leading).min(width / 2);
    // Characters with their styles, so a break may fall inside a span.
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < chars.len() {
        let room = if first { width } else { width - indent };
        // Take as many characters as fit, then back up to the last space if there is one.
        let mut used = 0;
        let mut end = start;
        while end < chars.len() {
            let w = chars[end].0.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            used += w;
            end += 1;
        }
        if end < chars.len() {
            if let Some(space) = (start + 1..end).rev().find(|&i| chars[i].0 == ' ') {
                end = space + 1;
            }
        }
        if end == start {
            end = start + 1;
        }
        let mut spans = Vec::new();
        if !first {
            spans.push(Span::raw(" ".repeat(indent)));
        }
        let mut run = String::new();
        let mut style = chars[start].1;
        for &(c, s) in &chars[start..end] {
            if s != style && !run.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut run), style));
            }
            style = s;
            run.push(c);
        }
        if !first {
            // A continuation starts at its first word, not at the space it broke on.
            run = run.trim_start().to_owned();
        }
        spans.push(Span::styled(run, style));
        out.push(Line::from(spans).style(line.style));
        start = end;
        first = false;
    }
    out
}

pub fn wrap(lines: Vec<Line<'static>>, width: usize, indent: Option<usize>) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .flat_map(|l| wrap_line(l, width, indent))
        .collect()
}

/// The furthest a view of `visible` rows may scroll over `content` rows.
pub fn max_scroll(content: usize, visible: usize) -> usize {
    content.saturating_sub(visible)
}

/// Draw `lines` (already wrapped to the area's inner width) in a bordered overlay, scrolled to
/// `scroll` (clamped), with `title` and where the view is: `12–31/64`.
pub fn render(
    f: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: usize,
    theme: &Theme,
) {
    let visible = usize::from(area.height.saturating_sub(2));
    let total = lines.len();
    let scroll = scroll.min(max_scroll(total, visible));
    let position = if total > visible {
        format!(
            "· {}–{}/{total} ",
            scroll + 1,
            (scroll + visible).min(total)
        )
    } else {
        String::new()
    };
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(visible).collect();
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(shown).block(super::block(format!(" {title} {position}"), true, theme)),
        area,
    );
}

/// Inner width and height of an overlay area.
pub fn inner(area: Rect) -> (usize, usize) {
    (
        usize::from(area.width.saturating_sub(2)),
        usize::from(area.height.saturating_sub(2)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_with_a_hanging_indent() {
        let l = Line::from("  alpha beta gamma delta epsilon");
        assert_eq!(
            texts(&wrap_line(l, 16, None)),
            ["  alpha beta ", "  gamma delta ", "  epsilon"]
        );
        let help = Line::from(vec![
            Span::raw("      k  "),
            Span::raw("one two three four"),
        ]);
        assert_eq!(
            texts(&wrap_line(help, 20, Some(9))),
            ["      k  one two ", "         three four"]
        );
        // A word longer than the width is cut, never lost.
        assert_eq!(
            texts(&wrap_line(Line::from("abcdefghijkl"), 8, None)),
            ["abcdefgh", "ijkl"]
        );
        // Wide characters count two cells.
        assert_eq!(
            texts(&wrap_line(Line::from("会话会话会话"), 8, None)),
            ["会话会话", "会话"]
        );
    }

    #[test]
    fn scrolling_stops_at_the_end() {
        assert_eq!(max_scroll(10, 4), 6);
        assert_eq!(max_scroll(3, 4), 0);
    }
}
