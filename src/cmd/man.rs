//! `failwatch man [COMMAND]`: the manual page. The options come from the command line's own
//! definition; keys from the key tables, the filter language and the marks from the help
//! overlay's own text, so the page cannot drift from what the program does.

use std::io::Write;

use clap::CommandFactory;

use super::{CmdError, Said};
use crate::catalog::Lang;
use crate::cli::Cli;
use crate::i18n::strings;
use crate::ui::keymap::{help_lines, help_sections};

/// Text for roff: backslashes and hyphens escaped, and no line taken for a request.
fn roff(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A tagged paragraph: the tag bold, the text under it.
fn item(out: &mut String, tag: &str, text: &str) {
    out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(tag), roff(text)));
}

fn keys() -> String {
    let mut out = String::from(".SH KEYS\n");
    let mut last = None;
    for (table, section) in help_sections() {
        if last != Some(section) {
            let name = crate::ui::help::heading(strings(Lang::En), section);
            out.push_str(&format!(".SS {}\n", roff(name)));
            last = Some(section);
        }
        for (keys, id) in help_lines(table) {
            item(&mut out, &keys, id.text(Lang::En));
        }
    }
    out.push_str(
        ".PP\nThe config file's \\fB[keys]\\fR table gives actions extra keys; \\fBfailwatch config \
         check\\fR warns when one takes a built\\-in key.\n",
    );
    out
}

/// Lines of `a  b` (two spaces apart) as tagged paragraphs.
fn two_columns(out: &mut String, lines: &str) {
    for line in lines.lines() {
        match line.split_once("  ") {
            Some((tag, text)) => item(out, tag, text.trim()),
            None => out.push_str(&format!(".PP\n{}\n", roff(line))),
        }
    }
}

fn filter_language() -> String {
    let mut out = String::from(
        ".SH FILTER LANGUAGE\nThe dashboard's \\fB/\\fR and every command's \\fB\\-\\-filter\\fR \
         take the same language: terms separated by spaces all apply; \\fB\\-term\\fR negates; \
         \\fB@name\\fR is a saved filter of the config file.\n",
    );
    two_columns(&mut out, strings(Lang::En).help_filter_lines);
    out.push_str(".SH MARKS\n");
    two_columns(&mut out, strings(Lang::En).help_legend_lines);
    out
}

const CONFIG: &str = r#".SH CONFIGURATION FILE
Read from \fB$XDG_CONFIG_HOME/failwatch/config.toml\fR (else \fB~/.config/failwatch/config.toml\fR), or \fB\-\-config FILE\fR. \fBfailwatch config path\fR says where; \fBfailwatch config check\fR shows what it sets.
.PP
.nf
server = "octo"                # upstream | octo, with an optional @YYYY\-MM\-DD build date
url = "wss://multica.example/ws"
redis = "redis://10.0.0.5:6379"
workspace = "acme"
lang = "zh"                    # en | zh | ja | ko
tz = "Asia/Shanghai"           # utc | local | an IANA zone
theme = "light"                # color | light | mono
bindings = "bindings.toml"     # which relays each chat session is bound to

[filters]
lost = "told:no"
larksilent = "relay:lark outcome:silent"

[keys]
quit = "x"

[[alerts]]
name = "timeouts"
filter = "reason:timeout"
count = 5
window = "10m"
cooldown = "15m"
.fi
"#;

