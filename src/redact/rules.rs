//! The secret rules, in order: the server's own (same patterns, placeholders and order, so a
//! text the server redacted comes out the same), then its gaps.

use std::sync::{LazyLock, OnceLock};

use regex::Regex;

use super::SecretKind;

/// A name under which a value is a secret: `password`, `token`, `api_key`, `secret_key`, and any
/// `*_password`, `*_secret`, `*_token`, `*_key` of those kinds (`db_password`, `aws_session_token`).
const SECRET_NAME: &str = r"(?:[a-z0-9]+[_-])*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?)";
/// A word each of those names holds (the fewer, the quicker the search for them: `api` stands
/// for `api_key`, `api-key` and `apikey`; the name gate keeps it from unlocking much).
const SECRET_ANCHORS: &[&str] = &[
    "passw",
    "pwd",
    "secret",
    "token",
    "api",
    "access",
    "private",
    "credential",
];

/// A placeholder, with whatever a value glued to it (`[REDACTED JWT]`, `[REDACTED]hunter2`),
/// before a value's other spellings: a value group (`v`) holds it whole, to be judged exact.
const PLACEHOLDER_OR: &str = r#"\[REDACTED[A-Z ]*\][^\s"',;]*|"#;

/// Whether `value` (less the quotes and backslashes around a value) is exactly a placeholder.
pub(super) fn is_placeholder(value: &str) -> bool {
    static ALL: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let mut all = vec![super::split::PLACEHOLDER, super::known::PLACEHOLDER];
        for rule in RULES.iter() {
            let r = rule.replacement;
            if let Some(start) = r.find("[REDACTED") {
                let end = start + r[start..].find(']').expect("a placeholder ends") + 1;
                all.push(&r[start..end]);
            }
        }
        all
    });
    let value = value.trim_matches(['"', '\'', '\\', ' ']);
    value.starts_with("[REDACTED") && ALL.contains(&value)
}

/// Whether a field of this name holds a secret (for structured data: a recording's JSON).
pub fn is_secret_name(key: &str) -> bool {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!("(?i)^{SECRET_NAME}$")).expect("valid regex"));
    NAME.is_match(key)
}

pub(super) struct Rule {
    pub kind: SecretKind,
    /// The pattern as Go's RE2 reads it (ASCII `\b` and `\s`).
    pattern: String,
    /// Compiled the first time a text needs it: compiling every rule's two regexes costs
    /// ~20 ms before anything is read, and a run needs few of them.
    re: OnceLock<Regex>,
    through: OnceLock<Regex>,
    pub replacement: &'static str,
    /// Literals (matched case-insensitively) of which at least one must occur for a match.
    pub anchors: &'static [&'static str],
    /// One of upstream's own rules (the benchmark peer applies only these).
    pub server: bool,
    /// One of the Octo fork's own rules: upstream's less those it never took
    /// (fork `server/pkg/redact/redact.go` at its PR #33).
    pub fork: bool,
    /// A further cheap condition every match needs.
    pub gate: Gate,
}

/// A condition a rule's every match needs beyond an anchor, checked before the rule is run.
/// Each holds of the text before any rule ran, since no replacement creates what it looks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    None,
    /// A secret's name (its last word: `key`, `token`, `url` …) then, past ASCII spaces, one of
    /// `=`, `:`, `"`, `\`, `%`.
    NamedValue,
    /// `ey` then ten characters of `[A-Za-z0-9_-]`: a JWT's start.
    JwtStart,
    /// `t-` or `u-` then thirty such characters: a Lark token's start.
    LarkToken,
}

impl Gate {
    /// A run gate's prefixes (case-sensitive) and how many token characters must follow one.
    pub(super) fn run(self) -> Option<(&'static [&'static str], usize)> {
        match self {
            Gate::JwtStart => Some((&["ey"], 10)),
            Gate::LarkToken => Some((&["t-", "u-"], 30)),
            Gate::None | Gate::NamedValue => None,
        }
    }
}

impl Rule {
    /// The rule's regex.
    pub fn re(&self) -> &Regex {
        self.re
            .get_or_init(|| Regex::new(&self.pattern).expect("redaction rules compile"))
    }

