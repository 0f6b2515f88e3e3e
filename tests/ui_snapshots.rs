//! Every panel rendered with ratatui's TestBackend, in both languages, snapshotted with insta.

use std::sync::Arc;

use failwatch::catalog::Lang;
use failwatch::enrich::{Enricher, ErrorOrigin, Failure};
use failwatch::feed::{Feed, FeedEvent};
use failwatch::ingest::replay::Replay;
use failwatch::ingest::Pipeline;
use failwatch::routing::{Bindings, FamilySource, Relay, Why};
use failwatch::ui::app::{Action, App};
use failwatch::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use unicode_width::UnicodeWidthStr;

mod support;

const SAMPLE: (&str, &str) = (
    "sample-capture.jsonl",
    include_str!("data/sample-capture.jsonl"),
);
const OCTO: (&str, &str) = ("octo-pr33.jsonl", include_str!("data/octo-pr33.jsonl"));
const OCTO_BINDINGS: &str = include_str!("data/octo-pr33.bindings.toml");
const UPSTREAM: (&str, &str) = (
    "upstream-incident.jsonl",
    include_str!("data/upstream-incident.jsonl"),
);
const UPSTREAM_BINDINGS: &str = include_str!("data/upstream-incident.bindings.toml");

/// A dashboard as the user has it: the view state and the feed behind it.
struct Dash {
    app: App,
    feed: Feed,
}

impl Dash {
    fn act(&mut self, action: Action) {
        self.app.act(action, &mut self.feed);
    }

    fn resize(&mut self, width: u16, height: u16) {
        self.app.size = Rect::new(0, 0, width, height);
        self.app.sync(&self.feed);
    }
}

/// The dashboard on a whole capture, its family told by its frames, with these bindings.
fn app_on(
    (name, capture): (&str, &str),
    bindings: &str,
    lang: Lang,
    width: u16,
    height: u16,
) -> Dash {
    let mut replay = Replay::load(capture.as_bytes()).unwrap();
    let family = replay.sniff_family().map(|f| (f, FamilySource::Detected));
    let enricher = Enricher::new(family, Arc::new(Bindings::parse(bindings).unwrap()));
    replay.set_speed(None);
    let mut feed = Feed::replay(Pipeline::with_enricher(1000, enricher), replay, name.into());
    // At max speed the whole capture loads in a few batches.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    while !feed.replay_state().unwrap().at_end() {
        assert!(matches!(rt.block_on(feed.next()), FeedEvent::Ingested(_)));
    }
    let mut app = App::new(lang);
    app.size = Rect::new(0, 0, width, height);
    app.sync(&feed);
    Dash { app, feed }
}

/// The fork's incident across PR #33, with its bindings: most snapshots use it.
fn app(lang: Lang, width: u16, height: u16) -> Dash {
    app_on(OCTO, OCTO_BINDINGS, lang, width, height)
}

/// Select the newest failure that satisfies `pick`, as if the user moved to it.
fn select(dash: &mut Dash, pick: impl Fn(&Failure) -> bool) {
    let store = &dash.feed.pipeline.store();
    let index = (0..store.view_len())
        .rev()
        .find(|&i| store.view_get(i).is_some_and(&pick))
        .expect("a failure to select");
    dash.act(Action::Top);
    for _ in 0..index {
        dash.act(Action::Move(1));
    }
}

