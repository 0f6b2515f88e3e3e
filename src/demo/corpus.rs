//! Large captures of realistic traffic for benchmarks, in failwatch's capture format.

use std::io::{self, Write};

use chrono::{DateTime, Duration, SecondsFormat};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::{error_for, uuid, ZERO_UUID};
use crate::catalog;

/// Write a header and `lines` records: ~35 % `task:failed` of every shape, the rest lifecycle,
/// chat and other events, about 1 line in 5000 garbage, ~12 % of errors with a planted secret.
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
        let mut payload = json!({"task_id": task, "agent_id": agent, "issue_id": if chat.is_some() { ZERO_UUID.to_owned() } else { tasks[i % tasks.len()].clone() }});
        if let Some(c) = chat {
            payload["chat_session_id"] = json!(c);
        }
        let roll = rng.random_range(0..100);
        let event_type = match roll {
            0..=34 => {
                let reason = reasons[rng.random_range(0..reasons.len())];
                payload["failure_reason"] = json!(reason);
                match roll % 4 {
                    0 => payload["retry_pending"] = json!(rng.random_bool(0.4)),
                    1 => {
                        payload["retry_pending"] = json!(false);
                        payload["error"] = json!(error_for(reason, &mut rng));
                    }
                    2 => payload["error_message"] = json!(error_for(reason, &mut rng)),
                    _ => {
                        // Legacy sweeper: reason only.
                        payload = json!({"task_id": task, "agent_id": agent, "issue_id": ZERO_UUID, "failure_reason": reason});
                    }
                }
                "task:failed"
            }
            35..=49 => "task:queued",
            50..=59 => "task:dispatch",
            60..=69 => "task:running",
            70..=79 => "task:completed",
            80..=84 => {
                payload = json!({"chat_session_id": chat.unwrap_or(&sessions[0]), "task_id": task, "role": "assistant", "content": "Here is the summary you asked for."});
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
