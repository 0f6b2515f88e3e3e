//! The state machine through keys, as a user drives it.

use chrono::DateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::ingest::replay::Replay;
use crate::ingest::Pipeline;

pub(super) fn feed_of(p: Pipeline) -> Feed {
    Feed::replay(p, Replay::from_entries(Vec::new()), "test".into())
}

fn setup(n: usize) -> (App, Feed) {
    let mut p = Pipeline::new(1000);
    for i in 0..n {
        let reason = if i % 3 == 0 {
            "timeout"
        } else {
            "agent_error.provider_network"
        };
        let at = DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap();
        p.push_frame(at, &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t{i}","chat_session_id":"s{}","failure_reason":"{reason}","retry_pending":false,"error":"e{i}"}}}}"#,
            i % 4
        ), |_| {});
    }
    let feed = feed_of(p);
    let mut app = App::new(Lang::En);
    app.sync(&feed);
    (app, feed)
}

pub(super) fn press(app: &mut App, feed: &mut Feed, c: KeyCode) -> Option<Effect> {
    let a = app.action_for_key(KeyEvent::new(c, KeyModifiers::NONE))?;
    app.act(a, feed)
}

fn typed(app: &mut App, feed: &mut Feed, text: &str) {
    for c in text.chars() {
        press(app, feed, KeyCode::Char(c));
    }
}

#[test]
fn follows_the_newest_until_scrolled_up() {
    let (mut app, mut feed) = setup(50);
    assert!(app.follow);
    assert_eq!(app.selected, Some(49));
    press(&mut app, &mut feed, KeyCode::Char('k'));
    assert!(!app.follow, "scrolling up pauses");
    assert_eq!(app.selected, Some(48));
    // New failures arrive while paused: selection stays, counter grows.
    feed.pipeline.push_frame(
        DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        r#"{"type":"task:failed","payload":{"task_id":"x","failure_reason":"timeout"}}"#,
        |_| {},
    );
    app.sync(&feed);
    assert_eq!(app.selected, Some(48));
    assert_eq!(app.new_while_paused, 1);
    press(&mut app, &mut feed, KeyCode::Char('G'));
    assert!(app.follow);
    assert_eq!(app.selected, Some(50));
}

/// The same failures behind a live source (frames arrive on a channel nobody feeds).
fn live(feed: Feed) -> Feed {
    let (_tx, rx) = crate::source::channel::channel(1, crate::source::Delivery::Lossy);
    let (_status_tx, status_rx) =
        tokio::sync::watch::channel(crate::source::status::ConnState::new());
    let handle = crate::source::SourceHandle::from_parts(rx, status_rx, "live".into());
    let mut live = Feed::live(feed.pipeline, handle);
    live.status = None;
    live
}

#[test]
fn space_holds_a_live_view_and_g_goes_to_top() {
    let (mut app, feed) = setup(10);
    let mut feed = live(feed);
    press(&mut app, &mut feed, KeyCode::Char(' '));
    assert!(!app.follow);
    press(&mut app, &mut feed, KeyCode::Char('g'));
    assert_eq!(app.selected, Some(0));
    assert_eq!(app.offset, 0);
    press(&mut app, &mut feed, KeyCode::Char(' '));
    assert!(app.follow);
    assert_eq!(app.selected, Some(9));
}

