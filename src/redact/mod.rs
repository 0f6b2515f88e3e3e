//! The sanitizing boundary every string from outside passes before any output: control and
//! invisible characters removed first ([`clean`]), then a superset of the server's secret rules
//! (same patterns, placeholders and order) plus the gaps it leaves ([`rules`]), then secrets split
//! across a line break ([`split`]); lines from outside are also made single-line and capped.
//!
//! Fast path: one literal search for anchors decides which rules can match at all;
//! text with no anchor (most error text) is returned without running a single regex.

mod anchors;
mod clean;
mod memo;
mod rules;
mod split;
#[cfg(test)]
mod tests;

pub use clean::{strip_controls, strip_line};
pub use rules::is_secret_name;

use std::borrow::Cow;

use regex::Captures;

use rules::RULES;

/// Kinds of secret we mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    AwsKeyId,
    AwsSecret,
    PrivateKey,
    GithubToken,
    ApiKey,
    SlackToken,
    GitlabToken,
    GoogleApiKey,
    StripeKey,
    Jwt,
    Bearer,
    DatabaseUrl,
    KeyValue,
    UrlCredentials,
    HomePath,
    NpmToken,
    BasicAuth,
    MulticaToken,
    /// A secret whose pieces a line break kept apart.
    SplitSecret,
}

impl SecretKind {
    /// Kinds only our rules catch (the server's gaps).
    pub fn is_gap_rule(self) -> bool {
        matches!(
            self,
            SecretKind::UrlCredentials
                | SecretKind::HomePath
                | SecretKind::NpmToken
                | SecretKind::BasicAuth
                | SecretKind::MulticaToken
                | SecretKind::SplitSecret
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            SecretKind::AwsKeyId => "aws_key_id",
            SecretKind::AwsSecret => "aws_secret",
            SecretKind::PrivateKey => "private_key",
            SecretKind::GithubToken => "github_token",
            SecretKind::ApiKey => "api_key",
            SecretKind::SlackToken => "slack_token",
            SecretKind::GitlabToken => "gitlab_token",
            SecretKind::GoogleApiKey => "google_api_key",
            SecretKind::StripeKey => "stripe_key",
            SecretKind::Jwt => "jwt",
            SecretKind::Bearer => "bearer",
            SecretKind::DatabaseUrl => "database_url",
            SecretKind::KeyValue => "key_value",
            SecretKind::UrlCredentials => "url_credentials",
            SecretKind::HomePath => "home_path",
            SecretKind::NpmToken => "npm_token",
            SecretKind::BasicAuth => "basic_auth",
            SecretKind::MulticaToken => "multica_token",
            SecretKind::SplitSecret => "split_secret",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redacted {
    /// Masked, control sequences removed.
    pub text: String,
    /// Count per kind, sorted by kind, only non-zero.
    pub hits: Vec<(SecretKind, u32)>,
    /// Control characters or sequences removed.
    pub controls_removed: u32,
    /// Hits beyond each server family's own rules (the server's gaps): in a text that server
    /// already redacted, each of these is a secret it let through.
    pub beyond_server: Beyond,
}

/// Secrets beyond a server's own rules, per family: the Octo fork masks fewer kinds than
/// upstream (no `github_pat_`, `xoxe-`, `xapp-`, Google `AIza…` or Stripe live keys).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Beyond {
    pub upstream: u32,
    pub fork: u32,
}

impl Beyond {
    /// `n` hits of `rule`.
    fn of_rule(rule: &rules::Rule, n: u32) -> Beyond {
        Beyond {
            upstream: if rule.server { 0 } else { n },
            fork: if rule.fork { 0 } else { n },
        }
    }

    /// `n` hits that neither server's rules catch.
    fn both(n: u32) -> Beyond {
        Beyond {
            upstream: n,
            fork: n,
        }
    }
}

impl std::ops::AddAssign for Beyond {
    fn add_assign(&mut self, other: Beyond) {
        self.upstream += other.upstream;
        self.fork += other.fork;
    }
}

impl Redacted {
    pub fn total_hits(&self) -> u32 {
        self.hits.iter().map(|(_, n)| n).sum()
    }
}

/// Free text from outside: controls and invisible characters removed, every secret masked.
/// Never panics.
pub fn redact(input: &str) -> Redacted {
    memo::memoized(input, redact_fresh)
}

/// [`redact`] without the memo.
fn redact_fresh(input: &str) -> Redacted {
    let (clean, controls_removed, cuts) = clean::strip_controls_at(input);
    let (text, mut hits, mut beyond_server) = mask_around(clean, cuts);
    let (text, hits) = match split::join_split_tokens(&text, |s| {
        mask(Cow::Borrowed(s)).1.iter().map(|(_, n)| n).sum()
    }) {
        Some((joined, n)) => {
            beyond_server += Beyond::both(n);
            hits.push((SecretKind::SplitSecret, n));
            hits.sort();
            (joined, hits)
        }
        None => (text.into_owned(), hits),
    };
    Redacted {
        text,
        hits,
        controls_removed,
        beyond_server,
    }
}

/// Ids and codes from outside are cut past this many characters.
pub const MAX_ID_CHARS: usize = 128;
/// A type name from outside is cut past this many characters.
pub const MAX_TYPE_CHARS: usize = 64;
/// A message from outside (a server's refusal, a close reason) is cut past this many characters.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// Hex digits and dashes only (UUIDs, hashes): nothing to clean or mask. Ids are on the hot
/// path: 16 bytes are checked at a time.
#[inline]
pub fn is_plain_id(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() < 16 {
        return bytes.iter().all(|&b| b.is_ascii_hexdigit() | (b == b'-'));
    }
    // Whole blocks, then the last 16 bytes (overlapping the block before: no byte-wise tail).
    let last = bytes.len() - 16;
    bytes
        .chunks_exact(16)
        .chain(std::iter::once(&bytes[last..]))
        .all(|b| b.try_into().is_ok_and(plain_block))
}

// Unsafe for the SSE2 intrinsics only, which every x86_64 target has.
#[allow(unsafe_code)]
#[cfg(target_arch = "x86_64")]
#[inline]
fn plain_block(block: &[u8; 16]) -> bool {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86_64 target; the load reads the block's 16 bytes.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        // Signed compares: bytes past ASCII are negative, so in no range.
        let within = |lo: u8, hi: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)),
            )
        };
        let plain = _mm_or_si128(
            _mm_or_si128(within(b'0', b'9'), within(b'a', b'f')),
            _mm_or_si128(
                within(b'A', b'F'),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8)),
            ),
        );
        _mm_movemask_epi8(plain) == 0xFFFF
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn plain_block(block: &[u8; 16]) -> bool {
    block.iter().all(|&b| b.is_ascii_hexdigit() | (b == b'-'))
}

