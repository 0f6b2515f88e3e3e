//! `tail --format text`: one line per failure, for a person watching a terminal.

use super::reason_key;
use crate::capture::format_time;
use crate::catalog::{self, Lang};
use crate::enrich::{ErrorOrigin, Failure};
use crate::routing::WITHHELD;

/// One `tail --format text` line.
pub fn failure_text(f: &Failure, lang: Lang) -> String {
    let d = catalog::describe(f.reason_code(), lang);
    let marks: String = f
        .routes
        .iter()
        .map(|r| format!("{}:{}", r.relay.name(), r.outcome.name()))
        .collect::<Vec<_>>()
        .join(" ");
    let whom = match (&f.session, f.session_lost, &f.issue_id) {
        (Some(s), true, _) => format!("session {s} (LOST)"),
        (Some(s), false, _) => format!("session {s}"),
        (None, _, Some(i)) => format!("issue {i}"),
        (None, _, None) => "-".to_owned(),
    };
    let error = match (f.error(), f.error_origin()) {
        (Some(e), _) => crate::redact::cap(&e.replace(['\n', '\t'], " "), 200).into_owned(),
        (None, Some(ErrorOrigin::Withheld)) => WITHHELD.to_owned(),
        _ => String::new(),
    };
    let leak = if f.leaked_to_chat > 0 {
        format!(" LEAKED:{}", f.leaked_to_chat)
    } else {
        String::new()
    };
    format!(
        "{} {} {} [{}] {} {}{leak} | {}",
        format_time(f.at),
        f.family.name(),
        reason_key(f.reason_code()),
        d.texts.label,
        whom,
        marks,
        error
    )
    .trim_end_matches([' ', '|'])
    .to_owned()
}
