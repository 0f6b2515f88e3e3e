//! `failwatch demo` (and the bare `failwatch`): the embedded demo server on 127.0.0.1 playing a
//! seeded incident, watched through the same live path as a real server. It plays the fork's
//! incident across PR #33 unless `--server upstream` asks for the public server's.

use std::sync::Arc;

use super::setup::{self, Settings};
use super::{dashboard, open_source, CmdError};
use crate::cli::DemoArgs;
use crate::enrich::Enricher;
use crate::ingest::Pipeline;
use crate::routing::{Family, FamilySource};
use crate::source::demo as server;
use crate::source::ws::{LiveConfig, Token};
use crate::source::Delivery;
use crate::source::SourceSpec;

pub fn run(args: DemoArgs, settings: &Settings) -> Result<(), CmdError> {
    let family = settings.routing.family.map_or(Family::Octo, |(f, _)| f);
    if args.print_bindings {
        print!(
            "{}",
            crate::demo::scenario::bindings(args.seed, family).to_toml()
        );
        return Ok(());
    }
    setup::runtime()?.block_on(async {
        let metrics = setup::metrics(args.metrics).await?;
        if args.workspaces > 1 {
            let publish = metrics.as_ref().map(|(m, _)| m.clone());
            return deployment(&args, settings, family, publish).await;
        }
        let demo = server::serve(args.port, args.seed, family)
            .await
            .map_err(|e| {
                CmdError::connect(crate::said!(
                    "cannot start the demo server on 127.0.0.1:{}: {}",
                    args.port,
                    e
                ))
            })?;
        if args.serve_only {
            println!(
                "demo server ({}) listening on {}",
                family.name(),
                demo.url()
            );
            println!(
                "watch it with: FAILWATCH_TOKEN={} failwatch live --url {} --workspace {}",
                server::DEMO_TOKEN,
                demo.url(),
                server::DEMO_WORKSPACE
            );
            println!(
                "its sessions' bindings: failwatch demo --print-bindings{}",
                if family == Family::Upstream {
                    " --server upstream"
                } else {
                    ""
                }
            );
            let _ = tokio::signal::ctrl_c().await;
            return Ok(());
        }
        let config = LiveConfig {
            url: demo.url(),
            workspace: server::DEMO_WORKSPACE.into(),
            token: Token::new(server::DEMO_TOKEN),
        };
        let record = setup::recorder(args.record.as_deref(), &demo.url(), false, true)?;
        // The demo serves the REST API on the same port, as the server does.
        let api = crate::api::ApiConfig::new(
            demo.api_url(),
            server::DEMO_WORKSPACE.into(),
            config.token.clone(),
        );
        let mut source = open_source(
            SourceSpec::WebSocket {
                config,
                record: record.clone(),
            },
            Delivery::Lossy,
        )
        .await?;
        source.label = format!("demo {}", source.label);
        let api = setup::start_api(Some(api), record);
        let bindings = crate::demo::scenario::bindings(args.seed, family);
        let pipeline = demo_pipeline(bindings, family, settings, args.dash.max_failures);
        let publish = metrics.as_ref().map(|(m, _)| m.clone());
        dashboard::live(&args.dash, settings, pipeline, source, api, None, publish).await
    })
}

/// How long after one workspace's incident the next one's starts.
const SPREAD: std::time::Duration = std::time::Duration::from_secs(20);

/// A deployment: a demo server per workspace, each with a seed of its own, their incidents
/// starting one after another (the first at once), watched as several workspaces are (one
/// connection each, the same token).
async fn deployment(
    args: &DemoArgs,
    settings: &Settings,
    family: Family,
    metrics: Option<crate::metrics::Metrics>,
) -> Result<(), CmdError> {
    let mut servers = Vec::new();
    let mut configs = Vec::new();
    let mut bindings = crate::routing::Bindings::default();
    for n in 0..args.workspaces {
        let seed = args.seed + u64::from(n);
        let port = if n == 0 { args.port } else { 0 };
        let demo = server::serve_after(port, seed, family, SPREAD * u32::from(n))
            .await
            .map_err(|e| {
                CmdError::connect(crate::said!(
                    "cannot start the demo server on 127.0.0.1:{}: {}",
                    port,
                    e
                ))
            })?;
        configs.push(LiveConfig {
            url: demo.url(),
            workspace: server::demo_workspace_id(n + 1),
            token: Token::new(server::DEMO_TOKEN),
        });
        bindings.merge(crate::demo::scenario::bindings(seed, family));
        servers.push(demo);
    }
    let first = configs[0].url.clone();
    // The workspaces' names, as the server's API gives them (every demo server knows them).
    let names = setup::start_names(
        &servers[0].api_url(),
        &configs[0].workspace,
        &configs[0].token,
    );
    let record = setup::recorder(args.record.as_deref(), &first, false, false)?;
    let mut source =
        open_source(SourceSpec::Workspaces { configs, record }, Delivery::Lossy).await?;
    source.label = format!("demo {}", source.label);
    let pipeline = demo_pipeline(bindings, family, settings, args.dash.max_failures);
    let shown = dashboard::live(&args.dash, settings, pipeline, source, None, names, metrics).await;
    drop(servers);
    shown
}

/// The demo knows its server: its family, and which relay each session is bound to (the user's
/// own bindings, if any, win).
fn demo_pipeline(
    mut bindings: crate::routing::Bindings,
    family: Family,
    settings: &Settings,
    max_failures: usize,
) -> Pipeline {
    bindings.merge((*settings.routing.bindings).clone());
    let family = settings
        .routing
        .family
        .unwrap_or((family, FamilySource::Flag));
    let enricher = Enricher::new(Some(family), Arc::new(bindings));
    Pipeline::with_enricher(max_failures, enricher)
}
