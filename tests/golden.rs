//! The headless outputs byte for byte: `tail` and `summary` in every format, on the committed
//! captures, against files in `tests/data/golden`. A deliberate change regenerates them with
//! `FAILWATCH_REGEN=1 cargo test --release --test golden` and shows in review as a diff.

use std::path::Path;

use support::cmd::run;

mod support;

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn check(golden: &str, args: &[&str]) {
    let out = run(args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(golden);
    if std::env::var_os("FAILWATCH_REGEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &out.stdout).unwrap();
    }
    let want = std::fs::read(&path).unwrap_or_default();
    assert!(
        out.stdout == want,
        "{golden} differs from {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn tail_outputs_are_unchanged() {
    let octo = data("octo-pr33.jsonl");
    let octo_b = data("octo-pr33.bindings.toml");
    let up = data("upstream-incident.jsonl");
    let up_b = data("upstream-incident.bindings.toml");
    let sample = data("sample-capture.jsonl");
    check(
        "octo-pr33.tail.jsonl",
        &["tail", &octo, "--bindings", &octo_b],
    );
    check(
        "octo-pr33.tail.zh.txt",
        &["tail", &octo, "--format", "text", "--lang", "zh"],
    );
    check(
        "upstream-incident.tail.jsonl",
        &["tail", &up, "--bindings", &up_b],
    );
    check(
        "upstream-incident.tail.txt",
        &["tail", &up, "--format", "text", "--lang", "en"],
    );
    check("sample.tail.jsonl", &["tail", &sample, "--lang", "en"]);
}

#[test]
fn summary_outputs_are_unchanged() {
    let octo = data("octo-pr33.jsonl");
    let octo_b = data("octo-pr33.bindings.toml");
    let up = data("upstream-incident.jsonl");
    let sample = data("sample-capture.jsonl");
    check(
        "octo-pr33.summary.json",
        &["summary", &octo, "--format", "json", "--bindings", &octo_b],
    );
    check(
        "octo-pr33.summary.zh.txt",
        &[
            "summary",
            &octo,
            "--format",
            "table",
            "--lang",
            "zh",
            "--bindings",
            &octo_b,
        ],
    );
    check(
        "upstream-incident.summary.json",
        &["summary", &up, "--format", "json"],
    );
    check(
        "upstream-incident.summary.txt",
        &["summary", &up, "--format", "table", "--lang", "en"],
    );
    check(
        "sample.summary.json",
        &["summary", &sample, "--format", "json"],
    );
    check(
        "sample.filtered.summary.json",
        &[
            "summary",
            &sample,
            "--format",
            "json",
            "--filter",
            "reason:provider_*",
        ],
    );
}
