//! One failure's full story: reason in both languages, the server and its version, the error and
//! where its words came from, what every relay of that server sent (exact text) and whether the
//! session is bound to it, chat-side leaks, and the retry chain it belongs to.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::app::App;
use super::layout::centered;
use super::scroll_view;
use super::text::highlight;
use super::theme::Theme;
use crate::catalog;
use crate::enrich::{ApiSource, ErrorOrigin, Failure, Lookup, Told};
use crate::feed::Feed;
use crate::i18n::{strings, Strings};
use crate::routing::{AttemptEnd, Chains, Chrome, Family};

/// Where the detail overlay goes on a screen of `size`.
pub fn area(size: Rect) -> Rect {
    centered(size, 90, 90)
}

/// The selected failure's detail wrapped to its overlay (empty when nothing is selected).
pub fn wrapped(app: &App, feed: &Feed, theme: &Theme) -> Vec<Line<'static>> {
    let Some(failure) = app.selected.and_then(|s| feed.pipeline.store().get(s)) else {
        return Vec::new();
    };
    let (width, _) = scroll_view::inner(area(app.size));
    lines(failure, app, feed, theme)
        .into_iter()
        .map(owned_line)
        .flat_map(|line| {
            let indent = hanging_indent(&line);
            scroll_view::wrap_line(line, width, indent)
        })
        .collect()
}

/// A `Meaning: …` line goes on under its text, not under its key: the key span's width.
fn hanging_indent(line: &Line<'_>) -> Option<usize> {
    match &line.spans[..] {
        [key, _, ..] if key.content.ends_with(": ") => Some(key.width()),
        _ => None,
    }
}

fn owned_line(line: Line<'_>) -> Line<'static> {
    Line::from(
        line.spans
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style))
            .collect::<Vec<_>>(),
    )
    .style(line.style)
}

pub fn render(f: &mut Frame, size: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let Some(failure) = app.selected.and_then(|s| feed.pipeline.store().get(s)) else {
        return;
    };
    let s = strings(app.lang);
    let position = feed.pipeline.store().view_position(failure.seq);
    let title = format!(
        "{} · {} · {}/{} (←/→)",
        s.detail,
        title_reason(failure, app.lang),
        position + 1,
        feed.pipeline.store().view_len()
    );
    scroll_view::render(
        f,
        area(size),
        &title,
        wrapped(app, feed, theme),
        usize::from(app.detail_scroll),
        theme,
    );
}

/// The title's reason: its code, or "No reason sent" (a slot left empty reads as a glitch).
fn title_reason(failure: &Failure, lang: catalog::Lang) -> &str {
    match failure.reason_code() {
        "" => catalog::no_reason(lang).label,
        code => code,
    }
}

/// The era, and the build's day when the user said it.
fn era_text(failure: &Failure, s: &Strings, lang: catalog::Lang) -> String {
    let era = failure.era.label(lang);
    match failure.built {
        Some(day) => format!("{era} · {} {}", s.server_built, day.format("%Y-%m-%d")),
        None => era.to_owned(),
    }
}

fn origin_text(s: &Strings, origin: ErrorOrigin) -> &'static str {
    match origin {
        ErrorOrigin::Event => s.origin_event,
        ErrorOrigin::ErrorMessage => s.origin_error_message,
        ErrorOrigin::Comment => s.origin_comment,
        ErrorOrigin::Canned => s.origin_canned,
        ErrorOrigin::Withheld => s.origin_withheld,
        ErrorOrigin::Api => s.origin_api,
    }
}

