//! What every command needs before it starts: the routing settings (server family, bindings)
//! from the flags over the config file, the language, the filter, inputs and outputs.

use std::path::Path;
use std::sync::Arc;

use super::CmdError;
use crate::capture::CaptureWriter;
use crate::catalog::Lang;
use crate::cli::{RoutingArgs, ViewArgs};
use crate::config::Config;
use crate::enrich::Enricher;
use crate::filter::Filter;
use crate::pipeline::Pipeline;
use crate::routing::{Bindings, Family, FamilySource};
use crate::source::ws::Token;

/// The server family setting and the bindings.
#[derive(Clone, Default)]
pub struct Routing {
    pub family: Option<(Family, FamilySource)>,
    pub bindings: Arc<Bindings>,
}

impl Routing {
    pub fn load(args: &RoutingArgs) -> Result<Routing, CmdError> {
        let config = Config::load(args.config.as_deref()).map_err(CmdError::usage)?;
        let family = match (args.server, config.server) {
            (Some(f), _) => Some((f, FamilySource::Flag)),
            (None, Some(f)) => Some((f, FamilySource::Config)),
            (None, None) => None,
        };
        let mut bindings = config.bindings;
        for file in [config.bindings_file.as_deref(), args.bindings.as_deref()]
            .into_iter()
            .flatten()
        {
            bindings.merge(Bindings::load(file).map_err(CmdError::usage)?);
        }
        Ok(Routing {
            family,
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
        Pipeline::with_enricher(capacity, Enricher::new(family, self.bindings.clone()))
    }
}

pub fn lang(view: &ViewArgs) -> Lang {
    view.lang.unwrap_or_else(Lang::from_locale_env)
}

pub fn filter(view: &ViewArgs) -> Result<Filter, CmdError> {
    Filter::parse(&view.filter).map_err(|e| CmdError::usage(format!("bad --filter: {e}")))
}

pub fn token(file: Option<&Path>) -> Result<Token, CmdError> {
    Token::load(file).map_err(CmdError::usage)
}

pub fn recorder(
    path: Option<&Path>,
    source: &str,
    raw: bool,
) -> Result<Option<CaptureWriter>, CmdError> {
    path.map(|p| {
        CaptureWriter::create(p, source, raw)
            .map_err(|e| CmdError::input(format!("cannot write {}: {e}", p.display())))
    })
    .transpose()
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CmdError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CmdError::failed(format!("cannot start: {e}")))
}