    /// [`Rule::re`] reading through the marks where characters were removed (see `through`).
    pub fn through(&self) -> &Regex {
        self.through
            .get_or_init(|| super::through::through(&self.pattern))
    }

    fn gated(self, gate: Gate) -> Rule {
        Rule { gate, ..self }
    }

    /// A rule of upstream's that the fork does not have: what it matches reached fork users.
    fn upstream_only(self) -> Rule {
        Rule {
            fork: false,
            ..self
        }
    }
}

// Go's RE2 `\b` and `\s` are ASCII; spell them so here for identical matching. `\s` also takes
// the mark that stands where a character was removed (`super::mask::MARK`): what the removed
// character parted is parted by a space for every rule, so `Bearer<filler>token` is a bearer
// token. And the barrier over what a rule before took (`super::mask::BARRIER`), as the
// placeholder it will be.
const B: &str = r"(?-u:\b)";
const S: &str = r"[\t\n\x0C\r \x01\x02]";
const NOT_S: &str = r"[^\t\n\x0C\r \x01\x02]";

fn rule(
    kind: SecretKind,
    pattern: &str,
    replacement: &'static str,
    anchors: &'static [&'static str],
    server: bool,
) -> Rule {
    let pattern = pattern
        .replace(r"\b", B)
        .replace(r"\s", S)
        .replace(r"\S", NOT_S);
    Rule {
        kind,
        pattern,
        re: OnceLock::new(),
        through: OnceLock::new(),
        replacement,
        anchors,
        server,
        fork: server,
        gate: Gate::None,
    }
}

