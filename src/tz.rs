//! The zone times are shown in to people: UTC, the local zone (`TZ` honoured), or a named IANA
//! zone. What machines read (JSON Lines, summary JSON, exports, captures) stays UTC RFC 3339.

mod local;

use chrono::{DateTime, Local, SecondsFormat, TimeZone, Utc};

pub use local::MAX_ZONE_FILE;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    Utc,
    /// The system's zone, or `$TZ`'s.
    #[default]
    Local,
    Named(chrono_tz::Tz),
}

impl std::str::FromStr for Zone {
    type Err = String;

    /// `utc`, `local`, or an IANA name such as `Asia/Shanghai`.
    fn from_str(s: &str) -> Result<Zone, String> {
        match s.to_ascii_lowercase().as_str() {
            "utc" | "z" => Ok(Zone::Utc),
            "local" => Ok(Zone::Local),
            _ => s.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
                format!(
                    "unknown time zone `{s}` (use utc, local or an IANA name like Asia/Shanghai)"
                )
            }),
        }
    }
}

impl Zone {
    /// The zone to show times in: this one, unless it is the local zone and `tz` (the value of
    /// `TZ`) names a file it must not be read from (see [`local`]); then UTC, and the warning
    /// to give.
    pub fn checked(self, tz: Option<&str>) -> (Zone, Option<String>) {
        match self {
            Zone::Local => match local::refused(tz) {
                Some(warning) => (Zone::Utc, Some(warning)),
                None => (self, None),
            },
            _ => (self, None),
        }
    }

    fn fmt(self, t: DateTime<Utc>, pattern: &str) -> String {
        match self {
            Zone::Utc => t.format(pattern).to_string(),
            Zone::Local => t.with_timezone(&Local).format(pattern).to_string(),
            Zone::Named(tz) => t.with_timezone(&tz).format(pattern).to_string(),
        }
    }

    /// `14:03:10`: for columns whose header names the zone.
    pub fn time_of_day(self, t: DateTime<Utc>) -> String {
        self.fmt(t, "%H:%M:%S")
    }

    /// The zone as a config file or `--tz` names it: `utc`, `local`, `Asia/Shanghai`.
    pub fn name(self) -> String {
        match self {
            Zone::Utc => "utc".into(),
            Zone::Local => "local".into(),
            Zone::Named(tz) => tz.name().into(),
        }
    }

    /// The zone's short name at `t`: `UTC`, `CST`, or an offset like `+08:00` where the system
    /// gives no name.
    pub fn abbrev(self, t: DateTime<Utc>) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Local => match t.with_timezone(&Local).format("%:z").to_string() {
                zero if zero == "+00:00" => "UTC".into(),
                offset => offset,
            },
            Zone::Named(tz) => {
                let name = t.with_timezone(&tz).format("%Z").to_string();
                // Zones without a customary abbreviation print their offset (`+08`).
                if name.starts_with(['+', '-']) {
                    t.with_timezone(&tz).format("%:z").to_string()
                } else {
                    name
                }
            }
        }
    }

    /// `2026-11-20 14:03:10.478 CST`: a moment for people, its zone said.
    pub fn date_time(self, t: DateTime<Utc>) -> String {
        format!(
            "{} {}",
            self.fmt(t, "%Y-%m-%d %H:%M:%S%.3f"),
            self.abbrev(t)
        )
    }

    /// `2026-11-20 14:03 CST`: a minute, its zone said.
    pub fn minute(self, t: DateTime<Utc>) -> String {
        format!("{} {}", self.fmt(t, "%Y-%m-%d %H:%M"), self.abbrev(t))
    }

    /// RFC 3339 in this zone (`2026-11-20T14:03:10.478+08:00`), for text lines people read.
    pub fn rfc3339(self, t: DateTime<Utc>) -> String {
        match self {
            Zone::Utc => t.to_rfc3339_opts(SecondsFormat::Millis, true),
            Zone::Local => in_zone(t, &Local),
            Zone::Named(tz) => in_zone(t, &tz),
        }
    }

    /// The calendar day `t` falls on in this zone.
    pub fn date_of(self, t: DateTime<Utc>) -> chrono::NaiveDate {
        match self {
            Zone::Utc => t.date_naive(),
            Zone::Local => t.with_timezone(&Local).date_naive(),
            Zone::Named(tz) => t.with_timezone(&tz).date_naive(),
        }
    }

    /// A wall-clock time in this zone as an instant (the earlier one where clocks went back;
    /// `None` in a gap where they went forward).
    pub fn to_utc(self, t: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
        fn utc<Z: TimeZone>(r: chrono::LocalResult<DateTime<Z>>) -> Option<DateTime<Utc>> {
            r.earliest().map(|d| d.with_timezone(&Utc))
        }
        match self {
            Zone::Utc => Some(t.and_utc()),
            Zone::Local => utc(Local.from_local_datetime(&t)),
            Zone::Named(tz) => utc(tz.from_local_datetime(&t)),
        }
    }
}

fn in_zone<Z: TimeZone>(t: DateTime<Utc>, z: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    t.with_timezone(z)
        .to_rfc3339_opts(SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_parse_and_say_their_name() {
        let t = DateTime::parse_from_rfc3339("2026-11-20T03:14:39.478Z")
            .unwrap()
            .with_timezone(&Utc);
        let utc: Zone = "UTC".parse().unwrap();
        assert_eq!(utc.time_of_day(t), "03:14:39");
        assert_eq!(utc.date_time(t), "2026-11-20 03:14:39.478 UTC");
        let sh: Zone = "Asia/Shanghai".parse().unwrap();
        assert_eq!(sh.time_of_day(t), "11:14:39");
        assert_eq!(sh.abbrev(t), "CST");
        assert_eq!(sh.rfc3339(t), "2026-11-20T11:14:39.478+08:00");
        let kolkata: Zone = "Asia/Kolkata".parse().unwrap();
        assert_eq!(kolkata.abbrev(t), "IST");
        assert!("Mars/Olympus".parse::<Zone>().is_err());
        assert_eq!("local".parse::<Zone>(), Ok(Zone::Local));
    }

    #[cfg(unix)]
    #[test]
    fn a_local_zone_whose_file_cannot_be_one_falls_back_to_utc() {
        let (zone, warning) = Zone::Local.checked(Some("/dev/zero"));
        assert_eq!(zone, Zone::Utc);
        assert!(warning.unwrap().ends_with("times are shown in UTC"));
        assert_eq!(Zone::Local.checked(Some("CST-8")), (Zone::Local, None));
        assert_eq!(Zone::Local.checked(None), (Zone::Local, None));
        // A zone given by name never reads `TZ`.
        assert_eq!(Zone::Utc.checked(Some("/dev/zero")), (Zone::Utc, None));
    }
}
