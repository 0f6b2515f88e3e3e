//! Arbitrary input never panics anywhere between a capture line and the store, and every input is
//! accounted for: decoded, rejected with a reason, or counted as a bad line.

use chrono::DateTime;
use failwatch::capture::{parse_line, Line};
use failwatch::ingest::Pipeline;
use failwatch::protocol::decode;
use proptest::prelude::*;

/// JSON-shaped text: objects with task-ish keys and values of every type, nested a little.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
        prop_oneof![
            Just("task:failed"),
            Just("chat:message"),
            Just("task:queued"),
            Just("auth_ack"),
            Just("timeout")
        ]
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("payload".to_owned()),
                    Just("task_id".to_owned()),
                    Just("chat_session_id".to_owned()),
                    Just("failure_reason".to_owned()),
                    Just("retry_pending".to_owned()),
                    Just("error".to_owned()),
                    Just("error_message".to_owned()),
                    Just("issue_id".to_owned()),
                    Just("role".to_owned()),
                    Just("content".to_owned()),
                    "[a-z_]{1,8}".prop_map(|s| s),
                ],
                inner,
                0..6,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), complete in any::<bool>()) {
        let line = parse_line(&bytes, complete, None);
        if let Line::Frame { text, .. } = &line {
            let _ = decode(text);
        }
        let mut p = Pipeline::new(16);
        p.push_frame(DateTime::from_timestamp(0, 0).unwrap(), &String::from_utf8_lossy(&bytes), |_| {});
        prop_assert_eq!(p.stats().frames, 1);
        let accounted = p.stats().by_type.total() + p.stats().rejected_total();
        prop_assert_eq!(accounted, 1, "every frame is decoded or rejected");
    }

    #[test]
    fn arbitrary_json_frames_never_panic_and_are_accounted(frames in prop::collection::vec(json_value(), 1..20)) {
        let mut p = Pipeline::new(8);
        for (i, v) in frames.iter().enumerate() {
            p.push_frame(DateTime::from_timestamp(i as i64, 0).unwrap(), &v.to_string(), |_| {});
        }
        let n = frames.len() as u64;
        let accounted = p.stats().by_type.total() + p.stats().rejected_total();
        prop_assert_eq!(accounted, n);
        prop_assert!(p.store().stored() <= 8);
        let failed = p.stats().by_type.get("task:failed").unwrap_or(0);
        prop_assert_eq!(p.store().agg.failures, failed);
    }

    #[test]
    fn no_control_character_survives_into_a_stored_failure(error in "\\PC{0,40}", ctl in prop::sample::select(vec!['\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{0}', '\u{7f}', '\u{202e}'])) {
        let text = format!("{error}{ctl}[31m{error}");
        let frame = serde_json::json!({"type": "task:failed", "payload": {"task_id": format!("t{ctl}1"), "error": text, "failure_reason": format!("x{ctl}")}});
        let mut p = Pipeline::new(4);
        p.push_frame(DateTime::from_timestamp(0, 0).unwrap(), &frame.to_string(), |_| {});
        let f = p.store().view_get(0).unwrap();
        let shown = [f.error().unwrap_or(""), f.task_id.as_deref().unwrap_or(""), f.reason_code()];
        for s in shown {
            prop_assert!(!s.chars().any(|c| (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)), "{:?}", s);
        }
    }
}
