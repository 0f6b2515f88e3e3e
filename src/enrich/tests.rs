use super::*;
use crate::protocol::decode;
use crate::routing::{self, Outcome, Relay, Why};

const S: &str = "c0ffee00-1234-4abc-8def-0123456789ab";

fn run_with(e: &mut Enricher, lines: &[&str]) -> Vec<Failure> {
    lines
        .iter()
        .filter_map(|l| e.ingest(Utc::now(), &decode(l).unwrap()))
        .map(|u| *u.failure)
        .collect()
}

fn run(lines: &[&str]) -> Vec<Failure> {
    run_with(&mut Enricher::default(), lines)
}

fn outcome(f: &Failure, relay: Relay) -> Outcome {
    f.route(relay).unwrap().outcome
}

fn sent(f: &Failure, relay: Relay) -> Option<String> {
    f.route_text(relay).map(|t| t.render(routing::WITHHELD))
}

#[test]
fn a_failure_that_lost_its_session_is_dropped_and_names_the_session() {
    let u = run(&[
        r#"{"type":"task:queued","payload":{"task_id":"t1","issue_id":"","chat_session_id":"s1"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t1","issue_id":"","failure_reason":"runtime_offline"}}"#,
    ]);
    let f = &u[0];
    assert!(f.session_lost && f.is_dropped());
    assert_eq!(f.session.as_deref(), Some("s1"));
    assert!(f.routes.iter().all(|r| r.outcome == Outcome::Dropped));
    assert_eq!(f.heard(), crate::enrich::Heard::No);
}

#[test]
fn an_issue_failure_takes_its_text_from_the_system_comment_sent_before_it() {
    // The real upstream pair, plus a delegated-recovery notice sharing the task id.
    let u = run(&[
        r#"{"actor_id":"","actor_type":"system","payload":{"comment":{"author_type":"system","content":"Delegated task ended in a final failure","source_task_id":"0198c8a3-7d3e-7f5a-a061-c3d4e5f60718","type":"progress_update"}},"type":"comment:created"}"#,
        r#"{"actor_id":"3f6e2a10-8b4c-4d7e-9a1f-2c3b4d5e6f70","actor_type":"agent","event_id":"01M0FAPT38GC6CVK3954QMBSKR","payload":{"comment":{"author_id":"3f6e2a10-8b4c-4d7e-9a1f-2c3b4d5e6f70","author_type":"agent","content":"Invalid API key [REDACTED API KEY] · Please run /login","created_at":"2026-08-20T10:15:45Z","id":"0198c8a3-8e4f-7a6b-9c7d-0e1f2a3b4c5d","issue_id":"0198c7ff-2222-7333-8444-555566667777","parent_id":null,"revision":1,"source_task_id":"0198c8a3-7d3e-7f5a-a061-c3d4e5f60718","type":"system"},"issue_revision":7,"issue_status":"in_progress","issue_title":"Fix flaky login test"},"type":"comment:created"}"#,
        r#"{"actor_id":"","actor_type":"system","event_id":"01M0FAPT3MKMPA2FZYF5WWQ7M6","payload":{"agent_id":"3f6e2a10-8b4c-4d7e-9a1f-2c3b4d5e6f70","failure_reason":"agent_error.provider_auth_or_access","issue_id":"0198c7ff-2222-7333-8444-555566667777","retry_pending":false,"status":"failed","task_id":"0198c8a3-7d3e-7f5a-a061-c3d4e5f60718"},"type":"task:failed"}"#,
    ]);
    let f = &u[0];
    assert_eq!(
        f.error_text(),
        Some((
            "Invalid API key [REDACTED API KEY] · Please run /login",
            ErrorOrigin::Comment
        ))
    );
    assert!(f.routes.iter().all(|r| r.outcome == Outcome::NotChat));
}