fn screen(dash: &Dash) -> String {
    let size = dash.app.size;
    let mut term = Terminal::new(TestBackend::new(size.width, size.height)).unwrap();
    term.draw(|f| failwatch::ui::render(f, &dash.app, &dash.feed, &Theme::plain()))
        .unwrap();
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            line.push_str(symbol);
            // A wide character covers the next cell too.
            x += (symbol.width() as u16).max(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The secrets planted in the hostile captures, and `extra` ones: none on `s`, nor any control
/// character.
fn assert_nothing_secret_or_control(s: &str, extra: &[&str]) {
    let planted = [
        "pwe5856cfa",
        "toka6482fe6abcdefghijKLMNOP",
        "tok61326cc0abcdefghijKLMNOP",
        "bob/",
        "s3cr3tpass",
    ];
    for secret in planted.iter().chain(extra) {
        assert!(!s.contains(secret), "{secret} on screen:\n{s}");
    }
    assert!(
        !s.chars().any(|c| c.is_control() && c != '\n'),
        "control char on screen"
    );
}

/// The same screen in English, Chinese, Japanese and Korean; no line wider than the terminal
/// (a CJK character takes two columns).
fn every_language(name: &str, width: u16, height: u16, actions: &[Action]) {
    for (lang, tag) in [
        (Lang::En, "en"),
        (Lang::Zh, "zh"),
        (Lang::Ja, "ja"),
        (Lang::Ko, "ko"),
    ] {
        let mut dash = app(lang, width, height);
        for a in actions {
            dash.act(*a);
        }
        let shown = screen(&dash);
        for line in shown.lines() {
            assert!(
                line.width() <= usize::from(width),
                "{tag}: {} columns: {line}",
                line.width()
            );
        }
        insta::assert_snapshot!(format!("{name}_{tag}_{width}x{height}"), shown);
    }
}

#[test]
fn main_view() {
    every_language("main", 80, 24, &[]);
    every_language("main", 160, 40, &[]);
}

#[test]
fn reasons_panel_focused_with_a_reason_filter() {
    every_language(
        "reasons",
        80,
        24,
        &[
            Action::Focus(failwatch::ui::app::Panel::Reasons),
            Action::ToggleReason,
        ],
    );
}

#[test]
fn sessions_panel_focused() {
    every_language(
        "sessions",
        120,
        30,
        &[Action::Focus(failwatch::ui::app::Panel::Sessions)],
    );
}

#[test]
fn detail_of_a_lost_notification() {
    // `N` from the bottom jumps to the newest lost notification; enter opens it.
    every_language(
        "detail_lost",
        100,
        40,
        &[Action::NextLost(false), Action::OpenDetail],
    );
}

#[test]
fn detail_of_a_failure_that_leaked_a_secret_to_chat() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut dash = app(lang, 100, 40);
        select(&mut dash, |f| f.leaked_to_chat > 0);
        dash.act(Action::OpenDetail);
        let s = screen(&dash);
        assert!(!s.contains("bob/") && !s.contains("s3cr3tpass"), "{s}");
        insta::assert_snapshot!(format!("detail_leak_{tag}_100x40"), s);
    }
}

#[test]
fn the_detail_of_a_failure_without_a_reason_says_no_reason_was_sent() {
    for (lang, title) in [
        (Lang::En, "Failure detail · No reason sent · "),
        (Lang::Zh, "失败详情 · 未发送原因 · "),
    ] {
        let mut dash = app(lang, 100, 40);
        select(&mut dash, |f| f.reason.is_none());
        dash.act(Action::OpenDetail);
        let s = screen(&dash);
        assert!(s.contains(title), "{s}");
        assert!(s.contains("  (none)  "), "the code is named `none`: {s}");
    }
}

#[test]
fn upstream_main_view_and_a_withheld_error() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut dash = app_on(UPSTREAM, UPSTREAM_BINDINGS, lang, 120, 40);
        insta::assert_snapshot!(format!("upstream_main_{tag}_120x40"), screen(&dash));
        dash.resize(100, 40);
        select(&mut dash, |f| {
            f.error_origin() == Some(ErrorOrigin::Withheld) && f.session.is_some() && !f.canned()
        });
        dash.act(Action::OpenDetail);
        insta::assert_snapshot!(
            format!("upstream_detail_withheld_{tag}_100x40"),
            screen(&dash)
        );
    }
}

/// The new whys read in both languages: a turn typed in Multica (silent on upstream's IM relays,
/// with the caveat) and an issue failure pushed to WeCom's inbox.
#[test]
fn typed_turns_and_inbox_pushes_in_the_detail_view() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut dash = app_on(UPSTREAM, UPSTREAM_BINDINGS, lang, 100, 50);
        select(&mut dash, |f| {
            f.typed_in_app
                && f.retry_pending == Some(false)
                && f.route(Relay::Lark).is_some_and(|r| r.bound == Some(true))
        });
        dash.act(Action::OpenDetail);
        let typed = screen(&dash);
        let why: String = Why::TypedInMultica.explain(lang).chars().take(12).collect();
        assert!(typed.contains(&why), "{typed}");
        insta::assert_snapshot!(format!("upstream_detail_typed_{tag}_100x50"), typed);
        dash.act(Action::CloseOverlay);
        select(&mut dash, |f| f.inbox.is_some() && f.issue_title.is_some());
        dash.act(Action::OpenDetail);
        let pushed = screen(&dash);
        assert!(pushed.contains("**[任务失败] "), "{pushed}");
        insta::assert_snapshot!(format!("upstream_detail_inbox_{tag}_100x50"), pushed);
    }
}

