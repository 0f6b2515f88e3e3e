//! `--ascii`: the drawn screen folded to ASCII after rendering, so no panel can forget a glyph.
//! Box drawing becomes `+ - |`, bars and marks become letters and punctuation. Text from the data
//! (an error in another script) is left as it is: only the interface's own symbols are folded.

use ratatui::buffer::Buffer;

/// The ASCII stand-in of one of the interface's symbols, if it is one.
pub fn fold(symbol: &str) -> Option<&'static str> {
    let c = symbol.chars().next()?;
    Some(match c {
        '─' | '━' | '═' | '—' | '–' | '╌' => "-",
        '│' | '┃' | '║' | '▏' | '▕' => "|",
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => {
            "+"
        }
        '█' | '▇' => "#",
        '▆' | '▅' => "*",
        '▄' | '▃' => "+",
        '▂' => ":",
        '▁' => ".",
        '░' => ".",
        '●' => "*",
        '⋯' | '…' => ".",
        '·' => ".",
        '✗' | '✘' => "x",
        '✓' | '✔' => "v",
        '◐' => "o",
        '○' => "o",
        '“' | '”' | '„' => "\"",
        '‘' | '’' => "'",
        '→' | '▶' | '↵' => ">",
        '←' => "<",
        '↑' => "^",
        '↓' => "v",
        '⚠' => "!",
        '≡' => "=",
        '▲' => "^",
        '↺' => "r",
        '⌫' => "<",
        _ => return None,
    })
}

/// Fold every cell of a drawn frame.
pub fn fold_buffer(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if let Some(ascii) = fold(cell.symbol()) {
            cell.set_symbol(ascii);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_fold_and_text_stays() {
        assert_eq!(fold("┌"), Some("+"));
        assert_eq!(fold("⚠\u{fe0f}"), Some("!"));
        assert_eq!(fold("a"), None);
        assert_eq!(fold("会"), None);
    }
}