#[test]
fn a_progress_comment_is_never_the_error_and_no_comment_means_no_text() {
    let u = run(&[
        r#"{"type":"comment:created","payload":{"comment":{"author_type":"system","content":"progress","source_task_id":"t9","type":"progress_update"}}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t9","agent_id":"a","issue_id":"i9","failure_reason":"agent_error.process_failure","retry_pending":false}}"#,
    ]);
    assert_eq!(u[0].error(), None);
    // The server comments every issue failure that has a text: this one had none.
    assert_eq!(u[0].error_origin(), None);
}

#[test]
fn upstream_terminal_chat_failure_is_withheld_and_sent() {
    let u = run(&[
        r#"{"actor_id":"","actor_type":"system","payload":{"agent_id":"a","chat_session_id":"c0ffee00-1234-4abc-8def-0123456789ab","failure_reason":"agent_error.provider_auth_or_access","issue_id":"","retry_pending":false,"status":"failed","task_id":"t1"},"type":"task:failed"}"#,
    ]);
    let f = &u[0];
    assert_eq!((f.family, f.era), (Family::Upstream, Era::UpstreamModern));
    assert_eq!(f.error(), None);
    assert_eq!(f.error_origin(), Some(ErrorOrigin::Withheld));
    assert!(!f.canned());
    assert_eq!(outcome(f, Relay::DingTalk), Outcome::NotifiedDetail);
    assert_eq!(
        sent(f, Relay::Lark).as_deref(),
        Some("Run failed: [error withheld by the server]")
    );
    assert_eq!(f.heard(), crate::enrich::Heard::Yes);
}

#[test]
fn upstream_sweeper_reasons_rebuild_the_canned_sentence() {
    let u = run(&[
        &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"queued_expired","retry_pending":false,"status":"failed"}}}}"#
        ),
        &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"timeout","retry_pending":false,"status":"failed"}}}}"#
        ),
        r#"{"type":"task:failed","payload":{"task_id":"t3","agent_id":"a","issue_id":"i3","failure_reason":"timeout","retry_pending":false,"status":"failed"}}"#,
    ]);
    assert_eq!(
        u[0].error_text(),
        Some(("task expired in queue", ErrorOrigin::Canned))
    );
    assert_eq!(outcome(&u[0], Relay::Lark), Outcome::NotifiedCanned);
    assert_eq!(
        sent(&u[0], Relay::DingTalk).as_deref(),
        Some("⚠️ task expired in queue")
    );
    // A chat timeout: the sweeper's sentence, the daemon's, or the backend's own message with
    // its stderr (`daemon.go` forwards it): not counted canned while the words are unknown.
    assert_eq!(u[1].error_origin(), Some(ErrorOrigin::Withheld));
    assert!(!u[1].canned());
    assert_eq!(outcome(&u[1], Relay::Lark), Outcome::NotifiedDetail);
    assert_eq!(
        u[1].route(Relay::DingTalk).unwrap().why,
        Why::CannedOrDetail
    );
    // An issue timeout without the daemon's comment came from the sweeper.
    assert_eq!(
        u[2].error_text(),
        Some(("task timed out", ErrorOrigin::Canned))
    );
}

#[test]
fn fork_frames_keep_their_error_and_octo_sends_it() {
    let mut e = Enricher::new(Some((Family::Octo, FamilySource::Flag)), Arc::default());
    let u = run_with(
        &mut e,
        &[
            &format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"{S}","status":"failed","failure_reason":"timeout","error":"task timed out"}}}}"#
            ),
            &format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"{S}","status":"failed"}}}}"#
            ),
        ],
    );
    assert_eq!(u[0].era, Era::OctoAfterFix);
    assert_eq!(outcome(&u[0], Relay::Octo), Outcome::NotifiedCanned);
    assert_eq!(
        sent(&u[0], Relay::Octo).as_deref(),
        Some("⚠️ task timed out")
    );
    assert_eq!(u[1].era, Era::OctoBeforeFix);
    assert_eq!(
        sent(&u[1], Relay::Octo).as_deref(),
        Some("⚠️ The agent run failed.")
    );
}

