//! The one task that talks to the API: lookups in, requests out, answers handed back. It only
//! performs; what to ask, when, and what an answer means are decided by the rules beside it, each
//! tested with time passed in: the endpoint a lookup needs ([`super::endpoint`]), the lookups one
//! answer answers ([`super::waiting`]), the order of requests ([`super::queue`]), the per-second
//! budget ([`super::bucket`]), the circuit and `Retry-After` ([`super::breaker`]), retries and
//! giving up ([`super::retry`]), error answers ([`super::failed`]), redirects
//! ([`super::redirect`]) and matching and the cache ([`super::answer`]). Here: the bound on
//! requests at once, the header's counts and notes, the recording.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::Url;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::answer::{Answer, Cache};
use super::breaker::Breaker;
use super::bucket::Bucket;
use super::endpoint::{first_key, no_endpoint, Key};
use super::failed::Failed;
use super::http::{Http, HttpError, Reply};
use super::queue::Queue;
use super::redirect::{self, Hops};
use super::retry::{self, Retries, Verdict, GIVE_UP_AFTER};
use super::retry_after::{RetryAfter, MAX_WAIT};
use super::waiting::Waiting;
use super::{ApiState, ApiStatus, MAX_QUEUED};
use crate::capture::SharedRecorder;
use crate::enrich::{LookupFailed, LookupRequest, Recovered, Recovery};

pub struct Limits {
    pub budget: f64,
    pub concurrency: usize,
}

/// Counts reach the header at most this often.
const PUBLISH_EVERY: Duration = Duration::from_millis(200);

/// What a request came back with: an answer (perhaps cut), or a redirect to ask next.
enum Landed {
    Answer(Answer),
    Redirect { from: Url, location: String },
}

type Done = (Key, Result<Landed, HttpError>);

/// Said once, the first time an answer is cut.
fn cut_note() -> String {
    format!(
        "answers past {} MiB are cut: only the rows before the cut are read (the server lists newest first and has no paging)",
        super::body::ANSWER_BYTES >> 20
    )
}

pub struct Scheduler {
    http: Http,
    limits: Limits,
    results: mpsc::Sender<Vec<Recovery>>,
    /// Answers given since the last batch went out.
    outbox: Vec<Recovery>,
    status: watch::Sender<ApiStatus>,
    recorder: Option<SharedRecorder>,
    waiting: Waiting,
    queue: Queue,
    cache: Cache,
    retries: Retries,
    forbidden: HashSet<Key>,
    bucket: Bucket,
    breaker: Breaker,
    hops: Hops,
    /// When the readers were last woken, and whether counts moved since.
    published: Instant,
    counts_moved: bool,
    refused: Option<String>,
}

impl Scheduler {
    pub fn new(
        http: Http,
        limits: Limits,
        results: mpsc::Sender<Vec<Recovery>>,
        status: watch::Sender<ApiStatus>,
        recorder: Option<SharedRecorder>,
    ) -> Scheduler {
        Scheduler {
            bucket: Bucket::full(limits.budget, Instant::now()),
            http,
            limits,
            results,
            outbox: Vec::new(),
            status,
            recorder,
            waiting: Waiting::default(),
            queue: Queue::default(),
            cache: Cache::default(),
            retries: Retries::default(),
            forbidden: HashSet::new(),
            breaker: Breaker::default(),
            hops: Hops::default(),
            published: Instant::now(),
            counts_moved: false,
            refused: None,
        }
    }

    pub async fn run(mut self, mut requests: mpsc::Receiver<Vec<LookupRequest>>) {
        let mut flights: JoinSet<Done> = JoinSet::new();
        let mut open = true;
        loop {
            if !self.outbox.is_empty() {
                let batch = std::mem::take(&mut self.outbox);
                if self.results.send(batch).await.is_err() {
                    return;
                }
            }
            self.dispatch(&mut flights);
            self.publish();
            if !open && self.waiting.is_empty() && flights.is_empty() {
                return;
            }
            let wake = self.next_wake();
            tokio::select! {
                batch = requests.recv(), if open => match batch {
                    Some(batch) => {
                        for req in batch {
                            self.ask(req).await;
                        }
                    }
                    None => open = false,
                },
                Some(done) = flights.join_next(), if !flights.is_empty() => {
                    if let Ok((key, result)) = done {
                        self.queue.landed(&key);
                        self.answered(key, result).await;
                    }
                }
                _ = tokio::time::sleep_until(wake) => {}
            }
        }
    }

