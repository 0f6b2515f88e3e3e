//! `failwatch tail`: one record per failure as it arrives, from a capture, a live server or
//! the Redis relay streams.

use std::io::{self, Write};

use super::input::CaptureInput;
use super::setup::{self, Settings};
use super::{headless_source, open_source, CmdError, HeadlessSource};
use crate::cli::{TailArgs, TailFormatArg};
use crate::ingest::live::LiveIntake;
use crate::output::{self, TailFormat};
use crate::source::Delivery;
use crate::source::SourceSpec;
use crate::tail::{self, TailError, TailSpec};

pub fn run(args: TailArgs, settings: &Settings) -> Result<(), CmdError> {
    let filter = settings.filter.clone();
    let hold = super::duration_arg("--api-wait", &args.api_wait)?;
    let family_wait = super::duration_arg("--family-wait", &args.source.family_wait)?;
    let spec = TailSpec {
        filter: &filter,
        format: match args.format {
            TailFormatArg::Jsonl => TailFormat::Jsonl,
            TailFormatArg::Text => TailFormat::Text,
        },
        locale: crate::output::Locale::new(settings.lang, settings.tz),
        hold,
    };
    if let Some(file) = &args.file {
        super::refuse_all_workspaces(
            &args.source,
            "--all-workspaces reads the Redis relay; a capture's records say their workspaces (filter with workspace:)",
        )?;
        // A recording holds each lookup's end: a row waits for it (in capture time), not the
        // live bound, so a replay prints what the live run learnt however slowly it came.
        let hold = crate::api::LOOKUP_LIFETIME + std::time::Duration::from_secs(60);
        return capture(file, settings, TailSpec { hold, ..spec }, family_wait);
    }
    let mut api = None;
    let mut record = None;
    let source = match headless_source(&args.source, settings)? {
        Some(HeadlessSource::Redis(config)) => SourceSpec::Redis(config),
        Some(HeadlessSource::WebSocket(config)) => {
            let url = &config.url;
            api = setup::api_config(&args.api, settings, url, &config.workspace, &config.token);
            record = setup::recorder(args.record.as_deref(), url, args.record_raw, api.is_some())?;
            SourceSpec::WebSocket {
                config,
                record: record.clone(),
            }
        }
        // The REST API answers for one workspace: with several it is not asked.
        Some(HeadlessSource::Workspaces(configs)) => {
            record = setup::recorder(
                args.record.as_deref(),
                &configs[0].url,
                args.record_raw,
                false,
            )?;
            SourceSpec::Workspaces {
                configs,
                record: record.clone(),
            }
        }
        None => {
            return Err(CmdError::usage(
                "tail needs a capture FILE, or --url (or --redis) and --workspace",
            ))
        }
    };
    setup::runtime()?.block_on(async {
        let source = open_source(source, Delivery::Lossless).await?;
        let mut out = io::stdout().lock();
        let mut pipeline = settings.routing.live_pipeline(family_wait);
        let mut intake = LiveIntake::new(source);
        if let Some(api) = setup::start_api(api, record) {
            intake.attach_api(api, &mut pipeline);
        }
        let result = tail::tail_source(intake, &mut pipeline, spec, &mut out).await;
        eprintln!("failwatch: {}", output::losses_line(&pipeline));
        match result {
            Ok(()) => Ok(()),
            Err(TailError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(TailError::Io(e)) => Err(CmdError::failed(super::Said::outside(e))),
            Err(TailError::SourceFailed(msg)) => Err(CmdError::connect(super::Said::outside(msg))),
        }
    })
}

fn capture(
    file: &std::path::Path,
    settings: &Settings,
    spec: TailSpec,
    family_wait: std::time::Duration,
) -> Result<(), CmdError> {
    let filter = spec.filter;
    // `since:` is measured from the capture's own clock: its end must be known first.
    let mut input = CaptureInput::open(file, filter.has_time_terms())?;
    let pipeline = settings
        .routing
        .capture_pipeline(&mut input, Some(family_wait));
    let now = input.clock(filter)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let map = input.map();
    let result = tail::tail_capture(input.capture(map.as_ref())?, spec, now, pipeline, &mut out);
    let _ = out.flush();
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CmdError::input(crate::said!(
            "reading {} failed: {}",
            input.name,
            e
        ))),
        Ok(pipeline) => {
            if output::has_losses(&pipeline) {
                eprintln!("failwatch: {}", output::losses_line(&pipeline));
            }
            super::summary::not_a_capture(&pipeline, &input.name)
        }
    }
}
