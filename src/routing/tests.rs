//! Each relay's verdict and text, from the server source's rules (see the README's "Server
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
        [Relay::Octo, Relay::Lark]
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