/// An id or a code from outside, made safe: a UUID-shaped id (the usual case) passes as it is,
/// anything else becomes a safe line of at most [`MAX_ID_CHARS`].
pub fn redact_id(input: &str) -> Cow<'_, str> {
    if input.len() <= MAX_ID_CHARS && is_plain_id(input) {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(redact_line(input, MAX_ID_CHARS))
    }
}

/// Free text from outside is cut past this many bytes before it is redacted or kept: it bounds
/// both memory and the time one frame can take.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// [`redact`] of at most [`MAX_TEXT_BYTES`] of `input`; the rest is cut, and the word the cut
/// falls in is dropped whole so no piece of a secret is left. The second value is how many
/// bytes were cut.
pub fn redact_capped(input: &str) -> (Redacted, usize) {
    redact_cut_before(input, 0)
}

/// [`redact_capped`] of a text that already had `before` bytes cut off (one read back from a
/// recording, its mark taken off with [`cut_mark_removed`]): the mark counts both cuts.
pub fn redact_cut_before(input: &str, before: usize) -> (Redacted, usize) {
    let kept = if input.len() <= MAX_TEXT_BYTES {
        input
    } else {
        let mut cut = MAX_TEXT_BYTES;
        while !input.is_char_boundary(cut) {
            cut -= 1;
        }
        input[..cut]
            .rfind(char::is_whitespace)
            .map_or("", |i| &input[..i])
    };
    let mut r = redact(kept);
    let dropped = (input.len() - kept.len()).saturating_add(before);
    if dropped > 0 {
        r.text.push_str(&cut_mark(dropped));
    }
    (r, dropped)
}

/// What ends a text that had `bytes` cut off.
fn cut_mark(bytes: usize) -> String {
    format!(" … [+{bytes} bytes cut]")
}

/// `text` without the mark of a cut of `bytes` at its end, if it has that mark.
pub fn cut_mark_removed(text: &str, bytes: usize) -> Option<&str> {
    text.strip_suffix(&cut_mark(bytes))
}

