//! Failure texts repeat (the same error from every task of an incident, the same text on every
//! refresh): a small per-thread memo of recent results spares redacting them again.

use std::cell::RefCell;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use super::Redacted;

/// Results kept at most before the memo starts over.
const MAX_ENTRIES: usize = 4096;
/// Bytes (texts and results) kept at most before the memo starts over.
const MAX_BYTES: usize = 4 << 20;
/// Texts seen once remembered at most (by hash only) before that list starts over.
const MAX_SEEN: usize = 4 * MAX_ENTRIES;
/// Longer texts are not kept: they would crowd out the many short ones.
const MAX_TEXT: usize = 64 << 10;

#[derive(Default)]
struct Memo {
    /// By the text's hash; the text is kept and compared, so a hit is exact.
    results: FxHashMap<u64, (Box<str>, Redacted)>,
    bytes: usize,
    /// Hashes of texts seen once: a text is kept on its second sight, so a stream of distinct
    /// texts costs a hash each, not a copy each.
    seen: FxHashSet<u64>,
    /// Of the known secrets the results were masked with: a new one makes them stale.
    generation: u64,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::default();
}

/// `compute(input)`, or the result it gave for the same text recently on this thread.
pub(super) fn memoized(input: &str, compute: impl FnOnce(&str) -> Redacted) -> Redacted {
    if input.len() > MAX_TEXT {
        return compute(input);
    }
    let hash = sample_hash(input);
    let generation = super::known::generation();
    if let Some(hit) = MEMO.with_borrow_mut(|m| {
        if m.generation != generation {
            *m = Memo {
                generation,
                ..Memo::default()
            };
        }
        m.get(hash, input)
    }) {
        return hit;
    }
    let result = compute(input);
    MEMO.with_borrow_mut(|m| m.offer(hash, input, &result));
    result
}

/// A hash of the text's length and ends: long texts cost no more than short ones to look up, and
/// texts alike at both ends only share a slot (a hit compares the whole text).
fn sample_hash(input: &str) -> u64 {
    const END: usize = 128;
    let bytes = input.as_bytes();
    if bytes.len() <= 2 * END {
        return FxBuildHasher.hash_one(bytes);
    }
    FxBuildHasher.hash_one((bytes.len(), &bytes[..END], &bytes[bytes.len() - END..]))
}

impl Memo {
    fn get(&self, hash: u64, input: &str) -> Option<Redacted> {
        match self.results.get(&hash) {
            Some((text, result)) if **text == *input => Some(result.clone()),
            _ => None,
        }
    }

    /// Keep `result` if `input` was seen before.
    fn offer(&mut self, hash: u64, input: &str, result: &Redacted) {
        if self.seen.len() >= MAX_SEEN {
            self.seen.clear();
        }
        if self.seen.insert(hash) {
            return;
        }
        let size = input.len() + result.text.len();
        if self.results.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            // Starting over is cheaper than tracking recency, and a repeat comes back at once.
            self.results.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        // A colliding text replaces the other: the memo only ever misses, never mixes them up.
        if let Some((old, r)) = self.results.insert(hash, (input.into(), result.clone())) {
            self.bytes -= old.len() + r.text.len();
        }
    }
}

#[cfg(test)]
pub(super) fn len() -> usize {
    MEMO.with_borrow(|m| m.results.len())
}
