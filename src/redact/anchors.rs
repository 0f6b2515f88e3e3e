//! Which rules can match a text at all: each rule lists literal anchors of which one must occur
//! (in any ASCII case). Found with one SIMD literal search over a lowercased copy of the text.

use std::cell::RefCell;
use std::sync::LazyLock;

use aho_corasick::packed::{self, MatchKind, Searcher};
use aho_corasick::Span;

use super::rules::{Gate, RULES};

/// Anchors shorter than this would make nearly every byte a candidate of the SIMD search. The
/// ones there are (`ey` of the JWT rules, `t-` and `u-` of Lark's tokens, all case-sensitive)
/// are left to their rules' gates, which hold them.
const SHORT: usize = 3;

struct Anchors {
    /// The long anchors, lowercase; leftmost-longest, so of the anchors starting at one place
    /// the longest is reported, and its prefixes are counted through `unlocks`.
    searcher: Searcher,
    /// Per long anchor: the rules it unlocks, its prefixes' too (bit i = rule i).
    unlocks: Vec<u64>,
    /// The rules behind the name gate, and behind each run gate.
    named: u64,
    runs: Vec<(Gate, u64)>,
    /// The long anchors, lowercase, for [`in_first_word`] (the short ones are the run gates').
    literals: Vec<String>,
}

static ANCHORS: LazyLock<Anchors> = LazyLock::new(|| {
    assert!(RULES.len() <= 64, "rule set is tracked in a u64");
    let mut long: Vec<(String, u64)> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        for anchor in rule.anchors {
            if anchor.len() < SHORT {
                assert!(
                    rule.gate
                        .run()
                        .is_some_and(|(prefixes, _)| prefixes.contains(anchor)),
                    "only a run gate stands for a short anchor"
                );
            } else {
                add(&mut long, anchor.to_ascii_lowercase(), i);
            }
        }
    }
    let unlocks = long
        .iter()
        .map(|(a, _)| {
            long.iter()
                .filter(|(p, _)| a.starts_with(p.as_str()))
                .fold(0, |bits, (_, rules)| bits | rules)
        })
        .collect();
    let searcher = packed::Config::new()
        .match_kind(MatchKind::LeftmostLongest)
        .builder()
        .extend(long.iter().map(|(a, _)| a))
        .build()
        .expect("anchors fit the literal searcher");
    let behind = |gate: Gate| {
        let rules = RULES.iter().enumerate().filter(|(_, r)| r.gate == gate);
        rules.fold(0, |bits, (i, _)| bits | 1 << i)
    };
    let mut runs: Vec<(Gate, u64)> = Vec::new();
    for rule in RULES.iter().filter(|r| r.gate.run().is_some()) {
        if !runs.iter().any(|(g, _)| *g == rule.gate) {
            runs.push((rule.gate, behind(rule.gate)));
        }
    }
    let literals = RULES
        .iter()
        .flat_map(|r| r.anchors.iter().filter(|a| a.len() >= SHORT))
        .map(|a| a.to_ascii_lowercase())
        .collect();
    Anchors {
        literals,
        searcher,
        unlocks,
        named: behind(Gate::NamedValue),
        runs,
    }
});

/// Whether the word `text` starts with (up to a space, at most [`WORD`] bytes) holds some rule's
/// anchor (in any ASCII case): a removal just before it likely parted a secret, or a secret's
/// name (`Set-Cookie`), from what stood before. A short anchor (`ey`, `t-`) counts only at the
/// word's start: inside a word it is too common to tell anything.
pub(super) fn in_first_word(text: &str) -> bool {
    let mut end = text
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(text.len())
        .min(WORD);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let word = text[..end].to_ascii_lowercase();
    let long = ANCHORS.literals.iter().any(|a| word.contains(a.as_str()));
    // A short anchor counts where its gate would let its rule run: `ey:` starts no JWT, and
    // taking it for one put a mark inside `api_k<removed>ey:` that hid the name.
    long || RULES
        .iter()
        .filter_map(|r| r.gate.run())
        .any(|(prefixes, n)| prefixes.iter().any(|p| run_at_start(text, p, n)))
}