#[test]
fn a_retry_chain_in_the_detail_view() {
    let mut dash = app_on(UPSTREAM, UPSTREAM_BINDINGS, Lang::En, 100, 40);
    select(&mut dash, |f| f.retry_of.is_some());
    dash.act(Action::OpenDetail);
    insta::assert_snapshot!("upstream_detail_retry_en_100x40", screen(&dash));
}

#[test]
fn sessions_without_bindings_say_the_binding_is_unknown() {
    let mut dash = app_on(UPSTREAM, "", Lang::En, 120, 30);
    dash.act(Action::Focus(failwatch::ui::app::Panel::Sessions));
    let s = screen(&dash);
    insta::assert_snapshot!("sessions_unbound_en_120x30", s);
}

#[test]
fn help_overlay() {
    every_language("help", 100, 32, &[Action::ToggleHelp]);
}

#[test]
fn filter_bar_shows_parse_errors_in_place() {
    use failwatch::ui::filter_edit::FilterEdit;
    let mut dash = app(Lang::En, 80, 24);
    dash.act(Action::EditFilter);
    for c in "reason:timeout colour:red".chars() {
        dash.act(Action::FilterEdit(FilterEdit::Insert(c)));
    }
    insta::assert_snapshot!("filter_error_en_80x24", screen(&dash));
}

#[test]
fn any_size_renders_without_panic() {
    for (w, h) in [(1, 1), (10, 3), (20, 6), (40, 10), (80, 24), (300, 100)] {
        for overlay in [None, Some(Action::OpenDetail), Some(Action::ToggleHelp)] {
            let mut dash = app(Lang::Zh, w, h);
            if let Some(a) = overlay {
                dash.act(a);
            }
            screen(&dash);
        }
    }
}

#[test]
fn no_secret_or_control_character_reaches_the_screen() {
    for (capture, lang) in [(SAMPLE, Lang::En), (OCTO, Lang::Zh), (UPSTREAM, Lang::En)] {
        let mut dash = app_on(capture, "", lang, 200, 60);
        let n = dash.feed.pipeline.store().view_len();
        dash.act(Action::Top);
        for i in 0..n {
            if i > 0 {
                dash.act(Action::Move(1));
            }
            dash.act(Action::OpenDetail);
            assert_nothing_secret_or_control(&screen(&dash), &[]);
            dash.act(Action::CloseOverlay);
        }
    }
}

/// The main view at the sizes on-call terminals have: the error column gets the spare width,
/// reason labels are whole where there is room, and nothing is cut without an ellipsis.
#[test]
fn main_view_at_common_sizes() {
    for (width, height) in [(80, 24), (120, 40), (200, 50)] {
        every_language("main_at", width, height, &[]);
    }
    for lang in [Lang::En, Lang::Zh] {
        let wide = screen(&app(lang, 200, 50));
        let narrow = screen(&app(lang, 80, 24));
        // The widest failure row's error text: longer at 200 than at 80 columns.
        let error_width = |s: &str| {
            s.lines()
                .filter(|l| l.contains("claude exited with status 1"))
                .map(|l| l.split("claude exited").nth(1).unwrap_or("").width())
                .max()
                .unwrap_or(0)
        };
        assert!(error_width(&wide) > error_width(&narrow) + 60, "{wide}");
        // Every reason label on the wide screen is whole.
        for code in ["agent_error.provider_network", "runtime_recovery"] {
            let label = failwatch::catalog::describe(code, lang).texts.label;
            assert!(wide.contains(label), "{label} cut at 200 columns:\n{wide}");
        }
    }
    // At 80 columns a cut label ends with an ellipsis, never mid-word without one.
    let narrow = screen(&app(Lang::En, 80, 24));
    assert!(!narrow.contains("Daemon restarted mid-ru "), "{narrow}");
    assert!(narrow.contains("Daemon restarted …"), "{narrow}");
}

