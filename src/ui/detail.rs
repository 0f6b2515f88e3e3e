//! One failure's full story: reason in both languages, the full redacted error, what every relay
//! sent (exact text), and the task's other failures.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::App;
use super::i18n::strings;
use super::layout::centered;
use super::theme::Theme;
use super::{block, time_of_day};
use crate::capture::format_time;
use crate::catalog;
use crate::enrich::{ErrorOrigin, Failure};
use crate::routing::Relay;

pub fn render(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(failure) = app.selected.and_then(|s| app.pipeline.store.get(s)) else {
        return;
    };
    let area = centered(area, 90, 90);
    let s = strings(app.lang);
    let lines = lines(failure, app, theme);
    let title = format!(" {} · {} ", s.detail, failure.reason_code());
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block(title, true, theme))
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        area,
    );
}

pub fn lines<'a>(failure: &'a Failure, app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let s = strings(app.lang);
    let d = catalog::describe(failure.reason_code(), app.lang);
    let other = catalog::describe(failure.reason_code(), app.lang.toggle());
    let key = |k: &str| Span::styled(format!("{k}: "), theme.title());
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                d.texts.label,
                theme
                    .reason(d.kind == catalog::ReasonKind::Agent)
                    .add_modifier(ratatui::style::Modifier::BOLD),
            ),
            Span::raw(format!(
                "  ({})  ",
                if failure.reason_code().is_empty() {
                    "(none)"
                } else {
                    failure.reason_code()
                }
            )),
            Span::styled(other.texts.label, theme.dim()),
            if d.known {
                Span::raw("")
            } else {
                Span::styled(format!("  ⚠ {}", s.unknown_reason), theme.warn())
            },
        ]),
        Line::from(vec![key(s.meaning), Span::raw(d.texts.meaning)]),
        Line::from(vec![key(s.action), Span::raw(d.texts.action)]),
        Line::default(),
        Line::from(vec![key(s.time), Span::raw(format_time(failure.at))]),
        Line::from(vec![
            key(s.task),
            Span::raw(failure.task_id.as_deref().unwrap_or("-").to_owned()),
        ]),
        Line::from(vec![
            key(s.agent),
            Span::raw(failure.agent_id.as_deref().unwrap_or("-").to_owned()),
        ]),
    ];
    if let Some(issue) = &failure.issue_id {
        out.push(Line::from(vec![key(s.issue), Span::raw(issue.to_string())]));
    }
    if let Some(session) = &failure.session {
        let mut l = vec![key(s.chat_session), Span::raw(session.to_string())];
        if failure.session_lost {
            l.push(Span::styled(
                format!("  ✗ {}", s.lost_session),
                theme.alert(),
            ));
        }
        out.push(Line::from(l));
    }
    let retry = match failure.retry_pending {
        Some(true) => s.yes,
        Some(false) => s.no,
        None => "-",
    };
    out.push(Line::from(vec![
        key(s.retry_pending),
        Span::raw(format!("{retry}   ({:?})", failure.shape)),
    ]));
    out.push(Line::default());
    let mut err_head = vec![key(s.error)];
    if let Some(origin) = failure.error_origin {
        let from = match origin {
            ErrorOrigin::Error => s.origin_error,
            ErrorOrigin::ErrorMessage => s.origin_error_message,
            ErrorOrigin::Joined => s.origin_joined,
        };
        err_head.push(Span::styled(format!("({from}) "), theme.dim()));
    }
    if failure.masked > 0 {
        err_head.push(Span::styled(
            format!("[{} {}] ", failure.masked, s.masked),
            theme.warn(),
        ));
    }
    out.push(Line::from(err_head));
    match failure.error.as_deref() {
        Some(e) => out.extend(e.lines().map(|l| Line::from(format!("  {l}")))),
        None => out.push(Line::styled(format!("  {}", s.no_error_text), theme.dim())),
    }
    out.push(Line::default());
    out.push(Line::styled(s.what_users_saw, theme.title()));
    for relay in Relay::ALL {
        let r = failure.route(relay);
        let glyph = if app.ascii {
            r.outcome.ascii()
        } else {
            r.outcome.glyph()
        };
        out.push(Line::from(vec![
            Span::raw(format!("  {:<9}", relay.name())),
            Span::styled(
                format!("{glyph} {}", r.outcome.label(app.lang)),
                theme.outcome(r.outcome),
            ),
            Span::styled(format!("  — {}", r.why.explain(app.lang)), theme.dim()),
        ]));
        let text = failure
            .route_text(relay)
            .unwrap_or_else(|| s.nothing_sent.to_owned());
        out.push(Line::from(format!("      “{text}”")));
    }
    if let Some(task) = failure.task_id.as_deref() {
        let history: Vec<_> = app
            .pipeline
            .store
            .task_history(task)
            .into_iter()
            .filter(|h| h.seq != failure.seq)
            .collect();
        if !history.is_empty() {
            out.push(Line::default());
            out.push(Line::styled(s.task_history, theme.title()));
            for h in history {
                let d = catalog::describe(h.reason_code(), app.lang);
                let retry = if h.retry_pending == Some(true) {
                    " (retry)"
                } else {
                    ""
                };
                out.push(Line::from(format!(
                    "  {} {}{retry} {}",
                    time_of_day(h.at),
                    d.texts.label,
                    h.error.as_deref().unwrap_or("")
                )));
            }
        }
    }
    out
}
