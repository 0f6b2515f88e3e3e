//! `failwatch watch`: the config file's alert rules, headless. Each alert that fires is printed
//! (text or JSON) as it fires. On a capture the whole file is read, and the exit code says
//! whether anything fired (5) or not (0); on a live source the first alert ends the run with 5,
//! for runbooks and cron. A firing its rule's cooldown held back is not printed: the next alert
//! of that rule says how many were, and the end says what no alert told.

use std::io::{self, Write};

use super::input::CaptureInput;
use super::setup::{self, Settings};
use super::{headless_source, open_source, CmdError, HeadlessSource};
use crate::alerts::{AlertEngine, Fired};
use crate::capture::format_time;
use crate::catalog::Lang;
use crate::cli::{TailFormatArg, WatchArgs};
use crate::ingest::live::{IngestEvent, LiveIntake};
use crate::metrics::MetricsSnapshot;
use crate::output;
use crate::source::status::Phase;
use crate::source::{Delivery, SourceSpec};
use crate::tail::GapReporter;

pub fn run(args: WatchArgs, settings: &Settings) -> Result<(), CmdError> {
    // `--filter` means what it means elsewhere: the rules see only the failures it shows.
    let Some(engine) = settings
        .alert_engine()
        .map(|e| e.within(settings.filter.clone()))
    else {
        return Err(CmdError::usage("watch has no alert rule to run").hint(
            "add [[alerts]] tables to the config file (failwatch config path shows where it is; --config FILE picks another)",
        ));
    };
    let json = args.format == TailFormatArg::Jsonl;
    let family_wait = super::duration_arg("--family-wait", &args.source.family_wait)?;
    if let Some(file) = &args.file {
        super::refuse_all_workspaces(
            &args.source,
            "--all-workspaces reads the Redis relay; a capture's records say their workspaces (filter with workspace:)",
        )?;
        return capture(file, settings, engine, json, family_wait);
    }
    let spec = match headless_source(&args.source, settings)? {
        Some(HeadlessSource::Redis(config)) => SourceSpec::Redis(config),
        Some(HeadlessSource::WebSocket(config)) => SourceSpec::WebSocket {
            config,
            record: None,
        },
        Some(HeadlessSource::Workspaces(configs)) => SourceSpec::Workspaces {
            configs,
            record: None,
        },
        None => {
            return Err(CmdError::usage(
                "watch needs a capture FILE, or --url (or --redis) and --workspace",
            ))
        }
    };
    setup::runtime()?.block_on(async {
        let metrics = setup::metrics(args.metrics).await?;
        let source = open_source(spec, Delivery::Lossless).await?;
        let mut pipeline = settings.routing.live_pipeline(family_wait);
        pipeline.set_alerts(engine);
        let mut intake = LiveIntake::new(source);
        let mut gaps = GapReporter::default();
        let locale = output::Locale::new(settings.lang, settings.tz);
        let mut published = std::time::Instant::now();
        // One listener for the whole run: a Ctrl-C between two turns of the loop is not lost.
        let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());
        loop {
            if let Some((m, _)) = &metrics {
                // A burst is published at most this often, as the dashboard does.
                if published.elapsed() >= crate::feed::METRICS_EVERY {
                    m.publish(&MetricsSnapshot::of(&pipeline, Some(&intake.status())));
                    published = std::time::Instant::now();
                }
            }
            let mut nothing = |_: crate::ingest::live::Seen<'_>| {};
            let event = tokio::select! {
                event = intake.next(&mut pipeline, &mut nothing) => Some(event),
                // Quiet: what a burst left unpublished goes out within a second.
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)), if metrics.is_some() => None,
                _ = &mut interrupted => break,
            };
            if let Some(IngestEvent::Status) = event {
                say_gaps(&intake, &mut gaps, &mut pipeline, locale);
            }
            let fired = pipeline.take_fired();
            if fired.iter().any(Fired::announced) {
                let n = print(&fired, json, settings.lang);
                return Err(fired_ending(&pipeline, n));
            }
            match event {
                // A source that failed for good ends like any other end, said below.
                Some(IngestEvent::Status) if matches!(intake.status().phase, Phase::Failed(_)) => {
                    break
                }
                Some(IngestEvent::Ended) => break,
                _ => {}
            }
        }
        // Interrupted while frames were held for the family: they are judged too.
        pipeline.end_of_input(&mut |_| {});
        // The source is left as it was: a gap still open is said too.
        say_gaps(&intake, &mut gaps, &mut pipeline, locale);
        let fired = pipeline.take_fired();
        if fired.iter().any(Fired::announced) {
            let n = print(&fired, json, settings.lang);
            return Err(fired_ending(&pipeline, n));
        }
        let failed = match &intake.status().phase {
            Phase::Failed(msg) => Some(msg.clone()),
            _ => None,
        };
        if let Some(msg) = failed {
            eprintln!("failwatch: {}", output::losses_line(&pipeline));
            return Err(CmdError::connect(super::Said::outside(msg)));
        }
        eprintln!(
            "failwatch: no alert fired; {}",
            output::losses_line(&pipeline)
        );
        Ok(())
    })
}

