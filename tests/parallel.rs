//! The capture read on every core gives exactly what the one-line-at-a-time reader gives: the
//! same summary, byte for byte, and the same failures in the same order — whether its lines are
//! taken in order one by one, or a chunk at a time with the failures built and counted on the
//! worker threads. The captures are generated for both server families and then spoilt
//! (garbage, blank, non-UTF-8 and truncated lines, a third of the frames bare, bare frames with no
//! time, gap records) and cut into chunks so small that retries, lost sessions and joins
//! straddle chunk boundaries.

use failwatch::catalog::Lang;
use failwatch::enrich::Failure;
use failwatch::filter::Filter;
use failwatch::ingest::read::{read_with, summarize, Capture, Mode, Sink};
use failwatch::ingest::Pipeline;
use failwatch::output::{summary_json, FailureRecord};
use failwatch::protocol::Gap;
use failwatch::tail;
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
        // Records name the workspace that carried them (one spelt with an escape), or none.
        let record = match (i % 5, bare.is_none()) {
            (0 | 1, true) => serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .filter(|v| v.get("frame").is_some())
                .map(|mut v| {
                    v["workspace"] = ["ws-a", "ws-b"][i % 5].into();
                    v.to_string()
                }),
            (2, true) if line.starts_with("{\"at\":") => {
                Some(line.replacen("{", "{\"workspace\":\"ws\\u002dc\",", 1))
            }
            _ => None,
        };
        let line = record.as_deref().unwrap_or(line);
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
    let agg = pipeline.take_aggregates();
    (summary_json(&pipeline, &agg), failures)
}

fn record(f: &Failure) -> String {
    serde_json::to_string(&FailureRecord::of(f, Lang::En)).unwrap()
}

/// The capture through the file door in one mode: every record and gap the sink saw.
fn through(capture: Capture<'_>, mode: Mode) -> (String, Vec<String>) {
    read(|p, out| {
        read_with(capture, p, &Records, mode, |_, records| {
            records.into_iter().for_each(&mut *out);
            Ok(())
        })
        .unwrap()
    })
}

fn streamed(bytes: &[u8]) -> (String, Vec<String>) {
    through(Capture::Stream(Box::new(bytes)), Mode::Auto)
}

/// Each failure's record and each gap, as the worker threads see them.
struct Records;

impl Sink for Records {
    type Out = Vec<String>;
    fn start(&self) -> Vec<String> {
        Vec::new()
    }
    fn failure(&self, f: &Failure, out: &mut Vec<String>) {
        out.push(record(f));
    }
    fn gap(&self, gap: &Gap, out: &mut Vec<String>) {
        out.push(format!("gap {gap:?}"));
    }
}

/// A chunk at a time on the worker threads (these captures need nothing one by one).
fn in_bulk(bytes: &[u8], chunk: usize, threads: usize) -> (String, Vec<String>) {
    through(Capture::Mapped(bytes), Mode::Bulk { threads, chunk })
}

/// Line by line, the lines read ahead on the reader threads.
fn in_parallel(bytes: &[u8], chunk: usize, threads: usize) -> (String, Vec<String>) {
    through(Capture::Mapped(bytes), Mode::Lines { threads, chunk })
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
        let workspaces: Vec<&str> = summary["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["workspace"].as_str())
            .collect();
        assert_eq!(workspaces.len(), 3, "{workspaces:?}");
        assert!(
            workspaces.contains(&"ws-c"),
            "an escaped name read as written"
        );
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
                let (s, f) = in_bulk(&bytes, chunk, threads);
                assert_eq!(
                    s, want_summary,
                    "in bulk: {server:?} chunk {chunk} threads {threads}"
                );
                assert_eq!(
                    f, want_failures,
                    "in bulk: {server:?} chunk {chunk} threads {threads}"
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
    let (p1, a1) = summarize(
        Capture::Stream(Box::new(&bytes[..])),
        &filter,
        now,
        Pipeline::new(0),
    )
    .unwrap();
    let (p2, a2) = summarize(Capture::Mapped(&bytes), &filter, now, Pipeline::new(0)).unwrap();
    assert_eq!(summary_json(&p1, &a1), summary_json(&p2, &a2));
    assert!(a1.failures > 0, "the filter keeps some");
}

#[test]
fn tail_of_a_mapped_file_prints_what_the_stream_prints() {
    use failwatch::output::Locale;
    use failwatch::output::TailFormat;
    use failwatch::tail::TailSpec;
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
            tail::tail_capture(streamed, spec, now, Pipeline::new(0), &mut a).unwrap();
            tail::tail_capture(Capture::Mapped(&bytes), spec, now, Pipeline::new(0), &mut b)
                .unwrap();
            assert!(a.len() > 1000, "{server:?} printed rows");
            assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        }
    }
}

