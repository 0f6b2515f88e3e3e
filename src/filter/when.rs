//! The times `since:` and `until:` name: a duration back from the newest event (`15m`), a time of
//! day (`09:50`, `09:50:30`: its latest occurrence at or before the newest event, in the zone
//! times are shown in), or an instant (`2026-12-07T00:12:30Z`; without an offset, in that zone).

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};

use super::parse_duration;
use crate::tz::Zone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Ago(Duration),
    Clock(NaiveTime),
    Local(NaiveDateTime),
    At(DateTime<Utc>),
}

impl When {
    pub fn parse(v: &str) -> Option<When> {
        if let Some(d) = parse_duration(v) {
            return Some(When::Ago(d));
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(v) {
            return Some(When::At(t.with_timezone(&Utc)));
        }
        for pattern in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(v, pattern) {
                return Some(When::Local(t));
            }
        }
        for pattern in ["%H:%M:%S", "%H:%M"] {
            if let Ok(t) = NaiveTime::parse_from_str(v, pattern) {
                return Some(When::Clock(t));
            }
        }
        None
    }

    /// The instant meant, with `now` the newest event time; `None` when it falls outside the
    /// calendar (a window reaching past its start holds everything).
    pub fn resolve(self, now: DateTime<Utc>, zone: Zone) -> Option<DateTime<Utc>> {
        match self {
            When::Ago(d) => now.checked_sub_signed(d),
            When::At(t) => Some(t),
            When::Local(t) => zone.to_utc(t),
            When::Clock(t) => {
                let today = zone.date_of(now);
                let at = zone.to_utc(today.and_time(t))?;
                if at <= now {
                    Some(at)
                } else {
                    zone.to_utc(today.pred_opt()?.and_time(t))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn each_form_means_one_instant() {
        let now = utc("2026-12-07T10:03:03Z");
        let at = |v: &str| When::parse(v).unwrap().resolve(now, Zone::Utc).unwrap();
        assert_eq!(at("20m"), utc("2026-12-07T09:43:03Z"));
        assert_eq!(at("09:50"), utc("2026-12-07T09:50:00Z"));
        assert_eq!(at("09:50:30"), utc("2026-12-07T09:50:30Z"));
        // A time of day later than the newest event is yesterday's.
        assert_eq!(at("23:00"), utc("2026-12-06T23:00:00Z"));
        assert_eq!(at("2026-12-07T00:12:30Z"), utc("2026-12-07T00:12:30Z"));
        assert_eq!(at("2026-12-07T08:12:30+08:00"), utc("2026-12-07T00:12:30Z"));
        assert_eq!(at("2026-12-07T00:12"), utc("2026-12-07T00:12:00Z"));
    }

    #[test]
    fn times_of_day_are_read_in_the_zone_shown() {
        let now = utc("2026-12-07T10:03:03Z");
        let shanghai = Zone::Named(chrono_tz::Asia::Shanghai);
        // 18:03 in Shanghai; 17:50 there is 09:50 UTC.
        let at = When::parse("17:50")
            .unwrap()
            .resolve(now, shanghai)
            .unwrap();
        assert_eq!(at, utc("2026-12-07T09:50:00Z"));
    }

    #[test]
    fn nonsense_is_refused() {
        for v in ["25:00", "9h50", "tomorrow", "2026-13-01T00:00:00Z", ""] {
            assert_eq!(When::parse(v), None, "{v}");
        }
    }
}