#[test]
fn secrets_the_server_let_through_are_counted_as_leaked_to_chat() {
    let line = format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"{S}","status":"failed","failure_reason":"agent_error.process_failure","error":"open /Users/bob/.env: denied; push https://bob:hunter2@git.example.com/r failed"}}}}"#
    );
    let f = &run(&[&line])[0];
    assert_eq!(f.family, Family::Octo, "detected from the frame");
    assert_eq!(f.leaked_to_chat, 2);
    assert!(!f.error().unwrap().contains("bob"));
    assert!(sent(f, Relay::Octo).unwrap().contains("/Users/****/"));

    // Bound to no relay: no relay sent it (the user is told in Multica's own app).
    let b = Bindings::parse(&format!("[sessions]\n\"{S}\" = []\n")).unwrap();
    let mut e = Enricher::new(None, Arc::new(b));
    let f = &run_with(&mut e, &[&line])[0];
    assert_eq!(f.leaked_to_chat, 0);
    assert_eq!(f.heard(), crate::enrich::Heard::Yes);
    assert!(f.routes.iter().all(|r| !r.outcome.is_notified()));

    // An issue task's text reaches no chat.
    let issue = line.replace(
        &format!(r#""issue_id":"","chat_session_id":"{S}""#),
        r#""issue_id":"i1""#,
    );
    assert_eq!(run(&[&issue])[0].leaked_to_chat, 0);
}

#[test]
fn bound_sessions_count_as_told_only_through_their_relays() {
    let b = Bindings::parse(&format!("[sessions]\n\"{S}\" = [\"telegram\"]\n")).unwrap();
    let mut e = Enricher::new(None, Arc::new(b));
    let f = &run_with(
        &mut e,
        &[&format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"agent_error.process_failure","retry_pending":false,"status":"failed"}}}}"#
        )],
    )[0];
    assert_eq!(f.heard(), crate::enrich::Heard::Generic);
    assert_eq!(outcome(f, Relay::Lark), Outcome::Silent);
    assert_eq!(f.route(Relay::Lark).unwrap().why, Why::NotBound);
}

#[test]
fn a_retry_child_knows_its_parent_and_attempt() {
    let u = run(&[
        &format!(
            r#"{{"type":"task:queued","payload":{{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"{S}","status":"queued"}}}}"#
        ),
        &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"agent_error.provider_network","retry_pending":true,"status":"failed"}}}}"#
        ),
        &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"agent_error.provider_network","retry_pending":false,"status":"failed"}}}}"#
        ),
    ]);
    assert_eq!((u[0].retry_of.as_deref(), u[0].attempt), (None, 1));
    assert_eq!((u[1].retry_of.as_deref(), u[1].attempt), (Some("t1"), 2));
}

#[test]
fn ids_are_sanitised_and_errors_redacted() {
    let u = run(&[
        r#"{"type":"task:failed","payload":{"task_id":"t\u001b[2J1","agent_id":"a","issue_id":"i1","failure_reason":"timeout","error":"at /home/bob/x: key AKIAABCDEFGHIJKLMNOP \u001b]52;c;ZXZpbA==\u0007"}}"#,
    ]);
    let f = &u[0];
    assert_eq!(f.task_id.as_deref(), Some("t1"));
    let e = f.error().unwrap();
    assert!(
        !e.contains("AKIAABCDEFGHIJKLMNOP") && !e.contains("bob") && !e.contains('\u{1b}'),
        "{e}"
    );
    assert!(f.masked() >= 2);
    assert_eq!(f.issue_id.as_deref(), Some("i1"));
    assert!(f.reason_known);
}

#[test]
fn the_first_frame_that_tells_the_family_is_reported() {
    let mut e = Enricher::default();
    let updates: Vec<bool> = [
        r#"{"type":"task:failed","payload":{"task_id":"t1","chat_session_id":"s","issue_id":""}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t2","chat_session_id":"s","issue_id":"","error":"boom","failure_reason":"timeout"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t3","chat_session_id":"s","issue_id":"","error":"boom","failure_reason":"timeout"}}"#,
    ]
    .iter()
    .filter_map(|l| e.ingest(Utc::now(), &decode(l).unwrap()))
    .map(|u| u.family_changed)
    .collect();
    assert_eq!(updates, [false, true, false]);
    assert_eq!(e.family(), (Family::Octo, FamilySource::Detected));
}

