//! The config file (`$XDG_CONFIG_HOME/failwatch/config.toml`, or `--config FILE`), merged under
//! the command-line flags:
//!
//! ```toml
//! server = "octo"                      # upstream | octo, or with its build's day: "upstream@2026-08-20"
//! server_version = "2026-08-20"         # or the build's day apart
//! url = "wss://multica.example.com/ws" # live and tail --url
//! redis = "redis://redis.internal:6379/0"
//! api = "https://multica.example.com"  # or "off"; default: derived from url
//! workspace = "my-team"
//! workspaces = ["my-team", "other"]  # or several: live, tail and watch open one connection each
//! lang = "zh"                          # en | zh | ja | ko
//! tz = "Asia/Shanghai"                 # local | utc | an IANA name
//! theme = "mono"                       # color | light | mono
//! bindings = "bindings.toml"           # relative to this file
//! [filters]                            # saved filters, used as @name
//! lost = "outcome:dropped"
//! [keys]                               # extra keys for actions
//! quit = "x"
//! [sessions]                           # bindings, inline
//! "<chat session id>" = ["octo", "lark"]
//! [[alerts]]                           # alert rules (see `alerts::AlertRule`)
//! name = "timeouts piling up"
//! filter = "reason:timeout"
//! count = 5
//! window = "10m"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::Lang;
use crate::routing::{Bindings, ServerSetting};
use crate::tz::Zone;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: String,
        source: crate::local_file::CapError,
    },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
}

/// How colours are used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThemeChoice {
    #[default]
    Color,
    /// Colours readable on a light background.
    Light,
    /// No colour: bold and reverse video only (also what `NO_COLOR` asks).
    Mono,
}

/// What the config file says (every key optional).
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where it was read from, if a file was read.
    pub path: Option<PathBuf>,
    /// `server = "upstream"`, or with the day its build is of: `"upstream@2026-08-20"`.
    pub server: Option<ServerSetting>,
    pub url: Option<String>,
    pub redis: Option<String>,
    /// `api = "URL"`, or `api = "off"` (`Some(None)`).
    pub api: Option<Option<String>>,
    pub workspace: Option<String>,
    /// `workspaces = [...]`: several, watched at once (one connection each).
    pub workspaces: Vec<String>,
    pub lang: Option<Lang>,
    pub tz: Option<Zone>,
    pub theme: Option<ThemeChoice>,
    /// `bindings = "FILE"`: a bindings file, relative to the config file.
    pub bindings_file: Option<PathBuf>,
    /// The `[sessions]` table, inline.
    pub bindings: Bindings,
    /// `[filters]`: saved filters by name.
    pub filters: BTreeMap<String, String>,
    /// `[keys]`: action name → key.
    pub keys: BTreeMap<String, String>,
    /// `[[alerts]]`: alert rules.
    pub alerts: Vec<crate::alerts::AlertRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    server: Option<String>,
    /// The day the server's build is of, apart from `server`.
    server_version: Option<String>,
    url: Option<String>,
    redis: Option<String>,
    api: Option<String>,
    workspace: Option<String>,
    #[serde(default)]
    workspaces: Vec<String>,
    lang: Option<String>,
    tz: Option<String>,
    theme: Option<String>,
    bindings: Option<PathBuf>,
    #[serde(default)]
    filters: BTreeMap<String, String>,
    #[serde(default)]
    keys: BTreeMap<String, String>,
    #[serde(default)]
    alerts: Vec<crate::alerts::RawRule>,
    /// Read by [`Bindings::parse`]; named here so an unknown key is still an error.
    #[serde(default, rename = "sessions")]
    _sessions: Option<toml::Table>,
}

