//! The file door, stage by stage, on a generated capture of bare frames (`benches/peers.sh`'s
//! corpus): what DuckDB's query does (find every line, decode it, count `task:failed` per
//! reason) on every core, against `summary`'s whole work in the same process; and what a line
//! whose type is only counted costs, beside finding its newline. Best and median of 5,
//! interleaved. `cargo bench --bench file_door [-- LINES]` (default 1000000).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use failwatch::demo::corpus::write_capture;
use failwatch::filter::Filter;
use failwatch::ingest::read::{summarize, Capture};
use failwatch::ingest::Pipeline;
use failwatch::protocol::{decode_exact, decode_fast, Event};

/// The allocator the binary ships with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `write_capture`'s records as bare frames (one frame a line), as `benches/peers.sh` writes them.
fn bare(records: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.len());
    for line in records.split_inclusive(|&b| b == b'\n') {
        let frame = line
            .strip_prefix(b"{\"at\":\"")
            .and_then(|rest| {
                let i = memchr::memmem::find(rest, b"\",\"frame\":")?;
                rest[i + 10..].strip_suffix(b"}\n")
            })
            .map(|f| [f, b"\n"].concat());
        out.extend_from_slice(frame.as_deref().unwrap_or(line));
    }
    out
}

/// The lines whose type is only counted (no failure, no task or chat a failure needs).
fn counted_only(bare: &[u8]) -> Vec<u8> {
    bare.split_inclusive(|&b| b == b'\n')
        .filter(|l| memchr::memmem::find(l, b"\"type\":\"issue:updated\"").is_some())
        .flatten()
        .copied()
        .collect()
}

/// The file cut at line ends into `n` parts.
fn parts(bytes: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        let want = (bytes.len() * i / n).max(start);
        let end = match memchr::memchr(b'\n', &bytes[want.min(bytes.len())..]) {
            Some(j) if i < n => want + j + 1,
            _ => bytes.len(),
        };
        out.push(&bytes[start..end]);
        start = end;
    }
    out
}

/// DuckDB's query's work: every line decoded, `task:failed` counted per reason.
fn decode_and_count(bytes: &[u8], threads: usize) -> u64 {
    std::thread::scope(|s| {
        let handles: Vec<_> = parts(bytes, threads)
            .into_iter()
            .map(|part| {
                s.spawn(move || {
                    let mut by_reason: HashMap<String, u64> = HashMap::new();
                    let text = simdutf8::basic::from_utf8(part).unwrap_or("");
                    for line in text.lines() {
                        let decoded = decode_fast(line).or_else(|| decode_exact(line).ok());
                        if let Some((Event::TaskFailed(f), _)) = decoded {
                            let reason = f.failure_reason.as_deref().unwrap_or("none");
                            match by_reason.get_mut(reason) {
                                Some(n) => *n += 1,
                                None => {
                                    by_reason.insert(reason.to_owned(), 1);
                                }
                            }
                        }
                    }
                    by_reason.values().sum::<u64>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

fn summary(bytes: &[u8]) -> u64 {
    let (_, agg) = summarize(
        Capture::Mapped(bytes),
        &Filter::default(),
        Utc::now(),
        Pipeline::new(0),
    )
    .expect("the corpus reads");
    agg.failures
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Best and median of `rounds` runs of each, interleaved; each run's result must agree.
fn compare(rounds: usize, runs: &[(&str, &dyn Fn() -> u64)]) -> Vec<(Duration, Duration)> {
    let mut times = vec![Vec::new(); runs.len()];
    for round in 0..rounds {
        for k in 0..runs.len() {
            let i = (k + round) % runs.len();
            let t = Instant::now();
            std::hint::black_box(runs[i].1());
            times[i].push(t.elapsed());
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort();
            (t[0], t[t.len() / 2])
        })
        .collect()
}

fn main() {
    let lines: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut records = Vec::new();
    write_capture(&mut records, lines, 1).expect("the corpus is generated");
    let corpus = bare(&records);
    drop(records);
    let quiet = counted_only(&corpus);
    let failures = summary(&corpus);
    assert_eq!(
        decode_and_count(&corpus, threads),
        failures,
        "decoding alone counts the failures summary counts"
    );
    println!(
        "corpus: {} lines, {} bytes, {failures} failures; {threads} threads",
        newlines(&corpus),
        corpus.len()
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let runs: [(&str, &dyn Fn() -> u64); 2] = [
        ("decode + count per reason (the query's work)", &|| {
            decode_and_count(&corpus, threads)
        }),
        ("summary's whole work (in process)", &|| summary(&corpus)),
    ];
    let figures = compare(5, &runs);
    println!("\n{:<48} {:>9} {:>11}", "stage", "best ms", "median ms");
    for ((name, _), (best, median)) in runs.iter().zip(&figures) {
        println!("{name:<48} {:>9.1} {:>11.1}", ms(*best), ms(*median));
    }
    println!(
        "summary's own work beyond the query's: {:.0}% of its time (medians)",
        100.0 * (1.0 - ms(figures[0].1) / ms(figures[1].1))
    );

    let n = newlines(&quiet);
    let runs: [(&str, &dyn Fn() -> u64); 3] = [
        ("find each line's end", &|| newlines(&quiet)),
        ("decode each line, 1 thread", &|| {
            decode_and_count(&quiet, 1)
        }),
        ("summary of lines only counted", &|| summary(&quiet)),
    ];
    let figures = compare(5, &runs);
    println!(
        "\n{n} lines only counted (issue:updated), {} bytes:",
        quiet.len()
    );
    println!("{:<48} {:>9} {:>11}", "", "best ns/line", "median ns/line");
    for ((name, _), (best, median)) in runs.iter().zip(&figures) {
        let per = |d: &Duration| d.as_nanos() as f64 / n.max(1) as f64;
        println!("{name:<48} {:>12.1} {:>14.1}", per(best), per(median));
    }
}
