//! Commands about failwatch itself: shell completions, the manual page, the config file.

use std::io::Write;

use clap::CommandFactory;

use super::setup::Settings;
use super::CmdError;
use crate::cli::{Cli, ConfigAction};
use crate::config::Config;

pub fn completions(shell: clap_complete::Shell) -> Result<(), CmdError> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "failwatch", &mut std::io::stdout().lock());
    Ok(())
}

pub fn man() -> Result<(), CmdError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(CmdError::failed)?;
    let _ = std::io::stdout().lock().write_all(&out);
    Ok(())
}

pub fn config(action: ConfigAction, cli: &Cli) -> Result<(), CmdError> {
    let explicit = cli.routing.config.as_deref();
    let path = explicit
        .map(std::path::Path::to_path_buf)
        .or_else(Config::default_path);
    match action {
        ConfigAction::Path => {
            let Some(path) = path else {
                return Err(CmdError::usage(
                    "no config path: neither $XDG_CONFIG_HOME nor $HOME is set",
                ));
            };
            let state = if path.is_file() {
                "exists"
            } else {
                "does not exist"
            };
            println!("{} ({state})", path.display());
            Ok(())
        }
        ConfigAction::Check => {
            let config = Config::load(explicit).map_err(CmdError::usage)?;
            let Some(path) = &config.path else {
                println!(
                    "no config file (defaults in use); it would be read from {}",
                    path.map(|p| p.display().to_string())
                        .unwrap_or_else(|| "-".into())
                );
                return Ok(());
            };
            // Everything a command would derive from it must hold too (bindings file, filters).
            let settings = Settings::load(cli)?;
            println!("{}: ok", path.display());
            let shown = |v: Option<String>| v.unwrap_or_else(|| "(not set)".into());
            println!(
                "  server     {}",
                shown(config.server.map(|s| s.to_string()))
            );
            println!(
                "  url        {}",
                shown(config.url.as_deref().map(redacted))
            );
            println!(
                "  redis      {}",
                shown(config.redis.as_deref().map(redacted))
            );
            println!("  workspace  {}", shown(config.workspace.clone()));
            println!(
                "  lang       {}",
                shown(config.lang.map(|l| l.tag().to_owned()))
            );
            println!(
                "  tz         {}",
                shown(config.tz.map(|z| format!("{z:?}")))
            );
            println!(
                "  theme      {}",
                shown(config.theme.map(|t| format!("{t:?}").to_lowercase()))
            );
            println!("  bindings   {} sessions", settings.routing.bindings.len());
            // A saved filter that names others is shown as it is used, every name resolved
            // (the config would not have loaded with a name unknown or in a circle).
            let mut resolver = crate::filter::saved::Resolver::new(&config.filters);
            for (name, expr) in &config.filters {
                println!("  @{name:<9} {expr}");
                if let Some(Ok(used)) = expr.contains('@').then(|| resolver.named(name)) {
                    println!("  {:<10} = {}", "", crate::filter::saved::show(&used));
                }
            }
            for (action, key) in &config.keys {
                println!("  key {key:<6} {action}");
            }
            Ok(())
        }
    }
}

fn redacted(url: &str) -> String {
    crate::redact::redact_line(url, crate::redact::MAX_MESSAGE_CHARS)
}
