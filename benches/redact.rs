//! Our redaction vs the server's rule list applied one regex after another, over the same error
//! texts, in the same run. `cargo bench --bench redact` prints the direct figures first.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use failwatch::redact::{redact, server_rules_sequential, strip_controls};

/// A deterministic mix like real failure text: mostly plain, ~10 % with a secret, some long tails.
/// Texts repeat as they do in an incident; with `distinct: Some(run)` each is numbered (and the
/// numbers differ per run) so none repeats.
fn corpus(n: usize, tails: bool, distinct: Option<usize>) -> Vec<String> {
    let plain = [
        "claude exited with status 1",
        "429 Too Many Requests: rate_limit_error",
        "task timed out",
        "402 insufficient_balance: credit balance is too low",
        "401 Unauthorized: invalid x-api-key",
        "prompt is too long: 212403 tokens > 200000 maximum",
        "runtime went offline during execution",
        "模型服务繁忙，请稍后重试",
    ];
    let secrets = [
        "while calling provider with Bearer tok61326cc0abcdefghijKLMNOP",
        "push with ghp_4f9Kq2LmN8pR3sT7vW1yZ5aC6dE0fGhIjKl0 failed",
        "connect postgres://svc:hunter2@db.internal:5432/app refused",
        "AWS key AKIAIOSFODNN7EXAMPLE rejected",
        "key sk-ant-api03-Xq2b7Jk9LmN4pR8sT1vW3yZ5aC6dE0fG invalid",
        "DB_PASSWORD=hunter2 in env",
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U expired",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|n| {
            let r = next();
            let mut s = plain[(r % plain.len() as u64) as usize].to_owned();
            if r % 10 == 0 {
                s = format!("{s} {}", secrets[((r >> 8) % secrets.len() as u64) as usize]);
            }
            if let Some(run) = distinct {
                s.push_str(&format!(" (run {run}.{n})"));
            }
            if tails && r % 17 == 0 {
                // A long log tail, as process failures carry.
                for i in 0..40 {
                    s.push_str(&format!("\n    at Object.run (node:internal/modules/run:{i}:3) step {i} of the plan was not finished"));
                }
            }
            s
        })
        .collect()
}

fn best_of<F: FnMut(usize)>(runs: usize, mut f: F) -> Duration {
    (0..runs)
        .map(|run| {
            let t = Instant::now();
            f(run);
            t.elapsed()
        })
        .min()
        .unwrap()
}

const RUNS: usize = 9;

fn figures() {
    for (name, tails) in [
        ("one-line error texts", false),
        ("6% carrying a 3.6 KB log tail", true),
    ] {
        for distinct in [false, true] {
            // A corpus per run: distinct texts never repeat, not even from one run to the next.
            let runs: Vec<Vec<String>> = (0..RUNS)
                .map(|run| corpus(10_000, tails, distinct.then_some(run)))
                .collect();
            let bytes: usize = runs[0].iter().map(String::len).sum();
            let ours = best_of(RUNS, |run| {
                runs[run].iter().for_each(|t| drop(black_box(redact(t))))
            });
            let server = best_of(RUNS, |run| {
                runs[run]
                    .iter()
                    .for_each(|t| drop(black_box(server_rules_sequential(t))))
            });
            println!(
                "{name}, {} ({} texts, {:.2} MB): redact {:.2} ms, server rules one after another {:.2} ms, speedup {:.1}x (target >= 3x); outputs differing on server-rule texts: {}",
                if distinct { "all distinct" } else { "repeating" },
                runs[0].len(),
                bytes as f64 / 1e6,
                ours.as_secs_f64() * 1e3,
                server.as_secs_f64() * 1e3,
                server.as_secs_f64() / ours.as_secs_f64(),
                differing(&runs[0])
            );
        }
    }
}

/// Identical masking on the server's rules: texts where no gap rule applies and ours differs.
fn differing(texts: &[String]) -> usize {
    texts
        .iter()
        .filter(|t| {
            let (clean, _) = strip_controls(t);
            let r = redact(t);
            r.text != server_rules_sequential(&clean)
                && r.hits.iter().all(|(k, _)| !k.is_gap_rule())
        })
        .count()
}

fn bench(c: &mut Criterion) {
    let texts = corpus(2_000, true, None);
    let mut g = c.benchmark_group("redact");
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function("ours", |b| {
        b.iter(|| texts.iter().map(|t| redact(t).text.len()).sum::<usize>())
    });
    g.bench_function("server_sequential", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| server_rules_sequential(t).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    if std::env::args().any(|a| a == "--bench") {
        figures();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