/// A capture recorded while asking the REST API (its header says so halfway, as when two
/// recordings are joined): a chunk at a time up to that header, then one line at a time, where
/// each withheld text waits for its recovered record. The same summary and the same rows as
/// one pass.
#[test]
fn a_header_asking_for_the_api_hands_over_to_one_by_one_where_it_stands() {
    use failwatch::output::Locale;
    use failwatch::output::TailFormat;
    use failwatch::tail::TailSpec;
    let bytes = spoilt(Server::Upstream, 21);
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let middle = lines.len() / 2;
    let mut joined = Vec::new();
    let mut recovered = 0;
    for (i, line) in lines.iter().enumerate() {
        if i == middle {
            joined.extend_from_slice(
                b"{\"failwatch_capture\":1,\"source\":\"second\",\"api\":true}\n",
            );
        }
        joined.extend_from_slice(line);
        let frame = serde_json::from_slice::<serde_json::Value>(line).ok();
        let frame = frame.as_ref().map(|v| v.get("frame").unwrap_or(v));
        let task = frame
            .filter(|f| f["type"] == "task:failed" && f["payload"]["retry_pending"] == false)
            .and_then(|f| f["payload"]["task_id"].as_str());
        if let (true, Some(task)) = (i > middle, task) {
            recovered += 1;
            joined.extend_from_slice(
                format!(r#"{{"at":"2026-11-20T03:14:00.000Z","recovered":{{"task_id":"{task}","source":"agent_tasks","error":"exit {recovered}: token=abc{recovered}"}}}}"#)
                    .as_bytes(),
            );
            joined.push(b'\n');
        }
    }
    assert!(recovered > 5, "texts recovered after the header");
    let filter = Filter::default();
    let now = chrono::Utc::now();
    let summary = |capture| {
        let (p, agg) = summarize(capture, &filter, now, Pipeline::new(0)).unwrap();
        summary_json(&p, &agg)
    };
    let one_pass = summary(Capture::Stream(Box::new(&joined[..])));
    let withheld = |summary: &str| {
        let json: serde_json::Value = serde_json::from_str(summary).unwrap();
        json["withheld"].as_u64().unwrap()
    };
    let before = summary(Capture::Stream(Box::new(&bytes[..])));
    assert!(
        withheld(&one_pass) < withheld(&before),
        "texts the wire withheld were recovered"
    );
    assert_eq!(summary(Capture::Mapped(&joined)), one_pass);
    let spec = TailSpec {
        filter: &filter,
        format: TailFormat::Jsonl,
        locale: Locale::new(Lang::En, failwatch::tz::Zone::Utc),
        hold: std::time::Duration::from_secs(660),
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let streamed = Capture::Stream(Box::new(&joined[..]));
    tail::tail_capture(streamed, spec, now, Pipeline::new(0), &mut a).unwrap();
    tail::tail_capture(
        Capture::Mapped(&joined),
        spec,
        now,
        Pipeline::new(0),
        &mut b,
    )
    .unwrap();
    assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
}
