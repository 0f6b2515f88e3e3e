use super::clean::is_stripped;
use super::mask::{mask, move_places, Places};
use super::rules::RULES;
use super::*;

/// [`mask::mask_rules`] with no places to move.
fn mask_rules(clean: Cow<'_, str>, wanted: u64) -> Masked<'_> {
    mask::mask_rules(clean, wanted, &mut Places::default(), false)
}

/// [`move_places`] of places that are all there.
fn move_cuts(cuts: &mut Vec<usize>, edits: &[(std::ops::Range<usize>, usize)]) {
    let mut places: Vec<Option<usize>> = cuts.iter().copied().map(Some).collect();
    move_places(&mut places, edits);
    *cuts = places.into_iter().flatten().collect();
}

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

/// Rules are compiled when a text first needs them: each must compile, both ways, and the
/// reading through removed characters must match what the plain one matches.
#[test]
fn every_rule_compiles_plain_and_through_marks() {
    for rule in RULES.iter() {
        let (plain, through) = (rule.re(), rule.through());
        for anchor in rule.anchors {
            assert_eq!(plain.is_match(anchor), through.is_match(anchor), "{anchor}");
        }
    }
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

/// A removed character parts what stood either side of it, as it did for the server reading the
/// raw text: a token glued to the word before it by the removal is still a token.
#[test]
fn a_token_right_after_a_removed_character_is_masked() {
    const MUL: &str = "mul_0123456789abcdef0123456789abcdef01234567";
    const GHP: &str = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
    for gap in [
        "\u{7}",
        "\u{202e}",
        "\u{200b}",
        "\u{1b}[0m",
        "\u{feff}\u{202e}",
    ] {
        for (token, placeholder) in [
            (MUL, "[REDACTED MULTICA TOKEN]"),
            (GHP, "[REDACTED GITHUB TOKEN]"),
        ] {
            let input = format!("agent_error.x{gap}{token} done");
            let r = redact(&input);
            assert_eq!(
                r.text,
                format!("agent_error.x{placeholder} done"),
                "{input:?}"
            );
            assert_eq!(r.total_hits(), 1, "{input:?}");
            assert_eq!(redact_line(&input, MAX_ID_CHARS), r.text, "{input:?}");
            assert_eq!(redact_id(&input), r.text, "{input:?}");
        }
    }
    // Joined, the text still shows what a removal split: both at once.
    let both = format!("gh\u{200b}p_{} x\u{7}{MUL}", &GHP[4..]);
    let r = redact(&both);
    assert_eq!(r.text, "[REDACTED GITHUB TOKEN] x[REDACTED MULTICA TOKEN]");
    assert_eq!(
        r.hits,
        [(SecretKind::GithubToken, 1), (SecretKind::MulticaToken, 1)]
    );
    assert_eq!(
        r.beyond_server,
        Beyond {
            upstream: 1,
            fork: 1
        },
        "the Multica rule is one of both servers' gaps"
    );
    // Nothing glued to a token: the removal changes nothing else.
    assert_eq!(redact("a\u{202e}b mul_short").text, "ab mul_short");
}

#[test]
fn a_server_secret_glued_on_by_a_removal_is_masked_as_the_server_masks_it_alone() {
    for secret in SERVER_SECRETS {
        for gap in ["\u{7}", "\u{202e}", "\u{1b}[0m"] {
            let r = redact(&format!("x{gap}{secret} end"));
            let alone = server_rules_sequential(&format!("{secret} end"));
            assert_eq!(r.text, format!("x{alone}"), "{secret:?} after {gap:?}");
        }
    }
}

#[test]
fn a_token_glued_on_by_one_removal_and_split_by_another_is_masked_whole() {
    const GHP: &str = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
    for gap in ["\u{7}", "\u{202e}", "\u{200b}", "\u{1b}[0m"] {
        // Glued to the word before it, and split inside: the server saw one token after an
        // edge; neither joining alone nor parting at every removal shows it.
        let input = format!("x{gap}{}\u{200b}{} end", &GHP[..20], &GHP[20..]);
        let r = redact(&input);
        assert_eq!(r.text, "x[REDACTED GITHUB TOKEN] end", "{input:?}");
        assert_eq!(r.total_hits(), 1, "{input:?}");
        assert_eq!(redact_id(&input), r.text, "{input:?}");
    }
    // A later cut still parts a second token glued on after the first was masked.
    let two = format!("a\u{7}{GHP} b\u{202e}{GHP}");
    assert_eq!(
        redact(&two).text,
        "a[REDACTED GITHUB TOKEN] b[REDACTED GITHUB TOKEN]"
    );
}

#[test]
fn what_the_fork_never_masked_is_beyond_its_rules_only() {
    // fork server/pkg/redact/redact.go (PR #33) lacks these five of upstream's rules.
    for secret in [
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123",
        "xoxe-1-abcdefghijklmnop",
        "xapp-1-A0123456789-abcdef",
        "AIzaSyA0123456789abcdefghijklmnopqrstuv",
        "sk_live_0123456789abcdefABCD",
    ] {
        let r = redact(&format!("failed: {secret} end"));
        assert_eq!(r.total_hits(), 1, "{secret}: masked on our side");
        assert_eq!(
            r.beyond_server,
            Beyond {
                upstream: 0,
                fork: 1
            },
            "{secret}"
        );
    }
    // Rules both servers have: nobody's gap.
    for secret in [
        "xoxb-1234567890-abcdefghij",
        "ghp_0123456789abcdefghijABCDEFGHIJ0123456789",
    ] {
        let r = redact(&format!("failed: {secret} end"));
        assert_eq!(
            (r.total_hits(), r.beyond_server),
            (1, Beyond::default()),
            "{secret}"
        );
    }
}

#[test]
fn cuts_move_with_the_masks_and_go_with_a_masked_secret() {
    let mut cuts = vec![2, 5, 8, 12];
    // 3..7 became 10 bytes; 10..12 became 1.
    move_cuts(&mut cuts, &[(3..7, 10), (10..12, 1)]);
    assert_eq!(cuts, [2, 14, 17]);
    let mut cuts = vec![3, 7];
    move_cuts(&mut cuts, &[(3..7, 1)]);
    assert_eq!(cuts, [3, 4], "the edges of a match stay");
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

/// Every class of secret failwatch plants for itself (values made up, formats real), in the
/// forms the server's rules miss: none may survive.
const PLANTED: &[(&str, &str)] = &[
    ("auth failed for mul_0123456789abcdef0123456789abcdef01234567 (revoked)", "mul_0123"),
    ("MULTICA_TOKEN mul_fedcba9876543210fedcba9876543210fedcba98", "mul_fedc"),
    ("daemon token mdt_Zq3xY8w1Lk9PqRs7Tu2Vw4Xy", "mdt_Zq3x"),
    ("agent token mat_Ab12Cd34Ef56Gh78Ij90Kl", "mat_Ab12"),
    ("connect redis://:R3disPassw0rd@cache:6379/0", "R3disPassw0rd"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAz9kP4\nq7Vv2", "MIIEowIBAAKCAQEAz9kP4"),
    ("-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBGX7abcdEFGH\n-----END PGP PRIVATE KEY BLOCK-----", "lQOYBGX7abcdEFGH"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA", "b3BlbnNzaC1rZXktdjEAAAA"),
    (r#"{"db_password": "Db-Pa55w0rd!"}"#, "Db-Pa55w0rd!"),
    (r#"{"secret_key":"sEcReT-kEy-123"}"#, "sEcReT-kEy-123"),
    (r#"payload {\"password\":\"esc4p3d-pw\"} sent"#, "esc4p3d-pw"),
    ("GET /login?user=bob&password%3DUrlEnc0ded&x=1", "UrlEnc0ded"),
    ("redirect https%3A%2F%2Fu%3ApwEnc0d3d%40host.example%2Fx", "pwEnc0d3d"),
    ("path %2Fhome%2Fsecretuser%2Fproj", "secretuser"),
    (r#"{"path":"C:\\Users\\winuser\\proj"}"#, "winuser"),
    (r"open C:\Users/mixeduser/proj", "mixeduser"),
    ("open /users/lowercaseuser/proj", "lowercaseuser"),
    ("jwt eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "eyJzdWIiOiJhZG1pbiJ9"),
    ("aws ASIAIOSFODNN7EXAMPL2 with session", "ASIAIOSFODNN7EXAMPL2"),
    ("https://me@corp.example:S3cr3t@git.example.com/r", "S3cr3t"),
    ("https://u:pa/ss-w0rd@git.example.com/r", "ss-w0rd"),
    ("push https://0123456789abcdef0123456789abcdef@github.com/o/r", "0123456789abcdef0123"),
    ("token ghp_0123456789abcdefghij\nABCDEFGHIJ0123456789 split", "ABCDEFGHIJ0123456789"),
    ("key sk-ant-api03-AbCd\u{200b}EfGhIjKlMnOpQrStUv", "EfGhIjKlMnOp"),
    ("key sk-ant-api03-AbCd\u{ad}EfGhIjKlMnOpQrStUv", "EfGhIjKlMnOp"),
    (r#"{"api_key":"k-9f8e7d6c5b4a"}"#, "k-9f8e7d6c5b4a"),
    (r#"{"token":"mul_00112233445566778899aabbccddeeff00112233"}"#, "00112233445566778899"),
    (r#"{"aws_secret_access_key":"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"}"#, "wJalrXUtnFEMIK7MDENG"),
    (r#"{"DB_PASSWORD":"hunter2hunter2"}"#, "hunter2hunter2"),
    ("aws_session_token=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH", "IQoJb3JpZ2luX2Vj"),
    ("x-api-key: abc123def456ghi", "abc123def456ghi"),
    ("github_token: ghx-not-a-prefix-but-named", "ghx-not-a-prefix-but-named"),
    ("https:\\/\\/u:jsonEsc4ped@host\\/x", "jsonEsc4ped"),
    // Standard forms, which the server masks too.
    ("key sk-proj-abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuv"),
    ("mongodb+srv://svc:M0ng0pw@cluster0.example.net/db", "M0ng0pw"),
    ("ssh://deploy:SshPa55@host:22/repo", "SshPa55"),
    ("GET /x?access_token=AcCeSs-ToKeN-42", "AcCeSs-ToKeN-42"),
    ("Authorization: Bearer abcdef0123456789", "abcdef0123456789"),
];

#[test]
fn every_planted_secret_class_is_masked() {
    for (input, secret) in PLANTED {
        let r = redact(input);
        assert!(
            !r.text.contains(secret),
            "{secret} survived in {:?}",
            r.text
        );
        assert!(r.total_hits() >= 1, "{input:?}");
    }
}

#[test]
fn redacting_twice_gives_what_once_did() {
    // A recording holds redacted texts and a replay redacts them again: the two must agree.
    for (input, _) in PLANTED {
        let once = redact(input).text;
        assert_eq!(redact(&once).text, once, "{input:?}");
    }
    for secret in SERVER_SECRETS {
        let once = redact(&format!("failed: {secret} end")).text;
        assert_eq!(redact(&once).text, once, "{secret:?}");
    }
}

#[test]
fn a_secret_far_into_a_long_text_is_masked() {
    let long = format!(
        "{} ghp_0123456789abcdefghijABCDEFGHIJ0123456789",
        "x ".repeat(5000)
    );
    assert!(!redact(&long).text.contains("ghp_0123"));
}

#[test]
fn invisible_characters_are_removed_everywhere() {
    for c in [
        '\u{200e}', '\u{200f}', '\u{61c}', '\u{200b}', '\u{feff}', '\u{2028}', '\u{2067}',
        '\u{202e}', '\u{85}', '\u{0}',
    ]
    .into_iter()
    .chain(INVISIBLE)
    {
        let r = redact(&format!("a{c}b"));
        assert_eq!(r.text, "ab", "{:?}", c);
        assert_eq!(redact_line(&format!("a{c}b"), 10), "ab", "{:?}", c);
    }
    // A variation selector shows nothing either: an emoji keeps its base character.
    assert_eq!(redact("⚠️ x").text, "⚠ x");
    // Letters of the same scripts stay.
    assert_eq!(redact("ㅎ한글 ᠠ ខ ⠁ 𝅘𝅥").text, "ㅎ한글 ᠠ ខ ⠁ 𝅘𝅥");
}

/// Characters that show nothing and are no format character: Unicode 14's new format
/// characters, the Hangul fillers, the Braille blank, the combining grapheme joiner, Khmer's
/// inherent vowels, Mongolian's and the general variation selectors, a null notehead.
const INVISIBLE: [char; 16] = [
    '\u{890}',
    '\u{891}',
    '\u{115f}',
    '\u{1160}',
    '\u{3164}',
    '\u{ffa0}',
    '\u{2800}',
    '\u{34f}',
    '\u{17b4}',
    '\u{17b5}',
    '\u{180b}',
    '\u{180f}',
    '\u{fe00}',
    '\u{fe0f}',
    '\u{e0100}',
    '\u{1d159}',
];

/// A removed invisible character neither joins a token to the word before it nor hides a part
/// of one.
#[test]
fn an_invisible_filler_neither_glues_nor_splits_a_token() {
    const GHP: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB";
    const MUL: &str = "mul_0123456789abcdef0123456789abcdef";
    for c in INVISIBLE {
        for (token, placeholder) in [
            (GHP, "[REDACTED GITHUB TOKEN]"),
            (MUL, "[REDACTED MULTICA TOKEN]"),
        ] {
            let split = format!("key {}{c}{} end", &token[..18], &token[18..]);
            assert_eq!(
                redact(&split).text,
                format!("key {placeholder} end"),
                "{c:?}"
            );
            assert_eq!(redact_id(&split), format!("key {placeholder} end"), "{c:?}");
            let glued = format!("GITHUB_TOKEN{c}{token} end");
            let r = redact(&glued);
            assert!(!r.text.contains(&token[4..16]), "{c:?}: {}", r.text);
        }
        // Standing where a space would, a filler parts a bearer token from its scheme.
        let bearer = format!("Authorization: Bearer{c}opaque0123456789");
        assert!(!redact(&bearer).text.contains("opaque"), "{c:?}");
    }
}

/// Removals inside a secret and around it, in any number: the secret is found whole and apart
/// from the words it was glued to.
#[test]
fn a_token_split_inside_and_glued_on_both_sides_is_masked() {
    const SEC: &str = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    for input in [
        format!("{}\u{ad}{}\0\0https://x", &SEC[..16], &SEC[16..]),
        format!("sign\u{7}{}\u{ad}{}\0https://x", &SEC[..16], &SEC[16..]),
        format!(
            "sign\u{7}S\u{200b}E{}\u{3164}{}\u{7}tail",
            &SEC[2..30],
            &SEC[30..]
        ),
    ] {
        let r = redact(&input);
        assert!(!r.text.contains("0123456789"), "{input:?}: {}", r.text);
        assert!(r.text.contains("[REDACTED DINGTALK SECRET]"), "{}", r.text);
    }
    // Glued after it, a word would make the joined token's match fall back to a boundary
    // inside it (the `-` of `xoxb-…-…`).
    let xoxb = "xoxb-123456789\\u31640-Qz040Xw000aB3dE5g\u{7}T__aaaaa";
    assert!(
        !redact(xoxb).text.contains("Qz040"),
        "{}",
        redact(xoxb).text
    );
    let xoxb = "xoxb-123456789\u{3164}0-Qz040Xw000aB3dE5g\u{7}T__aaaaa";
    assert!(
        !redact(xoxb).text.contains("Qz040"),
        "{}",
        redact(xoxb).text
    );
    // Two tokens, each split inside, glued one after the other.
    let jwt = "eyJhbGciOiJI\\bUzI1NiJ9.eyJzdWIiOiQz039Xw00Nb3dE5gH7j.dozjgNryP4J3jVmNHl0w5N";
    let two = format!(
        "x\u{7}{}\u{2066}{}\u{2066}",
        jwt.replace('N', "1"),
        jwt.replace('N', "2")
    );
    let r = redact(&two);
    assert!(!r.text.contains("Qz039"), "{}", r.text);
    let akia = "x\u{7}AKIA\u{200b}ABCDEFGH\u{200b}IJKLMNOP\u{7}y";
    assert_eq!(redact(akia).text, "x[REDACTED AWS KEY]y");
}

/// A greedy token does not swallow a secret, or a secret's name, that a removal glued after it.
#[test]
fn a_secret_glued_after_a_token_keeps_its_own_start() {
    let slack = "https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/aB3dE5gH7jK9mN";
    for (input, secret) in [
        (
            format!("{slack}\u{17b4}api_key\\u003aopaque0123"),
            "opaque0123",
        ),
        (format!("{slack}\u{200b}api_key=opaque0123"), "opaque0123"),
        (
            format!("ghp_{}\u{200b}xoxb-1234567890-abcdefghij", "a".repeat(36)),
            "1234567890",
        ),
        (
            "Authorization: Token opaque0123456789\u{7f}%27Set-Cookie: sid=sessi0n4567; Path=/"
                .to_owned(),
            "sessi0n4567",
        ),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0.dozjgNryP4J3jVmNHl0w5N\u{3164}Set-Cookie: sid=sessi0n4567"
                .to_owned(),
            "sessi0n4567",
        ),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f\0Set-Cookie: si\u{61c}d=sessi0n45\u{1b}]0;t\u{7}67"
                .to_owned(),
            "sessi0n45",
        ),
    ] {
        let r = redact(&input);
        assert!(!r.text.contains(secret), "{input:?}: {}", r.text);
    }
}

/// Every character the stripper removes starts with a byte its quick check looks at.
#[test]
fn the_quick_check_sees_every_stripped_character() {
    for c in (0..=0x10ffff)
        .filter_map(char::from_u32)
        .filter(|&c| is_stripped(c))
    {
        let s = c.to_string();
        assert!(super::clean::has_stripped(&s), "{c:?}");
        assert!(
            super::clean::has_stripped(&format!("{}{s}", "x".repeat(40))),
            "{c:?}"
        );
    }
}

#[test]
fn a_line_from_outside_is_single_line_capped_and_masked() {
    assert_eq!(redact_line("a\nb\tc\u{1b}]0;title\u{7}d", 100), "a b cd");
    assert_eq!(
        redact_line("s-ghp_0123456789abcdefghijABCDEFGHIJ0123456789", 100),
        "s-[REDACTED GITHUB TOKEN]"
    );
    let long = "x".repeat(300);
    assert!(redact_line(&long, 128).starts_with(&"x".repeat(128)));
    assert!(redact_line(&long, 128).chars().count() < 160);
    // A secret straddling the cap is masked before the cut.
    let straddle = format!(
        "{} ghp_0123456789abcdefghijABCDEFGHIJ0123456789",
        "y".repeat(120)
    );
    assert!(!redact_line(&straddle, 128).contains("ghp_0123"));
}

#[test]
fn a_huge_line_is_bounded_in_work_and_says_how_much_was_cut() {
    let huge = format!(
        "ghp_0123456789abcdefghijABCDEFGHIJ0123456789 {}",
        "/home/u ".repeat(500_000)
    );
    let line = redact_line(&huge, 128);
    assert!(
        line.starts_with("[REDACTED GITHUB TOKEN] /home/****"),
        "{line}"
    );
    assert!(line.ends_with("total]"), "{line}");
    assert!(
        line.contains(&format!("{} total", huge.chars().count())),
        "{line}"
    );
    assert!(line.chars().count() < 200);
}

/// Characters around the edges of what the stripper removes, to mix into random text.
const EDGE_CHARS: &str = "\u{0}\u{1b}\u{7f}\u{80}\u{9f}\u{a0}\u{ad}\u{ae}\u{600}\u{606}\u{61c}\u{6dd}\u{70f}\u{8e2}\u{180e}\u{200a}\u{200b}\u{2027}\u{202f}\u{2065}\u{2070}\u{feff}\u{fff8}\u{fffc}\u{110bd}\u{13430}\u{1bca3}\u{1d17a}\u{e0001}\u{e0020}\u{e007f}\u{e0100}，中é\n\t";

proptest! {
    #[test]
    fn the_fast_control_check_agrees_with_the_slow_one(
        picks in prop::collection::vec((any::<prop::sample::Index>(), "[a-z \\PC]{0,40}"), 0..8),
    ) {
        let edge: Vec<char> = EDGE_CHARS.chars().collect();
        let text: String = picks
            .iter()
            .map(|(i, s)| format!("{s}{}", edge[i.index(edge.len())]))
            .collect();
        let slow = text.chars().any(is_stripped);
        prop_assert_eq!(super::clean::has_stripped(&text), slow);
        let (clean, removed) = strip_controls(&text);
        prop_assert_eq!(matches!(clean, Cow::Borrowed(_)), !slow);
        prop_assert_eq!(removed > 0, slow);
    }

    #[test]
    fn the_memo_gives_what_a_fresh_redaction_does(s in "\\PC{0,60}|[\\x00-\\x{ff}]{0,64}") {
        let fresh = redact_fresh(&s);
        prop_assert_eq!(&redact(&s), &fresh);
        prop_assert_eq!(&redact(&s), &fresh);
    }
}

#[test]
fn the_memo_is_exact_and_bounded() {
    let a = "push with ghp_0123456789abcdefghijABCDEFGHIJ0123456789 failed";
    let first = redact(a);
    assert_eq!(redact(a), first);
    assert_eq!(redact_fresh(a), first);
    // Texts that differ in one byte are different keys.
    assert_eq!(redact("task timed out").text, "task timed out");
    assert_eq!(redact("task timed ou7").text, "task timed ou7");
    for i in 0..10_000 {
        redact(&format!("task {i} timed out"));
    }
    assert!(super::memo::len() <= 4096);
}

/// Pieces of text around the anchors and gates of the rules, to build random texts from.
const PIECES: &[&str] = &[
    " ",
    "\n",
    "=",
    ": ",
    "\"",
    "\\\"",
    "%3D",
    "%3A",
    ".",
    "-",
    "_",
    "/",
    "@",
    "://",
    "x",
    "token",
    "TOKEN",
    "tokens",
    "api-key",
    "x-api-key",
    "ApiKey",
    "secret",
    "secret_access_key",
    "password",
    "pwd",
    "credentials",
    "db_url",
    "key",
    "abc123def456ghi",
    "hunter2",
    "eyJhbGciOiJIUzI1",
    "eyJzdWIiOiIxMjM0",
    "ey",
    "they",
    "AKIAABCDEFGHIJKLMNOP",
    "Bearer",
    "ghp_0123456789abcdefghijABCDEFGHIJ0123456789",
    "postgres",
    "sk-",
    "abcdefghijklmnopqrstu",
    "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY01",
    "/home/",
    "mul_",
    "-----BEGIN",
    "PRIVATE KEY-----",
];

proptest! {
    #[test]
    fn the_prefilter_never_skips_a_rule_that_matches(
        picks in prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..24),
    ) {
        let text = picks.concat();
        let all = u64::MAX >> (64 - RULES.len());
        let fast = mask(Cow::Borrowed(&text));
        let slow = mask_rules(Cow::Borrowed(&text), all);
        prop_assert_eq!(fast, slow);
    }
}

#[test]
fn names_without_a_separator_in_them_are_masked() {
    masked("accesskey=AbC123xyz", "AbC123xyz", "[REDACTED]");
    masked("PrivateKey: AbC123xyz", "AbC123xyz", "[REDACTED]");
}

#[test]
fn a_name_spelt_with_a_kelvin_sign_is_masked_as_the_rules_say() {
    // `(?i)` matches the Kelvin sign for `k`: the name gate lets such text through.
    let text = "tokens: to\u{212a}en=abc123";
    let all = u64::MAX >> (64 - RULES.len());
    assert_eq!(
        mask(Cow::Borrowed(text)),
        mask_rules(Cow::Borrowed(text), all)
    );
    assert!(!redact(text).text.contains("abc123"));
}

/// The block-wise check of ids agrees with its definition (hex digits and dashes only) for every
/// byte value at every place of texts around a block's length.
#[test]
fn plain_ids_are_hex_digits_and_dashes_at_every_place() {
    let plain = |s: &[u8]| s.iter().all(|&b| b.is_ascii_hexdigit() || b == b'-');
    for len in [0, 1, 15, 16, 17, 31, 32, 36, 40] {
        let base: Vec<u8> = (0..len)
            .map(|i| b"0123456789abcdefABCDEF-"[i % 23])
            .collect();
        assert!(is_plain_id(std::str::from_utf8(&base).unwrap()));
        for place in 0..len {
            for byte in 0..=127u8 {
                let mut text = base.clone();
                text[place] = byte;
                let s = std::str::from_utf8(&text).unwrap();
                assert_eq!(
                    is_plain_id(s),
                    plain(&text),
                    "{byte:#04x} at {place} of {len}"
                );
            }
            let mut text = base.clone();
            text.splice(place..place + 1, "é".bytes());
            assert!(!is_plain_id(std::str::from_utf8(&text).unwrap()));
        }
    }
}

/// Each kind the server never masked, in its real shape, with its own placeholder.
const NEW_KINDS: &[(&str, &str, &str)] = &[
    (
        "post https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-4a6b-8c7d-9e8f7a6b5c4d failed",
        "0a1b2c3d-4e5f",
        "post https://open.feishu.cn/open-apis/bot/v2/hook/[REDACTED LARK WEBHOOK] failed",
    ),
    (
        "https://open.larksuite.com/open-apis/bot/v2/hook/9f8e7d6c-5b4a-4392-8170-a1b2c3d4e5f6",
        "9f8e7d6c",
        "https://open.larksuite.com/open-apis/bot/v2/hook/[REDACTED LARK WEBHOOK]",
    ),
    (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7e4b-4bc4-97a0-0123456789ab",
        "693a91f6",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[REDACTED WECOM WEBHOOK]",
    ),
    (
        "https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/aB3dE5gH7jK9mN1pQ2rS4tU6",
        "aB3dE5gH7jK9",
        "https://hooks.slack.com/services/[REDACTED SLACK WEBHOOK]",
    ),
    (
        "https://discord.com/api/webhooks/1234567890123456789/aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC2",
        "aB3dE5gH7jK9",
        "https://discord.com/api/webhooks/1234567890123456789/[REDACTED DISCORD WEBHOOK]",
    ),
    (
        "bot 7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw4 refused",
        "AAHdqTcvCH1v",
        "bot [REDACTED TELEGRAM BOT TOKEN] refused",
    ),
    (
        "POST https://api.telegram.org/bot712345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw4/sendMessage",
        "AAHdqTcvCH1v",
        "POST https://api.telegram.org/bot[REDACTED TELEGRAM BOT TOKEN]/sendMessage",
    ),
    (
        "sign SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "SEC0123456789",
        "sign [REDACTED DINGTALK SECRET]",
    ),
    (
        "tenant t-g1044ghJRUIJJ5ELPPP3EHN7TWGOFE2TPC5CKNJK expired",
        "g1044ghJRUIJJ5",
        "tenant [REDACTED LARK TOKEN] expired",
    ),
    (
        "user u-5Nf3Qx8rT2vL9wK1mP4sB7yD0hJ6cG3aZ8eR1tU expired",
        "5Nf3Qx8rT2vL",
        "user [REDACTED LARK TOKEN] expired",
    ),
    (
        "node mcn_aB3dE5gH7jK9mN1pQ2rS4tU6",
        "aB3dE5gH7jK9",
        "node [REDACTED MULTICA TOKEN]",
    ),
    (
        "vault hvs.CAESIJ3kX9rT2vL9wK1mP4sB7yD0hJ6cG3aZ",
        "CAESIJ3kX9rT",
        "vault [REDACTED VAULT TOKEN]",
    ),
    (
        "vault hvb.AAAAAQJ3kX9rT2vL9wK1mP4sB7yD0hJ6cG3aZ",
        "AAAAAQJ3kX9r",
        "vault [REDACTED VAULT TOKEN]",
    ),
    (
        "login dckr_pat_aB3dE5gH7jK9mN1pQ2rS4tU6vW8",
        "aB3dE5gH7jK9",
        "login [REDACTED DOCKER TOKEN]",
    ),
    (
        "upload pypi-AgEIcHlwaS5vcmcCJDU5ZjBmMzE0LTE4MjgtNGQ3NS1hY2E3LTk0ZTk1NTkyNjA0NA",
        "AgEIcHlwaS5v",
        "upload [REDACTED PYPI TOKEN]",
    ),
    (
        "token ya29.a0AfB_byC3dE5gH7jK9mN1pQ2rS4tU6vW8xY0z",
        "a0AfB_byC3dE",
        "token [REDACTED GOOGLE OAUTH TOKEN]",
    ),
    (
        "GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=aB3dE5gH7jK9mN1p%2BQ2rS4%3D&x=1",
        "aB3dE5gH7jK9",
        "GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=[REDACTED AZURE SAS]&x=1",
    ),
    (
        "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        "9944b09199c6",
        "Authorization: Token [REDACTED]",
    ),
    (
        r#"{"authorization": "Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"}"#,
        "MTk4NjIyNDgz",
        r#"{"authorization": "Bot [REDACTED]"}"#,
    ),
    (
        "Cookie: theme=dark; session=aB3dE5gH7jK9mN1pQ2rS4tU6; lang=en",
        "aB3dE5gH7jK9",
        "Cookie: [REDACTED COOKIE]",
    ),
    (
        "Set-Cookie: sid=aB3dE5gH7jK9mN1pQ2rS4tU6; Path=/; HttpOnly",
        "aB3dE5gH7jK9",
        "Set-Cookie: [REDACTED COOKIE]; HttpOnly",
    ),
    (
        "read /root/.codex/auth.json failed",
        "/root/",
        "read /****/.codex/auth.json failed",
    ),
];

#[test]
fn every_new_kind_is_masked_with_its_own_placeholder() {
    for (input, secret, want) in NEW_KINDS {
        let r = redact(input);
        assert_eq!(r.text, *want, "{input}");
        assert!(!r.text.contains(secret));
        assert!(r.total_hits() >= 1, "{input}");
        // Neither server masks any of them.
        assert_eq!(
            (r.beyond_server.upstream, r.beyond_server.fork),
            (r.total_hits(), r.total_hits()),
            "{input}"
        );
        assert_eq!(redact(&r.text).text, r.text, "twice gives once: {input}");
    }
}

#[test]
fn near_misses_of_the_new_kinds_are_not_touched() {
    for s in [
        "t-shirt sizes; a u-turn; t-1234 short",
        "u-boot_configuration_for_the_target_board failed",
        "timed out after 30 seconds; SECOND try; SEC0123 short",
        "the sig= parameter is missing; sig=short",
        "cookie jar empty; cookies: 3",
        "Authorization required",
        "see hooks.slack.com/ and https://discord.com/invite/abc",
        "/rootfs/etc and /srv/rooted",
        "ya29. alone; hvs. alone; dckr_ alone; pypi-upload",
        "build 12345:AAbc and 1234567890:AB0123456789012345678901234567890123",
        "https://open.feishu.cn/open-apis/im/v1/messages",
        "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=x",
        "50% of 100%; 3%2 and %zz; a\\\\b; C:\\\\path",
    ] {
        let r = redact(s);
        assert_eq!(r.text, s);
        assert_eq!(r.total_hits(), 0, "{s}");
    }
}

/// A separator written as an escape is read as the separator, as the server reads it decoded;
/// the text keeps its escapes but for the masked secret.
#[test]
fn secrets_behind_escaped_separators_are_masked_and_the_text_kept() {
    for (input, secret, want) in [
        (
            "a%20b Authorization: Bearer%20opaque0123456789abc end",
            "opaque0123",
            "a%20b Authorization: [REDACTED] end",
        ),
        (
            "x%20y Bearer%20opaque0123456789abc end",
            "opaque0123",
            "x%20y Bearer [REDACTED] end",
        ),
        (
            "GET /x?q=%22mul_0123456789abcdef0123%22&y=%2F",
            "0123456789ab",
            "GET /x?q=%22[REDACTED MULTICA TOKEN]%22&y=%2F",
        ),
        (
            "auth%3Axoxb-1234567890-abcdefghij",
            "1234567890",
            "auth%3A[REDACTED SLACK TOKEN]",
        ),
        (
            r"say\u0020hi Bearer\u0020opaque0123456789abc",
            "opaque0123",
            r"say\u0020hi Bearer [REDACTED]",
        ),
        (
            r"api_key\u003aopaque0123",
            "opaque0123",
            "[REDACTED CREDENTIAL]",
        ),
        (r"pwd\u003aopaque0123 x", "opaque0123", "pwd: [REDACTED] x"),
        (
            r#"{\"note\":\"x\",\"cred\":\"Bearer opaque0123456789abc\"}"#,
            "opaque0123",
            r#"{\"note\":\"x\",\"cred\":\"Bearer [REDACTED]\"}"#,
        ),
        (
            "Bearer\u{2003}opaque0123456789abc",
            "opaque0123",
            "Bearer [REDACTED]",
        ),
        (
            "ghp_abcdefghijklmnopqr%E2%80%8Bstuvwxyz0123456789AB x",
            "stuvwxyz01",
            "[REDACTED GITHUB TOKEN] x",
        ),
        (
            r"GITHUB_TOKEN\u001bghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
            "abcdefghij",
            r"GITHUB_TOKEN\u001b[REDACTED GITHUB TOKEN]",
        ),
    ] {
        let r = redact(input);
        assert_eq!(r.text, want, "{input}");
        assert!(!r.text.contains(secret), "{input}");
        assert!(!redact_line(input, 300).contains(secret), "{input}");
        assert_eq!(redact(&r.text).text, r.text, "twice gives once: {input}");
    }
    // An escaped invisible character past where a rule could stop hides no tail either.
    for hidden in ["%E2%80%8B", r"\u200b", "%00", r"\u001b"] {
        let input = format!("key ghp_{}{hidden}TailTailTail end", "a".repeat(40));
        assert_eq!(
            redact(&input).text,
            "key [REDACTED GITHUB TOKEN] end",
            "{hidden}"
        );
    }
    // A separator's escape inside a credential stays part of it.
    assert_eq!(
        redact("https://u:p%40ss%20w0rd@host/x").text,
        "https://[REDACTED CREDENTIALS]@host/x"
    );
    // A Windows path holds no escape, whatever its letters.
    for path in [
        r"C:\Users\bob\AppData",
        r"C:\Users\ted\x",
        r"C:\Users\nina\x",
        r"C:\Users\ulla\x",
    ] {
        let r = redact(&format!("at {path}"));
        assert!(
            r.text.starts_with(r"at C:\Users\****\"),
            "{path}: {}",
            r.text
        );
    }
    // An escaped backslash escapes nothing after it.
    assert_eq!(redact(r"C:\\u0020x").text, r"C:\\u0020x");
}

#[test]
fn a_long_field_is_masked_over_all_of_it_before_it_is_cut() {
    let url = "https://admin:Sup3rS3cretPassw0rdXYZ0123456789@db.internal:5432/x";
    for pad in ["\u{200b}", "\u{7}", "x", " "] {
        for n in [900, 991, 1000, 1010, 1024, 5000, 20_000] {
            let input = format!("{}{url}", pad.repeat(n));
            for line in [
                redact_line(&input, MAX_ID_CHARS),
                redact_line(&input, MAX_MESSAGE_CHARS),
                redact_id(&input).into_owned(),
            ] {
                assert!(!line.contains("Sup3rS3cret"), "{pad:?}×{n}: {line}");
                assert!(!line.contains("Passw0rd"), "{pad:?}×{n}: {line}");
            }
        }
    }
    let mul = "mul_0123456789abcdef0123456789abcdef";
    let id = format!("{}{mul}", "\u{7}".repeat(1010));
    assert_eq!(redact_id(&id), "[REDACTED MULTICA TOKEN]");
    // Past the byte cap nothing is shown, and the line says how long the input was.
    let huge = format!("{}{mul}", "\u{200b}".repeat(30_000));
    let line = redact_line(&huge, MAX_ID_CHARS);
    assert!(!line.contains("0123456789"), "{line}");
    assert!(
        line.ends_with(&format!("{} total]", 30_000 + mul.len())),
        "{line}"
    );
}

#[test]
fn a_name_spelt_with_a_kelvin_sign_or_a_long_s_alone_is_masked() {
    for name in [
        "to\u{212a}en",
        "\u{17f}ecret",
        "pa\u{17f}\u{17f}word",
        "api_\u{212a}ey",
    ] {
        let text = format!("{name}=opaque0123");
        let r = redact(&text);
        assert!(!r.text.contains("opaque0123"), "{text}: {}", r.text);
        assert_eq!(
            r.text,
            server_rules_sequential(&text),
            "as the server's (?i) reads it"
        );
    }
}

#[test]
fn only_an_exact_placeholder_counts_as_masked() {
    for (input, want) in [
        ("password=[REDACTED]hunter2", "[REDACTED CREDENTIAL]"),
        ("password=[REDACTED]", "password=[REDACTED]"),
        ("password=\"[REDACTED]\"", "password=\"[REDACTED]\""),
        ("pwd: [REDACTED]x", "pwd: [REDACTED]"),
        (
            "Authorization: Bearer [REDACTED]",
            "Authorization: Bearer [REDACTED]",
        ),
        (
            "Authorization: Bearer [REDACTED JWT]",
            "Authorization: Bearer [REDACTED JWT]",
        ),
        (
            "Authorization: Bearer [REDACTED]tail",
            "Authorization: Bearer [REDACTED]",
        ),
        (
            "token: [REDACTED SOMETHING ELSE]",
            "[REDACTED CREDENTIAL] SOMETHING ELSE]",
        ),
    ] {
        assert_eq!(redact(input).text, want, "{input}");
    }
}

#[test]
fn our_own_token_is_masked_in_every_spelling() {
    let token = "Opaq/ue+Tok=en_7f3a9c1e";
    known_secret(token);
    known_secret("short");
    for (input, want) in [
        (
            format!("invalid token {token}"),
            "invalid token [REDACTED FAILWATCH TOKEN]",
        ),
        (format!("x{token}y"), "x[REDACTED FAILWATCH TOKEN]y"),
        (
            "tok=Opaq%2Fue%2BTok%3Den_7f3a9c1e&x".to_owned(),
            "tok=[REDACTED FAILWATCH TOKEN]&x",
        ),
        (
            "tok=Opaq%2fue%2bTok%3den_7f3a9c1e".to_owned(),
            "tok=[REDACTED FAILWATCH TOKEN]",
        ),
        (
            r#"{\"t\":\"Opaq\/ue+Tok=en_7f3a9c1e\"}"#.to_owned(),
            r#"{\"t\":\"[REDACTED FAILWATCH TOKEN]\"}"#,
        ),
        (
            "Opaq/ue+\u{200b}Tok=en_7f3a9c1e".to_owned(),
            "[REDACTED FAILWATCH TOKEN]",
        ),
        ("a short word".to_owned(), "a short word"),
    ] {
        let r = redact(&input);
        assert_eq!(r.text, want, "{input}");
        assert_eq!(redact_line(&input, 300), want, "{input}");
    }
    let r = redact(&format!("a {token}"));
    assert_eq!(r.hits, [(SecretKind::FailwatchToken, 1)]);
}

/// Inputs the fuzzers found, kept: each once broke a promise.
#[test]
fn fuzz_findings_hold() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fuzz");
    // A removal's place landed inside a character (a panic).
    let text = String::from_utf8(std::fs::read(format!("{dir}/redact-char-boundary.bin")).unwrap())
        .unwrap();
    let r = redact(&text);
    assert!(!r
        .text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t'));

    // A filler glued a token to the scheme after it (the token took `postgres`), and a
    // terminal sequence split the password: the credentials are still found.
    let text = "\u{fe00}ghp_abcdefghijklmnopqr\u{3164}Qz030Xw001aB3dE5gH\u{fe00}\u{fe00}postgres://svc:Qz038Xw0\u{1b}[0m02@db:5432/app\u{fe00}";
    let r = redact(text);
    assert!(!r.text.contains("Qz038Xw0"), "{}", r.text);
    assert!(!r.text.contains("Qz030Xw001"), "{}", r.text);

    // A JSON escape of a removed character (`\b`) left its letter before a key id.
    let text = "; ghp_abcdefghijklmnopqr\u{3164}Qz030Xw000aB3dE5gH\u{115f}\\bAKIAQZ037\u{1b}]0;t\u{7}XW001ABCDEF\u{1b}]0;t\u{7}\u{ffa0}https://x";
    let r = redact(text);
    assert!(!r.text.contains("QZ037"), "{}", r.text);

    // A removal inside a secret's name (`api_k<ZWSP>ey`, the ZWSP percent-encoded) right after
    // a token glued on by fillers: `ey:` was taken for a JWT's start, a mark split the name,
    // and the token swallowed it whole.
    let planted = "\u{8}ghp_abcdefghijklmnopqr\u{3164}Qz030Xw000aB3dE5gH\u{8}\u{115f}\u{17b5}\u{8}api_k%E2%80%8Bey\\u003aQz026Xw001aB3dE5gH7jK9mN\u{8}%1Bhttps://x";
    let plain = "ghp_abcdefghijklmnopqr\u{3164}Qz030Xw000aB3dE5gH\u{8}api_k\u{200b}ey:Qz026Xw001aB3dE5gH7jK9mN";
    for text in [planted, plain] {
        let r = redact(text);
        assert!(!r.text.contains("Qz026Xw001"), "{}", r.text);
        assert!(!r.text.contains("Qz030Xw000"), "{}", r.text);
    }
    // A greedy token glued on by a filler and an escaped removal swallowed the start of the
    // Slack token after it (`xoxb`), whose own removal (`%1B`) then left it unfound.
    let text = "\u{85}push ghp_Qz035Xw000aB3dE5gH7jK9mN1pQ2rS4tU6vW failed\u{85}\u{85}ghp_abcdefghijklmnopqr\u{3164}Qz030Xw001aB3dE5gH\\u001b%E2%80%8Bxoxb-12345678%1B90-Qz040Xw002aB3dE5gH7jK9mN\u{85}\u{85}ghp_abcdefghijklmnopqr\u{3164}Qz030Xw003aB3dE5gH\\u001b%E2%80%8Bxoxb-12345678%E2%80%8B90-Qz040Xw004aB3dE5gH7jK9mN\0";
    let r = redact(text);
    assert!(!r.text.contains("Qz040Xw002"), "{}", r.text);
    assert!(!r.text.contains("Qz030Xw001"), "{}", r.text);
    // A token glued to a URL by an escaped removal: one reading took the token into the URL's
    // scheme and kept the scheme in its replacement, which the splice then preferred.
    let text = " tenant_ac\u{feff}ce\u{180e}ss_token t-g104Qz009Xw000aB3dE5gH7jK9mN1pQ2rS4tU6vW\\u001b\u{ffa0}https://fe2bc01bda0\u{0}123456789abcdef012345@o123.ingest.sentry.io/456";
    let r = redact(text);
    assert!(!r.text.contains("Qz009Xw000"), "{}", r.text);
    // A token's rule, applied first, took text the webhook's match needed: the webhook's id,
    // split by a terminal sequence, was masked only up to the split.
    let text = "\\bhttps://open.larksuite.com/open-apis/bot/v2/hook/9f8e7d6c-5b\u{1b}]0;t\u{7}4a-4392-8170-fe01c00bdacd\u{1b}[0m\u{8}\u{115f}ghp_abcdefghijklmnopqr\u{3164}Qz030Xw001aB3dE5gH\0\u{3164}\u{115f}\u{17b5}中中中中中中中中\0";
    let r = redact(text);
    assert!(!r.text.contains("fe01c00bda"), "{}", r.text);
    assert!(!r.text.contains("Qz030Xw001"), "{}", r.text);
}
