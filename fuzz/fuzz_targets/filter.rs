//! Any filter text: parsing never panics, and a filter that parses can be applied to failures
//! at any time without panicking (durations and dates at their limits included).
#![no_main]

use libfuzzer_sys::fuzz_target;

const FRAMES: [&str; 2] = [
    r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"s1","status":"failed","failure_reason":"timeout","retry_pending":false}}"#,
    r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"b","issue_id":"i","status":"failed","failure_reason":"agent_error.provider_quota_limit","error":"402 quota"}}"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = failwatch::filter::parse_duration(text);
    let Ok(filter) = failwatch::filter::Filter::parse(text) else {
        return;
    };
    let mut pipeline = failwatch::ingest::Pipeline::new(16);
    let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    for f in FRAMES {
        pipeline.push_frame(at, f, |_| {});
    }
    for now in [
        at,
        chrono::DateTime::<chrono::Utc>::MIN_UTC,
        chrono::DateTime::<chrono::Utc>::MAX_UTC,
    ] {
        for i in 0..pipeline.store().view_len() {
            if let Some(f) = pipeline.store().view_get(i) {
                let _ = filter.matches(f, now);
            }
        }
    }
    pipeline.store_mut().set_filter(filter);
});
