//! Command-line interface (clap derive). The contract is stable: scripts and tests rely on it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog::Lang;
use crate::routing::ServerSetting;

#[derive(Parser, Debug)]
#[command(
    name = "failwatch",
    version,
    about = "Watch Multica task failures live: why they fail, what each chat user was told, and who was never told.",
    after_help = "With no subcommand, failwatch runs `demo`: an embedded demo server and the dashboard \
(the demo's options are accepted here too: `failwatch --lang zh --tz Asia/Shanghai`).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Write logs to this file (default: failwatch.log in the state directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub log: Option<PathBuf>,

    #[command(flatten)]
    pub routing: RoutingArgs,

    #[command(flatten)]
    pub view: ViewArgs,

    /// The bare command is the demo: its options.
    #[command(flatten)]
    pub bare: DemoArgs,
}

/// How failures are routed: the server family and the session bindings.
#[derive(Args, Debug, Clone, Default)]
pub struct RoutingArgs {
    /// The server family: upstream (multica-ai/multica) or octo (the fork), detected from the
    /// frames when not given here or in the config file. Add the day its build is of
    /// (upstream@2026-08-20) for the facts the wire cannot tell (which relays existed then).
    #[arg(long, global = true, value_name = "FAMILY[@DATE]", value_parser = ServerSetting::parse)]
    pub server: Option<ServerSetting>,
    /// A TOML file whose [sessions] table maps chat session ids to the relays they are bound to.
    #[arg(long, global = true, value_name = "FILE")]
    pub bindings: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/failwatch/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the embedded demo server on 127.0.0.1 and watch it (the default).
    Demo(DemoArgs),
    /// Watch a live Multica server over its realtime WebSocket.
    Live(LiveArgs),
    /// Watch every node's events from the server's Redis relay streams, with backfill.
    Redis(RedisArgs),
    /// Open the dashboard on a capture file and play it back.
    Replay(ReplayArgs),
    /// Print aggregates of a capture: counts per reason, routing per relay, lost notifications.
    Summary(SummaryArgs),
    /// Print one record per task:failed, from a capture or a live server.
    Tail(TailArgs),
    /// Run the config file's [[alerts]] rules headless on a capture or a live source: print what
    /// fired and exit 5 (0 when a capture ends with nothing fired).
    Watch(WatchArgs),
    /// Compare two captures: reasons and failure groups that appeared, vanished, grew or shrank
    /// (by rate per hour of each capture's span), routing that moved, lost notifications.
    Diff(DiffArgs),
    /// Print a shell completion script: `failwatch completions bash > /etc/bash_completion.d/failwatch`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `failwatch man | man -l -`; `failwatch man tail` for one
    /// command's page.
    Man(ManArgs),
    /// The config file: where it is, and whether it is valid.
    Config(ConfigArgs),
    /// Write a generated capture of realistic traffic to stdout (for benchmarks).
    #[command(hide = true)]
    GenCorpus(GenCorpusArgs),
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// A command whose page to print (tail, summary, live, …); none: the whole program's.
    pub command: Option<String>,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum ConfigAction {
    /// Print the config file's path (and whether it exists).
    Path,
    /// Read the config file and say what each setting is, or what is wrong (exit 2).
    Check,
}

#[derive(Args, Debug)]
pub struct GenCorpusArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub lines: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// How things are shown and which failures: every command takes these.
#[derive(Args, Debug, Clone, Default)]
pub struct ViewArgs {
    /// Language of every label: en, zh, ja or ko (default: the config file's, else the locale).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Which failures, e.g. "reason:provider_quota,runtime outcome:dropped | relay:lark".
    /// Terms: reason:, told:, bound:, why:, outcome:, relay:, origin:, era:, server:, session:,
    /// workspace:, agent:, task:, group:, since:, until:, words, /regex/; -term negates; key:a,b and `|` mean
    /// or; @name is a filter saved in the config file. Means the same in summary, tail, watch,
    /// diff and the dashboard.
    #[arg(long, global = true, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Time zone for times shown to people: local (default; $TZ honoured), utc, or an IANA
    /// name like Asia/Shanghai. JSON stays UTC.
    #[arg(long, global = true, value_name = "ZONE")]
    pub tz: Option<crate::tz::Zone>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct DashboardArgs {
    /// How many failures the dashboard keeps (aggregates always count everything).
    #[arg(long, default_value_t = crate::store::DEFAULT_CAPACITY)]
    pub max_failures: usize,
    /// Draw with ASCII only: no box drawing, no symbols (serial consoles, old terminals).
    #[arg(long)]
    pub ascii: bool,
    /// Start without mouse capture, so the terminal selects text (`m` toggles it).
    #[arg(long)]
    pub no_mouse: bool,
    /// Where `e` exports: a directory (a new file named by the time) or a file (default: the
    /// current directory). The path can be changed before each export.
    #[arg(long, value_name = "PATH")]
    pub export: Option<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct DemoArgs {
    #[command(flatten)]
    pub dash: DashboardArgs,
    /// Only run the demo server (for another client), do not open the dashboard.
    #[arg(long)]
    pub serve_only: bool,
    /// Print the demo sessions' bindings (a bindings file for `live --bindings`) and exit.
    #[arg(long)]
    pub print_bindings: bool,
    /// Port for the demo server (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed of the demo scenario.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Play a deployment: this many workspaces (up to 8), each a demo server of its own, whose
    /// incidents start one after another; watched as `live --workspace` does several.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=8),
          conflicts_with_all = ["serve_only", "print_bindings"])]
    pub workspaces: u8,
    /// Write a capture of what was received.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9464.
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["serve_only", "print_bindings"])]
    pub metrics: Option<std::net::SocketAddr>,
}