/// Whether `text` starts with `prefix` (case-sensitive) followed by at least `n` characters of a
/// token (`[A-Za-z0-9_-]`), as [`has_run`] asks anywhere.
fn run_at_start(text: &str, prefix: &str, n: usize) -> bool {
    let token = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    text.strip_prefix(prefix).is_some_and(|rest| {
        rest.as_bytes()
            .get(..n)
            .is_some_and(|run| run.iter().all(token))
    })
}

/// How far [`in_first_word`] looks.
const WORD: usize = 32;

/// Record that `anchor` unlocks rule `rule`.
fn add(anchors: &mut Vec<(String, u64)>, anchor: String, rule: usize) {
    match anchors.iter_mut().find(|(a, _)| *a == anchor) {
        Some((_, rules)) => *rules |= 1 << rule,
        None => anchors.push((anchor, 1 << rule)),
    }
}

thread_local! {
    /// The lowercased copy, reused from text to text.
    static LOWER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// `text` in ASCII lower case, and with the two other characters `(?i)` reads as ASCII letters
/// (the Kelvin sign as `k`, the long s as `s`, as Go's `(?i)` does too) written as those:
/// a name spelt with them is then found as its anchor.
fn lower_into(lower: &mut Vec<u8>, text: &str) {
    lower.clear();
    if !text.contains(['\u{212a}', '\u{17f}']) {
        lower.extend_from_slice(text.as_bytes());
        lower.make_ascii_lowercase();
        return;
    }
    for c in text.chars() {
        match c {
            '\u{212a}' => lower.push(b'k'),
            '\u{17f}' => lower.push(b's'),
            c => {
                let mut buf = [0; 4];
                lower.extend_from_slice(c.to_ascii_lowercase().encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// The rules that may match `text` (bit i = rule i): every rule with an anchor in it, less the
/// gated rules whose gate is shut.
pub(super) fn candidates(text: &str) -> u64 {
    let anchors = &*ANCHORS;
    let named = anchors.named;
    let mut wanted = anchors
        .runs
        .iter()
        .filter(|(gate, _)| gate.run().is_some_and(|(p, n)| has_run(text, p, n)))
        .fold(0, |bits, (_, rules)| bits | rules);
    let mut named_open = false;
    LOWER.with_borrow_mut(|lower| {
        lower_into(lower, text);
        let mut at = 0;
        while let Some(m) = anchors
            .searcher
            .find_in(&lower[..], Span::from(at..lower.len()))
        {
            let rules = anchors.unlocks[m.pattern().as_usize()];
            wanted |= rules;
            if rules & named != 0 && !named_open {
                named_open = value_follows(&lower[m.start()..]);
            }
            // Anchors may overlap: the next one can start right after this one's start.
            at = m.start() + 1;
        }
    });
    if !named_open {
        wanted &= !named;
    }
    wanted
}

/// Whether a name starting at the start of `from` is followed by a value's separator.
fn value_follows(from: &[u8]) -> bool {
    let name = from
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
        .unwrap_or(from.len());
    let rest = from[name..].trim_ascii_start();
    matches!(rest.first(), Some(b'=' | b':' | b'"' | b'\\' | b'%'))
}

/// Whether one of `prefixes` (case-sensitive) is followed by at least `n` characters of a token
/// (`[A-Za-z0-9_-]`) in `text`.
fn has_run(text: &str, prefixes: &[&str], n: usize) -> bool {
    let token = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    prefixes.iter().any(|p| {
        // `contains` is the quick scan; most text has none.
        text.contains(p)
            && text.match_indices(p).any(|(i, _)| {
                text.as_bytes()
                    .get(i + p.len()..i + p.len() + n)
                    .is_some_and(|rest| rest.iter().all(token))
            })
    })
}
