//! The Octo fork's relay: `⚠️ ` + first non-empty of error, error_message, the reason's Chinese
//! text, else a default. It never checks `retry_pending`.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{first_text, Facts, Outcome, Why};

/// The exact reply texts users saw, kept verbatim in a data file.
const TEXTS_TSV: &str = include_str!("../../assets/octo-reason-texts.tsv");
const DEFAULT_KEY: &str = "(default)";
const PREFIX: &str = "⚠️ ";

static TEXTS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    TEXTS_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("reason\t"))
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

pub fn default_text() -> &'static str {
    TEXTS.get(DEFAULT_KEY).copied().unwrap_or_default()
}

/// The reason's own text, if Octo has one that differs from the default.
pub fn reason_text(reason: &str) -> Option<&'static str> {
    TEXTS
        .get(reason)
        .copied()
        .filter(|t| *t != default_text() && reason != DEFAULT_KEY)
}

pub fn decide(f: &Facts) -> (Outcome, Why) {
    if first_text(&[f.error, f.error_message]).is_some() {
        (Outcome::NotifiedDetail, Why::ErrorText)
    } else if f.reason.and_then(reason_text).is_some() {
        (Outcome::NotifiedReason, Why::ReasonText)
    } else {
        (Outcome::NotifiedGeneric, Why::DefaultText)
    }
}

pub fn text(why: Why, f: &Facts) -> Option<String> {
    let body = match why {
        Why::ErrorText => first_text(&[f.error, f.error_message])?,
        Why::ReasonText => reason_text(f.reason?)?,
        Why::DefaultText => default_text(),
        _ => return None,
    };
    Some(format!("{PREFIX}{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_in_the_file_is_loaded() {
        let rows = TEXTS_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("reason\t") && !l.is_empty())
            .count();
        assert_eq!(TEXTS.len(), rows);
        assert!(default_text().starts_with("Agent 运行失败"));
        assert_eq!(reason_text("agent_error.unknown"), None, "same as default");
        assert_eq!(
            reason_text("runtime_cli_timeout"),
            None,
            "not in Octo's table"
        );
        assert!(reason_text("runtime_offline").unwrap().contains("离线"));
    }
}