pub fn lines<'a>(failure: &'a Failure, app: &App, feed: &Feed, theme: &Theme) -> Vec<Line<'a>> {
    let s = strings(app.lang);
    let d = catalog::describe(failure.reason_code(), app.lang);
    let key = |k: &str| Span::styled(format!("{k}: "), theme.title());
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                d.texts.label,
                theme
                    .reason(d.kind == catalog::ReasonKind::Agent)
                    .add_modifier(Modifier::BOLD),
            ),
            // The code, not a second language's label: one language on screen.
            Span::raw(format!(
                "  ({})",
                catalog::code_or_none(failure.reason_code())
            )),
            if d.known || d.missing {
                Span::raw("")
            } else {
                Span::styled(format!("  ⚠ {}", s.unknown_reason), theme.warn())
            },
        ]),
        Line::from(vec![key(s.meaning), Span::raw(d.texts.meaning)]),
        Line::from(vec![key(s.action), Span::raw(d.texts.action)]),
        Line::default(),
        Line::from(vec![key(s.time), Span::raw(app.tz.date_time(failure.at))]),
        Line::from(vec![key(s.era), Span::raw(era_text(failure, s, app.lang))]),
        Line::from(vec![
            key(s.task),
            Span::raw(failure.task_id.as_deref().unwrap_or("-").to_owned()),
        ]),
        Line::from(vec![
            key(s.agent),
            Span::raw(failure.agent_id.as_deref().unwrap_or("-").to_owned()),
        ]),
    ];
    if let Some(workspace) = &failure.workspace {
        // Its name too, when the API gave one.
        let shown = match feed.pipeline.store().workspace_name(workspace) {
            Some(name) => format!("{workspace} ({name})"),
            None => workspace.to_string(),
        };
        out.push(Line::from(vec![key(s.ws_workspace), Span::raw(shown)]));
    }
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
    out.push(Line::from(vec![key(s.retry_pending), Span::raw(retry)]));
    if let Some(a) = &failure.api_attempt {
        let mut text = format!("{} / {}", a.attempt, a.max_attempts);
        if let Some(parent) = &a.parent_task_id {
            text.push_str(&format!("  ({} {parent})", s.retry_of_task));
        }
        out.push(Line::from(vec![key(s.server_attempt), Span::raw(text)]));
    }
    out.push(Line::default());
    let words = feed.pipeline.store().filter().words();
    out.extend(error_lines(
        failure,
        feed.api_status.as_ref(),
        &words,
        s,
        theme,
    ));
    out.push(Line::default());
    out.push(Line::styled(s.what_users_saw, theme.title()));
    // Not a chat task: every relay is out of it for the one same reason, said once, without a
    // binding (there is no session to bind).
    let routes = &failure.routes;
    let not_chat = routes.iter().next().filter(|first| {
        routes.iter().all(|r| {
            r.outcome == crate::routing::Outcome::NotChat
                && r.why == first.why
                && failure.route_text(r.relay).is_none()
        })
    });
    if let Some(first) = not_chat {
        let relays: Vec<&str> = routes.iter().map(|r| r.relay.name()).collect();
        let glyph = if app.ascii {
            first.outcome.ascii()
        } else {
            first.outcome.glyph()
        };
        out.push(Line::from(vec![
            Span::raw(format!("  {}  ", relays.join(", "))),
            Span::styled(
                format!("{glyph} {}", first.outcome.label(app.lang)),
                theme.outcome(first.outcome),
            ),
            Span::styled(format!("  — {}", first.why.explain(app.lang)), theme.dim()),
        ]));
    }
    for r in routes.iter().filter(|_| not_chat.is_none()) {
        let glyph = if app.ascii {
            r.outcome.ascii()
        } else {
            r.outcome.glyph()
        };
        let bound = match r.bound {
            Some(true) => s.bound_yes,
            Some(false) => s.bound_no,
            None => s.bound_unknown,
        };
        out.push(Line::from(vec![
            Span::raw(format!("  {:<9}", r.relay.name())),
            Span::styled(
                format!("{glyph} {}", r.outcome.label(app.lang)),
                theme.outcome(r.outcome),
            ),
            Span::styled(format!("  [{bound}]"), theme.dim()),
            Span::styled(format!("  — {}", r.why.explain(app.lang)), theme.dim()),
        ]));
        let sent = failure.route_text(r.relay);
        let text = sent
            .as_ref()
            .map(|t| t.render(s.withheld))
            .unwrap_or_else(|| s.nothing_sent.to_owned());
        out.push(Line::from(format!("      “{text}”")));
        if let Some(chrome) = sent
            .as_ref()
            .and_then(|t| crate::routing::chrome(r.relay, t))
        {
            out.push(Line::styled(
                format!("      {}", chrome_text(chrome, s)),
                theme.dim(),
            ));
        }
    }
    if failure.typed_in_app && failure.family == Family::Upstream {
        out.push(Line::styled(format!("  {}", s.typed_caveat), theme.dim()));
    }
    if let (Some(notice), Some(text)) = (failure.inbox, failure.inbox_text()) {
        out.push(Line::default());
        out.push(Line::styled(s.inbox_pushed, theme.title()));
        out.push(Line::from(vec![
            Span::raw(format!("  {:<9}", notice.relay.name())),
            Span::styled(format!("— {}", notice.to.explain(app.lang)), theme.dim()),
        ]));
        let text = format!("“{}”", text.render(s.withheld));
        for (i, l) in text.lines().enumerate() {
            let indent = if i == 0 { "     " } else { "      " };
            out.push(Line::from(format!("{indent}{l}")));
        }
        out.push(Line::styled(
            format!("      {}", s.inbox_link_note),
            theme.dim(),
        ));
    }
    if let Some(task) = failure.task_id.as_deref() {
        out.extend(attempt_lines(
            task,
            feed.pipeline.enricher().chains(),
            app,
            theme,
        ));
    }
    out
}

