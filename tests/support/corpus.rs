//! Secrets of every kind a failure text can carry, each built around a unique tag: a tag seen in
//! an output is that secret, unmasked. Made-up values in real shapes. Plain std: the fuzz
//! target plants the same secrets.

/// What a tag may be made of, as the secret's own alphabet allows.
#[derive(Clone, Copy)]
pub enum Alphabet {
    /// Letters and digits.
    Alnum,
    /// Upper-case letters and digits.
    Upper,
    /// Lower-case letters and digits.
    Lower,
    /// Lower-case hex digits.
    Hex,
}

/// One kind of secret: its name, the alphabet of its tag and how it is built around the tag.
pub struct Kind {
    pub name: &'static str,
    pub alphabet: Alphabet,
    pub build: fn(&str) -> String,
}

/// A 10-character tag of `alphabet`, unique per (`kind`, `place`) (both under 256).
pub fn tag(alphabet: Alphabet, kind: usize, place: usize) -> String {
    match alphabet {
        Alphabet::Alnum => format!("Qz{kind:03}Xw{place:03}"),
        Alphabet::Upper => format!("QZ{kind:03}XW{place:03}"),
        Alphabet::Lower => format!("qz{kind:03}xw{place:03}"),
        Alphabet::Hex => format!("fe{kind:02x}c{place:02x}bda"),
    }
}

/// `s` padded with a fixed filler (letters and digits) to `len` characters.
fn pad(s: &str, len: usize) -> String {
    const FILL: &str = "aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2xY3zA4bC5dE6fG7hI8jK9lM0nO1p";
    let mut out = s.to_owned();
    out.push_str(&FILL[..len.saturating_sub(s.len())]);
    out
}

/// Lower-case hex filler.
fn hex_pad(s: &str, len: usize) -> String {
    const FILL: &str =
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let mut out = s.to_owned();
    out.push_str(&FILL[..len.saturating_sub(s.len())]);
    out
}

macro_rules! kind {
    ($name:literal, $alphabet:ident, |$t:ident| $body:expr) => {
        Kind {
            name: $name,
            alphabet: Alphabet::$alphabet,
            build: |$t: &str| $body,
        }
    };
}

