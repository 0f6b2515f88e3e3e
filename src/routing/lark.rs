//! The Lark/Feishu relay: an error card `Run failed.` or `Run failed: <error or error_message>`.
//! No reason fallback and no `retry_pending` check.

use super::{first_text, Facts, Outcome, Why};

pub fn decide(f: &Facts) -> (Outcome, Why) {
    match first_text(&[f.error, f.error_message]) {
        Some(_) => (Outcome::NotifiedDetail, Why::ErrorText),
        None => (Outcome::NotifiedGeneric, Why::BareRunFailed),
    }
}

pub fn text(why: Why, f: &Facts) -> Option<String> {
    match why {
        Why::ErrorText => Some(format!(
            "Run failed: {}",
            first_text(&[f.error, f.error_message])?
        )),
        Why::BareRunFailed => Some("Run failed.".to_owned()),
        _ => None,
    }
}
