//! What every command needs before it starts, the flags over the config file: the routing
//! settings (server family, bindings), how things are shown (language, zone, theme, keys), the
//! filter, connection defaults, inputs and outputs.

use std::path::Path;
use std::sync::Arc;

use super::CmdError;
use crate::capture::{CaptureWriter, SharedRecorder};
use crate::catalog::Lang;
use crate::cli::{Cli, RoutingArgs};
use crate::config::{Config, ThemeChoice};
use crate::enrich::Enricher;
use crate::filter::Filter;
use crate::ingest::Pipeline;
use crate::routing::{Bindings, Family, FamilySource};
use crate::source::ws::Token;

/// The server family setting and the bindings.
#[derive(Clone, Default)]
pub struct Routing {
    pub family: Option<(Family, FamilySource)>,
    /// The day the server's build is of, when the user said.
    pub built: Option<chrono::NaiveDate>,
    pub bindings: Arc<Bindings>,
}

/// Everything a command is set up with.
pub struct Settings {
    pub routing: Routing,
    pub lang: Lang,
    pub tz: crate::tz::Zone,
    /// The `--filter` given (or empty), parsed with the saved filters.
    pub filter: Filter,
    pub saved_filters: Arc<std::collections::BTreeMap<String, String>>,
    pub theme: ThemeChoice,
    /// `[keys]`: extra keys for named actions.
    pub extra_keys: Vec<(crate::ui::keymap::Key, crate::ui::action::Action)>,
    /// Connection defaults from the config file.
    pub url: Option<String>,
    pub api: Option<Option<String>>,
    pub redis: Option<String>,
    pub workspace: Option<String>,
    /// `workspaces = [...]` from the config file: several, watched at once.
    pub workspaces: Vec<String>,
    /// `[[alerts]]` from the config file.
    pub alerts: Vec<crate::alerts::AlertRule>,
}

impl Settings {
    pub fn load(cli: &Cli) -> Result<Settings, CmdError> {
        let config = Config::load(cli.routing.config.as_deref())
            .map_err(|e| CmdError::usage(super::Said::outside(e)))?;
        Settings::from_config(cli, config)
    }

    /// The flags over a config file already loaded.
    pub fn from_config(cli: &Cli, config: Config) -> Result<Settings, CmdError> {
        let routing = Routing::from(&cli.routing, &config)?;
        let saved_filters = Arc::new(config.filters.clone());
        let tz = zone(cli.view.tz.or(config.tz).unwrap_or_default());
        let filter = Filter::parse_saved(cli.view.filter.as_deref().unwrap_or(""), &saved_filters)
            .map_err(|e| CmdError::usage(crate::said!("bad --filter: {}", e)))?
            .in_zone(tz);
        Ok(Settings {
            routing,
            lang: cli
                .view
                .lang
                .or(config.lang)
                .unwrap_or_else(Lang::from_locale_env),
            tz,
            filter,
            saved_filters,
            theme: config.theme.unwrap_or_default(),
            extra_keys: crate::ui::keymap::extra_keys(&config.keys)
                .map_err(|e| CmdError::usage(crate::said!("config file: {}", e)))?,
            url: config.url,
            api: config.api,
            redis: config.redis,
            workspace: config.workspace,
            workspaces: config.workspaces,
            alerts: config.alerts,
        })
    }

    /// The config file's alert rules, ready to run (`None` when there are none).
    pub fn alert_engine(&self) -> Option<crate::alerts::AlertEngine> {
        (!self.alerts.is_empty()).then(|| crate::alerts::AlertEngine::new(self.alerts.clone()))
    }

    /// A flag's value, else the config file's, else a usage error naming both.
    pub fn required(
        flag: Option<&String>,
        config: &Option<String>,
        name: &str,
    ) -> Result<String, CmdError> {
        flag.or(config.as_ref()).cloned().ok_or_else(|| {
            CmdError::usage(crate::said!(
                "no {}: give --{}, or set `{}` in the config file",
                name,
                name,
                name
            ))
        })
    }
}

