//! The command layer: one file per subcommand, each returning one error type that carries its
//! exit code and a hint. `main` only parses, calls [`run`] and reports.

mod config_check;
mod dashboard;
mod demo;
mod diff;
pub mod error;
mod gen_corpus;
mod input;
mod live;
mod logging;
mod man;
mod meta;
mod redis;
mod replay;
mod setup;
mod state;
mod summary;
mod tail;
mod watch;

pub use error::{CmdError, Exit, Said};

use crate::cli::{Cli, Command};
use crate::source::{self, Delivery, SourceError, SourceHandle, SourceSpec};
use setup::Settings;

/// The command `--filter` would mean nothing to (it shows no failures), if it is one.
fn filter_means_nothing(cli: &Cli) -> Option<&'static str> {
    match &cli.command {
        Some(Command::Completions(_)) => Some("completions"),
        Some(Command::Man(_)) => Some("man"),
        Some(Command::Config(_)) => Some("config"),
        Some(Command::GenCorpus(_)) => Some("gen-corpus"),
        Some(Command::Demo(a)) if a.serve_only || a.print_bindings => Some("demo --serve-only"),
        None if cli.bare.serve_only || cli.bare.print_bindings => Some("--serve-only"),
        _ => None,
    }
}

/// Run one command line.
pub fn run(cli: Cli) -> Result<(), CmdError> {
    let _log = logging::init(cli.log.as_deref());
    if let (Some(_), Some(name)) = (&cli.view.filter, filter_means_nothing(&cli)) {
        return Err(CmdError::usage(crate::said!(
            "--filter means nothing to `failwatch {}`: it filters the failures of summary, tail, \
             watch, diff and the dashboard",
            name
        )));
    }
    match &cli.command {
        Some(Command::Completions(args)) => return meta::completions(args.shell),
        Some(Command::Man(args)) => return man::run(args.command.as_deref()),
        Some(Command::Config(args)) => return meta::config(args.action, &cli),
        _ => {}
    }
    let settings = Settings::load(&cli)?;
    let dashboard = match &cli.command {
        Some(Command::Live(_) | Command::Redis(_) | Command::Replay(_)) => true,
        Some(Command::Demo(a)) => !a.serve_only && !a.print_bindings,
        None => !cli.bare.serve_only && !cli.bare.print_bindings,
        _ => false,
    };
    if dashboard {
        setup::need_terminal()?;
    }
    match cli.command {
        Some(Command::Summary(args)) => summary::run(args, &settings),
        Some(Command::Diff(args)) => diff::run(args, &settings),
        Some(Command::Watch(args)) => watch::run(args, &settings),
        Some(Command::Tail(args)) => tail::run(args, &settings),
        Some(Command::Replay(args)) => replay::run(args, &settings),
        Some(Command::Demo(args)) => demo::run(args, &settings),
        Some(Command::Live(args)) => live::run(args, &settings),
        Some(Command::Redis(args)) => redis::run(args, &settings),
        Some(Command::GenCorpus(args)) => gen_corpus::run(args),
        Some(Command::Completions(_) | Command::Man(_) | Command::Config(_)) => Ok(()),
        None => demo::run(cli.bare, &settings),
    }
}

/// Open a live source, or say why not and what to check.
async fn open_source(spec: SourceSpec, delivery: Delivery) -> Result<SourceHandle, CmdError> {
    let (what, hint) = match &spec {
        SourceSpec::WebSocket { config, .. } => (
            format!("cannot watch {}", crate::redact::redact(&config.url).text),
            "check the URL (ws[s]://host/ws), the workspace id or slug, and the token ($FAILWATCH_TOKEN or --token-file)",
        ),
        SourceSpec::Workspaces { configs, .. } => (
            format!(
                "cannot watch {}",
                crate::redact::redact(&configs.first().map(|c| c.url.clone()).unwrap_or_default())
                    .text
            ),
            "check the URL (ws[s]://host/ws), each workspace id or slug, and the token ($FAILWATCH_TOKEN or --token-file)",
        ),
        SourceSpec::Redis(config) => (
            format!(
                "cannot read the relay streams at {}",
                crate::redact::redact(&config.url).text
            ),
            "check the URL, the password ($FAILWATCH_REDIS_PASSWORD), the workspace id and --layout/--shards",
        ),
    };
    source::open(spec, delivery).await.map_err(|e| {
        let e = match e {
            SourceError::Refused(m) | SourceError::Transient(m) => m,
        };
        CmdError::connect(Said::assembled(format!("{what}: {}", error::outside(&e)))).hint(hint)
    })
}

