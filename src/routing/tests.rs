//! Each relay's verdict and text, from the server source's rules (see docs/servers.md, "Server
//! families"). The expected strings are the server's, not ours.

use super::*;

const S: &str = "c0ffee00-1234-4abc-8def-0123456789ab";

fn upstream(retry: Option<bool>, error: InProcess<'static>) -> Facts<'static> {
    Facts {
        family: Some(Family::Upstream),
        era: Some(if retry.is_some() {
            Era::UpstreamModern
        } else {
            Era::UpstreamLegacy
        }),
        chat: ChatSession::OnEvent(S),
        reason: Some("agent_error.provider_auth_or_access"),
        retry_pending: retry,
        error,
        ..Facts::default()
    }
}

fn octo(era: Era, reason: Option<&'static str>, error: Option<&'static str>) -> Facts<'static> {
    Facts {
        family: Some(Family::Octo),
        era: Some(era),
        chat: ChatSession::OnEvent(S),
        reason,
        error: error.map_or(InProcess::Absent, InProcess::Known),
        canned: error.is_some_and(canned::is_canned),
        ..Facts::default()
    }
}

/// (relay, outcome, text as rendered) for every route.
fn verdicts(f: &Facts, bindings: &Bindings) -> Vec<(Relay, Outcome, Option<String>)> {
    route_all(f, bindings)
        .iter()
        .map(|r| (r.relay, r.outcome, text(r, f).map(|t| t.render(WITHHELD))))
        .collect()
}

fn sent(relay: Relay, outcome: Outcome, text: &str) -> (Relay, Outcome, Option<String>) {
    (relay, outcome, Some(text.to_owned()))
}

fn nothing(relay: Relay, outcome: Outcome) -> (Relay, Outcome, Option<String>) {
    (relay, outcome, None)
}

#[test]
fn each_family_lists_only_its_own_relays() {
    let none = Bindings::default();
    let relays = |f: &Facts| {
        route_all(f, &none)
            .iter()
            .map(|r| r.relay)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        relays(&upstream(Some(false), InProcess::Withheld)),
        [
            Relay::Lark,
            Relay::DingTalk,
            Relay::Telegram,
            Relay::Slack,
            Relay::WeCom
        ]
    );
    assert_eq!(
        relays(&octo(Era::OctoAfterFix, Some("timeout"), None)),
        [Relay::Octo, Relay::Lark, Relay::Slack]
    );
}

#[test]
fn upstream_terminal_chat_failure_sent_the_withheld_error() {
    let f = upstream(Some(false), InProcess::Withheld);
    assert_eq!(
        verdicts(&f, &Bindings::default()),
        [
            sent(
                Relay::Lark,
                Outcome::NotifiedDetail,
                "Run failed: [error withheld by the server]"
            ),
            sent(
                Relay::DingTalk,
                Outcome::NotifiedDetail,
                "⚠️ [error withheld by the server]"
            ),
            sent(
                Relay::Telegram,
                Outcome::NotifiedGeneric,
                "❌ The agent run failed. Please try again."
            ),
            nothing(Relay::Slack, Outcome::Silent),
            nothing(Relay::WeCom, Outcome::Silent),
        ]
    );
    let routes = route_all(&f, &Bindings::default());
    assert_eq!(routes.get(Relay::Slack).unwrap().why, Why::NoFailureMessage);
    assert_eq!(routes.get(Relay::WeCom).unwrap().why, Why::NothingOnFailure);
}

#[test]
fn upstream_retry_pending_gets_a_bare_lark_card_and_silence_elsewhere() {
    let f = upstream(Some(true), InProcess::Absent);
    let v = verdicts(&f, &Bindings::default());
    assert_eq!(
        v[0],
        sent(Relay::Lark, Outcome::NotifiedGeneric, "Run failed.")
    );
    assert_eq!(v[1], nothing(Relay::DingTalk, Outcome::Silent));
    assert_eq!(v[2], nothing(Relay::Telegram, Outcome::Silent));
    let routes = route_all(&f, &Bindings::default());
    assert_eq!(routes.get(Relay::DingTalk).unwrap().why, Why::RetryPending);
    assert_eq!(routes.get(Relay::Telegram).unwrap().why, Why::RetryPending);
}

#[test]
fn upstream_legacy_frames_had_no_error_and_no_telegram() {
    let f = upstream(None, InProcess::Absent);
    let routes = route_all(&f, &Bindings::default());
    assert_eq!(
        text(routes.get(Relay::Lark).unwrap(), &f)
            .unwrap()
            .render(WITHHELD),
        "Run failed."
    );
    assert_eq!(routes.get(Relay::DingTalk).unwrap().why, Why::NoErrorText);
    assert_eq!(routes.get(Relay::Telegram).unwrap().why, Why::PredatesRelay);
}

