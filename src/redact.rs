//! Our redaction of every string we show or write: terminal control sequences removed first, then
//! a superset of the server's secret rules (same patterns, same placeholders, same order) plus the
//! gaps it leaves (any user's home path, credentials in any URL scheme, more vendors' keys).
//!
//! Fast path: one Aho–Corasick pass over literal anchors decides which rules can match at all;
//! text with no anchor (most error text) is returned without running a single regex.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Captures, Regex};

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
    /// Hits of our own rules only (the server's gaps): in a text the server already redacted,
    /// each of these is a secret the server let through.
    pub beyond_server: u32,
}

impl Redacted {
    pub fn total_hits(&self) -> u32 {
        self.hits.iter().map(|(_, n)| n).sum()
    }
}

struct Rule {
    kind: SecretKind,
    re: Regex,
    replacement: &'static str,
    /// Literals (matched case-insensitively) of which at least one must occur for a match.
    anchors: &'static [&'static str],
    /// One of the server's own rules (the benchmark peer applies only these).
    server: bool,
}

// Go's RE2 `\b` and `\s` are ASCII; spell them so here for identical matching.
const B: &str = r"(?-u:\b)";

fn rule(
    kind: SecretKind,
    pattern: &str,
    replacement: &'static str,
    anchors: &'static [&'static str],
    server: bool,
) -> Rule {
    let pattern = pattern
        .replace(r"\b", B)
        .replace(r"\s", r"[\t\n\x0C\r ]")
        .replace(r"\S", r"[^\t\n\x0C\r ]");
    Rule {
        kind,
        re: Regex::new(&pattern).expect("redaction rules compile"),
        replacement,
        anchors,
        server,
    }
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use SecretKind::*;
    vec![
        // The server's rules, in the server's order, with its placeholders.
        rule(
            AwsKeyId,
            r"\bAKIA[0-9A-Z]{16}\b",
            "[REDACTED AWS KEY]",
            &["akia"],
            true,
        ),
        rule(
            AwsSecret,
            r"(?i)(?:aws_secret_access_key|secret_?access_?key)\s*[=:]\s*[A-Za-z0-9/+=]{40}",
            "[REDACTED AWS SECRET]",
            &["secret"],
            true,
        ),
        rule(
            PrivateKey,
            r"(?s)-----BEGIN[A-Z\s]*PRIVATE KEY-----.*?-----END[A-Z\s]*PRIVATE KEY-----",
            "[REDACTED PRIVATE KEY]",
            &["-----begin"],
            true,
        ),
        rule(
            GithubToken,
            r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36,255}\b",
            "[REDACTED GITHUB TOKEN]",
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
            true,
        ),
        rule(
            GithubToken,
            r"\bgithub_pat_[A-Za-z0-9_]{20,255}\b",
            "[REDACTED GITHUB TOKEN]",
            &["github_pat_"],
            true,
        ),
        rule(
            ApiKey,
            r"\bsk-[A-Za-z0-9_-]{20,}\b",
            "[REDACTED API KEY]",
            &["sk-"],
            true,
        ),
        rule(
            SlackToken,
            r"\bxox[bporase]-[A-Za-z0-9\-]{10,}\b",
            "[REDACTED SLACK TOKEN]",
            &["xox"],
            true,
        ),
        rule(
            SlackToken,
            r"\bxapp-[A-Za-z0-9-]{10,}\b",
            "[REDACTED SLACK TOKEN]",
            &["xapp-"],
            true,
        ),
        rule(
            GitlabToken,
            r"\bglpat-[A-Za-z0-9_-]{20,}\b",
            "[REDACTED GITLAB TOKEN]",
            &["glpat-"],
            true,
        ),
        rule(
            GoogleApiKey,
            r"\bAIza[0-9A-Za-z_-]{35}([^0-9A-Za-z_-]|$)",
            "[REDACTED GOOGLE API KEY]$1",
            &["aiza"],
            true,
        ),
        rule(
            StripeKey,
            r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}\b",
            "[REDACTED STRIPE KEY]",
            &["_live_"],
            true,
        ),
        rule(
            Jwt,
            r"\bey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b",
            "[REDACTED JWT]",
            &["ey"],
            true,
        ),
        rule(
            Bearer,
            r"(?i)\bBearer\s+[A-Za-z0-9\-._~+/]+=*\b",
            "Bearer [REDACTED]",
            &["bearer"],
            true,
        ),
        rule(
            DatabaseUrl,
            r"(?i)(?:postgres|mysql|mongodb|redis|amqp)(?:ql)?://[^:\s]+:[^@\s]+@",
            "[REDACTED CONNECTION STRING]@",
            &["://"],
            true,
        ),
        rule(
            KeyValue,
            r"(?i)(?:API_KEY|API_SECRET|SECRET_KEY|SECRET|ACCESS_TOKEN|AUTH_TOKEN|PRIVATE_KEY|DATABASE_URL|DB_PASSWORD|DB_URL|REDIS_URL|PASSWORD|TOKEN)\s*[=:]\s*\S+",
            "[REDACTED CREDENTIAL]",
            &[
                "api_key",
                "api_secret",
                "secret",
                "token",
                "private_key",
                "database_url",
                "db_password",
                "db_url",
                "redis_url",
                "password",
            ],
            true,
        ),
        // The server's gaps.
        rule(
            UrlCredentials,
            r"(?i)\b([a-z][a-z0-9+.-]*)://[^/\s:@]+:[^/\s@]+@",
            "$1://[REDACTED CREDENTIALS]@",
            &["://"],
            false,
        ),
        rule(
            HomePath,
            r"(/home/|/Users/)[^/\s*][^/\s]*",
            "${1}****",
            &["/home/", "/users/"],
            false,
        ),
        rule(
            HomePath,
            r"(?i)\b([a-z]:[\\/]Users[\\/])[^\\/\s*][^\\/\s]*",
            "${1}****",
            &[":\\users\\", ":/users/"],
            false,
        ),
        rule(
            ApiKey,
            r"\bhf_[A-Za-z0-9]{30,}\b",
            "[REDACTED API KEY]",
            &["hf_"],
            false,
        ),
        rule(
            NpmToken,
            r"\bnpm_[A-Za-z0-9]{36}\b",
            "[REDACTED NPM TOKEN]",
            &["npm_"],
            false,
        ),
        rule(
            ApiKey,
            r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
            "[REDACTED API KEY]",
            &["sg."],
            false,
        ),
        rule(
            KeyValue,
            r"(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature)=[^;\s]{16,}",
            "$1=[REDACTED]",
            &["accountkey", "sharedaccess"],
            false,
        ),
        rule(
            KeyValue,
            r#"(?i)\b(x-api-key|api-key|apikey|client_secret|access_key|passwd|pwd)\s*[=:]\s*["']?[^\s"',;]{6,}"#,
            "$1: [REDACTED]",
            &[
                "x-api-key",
                "api-key",
                "apikey",
                "client_secret",
                "access_key",
                "passwd",
                "pwd",
            ],
            false,
        ),
        rule(
            KeyValue,
            r#"(?i)"(password|passwd|secret|token|api_key|apikey|access_token|refresh_token|client_secret|private_key)"\s*:\s*"[^"]*""#,
            r#""$1": "[REDACTED]""#,
            &[
                "password",
                "passwd",
                "secret",
                "token",
                "api_key",
                "apikey",
                "private_key",
            ],
            false,
        ),
        rule(
            BasicAuth,
            r"(?i)\bBasic\s+[A-Za-z0-9+/]{16,}={0,2}",
            "Basic [REDACTED]",
            &["basic"],
            false,
        ),
    ]
});