pub(super) static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
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
        )
        .gated(Gate::NamedValue),
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
        )
        .upstream_only(),
        rule(
            ApiKey,
            r"\bsk-[A-Za-z0-9_-]{20,}\b",
            "[REDACTED API KEY]",
            &["sk-"],
            true,
        ),
        // Upstream's class is `xox[bporase]`; the fork's lacks `e`: one rule each side.
        rule(
            SlackToken,
            r"\bxox[bporas]-[A-Za-z0-9\-]{10,}\b",
            "[REDACTED SLACK TOKEN]",
            &["xox"],
            true,
        ),
        rule(
            SlackToken,
            r"\bxoxe-[A-Za-z0-9\-]{10,}\b",
            "[REDACTED SLACK TOKEN]",
            &["xoxe-"],
            true,
        )
        .upstream_only(),
        rule(
            SlackToken,
            r"\bxapp-[A-Za-z0-9-]{10,}\b",
            "[REDACTED SLACK TOKEN]",
            &["xapp-"],
            true,
        )
        .upstream_only(),
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
        )
        .upstream_only(),
        rule(
            StripeKey,
            r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}\b",
            "[REDACTED STRIPE KEY]",
            &["_live_"],
            true,
        )
        .upstream_only(),
        rule(
            Jwt,
            r"\bey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b",
            "[REDACTED JWT]",
            &["ey"],
            true,
        )
        .gated(Gate::JwtStart),
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
            r"(?i)(?:API_KEY|API_SECRET|SECRET_KEY|SECRET|ACCESS_TOKEN|AUTH_TOKEN|PRIVATE_KEY|DATABASE_URL|DB_PASSWORD|DB_URL|REDIS_URL|PASSWORD|TOKEN)\s*[=:]\s*(?P<v>\S+)",
            "[REDACTED CREDENTIAL]",
            &["api_key", "secret", "token", "private", "_url", "passw"],
            true,
        )
        .gated(Gate::NamedValue),
        // The server's gaps. Multica's own tokens.
        rule(
            MulticaToken,
            r"\b(?:mul|mdt|mat|mcn)_[A-Za-z0-9_-]{16,}",
            "[REDACTED MULTICA TOKEN]",
            &["mul_", "mdt_", "mat_", "mcn_"],
            false,
        ),
        rule(
            AwsKeyId,
            r"\bASIA[0-9A-Z]{16}\b",
            "[REDACTED AWS KEY]",
            &["asia"],
            false,
        ),
        // A key id glued to the word before it (a removed escape such as `\b` left a letter
        // there) or after it: the server's `\b…\b` misses it.
        rule(
            AwsKeyId,
            r"(^|[^0-9A-Z])(?:AKIA|ASIA)[0-9A-Z]{16}",
            "${1}[REDACTED AWS KEY]",
            &["akia", "asia"],
            false,
        ),
        // Private key blocks the server misses: PGP's `… KEY BLOCK`, and a block cut before its
        // END line (masked to the end of the text).
        rule(
            PrivateKey,
            r"(?s)-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
            "[REDACTED PRIVATE KEY]",
            &["-----begin"],
            false,
        ),
        // An unsigned JWT (`alg: none`): its signature part is empty.
        rule(
            Jwt,
            r"\bey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*",
            "[REDACTED JWT]",
            &["ey"],
            false,
        )
        .gated(Gate::JwtStart),
        // Credentials in a URL of any scheme, also JSON-escaped (`:\/\/`) or percent-encoded:
        // `user:pass@` (an empty user, `/` in the password, `@` in the user), or a long
        // token-only user. The scheme may be gone (masked with a secret glued to it): `://`
        // is enough.
        rule(
            UrlCredentials,
            r"(?i)(\b[a-z][a-z0-9+.-]*)?(://|:\\/\\/)[^\s/?#:]*:[^\s@]*@",
            "$1$2[REDACTED CREDENTIALS]@",
            &["://", ":\\/\\/"],
            false,
        ),
        rule(
            UrlCredentials,
            r"(?i)(\b[a-z][a-z0-9+.-]*)?(://|:\\/\\/)[^\s/?#:]{16,}@",
            "$1$2[REDACTED CREDENTIALS]@",
            &["://", ":\\/\\/"],
            false,
        ),
        rule(
            UrlCredentials,
            r"(?i)(%3A%2F%2F)[^\s&/?#%]*(?:%3A|:)[^\s&/?#]*?%40",
            "$1[REDACTED CREDENTIALS]%40",
            &["%3a%2f%2f"],
            false,
        ),
        // Any user's home directory: Unix and macOS in any case, Windows with either slash or a
        // JSON-escaped backslash, and percent-encoded.
        rule(
            HomePath,
            r"(?i)(/home/|/users/)[^/\s*\\][^/\s\\]*",
            "${1}****",
            &["/home/", "users"],
            false,
        ),
        // root's home, as the server masks its own home on the official image (`/root` → `/****`).
        rule(HomePath, r"/root\b", "/****", &["/root"], false),
        rule(
            HomePath,
            r#"(?i)\b([a-z]:(?:\\\\|\\|/)users(?:\\\\|\\|/))[^\\/\s*"]+"#,
            "${1}****",
            &["users"],
            false,
        ),
        rule(
            HomePath,
            r"(?i)(%2Fhome%2F|%2Fusers%2F|%5Cusers%5C)[^%\s&/*]+",
            "${1}****",
            &["%2fhome%2f", "users"],
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
        // The relays' own credentials: a bot's webhook URL or token lets anyone post as the bot.
        rule(
            LarkWebhook,
            r"(?i)(/open-apis/bot/v2/hook/)[A-Za-z0-9_-]{8,}",
            "${1}[REDACTED LARK WEBHOOK]",
            &["/open-apis/bot/v2/hook/"],
            false,
        ),
        rule(
            WecomWebhook,
            r"(?i)(/cgi-bin/webhook/[a-z_]+\?(?:[^\s#]*?&)?key=)[A-Za-z0-9_-]{8,}",
            "${1}[REDACTED WECOM WEBHOOK]",
            &["/cgi-bin/webhook/"],
            false,
        ),
        rule(
            SlackWebhook,
            r"(?i)(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]{8,}",
            "${1}[REDACTED SLACK WEBHOOK]",
            &["hooks.slack.com/"],
            false,
        ),
        rule(
            DiscordWebhook,
            r"(?i)(discord(?:app)?\.com/api/(?:v[0-9]+/)?webhooks/[0-9]{5,}/)[A-Za-z0-9_-]{20,}",
            "${1}[REDACTED DISCORD WEBHOOK]",
            &["discord"],
            false,
        ),
        rule(
            TelegramBotToken,
            r"(?i)(api\.telegram\.org/(?:file/)?bot)[0-9]{5,12}:[A-Za-z0-9_-]{30,}",
            "${1}[REDACTED TELEGRAM BOT TOKEN]",
            &["telegram.org/"],
            false,
        ),
        // A bot token alone: the bot's id, then `AA` and 33 more.
        rule(
            TelegramBotToken,
            r"\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33,}",
            "[REDACTED TELEGRAM BOT TOKEN]",
            &[":aa"],
            false,
        ),
        rule(
            DingtalkSecret,
            r"\bSEC[0-9a-f]{64}\b",
            "[REDACTED DINGTALK SECRET]",
            &["sec"],
            false,
        ),
        // Lark's tenant, app and user access tokens.
        rule(
            LarkToken,
            r"\b[tu]-[A-Za-z0-9]{30,}\b",
            "[REDACTED LARK TOKEN]",
            &["t-", "u-"],
            false,
        )
        .gated(Gate::LarkToken),
        // Cloud and package registries' tokens.
        rule(
            VaultToken,
            r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}",
            "[REDACTED VAULT TOKEN]",
            &["hvs.", "hvb.", "hvr."],
            false,
        ),
        rule(
            DockerToken,
            r"\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}",
            "[REDACTED DOCKER TOKEN]",
            &["dckr_"],
            false,
        ),
        rule(
            PypiToken,
            r"\bpypi-AgE[A-Za-z0-9_-]{50,}",
            "[REDACTED PYPI TOKEN]",
            &["pypi-age"],
            false,
        ),
        rule(
            GoogleOauthToken,
            r"\bya29\.[A-Za-z0-9_-]{20,}",
            "[REDACTED GOOGLE OAUTH TOKEN]",
            &["ya29."],
            false,
        ),
        rule(
            AzureSas,
            r"(?i)([?&]sig=)[A-Za-z0-9%+/=]{16,}",
            "${1}[REDACTED AZURE SAS]",
            &["sig="],
            false,
        ),
        // HTTP credentials: any scheme's (`Token`, `Digest`, `Bot` …) or none, and cookies.
        rule(
            AuthHeader,
            &format!(
                r#"(?i)\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:[a-z][a-z0-9_-]*[\t \x01\x02]+)?)(?P<v>{PLACEHOLDER_OR}[^\s"',;]+)"#
            ),
            "${1}[REDACTED]",
            &["authorization"],
            false,
        ),
        rule(
            Cookie,
            r#"(?i)\b((?:set-)?cookie["']?\s*[:=]\s*["']?)[^\s=;,"']+=[^\s;,"']*(?:;[\t ]*[^\s=;,"']+=[^\s;,"']*)*"#,
            "${1}[REDACTED COOKIE]",
            &["cookie"],
            false,
        ),
        // Values under a secret's name, whatever the prefix (`db_password`, `aws_session_token`):
        // JSON, JSON inside a JSON string, `name=value` / `name: value`, and percent-encoded.
        rule(
            KeyValue,
            &format!(r#"(?i)"({SECRET_NAME})"\s*:\s*(?P<v>"(?:[^"\\]|\\.)*")"#),
            r#""$1": "[REDACTED]""#,
            SECRET_ANCHORS,
            false,
        )
        .gated(Gate::NamedValue),
        rule(
            KeyValue,
            &format!(r#"(?i)\\"({SECRET_NAME})\\"\s*:\s*(?P<v>\\"(?:[^"\\]|\\[^"])*\\")"#),
            r#"\"$1\": \"[REDACTED]\""#,
            SECRET_ANCHORS,
            false,
        )
        .gated(Gate::NamedValue),
        rule(
            KeyValue,
            &format!(r#"(?i)\b({SECRET_NAME})(%3D|%22%3A%22|%3A)(?P<v>[^\s&"]+)"#),
            "$1$2[REDACTED]",
            SECRET_ANCHORS,
            false,
        )
        .gated(Gate::NamedValue),
        rule(
            KeyValue,
            &format!(r#"(?i)\b({SECRET_NAME}|x-api-key|api-key)\s*[=:]\s*["']?(?P<v>[^\s"',;&]+)"#),
            "$1: [REDACTED]",
            SECRET_ANCHORS,
            false,
        )
        .gated(Gate::NamedValue),
        rule(
            BasicAuth,
            r"(?i)\bBasic\s+[A-Za-z0-9+/]{16,}={0,2}",
            "Basic [REDACTED]",
            &["basic"],
            false,
        ),
    ]
});