#[test]
fn upstream_canned_sweeper_text_is_counted_as_canned_with_its_words() {
    let f = Facts {
        reason: Some("queued_expired"),
        canned: true,
        ..upstream(Some(false), InProcess::Known("task expired in queue"))
    };
    let v = verdicts(&f, &Bindings::default());
    assert_eq!(
        v[0],
        sent(
            Relay::Lark,
            Outcome::NotifiedCanned,
            "Run failed: task expired in queue"
        )
    );
    assert_eq!(
        v[1],
        sent(
            Relay::DingTalk,
            Outcome::NotifiedCanned,
            "⚠️ task expired in queue"
        )
    );
}

#[test]
fn octo_after_the_fix_error_then_reason_text_then_default() {
    let none = Bindings::default();
    let v = verdicts(
        &octo(Era::OctoAfterFix, Some("timeout"), Some("boom")),
        &none,
    );
    assert_eq!(v[0], sent(Relay::Octo, Outcome::NotifiedDetail, "⚠️ boom"));
    assert_eq!(
        v[1],
        sent(Relay::Lark, Outcome::NotifiedDetail, "Run failed: boom")
    );

    let v = verdicts(
        &octo(Era::OctoAfterFix, Some("timeout"), Some("task timed out")),
        &none,
    );
    assert_eq!(
        v[0],
        sent(Relay::Octo, Outcome::NotifiedCanned, "⚠️ task timed out")
    );
    assert_eq!(
        v[1],
        sent(
            Relay::Lark,
            Outcome::NotifiedCanned,
            "Run failed: task timed out"
        )
    );

    let v = verdicts(
        &octo(
            Era::OctoAfterFix,
            Some("agent_error.provider_quota_limit"),
            None,
        ),
        &none,
    );
    assert_eq!(
        v[0],
        sent(
            Relay::Octo,
            Outcome::NotifiedReason,
            "⚠️ 模型服务额度已用尽，请检查账户额度。"
        )
    );
    assert_eq!(
        v[1],
        sent(Relay::Lark, Outcome::NotifiedGeneric, "Run failed.")
    );

    for reason in [
        Some("agent_error.quantum_flux"),
        Some("agent_error.unknown"),
        Some("idle_watchdog"),
    ] {
        let v = verdicts(&octo(Era::OctoAfterFix, reason, None), &none);
        assert_eq!(
            v[0],
            sent(
                Relay::Octo,
                Outcome::NotifiedGeneric,
                "⚠️ Agent 运行失败，请稍后重试或联系工作区管理员。"
            ),
            "{reason:?}"
        );
    }
}

#[test]
fn octo_before_the_fix_sent_one_english_sentence() {
    let v = verdicts(&octo(Era::OctoBeforeFix, None, None), &Bindings::default());
    assert_eq!(
        v[0],
        sent(
            Relay::Octo,
            Outcome::NotifiedGeneric,
            "⚠️ The agent run failed."
        )
    );
    assert_eq!(
        v[1],
        sent(Relay::Lark, Outcome::NotifiedGeneric, "Run failed.")
    );
}

#[test]
fn error_message_alias_is_read_by_octo_and_lark_only_when_error_is_absent() {
    let mut f = octo(Era::OctoAfterFix, Some("timeout"), None);
    f.error_message = Some("alias");
    let v = verdicts(&f, &Bindings::default());
    assert_eq!(v[0], sent(Relay::Octo, Outcome::NotifiedDetail, "⚠️ alias"));
    assert_eq!(
        v[1],
        sent(Relay::Lark, Outcome::NotifiedDetail, "Run failed: alias")
    );
    // Lark returns a present-but-empty `error` and never looks at the alias; Octo skips it.
    f.error = InProcess::Known("");
    let v = verdicts(&f, &Bindings::default());
    assert_eq!(v[0], sent(Relay::Octo, Outcome::NotifiedDetail, "⚠️ alias"));
    assert_eq!(
        v[1],
        sent(Relay::Lark, Outcome::NotifiedGeneric, "Run failed.")
    );
    // DingTalk reads `error` only.
    let mut up = upstream(Some(false), InProcess::Absent);
    up.error_message = Some("alias");
    assert_eq!(
        route_all(&up, &Bindings::default())
            .get(Relay::DingTalk)
            .unwrap()
            .why,
        Why::NoErrorText
    );
}