/// `--ascii`: not one box-drawing character or symbol on any screen, overlays included.
#[test]
fn ascii_mode_draws_nothing_but_ascii() {
    let mut dash = app(Lang::En, 120, 40);
    dash.app.ascii = true;
    let check = |dash: &Dash, what: &str| {
        let s = screen(dash);
        let odd: String = s.chars().filter(|c| !c.is_ascii()).collect();
        assert!(odd.is_empty(), "{what}: {odd:?} in\n{s}");
    };
    check(&dash, "main view");
    dash.act(Action::Top);
    dash.act(Action::OpenDetail);
    check(&dash, "detail");
    dash.act(Action::CloseOverlay);
    dash.act(Action::ToggleHelp);
    check(&dash, "help");
}

/// The groups panel in the reasons panel's place: counts, sessions, last seen, badges, the
/// reason and the template; narrower, the optional columns give way to the template.
#[test]
fn groups_panel() {
    use failwatch::ui::app::Panel;
    every_language("groups", 160, 40, &[Action::Focus(Panel::Groups)]);
    every_language("groups", 80, 24, &[Action::Focus(Panel::Groups)]);
}

/// The alerts these rules fire on the dashboard's failures, each recorded as received at one
/// wall time (so the screen is the same on every run).
fn with_alerts(dash: &mut Dash, rules: &str) {
    use failwatch::alerts::AlertEngine;
    let config = failwatch::config::Config::parse(rules).unwrap();
    let mut engine = AlertEngine::new(config.alerts);
    let store = dash.feed.pipeline.store();
    let mut now = None;
    let mut fired = Vec::new();
    for i in 0..store.view_len() {
        let f = store.view_get(i).unwrap();
        let at = now.map_or(f.at, |n: chrono::DateTime<chrono::Utc>| n.max(f.at));
        now = Some(at);
        fired.extend(engine.observe(f, at));
    }
    let received = chrono::DateTime::parse_from_rfc3339("2026-11-26T07:45:00Z").unwrap();
    dash.feed.record_alerts(fired, received.into());
    dash.app.sync(&dash.feed);
}

const COOLDOWN_RULES: &str = "[[alerts]]\nname = \"never told\"\nlost = true\ncooldown = \"15m\"\n\
     [[alerts]]\nname = \"new kind\"\nnew_group = true\nfilter = \"reason:agent_error\"\n";

#[test]
fn alert_list_overlay() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut dash = app(lang, 100, 34);
        with_alerts(&mut dash, COOLDOWN_RULES);
        let history = dash.feed.alert_history();
        assert!(history.held() > 0 && history.held() < history.len());
        assert!(dash.app.banner);
        dash.act(Action::AlertList);
        assert!(!dash.app.banner, "opening the list acknowledges");
        insta::assert_snapshot!(format!("alert_list_{tag}_100x34"), screen(&dash));
    }
    // Scrolled to the oldest.
    let mut dash = app(Lang::En, 100, 34);
    with_alerts(&mut dash, COOLDOWN_RULES);
    dash.act(Action::AlertList);
    dash.act(Action::Bottom);
    insta::assert_snapshot!("alert_list_oldest_en_100x34", screen(&dash));
}

#[test]
fn an_empty_alert_list_says_why() {
    let mut dash = app(Lang::En, 80, 24);
    dash.act(Action::AlertList);
    let s = screen(&dash);
    assert!(s.contains("No alert rules: add [[alerts]]"), "{s}");
    insta::assert_snapshot!("alert_list_no_rules_en_80x24", s);
}

#[test]
fn the_alert_list_shows_no_secret_or_control_character_at_any_size() {
    let rules = "[[alerts]]\nname = \"\\u001b]0;PWNED\\u0007 mul_efefefefefefefefefefefefefefefefefefefef\"\n\
                 new_group = true\ncooldown = \"1m\"\n[[alerts]]\nname = \"lost\"\nlost = true\n";
    for (capture, lang) in [(SAMPLE, Lang::En), (OCTO, Lang::Zh), (UPSTREAM, Lang::En)] {
        let mut dash = app_on(capture, "", lang, 200, 60);
        with_alerts(&mut dash, rules);
        assert!(!dash.feed.alert_history().is_empty());
        dash.act(Action::AlertList);
        let pages = failwatch::ui::overlay_max_scroll(&dash.app, &dash.feed) / 10 + 1;
        for _ in 0..pages {
            assert_nothing_secret_or_control(&screen(&dash), &["efefefefef", "PWNED\u{7}"]);
            dash.act(Action::Scroll(10));
        }
    }
    for (w, h) in [(1, 1), (10, 3), (20, 6), (40, 10), (300, 100)] {
        let mut dash = app(Lang::Zh, w, h);
        with_alerts(&mut dash, COOLDOWN_RULES);
        dash.act(Action::AlertList);
        screen(&dash);
    }
}

