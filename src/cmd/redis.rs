//! `failwatch redis`: the dashboard on the server's Redis relay streams (and the Redis options
//! `tail --redis` shares).

use super::setup::{self, Settings};
use super::{dashboard, open_source, CmdError};
use crate::cli::{LayoutArg, RedisArgs, RedisSourceArgs};
use crate::source::redis::{Layout, RedisConfig};
use crate::source::Delivery;
use crate::source::SourceSpec;

/// The Redis source's settings: one workspace, or every one (`None`).
pub fn config(
    url: &str,
    workspace: Option<&str>,
    args: &RedisSourceArgs,
) -> Result<RedisConfig, CmdError> {
    let since = crate::filter::parse_duration(&args.since)
        .and_then(|d| d.to_std().ok())
        .ok_or_else(|| {
            CmdError::usage(crate::said!("bad --since `{}` (e.g. 30m, 2h)", args.since))
        })?;
    let layout = args.layout.map(|l| match l {
        LayoutArg::Scope => Layout::Scope,
        LayoutArg::Sharded => Layout::Sharded {
            shards: args.shards,
        },
    });
    Ok(RedisConfig {
        url: url.to_owned(),
        workspace: workspace.map(str::to_owned),
        layout,
        shards: args.shards,
        since,
    })
}

pub fn run(args: RedisArgs, settings: &Settings) -> Result<(), CmdError> {
    let url = Settings::required(args.url.as_ref(), &settings.redis, "redis")?;
    let workspace = match args.source.all_workspaces {
        true => None,
        false => Some(Settings::required(
            args.workspace.as_ref(),
            &settings.workspace,
            "workspace",
        )?),
    };
    let config = config(&url, workspace.as_deref(), &args.source)?;
    setup::runtime()?.block_on(async {
        let metrics = setup::metrics(args.metrics).await?;
        let source = open_source(SourceSpec::Redis(config), Delivery::Lossy).await?;
        dashboard::live(
            &args.dash,
            settings,
            settings.routing.pipeline(args.dash.max_failures, None),
            source,
            None,
            None,
            metrics.as_ref().map(|(m, _)| m.clone()),
        )
        .await
    })
}
