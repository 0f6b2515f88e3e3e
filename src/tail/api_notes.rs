//! What `tail` says on stderr about the REST API: each change of its state (circuit opened or
//! closed, paused by a `Retry-After` and resumed, refused) and each note (what the token may not
//! read, answers cut), once; a closing count at the end.

use crate::api::{ApiState, ApiStatus, MAX_RETRY_AFTER};

#[derive(Default)]
pub struct ApiNotes {
    state: ApiState,
    notes_said: usize,
}

impl ApiNotes {
    /// The lines this status adds to what was said before.
    pub fn news(&mut self, status: &ApiStatus) -> Vec<String> {
        let mut out = Vec::new();
        if status.state != self.state {
            out.push(match (&status.state, &self.state) {
                (ApiState::Ok, ApiState::Paused { .. }) => {
                    "asking again (the Retry-After pause is over)".to_owned()
                }
                (ApiState::Ok, _) => "answering again".to_owned(),
                (ApiState::CircuitOpen { until, why }, _) => format!(
                    "not asking until {} (the server keeps failing: {why})",
                    until.format("%H:%M:%SZ")
                ),
                (ApiState::Paused { until, capped }, _) => format!(
                    "not asking until {} (the server's Retry-After{})",
                    until.format("%H:%M:%SZ"),
                    if *capped {
                        format!(
                            " asked for longer: capped at {} min",
                            MAX_RETRY_AFTER.as_secs() / 60
                        )
                    } else {
                        String::new()
                    }
                ),
                (ApiState::Refused(why), _) => format!("not asking any more: {why}"),
            });
            self.state = status.state.clone();
        }
        for note in status.notes.iter().skip(self.notes_said) {
            out.push(note.clone());
        }
        self.notes_said = status.notes.len();
        out.into_iter()
            .map(|l| format!("REST API {}: {l}", status.base))
            .collect()
    }

    /// The closing count.
    pub fn closing(status: &ApiStatus) -> String {
        let mut line = format!(
            "REST API {}: {} requests, {} texts recovered, {} lookups failed, {} still waiting",
            status.base, status.requests, status.recovered, status.failed, status.waiting
        );
        if status.answers_cut > 0 {
            line.push_str(&format!(
                ", {} answers cut at {} MiB",
                status.answers_cut,
                crate::api::ANSWER_BYTES >> 20
            ));
        }
        if let ApiState::Paused { until, .. } = &status.state {
            line.push_str(&format!(
                "; paused until {} (Retry-After)",
                until.format("%H:%M:%SZ")
            ));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_change_and_each_note_is_said_once() {
        let mut n = ApiNotes::default();
        let mut s = ApiStatus {
            base: "https://h".into(),
            ..ApiStatus::default()
        };
        assert!(n.news(&s).is_empty(), "nothing to say while all is well");
        s.notes.push("agents' task lists: 403".into());
        assert_eq!(n.news(&s), ["REST API https://h: agents' task lists: 403"]);
        assert!(n.news(&s).is_empty(), "a note is said once");
        s.state = ApiState::CircuitOpen {
            until: chrono::DateTime::UNIX_EPOCH,
            why: "HTTP 500: boom".into(),
        };
        let said = n.news(&s);
        assert_eq!(said.len(), 1);
        assert!(said[0].contains("not asking until 00:00:00Z") && said[0].contains("HTTP 500"));
        assert!(n.news(&s).is_empty());
        s.state = ApiState::Ok;
        assert_eq!(n.news(&s), ["REST API https://h: answering again"]);
    }

    #[test]
    fn a_retry_after_pause_is_said_with_its_cap_and_its_end() {
        let mut n = ApiNotes::default();
        let mut s = ApiStatus {
            base: "https://h".into(),
            ..ApiStatus::default()
        };
        s.state = ApiState::Paused {
            until: chrono::DateTime::UNIX_EPOCH,
            capped: true,
        };
        assert_eq!(
            n.news(&s),
            ["REST API https://h: not asking until 00:00:00Z (the server's Retry-After asked for longer: capped at 5 min)"]
        );
        assert!(ApiNotes::closing(&s).ends_with("; paused until 00:00:00Z (Retry-After)"));
        s.state = ApiState::Ok;
        assert_eq!(
            n.news(&s),
            ["REST API https://h: asking again (the Retry-After pause is over)"]
        );
        assert!(ApiNotes::closing(&s).ends_with("still waiting"));
    }

    #[test]
    fn answers_cut_are_counted_in_the_closing_line() {
        let mut s = ApiStatus {
            base: "https://h".into(),
            ..ApiStatus::default()
        };
        assert!(ApiNotes::closing(&s).ends_with("still waiting"));
        s.answers_cut = 2;
        assert!(
            ApiNotes::closing(&s).ends_with(", 2 answers cut at 8 MiB"),
            "{}",
            ApiNotes::closing(&s)
        );
    }
}
