//! The capture read on every core gives exactly what the one-line-at-a-time reader gives: the
//! same summary, byte for byte, and the same failures in the same order. The captures are
//! generated for both server families and then spoilt (garbage, blank, non-UTF-8 and truncated
//! lines, a third of the frames bare, bare frames with no time, gap records) and cut into chunks so small that retries,
//! lost sessions and joins straddle chunk boundaries.

use failwatch::capture::parallel;
use failwatch::catalog::Lang;
use failwatch::filter::Filter;
use failwatch::headless::{self, Capture};
use failwatch::output::FailureRecord;
use failwatch::pipeline::Pipeline;
use support::sim::{generate, Server};

mod support;

/// A generated capture with every kind of line a reader must take in its stride.
fn spoilt(server: Server, seed: u64) -> Vec<u8> {
    let capture = generate(server, seed, 160);
    let mut out = Vec::new();
    for (i, line) in capture.text.lines().enumerate() {
        // Every third record written as a bare frame (its time then comes from its event_id,
        // or is paced): the form taps and other recorders write.
        let bare = (i % 3 == 1)
            .then(|| serde_json::from_str::<serde_json::Value>(line).ok())
            .flatten()
            .and_then(|v| {
                v.get("frame")
                    .filter(|f| f.is_object())
                    .map(|f| f.to_string())
            });
        out.extend_from_slice(bare.as_deref().unwrap_or(line).as_bytes());
        out.push(b'\n');
        match i % 37 {
            5 => out.extend_from_slice(b"not json at all\n"),
            9 => out.extend_from_slice(b"\n   \n"),
            13 => out.extend_from_slice(b"{\"type\":\"task:failed\",\"payload\":\"not an object\"}\n"),
            17 => out.extend_from_slice(b"{\"at\":\"2026-11-20T03:14:00Z\",\"frame\":{\"type\":\"pong\"}\n"),
            21 => out.extend_from_slice(b"\xff\xfe bytes that are not UTF-8\n"),
            // Bare frames carry no time of their own: paced after the line before.
            25 => out.extend_from_slice(b"{\"type\":\"agent:status\",\"payload\":{\"status\":\"idle\"}}\n"),
            29 => out.extend_from_slice(
                b"{\"at\":\"2026-11-20T03:14:09Z\",\"gap\":{\"from\":\"2026-11-20T03:14:00Z\",\"to\":\"2026-11-20T03:14:09Z\",\"why\":\"reconnected\"}}\n",
            ),
            _ => {}
        }
    }
    // A last line cut short by a recorder that was killed.
    out.extend_from_slice(br#"{"at":"2026-11-20T03:15:00Z","frame":{"type":"task:fai"#);
    out
}

/// Summary JSON and every failure update, as text.
fn read(ingest: impl FnOnce(&mut Pipeline, &mut dyn FnMut(String))) -> (String, Vec<String>) {
    let mut pipeline = Pipeline::new(0);
    let mut failures = Vec::new();
    ingest(&mut pipeline, &mut |f| failures.push(f));
    let agg = std::mem::take(&mut pipeline.store.agg);
    (headless::summary_json(&pipeline, &agg), failures)
}

fn streamed(bytes: &[u8]) -> (String, Vec<String>) {
    read(|p, out| {
        headless::ingest_capture(Capture::Stream(Box::new(bytes)), p, |u| {
            out(serde_json::to_string(&FailureRecord::of(&u.failure, Lang::En)).unwrap())
        })
        .unwrap()
    })
}

fn in_parallel(bytes: &[u8], chunk: usize, threads: usize) -> (String, Vec<String>) {
    read(|p, out| {
        parallel::for_each_line(bytes, chunk, threads, |line_no, item| {
            p.push_item(line_no, item, |u| {
                out(serde_json::to_string(&FailureRecord::of(&u.failure, Lang::En)).unwrap())
            });
            true
        })
    })
}

#[test]
fn every_chunking_gives_the_one_pass_answer_byte_for_byte() {
    for (server, seed) in [
        (Server::Upstream, 1),
        (Server::Octo, 2),
        (Server::Upstream, 3),
    ] {
        let bytes = spoilt(server, seed);
        let (want_summary, want_failures) = streamed(&bytes);
        let summary: serde_json::Value = serde_json::from_str(&want_summary).unwrap();
        // The spoilt lines are all there to be found.
        assert!(summary["bad_lines"].as_u64().unwrap() >= 8, "{summary}");
        assert!(
            summary["synthetic_times"].as_u64().unwrap() >= 4,
            "{summary}"
        );
        assert!(!summary["gaps"].as_array().unwrap().is_empty());
        assert!(summary["failures"].as_u64().unwrap() >= 60, "{summary}");
        for chunk in [1, 97, 4096, 1 << 20] {
            for threads in [1, 2, 3] {
                let (s, f) = in_parallel(&bytes, chunk, threads);
                assert_eq!(
                    s, want_summary,
                    "{server:?} chunk {chunk} threads {threads}"
                );
                assert_eq!(
                    f, want_failures,
                    "{server:?} chunk {chunk} threads {threads}"
                );
            }
        }
    }
}

#[test]
fn summarize_of_a_mapped_file_matches_the_stream_with_a_filter_too() {
    let bytes = spoilt(Server::Octo, 7);
    let filter = Filter::parse("outcome:dropped").unwrap();
    let now = chrono::Utc::now();
    let (p1, a1) = headless::summarize(
        Capture::Stream(Box::new(&bytes[..])),
        &filter,
        now,
        Pipeline::new(0),
    )
    .unwrap();
    let (p2, a2) =
        headless::summarize(Capture::Mapped(&bytes), &filter, now, Pipeline::new(0)).unwrap();
    assert_eq!(
        headless::summary_json(&p1, &a1),
        headless::summary_json(&p2, &a2)
    );
    assert!(a1.failures > 0, "the filter keeps some");
}

#[test]
fn tail_of_a_mapped_file_prints_what_the_stream_prints() {
    use failwatch::headless::{TailFormat, TailSpec};
    use failwatch::output::Locale;
    for (server, seed) in [(Server::Upstream, 11), (Server::Octo, 12)] {
        let bytes = spoilt(server, seed);
        let filter = Filter::default();
        let now = chrono::Utc::now();
        for format in [TailFormat::Jsonl, TailFormat::Text] {
            let spec = TailSpec {
                filter: &filter,
                format,
                locale: Locale::new(Lang::En, failwatch::tz::Zone::Utc),
                hold: std::time::Duration::from_secs(660),
            };
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let streamed = Capture::Stream(Box::new(&bytes[..]));
            headless::tail_capture(streamed, spec, now, Pipeline::new(0), &mut a).unwrap();
            headless::tail_capture(Capture::Mapped(&bytes), spec, now, Pipeline::new(0), &mut b)
                .unwrap();
            assert!(a.len() > 1000, "{server:?} printed rows");
            assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        }
    }
}