/// One line from outside — an id, a reason code, a type name, a server's message, a URL — made
/// safe for any output: single-line, at most `max_chars` characters, secrets masked.
pub fn redact_line(input: &str, max_chars: usize) -> String {
    // Only a bounded head is cleaned and masked (enough to fill the line even after controls
    // are removed), so a hostile megabyte-long id costs what a short one does.
    let window = max_chars.saturating_mul(4).max(1024);
    let (head, total_chars) = match input.char_indices().nth(window) {
        None => (input, 0),
        Some((i, _)) => (&input[..i], window + input[i..].chars().count()),
    };
    // Mask before cutting, so a cut never leaves half a secret behind.
    let (line, cuts) = clean::strip_line_at(head);
    let masked = mask_around(line, cuts).0;
    if total_chars == 0 {
        return cap(&masked, max_chars).into_owned();
    }
    let shown = masked
        .char_indices()
        .nth(max_chars)
        .map_or(masked.len(), |(i, _)| i);
    // Counted in the input's characters: masks change lengths, the input's size does not.
    let total = total_chars;
    let kept = masked[..shown].chars().count();
    format!(
        "{}… [+{} chars, {total} total]",
        &masked[..shown],
        total.saturating_sub(kept)
    )
}

type Masked<'a> = (Cow<'a, str>, Vec<(SecretKind, u32)>, Beyond);

/// Mask every secret of an already clean text; the hits per kind and how many were the server's
/// gaps.
fn mask(clean: Cow<'_, str>) -> Masked<'_> {
    let wanted = anchors::candidates(&clean);
    mask_rules(clean, wanted)
}

/// Stands, while masking, where a character was removed: no text keeps a control character.
const MARK: char = '\u{1}';

/// [`mask`] of a text from which characters were removed at `cuts`. Joined there, the text
/// shows the secrets a removed character split. But the removed character also parted what
/// stood either side (`x\u{202e}mul_…`), as the server, reading the raw text, sees it: the
/// rules' `\b` needs that edge. So what is left unmasked is masked again with a [`MARK`] at
/// each cut, and the marks then dropped.
fn mask_around(clean: Cow<'_, str>, mut cuts: Vec<usize>) -> Masked<'_> {
    // A cut at either end parts nothing.
    cuts.retain(|&at| at > 0 && at < clean.len());
    if cuts.is_empty() {
        return mask(clean);
    }
    let wanted = anchors::candidates(&clean);
    let (mut text, mut hits, mut beyond_server) = mask_rules_moving(clean, wanted, &mut cuts);
    // Without an anchor no rule can match, marks or not.
    if wanted == 0 || cuts.is_empty() {
        return (text, hits, beyond_server);
    }
    // First a mark only where a secret's anchor starts right after the cut: it parts a token
    // glued on from the word before it and keeps one that a later cut split whole
    // (`x\u{200b}sk-ant-…Split\u{200b}By…`).
    let (anchored, mut rest): (Vec<usize>, Vec<usize>) = cuts
        .into_iter()
        .partition(|&cut| anchors::starts_at(&text[cut..]));
    if !anchored.is_empty() {
        text = marked_pass(text, &anchored, &mut rest, &mut hits, &mut beyond_server);
    }
    // Then a mark at every cut left: a rule whose match starts before its anchor.
    if !rest.is_empty() {
        text = marked_pass(text, &rest, &mut Vec::new(), &mut hits, &mut beyond_server);
    }
    hits.sort();
    (text, hits, beyond_server)
}

/// Mask `text` with a [`MARK`] at each of `marks`, then drop the marks; `carried` (other cuts,
/// ascending) move with the text. The hits are added to `hits`.
fn marked_pass<'a>(
    text: Cow<'a, str>,
    marks: &[usize],
    carried: &mut Vec<usize>,
    hits: &mut Vec<(SecretKind, u32)>,
    beyond_server: &mut Beyond,
) -> Cow<'a, str> {
    let with_marks = marked(&text, marks);
    // A carried cut moves right by the marks placed at or before it.
    for cut in carried.iter_mut() {
        *cut += marks.partition_point(|&m| m <= *cut) * MARK.len_utf8();
    }
    let wanted = anchors::candidates(&with_marks);
    let (masked, more, more_beyond) = mask_rules_moving(Cow::Owned(with_marks), wanted, carried);
    if more.is_empty() {
        // Nothing found: the text is as it was, and so are the cuts.
        for cut in carried.iter_mut() {
            *cut -= marks.partition_point(|&m| m < *cut) * MARK.len_utf8();
        }
        return text;
    }
    for (kind, n) in more {
        add_hits(hits, kind, n);
    }
    *beyond_server += more_beyond;
    // Each carried cut moves left by the marks still standing before it.
    let standing: Vec<usize> = masked.match_indices(MARK).map(|(i, _)| i).collect();
    for cut in carried.iter_mut() {
        *cut -= standing.partition_point(|&m| m < *cut) * MARK.len_utf8();
    }
    Cow::Owned(masked.replace(MARK, ""))
}

