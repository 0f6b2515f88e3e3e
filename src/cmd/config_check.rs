//! What `failwatch config check` prints of a config file that loaded: every setting, the saved
//! filters (with what a filter naming others stands for), keys and alert rules. Every string
//! that came from the file (or the command line) is one cleaned, redacted line: a config file
//! is input like any other, and may hold escapes or a token.

use std::fmt::Write;
use std::path::Path;

use crate::alerts::{AlertRule, Condition};
use crate::config::Config;
use crate::filter::saved::{show, Resolver};
use crate::redact::{redact_line, MAX_MESSAGE_CHARS};
use crate::ui::keymap::action_name;

/// `text` as one line safe to print: no control or format character, secrets masked, at most
/// [`MAX_MESSAGE_CHARS`] characters.
pub fn clean(text: &str) -> String {
    redact_line(text, MAX_MESSAGE_CHARS)
}

/// The report of `config`, read from `path`, whose bindings name `sessions` sessions.
pub fn report(config: &Config, path: &Path, sessions: usize) -> String {
    let mut out = String::new();
    // One column for the values, as wide as the longest `@name` needs.
    let width = config
        .filters
        .keys()
        .map(|n| 1 + clean(n).chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "  {label:<width$} {value}");
    };
    let set = |v: Option<String>| v.map_or_else(|| "(not set)".to_owned(), |v| clean(&v));
    line("server", set(config.server.map(|s| s.to_string())));
    line("url", set(config.url.clone()));
    line("redis", set(config.redis.clone()));
    line("workspace", set(config.workspace.clone()));
    line("lang", set(config.lang.map(|l| l.tag().to_owned())));
    line("tz", set(config.tz.map(|z| z.name())));
    line(
        "theme",
        set(config.theme.map(|t| format!("{t:?}").to_lowercase())),
    );
    line("bindings", format!("{sessions} sessions"));
    // A saved filter that names others is shown as it is used, every name resolved (the config
    // would not have loaded with a name unknown or in a circle).
    let mut resolver = Resolver::new(&config.filters);
    for (name, expr) in &config.filters {
        line(&format!("@{}", clean(name)), clean(expr));
        if let Some(Ok(used)) = expr.contains('@').then(|| resolver.named(name)) {
            line("", format!("= {}", clean(&show(&used))));
        }
    }
    for (action, key) in &config.keys {
        line(&format!("key {}", clean(key)), clean(action));
    }
    // The file loaded, so every entry names an action and a key.
    let extra = crate::ui::keymap::extra_keys(&config.keys).unwrap_or_default();
    let clashes = crate::ui::keymap::clashes(&extra);
    for c in &clashes {
        let modes: Vec<&str> = c.modes.iter().map(|m| m.name()).collect();
        line(
            "warning:",
            format!(
                "[keys] {} = \"{}\" takes {} from {} (in the {})",
                action_name(c.gets),
                c.key.label(),
                c.key.label(),
                action_name(c.took),
                modes.join(", ")
            ),
        );
    }
    for rule in &config.alerts {
        line("alert", alert(rule));
    }
    let verdict = match clashes.len() {
        0 => "ok".to_owned(),
        1 => "ok, 1 warning".to_owned(),
        n => format!("ok, {n} warnings"),
    };
    format!("{}: {verdict}\n{out}", clean(&path.display().to_string()))
}

