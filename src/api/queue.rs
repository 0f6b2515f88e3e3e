//! The requests to make, in the order asked, and those on their way. An endpoint is queued once
//! however many lookups wait on it, and never asked twice at once. Time is passed in, so the
//! order is tested without a clock.

use std::collections::{HashSet, VecDeque};

use tokio::time::Instant;

use super::endpoint::Key;

#[derive(Debug, Default)]
pub struct Queue {
    /// Each with the time it may go (a retry's is later).
    due: VecDeque<(Key, Instant)>,
    queued: HashSet<Key>,
    in_flight: HashSet<Key>,
}

impl Queue {
    /// Ask `key` from `at` on. Queued already, it keeps its place and time (a retry waits its
    /// backoff), unless a request to it is on its way: that answer was asked before this lookup,
    /// so it is asked again once it lands, not later.
    pub fn ask(&mut self, key: Key, at: Instant) {
        if self.queued.insert(key.clone()) {
            self.due.push_back((key, at));
        } else if self.in_flight.contains(&key) {
            if let Some((_, due)) = self.due.iter_mut().find(|(k, _)| *k == key) {
                *due = (*due).min(at);
            }
        }
    }

    /// The request to send at `now`: the first one due whose endpoint is not on its way
    /// already. Those no lookup is `wanted` for any more are dropped on the way, not asked.
    /// The one returned is in flight until it [`landed`](Queue::landed).
    pub fn pop_due(&mut self, now: Instant, wanted: impl Fn(&Key) -> bool) -> Option<Key> {
        loop {
            let i = self
                .due
                .iter()
                .position(|(k, at)| *at <= now && !self.in_flight.contains(k))?;
            let (key, _) = self.due.remove(i)?;
            self.queued.remove(&key);
            if wanted(&key) {
                self.in_flight.insert(key.clone());
                return Some(key);
            }
        }
    }

    /// The request to `key` ended, answered or not.
    pub fn landed(&mut self, key: &Key) {
        self.in_flight.remove(key);
    }

    /// Requests on their way.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// When the first queued request may go.
    pub fn earliest(&self) -> Option<Instant> {
        self.due.iter().map(|(_, at)| *at).min()
    }

    /// Nothing more will be asked; what is on its way still lands.
    pub fn clear(&mut self) {
        self.due.clear();
        self.queued.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn agent(id: &str) -> Key {
        Key::Agent(id.into())
    }

    fn all(_: &Key) -> bool {
        true
    }

    #[test]
    fn an_endpoint_asked_by_many_lookups_is_queued_once() {
        let t0 = Instant::now();
        let mut q = Queue::default();
        for _ in 0..3 {
            q.ask(agent("a"), t0);
        }
        assert_eq!(q.pop_due(t0, all), Some(agent("a")));
        assert_eq!(q.pop_due(t0, all), None);
    }

    #[test]
    fn requests_go_in_the_order_asked_and_a_later_one_waits_its_time() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(1);
        let mut q = Queue::default();
        q.ask(agent("retry"), later);
        q.ask(agent("a"), t0);
        q.ask(agent("b"), t0);
        assert_eq!(q.earliest(), Some(t0));
        assert_eq!(q.pop_due(t0, all), Some(agent("a")));
        assert_eq!(q.pop_due(t0, all), Some(agent("b")));
        assert_eq!(q.pop_due(t0, all), None, "the retry is not due yet");
        assert_eq!(q.earliest(), Some(later));
        assert_eq!(q.pop_due(later, all), Some(agent("retry")));
        assert_eq!(q.in_flight(), 3);
    }

    #[test]
    fn an_endpoint_asked_again_while_in_flight_is_not_asked_twice_at_once_but_again_after() {
        let t0 = Instant::now();
        let mut q = Queue::default();
        q.ask(agent("a"), t0);
        assert_eq!(q.pop_due(t0, all), Some(agent("a")));
        // A lookup that came after the request went: its failure may not be in that answer.
        q.ask(agent("a"), t0);
        assert_eq!(q.pop_due(t0, all), None, "the first is still on its way");
        q.landed(&agent("a"));
        assert_eq!(q.in_flight(), 0);
        assert_eq!(q.pop_due(t0, all), Some(agent("a")), "asked again after it");
        assert_eq!(q.pop_due(t0, all), None);
    }

    #[test]
    fn an_endpoint_asked_by_many_lookups_while_in_flight_is_asked_once_more_not_once_each() {
        let t0 = Instant::now();
        let mut q = Queue::default();
        q.ask(agent("a"), t0);
        assert_eq!(q.pop_due(t0, all), Some(agent("a")));
        q.ask(agent("a"), t0);
        q.ask(agent("a"), t0);
        q.landed(&agent("a"));
        assert_eq!(q.pop_due(t0, all), Some(agent("a")));
        q.landed(&agent("a"));
        assert_eq!(q.pop_due(t0, all), None, "once more for both");
    }

    #[test]
    fn a_lookup_during_a_flight_is_not_held_back_by_a_later_ask_queued_in_it() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(2);
        let mut q = Queue::default();
        q.ask(agent("a"), t0);
        assert_eq!(q.pop_due(t0, all), Some(agent("a")));
        q.ask(agent("a"), later);
        q.ask(agent("a"), t0);
        q.landed(&agent("a"));
        assert_eq!(
            q.pop_due(t0, all),
            Some(agent("a")),
            "right after the flight"
        );
    }

    #[test]
    fn a_queued_retry_keeps_its_time_when_a_new_lookup_asks_for_its_endpoint() {
        let t0 = Instant::now();
        let backoff = t0 + Duration::from_secs(4);
        let mut q = Queue::default();
        q.ask(agent("a"), backoff);
        q.ask(agent("a"), t0);
        assert_eq!(q.pop_due(t0, all), None, "the endpoint is backing off");
        assert_eq!(q.pop_due(backoff, all), Some(agent("a")));
    }

    #[test]
    fn an_endpoint_nobody_waits_on_any_more_is_dropped_not_asked() {
        let t0 = Instant::now();
        let mut q = Queue::default();
        q.ask(agent("answered"), t0);
        q.ask(agent("b"), t0);
        let wanted = |k: &Key| *k != agent("answered");
        assert_eq!(q.pop_due(t0, wanted), Some(agent("b")));
        assert_eq!(q.pop_due(t0, all), None, "dropped, not kept for later");
        assert_eq!(q.earliest(), None);
    }

    #[test]
    fn clearing_forgets_what_is_queued_and_what_is_on_its_way_still_lands() {
        let t0 = Instant::now();
        let mut q = Queue::default();
        q.ask(agent("a"), t0);
        q.ask(agent("b"), t0);
        assert_eq!(q.pop_due(t0, all), Some(agent("a")));
        q.clear();
        assert_eq!(q.pop_due(t0, all), None);
        assert_eq!(q.in_flight(), 1);
        q.landed(&agent("a"));
        assert_eq!(q.in_flight(), 0);
    }
}
