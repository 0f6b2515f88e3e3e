//! An error text with its variable parts replaced, so that two failures of the same kind read the
//! same: `task 0198c8a3-… timed out after 30m0s` and `task 5f2e…-… timed out after 2h` both become
//! `task <id> timed out after <duration>`. One pass over the words, no regular expressions: it
//! runs once per failure on the ingest path.
//!
//! # What is variable
//!
//! A text is read a word at a time (a word ends at white space or a quote). Punctuation around
//! a word stays where it is and only the variable part is replaced: `(ref-356fb9)` →
//! `(ref-<id>)`, `id=abc123,` → `id=<id>,`. A `key=value` is read as the key, then the value.
//!
//! Whole words first:
//!
//! - `<url>`: anything with `://`; `<path>`: `/…`, `~/…`, `./…`, `../…`, `C:\…`, or two or more
//!   `/` (`work/ab12cd/x.lock`); `<quoted>`: a value in quotes on one line (a model's name in
//!   quotes stays, see below);
//! - `<duration>`: a Go duration (`30m0s`, `1.5s`);
//! - `<id>`: a UUID, or hex of four characters or more with a digit and a letter (`7aeaf1`);
//! - `<n>`: a number (`42`, `-1`, `3.14`, `12,345`, `80%`, `4096MB`, `10.0.0.7`), of any length;
//!   `v1.2.3`, `go1.22` become `v<n>`, `go<n>`. A value that starts with a digit ends at `:`
//!   (`10.0.0.7:443` → `<n>:<n>`).
//!
//! Any other word is cut into segments, the runs of ASCII letters and digits between other
//! characters (`-`, `_`, `.`, `:`, `/`, `@`, …, which stay). Whether a segment is an id is told by
//! its shape alone, never by how many digits it happens to hold:
//!
//! - a UUID;
//! - digits, in a word that has other segments: `ref-7` and `task-123456789012` are one kind;
//! - hex of four characters or more with a digit and a letter (`356fb9`, `7aeaf1`), or `0x…`;
//! - letters and digits mixed, five or more (`x2kqp`, `011CV8aB1`, ULIDs), unless the segment
//!   reads as a word and a number: one run of letters and one of digits (`sha256`, `amd64`,
//!   `http2`, `utf16`) — after a separator inside a word, only when its letters have a vowel, as
//!   Kubernetes' generated names never do (`web-7d9f8b6c5-bcd24`);
//! - five or more lowercase letters without a vowel (`aeiouy`) after `-`, `_` or `:`: the
//!   base-32 parts Kubernetes generates hold no digit more than one time in five
//!   (`web-7d9f8b6c5-bcdfg`).
//!
//! Id segments joined by `-`, `_`, `.` or `:` read as one `<id>`, so an id's own separators do
//! not count: `web-7d9f8b6c5-x2kqp` → `web-<id>`, `run-20261125-0042` → `run-<id>`,
//! `task-0198c8a3-7d3e-…` → `task-<id>`.
//!
//! A model's name keeps its text, so that failures naming different models stay apart: in a word
//! with a segment naming a model family (`claude`, `gpt`, `o3`, `gemini`, … see
//! [`MODEL_FAMILIES`]) numbers and segments shorter than five stay from there on
//! (`claude-3-5-sonnet-20241022`, `gpt-4o`, `anthropic/claude-opus-4-1`), while longer generated
//! parts still go (`claude-runner-7d9f8b6c5-x2kqp` → `claude-runner-<id>`). A model's name in
//! quotes stays too (`"gpt-4o"`), where another quoted value reads `<quoted>`.
//!
//! What stays, on purpose: words (`exited`, `status`, `provider`), short mixes (`gpt-4o`'s `4o`,
//! `v2`, `x86`, `e2e`), and hex of letters alone (`deadbeef`, `cafe`: they may as well be words).
//!
//! Numbers and ids keep two placeholders, `<n>` and `<id>`, because `status <n>` and `tokens <n>`
//! tell more than `<id>` would; the price is one limit of telling by shape: a hex id that happens
//! to be all digits reads as a number when it stands alone (`commit 1234567` → `<n>`, about one
//! seven-character commit id in 27, one twelve-character id in 280; inside a prefixed id it is
//! `<id>` either way). And a word of five or more letters and digits in three runs or more
//! (`md5sum`, `log4j`, `E2BIG`) reads as an id: rare in error texts, and a merge of two such
//! words costs less than a split per id.

