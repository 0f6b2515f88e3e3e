//! An id from a frame as one segment of an API path. The ids the server hands out (UUIDs, an
//! issue's `ACME-42`) are letters, digits, `-`, `_` and `.`; anything else is refused, never
//! escaped: a `.` or `..` segment is folded by URL parsers into another path, and an escaped
//! `/`, `\` or `%2e` is decoded again by some servers and proxies. A refused id is never put
//! in a URL, and its lookup is told why.

use crate::redact;

/// Longer than any id the server hands out.
const MAX_ID_BYTES: usize = 128;

/// `id`, if it can be one path segment as it is; else why not.
pub fn segment(id: &str) -> Result<&str, &'static str> {
    if id.is_empty() {
        return Err("it is empty");
    }
    if id.bytes().all(|b| b == b'.') {
        return Err("a dot segment would change the path");
    }
    if id.len() > MAX_ID_BYTES {
        return Err("it is longer than any id the server hands out");
    }
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if !id.bytes().all(plain) {
        return Err("only letters, digits, '-', '_' and '.' may name a path segment");
    }
    Ok(id)
}

/// What a lookup is told of an id that cannot be put in a URL: `what` names it (`issue`).
pub fn refused(what: &str, id: &str, why: &str) -> String {
    let shown = redact::redact_line(id, 40);
    format!("the event's {what} id \"{shown}\" cannot be put in a URL ({why}): not asked")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ids_the_server_hands_out_pass_as_they_are() {
        for id in [
            "0198c8a2-5b1e-7c3d-9e4f-c00000000001",
            "ACME-42",
            "agent_1",
            "v1.2",
        ] {
            assert_eq!(segment(id), Ok(id));
        }
    }

    #[test]
    fn dot_segments_and_empty_ids_are_refused() {
        for id in [".", "..", "...", ""] {
            assert!(segment(id).is_err(), "{id:?}");
        }
    }

    #[test]
    fn anything_that_could_change_the_path_is_refused_not_escaped() {
        for id in [
            "a/../b",
            "../x",
            "a\\b",
            "%2e%2e",
            "%2E.",
            ".%2e",
            "a%2fb",
            "a?b",
            "a#b",
            "a b",
            "é",
            "a\u{0}b",
            "[REDACTED]",
        ] {
            assert!(segment(id).is_err(), "{id:?}");
        }
        assert!(segment(&"a".repeat(MAX_ID_BYTES)).is_ok());
        assert!(segment(&"a".repeat(MAX_ID_BYTES + 1)).is_err());
    }

    #[test]
    fn the_refusal_names_the_id_cleaned() {
        let why = refused(
            "agent",
            "..\u{1b}[2J",
            "a dot segment would change the path",
        );
        assert!(why.starts_with("the event's agent id \"..\""), "{why}");
        assert!(why.ends_with("(a dot segment would change the path): not asked"));
        assert!(!why.contains('\u{1b}'));
    }
}
