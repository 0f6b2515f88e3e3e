//! Running the dashboard on a feed: the view state from the flags, the filter applied, the
//! terminal taken and given back.

use super::setup::Settings;
use super::CmdError;
use crate::cli::DashboardArgs;
use crate::feed::Feed;
use crate::ingest::replay::Replay;
use crate::ingest::Pipeline;
use crate::source::SourceHandle;
use crate::ui::app::App;

pub async fn live(
    dash: &DashboardArgs,
    settings: &Settings,
    pipeline: Pipeline,
    source: SourceHandle,
    api: Option<crate::api::ApiHandle>,
    names: Option<crate::api::names::Names>,
    metrics: Option<crate::metrics::Metrics>,
) -> Result<(), CmdError> {
    let mut feed = Feed::live(pipeline, source);
    if let Some(api) = api {
        feed = feed.with_api(api);
    }
    if let Some(names) = names {
        feed = feed.with_names(names);
    }
    if let Some(metrics) = metrics {
        feed = feed.with_metrics(metrics);
    }
    run(dash, settings, feed).await
}

pub async fn replay(
    dash: &DashboardArgs,
    settings: &Settings,
    replay: Replay,
    label: String,
    sniffed: Option<crate::routing::Family>,
) -> Result<(), CmdError> {
    let pipeline = settings.routing.pipeline(dash.max_failures, sniffed);
    run(dash, settings, Feed::replay(pipeline, replay, label)).await
}

async fn run(dash: &DashboardArgs, settings: &Settings, mut feed: Feed) -> Result<(), CmdError> {
    feed.pipeline
        .store_mut()
        .set_filter(settings.filter.clone());
    if let Some(engine) = settings.alert_engine() {
        feed.pipeline.set_alerts(engine);
    }
    let mut app = App::new(settings.lang);
    app.ascii = dash.ascii;
    app.tz = settings.tz;
    app.saved_filters = settings.saved_filters.clone();
    app.filter_history = super::state::load_history();
    app.first_run = super::state::first_run();
    app.mouse = !dash.no_mouse;
    if let Some(path) = &dash.export {
        app.export_to = path.clone();
    }
    app.extra_keys = settings.extra_keys.clone();
    let theme = match settings.theme {
        crate::config::ThemeChoice::Mono => crate::ui::theme::Theme::plain(),
        crate::config::ThemeChoice::Color => crate::ui::theme::Theme::detected(false),
        crate::config::ThemeChoice::Light => crate::ui::theme::Theme::detected(true),
    };
    let app = crate::ui::run(app, feed, theme, super::state::save_history)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "dashboard failed");
            CmdError::failed(super::Said::outside(e))
        })?;
    super::state::save_history(&app.filter_history);
    super::state::mark_seen();
    Ok(())
}