    /// When something may be sent next: a queued retry's time, a token, the circuit's end.
    fn next_wake(&self) -> Instant {
        let now = Instant::now();
        let mut wake = now + Duration::from_secs(1);
        if let Some(at) = self.queue.earliest() {
            wake = wake.min(at.max(now + Duration::from_millis(5)));
        }
        for until in self.breaker.held_until() {
            wake = wake.min(until.max(now + Duration::from_millis(5)));
        }
        wake
    }

    /// A new lookup: answered from the cache, queued on its endpoint, or failed at once.
    async fn ask(&mut self, req: LookupRequest) {
        if self.waiting.contains(&req.task_id) {
            return;
        }
        if let Some(why) = &self.refused {
            let why = why.clone();
            return self.give(&req.task_id, Err(why.into())).await;
        }
        if self.waiting.len() >= MAX_QUEUED {
            return self
                .give(&req.task_id, Err(super::TOO_MANY_WAITING.into()))
                .await;
        }
        let Some(key) = first_key(&req, None, &self.forbidden) else {
            return self.give(&req.task_id, Err(no_endpoint(&req).into())).await;
        };
        let now = Instant::now();
        let (task, at) = (Arc::clone(&req.task_id), req.at);
        self.waiting.add(req, key.clone(), now);
        // An answer read after the failure happened already holds its row.
        match self.cache.fresh(&key, at) {
            Some(answer) => self.resolve(&task, &key, &answer).await,
            None => self.queue.ask(key, now),
        }
    }

    /// Send what the budget, the bound and the circuit allow.
    fn dispatch(&mut self, flights: &mut JoinSet<Done>) {
        let now = Instant::now();
        while self.refused.is_none()
            && self.queue.in_flight() < self.limits.concurrency
            && self.bucket.ready(now)
            && self.breaker.allows(now, self.queue.in_flight() == 0)
        {
            let waiting = &self.waiting;
            let Some(key) = self.queue.pop_due(now, |k| waiting.wants(k)) else {
                break;
            };
            self.bucket.spend();
            self.count(|s| s.requests += 1);
            let http = self.http.clone();
            // A redirect's next hop, else the endpoint (its id was checked when it was chosen).
            let url = match self.hops.target(&key) {
                Some(url) => Ok(url.clone()),
                None => key
                    .path()
                    .map_err(HttpError::NotSent)
                    .and_then(|p| http.url(&p)),
            };
            flights.spawn(async move {
                let landed = match url {
                    Ok(url) => http.get(url).await,
                    Err(e) => Err(e),
                };
                let result = landed.and_then(|reply| match reply {
                    // Decoded here, so the body is let go before the answer is handed on.
                    Reply::Body(body) => Answer::decode(&key, &body)
                        .map(Landed::Answer)
                        .map_err(HttpError::Transport),
                    Reply::Redirect { from, location } => Ok(Landed::Redirect { from, location }),
                });
                (key, result)
            });
            if self.breaker.one_at_a_time() {
                break;
            }
        }
    }