/// Every rule's anchors in one automaton, and for each anchor the rules it unlocks.
static ANCHORS: LazyLock<(AhoCorasick, Vec<Vec<usize>>)> = LazyLock::new(|| {
    assert!(RULES.len() <= 64, "rule set is tracked in a u64");
    let mut literals: Vec<&'static str> = Vec::new();
    let mut owners: Vec<Vec<usize>> = Vec::new();
    for (i, r) in RULES.iter().enumerate() {
        for a in r.anchors {
            match literals.iter().position(|l| l == a) {
                Some(p) => owners[p].push(i),
                None => {
                    literals.push(a);
                    owners.push(vec![i]);
                }
            }
        }
    }
    // A full DFA: a few hundred KB, and the fastest scan for this many short anchors.
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&literals)
        .expect("anchors build");
    (ac, owners)
});

/// Strip terminal control sequences, then mask every secret. Never panics.
pub fn redact(input: &str) -> Redacted {
    let (clean, controls_removed) = strip_controls(input);
    let (ac, owners) = &*ANCHORS;
    // Bit i set = rule i may match. Overlapping search: every anchor occurrence counts.
    let mut wanted = 0u64;
    for m in ac.find_overlapping_iter(clean.as_ref()) {
        for &rule in &owners[m.pattern().as_usize()] {
            wanted |= 1 << rule;
        }
    }
    if wanted == 0 {
        return Redacted {
            text: clean.into_owned(),
            hits: Vec::new(),
            controls_removed,
            beyond_server: 0,
        };
    }
    let mut text: Cow<str> = clean;
    let mut hits: Vec<(SecretKind, u32)> = Vec::new();
    let mut beyond_server = 0u32;
    for (i, rule) in RULES.iter().enumerate() {
        if wanted & (1 << i) == 0 {
            continue;
        }
        let mut n = 0u32;
        let replaced = rule.re.replace_all(&text, |caps: &Captures| {
            n += 1;
            let mut out = String::new();
            caps.expand(rule.replacement, &mut out);
            out
        });
        if n > 0 {
            text = Cow::Owned(replaced.into_owned());
            if !rule.server {
                beyond_server += n;
            }
            match hits.iter_mut().find(|(k, _)| *k == rule.kind) {
                Some((_, c)) => *c += n,
                None => hits.push((rule.kind, n)),
            }
        }
    }
    hits.sort();
    Redacted {
        text: text.into_owned(),
        hits,
        controls_removed,
        beyond_server,
    }
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

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn is_stripped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Remove terminal control sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-character ESC
/// sequences), every other C0 and C1 control except newline and tab, DEL, and bidi overrides.
pub fn strip_controls(input: &str) -> (Cow<'_, str>, u32) {
    // Byte-level fast path: C0 and DEL are single bytes; C1 controls start with 0xC2 and bidi
    // controls with 0xE2 in UTF-8. Text without these bytes has nothing to strip.
    let suspicious =
        |b: &u8| (*b < 0x20 && *b != b'\n' && *b != b'\t') || matches!(*b, 0x7f | 0xc2 | 0xe2);
    if !input.as_bytes().iter().any(suspicious) || !input.chars().any(is_stripped) {
        return (Cow::Borrowed(input), 0);
    }
    let mut out = String::with_capacity(input.len());
    let mut removed = 0u32;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_stripped(c) {
            out.push(c);
            continue;
        }
        removed += 1;
        // C1 CSI (U+009B) and OSC (U+009D) open sequences too.
        let kind = match c {
            '\u{1b}' => chars.next_if(|n| !is_stripped(*n) || *n == '\u{1b}'),
            '\u{9b}' => Some('['),
            '\u{9d}' => Some(']'),
            '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => Some('P'),
            _ => None,
        };
        match kind {
            // CSI: parameters and intermediates, then one final byte in @..~.
            Some('[') => {
                for n in chars.by_ref() {
                    if ('@'..='~').contains(&n) || is_stripped(n) {
                        break;
                    }
                }
            }
            // OSC / DCS / SOS / PM / APC: a string ended by BEL or ST (ESC \ or U+009C).
            Some(']' | 'P' | 'X' | '^' | '_') => {
                while let Some(n) = chars.next() {
                    if n == '\u{7}' || n == '\u{9c}' {
                        break;
                    }
                    if n == '\u{1b}' {
                        chars.next_if_eq(&'\\');
                        break;
                    }
                }
            }
            // Two-character escapes (ESC c, ESC 7, ESC ( B …): drop the next char, and one
            // more for charset designations.
            Some('(' | ')' | '*' | '+' | '#' | '%') => {
                chars.next();
            }
            _ => {}
        }
    }
    (Cow::Owned(out), removed)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(input: &str, secret: &str, placeholder: &str) {
        let r = redact(input);
        assert!(
            !r.text.contains(secret),
            "{secret} survived in {:?}",
            r.text
        );
        assert!(
            r.text.contains(placeholder),
            "{placeholder} missing in {:?}",
            r.text
        );
        assert!(r.total_hits() >= 1);
    }

    #[test]
    fn every_server_rule_masks_its_secret() {
        masked(
            "key AKIAABCDEFGHIJKLMNOP used",
            "AKIAABCDEFGHIJKLMNOP",
            "[REDACTED AWS KEY]",
        );
        masked(
            "aws_secret_access_key = abcdefghijABCDEFGHIJ0123456789/+abcdefgh",
            "abcdefghijABCDEFGHIJ0123456789",
            "[REDACTED AWS SECRET]",
        );
        masked(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEA",
            "[REDACTED PRIVATE KEY]",
        );
        masked(
            "token ghp_0123456789abcdefghijABCDEFGHIJ0123456789 x",
            "ghp_0123456789",
            "[REDACTED GITHUB TOKEN]",
        );
        masked(
            "github_pat_11ABCDEFG0123456789_abcdefghij",
            "github_pat_11ABC",
            "[REDACTED GITHUB TOKEN]",
        );
        masked(
            "key sk-ant-api03-abcdefghijklmnopqrstu",
            "sk-ant-api03",
            "[REDACTED API KEY]",
        );
        masked(
            "xoxb-1234567890-abcdefghij",
            "xoxb-1234567890",
            "[REDACTED SLACK TOKEN]",
        );
        masked(
            "xapp-1-A0123456789-abc",
            "xapp-1-A012",
            "[REDACTED SLACK TOKEN]",
        );
        masked(
            "glpat-abcdefghij0123456789",
            "glpat-abcdefghij",
            "[REDACTED GITLAB TOKEN]",
        );
        masked(
            "AIzaSyA0123456789abcdefghijklmnopqrstu-, next",
            "AIzaSyA0123456789",
            "[REDACTED GOOGLE API KEY],",
        );
        masked(
            "sk_live_0123456789abcdefXYZ",
            "sk_live_0123",
            "[REDACTED STRIPE KEY]",
        );
        masked(
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
            "eyJhbGciOiJIUzI1NiJ9",
            "[REDACTED JWT]",
        );
        masked(
            "Authorization: Bearer toka6482fe6abcdefghijKLMNOP",
            "toka6482fe6",
            "Bearer [REDACTED]",
        );
        masked(
            "postgres://svc:pwe5856cfa@db.internal:5432/app",
            "pwe5856cfa",
            "[REDACTED CONNECTION STRING]@db.internal",
        );
        masked(
            "DB_PASSWORD=hunter2 next",
            "hunter2",
            "[REDACTED CREDENTIAL]",
        );
        masked("api_key: abc123def", "abc123def", "[REDACTED CREDENTIAL]");
    }

    #[test]
    fn the_servers_gaps_are_masked_too() {
        masked(
            "open /Users/bob/work/.env failed",
            "bob",
            "/Users/****/work/.env",
        );
        masked("open /home/alice/.ssh/id_rsa", "alice", "/home/****/.ssh");
        masked(
            r"C:\Users\carol\AppData\x",
            "carol",
            r"C:\Users\****\AppData",
        );
        masked("c:/users/dave/x", "dave", "c:/users/****/x");
        masked(
            "fetch https://user:s3cretpw@git.example.com/repo",
            "s3cretpw",
            "https://[REDACTED CREDENTIALS]@git.example.com",
        );
        masked(
            "ftp://u:pa55w0rd@host/",
            "pa55w0rd",
            "[REDACTED CREDENTIALS]",
        );
        masked(
            "hf_abcdefghijklmnopqrstuvwxyzABCDEF",
            "hf_abcdefghij",
            "[REDACTED API KEY]",
        );
        masked(
            "npm_abcdefghijklmnopqrstuvwxyz0123456789",
            "npm_abcdef",
            "[REDACTED NPM TOKEN]",
        );
        masked(
            "SG.abcdefghijklmnopqr.abcdefghijklmnopqrst",
            "SG.abcdefghij",
            "[REDACTED API KEY]",
        );
        masked(
            "DefaultEndpointsProtocol=https;AccountKey=abcdefghijklmnopqrstuv==;x",
            "abcdefghijklmnop",
            "AccountKey=[REDACTED]",
        );
        masked(
            "header x-api-key: 0123456789abcdef",
            "0123456789abcdef",
            "x-api-key: [REDACTED]",
        );
        masked(
            r#"{"password": "hunter22"}"#,
            "hunter22",
            r#""password": "[REDACTED]""#,
        );
        masked(
            "Authorization: Basic dXNlcjpwYXNzd29yZDEyMzQ=",
            "dXNlcjpwYXNz",
            "Basic [REDACTED]",
        );
    }

    #[test]
    fn ordinary_text_is_not_touched() {
        for s in [
            "0b6f3f2e-5a0e-4c1e-9d51-2f1d8c9a7e01",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "sha 3f786850e387550fdab836ed7e6dc881de23001b and e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "the token expired; password reset failed; key not found",
            "401 Unauthorized: invalid x-api-key",
            "sk-1 is short",
            "see /home/ and /usr/lib/x.so",
            "claude exited with status 1",
            "https://example.com/path?q=1",
            "user@example.com wrote",
            "429 Too Many Requests: rate_limit_error",
            "任务超时，请重试",
            "/home/****/already/masked",
        ] {
            let r = redact(s);
            assert_eq!(r.text, s);
            assert_eq!(r.total_hits(), 0, "{s}");
        }
    }

    #[test]
    fn control_sequences_are_removed_and_text_kept() {
        let cases = [
            ("\u{1b}[31mred\u{1b}[0m", "red"),
            ("clip \u{1b}]52;c;ZXZpbA==\u{7}done", "clip done"),
            ("title \u{1b}]0;pwned\u{1b}\\ok", "title ok"),
            ("reset\u{1b}c now", "reset now"),
            ("bell\u{7}\r\n", "bell\n"),
            ("c1 \u{9b}2Jx", "c1 x"),
            ("bidi \u{202e}txt", "bidi txt"),
            ("keep\ttab\nand 中文", "keep\ttab\nand 中文"),
            ("charset \u{1b}(B ok", "charset  ok"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input).text, want, "{input:?}");
        }
        assert_eq!(strip_controls("plain"), (Cow::Borrowed("plain"), 0));
        assert_eq!(strip_controls("a\u{1b}[1mb").1, 1);
    }

    #[test]
    fn a_secret_split_by_an_escape_sequence_is_still_masked() {
        let r = redact("gh\u{1b}[0mp_0123456789abcdefghijABCDEFGHIJ0123456789");
        assert_eq!(r.text, "[REDACTED GITHUB TOKEN]");
        assert_eq!(r.controls_removed, 1);
    }

    #[test]
    fn cap_counts_chars_and_says_what_was_cut() {
        assert_eq!(cap("short", 10), "short");
        assert_eq!(cap("abcdefghij", 4), "abcd… [+6 chars, 10 total]");
        assert_eq!(cap("中文中文中文", 2), "中文… [+4 chars, 6 total]");
    }

    #[test]
    fn hits_are_counted_per_kind() {
        let r = redact("AKIAABCDEFGHIJKLMNOP and AKIAZZZZZZZZZZZZZZZZ at /home/bob/x");
        assert_eq!(
            r.hits,
            vec![(SecretKind::AwsKeyId, 2), (SecretKind::HomePath, 1)]
        );
    }

    use proptest::prelude::*;

    const SERVER_SECRETS: [&str; 8] = [
        "AKIAABCDEFGHIJKLMNOP",
        "ghp_0123456789abcdefghijABCDEFGHIJ0123456789",
        "sk-abcdefghijklmnopqrstuvwxyz",
        "Bearer abc.def-ghi",
        "postgres://u:p@h",
        "TOKEN=xyz",
        "xoxb-0123456789-abc",
        "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.dozjgNryP4J3jVm",
    ];

    proptest! {
        #[test]
        fn never_panics_and_leaves_no_control(s in "\\PC*|[\\x00-\\x{ff}]{0,64}") {
            let r = redact(&s);
            prop_assert!(!r.text.chars().any(is_stripped));
        }

        #[test]
        fn identical_to_the_server_on_its_own_rules(
            pre in "[a-z ,.!?]{0,20}",
            secret in prop::sample::select(SERVER_SECRETS.to_vec()),
            post in "[a-z ,.!?]{0,20}",
            esc in any::<bool>(),
        ) {
            let text = format!("{pre} {secret}{} {post}", if esc { "\u{1b}[0m" } else { "" });
            let (clean, _) = strip_controls(&text);
            prop_assert_eq!(redact(&text).text, server_rules_sequential(&clean));
        }
    }
}
