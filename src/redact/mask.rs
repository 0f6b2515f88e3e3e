//! Masking a clean text with the rules. Where characters were removed, the text is masked joined
//! (a secret a removal split is whole again) and then parted there by a mark (a secret a removal
//! glued onto the word before it stands alone again). Places in the text move with it as
//! secrets are masked.

use std::borrow::Cow;
use std::ops::Range;

use regex::Captures;

use super::rules::{is_placeholder, RULES};
use super::{anchors, known, Beyond, SecretKind};

/// A masked text, its hits per kind, and how many were beyond each server family's rules.
pub(super) type Masked<'a> = (Cow<'a, str>, Vec<(SecretKind, u32)>, Beyond);

/// Stands, while masking, where a character was removed: no text keeps a control character.
/// The rules read it as a space (see `rules`).
pub(super) const MARK: char = '\u{1}';

/// Stands, while the rules read through marks, over what a rule before took: read as a space
/// like a mark, but never through (see `mask_rules_together`).
pub(super) const BARRIER: char = '\u{2}';

/// Places in a text being masked, moved with it as it changes.
#[derive(Clone, Debug, Default)]
pub(super) struct Places {
    /// Where characters were removed (ascending); one inside a masked secret goes with it.
    pub cuts: Vec<usize>,
    /// Places followed for the caller (ascending where `Some`); `None` once inside a masked
    /// secret.
    pub kept: Vec<Option<usize>>,
}

/// A replacement: the place of what was matched, and the length of what replaced it.
type Edit = (Range<usize>, usize);

impl Places {
    fn is_empty(&self) -> bool {
        self.cuts.is_empty() && self.kept.is_empty()
    }

    /// Every place through `f`.
    fn shift(&mut self, f: impl Fn(usize) -> usize) {
        self.cuts.iter_mut().for_each(|p| *p = f(*p));
        self.kept.iter_mut().flatten().for_each(|p| *p = f(*p));
    }

    /// After the replacements `edits` (in order): shifted by what changed before them, gone
    /// when inside a match.
    fn moved(&mut self, edits: &[Edit]) {
        let mut cuts: Vec<Option<usize>> = self.cuts.iter().copied().map(Some).collect();
        move_places(&mut cuts, edits);
        self.cuts = cuts.into_iter().flatten().collect();
        move_places(&mut self.kept, edits);
    }
}

/// `places` (ascending where `Some`) after the replacements `edits`: shifted by what changed
/// before them, `None` when inside a match (the edges of a match stay).
pub(super) fn move_places(places: &mut [Option<usize>], edits: &[Edit]) {
    let mut edits = edits.iter().peekable();
    let mut shift = 0isize;
    for place in places.iter_mut() {
        let Some(at) = *place else { continue };
        while let Some((range, len)) = edits.next_if(|(range, _)| range.end <= at) {
            shift += *len as isize - range.len() as isize;
        }
        *place = if edits.peek().is_some_and(|(range, _)| range.start < at) {
            None
        } else {
            Some(at.wrapping_add_signed(shift))
        };
    }
}