/// Typing a filter in the filter line, as the user does.
fn typed_filter(text: &str) -> Vec<Action> {
    use failwatch::ui::filter_edit::FilterEdit;
    let mut actions = vec![Action::EditFilter];
    actions.extend(
        text.chars()
            .map(|c| Action::FilterEdit(FilterEdit::Insert(c))),
    );
    actions.push(Action::FilterEdit(FilterEdit::Apply));
    actions
}

#[test]
fn the_incident_filter_with_panels_that_follow_it() {
    // Who among Lark's users (and those whose binding nobody gave) was never told: the
    // panels count those failures, the breadcrumb shows the level, the timeline their minutes.
    let actions = typed_filter("bound:lark,unknown told:no");
    every_language("incident", 80, 24, &actions);
    every_language("incident", 160, 45, &actions);
}

#[test]
fn drilling_down_from_the_reasons_and_then_a_session() {
    use failwatch::ui::app::Panel;
    let actions = [
        Action::Focus(Panel::Reasons),
        Action::Drill,
        Action::Focus(Panel::Sessions),
        Action::Drill,
    ];
    every_language("drilled", 160, 45, &actions);
}

#[test]
fn sessions_sorted_by_last_failure() {
    use failwatch::ui::app::Panel;
    let actions = [
        Action::Focus(Panel::Sessions),
        Action::CycleSort,
        Action::CycleSort,
    ];
    every_language("sessions_by_last", 160, 45, &actions);
}

#[test]
fn a_click_on_a_sessions_header_sorts_by_its_column() {
    // Find each header on screen, click it, and the title says the order it asks for.
    for lang in [Lang::En, Lang::Zh] {
        let s = failwatch::i18n::strings(lang);
        for (header, order) in [
            (s.last_failure, s.sort_last_failure),
            ("#", s.sort_failures),
            (s.session, s.sort_id),
        ] {
            let mut dash = app(lang, 160, 45);
            let area = dash.app.areas().sessions;
            let before = screen(&dash);
            let line = before.lines().nth(usize::from(area.y + 1)).unwrap();
            // Cells, not characters: a CJK character takes two.
            let cells: Vec<(usize, char)> = line
                .chars()
                .scan(0, |x, c| {
                    let at = *x;
                    *x += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    Some((at, c))
                })
                .collect();
            let text: String = cells.iter().map(|(_, c)| *c).collect();
            let from = usize::from(area.x);
            let chars_before = cells.iter().take_while(|(x, _)| *x < from).count();
            let at = text.chars().skip(chars_before).collect::<String>();
            let i = at.find(header).expect("the header on screen");
            let x = cells[chars_before + at[..i].chars().count()].0;
            dash.act(Action::Click(x as u16, area.y + 1));
            let after = screen(&dash);
            let title = after.lines().nth(usize::from(area.y)).unwrap();
            assert!(title.contains(&format!("{order} ↓")), "{header}: {title}");
        }
    }
}