/// Templates are cut to this many bytes (a log tail past it adds nothing to the kind).
pub const MAX_TEMPLATE_BYTES: usize = 240;
/// Of a text, this much is read (enough to fill a template however many parts are replaced).
const MAX_READ_BYTES: usize = 4096;
/// A word is classified over at most this many bytes.
const MAX_WORD_BYTES: usize = 256;

/// The placeholder of an id.
const ID: &str = "<id>";

/// Segments that name a model family: a word holding one keeps its numbers (`o` only with a
/// digit after it: `o3-mini`).
const MODEL_FAMILIES: [&str; 22] = [
    "claude",
    "sonnet",
    "opus",
    "haiku",
    "gpt",
    "chatgpt",
    "codex",
    "o",
    "gemini",
    "gemma",
    "llama",
    "mistral",
    "mixtral",
    "codestral",
    "devstral",
    "qwen",
    "qwq",
    "deepseek",
    "grok",
    "kimi",
    "glm",
    "phi",
];

/// Punctuation after a word that stays: `after 30s.` → `after <duration>.`
const TRAILING: [char; 10] = ['.', ',', ';', ':', ')', ']', '}', '>', '!', '?'];

/// The template of an (already redacted) error text.
pub fn template(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEMPLATE_BYTES) + 8);
    // Only the head is read: a template is at most MAX_TEMPLATE_BYTES long anyway.
    words(head(text, MAX_READ_BYTES).trim(), &mut out);
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

