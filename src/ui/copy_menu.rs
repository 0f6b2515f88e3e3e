//! The copy menu: the things of the focused item there is something to copy of, one key each.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::app::{App, CopyTarget};
use super::theme::Theme;
use crate::feed::Feed;
use crate::i18n::{strings, HelpId};

fn help_of(t: CopyTarget) -> HelpId {
    match t {
        CopyTarget::Error => HelpId::CopyError,
        CopyTarget::TaskId => HelpId::CopyTask,
        CopyTarget::SessionId => HelpId::CopySession,
        CopyTarget::ReasonCode => HelpId::CopyReason,
        CopyTarget::Json => HelpId::Copy,
        CopyTarget::LostSessions => HelpId::CopyLost,
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let choices = app.copy_choices(feed.pipeline.store());
    let mut lines: Vec<Line> = choices
        .iter()
        .map(|(key, target)| {
            Line::from(vec![
                Span::styled(format!(" {key}  "), theme.title()),
                Span::raw(help_of(*target).text(app.lang)),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(
            format!(" {}", s.nothing_selected),
            theme.dim(),
        ));
    }
    lines.push(Line::styled(" esc", theme.dim()));
    let width = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 3;
    let height = lines.len() as u16 + 2;
    let rect = Rect::new(
        area.x + area.width.saturating_sub(width) / 2,
        area.y + area.height.saturating_sub(height) / 2,
        width.min(area.width),
        height.min(area.height),
    );
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(super::block(format!(" {} ", s.copy_title), true, theme)),
        rect,
    );
}
