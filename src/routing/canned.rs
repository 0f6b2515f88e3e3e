//! Multica's own fixed English sentences. When the "error" a relay forwarded is one of these,
//! the chat user learned nothing beyond the failure reason: it is counted apart from a real error.

/// The sweepers' texts, written by SQL with their reasons (upstream `agent.sql`, `runtime.sql`;
/// the fork has the first four).
pub const SWEEPER: [(&str, &str); 5] = [
    ("runtime_offline", "runtime went offline"),
    ("timeout", "task timed out"),
    ("queued_expired", "task expired in queue"),
    (
        "runtime_recovery",
        "daemon restarted while task was in flight",
    ),
    (
        "runtime_reconnect_timeout",
        "runtime did not reconnect within the configured grace period",
    ),
];

/// The daemon's own fixed sentences for the same reasons (`daemon.go`): a claimed task whose
/// runtime is gone, and its timeouts, `<agent> timed out after <duration>`.
const OFFLINE_BEFORE_START: &str = "runtime went offline before the task started";
const TIMED_OUT_AFTER: &str = " timed out after ";

/// The daemon's timeout texts, as candidates shown when the wire does not say which was sent.
pub const DAEMON_TIMEOUT_FORMS: [&str; 2] = [
    "<agent> timed out after <duration>",
    "task preparation timed out after <duration>",
];

/// Is this text one of Multica's fixed sentences (sweeper or daemon)?
pub fn is_canned(text: &str) -> bool {
    let t = text.trim();
    SWEEPER.iter().any(|(_, s)| *s == t) || t == OFFLINE_BEFORE_START || is_timeout_sentence(t)
}

/// `claude timed out after 2h0m0s`, `cursor-agent timed out after 30m0s`,
/// `task preparation timed out after 5m0s`: a name, the phrase, one Go duration.
fn is_timeout_sentence(t: &str) -> bool {
    // Asked of every error text: the phrase is looked for with a searcher built once.
    static PHRASE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(TIMED_OUT_AFTER));
    let Some(at) = PHRASE.find(t.as_bytes()) else {
        return false;
    };
    let (who, duration) = (&t[..at], &t[at + TIMED_OUT_AFTER.len()..]);
    let who_ok = who == "task preparation"
        || (!who.is_empty()
            && who
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    who_ok && is_go_duration(duration)
}

/// `2h0m0s`, `90s`, `1.5s`, `300ms`: digits and dots followed by units, nothing else.
pub(crate) fn is_go_duration(s: &str) -> bool {
    let mut saw_digit = false;
    let mut saw_unit = false;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        saw_digit = true;
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "h", "m", "s"]
            .into_iter()
            .find(|u| rest.starts_with(u));
        match unit {
            Some(u) => {
                saw_unit = true;
                rest = &rest[u.len()..];
            }
            None => return false,
        }
    }
    saw_digit && saw_unit
}

/// What the relays were given for an upstream terminal failure whose text the wire withheld,
/// when only the reason is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reconstructed {
    /// Only one of Multica's sentences is possible: these exact words were sent.
    Exact(&'static str),
    /// One of Multica's fixed sentences, but the wire does not say which.
    OneOf(&'static [&'static str]),
    /// One of these fixed sentences, or the agent's own words: a daemon's timeout forwards the
    /// backend's message (`claude timed out after 2h0m0s; claude stderr: …`, `agy
    /// --print-timeout elapsed after …`) when it has one (`daemon.go`, `stream_json_result.go`,
    /// `stderr_tail.go`).
    CannedOrDetail(&'static [&'static str]),
    /// The daemon's or agent's own text: its words are unknown.
    Unknown,
}

const OFFLINE_FORMS: [&str; 2] = ["runtime went offline", OFFLINE_BEFORE_START];
const TIMEOUT_FORMS: [&str; 3] = [
    "task timed out",
    DAEMON_TIMEOUT_FORMS[0],
    DAEMON_TIMEOUT_FORMS[1],
];

/// Reconstruct an upstream terminal failure's text from its reason, for a failure that came
/// with no witness (no system comment before it). An issue task without its comment did not
/// take the daemon's fail path (which always posts the comment when it has a text), so it was
/// the sweeper; a chat task has no such witness, so `runtime_offline` stays open between the
/// sweeper's sentence and the daemon's, and `timeout` between the sweeper's, the daemon's and
/// the agent's own words.
pub fn reconstruct(reason: &str, issue_task: bool) -> Reconstructed {
    let sweeper = SWEEPER.iter().find(|(r, _)| *r == reason).map(|(_, t)| *t);
    match (reason, sweeper) {
        (_, None) => Reconstructed::Unknown,
        ("runtime_offline", Some(_)) if !issue_task => Reconstructed::OneOf(&OFFLINE_FORMS),
        ("timeout", Some(_)) if !issue_task => Reconstructed::CannedOrDetail(&TIMEOUT_FORMS),
        (_, Some(text)) => Reconstructed::Exact(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_and_the_daemons_sentences_are_canned() {
        for (_, t) in SWEEPER {
            assert!(is_canned(t), "{t}");
        }
        for t in [
            "runtime went offline before the task started",
            "claude timed out after 2h0m0s",
            "cursor-agent timed out after 30m0s",
            "task preparation timed out after 5m0s",
            "codex timed out after 1.5s",
        ] {
            assert!(is_canned(t), "{t}");
        }
        for t in [
            "task timed out after reading /etc/passwd",
            "claude exited with status 1",
            "the claude run timed out after 2h0m0s",
            "claude timed out after soon",
            "claude timed out after 2h0m0s; stderr: boom",
            "runtime went offline twice",
            "",
        ] {
            assert!(!is_canned(t), "{t}");
        }
    }

    #[test]
    fn upstream_texts_are_rebuilt_only_where_one_sentence_is_possible() {
        assert_eq!(
            reconstruct("queued_expired", false),
            Reconstructed::Exact("task expired in queue")
        );
        assert_eq!(
            reconstruct("runtime_reconnect_timeout", false),
            Reconstructed::Exact("runtime did not reconnect within the configured grace period")
        );
        assert_eq!(
            reconstruct("runtime_recovery", false),
            Reconstructed::Exact("daemon restarted while task was in flight")
        );
        assert_eq!(
            reconstruct("timeout", true),
            Reconstructed::Exact("task timed out")
        );
        assert_eq!(
            reconstruct("runtime_offline", true),
            Reconstructed::Exact("runtime went offline")
        );
        assert!(
            matches!(reconstruct("timeout", false), Reconstructed::CannedOrDetail(f) if f.len() == 3)
        );
        assert!(
            matches!(reconstruct("runtime_offline", false), Reconstructed::OneOf(f) if f.len() == 2)
        );
        assert_eq!(
            reconstruct("agent_error.provider_network", false),
            Reconstructed::Unknown
        );
    }
}
