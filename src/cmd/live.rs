//! `failwatch live`: the dashboard on a live server's realtime WebSocket.

use super::setup::{self, Routing};
use super::{dashboard, open_source, CmdError};
use crate::cli::LiveArgs;
use crate::source::ws::LiveConfig;
use crate::source::Delivery;
use crate::source::SourceSpec;

pub fn run(args: LiveArgs, routing: &Routing) -> Result<(), CmdError> {
    let config = LiveConfig {
        url: args.connect.url.clone(),
        workspace: args.connect.workspace.clone(),
        token: setup::token(args.connect.token_file.as_deref())?,
    };
    let record = setup::recorder(args.record.as_deref(), &args.connect.url, args.record_raw)?;
    setup::runtime()?.block_on(async {
        let source = open_source(SourceSpec::WebSocket { config, record }, Delivery::Lossy).await?;
        dashboard::live(
            &args.dash,
            routing.pipeline(args.dash.max_failures, None),
            source,
        )
        .await
    })
}
