//! An error text with its variable parts replaced, so that two failures of the same kind read the
//! same: `task 0198c8a3-… timed out after 30m0s` and `task 5f2e…-… timed out after 2h` both become
//! `task <id> timed out after <duration>`. One pass over the words, no regular expressions: it
//! runs once per failure on the ingest path.

/// Templates are cut to this many bytes (a log tail past it adds nothing to the kind).
pub const MAX_TEMPLATE_BYTES: usize = 240;
/// Of a text, this much is read (enough to fill a template however many parts are replaced).
const MAX_READ_BYTES: usize = 4096;
/// A word is classified over at most this many bytes.
const MAX_WORD_BYTES: usize = 256;

/// The template of an (already redacted) error text.
pub fn template(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEMPLATE_BYTES) + 8);
    // Only the head is read: a template is at most MAX_TEMPLATE_BYTES long anyway.
    let mut rest = head(text, MAX_READ_BYTES).trim();
    while !rest.is_empty() && out.len() < MAX_TEMPLATE_BYTES {
        let c = rest.chars().next().unwrap_or(' ');
        let used = if c.is_whitespace() {
            // Runs of white space read as one space.
            if !out.ends_with(' ') {
                out.push(' ');
            }
            rest.len() - rest.trim_start().len()
        } else if let Some(used) = quoted(rest) {
            out.push_str("<quoted>");
            used
        } else {
            let word = word_len(rest);
            let (kind, used) = classify(&rest[..word]);
            match kind {
                Some(placeholder) => out.push_str(placeholder),
                None => out.push_str(&rest[..used]),
            }
            used
        };
        rest = &rest[used..];
    }
    if out.len() > MAX_TEMPLATE_BYTES {
        let mut cut = MAX_TEMPLATE_BYTES;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out.trim_end().to_owned()
}

/// A quoted value at the start: `'…'`, `"…"` or `` `…` `` on one line, at most 200 bytes.
fn quoted(s: &str) -> Option<usize> {
    let q = s.as_bytes()[0];
    if !matches!(q, b'\'' | b'"' | b'`') {
        return None;
    }
    let body = &s.as_bytes()[1..s.len().min(201)];
    let end = body.iter().position(|&b| b == q || b == b'\n')?;
    (body[end] == q && end > 0).then_some(end + 2)
}

/// The length of the word at the start: up to white space or a quote (a path or URL is one
/// word), at most about MAX_WORD_BYTES (a longer one is read in pieces, so no text costs more
/// than its length times a constant).
fn word_len(s: &str) -> usize {
    s.char_indices()
        .find(|(i, c)| *i >= MAX_WORD_BYTES || c.is_whitespace() || matches!(c, '\'' | '"' | '`'))
        .map_or(s.len(), |(i, _)| i.max(c_len(s)))
}

/// At most `bytes` of `s`, cut at a character boundary.
fn head(s: &str, bytes: usize) -> &str {
    let mut cut = bytes.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

fn c_len(s: &str) -> usize {
    s.chars().next().map_or(1, char::len_utf8)
}

/// What the word at the start is: a placeholder and how many bytes it covers, or `None` with
/// the bytes to keep as they are (a plain word, or the punctuation before a variable part).
fn classify(word: &str) -> (Option<&'static str>, usize) {
    // Trailing punctuation stays: `after 30s.` → `after <duration>.`
    let core = word.trim_end_matches(['.', ',', ';', ':', ')', ']', '}']);
    if core.contains("://") {
        return (Some("<url>"), core.len());
    }
    if is_path(core) {
        return (Some("<path>"), core.len());
    }
    // Leading punctuation stays too: `(id=42)` keeps `(id=`.
    let lead = core
        .find(|c: char| c.is_ascii_alphanumeric())
        .unwrap_or(core.len());
    if lead > 0 {
        return (None, lead);
    }
    // `key=value` and `key:value` keep the key.
    if let Some(i) = core.find(['=', ':']) {
        if i > 0 && i + 1 < core.len() {
            if core.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return (None, i + 1);
            }
            // Not a key: `10.0.0.7:443` is two values.
            if let (Some(p), _) = classify(&core[..i]) {
                return (Some(p), i);
            }
            return (None, i + 1);
        }
    }
    let placeholder = if is_uuid(core) || is_ulid(core) {
        "<id>"
    } else if crate::routing::canned::is_go_duration(core) {
        "<duration>"
    } else if is_number(core) {
        "<n>"
    } else if is_hex(core) {
        "<hex>"
    } else if is_numbered_id(core) {
        "<id>"
    } else {
        return (None, word.len().max(core.len()));
    };
    (Some(placeholder), core.len())
}

fn is_path(w: &str) -> bool {
    let unix = w.len() > 1 && w.starts_with('/') && w[1..].contains(|c: char| c.is_alphanumeric());
    let home = w.starts_with("~/") || w.starts_with("./") || w.starts_with("../");
    let windows =
        w.len() > 3 && w.as_bytes()[0].is_ascii_alphabetic() && &w.as_bytes()[1..3] == b":\\";
    let relative_deep = w.matches('/').count() >= 2 && !w.contains("//");
    unix || home || windows || relative_deep
}