/// Every kind: the relays' own credentials, cloud and package tokens, HTTP credentials, the
/// forms that dodge a rule (glued on by a removed character, behind an encoded separator, split
/// by an invisible filler, past a window), and the kinds masked since long (they must stay so).
pub const KINDS: &[Kind] = &[
    kind!("lark_webhook", Hex, |t| format!(
        "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-4a6b-8c7d-{t}ab"
    )),
    kind!("larksuite_webhook", Hex, |t| format!(
        "https://open.larksuite.com/open-apis/bot/v2/hook/9f8e7d6c-5b4a-4392-8170-{t}cd"
    )),
    kind!("wecom_webhook", Hex, |t| format!(
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7e4b-4bc4-97a0-{t}ef"
    )),
    kind!("slack_webhook", Alnum, |t| format!(
        "https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/{}",
        pad(t, 24)
    )),
    kind!("discord_webhook", Alnum, |t| format!(
        "https://discord.com/api/webhooks/1234567890123456789/{}",
        pad(t, 68)
    )),
    kind!("telegram_bot_token", Alnum, |t| format!(
        "bot token 7012345678:AA{} refused",
        pad(t, 33)
    )),
    kind!("telegram_bot_url", Alnum, |t| format!(
        "POST https://api.telegram.org/bot712345678:AA{}/sendMessage",
        pad(t, 33)
    )),
    kind!("dingtalk_secret", Hex, |t| format!(
        "sign with SEC{}",
        hex_pad(t, 64)
    )),
    kind!("dingtalk_robot_url", Hex, |t| format!(
        "https://oapi.dingtalk.com/robot/send?access_token={}",
        hex_pad(t, 64)
    )),
    kind!("lark_tenant_token", Alnum, |t| format!(
        "tenant_access_token t-g104{}",
        pad(t, 36)
    )),
    kind!("lark_user_token", Alnum, |t| format!(
        "user token u-{} expired",
        pad(t, 42)
    )),
    kind!("multica_node_token", Alnum, |t| format!(
        "node mcn_{}",
        pad(t, 32)
    )),
    kind!("vault_service_token", Alnum, |t| format!(
        "vault hvs.CAESI{}",
        pad(t, 90)
    )),
    kind!("vault_batch_token", Alnum, |t| format!(
        "vault hvb.AAAAAQ{}",
        pad(t, 80)
    )),
    kind!("docker_pat", Alnum, |t| format!(
        "login dckr_pat_{}",
        pad(t, 27)
    )),
    kind!("pypi_token", Alnum, |t| format!(
        "upload pypi-AgEIcHlwaS5vcmc{}",
        pad(t, 70)
    )),
    kind!("gcp_oauth", Alnum, |t| format!(
        "token ya29.a0{}",
        pad(t, 60)
    )),
    kind!("azure_sas", Alnum, |t| {
        format!(
        "GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&se=2027-01-01&sig={}%2B{}%3D",
        pad(t, 20),
        pad("", 20)
    )
    }),
    kind!("authorization_token", Alnum, |t| format!(
        "Authorization: Token {}",
        pad(t, 40)
    )),
    kind!("authorization_basic", Alnum, |t| format!(
        "Authorization: Basic {}",
        pad(t, 32)
    )),
    kind!("cookie", Alnum, |t| format!(
        "Cookie: theme=dark; session={}; lang=en",
        pad(t, 32)
    )),
    kind!("set_cookie", Alnum, |t| format!(
        "Set-Cookie: sid={}; Path=/; HttpOnly",
        pad(t, 32)
    )),
    kind!("bearer_pct_space", Alnum, |t| format!(
        "Authorization: Bearer%20{}",
        pad(t, 32)
    )),
    kind!("mul_pct_quote", Alnum, |t| format!(
        "GET /x?q=%22mul_{}%22",
        pad(t, 32)
    )),
    kind!("xoxb_pct_colon", Alnum, |t| format!(
        "auth%3Axoxb-{}",
        pad(t, 30)
    )),
    kind!("bearer_json_space", Alnum, |t| format!(
        r"Bearer\u0020{}",
        pad(t, 32)
    )),
    kind!("named_json_colon", Alnum, |t| format!(
        r"api_key\u003a{}",
        pad(t, 24)
    )),
    kind!("bearer_unicode_space", Alnum, |t| format!(
        "Bearer\u{2003}{}",
        pad(t, 32)
    )),
    kind!("ghp_glued_by_csi", Alnum, |t| format!(
        "GITHUB_TOKEN\u{1b}[0mghp_{}",
        pad(t, 36)
    )),
    kind!("mul_glued_by_rlo", Alnum, |t| format!(
        "body\u{202e}mul_{}",
        pad(t, 32)
    )),
    kind!("ghp_split_by_filler", Alnum, |t| format!(
        "ghp_abcdefghijklmnopqr\u{3164}{}",
        pad(t, 18)
    )),
    kind!("mul_split_by_u0890", Alnum, |t| format!(
        "mul_0123456789\u{890}{}",
        pad(t, 20)
    )),
    kind!("placeholder_then_value", Alnum, |t| format!(
        "password=[REDACTED]{}",
        pad(t, 12)
    )),
    kind!("kelvin_name", Alnum, |t| format!(
        "to\u{212a}en={}",
        pad(t, 16)
    )),
    kind!("past_a_window", Alnum, |t| format!(
        "{}https://admin:{}@db.internal:5432/x",
        "\u{200b}".repeat(991),
        pad(t, 40)
    )),
    kind!("ghp", Alnum, |t| format!("push ghp_{} failed", pad(t, 36))),
    kind!("anthropic_key", Alnum, |t| format!(
        "key sk-ant-api03-{}",
        pad(t, 40)
    )),
    kind!("aws_key_id", Upper, |t| format!("AKIA{t}ABCDEF")),
    kind!("postgres_url", Alnum, |t| format!(
        "postgres://svc:{t}@db:5432/app"
    )),
    kind!("jwt", Alnum, |t| format!(
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi{}.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        pad(t, 20)
    )),
    kind!("slack_bot_token", Alnum, |t| format!(
        "xoxb-1234567890-{}",
        pad(t, 24)
    )),
    kind!("pct_url_credentials", Alnum, |t| format!(
        "redirect https%3A%2F%2Fu%3A{t}%40host.example%2Fx"
    )),
    kind!("home_path", Lower, |t| format!("open /home/{t}/.env")),
    kind!("sentry_dsn", Hex, |t| format!(
        "https://{}@o123.ingest.sentry.io/456",
        hex_pad(t, 32)
    )),
    kind!("multica_token", Alnum, |t| format!("mul_{}", pad(t, 40))),
];

/// The secret of `kind` for `place`, and its tag.
pub fn secret(kind: usize, place: usize) -> (String, String) {
    let k = &KINDS[kind];
    let t = tag(k.alphabet, kind, place);
    ((k.build)(&t), t)
}