#[test]
fn bindings_silence_unbound_relays_and_leave_unknown_ones_open() {
    let b = Bindings::parse(&format!("[sessions]\n\"{S}\" = [\"lark\"]\n")).unwrap();
    let f = upstream(Some(false), InProcess::Withheld);
    let routes = route_all(&f, &b);
    let lark = routes.get(Relay::Lark).unwrap();
    assert_eq!(
        (lark.outcome, lark.bound),
        (Outcome::NotifiedDetail, Some(true))
    );
    let ding = routes.get(Relay::DingTalk).unwrap();
    assert_eq!(
        (ding.outcome, ding.why, ding.bound),
        (Outcome::Silent, Why::NotBound, Some(false))
    );
    assert_eq!(text(ding, &f), None);
    assert!(route_all(&f, &Bindings::default())
        .iter()
        .all(|r| r.bound.is_none()));
}

#[test]
fn a_lost_session_is_dropped_by_every_relay_whatever_the_binding() {
    let b = Bindings::parse(&format!("[sessions]\n\"{S}\" = []\n")).unwrap();
    let f = Facts {
        chat: ChatSession::Lost(S),
        ..octo(Era::OctoBeforeFix, Some("runtime_offline"), None)
    };
    for r in route_all(&f, &b).iter() {
        assert_eq!(
            (r.outcome, r.why, r.bound),
            (Outcome::Dropped, Why::LostChatSession, Some(false))
        );
        assert_eq!(text(r, &f), None);
    }
    let f = Facts {
        chat: ChatSession::None,
        ..f
    };
    assert!(route_all(&f, &b)
        .iter()
        .all(|r| r.outcome == Outcome::NotChat && r.bound.is_none()));
}

#[test]
fn relay_names_round_trip() {
    for r in Relay::ALL {
        assert_eq!(Relay::parse(r.name()), Some(r));
    }
    assert_eq!(Relay::parse("Feishu"), Some(Relay::Lark));
    assert_eq!(Relay::parse("icq"), None);
}

#[test]
fn every_octo_text_in_the_file_is_loaded() {
    assert_eq!(
        octo_reason_text("agent_error.unknown"),
        None,
        "same as the default"
    );
    assert_eq!(
        octo_reason_text("runtime_cli_timeout"),
        None,
        "not in Octo's table"
    );
    assert!(octo_reason_text("runtime_offline")
        .unwrap()
        .contains("离线"));
}

fn why(f: &Facts, relay: Relay) -> (Outcome, Why) {
    let r = route_all(f, &Bindings::default());
    let r = r.get(relay).unwrap();
    (r.outcome, r.why)
}

#[test]
fn upstream_im_relays_do_not_answer_turns_typed_in_multica() {
    // `TaskInputIsChannelIngested` gates Lark, DingTalk and Telegram (provenance.go); DingTalk
    // decides its text first (outbound.go:78-80) and Telegram its retry (handleTaskFailed).
    let typed = Facts {
        typed_in_app: true,
        ..upstream(Some(false), InProcess::Withheld)
    };
    for relay in [Relay::Lark, Relay::DingTalk, Relay::Telegram] {
        assert_eq!(
            why(&typed, relay),
            (Outcome::Silent, Why::TypedInMultica),
            "{relay:?}"
        );
    }
    let retrying = Facts {
        typed_in_app: true,
        ..upstream(Some(true), InProcess::Absent)
    };
    assert_eq!(
        why(&retrying, Relay::Lark),
        (Outcome::Silent, Why::TypedInMultica)
    );
    assert_eq!(
        why(&retrying, Relay::DingTalk),
        (Outcome::Silent, Why::RetryPending)
    );
    assert_eq!(
        why(&retrying, Relay::Telegram),
        (Outcome::Silent, Why::RetryPending)
    );
    let empty = Facts {
        typed_in_app: true,
        ..upstream(Some(false), InProcess::Known(""))
    };
    assert_eq!(
        why(&empty, Relay::DingTalk),
        (Outcome::Silent, Why::NoErrorText)
    );
    // The fork's relays have no such gate.
    let fork = Facts {
        typed_in_app: true,
        ..octo(Era::OctoAfterFix, Some("timeout"), Some("boom"))
    };
    assert_eq!(
        why(&fork, Relay::Lark),
        (Outcome::NotifiedDetail, Why::ErrorText)
    );
    assert_eq!(
        why(&fork, Relay::Octo),
        (Outcome::NotifiedDetail, Why::ErrorText)
    );
}

#[test]
fn the_forks_slack_relay_answers_replies_only() {
    // fork `slack/outbound.go:64` subscribes to chat:done alone; it came on 2026-06-25.
    let after = octo(Era::OctoAfterFix, Some("timeout"), Some("boom"));
    assert_eq!(
        why(&after, Relay::Slack),
        (Outcome::Silent, Why::RepliesOnly)
    );
    let before = octo(Era::OctoBeforeFix, None, None);
    assert_eq!(
        why(&before, Relay::Slack),
        (Outcome::Silent, Why::PredatesRelay)
    );
    let early = Facts {
        built: chrono::NaiveDate::from_ymd_opt(2026, 6, 20),
        ..after
    };
    assert_eq!(
        why(&early, Relay::Slack),
        (Outcome::Silent, Why::PredatesRelay)
    );
}

