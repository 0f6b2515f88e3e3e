//! The terminal dashboard: state in [`app`], one module per panel, and the event loop here.

pub mod app;
pub mod clipboard;
pub mod detail;
pub mod failures;
pub mod filter_bar;
pub mod header;
pub mod help;
pub mod i18n;
pub mod layout;
pub mod reasons;
pub mod sessions;
pub mod terminal;
pub mod theme;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use tokio::sync::mpsc;

use crate::protocol::Frame as WireFrame;
use app::{App, Overlay};
use theme::Theme;

/// At most this many frames are ingested between two redraws, so keys are never starved.
const MAX_BATCH: usize = 20_000;
/// Redraw at most ~30 times a second.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// Draw everything. Reads state only.
pub fn render(f: &mut Frame, app: &App, theme: &Theme) {
    let size = f.area();
    if size.width < 20 || size.height < 6 {
        f.render_widget(Paragraph::new("terminal too small"), size);
        return;
    }
    let areas = layout::Areas::new(size, app.filter_input.is_some());
    header::render(f, areas.header, app, theme);
    failures::render(f, areas.failures, app, theme);
    reasons::render(f, areas.reasons, app, theme);
    sessions::render(f, areas.sessions, app, theme);
    filter_bar::render(f, areas.footer, app, theme);
    match app.overlay {
        Overlay::Detail => detail::render(f, size, app, theme),
        Overlay::Help => help::render(f, size, app, theme),
        Overlay::None => {}
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

/// First 8 characters of an id: enough to tell sessions apart on screen.
pub(crate) fn short_id(id: &str) -> &str {
    match id.char_indices().nth(8) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

pub(crate) fn time_of_day(t: DateTime<Utc>) -> String {
    t.format("%H:%M:%S").to_string()
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

/// Run the dashboard until the user quits. `frames` carries a live source's frames (none for replay).
pub async fn run(
    mut app: App,
    mut frames: Option<mpsc::Receiver<WireFrame>>,
    mouse: bool,
) -> anyhow::Result<()> {
    let mut term = terminal::TerminalGuard::enter(mouse)?;
    let theme = Theme::from_env();
    let size = term.size()?;
    app.size = Rect::new(0, 0, size.width, size.height);
    let mut keys = EventStream::new();
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME_INTERVAL;
    let mut rate_window = (Instant::now(), app.pipeline.store.ingest.frames);
    loop {
        if dirty && last_draw.elapsed() >= FRAME_INTERVAL {
            term.draw(|f| render(f, &app, &theme))?;
            last_draw = Instant::now();
            dirty = false;
        }
        if app.quit {
            break;
        }
        // Sleep until something can change: a frame due in replay, the next redraw slot, or the rate tick.
        let now = Instant::now();
        let mut wake = rate_window.0 + Duration::from_secs(1);
        if dirty {
            wake = wake.min(last_draw + FRAME_INTERVAL);
        }
        if let Some(r) = &app.replay {
            if let Some(d) = r.until_next(now) {
                wake = wake.min(now + d.max(Duration::from_millis(1)));
            } else if !r.paused && !r.at_end() {
                wake = wake.min(now + FRAME_INTERVAL);
            }
        }
        tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                    if let Some(a) = app.action_for_key(k) {
                        app.apply(a);
                        perform(&mut app);
                        dirty = true;
                    }
                }
                Some(Ok(TermEvent::Mouse(m))) => {
                    if let Some(a) = app.action_for_mouse(m) {
                        app.apply(a);
                        dirty = true;
                    }
                }
                Some(Ok(TermEvent::Resize(w, h))) => {
                    app.size = Rect::new(0, 0, w, h);
                    app.on_ingest();
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(first) = recv(&mut frames) => {
                let mut n = 1;
                app.pipeline.push_frame(first.received_at, &first.text);
                if let Some(rx) = frames.as_mut() {
                    while n < MAX_BATCH {
                        let Ok(fr) = rx.try_recv() else { break };
                        app.pipeline.push_frame(fr.received_at, &fr.text);
                        n += 1;
                    }
                }
                app.on_ingest();
                dirty = true;
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                if let Some(r) = app.replay.as_mut() {
                    if r.tick(Instant::now(), &mut app.pipeline) > 0 {
                        app.on_ingest();
                        dirty = true;
                    }
                }
                let elapsed = rate_window.0.elapsed();
                if elapsed >= Duration::from_secs(1) {
                    let frames_now = app.pipeline.store.ingest.frames;
                    app.events_per_s = (frames_now - rate_window.1) as f64 / elapsed.as_secs_f64();
                    rate_window = (Instant::now(), frames_now);
                    if app.pipeline.store.filter().has_time_terms() {
                        app.pipeline.store.rebuild_view();
                        app.on_ingest();
                    }
                    dirty = true;
                }
            }
        }
    }
    Ok(())
}

/// Carry out what the last action asked of the outside world (clipboard, files).
fn perform(app: &mut App) {
    match app.effect.take() {
        Some(app::Effect::Copy(text)) => app.status = Some(clipboard::copy(&text)),
        Some(app::Effect::Export(lines)) => {
            let dir = std::env::current_dir().unwrap_or_else(|_| std::env::temp_dir());
            app.status = Some(match clipboard::export(&dir, lines.into_iter()) {
                Ok((path, n)) => format!("exported {n} failures to {}", path.display()),
                Err(e) => format!("export failed: {e}"),
            });
        }
        None => {}
    }
}

async fn recv(frames: &mut Option<mpsc::Receiver<WireFrame>>) -> Option<WireFrame> {
    match frames {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
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
