//! `tail --format text`: one line per failure, for a person watching a terminal.

use super::Locale;
use crate::catalog;
use crate::enrich::{ErrorOrigin, Failure};
use crate::i18n::strings;
use crate::protocol::Gap;
use crate::routing::WITHHELD;

/// `12:03:10–12:03:41`, or `12:03:10–now` while the gap is open (in the zone people read).
pub fn gap_span(g: &Gap, locale: Locale) -> String {
    let to = match g.to {
        Some(t) => locale.tz.time_of_day(t),
        None => strings(locale.lang).now.to_owned(),
    };
    format!("{}–{to}", locale.tz.time_of_day(g.from))
}

/// One `tail --format text` line for a gap.
pub fn gap_text(g: &Gap, locale: Locale) -> String {
    let s = strings(locale.lang);
    let to =
        g.to.map_or_else(|| s.now.to_owned(), |t| locale.tz.rfc3339(t));
    format!(
        "--- {} {}–{to}: {}; {} ---",
        s.gap,
        locale.tz.rfc3339(g.from),
        g.why,
        s.events_may_be_missing
    )
}

/// One `tail --format text` line.
pub fn failure_text(f: &Failure, locale: Locale) -> String {
    let lang = locale.lang;
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
    // The workspace first, where the door knew it: a fleet's rows tell theirs apart.
    let whom = match &f.workspace {
        Some(w) => format!("workspace {w} {whom}"),
        None => whom,
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
    // A family only assumed is marked, as the dashboard's header marks it.
    let assumed = match f.family_source {
        crate::routing::FamilySource::Assumed => "?",
        _ => "",
    };
    format!(
        "{} {}{assumed} {} [{}] {} {}{leak} | {}",
        locale.tz.rfc3339(f.at),
        f.family.name(),
        catalog::code_or_none(f.reason_code()),
        d.texts.label,
        whom,
        marks,
        error
    )
    .trim_end_matches([' ', '|'])
    .to_owned()
}