/// The server's REST API, asked for error texts the WebSocket withholds.
#[derive(Args, Debug, Clone, Default)]
pub struct ApiArgs {
    /// The REST API's base URL (default: the config file's `api`, else derived from --url:
    /// wss://host/ws → https://host). It reads failed tasks with the same token.
    #[arg(long, value_name = "URL")]
    pub api: Option<String>,
    /// Do not ask the REST API (the withheld texts stay withheld).
    #[arg(long, conflicts_with = "api")]
    pub no_api: bool,
    /// Requests per second to the API, at most.
    #[arg(long, value_name = "N", default_value_t = crate::api::ApiConfig::DEFAULT_BUDGET)]
    pub api_budget: f64,
}

#[derive(Args, Debug, Clone)]
pub struct ConnectArgs {
    /// WebSocket URL of the server, e.g. wss://multica.example.com/ws (default: the config
    /// file's `url`).
    #[arg(long, env = "FAILWATCH_URL")]
    pub url: Option<String>,
    /// Workspace id (UUID) or slug (default: the config file's `workspace`). Repeat it (or give
    /// a comma-separated list) to watch several workspaces at once, one connection each with the
    /// same token.
    #[arg(long, env = "FAILWATCH_WORKSPACE", value_delimiter = ',')]
    pub workspace: Vec<String>,
    /// Read the token from this file (otherwise $FAILWATCH_TOKEN). Never pass tokens as arguments.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Args, Debug)]
pub struct LiveArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub dash: DashboardArgs,
    /// Write a capture of what was received (redacted unless --record-raw).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Record frames unredacted (they may contain secrets).
    #[arg(long, requires = "record")]
    pub record_raw: bool,
    /// Serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9464.
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// One stream per scope: ws:scope:workspace:<id>:stream
    Scope,
    /// The sharded relay: ws:relay:shard:<n>
    Sharded,
}

#[derive(Args, Debug, Clone)]
pub struct RedisSourceArgs {
    /// Key layout of the relay streams (detected when not given).
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,
    /// Number of shards of the sharded layout.
    #[arg(long, default_value_t = crate::source::redis::DEFAULT_SHARDS)]
    pub shards: u32,
    /// Backfill entries newer than this (e.g. 30m, 2h).
    #[arg(long, default_value = "30m")]
    pub since: String,
    /// Read every workspace's frames (every shard, or every per-scope stream, new ones picked
    /// up while running) instead of one --workspace.
    #[arg(long, conflicts_with = "workspace")]
    pub all_workspaces: bool,
}

#[derive(Args, Debug)]
pub struct RedisArgs {
    /// redis://[user:pass@]host:port[/db] or rediss://…; password also from $FAILWATCH_REDIS_PASSWORD
    /// (default: the config file's `redis`).
    #[arg(long, env = "FAILWATCH_REDIS_URL")]
    pub url: Option<String>,
    /// Workspace id (UUID) (default: the config file's `workspace`).
    #[arg(long, env = "FAILWATCH_WORKSPACE")]
    pub workspace: Option<String>,
    #[command(flatten)]
    pub source: RedisSourceArgs,
    #[command(flatten)]
    pub dash: DashboardArgs,
    /// Serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9464.
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The capture to replay (- for standard input).
    pub file: PathBuf,
    #[command(flatten)]
    pub dash: DashboardArgs,
    /// Playback speed: a factor (e.g. 1 for real time, 10) or `max` (load everything at once).
    #[arg(long, default_value = "max", value_parser = parse_speed)]
    pub speed: Speed,
    /// Start again from the beginning at the end.
    #[arg(long = "loop")]
    pub looped: bool,
}

