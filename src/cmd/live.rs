//! `failwatch live`: the dashboard on a live server's realtime WebSocket, for one workspace or
//! several (one connection each).

use super::setup::{self, Settings};
use super::{dashboard, open_source, CmdError};
use crate::cli::LiveArgs;
use crate::source::ws::LiveConfig;
use crate::source::Delivery;
use crate::source::SourceSpec;

pub fn run(args: LiveArgs, settings: &Settings) -> Result<(), CmdError> {
    let url = Settings::required(args.connect.url.as_ref(), &settings.url, "url")?;
    let workspaces = super::workspaces_of(&args.connect.workspace, settings)?;
    let token = setup::token(args.connect.token_file.as_deref())?;
    let configs: Vec<LiveConfig> = workspaces
        .iter()
        .map(|workspace| LiveConfig {
            url: url.clone(),
            workspace: workspace.clone(),
            token: token.clone(),
        })
        .collect();
    // The REST API answers for one workspace: with several, withheld texts stay withheld
    // (each failure says so), and the header says the API is off.
    let api = match configs.as_slice() {
        [one] => setup::api_config(&args.connect.api, settings, &url, &one.workspace, &token),
        _ => {
            tracing::info!(
                workspaces = configs.len(),
                "REST API off: it answers for one workspace"
            );
            None
        }
    };
    let record = setup::recorder(args.record.as_deref(), &url, args.record_raw, api.is_some())?;
    setup::runtime()?.block_on(async {
        let metrics = setup::metrics(args.metrics).await?;
        let spec = match configs.len() {
            1 => SourceSpec::WebSocket {
                config: configs.into_iter().next().expect("one"),
                record: record.clone(),
            },
            _ => SourceSpec::Workspaces {
                configs,
                record: record.clone(),
            },
        };
        let mut source = open_source(spec, Delivery::Lossy).await?;
        if let [one] = workspaces.as_slice() {
            // The header names the workspace as well as the server.
            source.label = format!("{one} @ {}", source.label);
        }
        let api = setup::start_api(api, record);
        // Several workspaces: their names, from the API's list of the user's workspaces (a
        // route that needs no workspace), for the list's column and the workspaces panel.
        let names = match workspaces.as_slice() {
            [first, _, ..] => setup::api_base(&args.connect.api, settings, &url)
                .and_then(|base| setup::start_names(&base, first, &token)),
            _ => None,
        };
        dashboard::live(
            &args.dash,
            settings,
            settings.routing.pipeline(args.dash.max_failures, None),
            source,
            api,
            names,
            metrics.as_ref().map(|(m, _)| m.clone()),
        )
        .await
    })
}
