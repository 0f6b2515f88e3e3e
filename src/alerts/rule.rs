//! An alert rule as the config file's `[[alerts]]` tables declare it:
//!
//! ```toml
//! [[alerts]]
//! name = "timeouts piling up"
//! filter = "reason:timeout"        # the filter language; empty or absent: every failure
//! count = 5                        # at least 5 matching failures …
//! window = "10m"                   # … within 10 minutes (event time)
//!
//! [[alerts]]
//! name = "a new kind of failure"
//! new_group = true                 # a matching failure opens a group never seen in this run
//!
//! [[alerts]]
//! name = "a user was never told"
//! lost = true                      # a matching failure lost its chat session
//! cooldown = "15m"                 # any rule: after it fires, quiet for 15 minutes (event time)
//! ```

use chrono::Duration;
use serde::Deserialize;

use crate::filter::Filter;

#[derive(Clone, Debug)]
pub struct AlertRule {
    pub name: String,
    pub filter: Filter,
    pub condition: Condition,
    /// After it fires, further firings within this long (event time) are held back: recorded,
    /// not announced. `None`: every firing is announced.
    pub cooldown: Option<Duration>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// At least `count` matching failures within `window`.
    Count { count: u32, window: Duration },
    /// A matching failure in a group not seen before in this run.
    NewGroup,
    /// A matching failure whose chat session was lost (the user was never told).
    Lost,
}

/// A count rule keeps this many failure times at most …
pub const MAX_COUNT: u32 = 100_000;

/// … within a window of at most 30 days; a cooldown is at most as long.
fn max_window() -> Duration {
    Duration::days(30)
}

/// A duration as written in a rule (`10m`, `1h`, `90s`, `2d`), more than zero and at most 30
/// days; the error names the key and the rule.
fn bounded(key: &str, text: &str, name: &str, example: &str) -> Result<Duration, String> {
    crate::filter::parse_duration(text)
        .filter(|d| *d > Duration::zero() && *d <= max_window())
        .ok_or_else(|| {
            format!("alert `{name}`: bad {key} `{text}` (e.g. {example}, \"1h\"; at most 30d)")
        })
}

/// One `[[alerts]]` table as written.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub name: String,
    #[serde(default)]
    pub filter: String,
    pub count: Option<u32>,
    pub window: Option<String>,
    #[serde(default)]
    pub new_group: bool,
    #[serde(default)]
    pub lost: bool,
    pub cooldown: Option<Spelled>,
}

/// A duration as the file spells it: a string, or anything else (refused with the rule's name,
/// not as a type the file never mentions).
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum Spelled {
    Text(String),
    Other(toml::Value),
}

