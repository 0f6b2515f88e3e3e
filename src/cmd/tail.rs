//! `failwatch tail`: one record per failure as it arrives, from a capture, a live server or
//! the Redis relay streams.

use std::io::{self, Write};

use super::input::CaptureInput;
use super::setup::{self, Routing};
use super::{open_source, redis, CmdError};
use crate::catalog::Lang;
use crate::cli::{TailArgs, TailFormatArg};
use crate::filter::Filter;
use crate::headless::{self, TailError, TailFormat};
use crate::source::ws::LiveConfig;
use crate::source::Delivery;
use crate::source::SourceSpec;

pub fn run(args: TailArgs, routing: &Routing) -> Result<(), CmdError> {
    let filter = setup::filter(&args.view)?;
    let lang = setup::lang(&args.view);
    let format = match args.format {
        TailFormatArg::Jsonl => TailFormat::Jsonl,
        TailFormatArg::Text => TailFormat::Text,
    };
    let spec = match (&args.file, &args.url, &args.redis, &args.workspace) {
        (Some(file), _, _, _) => return capture(file, routing, &filter, format, lang),
        (None, _, Some(url), Some(workspace)) => {
            SourceSpec::Redis(redis::config(url, workspace, &args.redis_source)?)
        }
        (None, Some(url), None, Some(workspace)) => SourceSpec::WebSocket {
            config: LiveConfig {
                url: url.clone(),
                workspace: workspace.clone(),
                token: setup::token(args.token_file.as_deref())?,
            },
            record: setup::recorder(args.record.as_deref(), url, args.record_raw)?,
        },
        _ => {
            return Err(CmdError::usage(
                "tail needs a capture FILE, or --url (or --redis) and --workspace",
            ))
        }
    };
    setup::runtime()?.block_on(async {
        let source = open_source(spec, Delivery::Lossless).await?;
        let mut out = io::stdout().lock();
        let mut pipeline = routing.pipeline(0, None);
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
    routing: &Routing,
    filter: &Filter,
    format: TailFormat,
    lang: Lang,
) -> Result<(), CmdError> {
    // `since:` is measured from the capture's own clock: its end must be known first.
    let input = CaptureInput::open(file, filter.has_time_terms())?;
    let pipeline = routing.pipeline(0, routing.sniffed(|| input.sniff()));
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