fn capture(
    file: &std::path::Path,
    settings: &Settings,
    engine: AlertEngine,
    json: bool,
    family_wait: std::time::Duration,
) -> Result<(), CmdError> {
    let mut input = CaptureInput::open(file, false)?;
    let mut pipeline = settings
        .routing
        .capture_pipeline(&mut input, Some(family_wait));
    pipeline.set_alerts(engine);
    let map = input.map();
    let mut fired = 0u64;
    let sink = Alerts;
    crate::ingest::read::read(
        input.capture(map.as_ref())?,
        &mut pipeline,
        &sink,
        |p, ()| {
            fired += print(&p.take_fired(), json, settings.lang);
            Ok(())
        },
    )
    .map_err(|e| CmdError::input(crate::said!("reading {} failed: {}", input.name, e)))?;
    super::summary::not_a_capture(&pipeline, &input.name)?;
    if output::has_losses(&pipeline) {
        eprintln!("failwatch: {}", output::losses_line(&pipeline));
    }
    match fired {
        0 => {
            eprintln!(
                "failwatch: no alert fired ({} failures read)",
                pipeline.store().agg.failures
            );
            Ok(())
        }
        n => {
            say_held_untold(&pipeline);
            Err(fired_error(n, &pipeline))
        }
    }
}

/// Firings held back by a cooldown after their rule's last alert: no printed alert told of them.
fn say_held_untold(pipeline: &crate::ingest::Pipeline) {
    let Some(engine) = pipeline.alert_engine() else {
        return;
    };
    for (rule, n, cooldown) in engine.held_untold() {
        let cooldown = crate::alerts::window_text(cooldown);
        eprintln!(
            "failwatch: {rule}: {n} more held back by the {cooldown} cooldown after its last alert"
        );
    }
}

/// `watch`'s sink: nothing per failure (the pipeline's alert rules see each); each line's
/// alerts are printed as they fire.
struct Alerts;

impl crate::ingest::read::Sink for Alerts {
    type Out = ();
    fn start(&self) {}
    fn failure(&self, _: &crate::enrich::Failure, _: &mut ()) {}
    fn gap(&self, _: &crate::protocol::Gap, _: &mut ()) {}
    fn ready(&self, _: &()) -> bool {
        true
    }
}

/// A live source's gaps not said yet, each on standard error as it opens and as it closes
/// (stdout stays alerts only), and counted for the end line.
fn say_gaps(
    intake: &LiveIntake,
    gaps: &mut GapReporter,
    pipeline: &mut crate::ingest::Pipeline,
    locale: output::Locale,
) {
    let news = gaps.noted(&intake.status(), pipeline, chrono::Utc::now());
    for gap in &news {
        eprintln!("failwatch: {}", output::gap_text(gap, locale));
    }
}

/// A live run ended by an alert: what was lost before it is said first (the alerts are judged
/// on what came in).
fn fired_ending(pipeline: &crate::ingest::Pipeline, n: u64) -> CmdError {
    if output::has_losses(pipeline) {
        eprintln!("failwatch: {}", output::losses_line(pipeline));
    }
    fired_error(n, pipeline)
}

/// `3 alerts fired`, and how many more cooldowns held back when they did.
fn fired_error(n: u64, pipeline: &crate::ingest::Pipeline) -> CmdError {
    let held = pipeline.alert_engine().map_or(0, |e| e.held);
    // Our own words: only the counts are put in.
    CmdError::alert(match (n, held) {
        (1, 0) => "1 alert fired".into(),
        (1, held) => crate::said!("1 alert fired ({} more held back by cooldowns)", held),
        (n, 0) => crate::said!("{} alerts fired", n),
        (n, held) => crate::said!("{} alerts fired ({} more held back by cooldowns)", n, held),
    })
}

/// One line per alert announced: `ALERT <time> <rule>: <what>`, or `{"alert": rule, "at",
/// "what", "task_id", "chat_session_id", "reason"}` (the ids whole, as `tail` gives them; with
/// `"held_back": n` when its cooldown held some back); how many were printed.
fn print(fired: &[Fired], json: bool, lang: Lang) -> u64 {
    let mut out = io::stdout().lock();
    let mut printed = 0;
    for f in fired.iter().filter(|f| f.announced()) {
        printed += 1;
        let line = if json {
            // For machines: always the English sentence.
            let mut line = serde_json::json!({
                "alert": f.rule,
                "at": format_time(f.at),
                "what": f.what(Lang::En),
                "task_id": f.subject.task_id,
                "chat_session_id": f.subject.chat_session_id,
                "reason": f.subject.reason,
            });
            if f.held_back > 0 {
                line["held_back"] = f.held_back.into();
            }
            line.to_string()
        } else {
            format!("ALERT {} {}: {}", format_time(f.at), f.rule, f.what(lang))
        };
        // A closed pipe is not worth a second error: the exit code still says it.
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    printed
}
