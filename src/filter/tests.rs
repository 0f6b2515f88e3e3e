use super::*;
use crate::enrich::Enricher;
use crate::protocol::decode;
use crate::routing::{Family, FamilySource};

fn failures() -> Vec<Failure> {
    let mut e = Enricher::new(
        Some((Family::Upstream, FamilySource::Flag)),
        Default::default(),
    );
    let at = |s: i64| DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap();
    [
        (0, r#"{"type":"task:queued","payload":{"task_id":"t1","chat_session_id":"s-lost"}}"#),
        (10, r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"ag1","failure_reason":"runtime_offline"}}"#),
        (20, r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"ag2","chat_session_id":"s-ok","failure_reason":"agent_error.provider_quota_limit","retry_pending":false,"error":"402 Insufficient balance"}}"#),
        (30, r#"{"type":"task:failed","payload":{"task_id":"t3","agent_id":"ag1","issue_id":"i1","failure_reason":"agent_error.quantum_flux","retry_pending":true}}"#),
        (40, r#"{"type":"task:failed","payload":{"task_id":"t4","agent_id":"ag2","chat_session_id":"s-ok","failure_reason":"agent_error.provider_capacity_or_rate_limit","retry_pending":true}}"#),
    ]
    .iter()
    .filter_map(|(s, l)| e.ingest(at(*s), &decode(l).unwrap()))
    .map(|u| *u.failure)
    .collect()
}

fn select(expr: &str) -> Vec<String> {
    let f = Filter::parse(expr).unwrap();
    let now = DateTime::from_timestamp(1_700_000_040, 0).unwrap();
    failures()
        .iter()
        .filter(|x| f.matches(x, now))
        .map(|x| x.task_id.as_deref().unwrap().to_owned())
        .collect()
}

#[test]
fn terms_select_what_they_say() {
    assert_eq!(select(""), ["t1", "t2", "t3", "t4"]);
    assert_eq!(select("reason:provider_*"), ["t2", "t4"]);
    assert_eq!(select("reason:agent"), ["t2", "t3", "t4"]);
    assert_eq!(select("reason:platform"), ["t1"]);
    assert_eq!(select("reason:unknown"), ["t3"]);
    assert_eq!(select("reason:runtime_offline"), ["t1"]);
    assert_eq!(select("reason:*quota*"), ["t2"]);
    assert_eq!(select("outcome:dropped"), ["t1"]);
    assert_eq!(select("outcome:not_chat"), ["t3"]);
    assert_eq!(select("relay:dingtalk outcome:silent"), ["t4"]);
    assert_eq!(select("relay:dingtalk"), ["t2"]);
    assert_eq!(select("session:s-"), ["t1", "t2", "t4"]);
    assert_eq!(
        select("agent:ag2 -reason:agent_error.provider_quota_limit"),
        ["t4"]
    );
    assert_eq!(select("!agent:ag2"), ["t1", "t3"]);
    assert_eq!(select("since:15s"), ["t3", "t4"]);
    assert_eq!(select("BALANCE"), ["t2"]);
    assert_eq!(select("/^402 [A-Z]/"), ["t2"]);
    assert_eq!(select("-/^402 [A-Z]/ reason:agent"), ["t3", "t4"]);
    assert_eq!(select("\"insufficient balance\""), ["t2"]);
    assert_eq!(select("-balance reason:agent"), ["t3", "t4"]);
}

/// The tasks of `frames` (one failure each) that `expr` keeps.
fn select_among(frames: &[&str], expr: &str) -> Vec<String> {
    let mut e = Enricher::new(Some((Family::Octo, FamilySource::Flag)), Default::default());
    let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let f = Filter::parse(expr).unwrap();
    frames
        .iter()
        .filter_map(|l| e.ingest(at, &decode(l).unwrap()))
        .filter(|u| f.matches(&u.failure, at))
        .map(|u| u.failure.task_id.as_deref().unwrap().to_owned())
        .collect()
}

#[test]
fn reason_none_selects_the_failures_without_a_reason_and_its_negation_the_others() {
    let frames = [
        r#"{"type":"task:failed","payload":{"task_id":"t1","chat_session_id":"s1"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t2","chat_session_id":"s1","failure_reason":"timeout"}}"#,
        r#"{"type":"task:failed","payload":{"task_id":"t3","chat_session_id":"s1","failure_reason":"","error":"none of it"}}"#,
    ];
    assert_eq!(select_among(&frames, "reason:none"), ["t1", "t3"]);
    assert_eq!(select_among(&frames, "-reason:none"), ["t2"]);
    assert_eq!(select_among(&frames, "!reason:none"), ["t2"]);
    assert_eq!(
        select_among(&frames, "reason:none,timeout"),
        ["t1", "t2", "t3"]
    );
    assert_eq!(
        select_among(&frames, "reason:timeout | reason:none"),
        ["t1", "t2", "t3"]
    );
    // Every failure with a reason, known or not, is outside `reason:none`.
    assert!(select_among(&frames, "reason:none reason:agent").is_empty());
}

#[test]
fn parse_errors_say_what_is_wrong() {
    assert_eq!(
        Filter::parse("colour:red").unwrap_err(),
        FilterError::UnknownKey("colour".into())
    );
    assert_eq!(
        Filter::parse("reason:").unwrap_err(),
        FilterError::MissingValue("reason".into())
    );
    assert!(matches!(
        Filter::parse("outcome:maybe"),
        Err(FilterError::UnknownOutcome(_))
    ));
    assert!(matches!(
        Filter::parse("relay:icq"),
        Err(FilterError::UnknownRelay(_))
    ));
    assert!(matches!(
        Filter::parse("since:5y"),
        Err(FilterError::BadTime(_))
    ));
    assert!(matches!(
        Filter::parse("/[/"),
        Err(FilterError::BadRegex(_))
    ));
    assert_eq!(
        Filter::parse("\"open").unwrap_err(),
        FilterError::UnclosedQuote
    );
    // Colons in text that do not look like keys are plain text.
    assert!(Filter::parse("http://x 12:03").is_ok());
}

#[test]
fn the_row_without_a_reason_toggles_reason_none() {
    let on = Filter::parse("").unwrap().toggle_reason("none");
    assert_eq!(on, "reason:none");
    let f = Filter::parse(&on).unwrap();
    assert_eq!(f.toggled_reasons(), ["none"]);
    assert_eq!(f.toggle_reason("none"), "");
}

#[test]
fn toggled_reasons_gather_in_one_term_and_any_of_them_matches() {
    let f = Filter::parse("outcome:dropped").unwrap();
    let one = f.toggle_reason("runtime_offline");
    assert_eq!(one, "outcome:dropped reason:runtime_offline");
    let two = Filter::parse(&one)
        .unwrap()
        .toggle_reason("agent_error.provider_quota_limit");
    assert_eq!(
        two,
        "outcome:dropped reason:runtime_offline,agent_error.provider_quota_limit"
    );
    assert_eq!(
        Filter::parse(&two).unwrap().toggled_reasons(),
        ["runtime_offline", "agent_error.provider_quota_limit"]
    );
    // Two reasons toggled show the failures of either (the review's B1: it showed none).
    let toggled = Filter::parse("").unwrap().toggle_reason("runtime_offline");
    let toggled = Filter::parse(&toggled)
        .unwrap()
        .toggle_reason("agent_error.provider_quota_limit");
    assert_eq!(select(&toggled), ["t1", "t2"]);
    let back = Filter::parse(&two)
        .unwrap()
        .toggle_reason("runtime_offline");
    assert_eq!(
        back,
        "outcome:dropped reason:agent_error.provider_quota_limit"
    );
    // A typed class or glob is not a toggle term: the toggle adds its own.
    let typed = Filter::parse("reason:agent")
        .unwrap()
        .toggle_reason("timeout");
    assert_eq!(typed, "reason:agent reason:timeout");
}

#[test]
fn or_between_values_and_between_groups() {
    assert_eq!(
        select("reason:runtime_offline,agent_error.quantum_flux"),
        ["t1", "t3"]
    );
    assert_eq!(select("outcome:dropped,not_chat"), ["t1", "t3"]);
    assert_eq!(select("task:t1,t4"), ["t1", "t4"]);
    assert_eq!(select("agent:ag1 reason:platform | BALANCE"), ["t1", "t2"]);
    assert_eq!(select("task:t3 OR task:t4"), ["t3", "t4"]);
    assert_eq!(
        Filter::parse("task:t1 |").unwrap_err(),
        FilterError::EmptyAlternative
    );
    assert_eq!(
        Filter::parse("| task:t1").unwrap_err(),
        FilterError::EmptyAlternative
    );
}

#[test]
fn prefixes_and_plain_words_match_as_people_type_them() {
    // A prefix of the code, with or without `agent_error.`, needs no `*`.
    assert_eq!(select("reason:runtime"), ["t1"]);
    assert_eq!(select("reason:provider_quota"), ["t2"]);
    assert_eq!(select("reason:agent_error.provider"), ["t2", "t4"]);
    // Words of the label, in any of the four languages.
    assert_eq!(select("reason:\"Runtime offline\""), ["t1"]);
    assert_eq!(select("quota"), ["t2"], "a bare word finds the label");
    for lang in crate::catalog::Lang::ALL {
        let label = crate::catalog::describe("runtime_offline", lang)
            .texts
            .label;
        assert_eq!(select(&format!("reason:\"{label}\"")), ["t1"], "{lang:?}");
    }
    // And the code itself.
    assert_eq!(select("quantum"), ["t3"]);
}

#[test]
fn a_malformed_glob_or_regex_is_an_error_that_says_where() {
    assert!(matches!(
        Filter::parse("reason:["),
        Err(FilterError::BadGlob(_, _))
    ));
    assert!(matches!(
        Filter::parse("reason:{a,b"),
        Err(FilterError::BadGlob(_, _))
    ));
    let e = Filter::parse("/a[b/").unwrap_err().to_string();
    assert_eq!(e.matches("error").count(), 0, "{e}");
    assert!(e.contains("at character"), "{e}");
}

#[test]
fn durations() {
    assert_eq!(parse_duration("90s"), Some(Duration::seconds(90)));
    assert_eq!(parse_duration("15"), Some(Duration::minutes(15)));
    assert_eq!(parse_duration("2h"), Some(Duration::hours(2)));
    assert_eq!(parse_duration("m"), None);
    assert_eq!(parse_duration("99999999999999999d"), None);
}

#[test]
fn windows_past_the_calendar_match_everything_instead_of_panicking() {
    // Durations chrono accepts but no date can be that far back from now.
    for text in [
        "since:100000000d",
        "since:9223372036854775s",
        "since:106751991167d",
    ] {
        assert_eq!(select(text), ["t1", "t2", "t3", "t4"], "{text}");
    }
}

#[test]
fn saved_filters_are_named_with_an_at() {
    let saved: std::collections::BTreeMap<String, String> =
        [("lost".to_owned(), "outcome:dropped".to_owned())].into();
    let f = Filter::parse_saved("@lost | task:t3", &saved).unwrap();
    assert_eq!(f.source(), "@lost | task:t3");
    let now = DateTime::from_timestamp(1_700_000_040, 0).unwrap();
    let picked: Vec<_> = failures()
        .iter()
        .filter(|x| f.matches(x, now))
        .map(|x| x.task_id.as_deref().unwrap().to_owned())
        .collect();
    assert_eq!(picked, ["t1", "t3"]);
    assert_eq!(
        Filter::parse_saved("@nope", &saved).unwrap_err(),
        FilterError::UnknownSaved("nope".into())
    );
}

#[test]
fn a_saved_filter_may_name_saved_filters() {
    let saved: std::collections::BTreeMap<String, String> = [
        ("lost", "outcome:dropped"),
        ("mine", "@lost"),
        ("either", "@mine | task:t3"),
        ("loop", "@again"),
        ("again", "@loop"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let now = DateTime::from_timestamp(1_700_000_040, 0).unwrap();
    let picked = |source: &str| -> Vec<String> {
        let f = Filter::parse_saved(source, &saved).unwrap();
        failures()
            .iter()
            .filter(|x| f.matches(x, now))
            .map(|x| x.task_id.as_deref().unwrap().to_owned())
            .collect()
    };
    assert_eq!(picked("@lost"), ["t1"]);
    assert_eq!(picked("@mine"), ["t1"], "as @lost, not the word `@lost`");
    assert_eq!(picked("@either"), ["t1", "t3"]);
    // The alternatives of a saved filter stay together next to other terms.
    assert_eq!(picked("@either agent:ag1"), ["t1", "t3"]);
    assert_eq!(picked("@either reason:runtime"), ["t1"]);
    assert_eq!(
        Filter::parse_saved("@either", &saved).unwrap().source(),
        "@either"
    );
    assert_eq!(
        Filter::parse_saved("reason:x @loop", &saved).unwrap_err(),
        FilterError::SavedCycle("@loop → @again → @loop".into())
    );
    // Negated: what the saved filter does not match, alternatives and all.
    assert_eq!(picked("-@lost"), ["t2", "t3", "t4"]);
    assert_eq!(picked("-@either"), ["t2", "t4"]);
    assert_eq!(picked("-@either agent:ag2"), ["t2", "t4"]);
    assert_eq!(picked("reason:agent -@either"), ["t2", "t4"]);
}

#[test]
fn no_reason_has_one_name_and_its_label() {
    // t3 carried an unknown code; none of the four lacks a reason here, so add one that does.
    let mut e = Enricher::new(
        Some((Family::Upstream, FamilySource::Flag)),
        Default::default(),
    );
    let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let line =
        r#"{"type":"task:failed","payload":{"task_id":"t9","agent_id":"a","issue_id":"i1"}}"#;
    let f = *e.ingest(at, &decode(line).unwrap()).unwrap().failure;
    for expr in [
        "reason:none",
        "reason:\"No reason sent\"",
        "\"no reason\"",
        "reason:未发送原因",
    ] {
        assert!(Filter::parse(expr).unwrap().matches(&f, at), "{expr}");
    }
    assert!(!Filter::parse("-reason:none").unwrap().matches(&f, at));
    // An unknown code is not "no reason".
    assert!(select("reason:none").is_empty());
}

#[test]
fn who_was_told_terms() {
    // t1 lost its session; t2 went to Lark and DingTalk with its error (upstream, no
    // bindings: every relay might serve it); t3 is not a chat task; t4 waits for its retry,
    // which DingTalk and Telegram wait for too, but Lark sends its bare "Run failed." at once.
    assert_eq!(select("told:no"), ["t1"]);
    assert_eq!(select("told:yes"), ["t2"]);
    assert_eq!(select("told:generic"), ["t4"]);
    assert_eq!(select("told:not_chat"), ["t3"]);
    assert_eq!(select("told:no,generic"), ["t1", "t4"]);
    assert_eq!(select("-told:yes"), ["t1", "t3", "t4"]);
    assert_eq!(
        select("relay:lark outcome:generic why:bare_run_failed"),
        ["t4"]
    );
    assert_eq!(select("why:retry_pending"), ["t4"]);
    assert_eq!(select("why:lost_chat_session"), ["t1"]);
    // `relay:` scopes `why:` as it scopes `outcome:`: one route must satisfy both.
    assert_eq!(select("relay:telegram why:fixed_notice"), ["t2"]);
    assert_eq!(
        select("relay:dingtalk why:fixed_notice"),
        Vec::<String>::new()
    );
    assert_eq!(select("origin:wire"), ["t2"]);
    assert_eq!(select("origin:none"), ["t1", "t3", "t4"]);
    assert_eq!(select("era:upstream_modern"), ["t2", "t3", "t4"]);
    assert_eq!(select("server:upstream"), ["t1", "t2", "t3", "t4"]);
    assert_eq!(select("server:octo"), Vec::<String>::new());
    // Nothing is bound without bindings: every chat failure's binding is unknown.
    assert_eq!(select("bound:lark"), Vec::<String>::new());
    assert_eq!(select("bound:unknown"), ["t1", "t2", "t4"]);
    assert_eq!(select("bound:none"), Vec::<String>::new());
}

#[test]
fn absolute_times_and_until() {
    // The failures are at 22:13:30, :40, :50 and 22:14:00 UTC on 2023-11-14.
    assert_eq!(select("since:22:13:40"), ["t2", "t3", "t4"]);
    assert_eq!(select("until:22:13:40"), ["t1", "t2"]);
    assert_eq!(select("since:22:13:35 until:22:13:55"), ["t2", "t3"]);
    assert_eq!(select("since:2023-11-14T22:13:50Z"), ["t3", "t4"]);
    assert_eq!(select("until:20s"), ["t1", "t2"]);
    assert!(matches!(
        Filter::parse("since:9h50"),
        Err(FilterError::BadTime(_))
    ));
}

#[test]
fn globs_keep_their_commas_and_unknown_values_are_named() {
    assert_eq!(select("reason:provider_{quota,capacity}*"), ["t2", "t4"]);
    assert_eq!(
        select("reason:provider_{quota,capacity}*,runtime*"),
        ["t1", "t2", "t4"]
    );
    let err = Filter::parse("told:maybe").unwrap_err().to_string();
    assert!(err.contains("yes, generic, no"), "{err}");
    let err = Filter::parse("why:because").unwrap_err().to_string();
    assert!(
        err.contains("not_bound") && err.contains("retry_pending"),
        "{err}"
    );
}