#[test]
fn new_rows_while_paused_say_how_many_match_the_filter() {
    let (mut app, mut feed) = setup(10);
    feed.pipeline
        .store_mut()
        .set_filter(Filter::parse("reason:timeout").unwrap());
    app.sync(&feed);
    press(&mut app, &mut feed, KeyCode::Char('k'));
    assert!(!app.follow);
    let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    for (i, reason) in [
        "timeout",
        "agent_error.provider_network",
        "agent_error.provider_network",
    ]
    .iter()
    .enumerate()
    {
        feed.pipeline.push_frame(
            at,
            &format!(r#"{{"type":"task:failed","payload":{{"task_id":"n{i}","failure_reason":"{reason}"}}}}"#),
         |_| {},);
    }
    app.sync(&feed);
    assert_eq!((app.new_while_paused, app.new_matching), (3, 1));
}

#[test]
fn space_pauses_playback_in_a_replay() {
    let (mut app, mut feed) = setup(10);
    assert!(!feed.replay_state().unwrap().paused);
    press(&mut app, &mut feed, KeyCode::Char(' '));
    assert!(feed.replay_state().unwrap().paused, "playback, as in lnav");
    assert!(app.follow, "one pause state: the view still follows");
    press(&mut app, &mut feed, KeyCode::Char(' '));
    assert!(!feed.replay_state().unwrap().paused);
}

#[test]
fn filter_bar_applies_on_enter_and_keeps_last_good_filter_on_error() {
    let (mut app, mut feed) = setup(9);
    press(&mut app, &mut feed, KeyCode::Char('/'));
    typed(&mut app, &mut feed, "reason:timeout");
    assert_eq!(app.filter_error, None);
    assert_eq!(app.filter_preview, Some(3), "previewed before enter");
    assert_eq!(feed.pipeline.store().view_len(), 9, "not applied yet");
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(app.filter_editor, None);
    assert_eq!(feed.pipeline.store().view_len(), 3);
    press(&mut app, &mut feed, KeyCode::Char('/'));
    typed(&mut app, &mut feed, " colour:x");
    assert!(app.filter_error.as_deref().unwrap().contains("colour"));
    press(&mut app, &mut feed, KeyCode::Enter);
    assert!(app.filter_editor.is_some(), "a bad filter is not applied");
    assert_eq!(feed.pipeline.store().view_len(), 3);
    press(&mut app, &mut feed, KeyCode::Esc);
    press(&mut app, &mut feed, KeyCode::Esc);
    assert_eq!(feed.pipeline.store().view_len(), 9, "esc clears the filter");
}

#[test]
fn typing_q_in_the_filter_types_it() {
    let (mut app, mut feed) = setup(3);
    press(&mut app, &mut feed, KeyCode::Char('/'));
    typed(&mut app, &mut feed, "quota");
    assert!(!app.quit);
    assert_eq!(app.filter_editor.as_ref().unwrap().text(), "quota");
}

#[test]
fn reasons_panel_toggles_a_reason_filter() {
    let (mut app, mut feed) = setup(9);
    press(&mut app, &mut feed, KeyCode::Char('r'));
    assert_eq!(app.focus, Panel::Reasons);
    press(&mut app, &mut feed, KeyCode::Char(' ')); // most frequent first: provider_network (6)
    assert_eq!(
        feed.pipeline.store().filter().source(),
        "reason:agent_error.provider_network"
    );
    assert_eq!(feed.pipeline.store().view_len(), 6);
    press(&mut app, &mut feed, KeyCode::Char(' '));
    assert_eq!(feed.pipeline.store().filter().source(), "");
    press(&mut app, &mut feed, KeyCode::Esc);
    assert_eq!(app.focus, Panel::Failures);
}

#[test]
fn enter_drills_down_the_panels_follow_and_esc_pops_one_level() {
    let (mut app, mut feed) = setup(9);
    press(&mut app, &mut feed, KeyCode::Char('r'));
    press(&mut app, &mut feed, KeyCode::Enter); // provider_network (6 of 9)
    assert_eq!(
        feed.pipeline.store().filter().source(),
        "reason:agent_error.provider_network"
    );
    assert_eq!(app.focus, Panel::Failures);
    // The panels now count the 6 shown, not the 9.
    let agg = app.panel_agg(feed.pipeline.store());
    assert_eq!(agg.failures, 6);
    assert_eq!(agg.by_reason.len(), 1);
    assert!(app.panels_filtered(feed.pipeline.store()));
    // A session of those: one level deeper.
    press(&mut app, &mut feed, KeyCode::Char('s'));
    press(&mut app, &mut feed, KeyCode::Enter);
    let deeper = feed.pipeline.store().filter().source().to_owned();
    assert!(
        deeper.starts_with("reason:agent_error.provider_network session:"),
        "{deeper}"
    );
    assert_eq!(app.trail.len(), 2);
    // `A` shows everything in the panels again, and back.
    press(&mut app, &mut feed, KeyCode::Char('A'));
    assert_eq!(app.panel_agg(feed.pipeline.store()).failures, 9);
    press(&mut app, &mut feed, KeyCode::Char('A'));
    // esc pops one level at a time.
    press(&mut app, &mut feed, KeyCode::Esc);
    assert_eq!(
        feed.pipeline.store().filter().source(),
        "reason:agent_error.provider_network"
    );
    press(&mut app, &mut feed, KeyCode::Esc);
    assert_eq!(feed.pipeline.store().filter().source(), "");
    assert!(app.trail.is_empty());
    assert!(!app.panels_filtered(feed.pipeline.store()));
}

#[test]
fn nothing_hidden_is_acted_on() {
    let (mut app, mut feed) = setup(9);
    // The newest failure is selected (following); a filter that hides it moves the selection.
    let newest = app.selected.unwrap();
    press(&mut app, &mut feed, KeyCode::Char('/'));
    typed(&mut app, &mut feed, "task:nothing-has-this-id");
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(feed.pipeline.store().view_len(), 0);
    assert_ne!(app.selected, Some(newest));
    assert_eq!(app.selected, None);
    press(&mut app, &mut feed, KeyCode::Char('c'));
    assert_eq!(
        app.status.as_deref(),
        Some(strings(app.lang).nothing_selected)
    );
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(
        app.status.as_deref(),
        Some(strings(app.lang).nothing_selected)
    );
}

#[test]
fn enter_opens_detail_arrows_step_and_esc_closes_it() {
    let (mut app, mut feed) = setup(3);
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(app.overlay, Overlay::Detail);
    assert_eq!(app.selected, Some(2));
    press(&mut app, &mut feed, KeyCode::Left);
    assert_eq!((app.overlay, app.selected), (Overlay::Detail, Some(1)));
    press(&mut app, &mut feed, KeyCode::Char('j'));
    assert_eq!(app.detail_scroll, 1, "j scrolls the detail view");
    press(&mut app, &mut feed, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    press(&mut app, &mut feed, KeyCode::Char('L'));
    assert_eq!(app.lang, Lang::Zh);
    press(&mut app, &mut feed, KeyCode::Char('?'));
    assert_eq!(app.overlay, Overlay::Help);
    // `q` closes the overlay; only from the top does it quit.
    press(&mut app, &mut feed, KeyCode::Char('q'));
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.quit);
    press(&mut app, &mut feed, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn sessions_panel_enter_filters_by_session() {
    let (mut app, mut feed) = setup(8);
    press(&mut app, &mut feed, KeyCode::Char('s'));
    press(&mut app, &mut feed, KeyCode::Enter);
    assert!(feed
        .pipeline
        .store()
        .filter()
        .source()
        .starts_with("session:s"));
    assert_eq!(feed.pipeline.store().view_len(), 2);
    assert_eq!(app.focus, Panel::Failures);
}

#[test]
fn mouse_wheel_scrolls_and_click_selects() {
    let (mut app, mut feed) = setup(40);
    app.size = Rect::new(0, 0, 100, 30);
    app.sync(&feed);
    app.act(Action::Move(-3), &mut feed);
    assert_eq!(app.selected, Some(36));
    let areas = app.areas();
    app.act(
        Action::Click(areas.failures.x + 3, areas.failures.y + 2),
        &mut feed,
    );
    assert_eq!(app.selected, Some(app.offset as u64));
}

#[test]
fn copy_and_export_ask_for_redacted_json() {
    let (mut app, mut feed) = setup(5);
    let Some(Effect::Copy(text)) = press(&mut app, &mut feed, KeyCode::Char('c')) else {
        panic!()
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["task_id"], "t4");
    feed.pipeline
        .store_mut()
        .set_filter(Filter::parse("reason:timeout").unwrap());
    // `e` asks where; enter writes there.
    app.export_to = std::path::PathBuf::from("/tmp/some-export.jsonl");
    assert!(press(&mut app, &mut feed, KeyCode::Char('e')).is_none());
    assert_eq!(
        app.export_editor.as_ref().unwrap().text(),
        "/tmp/some-export.jsonl"
    );
    let Some(Effect::Export(job)) = press(&mut app, &mut feed, KeyCode::Enter) else {
        panic!()
    };
    assert_eq!(job.path, std::path::PathBuf::from("/tmp/some-export.jsonl"));
    assert_eq!(
        job.lines.len(),
        2,
        "the filtered view, not the visible window"
    );
    assert!(!job.replace, "nothing is replaced unasked");
    // It existed: the path comes back, and enter on it again replaces it.
    app.export_done(crate::ui::export::Done::Exists(job.path.clone()));
    assert!(app.status.as_deref().unwrap().contains("enter replaces it"));
    let Some(Effect::Export(again)) = press(&mut app, &mut feed, KeyCode::Enter) else {
        panic!()
    };
    assert_eq!((again.path, again.replace), (job.path, true));
}

#[test]
fn a_directory_typed_at_the_export_prompt_gets_a_new_file_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut feed = feed_of(Pipeline::new(10));
    let mut app = App::new(Lang::En);
    app.sync(&feed);
    app.export_to = std::path::PathBuf::from("/nonexistent/file.jsonl");
    press(&mut app, &mut feed, KeyCode::Char('e'));
    let editor = app.export_editor.as_mut().unwrap();
    *editor = crate::ui::filter_edit::FilterEditor::new(&dir.path().display().to_string());
    let Some(Effect::Export(job)) = press(&mut app, &mut feed, KeyCode::Enter) else {
        panic!()
    };
    assert_eq!(job.path.parent(), Some(dir.path()));
    assert!(job.path.to_string_lossy().ends_with(".jsonl"));
}

#[test]
fn copy_and_export_of_a_hostile_failure_carry_nothing_raw_or_secret() {
    let mut p = Pipeline::new(10);
    let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let hostile = r"\u001b]52;c;cm0gLXJmIH4=\u0007\u009b2J\u202e\u200b\n";
    let token = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
    p.push_frame(at, &format!(
        r#"{{"type":"task:queued","payload":{{"task_id":"t","chat_session_id":"s {hostile} {token}"}}}}"#
    ), |_| {});
    p.push_frame(at, &format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"t","status":"failed","failure_reason":"r{hostile}","error":"e {hostile} {token}"}}}}"#
    ), |_| {});
    let mut feed = feed_of(p);
    let mut app = App::new(Lang::En);
    app.sync(&feed);
    let Some(Effect::Copy(copied)) = press(&mut app, &mut feed, KeyCode::Char('c')) else {
        panic!()
    };
    press(&mut app, &mut feed, KeyCode::Char('e'));
    let Some(Effect::Export(crate::ui::export::Job { lines, .. })) =
        press(&mut app, &mut feed, KeyCode::Enter)
    else {
        panic!()
    };
    for text in std::iter::once(&copied).chain(&lines) {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let decoded = v.to_string() + &format!("{:?}", v);
        assert!(
            !text.contains("ghp_0123") && !decoded.contains("ghp_0123"),
            "{text}"
        );
        // Ids and codes are single lines; an error text may keep its line breaks.
        let fields = [
            ("chat_session_id", false),
            ("lost_chat_session_id", false),
            ("reason", false),
            ("error", true),
        ];
        for (field, multiline) in fields {
            let Some(s) = v[field].as_str() else { continue };
            let bad = |c: char| {
                (c.is_control() && !(multiline && matches!(c, '\n' | '\t')))
                    || matches!(c, '\u{202e}' | '\u{200b}')
            };
            assert!(!s.chars().any(bad), "{field}: {s:?}");
        }
    }
}

