//! Opening and closing the list of this session's alerts.

use super::{App, Overlay};
use crate::feed::Feed;

impl App {
    /// Open the list at its newest, acknowledging every alert (as `a` does), or close it.
    pub(super) fn toggle_alert_list(&mut self, feed: &Feed) {
        if self.overlay == Overlay::Alerts {
            self.overlay = Overlay::None;
            return;
        }
        self.overlay = Overlay::Alerts;
        self.alerts_scroll = 0;
        self.alerts_seen = feed.latest_alert().map_or(0, |(_, total)| total);
        self.banner = false;
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::catalog::Lang;
    use crate::ingest::Pipeline;
    use crate::ui::app::tests::{feed_of, press};
    use crate::ui::app::Action;

    /// A dashboard whose rule (every timeout, a 15-minute cooldown) fired on `n` timeouts a
    /// minute apart: the first, the 16th, … announced, the rest held back.
    fn fired(n: i64) -> (App, Feed) {
        let text = "name = \"timeouts\"\nfilter = \"reason:timeout\"\ncount = 1\nwindow = \"1s\"\ncooldown = \"15m\"";
        let rule =
            crate::alerts::AlertRule::new(&toml::from_str(text).unwrap(), &Default::default())
                .unwrap();
        let mut p = Pipeline::new(100);
        p.set_alerts(crate::alerts::AlertEngine::new(vec![rule]));
        for i in 0..n {
            let at = DateTime::from_timestamp(1_790_000_000 + i * 60, 0).unwrap();
            let frame = format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t{i}","failure_reason":"timeout"}}}}"#
            );
            p.push_frame(at, &frame, |_| {});
        }
        let mut feed = feed_of(p);
        let fired = feed.pipeline.take_fired();
        feed.record_alerts(fired, DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let mut app = App::new(Lang::En);
        app.sync(&feed);
        (app, feed)
    }

    #[test]
    fn the_key_opens_the_list_acknowledging_and_q_esc_or_the_key_close_it() {
        let (mut app, mut feed) = fired(20);
        assert_eq!(feed.alert_history().len(), 20);
        assert!(app.banner, "two announced, none seen");
        press(&mut app, &mut feed, KeyCode::Char('!'));
        assert_eq!(app.overlay, Overlay::Alerts);
        assert!(!app.banner);
        assert_eq!(app.alerts_seen, 2, "both announced alerts acknowledged");
        for close in [KeyCode::Char('q'), KeyCode::Esc, KeyCode::Char('!')] {
            app.overlay = Overlay::Alerts;
            press(&mut app, &mut feed, close);
            assert_eq!(app.overlay, Overlay::None, "{close:?}");
            assert!(!app.quit, "{close:?} closes the list, not failwatch");
        }
        // Elsewhere, q still quits.
        press(&mut app, &mut feed, KeyCode::Char('q'));
        assert!(app.quit);
    }

    #[test]
    fn the_list_scrolls_and_stops_at_its_ends() {
        let (mut app, mut feed) = fired(40);
        app.size = ratatui::layout::Rect::new(0, 0, 100, 20);
        press(&mut app, &mut feed, KeyCode::Char('!'));
        let max = crate::ui::overlay_max_scroll(&app, &feed);
        assert!(max > 10, "{max}");
        let exports = tokio::sync::mpsc::unbounded_channel().0;
        let mut key = |app: &mut App, c| {
            let a = app
                .action_for_key(KeyEvent::new(c, KeyModifiers::NONE))
                .unwrap();
            crate::ui::act(app, &mut feed, a, &exports);
            app.alerts_scroll
        };
        assert_eq!(key(&mut app, KeyCode::Char('j')), 1);
        assert_eq!(key(&mut app, KeyCode::Down), 2);
        assert_eq!(key(&mut app, KeyCode::Char('k')), 1);
        // A page is what the list shows at once, as in less.
        let page = crate::ui::scroll_view::inner(crate::ui::alert_list::area(app.size)).1;
        assert!(page > 5, "{page}");
        assert_eq!(
            usize::from(key(&mut app, KeyCode::PageDown)),
            (1 + page).min(max)
        );
        assert_eq!(key(&mut app, KeyCode::PageUp), 1);
        assert_eq!(key(&mut app, KeyCode::Up), 0);
        assert_eq!(key(&mut app, KeyCode::Up), 0, "stops at the newest");
        assert_eq!(key(&mut app, KeyCode::Char('G')) as usize, max);
        assert_eq!(
            key(&mut app, KeyCode::Char('j')) as usize,
            max,
            "and the oldest"
        );
        assert_eq!(key(&mut app, KeyCode::Char('g')), 0);
        key(&mut app, KeyCode::End);
        // Closed and opened again: at the newest.
        key(&mut app, KeyCode::Esc);
        assert_eq!(key(&mut app, KeyCode::Char('!')), 0);
    }

    #[test]
    fn the_list_can_have_a_key_of_its_own_from_the_config_file() {
        let (mut app, mut feed) = fired(1);
        let keys = [("alerts".to_owned(), "A".to_owned())];
        app.extra_keys = crate::ui::keymap::extra_keys(keys.iter().map(|(a, k)| (a, k))).unwrap();
        press(&mut app, &mut feed, KeyCode::Char('A'));
        assert_eq!(app.overlay, Overlay::Alerts);
        press(&mut app, &mut feed, KeyCode::Char('A'));
        assert_eq!(app.overlay, Overlay::None);
        assert_eq!(
            app.action_for_key(KeyEvent::new(KeyCode::Char('!'), KeyModifiers::NONE)),
            Some(Action::AlertList),
            "the default key stays"
        );
    }
}
