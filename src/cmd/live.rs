//! `failwatch live`: the dashboard on a live server's realtime WebSocket.

use super::setup::{self, Settings};
use super::{dashboard, open_source, CmdError};
use crate::cli::LiveArgs;
use crate::source::ws::LiveConfig;
use crate::source::Delivery;
use crate::source::SourceSpec;

pub fn run(args: LiveArgs, settings: &Settings) -> Result<(), CmdError> {
    let url = Settings::required(args.connect.url.as_ref(), &settings.url, "url")?;
    let config = LiveConfig {
        workspace: Settings::required(
            args.connect.workspace.as_ref(),
            &settings.workspace,
            "workspace",
        )?,
        token: setup::token(args.connect.token_file.as_deref())?,
        url: url.clone(),
    };
    let workspace = config.workspace.clone();
    let api = setup::api_config(&args.connect.api, settings, &url, &workspace, &config.token);
    let record = setup::recorder(args.record.as_deref(), &url, args.record_raw, api.is_some())?;
    setup::runtime()?.block_on(async {
        let metrics = setup::metrics(args.metrics).await?;
        let mut source = open_source(
            SourceSpec::WebSocket {
                config,
                record: record.clone(),
            },
            Delivery::Lossy,
        )
        .await?;
        // The header names the workspace as well as the server.
        source.label = format!("{workspace} @ {}", source.label);
        let api = setup::start_api(api, record);
        dashboard::live(
            &args.dash,
            settings,
            settings.routing.pipeline(args.dash.max_failures, None),
            source,
            api,
            metrics.as_ref().map(|(m, _)| m.clone()),
        )
        .await
    })
}
