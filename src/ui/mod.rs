//! The terminal dashboard: view state in [`app`], keys in [`keymap`], one module per panel, and
//! the event loop here, which only waits and dispatches: terminal events go to the app, the feed
//! ingests on its own, and the screen is redrawn at most ~30 times a second when something changed.

pub mod action;
pub mod alert_list;
pub mod app;
pub mod ascii;
pub mod clipboard;
pub mod copy_menu;
pub mod detail;
pub mod export;
pub mod failures;
pub mod filter_bar;
pub mod filter_edit;
pub mod groups;
pub mod header;
pub mod help;
pub mod hints;
pub mod keymap;
pub mod layout;
pub mod order;
pub mod reasons;
pub mod scroll_view;
pub mod sessions;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod timeline;
pub mod workspaces;

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream, KeyCode, KeyEventKind};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::feed::{Feed, FeedEvent};
use crate::i18n::{self, strings};
use action::Panel;
use app::{App, Effect, Overlay};
use theme::Theme;

/// Redraw at most ~30 times a second.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// Draw everything. Reads state only.
pub fn render(f: &mut Frame, app: &App, feed: &Feed, theme: &Theme) {
    let size = f.area();
    if size.width < 20 || size.height < 6 {
        f.render_widget(Paragraph::new("terminal too small"), size);
        return;
    }
    let areas = layout::Areas::new(size, app.editing(), app.banner);
    header::render(f, areas.header, app, feed, theme);
    timeline::render(f, areas.timeline, app, feed, theme);
    failures::render(f, areas.failures, app, feed, theme);
    match app.side {
        Panel::Groups => groups::render(f, areas.reasons, app, feed, theme),
        _ => reasons::render(f, areas.reasons, app, feed, theme),
    }
    match app.below {
        Panel::Workspaces => workspaces::render(f, areas.sessions, app, feed, theme),
        _ => sessions::render(f, areas.sessions, app, feed, theme),
    }
    filter_bar::render(f, areas.footer, app, feed, theme);
    match app.overlay {
        Overlay::Detail => detail::render(f, size, app, feed, theme),
        Overlay::Help => help::render(f, size, app, feed.pipeline.enricher().family().0, theme),
        Overlay::Copy => {
            if app.copy_over() == Overlay::Detail {
                detail::render(f, size, app, feed, theme);
            }
            copy_menu::render(f, size, app, feed, theme);
        }
        Overlay::Alerts => alert_list::render(f, size, app, feed, theme),
        Overlay::None => {}
    }
    if app.ascii {
        ascii::fold_buffer(f.buffer_mut());
    }
}

/// A bordered block whose border shows focus.
pub(crate) fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(Line::from(title))
        .border_style(if focused {
            theme.focused_border()
        } else {
            Style::new()
        })
}

/// The ranks a list panel in `area` shows with its cursor on screen: (first, how many).
pub(crate) fn page(cursor: usize, area: Rect) -> (usize, usize) {
    let rows = usize::from(area.height.saturating_sub(3));
    (cursor.saturating_sub(rows.saturating_sub(1)), rows)
}

/// The column of a table drawn in `area` (borders, one cell between columns) that `x` is in,
/// given each column's width: what a click on the header row sorts by.
pub(crate) fn column_at<K: Copy>(columns: &[(usize, Option<K>)], area: Rect, x: u16) -> Option<K> {
    let x = usize::from(x);
    let mut left = usize::from(area.x) + 1;
    for (w, key) in columns {
        if x >= left && x < left + w {
            return *key;
        }
        left += w + 1;
    }
    None
}

/// The widths of a panel's columns as a table lays them out: the same widths a click on its
/// header is measured against ([`column_at`]).
pub(crate) fn column_widths<K>(columns: &[(usize, Option<K>)]) -> Vec<ratatui::layout::Constraint> {
    columns
        .iter()
        .map(|(w, _)| ratatui::layout::Constraint::Length(*w as u16))
        .collect()
}

/// A list row, highlighted when it is under the focused panel's cursor.
pub(crate) fn cursor_row<'a>(
    row: ratatui::widgets::Row<'a>,
    under_cursor: bool,
    theme: &Theme,
) -> ratatui::widgets::Row<'a> {
    if under_cursor {
        row.style(theme.selected())
    } else {
        row
    }
}

