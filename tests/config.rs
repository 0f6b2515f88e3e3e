//! The config file and the local files it names, through the binary: saved filters that name
//! saved filters, `config check` of a hostile config, files that cost too much to read.

use std::path::PathBuf;

use serde_json::Value;
use support::cmd::run;

mod support;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/sample-capture.jsonl"
);

/// A config file in a directory of its own.
struct Config {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Config {
    fn new(text: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        Config { _dir: dir, path }
    }

    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn failures(config: &Config, filter: &str) -> u64 {
    let out = run(
        &[
            "summary",
            SAMPLE,
            "--config",
            config.path(),
            "--filter",
            filter,
            "--format",
            "json",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["failures"].as_u64().unwrap()
}

#[test]
fn a_saved_filter_that_names_a_saved_filter_means_what_it_names() {
    let config = Config::new(
        "[filters]\nlost = \"outcome:dropped\"\nmine = \"@lost\"\nboth = \"@mine | reason:timeout\"\n\
         [[alerts]]\nname = \"x\"\nfilter = \"@mine\"\ncount = 1\nwindow = \"30d\"\n",
    );
    let lost = failures(&config, "@lost");
    assert!(lost > 0);
    assert_eq!(failures(&config, "@mine"), lost, "--filter");
    assert_eq!(failures(&config, "@both"), lost + 1, "with its alternative");
    // An alert rule's filter: the rule fires as it does with `@lost`.
    let out = run(&["watch", SAMPLE, "--config", config.path()], None);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ALERT "));
    // `config check` shows what each name stands for.
    let out = run(&["config", "check", "--config", config.path()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("@mine      @lost\n             = outcome:dropped\n"),
        "{shown}"
    );
    assert!(
        shown.contains("= outcome:dropped | reason:timeout\n"),
        "{shown}"
    );
}

#[test]
fn saved_filters_in_a_circle_or_naming_nothing_are_refused_with_the_names() {
    for (filters, says) in [
        ("a = \"@b\"\nb = \"@a\"\n", "@a → @b → @a"),
        ("me = \"reason:x @me\"\n", "@me → @me"),
        ("mine = \"@gone\"\n", "no saved filter `@gone`"),
        // Negated, a name must still name something.
        ("not = \"-@lost\"\n", "no saved filter `@lost`"),
    ] {
        let config = Config::new(&format!("[filters]\n{filters}"));
        for args in [
            vec!["config", "check", "--config", config.path()],
            vec!["summary", SAMPLE, "--config", config.path()],
        ] {
            let out = run(&args, None);
            assert_eq!(out.status.code(), Some(2), "{filters}: {args:?}");
            assert!(
                text(&out.stderr).contains(says),
                "{filters}: {}",
                text(&out.stderr)
            );
        }
    }
}

/// Bytes as `cat -v` shows them: a control byte as `^X`, a byte past ASCII as `M-`.
fn cat_v(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        let (meta, b) = match b {
            0x80.. => ("M-", b - 0x80),
            _ => ("", b),
        };
        out.push_str(meta);
        match b {
            b'\n' | b'\t' => out.push(b as char),
            0..=0x1f => out.extend(['^', (b + 0x40) as char]),
            0x7f => out.push_str("^?"),
            _ => out.push(b as char),
        }
    }
    out
}

#[test]
fn config_check_of_a_hostile_config_prints_no_escape_and_no_token() {
    const TOKEN: &str = "mul_efefefefefefefefefefefefefefefefefefefef";
    // The review's config, with a C1 control, a bidi override and an alert rule added.
    let config = Config::new(&format!(
        "workspace = \"\\u001b]0;PWNED\\u0007acme\"\n\
         [filters]\n\"\\u001b]0;PWNED\\u0007\" = \"word\"\nx = \"\\u001b[2Jtoken={TOKEN}\"\n\
         y = \"\\u009b31m\\u202eword @x\"\n\
         [keys]\nquit = \"x\"\n\
         [[alerts]]\nname = \"\\u001b[2J{TOKEN}\"\nfilter = \"@y\"\ncount = 2\nwindow = \"10m\"\n"
    ));
    let out = run(&["config", "check", "--config", config.path()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = cat_v(&out.stdout);
    for raw in ["^[", "^G", "M-^", "PWNED^G"] {
        assert!(!shown.contains(raw), "{raw} in:\n{shown}");
    }
    let printed = text(&out.stdout);
    assert!(
        !printed.chars().any(support::secrets::forbidden),
        "{printed:?}"
    );
    assert!(
        !printed.contains("efefefef"),
        "the token is masked:\n{printed}"
    );
    for said in ["workspace  acme", "@x ", "= word [REDACTED", "alert "] {
        assert!(printed.contains(said), "{said}:\n{printed}");
    }
}

/// `failwatch ARGS` in a shell that caps its address space at 1 GiB and its time at 60 s, with
/// `env` set on top: a file read without a bound fails the run instead of the machine.
fn bounded(env: &[(&str, &str)], args: &str) -> std::process::Output {
    let line = format!(
        "ulimit -v 1048576; exec timeout 60 {}",
        support::cmd::shell(env, args)
    );
    std::process::Command::new("sh")
        .args(["-c", &line])
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn an_endless_or_huge_bindings_or_config_file_is_refused_at_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    // Just past the cap, every line a valid binding.
    let huge = dir.path().join("huge.toml");
    let line = "\"c0ffee00-1234-4abc-8def-0123456789ab\" = [\"lark\"]\n";
    let lines = (64 << 20) / line.len() + 1;
    std::fs::write(&huge, format!("[sessions]\n{}", line.repeat(lines))).unwrap();
    let huge = huge.to_str().unwrap();
    for args in [
        format!("summary '{SAMPLE}' --bindings /dev/zero"),
        format!("summary '{SAMPLE}' --bindings '{huge}'"),
        "config check --config /dev/zero".to_owned(),
    ] {
        let started = std::time::Instant::now();
        let out = bounded(&[], &args);
        assert_eq!(out.status.code(), Some(2), "{args}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("larger than 64 MiB"),
            "{args}: {}",
            text(&out.stderr)
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{args}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_tz_that_names_an_endless_or_huge_file_falls_back_to_utc_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("zone");
    std::fs::write(&huge, vec![b'x'; (1 << 20) + 1]).unwrap();
    let huge = huge.to_str().unwrap().to_owned();
    for (tz, why) in [
        ("/dev/zero", "not a regular file"),
        (":/dev/zero", "not a regular file"),
        (huge.as_str(), "larger than 1 MiB"),
    ] {
        let out = bounded(&[("TZ", tz)], &format!("tail '{SAMPLE}' --format text"));
        assert_eq!(out.status.code(), Some(0), "TZ={tz}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("failwatch: TZ={tz} names"))
                && stderr.contains(why)
                && stderr.contains("times are shown in UTC"),
            "TZ={tz}: {stderr}"
        );
        let first = text(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(first.starts_with("2026-11-20T03:14:02.078Z "), "{first}");
    }
    // A zone file that can be one is used, and nothing is said.
    let out = bounded(&[("TZ", "UTC0")], &format!("tail '{SAMPLE}' --format text"));
    assert_eq!(text(&out.stderr).matches("TZ=").count(), 0);
}
