//! Colours and marks. With `NO_COLOR` set, everything renders without colour: state is always
//! shown by a word or glyph as well.

use ratatui::style::{Color, Modifier, Style};

use crate::routing::Outcome;

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn focused_border(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn alert(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// A word the filter looks for, where it occurs in a text shown.
    pub fn hit(&self) -> Style {
        self.warn()
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn reason(&self, agent_side: bool) -> Style {
        self.fg(if agent_side {
            Color::Magenta
        } else {
            Color::Blue
        })
    }

    pub fn outcome(&self, o: Outcome) -> Style {
        match o {
            Outcome::NotifiedDetail => self.good(),
            Outcome::NotifiedCanned => self.warn(),
            Outcome::NotifiedReason => self.fg(Color::Cyan),
            Outcome::NotifiedGeneric => self.warn(),
            Outcome::Silent => self.dim(),
            Outcome::Dropped => self.alert(),
            Outcome::NotChat => self.dim(),
        }
    }
}