/// `text` with a [`MARK`] at each of `cuts` (ascending).
fn marked(text: &str, cuts: &[usize]) -> String {
    let mut out = String::with_capacity(text.len() + cuts.len());
    let mut at = 0;
    for &cut in cuts {
        out.push_str(&text[at..cut]);
        out.push(MARK);
        at = cut;
    }
    out.push_str(&text[at..]);
    out
}

/// [`mask`] with the rules of `wanted` only (bit i = rule i).
fn mask_rules(clean: Cow<'_, str>, wanted: u64) -> Masked<'_> {
    mask_rules_moving(clean, wanted, &mut Vec::new())
}

/// [`mask_rules`], moving `cuts` (ascending places in the text) with the text as it changes;
/// those inside a masked secret go with it.
fn mask_rules_moving<'a>(clean: Cow<'a, str>, wanted: u64, cuts: &mut Vec<usize>) -> Masked<'a> {
    let mut text = clean;
    let mut hits: Vec<(SecretKind, u32)> = Vec::new();
    let mut beyond_server = Beyond::default();
    if wanted == 0 {
        return (text, hits, Beyond::default());
    }
    // Each replacement's place and new length, kept only when there are cuts to move.
    let mut edits: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        if wanted & (1 << i) == 0 {
            continue;
        }
        let mut n = 0u32;
        let replaced = rule.re.replace_all(&text, |caps: &Captures| {
            // A value already masked stays as it is: redacting twice gives what once did.
            if rule.kind == SecretKind::KeyValue && already_masked(&caps[0]) {
                return caps[0].to_owned();
            }
            n += 1;
            let mut out = String::new();
            caps.expand(rule.replacement, &mut out);
            if !cuts.is_empty() {
                edits.push((caps.get_match().range(), out.len()));
            }
            out
        });
        if n > 0 {
            text = Cow::Owned(replaced.into_owned());
            move_cuts(cuts, &edits);
            edits.clear();
            beyond_server += Beyond::of_rule(rule, n);
            add_hits(&mut hits, rule.kind, n);
        }
    }
    hits.sort();
    (text, hits, beyond_server)
}

fn add_hits(hits: &mut Vec<(SecretKind, u32)>, kind: SecretKind, n: u32) {
    match hits.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, c)) => *c += n,
        None => hits.push((kind, n)),
    }
}

/// `cuts` (ascending) after the replacements `edits` (a match's place and its replacement's
/// length, in order): shifted by what changed before them, dropped when inside a match.
fn move_cuts(cuts: &mut Vec<usize>, edits: &[(std::ops::Range<usize>, usize)]) {
    let mut edits = edits.iter().peekable();
    let mut shift = 0isize;
    cuts.retain_mut(|cut| {
        while let Some((range, len)) = edits.next_if(|(range, _)| range.end <= *cut) {
            shift += *len as isize - range.len() as isize;
        }
        if edits.peek().is_some_and(|(range, _)| range.start < *cut) {
            return false;
        }
        *cut = cut.wrapping_add_signed(shift);
        true
    });
}

/// `name=[REDACTED…]`, `name: [REDACTED…]`: a key-value match whose value is a placeholder.
fn already_masked(matched: &str) -> bool {
    matched.find(['=', ':']).is_some_and(|i| {
        matched[i + 1..]
            .trim_start_matches([' ', '"', '\''])
            .starts_with("[REDACTED")
    })
}

/// The server's rules, one regex after another over the whole text, as the server applies them
/// (minus its host-specific home-directory masking). The benchmark peer and the test oracle.
pub fn server_rules_sequential(input: &str) -> String {
    let mut s = input.to_owned();
    for rule in RULES.iter().filter(|r| r.server) {
        s = rule.re.replace_all(&s, rule.replacement).into_owned();
    }
    s
}

/// Cap for display: past `max_chars` chars, keep the start and say how much was cut.
pub fn cap(input: &str, max_chars: usize) -> Cow<'_, str> {
    match input.char_indices().nth(max_chars) {
        None => Cow::Borrowed(input),
        Some((cut, _)) => {
            let total = input.chars().count();
            Cow::Owned(format!(
                "{}… [+{} chars, {} total]",
                &input[..cut],
                total - max_chars,
                total
            ))
        }
    }
}
