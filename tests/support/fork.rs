//! Small fork captures written on the spot: a fork server's frames carry the error text, so
//! groups and alerts read words.

use std::io::Write;

use serde_json::json;

/// One failure: seconds after 08:00, reason, error text, and whether its frame kept the chat
/// session (without it, the failure is a lost notification).
pub type Failure<'a> = (u32, &'a str, &'a str, bool);

/// A capture of records: each task queued in its chat session a tenth of a second before it
/// fails, so a failure without its session is known to have lost it.
pub fn capture(failures: &[Failure<'_>]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    for (n, (second, reason, error, with_session)) in failures.iter().enumerate() {
        let task = format!("00000000-0000-4000-8000-{n:012x}");
        let session = format!("5e550000-0000-4000-8000-{:012x}", n % 4);
        let at = |tenth: u32| {
            let t = second * 10 + tenth;
            format!(
                "2026-11-25T{:02}:{:02}:{:02}.{:03}Z",
                8 + t / 36_000,
                (t / 600) % 60,
                (t / 10) % 60,
                (t % 10) * 100
            )
        };
        let queued = json!({"type": "task:queued", "payload": {
            "task_id": task, "chat_session_id": session, "issue_id": ""}});
        let mut payload = json!({"task_id": task, "issue_id": "", "status": "failed",
            "failure_reason": reason, "error": error});
        if *with_session {
            payload["chat_session_id"] = json!(session);
        }
        let failed = json!({"type": "task:failed", "payload": payload});
        writeln!(f, "{}", json!({"at": at(1), "frame": queued})).unwrap();
        writeln!(f, "{}", json!({"at": at(2), "frame": failed})).unwrap();
    }
    f
}
