//! Which rules can match a text at all: each rule lists literal anchors of which one must occur
//! (in any ASCII case). Found with one SIMD literal search over a lowercased copy of the text.

use std::cell::RefCell;
use std::sync::LazyLock;

use aho_corasick::packed::{self, MatchKind, Searcher};
use aho_corasick::Span;

use super::rules::{Gate, RULES};

/// Anchors shorter than this would make nearly every byte a candidate of the SIMD search. The
/// one there is, `ey` of the (case-sensitive) JWT rules, is left to their gate, which holds it.
const SHORT: usize = 3;

struct Anchors {
    /// The long anchors, lowercase; leftmost-longest, so of the anchors starting at one place
    /// the longest is reported, and its prefixes are counted through `unlocks`.
    searcher: Searcher,
    /// Per long anchor: the rules it unlocks, its prefixes' too (bit i = rule i).
    unlocks: Vec<u64>,
    /// The rules behind each gate.
    gated: [(Gate, u64); 2],
    /// Every anchor, lowercase (the short one too), for [`starts_at`].
    literals: Vec<String>,
}

static ANCHORS: LazyLock<Anchors> = LazyLock::new(|| {
    assert!(RULES.len() <= 64, "rule set is tracked in a u64");
    let mut long: Vec<(String, u64)> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        for anchor in rule.anchors {
            if anchor.len() < SHORT {
                assert!(
                    *anchor == "ey" && rule.gate == Gate::JwtStart,
                    "only the JWT gate stands for a short anchor"
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
    let gated = [Gate::NamedValue, Gate::JwtStart].map(|gate| {
        let rules = RULES.iter().enumerate().filter(|(_, r)| r.gate == gate);
        (gate, rules.fold(0, |bits, (i, _)| bits | 1 << i))
    });
    let literals = RULES
        .iter()
        .flat_map(|r| r.anchors.iter().map(|a| a.to_ascii_lowercase()))
        .collect();
    Anchors {
        searcher,
        unlocks,
        gated,
        literals,
    }
});

/// Whether some rule's anchor starts `text` (in any ASCII case).
pub(super) fn starts_at(text: &str) -> bool {
    let text = text.as_bytes();
    ANCHORS.literals.iter().any(|a| {
        text.get(..a.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(a.as_bytes()))
    })
}

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

/// The rules that may match `text` (bit i = rule i): every rule with an anchor in it, less the
/// gated rules whose gate is shut.
pub(super) fn candidates(text: &str) -> u64 {
    let anchors = &*ANCHORS;
    let [(_, named), (_, jwt)] = anchors.gated;
    let mut wanted = if has_jwt_start(text) { jwt } else { 0 };
    let mut named_open = false;
    LOWER.with_borrow_mut(|lower| {
        lower.clear();
        lower.extend_from_slice(text.as_bytes());
        lower.make_ascii_lowercase();
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
    // Under `(?i)` the Kelvin sign matches `k` and the long s matches `s`: names spelt with them
    // hold no anchor, so such text opens the gate.
    if wanted & named != 0 && !named_open && !text.contains(['\u{212a}', '\u{17f}']) {
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

fn has_jwt_start(text: &str) -> bool {
    let token = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    // `contains` is the quick scan; most text has no `ey`.
    text.contains("ey")
        && text.match_indices("ey").any(|(i, _)| {
            text.as_bytes()
                .get(i + 2..i + 12)
                .is_some_and(|rest| rest.iter().all(token))
        })
}
