//! The DingTalk relay: silent while a retry is pending, `⚠️ <error>` when `error` is present,
//! otherwise silent (it reads neither `error_message` nor the reason).

use super::{first_text, Facts, Outcome, Why};

pub fn decide(f: &Facts) -> (Outcome, Why) {
    if f.retry_pending == Some(true) {
        (Outcome::Silent, Why::RetryPending)
    } else if first_text(&[f.error]).is_some() {
        (Outcome::NotifiedDetail, Why::ErrorText)
    } else {
        (Outcome::Silent, Why::NoErrorText)
    }
}

pub fn text(why: Why, f: &Facts) -> Option<String> {
    match why {
        Why::ErrorText => Some(format!("⚠️ {}", first_text(&[f.error])?)),
        _ => None,
    }
}