#[test]
fn replay_keys_on_a_live_feed_say_so() {
    let (mut app, mut feed) = setup(3);
    assert!(press(&mut app, &mut feed, KeyCode::Char('p')).is_none());
    assert_eq!(app.status, None, "a replay feed takes it");
    let (tx, rx) = crate::source::channel::channel(1, crate::source::Delivery::Lossy);
    let (_status_tx, status_rx) =
        tokio::sync::watch::channel(crate::source::status::ConnState::new());
    let mut live = Feed::live(
        Pipeline::new(10),
        crate::source::SourceHandle::from_parts(rx, status_rx, "live".into()),
    );
    drop(tx);
    press(&mut app, &mut live, KeyCode::Char('p'));
    assert_eq!(app.status.as_deref(), Some(strings(Lang::En).not_a_replay));
}

#[test]
fn jump_to_next_lost_notification() {
    let mut p = Pipeline::new(100);
    let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    for line in [
        r#"{"type":"task:queued","payload":{"task_id":"a","chat_session_id":"s"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"b","failure_reason":"timeout"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"a","failure_reason":"timeout"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"c","failure_reason":"timeout"}}"#,
    ] {
        p.push_frame(t, line, |_| {});
    }
    let mut feed = feed_of(p);
    let mut app = App::new(Lang::En);
    app.sync(&feed);
    press(&mut app, &mut feed, KeyCode::Char('N'));
    assert_eq!(app.selected, Some(1));
    assert!(feed.pipeline.store().get(1).unwrap().is_dropped());
    // In the detail view n and N step between lost ones without closing it, and wrap around
    // the ends saying so (here the only one: it wraps onto itself).
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(app.overlay, Overlay::Detail);
    press(&mut app, &mut feed, KeyCode::Char('n'));
    assert_eq!(app.overlay, Overlay::Detail);
    assert_eq!(app.selected, Some(1));
    let status = app.status.clone().unwrap();
    assert!(
        status.contains("1 / 1") && status.contains("wrapped"),
        "{status}"
    );
}

