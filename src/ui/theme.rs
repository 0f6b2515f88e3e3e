//! Colours and marks. State is always shown by a word or glyph as well, so a screen without
//! colour (`NO_COLOR`, `theme = "mono"`, `TERM=dumb`) loses nothing. Colours are only those the
//! terminal has: 8-colour terminals get the eight base colours and dim text by the terminal's
//! own dim attribute; `theme = "light"` picks colours readable on a white background.

use ratatui::style::{Color, Modifier, Style};

use crate::routing::Outcome;

/// How many colours the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    None,
    /// The eight base colours (`TERM=xterm`, `vt100`, `linux`).
    Eight,
    /// Those and their bright forms (`*-16color`).
    Sixteen,
    /// 256 or more (`*-256color`, `COLORTERM=truecolor`).
    Many,
}

impl Depth {
    /// What `NO_COLOR`, `COLORTERM` and `TERM` say, in that order.
    pub fn detect(env: impl Fn(&str) -> Option<String>) -> Depth {
        let set = |k: &str| env(k).filter(|v| !v.is_empty());
        if set("NO_COLOR").is_some() {
            return Depth::None;
        }
        if set("COLORTERM").is_some_and(|v| matches!(v.as_str(), "truecolor" | "24bit")) {
            return Depth::Many;
        }
        let term = set("TERM").unwrap_or_default();
        match term.as_str() {
            "" | "dumb" => Depth::None,
            t if t.contains("256") || t.contains("direct") || t.ends_with("truecolor") => {
                Depth::Many
            }
            t if t.contains("16color") => Depth::Sixteen,
            _ => Depth::Eight,
        }
    }
}

/// What a colour is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Dim,
    Focus,
    Alert,
    Warn,
    Good,
    Info,
    PlatformReason,
    AgentReason,
}

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub depth: Depth,
    /// Colours for a light background.
    pub light: bool,
}

impl Theme {
    /// The terminal's colours, for a dark or a light background.
    pub fn detected(light: bool) -> Theme {
        Theme {
            depth: Depth::detect(|k| std::env::var(k).ok()),
            light,
        }
    }

    pub fn plain() -> Theme {
        Theme {
            depth: Depth::None,
            light: false,
        }
    }

    /// Whether anything is coloured at all.
    pub fn color(&self) -> bool {
        self.depth != Depth::None
    }

    fn colour(&self, role: Role) -> Option<Color> {
        use Color::*;
        let c = match (self.depth, self.light, role) {
            (Depth::None, _, _) => return None,
            // Dim text: the terminal's own dim where grey may be missing.
            (Depth::Eight, _, Role::Dim) => return None,
            // On white, the xterm 256-colour cube's darker shades (each at least 4.5:1; see
            // the tests).
            (Depth::Many, true, r) => Indexed(match r {
                Role::Dim => 242,
                Role::Focus => 24,
                Role::Alert => 160,
                Role::Warn => 130,
                Role::Good => 28,
                Role::Info => 23,
                Role::PlatformReason => 25,
                Role::AgentReason => 127,
            }),
            // On white with few colours: the base colours, the pale yellow and cyan left out.
            (_, true, r) => match r {
                Role::Dim => DarkGray,
                Role::Focus | Role::PlatformReason | Role::Info => Blue,
                Role::Alert => Red,
                Role::Warn | Role::AgentReason => Magenta,
                Role::Good => Green,
            },
            // The base colours (ratatui's `Red` … `Cyan` are indices 1–6, which every colour
            // terminal has); grey (index 8) only where there are sixteen.
            (_, false, r) => match r {
                Role::Dim => DarkGray,
                Role::Focus | Role::Info => Cyan,
                Role::Alert => Red,
                Role::Warn => Yellow,
                Role::Good => Green,
                Role::PlatformReason => Blue,
                Role::AgentReason => Magenta,
            },
        };
        Some(c)
    }

