//! Every panel rendered with ratatui's TestBackend, in both languages, snapshotted with insta.

use std::sync::Arc;
use std::time::Instant;

use failwatch::catalog::Lang;
use failwatch::enrich::{Enricher, ErrorOrigin, Failure};
use failwatch::pipeline::Pipeline;
use failwatch::routing::{Bindings, FamilySource};
use failwatch::source::replay::Replay;
use failwatch::ui::app::{Action, App, SourceInfo};
use failwatch::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use unicode_width::UnicodeWidthStr;

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

/// The dashboard on a whole capture, its family told by its frames, with these bindings.
fn app_on(
    (name, capture): (&str, &str),
    bindings: &str,
    lang: Lang,
    width: u16,
    height: u16,
) -> App {
    let family = failwatch::capture::sniff_family(capture.as_bytes())
        .unwrap()
        .map(|f| (f, FamilySource::Detected));
    let enricher = Enricher::new(family, Arc::new(Bindings::parse(bindings).unwrap()));
    let mut replay = Replay::load(capture.as_bytes()).unwrap();
    replay.set_speed(None);
    let mut app = App::new(
        Pipeline::with_enricher(1000, enricher),
        SourceInfo {
            label: name.into(),
            state: String::new(),
        },
        lang,
    );
    app.size = Rect::new(0, 0, width, height);
    replay.tick(Instant::now(), &mut app.pipeline);
    app.replay = Some(replay);
    app.on_ingest();
    app
}

/// The fork's incident across PR #33, with its bindings: most snapshots use it.
fn app(lang: Lang, width: u16, height: u16) -> App {
    app_on(OCTO, OCTO_BINDINGS, lang, width, height)
}

/// Select the newest failure that satisfies `pick`, as if the user moved to it.
fn select(app: &mut App, pick: impl Fn(&Failure) -> bool) {
    let store = &app.pipeline.store;
    let seq = (0..store.view_len())
        .rev()
        .filter_map(|i| store.view_get(i))
        .find(|f| pick(f))
        .map(|f| f.seq)
        .expect("a failure to select");
    app.apply(Action::TogglePause);
    app.selected = Some(seq);
}

fn screen(app: &App) -> String {
    let mut term = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    term.draw(|f| failwatch::ui::render(f, app, &Theme::plain()))
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

fn both_languages(name: &str, width: u16, height: u16, actions: &[Action]) {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = app(lang, width, height);
        for a in actions {
            app.apply(a.clone());
        }
        insta::assert_snapshot!(format!("{name}_{tag}_{width}x{height}"), screen(&app));
    }
}

#[test]
fn main_view() {
    both_languages("main", 80, 24, &[]);
    both_languages("main", 160, 40, &[]);
}

#[test]
fn reasons_panel_focused_with_a_reason_filter() {
    both_languages(
        "reasons",
        80,
        24,
        &[
            Action::Focus(failwatch::ui::app::Panel::Reasons),
            Action::Enter,
        ],
    );
}

#[test]
fn sessions_panel_focused() {
    both_languages(
        "sessions",
        120,
        30,
        &[Action::Focus(failwatch::ui::app::Panel::Sessions)],
    );
}

#[test]
fn detail_of_a_lost_notification() {
    // `N` from the bottom jumps to the newest lost notification; enter opens it.
    both_languages(
        "detail_lost",
        100,
        40,
        &[Action::NextLost(false), Action::Enter],
    );
}

#[test]
fn detail_of_a_failure_that_leaked_a_secret_to_chat() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = app(lang, 100, 40);
        select(&mut app, |f| f.leaked_to_chat > 0);
        app.apply(Action::Enter);
        let s = screen(&app);
        assert!(!s.contains("bob/") && !s.contains("s3cr3tpass"), "{s}");
        insta::assert_snapshot!(format!("detail_leak_{tag}_100x40"), s);
    }
}

#[test]
fn upstream_main_view_and_a_withheld_error() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = app_on(UPSTREAM, UPSTREAM_BINDINGS, lang, 120, 40);
        insta::assert_snapshot!(format!("upstream_main_{tag}_120x40"), screen(&app));
        select(&mut app, |f| {
            f.error_origin() == Some(ErrorOrigin::Withheld) && f.session.is_some() && !f.canned()
        });
        app.apply(Action::Enter);
        insta::assert_snapshot!(format!("upstream_detail_withheld_{tag}_100x40"), {
            app.size = Rect::new(0, 0, 100, 40);
            screen(&app)
        });
    }
}

#[test]
fn a_retry_chain_in_the_detail_view() {
    let mut app = app_on(UPSTREAM, UPSTREAM_BINDINGS, Lang::En, 100, 40);
    select(&mut app, |f| f.retry_of.is_some());
    app.apply(Action::Enter);
    insta::assert_snapshot!("upstream_detail_retry_en_100x40", screen(&app));
}

#[test]
fn sessions_without_bindings_say_the_binding_is_unknown() {
    let mut app = app_on(UPSTREAM, "", Lang::En, 120, 30);
    app.apply(Action::Focus(failwatch::ui::app::Panel::Sessions));
    let s = screen(&app);
    insta::assert_snapshot!("sessions_unbound_en_120x30", s);
}

#[test]
fn help_overlay() {
    both_languages("help", 100, 32, &[Action::Help]);
}

#[test]
fn filter_bar_shows_parse_errors_in_place() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = app(Lang::En, 80, 24);
    app.apply(Action::EditFilter);
    for c in "reason:timeout colour:red".chars() {
        app.apply(Action::FilterKey(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    insta::assert_snapshot!("filter_error_en_80x24", screen(&app));
}

#[test]
fn any_size_renders_without_panic() {
    for (w, h) in [(1, 1), (10, 3), (20, 6), (40, 10), (80, 24), (300, 100)] {
        for overlay in [None, Some(Action::Enter), Some(Action::Help)] {
            let mut app = app(Lang::Zh, w, h);
            if let Some(a) = overlay {
                app.apply(a);
            }
            screen(&app);
        }
    }
}

#[test]
fn no_secret_or_control_character_reaches_the_screen() {
    for (capture, lang) in [(SAMPLE, Lang::En), (OCTO, Lang::Zh), (UPSTREAM, Lang::En)] {
        let mut app = app_on(capture, "", lang, 200, 60);
        let n = app.pipeline.store.view_len();
        for i in 0..n {
            app.apply(Action::Top);
            for _ in 0..i {
                app.apply(Action::Move(1));
            }
            app.apply(Action::Enter);
            let s = screen(&app);
            for secret in [
                "pwe5856cfa",
                "toka6482fe6abcdefghijKLMNOP",
                "tok61326cc0abcdefghijKLMNOP",
                "bob/",
                "s3cr3tpass",
            ] {
                assert!(!s.contains(secret), "{secret} on screen:\n{s}");
            }
            assert!(
                !s.chars().any(|c| c.is_control() && c != '\n'),
                "control char on screen"
            );
            app.apply(Action::Escape);
        }
    }
}
