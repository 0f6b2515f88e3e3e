//! Large captures of realistic traffic for benchmarks, in failwatch's capture format: the Octo
//! fork's shapes (its errors are on the wire, so every view redacts them), before and after its
//! PR #33.

use std::io::{self, Write};

use chrono::{DateTime, Duration, SecondsFormat};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::{error_for, uuid};
use crate::catalog;

/// Write a header and `lines` records: ~35 % `task:failed` (fail path with its error, the
/// sweepers before the fix without chat session, the fail path before the fix without error or
/// reason), the rest lifecycle, chat and other events, about 1 line in 5000 garbage, a quarter of
/// errors with a planted secret.
pub fn write_capture(out: &mut impl Write, lines: usize, seed: u64) -> io::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let agents: Vec<String> = (0..50).map(|_| uuid(&mut rng)).collect();
    let sessions: Vec<String> = (0..2000).map(|_| uuid(&mut rng)).collect();
    let tasks: Vec<String> = (0..20_000).map(|_| uuid(&mut rng)).collect();
    let mut reasons: Vec<&str> = catalog::all().iter().map(|r| r.code).collect();
    reasons.extend(["agent_error.sandbox_oom", "workspace_suspended"]);
    let start = DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    writeln!(
        out,
        r#"{{"failwatch_capture":1,"source":"generated","started_at":"{}"}}"#,
        start.to_rfc3339_opts(SecondsFormat::Secs, true)
    )?;
    for i in 0..lines {
        let at = (start + Duration::milliseconds(i as i64 * 7))
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        if i % 5000 == 4999 {
            writeln!(
                out,
                "{}",
                if i % 10000 == 9999 {
                    "{\"at\": \"truncated"
                } else {
                    "garbage \u{1}line"
                }
            )?;
            continue;
        }
        let task = &tasks[rng.random_range(0..tasks.len())];
        let agent = &agents[rng.random_range(0..agents.len())];
        let chat = rng
            .random_bool(0.6)
            .then(|| &sessions[rng.random_range(0..sessions.len())]);
        let mut payload = json!({"task_id": task, "agent_id": agent, "issue_id": if chat.is_some() { String::new() } else { tasks[i % tasks.len()].clone() }});
        if let Some(c) = chat {
            payload["chat_session_id"] = json!(c);
        }
        let roll = rng.random_range(0..100);
        let event_type = match roll {
            0..=34 => {
                let reason = reasons[rng.random_range(0..reasons.len())];
                payload["status"] = json!("failed");
                match roll % 4 {
                    // After PR #33: the reason, and the error when the daemon sent one.
                    0 | 1 => {
                        payload["failure_reason"] = json!(reason);
                        payload["error"] = json!(error_for(reason, &mut rng));
                    }
                    // Before it, the sweepers: their reason, no error, no chat session.
                    2 => {
                        payload = json!({"task_id": task, "agent_id": agent, "issue_id": "", "status": "failed", "failure_reason": reason});
                    }
                    // Before it, the fail path: neither reason nor error.
                    _ => {}
                }
                "task:failed"
            }
            35..=49 => "task:queued",
            50..=59 => "task:dispatch",
            60..=69 => "task:running",
            70..=79 => "task:completed",
            80..=84 => {
                payload = json!({"chat_session_id": chat.unwrap_or(&sessions[0]), "message_id": task, "role": "user", "content": "Summarise yesterday's incidents, please."});
                "chat:message"
            }
            85..=89 => "chat:done",
            _ => {
                payload = json!({"issue": {"id": task, "title": "Fix flaky test"}});
                "issue:updated"
            }
        };
        let frame =
            json!({"type": event_type, "payload": payload, "actor_id": "", "actor_type": "system"});
        writeln!(out, r#"{{"at":"{at}","frame":{frame}}}"#)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_requested_mix() {
        let mut buf = Vec::new();
        write_capture(&mut buf, 10_000, 1).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 10_001);
        let failed = lines
            .iter()
            .filter(|l| l.contains("\"task:failed\""))
            .count();
        assert!(failed * 100 >= 30 * 10_000, "{failed}");
        let bad = lines
            .iter()
            .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_err())
            .count();
        assert_eq!(bad, 2);
    }
}
