//! Text with secrets of every kind planted in it, among words, separators written as they are or
//! as escapes (`%20`, `%3A`, `\u0020`, `\"`, a Unicode space) and removed characters (controls,
//! format and invisible characters, raw or escaped), some inside the secrets: no removed
//! character and no planted secret's tag may come out of redaction.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

/// What the fuzzer's bytes are read as, one at a time (zeros once they run out).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        *first
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.next() as usize % from.len()]
    }
}

/// Characters redaction removes: controls, format characters, invisible fillers. (Not ESC or a
/// C1 opener alone: with the character after it, that is a sequence, removed whole.)
const REMOVED: &[char] = &[
    '\u{0}', '\u{7}', '\u{8}', '\u{7f}', '\u{85}', '\u{ad}', '\u{34f}',
    '\u{61c}', '\u{890}', '\u{891}', '\u{115f}', '\u{1160}', '\u{17b4}', '\u{17b5}', '\u{180b}',
    '\u{180e}', '\u{180f}', '\u{200b}', '\u{200d}', '\u{200e}', '\u{202e}', '\u{2060}',
    '\u{2066}', '\u{2800}', '\u{3164}', '\u{fe00}', '\u{fe0f}', '\u{feff}', '\u{ffa0}',
    '\u{1d159}', '\u{1d173}', '\u{e0001}', '\u{e0041}', '\u{e0100}', '\u{e01ef}',
];

/// Removed characters written as escapes, and whole terminal sequences (removed as one).
const ESCAPED_REMOVED: &[&str] = &[
    "%E2%80%8B", "%e2%80%ae", "%00", "%1B", "%C2%AD", "%E3%85%A4", r"\u200b", r"\u202E",
    r"\u001b", r"\u0000", r"\u3164", r"\b", "\u{1b}[0m", "\u{1b}[31;1m", "\u{1b}]0;t\u{7}",
    "\u{9b}2J", "\u{1b}]8;;x\u{1b}\\",
];

/// What parts two words: as is, escaped, or a space beyond ASCII.
const SEPARATORS: &[&str] = &[
    " ", "\t", ", ", "; ", "%20", "%22", "%27", "%3A", "%3a", "%2F", "%3D", "%26", "%40",
    "%09", "%0A", r"\u0020", r"\u0022", r"\u003a", "\\\"", r"\/", r"\n", r"\t", "\u{a0}",
    "\u{2003}", "\u{3000}", "\n",
];

/// What parts a secret from what follows it, whatever its kind: a space, as it is or escaped.
/// (A quote, `&`, `/`, `:` or `=` may be part of a value: the server's own `KEY=\S+` takes
/// quotes, a cookie's value `&`, a URL `/`.)
const ENDS: &[&str] = &[
    " ", "\t", ", ", "; ", "%20", "%09", "%0A", r"\u0020", r"\n", r"\t", "\u{a0}", "\u{2003}",
    "\u{3000}", "\n",
];

/// Letters of the words around the secrets.
const WORD: &[char] = &[
    'a', 'e', 'k', 'n', 'o', 'r', 's', 't', 'x', 'E', 'T', 'K', '0', '7', '.', '-', '_', '=',
    ':', '/', '中',
];

/// Every character `redact` must have removed (`line`: line breaks and tabs too).
fn forbidden(c: char, line: bool) -> bool {
    (c.is_control() && (line || (c != '\n' && c != '\t'))) || REMOVED.contains(&c)
}

/// Where a removed character may go inside `secret` without breaking an escape or a terminal
/// sequence the secret itself holds (in one, it would change what the sequence is).
fn inside(secret: &str, at: usize) -> bool {
    let b = secret.as_bytes();
    let near_escape = b[at.saturating_sub(6)..at]
        .iter()
        .any(|&c| matches!(c, b'%' | b'\\' | 0x1b | 0x9b));
    secret.is_char_boundary(at)
        && at > 0
        && b[at - 1].is_ascii_alphanumeric()
        && b.get(at).is_some_and(u8::is_ascii_alphanumeric)
        && !near_escape
}

fn planted(bytes: &mut Bytes, text: &mut String, tags: &mut Vec<String>) {
    let kind = bytes.next() as usize % corpus::KINDS.len();
    let (mut secret, tag) = corpus::secret(kind, tags.len() % 256);
    for _ in 0..bytes.next() % 3 {
        let at = bytes.next() as usize * secret.len() / 256;
        if !inside(&secret, at) {
            continue;
        }
        match bytes.next() % 2 {
            0 => secret.insert(at, bytes.pick(REMOVED)),
            _ => secret.insert_str(at, bytes.pick(ESCAPED_REMOVED)),
        }
    }
    text.push_str(&secret);
    tags.push(tag);
}

/// Something that parts a secret from its neighbours: a removed character (as the server
/// reading the raw text sees it), or a space.
fn parting(bytes: &mut Bytes, text: &mut String) {
    match bytes.next() % 3 {
        0 => text.push(bytes.pick(REMOVED)),
        1 => text.push_str(bytes.pick(ESCAPED_REMOVED)),
        _ => text.push_str(bytes.pick(ENDS)),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let mut text = String::new();
    let mut tags = Vec::new();
    for _ in 0..data.len().min(48) {
        match bytes.next() % 4 {
            0 => {
                for _ in 0..bytes.next() % 12 {
                    text.push(bytes.pick(WORD));
                }
            }
            1 => {
                parting(&mut bytes, &mut text);
                planted(&mut bytes, &mut text, &mut tags);
                parting(&mut bytes, &mut text);
            }
            2 => text.push_str(bytes.pick(SEPARATORS)),
            _ => text.push(bytes.pick(REMOVED)),
        }
    }
    let r = failwatch::redact::redact(&text);
    let line = failwatch::redact::redact_line(&text, 300);
    let id = failwatch::redact::redact_id(&text);
    let (capped, _) = failwatch::redact::redact_capped(&text);
    for (what, out, is_line) in [
        ("redact", r.text.as_str(), false),
        ("redact_line", line.as_str(), true),
        ("redact_id", &id, true),
        ("redact_capped", capped.text.as_str(), false),
    ] {
        if let Some(c) = out.chars().find(|&c| forbidden(c, is_line)) {
            panic!("{what} left {c:?} in {out:?} from {text:?}");
        }
        if let Some(tag) = tags.iter().find(|t| out.contains(t.as_str())) {
            panic!("{what} showed {tag} in {out:?} from {text:?}");
        }
    }
});
