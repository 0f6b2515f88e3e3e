//! The help overlay, generated from the key tables: every binding of every mode, in the current
//! language, then what every mark means, the filter language and the saved filters. It scrolls,
//! wraps with the key column kept, and stops at its end.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::app::App;
use super::keymap::{help_lines, help_sections, HelpSection};
use super::layout::centered;
use super::scroll_view;
use super::theme::Theme;
use crate::i18n::{strings, Strings};
use crate::routing::{Family, Outcome};

/// Width of the key column (right-aligned by display width) and the gap after it.
const KEY_COLUMN: usize = 18;
const INDENT: usize = KEY_COLUMN + 2;

/// A section's heading, as help and the manual page write it.
pub fn heading(s: &Strings, section: HelpSection) -> &'static str {
    match section {
        HelpSection::Failures => s.help_keys_normal,
        HelpSection::Reasons => s.help_keys_reasons,
        HelpSection::Groups => s.help_keys_groups,
        HelpSection::Sessions => s.help_keys_sessions,
        HelpSection::Workspaces => s.help_keys_workspaces,
        HelpSection::Detail => s.help_keys_detail,
        HelpSection::Filter => s.help_keys_filter,
        HelpSection::Copy => s.help_keys_copy,
        HelpSection::Alerts => s.help_keys_alerts,
        HelpSection::Everywhere => s.help_keys_everywhere,
    }
}

/// `text` right-aligned in the key column by its display width (CJK counts two).
fn key_column(text: &str) -> String {
    let pad = KEY_COLUMN.saturating_sub(text.width());
    format!("{}{text}  ", " ".repeat(pad))
}

/// A help line: the keys in the key column and what they do. Keys wider than the column go on
/// lines of their own above, so the texts stay in one column.
fn push_keys(lines: &mut Vec<Line<'static>>, keys: &[&str], text: &'static str, theme: &Theme) {
    let mut rows: Vec<String> = vec![String::new()];
    for k in keys {
        let row = rows.last_mut().expect("one row");
        if !row.is_empty() && row.width() + 1 + k.width() > KEY_COLUMN {
            rows.push((*k).to_owned());
        } else {
            if !row.is_empty() {
                row.push(' ');
            }
            row.push_str(k);
        }
    }
    let last = rows.len() - 1;
    for (i, row) in rows.into_iter().enumerate() {
        let mut spans = vec![Span::styled(key_column(&row), theme.title())];
        if i == last {
            spans.push(Span::raw(text));
        }
        lines.push(Line::from(spans));
    }
}

/// Every help line, unwrapped, in order (also what the tests read).
pub fn lines(app: &App, family: Family, theme: &Theme) -> Vec<Line<'static>> {
    let s = strings(app.lang);
    let mut lines = Vec::new();
    let mut last = None;
    let mut shown = Vec::new();
    for (table, section) in help_sections() {
        if last != Some(section) {
            if last.is_some() {
                lines.push(Line::default());
            }
            lines.push(Line::styled(heading(s, section), theme.title()));
            last = Some(section);
            shown.clear();
        }
        // A key the config file gave to another action no longer does this one.
        let taken: Vec<String> = match section {
            HelpSection::Filter | HelpSection::Copy => Vec::new(),
            _ => app.extra_keys.iter().map(|(k, _)| k.label()).collect(),
        };
        for (keys, id) in help_lines(table) {
            // The detail and help views share their close and scroll keys: say each once.
            let fresh: Vec<&str> = keys
                .split(' ')
                .filter(|k| !shown.contains(&(k.to_string(), id)) && !taken.iter().any(|t| t == k))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            shown.extend(fresh.iter().map(|k| (k.to_string(), id)));
            push_keys(&mut lines, &fresh, id.text(app.lang), theme);
        }
    }
    if !app.extra_keys.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled(s.help_keys_config, theme.title()));
    }
    for (key, action) in &app.extra_keys {
        let what = super::keymap::help_of(*action).map_or("", |id| id.text(app.lang));
        push_keys(&mut lines, &[&key.label()], what, theme);
    }
    lines.push(Line::default());
    lines.push(Line::styled(s.help_marks, theme.title()));
    let relays: Vec<String> = family
        .relays()
        .iter()
        .map(|r| format!("{} {}", r.letter(), r.name()))
        .collect();
    lines.push(Line::from(format!(
        "{}{}",
        key_column(family.name()),
        relays.join("  ")
    )));
    for o in Outcome::ALL {
        let g = if app.ascii { o.ascii() } else { o.glyph() };
        lines.push(Line::from(vec![
            Span::styled(key_column(&g.to_string()), theme.outcome(o)),
            Span::raw(o.label(app.lang)),
        ]));
    }
    lines.push(Line::from(format!("{}{}", key_column("_"), s.bound_no)));
    if family.relays().contains(&crate::routing::Relay::WeCom) {
        let mark = if app.ascii {
            super::failures::INBOX_MARK_ASCII
        } else {
            super::failures::INBOX_MARK
        };
        lines.push(Line::from(format!(
            "{}{}",
            key_column(&mark.to_string()),
            s.inbox_pushed
        )));
    }
    lines.push(Line::default());
    lines.push(Line::styled(s.help_legend, theme.title()));
    lines.extend(
        s.help_legend_lines
            .lines()
            .map(|l| Line::from(format!("  {l}"))),
    );
    lines.push(Line::default());
    lines.push(Line::styled(s.help_filter, theme.title()));
    lines.extend(
        s.help_filter_lines
            .lines()
            .map(|l| Line::from(format!("  {l}"))),
    );
    // The config file's names and filters are outside text like any other.
    let clean = |t: &str| crate::redact::redact_line(t, crate::redact::MAX_MESSAGE_CHARS);
    for (name, expr) in app.saved_filters.iter() {
        lines.push(Line::from(format!("  @{} = {}", clean(name), clean(expr))));
    }
    lines
}

/// Where the help overlay goes on a screen of `size`.
pub fn area(size: Rect) -> Rect {
    centered(size, 80, 90)
}

/// The help wrapped to its overlay: what is drawn, and what scrolling is measured against.
pub fn wrapped(app: &App, family: Family, theme: &Theme) -> Vec<Line<'static>> {
    let (width, _) = scroll_view::inner(area(app.size));
    scroll_view::wrap(lines(app, family, theme), width, Some(INDENT))
}

pub fn render(f: &mut Frame, size: Rect, app: &App, family: Family, theme: &Theme) {
    let s = strings(app.lang);
    let lines = wrapped(app, family, theme);
    scroll_view::render(
        f,
        area(size),
        s.help,
        lines,
        usize::from(app.help_scroll),
        theme,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_filters_are_shown_cleaned_and_masked() {
        let mut app = App::new(crate::catalog::Lang::En);
        let token = "mul_0123456789abcdef0123456789abcdef01234567";
        let filters = [(
            "\u{1b}]0;PWNED\u{7}x".to_owned(),
            format!("\u{1b}[2Jtoken={token}"),
        )];
        app.saved_filters = std::sync::Arc::new(filters.into_iter().collect());
        let text: String = lines(&app, Family::Upstream, &Theme::plain())
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
            .collect();
        assert!(text.contains("@"), "the saved filter is listed");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(!text.contains("0123456789abcdef0123"), "{text:?}");
    }
}
