use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use failwatch::capture::CaptureWriter;
use failwatch::catalog::Lang;
use failwatch::cli::{
    Cli, Command, DashboardArgs, DemoArgs, LayoutArg, LiveArgs, RedisArgs, RedisSourceArgs,
    ReplayArgs, RoutingArgs, Speed, SummaryArgs, SummaryFormat, TailArgs, TailFormatArg, ViewArgs,
};
use failwatch::config::Config;
use failwatch::enrich::Enricher;
use failwatch::filter::Filter;
use failwatch::headless::{self, TailFormat};
use failwatch::pipeline::Pipeline;
use failwatch::routing::{Bindings, Family, FamilySource};
use failwatch::source::demo as demo_server;
use failwatch::source::redis::{Layout, RedisConfig};
use failwatch::source::replay::Replay;
use failwatch::source::ws::{self, LiveConfig, LiveError, Token};
use failwatch::ui::app::{App, SourceInfo};

/// Exit codes of the CLI contract.
const EXIT_USAGE: u8 = 2;
const EXIT_CONNECT: u8 = 3;
const EXIT_INPUT: u8 = 4;
/// Frames buffered between a live socket reader and the dashboard.
const LIVE_CHANNEL: usize = 65_536;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log_guard = init_logging(cli.log.as_deref());
    let routing = match Routing::load(&cli.routing) {
        Ok(r) => r,
        Err(code) => return code,
    };
    ROUTING.set(routing).ok();
    let result = match cli.command {
        Some(Command::Summary(args)) => summary(args),
        Some(Command::Tail(args)) => tail(args),
        Some(Command::Replay(args)) => replay(args),
        Some(Command::Demo(args)) => demo(args),
        Some(Command::Live(args)) => live(args),
        Some(Command::Redis(args)) => redis_dashboard(args),
        Some(Command::GenCorpus(args)) => {
            let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
            failwatch::demo::corpus::write_capture(&mut out, args.lines, args.seed)
                .and_then(|_| out.flush())
                .map_err(|e| {
                    eprintln!("failwatch: {e}");
                    ExitCode::FAILURE
                })
        }
        None => demo(DemoArgs::parse_default()),
    };
    result.err().unwrap_or(ExitCode::SUCCESS)
}

trait ParseDefault {
    fn parse_default() -> Self;
}

impl ParseDefault for DemoArgs {
    fn parse_default() -> Self {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            demo: DemoArgs,
        }
        Wrapper::parse_from(["failwatch"]).demo
    }
}

/// The server family setting and the bindings, from the flags over the config file.
struct Routing {
    family: Option<(Family, FamilySource)>,
    bindings: Arc<Bindings>,
}

static ROUTING: std::sync::OnceLock<Routing> = std::sync::OnceLock::new();

impl Routing {
    fn load(args: &RoutingArgs) -> Result<Routing, ExitCode> {
        let usage = |e: &dyn std::fmt::Display| {
            eprintln!("failwatch: {e}");
            ExitCode::from(EXIT_USAGE)
        };
        let config = Config::load(args.config.as_deref()).map_err(|e| usage(&e))?;
        let family = match (args.server, config.server) {
            (Some(f), _) => Some((f, FamilySource::Flag)),
            (None, Some(f)) => Some((f, FamilySource::Config)),
            (None, None) => None,
        };
        let mut bindings = config.bindings;
        for file in [config.bindings_file.as_deref(), args.bindings.as_deref()]
            .into_iter()
            .flatten()
        {
            bindings.merge(Bindings::load(file).map_err(|e| usage(&e))?);
        }
        Ok(Routing {
            family,
            bindings: Arc::new(bindings),
        })
    }

    fn get() -> &'static Routing {
        ROUTING.get_or_init(|| Routing {
            family: None,
            bindings: Arc::default(),
        })
    }

    /// A pipeline routing as set, or as `sniffed` from a capture when nothing is set.
    fn pipeline(capacity: usize, sniffed: Option<Family>) -> Pipeline {
        let r = Routing::get();
        let family = r.family.or(sniffed.map(|f| (f, FamilySource::Detected)));
        Pipeline::with_enricher(capacity, Enricher::new(family, r.bindings.clone()))
    }

    /// The family a capture file tells, read ahead when no setting decides it.
    fn sniff(path: &Path) -> Option<Family> {
        if Routing::get().family.is_some() || path.as_os_str() == "-" {
            return None;
        }
        let file = File::open(path).ok()?;
        failwatch::capture::sniff_family(BufReader::with_capacity(1 << 20, file))
            .ok()
            .flatten()
    }
}