/// First 8 characters of an id: enough to tell sessions apart on screen.
pub(crate) fn short_id(id: &str) -> &str {
    match id.char_indices().nth(8) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// Counts as block characters, scaled to the largest; zero stays blank.
pub(crate) fn sparkline(counts: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .map(|&c| {
            if c == 0 {
                ' '
            } else {
                BARS[((c * 7).div_ceil(max)) as usize]
            }
        })
        .collect()
}

/// What the loop waits for.
enum Msg {
    Term(TermEvent),
    Feed(FeedEvent),
    Tick,
    Exported(export::Done),
}

/// Where exports running on their own threads say how they ended.
pub type Exports = tokio::sync::mpsc::UnboundedSender<export::Done>;

/// Run the dashboard until the user quits; the app as it was then (its history, settings).
/// `app.mouse` says whether the mouse starts captured. `save_history` is called with the filter
/// history each time a filter is applied, so a killed terminal loses none of it.
pub async fn run(
    mut app: App,
    mut feed: Feed,
    theme: Theme,
    save_history: fn(&[String]),
) -> anyhow::Result<App> {
    let mut mouse = app.mouse;
    let mut term = terminal::TerminalGuard::enter(mouse)?;
    let size = term.size()?;
    app.size = Rect::new(0, 0, size.width, size.height);
    app.sync(&feed);
    let mut keys = EventStream::new();
    let notifier = crate::alerts::Notifier::detect(|k| std::env::var(k).ok());
    let in_tmux = std::env::var_os("TMUX").is_some();
    let (exports, mut exported) = tokio::sync::mpsc::unbounded_channel();
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME_INTERVAL;
    while !app.quit {
        if dirty && last_draw.elapsed() >= FRAME_INTERVAL {
            term.draw(|f| render(f, &app, &feed, &theme))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let mut wake = feed.next_tick();
        if dirty {
            wake = wake.min(last_draw + FRAME_INTERVAL);
        }
        let msg = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(ev)) => Msg::Term(ev),
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            ev = feed.next() => Msg::Feed(ev),
            Some(done) = exported.recv() => Msg::Exported(done),
            _ = tokio::time::sleep_until(wake.into()) => Msg::Tick,
        };
        dirty |= dispatch(msg, &mut app, &mut feed, &exports);
        if std::mem::take(&mut app.history_changed) {
            save_history(&app.filter_history);
        }
        if std::mem::take(&mut app.suspend) {
            term.suspend()?;
            dirty = true;
        }
        announce(feed.take_new_alerts(), app.lang, notifier, in_tmux)?;
        if app.mouse != mouse {
            term.set_mouse(app.mouse)?;
            mouse = app.mouse;
        }
    }
    Ok(app)
}

/// What a panel's title says of what it counts: the failures the filter shows (`A` shows all
/// of them), or all when a filter is set but the panels were told to show everything.
pub fn panel_scope(app: &App, store: &crate::store::Store) -> String {
    let s = i18n::strings(app.lang);
    if app.panels_filtered(store) {
        let shown = store.view_agg().map_or(0, |a| a.failures);
        format!(
            "· {} {shown}/{} · {} ",
            s.panels_filtered, store.agg.failures, s.panels_all_hint
        )
    } else if !store.filter().is_empty() {
        format!("· {} ", s.panels_everything)
    } else {
        String::new()
    }
}

/// Ring the bell and ask the terminal for a desktop notification of the alerts that fired (one
/// for a batch: a flood rings once).
fn announce(
    fired: Option<(crate::alerts::Fired, u64)>,
    lang: crate::catalog::Lang,
    notifier: crate::alerts::Notifier,
    in_tmux: bool,
) -> std::io::Result<()> {
    use std::io::Write;
    let Some((last, n)) = fired else {
        return Ok(());
    };
    let title = match n {
        1 => format!("failwatch: {}", last.rule),
        n => i18n::alerts_title(lang, n, &last.rule),
    };
    let bytes = crate::alerts::notification(notifier, in_tmux, &title, &last.what(lang));
    let mut out = std::io::stdout().lock();
    out.write_all(bytes.as_bytes())?;
    out.flush()
}