/// Mask every secret of an already clean text.
#[cfg(test)]
pub(super) fn mask(clean: Cow<'_, str>) -> Masked<'_> {
    let wanted = anchors::candidates(&clean);
    mask_rules(clean, wanted, &mut Places::default(), false)
}

/// [`mask`] of a text from which characters were removed at `places.cuts`. Joined there, the
/// text shows the secrets a removed character split. But the removed character also parted what
/// stood either side (`x\u{202e}mul_…`), as the server, reading the raw text, sees it: the
/// rules' `\b` needs that edge. So the text is masked first with a [`MARK`] only where a
/// secret's anchor is in the word right after a cut (a secret, or a secret's name, glued on
/// after a word stands apart; a greedy token before it does not swallow it), joined elsewhere;
/// then what is left with a mark at every cut, by the rules read through marks (a mark parts a
/// secret from a word glued to it, and one inside a secret is part of it). The marks are then
/// dropped. The places move with the text; the cuts left are those no masked secret took.
/// (Other ways to read the cuts are tried beside this one: see `readings`.)
pub(super) fn mask_around<'a>(clean: Cow<'a, str>, places: &mut Places) -> Masked<'a> {
    // A cut at either end parts nothing.
    places.cuts.retain(|&at| at > 0 && at < clean.len());
    // Our own secrets are matched as they are, wherever they stand: once, joined, suffices.
    let (clean, known) = mask_known(clean, places);
    let mut hits = Vec::new();
    let mut beyond_server = Beyond::default();
    if known > 0 {
        add_hits(&mut hits, SecretKind::FailwatchToken, known);
        beyond_server += Beyond::both(known);
    }
    // Without an anchor no rule can match, marks or not.
    let wanted = anchors::candidates(&clean);
    if wanted == 0 {
        return (clean, hits, beyond_server);
    }
    let (anchored, rest): (Vec<usize>, Vec<usize>) = std::mem::take(&mut places.cuts)
        .into_iter()
        .partition(|&cut| anchors::in_first_word(&clean[cut..]));
    places.cuts = rest;
    let mut found = Found {
        hits,
        beyond_server,
    };
    let (mut text, left) = marked_pass(clean, wanted, &anchored, places, false, &mut found);
    let mut marks = std::mem::take(&mut places.cuts);
    marks.extend(left);
    marks.sort_unstable();
    if !marks.is_empty() {
        let wanted = anchors::candidates(&text);
        (text, places.cuts) = marked_pass(text, wanted, &marks, places, true, &mut found);
    }
    found.hits.sort();
    (text, found.hits, found.beyond_server)
}

/// [`mask`] of a text from which characters were removed at `places.cuts`, with a mark at every
/// cut: read `through` marks, or not (as the server reads the raw text: each removed character
/// parts what stood either side).
pub(super) fn mask_marked<'a>(
    clean: Cow<'a, str>,
    places: &mut Places,
    through: bool,
) -> Masked<'a> {
    places.cuts.retain(|&at| at > 0 && at < clean.len());
    let (clean, known) = mask_known(clean, places);
    let mut found = Found {
        hits: Vec::new(),
        beyond_server: Beyond::default(),
    };
    if known > 0 {
        found.add(
            vec![(SecretKind::FailwatchToken, known)],
            Beyond::both(known),
        );
    }
    let wanted = anchors::candidates(&clean);
    if wanted == 0 {
        return (clean, found.hits, found.beyond_server);
    }
    let marks = std::mem::take(&mut places.cuts);
    let (text, left) = marked_pass(clean, wanted, &marks, places, through, &mut found);
    places.cuts = left;
    found.hits.sort();
    (text, found.hits, found.beyond_server)
}

/// What the passes found so far.
struct Found {
    hits: Vec<(SecretKind, u32)>,
    beyond_server: Beyond,
}

impl Found {
    fn add(&mut self, hits: Vec<(SecretKind, u32)>, beyond_server: Beyond) {
        for (kind, n) in hits {
            add_hits(&mut self.hits, kind, n);
        }
        self.beyond_server += beyond_server;
    }
}

/// Mask `text` with a [`MARK`] at each of `marks` (ascending; none: the text as it is) by the
/// rules of `wanted` (found in the text without marks), read `through` marks or not, then drop
/// the marks; `carried` move with the text. Returns the text and the marks no masked secret
/// took, as places in it.
fn marked_pass<'a>(
    text: Cow<'a, str>,
    wanted: u64,
    marks: &[usize],
    carried: &mut Places,
    through: bool,
    found: &mut Found,
) -> (Cow<'a, str>, Vec<usize>) {
    const LEN: usize = MARK.len_utf8();
    if marks.is_empty() {
        let (masked, hits, beyond_server) = mask_rules(text, wanted, carried, through);
        found.add(hits, beyond_server);
        return (masked, Vec::new());
    }
    let with_marks = marked(&text, marks);
    // A carried place moves right by the marks placed at or before it.
    carried.shift(|p| p + marks.partition_point(|&m| m <= p) * LEN);
    let (masked, hits, beyond_server) =
        mask_rules(Cow::Owned(with_marks), wanted, carried, through);
    if hits.is_empty() {
        // Nothing found: the text is as it was, and so are the places.
        carried.shift(|p| p - marks.partition_point(|&m| m < p) * LEN);
        return (text, marks.to_vec());
    }
    found.add(hits, beyond_server);
    // Each carried place moves left by the marks still standing before it.
    let standing: Vec<usize> = masked.match_indices(MARK).map(|(i, _)| i).collect();
    carried.shift(|p| p - standing.partition_point(|&m| m < p) * LEN);
    let left = standing.iter().enumerate().map(|(n, at)| at - n * LEN);
    (Cow::Owned(masked.replace(MARK, "")), left.collect())
}