/// Logs go to a file, never to the terminal the dashboard draws on.
fn init_logging(path: Option<&Path>) -> Option<()> {
    let path = path.map(Path::to_path_buf).or_else(default_log_path)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FAILWATCH_LOG")
                .unwrap_or_else(|_| "failwatch=info".into()),
        )
        .try_init()
        .ok()
}

fn default_log_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("failwatch").join("failwatch.log"))
}

fn lang(view: &ViewArgs) -> Lang {
    view.lang.unwrap_or_else(Lang::from_locale_env)
}

fn filter(view: &ViewArgs) -> Result<Filter, ExitCode> {
    Filter::parse(&view.filter).map_err(|e| {
        eprintln!("failwatch: bad --filter: {e}");
        ExitCode::from(EXIT_USAGE)
    })
}

fn open(path: &Path) -> Result<Box<dyn io::BufRead>, ExitCode> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin().lock()));
    }
    File::open(path)
        .map(|f| Box::new(BufReader::with_capacity(1 << 20, f)) as Box<dyn io::BufRead>)
        .map_err(|e| {
            eprintln!("failwatch: cannot read {}: {e}", path.display());
            ExitCode::from(EXIT_INPUT)
        })
}

fn summary(args: SummaryArgs) -> Result<(), ExitCode> {
    let filter = filter(&args.view)?;
    let input = open(&args.file)?;
    let pipeline = Routing::pipeline(0, Routing::sniff(&args.file));
    let (pipeline, agg) = headless::summarize(input, &filter, pipeline).map_err(|e| {
        eprintln!("failwatch: reading {} failed: {e}", args.file.display());
        ExitCode::from(EXIT_INPUT)
    })?;
    let text = match args.format {
        SummaryFormat::Json => format!("{:#}\n", headless::summary_json(&pipeline, &agg)),
        SummaryFormat::Table => headless::summary_table(&pipeline, &agg, lang(&args.view)),
    };
    let _ = io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

fn tail(args: TailArgs) -> Result<(), ExitCode> {
    let filter = filter(&args.view)?;
    let format = match args.format {
        TailFormatArg::Jsonl => TailFormat::Jsonl,
        TailFormatArg::Text => TailFormat::Text,
    };
    if let (Some(url), Some(workspace)) = (&args.redis, &args.workspace) {
        let config = redis_config(url, workspace, &args.redis_source)?;
        return runtime()?.block_on(tail_redis(config, filter, format, lang(&args.view)));
    }
    let Some(file) = &args.file else {
        let (Some(url), Some(workspace)) = (args.url.clone(), args.workspace.clone()) else {
            eprintln!("failwatch: tail needs a capture FILE, or --url and --workspace");
            return Err(ExitCode::from(EXIT_USAGE));
        };
        let token = load_token(args.token_file.as_deref())?;
        let record = recorder(args.record.as_deref(), &url, args.record_raw)?;
        let config = LiveConfig {
            url,
            workspace,
            token,
        };
        return runtime()?.block_on(tail_live(config, record, filter, format, lang(&args.view)));
    };
    let input = open(file)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let pipeline = Routing::pipeline(0, Routing::sniff(file));
    match headless::tail_capture(input, &filter, format, lang(&args.view), pipeline, &mut out) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("failwatch: {e}");
            return Err(ExitCode::from(EXIT_INPUT));
        }
        _ => {}
    }
    let _ = out.flush();
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("failwatch: cannot start: {e}");
            ExitCode::FAILURE
        })
}

fn new_app(dash: &DashboardArgs, label: String, sniffed: Option<Family>) -> Result<App, ExitCode> {
    let filter = filter(&dash.view)?;
    let mut pipeline = Routing::pipeline(dash.max_failures, sniffed);
    pipeline.store.set_filter(filter);
    let mut app = App::new(
        pipeline,
        SourceInfo {
            label,
            state: String::new(),
        },
        lang(&dash.view),
    );
    app.ascii = dash.ascii;
    Ok(app)
}

async fn run_dashboard(
    app: App,
    frames: Option<tokio::sync::mpsc::Receiver<failwatch::protocol::Frame>>,
    mouse: bool,
) -> Result<(), ExitCode> {
    failwatch::ui::run(app, frames, mouse).await.map_err(|e| {
        tracing::error!(error = %e, "dashboard failed");
        eprintln!("failwatch: {e}");
        ExitCode::FAILURE
    })
}

fn replay_dashboard(
    dash: &DashboardArgs,
    replay: Replay,
    label: String,
    sniffed: Option<Family>,
) -> Result<(), ExitCode> {
    let mut app = new_app(dash, label, sniffed)?;
    app.replay = Some(replay);
    runtime()?.block_on(run_dashboard(app, None, !dash.no_mouse))
}