#[test]
fn a_turn_typed_in_multica_is_not_answered_on_upstreams_im_relays_nor_its_retries() {
    // Only the HTTP send handler publishes a user `chat:message` with the task (chat.go:948).
    let u = run(&[
        &format!(
            r#"{{"type":"chat:message","payload":{{"chat_session_id":"{S}","message_id":"m1","role":"user","content":"hi","task_id":"t1"}}}}"#
        ),
        &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"agent_error.provider_network","retry_pending":true,"status":"failed"}}}}"#
        ),
        &format!(
            r#"{{"type":"task:queued","payload":{{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"{S}","status":"queued"}}}}"#
        ),
        &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"agent_error.provider_network","retry_pending":false,"status":"failed"}}}}"#
        ),
        &format!(
            r#"{{"type":"chat:message","payload":{{"chat_session_id":"{S}","message_id":"m2","role":"assistant","content":"x","task_id":"t3"}}}}"#
        ),
        &format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t3","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"agent_error.provider_network","retry_pending":false,"status":"failed"}}}}"#
        ),
    ]);
    assert!(u[0].typed_in_app);
    assert_eq!(u[1].retry_of.as_deref(), Some("t1"));
    assert!(u[1].typed_in_app, "a retry inherits its parent's origin");
    for relay in [Relay::Lark, Relay::DingTalk, Relay::Telegram] {
        assert_eq!(
            u[1].route(relay).unwrap().why,
            Why::TypedInMultica,
            "{relay:?}"
        );
    }
    assert!(
        !u[2].typed_in_app,
        "an assistant's message says nothing of the turn"
    );
    assert_eq!(outcome(&u[2], Relay::Lark), Outcome::NotifiedDetail);
}

#[test]
fn an_issue_failure_is_pushed_to_wecom_subscribers_with_the_title_a_comment_gave() {
    let u = run(&[
        r#"{"type":"comment:created","payload":{"comment":{"author_type":"member","content":"looks odd","issue_id":"i1","type":"comment"},"issue_title":"Fix the build ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"a","issue_id":"i1","failure_reason":"agent_error.provider_network","retry_pending":true,"status":"failed"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"a","issue_id":"i2","failure_reason":"timeout","retry_pending":false,"status":"failed"}}"#,
    ]);
    let text = |f: &Failure| f.inbox_text().map(|t| t.render(routing::WITHHELD));
    assert_eq!(
        text(&u[0]).as_deref(),
        Some("**[任务失败] Fix the build [REDACTED GITHUB TOKEN]**")
    );
    assert_eq!(
        text(&u[1]).as_deref(),
        Some("**[任务失败] [issue title not seen]**")
    );
    assert!(u
        .iter()
        .all(|f| f.routes.iter().all(|r| r.outcome == Outcome::NotChat)));
}

#[test]
fn an_empty_error_from_the_api_means_the_relays_had_none() {
    let mut u = run(&[&format!(
        r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"{S}","failure_reason":"agent_error.unknown","retry_pending":false,"status":"failed"}}}}"#
    )]);
    let f = &mut u[0];
    assert!(f.needs_lookup());
    let empty = Recovered {
        source: ApiSource::AgentTasks,
        error: Some(SeenText::new("")),
        attempt: None,
    };
    f.apply_recovery(
        &Ok(empty),
        (Family::Upstream, FamilySource::Detected),
        &Bindings::default(),
    );
    // `taskFailedFields` sets `error` only when non-empty: DingTalk sends nothing
    // (outbound.go:138-145) and Lark its bare card (outbound.go:97-101).
    assert_eq!(f.error(), None);
    assert_eq!(f.error_origin(), Some(ErrorOrigin::Api));
    assert_eq!(
        f.route(Relay::DingTalk).map(|r| (r.outcome, r.why)),
        Some((Outcome::Silent, Why::NoErrorText))
    );
    assert_eq!(sent(f, Relay::Lark).as_deref(), Some("Run failed."));
}