/// What the panels list, as drawn: the id or code of each row, in order.
fn sessions_shown(app: &App, feed: &Feed) -> Vec<String> {
    app.session_rows(feed.pipeline.store(), 0, usize::MAX)
        .iter()
        .map(|(id, _)| id.to_string())
        .collect()
}

#[test]
fn o_cycles_the_focused_panels_order_and_capital_o_turns_it_over() {
    use crate::ui::order::{ReasonKey, SessionKey};
    let (mut app, mut feed) = setup(10);
    // Not in the failures table.
    assert_eq!(
        app.action_for_key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::NONE)),
        None
    );
    press(&mut app, &mut feed, KeyCode::Char('s'));
    assert_eq!(app.session_sort.key, SessionKey::Urgency);
    press(&mut app, &mut feed, KeyCode::Char('j'));
    press(&mut app, &mut feed, KeyCode::Char('o'));
    assert_eq!(
        (app.session_sort.key, app.session_sort.reversed),
        (SessionKey::Failures, false)
    );
    assert_eq!(app.session_cursor, 0, "a new order starts at its top");
    press(&mut app, &mut feed, KeyCode::Char('O'));
    assert!(app.session_sort.reversed);
    let down = {
        app.session_sort.reversed = false;
        let v = sessions_shown(&app, &feed);
        app.session_sort.reversed = true;
        v
    };
    let mut up = sessions_shown(&app, &feed);
    up.reverse();
    assert_eq!(up, down, "turned over is the same list upside down");
    // `o` goes on to the next key the right way up, and round to the first.
    press(&mut app, &mut feed, KeyCode::Char('o'));
    assert_eq!(
        (app.session_sort.key, app.session_sort.reversed),
        (SessionKey::LastFailure, false)
    );
    press(&mut app, &mut feed, KeyCode::Char('o'));
    assert_eq!(app.session_sort.key, SessionKey::Id);
    assert_eq!(sessions_shown(&app, &feed), ["s0", "s1", "s2", "s3"]);
    press(&mut app, &mut feed, KeyCode::Char('o'));
    assert_eq!(app.session_sort.key, SessionKey::Urgency);
    // Each panel keeps its own order.
    assert_eq!(app.reason_sort.key, ReasonKey::Count);
    press(&mut app, &mut feed, KeyCode::Char('r'));
    press(&mut app, &mut feed, KeyCode::Char('o'));
    assert_eq!(app.reason_sort.key, ReasonKey::Name);
    assert_eq!(app.session_sort.key, SessionKey::Urgency);
}

