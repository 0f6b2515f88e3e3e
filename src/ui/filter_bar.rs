//! The bottom line: the filter being edited (with its parse error in place), or the active filter
//! and how many rows it shows, a fresh status or problem, and the keys of the focused panel (or,
//! on a first run, where to start).

use std::time::Duration;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::App;
use super::filter_edit::FilterEditor;
use super::theme::Theme;
use crate::feed::Feed;
use crate::i18n::strings;
use crate::routing::{Family, Relay};

/// A problem (a skipped line or frame) is shown this long after it happened.
const PROBLEM_SHOWN: Duration = Duration::from_secs(10);

/// A relay the filter names that the server family has none of.
fn foreign_relay(filter: &crate::filter::Filter, family: Family) -> Option<Relay> {
    filter.relays_named().find(|r| !family.relays().contains(r))
}

/// `telegram is no relay of this server (octo)`.
fn not_of_family(s: &crate::i18n::Strings, relay: Relay, family: Family) -> String {
    s.relay_not_of_family
        .replacen("{}", relay.name(), 1)
        .replacen("{}", family.name(), 1)
}

pub fn render(f: &mut Frame, area: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let store = feed.pipeline.store();
    if let Some(editor) = &app.export_editor {
        let line = editor_line(s.export_to, editor, theme);
        let hint = match &app.export_confirm {
            Some(_) => Line::styled(format!("  {}", s.export_exists), theme.warn()),
            None => Line::styled(format!("  {}", s.export_keys), theme.dim()),
        };
        f.render_widget(Paragraph::new(vec![line, hint]), area);
        return;
    }
    if let Some(editor) = &app.goto_editor {
        let line = editor_line(s.goto_prompt, editor, theme);
        let hint = Line::styled(format!("  {}", s.goto_keys), theme.dim());
        f.render_widget(Paragraph::new(vec![line, hint]), area);
        return;
    }
    let lines = match &app.filter_editor {
        Some(editor) => {
            let second = match &app.filter_error {
                Some(e) => Line::styled(format!("  ✗ {e}"), theme.alert()),
                None => {
                    let preview = app
                        .filter_preview
                        .map(|n| format!("  → {n} {} {} {} · ", s.shown, s.of, store.stored()))
                        .unwrap_or_default();
                    Line::styled(format!("{preview}  {}", s.filter_keys), theme.dim())
                }
            };
            vec![editor_line("/", editor, theme), second]
        }
        None => {
            // What just happened comes first: it answers the key the user pressed.
            let mut spans = Vec::new();
            let problem = feed
                .pipeline
                .stats()
                .last_problem
                .as_ref()
                .filter(|_| app.problem_age().is_some_and(|age| age < PROBLEM_SHOWN));
            if let Some(msg) = &app.status {
                spans.push(Span::styled(format!("{msg} · "), theme.warn()));
            } else if let Some(problem) = problem {
                spans.push(Span::styled(
                    format!("{}: {problem} · ", s.last_problem),
                    theme.dim(),
                ));
            }
            if let Some(e) = &app.filter_error {
                spans.push(Span::styled(format!("✗ {e} "), theme.alert()));
            }
            // The levels of the filter (each narrowing; esc pops the last), or the filter.
            let shown_as = if !app.trail.is_empty() {
                let mut crumbs = vec![s.trail_all.to_owned()];
                crumbs.extend(app.trail.iter().map(|step| step.added.clone()));
                Some((crumbs.join(" › "), Some(s.trail_back)))
            } else if !store.filter().is_empty() {
                Some((format!("{}: {}", s.filter, store.filter().source()), None))
            } else {
                None
            };
            if let Some((label, back)) = shown_as {
                spans.push(Span::styled(format!("{label} "), theme.warn()));
                if let Some(back) = back {
                    spans.push(Span::styled(format!("({back}) "), theme.dim()));
                }
                spans.push(Span::raw(format!(
                    "({} {} {} {}) · ",
                    store.view_len(),
                    s.shown,
                    s.of,
                    store.stored()
                )));
                // `relay:telegram` on the fork: nothing can match, and this is why.
                let family = feed.pipeline.enricher().family().0;
                if let Some(r) = foreign_relay(store.filter(), family) {
                    spans.push(Span::styled(
                        format!("{} · ", not_of_family(s, r, family)),
                        theme.warn(),
                    ));
                }
            }
            let hint = if app.first_run {
                s.first_run.to_owned()
            } else {
                super::hints::line(app.mode(), &app.extra_keys, s)
            };
            spans.push(Span::styled(hint, theme.dim()));
            vec![Line::from(spans)]
        }
    };
    f.render_widget(Paragraph::new(lines), area);
}

/// A line being typed, with its cursor.
fn editor_line<'a>(prompt: &str, editor: &'a FilterEditor, theme: &Theme) -> Line<'a> {
    let text = editor.text();
    let at = text
        .char_indices()
        .nth(editor.cursor())
        .map_or(text.len(), |(i, _)| i);
    Line::from(vec![
        Span::styled(format!("{prompt} "), theme.title()),
        Span::raw(&text[..at]),
        Span::styled("▏", theme.title()),
        Span::raw(&text[at..]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Lang;
    use crate::filter::Filter;

    /// `relay:telegram` on the fork matches nothing, and the bar says why.
    #[test]
    fn a_relay_the_family_has_not_is_named() {
        let telegram = Filter::parse("relay:telegram outcome:dropped").unwrap();
        assert_eq!(
            foreign_relay(&telegram, Family::Octo),
            Some(Relay::Telegram)
        );
        assert_eq!(foreign_relay(&telegram, Family::Upstream), None);
        assert_eq!(
            foreign_relay(&Filter::parse("relay:lark").unwrap(), Family::Octo),
            None
        );
        assert_eq!(
            not_of_family(strings(Lang::En), Relay::Telegram, Family::Octo),
            "telegram is no relay of this server (octo)"
        );
    }
}
