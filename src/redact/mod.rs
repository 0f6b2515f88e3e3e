//! The sanitizing boundary every string from outside passes before any output: control and
//! invisible characters removed first ([`clean`]), then our own secrets ([`known`]) and a
//! superset of the server's secret rules (same patterns, placeholders and order) plus the gaps
//! it leaves ([`rules`]), where a removal split or glued a secret too ([`mask`]), then through
//! escaped separators ([`escapes`]), then secrets split across a line break ([`split`]); lines
//! from outside are also made single-line and capped, after they were masked whole.
//!
//! Fast path: one literal search for anchors decides which rules can match at all;
//! text with no anchor (most error text) is returned without running a single regex.

mod anchors;
mod clean;
mod escapes;
mod known;
mod mask;
mod memo;
mod readings;
mod rules;
mod split;
#[cfg(test)]
mod tests;
mod through;

pub use clean::{strip_controls, strip_line};
pub use known::{known_secret, MIN_KNOWN_CHARS};
pub use rules::is_secret_name;

use std::borrow::Cow;

use mask::{mask_around, Masked, Places};

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
    LarkWebhook,
    WecomWebhook,
    SlackWebhook,
    DiscordWebhook,
    TelegramBotToken,
    DingtalkSecret,
    LarkToken,
    VaultToken,
    DockerToken,
    PypiToken,
    GoogleOauthToken,
    AzureSas,
    AuthHeader,
    Cookie,
    /// The token failwatch itself connects with.
    FailwatchToken,
    /// A secret whose pieces a line break kept apart.
    SplitSecret,
}

impl SecretKind {
    /// Kinds only our rules catch (the server's gaps).
    pub fn is_gap_rule(self) -> bool {
        !matches!(
            self,
            SecretKind::AwsKeyId
                | SecretKind::AwsSecret
                | SecretKind::PrivateKey
                | SecretKind::GithubToken
                | SecretKind::ApiKey
                | SecretKind::SlackToken
                | SecretKind::GitlabToken
                | SecretKind::GoogleApiKey
                | SecretKind::StripeKey
                | SecretKind::Jwt
                | SecretKind::Bearer
                | SecretKind::DatabaseUrl
                | SecretKind::KeyValue
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
            SecretKind::LarkWebhook => "lark_webhook",
            SecretKind::WecomWebhook => "wecom_webhook",
            SecretKind::SlackWebhook => "slack_webhook",
            SecretKind::DiscordWebhook => "discord_webhook",
            SecretKind::TelegramBotToken => "telegram_bot_token",
            SecretKind::DingtalkSecret => "dingtalk_secret",
            SecretKind::LarkToken => "lark_token",
            SecretKind::VaultToken => "vault_token",
            SecretKind::DockerToken => "docker_token",
            SecretKind::PypiToken => "pypi_token",
            SecretKind::GoogleOauthToken => "google_oauth_token",
            SecretKind::AzureSas => "azure_sas",
            SecretKind::AuthHeader => "auth_header",
            SecretKind::Cookie => "cookie",
            SecretKind::FailwatchToken => "failwatch_token",
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
    let (text, mut hits, mut beyond_server) = mask_text(clean, cuts);
    let (text, hits) = match split::join_split_tokens(&text, |s| {
        mask_text(Cow::Borrowed(s), Vec::new())
            .1
            .iter()
            .map(|(_, n)| n)
            .sum()
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
    let (kept, dropped) = capped(input);
    let mut r = redact(kept);
    let dropped = dropped.saturating_add(before);
    if dropped > 0 {
        r.text.push_str(&cut_mark(dropped));
    }
    (r, dropped)
}

/// At most [`MAX_TEXT_BYTES`] of `input`, ended where a word ends: the word the cut falls in
/// goes whole, and when that word starts a line, the one ending the line before goes too (they
/// may be two halves of one secret, see [`split`]). The second value is how many bytes went.
fn capped(input: &str) -> (&str, usize) {
    if input.len() <= MAX_TEXT_BYTES {
        return (input, 0);
    }
    let mut cut = MAX_TEXT_BYTES;
    while !input.is_char_boundary(cut) {
        cut -= 1;
    }
    let kept = match input[..cut].rfind(char::is_whitespace) {
        None => "",
        Some(i) if input[i..].starts_with(['\n', '\r']) => input[..i]
            .trim_end_matches(['\r', '\n'])
            .trim_end_matches(split::token_char),
        Some(i) => &input[..i],
    };
    (kept, input.len() - kept.len())
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
/// safe for any output: single-line, at most `max_chars` characters, secrets masked. The line is
/// masked whole before it is cut (up to [`MAX_TEXT_BYTES`]: past that nothing of it is shown
/// anyway), so no secret can straddle the cut.
pub fn redact_line(input: &str, max_chars: usize) -> String {
    let (head, dropped) = capped(input);
    let (line, cuts) = clean::strip_line_at(head);
    let masked = mask_text(line, cuts).0;
    if dropped == 0 {
        return cap(&masked, max_chars).into_owned();
    }
    let shown = masked
        .char_indices()
        .nth(max_chars)
        .map_or(masked.len(), |(i, _)| i);
    // Counted in the input's characters: masks change lengths, the input's size does not.
    let total = input.chars().count();
    let kept = masked[..shown].chars().count();
    format!(
        "{}… [+{} chars, {total} total]",
        &masked[..shown],
        total.saturating_sub(kept)
    )
}

/// Mask a clean text from which characters were removed at `cuts`, in each way it can be read
/// ([`readings`]).
fn mask_text(clean: Cow<'_, str>, cuts: Vec<usize>) -> Masked<'_> {
    if cuts.is_empty() && !escapes::may_hold_escapes(&clean) {
        let mut places = Places {
            cuts,
            kept: Vec::new(),
        };
        return mask_around(clean, &mut places);
    }
    readings::mask_readings(clean, cuts)
}

/// The server's rules, one regex after another over the whole text, as the server applies them
/// (minus its host-specific home-directory masking). The benchmark peer and the test oracle.
pub fn server_rules_sequential(input: &str) -> String {
    let mut s = input.to_owned();
    for rule in rules::RULES.iter().filter(|r| r.server) {
        s = rule.re().replace_all(&s, rule.replacement).into_owned();
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
