//! The alerts of this session (`!`), newest first: when each fired (event time) and was received
//! (the wall clock), its rule, what matched, and whether it was announced or held back by its
//! rule's cooldown. A page at night, read in the morning. Every text here was cleaned where it
//! came in (rule names when the config was read, failures when they were decoded).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::app::App;
use super::layout::centered;
use super::scroll_view;
use super::theme::Theme;
use crate::alerts::{window_text, Entry, HISTORY_KEPT};
use crate::feed::Feed;
use crate::i18n::{strings, Strings};

/// What follows an entry's first line is indented this far.
const INDENT: usize = 4;

/// Where the list goes on a screen of `size`.
pub fn area(size: Rect) -> Rect {
    centered(size, 90, 90)
}

/// Every line of the list, unwrapped, in order (also what the tests read).
pub fn lines(app: &App, feed: &Feed, theme: &Theme) -> Vec<Line<'static>> {
    let s = strings(app.lang);
    let history = feed.alert_history();
    if history.is_empty() && history.dropped() == 0 {
        let empty = if feed.has_alert_rules() {
            s.alert_list_empty
        } else {
            s.alert_list_no_rules
        };
        return vec![Line::styled(empty, theme.dim())];
    }
    let mut summary = format!("{} {}", history.len(), s.alert_list_count);
    match history.held() {
        0 => {}
        held => summary.push_str(&format!(" · {held} {}", s.alert_list_held_count)),
    }
    summary.push_str(&format!(" · {}", s.alert_list_order));
    let mut out = vec![Line::styled(summary, theme.dim())];
    if history.dropped() > 0 {
        let kept = s
            .alert_list_dropped
            .replace("{}", &HISTORY_KEPT.to_string());
        out.push(Line::styled(
            format!("{} {kept}", history.dropped()),
            theme.warn(),
        ));
    }
    out.push(Line::default());
    for entry in history.newest_first() {
        out.extend(entry_lines(entry, app, s, theme));
    }
    out
}

/// `● time  rule`, what matched, then how it was told and when it came in.
fn entry_lines(entry: &Entry, app: &App, s: &Strings, theme: &Theme) -> [Line<'static>; 3] {
    let f = &entry.fired;
    let indent = " ".repeat(INDENT);
    let (mark, mark_style, told) = if f.held {
        let cooldown = f.cooldown.map(window_text).unwrap_or_default();
        ("○", theme.dim(), s.alert_list_held.replace("{}", &cooldown))
    } else {
        ("●", theme.alert(), s.alert_list_notified.to_owned())
    };
    [
        Line::from(vec![
            Span::styled(format!("{mark} "), mark_style),
            Span::raw(format!("{}  ", app.tz.date_time(f.at))),
            Span::styled(f.rule.clone(), theme.title()),
        ]),
        Line::from(format!("{indent}{}", f.what(app.lang))),
        Line::styled(
            format!(
                "{indent}{told} · {} {}",
                s.alert_list_received,
                app.tz.date_time(entry.received)
            ),
            theme.dim(),
        ),
    ]
}

/// The list wrapped to its overlay: what is drawn, and what scrolling is measured against.
pub fn wrapped(app: &App, feed: &Feed, theme: &Theme) -> Vec<Line<'static>> {
    let (width, _) = scroll_view::inner(area(app.size));
    scroll_view::wrap(lines(app, feed, theme), width, Some(INDENT))
}

pub fn render(f: &mut Frame, size: Rect, app: &App, feed: &Feed, theme: &Theme) {
    let s = strings(app.lang);
    let lines = wrapped(app, feed, theme);
    scroll_view::render(
        f,
        area(size),
        s.alert_list,
        lines,
        usize::from(app.alerts_scroll),
        theme,
    );
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::alerts::{Fired, Why};
    use crate::catalog::Lang;
    use crate::ingest::replay::Replay;
    use crate::ingest::Pipeline;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn feed() -> Feed {
        Feed::replay(
            Pipeline::new(1),
            Replay::from_entries(Vec::new()),
            "t".into(),
        )
    }

    fn fired(n: i64, held: bool) -> Fired {
        Fired {
            rule: "quiet".into(),
            at: DateTime::from_timestamp(1_790_000_000 + n, 0).unwrap(),
            why: Why::Lost,
            failure: format!("timeout (task t{n})"),
            subject: Default::default(),
            cooldown: Some(chrono::Duration::minutes(15)),
            held,
            held_back: 0,
        }
    }

    #[test]
    fn an_empty_list_says_so_and_why() {
        let app = App::new(Lang::En);
        let mut feed = feed();
        let no_rules = text(&lines(&app, &feed, &Theme::plain()));
        assert_eq!(no_rules.len(), 1);
        assert!(no_rules[0].starts_with("No alert rules"), "{no_rules:?}");
        feed.pipeline
            .set_alerts(crate::alerts::AlertEngine::new(Vec::new()));
        let none = text(&lines(&app, &feed, &Theme::plain()));
        assert_eq!(none, ["No alert has fired this session."]);
        let zh = text(&lines(&App::new(Lang::Zh), &feed, &Theme::plain()));
        assert_eq!(zh, ["本次会话尚无告警。"]);
    }

    #[test]
    fn the_newest_come_first_each_said_announced_or_held_and_what_was_dropped_is_said() {
        let app = App::new(Lang::En);
        let mut feed = feed();
        let received = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let all: Vec<Fired> = (0..HISTORY_KEPT as i64 + 3)
            .map(|n| fired(n, n % 2 == 0))
            .collect();
        feed.record_alerts(all, received);
        let shown = text(&lines(&app, &feed, &Theme::plain()));
        assert_eq!(
            shown[..3],
            [
                "1000 alerts · 500 held back by cooldowns · newest first",
                "3 older alerts not kept (the list keeps the newest 1000)",
                "",
            ]
        );
        assert_eq!(
            shown[3..6],
            [
                "○ 2026-09-21 14:30:02.000 UTC  quiet",
                "    lost notification: timeout (task t1002)",
                "    held back by the 15m cooldown · received 2027-01-15 08:00:00.000 UTC",
            ]
        );
        assert_eq!(shown[6], "● 2026-09-21 14:30:01.000 UTC  quiet");
        assert_eq!(
            shown[8],
            "    notified · received 2027-01-15 08:00:00.000 UTC"
        );
        assert_eq!(
            shown[shown.len() - 2],
            "    lost notification: timeout (task t3)",
            "the oldest kept"
        );
        assert_eq!(shown.len(), 3 + 3 * HISTORY_KEPT);
    }
}