/// The live source a headless command (`tail`, `watch`) asked for, before it is opened.
pub enum HeadlessSource {
    Redis(source::redis::RedisConfig),
    /// The WebSocket, with its URL as given (for the REST API and the recording).
    WebSocket(source::ws::LiveConfig),
    /// Several workspaces' WebSockets, one connection each.
    Workspaces(Vec<source::ws::LiveConfig>),
}

/// The workspaces asked for (each once, in order), else the config file's list, else its one.
fn workspaces_of(given: &[String], settings: &Settings) -> Result<Vec<String>, CmdError> {
    let given = match given.is_empty() {
        true => &settings.workspaces[..],
        false => given,
    };
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<String> = given
        .iter()
        .filter(|w| !w.trim().is_empty() && seen.insert((*w).clone()))
        .cloned()
        .collect();
    if out.is_empty() {
        out.push(Settings::required(None, &settings.workspace, "workspace")?);
    }
    Ok(out)
}

/// A duration flag (`3s`, `500ms`, `2m`), or a usage error naming it.
fn duration_arg(flag: &str, value: &str) -> Result<std::time::Duration, CmdError> {
    crate::filter::parse_duration(value)
        .and_then(|d| d.to_std().ok())
        .ok_or_else(|| CmdError::usage(crate::said!("bad {} `{}` (e.g. 3s)", flag, value)))
}

/// `--all-workspaces` reads the Redis relay's streams: refused with a capture file (its records
/// say their workspaces) or a WebSocket (one workspace a connection).
fn refuse_all_workspaces(
    args: &crate::cli::HeadlessSourceArgs,
    instead: &'static str,
) -> Result<(), CmdError> {
    match args.redis_source.all_workspaces {
        true => Err(CmdError::usage(instead)),
        false => Ok(()),
    }
}

/// `--url` or `--redis` (with `--workspace`), else the config file's; `None` when neither says.
fn headless_source(
    args: &crate::cli::HeadlessSourceArgs,
    settings: &Settings,
) -> Result<Option<HeadlessSource>, CmdError> {
    let workspaces = || workspaces_of(&args.workspace, settings);
    Ok(Some(
        match (&args.url, &args.redis, &settings.url, &settings.redis) {
            (_, Some(url), _, _) | (None, None, None, Some(url)) => {
                let workspace = match args.redis_source.all_workspaces {
                    true => None,
                    false => match workspaces()?.as_slice() {
                        [one] => Some(one.clone()),
                        _ => {
                            return Err(CmdError::usage(
                                "--redis reads one --workspace, or every workspace with --all-workspaces",
                            ))
                        }
                    },
                };
                HeadlessSource::Redis(redis::config(
                    url,
                    workspace.as_deref(),
                    &args.redis_source,
                )?)
            }
            (Some(url), None, _, _) | (None, None, Some(url), _) => {
                refuse_all_workspaces(
                    args,
                    "--all-workspaces reads the Redis relay (--redis URL); a WebSocket carries one workspace",
                )?;
                let token = setup::token(args.token_file.as_deref())?;
                let mut configs: Vec<source::ws::LiveConfig> = workspaces()?
                    .into_iter()
                    .map(|workspace| source::ws::LiveConfig {
                        url: url.clone(),
                        workspace,
                        token: token.clone(),
                    })
                    .collect();
                match configs.len() {
                    1 => HeadlessSource::WebSocket(configs.remove(0)),
                    _ => HeadlessSource::Workspaces(configs),
                }
            }
            (None, None, None, None) => return Ok(None),
        },
    ))
}
