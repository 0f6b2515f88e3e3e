//! Running the dashboard on a feed: the view state from the flags, the filter applied, the
//! terminal taken and given back.

use super::setup::{self, Routing};
use super::CmdError;
use crate::cli::DashboardArgs;
use crate::feed::Feed;
use crate::pipeline::Pipeline;
use crate::source::replay::Replay;
use crate::source::SourceHandle;
use crate::ui::app::App;

pub async fn live(
    dash: &DashboardArgs,
    pipeline: Pipeline,
    source: SourceHandle,
) -> Result<(), CmdError> {
    run(dash, Feed::live(pipeline, source)).await
}

pub async fn replay(
    dash: &DashboardArgs,
    routing: &Routing,
    replay: Replay,
    label: String,
    sniffed: Option<crate::routing::Family>,
) -> Result<(), CmdError> {
    let pipeline = routing.pipeline(dash.max_failures, sniffed);
    run(dash, Feed::replay(pipeline, replay, label)).await
}

async fn run(dash: &DashboardArgs, mut feed: Feed) -> Result<(), CmdError> {
    feed.pipeline.store.set_filter(setup::filter(&dash.view)?);
    let mut app = App::new(setup::lang(&dash.view));
    app.ascii = dash.ascii;
    app.filter_history = super::state::load_history();
    let app = crate::ui::run(app, feed, !dash.no_mouse)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "dashboard failed");
            CmdError::failed(e)
        })?;
    super::state::save_history(&app.filter_history);
    Ok(())
}