/// The error and where it came from; the filter's `words` are highlighted in the text.
fn error_lines<'a>(
    failure: &'a Failure,
    api: Option<&crate::api::ApiStatus>,
    words: &[String],
    s: &Strings,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut head = vec![Span::styled(format!("{}: ", s.error), theme.title())];
    if let Some(origin) = failure.error_origin() {
        head.push(Span::styled(
            format!("({}) ", origin_text(s, origin)),
            theme.dim(),
        ));
    }
    if failure.masked() > 0 {
        let what = if failure.masked() == 1 {
            s.masked_one
        } else {
            s.masked
        };
        head.push(Span::styled(
            format!("[{} {what}] ", failure.masked()),
            theme.warn(),
        ));
    }
    let mut out = vec![Line::from(head)];
    match &failure.lookup {
        Lookup::Pending => out.push(Line::styled(format!("  {}", s.lookup_pending), theme.dim())),
        Lookup::Failed(failed) => out.push(Line::styled(
            format!("  {}: {}", s.lookup_failed, failed.why),
            theme.warn(),
        )),
        Lookup::Done(source) if failure.evidence.api.is_some() => {
            out.push(Line::styled(
                format!("  ({} GET {})", s.lookup_done, source_path(*source)),
                theme.dim(),
            ));
            if failure.error().is_none() {
                out.push(Line::styled(format!("  {}", s.api_empty), theme.dim()));
            }
        }
        _ => {}
    }
    // What the token may not read, said once by the client, shown where it matters.
    if let (false, Some(api)) = (matches!(failure.lookup, Lookup::None), api) {
        for note in &api.notes {
            out.push(Line::styled(format!("  API: {note}"), theme.dim()));
        }
    }
    match (failure.error(), failure.told) {
        (Some(e), _) => out.extend(e.lines().map(|l| {
            let mut spans = vec![Span::raw("  ")];
            spans.extend(highlight(l, words, Style::new(), theme.hit()));
            Line::from(spans)
        })),
        (
            None,
            Told::Withheld {
                forms, or_detail, ..
            },
        ) => {
            out.push(Line::styled(format!("  {}", s.withheld), theme.dim()));
            if !forms.is_empty() {
                let forms = forms.iter().map(|f| format!("“{f}”")).collect::<Vec<_>>();
                out.push(Line::styled(
                    format!("  {}: {}", s.withheld_one_of, forms.join(", ")),
                    theme.dim(),
                ));
            }
            if or_detail {
                out.push(Line::styled(
                    format!("  {}", s.withheld_or_detail),
                    theme.warn(),
                ));
            }
        }
        _ if failure.retry_pending == Some(true) => out.push(Line::styled(
            format!("  {}", super::failures::retry_pending_text(failure, s)),
            theme.dim(),
        )),
        _ => out.push(Line::styled(format!("  {}", s.no_error_text), theme.dim())),
    }
    if failure.canned() {
        out.push(Line::styled(format!("  ≡ {}", s.canned_note), theme.warn()));
    }
    if failure.leaked_to_chat > 0 {
        out.push(Line::styled(
            format!(
                "  ⚠ {} {}: {}",
                failure.leaked_to_chat, s.leaked, s.leaked_note
            ),
            theme.alert(),
        ));
    }
    out
}

/// What the IM showed around the text.
fn chrome_text(chrome: Chrome, s: &Strings) -> String {
    match chrome {
        Chrome::LarkCard => s.lark_card.to_owned(),
        Chrome::DingTalkMarkdown { title, messages } => {
            let mut t = format!("{}: “{title}”", s.dingtalk_title);
            if let Some(n) = messages.filter(|n| *n > 1) {
                t.push_str(&format!(" · {n} {}", s.dingtalk_messages));
            }
            t
        }
    }
}

fn source_path(source: ApiSource) -> &'static str {
    match source {
        ApiSource::IssueRuns => "/api/issues/{id}/task-runs",
        ApiSource::AgentTasks => "/api/agents/{id}/tasks",
        ApiSource::ChatMessages => "/api/chat/sessions/{id}/messages",
    }
}

fn attempt_lines<'a>(task: &str, chains: &Chains, app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let s = strings(app.lang);
    let attempts = chains.attempts(task);
    if attempts.len() < 2 {
        return Vec::new();
    }
    let mut out = vec![Line::default(), Line::styled(s.attempts, theme.title())];
    for (i, a) in attempts.iter().enumerate() {
        let here = if *a.task_id == *task { "▶" } else { " " };
        let end = match &a.end {
            None => s.attempt_running.to_owned(),
            Some(AttemptEnd::Completed(at)) => {
                format!("{} {}", app.tz.time_of_day(*at), s.attempt_completed)
            }
            Some(AttemptEnd::Cancelled(at)) => {
                format!("{} {}", app.tz.time_of_day(*at), s.attempt_cancelled)
            }
            Some(AttemptEnd::Failed {
                reason,
                retry_pending,
                at,
            }) => {
                let label = catalog::describe(reason.as_deref().unwrap_or(""), app.lang)
                    .texts
                    .label;
                let retry = if *retry_pending {
                    format!(" ({})", s.attempt_retry)
                } else {
                    String::new()
                };
                format!("{} {label}{retry}", app.tz.time_of_day(*at))
            }
        };
        out.push(Line::from(format!(
            " {here}{}. {}  {end}",
            i + 1,
            super::short_id(&a.task_id)
        )));
    }
    out
}
