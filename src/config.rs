//! The config file (`$XDG_CONFIG_HOME/failwatch/config.toml`, or `--config FILE`), merged under
//! the command-line flags. Keys other commands own are left alone.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::routing::{Bindings, Family};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
}

/// What the config file says (every key optional).
#[derive(Debug, Default)]
pub struct Config {
    /// Where it was read from, if a file was read.
    pub path: Option<PathBuf>,
    /// `server = "upstream" | "octo"`.
    pub server: Option<Family>,
    /// `bindings = "FILE"`: a bindings file, relative to the config file.
    pub bindings_file: Option<PathBuf>,
    /// The `[sessions]` table, inline.
    pub bindings: Bindings,
}

#[derive(Deserialize)]
struct Raw {
    server: Option<String>,
    bindings: Option<PathBuf>,
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
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
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
        let server = raw
            .server
            .map(|s| {
                Family::parse(&s).ok_or_else(|| format!("unknown server `{s}` (upstream or octo)"))
            })
            .transpose()?;
        Ok(Config {
            path: None,
            server,
            bindings_file: raw.bindings,
            bindings: Bindings::parse(text)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::Relay;

    #[test]
    fn server_bindings_file_and_inline_sessions() {
        let c = Config::parse(
            "server = \"octo\"\nbindings = \"bindings.toml\"\nlang = \"zh\"\n[sessions]\n\"s1\" = [\"octo\"]\n",
        )
        .unwrap();
        assert_eq!(c.server, Some(Family::Octo));
        assert_eq!(c.bindings_file.as_deref(), Some(Path::new("bindings.toml")));
        assert_eq!(c.bindings.bound("s1", Relay::Octo), Some(true));
        assert!(Config::parse("server = \"fork\"")
            .unwrap_err()
            .contains("upstream or octo"));
    }

    #[test]
    fn an_explicit_missing_file_is_an_error_with_its_path() {
        let e = Config::load(Some(Path::new("/nonexistent/failwatch.toml"))).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/failwatch.toml"));
    }
}
