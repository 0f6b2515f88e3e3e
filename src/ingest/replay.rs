//! Paced playback of a capture: speed, pause, step, seek. The capture is loaded once; seeking
//! backwards rebuilds the pipeline from the start (ingest runs at well over a million frames/s).

use std::io::{self, BufRead};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use crate::capture::{CaptureReader, Line};
use crate::ingest::Pipeline;

/// One capture line and its number.
#[derive(Clone, Debug)]
pub struct Entry {
    pub line: Line,
    pub line_no: u64,
}

impl Entry {
    fn frame_time(&self) -> Option<DateTime<Utc>> {
        match &self.line {
            Line::Frame { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// The steps `+` and `-` move through; `--speed` may be any positive factor between them.
pub const SPEEDS: [f64; 10] = [
    0.25,
    0.5,
    1.0,
    2.0,
    5.0,
    10.0,
    30.0,
    100.0,
    1000.0,
    f64::INFINITY,
];
/// Most frames ingested per tick at `max` speed …
const MAX_PER_TICK: usize = 50_000;
/// … and for at most this long, so a key always takes effect promptly, however heavy the frames.
const MAX_TICK_TIME: StdDuration = StdDuration::from_millis(25);
/// A quiet stretch longer than this in the capture is skipped over at normal speeds.
const MAX_IDLE: Duration = Duration::seconds(10);

/// How much one call may ingest.
#[derive(Clone, Copy)]
enum Budget {
    /// A playback tick: bounded in frames and time, so the keyboard is never kept waiting.
    Tick,
    /// A seek: everything up to its target.
    ToTarget,
}

pub struct Replay {
    entries: Vec<Entry>,
    pos: usize,
    /// Capture seconds per wall second; infinite: as fast as it goes.
    speed: f64,
    pub paused: bool,
    pub looped: bool,
    /// Playback clock: capture time `anchor.1` corresponds to wall time `anchor.0`.
    anchor: Option<(Instant, DateTime<Utc>)>,
    first_at: Option<DateTime<Utc>>,
    last_at: Option<DateTime<Utc>>,
}

impl Replay {
    pub fn load(input: impl BufRead) -> io::Result<Replay> {
        let mut reader = CaptureReader::new(input);
        let mut entries = Vec::new();
        while let Some(line) = reader.next_line()? {
            if !matches!(line, Line::Header(_)) {
                entries.push(Entry {
                    line,
                    line_no: reader.line_no,
                });
            }
        }
        Ok(Replay::from_entries(entries))
    }

    pub fn from_entries(entries: Vec<Entry>) -> Replay {
        let times = entries.iter().filter_map(Entry::frame_time);
        let first_at = times.clone().min();
        let last_at = times.max();
        Replay {
            entries,
            pos: 0,
            speed: 1.0,
            paused: false,
            looped: false,
            anchor: None,
            first_at,
            last_at,
        }
    }

    /// Play at exactly this factor (`None`: as fast as it goes).
    pub fn set_speed(&mut self, factor: Option<f64>) {
        self.speed = factor
            .filter(|f| f.is_finite() && *f > 0.0)
            .unwrap_or(f64::INFINITY);
        self.anchor = None;
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The next step up from the current speed, whatever it is.
    pub fn faster(&mut self) {
        self.speed = SPEEDS
            .iter()
            .copied()
            .find(|&s| s > self.speed)
            .unwrap_or(f64::INFINITY);
        self.anchor = None;
    }

    /// The next step down.
    pub fn slower(&mut self) {
        self.speed = SPEEDS
            .iter()
            .rev()
            .copied()
            .find(|&s| s < self.speed)
            .unwrap_or(SPEEDS[0]);
        self.anchor = None;
    }

    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        self.anchor = None;
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// How many of the lines are frames.
    pub fn frames(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.line, Line::Frame { .. }))
            .count()
    }

    /// The server family the capture's frames tell within the look-ahead, as every door reads
    /// it ([`crate::ingest::family`]).
    pub fn sniff_family(&self) -> Option<crate::routing::Family> {
        let mut look = crate::ingest::family::LookAhead::default();
        self.entries
            .iter()
            .filter_map(|e| match &e.line {
                Line::Frame { text, .. } => Some(text),
                _ => None,
            })
            .find_map(|text| look.frame(text))
            .and_then(|decided| decided.family())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.entries.len()
    }

    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((self.first_at?, self.last_at?))
    }

    /// Capture time of the last ingested frame.
    pub fn current_time(&self) -> Option<DateTime<Utc>> {
        self.entries[..self.pos]
            .iter()
            .rev()
            .find_map(Entry::frame_time)
    }

    fn next_time(&self) -> Option<DateTime<Utc>> {
        self.entries[self.pos..].iter().find_map(Entry::frame_time)
    }

    /// Ingest what is due at wall time `now`. Returns how many entries were ingested.
    pub fn tick(&mut self, now: Instant, pipeline: &mut Pipeline) -> usize {
        if self.paused {
            return 0;
        }
        if self.at_end() {
            if self.looped && !self.entries.is_empty() {
                pipeline.restart();
                self.pos = 0;
                self.anchor = None;
            } else {
                return 0;
            }
        }
        let speed = self.speed();
        if speed.is_infinite() {
            return self.ingest_until(pipeline, Budget::Tick, None);
        }
        let (wall0, cap0) = match self.anchor {
            Some(a) => a,
            None => {
                let Some(t) = self.next_time() else {
                    return self.ingest_until(pipeline, Budget::Tick, None);
                };
                self.anchor = Some((now, t));
                (now, t)
            }
        };
        let elapsed = now.saturating_duration_since(wall0).as_secs_f64() * speed;
        let horizon = cap0 + Duration::microseconds((elapsed * 1e6) as i64);
        // Skip long quiet stretches instead of making the user wait through them.
        if let Some(next) = self.next_time() {
            if next - horizon > MAX_IDLE {
                self.anchor = Some((now, next));
                return self.ingest_until(pipeline, Budget::Tick, Some(next));
            }
        }
        self.ingest_until(pipeline, Budget::Tick, Some(horizon))
    }

    /// Play up to and including the next failure (the events before it too). Pauses playback.
    pub fn step(&mut self, pipeline: &mut Pipeline) -> usize {
        self.paused = true;
        let before = pipeline.store().agg.failures;
        let mut n = 0;
        while !self.at_end() && pipeline.store().agg.failures == before {
            self.ingest_one(pipeline);
            n += 1;
        }
        n
    }

    /// Move playback to capture time `target` (forward: ingest; backward: rebuild from start).
    pub fn seek(&mut self, pipeline: &mut Pipeline, target: DateTime<Utc>) {
        if self.current_time().is_some_and(|t| target < t) {
            pipeline.restart();
            self.pos = 0;
        }
        self.ingest_until(pipeline, Budget::ToTarget, Some(target));
        self.anchor = None;
        // At max speed playback would run straight to the end again: stop where the user sought.
        if self.speed().is_infinite() {
            self.paused = true;
        }
    }

    /// Seek by a signed offset from the current capture time.
    pub fn seek_by(&mut self, pipeline: &mut Pipeline, offset: Duration) {
        let base = self.current_time().or(self.first_at);
        if let Some(base) = base {
            self.seek(pipeline, base + offset);
        }
    }

    fn ingest_until(
        &mut self,
        pipeline: &mut Pipeline,
        budget: Budget,
        until: Option<DateTime<Utc>>,
    ) -> usize {
        let (max, deadline) = match budget {
            Budget::Tick => (MAX_PER_TICK, Some(Instant::now() + MAX_TICK_TIME)),
            Budget::ToTarget => (usize::MAX, None),
        };
        let mut n = 0;
        while n < max && !self.at_end() {
            if n % 64 == 63 && deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            if let (Some(limit), Some(at)) = (until, self.entries[self.pos].frame_time()) {
                if at > limit {
                    break;
                }
            }
            self.ingest_one(pipeline);
            n += 1;
        }
        n
    }

    fn ingest_one(&mut self, pipeline: &mut Pipeline) {
        let entry = &self.entries[self.pos];
        pipeline.push_line(&entry.line, entry.line_no, |_| {});
        self.pos += 1;
    }

    /// How long until the next frame is due (to sleep precisely when nothing else happens).
    pub fn until_next(&self, now: Instant) -> Option<StdDuration> {
        if self.paused || self.at_end() {
            return None;
        }
        let (wall0, cap0) = self.anchor?;
        let next = self.next_time()?;
        let capture_wait = (next - cap0).to_std().ok()?.as_secs_f64() / self.speed();
        Some((wall0 + StdDuration::from_secs_f64(capture_wait)).saturating_duration_since(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture() -> String {
        (0..10)
            .map(|i| {
                format!(
                    "{{\"at\":\"2026-11-20T03:14:{:02}.000Z\",\"frame\":{{\"type\":\"task:failed\",\"payload\":{{\"task_id\":\"t{i}\",\"failure_reason\":\"timeout\"}}}}}}\n",
                    i * 5
                )
            })
            .collect::<String>()
            + "{garbage\n"
    }

    #[test]
    fn max_speed_ingests_everything_and_counts_bad_lines() {
        let mut r = Replay::load(capture().as_bytes()).unwrap();
        r.set_speed(None);
        let mut p = Pipeline::new(100);
        r.tick(Instant::now(), &mut p);
        assert!(r.at_end());
        assert_eq!(p.store().agg.failures, 10);
        assert_eq!(p.stats().bad_lines, 1);
    }

    #[test]
    fn paced_playback_follows_capture_time() {
        let mut r = Replay::load(capture().as_bytes()).unwrap();
        r.set_speed(Some(10.0));
        let mut p = Pipeline::new(100);
        let t0 = Instant::now();
        assert_eq!(r.tick(t0, &mut p), 1, "first frame is due at once");
        // 1 s of wall time at 10x = 10 s of capture: frames at 5 s and 10 s.
        r.tick(t0 + StdDuration::from_secs(1), &mut p);
        assert_eq!(p.store().agg.failures, 3);
    }

    #[test]
    fn looping_starts_over_and_keeps_the_filter() {
        let mut r = Replay::load(capture().as_bytes()).unwrap();
        r.set_speed(None);
        r.looped = true;
        let mut p = Pipeline::new(100);
        p.store_mut()
            .set_filter(crate::filter::Filter::parse("task:t1").unwrap());
        r.tick(Instant::now(), &mut p);
        assert!(r.at_end());
        r.tick(Instant::now(), &mut p);
        assert_eq!(
            p.store().agg.failures,
            10,
            "counted once per round, not accumulated"
        );
        assert_eq!(p.store().filter().source(), "task:t1");
        assert_eq!(p.store().view_len(), 1);
    }

    #[test]
    fn speed_is_exactly_what_was_asked_and_steps_from_there() {
        let mut r = Replay::load(capture().as_bytes()).unwrap();
        r.set_speed(Some(3.0));
        assert_eq!(r.speed(), 3.0, "not rounded to a preset");
        let mut p = Pipeline::new(100);
        let t0 = Instant::now();
        r.tick(t0, &mut p);
        // 5 s of wall time at 3x = 15 s of capture: the frames at 0, 5, 10 and 15 s.
        r.tick(t0 + StdDuration::from_secs(5), &mut p);
        assert_eq!(p.store().agg.failures, 4);
        r.faster();
        assert_eq!(r.speed(), 5.0);
        r.set_speed(Some(3.0));
        r.slower();
        assert_eq!(r.speed(), 2.0);
        r.set_speed(Some(1000.0));
        r.faster();
        assert!(r.speed().is_infinite());
    }

    #[test]
    fn step_and_seek_back_and_forth_give_the_same_state() {
        let mut r = Replay::load(capture().as_bytes()).unwrap();
        let mut p = Pipeline::new(100);
        r.step(&mut p);
        r.step(&mut p);
        assert!(r.paused);
        assert_eq!(p.store().agg.failures, 2, "one failure per step");
        r.seek_by(&mut p, Duration::seconds(20));
        assert_eq!(p.store().agg.failures, 6);
        r.seek_by(&mut p, Duration::seconds(-20));
        assert_eq!(p.store().agg.failures, 2, "rebuilt from the start");
        assert_eq!(p.store().stored(), 2);
    }
}