/// `text` with a [`MARK`] at each of `cuts` (ascending). A cut is where a removed character
/// was; one that would fall inside a character (or past the end) goes to that character's
/// start: a mark must never split a character, whatever edits moved it.
fn marked(text: &str, cuts: &[usize]) -> String {
    let mut out = String::with_capacity(text.len() + cuts.len());
    let mut at = 0;
    for &cut in cuts {
        let mut cut = cut.clamp(at, text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&text[at..cut]);
        out.push(MARK);
        at = cut;
    }
    out.push_str(&text[at..]);
    out
}

/// `clean` with our own secrets masked, `places` moved with it; and how many there were.
fn mask_known<'a>(clean: Cow<'a, str>, places: &mut Places) -> (Cow<'a, str>, u32) {
    let mut edits = Vec::new();
    let track = !places.is_empty();
    match known::mask(&clean, track.then_some(&mut edits)) {
        None => (clean, 0),
        Some((masked, n)) => {
            places.moved(&edits);
            (Cow::Owned(masked), n)
        }
    }
}

/// Mask `clean` with the rules of `wanted` (bit i = rule i), read `through` marks or not,
/// moving `places` with the text as it changes.
pub(super) fn mask_rules<'a>(
    clean: Cow<'a, str>,
    wanted: u64,
    places: &mut Places,
    through: bool,
) -> Masked<'a> {
    let mut text = clean;
    let mut hits: Vec<(SecretKind, u32)> = Vec::new();
    let mut beyond_server = Beyond::default();
    // Each replacement's place and new length, kept only when there are places to move.
    let mut edits: Vec<Edit> = Vec::new();
    let track = !places.is_empty();
    if wanted == 0 {
        return (text, hits, beyond_server);
    }
    if through {
        return mask_rules_together(text, wanted, places);
    }
    for (i, rule) in RULES.iter().enumerate() {
        if wanted & (1 << i) == 0 {
            continue;
        }
        let mut n = 0u32;
        let re = rule.re();
        let replaced = re.replace_all(&text, |caps: &Captures| {
            // A value that is a placeholder, exactly, is already masked: redacting twice gives
            // what once did. One with more glued to it (`[REDACTED]hunter2`) is not.
            if caps.name("v").is_some_and(|v| is_placeholder(v.as_str())) {
                return caps[0].to_owned();
            }
            n += 1;
            let mut out = String::new();
            caps.expand(rule.replacement, &mut out);
            if track {
                edits.push((caps.get_match().range(), out.len()));
            }
            out
        });
        if n > 0 {
            text = Cow::Owned(replaced.into_owned());
            places.moved(&edits);
            edits.clear();
            beyond_server += Beyond::of_rule(rule, n);
            add_hits(&mut hits, rule.kind, n);
        }
    }
    hits.sort();
    (text, hits, beyond_server)
}

