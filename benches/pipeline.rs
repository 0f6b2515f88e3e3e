//! Pipeline and dashboard benchmarks: decode, end-to-end ingest, render with 1M failures stored and
//! a filter active, filter change over 1M failures, and memory per stored failure.
//!
//! `cargo bench --bench pipeline` prints a figures block first (direct measurements, medians),
//! then runs the criterion groups.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{criterion_group, Criterion, Throughput};
use failwatch::catalog::Lang;
use failwatch::feed::Feed;
use failwatch::filter::Filter;
use failwatch::ingest::replay::Replay;
use failwatch::ingest::Pipeline;
use failwatch::protocol::decode;
use failwatch::ui::app::App;
use failwatch::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

/// Counts live heap bytes so memory per stored failure is measured, not guessed.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// An allocator is unsafe by the trait's contract; this one only counts and hands on.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const REASONS: [&str; 8] = [
    "agent_error.provider_capacity_or_rate_limit",
    "agent_error.provider_quota_limit",
    "runtime_offline",
    "timeout",
    "agent_error.process_failure",
    "agent_error.context_overflow",
    "queued_expired",
    "agent_error.sandbox_oom",
];

/// Failure frames of every shape, realistic sizes, a few secrets.
fn failure_frames(n: usize) -> Vec<(DateTime<Utc>, String)> {
    let t0 = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    (0..n)
        .map(|i| {
            let reason = REASONS[i % REASONS.len()];
            let session = if i % 3 == 0 { String::new() } else { format!(r#","chat_session_id":"c4a1b2d3-e5f6-4a7b-8c9d-{:012x}""#, i % 500) };
            let body = match i % 4 {
                0 => r#","retry_pending":true"#.to_owned(),
                1 => format!(r#","retry_pending":false,"error":"429 Too Many Requests: rate_limit_error on request req_{i:08x}; retry after 30s""#),
                2 => format!(r#","error":"claude exited with status 1: /Users/bob/work/repo-{i}/.env not readable, token ghp_0123456789abcdefghijABCDEFGHIJ{:06}""#, i % 999_999),
                _ => String::new(),
            };
            let text = format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"0b6f3f2e-5a0e-4c1e-9d51-{i:012x}","agent_id":"5e2d1c0b-9a8f-4e7d-8c6b-{:012x}","issue_id":"00000000-0000-0000-0000-000000000000"{session},"failure_reason":"{reason}"{body}}},"actor_id":"","actor_type":"system"}}"#,
                i % 40
            );
            (t0 + chrono::Duration::milliseconds(i as i64 * 20), text)
        })
        .collect()
}

fn filled(n: usize) -> Pipeline {
    let mut p = Pipeline::new(n);
    for (at, text) in failure_frames(n) {
        p.push_frame(at, &text, |_| {});
    }
    p
}

fn render_once(term: &mut Terminal<TestBackend>, app: &App, feed: &Feed) {
    term.draw(|f| failwatch::ui::render(f, app, feed, &Theme::detected(false)))
        .unwrap();
}

/// A dashboard over a filled pipeline, as the replay of nothing more.
fn dashboard(p: Pipeline, lang: Lang) -> (App, Feed) {
    let feed = Feed::replay(p, Replay::from_entries(Vec::new()), "bench".into());
    let mut app = App::new(lang);
    app.size = Rect::new(0, 0, 160, 48);
    app.sync(&feed);
    (app, feed)
}

fn set_filter(app: &mut App, feed: &mut Feed, expr: &str) {
    feed.pipeline
        .store_mut()
        .set_filter(Filter::parse(expr).unwrap());
    app.sync(feed);
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn figures() {
    const N: usize = 1_000_000;
    println!("== failwatch figures (direct measurements on this machine) ==");
    let frames = failure_frames(N);
    let bytes: usize = frames.iter().map(|(_, t)| t.len()).sum();

    let t = Instant::now();
    let mut ok = 0usize;
    for (_, text) in &frames {
        ok += decode(text).is_ok() as usize;
    }
    let decode_s = t.elapsed().as_secs_f64();
    println!(
        "decode: {N} frames ({:.0} MB) in {decode_s:.3} s = {:.2} M frames/s ({ok} ok)",
        bytes as f64 / 1e6,
        N as f64 / decode_s / 1e6
    );

    let before = LIVE.load(Ordering::Relaxed);
    let t = Instant::now();
    let mut p = Pipeline::new(N);
    for (at, text) in &frames {
        p.push_frame(*at, text, |_| {});
    }
    let ingest_s = t.elapsed().as_secs_f64();
    let used = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "ingest (decode+redact+route+store): {N} failures in {ingest_s:.3} s = {:.2} M failures/s; decode alone is {:.0}% of it",
        N as f64 / ingest_s / 1e6,
        100.0 * decode_s / ingest_s
    );
    println!("memory: {:.0} MB for {N} stored failures = {} bytes per failure (ring, aggregates, view, correlation memory)", used as f64 / 1e6, used / N as isize);
    drop(frames);

    let (mut app, mut feed) = dashboard(p, Lang::En);
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();

    let mut changes = Vec::new();
    for expr in [
        "reason:provider_* outcome:dropped",
        "timeout",
        "-reason:agent session:c4a1",
        "",
    ] {
        let f = Filter::parse(expr).unwrap();
        let t = Instant::now();
        feed.pipeline.store_mut().set_filter(f);
        changes.push(t.elapsed());
    }
    println!(
        "filter change over {N} failures: median {:.1} ms (max {:.1} ms; target < 150 ms)",
        median(changes.clone()).as_secs_f64() * 1e3,
        changes.iter().max().unwrap().as_secs_f64() * 1e3
    );

    set_filter(&mut app, &mut feed, "reason:provider_* outcome:dropped");
    let mut renders = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        render_once(&mut term, &app, &feed);
        renders.push(t.elapsed());
    }
    let unfiltered_median = {
        set_filter(&mut app, &mut feed, "");
        let mut v = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            render_once(&mut term, &app, &feed);
            v.push(t.elapsed());
        }
        median(v)
    };
    println!(
        "render 160x48 with {N} stored and a filter active: median {:.2} ms (target < 5 ms); without filter {:.2} ms",
        median(renders).as_secs_f64() * 1e3,
        unfiltered_median.as_secs_f64() * 1e3
    );
    println!("== end of figures ==");
}

fn bench_decode_and_ingest(c: &mut Criterion) {
    let frames = failure_frames(10_000);
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("decode_10k", |b| {
        b.iter(|| frames.iter().filter(|(_, t)| decode(t).is_ok()).count())
    });
    g.bench_function("ingest_10k", |b| {
        b.iter(|| {
            let mut p = Pipeline::new(20_000);
            for (at, t) in &frames {
                p.push_frame(*at, t, |_| {});
            }
            p.store().agg.failures
        })
    });
    g.finish();
}

fn bench_dashboard(c: &mut Criterion) {
    let (mut app, mut feed) = dashboard(filled(200_000), Lang::Zh);
    set_filter(&mut app, &mut feed, "reason:agent -outcome:not_chat");
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut g = c.benchmark_group("dashboard");
    g.bench_function("render_200k_filtered", |b| {
        b.iter(|| render_once(&mut term, &app, &feed))
    });
    g.sample_size(10);
    g.bench_function("filter_change_200k", |b| {
        b.iter(|| {
            feed.pipeline
                .store_mut()
                .set_filter(Filter::parse("reason:provider_* timeout").unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_decode_and_ingest, bench_dashboard);

fn main() {
    if std::env::args().any(|a| a == "--figures" || a == "--bench") {
        figures();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