fn is_uuid(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_ulid(w: &str) -> bool {
    w.len() == 26
        && w.bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && w.bytes().any(|c| c.is_ascii_digit())
}

/// `42`, `-1`, `3.14`, `1e9`, `12,345`, `80%`, `4096MB`, `v2`-style words are not numbers.
fn is_number(w: &str) -> bool {
    let w = w.strip_prefix(['-', '+']).unwrap_or(w);
    let w = w.trim_end_matches(|c: char| c == '%' || c.is_ascii_alphabetic() && c != 'x');
    !w.is_empty()
        && w.starts_with(|c: char| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'e' | 'E'))
}

/// A hex string of 7 or more characters with at least one digit (commit ids, hashes, request
/// ids), with or without `0x`.
fn is_hex(w: &str) -> bool {
    let w = w.strip_prefix("0x").unwrap_or(w);
    w.len() >= 7
        && w.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-')
        && w.bytes().any(|c| c.is_ascii_digit())
}

/// An identifier carrying numbers (`req_011CV8aB1`, `run-20261125-0042`): eight characters or
/// more, at least three of them digits.
fn is_numbered_id(w: &str) -> bool {
    w.len() >= 8 && w.bytes().filter(u8::is_ascii_digit).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_errors_meet_and_different_ones_stay_apart() {
        // Real-shaped errors: the pairs on a line differ only in their variable parts.
        let same = [
            (
                "claude timed out after 30m0s",
                "claude timed out after 2h",
            ),
            (
                "task 0198c8a3-7d3e-7f5a-a061-c3d4e5f60718 was orphaned by a runtime restart",
                "task 5f2e9a10-1111-4abc-8def-0123456789ab was orphaned by a runtime restart",
            ),
            (
                "open /home/[REDACTED]/work/repo/.git/index.lock: file exists",
                "open /srv/checkouts/other/.git/index.lock: file exists",
            ),
            (
                "prompt is too long: 212345 tokens > 200000 maximum",
                "prompt is too long: 250001 tokens > 200000 maximum",
            ),
            (
                "POST https://api.anthropic.com/v1/messages: 529 overloaded (request id req_011CV8aB1)",
                "POST https://api.anthropic.com/v1/messages?beta=true: 529 overloaded (request id req_011CV9zZ2)",
            ),
            (
                "git checkout 'feature/login' failed: exit status 128",
                "git checkout 'fix/typo-42' failed: exit status 1",
            ),
            (
                "event 01JD2X3Y4Z5A6B7C8D9E0F1G2H not acknowledged after 1.5s",
                "event 01JD2X9Y4Z5A6B7C8D9E0F1G2K not acknowledged after 250ms",
            ),
            ("exit code 137 (OOM)  at commit 9fceb02d", "exit code 1 (OOM) at commit a3c1e7f"),
        ];
        for (a, b) in same {
            assert_eq!(template(a), template(b), "\n{a}\n{b}");
        }
        let apart = [
            (
                "claude timed out after 30m0s",
                "codex timed out after 30m0s",
            ),
            ("Invalid API key", "API key expired"),
            (
                "open /x/y/z: permission denied",
                "open /x/y/z: no such file or directory",
            ),
            ("exit status 1", "signal: killed"),
        ];
        for (a, b) in apart {
            assert_ne!(template(a), template(b), "\n{a}\n{b}");
        }
    }

    #[test]
    fn templates_read_plainly() {
        assert_eq!(
            template("task 0198c8a3-7d3e-7f5a-a061-c3d4e5f60718 timed out after 30m0s."),
            "task <id> timed out after <duration>."
        );
        assert_eq!(
            template("open /tmp/x/y.lock: file exists"),
            "open <path>: file exists"
        );
        assert_eq!(template("retry=3 of 5"), "retry=<n> of <n>");
        assert_eq!(
            template("dial tcp 10.0.0.7:443: i/o timeout"),
            "dial tcp <n>:<n>: i/o timeout"
        );
        assert_eq!(template("said \"no\"  twice"), "said <quoted> twice");
        assert_eq!(template("   "), "");
        assert_eq!(template("Invalid API key"), "Invalid API key");
    }

    proptest::proptest! {
        #[test]
        fn any_text_gets_a_bounded_template(text in "\\PC{0,300}") {
            let t = template(&text);
            proptest::prop_assert!(t.len() <= MAX_TEMPLATE_BYTES + '…'.len_utf8());
        }
    }

    /// Only the head of a text is read: what lies past it never changes the template.
    #[test]
    fn only_the_head_is_read() {
        let head = "claude exited with status 1: ";
        let a = format!("{head}{}", ":a".repeat(30_000));
        let b = format!("{head}{}x", ":a".repeat(40_000));
        assert_eq!(template(&a), template(&b));
        let word = "z".repeat(1000);
        assert!(template(&word).len() <= MAX_TEMPLATE_BYTES + '…'.len_utf8());
    }

    #[test]
    fn long_and_odd_texts_stay_bounded() {
        let long = "word ".repeat(10_000);
        assert!(template(&long).len() <= MAX_TEMPLATE_BYTES + '…'.len_utf8());
        for odd in [
            "é'",
            "'",
            "\"\"",
            "`a",
            "ä:ö",
            "→ 12 →",
            "(",
            "=",
            "x=",
            "::",
            "🙂🙂 1",
        ] {
            let _ = template(odd);
        }
        assert_eq!(template("🙂 12"), "🙂 <n>");
    }
}