/// `name: when (filter), cooldown 15m` (or `, no cooldown`).
fn alert(rule: &AlertRule) -> String {
    let when = match rule.condition {
        Condition::Count { count, window } => {
            format!("{count} within {}", crate::alerts::window_text(window))
        }
        Condition::NewGroup => "a new group".to_owned(),
        Condition::Lost => "a lost session".to_owned(),
    };
    let filter = match rule.filter.source() {
        "" => "every failure".to_owned(),
        source => clean(source),
    };
    let cooldown = match rule.cooldown {
        Some(c) => format!("cooldown {}", crate::alerts::window_text(c)),
        None => "no cooldown".to_owned(),
    };
    format!("{}: {when} ({filter}), {cooldown}", clean(&rule.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As a TOML file writes them: escapes, so the file holds the raw characters.
    const ESC_BEL: &str = "\\u001b]0;PWNED\\u0007";
    const TOKEN: &str = "mul_efefefefefefefefefefefefefefefefefefefef";

    #[test]
    fn every_string_of_the_file_is_cleaned_and_masked() {
        let text = format!(
            "workspace = \"{ESC_BEL}acme\"\n[filters]\n\"{ESC_BEL}\" = \"word\"\n\
             x = \"\\u001b[2Jtoken={TOKEN}\"\ny = \"@x\"\n[keys]\nquit = \"x\"\n\
             [[alerts]]\nname = \"{ESC_BEL} {TOKEN}\"\nfilter = \"@y\"\ncount = 2\nwindow = \"10m\"\n"
        );
        let config = Config::parse(&text).unwrap();
        assert!(config.workspace.as_deref().unwrap().contains('\u{1b}'));
        let shown = report(&config, Path::new("/etc/\u{1b}[31mfw.toml"), 0);
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
        assert!(!shown.contains("efefefefef"), "{shown}");
        for said in [
            "/etc/fw.toml: ok\n",
            "  workspace  acme\n",
            "  @          word\n",
            "  @y         @x\n             = [REDACTED",
            "  key x      quit\n",
            "  alert      ",
            "[REDACTED MULTICA TOKEN]: 2 within 10m (@y), no cooldown\n",
        ] {
            assert!(shown.contains(said), "{said}: {shown}");
        }
    }

    #[test]
    fn every_alert_rule_is_shown_with_its_condition_filter_and_cooldown() {
        let config = Config::parse(
            "[[alerts]]\nname = \"timeouts\"\nfilter = \"reason:timeout\"\ncount = 5\nwindow = \"10m\"\n\
             cooldown = \"15m\"\n[[alerts]]\nname = \"new kind\"\nnew_group = true\ncooldown = \"90s\"\n\
             [[alerts]]\nname = \"never told\"\nlost = true\n",
        )
        .unwrap();
        let shown = report(&config, Path::new("fw.toml"), 0);
        assert!(
            shown.ends_with(
                "  alert      timeouts: 5 within 10m (reason:timeout), cooldown 15m\n\
                 \x20 alert      new kind: a new group (every failure), cooldown 90s\n\
                 \x20 alert      never told: a lost session (every failure), no cooldown\n"
            ),
            "{shown}"
        );
    }

    /// `help = "q"` takes `q` from quit where no overlay is open: said, not silently done.
    #[test]
    fn a_key_taken_from_a_built_in_binding_is_a_warning() {
        let config = Config::parse("[keys]\nhelp = \"q\"\nquit = \"x\"\n").unwrap();
        let shown = report(&config, Path::new("fw.toml"), 0);
        assert!(shown.starts_with("fw.toml: ok, 2 warnings\n"), "{shown}");
        assert!(
            shown.contains(
                "  warning:   [keys] help = \"q\" takes q from quit (in the failures list, \
                 reasons panel, groups panel, sessions panel, workspaces panel)\n\
                 \x20 warning:   [keys] help = \"q\" takes q from close (in the detail view, \
                 help, alert list)\n"
            ),
            "{shown}"
        );
        let fine = Config::parse("[keys]\nquit = \"x\"\n").unwrap();
        assert!(report(&fine, Path::new("fw.toml"), 0).starts_with("fw.toml: ok\n"));
    }

    #[test]
    fn long_filter_names_keep_the_values_in_one_column() {
        let config = Config::parse(
            "tz = \"utc\"\n[filters]\nlarksilent = \"relay:lark outcome:silent\"\nx = \"lost\"\n",
        )
        .unwrap();
        let shown = report(&config, Path::new("fw.toml"), 0);
        assert!(shown.contains("\n  tz          utc\n"), "{shown}");
        assert!(
            shown.contains("\n  @larksilent relay:lark outcome:silent\n  @x          lost\n"),
            "{shown}"
        );
    }
}