#[test]
fn a_stated_build_day_decides_what_the_wire_cannot() {
    let on = |y, m, d| Facts {
        built: chrono::NaiveDate::from_ymd_opt(y, m, d),
        ..upstream(Some(false), InProcess::Withheld)
    };
    let telegram = |f: &Facts| {
        let r = route_all(f, &Bindings::default());
        let r = *r.get(Relay::Telegram).unwrap();
        (r.why, text(&r, f).map(|t| t.render(WITHHELD)))
    };
    // 67c6aa05c4 (2026-08-19) added it in Chinese; 341372a890 (2026-08-21) made it English.
    assert_eq!(telegram(&on(2026, 8, 10)), (Why::PredatesRelay, None));
    assert_eq!(
        telegram(&on(2026, 8, 20)),
        (
            Why::FixedNotice,
            Some("❌ 智能体处理失败，请稍后重试。".into())
        )
    );
    assert_eq!(
        telegram(&on(2026, 8, 22)),
        (
            Why::FixedNotice,
            Some("❌ The agent run failed. Please try again.".into())
        )
    );
    assert_eq!(
        telegram(&upstream(Some(false), InProcess::Withheld))
            .1
            .as_deref(),
        Some("❌ The agent run failed. Please try again."),
        "unsaid: the newest build"
    );
    assert_eq!(
        why(&on(2026, 8, 5), Relay::DingTalk),
        (Outcome::Silent, Why::PredatesRelay)
    );
}

#[test]
fn wecom_pushes_issue_failures_to_subscribers_and_quick_creates_to_their_requester() {
    let issue = |retry, title| Facts {
        chat: ChatSession::None,
        issue: true,
        issue_title: title,
        ..upstream(Some(retry), InProcess::Absent)
    };
    let render = |f: &Facts| inbox::notice(f).map(|n| (n.to, inbox::text(&n, f).render(WITHHELD)));
    // Every attempt, retry pending included (notification_listeners.go has no retry check).
    assert_eq!(
        render(&issue(true, Some("Fix the build"))),
        Some((
            Audience::IssueSubscribers,
            "**[任务失败] Fix the build**".into()
        ))
    );
    assert_eq!(
        render(&issue(false, None)),
        Some((
            Audience::IssueSubscribers,
            "**[任务失败] [issue title not seen]**".into()
        ))
    );
    let quick = |error| Facts {
        chat: ChatSession::None,
        ..upstream(Some(false), error)
    };
    assert_eq!(
        render(&quick(InProcess::Withheld)),
        Some((
            Audience::QuickCreateRequester,
            "**[新消息] Quick create failed**\n[error withheld by the server]".into()
        ))
    );
    assert_eq!(
        render(&quick(InProcess::Known(""))).unwrap().1,
        "**[新消息] Quick create failed**\nQuick create did not finish successfully"
    );
    // Only a failure for good: a retry writes its own outcome.
    let retrying = Facts {
        chat: ChatSession::None,
        ..upstream(Some(true), InProcess::Absent)
    };
    assert_eq!(render(&retrying), None);
    // A chat's failure, the fork, an old server: no push.
    assert_eq!(render(&upstream(Some(false), InProcess::Withheld)), None);
    let fork = Facts {
        chat: ChatSession::None,
        issue: true,
        ..octo(Era::OctoAfterFix, Some("timeout"), Some("boom"))
    };
    assert_eq!(render(&fork), None);
    let old = Facts {
        built: chrono::NaiveDate::from_ymd_opt(2026, 8, 6),
        ..issue(false, None)
    };
    assert_eq!(render(&old), None);
}

#[test]
fn dingtalk_titles_its_push_and_cuts_long_texts() {
    let long: &'static str = "x".repeat(40_000).leak();
    let f = upstream(Some(false), InProcess::Known(long));
    let r = *route_all(&f, &Bindings::default())
        .get(Relay::DingTalk)
        .unwrap();
    let sent = text(&r, &f).unwrap();
    assert_eq!(
        chrome(Relay::DingTalk, &sent),
        Some(Chrome::DingTalkMarkdown {
            title: "Multica has replied.",
            messages: Some(3)
        })
    );
    let short = upstream(Some(false), InProcess::Withheld);
    let r = *route_all(&short, &Bindings::default())
        .get(Relay::DingTalk)
        .unwrap();
    assert_eq!(
        chrome(Relay::DingTalk, &text(&r, &short).unwrap()),
        Some(Chrome::DingTalkMarkdown {
            title: "Multica has replied.",
            messages: None
        })
    );
    assert_eq!(
        chrome(Relay::Lark, &SentText::Fixed("Run failed.")),
        Some(Chrome::LarkCard)
    );
}