const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBFAILWATCH_TOKEN\fR
The token for the server's WebSocket and REST API (or \fB\-\-token\-file FILE\fR). Never taken from the command line, never printed.
.TP
\fBFAILWATCH_URL\fR, \fBFAILWATCH_WORKSPACE\fR
The server's WebSocket URL and the workspace, as \fB\-\-url\fR and \fB\-\-workspace\fR.
.TP
\fBFAILWATCH_REDIS_URL\fR, \fBFAILWATCH_REDIS_PASSWORD\fR
Redis to read the server's streams from, and its password.
.TP
\fBFAILWATCH_NOTIFY\fR
Desktop notifications of alerts: \fBosc9\fR, \fBosc777\fR, \fBbell\fR or \fBoff\fR (default: what the terminal is known to show).
.TP
\fBFAILWATCH_LOG\fR
What the log file records (\fBinfo\fR, \fBdebug\fR, a tracing filter); with \fB\-\-log FILE\fR.
.TP
\fBNO_COLOR\fR, \fBTERM\fR, \fBCOLORTERM\fR
No colour when \fBNO_COLOR\fR is set and not empty or \fBTERM\fR is \fBdumb\fR; eight colours for \fBxterm\fR and \fBvt100\fR, sixteen for \fB*\-16color\fR, all for \fB*\-256color\fR or \fBCOLORTERM=truecolor\fR.
.TP
\fBLC_ALL\fR, \fBLC_MESSAGES\fR, \fBLANG\fR
The language when neither \fB\-\-lang\fR nor the config file says (en, zh, ja, ko; else English).
.TP
\fBTZ\fR
The local zone times are shown in (\fB\-\-tz\fR or the config file's \fBtz\fR choose another).
.TP
\fBXDG_CONFIG_HOME\fR, \fBXDG_STATE_HOME\fR, \fBHOME\fR
Where the config file and the state files are.
"#;

const EXIT_STATUS: &str = r#".SH EXIT STATUS
.TP
\fB0\fR
Done.
.TP
\fB1\fR
Something failed that is neither the input's nor the server's fault.
.TP
\fB2\fR
A usage error: a bad flag, filter or config file, a missing token.
.TP
\fB3\fR
The server or Redis refused, or could not be reached.
.TP
\fB4\fR
The input could not be read, or is not a capture.
.TP
\fB5\fR
\fBwatch\fR: an alert rule fired.
"#;

const FILES: &str = r#".SH FILES
.TP
\fB$XDG_CONFIG_HOME/failwatch/config.toml\fR
The config file.
.TP
\fB$XDG_STATE_HOME/failwatch/filter\-history\fR
The filters applied in the dashboard (\fB\(ua\fR at the filter line), saved as each is applied.
.TP
\fB$XDG_STATE_HOME/failwatch/seen\fR
Present once the first\-run hint was seen.
.TP
\fB./failwatch\-export\-*.jsonl\fR, \fB./failwatch\-report\-*.md\fR
What \fBe\fR and \fBR\fR write, unless \fB\-\-export\fR or the prompt names another place.
"#;

/// The whole page of `failwatch`, or of one of its commands.
pub fn page(command: Option<&str>) -> Result<Vec<u8>, CmdError> {
    let top = Cli::command();
    let (cmd, title) = match command {
        None => (top, "failwatch".to_owned()),
        Some(name) => {
            let Some(sub) = top.find_subcommand(name).cloned() else {
                let names: Vec<String> = Cli::command()
                    .get_subcommands()
                    .filter(|c| !c.is_hide_set())
                    .map(|c| c.get_name().to_owned())
                    .collect();
                return Err(CmdError::usage(crate::said!(
                    "no command `{}` (one of: {})",
                    name,
                    names.join(", ")
                )));
            };
            let title = format!("failwatch-{name}");
            (
                sub.display_name(title.clone())
                    .bin_name(format!("failwatch {name}")),
                title,
            )
        }
    };
    let man = clap_mangen::Man::new(cmd.clone()).title(title);
    let mut out = Vec::new();
    let written = (|| -> std::io::Result<()> {
        man.render_title(&mut out)?;
        man.render_name_section(&mut out)?;
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut out)?;
        }
        if cmd.has_subcommands() {
            man.render_subcommands_section(&mut out)?;
        }
        let shows_dashboard = matches!(command, None | Some("live" | "replay" | "demo"));
        if shows_dashboard {
            out.write_all(keys().as_bytes())?;
        }
        if matches!(
            command,
            None | Some("live" | "replay" | "demo" | "summary" | "tail" | "watch" | "diff")
        ) {
            out.write_all(filter_language().as_bytes())?;
        }
        if command.is_none() {
            out.write_all(CONFIG.as_bytes())?;
            out.write_all(FILES.as_bytes())?;
        }
        out.write_all(ENVIRONMENT.as_bytes())?;
        out.write_all(EXIT_STATUS.as_bytes())?;
        if cmd.get_version().is_some() {
            man.render_version_section(&mut out)?;
        }
        Ok(())
    })();
    written.map_err(|e| CmdError::failed(Said::outside(e)))?;
    Ok(out)
}

pub fn run(command: Option<&str>) -> Result<(), CmdError> {
    let page = page(command)?;
    let _ = std::io::stdout().lock().write_all(&page);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(command: Option<&str>) -> String {
        String::from_utf8(page(command).unwrap()).unwrap()
    }

    #[test]
    fn the_page_has_every_section_an_on_call_engineer_looks_for() {
        let page = text(None);
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH OPTIONS",
            ".SH SUBCOMMANDS",
            ".SH KEYS",
            ".SH FILTER LANGUAGE",
            ".SH MARKS",
            ".SH CONFIGURATION FILE",
            ".SH ENVIRONMENT",
            ".SH EXIT STATUS",
            ".SH FILES",
        ] {
            assert!(page.contains(section), "{section} missing");
        }
        // Keys from the tables, the filter language from the help's own text.
        assert!(page.contains("\\fBctrl\\-z\\fR\nsuspend"), "ctrl-z");
        assert!(page.contains("\\fBreason:runtime\\fR"), "filter language");
        assert!(page.contains("\\fBFAILWATCH_TOKEN\\fR"));
        // Every line is roff: no stray line a reader would take for a request.
        for line in page.lines() {
            assert!(!line.starts_with('\'') && !line.starts_with(". "), "{line}");
        }
    }

    #[test]
    fn each_command_has_a_page_of_its_own() {
        let tail = text(Some("tail"));
        assert!(tail.contains(".TH failwatch-tail"), "{}", &tail[..200]);
        assert!(tail.contains("\\-\\-format"), "tail's options");
        assert!(tail.contains(".SH FILTER LANGUAGE"));
        assert!(!tail.contains(".SH KEYS"), "tail has no keys");
        assert!(text(Some("replay")).contains(".SH KEYS"));
        let nope = page(Some("nope")).unwrap_err();
        assert!(
            nope.report().contains("no command `nope` (one of: "),
            "{}",
            nope.report()
        );
    }
}