/// Writes the template of `rest` to `out`, a word at a time, until it is read or `out` is full.
fn words(mut rest: &str, out: &mut String) {
    while !rest.is_empty() && out.len() < MAX_TEMPLATE_BYTES {
        let c = rest.chars().next().unwrap_or(' ');
        let used = if c.is_whitespace() {
            // Runs of white space read as one space.
            if !out.ends_with(' ') {
                out.push(' ');
            }
            rest.len() - rest.trim_start().len()
        } else if let Some(used) = quoted(rest) {
            let body = &rest[1..used - 1];
            if is_model_name(body) {
                // `"claude-3-5-sonnet"` stays: different models are different failures.
                out.push(c);
                words(body, out);
                out.push(c);
            } else {
                push(out, "<quoted>");
            }
            used
        } else {
            classify(&rest[..word_len(rest)], out)
        };
        rest = &rest[used..];
    }
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

/// Writes a placeholder, once for a run of pieces of one long word (`<path>`, not
/// `<path><path>`).
fn push(out: &mut String, placeholder: &str) {
    if !out.ends_with(placeholder) {
        out.push_str(placeholder);
    }
}

/// Writes the template of the start of a word (its punctuation before, a key, a whole value)
/// and says how many bytes of it that covered; the rest of the word is read next.
fn classify(word: &str, out: &mut String) -> usize {
    let core = word.trim_end_matches(TRAILING);
    if core.is_empty() {
        out.push_str(word);
        return word.len();
    }
    // Punctuation before stays: `(ref-356fb9)` keeps `(`. Not a path's first character.
    let lead = core
        .find(|c: char| c.is_alphanumeric() || matches!(c, '/' | '.' | '~' | '\\'))
        .unwrap_or(core.len());
    if lead > 0 {
        out.push_str(&core[..lead]);
        return lead;
    }
    // `key=value`: the key, then (as a word of its own) `=` and the value.
    if let Some(key) = key_len(core) {
        part(&core[..key], out);
        return key;
    }
    if core.contains("://") {
        push(out, "<url>");
        return core.len();
    }
    if is_path(core) {
        push(out, "<path>");
        return core.len();
    }
    // Other punctuation before the first letter or digit (`..`, a lone `/`) stays.
    let start = core.find(char::is_alphanumeric).unwrap_or(core.len());
    if start > 0 {
        out.push_str(&core[..start]);
        return start;
    }
    // A value that starts with a digit ends at `:` or `=`: `10.0.0.7:443`, `12:30:45`.
    let end = if core.starts_with(|c: char| c.is_ascii_digit()) {
        core.find([':', '=']).unwrap_or(core.len())
    } else {
        core.len()
    };
    part(&core[..end], out);
    end
}

/// The length of the key of a `key=value` (a key of letters, digits, `_`, `-` and `.` that starts
/// with a letter, and a value after it).
fn key_len(w: &str) -> Option<usize> {
    let i = w.find('=')?;
    let key = &w.as_bytes()[..i];
    let ok = i + 1 < w.len()
        && key.first().is_some_and(u8::is_ascii_alphabetic)
        && key
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then_some(i)
}

/// Writes the template of a word without its punctuation around: a whole value, or its
/// segments.
fn part(w: &str, out: &mut String) {
    if is_uuid(w) || is_hexy(w) {
        push(out, ID);
    } else if crate::routing::canned::is_go_duration(w) {
        push(out, "<duration>");
    } else if is_number(w) {
        push(out, "<n>");
    } else if let Some(letters) = version_prefix(w) {
        out.push_str(&w[..letters]);
        out.push_str("<n>");
    } else {
        segments(w, out);
    }
}

/// Writes a word segment by segment: the ids replaced (joined ones as one `<id>`), the rest as
/// it is.
fn segments(w: &str, out: &mut String) {
    // Whether a segment so far named a model family.
    let mut model = false;
    // Where the last `<id>` ends in `out`, while only joiners followed it.
    let mut joined: Option<usize> = None;
    let mut before: Option<char> = None;
    let mut first = true;
    let mut rest = w;
    while let Some(c) = rest.chars().next() {
        if !c.is_ascii_alphanumeric() {
            out.push(c);
            if !matches!(c, '-' | '_' | '.' | ':') {
                joined = None;
            }
            before = Some(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let (len, id) = match rest.get(..36) {
            Some(u)
                if is_uuid(u) && !rest[36..].starts_with(|c: char| c.is_ascii_alphanumeric()) =>
            {
                (36, true)
            }
            _ => {
                let len = rest
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                let seg = &rest[..len];
                let family = is_model(seg);
                model |= family;
                (len, !family && is_id(seg, first, before, model))
            }
        };
        if id {
            match joined {
                Some(end) => out.truncate(end),
                None => {
                    out.push_str(ID);
                    joined = Some(out.len());
                }
            }
        } else {
            out.push_str(&rest[..len]);
            joined = None;
        }
        first = false;
        rest = &rest[len..];
    }
}

/// Is this segment (ASCII letters and digits) of a word an id? `first`: it starts the word;
/// `before`: the character before it; `model`: the word names a model.
fn is_id(seg: &str, first: bool, before: Option<char>, model: bool) -> bool {
    let b = seg.as_bytes();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    if digits == b.len() {
        // A number in a name (`ref-7`, `run-20261125-0042`), whatever its length; a model's
        // number is its name.
        return !model;
    }
    if model && b.len() < 5 {
        return false;
    }
    if let Some(hex) = seg.strip_prefix("0x").or_else(|| seg.strip_prefix("0X")) {
        if !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return true;
        }
    }
    if digits > 0 {
        if b.iter().all(u8::is_ascii_hexdigit) {
            return b.len() >= 4;
        }
        if b.len() < 5 {
            return false;
        }
        let runs = 1 + b
            .windows(2)
            .filter(|p| p[0].is_ascii_digit() != p[1].is_ascii_digit())
            .count();
        if runs > 2 || b.len() > 12 {
            return true;
        }
        // A word and a number (`sha256`, `amd64`): inside a word, only with a vowel.
        let vowel = b.iter().any(|c| b"aeiouAEIOU".contains(c));
        return !(first || vowel);
    }
    // Letters alone: a word, but for a generated base-32 part (no vowels) inside a word.
    !first
        && matches!(before, Some('-' | '_' | ':'))
        && b.len() >= 5
        && b.iter()
            .all(|c| c.is_ascii_lowercase() && !b"aeiouy".contains(c))
}

/// Does this segment name a model family (`claude`, `gpt4o`, `o3`, `Qwen2`, `o4mini`)? Letters
/// after the number read as a word (`4o`, `4mini`); a generated part has no vowels (`gpt4j` of
/// a pod's suffix is no model).
fn is_model(seg: &str) -> bool {
    let letters = seg
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(seg.len());
    let (name, rest) = seg.split_at(letters);
    if !rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let tail = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    if !tail.is_empty() && !tail.bytes().any(|c| b"aeiouAEIOU".contains(&c)) {
        return false;
    }
    (name.len() > 1 || !rest.is_empty())
        && MODEL_FAMILIES.iter().any(|f| name.eq_ignore_ascii_case(f))
}

/// A quoted value that is a model's name: one word whose first segment names a model family.
fn is_model_name(body: &str) -> bool {
    let seg = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .map_or(body, |i| &body[..i]);
    !body.contains(char::is_whitespace) && is_model(seg)
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

/// Hex of four characters or more with a digit and a letter (commit ids, hashes, request ids),
/// whatever the share of each.
fn is_hexy(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 4
        && b.iter().all(u8::is_ascii_hexdigit)
        && b.iter().any(u8::is_ascii_digit)
        && b.iter().any(u8::is_ascii_alphabetic)
}

/// `42`, `-1`, `3.14`, `1e9`, `12,345`, `80%`, `4096MB`, `1.5GiB` (a unit of three letters at
/// most: `0PMAPPMJ…` is no number); `v2`-style words are not numbers.
fn is_number(w: &str) -> bool {
    let w = w.strip_prefix(['-', '+']).unwrap_or(w);
    let w = w.strip_suffix('%').unwrap_or(w);
    let unit = w.len()
        - w.trim_end_matches(|c: char| c.is_ascii_alphabetic() && c != 'x')
            .len();
    let w = &w[..w.len() - unit];
    unit <= 3
        && !w.is_empty()
        && w.starts_with(|c: char| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'e' | 'E'))
}

/// A version after letters (`v1.2.3`, `go1.22`, `TLSv1.3`): the letters' length. Not a model's
/// name (`gpt4.1` stays).
fn version_prefix(w: &str) -> Option<usize> {
    let letters = w.find(|c: char| !c.is_ascii_alphabetic())?;
    let num = &w.as_bytes()[letters..];
    let seg = w
        .find(|c: char| !c.is_ascii_alphanumeric())
        .map_or(w, |i| &w[..i]);
    let ok = letters > 0
        && num.contains(&b'.')
        && num.first().is_some_and(u8::is_ascii_digit)
        && num.last().is_some_and(u8::is_ascii_digit)
        && num.iter().all(|&c| c.is_ascii_digit() || c == b'.')
        && !is_model(seg);
    ok.then_some(letters)
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
            // The id with two digits is as much an id as the one with four.
            (
                "claude exited with status 120 (ref-356fb9)",
                "claude exited with status 113 (ref-7aeaf1)",
            ),
            (
                "claude exited with status 1 (ref-7)",
                "claude exited with status 1 (ref-0198c8a3-5b2e-7cc1-9a1f-3e4d5c6b7a80)",
            ),
            (
                "runtime 0198c8a3-5b2e-7cc1-9a1f-3e4d5c6b7a80 offline",
                "runtime 0198C8A3-5B2E-7CC1-9A1F-3E4D5C6B7A81 offline",
            ),
            (
                "codex: context deadline exceeded after 30m0s",
                "codex: context deadline exceeded after 1h2m3.5s",
            ),
            (
                "open /home/agent/work/ab12cd/repo/.git/index.lock: no such file or directory",
                "open /home/agent/work/zz/other/x.lock: no such file or directory",
            ),
            (
                "POST https://api.anthropic.com/v1/messages: 529",
                "POST https://api.anthropic.com/v1/messages?beta=true&x=1: 529",
            ),
            // Pods: the replica set's hash and the pod's suffix, digits in them or not.
            (
                "pod web-7d9f8b6c5-x2kqp evicted: the node was low on resource: memory.",
                "pod web-bcdfghjkl-bcdfg evicted: the node was low on resource: memory.",
            ),
            (
                "agent-runner-5c4b8d7f9-22474 OOMKilled",
                "agent-runner-xqzvtdcm7-bcd24 OOMKilled",
            ),
            // Request ids: Anthropic's, hex, numbered, base 32, after `=` and `:`.
            (
                "request_id: req_011CV8aB1xyzQWERTY, retrying",
                "request_id: req_9f3a, retrying",
            ),
            ("request id=abc123, status=503", "request id=9f8e7d6c5b4a, status=429"),
            ("run:abc123 failed", "run:42 failed"),
            ("run:bcdfg failed", "run:0198c8a3-5b2e-7cc1-9a1f-3e4d5c6b7a80 failed"),
            ("task-42 was cancelled", "task-123456789012 was cancelled"),
            (
                "run run-20261125-0042 lost its runtime",
                "run run-20261126-0117 lost its runtime",
            ),
            (
                "event 01jd2x3y4z5a6b7c8d9e0f1g2h not acknowledged",
                "event 01JD2X9Y4Z5A6B7C8D9E0F1G2K not acknowledged",
            ),
            (
                "trace 4bf92f3577b34da6a3ce929d0e0e4736: span a1b2 dropped",
                "trace 00f067aa0ba902b7: span 53ce dropped",
            ),
            (
                "nil pointer dereference at 0xc000123456",
                "nil pointer dereference at 0x0",
            ),
            (
                "panicked at src/runner.rs:42:5: index out of bounds",
                "panicked at src/runner.rs:317:22: index out of bounds",
            ),
            (
                "requires node v18.2.0, found v16.3.1",
                "requires node v20.11.1, found v18.19.0",
            ),
            (
                "Get (https://api.github.com/repos/o/r/pulls?page=2): 502",
                "Get (https://api.github.com/repos/o/r/issues/17): 502",
            ),
            ("任务abc12345失败", "任务9f8e7d6c失败"),
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
            (
                "claude exited with status 1",
                "claude crashed with status 1",
            ),
            // Different models are different failures.
            (
                "model claude-3-5-sonnet-20241022 not found",
                "model claude-3-7-sonnet-20250219 not found",
            ),
            ("model gpt-4o not found", "model gpt-4.1 not found"),
            ("model gpt-4o not found", "model gpt-5 not found"),
            ("model o3-mini overloaded", "model o4-mini overloaded"),
            ("model: claude-opus-4-1", "model: claude-opus-4"),
            (
                "model \"claude-sonnet-4-5\" not found",
                "model \"claude-haiku-4-5\" not found",
            ),
            (
                "anthropic/claude-3.5-sonnet via openrouter: 429",
                "anthropic/claude-3.7-sonnet via openrouter: 429",
            ),
            (
                "gemini-1.5-pro: quota exceeded",
                "gemini-2.5-pro: quota exceeded",
            ),
            ("llama-3.1-70b overloaded", "llama-3.1-405b overloaded"),
            // Different names, platforms and digests stay apart.
            (
                "pod web-7d9f8b6c5-x2kqp evicted",
                "pod api-7d9f8b6c5-x2kqp evicted",
            ),
            ("no binary for linux-amd64", "no binary for linux-arm64"),
            ("sha256 mismatch", "sha512 mismatch"),
            ("http2: stream reset", "http1: stream reset"),
            ("request id=abc123", "request ref=abc123"),
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
        // The punctuation around an id stays; the id goes, with its own separators.
        let plain = [
            (
                "claude exited with status 120 (ref-356fb9)",
                "claude exited with status <n> (ref-<id>)",
            ),
            ("request id=abc123, retrying", "request id=<id>, retrying"),
            ("request_id: req_011CV8aB1", "request_id: req_<id>"),
            ("[task-42] run:abc123;", "[task-<id>] run:<id>;"),
            ("pod web-7d9f8b6c5-x2kqp evicted", "pod web-<id> evicted"),
            ("pod web-7d9f8b6c5-bcdfg evicted", "pod web-<id> evicted"),
            // A suffix that starts like a model's name is still generated: no vowels.
            ("pod web-jjjvp2-gpt4j evicted", "pod web-<id> evicted"),
            (
                "runtime 0198c8a3-5b2e-7cc1-9a1f-3e4d5c6b7a80 offline",
                "runtime <id> offline",
            ),
            (
                "task-0198c8a3-5b2e-7cc1-9a1f-3e4d5c6b7a80.log missing",
                "task-<id>.log missing",
            ),
            (
                "POST https://api.anthropic.com/v1/messages: 529",
                "POST <url>: <n>",
            ),
            ("(see https://x.y/z?a=1)", "(see <url>)"),
            ("url=https://x/y, path=/a/b.", "url=<url>, path=<path>."),
            ("at 0xc000123456", "at <id>"),
            ("node v18.2.0 required", "node v<n> required"),
            (
                "panicked at src/main.rs:42:5",
                "panicked at src/main.rs:<id>",
            ),
            (
                "\"claude-runner-7d9f8b6c5-x2kqp\" not found",
                "\"claude-runner-<id>\" not found",
            ),
            ("failed: 4096MB > 80%", "failed: <n> > <n>"),
        ];
        for (text, want) in plain {
            assert_eq!(template(text), want, "{text}");
        }
    }

    /// Words, model names, and words with a number keep their text.
    #[test]
    fn words_and_model_names_stay() {
        for text in [
            "claude exited with status",
            "provider_quota_limit agent_error.provider_quota_limit content_block_delta",
            "force-stopped by idle watchdog",
            "task:failed i/o timeout",
            "deadbeef cafe decade",
            "gpt-4o gpt-4.1 gpt4o gpt-4o-mini-2024-07-18 o3-mini o1 o4mini",
            "claude-3-5-sonnet-20241022 claude-sonnet-4-5 claude-opus-4-1-20250805",
            "anthropic/claude-3.5-sonnet us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            "gemini-2.5-pro llama-3.1-405b-instruct Qwen3-235B-A22B deepseek-r1-0528",
            "\"claude-opus-4\" 'gpt-5'",
            "sha256 base64 amd64 linux-arm64 aarch64 http2: utf8 ipv6",
            "x86 v2 e2e k8s s3 ec2 4xx OOMKilled SIGKILL ENOENT",
            "https http web-api (OOM)",
        ] {
            assert_eq!(template(text), text);
        }
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

    /// Generated variable parts, a shape family at a time: two draws of one family, set in one
    /// sentence frame, must give one template.
    mod shapes {
        use proptest::prelude::*;

        /// The alphabet of Kubernetes' generated name parts (no vowels, no look-alikes).
        const K8S: &str = "[bcdfghjklmnpqrstvwxz2456789]";

        pub fn decimal() -> BoxedStrategy<String> {
            "[0-9]{1,12}".boxed()
        }

        /// A hex id with at least one digit (a hex string of letters alone reads as a word).
        fn hex_with_digit() -> BoxedStrategy<String> {
            ("[0-9a-f]{4,40}", any::<bool>())
                .prop_filter("a digit", |(h, _)| h.bytes().any(|b| b.is_ascii_digit()))
                .prop_map(|(h, up)| if up { h.to_uppercase() } else { h })
                .boxed()
        }

        /// A hex id standing alone: with a letter too (all digits, it is a number).
        pub fn hex() -> BoxedStrategy<String> {
            hex_with_digit()
                .prop_filter("a letter", |h| h.bytes().any(|b| b.is_ascii_alphabetic()))
                .boxed()
        }

        pub fn uuid() -> BoxedStrategy<String> {
            (
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                any::<bool>(),
            )
                .prop_map(|(u, up)| if up { u.to_uppercase() } else { u })
                .boxed()
        }

        /// A ULID in Crockford's base 32, upper or lower case.
        pub fn ulid() -> BoxedStrategy<String> {
            ("[0-7][0-9A-HJKMNP-TV-Z]{25}", any::<bool>())
                .prop_map(|(u, low)| if low { u.to_lowercase() } else { u })
                .boxed()
        }

        fn k8s(len: std::ops::RangeInclusive<usize>) -> BoxedStrategy<String> {
            proptest::string::string_regex(&format!("{K8S}{{{},{}}}", len.start(), len.end()))
                .unwrap()
                .boxed()
        }

        /// A pod of a deployment (`web-<replica set hash>-<suffix>`) or of a job (`web-<suffix>`).
        pub fn pod() -> BoxedStrategy<String> {
            prop_oneof![
                (k8s(6..=10), k8s(5..=5)).prop_map(|(rs, s)| format!("web-{rs}-{s}")),
                k8s(5..=5).prop_map(|s| format!("web-{s}")),
            ]
            .boxed()
        }

        /// Any body an id prefix is seen with.
        fn body() -> BoxedStrategy<String> {
            prop_oneof![decimal(), hex_with_digit(), uuid(), ulid(), k8s(5..=5)].boxed()
        }

        /// `ref-…`, `req_…`, `task-…`, `run:…` with two bodies, each of any shape.
        pub fn prefixed() -> BoxedStrategy<(String, String)> {
            (
                prop::sample::select(vec!["ref-", "req_", "task-", "run:", "REF-"]),
                body(),
                body(),
            )
                .prop_map(|(p, a, b)| (format!("{p}{a}"), format!("{p}{b}")))
                .boxed()
        }

        fn segments(n: std::ops::Range<usize>) -> BoxedStrategy<String> {
            prop::collection::vec("[A-Za-z0-9][A-Za-z0-9_-]{0,11}", n)
                .prop_map(|s| s.join("/"))
                .boxed()
        }

        /// Absolute, home, dot and deep relative paths, with or without an extension.
        pub fn path() -> BoxedStrategy<String> {
            (
                prop::sample::select(vec!["/", "~/", "./", "../", "/home/agent/work/"]),
                segments(1..6),
                "(\\.[a-z]{1,4})?",
            )
                .prop_map(|(root, s, ext)| format!("{root}{s}{ext}"))
                .boxed()
        }

        /// URLs with a generated host, port, path and query.
        pub fn url() -> BoxedStrategy<String> {
            (
                prop::sample::select(vec!["https", "http", "wss"]),
                "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\\.[a-z]{2,8}){1,3}",
                "(:[0-9]{2,5})?",
                segments(0..5),
                prop::collection::vec("[A-Za-z_]{1,8}=[A-Za-z0-9_%-]{0,12}", 0..4),
            )
                .prop_map(|(scheme, host, port, path, query)| {
                    let mut u = format!("{scheme}://{host}{port}/{path}");
                    if !query.is_empty() {
                        u.push('?');
                        u.push_str(&query.join("&"));
                    }
                    u
                })
                .boxed()
        }

        /// Two ids of one family.
        pub fn pair() -> BoxedStrategy<(String, String)> {
            fn two(s: BoxedStrategy<String>) -> BoxedStrategy<(String, String)> {
                (s.clone(), s).boxed()
            }
            prop_oneof![
                two(decimal()),
                two(hex()),
                two(uuid()),
                two(ulid()),
                two(pod()),
                prefixed(),
                two(path()),
                two(url()),
            ]
            .boxed()
        }

        /// Sentence frames, the id alone, after a key or between punctuation.
        pub fn frame() -> BoxedStrategy<(&'static str, &'static str)> {
            prop::sample::select(vec![
                ("runtime ", " offline"),
                ("claude exited with status 120 (", ")"),
                ("request id=", ", retrying"),
                ("task ", " was orphaned by a runtime restart."),
                ("open ", ": no such file or directory"),
                ("", " not acknowledged after 1.5s"),
                ("upstream said [", "]; giving up"),
                ("pod ", " evicted: the node was low on resource: memory."),
                ("codex: context deadline exceeded after 30m0s: ", ""),
                ("POST ", ": 529 overloaded"),
            ])
            .boxed()
        }
    }

    proptest::proptest! {
        /// Texts of one kind that differ only in an id of one shape family share a template:
        /// whatever digits, letters, length or case the ids happen to have.
        #[test]
        fn ids_of_one_shape_share_a_template(
            (a, b) in shapes::pair(),
            (before, after) in shapes::frame(),
        ) {
            let ta = template(&format!("{before}{a}{after}"));
            let tb = template(&format!("{before}{b}{after}"));
            proptest::prop_assert_eq!(ta, tb, "{} / {}", a, b);
        }
    }
}
