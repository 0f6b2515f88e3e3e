//! What `tail` says on stderr about the REST API: each change of its state (circuit opened or
//! closed, refused) and each thing the token may not read, once; a closing count at the end.

use crate::api::{ApiState, ApiStatus};

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
            out.push(match &status.state {
                ApiState::Ok => "answering again".to_owned(),
                ApiState::CircuitOpen { until, why } => format!(
                    "not asking until {} (the server keeps failing: {why})",
                    until.format("%H:%M:%SZ")
                ),
                ApiState::Refused(why) => format!("not asking any more: {why}"),
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
