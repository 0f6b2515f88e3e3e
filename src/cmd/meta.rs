//! Commands about failwatch itself: shell completions, the manual page, the config file.

use std::io::Write;

use clap::CommandFactory;

use super::config_check::{self, clean};
use super::setup::Settings;
use super::CmdError;
use crate::cli::{Cli, ConfigAction};
use crate::config::Config;

pub fn completions(shell: clap_complete::Shell) -> Result<(), CmdError> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "failwatch", &mut std::io::stdout().lock());
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
            println!("{} ({state})", clean(&path.display().to_string()));
            Ok(())
        }
        ConfigAction::Check => {
            let config =
                Config::load(explicit).map_err(|e| CmdError::usage(super::Said::outside(e)))?;
            let Some(path) = &config.path else {
                println!(
                    "no config file (defaults in use); it would be read from {}",
                    path.map_or_else(|| "-".into(), |p| clean(&p.display().to_string()))
                );
                return Ok(());
            };
            // Everything a command would derive from it must hold too (bindings file, filters).
            let settings = Settings::from_config(cli, config.clone())?;
            let report = config_check::report(&config, path, settings.routing.bindings.len());
            let _ = std::io::stdout().lock().write_all(report.as_bytes());
            Ok(())
        }
    }
}