/// The zone times are shown in; the local zone only when `TZ` names nothing that must not be
/// read (a warning says why UTC is used instead).
fn zone(zone: crate::tz::Zone) -> crate::tz::Zone {
    let (zone, warning) = zone.checked(std::env::var("TZ").ok().as_deref());
    if let Some(warning) = warning {
        tracing::warn!(%warning, "local zone refused");
        eprintln!("failwatch: {warning}");
    }
    zone
}

impl Routing {
    fn from(args: &RoutingArgs, config: &Config) -> Result<Routing, CmdError> {
        let setting = match (args.server, config.server) {
            (Some(s), _) => Some((s, FamilySource::Flag)),
            (None, Some(s)) => Some((s, FamilySource::Config)),
            (None, None) => None,
        };
        let family = setting.map(|(s, source)| (s.family, source));
        let built = setting.and_then(|(s, _)| s.built);
        let mut bindings = config.bindings.clone();
        for file in [config.bindings_file.as_deref(), args.bindings.as_deref()]
            .into_iter()
            .flatten()
        {
            bindings
                .merge(Bindings::load(file).map_err(|e| CmdError::usage(super::Said::outside(e)))?);
        }
        Ok(Routing {
            family,
            built,
            bindings: Arc::new(bindings),
        })
    }

    /// What a capture tells of its family, asked only when no setting decides it.
    pub fn sniffed(&self, sniff: impl FnOnce() -> Option<Family>) -> Option<Family> {
        if self.family.is_some() {
            return None;
        }
        sniff()
    }

    /// A pipeline routing as set, or as `sniffed` from a capture when nothing is set.
    pub fn pipeline(&self, capacity: usize, sniffed: Option<Family>) -> Pipeline {
        let family = self.family.or(sniffed.map(|f| (f, FamilySource::Detected)));
        Pipeline::with_enricher(
            capacity,
            Enricher::new(family, self.bindings.clone()).with_build(self.built),
        )
    }

    /// A headless pipeline for a whole capture. Its family, unless set: read ahead in a file;
    /// held for in a stream read once (the same frames decide it either way, see
    /// [`crate::ingest::family`]), and at most `wait` when a pipe is slow.
    pub fn capture_pipeline(
        &self,
        input: &mut super::input::CaptureInput,
        wait: Option<std::time::Duration>,
    ) -> Pipeline {
        let mut pipeline = self.pipeline(0, self.sniffed(|| input.sniff()));
        if !input.rereadable() {
            pipeline.hold_until_family(wait.map(|w| std::time::Instant::now() + w));
        }
        pipeline
    }

    /// A headless pipeline for a live source: frames held for the family at most `wait`.
    pub fn live_pipeline(&self, wait: std::time::Duration) -> Pipeline {
        let mut pipeline = self.pipeline(0, None);
        pipeline.hold_until_family(Some(std::time::Instant::now() + wait));
        pipeline
    }
}

/// The REST API client for a live WebSocket source, unless turned off (or not derivable).
pub fn api_config(
    args: &crate::cli::ApiArgs,
    settings: &Settings,
    ws_url: &str,
    workspace: &str,
    token: &Token,
) -> Option<crate::api::ApiConfig> {
    let base = api_base(args, settings, ws_url)?;
    Some(crate::api::ApiConfig {
        budget: args.api_budget,
        ..crate::api::ApiConfig::new(base, workspace.to_owned(), token.clone())
    })
}

/// Where the REST API is (`--api`, the config's `api`, else the WebSocket's host), unless it is
/// not to be asked (`--no-api`, `api = false`).
pub fn api_base(args: &crate::cli::ApiArgs, settings: &Settings, ws_url: &str) -> Option<String> {
    if args.no_api || matches!(settings.api, Some(None)) {
        return None;
    }
    args.api
        .clone()
        .or_else(|| settings.api.clone().flatten())
        .or_else(|| crate::api::base_from_ws(ws_url))
}