    fn fg(&self, role: Role) -> Style {
        match self.colour(role) {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        match (self.depth, self.colour(Role::Dim)) {
            (Depth::Eight, _) => Style::new().add_modifier(Modifier::DIM),
            (_, Some(c)) => Style::new().fg(c),
            (_, None) => Style::new(),
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn focused_border(&self) -> Style {
        self.fg(Role::Focus).add_modifier(Modifier::BOLD)
    }

    pub fn alert(&self) -> Style {
        self.fg(Role::Alert).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Role::Warn)
    }

    /// A word the filter looks for, where it occurs in a text shown.
    pub fn hit(&self) -> Style {
        self.warn()
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }

    pub fn good(&self) -> Style {
        self.fg(Role::Good)
    }

    pub fn reason(&self, agent_side: bool) -> Style {
        self.fg(if agent_side {
            Role::AgentReason
        } else {
            Role::PlatformReason
        })
    }

    pub fn outcome(&self, o: Outcome) -> Style {
        match o {
            Outcome::NotifiedDetail => self.good(),
            Outcome::NotifiedCanned => self.warn(),
            Outcome::NotifiedReason => self.fg(Role::Info),
            Outcome::NotifiedGeneric => self.warn(),
            Outcome::Silent => self.dim(),
            Outcome::Dropped => self.alert(),
            Outcome::NotChat => self.dim(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 8] = [
        Role::Dim,
        Role::Focus,
        Role::Alert,
        Role::Warn,
        Role::Good,
        Role::Info,
        Role::PlatformReason,
        Role::AgentReason,
    ];

    fn depth(vars: &[(&str, &str)]) -> Depth {
        Depth::detect(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_depth_is_what_the_environment_says() {
        assert_eq!(depth(&[("TERM", "xterm-256color")]), Depth::Many);
        assert_eq!(depth(&[("TERM", "tmux-256color")]), Depth::Many);
        assert_eq!(depth(&[("TERM", "xterm-16color")]), Depth::Sixteen);
        assert_eq!(depth(&[("TERM", "xterm")]), Depth::Eight);
        assert_eq!(depth(&[("TERM", "vt100")]), Depth::Eight);
        assert_eq!(depth(&[("TERM", "dumb")]), Depth::None);
        assert_eq!(depth(&[]), Depth::None);
        assert_eq!(
            depth(&[("TERM", "xterm"), ("COLORTERM", "truecolor")]),
            Depth::Many
        );
        assert_eq!(
            depth(&[("TERM", "xterm-256color"), ("NO_COLOR", "1")]),
            Depth::None
        );
        assert_eq!(
            depth(&[("TERM", "xterm-256color"), ("NO_COLOR", "")]),
            Depth::Many,
            "an empty NO_COLOR asks nothing"
        );
    }

    /// The 256-colour index's xterm colour in sRGB.
    fn xterm_rgb(c: Color) -> (u8, u8, u8) {
        const BASE: [(u8, u8, u8); 16] = [
            (0, 0, 0),
            (205, 0, 0),
            (0, 205, 0),
            (205, 205, 0),
            (0, 0, 238),
            (205, 0, 205),
            (0, 205, 205),
            (229, 229, 229),
            (127, 127, 127),
            (255, 0, 0),
            (0, 255, 0),
            (255, 255, 0),
            (92, 92, 255),
            (255, 0, 255),
            (0, 255, 255),
            (255, 255, 255),
        ];
        let i = match c {
            Color::Indexed(i) => i,
            Color::Red => 1,
            Color::Green => 2,
            Color::Blue => 4,
            Color::Magenta => 5,
            Color::DarkGray => 8,
            other => panic!("{other:?} is not used on white"),
        };
        match i {
            0..=15 => BASE[usize::from(i)],
            16..=231 => {
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                let i = i - 16;
                (level(i / 36), level(i / 6 % 6), level(i % 6))
            }
            _ => {
                let v = 8 + 10 * (i - 232);
                (v, v, v)
            }
        }
    }

    /// WCAG 2 contrast of a colour against white.
    fn contrast_on_white((r, g, b): (u8, u8, u8)) -> f64 {
        let lin = |v: u8| {
            let c = f64::from(v) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
        1.05 / (l + 0.05)
    }

    /// `theme = "light"` on a 256-colour terminal: every colour at least 4.5:1 on white (WCAG
    /// AA for text), where the dark theme's yellow is 1.7:1.
    #[test]
    fn the_light_theme_is_readable_on_white() {
        let light = Theme {
            depth: Depth::Many,
            light: true,
        };
        for role in ROLES {
            let c = light.colour(role).unwrap();
            let ratio = contrast_on_white(xterm_rgb(c));
            assert!(ratio >= 4.5, "{role:?} {c:?}: {ratio:.1}:1");
        }
        let dark = Theme {
            depth: Depth::Many,
            light: false,
        };
        assert!(contrast_on_white(xterm_rgb(Color::Indexed(3))) < 1.8);
        assert_eq!(dark.colour(Role::Warn), Some(Color::Yellow));
    }

    /// An 8-colour terminal gets only the base colours (indices 1–6) and dims by attribute.
    #[test]
    fn eight_colours_use_only_the_base_eight() {
        let eight = Theme {
            depth: Depth::Eight,
            light: false,
        };
        for role in ROLES {
            if let Some(c) = eight.colour(role) {
                assert!(
                    matches!(
                        c,
                        Color::Red
                            | Color::Green
                            | Color::Yellow
                            | Color::Blue
                            | Color::Magenta
                            | Color::Cyan
                    ),
                    "{role:?}: {c:?}"
                );
            }
        }
        assert!(eight.dim().add_modifier.contains(Modifier::DIM));
        assert_eq!(Theme::plain().warn(), Style::new());
    }
}
