//! Any text: redaction never panics, and what comes out has no control, format or invisible
//! character left (a line keeps no line break either), whatever went in.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn forbidden(c: char, line: bool) -> bool {
    let control = c.is_control() && !(!line && (c == '\n' || c == '\t'));
    let format = matches!(
        c,
        '\u{ad}' | '\u{61c}' | '\u{890}' | '\u{891}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
    );
    // Invisible and no format character: they hide text as well.
    let invisible = matches!(
        c,
        '\u{34f}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{180b}'..='\u{180f}'
            | '\u{2800}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{ffa0}' | '\u{1d159}'
            | '\u{e0100}'..='\u{e01ef}'
    );
    control || format || invisible
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let r = failwatch::redact::redact(text);
    assert!(!r.text.chars().any(|c| forbidden(c, false)), "{:?}", r.text);
    let line = failwatch::redact::redact_line(text, 300);
    assert!(!line.chars().any(|c| forbidden(c, true)), "{line:?}");
    let id = failwatch::redact::redact_id(text);
    assert!(!id.chars().any(|c| forbidden(c, true)), "{id:?}");
    let _ = failwatch::redact::redact_capped(text);
});