/// [`mask_rules`] reading through marks. Read through marks, a greedy token joined by a removal
/// to the secret after it (`ghp_…<filler>xoxb-…`) reaches into that secret: applied one after
/// another, the token's rule would take the secret's start and the secret's rule find nothing
/// left. So the rules go in order as one after another does, each reading what those before
/// took as a [`BARRIER`] (places stay those of `text`); and each is also matched on `text`
/// itself, where a match that starts inside one taken before and reaches past it masks what
/// lies past it (with its own placeholder).
fn mask_rules_together<'a>(text: Cow<'a, str>, wanted: u64, places: &mut Places) -> Masked<'a> {
    // (where, the rule, what replaces it), in no order yet.
    let mut taken: Vec<(Range<usize>, usize, String)> = Vec::new();
    // The text with what was taken so far turned to BARRIER, byte for byte: a rule reads it as
    // it would read the placeholders one after another leaves (a stop, never a part of a
    // token), and every place is still the place it is in `text`.
    let mut barred: Option<String> = None;
    for (i, rule) in RULES.iter().enumerate() {
        if wanted & (1 << i) == 0 {
            continue;
        }
        let before = taken.len();
        let seen = barred.as_deref().unwrap_or(&text);
        for caps in rule.through().captures_iter(seen) {
            if caps.name("v").is_some_and(|v| is_placeholder(v.as_str())) {
                continue;
            }
            let mut out = String::new();
            caps.expand(rule.replacement, &mut out);
            if out.contains(BARRIER) {
                // What it keeps of its match holds a masked part: its placeholder alone.
                out = placeholders_of(std::iter::once(rule.replacement));
            }
            taken.push((caps.get_match().range(), i, out));
        }
        // Read on the text itself, a match that starts inside one taken before and reaches
        // past it: what lies past it is this rule's secret, whose start was taken.
        for m in rule.through().find_iter(&text) {
            let m = m.range();
            let reached = taken[..before]
                .iter()
                .filter(|(t, _, _)| t.start <= m.start && m.start < t.end && t.end < m.end)
                .map(|(t, _, _)| t.end)
                .max();
            if let Some(from) = reached {
                let out = placeholders_of(std::iter::once(rule.replacement));
                taken.push((from..m.end, i, out));
            }
        }
        if taken.len() > before {
            let mut bytes = barred
                .take()
                .unwrap_or_else(|| text.to_string())
                .into_bytes();
            for (range, _, _) in &taken[before..] {
                bytes[range.clone()].fill(BARRIER as u8);
            }
            // Whole characters were replaced by ASCII bytes: still UTF-8.
            barred = Some(String::from_utf8(bytes).unwrap_or_default());
        }
    }
    let mut hits: Vec<(SecretKind, u32)> = Vec::new();
    let mut beyond_server = Beyond::default();
    if taken.is_empty() {
        return (text, hits, beyond_server);
    }
    for (_, i, _) in &taken {
        beyond_server += Beyond::of_rule(&RULES[*i], 1);
        add_hits(&mut hits, RULES[*i].kind, 1);
    }
    taken.sort_by_key(|(range, _, _)| (range.start, std::cmp::Reverse(range.end)));
    let mut out = String::with_capacity(text.len());
    let mut edits: Vec<Edit> = Vec::new();
    let mut at = 0;
    for (range, _, replacement) in &taken {
        // Two reaches past one match may overlap: the later starts where the earlier ended.
        let start = range.start.max(at);
        if start >= range.end {
            continue;
        }
        // Overlapping matches: the rest of this one gets its placeholder alone.
        let replacement = if start > range.start {
            &placeholders_of(std::iter::once(replacement.as_str()))
        } else {
            replacement
        };
        out.push_str(&text[at..start]);
        edits.push((start..range.end, replacement.len()));
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    places.moved(&edits);
    hits.sort();
    (Cow::Owned(out), hits, beyond_server)
}

/// The `[REDACTED …]` placeholders of these replacements, each once, in order.
fn placeholders_of<'r>(replacements: impl Iterator<Item = &'r str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for r in replacements {
        add_placeholders(r, &mut seen);
    }
    placeholders_text(&seen)
}

/// Add the `[REDACTED …]` placeholders that `text` holds to `seen`, each once, in order.
pub(super) fn add_placeholders<'t>(text: &'t str, seen: &mut Vec<&'t str>) {
    for (p, _) in text.match_indices("[REDACTED") {
        let end = text[p..].find(']').map_or(text.len(), |e| p + e + 1);
        if !seen.contains(&&text[p..end]) {
            seen.push(&text[p..end]);
        }
    }
}

/// Placeholders found, as one text (`[REDACTED]` when none).
pub(super) fn placeholders_text(seen: &[&str]) -> String {
    match seen.is_empty() {
        true => "[REDACTED]".to_owned(),
        false => seen.concat(),
    }
}

pub(super) fn add_hits(hits: &mut Vec<(SecretKind, u32)>, kind: SecretKind, n: u32) {
    match hits.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, c)) => *c += n,
        None => hits.push((kind, n)),
    }
}
