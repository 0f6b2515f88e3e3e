//! `failwatch tail`: one record per failure as it arrives, from a capture, a live server or
//! the Redis relay streams.

use std::io::{self, Write};

use super::input::CaptureInput;
use super::setup::{self, Settings};
use super::{open_source, redis, CmdError};
use crate::cli::{TailArgs, TailFormatArg};
use crate::filter::Filter;
use crate::headless::{self, TailError, TailFormat};
use crate::source::ws::LiveConfig;
use crate::source::Delivery;
use crate::source::SourceSpec;

pub fn run(args: TailArgs, settings: &Settings) -> Result<(), CmdError> {
    let filter = settings.filter.clone();
    let lang = crate::output::Locale::new(settings.lang, settings.tz);
    let format = match args.format {
        TailFormatArg::Jsonl => TailFormat::Jsonl,
        TailFormatArg::Text => TailFormat::Text,
    };
    if let Some(file) = &args.file {
        return capture(file, settings, &filter, format, lang);
    }
    let workspace =
        || Settings::required(args.workspace.as_ref(), &settings.workspace, "workspace");
    // A live source: the flags', else the config file's WebSocket URL, else its Redis URL.
    let spec = match (&args.url, &args.redis, &settings.url, &settings.redis) {
        (_, Some(url), _, _) | (None, None, None, Some(url)) => {
            SourceSpec::Redis(redis::config(url, &workspace()?, &args.redis_source)?)
        }
        (Some(url), None, _, _) | (None, None, Some(url), _) => SourceSpec::WebSocket {
            config: LiveConfig {
                url: url.clone(),
                workspace: workspace()?,
                token: setup::token(args.token_file.as_deref())?,
            },
            record: setup::recorder(args.record.as_deref(), url, args.record_raw)?,
        },
        (None, None, None, None) => {
            return Err(CmdError::usage(
                "tail needs a capture FILE, or --url (or --redis) and --workspace",
            ))
        }
    };
    setup::runtime()?.block_on(async {
        let source = open_source(spec, Delivery::Lossless).await?;
        let mut out = io::stdout().lock();
        let mut pipeline = settings.routing.pipeline(0, None);
        let result =
            headless::tail_source(source, &mut pipeline, &filter, format, lang, &mut out).await;
        eprintln!("failwatch: {}", headless::losses_line(&pipeline));
        match result {
            Ok(()) => Ok(()),
            Err(TailError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(TailError::Io(e)) => Err(CmdError::failed(e)),
            Err(TailError::SourceFailed(msg)) => Err(CmdError::connect(msg)),
        }
    })
}

fn capture(
    file: &std::path::Path,
    settings: &Settings,
    filter: &Filter,
    format: TailFormat,
    lang: crate::output::Locale,
) -> Result<(), CmdError> {
    // `since:` is measured from the capture's own clock: its end must be known first.
    let input = CaptureInput::open(file, filter.has_time_terms())?;
    let pipeline = settings
        .routing
        .pipeline(0, settings.routing.sniffed(|| input.sniff()));
    let now = input.end_time()?.unwrap_or_else(chrono::Utc::now);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let result = headless::tail_capture(
        input.reader()?,
        filter,
        now,
        format,
        lang,
        pipeline,
        &mut out,
    );
    let _ = out.flush();
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CmdError::input(format!(
            "reading {} failed: {e}",
            input.name
        ))),
        Ok(pipeline) => {
            if headless::has_losses(&pipeline) {
                eprintln!("failwatch: {}", headless::losses_line(&pipeline));
            }
            super::summary::not_a_capture(&pipeline, &input.name)
        }
    }
}