/// Ask `base` for the workspaces' names from time to time (on the current runtime); a client
/// that cannot start is said in the log and left out, as the API client is.
pub fn start_names(base: &str, workspace: &str, token: &Token) -> Option<crate::api::names::Names> {
    crate::api::names::start(base, workspace, token)
        .map_err(|e| tracing::warn!(error = %e, "workspace names not asked"))
        .ok()
}

/// Start the API client (on a thread of its own); a client that cannot start is said and left out.
pub fn start_api(
    config: Option<crate::api::ApiConfig>,
    recorder: Option<SharedRecorder>,
) -> Option<crate::api::ApiHandle> {
    let config = config?;
    match crate::api::start(config, recorder) {
        Ok(api) => Some(api),
        Err(e) => {
            tracing::warn!(error = %e, "the REST API client could not start");
            eprintln!("failwatch: not asking the REST API: {e}");
            None
        }
    }
}

/// The dashboard draws on a terminal: without one, say so and point at the headless commands.
/// Standard input may be a pipe (`replay -`): keys are then read from the controlling terminal,
/// `/dev/tty`, as `less` and `lnav` do.
pub fn need_terminal() -> Result<(), CmdError> {
    use std::io::IsTerminal;
    let keys = std::io::stdin().is_terminal()
        || std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok();
    if std::io::stdout().is_terminal() && keys {
        return Ok(());
    }
    Err(CmdError::usage("the dashboard needs a terminal (standard output is not one, or there is no terminal to read keys from)")
        .hint("for scripts and pipes use `failwatch tail` (one record per failure) or `failwatch summary`"))
}

pub fn token(file: Option<&Path>) -> Result<Token, CmdError> {
    use crate::source::ws::TokenError;
    Token::load(file).map_err(|e| match e {
        TokenError::Unset => {
            CmdError::usage("no token: set FAILWATCH_TOKEN or pass --token-file FILE")
        }
        TokenError::Empty => CmdError::usage("the token is empty"),
        TokenError::Unreadable(path, e) => CmdError::usage(crate::said!(
            "cannot read the token file {}: {}",
            path.display(),
            e
        )),
    })
}

pub fn recorder(
    path: Option<&Path>,
    source: &str,
    raw: bool,
    api: bool,
) -> Result<Option<SharedRecorder>, CmdError> {
    path.map(|p| {
        CaptureWriter::create(p, source, raw, api)
            .map(|w| std::sync::Arc::new(std::sync::Mutex::new(w)))
            .map_err(|e| CmdError::input(crate::said!("cannot write {}: {}", p.display(), e)))
    })
    .transpose()
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CmdError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CmdError::failed(crate::said!("cannot start: {}", e)))
}

/// Start serving `--metrics` (before the source, so a taken address fails first): the metrics
/// to publish to, and the server, which stops when dropped.
pub async fn metrics(
    addr: Option<std::net::SocketAddr>,
) -> Result<Option<(crate::metrics::Metrics, crate::metrics::Server)>, CmdError> {
    let Some(addr) = addr else { return Ok(None) };
    let metrics = crate::metrics::Metrics::default();
    let server = crate::metrics::serve(addr, metrics.clone())
        .await
        .map_err(|e| {
            CmdError::usage(crate::said!("cannot serve metrics on {}: {}", addr, e)).hint(
                "give --metrics another address or port (is another failwatch serving there?)",
            )
        })?;
    tracing::info!(addr = %server.addr(), "serving metrics");
    if addr.ip().is_unspecified() {
        eprintln!(
            "failwatch: metrics on {}: every network interface can read them (--metrics 127.0.0.1:PORT keeps them on this machine)",
            server.addr()
        );
    }
    Ok(Some((metrics, server)))
}