    async fn answered(&mut self, key: Key, result: Result<Landed, HttpError>) {
        let e = match result {
            Ok(Landed::Answer(answer)) => {
                self.hops.forget(&key);
                self.breaker.success();
                self.retries.forget(&key);
                if answer.cut {
                    self.count(|s| s.answers_cut += 1);
                    self.note(cut_note());
                }
                self.cache.put(key.clone(), answer.clone(), Utc::now());
                for task in self.waiting.on(&key) {
                    self.resolve(&task, &key, &answer).await;
                }
                return;
            }
            Ok(Landed::Redirect { from, location }) => {
                match redirect::follow(self.http.origin(), &from, &location)
                    .and_then(|to| self.hops.redirected(&key, to))
                {
                    // The next hop waits for a token like any request.
                    Ok(()) if self.waiting.wants(&key) => {
                        return self.queue.ask(key, Instant::now());
                    }
                    Ok(()) => return self.hops.forget(&key),
                    Err(why) => HttpError::NotFollowed(why),
                }
            }
            Err(e) => e,
        };
        self.hops.forget(&key);
        match Failed::of(&key, &e) {
            Failed::Refused(why) => self.refuse(why).await,
            Failed::Forbidden { note, why } => {
                self.forbidden.insert(key.clone());
                self.note(note);
                for task in self.waiting.on(&key) {
                    self.next_endpoint(&task, &key, &why).await;
                }
            }
            Failed::NotHere(why) => {
                // A redirect not followed is said once, and told to its lookups even if the
                // endpoint they move on to fails too.
                let not_followed = matches!(e, HttpError::NotFollowed(_));
                if not_followed {
                    self.note(redirect::NOTE.to_owned());
                }
                for task in self.waiting.on(&key) {
                    if let (true, Some(p)) = (not_followed, self.waiting.get_mut(&task)) {
                        p.moved_on(&why, false);
                    }
                    self.next_endpoint(&task, &key, &why).await;
                }
            }
            Failed::Later => self.retry_later(key, e).await,
        }
    }

    /// A 429, a 5xx, no answer: ask this endpoint again later (a `Retry-After` holds every
    /// request); too many in a row open the circuit.
    async fn retry_later(&mut self, key: Key, e: HttpError) {
        let now = Instant::now();
        let asked = retry::retry_after(&e);
        let retry_after = asked.map(|a| a.wait);
        match (self.breaker.failure(now, retry_after), asked) {
            (Some(open_for), _) => self.say_circuit_open(open_for, &e),
            (None, Some(asked)) if !asked.wait.is_zero() => self.say_paused(asked),
            _ => {}
        }
        let tries = match self.retries.failed(&key, self.breaker.outage(), &e) {
            Verdict::Again { tries } => tries,
            Verdict::GiveUp(why) => {
                for task in self.waiting.on(&key) {
                    self.give(&task, Err(why.clone().into())).await;
                }
                return;
            }
        };
        let why = retry::outlived_why(&e);
        for task in self.waiting.outlived(&key, now, GIVE_UP_AFTER) {
            self.give(&task, Err(why.clone().into())).await;
        }
        if !self.waiting.wants(&key) {
            self.retries.forget(&key);
            return;
        }
        let at = retry::again_at(now, tries, retry_after, &mut rand::rng());
        self.queue.ask(key, at);
    }

    /// The circuit opened for `open_for`: the header and `tail` say until when, and why.
    fn say_circuit_open(&mut self, open_for: Duration, e: &HttpError) {
        let until = Utc::now() + chrono::Duration::from_std(open_for).unwrap_or_default();
        let why = e.to_string();
        tracing::warn!(%why, seconds = open_for.as_secs(), "API circuit open");
        self.status
            .send_modify(|s| s.state = ApiState::CircuitOpen { until, why });
    }

    /// The server's `Retry-After` holds every request: the header and `tail` say until when (and
    /// that it was cut down to [`MAX_WAIT`], if it was). An open circuit is said instead.
    fn say_paused(&mut self, asked: RetryAfter) {
        let until = Utc::now() + chrono::Duration::from_std(asked.wait).unwrap_or_default();
        tracing::warn!(
            seconds = asked.wait.as_secs(),
            capped = asked.capped,
            max = MAX_WAIT.as_secs(),
            "API paused by Retry-After"
        );
        self.status.send_modify(|s| {
            let later = match &s.state {
                ApiState::CircuitOpen { .. } | ApiState::Refused(_) => false,
                ApiState::Paused { until: was, .. } => until > *was,
                ApiState::Ok => true,
            };
            if later {
                s.state = ApiState::Paused {
                    until,
                    capped: asked.capped,
                };
            }
        });
    }

    /// Match the answer to one waiting task, by its id.
    async fn resolve(&mut self, task: &Arc<str>, key: &Key, answer: &Answer) {
        let found = answer.find(task, key);
        match found {
            Some(found) => self.give(task, Ok(found)).await,
            None => {
                let Some(p) = self.waiting.get_mut(task) else {
                    return;
                };
                // Its row may have been in what was not read; asking again reads the same.
                if answer.cut {
                    let why = answer.cut_why(key);
                    p.moved_on(&why, true);
                    return self.next_endpoint(task, key, &why).await;
                }
                if let Some(at) = p.missed(Instant::now()) {
                    self.queue.ask(key.clone(), at);
                    return;
                }
                let why = match key {
                    Key::Session(_) => "the chat has no failure message for this task (the server writes none for failures its sweepers find)",
                    Key::Agent(_) => "the agent's task list does not have this task",
                    Key::Issue(_) => "the issue's runs do not have this task",
                };
                self.next_endpoint(task, key, why).await;
            }
        }
    }