/// Hand one message to whom it concerns; true when the screen must be redrawn.
fn dispatch(msg: Msg, app: &mut App, feed: &mut Feed, exports: &Exports) -> bool {
    match msg {
        Msg::Exported(done) => {
            app.export_done(done);
            true
        }
        Msg::Term(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => {
            match app.action_for_key(k) {
                Some(a) => act(app, feed, a, exports),
                // A key that does nothing says so, rather than nothing at all.
                None if matches!(k.code, KeyCode::Char(_) | KeyCode::F(_)) => {
                    let key = keymap::Key::of(&k).label();
                    app.status = Some(i18n::strings(app.lang).unknown_key.replace("{}", &key));
                }
                None => {}
            }
            true
        }
        Msg::Term(TermEvent::Mouse(m)) => {
            if let Some(a) = app.action_for_mouse(m) {
                act(app, feed, a, exports);
            }
            true
        }
        Msg::Term(TermEvent::Resize(w, h)) => {
            app.size = Rect::new(0, 0, w, h);
            app.sync(feed);
            let max = overlay_max_scroll(app, feed);
            app.clamp_overlay_scroll(max);
            true
        }
        Msg::Term(_) => false,
        Msg::Feed(FeedEvent::Ingested(0)) => false,
        Msg::Feed(_) => {
            app.sync(feed);
            true
        }
        Msg::Tick => {
            if feed.tick(Instant::now()) {
                app.sync(feed);
            }
            true
        }
    }
}

/// How far the open overlay may scroll: its content measured at the current size.
pub fn overlay_max_scroll(app: &App, feed: &Feed) -> usize {
    let theme = Theme::plain();
    let content = match app.overlay {
        Overlay::Help => help::wrapped(app, feed.pipeline.enricher().family().0, &theme).len(),
        Overlay::Detail => detail::wrapped(app, feed, &theme).len(),
        Overlay::Alerts => alert_list::wrapped(app, feed, &theme).len(),
        _ => return 0,
    };
    overlay_area(app.overlay, app.size).map_or(0, |area| {
        scroll_view::max_scroll(content, scroll_view::inner(area).1)
    })
}

/// Where a scrolling overlay is drawn on a terminal of `size`.
pub fn overlay_area(overlay: Overlay, size: Rect) -> Option<Rect> {
    match overlay {
        Overlay::Help => Some(help::area(size)),
        Overlay::Detail => Some(detail::area(size)),
        Overlay::Alerts => Some(alert_list::area(size)),
        _ => None,
    }
}

/// An action, then what it asks of the outside world (clipboard, files).
pub fn act(app: &mut App, feed: &mut Feed, action: app::Action, exports: &Exports) {
    let s = strings(app.lang);
    let effect = app.act(action, feed);
    let max = overlay_max_scroll(app, feed);
    app.clamp_overlay_scroll(max);
    match effect {
        Some(Effect::Copy(text)) => app.status = Some(clipboard::copy(&text, app.lang)),
        Some(Effect::Mouse(on)) => {
            app.status = Some(if on { s.mouse_on } else { s.mouse_off }.to_owned())
        }
        Some(Effect::Export(job)) => {
            let shown = crate::redact::redact_line(&job.path.display().to_string(), 200);
            app.status = Some(format!("{} {shown}…", s.exporting));
            let exports = exports.clone();
            export::spawn(job, move |done| {
                let _ = exports.send(done);
            });
        }
        Some(Effect::Report(text, job)) => {
            let copied = clipboard::copy(&text, app.lang);
            let shown = crate::redact::redact_line(&job.path.display().to_string(), 200);
            app.status = Some(format!(
                "{}: {copied} · {} {shown}…",
                s.report_copied, s.exporting
            ));
            let exports = exports.clone();
            export::spawn(job, move |done| {
                let _ = exports.send(done);
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_and_keeps_zero_blank() {
        assert_eq!(sparkline(&[0, 1, 2, 4]), " ▃▅█");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[0, 0]), "  ");
    }

    #[test]
    fn short_ids_cut_by_chars() {
        assert_eq!(short_id("31162427-3bfd"), "31162427");
        assert_eq!(short_id("会话会话会话会话会话"), "会话会话会话会话");
        assert_eq!(short_id("abc"), "abc");
    }
}
