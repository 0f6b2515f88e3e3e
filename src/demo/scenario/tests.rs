use super::*;
use crate::protocol::{decode, Event};
use crate::routing::Relay;

fn parsed(seed: u64, family: Family, round: u64) -> Vec<Value> {
    scenario(seed, family, round)
        .iter()
        .map(|f| serde_json::from_str(&f.text).unwrap())
        .collect()
}

#[test]
fn deterministic_per_seed_and_sorted() {
    let texts = |s, r| {
        scenario(s, Family::Octo, r)
            .into_iter()
            .map(|f| f.text)
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(7, 0), texts(7, 0));
    assert_ne!(texts(7, 0), texts(7, 1));
    let s = scenario(7, Family::Upstream, 0);
    assert!(s.windows(2).all(|w| w[0].offset <= w[1].offset));
    assert!(s.len() > 1000, "{}", s.len());
}

/// Only shapes the server sends: upstream never puts `error` on the wire and always sends
/// `retry_pending`; the fork never sends `retry_pending`; nobody sends `error_message`, an
/// all-zero issue id, or a status on `task:dispatch`.
#[test]
fn every_frame_has_a_real_server_shape() {
    for family in Family::ALL {
        for round in [0, 1] {
            for f in parsed(7, family, round) {
                let p = &f["payload"];
                assert!(decode(&f.to_string()).is_ok());
                assert_ne!(p["issue_id"], "00000000-0000-0000-0000-000000000000");
                assert!(p.get("error_message").is_none());
                if f["type"] == "task:dispatch" {
                    assert!(p.get("status").is_none());
                }
                if f["type"] == "task:failed" {
                    match family {
                        Family::Upstream => {
                            assert!(
                                p.get("error").is_none() && p["retry_pending"].is_boolean(),
                                "{f}"
                            );
                        }
                        Family::Octo => assert!(p.get("retry_pending").is_none(), "{f}"),
                    }
                }
            }
        }
    }
}

#[test]
fn the_fork_round_spans_the_deploy_and_the_story_has_every_part() {
    let frames = parsed(7, Family::Octo, 0);
    let failed: Vec<&Value> = frames
        .iter()
        .filter(|f| f["type"] == "task:failed")
        .map(|f| &f["payload"])
        .collect();
    assert!(
        failed.iter().any(|p| p.get("failure_reason").is_none()),
        "before the fix"
    );
    assert!(
        failed.iter().any(|p| p["error"] == "runtime went offline"),
        "after the fix"
    );
    let lost = failed.iter().any(|p| {
        p.get("chat_session_id").is_none()
            && frames.iter().any(|f| {
                f["type"] == "task:queued"
                    && f["payload"]["task_id"] == p["task_id"]
                    && f["payload"].get("chat_session_id").is_some()
            })
    });
    assert!(lost, "a sweeper failure that lost its chat session");
    assert!(failed
        .iter()
        .any(|p| p["failure_reason"] == "workspace_suspended"));
    let all = frames.iter().map(Value::to_string).collect::<String>();
    assert!(
        all.contains("\\u001b"),
        "a control sequence inside an error"
    );
    assert!(
        all.contains("/Users/") || all.contains("@db.internal"),
        "a secret the server misses"
    );
    assert!(frames
        .iter()
        .any(|f| matches!(decode(&f.to_string()), Ok(Event::Comment(c)) if c.is_failure_text())));
    assert!(
        parsed(7, Family::Octo, 1)
            .iter()
            .filter(|f| f["type"] == "task:failed")
            .all(|f| f["payload"].get("failure_reason").is_some()),
        "later rounds are after the fix"
    );
}

#[test]
fn bindings_name_most_sessions_and_leave_some_unknown() {
    for family in Family::ALL {
        let b = bindings(7, family);
        assert_eq!(b.len(), 10);
        let cast = Cast::new(7);
        assert!(b.of(&cast.sessions[11]).is_none());
        assert!(cast
            .sessions
            .iter()
            .any(|s| b.of(s).is_some_and(|set| set.is_empty())));
        for s in &cast.sessions {
            if let Some(set) = b.of(s) {
                assert!(
                    set.iter().all(|r| family.relays().contains(&r)),
                    "{r:?}",
                    r = set.iter().collect::<Vec<Relay>>()
                );
            }
        }
    }
}
