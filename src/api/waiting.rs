//! The lookups waiting for an answer, each on one endpoint: one request answers every lookup
//! waiting on its endpoint. Time is passed in, so who is answered, asked again or given up on is
//! tested without a clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::endpoint::Key;
use crate::enrich::LookupRequest;

/// An answer that does not list the task yet is asked again once, after this.
pub const MISS_RETRY: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct Pending {
    req: LookupRequest,
    key: Key,
    /// Times the answer did not list the task yet.
    misses: u8,
    since: Instant,
    /// Why it moved on from an endpoint, when its last one would not say it: an answer cut
    /// before its row, a redirect not followed.
    earlier: Option<Box<str>>,
    /// An answer was cut before its row: its text may have been in what was not read.
    cut: bool,
}

impl Pending {
    pub fn req(&self) -> &LookupRequest {
        &self.req
    }

    /// Its endpoint's answer at `now` did not list the task: when to ask once more, or `None`
    /// to move on. The row is committed before the frame is sent, but a replica may lag.
    pub fn missed(&mut self, now: Instant) -> Option<Instant> {
        if self.misses > 0 {
            return None;
        }
        self.misses = 1;
        Some(now + MISS_RETRY)
    }

    /// It waits on `key` now, from a fresh start there.
    pub fn move_to(&mut self, key: Key) {
        self.key = key;
        self.misses = 0;
    }

    /// It moves on from its endpoint for `why`, to be told even if the next one fails too;
    /// `cut`: the answer was cut before its row.
    pub fn moved_on(&mut self, why: &str, cut: bool) {
        self.earlier.get_or_insert_with(|| why.into());
        self.cut |= cut;
    }

    /// Why it moved on before, if that is to be told.
    pub fn earlier(&self) -> Option<&str> {
        self.earlier.as_deref()
    }

    /// An answer was cut before its row.
    pub fn lost_to_cut(&self) -> bool {
        self.cut
    }
}

#[derive(Debug, Default)]
pub struct Waiting {
    by_task: HashMap<Arc<str>, Pending>,
}

impl Waiting {
    pub fn len(&self) -> usize {
        self.by_task.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_task.is_empty()
    }

    pub fn contains(&self, task: &str) -> bool {
        self.by_task.contains_key(task)
    }

    pub fn get(&self, task: &str) -> Option<&Pending> {
        self.by_task.get(task)
    }

    pub fn get_mut(&mut self, task: &str) -> Option<&mut Pending> {
        self.by_task.get_mut(task)
    }

    /// `req` waits on `key` from `now`.
    pub fn add(&mut self, req: LookupRequest, key: Key, now: Instant) {
        let task = Arc::clone(&req.task_id);
        let pending = Pending {
            req,
            key,
            misses: 0,
            since: now,
            earlier: None,
            cut: false,
        };
        self.by_task.insert(task, pending);
    }

    pub fn remove(&mut self, task: &str) -> Option<Pending> {
        self.by_task.remove(task)
    }

    pub fn tasks(&self) -> Vec<Arc<str>> {
        self.by_task.keys().cloned().collect()
    }

    /// The lookups one answer from `key` answers.
    pub fn on(&self, key: &Key) -> Vec<Arc<str>> {
        self.by_task
            .iter()
            .filter(|(_, p)| p.key == *key)
            .map(|(t, _)| Arc::clone(t))
            .collect()
    }

    /// Whether a request to `key` would still answer anyone.
    pub fn wants(&self, key: &Key) -> bool {
        self.by_task.values().any(|p| p.key == *key)
    }

    /// Those waiting on `key` that have waited `lifetime` or longer at `now`.
    pub fn outlived(&self, key: &Key, now: Instant, lifetime: Duration) -> Vec<Arc<str>> {
        self.by_task
            .iter()
            .filter(|(_, p)| p.key == *key && now.duration_since(p.since) >= lifetime)
            .map(|(t, _)| Arc::clone(t))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn lookup(task: &str) -> LookupRequest {
        LookupRequest {
            task_id: task.into(),
            issue_id: None,
            agent_id: Some("a".into()),
            session: None,
            at: Utc::now(),
        }
    }

    fn agent(id: &str) -> Key {
        Key::Agent(id.into())
    }

    fn names(tasks: Vec<Arc<str>>) -> Vec<String> {
        let mut names: Vec<String> = tasks.iter().map(|t| t.to_string()).collect();
        names.sort();
        names
    }

    #[test]
    fn one_answer_answers_every_lookup_waiting_on_its_endpoint_and_no_other() {
        let t0 = Instant::now();
        let mut w = Waiting::default();
        w.add(lookup("t1"), agent("a"), t0);
        w.add(lookup("t2"), agent("a"), t0);
        w.add(lookup("t3"), agent("b"), t0);
        assert_eq!(names(w.on(&agent("a"))), ["t1", "t2"]);
        assert_eq!(names(w.on(&agent("b"))), ["t3"]);
        assert!(w.on(&agent("c")).is_empty());
        w.remove("t3");
        assert!(!w.wants(&agent("b")), "nobody left to answer");
        assert!(w.wants(&agent("a")));
    }

    #[test]
    fn a_lookup_that_moves_to_another_endpoint_is_answered_by_that_one() {
        let t0 = Instant::now();
        let mut w = Waiting::default();
        w.add(lookup("t1"), agent("a"), t0);
        let session = Key::Session("s".into());
        w.get_mut("t1").unwrap().move_to(session.clone());
        assert!(w.on(&agent("a")).is_empty());
        assert_eq!(names(w.on(&session)), ["t1"]);
    }

    #[test]
    fn an_answer_without_the_task_is_asked_once_more_after_2_s_then_moved_on_from() {
        let t0 = Instant::now();
        let mut w = Waiting::default();
        w.add(lookup("t1"), agent("a"), t0);
        let p = w.get_mut("t1").unwrap();
        assert_eq!(p.missed(t0), Some(t0 + Duration::from_secs(2)));
        assert_eq!(p.missed(t0 + Duration::from_secs(2)), None, "only once");
        p.move_to(Key::Session("s".into()));
        assert_eq!(p.missed(t0), Some(t0 + MISS_RETRY), "once more on the next");
    }

    #[test]
    fn a_lookup_outlives_its_lifetime_at_that_age_not_a_moment_before() {
        let t0 = Instant::now();
        let life = Duration::from_secs(600);
        let mut w = Waiting::default();
        w.add(lookup("old"), agent("a"), t0);
        w.add(lookup("young"), agent("a"), t0 + Duration::from_secs(1));
        w.add(lookup("elsewhere"), agent("b"), t0);
        assert!(w
            .outlived(&agent("a"), t0 + life - Duration::from_millis(1), life)
            .is_empty());
        assert_eq!(names(w.outlived(&agent("a"), t0 + life, life)), ["old"]);
        let later = t0 + life + Duration::from_secs(1);
        assert_eq!(
            names(w.outlived(&agent("a"), later, life)),
            ["old", "young"]
        );
    }
}