impl AlertRule {
    /// A rule from its table, `@name` filters resolved against `saved`; the error says what is
    /// wrong in the words of the config file.
    pub fn new(
        raw: &RawRule,
        saved: &std::collections::BTreeMap<String, String>,
    ) -> Result<AlertRule, String> {
        let name = crate::redact::redact_line(raw.name.trim(), 80);
        if name.is_empty() {
            return Err("[[alerts]]: every rule needs a name".into());
        }
        let filter =
            Filter::parse_saved(&raw.filter, saved).map_err(|e| format!("alert `{name}`: {e}"))?;
        let condition = match (raw.count, &raw.window, raw.new_group, raw.lost) {
            (Some(count), Some(window), false, false) if (1..=MAX_COUNT).contains(&count) => {
                let window = bounded("window", window, &name, "\"10m\"")?;
                Condition::Count { count, window }
            }
            (Some(_), Some(_), false, false) => {
                return Err(format!(
                    "alert `{name}`: count must be from 1 to {MAX_COUNT}"
                ))
            }
            (Some(_), None, ..) => {
                return Err(format!("alert `{name}`: count needs a window (e.g. window = \"10m\")"))
            }
            (None, Some(_), ..) => {
                return Err(format!("alert `{name}`: window needs a count (e.g. count = 5)"))
            }
            (None, None, true, false) => Condition::NewGroup,
            (None, None, false, true) => Condition::Lost,
            (None, None, false, false) => {
                return Err(format!(
                    "alert `{name}`: say when it fires: count and window, new_group = true, or lost = true"
                ))
            }
            _ => {
                return Err(format!(
                    "alert `{name}`: one condition per rule (count and window, new_group or lost)"
                ))
            }
        };
        let cooldown = match &raw.cooldown {
            None => None,
            Some(Spelled::Text(c)) => Some(bounded("cooldown", c, &name, "\"15m\"")?),
            Some(Spelled::Other(v)) => {
                let shown = match v {
                    toml::Value::Integer(n) => n.to_string(),
                    toml::Value::Float(x) => x.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => other.type_str().to_owned(),
                };
                return Err(format!(
                    "alert `{name}`: bad cooldown `{shown}`: a duration in quotes (e.g. \"15m\", \"1h\"; at most 30d)"
                ));
            }
        };
        Ok(AlertRule {
            name,
            filter,
            condition,
            cooldown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(toml_text: &str) -> Result<AlertRule, String> {
        let raw: RawRule = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        AlertRule::new(&raw, &Default::default())
    }

    #[test]
    fn each_condition_reads_and_mistakes_are_named() {
        let r =
            rule("name = \"t\"\nfilter = \"reason:timeout\"\ncount = 5\nwindow = \"10m\"").unwrap();
        assert_eq!(
            r.condition,
            Condition::Count {
                count: 5,
                window: Duration::minutes(10)
            }
        );
        assert_eq!(
            rule("name = \"n\"\nnew_group = true").unwrap().condition,
            Condition::NewGroup
        );
        assert_eq!(
            rule("name = \"l\"\nlost = true").unwrap().condition,
            Condition::Lost
        );
        for (text, says) in [
            ("name = \"x\"", "say when it fires"),
            ("name = \"x\"\ncount = 5", "needs a window"),
            ("name = \"x\"\nwindow = \"5m\"", "needs a count"),
            ("name = \"x\"\ncount = 5\nwindow = \"soon\"", "bad window"),
            ("name = \"x\"\ncount = 0\nwindow = \"5m\"", "from 1 to"),
            (
                "name = \"x\"\ncount = 1000000\nwindow = \"5m\"",
                "from 1 to",
            ),
            (
                "name = \"x\"\ncount = 5\nwindow = \"100000000d\"",
                "at most 30d",
            ),
            (
                "name = \"x\"\nlost = true\nnew_group = true",
                "one condition",
            ),
            (
                "name = \"x\"\nlost = true\nfilter = \"colour:red\"",
                "alert `x`",
            ),
            ("name = \" \"\nlost = true", "needs a name"),
            (
                "name = \"x\"\nlost = true\ncooldown = \"soon\"",
                "alert `x`: bad cooldown `soon` (e.g. \"15m\"",
            ),
            (
                "name = \"x\"\nlost = true\ncooldown = \"0m\"",
                "bad cooldown `0m`",
            ),
            (
                "name = \"x\"\nlost = true\ncooldown = \"-5m\"",
                "bad cooldown",
            ),
            (
                "name = \"x\"\nlost = true\ncooldown = \"31d\"",
                "at most 30d",
            ),
            (
                "name = \"x\"\nnew_group = true\ncooldown = \"99999999999999999d\"",
                "at most 30d",
            ),
        ] {
            let e = rule(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
        assert!(
            rule("name = \"x\"\nlost = true\nsound = \"loud\"").is_err(),
            "unknown keys"
        );
        assert_eq!(
            rule("name = \"x\"\nlost = true\ncooldown = 15").unwrap_err(),
            "alert `x`: bad cooldown `15`: a duration in quotes (e.g. \"15m\", \"1h\"; at most 30d)"
        );
        assert!(rule("name = \"x\"\nlost = true\ncooldown = [1]")
            .unwrap_err()
            .contains("bad cooldown `array`"));
    }

    #[test]
    fn any_rule_may_have_a_cooldown_and_none_is_the_default() {
        for condition in [
            "count = 5\nwindow = \"10m\"",
            "new_group = true",
            "lost = true",
        ] {
            let r = rule(&format!("name = \"x\"\n{condition}\ncooldown = \"15m\"")).unwrap();
            assert_eq!(r.cooldown, Some(Duration::minutes(15)), "{condition}");
            assert_eq!(
                rule(&format!("name = \"x\"\n{condition}"))
                    .unwrap()
                    .cooldown,
                None
            );
        }
        for (text, d) in [
            ("90s", Duration::seconds(90)),
            ("2h", Duration::hours(2)),
            ("30d", Duration::days(30)),
        ] {
            let r = rule(&format!("name = \"x\"\nlost = true\ncooldown = \"{text}\"")).unwrap();
            assert_eq!(r.cooldown, Some(d), "{text}");
        }
    }
}