    /// Try the task's next endpoint, or give up saying why.
    async fn next_endpoint(&mut self, task: &Arc<str>, tried: &Key, why: &str) {
        let next = self
            .waiting
            .get(task)
            .and_then(|p| first_key(p.req(), Some(tried), &self.forbidden));
        match next {
            Some(key) => {
                if let Some(p) = self.waiting.get_mut(task) {
                    p.move_to(key.clone());
                }
                self.queue.ask(key, Instant::now());
            }
            None => self.give(task, Err(why.into())).await,
        }
    }

    /// Nothing more will be asked: fail every lookup with `why`.
    async fn refuse(&mut self, why: String) {
        tracing::warn!(%why, "API refused");
        self.refused = Some(why.clone());
        self.status
            .send_modify(|s| s.state = ApiState::Refused(why.clone()));
        for task in self.waiting.tasks() {
            self.give(&task, Err(why.clone().into())).await;
        }
        self.queue.clear();
    }

    fn note(&mut self, note: String) {
        self.status.send_modify(|s| {
            if !s.notes.contains(&note) {
                s.notes.push(note);
            }
        });
    }

    /// Hand an answer out (and to the recording), and forget the lookup. One that gives up
    /// after an answer was cut before its row is told that too, and counted as a text cut.
    async fn give(&mut self, task: &Arc<str>, outcome: Result<Recovered, LookupFailed>) {
        let pending = self.waiting.remove(task);
        let outcome = outcome.map_err(|failed| {
            let Some(p) = &pending else {
                return failed;
            };
            let why = match p.earlier() {
                Some(earlier) if *failed.why != *earlier => {
                    format!("{}; before that, {earlier}", failed.why).into()
                }
                _ => failed.why,
            };
            LookupFailed {
                why,
                cut: failed.cut || p.lost_to_cut(),
            }
        });
        let recovery = Recovery {
            task_id: Arc::clone(task),
            outcome,
        };
        match &recovery.outcome {
            Ok(r) if r.error.is_some() => self.count(|s| s.recovered += 1),
            Ok(_) => {}
            Err(_) => self.count(|s| s.failed += 1),
        }
        if let Some(rec) = &self.recorder {
            if let Ok(mut w) = rec.lock() {
                if let Err(e) = w.write_recovery(Utc::now(), &recovery) {
                    tracing::error!(error = %e, "recording a recovered text failed");
                }
            }
        }
        self.outbox.push(recovery);
    }

    /// Change a count without waking the readers: `publish` does, at most every `PUBLISH_EVERY`.
    fn count(&mut self, change: impl FnOnce(&mut ApiStatus)) {
        self.status.send_if_modified(|s| {
            change(s);
            false
        });
        self.counts_moved = true;
    }

    fn publish(&mut self) {
        let waiting = self.waiting.len();
        // The circuit closes on a success, not on a clock: until then the header says it is open.
        // A `Retry-After` ends on the clock.
        let closed = !self.breaker.outage();
        let resumed = !self.breaker.paused(Instant::now());
        let due = self.published.elapsed() >= PUBLISH_EVERY;
        let mut counts_moved = self.counts_moved;
        let woke = self.status.send_if_modified(|s| {
            let reopened = match s.state {
                ApiState::CircuitOpen { .. } => closed,
                ApiState::Paused { .. } => resumed,
                _ => false,
            };
            if reopened {
                s.state = ApiState::Ok;
            }
            counts_moved |= s.waiting != waiting;
            s.waiting = waiting;
            // A flood of lookups moves the counts on every step: the readers hear of it a few
            // times a second, and of a state change at once.
            reopened || (due && counts_moved)
        });
        if woke {
            self.published = Instant::now();
            self.counts_moved = false;
        } else {
            self.counts_moved = counts_moved;
        }
    }
}