/// The screen, with a line of `^` under the cells drawn underlined (what the filter found).
fn screen_with_hits(dash: &Dash) -> String {
    let size = dash.app.size;
    let mut term = Terminal::new(TestBackend::new(size.width, size.height)).unwrap();
    term.draw(|f| failwatch::ui::render(f, &dash.app, &dash.feed, &Theme::plain()))
        .unwrap();
    let buf = term.backend().buffer();
    let text = screen(dash);
    let mut out = String::new();
    for (y, line) in text.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        let marks: String = (0..buf.area.width)
            .map(|x| {
                let cell = &buf[(x, y as u16)];
                if cell.modifier.contains(ratatui::style::Modifier::UNDERLINED) {
                    '^'
                } else {
                    ' '
                }
            })
            .collect();
        if marks.contains('^') {
            out.push_str(marks.trim_end());
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_filters_words_are_marked_in_the_errors_shown() {
    let mut dash = app(Lang::En, 80, 24);
    for a in typed_filter("TIMED") {
        dash.act(a);
    }
    insta::assert_snapshot!("highlight_en_80x24", screen_with_hits(&dash));
}

/// The fork's incident as three workspaces saw it: each record names one, by its place.
fn fleet_capture() -> String {
    support::fleet::capture(&["ws-eu-01", "ws-us-02", "ws-ap-03"])
}

#[test]
fn the_failures_list_names_each_workspace_of_a_fleet() {
    let capture: &'static str = Box::leak(fleet_capture().into_boxed_str());
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let dash = app_on(("fleet.jsonl", capture), OCTO_BINDINGS, lang, 140, 30);
        let shown = screen(&dash);
        for w in ["ws-eu-01", "ws-us-02", "ws-ap-03"] {
            assert!(shown.contains(w), "{tag}: {w} in\n{shown}");
        }
        insta::assert_snapshot!(format!("fleet_{tag}_140x30"), shown);
    }
    // One workspace (the demo, a single connection): no column for it.
    let one = screen(&app(Lang::En, 140, 30));
    assert!(!one.contains("workspace"), "{one}");
}

#[test]
fn the_workspaces_panel_counts_each_workspace_and_enter_narrows_to_one() {
    use failwatch::ui::app::Panel;
    let capture: &'static str = Box::leak(fleet_capture().into_boxed_str());
    let expected = support::fleet::failed_per_workspace(capture);
    assert_eq!(expected.len(), 3, "{expected:?}");
    for (lang, tag) in [
        (Lang::En, "en"),
        (Lang::Zh, "zh"),
        (Lang::Ja, "ja"),
        (Lang::Ko, "ko"),
    ] {
        for (width, height) in [(160, 45), (80, 24)] {
            let mut dash = app_on(("fleet.jsonl", capture), OCTO_BINDINGS, lang, width, height);
            dash.act(Action::Focus(Panel::Workspaces));
            let shown = screen(&dash);
            for line in shown.lines() {
                assert!(line.width() <= usize::from(width), "{tag}: {line}");
            }
            // Each workspace's row: its id, then how many failures the capture holds for it.
            for (ws, n) in &expected {
                let row = shown
                    .lines()
                    .find(|l| l.contains(&format!("│{ws} ")))
                    .unwrap_or_else(|| panic!("{tag} {width}x{height}: no row of {ws}\n{shown}"));
                let after = &row[row.find(ws.as_str()).unwrap() + ws.len()..];
                let failures: u64 = after.split_whitespace().next().unwrap().parse().unwrap();
                assert_eq!(failures, *n, "{tag}: {row}");
            }
            if matches!(lang, Lang::En | Lang::Zh) {
                insta::assert_snapshot!(format!("workspaces_{tag}_{width}x{height}"), shown);
            }
        }
    }
    // Enter on a workspace narrows the failures to it; esc goes back.
    let mut dash = app_on(("fleet.jsonl", capture), OCTO_BINDINGS, Lang::En, 160, 45);
    dash.act(Action::Focus(Panel::Workspaces));
    dash.act(Action::Move(1));
    let store = dash.feed.pipeline.store();
    let id = dash.app.workspace_row(store).unwrap().0.to_string();
    dash.act(Action::Drill);
    let store = dash.feed.pipeline.store();
    assert_eq!(store.filter().source(), format!("workspace:{id}"));
    assert_eq!(store.view_len() as u64, expected[&id]);
    assert!(screen(&dash).contains(&format!("all › workspace:{id}")));
    dash.act(Action::Back);
    assert!(dash.feed.pipeline.store().filter().is_empty());
}

#[test]
fn a_capture_without_workspaces_says_why_the_panel_is_empty() {
    use failwatch::ui::app::Panel;
    for lang in [Lang::En, Lang::Zh] {
        let mut dash = app(lang, 160, 45);
        dash.act(Action::Focus(Panel::Workspaces));
        let shown: String = screen(&dash).split_whitespace().collect();
        let said: String = failwatch::i18n::strings(lang)
            .workspaces_none
            .split_whitespace()
            .collect();
        // Wrapped over the panel's lines: compare its first words.
        let start: String = said.chars().take(12).collect();
        assert!(shown.contains(&start), "{shown}");
    }
}
