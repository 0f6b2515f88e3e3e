//! The command layer: one file per subcommand, each returning one error type that carries its
//! exit code and a hint. `main` only parses, calls [`run`] and reports.

mod dashboard;
mod demo;
mod error;
mod gen_corpus;
mod input;
mod live;
mod logging;
mod redis;
mod replay;
mod setup;
mod state;
mod summary;
mod tail;

pub use error::{CmdError, Exit};

use crate::cli::{Cli, Command, DemoArgs};
use crate::source::{self, Delivery, SourceError, SourceHandle, SourceSpec};
use setup::Routing;

/// Run one command line.
pub fn run(cli: Cli) -> Result<(), CmdError> {
    let _log = logging::init(cli.log.as_deref());
    let routing = Routing::load(&cli.routing)?;
    match cli.command {
        Some(Command::Summary(args)) => summary::run(args, &routing),
        Some(Command::Tail(args)) => tail::run(args, &routing),
        Some(Command::Replay(args)) => replay::run(args, &routing),
        Some(Command::Demo(args)) => demo::run(args, &routing),
        Some(Command::Live(args)) => live::run(args, &routing),
        Some(Command::Redis(args)) => redis::run(args, &routing),
        Some(Command::GenCorpus(args)) => gen_corpus::run(args),
        None => demo::run(DemoArgs::default_for_bare_command(), &routing),
    }
}

/// Open a live source, or say why not and what to check.
async fn open_source(spec: SourceSpec, delivery: Delivery) -> Result<SourceHandle, CmdError> {
    let (what, hint) = match &spec {
        SourceSpec::WebSocket { config, .. } => (
            format!("cannot watch {}", crate::redact::redact(&config.url).text),
            "check the URL (ws[s]://host/ws), the workspace id or slug, and the token ($FAILWATCH_TOKEN or --token-file)",
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
        CmdError::connect(format!("{what}: {e}")).hint(hint)
    })
}