#[test]
fn enter_on_a_sorted_panel_narrows_to_the_row_on_screen() {
    let (mut app, mut feed) = setup(10);
    // The sessions by last failure: the one whose failure came last first.
    let store = feed.pipeline.store();
    let mut by_last: Vec<(i64, String)> = store
        .agg
        .sessions
        .iter()
        .map(|(id, st)| (st.last_at.unwrap().timestamp(), id.to_string()))
        .collect();
    by_last.sort_by(|a, b| b.cmp(a));
    press(&mut app, &mut feed, KeyCode::Char('s'));
    press(&mut app, &mut feed, KeyCode::Char('o'));
    press(&mut app, &mut feed, KeyCode::Char('o'));
    assert_eq!(
        sessions_shown(&app, &feed)[..2],
        [by_last[0].1.clone(), by_last[1].1.clone()]
    );
    // The second row: copy and enter both take it.
    press(&mut app, &mut feed, KeyCode::Char('j'));
    let Some(Effect::Copy(copied)) = press(&mut app, &mut feed, KeyCode::Char('c')) else {
        panic!("c copies the session id")
    };
    assert_eq!(copied, by_last[1].1);
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(
        feed.pipeline.store().filter().source(),
        format!("session:{}", by_last[1].1)
    );
    press(&mut app, &mut feed, KeyCode::Esc);

    // The reasons by name: their labels A to Z; turned over, Z to A.
    let mut labels: Vec<(String, String)> = feed
        .pipeline
        .store()
        .agg
        .by_reason
        .keys()
        .map(|code| {
            let label = crate::catalog::describe(code, app.lang).texts.label;
            (label.to_lowercase(), code.to_string())
        })
        .collect();
    labels.sort();
    press(&mut app, &mut feed, KeyCode::Char('r'));
    press(&mut app, &mut feed, KeyCode::Char('o'));
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(
        feed.pipeline.store().filter().source(),
        format!("reason:{}", labels[0].1)
    );
    press(&mut app, &mut feed, KeyCode::Esc);
    press(&mut app, &mut feed, KeyCode::Char('r'));
    press(&mut app, &mut feed, KeyCode::Char('O'));
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(
        feed.pipeline.store().filter().source(),
        format!("reason:{}", labels.last().unwrap().1)
    );
}

