//! `tail --format text`: one line per failure, for a person watching a terminal.

use super::reason_key;
use crate::capture::format_time;
use crate::catalog::{self, Lang};
use crate::enrich::{ErrorOrigin, Failure};
use crate::i18n::strings;
use crate::protocol::Gap;
use crate::routing::WITHHELD;

/// `12:03:10–12:03:41`, or `12:03:10–now` while the gap is open.
pub fn gap_span(g: &Gap, lang: Lang) -> String {
    let to = match g.to {
        Some(t) => t.format("%H:%M:%S").to_string(),
        None => strings(lang).now.to_owned(),
    };
    format!("{}–{to}", g.from.format("%H:%M:%S"))
}

/// One `tail --format text` line for a gap.
pub fn gap_text(g: &Gap, lang: Lang) -> String {
    let s = strings(lang);
    let to = g.to.map_or_else(|| s.now.to_owned(), format_time);
    format!(
        "--- {} {}–{to}: {}; {} ---",
        s.gap,
        format_time(g.from),
        g.why,
        s.events_may_be_missing
    )
}

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
