//! Hostile strings for the tests: control and invisible format characters, planted secrets of
//! every class, and the check that none of them reached an output.

use serde_json::Value;

/// The 18 control payloads: CSI SGR, DSR, title report, OSC 0, OSC 52, OSC 8, DCS, APC, RIS,
/// C1 CSI, C1 OSC, NEL, RLO, RLI, BS, CR, DEL, NUL.
pub const CONTROLS: [&str; 18] = [
    "\u{1b}[31;41m",
    "\u{1b}[5n",
    "\u{1b}[21t",
    "\u{1b}]0;PWNED-TITLE\u{7}",
    "\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
    "\u{1b}]8;;http://evil.example/\u{1b}\\",
    "\u{1b}P+q544e\u{1b}\\",
    "\u{1b}_apc\u{1b}\\",
    "\u{1b}c",
    "\u{9b}2J",
    "\u{9d}0;t\u{9c}",
    "\u{85}",
    "\u{202e}",
    "\u{2067}",
    "\u{8}",
    "\r",
    "\u{7f}",
    "\u{0}",
];

/// The 6 invisible format characters: LRM, RLM, ALM, ZWSP, BOM, LINE SEPARATOR.
pub const FORMATS: [char; 6] = [
    '\u{200e}', '\u{200f}', '\u{61c}', '\u{200b}', '\u{feff}', '\u{2028}',
];

/// Planted secrets, one per class, each with the part that must never be seen.
pub const SECRETS: &[(&str, &str)] = &[
    (
        "mul_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
        "0a1b2c3d4e5f6071",
    ),
    ("mdt_Hq3xY8w1Lk9PqRs7Tu2Vw4Xz", "Hq3xY8w1Lk9P"),
    ("ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0Ed9Cb8", "Zx9Yw8Vu7Ts6"),
    ("sk-ant-api03-Qw3rTy6uIo9pAs2dFg5hJk8l", "Qw3rTy6uIo9p"),
    ("AKIAQWERTYUIOPASDFGH", "QWERTYUIOPASDFGH"),
    ("ASIAZXCVBNMASDFGHJKL", "ZXCVBNMASDFGHJKL"),
    ("redis://:Pl4ntedRedisPw@cache:6379", "Pl4ntedRedisPw"),
    (
        "https://0f1e2d3c4b5a69788796a5b4c3d2e1f0@github.com/o/r",
        "0f1e2d3c4b5a6978",
    ),
    ("postgres://svc:Pl4ntedDbPw@db:5432/app", "Pl4ntedDbPw"),
    ("DB_PASSWORD=Pl4ntedEnvPw", "Pl4ntedEnvPw"),
    (r#"{"secret_key":"Pl4ntedJsonKey"}"#, "Pl4ntedJsonKey"),
    ("password%3DPl4ntedPctPw", "Pl4ntedPctPw"),
    ("/home/pl4nteduser/.env", "pl4nteduser"),
    (r"C:\Users\pl4ntedwin\x", "pl4ntedwin"),
    (
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJwbDRudGVkIn0.",
        "eyJzdWIiOiJwbDRudGVkIn0",
    ),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1wbDRudGVkS2V5",
        "b3BlbnNzaC1wbDRudGVk",
    ),
    ("Bearer Pl4ntedBearerTok3n", "Pl4ntedBearerTok3n"),
    (
        "sk-ant-api03-Sp\u{200b}litByZwspPl4nted99",
        "litByZwspPl4nted99",
    ),
];

pub fn hostile(i: usize) -> String {
    let controls: String = CONTROLS.concat();
    let formats: String = FORMATS.iter().collect();
    format!("x{i} {controls}{formats}\nINJECTED ")
}

pub fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{61c}' | '\u{feff}'
        )
}

/// Every string of a JSON value, keys included.
pub fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

/// No forbidden character, no secret, no injected line: in the bytes as written and, for
/// JSON, in every decoded string too.
pub fn assert_safe(what: &str, text: &str, json: bool) {
    if let Some(first) = leaks(text, json).first() {
        panic!("{what}: {first}");
    }
}

/// One thing that got out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// Where: `the output`, or a decoded string by its path (`line 2 $.routes[0].text`).
    pub place: String,
    /// What kind of thing: a secret, a control or invisible character, an injected line.
    pub kind: &'static str,
    /// Which one, and the text around it.
    pub detail: String,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in {}: {}", self.kind, self.place, self.detail)
    }
}

/// Everything `assert_safe` refuses: in the bytes as written and, for JSON (one document, or
/// JSON Lines), in every decoded string by its path.
pub fn leaks(text: &str, json: bool) -> Vec<Leak> {
    let mut texts = vec![("the output".to_owned(), text.to_owned())];
    let mut found = Vec::new();
    if json {
        decoded(text, &mut texts, &mut found);
    }
    for (place, t) in &texts {
        found.extend(leaks_in(place, t));
    }
    found.extend(
        text.lines()
            .filter(|line| line.trim_start().starts_with("INJECTED"))
            .map(|line| Leak {
                place: "the output".into(),
                kind: "an injected line",
                detail: format!("{line:?}"),
            }),
    );
    found
}

/// The strings of a JSON output with their paths: a whole document, else line by line (a line
/// that is not JSON is a finding).
fn decoded(text: &str, texts: &mut Vec<(String, String)>, found: &mut Vec<Leak>) {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return paths(&v, "$", texts);
    }
    for (i, line) in text.lines().enumerate() {
        match serde_json::from_str::<Value>(line) {
            Ok(v) => paths(&v, &format!("line {} $", i + 1), texts),
            Err(e) => found.push(Leak {
                place: format!("line {}", i + 1),
                kind: "a line that is not JSON",
                detail: format!("{e}: {line}"),
            }),
        }
    }
}

/// The first forbidden character and each secret found in one text, with the words around it.
fn leaks_in<'a>(place: &'a str, t: &'a str) -> impl Iterator<Item = Leak> + 'a {
    let control = t
        .char_indices()
        .find(|&(_, c)| forbidden(c))
        .map(|(at, c)| Leak {
            place: place.to_owned(),
            kind: "a control or invisible character",
            detail: format!("{c:?} ({})", around(t, at)),
        });
    let secrets = SECRETS.iter().filter_map(move |(_, must_not)| {
        let at = t.find(must_not)?;
        Some(Leak {
            place: place.to_owned(),
            kind: "a secret",
            detail: format!("{must_not} ({})", around(t, at)),
        })
    });
    control.into_iter().chain(secrets)
}

/// The text around byte `at`, short enough for a message.
fn around(t: &str, at: usize) -> String {
    let boundary = |mut i: usize, step: fn(usize) -> usize| {
        while !t.is_char_boundary(i) {
            i = step(i);
        }
        i
    };
    let start = boundary(at.saturating_sub(60), |i| i - 1);
    let end = boundary((at + 60).min(t.len()), |i| i + 1);
    format!("{:?}", &t[start..end])
}

/// Every string of a JSON value, keys included, with its path.
fn paths(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| paths(x, &format!("{path}[{i}]"), out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push((format!("{path} key"), k.clone()));
            // A key that is data (a session id, a reason) is a `*` in the path.
            let plain = k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            paths(x, &format!("{path}.{}", if plain { k } else { "*" }), out)
        }),
        _ => {}
    }
}