#[test]
fn a_click_on_a_panels_header_sorts_by_that_column() {
    use crate::ui::order::SessionKey;
    let (mut app, mut feed) = setup(10);
    let sessions = app.areas().sessions;
    // The first column is the session's id; a second click turns the order over.
    app.act(Action::Click(sessions.x + 1, sessions.y + 1), &mut feed);
    assert_eq!(app.focus, Panel::Sessions);
    assert_eq!(
        (app.session_sort.key, app.session_sort.reversed),
        (SessionKey::Id, false)
    );
    app.act(Action::Click(sessions.x + 2, sessions.y + 1), &mut feed);
    assert!(app.session_sort.reversed);
    assert_eq!(sessions_shown(&app, &feed), ["s3", "s2", "s1", "s0"]);
    // A click on a row takes the row drawn there.
    app.act(Action::Click(sessions.x + 2, sessions.y + 3), &mut feed);
    assert_eq!(app.session_cursor, 1);
    press(&mut app, &mut feed, KeyCode::Enter);
    assert_eq!(feed.pipeline.store().filter().source(), "session:s2");
}

/// `y e` on a failure without error text says that, not that nothing is selected.
#[test]
fn copying_what_a_failure_lacks_says_what_it_lacks() {
    let mut p = Pipeline::new(10);
    let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    p.push_frame(
        at,
        r#"{"type":"task:failed","payload":{"task_id":"t1","failure_reason":"timeout"}}"#,
        |_| {},
    );
    let mut feed = feed_of(p);
    let mut app = App::new(Lang::En);
    app.sync(&feed);
    press(&mut app, &mut feed, KeyCode::Char('y'));
    assert!(press(&mut app, &mut feed, KeyCode::Char('e')).is_none());
    let s = strings(app.lang);
    assert_eq!(app.status.as_deref(), Some(s.copy_no_error));
    press(&mut app, &mut feed, KeyCode::Char('y'));
    press(&mut app, &mut feed, KeyCode::Char('s'));
    assert_eq!(app.status.as_deref(), Some(s.copy_no_session));
    press(&mut app, &mut feed, KeyCode::Char('y'));
    press(&mut app, &mut feed, KeyCode::Char('l'));
    assert_eq!(app.status.as_deref(), Some(s.copy_no_lost));
}
