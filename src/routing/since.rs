//! The days the servers' behaviour changed, from their git history, and the build a user says
//! their server is of (`--server upstream@2026-08-20`). The wire cannot tell a server built on
//! 2026-08-10 from one built on 2026-08-20; these facts are applied only when the user says.

use chrono::NaiveDate;

use super::Family;

const fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("not a date"),
    }
}

/// Upstream `c3577cb04b`: the DingTalk relay.
pub const UPSTREAM_DINGTALK: NaiveDate = day(2026, 8, 6);
/// Upstream `040bb97b0f`: the WeCom relay (and with it the inbox pushes).
pub const UPSTREAM_WECOM: NaiveDate = day(2026, 8, 7);
/// Upstream `67c6aa05c4`: the Telegram relay, whose notice was Chinese at first.
pub const UPSTREAM_TELEGRAM: NaiveDate = day(2026, 8, 19);
/// Upstream `341372a890`: Telegram's notice in English.
pub const UPSTREAM_TELEGRAM_ENGLISH: NaiveDate = day(2026, 8, 21);
/// Fork `cb6616f5`: the fork's Slack relay (after its PR #33 of 2026-06-15).
pub const FORK_SLACK: NaiveDate = day(2026, 6, 25);

/// The server setting: its family, and the day its build is of when the user says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerSetting {
    pub family: Family,
    pub built: Option<NaiveDate>,
}

impl ServerSetting {
    /// `upstream`, `octo`, `upstream@2026-08-20`.
    pub fn parse(s: &str) -> Result<ServerSetting, String> {
        let (family, built) = match s.trim().split_once('@') {
            Some((f, d)) => (f, Some(d.trim())),
            None => (s, None),
        };
        let family = Family::parse(family)
            .ok_or_else(|| format!("unknown server `{}` (use upstream or octo)", family.trim()))?;
        let built = built.map(parse_day).transpose()?;
        Ok(ServerSetting { family, built })
    }
}

/// A build's day, `2026-08-20`.
pub fn parse_day(d: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{d}` is not a build date (say it as 2026-08-20)"))
}

impl std::fmt::Display for ServerSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.family.name())?;
        match self.built {
            Some(d) => write!(f, "@{}", d.format("%Y-%m-%d")),
            None => Ok(()),
        }
    }
}

/// The server was built before `day` (false when the build is not known).
pub fn before(built: Option<NaiveDate>, day: NaiveDate) -> bool {
    built.is_some_and(|b| b < day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_a_family_and_maybe_the_day_its_build_is_of() {
        let s = ServerSetting::parse("upstream@2026-08-20").unwrap();
        assert_eq!(s.family, Family::Upstream);
        assert_eq!(s.built, Some(day(2026, 8, 20)));
        assert_eq!(ServerSetting::parse(" Octo ").unwrap().built, None);
        assert!(ServerSetting::parse("upstream@20.8.2026").is_err());
        assert!(ServerSetting::parse("fork@2026-08-20").is_err());
        assert!(before(Some(day(2026, 8, 18)), UPSTREAM_TELEGRAM));
        assert!(!before(Some(UPSTREAM_TELEGRAM), UPSTREAM_TELEGRAM));
        assert!(!before(None, UPSTREAM_TELEGRAM));
    }
}