#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Speed {
    Factor(f64),
    Max,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Json,
    Table,
    /// The incident report of the filtered failures, to paste (the dashboard's `R`).
    #[value(alias = "md")]
    Markdown,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Json,
    Table,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TailFormatArg {
    Jsonl,
    Text,
}

#[derive(Args, Debug)]
pub struct SummaryArgs {
    /// The capture to summarise (- for standard input).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    pub format: SummaryFormat,
}

/// A live source for a headless command (instead of a capture FILE): the flags', else the
/// config file's WebSocket URL, else its Redis URL.
#[derive(Args, Debug)]
pub struct HeadlessSourceArgs {
    /// WebSocket URL of a live server (with --workspace; token from $FAILWATCH_TOKEN or --token-file).
    #[arg(long, conflicts_with_all = ["file", "redis"])]
    pub url: Option<String>,
    /// Redis URL of the server's relay streams (with --workspace).
    #[arg(long, conflicts_with = "file")]
    pub redis: Option<String>,
    /// Workspace id (UUID) or slug (for --url), or id (for --redis). With --url, repeat it (or
    /// give a comma-separated list) for several workspaces, one connection each.
    #[arg(long, env = "FAILWATCH_WORKSPACE", value_delimiter = ',')]
    pub workspace: Vec<String>,
    #[command(flatten)]
    pub redis_source: RedisSourceArgs,
    /// Read the token from this file (otherwise $FAILWATCH_TOKEN). Never pass tokens as arguments.
    #[arg(long, value_name = "FILE", requires = "url")]
    pub token_file: Option<PathBuf>,
    /// How long a live source or standard input holds frames for one that tells the server
    /// family, when --server does not set it (after that upstream is assumed, and each row says
    /// so). A capture file is read ahead instead.
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub family_wait: String,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// A capture file (or - for standard input). Omit it and give --url or --redis to watch live.
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub source: HeadlessSourceArgs,
    /// How each alert is printed: a line of text, or a JSON object.
    #[arg(long, value_enum, default_value_t = TailFormatArg::Text)]
    pub format: TailFormatArg,
    /// Serve Prometheus metrics at http://ADDR/metrics while watching a live source.
    #[arg(long, value_name = "ADDR", conflicts_with = "file")]
    pub metrics: Option<std::net::SocketAddr>,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The capture before (e.g. before a deploy).
    pub before: PathBuf,
    /// The capture after.
    pub after: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
}

#[derive(Args, Debug)]
pub struct TailArgs {
    /// A capture file (or - for standard input). Omit it and give --url to tail a live server.
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub source: HeadlessSourceArgs,
    /// With --url: also write a capture of what was received (redacted unless --record-raw).
    #[arg(long, value_name = "FILE", requires = "url")]
    pub record: Option<PathBuf>,
    /// Record frames unredacted (they may contain secrets).
    #[arg(long, requires = "record")]
    pub record_raw: bool,
    #[arg(long, value_enum, default_value_t = TailFormatArg::Jsonl)]
    pub format: TailFormatArg,
    #[command(flatten)]
    pub api: ApiArgs,
    /// How long a row whose text the wire withheld waits for the API before it is printed as it
    /// is (e.g. 3s, 500ms is written 1s).
    #[arg(long, value_name = "DURATION", default_value = "3s")]
    pub api_wait: String,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language `{s}` (en, zh, ja or ko)"))
}

fn parse_speed(s: &str) -> Result<Speed, String> {
    if s.eq_ignore_ascii_case("max") {
        return Ok(Speed::Max);
    }
    let f: f64 = s
        .trim_end_matches('x')
        .parse()
        .map_err(|_| format!("bad speed `{s}` (a factor like 10, or max)"))?;
    if (0.01..=100_000.0).contains(&f) {
        Ok(Speed::Factor(f))
    } else {
        Err(format!("speed {f} out of range (0.01 … 100000, or max)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn speeds_and_languages() {
        assert_eq!(parse_speed("max"), Ok(Speed::Max));
        assert_eq!(parse_speed("10"), Ok(Speed::Factor(10.0)));
        assert_eq!(parse_speed("0.5x"), Ok(Speed::Factor(0.5)));
        assert!(parse_speed("0").is_err());
        assert!(parse_speed("fast").is_err());
        assert_eq!(parse_lang("zh"), Ok(Lang::Zh));
        assert_eq!(parse_lang("ja"), Ok(Lang::Ja));
        assert_eq!(parse_lang("ko"), Ok(Lang::Ko));
        assert!(parse_lang("fr").is_err());
    }
}
