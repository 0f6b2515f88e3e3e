//! The help overlay, generated from the key tables: every binding of every mode, in the current
//! language, then the marks of the failures table and the filter language.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::App;
use super::block;
use super::keymap::{help_lines, help_sections, HelpSection};
use super::layout::centered;
use super::theme::Theme;
use crate::i18n::{strings, Strings};
use crate::routing::{Family, Outcome};

fn heading(s: &Strings, section: HelpSection) -> &'static str {
    match section {
        HelpSection::Failures => s.help_keys_normal,
        HelpSection::Panels => s.help_keys_panels,
        HelpSection::Detail => s.help_keys_detail,
        HelpSection::Filter => s.help_keys_filter,
        HelpSection::Everywhere => s.help_keys_everywhere,
    }
}

/// Every help line, in order (also what the tests read).
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
        for (keys, id) in help_lines(table) {
            // The detail and help views share their close and scroll keys: say each once.
            let fresh: Vec<&str> = keys
                .split(' ')
                .filter(|k| !shown.contains(&(k.to_string(), id)))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            shown.extend(fresh.iter().map(|k| (k.to_string(), id)));
            let keys = fresh.join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("{keys:>18}  "), theme.title()),
                Span::raw(id.text(app.lang)),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(s.help_marks, theme.title()));
    let relays: Vec<String> = family
        .relays()
        .iter()
        .map(|r| format!("{} {}", r.letter(), r.name()))
        .collect();
    lines.push(Line::from(format!(
        "{:>18}  {}",
        family.name(),
        relays.join("  ")
    )));
    for o in Outcome::ALL {
        let g = if app.ascii { o.ascii() } else { o.glyph() };
        lines.push(Line::from(vec![
            Span::styled(format!("{g:>18}  "), theme.outcome(o)),
            Span::raw(o.label(app.lang)),
        ]));
    }
    lines.push(Line::from(format!("{:>18}  {}", "_", s.bound_no)));
    lines.push(Line::default());
    lines.push(Line::from(s.help_filter));
    lines
}

pub fn render(f: &mut Frame, area: Rect, app: &App, family: Family, theme: &Theme) {
    let s = strings(app.lang);
    let area = centered(area, 80, 90);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines(app, family, theme))
            .wrap(Wrap { trim: false })
            .scroll((app.help_scroll, 0))
            .block(block(format!(" {} ", s.help), true, theme)),
        area,
    );
}
