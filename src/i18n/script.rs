//! Which writing system a text is in, for the tests that check every string of a language is
//! written in that language's script and in no other's.

use crate::catalog::Lang;

fn han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

fn kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{ff66}'..='\u{ff9f}')
}

fn hangul(c: char) -> bool {
    matches!(c, '\u{ac00}'..='\u{d7af}' | '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}')
}

/// Whether `text` has a character of `lang`'s own script (English: none is asked).
pub fn has_own(text: &str, lang: Lang) -> bool {
    match lang {
        Lang::En => true,
        Lang::Zh => text.chars().any(han),
        Lang::Ja => text.chars().any(|c| han(c) || kana(c)),
        Lang::Ko => text.chars().any(hangul),
    }
}

/// A character of another language's script in `text`, if any.
pub fn foreign(text: &str, lang: Lang) -> Option<char> {
    text.chars().find(|&c| match lang {
        Lang::En => han(c) || kana(c) || hangul(c),
        Lang::Zh => kana(c) || hangul(c),
        Lang::Ja => hangul(c),
        Lang::Ko => han(c) || kana(c),
    })
}

/// What is wrong with `text` as a string of `lang` whose English is `en` and Chinese `zh`: empty,
/// in another script, without its own script (unless the Chinese has none either: a name such as
/// `Agent`), or with other `{}` placeholders or line breaks than the English.
pub fn problem(text: &str, lang: Lang, en: &str, zh: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("empty".into());
    }
    if let Some(c) = foreign(text, lang) {
        return Some(format!("{c:?} is not of its script"));
    }
    if !has_own(text, lang) && has_own(zh, Lang::Zh) {
        return Some("not in its script".into());
    }
    let count = |s: &str, p: &str| s.matches(p).count();
    if count(text, "{}") != count(en, "{}") || count(text, "\n") != count(en, "\n") {
        return Some("placeholders or lines differ from the English".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_told_apart() {
        assert!(problem("失敗", Lang::Ja, "Failures", "失败").is_none());
        assert!(problem("실패", Lang::Ko, "Failures", "失败").is_none());
        assert!(problem("Failures", Lang::Ko, "Failures", "失败").is_some());
        assert!(problem("失败", Lang::Ko, "Failures", "失败").is_some());
        assert!(problem("실패", Lang::Ja, "Failures", "失败").is_some());
        assert!(problem("Agent", Lang::Ja, "Agent", "Agent").is_none());
        assert!(problem("近 분", Lang::Ko, "last {} min", "近 {} 分钟").is_some());
        assert!(problem("最近 {} 分", Lang::Ja, "last {} min", "近 {} 分钟").is_none());
    }
}
