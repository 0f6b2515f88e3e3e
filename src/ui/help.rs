//! The help overlay: every key, in the current language, plus the route marks legend.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::App;
use super::block;
use super::i18n::strings;
use super::layout::centered;
use super::theme::Theme;
use crate::routing::Outcome;

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let s = strings(app.lang);
    let area = centered(area, 80, 90);
    let mut lines: Vec<Line> = s
        .keys
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:>14}  "), theme.title()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::default());
    let legend: Vec<Span> = Outcome::ALL
        .iter()
        .map(|o| {
            let g = if app.ascii { o.ascii() } else { o.glyph() };
            Span::styled(format!("{g} {}   ", o.label(app.lang)), theme.outcome(*o))
        })
        .collect();
    let relays: Vec<String> = app
        .family()
        .relays()
        .iter()
        .map(|r| format!("{} {}", r.letter(), r.name()))
        .collect();
    lines.push(Line::from(format!(
        "{:>14}  {}",
        app.family().name(),
        relays.join("  ")
    )));
    lines.push(Line::from(legend));
    lines.push(Line::from(format!(
        "{:>14}  {}",
        "_",
        strings(app.lang).bound_no
    )));
    lines.push(Line::default());
    lines.push(Line::from(
        "filter: reason:provider_* reason:agent outcome:dropped outcome:canned relay:lark session:<id> agent:<id> since:15m word /regex/ -term",
    ));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(format!(" {} ", s.help), true, theme)),
        area,
    );
}
