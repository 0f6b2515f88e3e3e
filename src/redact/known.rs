//! Secrets failwatch itself holds (the token it connects with): no rule may know their shape,
//! so they are masked by their value, in every spelling a server could give one back in (as
//! is, percent-encoded, JSON-escaped).

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use aho_corasick::{AhoCorasick, MatchKind};

pub const PLACEHOLDER: &str = "[REDACTED FAILWATCH TOKEN]";

/// Shorter values are not masked by value: they would mask ordinary words.
pub const MIN_KNOWN_CHARS: usize = 8;

struct Known {
    values: Vec<String>,
    searcher: AhoCorasick,
}

static KNOWN: LazyLock<RwLock<Option<Arc<Known>>>> = LazyLock::new(RwLock::default);
/// Bumped by each new value: a memo of results from before is stale.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Mask `secret` wherever it appears in text from outside, from now on. Call it once the value
/// is read, before any text from outside is: results remembered per text start over. Values
/// shorter than [`MIN_KNOWN_CHARS`] are ignored.
pub fn known_secret(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_KNOWN_CHARS {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    let mut values = known.as_ref().map(|k| k.values.clone()).unwrap_or_default();
    let spellings = spellings(secret);
    if spellings.iter().all(|s| values.contains(s)) {
        return;
    }
    values.extend(spellings);
    values.sort();
    values.dedup();
    let searcher = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&values)
        .expect("a few literals build");
    *known = Some(Arc::new(Known { values, searcher }));
    GENERATION.fetch_add(1, Ordering::Release);
}

/// How many values were added so far: a memo keyed by it never gives a stale result.
pub(super) fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// `secret` as is, percent-encoded (upper- and lower-case hex) and JSON-escaped (`/` plain and
/// escaped, and every character past ASCII as `\uXXXX` too).
fn spellings(secret: &str) -> Vec<String> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    let percent = |upper: bool| -> String {
        secret
            .bytes()
            .map(|b| match (unreserved(b), upper) {
                (true, _) => (b as char).to_string(),
                (false, true) => format!("%{b:02X}"),
                (false, false) => format!("%{b:02x}"),
            })
            .collect()
    };
    let json = serde_json::to_string(secret).expect("a string serializes");
    let json = json[1..json.len() - 1].to_owned();
    let ascii_json: String = json
        .chars()
        .map(|c| match c {
            c if c.is_ascii() => c.to_string(),
            c => {
                let mut units = [0u16; 2];
                c.encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            }
        })
        .collect();
    vec![
        secret.to_owned(),
        percent(true),
        percent(false),
        json.replace('/', "\\/"),
        json,
        ascii_json,
    ]
}

thread_local! {
    /// The values this thread last read, and of which generation: reading them again takes no
    /// lock while no value was added.
    static SEEN: std::cell::RefCell<(u64, Option<Arc<Known>>)> = const { std::cell::RefCell::new((0, None)) };
}

/// The values, as of now.
fn current() -> Option<Arc<Known>> {
    let generation = generation();
    if generation == 0 {
        return None;
    }
    SEEN.with_borrow_mut(|(seen, known)| {
        if *seen != generation {
            *known = KNOWN.read().ok()?.clone();
            *seen = generation;
        }
        known.clone()
    })
}

/// `text` with every known value masked, and how many; `None` when none is in it. The
/// replacements are added to `edits` when given.
pub(super) fn mask(
    text: &str,
    edits: Option<&mut Vec<(Range<usize>, usize)>>,
) -> Option<(String, u32)> {
    let known = current()?;
    let mut found = known.searcher.find_iter(text).peekable();
    found.peek()?;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut n = 0;
    let mut ranges = Vec::new();
    for m in found {
        out.push_str(&text[at..m.start()]);
        out.push_str(PLACEHOLDER);
        ranges.push((m.range(), PLACEHOLDER.len()));
        at = m.end();
        n += 1;
    }
    out.push_str(&text[at..]);
    if let Some(edits) = edits {
        edits.extend(ranges);
    }
    Some((out, n))
}