impl Config {
    /// The default location: `$XDG_CONFIG_HOME/failwatch/config.toml`, else `~/.config/…`.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("failwatch").join("config.toml"))
    }

    /// Load `explicit`, or the default file if it exists (a missing default is no error).
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match Config::default_path() {
                Some(p) if p.is_file() => p,
                _ => return Ok(Config::default()),
            },
        };
        let shown = path.display().to_string();
        let cap = crate::local_file::MAX_TABLE_BYTES;
        let text =
            crate::local_file::read_to_string(&path, cap).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
        let mut config = Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: shown,
            message,
        })?;
        if let (Some(file), Some(dir)) = (&config.bindings_file, path.parent()) {
            config.bindings_file = Some(dir.join(file));
        }
        config.path = Some(path);
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| e.message().trim().to_owned())?;
        let mut server = raw.server.map(|s| ServerSetting::parse(&s)).transpose()?;
        if let Some(v) = raw.server_version {
            let Some(s) = server.as_mut() else {
                return Err("server_version needs server = \"upstream\" or \"octo\"".into());
            };
            s.built = Some(crate::routing::since::parse_day(&v)?);
        }
        let lang = raw
            .lang
            .map(|l| {
                Lang::parse(&l).ok_or_else(|| format!("unknown lang `{l}` (en, zh, ja or ko)"))
            })
            .transpose()?;
        let tz = raw.tz.map(|z| z.parse::<Zone>()).transpose()?;
        let theme = raw
            .theme
            .map(|t| match t.as_str() {
                "color" | "colour" => Ok(ThemeChoice::Color),
                "light" => Ok(ThemeChoice::Light),
                "mono" => Ok(ThemeChoice::Mono),
                _ => Err(format!("unknown theme `{t}` (color, light or mono)")),
            })
            .transpose()?;
        crate::filter::saved::check(&raw.filters)
            .map_err(|(name, e)| format!("[filters] {name}: {e}"))?;
        let alerts = raw
            .alerts
            .iter()
            .map(|r| crate::alerts::AlertRule::new(r, &raw.filters))
            .collect::<Result<_, _>>()?;
        Ok(Config {
            alerts,
            path: None,
            server,
            url: raw.url,
            redis: raw.redis,
            api: raw.api.map(|a| (a != "off").then_some(a)),
            workspace: raw.workspace,
            workspaces: raw.workspaces,
            lang,
            tz,
            theme,
            bindings_file: raw.bindings,
            bindings: Bindings::parse(text)?,
            filters: raw.filters,
            keys: raw.keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::Relay;

    #[test]
    fn several_workspaces_are_a_list() {
        let c = Config::parse("workspaces = [\"acme\", \"globex\"]\n").unwrap();
        assert_eq!(c.workspaces, ["acme", "globex"]);
        assert!(
            Config::parse("workspaces = \"acme\"\n").is_err(),
            "a list, not a string"
        );
    }

    #[test]
    fn every_key_and_the_inline_sessions() {
        let c = Config::parse(
            "server = \"octo\"\nbindings = \"bindings.toml\"\nlang = \"zh\"\ntz = \"Asia/Shanghai\"\n\
             url = \"wss://h/ws\"\nworkspace = \"team\"\ntheme = \"mono\"\n\
             [filters]\nlost = \"outcome:dropped\"\n[keys]\nquit = \"x\"\n[sessions]\n\"s1\" = [\"octo\"]\n",
        )
        .unwrap();
        assert_eq!(
            c.server.map(|s| s.family),
            Some(crate::routing::Family::Octo)
        );
        assert_eq!(c.bindings_file.as_deref(), Some(Path::new("bindings.toml")));
        assert_eq!(c.bindings.bound("s1", Relay::Octo), Some(true));
        assert_eq!(c.lang, Some(Lang::Zh));
        assert_eq!(c.tz, Some("Asia/Shanghai".parse().unwrap()));
        assert_eq!(c.theme, Some(ThemeChoice::Mono));
        assert_eq!(c.filters["lost"], "outcome:dropped");
        assert_eq!(c.keys["quit"], "x");
        assert!(Config::parse("server = \"fork\"")
            .unwrap_err()
            .contains("upstream or octo"));
    }

    #[test]
    fn mistakes_are_named() {
        assert!(Config::parse("colour = 1").unwrap_err().contains("colour"));
        assert!(Config::parse("tz = \"Mars/Base\"")
            .unwrap_err()
            .contains("Mars/Base"));
        assert!(Config::parse("[filters]\nx = \"reason:[\"")
            .unwrap_err()
            .contains("[filters] x"));
    }

    #[test]
    fn an_explicit_missing_file_is_an_error_with_its_path() {
        let e = Config::load(Some(Path::new("/nonexistent/failwatch.toml"))).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/failwatch.toml"));
    }
}