fn load_token(file: Option<&Path>) -> Result<Token, ExitCode> {
    Token::load(file).map_err(|e| {
        eprintln!("failwatch: {e}");
        ExitCode::from(EXIT_USAGE)
    })
}

fn recorder(
    path: Option<&Path>,
    source: &str,
    raw: bool,
) -> Result<Option<CaptureWriter>, ExitCode> {
    path.map(|p| {
        CaptureWriter::create(p, source, raw).map_err(|e| {
            eprintln!("failwatch: cannot write {}: {e}", p.display());
            ExitCode::from(EXIT_INPUT)
        })
    })
    .transpose()
}

fn connect_failed(url: &str, e: LiveError) -> ExitCode {
    eprintln!("failwatch: cannot watch {url}: {e}");
    eprintln!("  check the URL (ws[s]://host/ws), the workspace id or slug, and the token ($FAILWATCH_TOKEN or --token-file)");
    ExitCode::from(EXIT_CONNECT)
}

/// Connect (failing fast with the server's message), then run the dashboard on the live stream.
async fn live_dashboard(
    app: App,
    config: LiveConfig,
    record: Option<CaptureWriter>,
    mouse: bool,
) -> Result<(), ExitCode> {
    let url = config.url.clone();
    let handle = ws::start(config, LIVE_CHANNEL, record)
        .await
        .map_err(|e| connect_failed(&url, e))?;
    let mut app = app;
    app.conn = Some(handle.state.clone());
    let result = run_dashboard(app, Some(handle.frames), mouse).await;
    handle.task.abort();
    result
}

fn live(args: LiveArgs) -> Result<(), ExitCode> {
    let token = load_token(args.connect.token_file.as_deref())?;
    let config = LiveConfig {
        url: args.connect.url.clone(),
        workspace: args.connect.workspace.clone(),
        token,
    };
    let record = recorder(args.record.as_deref(), &args.connect.url, args.record_raw)?;
    let app = new_app(
        &args.dash,
        failwatch::redact::redact(&args.connect.url).text,
        None,
    )?;
    runtime()?.block_on(live_dashboard(app, config, record, !args.dash.no_mouse))
}

fn redis_config(
    url: &str,
    workspace: &str,
    args: &RedisSourceArgs,
) -> Result<RedisConfig, ExitCode> {
    let since = failwatch::filter::parse_duration(&args.since)
        .and_then(|d| d.to_std().ok())
        .ok_or_else(|| {
            eprintln!("failwatch: bad --since `{}` (e.g. 30m, 2h)", args.since);
            ExitCode::from(EXIT_USAGE)
        })?;
    let layout = args.layout.map(|l| match l {
        LayoutArg::Scope => Layout::Scope,
        LayoutArg::Sharded => Layout::Sharded {
            shards: args.shards,
        },
    });
    Ok(RedisConfig {
        url: url.to_owned(),
        workspace: workspace.to_owned(),
        layout,
        shards: args.shards,
        since,
    })
}

fn open_redis(config: RedisConfig) -> Result<failwatch::source::redis::RedisHandle, ExitCode> {
    let url = failwatch::redact::redact(&config.url).text;
    failwatch::source::redis::start(config, LIVE_CHANNEL).map_err(|e| {
        eprintln!("failwatch: cannot read the relay streams at {url}: {e}");
        eprintln!("  check the URL, the password ($FAILWATCH_REDIS_PASSWORD), the workspace id and --layout/--shards");
        ExitCode::from(EXIT_CONNECT)
    })
}

fn redis_dashboard(args: RedisArgs) -> Result<(), ExitCode> {
    let config = redis_config(&args.url, &args.workspace, &args.source)?;
    let url = failwatch::redact::redact(&args.url).text;
    let handle = open_redis(config)?;
    let mut app = new_app(&args.dash, format!("redis {url} {}", handle.key), None)?;
    app.conn = Some(handle.state.clone());
    runtime()?.block_on(run_dashboard(app, Some(handle.frames), !args.dash.no_mouse))
}

async fn tail_redis(
    config: RedisConfig,
    filter: Filter,
    format: TailFormat,
    lang: Lang,
) -> Result<(), ExitCode> {
    let handle = open_redis(config)?;
    tail_stream(handle.frames, handle.state, None, filter, format, lang).await
}

async fn tail_live(
    config: LiveConfig,
    record: Option<CaptureWriter>,
    filter: Filter,
    format: TailFormat,
    lang: Lang,
) -> Result<(), ExitCode> {
    let url = config.url.clone();
    let handle = ws::start(config, LIVE_CHANNEL, record)
        .await
        .map_err(|e| connect_failed(&url, e))?;
    tail_stream(
        handle.frames,
        handle.state,
        Some(handle.task),
        filter,
        format,
        lang,
    )
    .await
}

/// Headless output of a live stream: each failure as it arrives, until the source ends, fails
/// for good, or the user interrupts.
async fn tail_stream(
    mut frames: tokio::sync::mpsc::Receiver<failwatch::protocol::Frame>,
    state: tokio::sync::watch::Receiver<ws::ConnState>,
    task: Option<tokio::task::JoinHandle<()>>,
    filter: Filter,
    format: TailFormat,
    lang: Lang,
) -> Result<(), ExitCode> {
    let mut pipeline = Routing::pipeline(0, None);
    let mut out = io::stdout().lock();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let result = loop {
        tokio::select! {
            frame = frames.recv() => match frame {
                Some(fr) => {
                    pipeline.push_frame_with(fr.received_at, &fr.text, |u| {
                        if filter.matches(&u.failure, chrono::Utc::now()) {
                            let _ = headless::write_failure(&mut out, &u.failure, format, lang);
                            let _ = out.flush();
                        }
                    });
                }
                None => break Ok(()),
            },
            _ = tick.tick() => {
                if let ws::Phase::Failed(msg) = &state.borrow().phase {
                    eprintln!("failwatch: {msg}");
                    break Err(ExitCode::from(EXIT_CONNECT));
                }
            }
            _ = tokio::signal::ctrl_c() => break Ok(()),
        }
    };
    if let Some(t) = task {
        t.abort();
    }
    result
}

fn replay(args: ReplayArgs) -> Result<(), ExitCode> {
    let input = open(&args.file)?;
    let mut replay = Replay::load(input).map_err(|e| {
        eprintln!("failwatch: reading {} failed: {e}", args.file.display());
        ExitCode::from(EXIT_INPUT)
    })?;
    replay.set_speed(match args.speed {
        Speed::Factor(f) => Some(f),
        Speed::Max => None,
    });
    replay.looped = args.looped;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    replay_dashboard(&args.dash, replay, name, Routing::sniff(&args.file))
}

/// The embedded demo: a real WebSocket server on 127.0.0.1 playing a seeded incident, watched
/// through the same live path as a real server. It plays the fork's incident across PR #33
/// unless `--server upstream` asks for the public server's.
fn demo(args: DemoArgs) -> Result<(), ExitCode> {
    let family = Routing::get().family.map_or(Family::Octo, |(f, _)| f);
    if args.print_bindings {
        print!(
            "{}",
            failwatch::demo::scenario::bindings(args.seed, family).to_toml()
        );
        return Ok(());
    }
    runtime()?.block_on(async {
        let server = demo_server::serve(args.port, args.seed, family)
            .await
            .map_err(|e| {
                eprintln!(
                    "failwatch: cannot start the demo server on 127.0.0.1:{}: {e}",
                    args.port
                );
                ExitCode::from(EXIT_CONNECT)
            })?;
        if args.serve_only {
            println!(
                "demo server ({}) listening on {}",
                family.name(),
                server.url()
            );
            println!(
                "watch it with: FAILWATCH_TOKEN={} failwatch live --url {} --workspace {}",
                demo_server::DEMO_TOKEN,
                server.url(),
                demo_server::DEMO_WORKSPACE
            );
            println!(
                "its sessions' bindings: failwatch demo --print-bindings{}",
                if family == Family::Upstream {
                    " --server upstream"
                } else {
                    ""
                }
            );
            let _ = tokio::signal::ctrl_c().await;
            return Ok(());
        }
        let config = LiveConfig {
            url: server.url(),
            workspace: demo_server::DEMO_WORKSPACE.into(),
            token: Token::new(demo_server::DEMO_TOKEN),
        };
        let record = recorder(args.record.as_deref(), &server.url(), false)?;
        // The demo knows its server: its family, and which relay each session is bound to
        // (the user's own bindings, if any, win).
        let r = Routing::get();
        let mut bindings = failwatch::demo::scenario::bindings(args.seed, family);
        bindings.merge((*r.bindings).clone());
        let enricher = Enricher::new(
            Some(r.family.unwrap_or((family, FamilySource::Flag))),
            Arc::new(bindings),
        );
        let mut app = new_app(&args.dash, format!("demo {}", server.url()), None)?;
        let filter = app.pipeline.store.filter().clone();
        app.pipeline = Pipeline::with_enricher(args.dash.max_failures, enricher);
        app.pipeline.store.set_filter(filter);
        live_dashboard(app, config, record, !args.dash.no_mouse).await
    })
}
